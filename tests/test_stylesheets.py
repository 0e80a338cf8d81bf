"""The stylesheets: Material's CSS purged of what no page can use, split into
what the first view needs and what Material's bundle needs once it loads."""

from __future__ import annotations

from bridges.pipeline.stylesheets import (
    UsedNames,
    dark_without_javascript,
    minify,
    place_custom_properties,
    purge,
    split,
)

NAMES = UsedNames(
    in_pages={"md-header", "md-typeset", "data-md-color-scheme", "a", "p"},
    in_scripts={"md-header--shadow", "md-tabs__link", "focus-visible"},
    values={"slate", "custom"},
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
    assert purge("[data-md-color-scheme]{color:#fff}", NAMES)
    assert purge("[data-md-unknown]{color:#fff}", NAMES) == ""


def test_attribute_values_must_occur_too():
    assert purge("[data-md-color-scheme=slate]{color:#fff}", NAMES)
    assert purge('[data-md-color-scheme="red"]{color:red}', NAMES) == ""


def test_elements_no_page_has_are_dropped():
    assert purge(".md-typeset a{color:red}", NAMES)
    assert purge(".md-typeset table{width:100%}", NAMES) == ""


def test_names_inside_not_are_not_needed():
    assert purge(".md-typeset a:not(.md-banner){color:red}", NAMES)


def test_is_needs_one_used_alternative():
    assert purge(".md-typeset :is(.md-banner,p){margin:0}", NAMES)
    assert purge(".md-typeset :is(.md-banner,table){margin:0}", NAMES) == ""


def test_rules_only_a_later_script_needs_go_to_the_on_demand_sheet():
    first_view = UsedNames({"md-search", "md-search-result"}, set())
    everything = UsedNames({"md-search", "md-search-result"}, {"md-search-result__item"})
    css = ".md-search{a:b}.md-search-result__item{c:d}.md-banner{e:f}"
    assert split(css, first_view, everything) == (".md-search{a:b}", ".md-search-result__item{c:d}")


def test_custom_properties_nobody_reads_go():
    first, later = place_custom_properties(":root{--used:1;--unused:2}.a{b:var(--used)}", "", "")
    assert first == ":root{--used:1}.a{b:var(--used)}" and later == ""


def test_custom_properties_only_the_on_demand_sheet_reads_move_there():
    first, later = place_custom_properties(":root{--late:1;color:red}", ".x{y:var(--late)}", "")
    assert first == ":root{color:red}"
    assert later == ":root{--late:1}.x{y:var(--late)}"


def test_custom_properties_our_stylesheet_or_scripts_read_stay():
    css = ":root{--ours:1;--script:2}"
    readers = '.a{b:var(--ours)} getPropertyValue("--script")'
    assert place_custom_properties(css, "", readers)[0] == ":root{--ours:1;--script:2}"


def test_without_javascript_a_dark_system_gets_the_slate_rules():
    css = "@media screen{[data-md-color-scheme=slate]{--bg:#000}}.a{b:c}"
    assert dark_without_javascript(css) == (
        "@media screen and (prefers-color-scheme:dark)"
        "{.no-js [data-md-color-scheme=default]{--bg:#000}}"
    )


def test_our_stylesheet_is_minified_without_changing_selectors():
    css = "/* why */\n.md-typeset :hover > .bb-share {\n  opacity: 1;\n}\n"
    assert minify(css) == ".md-typeset :hover > .bb-share{opacity: 1}"


def test_pages_link_only_the_first_view_stylesheet(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "stylesheet" in html:
            assert html.count('rel="stylesheet"') == 1, page
            assert "assets/stylesheets/site." in html, page


def test_the_on_demand_stylesheet_shares_the_first_views_fingerprint(site):
    folder = site / "assets" / "stylesheets"
    (first,) = folder.glob("site.*.min.css")
    assert (folder / first.name.replace("site.", "site-on-demand.")).exists()
