"""Content that builds but is silently odd gets a warning naming the file and the
line: a second '# ' title on a page, a glossary term with an empty `matches:`,
and nav entries naming a missing file or a javascript: address (in mkdocs.yml,
with its line). Strict mode then stops the build, as for any warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.structure.nav import Link

from bridges.engine.checks import nav_line, nav_script_problems, second_title_problems
from bridges.engine.hooks import _nav_file_filter
from bridges.extensions.terms import load_glossary
from conftest import as_text, run_build

CONFIG = """site_name: Test
nav:
  - Home: index.md
  - Missing: missing.md   # a comment
  - Group:
      - "Quoted page": "quoted.md"
  - Evil: "javascript:alert(1)"
"""


def test_a_second_title_is_named_at_its_line():
    source = "---\ntitle: T\n---\n\n# One {#one}\n\n```\n# not a heading\n```\n\n# Two {#two}\n"
    assert as_text(second_title_problems(source, "page.md")) == [
        "docs/page.md, line 11: a second '# ' heading; a page has one title, the first (line "
        "5), which the menu, the PDF and search use. Make this one a section: '## Heading "
        "{#heading-id}'."
    ]


def test_one_title_and_sections_are_not_odd():
    assert second_title_problems("# One {#one}\n\n## Two {#two}\n", "page.md") == []


@pytest.mark.parametrize(
    ("value", "line"), [("missing.md", 4), ("quoted.md", 6), ("javascript:alert(1)", 7)]
)
def test_a_nav_entry_is_found_at_its_line_of_mkdocs_yml(value, line):
    assert nav_line(CONFIG, value) == line


def test_a_javascript_nav_entry_is_named_with_mkdocs_yml_and_its_line():
    items = [Link("Home", "https://example.org/"), Link("Evil", "javascript:alert(1)")]
    assert as_text(nav_script_problems(items, CONFIG, "mkdocs.yml")) == [
        "mkdocs.yml, line 7: the nav entry 'Evil' links to a javascript: address, which would "
        "run code; a nav entry is a page of docs/ (page.md) or an https: address."
    ]


def test_mkdocs_warning_about_a_missing_nav_file_gets_mkdocs_yml_and_its_line(tmp_path, caplog):
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(CONFIG, encoding="utf-8")
    _nav_file_filter(config_file)
    with caplog.at_level(logging.WARNING, logger="mkdocs.structure.nav"):
        logging.getLogger("mkdocs.structure.nav").warning(
            "A reference to '%s' is included in the 'nav' configuration, which is not found "
            "in the documentation files.",
            "missing.md",
        )
    assert caplog.messages == [
        "mkdocs.yml, line 4: the nav entry 'missing.md' names no file in docs/; write the "
        "page's file name as it is in docs/, or remove the entry."
    ]


def test_an_empty_matches_list_is_named_at_its_line(tmp_path):
    glossary = tmp_path / "glossary.yml"
    glossary.write_text(
        "terms:\n"
        "  - id: ally\n"
        "    term: Ally\n"
        "    definition: Someone who stands with others.\n"
        "  - id: mutual-aid\n"
        "    term: Mutual aid\n"
        "    matches: []\n"
        "    definition: Sharing what we have.\n",
        encoding="utf-8",
    )
    assert as_text(load_glossary(glossary, tmp_path).warnings) == [
        f"{glossary}, line 7: term 'mutual-aid' has 'matches: []', so no word in the text "
        "links to it (only [[mutual-aid]] does). List the words that should link, or remove "
        "the line to link the term's own name."
    ]


def test_the_build_warns_of_each_oddity_with_its_file_and_line(project_copy):
    about = project_copy / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n# Again {#again}\n", encoding="utf-8")
    title_line = len(about.read_text(encoding="utf-8").splitlines())
    config = project_copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    last = text.splitlines().index("  - About: about.md") + 1
    config.write_text(
        text.replace("  - About: about.md\n", "  - About: about.md\n  - Missing: missing.md\n"),
        encoding="utf-8",
    )
    result = run_build(project_copy, Path(project_copy / "site"), "--site-only")
    warnings = [line for line in result.output.splitlines() if line.startswith("WARNING")]
    assert result.returncode == 1
    assert f"WARNING -  mkdocs.yml, line {last + 1}: the nav entry 'missing.md'" in "\n".join(
        warnings
    )
    assert f"WARNING -  docs/about.md, line {title_line}: a second '# ' heading" in "\n".join(
        warnings
    )
