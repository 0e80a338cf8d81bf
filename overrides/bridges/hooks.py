"""MkDocs hooks: checks of each page, its "Related" chapters, link previews,
published links, the PDF, escaped templates and the Content-Security-Policy.

One function per MkDocs event; each calls small transforms from this package and
fails with a message naming the file and what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from bridges.anchors import broken_links, read_registry
from bridges.cards import card_path, make_card
from bridges.checks import check_front_matter, check_unique_ids, related_pages
from bridges.epub import build_epub
from bridges.pdf import build_pdf
from bridges.publish import (
    code_outside_policy,
    content_security_policy,
    meta_policy,
    template_inline_code,
    write_host_headers,
)
from bridges.safety import check_moved_anchors
from bridges.stylesheets import bundle_stylesheets

PRIVATE_THEME_FOLDERS = ("deploy/", "epub/", "pdf/")

# What later events need from earlier ones in the same build.
_build: dict[str, Any] = {}


def on_startup(command: str, dirty: bool) -> None:
    # `mkdocs serve` rebuilds on every save; the PDF is left to ./scripts/build.
    _build["make_pdf"] = command != "serve"
    _build["serving"] = command == "serve"


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


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    # MkDocs turns autoescape off; on, every value a template prints is escaped
    # for HTML unless it is marked as HTML already (Markup): page.content and the
    # table of contents, below. The policy is fixed here, before any page is built.
    env.autoescape = True
    allowed = template_inline_code(env, config, files, _build["nav"])
    _build["allowed"] = allowed
    _build["policy"] = content_security_policy(allowed)
    # file:// has no origin to call 'self', so the offline bundle goes without;
    # so does `mkdocs serve`, whose live reload injects an inline script.
    if not (config.extra.get("offline_bundle") or _build.get("serving")):
        env.globals["content_security_policy"] = meta_policy(_build["policy"])
    return env


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    check_front_matter(page, files)
    moved = page.meta.get("moved_anchors", {})
    check_moved_anchors(f"docs/{page.file.src_uri}", moved)
    _build["moved_anchors"][page.url] = moved
    # Material's search index reads the title as HTML: give it the escaped form.
    page.meta["title"] = escape(str(page.meta["title"]))
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    check_unique_ids(html, page)
    return html


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
) -> dict[str, Any]:
    context["related_pages"] = related_pages(page, nav)
    context["card_path"] = card_path(page.url)
    # Last hook to see them before the template: HTML already, not to be escaped.
    page.content = Markup(page.content)
    _mark_toc_as_html(page.toc)
    return context


def _mark_toc_as_html(items: Iterable[AnchorLink]) -> None:
    # Python-Markdown's toc gives each heading's text with & and < escaped.
    for item in items:
        item.title = Markup(item.title)
        _mark_toc_as_html(item.children)


def on_post_build(config: MkDocsConfig) -> None:
    site_dir = Path(config.site_dir)
    nav: Navigation = _build["nav"]
    bundle_stylesheets(site_dir)
    for page in nav.pages:
        make_card(Markup(page.title).unescape(), str(page.meta.get("description", "")),
                  config.site_name, site_dir / card_path(page.url))  # fmt: skip
    problems = code_outside_policy(site_dir, _build["allowed"])
    if problems:
        raise PluginError(
            "Code the Content-Security-Policy does not allow; a template that puts page "
            "text into a script, a value in mkdocs.yml, or a plugin added it:\n  "
            + "\n  ".join(problems)
        )
    if config.extra.get("offline_bundle"):
        return  # The bundle reuses the published site's PDF and has file:// links.
    registry = Path(config.docs_dir) / "published-anchors.txt"
    problems = broken_links(read_registry(registry), site_dir, page_redirects(config),
                            _build["moved_anchors"])  # fmt: skip
    if problems:
        raise PluginError(f"{registry}: published links would break:\n  " + "\n  ".join(problems))
    if _build.get("make_pdf", True):
        build_pdf(config, nav)
        build_epub(config, nav)
    write_host_headers(site_dir, Path(config.theme.custom_dir) / "deploy", _build["policy"])


def page_redirects(config: MkDocsConfig) -> dict[str, str]:
    """mkdocs-redirects' `redirect_maps`, as old page URL to new page URL."""
    plugin = config.plugins.get("redirects")
    maps = plugin.config["redirect_maps"] if plugin else {}
    return {_url(old): _url(new) for old, new in maps.items()}


def _url(source: str) -> str:
    path = source.split("#")[0].removesuffix(".md")
    return "" if path == "index" else path.removesuffix("/index") + "/"
