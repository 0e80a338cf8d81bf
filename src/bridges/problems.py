"""A problem an editor can fix: the file, the line where known, what is wrong and
the fix. Every check says what it found as problems; the build reports them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # as the editor knows it: "docs/about.md", or a built file "site: about/index.html"
    message: str
    fix: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}: {self.message}" + (f" {self.fix}" if self.fix else "")
