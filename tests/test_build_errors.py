"""Bad input fails the build with a message naming the file, and keeps the old site."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_build


def build_broken(project: Path, tmp_path: Path) -> tuple[str, Path]:
    """Builds `project` over an existing site; returns the output and that site."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous site", encoding="utf-8")
    result = run_build(project, site)
    assert result.returncode != 0, result.output
    return result.output, site


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def assert_previous_site_intact(site: Path) -> None:
    assert (site / "index.html").read_text(encoding="utf-8") == "previous site"
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert not list(site.parent.glob(".site-*")), "a temporary build folder was left behind"


def test_broken_link_names_the_file(project_copy, tmp_path):
    append(project_copy / "docs" / "coalitions.md", "\nSee [the missing page](missing.md).\n")
    output, site = build_broken(project_copy, tmp_path)
    assert "coalitions.md" in output and "missing.md" in output
    assert_previous_site_intact(site)


def test_broken_anchor_names_the_file(project_copy, tmp_path):
    append(project_copy / "docs" / "coalitions.md", "\nSee [this](allyship.md#no-such-part).\n")
    output, site = build_broken(project_copy, tmp_path)
    assert "coalitions.md" in output and "no-such-part" in output
    assert_previous_site_intact(site)


def test_unknown_glossary_term_names_the_file(project_copy, tmp_path):
    append(project_copy / "docs" / "solidarity.md", "\nA [[comradery]] of equals.\n")
    output, site = build_broken(project_copy, tmp_path)
    assert "solidarity.md" in output and "[[comradery]]" in output
    assert_previous_site_intact(site)


def test_bad_yaml_front_matter_names_the_file(project_copy, tmp_path):
    page = project_copy / "docs" / "allyship.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("title: Allyship", "title: [Allyship"),
        encoding="utf-8",
    )
    output, site = build_broken(project_copy, tmp_path)
    assert "docs/allyship.md" in output and "not valid YAML" in output
    assert_previous_site_intact(site)


def test_missing_description_names_the_file(project_copy, tmp_path):
    page = project_copy / "docs" / "conclusion.md"
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    page.write_text(
        "".join(line for line in lines if not line.startswith("description:")), encoding="utf-8"
    )
    output, site = build_broken(project_copy, tmp_path)
    assert "docs/conclusion.md" in output and "description" in output
    assert_previous_site_intact(site)


def test_related_page_that_does_not_exist_names_the_file(project_copy, tmp_path):
    page = project_copy / "docs" / "allyship.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("  - coalitions.md", "  - coalition.md", 1),
        encoding="utf-8",
    )
    output, site = build_broken(project_copy, tmp_path)
    assert "docs/allyship.md" in output and "coalition.md" in output
    assert_previous_site_intact(site)


def test_page_missing_from_nav_names_the_file(project_copy, tmp_path):
    (project_copy / "docs" / "orphan.md").write_text(
        "---\ntitle: Orphan\ndescription: A page nobody put in the navigation menu.\n---\n\n"
        "# Orphan\n",
        encoding="utf-8",
    )
    output, site = build_broken(project_copy, tmp_path)
    assert "orphan.md" in output
    assert_previous_site_intact(site)


def test_duplicate_heading_id_names_the_file(project_copy, tmp_path):
    append(project_copy / "docs" / "about.md", "\n## Again {#how-to-cite}\n")
    output, site = build_broken(project_copy, tmp_path)
    assert "about.md" in output and "how-to-cite" in output
    assert_previous_site_intact(site)


def test_non_utf8_file_names_the_file(project_copy, tmp_path):
    page = project_copy / "docs" / "about.md"
    page.write_bytes(page.read_bytes() + "\nCafé\n".encode("latin-1"))
    output, site = build_broken(project_copy, tmp_path)
    assert "about.md" in output
    assert_previous_site_intact(site)


@pytest.mark.parametrize("broken", ["terms: []\n", "terms:\n  - id: Bad Id\n    term: X\n"])
def test_bad_glossary_file_names_the_file(project_copy, tmp_path, broken):
    (project_copy / "docs" / "glossary.yml").write_text(broken, encoding="utf-8")
    output, site = build_broken(project_copy, tmp_path)
    assert "glossary.yml" in output
    assert_previous_site_intact(site)


def test_two_builds_are_byte_identical(project_copy, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for site in (first, second):
        assert run_build(project_copy, site).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
