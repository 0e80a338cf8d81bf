"""Python-Markdown extension: glossary terms linked from the text, and the glossary page.

It is a Markdown extension rather than an MkDocs plugin so that it also runs under
Zensical, which reads `markdown_extensions` but ignores MkDocs plugins.

- The first occurrence of each glossary term on a page links to its glossary entry;
  terms that have a chapter of their own (`topic`) link to that chapter instead,
  except on the chapter itself. The visible text never changes.
- `[[id]]` (shown as the term's name) or `[[shown words|id]]` marks a term
  explicitly; an unknown id, or an empty part, fails the build, naming the page,
  the line and the fix.
- A paragraph holding only `::: glossary` becomes the alphabetical glossary, with a
  letter index and, under each term, the pages that link it. Those pages are known
  only once every page is converted, so the listing holds a placeholder per term
  that the build fills in from the term links of the converted pages (`linked_terms`).
- Each page ends with the definitions of its linked terms in a hidden block: the
  description of a focused term link, the source of the tooltips, and printed on paper.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import Any

import yaml
from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from bridges.extensions.host import hosted_page
from bridges.extensions.safety import markdown_text, render_definition
from bridges.extensions.terms import (
    Glossary,
    GlossaryError,
    Term,
    cached_by_file_version,
    letter_of,
    load_glossary_once,
)
from bridges.problems import Problem, line_of, report

# Anything between [[ and ]]: malformed ones are reported rather than published as text.
EXPLICIT_TERM = r"\[\[([^\[\]\n]*)\]\]"
EXPLICIT_TERM_FORMS = "[[id]] or [[shown words|id]]"
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


# A term link as this extension writes it: what a converted page shows of its uses.
TERM_LINK = re.compile(r'<a\b[^>]*?\sdata-term="([a-z0-9-]+)"')


def linked_terms(html: str) -> set[str]:
    """The ids of the terms a converted page links: its uses, for the glossary's
    "Used in" lists. Read from the page, so no state outlives a conversion."""
    return set(TERM_LINK.findall(html))


def _current_file(md: Markdown) -> Any:
    # Registry has no .get().
    relpath = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None  # noqa: SIM401
    return getattr(relpath, "file", None)


def current_page(md: Markdown) -> str | None:
    """The source path of the page being converted, under MkDocs or Zensical."""
    page = hosted_page(md)
    return page.src_uri if page else None


def refuse(md: Markdown, text: str, message: str, fix: str) -> None:
    """Reports a problem of the page at the line where `text` first appears.

    Reported, not raised, so that every problem of every page is reported in one run;
    MkDocs' strict mode then fails the build. Outside MkDocs there is no page to
    name, nor a build to report to: raised.
    """
    file = _current_file(md)
    if file is None:
        page = hosted_page(md)  # Zensical stops at the first problem: it is raised
        raise GlossaryError(Problem(f"docs/{page.src_uri}" if page else "this page", message, fix))
    line = line_of(file.content_string, text)
    report([Problem(f"docs/{file.src_uri}", message, fix, line)])


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

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | str, int, int]:
        written = m.group(0)
        parts = [part.strip() for part in m.group(1).split("|")]
        if len(parts) > 2 or not all(parts):
            refuse(
                self.md,
                written,
                f"'{written}' is not a term link:",
                f"write {EXPLICIT_TERM_FORMS}.",
            )
            return written, m.start(0), m.end(0)
        glossary = self.extension.glossary
        reference = parts[-1]
        term = glossary.term_for(reference)
        if term is None:
            refuse(
                self.md,
                written,
                f"unknown glossary term '{written}'.",
                f"Fix the spelling, or add a term with id '{reference}' to {glossary.path}.",
            )
            return written, m.start(0), m.end(0)
        link = etree.Element("a", {"data-term": term.id})
        # [[mutual-aid]] shows "Mutual aid"; [[coalitions]] shows the words as written.
        is_bare_id = len(parts) == 1 and reference == term.id and not glossary.is_phrase(reference)
        link.text = term.term if is_bare_id else parts[0]
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
        listing = self.extension.render_listing(current_page(self.md), self.md)
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
        if self.extension.is_glossary_page:
            return
        self._link_within(root, linked, page)
        if linked:
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
        # Named, not described: a description would be read inside every sentence
        # (bridges.js describes the link while it has focus; see decisions/006).
        link.set("data-bb-definition", definition_id(term))

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
            # Rendered and escaped already: the stash keeps Markdown from reading it again.
            definition.text = self.md.htmlStash.store(render_definition(term.definition))
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
        self.is_glossary_page = False

    @cached_property
    def glossary(self) -> Glossary:
        # Loaded on first use, not when the extension is configured: MkDocs prints a
        # Python traceback for any error raised while it loads an extension, and the
        # build checks the file itself first (hooks.on_config) with a clean message.
        return load_glossary_once(Path(self.getConfig("data")), self.docs_dir)

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(GlossaryPagePreprocessor(self, md), "bb_glossary_page", 25)
        md.inlinePatterns.register(ExplicitTermProcessor(self, md), "bb_explicit_term", 175)
        # After attr_list (8) and toc (5), before MkDocs' link rewriting (0).
        md.treeprocessors.register(TermLinkTreeprocessor(self, md), "bb_term_links", 3)

    def reset(self) -> None:
        self.is_glossary_page = False

    def render_listing(self, page: str | None, md: Markdown) -> str:
        """The glossary page body as Markdown: letter index, then one entry per term.

        Every editor value in it is escaped with `markdown_text`, and each definition
        is rendered on its own and stashed, so none of them is read as Markdown or HTML.
        """
        terms = self.glossary.sorted_terms()
        by_letter = [(letter, list(group)) for letter, group in groupby(terms, key=index_letter)]
        index = " ".join(
            f"[{markdown_text(letter, md)}](#{letter_id(letter)})" for letter, _ in by_letter
        )
        parts = [
            f'<nav class="bb-letter-index" aria-label="Glossary by letter" markdown>\n'
            f"{index}\n</nav>\n"
        ]
        for letter, group in by_letter:
            parts.append(f"## {markdown_text(letter, md)} {{ #{letter_id(letter)} .bb-letter }}\n")
            for term in group:
                parts.append(self._entry(term, page, md))
        return "\n".join(parts)

    def _entry(self, term: Term, page: str | None, md: Markdown) -> str:
        definition = md.htmlStash.store(f"<p>{render_definition(term.definition)}</p>")
        lines = [
            '<div class="bb-entry" markdown>',
            "",
            f"### {markdown_text(term.term, md)} {{ #{term.id} }}",
            "",
            definition,
            "",
        ]
        facts = []
        if term.topic:
            title = markdown_text(page_title(self.docs_dir / term.topic), md)
            facts.append(f"Chapter: [{title}](<{link_to(term.topic, page)}>)")
        if term.see_also:
            names = (self.glossary.terms[i] for i in term.see_also)
            facts.append(
                "See also: " + ", ".join(f"[{markdown_text(t.term, md)}](#{t.id})" for t in names)
            )
        facts.append(f'<span data-bb-used-in="{term.id}"></span>')
        if term.source:
            facts.append(f"Source: {markdown_text(term.source, md)}")
        if facts:
            lines += ['<ul class="bb-entry__facts" markdown>', ""]
            lines += [f"- {fact}" for fact in facts] + ["", "</ul>", ""]
        return "\n".join([*lines, "</div>", ""])


def index_letter(term: Term) -> str:
    """The letter a term is listed under; terms not starting with a letter go under #."""
    first = letter_of(term)
    return first if first.isalpha() else "#"


def letter_id(letter: str) -> str:
    """The anchor of a letter: letter-a for ASCII letters, else its code point."""
    if letter.isascii() and letter.isalpha():
        return f"letter-{letter.lower()}"
    return "letter-symbols" if letter == "#" else f"letter-u{ord(letter):04x}"


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


def makeExtension(**kwargs: Any) -> GlossaryExtension:
    return GlossaryExtension(**kwargs)
