"""Limits and text hygiene: what no page may hold, each refused with one message
that names the file, the exact line and the fix, and never a traceback, a
recursion error, the build's temporary folder or a memory blow-up.

Most checks are functions of the page's source, tested in-process; one build of
a project copy with every mistake shows the messages as an editor sees them.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import markdown
import pytest

from bridges.engine.checks import (
    control_character_problems,
    encoding_problems,
    html_nesting_problems,
    image_line,
    image_size_problems,
    nesting_problems,
    page_size_problems,
    without_control_characters,
    without_deep_nesting,
)
from bridges.extensions.safety import SafetyExtension, UnsafeContentError
from bridges.limits import IMAGE_PIXEL_LIMIT, NESTING_LIMIT, PAGE_SIZE_LIMIT
from bridges.pipeline.pdf import WeasyPrintProblems, images_refused_over
from conftest import as_text, run_build

FRONT_MATTER = "---\ntitle: Deep\ndescription: A page with photo.png and a lifestyle.\n---\n"


def write_png(path: Path, width: int, height: int) -> Path:
    """A black one-bit PNG of any size, small on disk (its zeros compress well)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * ((width + 7) // 8 + 1) * height, 9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def nested_list(levels: int) -> str:
    return "\n".join("    " * level + f"- level {level}" for level in range(levels)) + "\n"


# Nesting ----------------------------------------------------------------------


def test_a_list_nested_past_the_limit_is_named_at_its_first_line_too_deep():
    source = FRONT_MATTER + "\n# Deep {#deep}\n\n" + nested_list(100)
    # Front matter (4 lines), a blank line, the heading, a blank line: level 0 on line 8.
    assert as_text(nesting_problems(source, "deep.md")) == [
        f"docs/deep.md, line {8 + NESTING_LIMIT}: a list nested more than 20 levels deep; 20 "
        "is the limit the PDF can lay out. Nest fewer levels: split it into a flat list, or "
        "give its parts sub-headings."
    ]


def test_a_list_at_the_limit_is_accepted():
    assert nesting_problems(nested_list(NESTING_LIMIT), "deep.md") == []


def test_quotes_nested_past_the_limit_are_named():
    source = "Intro\n\n" + "> " * (NESTING_LIMIT + 1) + "deep\n"
    assert str(nesting_problems(source, "q.md")[0]).startswith("docs/q.md, line 3: a quote nested")


def test_nesting_inside_fenced_code_is_text():
    assert nesting_problems("```\n" + nested_list(40) + "```\n", "code.md") == []


def test_a_page_too_deep_for_python_markdown_is_flattened_before_it_is_converted():
    too_deep = nested_list(400)
    with pytest.raises(RecursionError):
        markdown.markdown(too_deep)
    assert "level 399" in markdown.markdown(without_deep_nesting(too_deep))


def test_raw_html_nested_past_the_limit_is_named_at_the_line_of_its_text():
    source = "Intro\n\n" + "<div>" * 30 + "\ninside\n" + "</div>" * 30 + "\n"
    html = "<p>Intro</p>" + "<div>" * 30 + "inside" + "</div>" * 30
    assert as_text(html_nesting_problems(html, source, "divs.md")) == [
        "docs/divs.md, line 4: blocks (lists, quotes, <div>s) nested more than 20 levels "
        "deep; 20 is the limit the PDF can lay out. Nest fewer levels."
    ]


# Images -----------------------------------------------------------------------


def test_an_image_over_the_pixel_limit_is_named_with_its_size_line_and_fix(tmp_path):
    write_png(tmp_path / "docs/assets/images/bomb.png", 20000, 20000)
    source = FRONT_MATTER + "\n# Deep {#deep}\n\nText.\n\n![A bomb](assets/images/bomb.png)\n"
    html = '<p>Text.</p><p><img alt="A bomb" src="../assets/images/bomb.png"></p>'
    assert as_text(image_size_problems(html, source, "deep.md", "deep/", tmp_path / "docs")) == [
        "docs/deep.md, line 10: the image 'bomb.png' is 20000 x 20000 pixels (400 "
        "megapixels); the limit is 40 megapixels. Save it smaller: 2400 pixels across is "
        "plenty for the site and the PDF."
    ]


def test_an_image_within_the_limit_is_accepted(tmp_path):
    write_png(tmp_path / "docs/photo.png", 6000, 4000)
    html = '<p><img alt="A photo" src="photo.png"></p>'
    assert (
        image_size_problems(html, "![A photo](photo.png)\n", "index.md", "", tmp_path / "docs")
        == []
    )


def test_the_pdf_step_refuses_an_image_over_the_limit_before_decoding_it(tmp_path):
    """Behind the page check: WeasyPrint opens images with Pillow, which refuses."""
    from weasyprint import HTML

    write_png(tmp_path / "big.png", 9000, 9000)
    assert IMAGE_PIXEL_LIMIT < 9000 * 9000
    with WeasyPrintProblems() as problems, images_refused_over(IMAGE_PIXEL_LIMIT):
        HTML(string='<img src="big.png" alt="big">', base_url=str(tmp_path) + "/").render()
    assert len(problems.messages) == 1 and "big.png" in problems.messages[0]


def test_an_image_without_alt_text_is_named_at_its_image_not_a_front_matter_mention():
    source = FRONT_MATTER + "\n# Deep {#deep}\n\n![A photo](photo.png)\n\n![](photo.png)\n"
    assert image_line(source, "photo.png", without_alt=True) == 10
    assert image_line(source, "photo.png") == 8


# Page size --------------------------------------------------------------------


def test_a_page_over_the_size_limit_is_named_with_its_size_and_the_fix():
    assert as_text(page_size_problems(1_234_567, "docs/long.md")) == [
        "docs/long.md: the page is 1,235 KB of text; the limit is 200 KB (about 30,000 "
        "words), the most the PDF can lay out as one chapter. Split it into several pages."
    ]


def test_every_page_of_the_site_and_one_at_the_limit_are_accepted():
    from conftest import ROOT

    longest = max(path.stat().st_size for path in (ROOT / "docs").glob("*.md"))
    assert page_size_problems(longest, "docs/page.md") == []
    assert page_size_problems(PAGE_SIZE_LIMIT, "docs/page.md") == []


# Text hygiene -----------------------------------------------------------------


def test_a_control_character_is_named_with_its_line():
    source = FRONT_MATTER + "\nreproduced\x00 word\n\tindented with a tab\n"
    assert as_text(control_character_problems(source, "essay.md")) == [
        "docs/essay.md, line 6: an invisible control character (U+0000 NUL); delete it "
        "(editors may show it as a box, ^@ or <0x00>), or retype the line."
    ]


@pytest.mark.parametrize("code", [0x01, 0x08, 0x0B, 0x1B, 0x7F, 0x85, 0x9F])
def test_every_unicode_control_character_is_found_and_removed(code):
    # Unicode's Cc category: U+0000-U+001F and U+007F-U+009F (C1 included, which
    # pasting Windows-1252 text as Latin-1 leaves behind).
    text = f"one{chr(code)}two"
    assert [p.line for p in control_character_problems(f"ok\n{text}\n", "a.md")] == [2]
    assert without_control_characters(text) == "onetwo"


def test_tabs_and_line_ends_are_not_control_characters():
    assert control_character_problems("a\tb\r\nc\n", "ok.md") == []


def test_a_page_that_is_not_utf8_is_named_with_the_line_of_its_first_bad_byte():
    data = "line one\nline two\nCafé\n".encode("latin-1")
    assert as_text(encoding_problems(data, "docs/about.md")) == [
        "docs/about.md, line 3: the file is not UTF-8 text (byte 0xE9, perhaps 'é' saved as "
        'Latin-1 or Windows-1252). Save the file as UTF-8 in your editor ("Save with '
        'encoding" or "Reopen with encoding").'
    ]


def test_style_is_named_at_the_attribute_not_at_an_earlier_word_holding_style(tmp_path):
    md = markdown.Markdown(
        extensions=["attr_list", SafetyExtension(glossary=str(tmp_path / "none.yml"))]
    )
    text = (
        'A lifestyle of solidarity.\n\n`style=` in code is text.\n\nRed.\n{: style="color: red" }\n'
    )
    with pytest.raises(UnsafeContentError) as refused:
        md.convert(text)
    assert str(refused.value).startswith("this page, line 6: a style= attribute on <p>.")


# The messages in a build --------------------------------------------------------


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A site-only build of a copy with a page holding every mistake above."""
    from conftest import copy_project, load_nav

    project = copy_project(tmp_path_factory.mktemp("limits") / "project")
    write_png(project / "docs/assets/images/bomb.png", 20000, 20000)
    write_png(project / "docs/assets/images/photo.png", 10, 10)
    lines = [
        *FRONT_MATTER.splitlines(),  # lines 1-4
        "",
        "# Deep {#deep}",
        "",
        "A lifestyle word first.",  # line 8
        "",
        "![](assets/images/photo.png)",  # line 10
        "",
        "![A bomb](assets/images/bomb.png)",  # line 12
        "",
        "Nul here: a\x00b",  # line 14
        "",
        *nested_list(100).splitlines(),  # level 0 on line 16
    ]
    (project / "docs/deep.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    title, source = load_nav(project)[-1]
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(f"  - {title}: {source}\n", f"  - {title}: {source}\n  - Deep: deep.md\n"),
        encoding="utf-8",
    )
    result = run_build(project, project / "site", "--site-only")
    assert result.returncode == 1
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert not [line for line in errors if ".site-new-" in line]
    return result.output


@pytest.mark.parametrize(
    "message",
    [
        "docs/deep.md, line 10: the image 'photo.png' has no alt text",
        "docs/deep.md, line 12: the image 'bomb.png' is 20000 x 20000 pixels",
        "docs/deep.md, line 14: an invisible control character (U+0000 NUL)",
        f"docs/deep.md, line {16 + NESTING_LIMIT}: a list nested more than 20 levels deep",
    ],
)
def test_the_build_names_each_mistake_at_its_line(broken_build, message):
    assert any(line.startswith(f"ERROR   -  {message}") for line in broken_build.splitlines()), (
        broken_build
    )


def test_a_page_that_is_not_utf8_fails_the_build_with_one_line_naming_it(project_copy):
    page = project_copy / "docs" / "about.md"
    data = page.read_bytes() + "\nCafé\n".encode("latin-1")
    page.write_bytes(data)
    line = data.count(b"\n")
    result = run_build(project_copy, project_copy / "site", "--site-only")
    errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert errors == [
        f"ERROR   -  docs/about.md, line {line}: the file is not UTF-8 text (byte 0xE9, perhaps "
        "'é' saved as Latin-1 or Windows-1252). Save the file as UTF-8 in your editor (\"Save "
        'with encoding" or "Reopen with encoding").'
    ]
    assert result.returncode == 1
