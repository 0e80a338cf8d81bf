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


# The documents by reader: what it is, editors, contributors, changes.
DEVELOPER_DOCS = ("README.md", "EDITING.md", "CONTRIBUTING.md", "CHANGELOG.md")


def run(command: list[str | Path], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_spelling_in_docs_and_code():
    result = run([BIN / "codespell", "docs", "overrides", "src", "scripts", "tests", ".ci",
                  "README.md", "EDITING.md", "CONTRIBUTING.md", "decisions", "CHANGELOG.md",
                  "mkdocs.yml", "pyproject.toml",
                  # Attack vectors and a wide table of cut words, misspelt on purpose.
                  "--skip", "tests/data/xss,tests/data/languages"])  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_markdown_style():
    sources = [*sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "decisions").glob("*.md")),
               *(ROOT / name for name in DEVELOPER_DOCS)]  # fmt: skip
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
    records = [f"decisions/{path.name}" for path in sorted((ROOT / "decisions").glob("*.md"))]
    for name in ("docs/glossary.yml", *DEVELOPER_DOCS, *records):
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


def test_the_readme_is_short_and_leads_to_a_document_for_each_reader():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for document in ("EDITING.md", "CONTRIBUTING.md", "decisions/README.md", "CHANGELOG.md"):
        assert f"]({document})" in readme and (ROOT / document).is_file(), document


def test_every_decision_record_is_listed():
    index = (ROOT / "decisions" / "README.md").read_text(encoding="utf-8")
    for record in sorted((ROOT / "decisions").glob("[0-9]*.md")):
        assert f"]({record.name})" in index, record.name
