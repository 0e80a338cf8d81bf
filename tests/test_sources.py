"""What every page depends on is checked once, the same way under any engine
(`bridges.engine.sources`): in process, on a copy of the fixture site."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config

from bridges.engine.sources import check_sources
from conftest import as_text, copy_fixture_site


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    made = copy_fixture_site(tmp_path / "project")
    monkeypatch.chdir(made)  # the glossary's settings are relative to the project
    return made


def checked(project: Path):
    return check_sources(load_config(str(project / "mkdocs.yml")))


def test_sound_sources_give_the_glossary_to_the_build(project):
    result = checked(project)
    assert result.problems == []
    assert "ableism" in result.glossary.terms
    assert result.glossary_page == "glossary.md"


def test_a_term_id_taken_on_the_glossary_page_is_refused_before_any_page_is_read(project):
    glossary = project / "docs" / "glossary.yml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("- id: ableism", "- id: glossary"), "utf-8"
    )
    result = checked(project)
    assert as_text(result.problems) == [
        "docs/glossary.yml: the term id 'glossary' is also an id on docs/glossary.md; "
        "choose another id for the term."
    ]
    assert (result.fix_first, result.glossary) == ("docs/glossary.yml", None)


def test_files_of_docs_come_first_and_stop_the_reading_of_the_glossary(project):
    (project / "docs" / "leak.txt").symlink_to("/etc/hostname")
    (project / "docs" / "glossary.yml").write_text("terms: [\n", encoding="utf-8")
    result = checked(project)
    assert [problem.file for problem in result.problems] == ["docs/leak.txt"]
    assert result.fix_first == "the files in docs/"


def test_a_redirect_to_another_host_is_refused_by_mkdocs_yml(project):
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "redirect_maps: {}" in text
    config.write_text(
        text.replace("redirect_maps: {}", "redirect_maps: {old.md: 'https://evil.example/'}"),
        encoding="utf-8",
    )
    result = checked(project)
    assert result.fix_first == "mkdocs.yml"
    assert as_text(result.problems)[0].startswith("mkdocs.yml")
    assert "evil.example" in as_text(result.problems)[0]
