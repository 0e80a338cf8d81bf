"""Accessibility gate, in every engine at 1280 and 360 px, light and dark:
axe-core on every page, a full keyboard walk forward and back, and a focus
indicator on every control measured at 3:1 in screenshots. Chromium alone
checks the Tab order; the skip link, the search dialog's name and the motion
preference are checked in every engine whose driver can set them up."""

from __future__ import annotations

import pytest

from conftest import PAGES, VIEWPORTS, assert_no_axe_violations
from engines import Page
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


def focus_path(page: Page, presses: int = 80) -> list[dict]:
    """What Tab reaches, in order."""
    reached = []
    for _ in range(presses):
        page.press("Tab")
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


@pytest.mark.feature("skip link first")
def test_first_tab_reaches_a_visible_skip_link_that_moves_to_the_content(desktop_tab, server):
    desktop_tab.goto(server + "allyship/")
    desktop_tab.press("Tab")
    assert desktop_tab.evaluate("() => document.activeElement.classList.contains('md-skip')")
    assert desktop_tab.is_visible("a.md-skip")
    desktop_tab.press("Enter")
    # The page's h1.
    assert desktop_tab.wait_for("() => location.hash === '#allyship'"), desktop_tab.url()


def test_tab_order_runs_header_toggle_search_pdf_then_terms_and_copy_links(chromium_tab, server):
    chromium_tab.goto(server + "allyship/")
    reached = focus_path(chromium_tab)
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


@pytest.mark.feature("search dialog named")
def test_search_dialog_has_an_accessible_name(desktop_tab, server):
    desktop_tab.goto(server)
    name = desktop_tab.attribute(".md-search[role=dialog]", "aria-label")
    assert name
    # Exactly one dialog has that name, or role() fails.
    assert desktop_tab.role("dialog", name)


ANIMATION_OF = "(s) => getComputedStyle(document.querySelector(s)).animationName"


@pytest.mark.feature("reduced motion")
def test_reduced_motion_turns_off_animations(engine, server):
    tab = engine.new_page(*VIEWPORTS["desktop"], reduced_motion=True)
    try:
        tab.goto(server + "intersectionality/#an-intersectional-lens")
        assert tab.evaluate(ANIMATION_OF, "#an-intersectional-lens") == "none"
        tab.hover("a.bb-term")
        assert tab.wait_for("() => !!document.getElementById('bb-tooltip')"), "no definition box"
        assert tab.evaluate(ANIMATION_OF, "#bb-tooltip") == "none"
        assert (
            tab.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior")
            != "smooth"
        )
    finally:
        tab.close()


@pytest.mark.feature("motion when welcome")
def test_animations_run_when_motion_is_welcome(desktop_tab, server):
    desktop_tab.goto(server + "intersectionality/#an-intersectional-lens")
    assert desktop_tab.evaluate(
        "() => matchMedia('(prefers-reduced-motion: no-preference)').matches"
    )
    assert desktop_tab.evaluate(ANIMATION_OF, "#an-intersectional-lens") == "bb-landed"
