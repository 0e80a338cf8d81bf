"""Text gates: spelling, inclusive wording of editorial text, Markdown style.

Each prints the file and line of every problem. The essay's own words are
exempt from the wording check: its containers are blanked before alex reads.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BIN = Path(sys.executable).parent
ALEX = ROOT / "node_modules" / ".bin" / "alex"
ESSAY_BLOCK = re.compile(r'^<div class="essay" markdown>$.*?^</div>$', re.MULTILINE | re.DOTALL)


def run(command: list[str | Path], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_spelling_in_docs_and_code():
    result = run([BIN / "codespell", "docs", "overrides", "src", "scripts", "tests", ".ci",
                  "README.md", "CHANGELOG.md", "mkdocs.yml", "pyproject.toml"])  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_markdown_style():
    sources = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / "CHANGELOG.md"]
    result = run([BIN / "pymarkdown", "--config", "pyproject.toml", "scan", *sources])
    assert result.returncode == 0, result.stdout + result.stderr


def editorial_copy(target: Path) -> list[str]:
    """Copies the editorial text to `target`, essay lines blanked (line numbers kept)."""
    names = []
    for source in sorted((ROOT / "docs").glob("*.md")):
        text = ESSAY_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), source.read_text("utf-8"))
        (target / "docs").mkdir(exist_ok=True)
        (target / "docs" / source.name).write_text(text, encoding="utf-8")
        names.append(f"docs/{source.name}")
    for name in ("docs/glossary.yml", "README.md", "CHANGELOG.md"):
        (target / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, target / name)
        names.append(name)
    config = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["alex"]
    (target / ".alexrc").write_text(json.dumps(config), encoding="utf-8")
    return names


def test_editorial_text_uses_considerate_wording(tmp_path):
    if not ALEX.exists():
        pytest.fail("alex is not installed: run ./scripts/test, which runs npm ci")
    names = editorial_copy(tmp_path)
    markdown = [name for name in names if name.endswith(".md")]
    results = [run([ALEX, "--quiet", *markdown], cwd=tmp_path),
               run([ALEX, "--quiet", "--text", "docs/glossary.yml"], cwd=tmp_path)]  # fmt: skip
    problems = "".join(r.stdout + r.stderr for r in results if r.returncode != 0)
    assert not problems, problems


def test_the_essay_is_exempt_only_inside_its_containers(tmp_path):
    editorial_copy(tmp_path)
    for source in sorted((ROOT / "docs").glob("*.md")):
        copy = (tmp_path / "docs" / source.name).read_text(encoding="utf-8")
        assert copy.count("\n") == source.read_text(encoding="utf-8").count("\n")
        assert 'class="essay"' not in copy
