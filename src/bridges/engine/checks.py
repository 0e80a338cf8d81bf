"""Checks of each page: front matter, ids, markup published as text, raw HTML links.

Each check returns its problems (`bridges.problems.Problem`) instead of raising or
logging, so that the build reports every problem of every page in one run; each
names the file, the line and the fix.
"""

from __future__ import annotations

import html as html_module
import posixpath
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html
import yaml
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from bridges.extensions.safety import FRONT_MATTER, MOVED_ANCHOR_TARGET
from bridges.extensions.script_urls import script_url
from bridges.extensions.terms import ID_PATTERN, suggest_id
from bridges.limits import IMAGE_PIXEL_LIMIT, NESTING_LIMIT, PAGE_SIZE_LIMIT
from bridges.pipeline.output_check import parse
from bridges.problems import Problem, line_at, line_of

# Material's own elements use ids starting "__" (__search, __drawer, __toc, ...);
# ours start "bb-". A page id with either prefix would collide with them.
THEME_ID_PREFIXES = ("__", "bb-")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
ATTRIBUTE_LIST = re.compile(r"\{:?\s*([^{}\n]*)\}")
HEADING_ID = re.compile(r"\{:?[^{}\n]*#([^\s{}]+)[^{}\n]*\}\s*#*\s*$")
RAW_LINK = re.compile(r"<(a|img)\b[^>]*?\s(href|src)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
NEVER_TEXT = {"code", "pre", "kbd", "script", "style", "svg"}
# Markdown that reached the page as text, each with what to do instead.
LEFTOVER_MARKUP = [
    (
        re.compile(r"\[[^\[\]\n]+\]\[[^\[\]\n]*\]"),
        "the reference link '{text}' has no definition: add a line like '[ref]: page.md' "
        "below the paragraph, or write [text](page.md).",
    ),
    (
        re.compile(r"\[[^\[\]\n]+\]\([^()\n]*\)"),
        "'{text}' was published as text (Markdown is not read inside raw HTML): add "
        "'markdown' to the HTML tag around it, like <div markdown>.",
    ),
    (
        re.compile(r"\{:?\s*[#.][^{}\n]*\}"),
        "'{text}' was published as text: an attribute list goes at the end of a heading line, "
        "or on its own line right below a paragraph, like {{: #paragraph-id }}.",
    ),
    (
        re.compile(r"^\s*(?:!!!|\?\?\?)[^\n]*", re.MULTILINE),
        "'{text}' was published as text: leave a blank line before a box and indent its "
        "content by 4 spaces.",
    ),
    (
        re.compile(r"\[\[|\]\]"),
        "'{text}' was published as text: a term link is [[id]] or [[shown words|id]] on one line.",
    ),
]
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d+[.)])[ \t]")
QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)+")
# Blocks whose nesting counts in the built HTML: raw HTML can nest them too.
NESTING_ELEMENTS = {"ul", "ol", "blockquote", "div", "details", "table", "section", "dl"}
# Control characters a reader cannot see: everything in Unicode's Cc category
# but the tab and the line ends an editor types.
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F) that
# a page may not hold. One pattern, not a test per character: pages are long.
_CONTROLS = (chr(code) for code in range(0xA0) if unicodedata.category(chr(code)) == "Cc")
CONTROL_CHARACTER = re.compile(
    "[" + "".join(re.escape(c) for c in _CONTROLS if c not in ALLOWED_CONTROLS) + "]"
)
ALLOWED_HIDE = {"feedback", "footer", "navigation", "path", "tags", "toc"}
EXAMPLE_FRONT_MATTER = "---\ntitle: Allyship\ndescription: One sentence for link previews.\n---"


def shown(page: Page) -> str:
    """The page's file as the editor knows it."""
    return shown_source(page.file.src_uri)


def shown_source(src_uri: str) -> str:
    """The file `src_uri` of docs/ as the editor knows it."""
    return f"docs/{src_uri}"


def _place_of(
    text: str, source: str, src_uri: str, glossary: Path | None
) -> tuple[str, int | None]:
    """Where the editor wrote `text` (file, line): the page (`source`, the file
    `src_uri` of docs/), or else a definition in the glossary."""
    line = line_of(source, text)
    in_glossary = line is None and glossary is not None and glossary.is_file()
    if in_glossary and (found := line_of(glossary.read_text(encoding="utf-8"), text)):
        return glossary.as_posix(), found
    return shown_source(src_uri), line


def _key_line(source: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}\s*:", source, re.MULTILINE)
    return line_at(source, match.start()) if match else None


def front_matter_problems(page: Page, files: Files) -> list[Problem]:
    """Front matter MkDocs would drop, show as text, or publish wrongly ("True")."""
    source = page.file.content_string
    if source.startswith("---") and not re.search(r"^---\s*$", source[3:], re.MULTILINE):
        return [
            Problem(
                shown(page),
                "the front matter has no closing '---' line;",
                "add one after its last 'key: value' line.",
                1,
            )
        ]
    if source.startswith("---") and not page.meta:
        # MkDocs keeps unparsable YAML as page text; name the problem instead.
        block = source.split("---", 2)[1] if source.count("---") >= 2 else source
        try:
            yaml.safe_load(block)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark else None
            problem = getattr(error, "problem", None) or "see the line"
            return [
                Problem(shown(page), f"the front matter is not valid YAML ({problem}).", line=line)
            ]
        return [
            Problem(
                shown(page),
                "the front matter must be 'key: value' lines between '---' "
                f"lines, like\n{EXAMPLE_FRONT_MATTER}",
                line=1,
            )
        ]
    if page.meta and not source.startswith("---"):
        return [
            Problem(
                shown(page),
                "the page starts with 'Key: value' lines, which MkDocs would hide as metadata.",
                "Put front matter between '---' lines, or start the page with a heading.",
                1,
            )
        ]
    meta = page.meta
    problems = []

    def problem(key: str, text: str) -> None:
        line = _key_line(source, key)
        written = source.splitlines()[line - 1].partition(":")[2] if line else ""
        written = re.sub(r"(^|\s)#.*$", "", written).strip()  # without a YAML comment
        problems.append(Problem(shown(page), text.replace("{written}", written), line=line))

    for key in sorted(set(meta) - {*_CHECKS}):
        problem(key, f"unknown front matter key '{key}'; allowed: {', '.join(sorted(_CHECKS))}.")
    for key in ("title", "description"):
        if key not in meta:
            problems.append(Problem(shown(page), f"add '{key}:' to the front matter.", line=1))
    for key, check in _CHECKS.items():
        if key in meta and (text := check(meta[key], page, files)):
            problem(key, f"'{key}': {text}")
    return problems


def _text(value: Any, page: Page, files: Files) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    if value is None or value == "":
        return "this needs some text; write a few words after the colon."
    kind = (
        "yes/no"
        if isinstance(value, bool)
        else "a number"
        if isinstance(value, int | float)
        else "a list or mapping"
    )
    return (
        f"YAML reads this as {kind}, not text; put the words in quotes, "
        'like "{written}", or write a sentence.'
    )


def _flag(value: Any, page: Page, files: Files) -> str | None:
    return None if isinstance(value, bool) else "write true or false."


def _hide(value: Any, page: Page, files: Files) -> str | None:
    if isinstance(value, list) and set(value) <= ALLOWED_HIDE:
        return None
    return f"write a list of parts to hide, from: {', '.join(sorted(ALLOWED_HIDE))}."


def _search(value: Any, page: Page, files: Files) -> str | None:
    if isinstance(value, dict) and set(value) <= {"boost", "exclude"}:
        return None
    return "write {exclude: true} or {boost: 2}."


def _moved(value: Any, page: Page, files: Files) -> str | None:
    if isinstance(value, dict) and all(
        isinstance(k, str) and ID_PATTERN.match(k) and isinstance(v, str) for k, v in value.items()
    ):
        return None
    return (
        "map each old id to its new one, like {old-heading: new-heading} or "
        "{old-heading: other-page/#heading}."
    )


def _related(value: Any, page: Page, files: Files) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "write a list of pages, like [allyship.md]."
    missing = [path for path in value if files.get_file_from_path(path) is None]
    if missing:
        return (
            f"related page(s) {', '.join(missing)} do not exist in docs/: write each page's "
            "current file name."
        )
    if page.file.src_uri in value:
        return "a page cannot list itself as related."
    return None


_CHECKS = {
    "description": _text,
    "downloads": _flag,
    "hide": _hide,
    "moved_anchors": _moved,
    "related": _related,
    "search": _search,
    "title": _text,
}
REQUIRED_KEYS = {"description", "title"}


def make_meta_safe(page: Page, files: Files) -> None:
    """After a front matter problem, values the rest of the build can still use."""
    for key, check in _CHECKS.items():
        if key in page.meta and check(page.meta[key], page, files):
            del page.meta[key]
    for key in REQUIRED_KEYS:
        page.meta.setdefault(key, "")


def nesting_depths(source: str) -> Iterator[tuple[int, int, str]]:
    """(line, depth, kind) of each list item and quote line outside fenced code."""
    in_fence = False
    for number, line in enumerate(source.splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if quotes := QUOTE_MARKERS.match(line):
            yield number, quotes.group(0).count(">"), "quote"
        elif item := LIST_ITEM.match(line):
            indent = item.group("indent").expandtabs(4)
            yield number, len(indent) // 4 + 1, "list"


def nesting_problems(source: str, src_uri: str) -> list[Problem]:
    """A list or quote nested deeper than NESTING_LIMIT: one problem, at its first line."""
    for number, depth, kind in nesting_depths(source):
        if depth > NESTING_LIMIT:
            return [
                Problem(
                    shown_source(src_uri),
                    f"a {kind} nested more than {NESTING_LIMIT} levels deep; {NESTING_LIMIT} "
                    "is the limit the PDF can lay out.",
                    "Nest fewer levels: split it into a flat list, or give its parts sub-headings.",
                    number,
                )
            ]
    return []


def without_deep_nesting(markdown: str) -> str:
    """`markdown` with lines nested past the limit flattened, so that converting a page
    that already failed its nesting check cannot exhaust Python's recursion limit."""
    lines = []
    for line in markdown.splitlines():
        item = LIST_ITEM.match(line)
        if item and len(item.group("indent").expandtabs(4)) // 4 >= NESTING_LIMIT:
            line = line.lstrip()
        quotes = QUOTE_MARKERS.match(line)
        if quotes and quotes.group(0).count(">") > NESTING_LIMIT:
            line = "> " + line[quotes.end() :]
        lines.append(line)
    return "\n".join(lines)


def html_nesting_problems(html: str, source: str, src_uri: str) -> list[Problem]:
    """Blocks nested deeper than the limit in the built page (raw HTML can nest them
    past the Markdown check): one message, at the line of the first text inside."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    pending = [(root, 0)]
    while pending:
        element, depth = pending.pop()
        if not isinstance(element.tag, str):
            continue
        depth += element.tag in NESTING_ELEMENTS
        if depth > NESTING_LIMIT:
            text = next((t.strip() for t in element.itertext() if t.strip()), "")
            return [
                Problem(
                    shown_source(src_uri),
                    f"blocks (lists, quotes, <div>s) nested more than {NESTING_LIMIT} levels "
                    f"deep; {NESTING_LIMIT} is the limit the PDF can lay out.",
                    "Nest fewer levels.",
                    line_of(source, text) if text else None,
                )
            ]
        pending.extend((child, depth) for child in element)
    return []


def page_size_problems(size: int, shown_as: str) -> list[Problem]:
    """A page over PAGE_SIZE_LIMIT bytes: one problem, before MkDocs reads it."""
    if size <= PAGE_SIZE_LIMIT:
        return []
    return [
        Problem(
            shown_as,
            f"the page is {size / 1000:,.0f} KB of text; the limit is "
            f"{PAGE_SIZE_LIMIT / 1000:,.0f} KB (about 30,000 words), the most the PDF can "
            "lay out as one chapter.",
            "Split it into several pages.",
        )
    ]


def encoding_problems(data: bytes, shown_as: str) -> list[Problem]:
    """A file that is not UTF-8: one problem, at the line of its first bad byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        return [
            Problem(
                shown_as,
                f"the file is not UTF-8 text (byte 0x{byte:02X}, perhaps '{guess}' saved as "
                "Latin-1 or Windows-1252).",
                'Save the file as UTF-8 in your editor ("Save with encoding" or "Reopen with '
                'encoding").',
                line,
            )
        ]
    return []


def control_character_problems(source: str, src_uri: str) -> list[Problem]:
    """Invisible control characters (NUL, ESC, ...): one problem per line that has one."""
    problems = []
    if not CONTROL_CHARACTER.search(source):
        return problems
    for number, line in enumerate(source.split("\n"), start=1):
        found = sorted(set(CONTROL_CHARACTER.findall(line)))
        if found:
            names = ", ".join(f"U+{ord(c):04X} {_control_name(c)}" for c in found)
            problems.append(
                Problem(
                    shown_source(src_uri),
                    f"an invisible control character ({names});",
                    "delete it (editors may show it as a box, ^@ or <0x00>), or retype the line.",
                    number,
                )
            )
    return problems


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTER.sub("", text)


def _control_name(character: str) -> str:
    names = {0: "NUL", 0x1B: "ESC", 0x7F: "DEL", 0x08: "BACKSPACE", 0x0C: "FORM FEED"}
    return names.get(ord(character), "control character")


def second_title_problems(source: str, src_uri: str) -> list[Problem]:
    """Every '# ' heading after the first: a page has one title."""
    titles = [
        number
        for number, line in _lines_outside_code(source)
        if (heading := HEADING.match(line)) and heading.group(1) == "#"
    ]
    return [
        Problem(
            shown_source(src_uri),
            f"a second '# ' heading; a page has one title, the first (line {titles[0]}), "
            "which the menu, the PDF and search use.",
            "Make this one a section: '## Heading {#heading-id}'.",
            number,
        )
        for number in titles[1:]
    ]


def nav_line(config_text: str, value: str) -> int | None:
    """The line of mkdocs.yml's `nav:` that holds the entry `value` (a file or address)."""
    nav = re.search(r"^nav\s*:", config_text, re.MULTILINE)
    if not nav:
        return None
    entry = re.compile(rf"^\s*-\s*(?:.*?:\s*)?[\"']?{re.escape(value)}[\"']?\s*(?:#.*)?$")
    for number, line in enumerate(config_text[nav.start() :].splitlines(), start=1):
        if entry.match(line):
            return config_text.count("\n", 0, nav.start()) + number
    return None


def nav_script_problems(nav_items: list[Any], config_text: str, shown_as: str) -> list[Problem]:
    """Nav entries whose address would run code (javascript:, vbscript:)."""
    problems = []
    pending = list(nav_items)
    while pending:
        item = pending.pop(0)
        pending.extend(getattr(item, "children", None) or [])
        url = getattr(item, "url", None)
        if item.__class__.__name__ == "Link" and url and (scheme := script_url("href", url)):
            problems.append(
                Problem(
                    shown_as,
                    f"the nav entry '{item.title}' links to a {scheme} address, which would "
                    "run code;",
                    "a nav entry is a page of docs/ (page.md) or an https: address.",
                    nav_line(config_text, url),
                )
            )
    return problems


def _lines_outside_code(source: str) -> Iterator[tuple[int, str]]:
    """The body's lines, with their numbers, outside fenced and indented code. The
    front matter is plain text, shown escaped: never markup."""
    front = FRONT_MATTER.match(source)
    skipped = source[: front.end()].count("\n") if front else 0
    in_fence = False
    for number, line in enumerate(source.splitlines()[skipped:], start=skipped + 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and not line.startswith(("    ", "\t")):
            yield number, line


def id_problems(page: Page) -> list[Problem]:
    """Headings need a fixed id; no id may look like the theme's own."""
    source = page.file.content_string
    problems = []
    for number, line in _lines_outside_code(source):
        heading = HEADING.match(line)
        if heading and not HEADING_ID.search(line):
            text = re.sub(r"\s*\{[^}]*\}\s*$", "", heading.group(2))
            problems.append(
                Problem(
                    shown(page),
                    f"the heading '{line.strip()}' needs a fixed id, so links to it keep working:",
                    f"'{heading.group(1)} {text} {{#{_heading_id_for(text)}}}'.",
                    number,
                )
            )
        for attributes in ATTRIBUTE_LIST.findall(line):
            for token in attributes.split():
                if not token.startswith("#"):
                    continue
                anchor = token[1:]
                if anchor.startswith(THEME_ID_PREFIXES):
                    prefix = anchor[:2] if anchor.startswith("__") else "bb-"
                    other = _heading_id_for(anchor.removeprefix("bb-"))
                    problems.append(
                        Problem(
                            shown(page),
                            f"the id '{anchor}' starts with '{prefix}', like the theme's own ids;",
                            f"choose another, like '{other}'.",
                            number,
                        )
                    )
                elif not ID_PATTERN.match(anchor):
                    problems.append(
                        Problem(
                            shown(page),
                            f"the id '{anchor}' must be lowercase words joined by '-',",
                            f"like '{_heading_id_for(anchor)}'.",
                            number,
                        )
                    )
    return problems


def _heading_id_for(text: str) -> str:
    """An id for a heading: its first five words."""
    return suggest_id(text, "section", most_words=5)


def raw_links(page: Page) -> list[tuple[int, str]]:
    """(line, address) of each link or image written as raw HTML in the page."""
    found = []
    for number, line in _lines_outside_code(page.file.content_string):
        for match in RAW_LINK.finditer(line):
            found.append((number, match.group(3)))
    return found


def rendered_page_problems(
    html: str,
    source: str,
    src_uri: str,
    url: str,
    docs_dir: Path,
    explicit_term: str,
    glossary: Path | None,
) -> list[Problem]:
    """The checks of a page's HTML as its Markdown rendered (`html`), from the page's
    `source` (the file `src_uri` of docs/, published at `url`). It needs nothing
    but its arguments: the build runs it in a worker while MkDocs renders the
    next pages."""
    problems = content_problems(html, source, src_uri, explicit_term, glossary)
    problems += unique_id_problems(html, source, src_uri)
    if not nesting_problems(source, src_uri):  # reported before the page was rendered
        problems += html_nesting_problems(html, source, src_uri)
    problems += image_size_problems(html, source, src_uri, url, docs_dir)
    return problems


def content_problems(
    html: str, source: str, src_uri: str, explicit_term: str, glossary: Path | None = None
) -> list[Problem]:
    """Markdown that reached the page as text, and images without alt text. Text
    that is not in the page's `source` came from a definition in `glossary`."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    problems = []
    for text in _published_text(root):
        text = re.sub(explicit_term, "", text)  # reported by the glossary extension
        for pattern, fix in LEFTOVER_MARKUP:
            for match in pattern.finditer(text):
                found = match.group(0).strip()
                file, line = _place_of(found, source, src_uri, glossary)
                problems.append(Problem(file, fix.format(text=found), line=line))
    for image in root.iter("img"):
        if not (image.get("alt") or "").strip():
            address = image.get("src", "")
            name = posixpath.basename(urlsplit(address).path)
            line = image_line(source, name, without_alt=True) if name else None
            line = line or line_of(source.lower(), "<img")  # no file name: its element
            problems.append(
                Problem(
                    shown_source(src_uri),
                    f"the image '{name}' has no alt text:",
                    f"write ![what the image shows]({name}).",
                    line,
                )
            )
    return problems


def image_line(source: str, name: str, without_alt: bool = False) -> int | None:
    """The line of the first image of the page's body that shows the file `name`
    (one without alt text if asked): never a line of the front matter, where the
    name may appear in a description."""
    body_start = _body_start(source)
    name = re.escape(name)
    patterns = [
        rf"!\[\s*\]\([^)\n]*{name}",
        rf"<img\b(?![^>]*\balt\s*=\s*[\"'][^\"']*\w)[^>]*{name}",
    ]
    if not without_alt:
        patterns = [rf"!\[[^\]\n]*\]\([^)\n]*{name}", rf"<img\b[^>]*{name}"]
    for pattern in [*patterns, name]:
        match = re.compile(pattern, re.IGNORECASE).search(source, body_start)
        if match:
            return line_at(source, match.start())
    return None


def _body_start(source: str) -> int:
    """Where the page's Markdown starts, after its front matter."""
    front = re.match(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", source, re.DOTALL)
    return front.end() if front else 0


def image_size_problems(html: str, source: str, src_uri: str, page_url: str,
                        docs_dir: Path) -> list[Problem]:  # fmt: skip
    """Images of the page over IMAGE_PIXEL_LIMIT, read from their headers only."""
    from PIL import UnidentifiedImageError

    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    problems = []
    for image in root.iter("img"):
        address = urlsplit(image.get("src", ""))
        if address.scheme or address.netloc or not address.path:
            continue
        site_path = posixpath.normpath(posixpath.join("/" + page_url, address.path))
        file = docs_dir / unquote(site_path).lstrip("/")
        if not file.is_file() or file.suffix.lower() == ".svg":
            continue
        try:
            width, height = image_size(file)
        except (UnidentifiedImageError, OSError):
            continue  # not an image Pillow knows; the browser and WeasyPrint say so
        if width * height > IMAGE_PIXEL_LIMIT:
            problems.append(
                Problem(
                    shown_source(src_uri),
                    f"the image '{file.name}' is {width} x {height} pixels "
                    f"({width * height / 1e6:.0f} megapixels); the limit is "
                    f"{IMAGE_PIXEL_LIMIT // 1_000_000} megapixels.",
                    "Save it smaller: 2400 pixels across is plenty for the site and the PDF.",
                    image_line(source, file.name),
                )
            )
    return problems


def image_size(file: Path) -> tuple[int, int]:
    """(width, height) from the image's header: no pixel is decoded. Pillow's own
    limit is lifted for the look, so that the message can give the size."""
    from PIL import Image

    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(file) as opened:
            return opened.size
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _published_text(element: Any) -> Iterator[str]:
    if not isinstance(element.tag, str) or element.tag in NEVER_TEXT:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _published_text(child)
        if child.tail:
            yield child.tail


def raw_link_problems(
    links: dict[str, list[tuple[int, str]]], pages: dict[str, str], site_dir: Path
) -> list[Problem]:
    """Raw HTML links (by source path; `pages` maps source path to URL) that lead nowhere."""
    problems = []
    for src, found in sorted(links.items()):
        for line, address in found:
            # As a browser reads it: entities decoded, tabs and newlines dropped
            # ("java&#x09;script:" has a scheme, and the safety check reports it).
            parts = urlsplit(re.sub(r"[\x00-\x20]", "", html_module.unescape(address)))
            if parts.scheme or parts.netloc or address.startswith(("mailto:", "data:")):
                continue
            base = "/" + pages[src]
            target = posixpath.normpath(posixpath.join(posixpath.dirname(base), parts.path))
            target = target + "/" if parts.path.endswith("/") and target != "/" else target
            if not parts.path:
                target = base
            file = site_dir / target.lstrip("/")
            if file.is_dir():
                file = file / "index.html"
            fix = (
                "Write it as a Markdown link, [text](page.md#id), which the build checks and "
                "turns into the right address."
            )
            if not file.is_file():
                problems.append(
                    Problem(
                        shown_source(src),
                        f"the raw HTML link '{address}' leads nowhere (nothing at {target}).",
                        fix,
                        line,
                    )
                )
            elif parts.fragment and file.suffix == ".html":
                ids = set(element_ids(file.read_text(encoding="utf-8")))
                if parts.fragment not in ids:
                    problems.append(
                        Problem(
                            shown_source(src),
                            f"the raw HTML link '{address}' points to '#{parts.fragment}', "
                            f"which is not on {target}.",
                            fix,
                            line,
                        )
                    )
    return problems


def related_pages(page: Page, nav: Navigation) -> list[Page]:
    """The pages named under `related`, in navigation order."""
    wanted = set(page.meta.get("related", []))
    return [other for other in nav.pages if other.file.src_uri in wanted]


def element_ids(html: str) -> list[str]:
    """The id of every element, as a browser reads the markup (not text that looks like it)."""
    return [node.attributes["id"] or "" for node in parse(html).css("[id]")]


def unique_id_problems(html: str, source: str, src_uri: str) -> list[Problem]:
    """Two elements with one id break links to the second; name the ids to change."""
    repeated = sorted(id for id, count in Counter(element_ids(html)).items() if count > 1)
    return [
        Problem(
            shown_source(src_uri),
            f"the id '{id}' is used more than once on the page;",
            "give each heading its own {#id}.",
            _id_line(source, id),
        )
        for id in repeated
    ]


def _id_line(source: str, id: str) -> int | None:
    """Where `id` is given: `{#id}` after a heading, or id= on raw HTML."""
    found = line_of(source, "#" + id)
    if found is None and (raw := re.search(rf"\bid\s*=\s*[\"']?{re.escape(id)}\b", source)):
        found = line_at(source, raw.start())
    return found


def alias_moved_anchors(html: str, moved: dict[str, str], alias: Callable[..., str]) -> str:
    """Keeps each id renamed on the same page as an empty element (`alias`) at the new one.

    The browser then lands on an old link without any script.
    """
    for old, new in moved.items():
        if "/" in new or "#" in new:
            continue  # moved to another page: only a script or a server can follow it
        start_tag = re.search(rf'<[a-z0-9]+\b[^>]*\sid="{re.escape(new)}"[^>]*>', html)
        if start_tag:
            html = html[: start_tag.end()] + alias(old=old, new=new) + html[start_tag.end() :]
    return html


def moved_anchor_problems(html: str, page: Page, moved: dict[str, str]) -> list[Problem]:
    """A `moved_anchors` entry whose old id is still there, or whose new one is not."""
    ids = set(element_ids(html))
    source = page.file.content_string
    problems = []
    for old, new in moved.items():
        line = line_of(source, f"{old}:")
        if not MOVED_ANCHOR_TARGET.match(new):
            # bridges.js sends the browser there: never a scheme such as javascript:.
            problems.append(
                Problem(
                    shown(page),
                    f"moved_anchors entry '{old}: {new}' must name an id on this page "
                    "(new-heading) or a page of this site with an id (other-page/#heading), "
                    "without a scheme such as https: or javascript:.",
                    line=line,
                )
            )
        elif old in ids:
            problems.append(
                Problem(
                    shown(page),
                    f"moved_anchors lists '{old}', but the page still has that id;",
                    f"remove '{old}' from moved_anchors, or change the heading's id.",
                    line,
                )
            )
        elif "/" not in new and "#" not in new and new not in ids:
            problems.append(
                Problem(
                    shown(page),
                    f"moved_anchors sends '{old}' to '{new}', which is not an id on this page;",
                    "write the heading's new id.",
                    line,
                )
            )
    return problems
