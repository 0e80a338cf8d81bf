"""What every page depends on, checked before any page is read, under any engine:
the files of docs/, the glossary, and the redirects of mkdocs.yml.

The MkDocs hooks (on_config) and the Zensical adapter both call `check_sources`,
so the two engines refuse the same sources with the same messages. The checks
run in order and stop at the first that finds a problem, because the later ones
read what the earlier ones vouch for: nothing else is read from a docs/ that links
outside itself, and the glossary's text is checked only once it could be read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from bridges.engine.checks import ATTRIBUTE_LIST
from bridges.engine.files import docs_problems
from bridges.extensions.safety import glossary_problems_once
from bridges.extensions.terms import Glossary, GlossaryError, load_glossary_once
from bridges.pipeline.publishing import redirect_problems
from bridges.problems import Problem


@dataclass
class SourceCheck:
    """The outcome: the glossary, or the problems of the first check that failed,
    with what to fix first and why it comes first."""

    glossary: Glossary | None = None
    glossary_page: str = "glossary.md"  # the page of the glossary, in docs/
    problems: list[Problem] = field(default_factory=list)
    fix_first: str = ""  # "docs/glossary.yml"
    because: str = ""  # "every page uses it"


def check_sources(config: MkDocsConfig) -> SourceCheck:
    settings = config.mdx_configs.get("bridges.extensions.glossary", {})
    docs_dir = Path(settings.get("docs_dir", "docs"))
    checked = SourceCheck(glossary_page=settings.get("page", "glossary.md"))
    shown_as = docs_as_shown(config)

    def is_excluded(uri: str) -> bool:  # exclude_docs: in docs/ but never published
        return bool(config.exclude_docs and config.exclude_docs.match_file(uri))

    # Before the engine walks docs/ (following symlinks) and before the glossary is read.
    if problems := docs_problems(Path(config.docs_dir), shown_as, is_excluded):
        return _failed(
            checked, problems, f"the files in {shown_as}/", "nothing is published until then"
        )
    path = Path(settings.get("data", "docs/glossary.yml"))
    try:
        glossary = load_glossary_once(path, docs_dir)
    except GlossaryError as error:
        return _failed(checked, list(error.problems), str(path), "every page uses it")
    # The safety extension checks the definitions only when it converts a page:
    # checked here first, every problem is a line of its own before the build stops.
    problems = [
        *glossary_problems_once(path),
        *_ids_shared_with_page(glossary, path, docs_dir, checked.glossary_page),
    ]
    if problems:
        return _failed(checked, problems, str(path), "every page uses it")
    if problems := redirect_problems(config):
        return _failed(checked, problems, Path(config.config_file_path).name, "every page uses it")
    checked.glossary = glossary
    return checked


def docs_as_shown(config: MkDocsConfig) -> Path:
    """The docs folder as the editor knows it: from the folder of mkdocs.yml."""
    docs, project = Path(config.docs_dir), Path(config.config_file_path).parent
    return Path(os.path.relpath(docs, project))


def _failed(
    checked: SourceCheck, problems: list[Problem], fix_first: str, because: str
) -> SourceCheck:
    checked.problems, checked.fix_first, checked.because = problems, fix_first, because
    return checked


def _ids_shared_with_page(
    glossary: Glossary, path: Path, docs_dir: Path, page: str
) -> list[Problem]:
    """A term id is the address of its entry on the glossary page: no other id there may have it."""
    if not (docs_dir / page).is_file():
        return []
    attributes = ATTRIBUTE_LIST.findall((docs_dir / page).read_text(encoding="utf-8"))
    page_ids = {token[1:] for text in attributes for token in text.split() if token.startswith("#")}
    return [
        Problem(
            str(path),
            f"the term id '{id}' is also an id on docs/{page};",
            "choose another id for the term.",
        )
        for id in sorted(page_ids & set(glossary.terms))
    ]
