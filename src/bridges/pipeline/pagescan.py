"""What the checks after the build need from each built page, read in one pass.

Three consumers read the finished pages: the stylesheet purge (the names and
attribute values in the markup), the policy check (inline code, event and
style attributes, script URLs) and the published-links check (the ids readers
may link to). Each page is parsed once, from the HTML MkDocs is about to write
(`on_post_page`), in a worker process while MkDocs renders the next page; the
hooks collect the scans after the build. HTML files that no page event wrote
(the 404 page, redirect pages) are scanned from the site folder then.

Each transform below takes the parsed page and answers one question; `scan_page`
runs them all. A worker imports this module to run them: it imports only what
they need (no MkDocs, Markdown or YAML), so workers start quickly.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from bridges.extensions.script_urls import script_url

EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
# Anchors readers may share: headings, essay paragraphs and glossary entries.
PUBLIC_IDS = "article h1[id], article h2[id], article h3[id], article .essay p[id]"


@dataclass
class InlineCode:
    """CSP hash sources of inline scripts and inline style elements."""

    scripts: set[str] = field(default_factory=set)
    styles: set[str] = field(default_factory=set)

    def add(self, other: InlineCode) -> None:
        self.scripts |= other.scripts
        self.styles |= other.styles


@dataclass(frozen=True)
class PageScan:
    """One built page, as the checks after the build see it."""

    # For the stylesheet purge, which needs only their union: the elements,
    # attributes, classes and ids, and the attribute values (`[name=value]`
    # selectors), that this worker has not returned before in the same build.
    names: frozenset[str]
    values: frozenset[str]
    inline: InlineCode  # the policy check
    code_attributes: tuple[str, ...]  # "a onclick= attribute on <a>": the policy check
    public_ids: frozenset[str]  # the published-links check


def hash_source(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def parse(html: str) -> HtmlElement | None:
    """The page's document element; None for an empty file."""
    return lxml.html.document_fromstring(html) if html.strip() else None


def markup_names(root: HtmlElement) -> tuple[set[str], set[str]]:
    """(class, id, attribute and element names; attribute values) in the page."""
    names: set[str] = set()
    values: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        names.add(element.tag)
        for attribute, value in element.attrib.items():
            names.add(attribute)
            values.add(value)
            if attribute in {"class", "id"}:
                names.update(value.split())
    return names, values


def inline_code_in(root: HtmlElement) -> InlineCode:
    """The hashes of the inline scripts a browser would run, and of the inline styles."""
    found = InlineCode()
    for script in root.iter("script"):
        if script.get("src") is None and script.get("type", "").lower() in EXECUTABLE_TYPES:
            found.scripts.add(hash_source(script.text or ""))
    for style in root.iter("style"):
        found.styles.add(hash_source(style.text or ""))
    return found


def code_attributes(root: HtmlElement) -> list[str]:
    """Every event attribute, style attribute and script URL, as "a onclick= attribute
    on <a>": code a policy with hashes cannot allow."""
    problems = []
    for element in root.iter():
        for attribute, value in getattr(element, "attrib", {}).items():
            if attribute.startswith("on") or attribute == "style":
                problems.append(f"a {attribute}= attribute on <{element.tag}>")
            elif script_url(attribute, value):
                problems.append(f"a script URL in {attribute}= on <{element.tag}>")
    return problems


@cache
def _public_ids_selector() -> CSSSelector:
    return CSSSelector(PUBLIC_IDS, translator="html")  # as HtmlElement.cssselect


def public_ids(root: HtmlElement) -> set[str]:
    """The ids readers may link to; bb- ids are the theme's own."""
    ids = (element.get("id") for element in _public_ids_selector()(root))
    return {id for id in ids if not id.startswith("bb-")}


# What this worker has returned in the current build. Every page repeats the
# navigation and the theme's markup: sent back each time, they were most of
# what the build received and held (80 MB of sets at 50x).
_returned: dict[str, tuple[set[str], set[str]]] = {}


def scan_page(html: str, build: str = "") -> PageScan:
    """`html` scanned; with a `build` token, names and values are only the new ones."""
    root = parse(html)
    if root is None:
        return PageScan(frozenset(), frozenset(), InlineCode(), (), frozenset())
    names, values = markup_names(root)
    if build:
        if build not in _returned:
            _returned.clear()  # An earlier build's, in a worker `mkdocs serve` reuses.
        seen_names, seen_values = _returned.setdefault(build, (set(), set()))
        names, values = names - seen_names, values - seen_values
        seen_names |= names
        seen_values |= values
    return PageScan(
        names=frozenset(names),
        values=frozenset(values),
        inline=inline_code_in(root),
        code_attributes=tuple(code_attributes(root)),
        public_ids=frozenset(public_ids(root)),
    )


def scan_file(path: Path) -> PageScan:
    return scan_page(path.read_text(encoding="utf-8"))
