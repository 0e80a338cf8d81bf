"""Checks of each page: its front matter, the pages it names as related, its ids."""

from __future__ import annotations

import re
from collections import Counter

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

ID_ATTRIBUTE = re.compile(r'\sid="([^"]+)"')
ALLOWED_KEYS = {"description", "downloads", "hide", "moved_anchors", "related", "search", "title"}
REQUIRED_KEYS = {"description", "title"}


def check_front_matter(page: Page, files: Files) -> None:
    """Fails on front matter MkDocs would otherwise drop or show as text."""
    where = f"docs/{page.file.src_uri}"
    source = page.file.content_string
    if source.startswith("---") and not page.meta:
        # MkDocs keeps unparsable YAML as page text; name the problem instead.
        block = source.split("---", 2)[1] if source.count("---") >= 2 else source
        try:
            yaml.safe_load(block)
        except yaml.YAMLError as error:
            raise PluginError(f"{where}: the front matter is not valid YAML: {error}") from error
        raise PluginError(
            f"{where}: the front matter must be 'key: value' lines between '---' lines."
        )
    if page.meta and not source.startswith("---"):
        raise PluginError(
            f"{where}: the page starts with 'Key: value' lines, which MkDocs would hide as "
            "metadata. Put front matter between '---' lines, or start the page with a heading."
        )
    unknown = sorted(set(page.meta) - ALLOWED_KEYS)
    if unknown:
        raise PluginError(
            f"{where}: unknown front matter key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(ALLOWED_KEYS))}."
        )
    missing = sorted(REQUIRED_KEYS - set(page.meta))
    if missing:
        raise PluginError(f"{where}: add {' and '.join(missing)} to the front matter.")
    moved = page.meta.get("moved_anchors", {})
    if not isinstance(moved, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in moved.items()
    ):
        raise PluginError(
            f"{where}: 'moved_anchors' maps old ids to new ones, like "
            "{old-heading: new-heading} or {old-heading: other-page/#heading}."
        )
    related = page.meta.get("related", [])
    if not isinstance(related, list):
        raise PluginError(f"{where}: 'related' must be a list of pages, like [allyship.md].")
    for path in related:
        if files.get_file_from_path(str(path)) is None:
            raise PluginError(f"{where}: related page '{path}' does not exist in docs/.")
        if path == page.file.src_uri:
            raise PluginError(f"{where}: a page cannot list itself as related.")


def related_pages(page: Page, nav: Navigation) -> list[Page]:
    """The pages named under `related`, in navigation order."""
    wanted = set(page.meta.get("related", []))
    return [other for other in nav.pages if other.file.src_uri in wanted]


def check_unique_ids(html: str, page: Page) -> None:
    """Two elements with one id break links to the second; name the ids to change."""
    repeated = sorted(id for id, count in Counter(ID_ATTRIBUTE.findall(html)).items() if count > 1)
    if repeated:
        raise PluginError(
            f"docs/{page.file.src_uri}: the id(s) {', '.join(repeated)} are used more than "
            "once on the page; give each heading its own {#id}."
        )
