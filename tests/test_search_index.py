"""Search finds the text itself: a definition leads to the glossary, the essay's
words to their chapter, never to the hidden "Terms on this page" blocks."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from conftest import ESSAY, ROOT

GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary.yml").read_text(encoding="utf-8"))["terms"]


def plain(text: str) -> str:
    """Index text without markup, entities or line breaks, for comparing with sources."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def locations_containing(site: Path, words: str) -> list[str]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    wanted = " ".join(words.split())
    return [doc["location"] for doc in index["docs"] if wanted in plain(doc["text"])]


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda term: term["id"])
def test_a_definition_is_found_on_the_glossary_only(site, term):
    definition = " ".join(term["definition"].split())
    assert locations_containing(site, definition) == [f"glossary/#{term['id']}"]


def test_essay_words_are_found_in_their_chapter_only(site):
    paragraphs = [p for p in ESSAY.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    for paragraph in paragraphs:
        first_sentence = re.split(r"(?<=[.!?])\s", paragraph.strip())[0]
        places = locations_containing(site, first_sentence)
        assert len(places) == 1, (first_sentence, places)
        assert not places[0].startswith("glossary/"), (first_sentence, places)


def test_the_hidden_definitions_stay_on_the_page_for_screen_readers_and_print(html):
    block = html("allyship/").select_one("aside.bb-definitions")
    assert block.has_attr("hidden") and block.has_attr("data-search-exclude")
    assert block.select_one("#bb-def-allyship") is not None


FIRST_RESULT_JS = (
    """() => document.querySelector(".md-search-result__item a")?.getAttribute("href")"""
)


def first_result_matching(tab, pattern: str) -> str | None:
    """The address of the first search result once it matches `pattern` (a regular
    expression), or the last one seen if it never does."""
    tab.wait_for(f"() => new RegExp({json.dumps(pattern)}).test(({FIRST_RESULT_JS})() ?? '')")
    return tab.evaluate(FIRST_RESULT_JS)


@pytest.mark.browser
@pytest.mark.feature("search finds the text")
def test_typing_a_definition_then_essay_words_into_search(desktop_tab, server, site):
    desktop_tab.goto(server + "allyship/")
    desktop_tab.click("input.md-search__input")
    definition = next(t for t in GLOSSARY if t["id"] == "privilege")["definition"]
    desktop_tab.type(" ".join(definition.split()[:6]))
    found = first_result_matching(desktop_tab, r"/glossary/")
    assert found and re.search(r"/glossary/", found), found
    sentence = "It is crucial to create spaces for open dialogue"
    chapter = locations_containing(site, sentence)[0].split("#")[0]
    assert chapter and not chapter.startswith("glossary/")
    desktop_tab.evaluate("() => { document.querySelector('input.md-search__input').value = ''; }")
    desktop_tab.type(sentence)
    found = first_result_matching(desktop_tab, f"/{re.escape(chapter)}")
    assert found and re.search(f"/{re.escape(chapter)}", found), found


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda term: term["id"])
def test_a_glossary_entry_in_search_lists_where_it_is_used_and_no_empty_bullet(site, term):
    # Material indexes a page before the hooks fill in the glossary's "Used in"
    # lists; an empty bullet showed in the results (the offline search too).
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entry = next(doc for doc in index["docs"] if doc["location"] == f"glossary/#{term['id']}")
    assert "<li></li>" not in entry["text"]
    assert "Used in:" in plain(entry["text"])
