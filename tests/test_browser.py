"""In a real browser: pages load cleanly and offline, the theme and layout work,
glossary definitions show in place and stay accessible.

Tests taking `tab` run in every engine (Chromium, Firefox, WebKit) at 1280 and
360 px, with the system in light and in dark; each reports under its `feature`
in the matrix printed after the run. Tests taking `desktop_tab` run once per
engine; those needing a start script run where the driver has one (Chromium,
Firefox); `chromium_tab` is for behaviours of the site that one engine shows
as well as three, or that need Chromium's clipboard or its file URLs.
"""

from __future__ import annotations

import shutil
import zipfile

import pytest

from conftest import (
    PAGES,
    ROOT,
    SITE_URL,
    VIEWPORTS,
    assert_no_axe_violations,
    run_build,
    serving,
)
from engines.checks import BACKGROUND_JS, TEXT_COLOURS_JS, contrast, find_controls, strong_change

pytestmark = pytest.mark.browser

TOOLTIP = "#bb-tooltip"
DARK = "slate"


def shown_scheme(tab) -> str:
    """The scheme the reader sees: Material's attribute, checked against the paint."""
    scheme, dark = tab.evaluate(
        """() => {
          const rgb = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
          return [document.body.dataset.mdColorScheme,
                  0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 128];
        }"""
    )
    assert (scheme == DARK) == dark, f"scheme {scheme} but the page is painted {dark=}"
    return scheme


# Pages load -----------------------------------------------------------------------


@pytest.mark.feature("pages load clean")
def test_every_page_loads_without_errors_or_outside_requests(tab, probed_server):
    problems = []
    for path in PAGES:
        tab.goto(probed_server + path, idle=True)
        errors, outside = tab.console_errors(), tab.outside_requests()
        problems += [f"/{path}: console: {e}" for e in errors]
        problems += [f"/{path}: outside request: {url}" for url in outside]
    assert not problems, "\n".join(problems)


@pytest.mark.feature("no sideways scroll")
def test_no_page_scrolls_sideways(tab, server):
    wide = []
    for path in PAGES:
        tab.goto(server + path)
        content, window = tab.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if content > window:
            wide.append(f"/{path}: content {content}px in a {window}px window")
    assert not wide, wide


@pytest.mark.feature("title beside downloads")
def test_the_download_links_never_squeeze_the_page_title(tab, server):
    squeezed = []
    for path in PAGES:
        tab.goto(server + path)
        actions, title, article = tab.evaluate(
            """() => ['.bb-page-actions', 'article h1', 'article'].map(
                 (s) => document.querySelector(s)?.getBoundingClientRect().toJSON())"""
        )
        # Either beside a title line of at least half the text column, or above it.
        room = actions["left"] - title["left"]
        if actions["bottom"] > title["top"] + 1 and room < article["width"] / 2:
            squeezed.append(f"/{path}: {room:.0f}px of {article['width']:.0f}px for the title")
    assert not squeezed, squeezed


@pytest.mark.feature("system scheme followed")
def test_the_system_scheme_decides_the_first_view(tab, server, scheme):
    tab.goto(server + "allyship/")
    assert shown_scheme(tab) == (DARK if scheme == "dark" else "default")


# Theme toggle ---------------------------------------------------------------------

SWITCH_TO = {"default": "Switch to dark mode", DARK: "Switch to light mode"}


@pytest.mark.feature("theme toggle: mouse")
def test_theme_toggle_switches_by_mouse_and_survives_reload(tab, server):
    tab.goto(server + "allyship/")
    before = shown_scheme(tab)
    shown = [c for c in find_controls(tab, f"^{SWITCH_TO[before]}$") if c.visible]
    assert shown, f"no visible control named {SWITCH_TO[before]!r}"
    tab.click(shown[0].selector)
    after = shown_scheme(tab)
    assert after != before
    assert [c for c in find_controls(tab, f"^{SWITCH_TO[after]}$") if c.visible]
    tab.goto(server + "coalitions/")
    assert shown_scheme(tab) == after


@pytest.mark.feature("theme toggle: keyboard")
@pytest.mark.parametrize("key", ["Space", "Enter"])
def test_theme_toggle_is_one_visible_control_that_keys_switch_both_ways(tab, server, key):
    tab.goto(server + "allyship/")
    for _ in range(2):
        before = shown_scheme(tab)
        controls = [c for c in find_controls(tab, f"^{SWITCH_TO[before]}$") if c.focusable]
        assert len(controls) == 1, f"{SWITCH_TO[before]!r}: {controls}"
        assert controls[0].visible, f"the focusable {SWITCH_TO[before]!r} is not visible"
        tab.evaluate("(s) => document.querySelector(s).focus()", controls[0].selector)
        tab.press(key)
        after = shown_scheme(tab)
        assert after != before, f"{key} on {SWITCH_TO[before]!r} did not switch"
        focused = tab.evaluate("() => document.activeElement.getAttribute('aria-label') || ''")
        names = [c.selector for c in find_controls(tab, f"^{SWITCH_TO[after]}$") if c.focusable]
        assert tab.evaluate(
            "(all) => all.some((s) => document.querySelector(s) === document.activeElement)",
            names,
        ), f"after {key}, focus left the toggle (on {focused!r})"


# Glossary terms and their definitions ------------------------------------------------

TERM = "article a.bb-term"
TERM_DECORATION_JS = (
    """
(selector) => {
"""
    + BACKGROUND_JS
    + """
  const term = document.querySelector(selector);
  term.scrollIntoView({block: 'center'});
  const style = getComputedStyle(term);
  const box = term.getClientRects()[0];
  return {line: style.textDecorationLine, style: style.textDecorationStyle,
          colour: parse(style.textDecorationColor), ground: background(term),
          box: [box.left, box.top, box.width, box.height]};
}
"""
)


@pytest.mark.feature("glossary term marked")
def test_a_glossary_term_is_visibly_underlined(tab, server):
    tab.goto(server + "allyship/")
    tab.freeze_motion()
    marking = tab.evaluate(TERM_DECORATION_JS, TERM)
    assert "underline" in marking["line"], marking
    assert contrast(marking["colour"], marking["ground"]) >= 3, marking
    # Drawn, not only computed: the underline's pixels differ from the same
    # term drawn without decoration, at 3:1 or more.
    marked = tab.screenshot()
    tab.evaluate(
        "(s) => document.querySelector(s).style"
        ".setProperty('text-decoration', 'none', 'important')",
        TERM,
    )
    plain = tab.screenshot()
    drawn = strong_change(marked, plain, marking["box"], pad=3)
    assert drawn >= marking["box"][2] / 3, f"underline drawn in {drawn} pixels only"


DEFINITION_SHOWN_JS = """
(selector) => {
  const box = document.querySelector(selector);
  if (!box || box.hidden || !box.checkVisibility({visibilityProperty: true})) return '';
  const r = box.getBoundingClientRect();
  return r.width > 1 && r.height > 1 ? box.textContent : '';
}
"""
"""The visible definition box's text, or "" if none shows."""


def term_definition(tab, selector: str = TERM) -> str:
    return tab.evaluate(
        "(s) => document.getElementById(document.querySelector(s)"
        ".dataset.bbDefinition).textContent.trim()",
        selector,
    )


@pytest.mark.feature("definition: hover, Escape")
def test_hovering_a_term_shows_its_definition_and_escape_closes_it(tab, server):
    tab.goto(server + "allyship/")
    if not tab.evaluate("() => matchMedia('(hover: hover)').matches"):
        pytest.skip(f"{tab.engine} reports no hover here (headless Firefox: hover: none)")
    tab.hover(TERM)
    assert term_definition(tab)[:40] in tab.wait_for(DEFINITION_SHOWN_JS, TOOLTIP)
    tab.press("Escape")
    assert tab.wait_for("(s) => document.querySelector(s).hidden", TOOLTIP)


@pytest.mark.feature("definition: focus, Escape")
def test_focusing_a_term_shows_its_definition_and_escape_closes_it(tab, server):
    tab.goto(server + "allyship/")
    tab.evaluate("(s) => document.querySelector(s).focus()", TERM)
    assert term_definition(tab)[:40] in tab.wait_for(DEFINITION_SHOWN_JS, TOOLTIP)
    tab.press("Escape")
    assert tab.wait_for("(s) => document.querySelector(s).hidden", TOOLTIP)
    assert tab.evaluate("(s) => document.activeElement === document.querySelector(s)", TERM)


@pytest.mark.feature("definition: tap")
def test_first_tap_on_a_term_shows_its_definition_second_tap_follows(engine, width, scheme, server):
    phone = engine.new_page(*VIEWPORTS[width], scheme, touch=True)
    try:
        phone.goto(server + "allyship/")
        phone.evaluate(
            "() => addEventListener('pointerdown', (e) => "
            "sessionStorage.setItem('bb-pointer', e.pointerType), true)"
        )
        phone.tap(TERM)
        pointer = phone.wait_for("() => sessionStorage.getItem('bb-pointer')")
        if pointer != "touch":
            pytest.skip(f"{engine.name}'s driver sends a {pointer} pointer, not a touch")
        assert term_definition(phone)[:40] in phone.wait_for(DEFINITION_SHOWN_JS, TOOLTIP)
        assert phone.evaluate("() => location.pathname") == "/allyship/"
        phone.tap(TERM)
        assert phone.wait_for("() => location.pathname === '/glossary/' && location.hash")
    finally:
        phone.close()


# Copy link ---------------------------------------------------------------------------


@pytest.mark.feature("copy link")
def test_copy_link_copies_the_sections_address_and_says_so(tab, server):
    tab.goto(server + "allyship/")
    heading = tab.evaluate("() => document.querySelector('article h2[id]').id")
    expected = f"{SITE_URL}allyship/#{heading}"
    copy = [c for c in find_controls(tab, "^Copy link to section") if c.focusable]
    assert copy, "no Copy link button on the first section"
    tab.hover(f"#{heading}")
    tab.click(copy[0].selector)
    status = tab.wait_for(
        "() => document.querySelector('.bb-status[role=status]')?.textContent || ''"
    )
    assert expected in status
    if tab.engine == "webkit":
        # WebKit reads the clipboard only after a paste gesture; the message
        # says whether the link was copied or is offered to copy by hand.
        assert status.startswith("Link copied"), status
    else:
        assert tab.evaluate("() => navigator.clipboard.readText()") == expected


# Landing on a shared link ----------------------------------------------------------------

LANDED_JS = """
(id) => {
  const target = document.getElementById(id);
  const header = document.querySelector('.md-header').getBoundingClientRect().bottom;
  const box = target.getBoundingClientRect();
  return {top: box.top, header, height: innerHeight, scrolled: scrollY,
          highlighted: target.classList.contains('bb-landed')};
}
"""


def assert_landed(tab, anchor: str) -> None:
    tab.wait_for("(id) => document.getElementById(id)?.classList.contains('bb-landed')", anchor)
    tab.evaluate("() => new Promise((done) => setTimeout(done, 300))")
    landed = tab.evaluate(LANDED_JS, anchor)
    assert landed["highlighted"], landed
    assert landed["header"] - 1 <= landed["top"] < landed["height"], landed


@pytest.mark.feature("shared link lands")
@pytest.mark.parametrize(
    "path", ["intersectionality/#an-intersectional-lens", "solidarity/#paragraph-6"]
)
def test_a_shared_link_lands_below_the_header_highlighted(tab, server, path):
    tab.goto(server + path)
    assert_landed(tab, path.split("#")[1])


@pytest.fixture(scope="session")
def moved_anchor_server(tmp_path_factory):
    """The site with one heading's id renamed, the old one kept in moved_anchors."""
    project = tmp_path_factory.mktemp("moved") / "project"
    for name in ("docs", "overrides", "src"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    source = project / "docs" / "intersectionality.md"
    text = source.read_text(encoding="utf-8").replace("{ #an-intersectional-lens }", "{ #lens }")
    text = text.replace("related:", "moved_anchors:\n  an-intersectional-lens: lens\nrelated:", 1)
    source.write_text(text, encoding="utf-8")
    result = run_build(project, project / "site")
    assert result.returncode == 0, result.output
    with serving(project / "site") as url:
        yield url


@pytest.mark.feature("shared link lands")
def test_a_renamed_anchor_forwards_to_its_new_id(tab, moved_anchor_server):
    tab.goto(moved_anchor_server + "intersectionality/#an-intersectional-lens")
    assert tab.wait_for("() => location.hash === '#lens'")
    assert_landed(tab, "lens")


# Navigation ---------------------------------------------------------------------------


@pytest.mark.feature("sidebar link at top")
def test_a_sidebar_link_works_before_the_page_is_scrolled(tab, server, width):
    if width != "desktop":
        pytest.skip("the sidebar is on screen only at desktop widths")
    tab.goto(server + "allyship/")
    x, y = tab.evaluate(
        """() => {
          const link = [...document.querySelectorAll('.md-sidebar--primary a.md-nav__link')]
            .find((a) => a.textContent.trim() === 'Coalitions');
          const box = link.getBoundingClientRect();
          return [box.left + box.width / 2, box.top + box.height / 2];
        }"""
    )
    assert tab.evaluate("() => scrollY") == 0
    tab.click_at(x, y)
    assert tab.wait_for("() => location.pathname === '/coalitions/'"), (
        "clicking the sidebar link at scroll position 0 did not follow it"
    )


# Search --------------------------------------------------------------------------------

SEARCH_INPUT = "input.md-search__input"


def open_search(tab) -> None:
    """Clicks the search field, or on phones the header's search button."""
    shown = [c for c in find_controls(tab, "^search$") if c.visible]
    if shown:
        tab.click(shown[0].selector)
    else:  # Until the phone's search button has a name (see the test below).
        tab.click(".md-header label[for=__search]:not([hidden])")


@pytest.mark.feature("search")
def test_search_finds_a_word_typed_straight_after_the_page_loads(tab, server):
    tab.goto(server)
    open_search(tab)
    assert tab.wait_for("(s) => document.activeElement?.matches(s)", SEARCH_INPUT), (
        "the search field did not take focus"
    )
    tab.type("solidarity")
    count = tab.wait_for(
        "() => document.querySelectorAll('.md-search-result__item').length", timeout=10
    )
    assert count >= 2
    assert tab.evaluate("(s) => document.querySelector(s).value", SEARCH_INPUT) == "solidarity"
    assert tab.outside_requests() == []


@pytest.mark.feature("search control named")
def test_search_is_a_visible_focusable_control_named_search(tab, server):
    tab.goto(server)
    named = [c for c in find_controls(tab, "^search$") if c.visible and c.focusable]
    assert named, "no visible, focusable control named Search (phones: the icon is a bare label)"


# The drawer on phones ---------------------------------------------------------------------

DRAWER_LINKS = ".md-sidebar--primary a[href]"
IN_TAB_ORDER_JS = """
(selector) => [...document.querySelectorAll(selector)].filter((el) =>
  el.tabIndex >= 0 && !el.closest('[inert]') &&
  el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true})).length
"""
DRAWER_OPEN_JS = """
(selector) => [...document.querySelectorAll(selector)].some((el) => {
  const box = el.getBoundingClientRect();
  return box.width > 1 && box.left >= 0 && box.right <= innerWidth &&
    el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true});
})
"""


@pytest.mark.feature("drawer (phone)")
def test_a_menu_button_opens_the_drawer_whose_links_are_out_of_tab_order_while_closed(
    tab, server, width
):
    if width != "phone":
        pytest.skip("the navigation is a drawer only on narrow screens")
    tab.goto(server + "allyship/")
    menus = [
        c
        for c in find_controls(tab, "navigation|menu")
        if c.focusable and c.visible and c.expanded is not None
    ]
    assert menus, "no visible, focusable navigation button with aria-expanded"
    menu = menus[0]
    assert menu.expanded == "false"
    assert tab.evaluate(IN_TAB_ORDER_JS, DRAWER_LINKS) == 0, "closed drawer links take focus"
    tab.evaluate("(s) => document.querySelector(s).focus()", menu.selector)
    tab.press("Enter")
    assert tab.wait_for(DRAWER_OPEN_JS, DRAWER_LINKS), "the drawer did not open"
    assert (
        tab.evaluate(
            "(s) => document.querySelector(s).getAttribute('aria-expanded')", menu.selector
        )
        == "true"
    )
    tab.press("Tab")
    for _ in range(15):
        if tab.evaluate("(s) => !!document.activeElement.closest(s)", ".md-sidebar--primary"):
            break
        tab.press("Tab")
    else:
        raise AssertionError("Tab did not reach the open drawer's links")


# Print ---------------------------------------------------------------------------------


def wait_for_transitions(tab) -> None:
    """A printout is laid out afresh, but a live page switched to print media runs
    Material's colour transitions first: read colours once they have ended."""
    assert tab.wait_for("() => document.getAnimations().every((a) => a.playState !== 'running')"), (
        "transitions still running after 5 s"
    )


@pytest.mark.feature("print contrast 4.5:1")
def test_printed_text_and_links_reach_4_5_to_1_on_white_paper(tab, server):
    problems = []
    for path in ["allyship/", "glossary/"]:
        tab.goto(server + path)
        tab.print_media(True)
        wait_for_transitions(tab)
        for text in tab.evaluate(TEXT_COLOURS_JS, True):
            ratio = contrast(text["colour"], (255, 255, 255))
            if ratio < 4.5:
                rgb_text = "#" + "".join(f"{round(v):02x}" for v in text["colour"])
                problems.append(
                    f"/{path} {text['what']} {'link ' if text['link'] else ''}"
                    f"{text['text']!r}: {rgb_text} on white is {ratio:.2f}:1"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.feature("print hides controls")
def test_printing_a_page_shows_text_and_definitions_but_no_controls(tab, server):
    tab.goto(server + "allyship/")
    tab.print_media(True)
    wait_for_transitions(tab)
    shown = tab.evaluate(
        """() => Object.fromEntries(['.essay', '.bb-definitions', '.md-header',
             '.md-sidebar--primary', '.bb-page-actions', '.bb-related'].map((s) => {
          const el = document.querySelector(s);
          return [s, !!el && el.checkVisibility({visibilityProperty: true})];
        }))"""
    )
    assert shown[".essay"] and shown[".bb-definitions"], shown
    assert not any(
        shown[c] for c in (".md-header", ".md-sidebar--primary", ".bb-page-actions", ".bb-related")
    ), shown


# Accessibility with a definition open ------------------------------------------------------


@pytest.mark.feature("axe: definition open")
def test_an_open_definition_has_no_axe_violations(tab, server, width, scheme):
    tab.goto(server + "allyship/")
    tab.evaluate("(s) => document.querySelector(s).focus()", TERM)
    assert tab.wait_for(DEFINITION_SHOWN_JS, TOOLTIP)
    assert_no_axe_violations(tab, f"allyship/ ({tab.engine}, {width}, {scheme}, definition open)")


# Without JavaScript, sharing, requests ----------------------------------------------


@pytest.mark.feature("no JS: term links")
def test_without_javascript_a_term_is_a_link_to_the_glossary(engine, server):
    tab = engine.new_page(*VIEWPORTS["desktop"], javascript=False)
    try:
        tab.goto(server + "allyship/")
        tab.click("a.bb-term[data-term=privilege]")
        tab.wait_for_url("/glossary/#privilege")
    finally:
        tab.close()


@pytest.mark.feature("definition described")
def test_screen_readers_get_the_definition_as_description_on_focus(desktop_tab, server):
    desktop_tab.goto(server + "allyship/")
    description = desktop_tab.evaluate(
        """() => {
          const link = document.querySelector('a.bb-term[data-term=privilege]');
          link.focus();
          return document.getElementById(link.getAttribute('aria-describedby')).textContent;
        }"""
    )
    assert description.startswith("Unearned advantages")


def test_download_pdf_link_serves_the_pdf(chromium_tab, server):
    chromium_tab.goto(server + "solidarity/")
    url = chromium_tab.evaluate("() => document.querySelector('a.bb-pdf-link').href")
    assert url == server + "building-bridges.pdf"
    status, start = chromium_tab.evaluate(
        """(url) => fetch(url).then(async (response) => [response.status,
             new TextDecoder().decode((await response.arrayBuffer()).slice(0, 5))])""",
        url,
    )
    assert status == 200
    assert start == "%PDF-"


CLEAR_CLIPBOARD = "() => navigator.clipboard.writeText('')"
"""Chromium's pages share one clipboard: an earlier test's copy must not pass for this one's."""


def test_copy_link_on_a_paragraph_works_from_the_keyboard(chromium_tab, server):
    chromium_tab.goto(server + "solidarity/")
    chromium_tab.evaluate(CLEAR_CLIPBOARD)
    button = chromium_tab.role("button", "Copy link to paragraph 6 of the essay")
    chromium_tab.focus(button)
    assert chromium_tab.is_visible(button)
    chromium_tab.press("Enter")
    expected = SITE_URL + "solidarity/#paragraph-6"
    assert chromium_tab.wait_for(
        "(expected) => navigator.clipboard.readText().then((text) => text === expected)", expected
    ), chromium_tab.evaluate("() => navigator.clipboard.readText()")


@pytest.mark.feature("no clipboard: link offered")
def test_without_the_clipboard_api_the_link_is_still_offered(engine, server):
    tab = engine.new_page(
        *VIEWPORTS["desktop"],
        init_script="Object.defineProperty(navigator, 'clipboard', {value: undefined})",
    )
    try:
        tab.goto(server + "coalitions/")
        assert tab.evaluate("() => navigator.clipboard === undefined")
        tab.click(tab.role("button", "Copy link to paragraph 3 of the essay"))
        status = "(s) => document.querySelector(s)?.innerText ?? ''"
        message = tab.wait_for(status, "[role=status]")
        assert tab.role("status")  # the only one
        assert SITE_URL + "coalitions/#paragraph-3" in message, message
    finally:
        tab.close()


@pytest.mark.feature("share sheet used")
def test_share_button_uses_the_devices_share_sheet(engine, server):
    tab = engine.new_page(
        *VIEWPORTS["desktop"],
        init_script="navigator.share = (data) => { window.__shared = data; "
        "return Promise.resolve(); }",
    )
    try:
        tab.goto(server + "conclusion/")
        tab.click(tab.role("button", "Share paragraph 7 of the essay"))
        shared = tab.wait_for("() => window.__shared?.url")
        assert shared == SITE_URL + "conclusion/#paragraph-7"
    finally:
        tab.close()


def test_no_share_button_where_there_is_no_share_sheet(chromium_tab, server):
    chromium_tab.goto(server + "conclusion/")
    assert chromium_tab.evaluate("() => navigator.share === undefined")
    assert (
        chromium_tab.evaluate("() => document.querySelectorAll('.bb-share__button--share').length")
        == 0
    )


def test_a_text_fragment_link_lands_on_its_words(chromium_tab, server):
    # Chromium follows text fragments only on navigations a person started: click.
    chromium_tab.goto(server + "allyship/")
    chromium_tab.evaluate(
        """() => {
          const link = document.createElement('a');
          link.href = '../glossary/#:~:text=transgender%20and';
          link.textContent = 'fragment';
          link.id = 'fragment-link';
          document.querySelector('article').prepend(link);
        }"""
    )
    chromium_tab.click("#fragment-link")
    # The fragment directive is not part of location: the address ends at the path.
    chromium_tab.wait_for_url("/glossary/")
    assert chromium_tab.wait_for("() => window.scrollY > 1000"), "the page did not scroll"


@pytest.mark.feature("fragment: no outside request")
def test_opening_a_page_with_a_fragment_makes_no_outside_request(desktop_tab, server):
    desktop_tab.goto(server + "allyship/#paragraph-2", idle=True)
    assert desktop_tab.outside_requests() == []


# Published with the host's headers, and offline ------------------------------

CSP_WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.violatedDirective}: ${event.blockedURI || 'inline'}`);
});
"""

POLICY_JS = """
() => fetch(location.href).then((response) => response.headers.get('content-security-policy'))
"""
"""The policy the host sends with this page (the same address fetched again)."""


@pytest.fixture(scope="module")
def headers_server(site):
    with serving(site, with_host_headers=True) as url:
        yield url


@pytest.fixture
def csp_tab(engine):
    """A desktop page watching for policy violations from before the page's scripts."""
    opened = engine.new_page(*VIEWPORTS["desktop"], init_script=CSP_WATCH)
    yield opened
    opened.close()


@pytest.mark.feature("host policy: no violation")
@pytest.mark.parametrize("path", PAGES)
def test_no_csp_violation_on_any_page_with_the_host_headers(csp_tab, headers_server, path):
    csp_tab.goto(headers_server + path, idle=True)
    assert "default-src 'self'" in (csp_tab.evaluate(POLICY_JS) or "")
    assert csp_tab.evaluate("() => window.__violations") == []
    assert csp_tab.console_errors() == []


def test_controls_still_work_under_the_csp(chromium, headers_server):
    tab = chromium.new_page(*VIEWPORTS["desktop"], init_script=CSP_WATCH)
    try:
        tab.goto(headers_server + "allyship/")
        tab.evaluate(CLEAR_CLIPBOARD)
        visible = [c for c in find_controls(tab, "^Switch to dark mode$") if c.visible]
        assert visible, "no visible Switch to dark mode control"
        tab.click(visible[0].selector)
        assert tab.attribute("body", "data-md-color-scheme") == "slate"
        tab.hover("a.bb-term[data-term=privilege]")
        assert tab.wait_for_visible(TOOLTIP)
        tab.click(tab.role("button", "Copy link to paragraph 2 of the essay"))
        assert tab.wait_for(
            "() => navigator.clipboard.readText().then((t) => t.endsWith('allyship/#paragraph-2'))"
        ), tab.evaluate("() => navigator.clipboard.readText()")
        tab.click("input.md-search__input")
        tab.type("solidarity")
        assert tab.wait_for_visible(".md-search-result__item", timeout=10)
        assert tab.evaluate("() => window.__violations") == []
        assert tab.console_errors() == []
    finally:
        tab.close()


def test_offline_bundle_works_from_file_urls(chromium_tab, site, tmp_path):
    zipfile.ZipFile(site / "building-bridges-offline.zip").extractall(tmp_path)
    start = (tmp_path / "building-bridges" / "index.html").as_uri()
    chromium_tab.goto(start)
    allyship = chromium_tab.evaluate(
        """() => {
          const link = [...document.querySelectorAll('.md-nav--primary a')]
            .find((a) => a.textContent.includes('Allyship'));
          link.dataset.bbLink = 'allyship';
          return '[data-bb-link=allyship]';
        }"""
    )
    chromium_tab.click(allyship)
    chromium_tab.wait_for_url("/allyship.html")
    assert chromium_tab.is_visible("#paragraph-2")
    chromium_tab.click("input.md-search__input")
    chromium_tab.type("solidarity")
    count = chromium_tab.wait_for(
        "() => document.querySelectorAll('.md-search-result__item').length", timeout=10
    )
    assert count >= 2
    requests = chromium_tab.requests()
    assert all(url.startswith(("file://", "data:", "blob:")) for url in requests), requests
    assert chromium_tab.console_errors() == []


def test_search_index_and_worker_load_only_when_search_is_opened(chromium_tab, server):
    chromium_tab.goto(server + "coalitions/", idle=True)
    requested = chromium_tab.requests()
    assert not [url for url in requested if "search" in url], requested
    chromium_tab.click("input.md-search__input")
    chromium_tab.type("allies")
    assert chromium_tab.wait_for_visible(".md-search-result__item", timeout=10)
    requested = chromium_tab.requests()
    assert any(url.endswith("/search/search_index.json") for url in requested), requested
    assert any("/workers/search." in url for url in requested), requested


@pytest.mark.feature("one stylesheet")
def test_one_stylesheet_per_page(desktop_tab, server):
    desktop_tab.goto(server + "glossary/")
    sheets = desktop_tab.evaluate("() => [...document.styleSheets].map(s => s.href)")
    assert len(sheets) == 1 and "/assets/stylesheets/site." in sheets[0]
