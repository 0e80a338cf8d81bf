"""Every script an editor may write, in every publication: Chinese, Japanese,
Korean, Arabic, Hebrew, Hindi, Greek, Cyrillic and emoji, on the preview cards
and in the PDF (no character drawn as an empty box), right to left where the
text runs right to left, and page file names with spaces and accents.

The fixture pages are in tests/data/languages/, added to a copy of the project.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import pikepdf
import pytest
from PIL import Image

from bridges.extensions.direction import DirectionExtension
from bridges.pipeline import fonts
from bridges.pipeline.cards import MARGIN, WIDTH, TextSetter, card_path, draw_card, fit, wrap
from conftest import copy_project, load_config, run_build, serving

FIXTURES = Path(__file__).parent / "data" / "languages"
LANGUAGES_PAGE = "languages.md"
# Nav title: the title of the page, its card and its chapter in the PDF.
LANGUAGES_TITLE = "Bridges 桥梁 橋 🌉 جسور"
ODD_FILE_NAMES = {"Mutual aid": "Mutual Aid.md", "Solidaridad": "solidaridad-ñ.md"}
WIDE_PAGE = {"Wide layouts": "wide.md"}  # a 12-column table, a 300-character address, code
# book.css: A4 with 20 mm side margins, in points.
PAGE_WIDTH, SIDE_MARGIN = 595.28, 20 / 25.4 * 72


def add_pages(project: Path) -> None:
    """The fixture pages in docs/ and in the navigation of `project`."""
    for page in FIXTURES.glob("*.md"):
        shutil.copy(page, project / "docs" / page.name)
    config_file = project / "mkdocs.yml"
    entries = {LANGUAGES_TITLE: LANGUAGES_PAGE, **ODD_FILE_NAMES, **WIDE_PAGE}
    # JSON strings are YAML strings: quoted, emoji and accents as they are.
    lines = "".join(
        f"  - {json.dumps(title, ensure_ascii=False)}: {json.dumps(source, ensure_ascii=False)}\n"
        for title, source in entries.items()
    )
    text = config_file.read_text(encoding="utf-8")
    last_entry = load_config(project)["nav"][-1]
    title, source = next(iter(last_entry.items()))
    marker = f"  - {title}: {source}\n"
    config_file.write_text(text.replace(marker, marker + lines), encoding="utf-8")


@pytest.fixture(scope="module")
def languages_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("languages") / "project")
    add_pages(project)
    site = project / "site"
    result = run_build(project, site)
    assert result.returncode == 0, result.output
    return site


def fixture_text() -> str:
    """The languages page's words, without front matter and Markdown syntax."""
    text = (FIXTURES / LANGUAGES_PAGE).read_text(encoding="utf-8").split("---", 2)[2]
    return re.sub(r"\{#[^}]*\}|^#+ ", "", text, flags=re.MULTILINE)


# Fonts: the preview cards ------------------------------------------------------


def test_the_card_fonts_have_every_character_of_the_fixture_page():
    page = (FIXTURES / LANGUAGES_PAGE).read_text(encoding="utf-8")
    assert fonts.uncovered(page + LANGUAGES_TITLE, bold=True) == set()
    assert fonts.uncovered(page, bold=False) == set()


@pytest.mark.parametrize("bold", [True, False])
def test_each_run_of_a_card_is_drawn_in_a_font_that_has_its_characters(bold):
    """Read from each font's own character map with fontTools, not from Unicode blocks."""
    text = LANGUAGES_TITLE + fixture_text()
    for run, file in fonts.runs(text, bold):
        drawn = {c for c in run if not c.isspace() and not fonts.belongs_to_previous(c)}
        missing = {c for c in drawn if ord(c) not in fonts.characters_of(file)}
        assert not missing, f"{file.path} has no glyph for {missing}"


def test_a_character_no_font_has_is_reported_not_drawn():
    unassigned = "\U000e0fff"  # a code point no font of the chain has
    assert fonts.uncovered(f"a{unassigned}b") == {unassigned}


def test_the_languages_page_card_is_drawn_with_colour_emoji(languages_site):
    with Image.open(languages_site / card_path("languages/")) as card:
        colours = card.convert("RGB").getcolors(maxcolors=1 << 16)
    # The teal card with its blends has 62 colours; the bridge emoji brings its own.
    assert colours is None or len(colours) > 62


def test_a_word_too_long_for_a_line_is_broken_inside_the_card():
    setter = TextSetter(bold=True, size=76)
    width = WIDTH - 2 * MARGIN
    lines = wrap("Pneumonoultramicroscopicsilicovolcanoconiosis" * 2, setter, width)
    assert len(lines) > 1
    assert all(setter.length(line) <= width for line in lines)


def test_chinese_without_spaces_breaks_between_characters():
    setter = TextSetter(bold=False, size=34)
    text = "我们一起建设桥梁跨越社区之间的差距" * 4
    lines = wrap(text, setter, 600)
    assert len(lines) > 1 and "".join(lines) == text
    assert all(setter.length(line) <= 600 for line in lines)


def test_a_title_too_long_for_two_lines_is_set_smaller_then_cut_with_an_ellipsis():
    width = WIDTH - 2 * MARGIN
    setter, lines = fit("Solidarity " * 6, True, (76, 62, 52), width, 2)
    assert setter.size < 76 and len(lines) <= 2
    setter, lines = fit("Solidarity " * 40, True, (76, 62, 52), width, 2)
    assert len(lines) == 2 and lines[-1].endswith("\u2026")


def test_a_right_to_left_title_is_set_from_the_right_margin():
    png = draw_card("التضامن", "", "Building Bridges")
    with Image.open(io.BytesIO(png)) as card:
        title_band = card.convert("L").crop((0, 250, WIDTH, 340))
    left, _, right, _ = title_band.point(lambda v: 255 if v > 200 else 0).getbbox()
    assert right > WIDTH - MARGIN - 10 and left > WIDTH // 2


# Fonts: the PDF ---------------------------------------------------------------


def glyph_ids_by_font(pdf_path: Path) -> dict[str, set[int]]:
    """Every glyph id each font draws (Identity-H: two bytes a glyph)."""
    drawn: dict[str, set[int]] = {}
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            fonts_of_page = {name: str(font.BaseFont) for name, font in page.Resources.Font.items()}
            current = ""
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    current = fonts_of_page[str(operands[0])]
                elif str(operator) in ("Tj", "TJ"):
                    strings = operands[0] if str(operator) == "TJ" else [operands[0]]
                    codes = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
                    drawn.setdefault(current, set()).update(
                        int.from_bytes(codes[i : i + 2], "big") for i in range(0, len(codes), 2)
                    )
    return drawn


def test_no_character_of_the_pdf_is_drawn_as_an_empty_box(languages_site):
    """Glyph 0 is .notdef, the empty box a font draws for a character it lacks."""
    drawn = glyph_ids_by_font(languages_site / "building-bridges.pdf")
    boxes = {font for font, glyphs in drawn.items() if 0 in glyphs}
    assert not boxes, f"these fonts draw .notdef: {boxes}"
    used = " ".join(drawn)
    for family in ("Noto-Sans-CJK-JP", "Noto-Color-Emoji", "Noto-Sans-Devanagari"):
        assert family in used


def test_every_word_of_the_languages_page_is_in_the_pdf_text(languages_site):
    text = pdf_text(languages_site / "building-bridges.pdf")
    # Right-to-left words come out in reading order: each word is compared alone.
    # Vowel signs are left out on both sides: WeasyPrint gives a Devanagari
    # cluster whose sign is drawn before its consonant the text of its first
    # glyph, so copying "मिलकर" gives "मलकर" (the glyphs themselves are drawn,
    # as the .notdef test shows).
    flowing = without_vowel_signs(" ".join(text.split()))
    for word in fixture_text().split():
        assert without_vowel_signs(word.strip(".,:،")) in flowing, word


def pdf_text(pdf: Path) -> str:
    """The PDF's text as `pdftotext` extracts it."""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def without_vowel_signs(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Mc"))


def test_the_pdf_of_the_site_stays_one_subset_per_font(languages_site):
    with pikepdf.open(languages_site / "building-bridges.pdf") as pdf:
        names = {str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()}
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in names), names


# Layouts the PDF must hold ------------------------------------------------------


def pdf_words(pdf: Path) -> list[tuple[int, float, float, str]]:
    """(page, left, right, text) of every word, as `pdftotext -bbox` places it."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        elif word := re.search(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*)</word>', line
        ):
            words.append((page, float(word.group(1)), float(word.group(2)), word.group(3)))
    return words


def test_every_word_of_the_pdf_is_inside_the_page_margins(languages_site):
    """The wide table, the long address, the long word and the code lines included."""
    words = pdf_words(languages_site / "building-bridges.pdf")
    assert any("value_015" in text for *_, text in words)  # the code line is there
    outside = [
        (page, round(left), round(right), text)
        for page, left, right, text in words
        if left < SIDE_MARGIN - 1 or right > PAGE_WIDTH - SIDE_MARGIN + 1
    ]
    assert not outside, outside


def test_no_character_of_the_wide_page_is_lost_when_it_breaks(languages_site):
    """Broken lines, not cut ones: the long address and code lines come out whole."""
    text = pdf_text(languages_site / "building-bridges.pdf")
    joined = "".join(text.split())
    source = (FIXTURES / "wide.md").read_text(encoding="utf-8")
    address = re.search(r"<(https://[^>]+)>", source).group(1)
    code_lines = source.split("```text\n")[1].split("```")[0].splitlines()
    assert len(address) == 300 and all(len(line) == 200 for line in code_lines)
    for whole in [address, *code_lines]:
        assert "".join(whole.split()) in joined, whole
    # A table is read column by column: each word of each cell is looked for alone.
    cells = {word for row in source.splitlines() if row.startswith("| ") for word in
             row.replace("|", " ").split()}  # fmt: skip
    words = {text for *_, text in pdf_words(languages_site / "building-bridges.pdf")}
    assert "3.12" in cells and cells <= words, cells - words


# Direction --------------------------------------------------------------------


def convert(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", DirectionExtension()])


def test_an_arabic_paragraph_runs_right_to_left():
    assert convert("التضامن يعني أن نقف معًا.") == '<p dir="rtl">التضامن يعني أن نقف معًا.</p>'


def test_a_hebrew_heading_and_list_item_run_right_to_left():
    html = convert("## סולידריות\n\n- גשרים\n- Bridges")
    assert '<h2 dir="rtl">' in html and '<li dir="rtl">גשרים</li>' in html
    assert "<li>Bridges</li>" in html


def test_english_is_left_as_it_was():
    assert convert("Allyship is a practice, 1 2 3.") == "<p>Allyship is a practice, 1 2 3.</p>"


def test_the_first_strong_character_decides_as_dir_auto_does():
    assert convert("«2026» — التضامن and more") == '<p dir="rtl">«2026» — التضامن and more</p>'
    assert convert("Solidarity: التضامن") == "<p>Solidarity: التضامن</p>"
    assert convert("`code` التضامن") == '<p dir="rtl"><code>code</code> التضامن</p>'


def test_an_editors_own_direction_is_kept():
    assert convert('التضامن\n{: dir="ltr" lang="ar" }') == '<p dir="ltr" lang="ar">التضامن</p>'


def test_right_to_left_blocks_carry_dir_into_the_epub(languages_site):
    with zipfile.ZipFile(languages_site / "building-bridges.epub") as book:
        chapter = book.read("EPUB/languages.xhtml").decode()
    assert '<p dir="rtl">التضامن' in chapter
    assert '<h2 dir="rtl" id="languages--arabic-heading">' in chapter


@pytest.mark.browser
@pytest.mark.feature("right-to-left text")
def test_right_to_left_blocks_run_right_to_left_in_the_browser(languages_site, desktop_tab):
    with serving(languages_site) as url:
        desktop_tab.goto(url + "languages/")
        directions = desktop_tab.evaluate(
            "() => [...document.querySelectorAll('article p, article h2')].map((e) =>"
            " [e.textContent.trim().slice(0, 8), getComputedStyle(e).direction])"
        )
    by_start = dict(directions)
    assert by_start["التضامن "] == "rtl"
    assert by_start["הסולידרי"] == "rtl"
    assert by_start["جسور بين"] == "rtl"
    assert by_start["Chinese:"] == "ltr"


# File names -------------------------------------------------------------------


@pytest.mark.parametrize("title, source", ODD_FILE_NAMES.items())
def test_a_page_with_a_space_or_accent_in_its_file_name_is_in_every_publication(
    languages_site, title, source
):
    folder = source.removesuffix(".md")
    page_text = (FIXTURES / source).read_text(encoding="utf-8").splitlines()[-1]
    assert page_text in (languages_site / folder / "index.html").read_text(encoding="utf-8")
    pdf_text = subprocess.run(
        ["pdftotext", str(languages_site / "building-bridges.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert page_text in " ".join(pdf_text.split())
    with zipfile.ZipFile(languages_site / "building-bridges.epub") as book:
        chapters = [book.read(name).decode() for name in book.namelist() if name.endswith("xhtml")]
    assert any(page_text in chapter for chapter in chapters)
    with zipfile.ZipFile(languages_site / "building-bridges-offline.zip") as bundle:
        # The bundle is for file://, where each page is a file of its own.
        assert f"building-bridges/{folder}.html" in bundle.namelist()


def test_the_card_of_a_page_with_an_accent_is_where_its_address_leads(languages_site):
    html = (languages_site / "solidaridad-ñ" / "index.html").read_text(encoding="utf-8")
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert (languages_site / unquote(urlsplit(image).path).lstrip("/")).is_file()
