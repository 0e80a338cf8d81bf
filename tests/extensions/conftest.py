"""Fixtures of the in-process extension tests: a small project to convert pages in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .markdown_case import PAGES, SMALL_GLOSSARY, Project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """A folder with docs/, the small glossary and the pages it names, made the
    working directory, as the project's folder is during a build."""
    made = Project(tmp_path)
    made.docs.mkdir()
    made.write_glossary(SMALL_GLOSSARY)
    for name, text in PAGES.items():
        (made.docs / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield made
