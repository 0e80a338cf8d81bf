"""The offline PDF: complete, navigable, tagged, reproducible, linked from every page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pdfua.rules.structure
import pikepdf
import pytest
import yaml
from mkdocs.exceptions import PluginError
from pdfua.cli import main as pdfua_main
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from bridges.build import build_site
from bridges.pipeline import pdf as pdf_module
from bridges.pipeline.pdf import PART_CHARACTERS, Chapter, pdf_from_built_site, split_into_parts
from conftest import ESSAY, PAGES, ROOT, run_build

PDF_NAME = "building-bridges.pdf"


def pdf_in_parts(site: Path, folder: Path) -> Path:
    """The site's PDF made one chapter a part: the way a large site's PDF is made."""
    config = str(ROOT / "mkdocs.yml")
    return pdf_from_built_site(config, str(site), folder / PDF_NAME, part_characters=1)


@pytest.fixture(scope="module", params=["whole", "in parts"])
def pdf_path(request, site: Path, tmp_path_factory) -> Path:
    """Every test of the PDF holds for the book made in one run and made in parts."""
    if request.param == "whole":
        return site / PDF_NAME
    return pdf_in_parts(site, tmp_path_factory.mktemp("pdf-in-parts"))


@pytest.fixture(scope="module")
def reader(pdf_path: Path) -> PdfReader:
    return PdfReader(pdf_path)


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles += outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def essay_sentences() -> list[str]:
    text = ESSAY.read_text(encoding="utf-8").strip()
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def line_break_tolerant(sentence: str) -> re.Pattern[str]:
    """The sentence, letting a line end at any space, hyphen or dash.

    pdftotext drops a hyphen that ends a line ("coalition-" + "building" comes
    out as "coalitionbuilding"), so at a hyphen the hyphen itself is optional.
    """
    pattern = ""
    for char in sentence:
        if char == " ":
            pattern += r"\s+"
        elif char == "-":
            pattern += r"-?\s*"
        elif char == "—":
            pattern += r"—\s*"
        else:
            pattern += re.escape(char)
    return re.compile(pattern)


def test_pdf_opens_with_a_plausible_page_count(reader):
    assert 8 <= len(reader.pages) <= 60


def test_outline_holds_every_page_and_section_title(reader, html):
    titles = outline_titles(reader.outline)
    for path in PAGES:
        for heading in html(path).select("article h1, article h2"):
            if "bb-letter" in heading.get("class", []) or heading.get("id") == "bb-related-title":
                continue
            text = heading.get_text(strip=True)
            # The glossary is the book's appendix, in its bookmark as in the contents.
            assert text in titles or f"Appendix: {text}" in titles, f"{path}: {text}"


def test_printed_contents_and_bookmarks_name_the_chapters_alike(pdf_path, reader):
    """The contents page says "Appendix: Glossary"; so does the bookmark."""
    contents = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    printed = [
        re.split(r"\s*\.{4,}", line)[0].strip() for line in contents.splitlines() if "...." in line
    ]
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert printed == [title for title in bookmarks if title != "Contents"]


def test_glossary_introduction_promises_nothing_paper_cannot_do(pdf_path):
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "pointing at or tapping" not in text
    assert "in those chapters, a dotted underline marks the term." in text


def test_terms_are_drawn_underlined_on_paper(pdf_path, tmp_path):
    """A term's dotted underline is drawn: under the first term of the first chapter,
    the rendered page has pixels of the underline's colour (teal), below the word."""
    page = 4
    words = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(\w+)</word>',
        words,
    )
    term, plain = "inequalities", "dismantling"  # a term and a plain word of the essay
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "144", "-f", str(page), "-l", str(page), str(pdf_path), png],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")

    def teal_below(word: str) -> int:
        x0, _, x1, y1 = next(map(float, b[:4]) for b in boxes if b[4] == word)
        band = image.crop((round(x0 * 2), round(y1 * 2) - 4, round(x1 * 2), round(y1 * 2) + 6))
        return sum(1 for r, g, b in band.get_flattened_data() if g > r + 30 and b > r + 30)

    assert teal_below(term) > 10 > teal_below(plain)


def test_catalog_declares_language_tags_and_structure(reader):
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_pdf_claims_pdf_ua_1(reader):
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)


def test_structure_tree_has_headings_paragraphs_and_links(reader):
    found: set[str] = set()

    def walk(node, depth=0):
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if depth > 60:
            return
        if isinstance(node, dict):
            if "/S" in node:
                found.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/P", "/Link"} <= found


def test_metadata_names_title_author_subject_keywords(reader):
    meta = reader.metadata
    assert meta.title.startswith("Building Bridges")
    assert meta.author and meta.subject and "intersectionality" in meta.keywords
    assert meta.creation_date is not None


def test_fonts_are_embedded_and_subset(reader):
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert re.match(r"/[A-Z]{6}\+", name), f"{name} is not a subset"
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{name} not embedded"


def test_every_essay_sentence_is_in_the_pdf_text_in_order(pdf_path):
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    position = 0
    for sentence in essay_sentences():
        match = line_break_tolerant(sentence).search(text, position)
        assert match, f"missing or out of order in the PDF: {sentence!r}"
        position = match.end()


def test_every_internal_link_has_a_destination(reader):
    destinations = set(reader.named_destinations)
    internal = 0
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annotation:
                internal += 1
                assert str(annotation["/Dest"]) in destinations, annotation["/Dest"]
            else:
                assert annotation["/A"]["/URI"].startswith("https://")
    assert internal > 50, "TOC, cross-links and glossary terms should link inside the PDF"


def test_glossary_terms_link_to_the_glossary_appendix(reader):
    destinations = set(reader.named_destinations)
    assert {"glossary--intersectionality", "glossary--privilege", "page-glossary"} <= destinations


def test_two_builds_give_identical_pdfs(project_copy, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for site in (first, second):
        assert run_build(project_copy, site).returncode == 0
    assert (first / PDF_NAME).read_bytes() == (second / PDF_NAME).read_bytes()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_the_pdf(html, site, path):
    link = html(path).select_one("a.bb-pdf-link")
    assert link is not None and "Download PDF" in link.get_text()
    target = (site / path / link["href"]).resolve()
    assert target == (site / PDF_NAME).resolve() and target.exists()


def test_pdf_problem_fails_the_build(project_copy, tmp_path, monkeypatch):
    break_pdf_template(tmp_path, monkeypatch)
    site = tmp_path / "site"
    with pytest.raises(PluginError, match="alt"):
        build_site(site, project_copy / "mkdocs.yml")
    assert not site.exists()


def break_pdf_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The book's logo without alt text, which the PDF's accessibility check refuses."""
    templates = tmp_path / "templates"
    shutil.copytree(pdf_module.TEMPLATES, templates)
    template = templates / "pdf" / "book.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace('alt="Logo: a bridge"', 'alt=""'),
        encoding="utf-8",
    )
    monkeypatch.setattr(pdf_module, "TEMPLATES", templates)


def test_glossary_entries_are_never_split_across_pages(reader):
    glossary = yaml.safe_load((ROOT / "docs" / "glossary.yml").read_text(encoding="utf-8"))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    appendix = [i for i, text in enumerate(pages) if "Used in:" in text]
    for term in glossary["terms"]:
        definition = " ".join(term["definition"].split())
        starts, ends = definition[:40], definition[-30:]
        holding = [i for i in appendix if starts in pages[i] and ends in pages[i]]
        assert holding, f"the entry for {term['term']} is split across pages"


def test_no_page_ends_with_a_heading(reader, html):
    headings = {
        h.get_text(strip=True)
        for path in PAGES
        for h in html(path).select("article h2, article h3")
        if h.get("id") != "bb-related-title"
    }
    for number, page in enumerate(reader.pages, start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line)]
        assert body and body[-1] not in headings, f"page {number} ends with '{body[-1]}'"


# PDF/UA: pdfua and our own Matterhorn checks --------------------------------------


def pdfua_check(pdf_path: Path, capsys) -> dict:
    """`pdfua check --format json` run in this process; its report."""
    code = pdfua_main(["check", "--format", "json", str(pdf_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == report["exit_code"]
    return report


def array_safe_as_integer(value: object) -> int | None:
    """pdfua 0.1.3's `as_integer`, minus its crash on arrays and dictionaries.

    It asks `getattr(value, "is_integer", False)`; pikepdf answers that on an
    Array by looking up the dictionary key /is_integer and raises ValueError,
    which getattr does not catch. UA-14-001 calls it on every heading's /K, an
    array in every tagged PDF WeasyPrint writes, so the rule never ran.
    """
    if isinstance(value, pikepdf.Array | pikepdf.Dictionary):
        return None
    return UNPATCHED_AS_INTEGER(value)


UNPATCHED_AS_INTEGER = pdfua.rules.structure.as_integer


def test_pdfua_check_finds_nothing_and_skips_no_rule(pdf_path, capsys, monkeypatch):
    monkeypatch.setattr(pdfua.rules.structure, "as_integer", array_safe_as_integer)
    report = pdfua_check(pdf_path, capsys)
    assert report["findings"] == [] and report["skipped"] == [], report
    assert report["summary"]["rules_run"] == report["coverage"]["implemented_checks"] == 12


def test_pdfua_skips_ua_14_001_only_because_of_its_known_bug(pdf_path, capsys):
    """When pdfua fixes `as_integer`, this fails: drop the workaround above."""
    report = pdfua_check(pdf_path, capsys)
    (skipped,) = report["skipped"]
    assert skipped["rule_id"] == "UA-14-001"
    assert "cannot get key '/is_integer' on object of type array" in skipped["reason"]


@dataclass
class TextRun:
    """One text-showing operator: its page, marked-content stack and text."""

    page: int
    marks: list[tuple[str, int | None]]  # (tag, MCID or None), outermost first
    text: str

    @property
    def mcid(self) -> int | None:
        return next((mcid for _, mcid in reversed(self.marks) if mcid is not None), None)

    @property
    def is_artifact(self) -> bool:
        return any(tag == "/Artifact" for tag, _ in self.marks)


def to_unicode_map(font: pikepdf.Object) -> dict[int, str]:
    """A Type0 font's /ToUnicode CMap (bfchar and bfrange), as code to text."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    table = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<(\w+)>\s*<(\w+)>", block):
            table[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, text in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                table[code] = chr(int(text, 16) + offset)
    return table


class TaggedPdf:
    """The PDF's content streams and structure tree, read with pikepdf."""

    def __init__(self, path: Path) -> None:
        self.pdf = pikepdf.open(path)
        self.pages = [page.obj.objgen for page in self.pdf.pages]

    @cached_property
    def runs(self) -> list[TextRun]:
        """Every text run, in content order, page by page."""
        runs = []
        for number, page in enumerate(self.pdf.pages):
            fonts = {name: to_unicode_map(font) for name, font in page.Resources.Font.items()}
            marks: list[tuple[str, int | None]] = []
            font: dict[int, str] = {}
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "BDC":
                    properties = operands[1]
                    mcid = (
                        properties.get("/MCID")
                        if isinstance(properties, pikepdf.Dictionary)
                        else None
                    )
                    marks.append((str(operands[0]), None if mcid is None else int(mcid)))
                elif op == "BMC":
                    marks.append((str(operands[0]), None))
                elif op == "EMC":
                    marks.pop()
                elif op == "Tf":
                    font = fonts[str(operands[0])]
                elif op in ("Tj", "TJ"):
                    strings = operands[0] if op == "TJ" else [operands[0]]
                    codes = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
                    text = "".join(
                        font.get(int.from_bytes(codes[i : i + 2], "big"), "\ufffd")
                        for i in range(0, len(codes), 2)
                    )
                    runs.append(TextRun(number, list(marks), text))
        return runs

    @cached_property
    def structure_order(self) -> list[tuple[int, int]]:
        """(page, MCID) of every marked content the structure tree reaches, in tree order."""
        order: list[tuple[int, int]] = []

        def walk(node: pikepdf.Object, page: int | None) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid, page)
                return
            if not isinstance(node, pikepdf.Dictionary):
                order.append((page, int(node)))
                return
            if node.get("/Type") == "/OBJR":
                return
            if "/Pg" in node:
                page = self.pages.index(node.Pg.objgen)
            if node.get("/Type") == "/MCR":
                order.append((page, int(node.MCID)))
            elif "/K" in node:
                walk(node.K, page)

        walk(self.pdf.Root.StructTreeRoot.K, None)
        return order

    def element_of(self, page: int, mcid: int) -> pikepdf.Dictionary:
        """The structure element that owns a marked content, by the parent tree."""
        key = int(self.pdf.pages[page].obj.StructParents)
        return self.parent_tree[key][mcid]

    @cached_property
    def parent_tree(self) -> dict[int, pikepdf.Object]:
        nums = self.pdf.Root.StructTreeRoot.ParentTree.Nums
        return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


@pytest.fixture(scope="module")
def tagged(pdf_path: Path) -> TaggedPdf:
    return TaggedPdf(pdf_path)


def test_all_text_is_either_in_the_structure_tree_or_an_artifact(tagged):
    """Matterhorn 01-005: no content is neither real content nor artifact."""
    reached = set(tagged.structure_order)
    for run in tagged.runs:
        if run.is_artifact:
            continue
        assert (run.page, run.mcid) in reached, (
            f"page {run.page + 1}: {run.text!r} is tagged (MCID {run.mcid}) "
            "but outside the structure tree"
        )


def test_running_headers_and_page_numbers_are_artifacts(tagged):
    """Matterhorn 18-001/18-002: page furniture is not read as content."""
    last = len(tagged.pdf.pages)
    for number in range(1, last):  # the cover has neither
        artifacts = "".join(r.text for r in tagged.runs if r.page == number and r.is_artifact)
        assert f"{number + 1} / {last}" in artifacts, f"page {number + 1}: page number"
        assert "Building Bridges" in artifacts, f"page {number + 1}: running header"


def test_structure_order_is_the_order_of_the_content(tagged):
    """Reading the tree gives the pages' own order (Matterhorn 09-001, as far
    as a machine can tell). List labels are the one exception: WeasyPrint paints
    a bullet or number after its item's text, and the tree rightly puts it first."""

    def is_label(mark: tuple[int, int]) -> bool:
        element = tagged.element_of(*mark)
        return "/Lbl" in (element.S, element.P.get("/S"))

    content = [(r.page, r.mcid) for r in tagged.runs if not r.is_artifact]
    content = [mark for mark in dict.fromkeys(content) if not is_label(mark)]
    tree = [mark for mark in tagged.structure_order if mark in set(content)]
    assert len(tree) > 1000
    assert tree == content


def test_structure_order_holds_every_essay_sentence_in_order(tagged):
    text_of = {(r.page, r.mcid): "" for r in tagged.runs}
    for run in tagged.runs:
        text_of[(run.page, run.mcid)] += run.text
    text = "".join(text_of.get(mark, "") for mark in tagged.structure_order)
    position = 0
    for sentence in essay_sentences():
        # A line break inside the PDF drops the space (or splits at a hyphen).
        pattern = "".join(
            r"\s*" if c == " " else r"-\s*" if c == "-" else re.escape(c) for c in sentence
        )
        match = re.compile(pattern).search(text, position)
        assert match, f"missing or out of order in the structure tree: {sentence!r}"
        position = match.end()


def test_every_link_annotation_is_in_a_link_element_and_has_contents(tagged):
    """Matterhorn 28-011 and 28-002 (PDF/UA-1 7.18.5)."""
    links = 0
    for page in tagged.pdf.pages:
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            links += 1
            element = tagged.parent_tree[int(annotation.StructParent)]
            assert element.S == "/Link", element.S
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            assert any(
                isinstance(kid, pikepdf.Dictionary)
                and kid.get("/Type") == "/OBJR"
                and kid.Obj.objgen == annotation.objgen
                for kid in kids
            ), "the Link element does not hold its annotation"
            assert str(annotation.get("/Contents", "")).strip(), "a link without /Contents"
    assert links > 50


def test_document_title_is_shown_instead_of_the_file_name(tagged):
    """Matterhorn 07-001."""
    assert bool(tagged.pdf.Root.ViewerPreferences.DisplayDocTitle)
    assert str(tagged.pdf.docinfo.Title).startswith("Building Bridges")


def test_every_font_is_embedded_and_maps_every_glyph_to_unicode(tagged):
    """Matterhorn 31-001 and 31-027: embedded fonts whose text can be extracted."""
    for page in tagged.pdf.pages:
        for name, font in page.Resources.Font.items():
            assert "/ToUnicode" in font, f"{name} has no ToUnicode map"
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), name
    unmapped = [r for r in tagged.runs if "\ufffd" in r.text]
    assert not unmapped, unmapped[:3]


# Page breaks -------------------------------------------------------------------------

BLOCKS = ("/P", "/LI", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6")


def blocks_per_page(tagged: TaggedPdf) -> list[list[int]]:
    """Per page, the paragraphs, list items and headings that have text on it."""
    pages: list[dict[int, None]] = [{} for _ in tagged.pdf.pages]
    for run in tagged.runs:
        if run.is_artifact or not run.text.strip():
            continue
        element = tagged.element_of(run.page, run.mcid)
        while element.get("/S") not in BLOCKS and "/P" in element:
            element = element.P
        pages[run.page][element.objgen[0]] = None
    return [list(page) for page in pages]


def test_no_page_holds_a_single_leftover_item(tagged):
    """A chapter or section never leaves its last paragraph or list item alone on a page."""
    for number, blocks in enumerate(blocks_per_page(tagged)[1:], start=2):
        texts = "".join(r.text for r in tagged.runs if r.page == number - 1 and not r.is_artifact)
        assert len(blocks) >= 2, f"page {number} holds only: {texts[:80]!r}"


# A large site's PDF, made in parts ------------------------------------------------


@pytest.fixture(scope="module")
def whole_and_parts(site: Path, tmp_path_factory) -> tuple[Path, Path]:
    return site / PDF_NAME, pdf_in_parts(site, tmp_path_factory.mktemp("pdf-compared"))


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return text.split("\f")


def test_a_pdf_made_in_parts_has_the_same_text_and_page_numbers_page_by_page(whole_and_parts):
    whole, parts = whole_and_parts
    assert page_texts(parts) == page_texts(whole)


def link_targets(path: Path) -> list[tuple[int, str, int]]:
    """(page, link text target, page it leads to) of every internal link."""
    reader = PdfReader(path)
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    named = reader.named_destinations
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                name = str(annotation["/Dest"])
                found.append((number, name, pages[named[name].page.idnum]))
    return found


def test_a_pdf_made_in_parts_links_every_internal_link_to_the_same_page(whole_and_parts):
    whole, parts = whole_and_parts
    assert link_targets(whole)
    assert link_targets(parts) == link_targets(whole)


def outline_pages(path: Path) -> list[tuple[str, int]]:
    reader = PdfReader(path)

    def walk(outline) -> list[tuple[str, int]]:
        items = []
        for item in outline:
            if isinstance(item, list):
                items += walk(item)
            else:
                items.append((item.title, reader.get_destination_page_number(item)))
        return items

    return walk(reader.outline)


def test_a_pdf_made_in_parts_has_the_same_outline(whole_and_parts):
    whole, parts = whole_and_parts
    assert outline_pages(whole)
    assert outline_pages(parts) == outline_pages(whole)


def test_a_part_holds_whole_chapters_up_to_its_size():
    sizes = [30, 50, 20, 120, 10]
    chapters = [Chapter(f"c{n}", f"C{n}", "x" * size, False) for n, size in enumerate(sizes)]
    parts = split_into_parts(chapters, 100)
    assert [[c.slug for c in part] for part in parts] == [["c0", "c1", "c2"], ["c3"], ["c4"]]
    assert len(split_into_parts(chapters, PART_CHARACTERS)) == 1


def test_a_problem_in_one_part_of_a_pdf_made_in_parts_stops_it(project_copy, tmp_path, monkeypatch):
    # Each part is laid out in a process of its own: what WeasyPrint says there must still count.
    site = tmp_path / "site"
    assert run_build(project_copy, site, "--site-only").returncode == 0
    break_pdf_template(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    config = str(project_copy / "mkdocs.yml")
    with pytest.raises(PluginError, match="alt"):
        pdf_from_built_site(config, str(site), tmp_path / PDF_NAME, part_characters=1)
    assert not (tmp_path / PDF_NAME).exists()
