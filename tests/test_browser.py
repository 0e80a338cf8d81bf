"""In a real browser: pages load cleanly and offline, the theme and layout work,
glossary definitions show in place and stay accessible."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PAGES

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def outside_requests(page, server: str) -> list[str]:
    """Aborts, and records, every request that would leave the local server."""
    host = urlparse(server).netloc
    seen: list[str] = []

    def guard(route):
        if urlparse(route.request.url).netloc == host:
            route.continue_()
        else:
            seen.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return seen


def assert_no_axe_violations(page, label: str) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{label}: {v['id']} ({v['impact']}) at {node['target']}: {v['help']}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]
    assert not problems, "\n".join(problems)


def set_scheme(page, scheme: str) -> None:
    page.evaluate(
        "scheme => document.body.setAttribute('data-md-color-scheme', scheme)",
        scheme,
    )


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_or_outside_requests(page, server, path):
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    outside = outside_requests(page, server)
    page.goto(server + path, wait_until="networkidle")
    assert outside == []
    assert failed == []
    assert errors == []


def test_theme_toggle_switches_and_survives_reload(page, server):
    page.emulate_media(color_scheme="light")
    page.goto(server + "allyship/")
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    page.locator("label[title='Switch to dark mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    page.reload()
    assert body.get_attribute("data-md-color-scheme") == "slate"


def test_dark_system_preference_starts_dark(page, server):
    page.emulate_media(color_scheme="dark")
    page.goto(server)
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_on_a_360px_phone(browser, server, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(server + path)
    widths = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    context.close()
    assert widths[0] <= widths[1], f"{path}: content is {widths[0]}px wide on a 360px screen"


# Glossary definitions in place -------------------------------------------------

TOOLTIP = "#bb-tooltip"


def test_hover_shows_the_definition(page, server):
    page.goto(server + "allyship/")
    page.locator("a.bb-term[data-term=privilege]").hover()
    tooltip = page.locator(TOOLTIP)
    assert tooltip.is_visible()
    assert "Unearned advantages" in tooltip.inner_text()


def test_keyboard_focus_shows_and_escape_closes(page, server):
    page.goto(server + "allyship/")
    term = page.locator("a.bb-term[data-term=empathy]")
    term.focus()
    assert page.locator(TOOLTIP).is_visible()
    page.keyboard.press("Escape")
    assert page.locator(TOOLTIP).is_hidden()
    assert page.evaluate("document.activeElement.dataset.term") == "empathy"


def test_tab_reaches_terms_and_shows_their_definition(page, server):
    page.goto(server + "intersectionality/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('bb-term')"):
            break
    assert page.locator(TOOLTIP).is_visible()


def test_first_tap_shows_definition_second_tap_follows(browser, server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto(server + "allyship/")
    term = phone.locator("a.bb-term[data-term=privilege]")
    term.tap()
    assert phone.locator(TOOLTIP).is_visible()
    assert phone.url.endswith("/allyship/")
    term.tap()
    phone.wait_for_url("**/glossary/#privilege")
    context.close()


def test_tapping_elsewhere_closes_the_definition(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    phone = context.new_page()
    phone.goto(server + "allyship/")
    phone.locator("a.bb-term[data-term=privilege]").tap()
    phone.locator("h1").tap()
    assert phone.locator(TOOLTIP).is_hidden()
    context.close()


def test_without_javascript_a_term_is_a_link_to_the_glossary(browser, server):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(server + "allyship/")
    tab.locator("a.bb-term[data-term=privilege]").click()
    tab.wait_for_url("**/glossary/#privilege")
    context.close()


def test_screen_readers_get_the_definition_as_description(page, server):
    page.goto(server + "allyship/")
    description = page.evaluate(
        """() => {
          const link = document.querySelector('a.bb-term[data-term=privilege]');
          return document.getElementById(link.getAttribute('aria-describedby')).textContent;
        }"""
    )
    assert description.startswith("Unearned advantages")


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_open_definition_has_no_axe_violations(page, server, scheme):
    page.goto(server + "allyship/")
    set_scheme(page, scheme)
    page.locator("a.bb-term[data-term=privilege]").hover()
    assert page.locator(TOOLTIP).is_visible()
    assert_no_axe_violations(page, f"allyship/ ({scheme}, definition open)")


# Print and PDF ------------------------------------------------------------------


def test_printing_a_page_shows_text_and_definitions_but_no_controls(page, server):
    page.goto(server + "allyship/")
    page.emulate_media(media="print")
    assert page.locator(".essay").is_visible()
    assert page.locator(".bb-definitions").is_visible()
    for control in (".md-header", ".md-sidebar--primary", ".bb-page-actions", ".bb-related"):
        assert page.locator(control).first.is_hidden(), control


def test_download_pdf_link_serves_the_pdf(page, server):
    page.goto(server + "solidarity/")
    url = page.evaluate("document.querySelector('a.bb-pdf-link').href")
    assert url == server + "building-bridges.pdf"
    response = page.request.get(url)
    assert response.status == 200
    assert response.body().startswith(b"%PDF-")


def test_search_works_offline(page, server):
    outside = outside_requests(page, server)
    page.goto(server)
    page.locator("input.md-search__input").click()
    page.keyboard.type("solidarity")
    results = page.locator(".md-search-result__item")
    results.first.wait_for()
    assert results.count() >= 2
    assert outside == []
