"""Writes a benchmark's figures to a Markdown file under benchmarks/.

Figures depend on the machine and the moment: each file says when, at which
commit and on which machine (cores, CPU model) they were measured, and puts the
budget beside each figure. A run replaces its file whole, so no figure outlives
the run that measured it; CONTRIBUTING.md links to the files instead of quoting
them.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str


@dataclass(frozen=True)
class Provenance:
    """When, at which commit and on which machine figures were measured."""

    measured: str
    commit: str
    machine: Machine


def cpu_model(cpuinfo: str) -> str:
    """The CPU's name as /proc/cpuinfo gives it (`model name` on x86, `Model` or
    `Hardware` on some ARM boards), or "unknown"."""
    for key in ("model name", "Model", "Hardware", "cpu model"):
        for line in cpuinfo.splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key and value.strip():
                return value.strip()
    return "unknown"


def this_machine() -> Machine:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        cpuinfo = ""
    model = cpu_model(cpuinfo)
    if model == "unknown" and platform.processor():
        model = platform.processor()
    return Machine(cores=os.cpu_count() or 1, cpu=model)


def current_commit() -> str:
    """The commit measured, marked when the working tree differs from it (the
    figures are then of changes no commit holds)."""

    def git(*arguments: str) -> str:
        result = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown (not a git checkout)"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " with uncommitted changes"
    return commit


def this_run() -> Provenance:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return Provenance(now.strftime("%Y-%m-%d %H:%M UTC"), current_commit(), this_machine())


def markdown_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; a `|` in a cell is escaped so that it stays in its cell."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    return [line(head), line(["---"] * len(head)), *(line(cells) for cells in rows)]


def document(
    title: str, command: str, provenance: Provenance, sections: Sequence[Sequence[str]]
) -> str:
    """The whole file: title, where the figures come from, then each section (its
    lines), one blank line between blocks."""
    machine = provenance.machine
    header = [
        f"# {title}",
        "",
        f"Written by `{command}`, which replaces this file on each run: do not edit "
        "it by hand. Budgets are in `scripts/budget.toml`.",
        "",
        f"- measured: {provenance.measured}",
        f"- commit: {provenance.commit}",
        f"- machine: {machine.cores} cores, {machine.cpu}",
    ]
    blocks = [header, *sections]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def write(name: str, text: str, folder: Path = BENCHMARKS) -> Path:
    """Replaces `folder/name` with `text` in one step: a reader never finds half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    partial = target.with_name(f".{name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target
