"""Links to any section: stable ids, a registry of published links, previews."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from test_build_errors import assert_previous_site_intact, build_broken, error_lines

from bridges.pipeline.anchors import broken_links, redirect_map_problems, write_redirects
from conftest import (
    ESSAY,
    PAGES,
    ROOT,
    SITE_URL,
    VIEWPORTS,
    as_text,
    copy_project,
    run_build,
    serving,
)

NGINX = "/usr/sbin/nginx"

HEADING_LINE = re.compile(r"^#{1,6} .*$", re.MULTILINE)


@pytest.mark.parametrize("source", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_every_heading_in_the_source_has_an_explicit_id(source):
    text = source.read_text(encoding="utf-8")
    for heading in HEADING_LINE.findall(text):
        assert re.search(r"\{\s*#[a-z0-9-]+\s*[^}]*\}\s*$", heading), (
            f"{source.name}: give '{heading}' a fixed id, like {{#short-name}}"
        )


@pytest.mark.parametrize("path", PAGES)
def test_every_heading_and_essay_paragraph_has_an_id(html, path):
    article = html(path).find("article")
    for element in article.select("h1, h2, h3, .essay p"):
        assert element.get("id"), f"{path}: {element.name} without id: {element.get_text()[:40]}"


@pytest.mark.parametrize("path", PAGES)
def test_ids_are_unique_on_each_page(html, path):
    ids = [element["id"] for element in html(path).select("[id]")]
    assert len(ids) == len(set(ids))


def test_essay_paragraph_ids_follow_the_essay_numbering(html):
    ids = [p["id"] for path in PAGES for p in html(path).select("article .essay p")]
    paragraphs = ESSAY.read_text(encoding="utf-8").strip().split("\n\n")
    assert ids == [f"paragraph-{n}" for n in range(1, len(paragraphs) + 1)]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_open_graph_and_twitter_card_with_absolute_urls(html, path):
    soup = html(path)

    def meta(key: str) -> str:
        tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
        assert tag is not None, f"{path}: no {key}"
        return tag["content"]

    assert meta("og:url") == SITE_URL + path
    assert meta("og:title") and meta("og:description") and meta("twitter:title")
    assert meta("og:image").startswith(SITE_URL + "assets/cards/")
    assert meta("twitter:image") == meta("og:image")
    assert (meta("og:image:width"), meta("og:image:height")) == ("1200", "630")
    assert meta("og:image:alt") and meta("twitter:card") == "summary_large_image"


@pytest.mark.parametrize("path", PAGES)
def test_preview_card_exists_at_1200_by_630(html, site, path):
    image = html(path).find("meta", attrs={"property": "og:image"})["content"]
    with Image.open(site / image.removeprefix(SITE_URL)) as card:
        assert card.size == (1200, 630) and card.format == "PNG"


def test_sitemap_lists_every_page(site):
    tree = ElementTree.parse(site / "sitemap.xml")
    locations = {element.text for element in tree.iter() if element.tag.endswith("loc")}
    assert locations == {SITE_URL + path for path in PAGES}


def test_robots_txt_points_to_the_sitemap(site):
    assert f"Sitemap: {SITE_URL}sitemap.xml" in (site / "robots.txt").read_text()


def test_404_page_lists_every_chapter(site):
    page = (site / "404.html").read_text(encoding="utf-8").replace('href="/."', 'href="/"')
    for path in PAGES:
        assert f'href="/{path}"' in page


def test_registry_lists_every_current_page_and_anchor(site):
    """The verify half of `./scripts/anchors --update`."""
    result = subprocess.run(
        [sys.executable, "-m", "bridges.pipeline.anchors", str(site)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_removing_a_published_heading_id_fails_naming_url_and_anchor(project_copy, tmp_path):
    page = project_copy / "docs" / "intersectionality.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "{ #an-intersectional-lens }", "{ #lens }"), encoding="utf-8")  # fmt: skip
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "/intersectionality/#an-intersectional-lens" in result.output


def test_a_moved_anchor_mapped_in_front_matter_keeps_the_build_green(project_copy, tmp_path):
    page = project_copy / "docs" / "intersectionality.md"
    text = page.read_text(encoding="utf-8").replace("{ #an-intersectional-lens }", "{ #lens }")
    text = text.replace("related:", "moved_anchors:\n  an-intersectional-lens: lens\nrelated:", 1)
    page.write_text(text, encoding="utf-8")
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode == 0, result.output
    built = (tmp_path / "site" / "intersectionality" / "index.html").read_text(encoding="utf-8")
    assert '{"an-intersectional-lens": "lens"}' in built


def test_a_moved_page_needs_a_redirect(project_copy, tmp_path):
    (project_copy / "docs" / "about.md").rename(project_copy / "docs" / "about-this-site.md")
    for name in ("index.md", "glossary.yml"):
        source = project_copy / "docs" / name
        source.write_text(
            source.read_text(encoding="utf-8").replace("about.md", "about-this-site.md"),
            encoding="utf-8",
        )
    config = project_copy / "mkdocs.yml"
    config.write_text(config.read_text().replace("About: about.md", "About: about-this-site.md"))
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode != 0 and "'/about/'" in result.output
    config.write_text(config.read_text().replace(
        "redirect_maps: {}", "redirect_maps: {about.md: about-this-site.md}"))  # fmt: skip
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode == 0, result.output
    assert "about-this-site/" in (tmp_path / "site" / "about" / "index.html").read_text()


# Links that outlive JavaScript ------------------------------------------------------


@pytest.fixture(scope="module")
def moved_site(tmp_path_factory) -> Path:
    """The site after an editor renamed a page, a heading id, and moved a section away."""
    project = copy_project(tmp_path_factory.mktemp("moved") / "project")
    docs = project / "docs"
    (docs / "about.md").rename(docs / "about-this-site.md")
    edit(docs / "index.md", "about.md", "about-this-site.md", count=-1)
    edit(project / "mkdocs.yml", "About: about.md", "About: about-this-site.md")
    edit(
        project / "mkdocs.yml", "redirect_maps: {}", "redirect_maps: {about.md: about-this-site.md}"
    )
    edit(docs / "intersectionality.md", "{ #an-intersectional-lens }", "{ #lens }")
    edit(docs / "intersectionality.md", "related:", MOVED_LENS + "related:")
    edit(docs / "coalitions.md", "related:", MOVED_AWAY + "related:")
    site = project.parent / "site"
    result = run_build(project, site)
    assert result.returncode == 0, result.output
    return site


MOVED_LENS = "moved_anchors:\n  an-intersectional-lens: lens\n"
MOVED_AWAY = "moved_anchors:\n  standing-together: solidarity/#solidarity-within-coalitions\n"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: update the test"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_an_id_renamed_on_its_page_stays_as_an_alias_at_the_new_id(moved_site):
    page = BeautifulSoup((moved_site / "intersectionality/index.html").read_text(), "lxml")
    alias = page.find(id="an-intersectional-lens")
    assert alias is not None and alias.get_text() == ""
    assert alias.parent.get("id") == "lens" and alias["data-bb-alias-of"] == "lens"


def test_moved_pages_are_listed_for_netlify_and_cloudflare(moved_site):
    rules = (moved_site / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/about/ /about-this-site/ 301" in rules
    assert "/about/ /about-this-site/ 301!" in rules
    assert "/about/index.html /about-this-site/ 301" in rules


def test_published_site_without_moves_has_empty_redirect_files(site):
    for name in ("_redirects", "nginx-redirects.conf"):
        lines = (site / name).read_text(encoding="utf-8").splitlines()
        assert all(line.startswith("#") for line in lines), name


# Redirects to other sites ----------------------------------------------------------

CONFIG_LINES = ["plugins:", "  - redirects:", "      redirect_maps:", "        old.md: {}"]


def problems_of(new: str, listed: tuple[str, ...] = ()) -> list[str]:
    lines = [line.format(new) for line in CONFIG_LINES]
    return as_text(redirect_map_problems({"old.md": new}, list(listed), lines, "mkdocs.yml"))


def test_a_redirect_to_another_site_is_refused_unless_listed_on_purpose():
    assert problems_of("https://evil.example/") == [
        "mkdocs.yml, line 4: redirect_maps entry 'old.md: https://evil.example/' sends readers "
        "to another site. If that is meant, list the address under 'external_redirects:' in "
        "'extra:' in mkdocs.yml; else redirect to a page of this site, like 'new-name.md'."
    ]
    assert problems_of("https://example.org/page", listed=("https://example.org/page",)) == []


@pytest.mark.parametrize("new", ["//evil.example/", "HTTPS://evil.example/", "javascript:alert(1)"])
def test_every_form_of_another_site_counts_as_another_site(new):
    [problem] = problems_of(new)
    assert "sends readers to another site" in problem


@pytest.mark.parametrize(
    "new",
    [
        "new.md 302",  # a space: a second rule on the line
        "new.md;}location/{return",  # nginx syntax
        "$host",  # an nginx variable
        'new.md"',
    ],
)
def test_a_redirect_that_would_not_make_one_clean_line_is_refused(new):
    [problem] = problems_of(new)
    assert problem.startswith(f"mkdocs.yml, line 4: redirect_maps entry 'old.md: {new}': the new")


def test_a_listed_address_must_be_https():
    [problem] = problems_of("http://example.org/page", listed=("http://example.org/page",))
    assert "or a listed https:// address" in problem


def test_a_listed_redirect_is_written_to_the_host_files_as_it_is(tmp_path):
    templates = ROOT / "src" / "bridges" / "templates" / "deploy"
    write_redirects(tmp_path, {"old/": "https://example.org/page", "a/": "b/"}, "/", templates)
    rules = (tmp_path / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/old/ https://example.org/page 301" in rules and "/a/ /b/ 301" in rules
    nginx_rules = (tmp_path / "nginx-redirects.conf").read_text(encoding="utf-8")
    assert "location = /old/ { return 301 https://example.org/page; }" in nginx_rules


def test_a_malformed_redirect_is_never_written(tmp_path):
    templates = ROOT / "src" / "bridges" / "templates" / "deploy"
    with pytest.raises(ValueError, match="not a redirect that can be written as one line"):
        write_redirects(tmp_path, {"old/": "new/ 302\n/x"}, "/", templates)
    assert list(tmp_path.iterdir()) == []


def test_a_page_redirected_to_a_listed_site_keeps_its_published_links():
    def anchors_of(url: str) -> None:
        return None  # the page is no longer in the site

    redirects = {"old/": "https://example.org/page"}
    assert broken_links(["/old/", "/old/#section"], anchors_of, redirects, {}) == []


def test_the_build_refuses_a_redirect_to_another_site(project_copy, tmp_path):
    edit(project_copy / "mkdocs.yml", "redirect_maps: {}",
         "redirect_maps: {about.md: 'https://evil.example/'}")  # fmt: skip
    output, site = build_broken(project_copy, tmp_path)
    line = next(number for number, text in enumerate(
        (project_copy / "mkdocs.yml").read_text(encoding="utf-8").splitlines(), 1)
        if "evil.example" in text)  # fmt: skip
    assert error_lines(output) == [
        f"mkdocs.yml, line {line}: redirect_maps entry 'about.md: https://evil.example/' sends "
        "readers to another site. If that is meant, list the address under "
        "'external_redirects:' in 'extra:' in mkdocs.yml; else redirect to a page of this "
        "site, like 'new-name.md'."
    ]
    assert_previous_site_intact(site)


@contextmanager
def nginx(site: Path, tmp_path: Path) -> Iterator[str]:
    """Debian's nginx serving `site` with its redirect snippet, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "nginx.conf"
    config.write_text(
        # As root, workers would run as nobody, who cannot read pytest's private tmp folder.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\nhttp {\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  server {{\n    listen 127.0.0.1:{port};\n    root {site};\n"
        f"    include {site}/nginx-redirects.conf;\n  }}\n}}\n",
        encoding="utf-8",
    )  # fmt: skip
    server = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp_path)])
    try:
        for _ in range(100):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def status_and_location(base: str, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(base.removeprefix("http://"))
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.getheader("Location", "")


@pytest.mark.parametrize("old", ["/about/", "/about/index.html", "/about"])
def test_nginx_answers_a_moved_page_with_a_301_to_the_new_address(moved_site, tmp_path, old):
    with nginx(moved_site, tmp_path) as base:
        status, location = status_and_location(base, old)
        assert (status, location) == (301, f"{base}/about-this-site/")
        assert status_and_location(base, "/about-this-site/")[0] == 200


@pytest.fixture
def tab_without_javascript(chromium) -> Iterator:
    """A Chromium tab with scripts off, as a reader may have them."""
    opened = chromium.new_page(*VIEWPORTS["desktop"], javascript=False)
    yield opened
    opened.close()


@pytest.mark.browser
def test_without_javascript_a_moved_page_keeps_the_fragment_through_nginx(
    tab_without_javascript, moved_site, tmp_path
):
    with nginx(moved_site, tmp_path) as base:
        tab_without_javascript.goto(f"{base}/about/#how-to-cite")
        assert tab_without_javascript.url() == f"{base}/about-this-site/#how-to-cite"


@pytest.mark.browser
def test_without_javascript_a_renamed_id_lands_on_its_alias(tab_without_javascript, moved_site):
    with serving(moved_site) as base:
        tab_without_javascript.goto(base + "intersectionality/#an-intersectional-lens")
        alias_of = "() => document.querySelector(':target').dataset.bbAliasOf"
        assert tab_without_javascript.evaluate(alias_of) == "lens"


def assert_lands_on(tab, selector: str) -> None:
    """The script marks the section it brought the reader to, and it is shown."""
    landed = tab.wait_for("(selector) => document.querySelector(selector) !== null", selector)
    assert landed, f"{tab.url()}: no {selector}"
    assert tab.is_visible(selector), f"{tab.url()}: {selector} is not shown"


@pytest.mark.browser
def test_on_a_host_without_redirects_the_script_forwards_a_moved_page_with_its_fragment(
    chromium_tab, moved_site
):
    # In Chromium only: WebKit now and then (1 fresh tab in 12 here) lets the
    # redirect page's <meta refresh>, which has no fragment, win over its script,
    # which keeps it. That page is mkdocs-redirects' own, not the site's template.
    with serving(moved_site) as base:  # like GitHub Pages: files only
        chromium_tab.goto(base + "about/#how-to-cite")
        chromium_tab.wait_for_url("/about-this-site/#how-to-cite")


@pytest.mark.browser
@pytest.mark.feature("moved links forwarded by the script")
def test_the_script_forwards_an_id_moved_to_another_page(desktop_tab, moved_site):
    with serving(moved_site) as base:
        desktop_tab.goto(base + "coalitions/#standing-together")
        desktop_tab.wait_for_url("/solidarity/#solidarity-within-coalitions")
        assert_lands_on(desktop_tab, "#solidarity-within-coalitions.bb-landed")


@pytest.mark.browser
@pytest.mark.feature("moved links forwarded by the script")
def test_the_script_shows_the_current_id_of_a_renamed_one(desktop_tab, moved_site):
    with serving(moved_site) as base:
        desktop_tab.goto(base + "intersectionality/#an-intersectional-lens")
        desktop_tab.wait_for_url("/intersectionality/#lens")
        assert_lands_on(desktop_tab, "#lens.bb-landed")
