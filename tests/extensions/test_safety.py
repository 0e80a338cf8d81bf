"""The safety extension, in-process: markup that runs code, inline style and files
from other hosts are refused with the file, the line and the fix; everything else
is converted as Markdown converts it.

Every case of tests/data/hostile/refused.yml is a test here (a new case there needs
no Python); tests/test_security.py builds them all once, as a site.
"""

from __future__ import annotations

import logging

import markdown
import pytest
import yaml

from bridges.extensions.safety import UnsafeContentError, glossary_problems
from bridges.extensions.terms import GlossaryError, load_glossary
from conftest import ROOT, as_text

from .markdown_case import SMALL_GLOSSARY, logged_errors

REFUSED = yaml.safe_load(
    (ROOT / "tests" / "data" / "hostile" / "refused.yml").read_text(encoding="utf-8")
)
PAGE = "about.md"
PAGE_START = (
    "---\ntitle: About\ndescription: A page that holds a refused case.\n---\n\n"
    "# About {#about}\n\nA first paragraph.\n\n"
)
"""A page's source before the case's text, which starts on the line after it."""
CASE_START = PAGE_START.count("\n")
SCRIPT_FIX = "Content cannot run code: behaviour belongs in docs/assets/javascripts/."
REMOTE_FIX = (
    "The site loads nothing from other hosts: put the file under docs/assets/ and link it "
    "relatively."
)


def place(case: dict, where: str, start: int) -> str:
    """How the message begins: the file and the case's line (`line`, counted from 1
    at the case's first line), or the file alone (`line: none`)."""
    line = case.get("line", 1)
    return f"{where}: " if line == "none" else f"{where}, line {start + line}: "


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture):
    """The errors logged so far, as the build prints them."""
    caplog.set_level(logging.ERROR, logger="mkdocs.bridges.safety")
    return lambda: logged_errors(caplog.records)


# Refused in a page: refused.yml -------------------------------------------------------


@pytest.mark.parametrize("case", REFUSED["pages"], ids=lambda case: case["name"])
def test_a_refused_case_in_a_page_is_one_error_naming_the_page_line_and_fix(project, errors, case):
    project.convert(PAGE_START + case["text"] + "\n", page=PAGE)
    start = place(case, f"docs/{PAGE}", CASE_START)
    matching = [e for e in errors() if e.startswith(start)]
    assert matching, f"no error starting {start!r}: {errors()}"
    assert any(all(words in e for words in case["says"]) for e in matching), errors()


@pytest.mark.parametrize("case", REFUSED["pages"], ids=lambda case: case["name"])
def test_a_refused_case_raises_in_any_markdown_host(project, case):
    # Zensical reads markdown_extensions but runs no MkDocs hooks: no page, so it raises.
    with pytest.raises(UnsafeContentError) as refused:
        project.convert(f"A first paragraph.\n\n{case['text']}\n")
    message = str(refused.value)
    assert message.startswith(place(case, "this page", 2)), message
    for words in case["says"]:
        assert words in message


def glossary_with_refused_term(definition: str) -> tuple[str, int]:
    """The small glossary with one more term; the line of its definition."""
    text = SMALL_GLOSSARY + (
        f"\n  - id: refused-term\n    term: Refused\n    definition: >-\n      {definition}\n"
    )
    return text, text.count("\n")


@pytest.mark.parametrize("case", REFUSED["glossary"], ids=lambda case: case["name"])
def test_a_refused_case_in_a_definition_names_the_term_and_its_line(project, case):
    text, line = glossary_with_refused_term(case["definition"])
    project.write_glossary(text)
    with pytest.raises(UnsafeContentError) as refused:
        project.convert("Any page.\n", page=PAGE)
    message = str(refused.value)
    assert message.startswith(f"docs/glossary.yml, term 'refused-term', line {line}: "), message
    for words in case["says"]:
        assert words in message


@pytest.mark.parametrize("case", REFUSED["glossary"], ids=lambda case: case["name"])
def test_a_refused_definition_is_one_problem_for_the_build_to_report(project, case):
    text, line = glossary_with_refused_term(case["definition"])
    glossary = project.write_glossary(text)
    (problem,) = as_text(glossary_problems(glossary.relative_to(project.root)))
    assert problem.startswith(f"docs/glossary.yml, term 'refused-term', line {line}: ")


def test_problems_of_several_findings_are_one_error_each(project, errors):
    project.convert(PAGE_START + '<script>1</script>\n\n<span style="x">y</span>\n', page=PAGE)
    assert [e.split(":")[0] for e in errors()] == [
        f"docs/{PAGE}, line {CASE_START + 1}",
        f"docs/{PAGE}, line {CASE_START + 3}",
    ]


def test_markup_python_cannot_read_is_refused_with_its_line_not_a_traceback(project, errors):
    project.convert(PAGE_START + "Text <![ here.\n", page=PAGE)
    assert errors() == [
        f"docs/{PAGE}, line {CASE_START + 1}: '<![', markup that Python's HTML parser cannot "
        "read. To show it as text, write '&lt;![' instead of '<!['."
    ]


def test_the_line_of_a_refusal_skips_the_same_markup_shown_as_code(project, errors):
    source = PAGE_START + "Write `<script>` in code.\n\n<script>alert(1)</script>\n"
    project.convert(source, page=PAGE)
    assert errors()[0].startswith(f"docs/{PAGE}, line {CASE_START + 3}: a <script> element")


# Files from other hosts -------------------------------------------------------------

# (page body on line 3, what the message names)
REMOTE_MEDIA = [
    ("![A bridge](https://evil.example/bridge.png)", "<img> loads https://evil.example/bridge.png"),
    ('<img src="//evil.example/x.png" alt="x">', "<img> loads //evil.example/x.png"),
    ('<img src="HTTPS://evil.example/x.png" alt="x">', "<img> loads HTTPS://evil.example/x.png"),
    ('<img src="/\\evil.example/x.png" alt="x">', "<img> loads /\\evil.example/x.png"),
    ('<img src="a.png" srcset="a.png 1x, https://evil.example/b.png 2x" alt="x">',
     "<img> loads https://evil.example/b.png"),
    ('<video src="https://evil.example/v.mp4"></video>', "<video> loads https://evil.example/v.mp4"),
    ('<video src="v.mp4" poster="https://evil.example/p.png"></video>',
     "<video> loads https://evil.example/p.png"),
    ('<audio src="https://evil.example/a.ogg"></audio>', "<audio> loads https://evil.example/a.ogg"),
    ('<video><source src="https://evil.example/v.webm"></video>',
     "<source> loads https://evil.example/v.webm"),
    ('<picture><source srcset="https://evil.example/x.avif"><img src="x.png" alt="x"></picture>',
     "<source> loads https://evil.example/x.avif"),
    ('<video src="v.mp4"><track src="https://evil.example/t.vtt"></video>',
     "<track> loads https://evil.example/t.vtt"),
    ('<input type="image" src="https://evil.example/b.png" alt="go">',
     "<input> loads https://evil.example/b.png"),
    ('<svg><image href="https://evil.example/x.png"/></svg>',
     "<image> loads https://evil.example/x.png"),
    ('<table background="https://evil.example/t.png"><tr><td>x</td></tr></table>',
     "<table> loads https://evil.example/t.png"),
    ('<img src="data:image/svg+xml,x" alt="x">', "<img> loads data:image/svg+xml,x"),
    ('<a href="page.md" ping="/count https://evil.example/t">x</a>',
     "<a> loads https://evil.example/t"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "names"), REMOTE_MEDIA, ids=[c[1] for c in REMOTE_MEDIA])
def test_media_from_another_host_is_refused_with_the_line_and_the_fix(project, body, names):
    with pytest.raises(UnsafeContentError) as refused:
        project.convert(f"# Page\n\n{body}\n")
    assert (
        str(refused.value) == f"this page, line 3: {names}, not a file of this site. {REMOTE_FIX}"
    )


@pytest.mark.parametrize("element", ["iframe", "object", "embed"])
def test_frames_and_embeds_from_another_host_are_refused_as_embedded_code(project, element):
    attribute = "data" if element == "object" else "src"
    with pytest.raises(UnsafeContentError, match=rf"line 3: a <{element}> element"):
        project.convert(f'# Page\n\n<{element} {attribute}="https://evil.example/x"></{element}>\n')


# Accepted ----------------------------------------------------------------------------

# (Markdown, the HTML it becomes): converted as the site converts a page.
ACCEPTED = [
    pytest.param("`<script>` is *text*", "<p><code>&lt;script&gt;</code> is <em>text</em></p>",
                 id="markup in a code span"),
    pytest.param("```\n<script>alert(1)</script>\n```",
                 '<div class="highlight"><pre><span></span><code>&lt;script&gt;alert(1)'
                 "&lt;/script&gt;\n</code></pre></div>", id="markup in fenced code"),
    pytest.param("&lt;script&gt;alert(1)&lt;/script&gt;",
                 "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
                 id="markup written with character references"),
    pytest.param("Never write javascript:alert(1) in a link.",
                 "<p>Never write javascript:alert(1) in a link.</p>", id="a script URL as words"),
    pytest.param("[Crenshaw](https://example.org/crenshaw)",
                 '<p><a href="https://example.org/crenshaw">Crenshaw</a></p>',
                 id="a link to another site"),
    pytest.param('<a href="//example.org/">more</a>', '<p><a href="//example.org/">more</a></p>',
                 id="a raw link to another site"),
    pytest.param("![A bridge](assets/images/bridge.png)",
                 '<p><img alt="A bridge" src="assets/images/bridge.png" /></p>',
                 id="an image of this site"),
    pytest.param('<img src="../assets/x.png" srcset="../assets/x.png 1x, ../assets/x@2x.png 2x" '
                 'alt="x">', '<p><img src="../assets/x.png" srcset="../assets/x.png 1x, '
                 '../assets/x@2x.png 2x" alt="x"></p>', id="an image of this site with srcset"),
    pytest.param("A note.\n{: .bb-note }", '<p class="bb-note">A note.</p>',
                 id="a class from an attribute list"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "html"), ACCEPTED)
def test_accepted_markup_is_converted_unchanged(project, errors, source, html):
    assert project.convert(source, page=PAGE) == html
    assert errors() == []


def test_a_link_in_a_glossary_definition_to_another_site_is_fine(tmp_path):
    glossary = tmp_path / "glossary.yml"
    glossary.write_text("terms:\n  - id: ally\n    term: Ally\n    definition: See "
                        "[a source](https://example.org/ally).\n", encoding="utf-8")  # fmt: skip
    assert glossary_problems(glossary) == []


# The glossary file as one line ------------------------------------------------------


def glossary_with_definition(tmp_path, definition: str):
    glossary = tmp_path / "glossary.yml"
    text = (f"terms:\n  - id: ally\n    term: Ally\n    definition: >-\n      A person.\n"
            f"      {definition}\n")  # fmt: skip
    glossary.write_text(text, encoding="utf-8")
    return glossary


def test_a_script_link_in_a_definition_is_one_message_with_its_line(tmp_path):
    glossary = glossary_with_definition(tmp_path, "[x](javascript:alert(1))")
    assert as_text(glossary_problems(glossary)) == [
        f"{glossary}, term 'ally', line 6: a javascript: URL in href= on <a>. {SCRIPT_FIX}"
    ]


def test_loading_the_extension_never_fails_so_mkdocs_prints_no_traceback(tmp_path):
    # MkDocs prints a Python traceback for any error raised while it loads an
    # extension: the glossary is checked when a page is converted, with a message.
    glossary = glossary_with_definition(tmp_path, "[x](javascript:alert(1))")
    config = {"bridges.extensions.safety": {"glossary": str(glossary)}}
    md = markdown.Markdown(extensions=list(config), extension_configs=config)
    with pytest.raises(
        UnsafeContentError, match=r"glossary.yml, term 'ally', line 6: a javascript"
    ):
        md.convert("Text.")


def test_a_glossary_that_is_not_utf8_is_one_message_with_its_line(tmp_path):
    glossary = tmp_path / "glossary.yml"
    data = "terms:\n  - id: elitism\n    term: Élitisme\n".encode("latin-1")
    glossary.write_bytes(data)
    byte = data.index("É".encode("latin-1"))
    message = (
        f"{glossary}, line 3: not UTF-8 text (byte {byte}). Save the file as UTF-8 in your editor."
    )
    assert as_text(glossary_problems(glossary)) == [message]
    with pytest.raises(GlossaryError) as refused:
        load_glossary(glossary, tmp_path)
    assert as_text(refused.value.problems) == [message]
