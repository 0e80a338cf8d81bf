"""The one stylesheet a page: Material's CSS purged of what no page can use."""

from __future__ import annotations

from bridges.stylesheets import UsedNames, purge

NAMES = UsedNames(
    in_pages={"md-header", "md-typeset", "data-md-color-scheme"},
    in_scripts={"md-header--shadow", "md-tabs__link", "focus-visible"},
)


def test_rules_for_classes_on_the_pages_are_kept():
    assert purge(".md-header{color:red}", NAMES) == ".md-header{color:red}"


def test_classes_scripts_add_to_a_component_on_the_page_are_kept():
    assert purge(".md-header--shadow{box-shadow:none}", NAMES)
    assert purge(".focus-visible{outline:auto}", NAMES)


def test_components_no_page_has_are_dropped():
    assert purge(".md-tabs__link{color:red}", NAMES) == ""
    assert purge(".md-banner{color:red}", NAMES) == ""


def test_only_the_unused_selectors_of_a_list_are_dropped():
    assert purge(".md-banner,.md-typeset p{margin:0}", NAMES) == ".md-typeset p{margin:0}"


def test_media_queries_keep_their_used_rules_and_vanish_when_empty():
    css = "@media print{.md-header{display:none}.md-banner{display:none}}@media screen{.x{a:b}}"
    assert purge(css, NAMES) == "@media print{.md-header{display:none}}"


def test_attribute_selectors_count_as_names():
    assert purge("[data-md-color-scheme=slate]{color:#fff}", NAMES)
    assert purge("[data-md-unknown]{color:#fff}", NAMES) == ""


def test_pages_link_only_the_combined_stylesheet(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "stylesheet" in html:
            assert html.count('rel="stylesheet"') == 1, page
            assert "assets/stylesheets/site." in html, page
