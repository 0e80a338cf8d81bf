"""The one pipeline over a built site folder. Whichever engine wrote the pages
(MkDocs with Material, or Zensical), this is what publishes them, in order:

1. the output check: every file, read as a browser reads it (the boundary);
2. the published anchors: every link people have shared still lands;
3. the policy: the Content-Security-Policy's `<meta>` in every page;
4. the preview cards;
5. the stylesheet purge: one small first-view stylesheet;
6. host headers and redirects.

The two checks come first, so that nothing is added to a site that fails them.
The publications made from the finished site (PDF, EPUB, offline bundle)
follow in `bridges.build`. An engine's adapter says what the pipeline cannot
read from the folder: what its templates emit inline, which pages it built from
which files, and the cards' words (`BuiltSite`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig

from bridges import TEMPLATES
from bridges.pipeline.anchors import (
    RegistryError,
    broken_links,
    is_other_site,
    published_in_history,
    read_registry,
    redirect_map_problems,
    write_redirects,
)
from bridges.pipeline.cards import card_path, make_card
from bridges.pipeline.output_check import KnownCode, site_problems, site_scripts
from bridges.pipeline.pagescan import InlineCode, PageScan, scan_file
from bridges.pipeline.publish import content_security_policy, meta_policy, write_host_headers
from bridges.pipeline.stylesheets import ParsedSheet, bundle_stylesheets
from bridges.problems import Problem

# Where the policy goes: first in <head>, after the character encoding, before any script.
HEAD_START = re.compile(r"<head\b[^>]*>(\s*<meta charset=[^>]*>)?", re.IGNORECASE)


@dataclass(frozen=True)
class Card:
    """A page's link preview: drawn from its title and description."""

    title: str
    description: str
    url: str  # the page's address in the site: "allyship/"


@dataclass
class BuiltSite:
    """A folder of pages an engine wrote, and what the engine knows about them."""

    config: MkDocsConfig  # mkdocs.yml, as MkDocs reads it (settings only)
    site_dir: Path
    theme_dirs: list[str]  # the engine's templates and assets, overrides first
    inline_code: InlineCode  # what the templates emit inline, found before the pages
    cards: list[Card]
    scans: dict[str, PageScan] = field(default_factory=dict)  # by page path; read if missing
    sources: dict[str, str] = field(default_factory=dict)  # page path -> docs/ file
    moved_anchors: dict[str, dict[str, str]] = field(default_factory=dict)  # by page URL
    parsed_sheets: Mapping[str, ParsedSheet] = field(default_factory=dict)  # theme's, by name
    offline: bool = False  # the offline bundle: file:// has no origin, and no host
    serving: bool = False  # `mkdocs serve`: its live reload injects an inline script

    def __post_init__(self) -> None:
        for path in sorted(self.site_dir.rglob("*.html")):
            name = path.relative_to(self.site_dir).as_posix()
            if name not in self.scans:
                self.scans[name] = scan_file(path)  # the 404 page, redirect pages, any engine's


def publish_site(site: BuiltSite) -> list[Problem]:
    """Runs the pipeline over `site`; returns its problems, and on any stops before writing."""
    problems: list[Problem] = [*check_output(site)]
    if not site.offline:
        problems += published_link_problems(site)
    if problems:
        return problems
    policy = content_security_policy(site.inline_code)
    if not (site.offline or site.serving):
        add_policy(site, meta_policy(policy))
    for card in site.cards:
        make_card(card.title, card.description, site.config.site_name,
                  site.site_dir / card_path(card.url))  # fmt: skip
    names = set().union(*(scan.names for scan in site.scans.values()))
    values = set().union(*(scan.values for scan in site.scans.values()))
    bundle_stylesheets(site.site_dir, names, values, site.parsed_sheets)
    if not site.offline:
        base = urlsplit(site.config.site_url or "/").path or "/"
        templates = TEMPLATES / "deploy"
        write_redirects(site.site_dir, page_redirects(site.config), base, templates)
        write_host_headers(site.site_dir, templates, policy)
    return []


def check_output(site: BuiltSite) -> list[Problem]:
    """The boundary: every file about to be published, as a browser reads it."""
    config = site.config
    known = KnownCode.from_folders(site.theme_dirs, site_scripts(config.docs_dir))
    known.inline_scripts = set(site.inline_code.scripts)
    known.inline_styles = set(site.inline_code.styles)
    # A redirect page is old/index.html, or old.html in the offline bundle (file:// URLs).
    known.redirect_pages = {
        page
        for url in page_redirects(config)
        for page in (f"{url}index.html", f"{url.rstrip('/')}.html" if url else "index.html")
    }
    known.listed_redirects = {str(url) for url in config.extra.get("external_redirects") or []}
    findings = {name: scan.findings for name, scan in site.scans.items()}
    return site_problems(site.site_dir, known, findings, site.sources)


def published_link_problems(site: BuiltSite) -> list[Problem]:
    """Links listed in docs/published-anchors.txt that no longer land on their anchor."""
    config = site.config
    registry = Path(config.docs_dir) / "published-anchors.txt"
    shown_as = Path(os.path.relpath(registry, Path(config.config_file_path).parent))
    try:
        listed = read_registry(registry, shown_as)
    except RegistryError as error:
        return error.problems
    deleted = published_in_history(registry) - set(listed)

    def anchors_of(url: str) -> frozenset[str] | None:
        scan = site.scans.get(PurePosixPath(url, "index.html").as_posix())
        return scan.public_ids if scan else None

    return broken_links(listed, anchors_of, page_redirects(config), site.moved_anchors,
                        deleted, shown_as)  # fmt: skip


def add_policy(site: BuiltSite, policy: str) -> None:
    """The policy in every page's `<meta>`, before any script: a host that sends no
    headers (GitHub Pages) still enforces it. Redirect pages go without, as the
    redirect plugins write them; the headers cover them where a host sends them."""
    element = f'\n    <meta http-equiv="Content-Security-Policy" content="{escape(policy)}">'
    for name, scan in site.scans.items():
        if scan.findings.refresh_targets:
            continue
        path = site.site_dir / name
        html = path.read_text(encoding="utf-8")
        head = HEAD_START.search(html)
        if head is None:  # the output check has read it as a page; an engine wrote no <head>
            raise ValueError(f"{name}: a page without <head>, where the policy goes")
        path.write_text(html[: head.end()] + element + html[head.end() :], encoding="utf-8")


# Redirects (mkdocs-redirects' `redirect_maps` in mkdocs.yml) -------------------


def _redirect_maps(config: MkDocsConfig) -> dict[str, str]:
    plugin = config.plugins.get("redirects")
    return plugin.config["redirect_maps"] if plugin else {}


def page_redirects(config: MkDocsConfig) -> dict[str, str]:
    """mkdocs-redirects' `redirect_maps`, as old page URL to new page URL (or to the
    address on another site, as listed under `extra: external_redirects:`)."""
    return {
        _url(old): new if is_other_site(new) else _url(new)
        for old, new in _redirect_maps(config).items()
    }


def redirect_problems(config: MkDocsConfig) -> list[Problem]:
    """Redirects to another site that mkdocs.yml does not list on purpose, and names
    that would not make a clean line in the host's redirect files."""
    maps = _redirect_maps(config)
    if not maps:
        return []
    config_file = Path(config.config_file_path)
    listed = config.extra.get("external_redirects") or []
    if not isinstance(listed, list):
        return [Problem(config_file.name, "'external_redirects:' in 'extra:' must be a list of "
                        "addresses,", "like [https://example.org/page].")]  # fmt: skip
    lines = config_file.read_text(encoding="utf-8").splitlines()
    return redirect_map_problems(maps, [str(url) for url in listed], lines, config_file.name)


def _url(source: str) -> str:
    path = source.split("#")[0].removesuffix(".md")
    return "" if path == "index" else path.removesuffix("/index") + "/"
