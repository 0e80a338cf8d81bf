"""URLs that run script, and URLs that load from another host, read as a browser
reads them (`bridges.extensions.script_urls`, used by the safety extension and
the page scan after the build)."""

from __future__ import annotations

import pytest

from bridges.extensions.script_urls import loads_from_elsewhere, script_url


@pytest.mark.parametrize(
    ("attribute", "value", "scheme"),
    [
        ("href", "javascript:alert(1)", "javascript:"),
        ("href", "JaVaScRiPt:alert(1)", "javascript:"),
        ("href", " \tjava\nscript:alert(1)", "javascript:"),
        ("src", "vbscript:msgbox(1)", "vbscript:"),
        ("values", "x;javascript:alert(1)", "javascript:"),
    ],
)
def test_a_url_that_runs_script_is_found_as_a_browser_reads_it(attribute, value, scheme):
    assert script_url(attribute, value) == scheme


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("href", "page.md#javascript:"), ("href", "https://example.org/javascript:x"),
     ("href", "notes/javascript.md")],
)  # fmt: skip
def test_a_url_that_only_mentions_script_does_not_run_it(attribute, value):
    assert script_url(attribute, value) is None


@pytest.mark.parametrize(
    "url", ["https://evil.example/x.png", "HTTP://evil.example/", "//evil.example/x.png",
            "\\\\evil.example/x.png", "/\\evil.example/x.png", "data:image/png;base64,AAAA",
            "blob:https://example.org/1"],
)  # fmt: skip
def test_a_url_of_another_host_or_scheme_loads_from_elsewhere(url):
    assert loads_from_elsewhere(url)


@pytest.mark.parametrize(
    "url", ["assets/x.png", "../assets/x.png", "/assets/x.png", "#top", "x.png?v=1"]
)
def test_a_url_of_this_site_does_not_load_from_elsewhere(url):
    assert not loads_from_elsewhere(url)
