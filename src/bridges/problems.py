"""A problem an editor can fix: the file, the line where known, what is wrong and
the fix. Every check says what it found as problems; `report` is the one place
that shows them (decisions/043).

Checks return problems and never format "file, line N:" themselves, so every
message has one shape. Work that must stop at a problem raises a `ProblemError`
carrying them; whoever catches it reports `error.problems`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

# A child of MkDocs' logger: under MkDocs an error counts towards strict mode (the
# build fails after reporting every problem) and `mkdocs serve` shows it in the
# browser; `bridges.build` and the standalone output check print its records.
LOG = logging.getLogger("mkdocs.bridges")


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # as the editor knows it: "docs/about.md", or a built file "site: about/index.html"
    message: str
    fix: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}: {self.message}" + (f" {self.fix}" if self.fix else "")


def report(
    problems: Iterable[Problem], level: int = logging.ERROR, logger: logging.Logger = LOG
) -> int:
    """Shows each problem as one log record (errors unless `level` says otherwise,
    for an oddity that need not fail the build); returns how many there were."""
    count = 0
    for problem in problems:
        logger.log(level, str(problem))
        count += 1
    return count


class ProblemError(Exception):
    """Problems that stop the work at once; the text is their lines, joined by
    `separator`, for hosts that print only the exception (Python-Markdown alone)."""

    separator = "\n"

    def __init__(self, *problems: Problem) -> None:
        super().__init__(self.separator.join(str(problem) for problem in problems))
        self.problems = list(problems)


def line_at(text: str, offset: int) -> int:
    """The number of the line (from 1) that holds the character at `offset`."""
    return text.count("\n", 0, offset) + 1


def line_of(text: str, needle: str, start: int = 0) -> int | None:
    """The line where `needle` first appears in `text` (from `start`), or None."""
    offset = text.find(needle, start)
    return line_at(text, offset) if offset >= 0 else None
