"""MkDocs hooks: checks of each page, its "Related" chapters, link previews,
published links, and the PDF.

One function per MkDocs event; each calls small transforms from this package and
fails with a message naming the file and what to fix.
"""

from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from bridges.anchors import broken_links, read_registry
from bridges.cards import card_path, make_card, start_card
from bridges.checks import check_front_matter, check_unique_ids, related_pages
from bridges.pdf import build_pdf
from bridges.stylesheets import BUNDLE_PREFIX, STYLESHEET_LINK, bundle_stylesheets

PRIVATE_THEME_FOLDERS = ("deploy/", "pdf/")

# What later events need from earlier ones in the same build.
_build: dict[str, Any] = {}


def on_startup(command: str, dirty: bool) -> None:
    # `mkdocs serve` rebuilds on every save; the publications are left to ./scripts/build.
    _build["publications"] = command != "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.extra["version"] = version("building-bridges")
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    # Templates for the PDF and the host headers are read by the build, not published.
    for file in list(files):
        if file.src_uri.startswith(PRIVATE_THEME_FOLDERS) and not file.is_documentation_page():
            files.remove(file)
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    _build["nav"] = nav
    _build["moved_anchors"] = {}
    return nav


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    check_front_matter(page, files)
    _build["moved_anchors"][page.url] = page.meta.get("moved_anchors", {})
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    check_unique_ids(html, page)
    return html


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
) -> dict[str, Any]:
    context["related_pages"] = related_pages(page, nav)
    context["card_path"] = card_path(page.url)
    # Drawn on another core while the other pages render; written after the build.
    start_card(page.title, page.meta.get("description", ""), config.site_name)
    return context


def on_post_build(config: MkDocsConfig) -> None:
    site_dir = Path(config.site_dir)
    nav: Navigation = _build["nav"]
    published = config.extra.get("stylesheets_of")
    if published:
        reuse_stylesheet_bundle(Path(published), site_dir)
    else:
        bundle_stylesheets(site_dir)
    for page in nav.pages:
        make_card(page.title, page.meta.get("description", ""), config.site_name,
                  site_dir / card_path(page.url))  # fmt: skip
    if config.extra.get("offline_bundle"):
        return  # The bundle reuses the published site's PDF and has file:// links.
    registry = Path(config.docs_dir) / "published-anchors.txt"
    problems = broken_links(read_registry(registry), site_dir, page_redirects(config),
                            _build["moved_anchors"])  # fmt: skip
    if problems:
        raise PluginError(f"{registry}: published links would break:\n  " + "\n  ".join(problems))
    if wants_publications(config):
        build_pdf(config, nav)


def wants_publications(config: MkDocsConfig) -> bool:
    """The PDF and other downloads: not for `mkdocs serve` or `build --site-only`."""
    return _build.get("publications", True) and not config.extra.get("site_only")


def reuse_stylesheet_bundle(published: Path, site_dir: Path) -> None:
    """Points every page at the stylesheet bundle already purged for `published`.

    The offline bundle has the same pages and components, so purging again would
    give the same stylesheet at the cost of reading the whole site once more.
    """
    folder = "assets/stylesheets"
    bundle = next((published / folder).glob(f"{BUNDLE_PREFIX}.*.min.css"))
    shutil.copy(bundle, site_dir / folder / bundle.name)
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        links = list(STYLESHEET_LINK.finditer(html))
        if not links:
            continue
        prefix = links[0].group(1).removesuffix(links[0].group(2))
        single = f'<link rel="stylesheet" href="{prefix}{bundle.name}">\n'
        html = html[: links[0].start()] + single + STYLESHEET_LINK.sub("", html[links[0].start() :])
        page.write_text(html, encoding="utf-8")


def page_redirects(config: MkDocsConfig) -> dict[str, str]:
    """mkdocs-redirects' `redirect_maps`, as old page URL to new page URL."""
    plugin = config.plugins.get("redirects")
    maps = plugin.config["redirect_maps"] if plugin else {}
    return {_url(old): _url(new) for old, new in maps.items()}


def _url(source: str) -> str:
    path = source.split("#")[0].removesuffix(".md")
    return "" if path == "index" else path.removesuffix("/index") + "/"
