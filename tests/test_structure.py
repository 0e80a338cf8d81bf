"""Every page is a well-formed, findable document in the navigation's order."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from conftest import (
    INSIDE_COPY,
    PAGES,
    ROOT,
    SITE_URL,
    copy_project,
    front_matter,
    load_nav,
    load_terms,
    run_build,
    url_of,
)


def test_navigation_lists_every_page_once_starting_with_the_home_page():
    sources = [source for _, source in load_nav()]
    assert sources[0] == "index.md"
    assert len(sources) == len(set(sources))
    assert sorted(sources) == sorted(p.name for p in (ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("path", PAGES)
def test_page_is_built_at_the_address_of_its_source(site, path):
    assert (site / path / "index.html").is_file()


def test_config_is_strict_and_validates_links():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!ENV", ""))
    assert config["strict"] is True
    assert config["validation"]["links"]["anchors"] == "warn"
    assert config["validation"]["nav"]["omitted_files"] == "warn"


@pytest.mark.parametrize("path", PAGES)
def test_page_has_one_h1_title_language_and_description(html, path):
    soup = html(path)
    assert len(soup.find_all("h1")) == 1
    assert soup.title and soup.title.get_text(strip=True)
    assert soup.html["lang"] == "en"
    description = soup.find("meta", attrs={"name": "description"})
    assert description and len(description["content"]) > 40


@pytest.mark.parametrize("path", PAGES)
def test_page_has_absolute_canonical_url(html, path):
    canonical = html(path).find("link", rel="canonical")
    assert canonical["href"] == SITE_URL + path


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_nothing_from_another_host(html, path):
    soup = html(path)
    loaded = [tag.get("src") for tag in soup.find_all(["script", "img", "iframe"])]
    loaded += [tag.get("href") for tag in soup.find_all("link") if tag.get("rel") != ["canonical"]]
    for url in filter(None, loaded):
        assert not urlparse(url).netloc, f"{path} loads {url}"


def test_no_google_fonts_anywhere(site):
    for file in site.rglob("*.html"):
        assert "fonts.googleapis" not in file.read_text(encoding="utf-8"), file


def test_pages_link_previous_and_next_in_nav_order(html):
    for index, path in enumerate(PAGES):
        soup = html(path)
        previous = soup.select_one("a.md-footer__link--prev")
        following = soup.select_one("a.md-footer__link--next")
        if index > 0:
            assert previous["href"].rstrip("./") == f"../{PAGES[index - 1]}".rstrip("./"), path
        if index < len(PAGES) - 1:
            assert following is not None, path


def test_own_logo_and_svg_favicon_inlined_as_a_data_uri(html, site):
    soup = html("")
    favicon = (site / "assets/images/favicon.svg").read_text(encoding="utf-8").strip()
    href = soup.find("link", rel="icon")["href"]
    assert href.startswith("data:image/svg+xml,")
    assert unquote(href.removeprefix("data:image/svg+xml,")) == favicon
    assert soup.select_one(".md-header__button.md-logo svg path") is not None


def test_light_and_dark_palettes_follow_the_system(html):
    toggles = html("").select(".bb-palette__toggle")
    media = {toggle["data-bb-media"] for toggle in toggles}
    assert media == {"(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"}


def test_offline_search_index_is_built(site):
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "coalition" in index.lower()


@pytest.mark.parametrize("source", [source for _, source in load_nav()])
def test_pages_end_with_their_related_pages_in_navigation_order(html, source):
    wanted = front_matter(source).get("related", [])
    in_nav_order = [other for _, other in load_nav() if other in wanted]
    links = html(url_of(source)).select(".bb-related a")
    base = "" if source == "index.md" else "../"
    assert [a["href"] for a in links] == [base + url_of(other) or "./" for other in in_nav_order]


# Adding content as EDITING.md tells editors ---------------------------------------

NEW_PAGE = """---
title: Mutual aid
description: How communities meet each other's needs directly, as equals.
related: [coalitions.md]
---

# Mutual aid {#mutual-aid-page}

Neighbours organising mutual aid share food, rides and care.

## In practice {#in-practice}

A coalition can start from the privileges some members have and others lack.
"""
NEW_TERM = """  - id: mutual-aid
    term: Mutual aid
    definition: >-
      People in a community meeting each other's needs directly, as equals,
      rather than waiting for charity.
    see_also: [solidarity, coalition]

"""


def test_a_page_a_term_and_a_heading_added_as_the_readme_says_pass_the_tests(tmp_path):
    if os.environ.get(INSIDE_COPY):
        pytest.skip("already running on a copy")
    project = copy_project(tmp_path / "project", with_tests=True)
    docs = project / "docs"
    # "Pages are Markdown files ... Add a new page to nav: in mkdocs.yml"
    (docs / "mutual-aid.md").write_text(NEW_PAGE, encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - Glossary: glossary.md\n" in text
    config.write_text(
        text.replace("  - Glossary: glossary.md\n", "  - Mutual aid: mutual-aid.md\n"
                     "  - Glossary: glossary.md\n"), encoding="utf-8")  # fmt: skip
    # "Add a glossary term in docs/glossary.yml, in alphabetical order"
    glossary = docs / "glossary.yml"
    text = glossary.read_text(encoding="utf-8")
    following = next(
        f"  - id: {term['id']}\n" for term in load_terms(project)
        if term["term"].casefold() > "mutual aid"
    )  # fmt: skip
    glossary.write_text(text.replace(following, NEW_TERM + following, 1), encoding="utf-8")
    # "Headings carry a fixed id"
    about = docs / "about.md"
    about.write_text(
        about.read_text(encoding="utf-8") + "\n## Contact {#contact}\n\nWrite to us.\n",
        encoding="utf-8",
    )
    # "Added a heading, page or term? Run ./scripts/anchors --update"
    assert run_build(project, tmp_path / "site").returncode == 0
    update = subprocess.run(
        [sys.executable, "-m", "bridges.pipeline.anchors", str(tmp_path / "site"), "--update"],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    assert update.returncode == 0, update.stdout + update.stderr
    registry = (docs / "published-anchors.txt").read_text(encoding="utf-8")
    for link in ("/mutual-aid/#in-practice", "/glossary/#mutual-aid", "/about/#contact"):
        assert link in registry
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser",
         "tests/test_structure.py", "tests/test_glossary.py", "tests/test_sharing.py",
         "tests/test_essay_fidelity.py"],
        cwd=project, capture_output=True, text=True,
        # A copy outside git has no last commit to date the PDF by (see run_build).
        env={**os.environ, INSIDE_COPY: "1", "SOURCE_DATE_EPOCH": "1764000000"},
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[:6000] + tests.stderr[-2000:]
    assert " passed" in tests.stdout


# Serving while editing ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_until_ready_or_done(command: list[str], cwd: Path) -> tuple[int | None, str]:
    """Runs a serve command until it serves or exits; returns its exit code and output."""
    server = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
    lines = []
    for line in server.stdout:
        lines.append(line)
        if "Serving on" in line:
            server.terminate()
            break
    server.wait(timeout=60)
    return server.returncode, "".join(lines)


def test_serve_uses_one_mkdocs_and_prints_no_banner():
    if not (ROOT / "scripts" / "serve").exists():
        pytest.skip("the scripts are not part of a content copy")
    assert importlib.util.find_spec("properdocs") is None, (
        "ProperDocs, a second MkDocs, is installed (left from mkdocs-redirects 1.2.3): "
        "run .venv/bin/pip uninstall -y properdocs, or delete .venv"
    )
    _, output = serve_until_ready_or_done([str(ROOT / "scripts" / "serve"), str(free_port())],
                                          ROOT)  # fmt: skip
    assert "Serving on http://127.0.0.1:" in output
    assert "end of life" not in output and "ProperDocs" not in output


def test_serve_shows_a_mistake_as_one_line(project_copy):
    page = project_copy / "docs" / "about.md"
    line = len(page.read_text(encoding="utf-8").splitlines()) + 2
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [[mutal-aid]].\n", "utf-8")
    code, output = serve_until_ready_or_done(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{free_port()}"],
        project_copy,
    )
    assert code != 0 and "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert errors == [
        f"ERROR   -  docs/about.md, line {line}: unknown glossary term '[[mutal-aid]]'. Fix the "
        "spelling, or add a term with id 'mutal-aid' to docs/glossary.yml."
    ]
