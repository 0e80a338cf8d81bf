"""The glossary extension, in-process: where a term is linked, where the link leads,
the definitions a page carries, term links an editor writes, and the glossary page.

Pages are converted with the small glossary of `markdown_case` (ally, coalition,
coalition-building, mutual aid, privilege), or one the test writes: never the
site's own, so editing docs/glossary.yml cannot break these tests.
"""

from __future__ import annotations

import logging

import pytest

from bridges.extensions import glossary
from bridges.extensions.terms import GlossaryError, load_glossary
from conftest import as_text

from .markdown_case import SMALL_GLOSSARY, logged_errors

PAGE = "about.md"


def term_links(soup) -> list[tuple[str, str]]:
    """(term id, shown words) of each term link in the text, in order."""
    return [(a["data-term"], a.get_text()) for a in soup.select("p a.bb-term, li a.bb-term")]


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR, logger="mkdocs.bridges.glossary")
    return lambda: logged_errors(caplog.records)


# Where a term is linked -----------------------------------------------------------


def test_the_first_use_of_a_term_links_to_its_glossary_entry(project):
    html = project.convert("Every ally listens.", page=PAGE)
    assert html.split("\n")[0] == (
        '<p>Every <a class="bb-term" data-bb-definition="bb-def-ally" data-term="ally" '
        'href="glossary.md#ally">ally</a> listens.</p>'
    )


def test_later_uses_of_a_term_on_the_same_page_are_not_linked(project):
    soup = project.soup("An ally listens.\n\n## More {#more}\n\nAnother ally acts.", page=PAGE)
    assert term_links(soup) == [("ally", "ally")]


def test_the_linked_words_keep_their_case_and_form(project):
    soup = project.soup("ALLIES listen.", page=PAGE)
    assert term_links(soup) == [("ally", "ALLIES")]


def test_other_words_listed_under_matches_link_to_the_term(project):
    assert term_links(project.soup("Allies listen.", page=PAGE)) == [("ally", "Allies")]


def test_endings_link_other_forms_of_a_term(project):
    soup = project.soup("The privileged few, and two coalitions.", page=PAGE)
    assert term_links(soup) == [("privilege", "privileged"), ("coalition", "coalitions")]


def test_the_longest_words_win_over_words_they_contain(project):
    assert term_links(project.soup("Coalition-building is slow.", page=PAGE)) == [
        ("coalition-building", "Coalition-building")
    ]


def test_a_term_of_two_words_matches_across_a_line_break(project):
    assert term_links(project.soup("Some mutual\naid.", page=PAGE)) == [
        ("mutual-aid", "mutual\naid")
    ]


@pytest.mark.parametrize("text", ["Rallying.", "A non-ally.", "An ally-like stance.", "Allyship."])
def test_a_term_inside_another_word_is_not_linked(project, text):
    assert term_links(project.soup(text, page=PAGE)) == []


def test_straight_and_curly_apostrophes_match_each_other(project):
    project.write_glossary(
        "terms:\n  - id: peoples-assembly\n    term: People's assembly\n"
        "    definition: A meeting open to all.\n"
    )
    curly = project.soup("A people’s assembly met.", page=PAGE)
    straight = project.soup("A people's assembly met.", page="conclusion.md")
    assert term_links(curly) == [("peoples-assembly", "people’s assembly")]
    assert term_links(straight) == [("peoples-assembly", "people's assembly")]


# (Markdown where "ally" is written but never linked)
NOT_LINKED = [
    pytest.param("## Every ally {#every-ally}", id="heading"),
    pytest.param("[An ally](coalitions.md)", id="link"),
    pytest.param("The word `ally`.", id="code span"),
    pytest.param("```\nally\n```", id="fenced code"),
    pytest.param('!!! note "An ally"\n    Notes.', id="admonition title"),
    pytest.param("An ally.\n{: .bb-no-glossary }", id="class bb-no-glossary"),
    pytest.param("<p>An ally.</p>", id="raw HTML"),
    pytest.param("<!-- an ally -->", id="comment"),
    pytest.param("An ALLY.\n\n*[ALLY]: A friend", id="abbreviation"),
]


@pytest.mark.parametrize("source", NOT_LINKED)
def test_a_term_is_not_linked_where_a_link_cannot_be(project, source):
    assert project.soup(source, page=PAGE).select("a.bb-term") == []


@pytest.mark.parametrize("source", NOT_LINKED)
def test_the_first_use_where_a_link_can_be_is_the_one_linked(project, source):
    soup = project.soup(f"{source}\n\nAn ally listens.", page=PAGE)
    (link,) = soup.select("a.bb-term")
    assert link.get_text() == "ally" and link.parent.get_text() == "An ally listens."


def test_a_term_inside_an_html_block_marked_markdown_is_linked(project):
    soup = project.soup('<div class="essay" markdown>\nAn ally listens.\n</div>', page=PAGE)
    assert term_links(soup) == [("ally", "ally")]


def test_the_glossary_page_links_no_terms_in_its_own_text(project):
    source = (project.docs / "glossary.md").read_text(encoding="utf-8")
    soup = project.soup(source.replace("# Glossary\n", "# Glossary\n\nAllies help.\n"),
                        page="glossary.md")  # fmt: skip
    assert soup.select("a.bb-term") == [] and soup.select(".bb-definitions") == []


# Where the link leads -----------------------------------------------------------------


def test_a_term_with_a_chapter_links_to_the_chapter(project):
    (link,) = project.soup("A coalition.", page=PAGE).select("a.bb-term")
    assert link["href"] == "coalitions.md" and link["class"] == ["bb-term", "bb-crosslink"]


def test_on_its_own_chapter_a_term_links_to_its_glossary_entry(project):
    (link,) = project.soup("A coalition.", page="coalitions.md").select("a.bb-term")
    assert link["href"] == "glossary.md#coalition" and link["class"] == ["bb-term"]


def test_links_are_relative_to_the_page(project):
    links = project.soup("An ally in a coalition.", page="notes/field.md").select("a.bb-term")
    assert [a["href"] for a in links] == ["../glossary.md#ally", "../coalitions.md"]


# The definitions a page carries ---------------------------------------------------------


def test_each_term_link_names_its_definition_and_is_not_described_by_it(project):
    soup = project.soup("An ally in a coalition.", page=PAGE)
    for link in soup.select("a.bb-term"):
        assert link["data-bb-definition"] == f"bb-def-{link['data-term']}"
        assert soup.find(id=link["data-bb-definition"]).name == "dd"
        assert not link.has_attr("aria-describedby"), "read inside every sentence"


def test_the_page_ends_with_its_terms_definitions_hidden_in_order_of_first_use(project):
    soup = project.soup("A coalition of allies.", page=PAGE)
    block = soup.find_all(recursive=False)[-1]
    assert block.name == "aside" and block["class"] == ["bb-definitions"]
    assert block.has_attr("hidden") and block.has_attr("data-search-exclude")
    assert [(dt.get_text(), dt.find_next_sibling("dd")["id"]) for dt in block.find_all("dt")] == [
        ("Coalition", "bb-def-coalition"),
        ("Ally", "bb-def-ally"),
    ]


def test_a_definition_is_rendered_as_inline_markdown(project):
    dd = project.soup("An ally.", page=PAGE).find(id="bb-def-ally")
    assert dd.decode_contents() == "A person who <em>supports</em> a group they do not belong to."


def test_raw_html_in_a_definition_shows_as_typed(project):
    project.write_glossary(
        "terms:\n  - id: ally\n    term: Ally\n    definition: A <b>bold</b> & brave friend.\n"
    )
    dd = project.soup("An ally.", page=PAGE).find(id="bb-def-ally")
    assert dd.get_text() == "A <b>bold</b> & brave friend." and dd.find("b") is None


def test_a_page_without_terms_carries_no_definitions(project):
    assert project.convert("Nothing to define.", page=PAGE) == "<p>Nothing to define.</p>"


# Term links an editor writes ------------------------------------------------------------


def test_an_explicit_term_link_shows_the_words_written(project):
    soup = project.soup("The essay speaks of [[helping out|mutual-aid]].", page=PAGE)
    assert term_links(soup) == [("mutual-aid", "helping out")]
    assert soup.select_one("a.bb-term")["href"] == "glossary.md#mutual-aid"


def test_an_explicit_term_link_by_id_shows_the_terms_name(project):
    assert term_links(project.soup("See [[mutual-aid]].", page=PAGE)) == [
        ("mutual-aid", "Mutual aid")
    ]


def test_an_explicit_term_link_by_words_of_the_text_shows_them_as_written(project):
    assert term_links(project.soup("See [[allies]].", page=PAGE)) == [("ally", "allies")]


def test_an_explicit_term_link_counts_as_the_first_use(project):
    soup = project.soup("[[An ally|ally]] first; an ally later.", page=PAGE)
    assert term_links(soup) == [("ally", "An ally")]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        pytest.param("[[ally|]]", "'[[ally|]]' is not a term link: write [[id]] or "
                     "[[shown words|id]].", id="without id"),
        pytest.param("[[|ally]]", "'[[|ally]]' is not a term link: write [[id]] or "
                     "[[shown words|id]].", id="without words"),
        pytest.param("[[a|b|ally]]", "'[[a|b|ally]]' is not a term link: write [[id]] or "
                     "[[shown words|id]].", id="three parts"),
        pytest.param("[[comradery]]", "unknown glossary term '[[comradery]]'. Fix the spelling, "
                     "or add a term with id 'comradery' to docs/glossary.yml.", id="unknown id"),
    ],
)  # fmt: skip
def test_a_broken_term_link_is_one_error_with_the_page_line_and_fix(
    project, errors, written, message
):
    soup = project.soup(f"---\ntitle: About\n---\n\n# About\n\nA {written} here.\n", page=PAGE)
    assert errors() == [f"docs/{PAGE}, line 7: {message}"]
    assert soup.find("p").get_text() == f"A {written} here.", "the text is kept as written"


def test_a_broken_term_link_raises_in_any_markdown_host(project):
    with pytest.raises(GlossaryError, match=r"unknown glossary term '\[\[comradery\]\]'"):
        project.convert("A [[comradery]].")


# Which pages use a term --------------------------------------------------------------------


def test_a_converted_page_shows_the_terms_it_links_for_their_used_in_lists(project):
    html = project.convert("[[Allies|ally]] and a coalition, and an ally again.", page=PAGE)
    assert glossary.linked_terms(html) == {"ally", "coalition"}


def test_terms_in_raw_html_and_comments_are_not_uses(project):
    html = project.convert("Text.\n\n<!-- ally -->\n\n<p>Ally</p>\n", page=PAGE)
    assert glossary.linked_terms(html) == set()


# The glossary page -------------------------------------------------------------------------


def glossary_page(project):
    return project.soup((project.docs / "glossary.md").read_text(encoding="utf-8"),
                        page="glossary.md")  # fmt: skip


def test_the_glossary_page_lists_every_term_under_a_heading_with_its_id(project):
    entries = glossary_page(project).select(".bb-entry h3")
    assert [(h3["id"], h3.get_text()) for h3 in entries] == [
        ("ally", "Ally"),
        ("coalition", "Coalition"),
        ("coalition-building", "Coalition-building"),
        ("mutual-aid", "Mutual aid"),
        ("privilege", "Privilege"),
    ]


def test_the_letter_index_links_to_each_letter_heading(project):
    soup = glossary_page(project)
    index = [a["href"] for a in soup.select("nav.bb-letter-index a")]
    assert index == ["#letter-a", "#letter-c", "#letter-m", "#letter-p"]
    assert [h2["id"] for h2 in soup.select("h2.bb-letter")] == [i[1:] for i in index]


def test_an_entry_gives_its_definition_chapter_see_also_source_and_used_in_place(project):
    soup = glossary_page(project)
    coalition = soup.find(id="coalition").find_parent(class_="bb-entry")
    assert coalition.find("p").get_text() == "An alliance of groups working for a shared aim."
    facts = [li.decode_contents() for li in coalition.select(".bb-entry__facts li")]
    assert facts == [
        'Chapter: <a href="coalitions.md">Coalitions</a>',
        '<span data-bb-used-in="coalition"></span>',
        "Source: The essay, chapter 2.",
    ]
    ally = soup.find(id="ally").find_parent(class_="bb-entry")
    assert ally.select_one(".bb-entry__facts li").decode_contents() == (
        'See also: <a href="#coalition">Coalition</a>'
    )


def test_letter_groups_fold_accents_and_keep_other_scripts_and_symbols_apart(project):
    project.write_glossary(
        "terms:\n"
        "  - id: elitism\n    term: Élitism\n    definition: Rule by a few.\n"
        "  - id: empathy\n    term: Empathy\n    definition: Feeling with others.\n"
        "  - id: marhaba\n    term: مرحبا\n    definition: A greeting.\n"
        "  - id: number\n    term: 2SLGBTQ+\n    definition: A name.\n"
    )
    soup = glossary_page(project)
    headings = [(h2["id"], h2.get_text()) for h2 in soup.select("h2.bb-letter")]
    assert headings == [("letter-symbols", "#"), ("letter-e", "E"), ("letter-u0645", "م")]
    assert [h3["id"] for h3 in soup.select("h3")] == ["number", "elitism", "empathy", "marhaba"]


def test_editor_text_on_the_glossary_page_shows_as_typed(project):
    project.write_glossary(
        "terms:\n  - id: zebra\n    term: Zebra <b>&</b> *co*\n    definition: Stripes.\n"
        "    source: <img src=x onerror=alert(1)> [a](b)\n"
    )
    entry = glossary_page(project).find(id="zebra").find_parent(class_="bb-entry")
    assert entry.find("h3").get_text() == "Zebra <b>&</b> *co*"
    assert entry.select(".bb-entry__facts li")[-1].get_text() == (
        "Source: <img src=x onerror=alert(1)> [a](b)"
    )
    assert entry.find("img") is None and entry.find("b") is None


# The glossary file ------------------------------------------------------------------------------


def test_see_also_naming_no_term_is_one_problem_with_the_line(project):
    project.write_glossary(SMALL_GLOSSARY.replace("see_also: [coalition]", "see_also: [coalitoin]"))
    with pytest.raises(GlossaryError) as refused:
        load_glossary(project.docs.relative_to(project.root) / "glossary.yml", project.docs)
    assert as_text(refused.value.problems) == [
        "docs/glossary.yml, line 2: term 'ally' has see_also 'coalitoin', which is not a "
        "glossary id. Use the id of an existing term."
    ]
