"""In a real browser: pages load cleanly and offline, the theme and layout work,
glossary definitions show in place and stay accessible."""

from __future__ import annotations

import zipfile

import pytest

from conftest import (
    PAGES,
    SITE_URL,
    assert_no_axe_violations,
    outside_requests,
    run_build,
    serving,
)

pytestmark = pytest.mark.browser


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
    page.get_by_role("button", name="Switch to dark mode").click()
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


# Sharing links to sections -----------------------------------------------------


def clipboard_page(browser, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    return context, context.new_page()


def test_copy_link_on_a_heading_copies_its_absolute_url_and_announces_it(browser, server):
    context, tab = clipboard_page(browser)
    tab.goto(server + "allyship/")
    tab.locator("#the-power-of-allyship").hover()
    tab.get_by_role("button", name="Copy link to section “The power of allyship”").click()
    expected = SITE_URL + "allyship/#the-power-of-allyship"
    assert tab.evaluate("navigator.clipboard.readText()") == expected
    status = tab.get_by_role("status")
    assert status.is_visible() and expected in status.inner_text()
    context.close()


def test_copy_link_on_a_paragraph_works_from_the_keyboard(browser, server):
    context, tab = clipboard_page(browser)
    tab.goto(server + "solidarity/")
    button = tab.get_by_role("button", name="Copy link to paragraph 6 of the essay")
    button.focus()
    assert button.is_visible()
    tab.keyboard.press("Enter")
    assert tab.evaluate("navigator.clipboard.readText()") == SITE_URL + "solidarity/#paragraph-6"
    context.close()


def test_without_the_clipboard_api_the_link_is_still_offered(browser, server):
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    tab = context.new_page()
    tab.goto(server + "coalitions/")
    tab.get_by_role("button", name="Copy link to paragraph 3 of the essay").click()
    message = tab.get_by_role("status").inner_text()
    assert SITE_URL + "coalitions/#paragraph-3" in message
    context.close()


def test_share_button_uses_the_devices_share_sheet(browser, server):
    context = browser.new_context()
    context.add_init_script(
        "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); }"
    )
    tab = context.new_page()
    tab.goto(server + "conclusion/")
    tab.get_by_role("button", name="Share paragraph 7 of the essay").click()
    assert tab.evaluate("window.__shared.url") == SITE_URL + "conclusion/#paragraph-7"
    context.close()


def test_no_share_button_where_there_is_no_share_sheet(page, server):
    page.goto(server + "conclusion/")
    assert page.locator(".bb-share__button--share").count() == 0


def test_landing_on_a_section_puts_it_below_the_header_and_highlights_it(page, server):
    page.goto(server + "intersectionality/#an-intersectional-lens")
    page.wait_for_timeout(300)
    header_bottom = page.evaluate(
        "document.querySelector('.md-header').getBoundingClientRect().bottom"
    )
    target = page.locator("#an-intersectional-lens")
    assert target.bounding_box()["y"] >= header_bottom
    assert "bb-landed" in target.get_attribute("class")


def test_landing_on_a_deep_paragraph_scrolls_it_into_view_below_the_header(page, server):
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(server + "solidarity/#paragraph-6")
    page.wait_for_timeout(300)
    header_bottom = page.evaluate(
        "document.querySelector('.md-header').getBoundingClientRect().bottom"
    )
    box = page.locator("#paragraph-6").bounding_box()
    assert page.evaluate("window.scrollY") > 0
    assert header_bottom <= box["y"] < 640


def test_a_text_fragment_link_lands_on_its_words(page, server):
    # Chromium follows text fragments only on navigations a person started: click.
    page.goto(server + "allyship/")
    page.evaluate(
        """() => {
          const link = document.createElement('a');
          link.href = '../glossary/#:~:text=transgender%20and';
          link.textContent = 'fragment';
          link.id = 'fragment-link';
          document.querySelector('article').prepend(link);
        }"""
    )
    page.locator("#fragment-link").click()
    page.wait_for_url("**/glossary/**")
    page.wait_for_function("window.scrollY > 1000", timeout=5000)


def test_opening_a_page_with_a_fragment_makes_no_outside_request(page, server):
    outside = outside_requests(page, server)
    page.goto(server + "allyship/#paragraph-2", wait_until="networkidle")
    assert outside == []


def test_a_renamed_anchor_forwards_to_its_new_id(page, project_copy, tmp_path):
    source = project_copy / "docs" / "intersectionality.md"
    text = source.read_text(encoding="utf-8").replace("{ #an-intersectional-lens }", "{ #lens }")
    text = text.replace("related:", "moved_anchors:\n  an-intersectional-lens: lens\nrelated:", 1)
    source.write_text(text, encoding="utf-8")
    assert run_build(project_copy, tmp_path / "site").returncode == 0
    with serving(tmp_path / "site") as base:
        page.goto(base + "intersectionality/#an-intersectional-lens")
        page.wait_for_url("**/intersectionality/#lens")
        assert "bb-landed" in page.locator("#lens").get_attribute("class")


# Published with the host's headers, and offline ------------------------------

CSP_WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.violatedDirective}: ${event.blockedURI || 'inline'}`);
});
"""


@pytest.fixture(scope="module")
def headers_server(site):
    with serving(site, with_host_headers=True) as url:
        yield url


@pytest.fixture
def csp_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.add_init_script(CSP_WATCH)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.errors = errors
    yield tab
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_csp_violation_on_any_page_with_the_host_headers(csp_page, headers_server, path):
    response = csp_page.goto(headers_server + path, wait_until="networkidle")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert csp_page.evaluate("window.__violations") == []
    assert csp_page.errors == []


def test_controls_still_work_under_the_csp(csp_page, headers_server):
    csp_page.emulate_media(color_scheme="light")
    csp_page.goto(headers_server + "allyship/")
    csp_page.get_by_role("button", name="Switch to dark mode").click()
    assert csp_page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    csp_page.locator("a.bb-term[data-term=privilege]").hover()
    assert csp_page.locator(TOOLTIP).is_visible()
    csp_page.get_by_role("button", name="Copy link to paragraph 2 of the essay").click()
    assert csp_page.evaluate("navigator.clipboard.readText()").endswith("allyship/#paragraph-2")
    csp_page.locator("input.md-search__input").click()
    csp_page.keyboard.type("solidarity")
    csp_page.locator(".md-search-result__item").first.wait_for()
    assert csp_page.evaluate("window.__violations") == []
    assert csp_page.errors == []


def test_offline_bundle_works_from_file_urls(browser, site, tmp_path):
    zipfile.ZipFile(site / "building-bridges-offline.zip").extractall(tmp_path)
    start = (tmp_path / "building-bridges" / "index.html").as_uri()
    context = browser.new_context()
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(start)
    tab.locator(".md-nav--primary a", has_text="Allyship").first.click()
    tab.wait_for_url("**/allyship.html")
    assert tab.locator("#paragraph-2").is_visible()
    tab.locator("input.md-search__input").click()
    tab.keyboard.type("solidarity")
    results = tab.locator(".md-search-result__item")
    results.first.wait_for()
    assert results.count() >= 2
    context.close()
    assert all(url.startswith(("file://", "data:", "blob:")) for url in requests), requests
    assert errors == []


def test_search_index_and_worker_load_only_when_search_is_opened(page, server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server + "coalitions/", wait_until="networkidle")
    assert not [url for url in requested if "search" in url], requested
    page.locator("input.md-search__input").click()
    page.keyboard.type("allies")
    page.locator(".md-search-result__item").first.wait_for()
    assert any(url.endswith("/search/search_index.json") for url in requested)
    assert any("/workers/search." in url for url in requested)


def test_one_stylesheet_per_page(page, server):
    page.goto(server + "glossary/")
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href)")
    assert len(sheets) == 1 and "/assets/stylesheets/site." in sheets[0]
