"""The essay's words reach readers unchanged, in order, once each."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ESSAY, ROOT, url_of

SHARED_ESSAY = ROOT.parent / "shared" / "source" / "essay.txt"


def essay_text() -> str:
    return ESSAY.read_text(encoding="utf-8").strip()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def built_paragraphs(html, nav) -> list[str]:
    """The text of every essay paragraph on the site, in navigation order."""
    paragraphs = []
    for _, source in nav:
        for container in html(url_of(source)).select("article .essay"):
            paragraphs += [p.get_text() for p in container.find_all("p")]
    return paragraphs


def test_project_copy_of_essay_matches_the_original_when_present():
    if SHARED_ESSAY.exists():
        assert essay_text() == SHARED_ESSAY.read_text(encoding="utf-8").strip()
    assert "one’s" in essay_text() and "intersectionality—the" in essay_text()


def test_joined_essay_paragraphs_equal_the_essay(html, nav):
    assert "\n\n".join(built_paragraphs(html, nav)) == essay_text()


def test_every_sentence_appears_verbatim_in_order_exactly_once(html, nav):
    built = "\n\n".join(built_paragraphs(html, nav))
    position = 0
    for sentence in sentences(essay_text()):
        assert built.count(sentence) == 1, f"not exactly once: {sentence!r}"
        found = built.find(sentence, position)
        assert found >= position, f"out of order: {sentence!r}"
        position = found + len(sentence)


def test_essay_containers_hold_only_essay_paragraphs(html, nav):
    for _, source in nav:
        for container in html(url_of(source)).select("article .essay"):
            assert [child.name for child in container.find_all(recursive=False)] == ["p"] * len(
                container.find_all("p")
            ), f"{source}: an essay container holds something other than paragraphs"


def test_each_numbered_paragraph_holds_that_paragraph_of_the_essay(html, nav):
    """`{: #paragraph-N }` in docs/ marks paragraph N of tests/data/essay.txt."""
    paragraphs = essay_text().split("\n\n")
    numbered = {
        p["id"]: p.get_text()
        for _, source in nav
        for p in html(url_of(source)).select("article .essay p[id^=paragraph-]")
    }
    assert numbered == {f"paragraph-{n}": text for n, text in enumerate(paragraphs, start=1)}


def test_essay_source_in_markdown_is_verbatim():
    """Editors cannot paraphrase by accident: every sentence is in docs/ as typed."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(ROOT, "docs").glob("*.md"))
    for sentence in sentences(essay_text()):
        assert sentence in sources, sentence
