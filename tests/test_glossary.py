"""Glossary terms: defined once, linked at first use, never changing the text.

These check the built site with the site's own glossary. How the extension links a
term (where, to what, with which definition), term links an editor writes and the
glossary page are specified in-process in tests/extensions/test_glossary.py.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from conftest import TEXT_PAGES, load_terms, run_build, url_of

GLOSSARY = load_terms()
TERMS = {term["id"]: term for term in GLOSSARY}
SKIPPED = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "button", "script", "style"}


def phrases(term: dict) -> list[str]:
    words = term.get("matches", [term["term"]])
    return words + [word + ending for word in words for ending in term.get("endings", [])]


def term_pattern(term: dict) -> re.Pattern[str]:
    words = sorted(phrases(term), key=len, reverse=True)
    alternatives = "|".join(re.escape(p).replace("'", "['’]") for p in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def linkable_text(article) -> str:
    """The article's text where terms may be linked, with links' own text included."""
    parts = []
    for text in article.find_all(string=True):
        parents = {p.name for p in text.parents}
        classes = {c for p in text.parents for c in p.get("class", [])}
        in_term_link = any("bb-term" in p.get("class", []) for p in text.parents)
        if classes & {"admonition-title", "bb-definitions", "bb-no-glossary", "bb-related"}:
            continue
        if parents & SKIPPED and not in_term_link:
            continue
        parts.append(f"\x00{text}" if in_term_link else str(text))
    return "".join(parts)


def test_glossary_file_lists_terms_in_alphabetical_order_ignoring_accents():
    names = [folded(term["term"]) for term in GLOSSARY]
    assert names == sorted(names)


def test_intersectionality_cites_crenshaw():
    assert "Crenshaw" in TERMS["intersectionality"]["source"]
    assert "1989" in TERMS["intersectionality"]["source"]


@pytest.mark.parametrize("term_id", sorted(TERMS))
def test_every_term_has_its_anchor_on_the_glossary_page(html, term_id):
    heading = html("glossary/").find(id=term_id)
    assert heading is not None and heading.name == "h3"
    assert heading.get_text(strip=True) == TERMS[term_id]["term"]


def test_letter_index_links_to_every_letter_heading(html):
    soup = html("glossary/")
    letters = {folded(term["term"])[0] for term in GLOSSARY}
    index = [a["href"] for a in soup.select(".bb-letter-index a")]
    assert index == [f"#letter-{letter}" for letter in sorted(letters)]
    for target in index:
        assert soup.find(id=target[1:]) is not None


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_first_occurrence_of_each_term_links_and_later_ones_do_not(html, path):
    article = html(path).find("article")
    text = linkable_text(article)
    for term_id, term in TERMS.items():
        links = article.select(f"a.bb-term[data-term={term_id}]")
        first = term_pattern(term).search(text)
        if first is None:
            assert not links, f"{path}: {term_id} linked but not used"
            continue
        assert len(links) == 1, f"{path}: {term_id} should link exactly once"
        assert text[first.start() - 1] == "\x00", f"{path}: {term_id} first use is not the link"


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_term_links_name_their_definition(html, path):
    """The definition a term link points to (described only while focused: bridges.js)."""
    soup = html(path)
    for link in soup.select("a.bb-term"):
        assert not link.has_attr("aria-describedby"), "read inside every sentence"
        definition = soup.find(id=link["data-bb-definition"])
        assert definition is not None
        assert definition.get_text() == " ".join(TERMS[link["data-term"]]["definition"].split())
    assert soup.select_one("aside.bb-definitions[hidden]") is not None


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_links_from_the_text_never_point_to_their_own_page(html, path):
    for link in html(path).select("article a.bb-term"):
        assert link["href"] not in ("./", "", "#"), link
        assert not link["href"].startswith("#"), link


def expected_term_href(term: dict, path: str) -> str:
    """A term with a chapter links there, except on that chapter; others to the glossary."""
    up = "../" if path else ""
    topic = url_of(term["topic"]) if term.get("topic") else None
    if topic is not None and topic != path:
        return up + topic if topic or up else "./"
    return f"{up}glossary/#{term['id']}"


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_terms_link_to_their_chapter_elsewhere_and_to_the_glossary_on_it(html, path):
    for link in html(path).select("article a.bb-term"):
        assert link["href"] == expected_term_href(TERMS[link["data-term"]], path), link


def test_used_in_lists_exactly_the_pages_that_link_the_term(html):
    glossary = html("glossary/")
    for term_id in TERMS:
        entry = glossary.find(id=term_id).find_parent(class_="bb-entry")
        used = entry.find(string=re.compile("Used in"))
        listed = {a["href"] for a in used.parent.find_all("a")} if used else set()
        linking = {
            "../" + path if path else "../"
            for path in TEXT_PAGES
            if html(path).select_one(f"article a.bb-term[data-term={term_id}]")
        }
        assert listed == linking, term_id


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_unused_term_is_reported(fixture_site, tmp_path):
    data = fixture_site / "docs" / "glossary.yml"
    write(
        data,
        data.read_text(encoding="utf-8")
        + ("\n  - id: zeitgeist\n    term: Zeitgeist\n    definition: The spirit of an age.\n"),
    )
    result = run_build(fixture_site, tmp_path / "site", "--site-only")
    assert result.returncode == 0, result.output
    assert "'zeitgeist'" in result.output and "not used on any page" in result.output
