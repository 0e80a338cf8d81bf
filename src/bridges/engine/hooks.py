"""MkDocs hooks: checks of each page, its "Related" chapters, link previews,
published links, escaped templates and the Content-Security-Policy. The PDF and
EPUB are made from the built pages afterwards, by `bridges.build`.

One function per MkDocs event; each calls small transforms from this package.
Work that needs only its arguments (preview cards, the checks of each rendered
page, the scan of each written page, parsing Material's stylesheets) runs in
worker processes (`bridges.processes.workers`) while MkDocs builds the pages; the
checks after the build collect it. Content problems are reported as errors
(`bridges.problems.report`), not raised, so that one run reports every problem of
every page (each with its file, line and fix); strict mode then stops the build.
Only a glossary file that cannot be read stops it at once.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils import get_relative_url

from bridges.engine.checks import (
    alias_moved_anchors,
    control_character_problems,
    encoding_problems,
    front_matter_problems,
    id_problems,
    make_meta_safe,
    moved_anchor_problems,
    nav_line,
    nav_script_problems,
    nesting_problems,
    page_size_problems,
    raw_link_problems,
    raw_links,
    related_pages,
    rendered_page_problems,
    second_title_problems,
    without_control_characters,
    without_deep_nesting,
)
from bridges.engine.sources import check_sources
from bridges.extensions import glossary
from bridges.extensions.terms import Glossary
from bridges.pipeline.cards import card_path, start_card
from bridges.pipeline.pagescan import InlineCode, PageScan, scan_page
from bridges.pipeline.publish import template_inline_code
from bridges.pipeline.publishing import (
    BuiltSite,
    Card,
    publish_site,
    published_link_problems,
)
from bridges.pipeline.stylesheets import ParsedSheet, parsed_sheet
from bridges.problems import Problem, report
from bridges.processes import workers

MATERIAL_STYLESHEET = re.compile(r"assets/stylesheets/[^/]+\.min\.css")
USED_IN_PLACEHOLDER = re.compile(r'<li><span data-bb-used-in="([a-z0-9-]+)"></span></li>')
EMPTY_LIST = re.compile(r'<ul class="bb-entry__facts">\s*</ul>\s*')

log = logging.getLogger("mkdocs.bridges")


@dataclass
class BuildState:
    """What later events need from earlier ones in the same build. MkDocs calls
    hooks as module functions, so one instance lives here; on_config starts it
    afresh for each build (`mkdocs serve` builds many times in one process)."""

    serving: bool = False  # `mkdocs serve`: set at startup, kept across its builds
    problems: Any = None  # the counter of logged warnings and errors
    glossary_page: str = "glossary.md"
    terms: Glossary | None = None
    stylesheets: dict[str, Future[ParsedSheet]] = field(default_factory=dict)  # theme's, parsing
    nav: Navigation | None = None
    page_count: int | None = None
    allowed: InlineCode = field(default_factory=InlineCode)  # the templates' inline code
    moved_anchors: dict[str, dict[str, str]] = field(default_factory=dict)  # by page URL
    raw_links: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # by source
    pages: dict[str, str] = field(default_factory=dict)  # source -> URL
    sources: dict[str, str] = field(default_factory=dict)  # built page -> source as shown
    scans: dict[str, Future[PageScan]] = field(default_factory=dict)  # built page -> scan
    page_checks: dict[str, Future[list[Problem]]] = field(default_factory=dict)  # by source
    scan_token: str = ""  # scans return each name once per build
    used_in: dict[str, set[str]] = field(default_factory=dict)  # term id -> sources linking it


_build = BuildState()


class _ProblemCounter(logging.Handler):
    """Counts warnings and errors, so post-build work is skipped on a failing build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.set_name("bb-problem-counter")
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _problem_counter() -> Any:
    logger = logging.getLogger("mkdocs")
    # The hook module is reloaded with each config (live reload): reuse one handler.
    counter = next((h for h in logger.handlers if h.get_name() == "bb-problem-counter"), None)
    if counter is None:
        counter = _ProblemCounter()
        logger.addHandler(counter)
    counter.count = 0
    return counter


def on_startup(command: str, dirty: bool) -> None:
    _build.serving = command == "serve"


class _NavFileWithLine(logging.Filter):
    """MkDocs' warning about a nav entry naming a missing file, with mkdocs.yml's line."""

    MISSING = re.compile(r"A reference to '(.+)' is included in the 'nav' configuration, "
                         r"which is not found in the documentation files\.")  # fmt: skip

    def __init__(self) -> None:
        super().__init__("bb-nav-file-with-line")
        self.config_file = Path("mkdocs.yml")

    def filter(self, record: logging.LogRecord) -> bool:
        missing = self.MISSING.fullmatch(record.getMessage())
        if missing and self.config_file.is_file():
            text = self.config_file.read_text(encoding="utf-8")
            problem = Problem(
                self.config_file.name,
                f"the nav entry '{missing.group(1)}' names no file in docs/;",
                "write the page's file name as it is in docs/, or remove the entry.",
                nav_line(text, missing.group(1)),
            )
            record.msg = str(problem)
            record.args = ()
        return True


def _nav_file_filter(config_file: Path) -> _NavFileWithLine:
    logger = logging.getLogger("mkdocs.structure.nav")
    # The hook module is reloaded with each config (live reload): reuse one filter.
    found = next((f for f in logger.filters if getattr(f, "name", "") == "bb-nav-file-with-line"),
                 None)  # fmt: skip
    if found is None:
        found = _NavFileWithLine()
        logger.addFilter(found)
    found.config_file = config_file
    return found


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build
    _build = BuildState(serving=_build.serving, scan_token=os.urandom(8).hex())
    # The workers start up while the sources are checked and MkDocs reads the pages,
    # not when the first card is due.
    workers.start()
    _build.problems = _problem_counter()
    # The files of docs/, the glossary and the redirects, as under any engine: before
    # MkDocs walks docs/ (following symlinks) and before any page is read.
    checked = check_sources(config)
    if report(checked.problems):
        raise Abort(f"fix {checked.fix_first} first, {checked.because}")
    config.extra["version"] = version("building-bridges")
    _nav_file_filter(Path(config.config_file_path or "mkdocs.yml"))
    _build.glossary_page = checked.glossary_page
    _build.terms = checked.glossary
    report(checked.glossary.warnings)  # a renamed topic page: reported with the other pages
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    # Before MkDocs reads the pages: one too long to lay out is not read at all, and
    # MkDocs would stop at the first that is not UTF-8 with a generic error.
    problems = []
    for file in files.documentation_pages():
        if not file.abs_src_path:
            continue
        path, shown_as = Path(file.abs_src_path), f"docs/{file.src_uri}"
        if too_long := page_size_problems(path.stat().st_size, shown_as):
            problems += too_long
        else:
            problems += encoding_problems(path.read_bytes(), shown_as)
    if report(problems):
        raise Abort("fix the problems above")
    # Material's stylesheets depend on nothing the pages say: parsed while they are built.
    _build.stylesheets = {
        PurePosixPath(file.src_uri).name: parsed_sheet(Path(file.abs_src_path))
        for file in files
        if MATERIAL_STYLESHEET.fullmatch(file.src_uri) and file.abs_src_path
    }
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    escape_nav_titles(nav)
    _build.nav = nav
    config_file = Path(config.config_file_path or "mkdocs.yml")
    shown_as = config_file.name
    report(nav_script_problems(nav.items, config_file.read_text(encoding="utf-8"), shown_as))
    return nav


def escape_nav_titles(nav: Navigation) -> None:
    """A title given in `nav:` in mkdocs.yml is text, as a front-matter title is
    (on_page_markdown): stored escaped, as Markup, so that templates print it as it
    was typed, and so do the places that do not escape (MkDocs' search index, which
    Material shows as HTML; the glossary's "Used in" lists, the EPUB made from them)."""
    for page in nav.pages:
        # MkDocs sets `title` on the page only when nav: names one.
        title = vars(page).get("title")
        if title is not None and not isinstance(title, Markup):
            page.title = escape(str(title))


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    # MkDocs turns autoescape off; on, every value a template prints is escaped
    # for HTML unless it is marked as HTML already (Markup): page.content and the
    # table of contents, below.
    env.autoescape = True
    env.bytecode_cache = _compiled_templates(config)
    workers.flush()  # the last cards: every page has been read
    _build.page_count = len(files.documentation_pages())
    # Every page is converted now, and none is indexed for search yet: the glossary's
    # "Used in" lists are filled here, so search indexes them once, as published.
    glossary = files.get_file_from_path(_build.glossary_page)
    if glossary is not None and glossary.page is not None and glossary.page.content:
        page = glossary.page
        page.content = _fill_used_in(page, _build.nav, config.theme.get_env(), _build.used_in)
    # What the templates emit inline, which the policy allows (the pipeline writes it).
    _build.allowed = template_inline_code(env, config, files, _build.nav)
    return env


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    problems = front_matter_problems(page, files)
    if problems:
        make_meta_safe(page, files)
    report(problems + id_problems(page))
    report(second_title_problems(page.file.content_string, page.file.src_uri), logging.WARNING)
    _build.moved_anchors[page.url] = page.meta.get("moved_anchors", {})
    _build.raw_links[page.file.src_uri] = raw_links(page)
    _build.pages[page.file.src_uri] = page.url
    _build.sources[page.file.dest_uri] = _shown_path(config, page.file.abs_src_path)
    # Material's search index reads the title as HTML: give it the escaped form.
    page.meta["title"] = escape(str(page.meta["title"]))
    source = page.file.content_string
    if report(control_character_problems(source, page.file.src_uri)):
        markdown = without_control_characters(markdown)
    if report(nesting_problems(source, page.file.src_uri)):
        markdown = without_deep_nesting(markdown)  # the build fails; no recursion error first
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    # The title is final once the page is rendered: the card is drawn on another core
    # while MkDocs reads and renders the other pages, and written after the build.
    start_card(Markup(page.title).unescape(), str(page.meta.get("description", "")),
               config.site_name, _cache_folder(config) / "cards")  # fmt: skip
    if moved := page.meta.get("moved_anchors"):
        if report(moved_anchor_problems(html, page, moved)):
            return html
        alias = config.theme.get_env().get_template("partials/anchor-alias.html").render
        html = alias_moved_anchors(html, moved, alias)
    if page.file.src_uri != _build.glossary_page:
        for term_id in glossary.linked_terms(html):
            _build.used_in.setdefault(term_id, set()).add(page.file.src_uri)
    # Checked on another core; the problems are reported after the last page.
    _build.page_checks[page.file.src_uri] = workers.defer(
        rendered_page_problems, html, page.file.content_string, page.file.src_uri, page.url,
        Path(config.docs_dir).resolve(), glossary.EXPLICIT_TERM, _build.terms.path,
    )  # fmt: skip
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


def _cache_folder(config: MkDocsConfig) -> Path:
    """What builds keep for the next build (compiled templates, cards): beside mkdocs.yml."""
    return Path(config.config_file_path or "mkdocs.yml").parent / ".cache"


def _compiled_templates(config: MkDocsConfig) -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates, beside mkdocs.yml: a build, and each rebuild
    of `mkdocs serve`, then compiles only the templates whose source changed (Jinja
    checks each against its source) instead of Material's fifty-odd every time."""
    folder = _cache_folder(config) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only project builds as before, compiling each time
    return jinja2.FileSystemBytecodeCache(str(folder))


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    # Scanned on another core from the HTML about to be written: the checks after
    # the build do not read and parse every page again.
    _build.scans[page.file.dest_uri] = workers.defer(scan_page, output, _build.scan_token)
    if len(_build.scans) == _build.page_count:
        workers.flush()  # the last page: its batch need not wait for the build's end
    return output


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    from bridges.engine.serving import show_errors_in_browser, watch_closely

    # A save starts its rebuild sooner.
    watch_closely(server, [config.docs_dir, config.config_file_path])
    # A failed rebuild shows its mistakes in the browser instead of stalling the tab.
    return show_errors_in_browser(server)


def on_build_error(error: Exception) -> None:
    workers.cancel_pending()


def _mark_toc_as_html(items: Iterable[AnchorLink]) -> None:
    # Python-Markdown's toc gives each heading's text with & and < escaped.
    for item in items:
        item.title = Markup(item.title)
        _mark_toc_as_html(item.children)


def _fill_used_in(
    page: Page, nav: Navigation, env: jinja2.Environment, uses: dict[str, set[str]]
) -> str:
    """The glossary's "Used in" lists: the pages (`uses`: sources by term id) linking each term."""
    partial = env.get_template("partials/used-in.html")
    by_source = {other.file.src_uri: other for other in nav.pages}

    def used_in(match: re.Match[str]) -> str:
        term_id = match.group(1)
        sources = uses.get(term_id, set()) - {page.file.src_uri}
        pages = sorted(
            (by_source[src] for src in sources if src in by_source),
            key=lambda other: str(other.title).casefold(),
        )
        if not pages:
            log.info("Glossary term '%s' (%s) is not used on any page.", term_id,
                     _build.terms.path)  # fmt: skip
        links = [(other.title, _relative_url(other.url, page.url)) for other in pages]
        return partial.render(pages=links)

    return EMPTY_LIST.sub("", USED_IN_PLACEHOLDER.sub(used_in, page.content or ""))


def _relative_url(url: str, from_url: str) -> str:
    relative = get_relative_url(url, from_url)
    # A folder address keeps its slash ("../", not ".."), as MkDocs' own links do.
    is_folder = url == "" or url.endswith("/")
    return relative + "/" if is_folder and not relative.endswith("/") else relative


def on_post_build(config: MkDocsConfig) -> None:
    offline = bool(config.extra.get("offline_bundle"))
    # Everything after the pages is the pipeline's, as it is for any engine.
    site = BuiltSite(
        config=config,
        site_dir=Path(config.site_dir),
        theme_dirs=list(config.theme.dirs),
        inline_code=_build.allowed,
        cards=[
            Card(Markup(page.title).unescape(), str(page.meta.get("description", "")), page.url)
            for page in _build.nav.pages
        ],
        scans={name: scan.result() for name, scan in _build.scans.items()},
        sources=_build.sources,
        moved_anchors=_build.moved_anchors,
        parsed_sheets=_parsed_stylesheets(),
        offline=offline,
        serving=_build.serving,
    )
    report([problem for check in _build.page_checks.values() for problem in check.result()])
    if not offline:  # The bundle has file:// links; the site's were checked.
        report(raw_link_problems(_build.raw_links, _build.pages, site.site_dir))
    if _build.problems.count:
        if not offline:  # every mistake in one run: a renamed page's published links too
            report(published_link_problems(site))
        workers.cancel_pending()  # cards of pages still to be fixed
        return  # MkDocs stops the build after this event; nothing is published.
    report(publish_site(site))


def _parsed_stylesheets() -> dict[str, ParsedSheet]:
    return {name: future.result() for name, future in _build.stylesheets.items()}


def _shown_path(config: MkDocsConfig, path: str | None) -> str:
    """A file's path as the editor knows it, from the folder of mkdocs.yml."""
    return os.path.relpath(path or "", Path(config.config_file_path).parent)
