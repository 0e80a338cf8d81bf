"""The whole site as a reflowable EPUB 3, made from the same built pages as the PDF.

Each page's article (read by `bridges.pipeline.pdf.read_chapter`, so ids and links are
the PDF's) becomes one XHTML file, in navigation order. The documents around
the content (package, navigation, cover, chapter shell) are Jinja templates in
`src/bridges/templates/epub/`, with autoescape on; the content itself is moved into the
chapter shell as XHTML elements with lxml, never pasted in as text. The zip has
fixed dates and order, so two builds of one commit give the same bytes.
"""

from __future__ import annotations

import logging
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import lxml.html
from jinja2 import Environment, FileSystemLoader
from lxml import etree
from lxml.html import HtmlElement
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.nav import Navigation

from bridges import TEMPLATES
from bridges.pipeline.cards import draw_cover, page_slug
from bridges.pipeline.pdf import (
    KEYWORDS,
    Chapter,
    built_file,
    built_site_nav,
    read_chapter,
    source_date,
)

log = logging.getLogger("mkdocs.bridges.epub")

EPUB_NAME = "building-bridges.epub"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
FOLDER = "EPUB"
COVER_IMAGE = "cover.png"
MEDIA_TYPES = {
    ".css": "text/css",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".xhtml": "application/xhtml+xml",
}
# What the book is and holds, for EPUB Accessibility 1.1 metadata. Each
# feature is true of every build: tests/test_epub.py checks the ones a
# machine can (headings, contents, alt text, no fixed fonts or colours).
ACCESSIBILITY_FEATURES = (
    "alternativeText",
    "displayTransformability",
    "readingOrder",
    "structuralNavigation",
    "tableOfContents",
)
ACCESSIBILITY_SUMMARY = (
    "Reflowable text in a single reading order, with a heading for every chapter and "
    "section, a table of contents, and glossary terms linked to their definitions. The "
    "only image, the cover, has a text alternative that holds all of its words. There is "
    "no audio, video, animation or script. Fonts, sizes and colours follow the reader's "
    "settings. Checked with EPUBCheck, DAISY Ace and axe-core by the publisher; not "
    "certified by a third party."
)
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


@dataclass
class Section:
    id: str
    title: str


@dataclass
class EpubChapter:
    slug: str
    title: str
    kind: str  # the epub:type and DPUB-ARIA role of the chapter's section
    heading_id: str
    content: list[etree._Element]
    sections: list[Section] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return f"{self.slug}.xhtml"


@dataclass
class Cover:
    file: str
    alt: str


@dataclass
class ManifestItem:
    id: str
    href: str
    media_type: str
    properties: str = ""


def build_epub(config: MkDocsConfig, nav: Navigation) -> Path:
    """Writes the EPUB into the site folder and returns its path."""
    site_dir = Path(config.site_dir)
    slugs = {page.url: page_slug(page.url) for page in nav.pages}
    chapters = [
        epub_chapter(
            read_chapter(site_dir, page.url, slugs, config.site_url or ""), set(slugs.values())
        )
        for page in nav.pages
    ]
    link_back_to_terms(chapters)
    home = nav.pages[0]
    # The card shows the site name, the page title and its description.
    names = ": ".join(dict.fromkeys([config.site_name, home.title]))
    cover = Cover(COVER_IMAGE, f"{names}. {home.meta.get('description', '')}".strip())
    templates = TEMPLATES / "epub"
    files = render_publication(templates, config, chapters, cover, source_date())
    # Its words are the alt text's: the site name, the home page's title and description.
    files[f"{FOLDER}/{COVER_IMAGE}"] = draw_cover(
        home.title, home.meta.get("description", ""), config.site_name
    )
    for chapter in chapters:
        for image in chapter.images:
            # The chapter and the manifest name the image by address (escaped), the
            # zip by file name, as a reading system unescapes the address to find it.
            files[f"{FOLDER}/{built_file(Path(), image).as_posix()}"] = built_file(
                site_dir, image
            ).read_bytes()
    target = site_dir / EPUB_NAME
    write_epub(target, files, source_date())
    log.info("EPUB written to %s", target)
    return target


def epub_from_built_site(config_file: str = "mkdocs.yml", site_dir: str = "site") -> Path:
    """Makes the EPUB again from an already built site (for timing it alone)."""
    from mkdocs.config import load_config

    config = load_config(config_file, site_dir=site_dir)
    return build_epub(config, built_site_nav(config))


def epub_chapter(chapter: Chapter, slugs: set[str]) -> EpubChapter:
    """The PDF's chapter as XHTML elements, with links pointing at chapter files."""
    wrapper = lxml.html.fragment_fromstring(chapter.body, create_parent="div")
    # Words for the screen or for paper (the glossary's introduction): the book has its own.
    for element in wrapper.cssselect(".bb-medium-screen, .bb-medium-print"):
        element.drop_tree()
    for link in wrapper.iter("a"):
        href = link.get("href", "")
        if href.startswith("#"):
            link.set("href", chapter_link(href[1:], slugs))
        if "bb-term" in link.get("class", "").split():
            # Reading systems that show notes in a pop-up do so for note references.
            link.set("epub-type", "noteref")
            link.set("role", "doc-noteref")
            # Where the glossary entry's "Used in" link leads back to (one per page:
            # the extension links a term's first use only).
            link.set("id", term_use_id(chapter.slug, link.get("data-term", "")))
    is_glossary = chapter.slug == "glossary"
    if is_glossary:
        for entry in wrapper.cssselect("div.bb-entry"):
            # A term link leads to the whole entry, so a pop-up shows term and definition.
            heading = entry.cssselect("h3[id]")[0]
            entry.set("id", heading.attrib.pop("id"))
    images = [image.get("src") for image in wrapper.iter("img")]
    if any(urlsplit(src).scheme for src in images):
        raise PluginError(
            f"EPUB: the page {chapter.slug} shows an image from another site; "
            "put the image file in docs/ so the book can carry it."
        )
    if wrapper.cssselect("svg, script"):
        raise PluginError(
            f"EPUB: the page {chapter.slug} has an inline <svg> or <script>, which the "
            "EPUB does not carry; use an <img> with alt text instead."
        )
    heading = wrapper.cssselect("h1")[0]
    sections = [
        Section(h2.get("id"), h2.text_content().strip())
        for h2 in wrapper.cssselect("h2[id]")
        if "bb-letter" not in h2.get("class", "").split()
    ]
    kind = "glossary" if is_glossary else "introduction" if chapter.slug == "home" else "chapter"
    if (wrapper.text or "").strip():
        raise PluginError(f"EPUB: the page {chapter.slug} starts with text outside any element.")
    content = list(xhtml_element(wrapper))
    return EpubChapter(
        chapter.slug, chapter.title, kind, heading.get("id"), content, sections, images
    )


def term_use_id(slug: str, term: str) -> str:
    """The id of the link to `term` in chapter `slug`."""
    return f"{slug}--term-{term}"


def link_back_to_terms(chapters: list[EpubChapter]) -> None:
    """Each glossary entry's "Used in" links lead to the term in the chapter, not to
    the chapter's start: a reader who followed a term can go back to where they were."""
    ids = {
        element.get("id")
        for chapter in chapters
        for top in chapter.content
        for element in top.iter(f"{{{XHTML}}}a")
        if element.get("id")
    }
    for chapter in chapters:
        if chapter.kind != "glossary":
            continue
        for top in chapter.content:
            for entry in top.iter(f"{{{XHTML}}}div"):
                if "bb-entry" not in entry.get("class", "").split():
                    continue
                for item in entry.iter(f"{{{XHTML}}}li"):
                    if "bb-used-in" not in item.get("class", "").split():
                        continue
                    for link in item.iter(f"{{{XHTML}}}a"):
                        file = link.get("href", "").split("#")[0]
                        term = entry.get("id", "").removeprefix(f"{chapter.slug}--")
                        use = term_use_id(file.removesuffix(".xhtml"), term)
                        if use in ids:
                            link.set("href", f"{file}#{use}")


def chapter_link(fragment: str, slugs: set[str]) -> str:
    """`#page-allyship` or `#allyship--some-id` (the PDF's links) as a chapter file link."""
    for slug in slugs:
        if fragment == f"page-{slug}":
            return f"{slug}.xhtml"
        if fragment.startswith(f"{slug}--"):
            return f"{slug}.xhtml#{fragment}"
    raise PluginError(f"EPUB: the link #{fragment} leads to no chapter.")


def xhtml_element(element: HtmlElement) -> etree._Element:
    """A copy of an HTML element and its children in the XHTML namespace.

    Comments are left out; the text after them is kept.
    """
    copy = etree.Element(f"{{{XHTML}}}{element.tag}")
    for name, value in element.attrib.items():
        copy.set(f"{{{OPS}}}type" if name == "epub-type" else name, value)
    copy.text = element.text
    for child in element:
        if isinstance(child, HtmlElement):
            copy.append(xhtml_element(child))
            copy[-1].tail = child.tail
        elif child.tail and len(copy):
            copy[-1].tail = (copy[-1].tail or "") + child.tail
        elif child.tail:
            copy.text = (copy.text or "") + child.tail
    return copy


def render_publication(
    templates: Path,
    config: MkDocsConfig,
    chapters: list[EpubChapter],
    cover: Cover,
    modified: datetime,
) -> dict[str, bytes]:
    """Every file of the EPUB but the images, by its path in the zip."""
    env = Environment(
        loader=FileSystemLoader(templates), autoescape=True, keep_trailing_newline=True
    )
    language = config.theme.get("language", "en")
    common = {"config": config, "language": language}
    files = {
        "META-INF/container.xml": env.get_template("container.xml").render(
            package_path=f"{FOLDER}/package.opf"
        ),
        f"{FOLDER}/cover.xhtml": env.get_template("cover.xhtml").render(cover=cover, **common),
        f"{FOLDER}/nav.xhtml": env.get_template("nav.xhtml").render(chapters=chapters, **common),
        f"{FOLDER}/style.css": (templates / "style.css").read_text(encoding="utf-8"),
    }
    shell = env.get_template("chapter.xhtml")
    for chapter in chapters:
        document = etree.fromstring(shell.render(chapter=chapter, **common).encode())
        section = document.find(f".//{{{XHTML}}}section[@id='bb-chapter']")
        del section.attrib["id"]
        section.extend(chapter.content)
        files[f"{FOLDER}/{chapter.file}"] = etree.tostring(
            document.getroottree(), xml_declaration=True, encoding="UTF-8"
        ).decode()
    manifest = [
        ManifestItem("nav", "nav.xhtml", MEDIA_TYPES[".xhtml"], "nav"),
        ManifestItem("cover", "cover.xhtml", MEDIA_TYPES[".xhtml"]),
        ManifestItem("cover-image", cover.file, MEDIA_TYPES[".png"], "cover-image"),
        ManifestItem("style", "style.css", MEDIA_TYPES[".css"]),
        *(ManifestItem(c.slug, c.file, MEDIA_TYPES[".xhtml"]) for c in chapters),
        *(
            ManifestItem(f"image-{n}", image, media_type(image))
            for n, image in enumerate(sorted({i for c in chapters for i in c.images}), 1)
        ),
    ]
    spine = [manifest[1], manifest[0], *(m for m in manifest if m.id in {c.slug for c in chapters})]
    files[f"{FOLDER}/package.opf"] = env.get_template("package.opf").render(
        title=f"{config.site_name}: Allyship and Coalition-Building",
        identifier=publication_id(config.site_url or ""),
        modified=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        version=version("building-bridges"),
        subjects=[s.strip() for s in KEYWORDS.split(",")],
        accessibility_features=ACCESSIBILITY_FEATURES,
        accessibility_summary=ACCESSIBILITY_SUMMARY,
        conforms_to=CONFORMS_TO,
        manifest=manifest,
        spine=spine,
        **common,
    )
    return {name: text.encode("utf-8") for name, text in files.items()}


def publication_id(site_url: str) -> str:
    """The same for every edition: a UUID derived from the book's address."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, site_url + EPUB_NAME)}"


def media_type(path: str) -> str:
    suffix = PurePosixPath(urlsplit(path).path).suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise PluginError(f"EPUB: the image {path} is of a kind an EPUB cannot carry.")
    return MEDIA_TYPES[suffix]


def write_epub(target: Path, files: dict[str, bytes], modified: datetime) -> None:
    """The OCF zip: `mimetype` first and stored, then every file in name order,
    all with the commit's date, so the bytes depend on the content alone."""
    stamp = max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(target, "w") as archive:
        entries = [("mimetype", b"application/epub+zip"), *sorted(files.items())]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
