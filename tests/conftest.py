"""Shared fixtures: one strict build of the site, its pages parsed, and a browser.

Pages, navigation and glossary terms are read from mkdocs.yml and docs/, never
listed here, so adding a page or a term needs no change to the tests.
"""

from __future__ import annotations

import functools
import http.server
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
from urllib.parse import urlparse

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT / "tests" / "data" / "essay.txt"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


def run_build(project: Path, site_dir: Path) -> BuildResult:
    """Runs the project's build command on `project`, as `./scripts/build` does.

    A copy outside git has no last commit to date the PDF by, so it gets a fixed
    SOURCE_DATE_EPOCH, as a packager would set.
    """
    env = dict(os.environ)
    if project != ROOT:
        env.setdefault("SOURCE_DATE_EPOCH", "1764000000")
    result = subprocess.run(
        [sys.executable, "-m", "bridges.build", str(site_dir)],
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
    names = ["docs", "overrides", *(["tests"] if with_tests else [])]
    for name in names:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ["mkdocs.yml", *(["pyproject.toml"] if with_tests else [])]:
        shutil.copy(ROOT / name, target / name)
    return target


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


@contextmanager
def serving(directory: Path, with_host_headers: bool = False) -> Iterator[str]:
    """Serves `directory` on a free local port; yields its base URL."""
    handler_class = _QuietHandler
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
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


# Browser checks used by several test modules ----------------------------------


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
