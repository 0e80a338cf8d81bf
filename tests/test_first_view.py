"""The first view: a page loads its HTML, one stylesheet and bridges.js, and
every control works from there; Material's bundle loads when search is first
used. Without JavaScript every page reads, links and follows the system theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2

from conftest import PAGES, ROOT
from engines import Engine, Page

BRIDGES_CSS = ROOT / "docs" / "assets" / "stylesheets" / "bridges.css"
MATERIAL_BASE = Path(__import__("material").__file__).parent / "templates" / "base.html"
PHONE = (360, 740)
DESKTOP = (1280, 800)


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


def opener(engine: Engine, server: str):
    """Opens a site path in a fresh page of `engine` once the network is quiet; closes
    every page it opened when the test ends."""
    opened: list[Page] = []

    def open_(path: str, *, scheme: str = "light", size=DESKTOP, **options) -> Page:
        tab = engine.new_page(*size, scheme, **options)
        opened.append(tab)
        tab.goto(server + path, idle=True)
        return tab

    yield open_
    for tab in opened:
        tab.close()


@pytest.fixture
def open_page(chromium: Engine, server: str):
    """Opens pages in Chromium (see `opener`)."""
    yield from opener(chromium, server)


@pytest.fixture
def open_in_engine(engine: Engine, server: str):
    """Opens pages in each engine (see `opener`)."""
    yield from opener(engine, server)


FOCUSED = """() => {
  const el = document.activeElement;
  return el === document.body ? null : {
    cls: typeof el.className === 'string' ? el.className : '',
    name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40),
    width: el.getBoundingClientRect().width, height: el.getBoundingClientRect().height,
  };
}"""

SEARCH_INPUT = "input.md-search__input"
SEARCH_RESULT = ".md-search-result__item"
SEARCH_OPEN = "() => document.getElementById('__search').checked"
SCHEME = "() => document.body.dataset.mdColorScheme"
TRANSITIONS_ENDED = "() => document.getAnimations().every((a) => a.playState !== 'running')"


def settle(tab: Page, ms: int) -> None:
    """Lets `ms` of the page's own timers run, where the test waits for something
    NOT to happen (there is no condition to wait on)."""
    tab.evaluate("(ms) => new Promise((done) => setTimeout(done, ms))", ms)


def search_for(tab: Page, words: str) -> None:
    tab.click(SEARCH_INPUT)
    tab.type(words)
    assert tab.wait_for_visible(SEARCH_RESULT, timeout=10), f"no results for {words!r}"


def link_in(tab: Page, links: str, text: str) -> str:
    """A selector for the first of `links` whose text includes `text`."""
    return tab.evaluate(
        """(links, text) => {
          const link = [...document.querySelectorAll(links)]
            .find((a) => a.textContent.includes(text));
          if (!link) throw new Error(`none of ${links} says ${text}`);
          link.dataset.bbLink = text;
          return `[data-bb-link="${text}"]`;
        }""",
        links,
        text,
    )


@pytest.mark.browser
@pytest.mark.feature("first view: 3 requests")
@pytest.mark.parametrize("path", ["", "allyship/", "glossary/"])
def test_first_view_is_the_page_its_stylesheet_and_bridges_js(desktop_tab, server, path):
    desktop_tab.goto(server + path, idle=True)
    # Firefox prefetches the page that <link rel=next> names once the page is idle:
    # the browser reading ahead, not part of this page's view.
    ahead = desktop_tab.evaluate("() => document.querySelector('link[rel=next]')?.href")
    # Each address once: Firefox's speculative parser fetches the stylesheet twice.
    requested = list(
        dict.fromkeys(url.removeprefix(server) for url in desktop_tab.requests() if url != ahead)
    )
    assert len(requested) == 3, requested
    assert requested[0] == path
    assert re.fullmatch(r"assets/stylesheets/site\.\w+\.min\.css", requested[1]), requested
    assert requested[2] == "assets/javascripts/bridges.js"


@pytest.mark.browser
def test_search_shortcut_loads_search_and_keeps_every_keystroke(open_page):
    tab = open_page("coalitions/")
    tab.press("/")
    tab.type("solidarity")
    assert tab.wait_for_visible(SEARCH_RESULT, timeout=10)
    assert tab.evaluate("(s) => document.querySelector(s).value", SEARCH_INPUT) == "solidarity"
    assert tab.evaluate("(s) => document.querySelectorAll(s).length", SEARCH_RESULT) >= 2


@pytest.mark.browser
def test_search_opened_on_an_address_with_a_fragment_stays_open(open_page):
    tab = open_page("allyship/#paragraph-2")
    search_for(tab, "allies")
    settle(tab, 400)  # Material closes search 125 ms after it starts on a fragment
    assert tab.evaluate(SEARCH_OPEN)
    assert tab.evaluate("() => location.hash") == "#paragraph-2"


@pytest.mark.browser
def test_tab_out_of_search_moves_on_to_the_navigation(open_page):
    tab = open_page("allyship/")
    search_for(tab, "allies")
    tab.press("Tab")
    assert "md-nav__link" in tab.evaluate(FOCUSED)["cls"]
    assert not tab.evaluate(SEARCH_OPEN)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("key", ["Space", "Enter"])
def test_theme_toggle_works_from_the_keyboard_in_both_schemes(open_page, scheme, key):
    tab = open_page("allyship/", scheme=scheme)
    start = tab.evaluate(SCHEME)
    name = "Switch to dark mode" if scheme == "light" else "Switch to light mode"
    tab.focus(tab.role("button", name))
    tab.press(key)
    assert tab.evaluate(SCHEME) != start
    # The keyboard stays on the toggle, which now offers the way back.
    tab.press(key)
    assert tab.evaluate(SCHEME) == start


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_toggle_focus_ring_stands_out_from_the_header(open_page, scheme):
    tab = open_page("allyship/", scheme=scheme)
    for _ in range(3):
        tab.press("Tab")
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
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_focus_ring_contrasts_3_to_1_with_what_is_behind_it(open_page, scheme, size):
    tab = open_page("allyship/", scheme=scheme, size=size)
    if size is PHONE:  # the drawer's links too
        tab.click(tab.role("button", "Navigation menu"))
        tab.evaluate("() => document.activeElement.blur()")
    weak = []
    for _ in range(60):
        tab.press("Tab")
        if tab.evaluate("() => document.activeElement === document.body"):
            break
        if tab.evaluate("() => document.activeElement.matches('input')"):
            # The search box fades to the page colour: measure it faded.
            assert tab.wait_for(TRANSITIONS_ENDED), "the search box is still fading after 5 s"
        ring = tab.evaluate(RING)
        solid = ring["style"] != "none" and ring["width"] >= 2
        if not solid or contrast(ring["colour"], ring["background"]) < 3:
            weak.append(ring)
    assert not weak, weak


DRAWER = ".md-sidebar--primary"


@pytest.mark.browser
def test_phone_menu_button_opens_the_drawer_and_the_closed_drawer_is_inert(open_page):
    tab = open_page("allyship/", size=PHONE)
    menu = tab.role("button", "Navigation menu")
    inert = "(s) => document.querySelector(s).inert"
    assert tab.attribute(menu, "aria-expanded") == "false"
    assert tab.evaluate(inert, DRAWER)
    tab.focus(menu)
    tab.press("Enter")
    assert tab.attribute(menu, "aria-expanded") == "true"
    assert not tab.evaluate(inert, DRAWER)
    assert tab.evaluate("(s) => document.querySelector(s).contains(document.activeElement)", DRAWER)
    tab.press("Escape")
    assert tab.attribute(menu, "aria-expanded") == "false"
    assert tab.evaluate(FOCUSED)["name"] == "Navigation menu"


@pytest.mark.browser
def test_in_the_phone_drawer_the_keyboard_opens_and_closes_the_pages_contents(open_page):
    tab = open_page("allyship/", size=PHONE)
    tab.click(tab.role("button", "Navigation menu"))
    tab.press("Tab")
    assert tab.evaluate("() => document.activeElement.htmlFor") == "__toc"
    tab.press("Enter")
    assert tab.wait_for_visible(f"{DRAWER} .md-nav--secondary a.md-nav__link")
    tab.press("Tab")
    tab.press("Tab")
    assert tab.evaluate("() => document.activeElement.hash") == "#the-power-of-allyship"
    tab.press("Shift+Tab")
    tab.press("Space")
    assert not tab.evaluate("() => document.getElementById('__toc').checked")
    assert tab.evaluate("() => document.activeElement.htmlFor") == "__toc"


@pytest.mark.browser
@pytest.mark.parametrize(
    ("size", "drawer"),
    [(DESKTOP, "closed"), (PHONE, "closed"), (PHONE, "open")],
    ids=["desktop", "phone", "phone-drawer-open"],
)
def test_every_tab_stop_is_visible(open_page, size, drawer):
    tab = open_page("allyship/", size=size)
    if drawer == "open":
        tab.click(tab.role("button", "Navigation menu"))
        assert tab.wait_for(TRANSITIONS_ENDED), "the drawer is still sliding in after 5 s"
    for _ in range(40):
        tab.press("Tab")
        focused = tab.evaluate(FOCUSED)
        if focused is None:
            break
        assert focused["width"] > 0 and focused["height"] > 0, focused
        assert not tab.evaluate(
            "() => !document.activeElement.checkVisibility({visibilityProperty: true})"
        ), focused


@pytest.mark.browser
@pytest.mark.feature("contents follow the reader")
def test_table_of_contents_follows_the_reader_before_search_is_used(engine, server):
    tab = engine.new_page(1280, 500)
    try:
        tab.goto(server + "about/", idle=True)
        links = ".md-sidebar--secondary a.md-nav__link"
        hrefs = tab.evaluate(
            "(s) => [...document.querySelectorAll(s)].map((a) => a.getAttribute('href'))", links
        )
        assert len(hrefs) >= 2, hrefs
        tab.evaluate("() => scrollTo(0, document.body.scrollHeight)")
        active = tab.wait_for(
            "(s) => [...document.querySelectorAll(s)].map((a) => a.getAttribute('href'))",
            f"{links}--active",
        )
        assert active == [hrefs[-1]], active
        assert "md-header__title--active" in tab.attribute(".md-header__title", "class")
    finally:
        tab.close()


@pytest.mark.browser
@pytest.mark.feature("n and p keys")
def test_n_and_p_go_to_the_next_and_previous_page(desktop_tab, server):
    desktop_tab.goto(server + "allyship/", idle=True)
    desktop_tab.press("n")
    desktop_tab.wait_for_url("/coalitions/")
    desktop_tab.press("p")
    desktop_tab.wait_for_url("/allyship/")


@pytest.mark.browser
@pytest.mark.feature("skip link not highlighted")
def test_the_skip_link_does_not_highlight_its_target_as_a_shared_link(desktop_tab, server):
    desktop_tab.goto(server + "allyship/", idle=True)
    desktop_tab.press("Tab")
    desktop_tab.press("Enter")
    assert desktop_tab.wait_for("() => location.hash === '#allyship'")
    settle(desktop_tab, 100)
    assert "bb-landed" not in (desktop_tab.attribute("#allyship", "class") or "")


@pytest.mark.browser
def test_printing_in_the_dark_scheme_gives_dark_ink_on_white(open_page):
    tab = open_page("allyship/", scheme="dark")
    assert tab.evaluate(SCHEME) == "slate"
    tab.print_media(True)
    assert tab.wait_for(TRANSITIONS_ENDED), "link colours still fading after 5 s"
    colours = tab.evaluate(
        """() => ['.bb-related a', '.essay p', 'a.bb-term'].map(
             s => getComputedStyle(document.querySelector(s)).color)"""
    )
    for colour in colours:
        assert contrast(colour, "rgb(255, 255, 255)") >= 4.5, colours


@pytest.mark.browser
@pytest.mark.feature("no JS: reads, follows theme")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_without_javascript_pages_read_and_follow_the_system_theme(open_in_engine, scheme):
    tab = open_in_engine("allyship/", scheme=scheme, javascript=False)
    background = tab.evaluate("() => getComputedStyle(document.body).backgroundColor")
    white = contrast(background, "rgb(255, 255, 255)")
    assert (white < 1.5) if scheme == "light" else (white > 10), background
    assert tab.is_visible("#paragraph-2")
    assert not tab.is_visible(".bb-palette")
    tab.click(link_in(tab, f"{DRAWER} a.md-nav__link", "Coalitions"))
    tab.wait_for_url("/coalitions/")


DRAWER_LINK_ON_SCREEN = """
(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.width > 1 && box.left >= 0 && box.right <= innerWidth;
}
"""


@pytest.mark.browser
@pytest.mark.feature("no JS: phone menu")
def test_without_javascript_the_phone_menu_still_opens(open_in_engine):
    tab = open_in_engine("allyship/", size=PHONE, javascript=False)
    coalitions = link_in(tab, f"{DRAWER} a.md-nav__link", "Coalitions")
    assert not tab.evaluate(DRAWER_LINK_ON_SCREEN, coalitions), "the drawer is open already"
    tab.click("label.bb-header__menu-fallback")
    assert tab.wait_for(DRAWER_LINK_ON_SCREEN, coalitions), "the drawer did not slide in"
    assert tab.is_visible(coalitions)


@pytest.mark.browser
def test_controls_keep_working_once_material_has_loaded(open_page):
    tab = open_page("allyship/")
    search_for(tab, "allies")
    tab.press("Escape")
    # Until the search box has shrunk back, it lies over the toggle.
    assert tab.wait_for(TRANSITIONS_ENDED), "search still closing after 5 s"
    tab.click(tab.role("button", "Switch to dark mode"))
    assert tab.evaluate(SCHEME) == "slate"
    tab.hover("a.bb-term[data-term=privilege]")
    assert tab.wait_for_visible("#bb-tooltip")
    sheets = tab.evaluate("() => [...document.styleSheets].map(s => s.href)")
    assert any("/site-on-demand." in sheet for sheet in sheets if sheet), sheets
