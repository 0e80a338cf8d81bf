"""Markdown in, HTML out, in this process: the extensions as the site configures them,
in the way pymdown-extensions tests its own (`tests/util.py`, `MdCase`).

A test converts a page's source with `Project.convert` and compares or inspects the
HTML; no MkDocs build and no subprocess. A project is a folder with `docs/` and a
small glossary the test writes (never the real docs/glossary.yml, so editing the
content cannot break these tests), and the working directory while the test runs,
as it is during a build: the extensions' defaults (`docs/glossary.yml`, `docs`) and
their messages ("docs/about.md, line 3: ...") are the ones an editor sees.
"""

from __future__ import annotations

import logging
import textwrap
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
from bs4 import BeautifulSoup
from markdown.treeprocessors import Treeprocessor
from mkdocs.structure.files import File
from mkdocs.utils.meta import get_data

from conftest import load_config

SITE_EXTENSIONS: list[str | dict[str, Any]] = load_config()["markdown_extensions"]
"""`markdown_extensions` of mkdocs.yml: a page is converted as the site converts it."""

SMALL_GLOSSARY = """\
terms:
  - id: ally
    term: Ally
    matches: [ally, allies]
    definition: A person who *supports* a group they do not belong to.
    see_also: [coalition]

  - id: coalition
    term: Coalition
    endings: [s]
    topic: coalitions.md
    definition: An alliance of groups working for a shared aim.
    source: The essay, chapter 2.

  - id: coalition-building
    term: Coalition-building
    definition: The work of making and keeping a coalition.

  - id: mutual-aid
    term: Mutual aid
    definition: Help that people give each other, both ways.

  - id: privilege
    term: Privilege
    endings: [d, s]
    definition: An advantage some people have and others do not.
"""
"""Five terms: one with other words (`matches`), one with a chapter (`topic`) and
`endings`, one whose words contain another's, one of two words, one with endings."""

PAGES = {
    "coalitions.md": "---\ntitle: Coalitions\ndescription: On coalitions.\n---\n\n# Coalitions\n",
    "glossary.md": "---\ntitle: Glossary\ndescription: The terms.\n---\n\n# Glossary\n\n"
    "::: glossary\n",
}
"""Pages the glossary names: the chapter of `coalition`, and the glossary page."""


class _MkDocsPage(Treeprocessor):
    """Stands in for MkDocs' `relpath` treeprocessor, through which the extensions
    learn which page they convert (MkDocs' `File`); it changes nothing."""

    def __init__(self, md: markdown.Markdown, file: File) -> None:
        super().__init__(md)
        self.file = file

    def run(self, root: etree.Element) -> None:
        return None


@dataclass
class Project:
    root: Path
    extensions: list[str | dict[str, Any]] = field(default_factory=lambda: list(SITE_EXTENSIONS))

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def write_glossary(self, text: str) -> Path:
        path = self.docs / "glossary.yml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def markdown(self, page: str | None = None) -> markdown.Markdown:
        """The site's Markdown; with `page` (its path in docs/), as MkDocs hosts it."""
        names = [e if isinstance(e, str) else next(iter(e)) for e in self.extensions]
        configs = {next(iter(e)): e[next(iter(e))] for e in self.extensions if isinstance(e, dict)}
        md = markdown.Markdown(extensions=names, extension_configs=configs)
        if page is not None:
            file = File(page, str(self.docs), str(self.root / "site"), use_directory_urls=True)
            md.treeprocessors.register(_MkDocsPage(md, file), "relpath", 0)
        return md

    def convert(self, source: str, page: str | None = None) -> str:
        """`source` as HTML. With `page`, the source is written to docs/`page` and
        converted as MkDocs converts it: without its front matter, and problems are
        logged, not raised."""
        if page is None:
            return self.markdown().convert(source)
        path = self.docs / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        body, _ = get_data(source)
        return self.markdown(page).convert(body)

    def soup(self, source: str, page: str | None = None) -> BeautifulSoup:
        return BeautifulSoup(self.convert(source, page), "html.parser")


def logged_errors(records: list[logging.LogRecord]) -> list[str]:
    """The errors an editor sees in the build's output, one per line."""
    return [r.getMessage() for r in records if r.levelno >= logging.ERROR]
