"""The first view: a page loads its HTML, one stylesheet and bridges.js, and
every control works from there; Material's bundle loads when search is first
used. Without JavaScript every page reads, links and follows the system theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2

from conftest import PAGES, ROOT

BRIDGES_CSS = ROOT / "docs" / "assets" / "stylesheets" / "bridges.css"
MATERIAL_BASE = Path(__import__("material").__file__).parent / "templates" / "base.html"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


# Built pages and stylesheets ----------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_bridges_js_but_not_materials_bundle(html, site, path):
    scripts = [s["src"] for s in html(path).select("script[src]")]
    assert not [src for src in scripts if "/bundle." in src], scripts
    (bridges,) = html(path).select("script[data-material-bundle]")
    assert bridges["src"].endswith("assets/javascripts/bridges.js")
    assert (site / path / bridges["data-material-bundle"]).resolve().is_file()


@pytest.mark.parametrize("path", PAGES)
def test_the_bundle_bridges_js_loads_is_the_one_material_ships(html, path):
    """overrides/main.html takes the address from Material's own scripts block."""
    (bridges,) = html(path).select("script[data-material-bundle]")
    materials = re.search(r"bundle\.\w+\.min\.js", MATERIAL_BASE.read_text(encoding="utf-8"))
    assert bridges["data-material-bundle"].rsplit("/", 1)[-1] == materials.group()


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_at_most_two_inline_scripts(html, path):
    inline = [s for s in html(path).select("script:not([src])") if s.get("type") is None]
    assert len(inline) <= 2, [s.text[:60] for s in inline]


def test_theme_toggle_is_one_named_button_per_scheme(html):
    toggles = html("allyship/").select("button.bb-palette__toggle")
    assert {t["aria-label"] for t in toggles} == {"Switch to dark mode", "Switch to light mode"}
    assert {t["data-bb-scheme"] for t in toggles} == {"default", "slate"}


def test_menu_opener_is_a_button_exposing_its_state(html):
    (button,) = html("allyship/").select(".md-header button.bb-header__menu")
    assert "navigation" in button["aria-label"].lower()
    assert button["aria-expanded"] == "false"


def test_search_results_area_is_no_tab_stop_of_its_own(html):
    assert html("").select_one(".md-search__scrollwrap").get("tabindex") is None


def css_rules(path: Path):
    """(media condition, selector, declarations) of each rule in a stylesheet."""
    for rule in tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), True, True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            media = tinycss2.serialize(rule.prelude).strip()
            inner = tinycss2.parse_rule_list(rule.content, True, True)
        else:
            media, inner = "", [rule]
        for item in inner:
            if item.type == "qualified-rule":
                declarations = tinycss2.parse_blocks_contents(item.content, True, True)
                names = {d.name for d in declarations if d.type == "declaration"}
                yield media, tinycss2.serialize(item.prelude).strip(), names


def test_glossary_terms_are_underlined_with_longhands_webkit_keeps():
    # WebKit drops a `text-decoration` shorthand that carries a colour.
    rules = [
        names
        for _, selector, names in css_rules(BRIDGES_CSS)
        if selector == ".md-typeset a.bb-term"
    ]
    screen = rules[0]
    assert {"text-decoration-line", "text-decoration-style", "text-decoration-color"} <= screen
    assert "text-decoration" not in screen


def test_the_dark_palette_applies_to_screens_only():
    palette = '[data-md-color-scheme="slate"]'
    dark = [media for media, selector, _ in css_rules(BRIDGES_CSS) if selector == palette]
    assert dark and all(media == "screen" for media in dark), dark


def test_without_javascript_a_dark_system_gets_the_dark_palette(site):
    (sheet,) = (site / "assets" / "stylesheets").glob("site.*.min.css")
    css = sheet.read_text(encoding="utf-8")
    block = css[css.index("@media screen and (prefers-color-scheme:dark)") :]
    assert re.search(r"\.no-js \[data-md-color-scheme=default\]\{[^}]*--md-default-bg-color", block)


# In the browser ------------------------------------------------------------------


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two computed `rgb(...)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def open_page(browser, server, path, *, scheme="light", viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, **options)
    tab = context.new_page()
    tab.goto(server + path, wait_until="networkidle")
    return context, tab


FOCUSED = """() => {
  const el = document.activeElement;
  return el === document.body ? null : {
    cls: typeof el.className === 'string' ? el.className : '',
    name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40),
    width: el.getBoundingClientRect().width, height: el.getBoundingClientRect().height,
  };
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "allyship/", "glossary/"])
def test_first_view_is_the_page_its_stylesheet_and_bridges_js(browser, server, path):
    context = browser.new_context()
    tab = context.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url.removeprefix(server)))
    tab.goto(server + path, wait_until="networkidle")
    context.close()
    assert len(requested) == 3, requested
    assert requested[0] == path
    assert re.fullmatch(r"assets/stylesheets/site\.\w+\.min\.css", requested[1]), requested
    assert requested[2] == "assets/javascripts/bridges.js"


@pytest.mark.browser
def test_search_shortcut_loads_search_and_keeps_every_keystroke(browser, server):
    context, tab = open_page(browser, server, "coalitions/")
    tab.keyboard.press("/")
    tab.keyboard.type("solidarity", delay=0)
    tab.locator(".md-search-result__item").first.wait_for()
    assert tab.input_value("input.md-search__input") == "solidarity"
    assert tab.locator(".md-search-result__item").count() >= 2
    context.close()


@pytest.mark.browser
def test_search_opened_on_an_address_with_a_fragment_stays_open(browser, server):
    context, tab = open_page(browser, server, "allyship/#paragraph-2")
    tab.locator("input.md-search__input").click()
    tab.keyboard.type("allies")
    tab.locator(".md-search-result__item").first.wait_for()
    tab.wait_for_timeout(400)  # Material closes search 125 ms after it starts on a fragment
    assert tab.evaluate("document.getElementById('__search').checked")
    assert tab.evaluate("location.hash") == "#paragraph-2"
    context.close()


@pytest.mark.browser
def test_tab_out_of_search_moves_on_to_the_navigation(browser, server):
    context, tab = open_page(browser, server, "allyship/")
    tab.locator("input.md-search__input").click()
    tab.keyboard.type("allies")
    tab.locator(".md-search-result__item").first.wait_for()
    tab.keyboard.press("Tab")
    assert "md-nav__link" in tab.evaluate(FOCUSED)["cls"]
    assert not tab.evaluate("document.getElementById('__search').checked")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("key", ["Space", "Enter"])
def test_theme_toggle_works_from_the_keyboard_in_both_schemes(browser, server, scheme, key):
    context, tab = open_page(browser, server, "allyship/", scheme=scheme)
    start = tab.evaluate("document.body.dataset.mdColorScheme")
    name = "Switch to dark mode" if scheme == "light" else "Switch to light mode"
    tab.get_by_role("button", name=name).focus()
    tab.keyboard.press(key)
    assert tab.evaluate("document.body.dataset.mdColorScheme") != start
    # The keyboard stays on the toggle, which now offers the way back.
    tab.keyboard.press(key)
    assert tab.evaluate("document.body.dataset.mdColorScheme") == start
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_toggle_focus_ring_stands_out_from_the_header(browser, server, scheme):
    context, tab = open_page(browser, server, "allyship/", scheme=scheme)
    for _ in range(3):
        tab.keyboard.press("Tab")
        if "bb-palette__toggle" in tab.evaluate(FOCUSED)["cls"]:
            break
    ring, header = tab.evaluate(
        """() => [getComputedStyle(document.activeElement),
                  getComputedStyle(document.querySelector('.md-header'))]
               .map((style, i) => i ? style.backgroundColor
                 : [style.outlineStyle, style.outlineWidth, style.outlineColor])"""
    )
    assert ring[0] == "solid" and float(ring[1].removesuffix("px")) >= 2
    assert contrast(ring[2], header) >= 3, (ring, header)
    context.close()


RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  // What is behind the ring: the backgrounds under it, see-through ones blended
  // over what is below them. An inner ring (negative offset) lies on the element.
  const layers = [];
  let node = parseFloat(style.outlineOffset) < 0 ? el : el.parentElement;
  for (; node; node = node.parentElement) {
    const [r, g, b, a = 1] = getComputedStyle(node).backgroundColor.match(/[\\d.]+/g).map(Number);
    if (a > 0) layers.push([r, g, b, a]);
    if (a === 1) break;
  }
  let behind = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) {
    behind = [r, g, b].map((c, i) => a * c + (1 - a) * behind[i]);
  }
  return {name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, background: `rgb(${behind.map(Math.round).join(', ')})`};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_focus_ring_contrasts_3_to_1_with_what_is_behind_it(
    browser, server, scheme, viewport
):
    context, tab = open_page(browser, server, "allyship/", scheme=scheme, viewport=viewport)
    if viewport is PHONE:  # the drawer's links too
        tab.get_by_role("button", name="Navigation menu").click()
        tab.evaluate("document.activeElement.blur()")
    weak = []
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement === document.body"):
            break
        if tab.evaluate("document.activeElement.matches('input')"):
            tab.wait_for_timeout(300)  # the search box fades to the page colour
        ring = tab.evaluate(RING)
        solid = ring["style"] != "none" and ring["width"] >= 2
        if not solid or contrast(ring["colour"], ring["background"]) < 3:
            weak.append(ring)
    assert not weak, weak
    context.close()


@pytest.mark.browser
def test_phone_menu_button_opens_the_drawer_and_the_closed_drawer_is_inert(browser, server):
    context, tab = open_page(browser, server, "allyship/", viewport=PHONE)
    drawer = tab.locator(".md-sidebar--primary")
    menu = tab.get_by_role("button", name="Navigation menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert drawer.evaluate("el => el.inert")
    menu.focus()
    tab.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert not drawer.evaluate("el => el.inert")
    assert drawer.evaluate("el => el.contains(document.activeElement)")
    tab.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert tab.evaluate(FOCUSED)["name"] == "Navigation menu"
    context.close()


@pytest.mark.browser
def test_in_the_phone_drawer_the_keyboard_opens_and_closes_the_pages_contents(browser, server):
    context, tab = open_page(browser, server, "allyship/", viewport=PHONE)
    tab.get_by_role("button", name="Navigation menu").click()
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.htmlFor") == "__toc"
    tab.keyboard.press("Enter")
    contents = tab.locator(".md-sidebar--primary .md-nav--secondary a.md-nav__link").first
    contents.wait_for()
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.hash") == "#the-power-of-allyship"
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press(" ")
    assert not tab.evaluate("document.getElementById('__toc').checked")
    assert tab.evaluate("document.activeElement.htmlFor") == "__toc"
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("viewport", "drawer"),
    [(DESKTOP, "closed"), (PHONE, "closed"), (PHONE, "open")],
    ids=["desktop", "phone", "phone-drawer-open"],
)
def test_every_tab_stop_is_visible(browser, server, viewport, drawer):
    context, tab = open_page(browser, server, "allyship/", viewport=viewport)
    if drawer == "open":
        tab.get_by_role("button", name="Navigation menu").click()
        tab.wait_for_timeout(300)
    for _ in range(40):
        tab.keyboard.press("Tab")
        focused = tab.evaluate(FOCUSED)
        if focused is None:
            break
        assert focused["width"] > 0 and focused["height"] > 0, focused
        assert not tab.evaluate(
            "!document.activeElement.checkVisibility({visibilityProperty: true})"
        ), focused
    context.close()


@pytest.mark.browser
def test_table_of_contents_follows_the_reader_before_search_is_used(browser, server):
    context, tab = open_page(browser, server, "about/", viewport={"width": 1280, "height": 500})
    links = tab.locator(".md-sidebar--secondary a.md-nav__link")
    assert links.count() >= 2
    last = links.last.get_attribute("href")
    tab.evaluate("scrollTo(0, document.body.scrollHeight)")
    tab.wait_for_timeout(200)
    active = tab.locator(".md-sidebar--secondary a.md-nav__link--active")
    assert active.count() == 1 and active.get_attribute("href") == last
    assert "md-header__title--active" in tab.locator(".md-header__title").get_attribute("class")
    context.close()


@pytest.mark.browser
def test_n_and_p_go_to_the_next_and_previous_page(browser, server):
    context, tab = open_page(browser, server, "allyship/")
    tab.keyboard.press("n")
    tab.wait_for_url("**/coalitions/")
    tab.keyboard.press("p")
    tab.wait_for_url("**/allyship/")
    context.close()


@pytest.mark.browser
def test_the_skip_link_does_not_highlight_its_target_as_a_shared_link(browser, server):
    context, tab = open_page(browser, server, "allyship/")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    tab.wait_for_function("location.hash === '#allyship'")
    tab.wait_for_timeout(100)
    assert "bb-landed" not in (tab.locator("#allyship").get_attribute("class") or "")
    context.close()


@pytest.mark.browser
def test_printing_in_the_dark_scheme_gives_dark_ink_on_white(browser, server):
    context, tab = open_page(browser, server, "allyship/", scheme="dark")
    assert tab.evaluate("document.body.dataset.mdColorScheme") == "slate"
    tab.emulate_media(media="print")
    tab.wait_for_timeout(300)  # Material fades link colours
    colours = tab.evaluate(
        """() => ['.bb-related a', '.essay p', 'a.bb-term'].map(
             s => getComputedStyle(document.querySelector(s)).color)"""
    )
    for colour in colours:
        assert contrast(colour, "rgb(255, 255, 255)") >= 4.5, colours
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_without_javascript_pages_read_and_follow_the_system_theme(browser, server, scheme):
    context, tab = open_page(browser, server, "allyship/", scheme=scheme, java_script_enabled=False)
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    white = contrast(background, "rgb(255, 255, 255)")
    assert (white < 1.5) if scheme == "light" else (white > 10), background
    assert tab.locator("#paragraph-2").is_visible()
    assert tab.locator(".bb-palette").is_hidden()
    tab.locator(".md-sidebar--primary a.md-nav__link", has_text="Coalitions").click()
    tab.wait_for_url("**/coalitions/")
    context.close()


@pytest.mark.browser
def test_without_javascript_the_phone_menu_still_opens(browser, server):
    context, tab = open_page(
        browser, server, "allyship/", viewport=PHONE, java_script_enabled=False
    )
    tab.locator("label.bb-header__menu-fallback").click()
    tab.wait_for_timeout(400)
    assert tab.locator(".md-sidebar--primary a.md-nav__link", has_text="Coalitions").is_visible()
    context.close()


@pytest.mark.browser
def test_controls_keep_working_once_material_has_loaded(browser, server):
    context, tab = open_page(browser, server, "allyship/")
    tab.locator("input.md-search__input").click()
    tab.keyboard.type("allies")
    tab.locator(".md-search-result__item").first.wait_for()
    tab.keyboard.press("Escape")
    tab.get_by_role("button", name="Switch to dark mode").click()
    assert tab.evaluate("document.body.dataset.mdColorScheme") == "slate"
    tab.locator("a.bb-term[data-term=privilege]").hover()
    assert tab.locator("#bb-tooltip").is_visible()
    sheets = tab.evaluate("[...document.styleSheets].map(s => s.href)")
    assert any("/site-on-demand." in sheet for sheet in sheets), sheets
    context.close()
