"""The whole site as one tagged PDF (PDF/UA-1), made with WeasyPrint from the built pages.

Each page's article is taken from the built HTML, its ids and links are made
unique within one document, and the chapters are laid out by the Jinja
template `overrides/pdf/book.html` with `overrides/pdf/book.css` and the site's
own stylesheet, so print rules are shared with the browser's Ctrl+P.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml.html import HtmlElement
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.nav import Navigation

from bridges.cards import page_slug

log = logging.getLogger("mkdocs.bridges.pdf")

PDF_NAME = "building-bridges.pdf"
# Screen-only parts of a built page that have no place on paper.
DROPPED = (
    ".headerlink, .bb-definitions, .bb-related, .bb-page-actions, .bb-share, .md-source-file, "
    ".md-content__button, script"
)
KEYWORDS = "allyship, coalition-building, intersectionality, solidarity, equity, social justice"


@dataclass
class Chapter:
    slug: str
    title: str
    body: str
    is_appendix: bool


def build_pdf(config: MkDocsConfig, nav: Navigation) -> Path:
    """Writes the PDF into the site folder and returns its path."""
    site_dir = Path(config.site_dir)
    slugs = {page.url: page_slug(page.url) for page in nav.pages}
    chapters = [
        read_chapter(site_dir, page.url, slugs, config.site_url or "") for page in nav.pages
    ]
    created = source_date()
    templates = Path(config.theme.custom_dir or "overrides") / "pdf"
    html = render_book(templates, config, chapters, created)
    target = site_dir / PDF_NAME
    with WeasyPrintProblems() as problems:
        # Imported here: it is slow to load, and logs its progress while loading.
        from weasyprint import CSS, HTML

        document = HTML(string=html, base_url=str(site_dir) + "/")
        document.write_pdf(
            target,
            stylesheets=[
                CSS(filename=str(site_dir / "assets/stylesheets/bridges.css")),
                CSS(filename=str(templates / "book.css")),
            ],
            pdf_variant="pdf/ua-1",
            pdf_identifier=f"building-bridges-{version('building-bridges')}".encode(),
            custom_metadata=True,
        )
    if problems.messages:
        target.unlink(missing_ok=True)
        raise PluginError(
            "The PDF could not be made cleanly; WeasyPrint reported:\n  "
            + "\n  ".join(problems.messages)
        )
    mark_page_furniture_as_artifacts(target)
    log.info("PDF written to %s", target)
    return target


def mark_page_furniture_as_artifacts(path: Path) -> None:
    """Makes running headers and page numbers pagination artifacts (PDF/UA-1 7.8).

    WeasyPrint 70 tags the text of page-margin boxes with marked-content ids
    whose structure elements it keeps out of the tree (an artifact inside the
    tree needs PDF 2.0), so that text is neither content nor artifact. Each
    such sequence becomes `/Artifact <</Type /Pagination>>`, and the parent
    tree forgets it.
    """
    import pikepdf  # Only the full build needs it.

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        in_tree = structure_elements(pdf.Root.StructTreeRoot)
        parents = pdf.Root.StructTreeRoot.ParentTree.Nums
        owners = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
        for page in pdf.pages:
            owned = owners.get(int(page.obj.get("/StructParents", -1)))
            if not isinstance(owned, pikepdf.Array):
                continue
            outside = {mcid for mcid, owner in enumerate(owned) if owner.objgen not in in_tree}
            if not outside:
                continue
            instructions = []
            for operands, operator in pikepdf.parse_content_stream(page):
                properties = operands[1] if str(operator) == "BDC" else None
                if (
                    isinstance(properties, pikepdf.Dictionary)
                    and properties.get("/MCID") in outside
                ):
                    operands = [
                        pikepdf.Name.Artifact,
                        pikepdf.Dictionary(Type=pikepdf.Name.Pagination),
                    ]
                instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            for mcid in outside:
                owned[mcid] = None
        # Same content, same /ID: the file stays reproducible.
        pdf.save(path, deterministic_id=True)


def structure_elements(root) -> set[tuple[int, int]]:
    """Object numbers of every structure element the tree reaches from `root`."""
    import pikepdf

    found: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and node.objgen not in found:
            if node.is_indirect:
                found.add(node.objgen)
            if node.get("/Type") not in ("/OBJR", "/MCR") and "/K" in node:
                pending.append(node.K)
    return found


class WeasyPrintProblems(logging.Handler):
    """Collects WeasyPrint's errors (a missing alt text, say) and quiets its other logs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> WeasyPrintProblems:
        logger = logging.getLogger("weasyprint")
        self._previous = logger.level, logger.propagate
        # Its CSS warnings (rules meant for browsers only) are expected here.
        logger.setLevel(logging.ERROR)
        logger.propagate = False
        logger.addHandler(self)
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logger = logging.getLogger("weasyprint")
        logger.removeHandler(self)
        logger.level, logger.propagate = self._previous


def pdf_from_built_site(config_file: str = "mkdocs.yml", site_dir: str = "site") -> Path:
    """Makes the PDF again from an already built site (for timing it alone)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    config = load_config(config_file, site_dir=site_dir)
    return build_pdf(config, get_navigation(get_files(config), config))


def source_date() -> datetime:
    """SOURCE_DATE_EPOCH, else the last commit's time, so two builds are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        try:
            epoch = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            epoch = ""
    if not epoch:
        raise RuntimeError(
            "The PDF needs a fixed date: build inside the git checkout, or set "
            "SOURCE_DATE_EPOCH (seconds since 1970)."
        )
    return datetime.fromtimestamp(int(epoch), tz=UTC)


def read_chapter(site_dir: Path, url: str, slugs: dict[str, str], site_url: str) -> Chapter:
    """One built page's article, with ids and links made unique in the book."""
    tree = lxml.html.parse(str(site_dir / url / "index.html"))
    article = tree.getroot().cssselect("article.md-content__inner")[0]
    for element in article.cssselect(DROPPED):
        element.drop_tree()
    slug = slugs[url]
    for element in article.iter():
        if not isinstance(element, HtmlElement):
            continue
        if element.get("id"):
            element.set("id", f"{slug}--{element.get('id')}")
        element.attrib.pop("aria-describedby", None)
        if element.tag == "a" and element.get("href"):
            element.set("href", book_link(element.get("href"), url, slugs, site_url))
        if element.tag == "img" and element.get("src"):
            element.set("src", urljoin(url, element.get("src")))
    title = article.cssselect("h1")[0].text_content().strip()
    body = "".join(lxml.html.tostring(child, encoding="unicode") for child in article)
    return Chapter(slug, title, body, is_appendix=slug == "glossary")


def book_link(href: str, page_url: str, slugs: dict[str, str], site_url: str) -> str:
    """A link inside the site becomes a link inside the PDF; others stay absolute."""
    if urlsplit(href).scheme:
        return href
    target = urlsplit(urljoin("/" + page_url, href))
    path = target.path.lstrip("/")
    if path in slugs:
        slug = slugs[path]
        return f"#{slug}--{target.fragment}" if target.fragment else f"#page-{slug}"
    return urljoin(site_url, path) + (f"#{target.fragment}" if target.fragment else "")


def render_book(
    templates: Path, config: MkDocsConfig, chapters: list[Chapter], created: datetime
) -> str:
    env = Environment(loader=FileSystemLoader(templates), autoescape=select_autoescape())
    return env.get_template("book.html").render(
        config=config,
        chapters=chapters,
        created=created,
        version=version("building-bridges"),
        keywords=KEYWORDS,
    )
