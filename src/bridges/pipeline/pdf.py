"""The whole site as one tagged PDF (PDF/UA-1), made with WeasyPrint from the built pages.

Each page's article is taken from the built HTML, its ids and links are made
unique within one document, and the chapters are laid out by the Jinja
template `templates/pdf/book.html` with `templates/pdf/book.css` and the site's
own stylesheet, so print rules are shared with the browser's Ctrl+P.

WeasyPrint holds the layout of the whole document in memory, about 1.3 MiB a
page. A large site is therefore made in parts of at most `PART_CHARACTERS` of
chapter HTML: the front matter (cover and contents) and runs of whole chapters,
each starting on a new page as in the whole book. Every part is laid out once to
count its pages, then again knowing the page it starts on and the book's page
count (`src/bridges/templates/pdf/part.css`), each layout in a plain subprocess of its own
so that its memory is given back before the next (`bridges.pipeline.pdf_parts`); the parts are
joined with pikepdf into one document with one structure tree, outline and set
of link targets. A link to another part is written as a placeholder address and
turned into a link to its target when the parts are joined. A site that fits in
one part is made in one run, exactly as before.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml.html import HtmlElement
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.nav import Navigation

from bridges import TEMPLATES
from bridges.limits import IMAGE_PIXEL_LIMIT
from bridges.pipeline.cards import page_slug

log = logging.getLogger("mkdocs.bridges.pdf")

PDF_NAME = "building-bridges.pdf"
# Screen-only parts of a built page that have no place on paper.
DROPPED = (
    ".headerlink, .bb-definitions, .bb-related, .bb-page-actions, .bb-share, .md-source-file, "
    ".md-content__button, script"
)
KEYWORDS = "allyship, coalition-building, intersectionality, solidarity, equity, social justice"
# About 110 MiB of WeasyPrint layout: the 50x benchmark's glossary alone is 316,000.
PART_CHARACTERS = 350_000
# A table with more columns than this is set in a smaller type in the PDF.
WIDE_TABLE_COLUMNS = 6
# What the book's template reads of mkdocs.yml (templates/pdf/book.html).
BOOK_SETTINGS = ("site_name", "site_url", "site_author", "site_description")
# Where a link to another part points until the parts are joined.
OTHER_PART = "bb-other-part:"
Result = TypeVar("Result")
HREF_TO_ID = re.compile(r'href="#([^"]+)"')
ID = re.compile(r' id="([^"]+)"')


@dataclass
class Chapter:
    slug: str
    title: str
    body: str
    is_appendix: bool


def build_pdf(
    config: MkDocsConfig,
    nav: Navigation,
    target: Path | None = None,
    part_characters: int = PART_CHARACTERS,
) -> Path:
    """Writes the PDF (into the site folder unless `target` is given) and returns its path."""
    site_dir = Path(config.site_dir)
    slugs = {page.url: page_slug(page.url) for page in nav.pages}
    chapters = [
        read_chapter(site_dir, page.url, slugs, config.site_url or "") for page in nav.pages
    ]
    target = target or site_dir / PDF_NAME
    book = Book(config, site_dir, chapters, source_date())
    parts = split_into_parts(chapters, part_characters)
    with WeasyPrintProblems() as problems, images_refused_over(IMAGE_PIXEL_LIMIT):
        if len(parts) == 1:
            book.write(target, front_matter=True, chapters=chapters)
        else:
            write_in_parts(book, parts, target, problems)
    if problems.messages:
        target.unlink(missing_ok=True)
        # Addresses in the site, not in the build's temporary folder, which is gone.
        messages = [
            message.replace(f"file://{site_dir}/", "").replace(f"{site_dir}/", "")
            for message in problems.messages
        ]
        raise PluginError(
            "The PDF could not be made cleanly; WeasyPrint reported:\n  " + "\n  ".join(messages)
        )
    mark_page_furniture_as_artifacts(target)
    log.info("PDF written to %s", target)
    return target


class Book:
    """The book's template, stylesheets and WeasyPrint settings, for the whole or a part."""

    def __init__(
        self,
        config: MkDocsConfig,
        site_dir: Path,
        chapters: list[Chapter],
        created: datetime,
        templates: Path | None = None,
    ) -> None:
        self.config = config
        self.site_dir = site_dir
        self.contents = chapters
        self.created = created
        self.templates = templates = templates or TEMPLATES / "pdf"
        self.env = Environment(loader=FileSystemLoader(templates), autoescape=select_autoescape())
        self.stylesheets = [site_dir / "assets/stylesheets/bridges.css", templates / "book.css"]

    def html(
        self,
        *,
        front_matter: bool,
        chapters: list[Chapter],
        start_pages: dict[str, int] | None = None,
        link_to: Callable[[str], str] = lambda id: f"#{id}",
    ) -> str:
        return self.env.get_template("book.html").render(
            config=self.config,
            front_matter=front_matter,
            contents=self.contents,
            start_pages=start_pages,
            link_to=link_to,
            chapters=chapters,
            created=self.created,
            version=version("building-bridges"),
            keywords=KEYWORDS,
        )

    def document(self, html: str, part_css: str | None = None):
        """WeasyPrint's laid-out document of `html`."""
        # Imported here: it is slow to load, and logs its progress while loading.
        from weasyprint import CSS, HTML

        stylesheets = [CSS(filename=str(path)) for path in self.stylesheets]
        if part_css is not None:
            stylesheets.append(CSS(string=part_css))
        return HTML(string=html, base_url=str(self.site_dir) + "/").render(stylesheets=stylesheets)

    def write(self, target: Path, *, front_matter: bool, chapters: list[Chapter]) -> None:
        """The whole book in one run."""
        self.save(self.document(self.html(front_matter=front_matter, chapters=chapters)), target)

    def part_css(self, first_page: int, total_pages: int) -> str:
        template = self.env.get_template("part.css")
        return template.render(first_page=first_page, total_pages=total_pages)

    def save(self, document, target: Path) -> None:
        document.write_pdf(
            target,
            pdf_variant="pdf/ua-1",
            pdf_identifier=f"building-bridges-{version('building-bridges')}".encode(),
            custom_metadata=True,
        )


def split_into_parts(chapters: list[Chapter], part_characters: int) -> list[list[Chapter]]:
    """Runs of whole chapters of at most `part_characters` (a longer chapter is a part alone)."""
    parts: list[list[Chapter]] = [[]]
    size = 0
    for chapter in chapters:
        if parts[-1] and size + len(chapter.body) > part_characters:
            parts.append([])
            size = 0
        parts[-1].append(chapter)
        size += len(chapter.body)
    return parts


def write_in_parts(
    book: Book, parts: list[list[Chapter]], target: Path, problems: WeasyPrintProblems
) -> None:
    """The book as front matter and `parts`, each laid out on its own, joined into `target`.

    Each layout runs in a process of its own (`bridges.pipeline.pdf_parts`), so the
    memory it takes is given back before the next: the largest part sets the peak.
    """
    apart = PartLayouts(book, problems)
    counted = [apart.run("count", part=[c.slug for c in part]) for part in parts]
    chapter_pages = sum(pages for pages, _ in counted)
    start_in_part = {slug: page for _, starts in counted for slug, page in starts.items()}
    with tempfile.TemporaryDirectory(prefix="bb-pdf-") as folder:
        files = [Path(folder) / "front.pdf"]
        front_pages = 0
        # Page numbers in the contents rarely change its length; when they do, again.
        for _ in range(3):
            starts, offset = {}, front_pages
            for part, (pages, _) in zip(parts, counted, strict=True):
                starts.update({c.slug: offset + start_in_part[c.slug] for c in part})
                offset += pages
            laid_out = apart.run("front", starts=starts, total=front_pages + chapter_pages,
                                 expected_pages=front_pages, target=str(files[0]))  # fmt: skip
            if laid_out == front_pages:
                break
            front_pages = laid_out
        else:
            raise PluginError("The PDF's contents kept changing length with its page numbers.")
        first_page = front_pages + 1
        for number, (part, (pages, _)) in enumerate(zip(parts, counted, strict=True), 1):
            files.append(Path(folder) / f"part-{number}.pdf")
            total = front_pages + chapter_pages
            apart.run("part", part=[c.slug for c in part], first_page=first_page, total=total,
                      pages=pages, target=str(files[-1]))  # fmt: skip
            first_page += pages
        join_parts(files, target)


class PartLayouts:
    """Lays out parts of `book`, each in a plain subprocess that reads the book and its
    task as JSON and answers in JSON (`bridges.pipeline.pdf_parts`)."""

    def __init__(self, book: Book, problems: WeasyPrintProblems) -> None:
        self.problems = problems
        self.book = {
            "site": {name: getattr(book.config, name) for name in BOOK_SETTINGS},
            "site_dir": str(book.site_dir),
            "created": book.created.isoformat(),
            "templates": str(book.templates),
            "contents": [dataclasses.astuple(chapter) for chapter in book.contents],
        }

    def run(self, task: str, **arguments: object) -> Any:
        from bridges.processes.stopping import STOP_SIGNALS, Stopped

        request = json.dumps({**self.book, "task": task, "arguments": arguments})
        command = [sys.executable, "-m", "bridges.pipeline.pdf_parts"]
        # A stop raised while it runs ends it too (subprocess.run kills it on the way out).
        result = subprocess.run(command, input=request, stdout=subprocess.PIPE, text=True)
        if -result.returncode in STOP_SIGNALS:  # Ctrl+C reaches both; the build's may be lost
            raise Stopped(-result.returncode)
        try:
            answer = json.loads(result.stdout)
        except ValueError:  # a bug: its traceback is above
            raise RuntimeError(f"a part of the PDF ended with status {result.returncode}") from None
        if "error" in answer:
            raise PluginError(answer["error"])
        self.problems.messages.extend(answer["messages"])
        return answer["value"]


def count_part(book: Book, part: list[Chapter]) -> tuple[int, dict[str, int]]:
    """(pages, page within the part where each chapter starts, from 1) of `part` alone."""
    document = book.document(part_html(book, part), book.part_css(1, 0))
    starts = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            if anchor.startswith("page-"):
                starts.setdefault(anchor.removeprefix("page-"), number)
    return len(document.pages), starts


def save_front_matter(
    book: Book, starts: dict[str, int], total: int, expected_pages: int, target: Path
) -> int:
    """Lays out the cover and contents; saves them if they are `expected_pages` long.
    Returns their length."""
    html = book.html(front_matter=True, chapters=[], start_pages=starts, link_to=other_part)
    document = book.document(html, book.part_css(1, total))
    if len(document.pages) == expected_pages:
        book.save(document, target)
    return len(document.pages)


def save_part(
    book: Book, part: list[Chapter], first_page: int, total: int, pages: int, target: Path
) -> None:
    document = book.document(part_html(book, part), book.part_css(first_page, total))
    if len(document.pages) != pages:
        raise PluginError(
            f"A part of the PDF came out {len(document.pages)} pages long the second time, "
            f"{pages} the first; its page numbers would be wrong."
        )
    book.save(document, target)


def part_html(book: Book, part: list[Chapter]) -> str:
    """The book's HTML for `part`, its links to other parts as placeholder addresses."""
    ids = {f"page-{c.slug}" for c in part} | {id for c in part for id in ID.findall(c.body)}
    chapters = [
        Chapter(c.slug, c.title, HREF_TO_ID.sub(lambda m: _href(m.group(1), ids), c.body),
                c.is_appendix)
        for c in part
    ]  # fmt: skip
    return book.html(front_matter=False, chapters=chapters)


def _href(id: str, ids_in_part: set[str]) -> str:
    return f'href="#{id}"' if id in ids_in_part else f'href="{other_part(id)}"'


def other_part(id: str) -> str:
    return OTHER_PART + id


def join_parts(files: list[Path], target: Path) -> None:
    """One PDF of `files`: their pages, structure trees, outlines and link targets, in order.

    The first file gives the catalog (language, metadata, viewer settings). Each
    part's marked-content numbers (StructParents) are moved past the ones before,
    and its placeholder links become links to the named destinations of the whole.
    """
    import pikepdf

    with pikepdf.open(files[0]) as book:
        tree = book.Root.StructTreeRoot
        document = tree.K[0]
        dests = list(book.Root.Names.Dests.Names)
        for path in files[1:]:
            with pikepdf.open(path) as part:
                first_new_page = len(book.pages)
                with warnings.catch_warnings():
                    # It says named destinations are lost: they are carried below, with
                    # the structure tree and outline, which add_pages_from() would not.
                    warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                    book.pages.extend(part.pages)
                # Copied after the pages, so its page references lead to the copies.
                part_tree = book.copy_foreign(part.Root.StructTreeRoot)
                shift = _next_struct_parent(tree)
                _shift_struct_parents(book.pages[first_new_page:], shift)
                numbers = part_tree.ParentTree.Nums
                for i in range(0, len(numbers), 2):
                    tree.ParentTree.Nums.append(int(numbers[i]) + shift)
                    tree.ParentTree.Nums.append(numbers[i + 1])
                for element in part_tree.K[0].K:
                    element.P = document
                    document.K.append(element)
                dests += list(book.copy_foreign(part.make_indirect(part.Root.Names.Dests)).Names)
                if "/Outlines" in part.Root:
                    _append_outline(book, book.copy_foreign(part.Root.Outlines))
        pairs = sorted(zip(dests[::2], dests[1::2], strict=True), key=lambda pair: bytes(pair[0]))
        book.Root.Names.Dests = book.make_indirect(
            pikepdf.Dictionary(Names=pikepdf.Array([x for pair in pairs for x in pair]))
        )
        _resolve_links_to_other_parts(book)
        # Object streams, as WeasyPrint writes: the many small tag objects compress well.
        book.save(
            target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )


def _next_struct_parent(tree) -> int:
    numbers = tree.ParentTree.Nums
    return max((int(numbers[i]) for i in range(0, len(numbers), 2)), default=-1) + 1


def _shift_struct_parents(pages, shift: int) -> None:
    for page in pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + shift
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + shift


def _append_outline(book, outline) -> None:
    """Hangs the top-level items of a copied `outline` after those of `book`'s."""
    import pikepdf

    if "/First" not in outline:
        return
    root = book.Root.get("/Outlines")
    if root is None:
        book.Root.Outlines = root = book.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=0)
        )
    item = outline.First
    while True:
        item.Parent = root
        if item.objgen == outline.Last.objgen:
            break
        item = item.Next
    if "/Last" in root:
        root.Last.Next = outline.First
        outline.First.Prev = root.Last
    else:
        root.First = outline.First
    root.Last = outline.Last
    root.Count = int(root.get("/Count", 0)) + int(outline.get("/Count", 0))


def _resolve_links_to_other_parts(book) -> None:
    """Placeholder links become links to a named destination, as WeasyPrint writes them."""
    import pikepdf

    for page in book.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(OTHER_PART):
                name = uri.removeprefix(OTHER_PART)
                del annotation.A
                annotation.Dest = pikepdf.String(name)
                annotation.Contents = pikepdf.String(name)


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


@contextmanager
def images_refused_over(pixels: int) -> Iterator[None]:
    """Pillow, which WeasyPrint opens images with, refuses any image over `pixels`
    before decoding it. The page checks name such an image first; this stands
    behind them, so no image can take the PDF's memory."""
    from PIL import Image

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between the limit and twice the limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


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


def pdf_from_built_site(
    config_file: str = "mkdocs.yml",
    site_dir: str = "site",
    target: Path | None = None,
    part_characters: int = PART_CHARACTERS,
) -> Path:
    """Makes the PDF again from an already built site (for timing it alone, or in parts)."""
    from mkdocs.config import load_config

    config = load_config(config_file, site_dir=site_dir)
    return build_pdf(config, built_site_nav(config), target, part_characters)


def built_site_nav(config: MkDocsConfig) -> Navigation:
    """The pages of the site in `config`, in navigation order, for the publications
    made from its built files; the home page's front matter is read, since the
    EPUB cover's alt text is its description."""
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    nav = get_navigation(get_files(config), config)
    nav.pages[0].read_source(config)
    return nav


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
    tree = lxml.html.parse(str(built_file(site_dir, url + "index.html")))
    article = tree.getroot().cssselect("article.md-content__inner")[0]
    for element in article.cssselect(DROPPED):
        element.drop_tree()
    slug = slugs[url]
    for element in article.iter():
        if not isinstance(element, HtmlElement):
            continue
        if element.get("id"):
            element.set("id", f"{slug}--{element.get('id')}")
        element.attrib.pop("data-bb-definition", None)
        if element.tag == "a" and element.get("href"):
            element.set("href", book_link(element.get("href"), url, slugs, site_url))
        if element.tag == "img" and element.get("src"):
            element.set("src", urljoin(url, element.get("src")))
        if element.tag == "table" and _column_count(element) > WIDE_TABLE_COLUMNS:
            element.set("class", " ".join([*element.get("class", "").split(), "bb-wide-table"]))
    title = article.cssselect("h1")[0].text_content().strip()
    body = "".join(lxml.html.tostring(child, encoding="unicode") for child in article)
    return Chapter(slug, title, body, is_appendix=slug == "glossary")


def _column_count(table: HtmlElement) -> int:
    return max((len(row.findall("th")) + len(row.findall("td")) for row in table.iter("tr")),
               default=0)  # fmt: skip


def built_file(site_dir: Path, address: str) -> Path:
    """The file in `site_dir` at the site address `address`: MkDocs escapes page
    addresses (`Mutual%20Aid/`, `solidaridad-%C3%B1/`), the file names are not."""
    return site_dir / unquote(urlsplit(address).path).lstrip("/")


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
