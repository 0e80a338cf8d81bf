"""Content can never run code: what a page or glossary.yml may hold, and how
editor text is turned into HTML.

A Python-Markdown extension, so the check runs wherever the pages are converted
(MkDocs today, Zensical tomorrow, which ignores MkDocs hooks). It reads the HTML
that Markdown produced, raw HTML and `{ attr=... }` lists included, so what is
refused is exactly what would reach the reader, and nothing inside code spans or
fenced code is mistaken for markup. The line named in the message is found in
the page's source.

- Refused in a page, and in a glossary definition: elements that run, load or
  redirect code (`<script>`, `<iframe>`, `<object>`, `<embed>`, ...), `on...=`
  event attributes, and `javascript:`/`vbscript:` URLs. Behaviour belongs in
  docs/assets/javascripts/.
- Refused too: images, video, audio, tracks and other files loaded from another
  host (`src`, `srcset`, `poster`, ...), Markdown images included. The policy
  would block them (a silently broken image), the PDF step would fetch them, and
  the site promises no third-party requests. Links to other sites are fine.
- Refused too: `<style>` and `style=`. The site's policy allows no inline style,
  so they would silently do nothing; the rule belongs in
  docs/assets/stylesheets/bridges.css, with a class set by `{ .name }`.
- Plain-text fields (front matter, glossary term, matches, source, nav titles)
  are never refused for markup: templates escape them, so `<b>` shows as typed.
- A glossary definition is Markdown limited to one paragraph of inline markup
  (emphasis, strong, code, links); raw HTML in it is escaped and shows as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import yaml
from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from selectolax.lexbor import LexborHTMLParser

from bridges.extensions.host import hosted_page
from bridges.extensions.script_urls import loads_from_elsewhere, script_url
from bridges.extensions.terms import SAFE_LOADER, cached_by_file_version, not_utf8
from bridges.problems import Problem, ProblemError, report

try:  # Under MkDocs, a BuildError is printed as a clean message, without a traceback.
    from mkdocs.exceptions import BuildError as _BaseError
except ImportError:  # pragma: no cover - other Markdown hosts
    _BaseError = ValueError

# Elements that run code, embed another document, or change where links and
# scripts point (base) or where the page goes (meta refresh).
CODE_ELEMENTS = frozenset(
    {"applet", "base", "embed", "frame", "frameset", "iframe", "link", "meta", "object",
     "portal", "script"}
)  # fmt: skip
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
CODE_SPAN = re.compile(r"`[^`]*`")
FENCE = re.compile(r"^\s*(```|~~~)")
# A moved anchor is an id on the same page, or a path in the site with a #fragment.
MOVED_ANCHOR_TARGET = re.compile(r"^(?!//)[^\s:\\]+$")

# A marked section Python's html.parser cannot read ("<![>"): it raises AssertionError.
UNREADABLE_MARKUP = re.compile(
    r"<!\[(?!\s*(?:cdata|temp|ignore|include|rcdata|if|else|endif)\b)", re.IGNORECASE
)
UNREADABLE_FIX = "To show it as text, write '&lt;![' instead of '<!['."

# Attributes that make a browser fetch a file while it shows the page (on any
# element: `background=` still loads on tables), and more on some elements.
# `ping=` on a link: addresses told of every click on it.
LOADING_ATTRIBUTES = frozenset(
    {"src", "srcset", "poster", "background", "lowsrc", "dynsrc", "ping"}
)
LOADING_BY_ELEMENT = {
    "object": frozenset({"data"}),
    # SVG written into a page: <image>, <use> and filters load what href names.
    "image": frozenset({"href", "xlink:href"}),
    "use": frozenset({"href", "xlink:href"}),
    "feimage": frozenset({"href", "xlink:href"}),
}
REMOTE_FIX = (
    "The site loads nothing from other hosts: put the file under docs/assets/ and "
    "link it relatively."
)
SCRIPT_FIX = "Content cannot run code: behaviour belongs in docs/assets/javascripts/."
STYLE_FIX = (
    "The site's policy allows no inline style: put the rule in "
    "docs/assets/stylesheets/bridges.css and give the element a class with { .name }."
)


class UnsafeContentError(ProblemError, _BaseError):
    """Markup that could run code, raised where no build reports the problems."""

    separator = "\n  "


@dataclass(frozen=True)
class Finding:
    what: str  # for the reader of the message: "a <script> element"
    needle: str  # a regular expression for the source, to name the line
    fix: str
    element: str = ""  # its element's start, "<img": the line when the needle is encoded


def _scan(html: str) -> tuple[list[Finding], list[Finding]]:
    """(code and inline style, files loaded from other hosts) in `html`, read by the
    HTML standard's parser with scripting on, as a browser reads the page."""
    if "<" not in html:
        # Without a tag there is no element and no attribute (a heading's text, the
        # most common case): nothing to parse.
        return [], []
    tree = LexborHTMLParser(f"<!doctype html><html><body>{html}", scripting=True)
    findings: list[Finding] = []
    remote: list[Finding] = []
    for node in tree.root.traverse() if tree.root else ():
        tag = (node.tag or "").lower()
        if not tag or tag.startswith(("-", "_")):
            continue  # text, comments, processing instructions
        if tag in CODE_ELEMENTS:
            findings.append(Finding(f"a <{tag}> element", rf"<{tag}\b", SCRIPT_FIX))
        elif tag == "style":
            findings.append(Finding("a <style> element", r"<style\b", STYLE_FIX))
        for name, value in node.attributes.items():
            name, value = name.lower(), value or ""
            element = rf"<{re.escape(tag)}\b"
            if name.startswith("on"):
                what = f"the event attribute {name}= on <{tag}>"
                findings.append(Finding(what, attribute(name), SCRIPT_FIX, element))
            elif name == "style":
                what = f"a style= attribute on <{tag}>"
                findings.append(Finding(what, attribute("style"), STYLE_FIX, element))
            elif scheme := script_url(name, value):
                what = f"a {scheme} URL in {name}= on <{tag}>"
                findings.append(Finding(what, re.escape(scheme), SCRIPT_FIX, element))
            elif url := _remote_url(tag, name, value):
                what = f"<{tag}> loads {url}, not a file of this site"
                remote.append(Finding(what, re.escape(url), REMOTE_FIX, element))
    return findings, remote


def _remote_url(tag: str, attribute: str, value: str) -> str | None:
    """The first URL in `attribute` that a browser would fetch from another host."""
    if attribute not in LOADING_ATTRIBUTES | LOADING_BY_ELEMENT.get(tag, frozenset()):
        return None
    if attribute == "srcset":  # "small.png 1x, https://elsewhere/large.png 2x"
        urls = [part.split()[0] for part in value.split(",") if part.split()]
    else:  # ping= holds a list of addresses
        urls = value.split() if attribute == "ping" else [value.strip()]
    return next((url for url in urls if loads_from_elsewhere(url)), None)


def code_in_html(html: str) -> list[Finding]:
    """Everything in `html` that could run code or carries inline style."""
    return _scan(html)[0]


def page_problems_in_html(html: str) -> list[Finding]:
    """What a page may not hold: code, inline style, and files from other hosts
    (images, video, audio, ...; a link to another site is fine)."""
    findings, remote = _scan(html)
    return findings + remote


def attribute(name: str) -> str:
    """The pattern of `name=` as written in HTML or an attribute list."""
    return rf"(?<![\w-]){re.escape(name)}\s*="


def line_matching(needle: str, lines: list[str], first: int = 1) -> int | None:
    """The number of the first line matching the pattern `needle` (any case), counting
    from `first`; code (fenced blocks and spans) is skipped, as it is never markup."""
    pattern = re.compile(needle, re.IGNORECASE)
    in_fence = False
    for number, line in enumerate(lines, start=first):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and pattern.search(CODE_SPAN.sub("", line)):
            return number
    return None


def findings_problems(
    file: str, findings: list[Finding], lines: list[str], first: int = 1
) -> list[Problem]:
    """One problem per finding, at its line among `lines` (numbered from `first`);
    a mistake found twice (typed, and again once rendered) is one problem."""
    problems = []
    for finding in findings:
        number = line_matching(finding.needle, lines, first)
        if number is None and finding.element:
            number = line_matching(finding.element, lines, first)
        problems.append(Problem(file, f"{finding.what}.", finding.fix, number))
    return list(dict.fromkeys(problems))


# Pages -----------------------------------------------------------------------


def current_source(md: Markdown) -> str | None:
    """The docs-relative path of the page being converted, under MkDocs or Zensical."""
    page = hosted_page(md)
    return page.src_uri if page else None


class _KeepSource(Preprocessor):
    """Keeps the page's lines, to name the line of a finding."""

    def __init__(self, extension: SafetyExtension, md: Markdown) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        # Checked when a page is converted, not when the extension is configured:
        # MkDocs prints a Python traceback for any error raised while it loads an
        # extension. The build's hooks check the file first, with clean messages.
        check_glossary_file(Path(self.extension.getConfig("glossary")))
        self.extension.source_lines = list(lines)
        findings = [
            Finding(
                f"'{found.group()}', markup that Python's HTML parser cannot read",
                re.escape(found.group()),
                UNREADABLE_FIX,
            )
            for line in lines
            for found in [UNREADABLE_MARKUP.search(line)]
            if found
        ]
        if findings:
            # MkDocs and Python-Markdown read raw HTML with Python's parser, which
            # stops with an AssertionError on these: say which line instead.
            self.extension.refuse(findings, self.md)
            return []
        return lines


class _RefuseCode(Postprocessor):
    """Fails the page if its finished HTML could run code."""

    def __init__(self, extension: SafetyExtension, md: Markdown) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        findings = page_problems_in_html(text)
        if findings:
            # The page is kept as it is: the build fails on the logged error, and
            # its ids stay, so no other check reports the same mistake again.
            self.extension.refuse(findings, self.md)
        return text


class SafetyExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "docs_dir": ["docs", "The folder of Markdown pages, to name the line of a problem."],
            "glossary": ["docs/glossary.yml", "The glossary file, checked once per version."],
        }
        super().__init__(**kwargs)
        self.source_lines: list[str] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # Before Python-Markdown's own preprocessors (30) change the text.
        md.preprocessors.register(_KeepSource(self, md), "bb_keep_source", 100)
        # Last: after raw HTML (30) is put back into the page.
        md.postprocessors.register(_RefuseCode(self, md), "bb_refuse_code", -100)

    def refuse(self, findings: list[Finding], md: Markdown) -> None:
        """Under MkDocs, logs one error per finding, so that one build reports the
        problems of every page (strict mode then fails it) and the refused page
        is not published; elsewhere (Zensical, a test), raises."""
        page = hosted_page(md)
        source = page.src_uri if page else None
        problems = self.problems(findings, source)
        if page is None or not page.collects_errors:
            raise UnsafeContentError(*problems)
        report(problems)

    def problems(self, findings: list[Finding], source: str | None) -> list[Problem]:
        if source is None:
            return findings_problems("this page", findings, self.source_lines)
        path = Path(self.getConfig("docs_dir")) / source
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return findings_problems(str(path), findings, self.source_lines)
        # Front matter is plain text, escaped on output: only the body counts.
        front = FRONT_MATTER.match(text)
        skipped = text[: front.end()].count("\n") if front else 0
        lines = text.splitlines()[skipped:]
        return findings_problems(str(path), findings, lines, first=skipped + 1)


def makeExtension(**kwargs: Any) -> SafetyExtension:
    return SafetyExtension(**kwargs)


# Front matter ------------------------------------------------------------------


# The glossary ------------------------------------------------------------------


def check_glossary_file(path: Path) -> None:
    """Refuses code in the glossary's definitions, naming the term and the line.

    Python-Markdown makes this extension anew for every page, so each version of
    the file (its modification time and size) is checked once, and its problems
    remembered: every page converted with that version fails."""
    if problems := glossary_problems_once(path):
        raise UnsafeContentError(*problems)


def glossary_problems(path: Path) -> list[Problem]:
    """Code in the glossary's definitions: one problem per finding, naming the term
    and the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        return [not_utf8(path, error)]
    except OSError:
        return []  # The glossary extension reports a missing file.
    try:
        document = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return []  # The glossary extension reports invalid YAML.
    lines = text.splitlines()
    problems = []
    for entry in _entries(document):
        fields = {key.value: value for key, value in entry.value if isinstance(key.value, str)}
        definition = fields.get("definition")
        if not isinstance(definition, yaml.ScalarNode):
            continue
        term_id = getattr(fields.get("id"), "value", "?")
        first, last = definition.start_mark.line, definition.end_mark.line + 1
        # Raw HTML in a definition is escaped, but a <script> there was meant to run.
        typed = CODE_SPAN.sub("", definition.value)
        findings = code_in_html(typed) + code_in_html(render_definition(definition.value))
        if findings:
            # The term is named where the file is: "docs/glossary.yml, term 'ally', line 6".
            where = f"{path}, term '{term_id}'"
            problems += findings_problems(where, findings, lines[first:last], first=first + 1)
    return problems


@cached_by_file_version
def glossary_problems_once(path: Path) -> list[Problem]:
    """`glossary_problems`, once per version of the file: every page's conversion
    and the build's start ask, and the answer changes only with the file."""
    return glossary_problems(path)


def _entries(document: yaml.Node | None) -> list[yaml.MappingNode]:
    if not isinstance(document, yaml.MappingNode):
        return []
    for key, value in document.value:
        if key.value == "terms" and isinstance(value, yaml.SequenceNode):
            return [node for node in value.value if isinstance(node, yaml.MappingNode)]
    return []


# Editor text as HTML ----------------------------------------------------------

# Block syntax a definition does not use: it is one paragraph of inline markup.
_BLOCK_PROCESSORS = ("code", "hashheader", "hr", "indent", "olist", "quote", "setextheader",
                     "ulist")  # fmt: skip


def _inline_markdown() -> Markdown:
    md = Markdown(extensions=[])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    for name in ("image_link", "image_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name)
    for name in _BLOCK_PROCESSORS:
        md.parser.blockprocessors.deregister(name)
    return md


_definition_markdown = _inline_markdown()


@cache  # Each page lists the definitions of its terms: the same few, page after page.
def render_definition(text: str) -> str:
    """A definition as inline HTML: emphasis, strong, code and links; raw HTML escaped."""
    html = _definition_markdown.reset().convert(" ".join(text.split()))
    return html.removeprefix("<p>").removesuffix("</p>")


def markdown_text(value: str, md: Markdown) -> str:
    """`value` as Markdown that shows exactly `value`: HTML and Markdown syntax escaped."""
    specials = set(md.ESCAPED_CHARS)
    escaped = escape(value, quote=False)
    return "".join(f"\\{char}" if char in specials else char for char in escaped)
