"""Shared fixtures: one strict build of the site, its pages parsed, and browsers:
Chromium through Playwright, and every engine through `tests/engines`.

Pages, navigation and glossary terms are read from mkdocs.yml and docs/, never
listed here, so adding a page or a term needs no change to the tests.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from bs4 import BeautifulSoup

import engines

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT / "tests" / "data" / "essay.txt"


def as_text(problems) -> list[str]:
    """Problems as an editor reads them: one line each."""
    return [str(problem) for problem in problems]


def load_config(root: Path = ROOT) -> dict:
    """mkdocs.yml as plain data (environment tags read as their default lists)."""
    return yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))


def load_nav(root: Path = ROOT) -> list[tuple[str, str]]:
    """(title, source path) of each page, in navigation order, from mkdocs.yml."""
    return [next(iter(entry.items())) for entry in load_config(root)["nav"]]


def load_terms(root: Path = ROOT) -> list[dict]:
    """The entries of docs/glossary.yml, in file order."""
    return yaml.safe_load((root / "docs" / "glossary.yml").read_text(encoding="utf-8"))["terms"]


def front_matter(source: str, root: Path = ROOT) -> dict:
    """The front matter of a docs/ page."""
    text = (root / "docs" / source).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


GLOSSARY_PAGE = "glossary.md"
"""The page holding `::: glossary` (the extension's default)."""


def url_of(source: str) -> str:
    """The site path that MkDocs gives a docs/ source file."""
    return "" if source == "index.md" else source.removesuffix(".md") + "/"


SITE_URL = "https://building-bridges.github.io/"
"""The site_url of mkdocs.yml when SITE_URL is not set."""

PAGES = [url_of(source) for _, source in load_nav()]
"""Site path of every page, in navigation order."""

TEXT_PAGES = [url_of(source) for _, source in load_nav() if source != GLOSSARY_PAGE]
"""Pages whose text links glossary terms: every page but the glossary itself."""


@dataclass
class BuildResult:
    returncode: int
    output: str


def run_build(project: Path, site_dir: Path, *options: str) -> BuildResult:
    """Runs the project's build command on `project`, as `./scripts/build` does.

    A copy outside git has no last commit to date the PDF by, so it gets a fixed
    SOURCE_DATE_EPOCH, as a packager would set.
    """
    env = dict(os.environ)
    if project != ROOT:
        env.setdefault("SOURCE_DATE_EPOCH", "1764000000")
    result = subprocess.run(
        [sys.executable, "-m", "bridges.build", *options, str(site_dir)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    return BuildResult(result.returncode, result.stdout + result.stderr)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("build") / "site"
    result = run_build(ROOT, site_dir)
    assert result.returncode == 0, result.output
    return site_dir


@pytest.fixture(scope="session")
def nav() -> list[tuple[str, str]]:
    return load_nav()


@pytest.fixture(scope="session")
def html(site: Path):
    """Parsed built page by its site path ("" for home, "allyship/", ...)."""

    @functools.cache
    def parse(path: str) -> BeautifulSoup:
        return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "lxml")

    return parse


INSIDE_COPY = "BB_TESTS_INSIDE_PROJECT_COPY"
"""Set when the suite runs on a project copy (the add-a-page test): no copies of copies."""


def copy_project(target: Path, with_tests: bool = False) -> Path:
    names = ["docs", "overrides", "src", *(["tests"] if with_tests else [])]
    for name in names:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ["mkdocs.yml", *(["pyproject.toml"] if with_tests else [])]:
        shutil.copy(ROOT / name, target / name)
    return target


FIXTURE_SITE = ROOT / "tests" / "data" / "fixture-site"
"""A few tiny pages and a tiny glossary with the project's configuration and build."""


def copy_fixture_site(target: Path) -> Path:
    """The fixture site's mkdocs.yml and docs/, with the project's overrides/, src/ and
    docs/assets/ (the theme, the hooks and the site's own script and stylesheet)."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(FIXTURE_SITE, target, ignore=ignore)
    for name in ["overrides", "src"]:
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    shutil.copytree(ROOT / "docs" / "assets", target / "docs" / "assets", ignore=ignore)
    return target


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A throwaway copy of the fixture site, for breaking on purpose: a test that needs
    a build only to read its message builds this, in about half the site's time."""
    return copy_fixture_site(tmp_path / "project")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the project's sources, for breaking on purpose."""
    if os.environ.get(INSIDE_COPY):
        pytest.skip("runs on the project itself, not on a copy of a copy")
    return copy_project(tmp_path / "project")


# Browser fixtures -------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _HeadersHandler(_QuietHandler):
    """Applies the site's `_headers` rules, as Netlify or Cloudflare Pages would."""

    rules: ClassVar[list[tuple[re.Pattern[str], list[tuple[str, str]]]]] = []

    def end_headers(self) -> None:
        path = self.path.split("?")[0].split("#")[0]
        for pattern, headers in self.rules:
            if pattern.fullmatch(path):
                for name, value in headers:
                    self.send_header(name, value)
        super().end_headers()


def parse_headers_file(path: Path) -> list[tuple[re.Pattern[str], list[tuple[str, str]]]]:
    rules: ClassVar[list[tuple[re.Pattern[str], list[tuple[str, str]]]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            rules.append((re.compile(".*".join(map(re.escape, line.strip().split("*")))), []))
        else:
            name, _, value = line.strip().partition(": ")
            rules[-1][1].append((name, value))
    return rules


# Stands in for the console log WebDriver does not give in WebKit: records
# console errors, uncaught errors and failed loads from the first script on.
CONSOLE_PROBE = b"""<script>
window.__bbErrors = [];
(() => {
  const error = console.error.bind(console);
  console.error = (...args) => { window.__bbErrors.push(args.join(" ")); error(...args); };
  addEventListener("error", (event) => window.__bbErrors.push(event.message ||
    `failed to load ${event.target.src || event.target.href}`), true);
  addEventListener("unhandledrejection", (event) => window.__bbErrors.push(String(event.reason)));
})();
</script>"""


class _ProbeHandler(_QuietHandler):
    """Serves pages with CONSOLE_PROBE as the first thing in their <head>."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(b"<head>", b"<head>" + CONSOLE_PROBE, 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serving(
    directory: Path, with_host_headers: bool = False, with_console_probe: bool = False
) -> Iterator[str]:
    """Serves `directory` on a free local port; yields its base URL."""
    handler_class = _ProbeHandler if with_console_probe else _QuietHandler
    if with_host_headers:
        rules = parse_headers_file(directory / "_headers")
        handler_class = type("SiteHeadersHandler", (_HeadersHandler,), {"rules": rules})
    handler = functools.partial(handler_class, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """The built site, served locally."""
    with serving(site) as url:
        yield url


@pytest.fixture(scope="session")
def probed_server(site: Path) -> Iterator[str]:
    """The built site, served with CONSOLE_PROBE in every page."""
    with serving(site, with_console_probe=True) as url:
        yield url


# Every engine: the same test in Chromium, Firefox and WebKit -------------------

VIEWPORTS = {"desktop": (1280, 900), "phone": (360, 740)}
"""Window sizes by name; the matrix shows them as widths."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        action="append",
        choices=engines.ENGINES,
        help="run the browser tests in this engine only (repeatable; default: all)",
    )


WHOLE_BUILDS = frozenset(
    {"site", "project_copy", "fixture_site", "hostile_site", "languages_site", "moved_site",
     "moved_anchor_server", "corpus_build", "broken_build", "zensical_site"}
)  # fmt: skip
"""Fixtures that build a whole site in a subprocess, here and in test modules."""

SLOW_TESTS = {
    "tests/test_install.py::test_pins_resolve_from_the_registry_in_a_brand_new_environment":
        "installs every pin from PyPI into a new environment",
    "tests/test_structure.py::test_a_page_a_term_and_a_heading_added_as_the_readme_says_pass_"
    "the_tests": "runs the tests, builds included, on a copy of the project",
    "tests/test_structure.py::test_serve_uses_one_mkdocs_and_prints_no_banner":
        "starts ./scripts/serve, which builds the site",
    "tests/test_build_caching.py::test_site_only_build_makes_the_pages_but_no_pdf_or_offline_zip":
        "builds the site in a subprocess",
}  # fmt: skip
"""Tests that build (or install) without a fixture that does, and why they are slow."""


@pytest.hookimpl(tryfirst=True)  # marked before `-m` selects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The fast suite (`./scripts/test --fast`) leaves out the browsers and every test
    # that needs a whole build, its own or a fixture's: those are marked `slow` here.
    for item in items:
        by_fixture = WHOLE_BUILDS & set(getattr(item, "fixturenames", ()))
        if by_fixture or item.nodeid.split("[")[0] in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
    chosen = config.getoption("--engine")
    if not chosen:
        return
    keep, drop = [], []
    for item in items:
        engine = getattr(item, "callspec", None) and item.callspec.params.get("engine")
        (drop if engine and engine not in chosen else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=engines.ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[engines.Engine]:
    """A browser engine, started once per test session; pages may load from 127.0.0.1 only."""
    started = engines.start(request.param, "127.0.0.1")
    yield started
    started.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[engines.Engine]:
    """Chromium alone, for what only Chromium's driver can show (its accessibility
    tree, for one) and for behaviours of the site rather than of an engine."""
    started = engines.start("chromium", "127.0.0.1")
    yield started
    started.close()


@pytest.fixture
def chromium_tab(chromium: engines.Engine) -> Iterator[engines.Page]:
    """A fresh desktop page in Chromium, in the light scheme."""
    opened = chromium.new_page(*VIEWPORTS["desktop"])
    yield opened
    opened.close()


@pytest.fixture
def desktop_tab(engine: engines.Engine) -> Iterator[engines.Page]:
    """A fresh desktop page in each engine, in the light scheme."""
    opened = engine.new_page(*VIEWPORTS["desktop"])
    yield opened
    opened.close()


@pytest.fixture(params=list(VIEWPORTS))
def width(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest) -> str:
    """The reader's system colour scheme (prefers-color-scheme)."""
    return request.param


@pytest.fixture
def tab(engine: engines.Engine, width: str, scheme: str) -> Iterator[engines.Page]:
    """A fresh page in `engine` at `width`, with the system in `scheme`."""
    opened = engine.new_page(*VIEWPORTS[width], scheme)
    yield opened
    opened.close()


# The matrix: feature x engine x width x scheme, printed after the run ---------

MATRIX_KEY = pytest.StashKey[dict[str, tuple[str, tuple[str, str, str], str]]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[MATRIX_KEY] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    marker = item.get_closest_marker("feature")
    params = getattr(item, "callspec", None) and item.callspec.params
    if marker and params and "engine" in params:
        results = item.config.stash[MATRIX_KEY]
        cell = (params["engine"], params.get("width", "any"), params.get("scheme", "any"))
        before = results.get(item.nodeid, (None, None, ""))[2]
        if report.failed:
            outcome = "FAIL"
        elif report.skipped and before != "FAIL":
            outcome = "n/a"
        elif report.when == "call" and before == "":
            outcome = "pass"
        else:
            outcome = before
        results[item.nodeid] = (marker.args[0], cell, outcome)
    return report


def matrix_lines(results: dict[str, tuple[str, tuple[str, str, str], str]]) -> list[str]:
    """One row per feature; a cell fails if any of its tests failed."""
    columns = [
        (engine, width, scheme)
        for engine in engines.ENGINES
        for width in [*VIEWPORTS, "any"]
        for scheme in ["light", "dark", "any"]
    ]
    cells: dict[str, dict[tuple[str, str, str], set[str]]] = {}
    for feature, cell, outcome in results.values():
        cells.setdefault(feature, {}).setdefault(cell, set()).add(outcome or "n/a")
    used = [c for c in columns if any(c in row for row in cells.values())]
    widths = {name: f"{size[0]}" for name, size in VIEWPORTS.items()} | {"any": "any"}
    heads = [f"{e[:2]} {widths[w]} {s[0] if s != 'any' else '*'}" for e, w, s in used]
    name_width = max(len(f) for f in cells)
    lines = [" ".join([" " * name_width, *(f"{h:>9}" for h in heads)])]
    for feature, row in cells.items():
        shown = []
        for column in used:
            outcomes = row.get(column, set())
            value = next((o for o in ("FAIL", "pass", "n/a") if o in outcomes), "")
            shown.append(f"{value:>9}")
        lines.append(" ".join([f"{feature:<{name_width}}", *shown]))
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash[MATRIX_KEY]
    if not results:
        return
    terminalreporter.section("browser matrix: feature x engine (ch/fi/we) x width x scheme (l/d)")
    for line in matrix_lines(results):
        terminalreporter.write_line(line)


# Browser checks used by several test modules ----------------------------------


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def assert_no_axe_violations(page: engines.Page, label: str) -> None:
    """Runs axe-core (from npm, injected into the page) in any engine."""
    problems = [
        f"{label}: {v['id']} ({v['impact']}) at {target}: {v['help']}"
        for v in page.axe_violations(AXE_OPTIONS)
        for target in v["targets"]
    ]
    assert not problems, "\n".join(problems)
