"""Accessibility gate, in every engine at 1280 and 360 px, light and dark:
axe-core on every page, a full keyboard walk forward and back, and a focus
indicator on every control measured at 3:1 in screenshots. Chromium alone
checks what needs Playwright: the Tab order, the skip link, reduced motion."""

from __future__ import annotations

import pytest

from conftest import PAGES, assert_no_axe_violations
from engines.checks import strong_change, tab_walk

pytestmark = pytest.mark.browser

WALKED = "allyship/"
"""The page walked by keyboard: header, nav, glossary terms, copy links, footer."""


@pytest.mark.feature("axe: every page")
def test_no_axe_violation_on_any_page(tab, server, width, scheme):
    problems = []
    for path in PAGES:
        tab.goto(server + path, idle=True)
        try:
            assert_no_axe_violations(tab, f"/{path} ({tab.engine}, {width}, {scheme})")
        except AssertionError as failure:
            problems.append(str(failure))
    assert not problems, "\n".join(problems)


@pytest.mark.feature("keyboard walk: Tab")
def test_tab_reaches_every_visible_control_and_nothing_invisible(tab, server):
    tab.goto(server + WALKED)
    tab.freeze_motion()
    walk = tab_walk(tab, "Tab")
    invisible, missed = walk.invisible(), walk.missed(tab)
    assert not invisible and not missed, (
        f"invisible Tab stops: {invisible}\nTab never reaches: {missed}"
    )


@pytest.mark.feature("keyboard walk: Shift+Tab")
def test_shift_tab_reaches_every_visible_control_and_nothing_invisible(tab, server):
    tab.goto(server + WALKED)
    tab.freeze_motion()
    walk = tab_walk(tab, "Shift+Tab")
    invisible, missed = walk.invisible(), walk.missed(tab)
    assert not invisible and not missed, (
        f"invisible Shift+Tab stops: {invisible}\nShift+Tab never reaches: {missed}"
    )


@pytest.mark.feature("focus visible 3:1")
def test_every_kind_of_control_shows_focus_at_3_to_1(tab, server):
    """WCAG 2.4.7, 2.4.11 and 1.4.11: each control reached by Tab changes, when
    focused, at least as many pixels as a 1 px ring round it would, each by 3:1
    or more against the same pixel unfocused. One control of each kind (tag and
    classes) is measured."""
    tab.goto(server + WALKED)
    tab.freeze_motion()
    focused: dict[str, tuple[dict, object]] = {}

    def shoot(stop: dict) -> None:
        if stop["kind"] not in focused:
            focused[stop["kind"]] = (stop, tab.screenshot())

    tab_walk(tab, "Tab", on_stop=shoot)
    faint = []
    for stop, shot in focused.values():
        tab.evaluate(
            "([x, y]) => { document.activeElement?.blur(); scrollTo(x, y); }", stop["scroll"]
        )
        plain = tab.screenshot()
        box_width, box_height = stop["box"][2:]
        needed = max(2 * (box_width + box_height), 40)
        strong = strong_change(shot, plain, stop["box"])
        if strong < needed:
            faint.append(f"{stop['text']}: {strong} of {needed:.0f} pixels at 3:1")
    assert not faint, "focus not visible at 3:1:\n" + "\n".join(faint)


def focus_path(page, presses: int = 80) -> list[dict]:
    """What Tab reaches, in order."""
    reached = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              return {
                tag: el.tagName.toLowerCase(),
                cls: el.className && el.className.baseVal === undefined ? el.className : '',
                name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40),
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
