"""MkDocs hooks: checks of each page, its "Related" chapters, and the PDF.

One function per MkDocs event; each calls small transforms from this package and
fails with a message naming the file and what to fix.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from bridges.checks import check_front_matter, check_unique_ids, related_pages
from bridges.pdf import build_pdf

# What later events need from earlier ones in the same build.
_build: dict[str, Any] = {}


def on_startup(command: str, dirty: bool) -> None:
    # `mkdocs serve` rebuilds on every save; the PDF is left to ./scripts/build.
    _build["make_pdf"] = command != "serve"


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    _build["nav"] = nav
    return nav


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    check_front_matter(page, files)
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    check_unique_ids(html, page)
    return html


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
) -> dict[str, Any]:
    context["related_pages"] = related_pages(page, nav)
    return context


def on_post_build(config: MkDocsConfig) -> None:
    if _build.get("make_pdf", True):
        build_pdf(config, _build["nav"])
