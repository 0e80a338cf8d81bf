"""Accessibility gate: axe-core on every page in both schemes at desktop and
phone widths, and the keyboard path through every control."""

from __future__ import annotations

import pytest

from conftest import PAGES, assert_no_axe_violations

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": (1280, 900), "phone": (360, 740)}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violation(browser, server, path, scheme, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    tab = context.new_page()
    tab.goto(server + path, wait_until="networkidle")
    try:
        assert_no_axe_violations(tab, f"/{path} ({scheme}, {viewport})")
    finally:
        context.close()


def focus_path(page, presses: int = 80) -> list[dict]:
    """What Tab reaches, in order, with whether its focus is visible."""
    reached = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const style = getComputedStyle(el);
              // A visually hidden input shows its focus on the label after it.
              const label = el.matches('input.md-option') ? el.nextElementSibling : null;
              const shown = label ? getComputedStyle(label) : style;
              const ring = [style, shown].some(s =>
                (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ||
                s.boxShadow !== 'none');
              return {
                tag: el.tagName.toLowerCase(),
                cls: el.className && el.className.baseVal === undefined ? el.className : '',
                name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40),
                ring,
              };
            }"""
        )
        if info is None:
            break
        reached.append(info)
    return reached


def index_of(reached: list[dict], predicate) -> int:
    return next(i for i, item in enumerate(reached) if predicate(item))


def test_first_tab_reaches_a_visible_skip_link_that_moves_to_the_content(page, server):
    page.goto(server + "allyship/")
    page.keyboard.press("Tab")
    skip = page.locator("a.md-skip")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#allyship"  # the page's h1


def test_tab_order_runs_header_toggle_search_pdf_then_terms_and_copy_links(page, server):
    page.emulate_media(color_scheme="light")
    page.goto(server + "allyship/")
    reached = focus_path(page)
    header = [
        index_of(reached, lambda r: "md-skip" in r["cls"]),
        index_of(reached, lambda r: "md-logo" in r["cls"]),
        index_of(reached, lambda r: "Switch to dark mode" in r["name"]),
        index_of(reached, lambda r: "md-search__input" in r["cls"]),
        index_of(reached, lambda r: "bb-pdf-link" in r["cls"]),
    ]
    assert header == sorted(header), reached
    content = [
        index_of(reached, lambda r: "bb-term" in r["cls"]),
        index_of(reached, lambda r: "bb-share__button" in r["cls"]),
    ]
    assert min(content) > header[-1], reached


def test_every_control_shows_its_keyboard_focus(page, server):
    page.goto(server + "allyship/")
    invisible = [r for r in focus_path(page) if not r["ring"]]
    assert not invisible, invisible


def test_search_dialog_has_an_accessible_name(page, server):
    page.goto(server)
    dialog = page.locator(".md-search[role=dialog]")
    assert dialog.get_attribute("aria-label")
    assert page.get_by_role("dialog", name=dialog.get_attribute("aria-label")).count() == 1


def test_reduced_motion_turns_off_animations(browser, server):
    context = browser.new_context(reduced_motion="reduce")
    tab = context.new_page()
    tab.goto(server + "intersectionality/#an-intersectional-lens")
    target = tab.locator("#an-intersectional-lens")
    assert target.evaluate("el => getComputedStyle(el).animationName") == "none"
    tab.locator("a.bb-term").first.hover()
    tooltip = tab.locator("#bb-tooltip")
    assert tooltip.evaluate("el => getComputedStyle(el).animationName") == "none"
    assert tab.evaluate("getComputedStyle(document.documentElement).scrollBehavior") != "smooth"
    context.close()


def test_animations_run_when_motion_is_welcome(page, server):
    page.emulate_media(reduced_motion="no-preference")
    page.goto(server + "intersectionality/#an-intersectional-lens")
    target = page.locator("#an-intersectional-lens")
    assert target.evaluate("el => getComputedStyle(el).animationName") == "bb-landed"
