"""Glossary terms: defined once, linked at first use, never changing the text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_build

GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary.yml").read_text(encoding="utf-8"))["terms"]
TERMS = {term["id"]: term for term in GLOSSARY}
CHAPTERS = ["", "allyship/", "coalitions/", "intersectionality/", "solidarity/", "conclusion/"]
SKIPPED = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "button", "script", "style"}


def phrases(term: dict) -> list[str]:
    return term.get("matches", [term["term"]])


def term_pattern(term: dict) -> re.Pattern[str]:
    words = "|".join(re.escape(p) for p in sorted(phrases(term), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE)


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


def test_glossary_has_enough_terms_in_alphabetical_order():
    names = [term["term"].casefold() for term in GLOSSARY]
    assert 15 <= len(names) <= 25
    assert names == sorted(names)


@pytest.mark.parametrize(
    "required",
    [
        "ally",
        "allyship",
        "coalition",
        "coalition-building",
        "intersectionality",
        "solidarity",
        "privilege",
        "marginalization",
        "systemic-inequality",
        "equity",
        "social-justice",
        "amplification",
        "self-reflection",
        "discrimination",
        "ableism",
        "homophobia",
        "transphobia",
        "racism",
        "sexism",
    ],
)
def test_required_term_is_defined(required):
    assert required in TERMS


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
    letters = {term["term"][0].lower() for term in GLOSSARY}
    index = [a["href"] for a in soup.select(".bb-letter-index a")]
    assert index == [f"#letter-{letter}" for letter in sorted(letters)]
    for target in index:
        assert soup.find(id=target[1:]) is not None


@pytest.mark.parametrize("path", CHAPTERS)
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


@pytest.mark.parametrize("path", CHAPTERS)
def test_term_links_are_described_by_their_definition(html, path):
    soup = html(path)
    for link in soup.select("a.bb-term"):
        definition = soup.find(id=link["aria-describedby"])
        assert definition is not None
        assert definition.get_text() == " ".join(TERMS[link["data-term"]]["definition"].split())
    assert soup.select_one("aside.bb-definitions[hidden]") is not None


@pytest.mark.parametrize("path", CHAPTERS)
def test_links_from_the_text_never_point_to_their_own_page(html, path):
    for link in html(path).select("article a.bb-term"):
        assert link["href"] not in ("./", "", "#"), link
        assert not link["href"].startswith("#"), link


def test_topic_terms_cross_link_to_their_chapter(html):
    conclusion = html("conclusion/")
    assert conclusion.select_one("a.bb-term[data-term=allyship]")["href"] == "../allyship/"
    assert conclusion.select_one("a.bb-term[data-term=solidarity]")["href"] == "../solidarity/"
    intersectionality = html("intersectionality/")
    link = intersectionality.select_one("a.bb-term[data-term=intersectionality]")
    assert link["href"] == "../glossary/#intersectionality"


def test_non_topic_terms_link_to_their_glossary_entry(html):
    link = html("allyship/").select_one("a.bb-term[data-term=privilege]")
    assert link["href"] == "../glossary/#privilege"


def test_used_in_lists_exactly_the_pages_that_use_the_term(html):
    glossary = html("glossary/")
    for term_id in TERMS:
        entry = glossary.find(id=term_id).find_parent(class_="bb-entry")
        used = entry.find(string=re.compile("Used in"))
        listed = {a["href"] for a in used.parent.find_all("a")} if used else set()
        linking = {
            f"../{path}"
            for path in [*CHAPTERS, "about/"]
            if html(path).select_one(f"article a.bb-term[data-term={term_id}]")
        }
        assert listed == linking, term_id


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_explicit_term_links_to_its_entry(project_copy, tmp_path):
    page = project_copy / "docs" / "about.md"
    write(
        page,
        page.read_text(encoding="utf-8") + "\nThe essay speaks of [[equal rights|equality]].\n",
    )
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode == 0, result.output
    built = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert 'href="../glossary/#equality">equal rights</a>' in built


def test_see_also_to_unknown_term_fails_naming_the_glossary_file(project_copy, tmp_path):
    data = project_copy / "docs" / "glossary.yml"
    write(
        data,
        data.read_text(encoding="utf-8").replace(
            "see_also: [allyship, privilege]", "see_also: [allyship, privileges]"
        ),
    )
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "glossary.yml" in result.output and "privileges" in result.output


def test_unused_term_is_reported(project_copy, tmp_path):
    data = project_copy / "docs" / "glossary.yml"
    write(
        data,
        data.read_text(encoding="utf-8")
        + ("\n  - id: zeitgeist\n    term: Zeitgeist\n    definition: The spirit of an age.\n"),
    )
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode == 0, result.output
    assert "'zeitgeist'" in result.output and "not used on any page" in result.output
