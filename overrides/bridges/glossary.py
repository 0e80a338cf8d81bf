"""Python-Markdown extension: glossary terms linked from the text, and the glossary page.

It is a Markdown extension rather than an MkDocs plugin so that it also runs under
Zensical, which reads `markdown_extensions` but ignores MkDocs plugins.

- The first occurrence of each glossary term on a page links to its glossary entry;
  terms that have a chapter of their own (`topic`) link to that chapter instead,
  except on the chapter itself. The visible text never changes.
- `[[id]]` or `[[shown words|id]]` marks a term explicitly; an unknown id fails the
  build, naming the page and the term.
- A paragraph holding only `::: glossary` becomes the alphabetical glossary, with a
  letter index and, under each term, the pages that use it.
- Each page ends with the definitions of its linked terms in a hidden block: the
  target of `aria-describedby`, the source of the tooltips, and printed on paper.
"""

from __future__ import annotations

import logging
import posixpath
import re
import xml.etree.ElementTree as etree
from itertools import groupby
from pathlib import Path
from typing import Any

import yaml
from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from bridges.terms import (
    Glossary,
    GlossaryError,
    Term,
    cached_by_file_version,
    load_glossary_once,
)

log = logging.getLogger("mkdocs.bridges.glossary")

EXPLICIT_TERM = r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]|\n]+?))?\]\]"
GLOSSARY_MARKER = re.compile(r"^:::[ \t]+glossary[ \t]*$", re.MULTILINE)
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)
# Where a term is never linked: inside links, code, headings and interactive parts.
SKIPPED_TAGS = {
    "a",
    "abbr",
    "button",
    "code",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "kbd",
    "pre",
    "script",
    "style",
    "svg",
}
SKIPPED_CLASSES = {"admonition-title", "bb-definitions", "bb-no-glossary"}


def current_page(md: Markdown) -> str | None:
    """The source path of the page being converted, when MkDocs is the host."""
    # Registry has no .get().
    relpath = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None  # noqa: SIM401
    file = getattr(relpath, "file", None)
    return getattr(file, "src_uri", None)


def link_to(target: str, page: str | None) -> str:
    """A link to the docs file `target` (path with optional #fragment) from `page`."""
    if page is None:
        return target
    path, _, fragment = target.partition("#")
    relative = posixpath.relpath(path, posixpath.dirname(page) or ".") if path else ""
    return relative + (f"#{fragment}" if fragment else "")


def definition_id(term: Term) -> str:
    return f"bb-def-{term.id}"


class ExplicitTermProcessor(InlineProcessor):
    """`[[id]]` and `[[shown words|id]]`: a link to a term the editor chose."""

    def __init__(self, extension: GlossaryExtension, md: Markdown) -> None:
        super().__init__(EXPLICIT_TERM, md)
        self.extension = extension

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        shown, reference = m.group(1).strip(), (m.group(2) or m.group(1)).strip()
        term = self.extension.glossary.term_for(reference)
        if term is None:
            page = current_page(self.md) or "this page"
            raise GlossaryError(
                f"{page}: unknown glossary term '{m.group(0)}'. Fix the spelling, or add a "
                f"term with id '{reference}' to {self.extension.glossary.path}."
            )
        link = etree.Element("a", {"data-term": term.id})
        link.text = shown
        return link, m.start(0), m.end(0)


class GlossaryPagePreprocessor(Preprocessor):
    """Replaces the `::: glossary` line with the glossary's Markdown."""

    def __init__(self, extension: GlossaryExtension, md: Markdown) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if not GLOSSARY_MARKER.search(text):
            return lines
        self.extension.is_glossary_page = True
        listing = self.extension.render_listing(current_page(self.md))
        return GLOSSARY_MARKER.sub(lambda _: listing, text).split("\n")


class TermLinkTreeprocessor(Treeprocessor):
    """Links the first occurrence of each term and appends the page's definitions."""

    def __init__(self, extension: GlossaryExtension, md: Markdown) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        glossary = self.extension.glossary
        page = current_page(self.md)
        linked: dict[str, Term] = {}
        for link in root.iter("a"):
            if "data-term" in link.attrib:
                term = glossary.terms[link.get("data-term", "")]
                self._finish_link(link, term, page)
                linked.setdefault(term.id, term)
        if not self.extension.is_glossary_page:
            self._link_within(root, linked, page)
        if linked and not self.extension.is_glossary_page:
            root.append(self._definitions(linked.values()))

    def _link_within(
        self, element: etree.Element, linked: dict[str, Term], page: str | None
    ) -> None:
        if element.tag in SKIPPED_TAGS or SKIPPED_CLASSES & set(element.get("class", "").split()):
            return
        head, links = self._link_text(element.text, linked, page)
        element.text = head
        children = list(element)
        for index, link in enumerate(links):
            element.insert(index, link)
        for child in children:
            self._link_within(child, linked, page)
            tail, links = self._link_text(child.tail, linked, page)
            child.tail = tail
            position = list(element).index(child) + 1
            for offset, link in enumerate(links):
                element.insert(position + offset, link)

    def _link_text(
        self, text: str | None, linked: dict[str, Term], page: str | None
    ) -> tuple[str | None, list[etree.Element]]:
        """Splits `text` around the first occurrences of terms not linked yet."""
        if not text:
            return text, []
        head, links, start = None, [], 0
        for match in self.extension.glossary.pattern.finditer(text):
            term = self.extension.glossary.term_for(match.group(0))
            if term is None or term.id in linked:
                continue
            linked[term.id] = term
            link = etree.Element("a", {"data-term": term.id})
            link.text = match.group(0)
            self._finish_link(link, term, page)
            if links:
                links[-1].tail = text[start : match.start()]
            else:
                head = text[: match.start()]
            links.append(link)
            start = match.end()
        if not links:
            return text, []
        links[-1].tail = text[start:]
        return head, links

    def _finish_link(self, link: etree.Element, term: Term, page: str | None) -> None:
        is_cross_link = bool(term.topic) and term.topic != page
        target = term.topic if is_cross_link else f"{self.extension.page}#{term.id}"
        link.set("href", link_to(target, page))
        link.set("class", "bb-term bb-crosslink" if is_cross_link else "bb-term")
        link.set("aria-describedby", definition_id(term))

    def _definitions(self, terms: Any) -> etree.Element:
        """The hidden block of definitions, in order of first use on the page."""
        block = etree.Element(
            "aside",
            # Material's search skips `data-search-exclude`: the index keeps the page's
            # own text, and the definitions are found on the glossary page.
            {
                "class": "bb-definitions",
                "hidden": "hidden",
                "aria-label": "Terms on this page",
                "data-search-exclude": "",
            },
        )
        heading = etree.SubElement(block, "p", {"class": "bb-definitions__title"})
        heading.text = "Terms on this page"
        listing = etree.SubElement(block, "dl")
        for term in terms:
            name = etree.SubElement(listing, "dt")
            name.text = term.term
            definition = etree.SubElement(listing, "dd", {"id": definition_id(term)})
            definition.text = term.definition
        return block


class GlossaryExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "data": ["docs/glossary.yml", "The glossary file, relative to the working directory."],
            "docs_dir": ["docs", "The folder of Markdown pages, to find where terms are used."],
            "page": ["glossary.md", "The glossary page, relative to docs_dir."],
        }
        super().__init__(**kwargs)
        self.docs_dir = Path(self.getConfig("docs_dir"))
        self.page = self.getConfig("page")
        self.glossary = load_glossary_once(Path(self.getConfig("data")), self.docs_dir)
        self.is_glossary_page = False

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(GlossaryPagePreprocessor(self, md), "bb_glossary_page", 25)
        md.inlinePatterns.register(ExplicitTermProcessor(self, md), "bb_explicit_term", 175)
        # After attr_list (8) and toc (5), before MkDocs' link rewriting (0).
        md.treeprocessors.register(TermLinkTreeprocessor(self, md), "bb_term_links", 3)

    def reset(self) -> None:
        self.is_glossary_page = False

    def render_listing(self, page: str | None) -> str:
        """The glossary page body as Markdown: letter index, then one entry per term."""
        terms = self.glossary.sorted_terms()
        used_in = pages_using_terms(self.glossary, self.docs_dir, skip=self.page)
        for term in terms:
            if not used_in[term.id]:
                log.info(
                    "Glossary term '%s' (%s) is not used on any page.", term.id, self.glossary.path
                )
        by_letter = [
            (letter, list(group))
            for letter, group in groupby(terms, key=lambda t: t.term[0].upper())
        ]
        index = " ".join(f"[{letter}](#letter-{letter.lower()})" for letter, _ in by_letter)
        parts = [
            f'<nav class="bb-letter-index" aria-label="Glossary by letter" markdown>\n'
            f"{index}\n</nav>\n"
        ]
        for letter, group in by_letter:
            parts.append(f"## {letter} {{ #letter-{letter.lower()} .bb-letter }}\n")
            for term in group:
                parts.append(self._entry(term, used_in[term.id], page))
        return "\n".join(parts)

    def _entry(self, term: Term, used_in: list[tuple[str, str]], page: str | None) -> str:
        lines = [
            '<div class="bb-entry" markdown>',
            "",
            f"### {term.term} {{ #{term.id} }}",
            "",
            term.definition,
            "",
        ]
        facts = []
        if term.topic:
            title = page_title(self.docs_dir / term.topic)
            facts.append(f"Chapter: [{title}]({link_to(term.topic, page)})")
        if term.see_also:
            names = (self.glossary.terms[i] for i in term.see_also)
            facts.append("See also: " + ", ".join(f"[{t.term}](#{t.id})" for t in names))
        if used_in:
            links = (f"[{title}]({link_to(path, page)})" for title, path in used_in)
            facts.append("Used in: " + ", ".join(links))
        if term.source:
            facts.append(f"Source: {term.source}")
        if facts:
            lines += ['<ul class="bb-entry__facts" markdown>', ""]
            lines += [f"- {fact}" for fact in facts] + ["", "</ul>", ""]
        return "\n".join([*lines, "</div>", ""])


@cached_by_file_version
def page_title(path: Path) -> str:
    """A page's title: `title` in its front matter, else its first `# ` heading."""
    text = path.read_text(encoding="utf-8")
    front = FRONT_MATTER.match(text)
    meta = yaml.safe_load(front.group(1)) if front else None
    if isinstance(meta, dict) and meta.get("title"):
        return str(meta["title"])
    heading = re.search(r"^#\s+(.+?)(?:\s*\{.*\})?\s*$", text, re.MULTILINE)
    return heading.group(1) if heading else path.stem.replace("-", " ").capitalize()


def pages_using_terms(
    glossary: Glossary, docs_dir: Path, skip: str
) -> dict[str, list[tuple[str, str]]]:
    """For each term id, the (title, path) of the pages whose text uses it, by title."""
    used: dict[str, list[tuple[str, str]]] = {term_id: [] for term_id in glossary.terms}
    for path in sorted(docs_dir.rglob("*.md")):
        relative = path.relative_to(docs_dir).as_posix()
        if relative == skip:
            continue
        text = FRONT_MATTER.sub("", path.read_text(encoding="utf-8"), count=1)
        text = _without_unlinked_parts(text)
        found = {glossary.term_for(m.group(0)) for m in glossary.pattern.finditer(text)}
        for m in re.finditer(EXPLICIT_TERM, text):
            found.add(glossary.term_for((m.group(2) or m.group(1)).strip()))
        for term in filter(None, found):
            used[term.id].append((page_title(path), relative))
    for pages in used.values():
        pages.sort(key=lambda item: item[0].casefold())
    return used


def _without_unlinked_parts(markdown: str) -> str:
    """Markdown minus what is never linked: code, headings, admonition titles, links."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)
    markdown = re.sub(r"^(#|!!!|\?\?\?).*$", "", markdown, flags=re.MULTILINE)
    markdown = re.sub(r"`[^`]*`", "", markdown)
    return re.sub(r"(?<!\[)\[[^\[\]]*\]\([^)]*\)", "", markdown)


def makeExtension(**kwargs: Any) -> GlossaryExtension:
    return GlossaryExtension(**kwargs)
