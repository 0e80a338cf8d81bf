"""One problem type and one reporter: every check says what it found as `Problem`s
(file, line, message, fix), and `report` is the one place that shows them."""

from __future__ import annotations

import logging

import markdown
import pytest
from mkdocs.utils import CountHandler

from bridges.extensions.glossary import GlossaryExtension
from bridges.extensions.safety import UnsafeContentError
from bridges.extensions.terms import GlossaryError, suggest_id
from bridges.problems import Problem, ProblemError, line_at, line_of, report

# The shape an editor reads -----------------------------------------------------------


def test_a_problem_reads_file_line_message_and_fix():
    problem = Problem("docs/about.md", "the image 'a.png' has no alt text:",
                      "write ![what the image shows](a.png).", 12)  # fmt: skip
    assert str(problem) == (
        "docs/about.md, line 12: the image 'a.png' has no alt text: "
        "write ![what the image shows](a.png)."
    )


def test_a_problem_without_a_line_names_the_file_alone():
    problem = Problem("docs/files/", "a symlink to /etc, outside docs/.", "Delete the link.")
    assert str(problem) == "docs/files/: a symlink to /etc, outside docs/. Delete the link."


def test_a_problem_whose_message_holds_the_fix_has_no_trailing_space():
    problem = Problem("mkdocs.yml", "add 'title:' to the front matter.", line=1)
    assert str(problem) == "mkdocs.yml, line 1: add 'title:' to the front matter."


def test_problems_sort_by_file_then_message():
    later = Problem("docs/b.md", "a", line=1)
    earlier = Problem("docs/a.md", "z", line=9)
    assert sorted([later, earlier]) == [earlier, later]


# The reporter ------------------------------------------------------------------------


@pytest.fixture
def mkdocs_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="mkdocs")
    return caplog


def test_each_problem_is_one_error_record_of_mkdocs_logger(mkdocs_records):
    problems = [Problem("docs/a.md", "one.", line=1), Problem("docs/b.md", "two.", "Fix it.")]
    assert report(problems) == 2
    assert [(r.name, r.levelno, r.getMessage()) for r in mkdocs_records.records] == [
        ("mkdocs.bridges", logging.ERROR, "docs/a.md, line 1: one."),
        ("mkdocs.bridges", logging.ERROR, "docs/b.md: two. Fix it."),
    ]


def test_an_oddity_is_reported_as_a_warning(mkdocs_records):
    report([Problem("docs/a.md", "a second '# ' heading;", "Make it a section.", 5)],
           logging.WARNING)  # fmt: skip
    assert [record.levelno for record in mkdocs_records.records] == [logging.WARNING]


def test_no_problems_report_nothing(mkdocs_records):
    assert report([]) == 0
    assert mkdocs_records.records == []


def test_a_message_with_percent_signs_is_shown_as_written(mkdocs_records):
    report([Problem("docs/a.md", "'100%s' was published as text:", "write it in code.")])
    assert mkdocs_records.messages == [
        "docs/a.md: '100%s' was published as text: write it in code."
    ]


def test_reported_problems_count_towards_mkdocs_strict_mode():
    # MkDocs counts warnings and errors of its logger; with --strict it then fails.
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    try:
        report([Problem("docs/a.md", "one."), Problem("docs/b.md", "two.")])
        report([Problem("docs/c.md", "three.")], logging.WARNING)
    finally:
        logger.removeHandler(counter)
    assert counter.get_counts() == [("ERROR", 2), ("WARNING", 1)]


# Problems that stop the work ---------------------------------------------------------


def test_an_error_carries_its_problems_and_reads_as_their_lines():
    problems = [Problem("docs/glossary.yml", "one.", line=3), Problem("docs/glossary.yml", "two.")]
    error = ProblemError(*problems)
    assert error.problems == problems
    assert str(error) == "docs/glossary.yml, line 3: one.\ndocs/glossary.yml: two."


def test_a_glossary_error_is_a_problem_error_mkdocs_prints_without_a_traceback():
    from mkdocs.exceptions import BuildError

    error = GlossaryError(Problem("docs/glossary.yml", "glossary file not found."))
    assert isinstance(error, ProblemError) and isinstance(error, BuildError)
    assert str(error) == "docs/glossary.yml: glossary file not found."


def test_the_safety_extension_outside_mkdocs_raises_the_problems_with_their_lines():
    md = markdown.Markdown(extensions=["bridges.extensions.safety"])
    with pytest.raises(UnsafeContentError) as refused:
        md.convert("Text.\n\n<script>alert(1)</script>\n\n<p onclick='x()'>a</p>\n")
    assert [(p.file, p.line, p.message) for p in refused.value.problems] == [
        ("this page", 3, "a <script> element."),
        ("this page", 5, "the event attribute onclick= on <p>."),
    ]
    assert str(refused.value) == "\n  ".join(str(p) for p in refused.value.problems)


def test_a_term_link_outside_mkdocs_raises_a_glossary_error_with_its_fix(tmp_path):
    glossary = tmp_path / "glossary.yml"
    glossary.write_text("terms:\n  - id: ally\n    term: Ally\n    definition: A person.\n",
                        encoding="utf-8")  # fmt: skip
    extension = GlossaryExtension(data=str(glossary), docs_dir=str(tmp_path))
    md = markdown.Markdown(extensions=[extension])
    with pytest.raises(GlossaryError) as refused:
        md.convert("An [[unknown]] term.")
    [problem] = refused.value.problems
    assert problem.message == "unknown glossary term '[[unknown]]'."
    assert problem.fix == f"Fix the spelling, or add a term with id 'unknown' to {glossary}."


# Shared helpers ----------------------------------------------------------------------


def test_line_of_counts_from_one_and_finds_the_first_occurrence():
    text = "one\ntwo\nthree two\n"
    assert line_of(text, "one") == 1
    assert line_of(text, "two") == 2
    assert line_of(text, "two", start=text.index("three")) == 3
    assert line_of(text, "four") is None
    assert line_at(text, 0) == 1 and line_at(text, len(text)) == 4


@pytest.mark.parametrize(
    ("text", "most_words", "expected"),
    [
        ("Mutual Aid!", None, "mutual-aid"),
        ("Élitism and allies", None, "elitism-and-allies"),  # accents folded, not dropped
        ("one two three four five six", 5, "one-two-three-four-five"),
        ("!!!", None, "section"),
    ],
)
def test_a_suggested_id_is_lowercase_words_joined_by_hyphens(text, most_words, expected):
    assert suggest_id(text, "section", most_words) == expected


def test_the_epubs_problems_are_reported_before_the_build_stops(monkeypatch, mkdocs_records):
    from mkdocs.exceptions import PluginError

    from bridges import build
    from bridges.pipeline import epub, output_check, pdf

    found = [Problem("building-bridges.epub: ch.xhtml", "the site does not publish a <script>.")]
    monkeypatch.setattr(pdf, "built_site_nav", lambda config: [])
    monkeypatch.setattr(pdf, "build_pdf", lambda config, nav: None)
    monkeypatch.setattr(epub, "build_epub", lambda config, nav: "building-bridges.epub")
    monkeypatch.setattr(output_check, "epub_problems", lambda path: found)
    with pytest.raises(PluginError, match=r"^fix the problems above$"):
        build.build_publications(config=None)
    assert mkdocs_records.messages == [str(found[0])]
