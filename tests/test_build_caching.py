"""Work done once: what the build keeps between the builds of one process (as
`mkdocs serve` rebuilds), and what `--site-only` leaves out."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from bridges.extensions import safety
from bridges.pipeline import cards, stylesheets
from bridges.pipeline.cards import card_path, start_card
from bridges.pipeline.pdf import Book, Chapter, PartLayouts, WeasyPrintProblems
from bridges.processes import workers
from conftest import PAGES, ROOT


@pytest.fixture
def serve_like(project_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Builds `project_copy` again and again in this process, as `mkdocs serve` does."""
    monkeypatch.chdir(project_copy)
    site = project_copy / "site"

    def rebuild() -> Path:
        config = load_config("mkdocs.yml", site_dir=str(site), strict=True)
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
        return site

    return rebuild


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_to_the_glossary_is_seen_by_the_next_build_in_the_same_process(
    serve_like, project_copy
):
    before = (serve_like() / "allyship" / "index.html").read_text(encoding="utf-8")
    assert "The ongoing practice of being an ally" in before
    glossary = project_copy / "docs" / "glossary.yml"
    replace_in(glossary, "The ongoing practice of being an ally", "The lasting practice of an ally")
    after = (serve_like() / "allyship" / "index.html").read_text(encoding="utf-8")
    assert "The lasting practice of an ally" in after
    glossary_page = project_copy / "site" / "glossary" / "index.html"
    assert "The lasting practice of an ally" in glossary_page.read_text(encoding="utf-8")


def test_a_broken_glossary_edit_fails_the_next_build_in_the_same_process(
    serve_like, project_copy, caplog
):
    serve_like()
    replace_in(project_copy / "docs" / "glossary.yml", "  - id: ableism", "  - id: Ableism")
    with pytest.raises(Abort):
        serve_like()
    assert "glossary.yml" in caplog.text and "Ableism" in caplog.text


def test_a_card_is_kept_while_its_inputs_are_the_same_and_redrawn_when_they_change():
    card = start_card("A title", "A description.", "A site")
    assert start_card("A title", "A description.", "A site") is card
    changed = start_card("A title", "Another description.", "A site")
    assert changed is not card
    assert changed.result() != card.result()


def test_a_card_kept_by_one_build_is_read_not_drawn_by_the_next(tmp_path, monkeypatch):
    drawn = start_card("Kept", "A card kept between builds.", "A site", tmp_path).result()
    assert [path.read_bytes() for path in tmp_path.iterdir()] == [drawn]
    # The next build is another process: nothing in memory, the card on disk.
    monkeypatch.setattr(cards, "_drawn", {})
    monkeypatch.setattr(workers, "defer", lambda *_: pytest.fail("the kept card was drawn"))
    assert start_card("Kept", "A card kept between builds.", "A site", tmp_path).result() == drawn


def test_a_card_with_other_words_is_kept_apart(tmp_path):
    start_card("Kept", "One description.", "A site", tmp_path).result()
    start_card("Kept", "Another description.", "A site", tmp_path).result()
    assert len(list(tmp_path.glob("*.png"))) == 2


def test_cards_are_not_kept_where_the_fonts_versions_are_unknown(tmp_path, monkeypatch):
    # A font that changed would otherwise leave cards drawn with the old one.
    monkeypatch.setattr(cards, "_drawing_identity", lambda: None)
    start_card("Not kept", "Fonts unknown.", "A site", tmp_path).result()
    assert list(tmp_path.iterdir()) == []


def test_only_the_edited_page_gets_a_new_card_in_the_next_build(serve_like, project_copy):
    site = serve_like()
    before = {page: (site / card_path(page)).read_bytes() for page in PAGES}
    replace_in(project_copy / "docs" / "allyship.md", "description: What allyship means",
               "description: What being an ally means")  # fmt: skip
    serve_like()
    after = {page: (site / card_path(page)).read_bytes() for page in PAGES}
    assert [page for page in PAGES if after[page] != before[page]] == ["allyship/"]


def test_site_only_build_makes_the_pages_but_no_pdf_or_offline_zip(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    result = subprocess.run(
        [sys.executable, "-m", "bridges.build", "--site-only", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for page in PAGES:
        assert (site / page / "index.html").is_file()
        assert (site / card_path(page)).is_file()
    assert (site / "search" / "search_index.json").is_file()
    assert (site / "_headers").is_file()
    assert not list(site.rglob("*.pdf")) and not list(site.rglob("*.zip")), sorted(site.iterdir())


def test_one_process_builds_the_same_site_twice_without_waiting_on_itself(project_copy):
    """As the benchmark does: the card worker forked by the first build must not keep
    the first build's lock on the site folder."""
    script = (
        "import sys; from pathlib import Path; from bridges.build import build_site\n"
        "for _ in range(2): build_site(Path('site'), site_only=True)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=project_copy,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Waiting for another build" not in result.stderr


# Memory given back between steps ---------------------------------------------------


def a_book(site: Path) -> Book:
    settings = SimpleNamespace(
        site_name="Building Bridges",
        site_url="https://example.org/",
        site_author="Building Bridges",
        site_description="A test.",
    )
    chapter = Chapter("one", "One", '<h1 id="one">One</h1><p>Text.</p>', False)
    return Book(settings, site, [chapter], datetime(2026, 1, 1, tzinfo=UTC))


def test_a_part_of_the_pdf_is_laid_out_by_a_plain_subprocess(site, monkeypatch):
    commands = []
    run = subprocess.run

    def recorded(command, **options):
        commands.append(command)
        return run(command, **options)

    monkeypatch.setattr(subprocess, "run", recorded)
    pages, starts = PartLayouts(a_book(site), WeasyPrintProblems()).run("count", part=["one"])
    assert pages == 1 and starts == {"one": 1}
    assert commands == [[sys.executable, "-m", "bridges.pipeline.pdf_parts"]]


def test_a_part_that_fails_fails_the_pdf_here_with_its_own_message(site, tmp_path):
    layouts = PartLayouts(a_book(site), WeasyPrintProblems())
    with pytest.raises(PluginError, match="came out 1 pages long the second time, 99 the first"):
        layouts.run("part", part=["one"], first_page=1, total=99, pages=99,
                    target=str(tmp_path / "part.pdf"))  # fmt: skip


def test_a_full_build_makes_its_pages_in_a_process_that_has_ended_before_the_pdf(
    project_copy, tmp_path
):
    # The pages' memory is given back before WeasyPrint needs its own.
    script = (
        "import os, sys; from pathlib import Path\n"
        "import bridges.build as b\n"
        "pages, publications = [], []\n"
        "in_a_process, make_publications = b._pages_in_a_process, b.build_publications\n"
        "def pages_step(*args):\n"
        "    pages.append(os.getpid()); in_a_process(*args)\n"
        "def publications_step(config):\n"
        "    publications.append(os.getpid())\n"
        "    try:\n"
        "        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)\n"
        "        raise SystemExit('a child process is still there')\n"
        "    except ChildProcessError:\n"
        "        pass\n"
        "    make_publications(config)\n"
        "b._pages_in_a_process, b.build_publications = pages_step, publications_step\n"
        "b.bundle_offline = lambda *args: None\n"
        "b.build_site(Path('site'))\n"
        "print(pages == publications == [os.getpid()])\n"
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    result = subprocess.run([sys.executable, "-c", script], cwd=project_copy, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert (project_copy / "site" / "building-bridges.pdf").is_file()


def test_the_glossary_is_checked_for_code_once_per_version_not_once_per_page(
    serve_like, project_copy, monkeypatch
):
    checks: list[Path] = []
    check = safety.glossary_problems

    def counted(path: Path) -> list[str]:
        checks.append(path)
        return check(path)

    monkeypatch.setattr(safety, "glossary_problems", counted)
    serve_like()
    assert len(checks) == 1
    serve_like()
    assert len(checks) == 1
    replace_in(project_copy / "docs" / "glossary.yml", "The ongoing practice of being an ally",
               "The lasting practice of an ally")  # fmt: skip
    serve_like()
    assert len(checks) == 2


def test_cards_a_failed_build_left_undrawn_are_drawn_by_the_next_build(serve_like, project_copy):
    home = project_copy / "docs" / "index.md"
    replace_in(home, "[Allyship](allyship.md)", "[Allyship](no-such-page.md)")
    with pytest.raises(Abort):
        serve_like()
    replace_in(home, "[Allyship](no-such-page.md)", "[Allyship](allyship.md)")
    site = serve_like()
    for page in PAGES:
        assert (site / card_path(page)).is_file(), page


def test_materials_stylesheets_are_parsed_once_for_every_build_of_a_process(
    serve_like, monkeypatch
):
    # The offline bundle's build and every `mkdocs serve` rebuild reuse the parse.
    monkeypatch.setattr(stylesheets, "_parsing", {})
    parsed = []
    submit = workers.submit

    def counting(task, *args):
        if task is stylesheets.parse_sheet:
            parsed.append(args[0].name)
        return submit(task, *args)

    monkeypatch.setattr(workers, "submit", counting)
    serve_like()
    first = sorted(parsed)
    serve_like()
    assert first and sorted(parsed) == first
