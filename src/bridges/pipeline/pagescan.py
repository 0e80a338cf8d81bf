"""What the checks after the build need from each built page, read in one pass.

Three consumers read the finished pages: the stylesheet purge (the names and
attribute values in the markup), the output check (what the page holds, against
the allowlist, and its inline code for the policy) and the published-links check
(the ids readers may link to). Each page is parsed once, as a browser parses it
(`output_check.parse`), from the HTML MkDocs is about to write (`on_post_page`),
in a worker process while MkDocs renders the next page; the hooks collect the
scans after the build. HTML files that no page event wrote (the 404 page,
redirect pages) are scanned from the site folder then.

A worker imports this module to run the scan: it imports only what the scan
needs (no MkDocs, Markdown or YAML), so workers start quickly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from bridges.pipeline.output_check import PageFindings, page_findings, parse
from bridges.pipeline.output_check import hash_source as hash_source  # the policy's hashes

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
    findings: PageFindings  # the output check, inline code included
    public_ids: frozenset[str]  # the published-links check


def inline_code(html: str) -> InlineCode:
    """The hashes of the inline scripts a browser would run, and of the inline styles."""
    findings = page_findings(parse(html))
    return InlineCode(set(findings.inline_scripts), set(findings.inline_styles))


def markup_names(tree: LexborHTMLParser) -> tuple[set[str], set[str]]:
    """(class, id, attribute and element names; attribute values) in the page."""
    names: set[str] = set()
    values: set[str] = set()
    for element in tree.root.traverse() if tree.root else ():
        if not element.tag or element.tag.startswith(("-", "_")):
            continue
        names.add(element.tag)
        for attribute, value in element.attributes.items():
            names.add(attribute)
            if value is None:
                continue
            values.add(value)
            if attribute in {"class", "id"}:
                names.update(value.split())
    return names, values


def public_ids(tree: LexborHTMLParser) -> set[str]:
    """The ids readers may link to; bb- ids are the theme's own."""
    ids = (element.attributes.get("id") or "" for element in tree.css(PUBLIC_IDS))
    return {id for id in ids if id and not id.startswith("bb-")}


# What this worker has returned in the current build. Every page repeats the
# navigation and the theme's markup: sent back each time, they were most of
# what the build received and held (80 MB of sets at 50x).
_returned: dict[str, tuple[set[str], set[str]]] = {}


def scan_page(html: str, build: str = "") -> PageScan:
    """`html` scanned; with a `build` token, names and values are only the new ones."""
    tree = parse(html)
    names, values = markup_names(tree)
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
        findings=page_findings(tree),
        public_ids=frozenset(public_ids(tree)),
    )


def scan_file(path: Path) -> PageScan:
    return scan_page(path.read_text(encoding="utf-8"))
