"""Links to any section: stable ids, a registry of published links, previews."""

from __future__ import annotations

import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from PIL import Image

from conftest import ESSAY, PAGES, ROOT, SITE_URL, run_build

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
        [sys.executable, "-m", "bridges.anchors", str(site)],
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
