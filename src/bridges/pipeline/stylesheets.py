"""Two stylesheets instead of three: what the first view needs, and what
Material's bundle draws once it loads (search results, mostly).

Material's main and palette CSS are purged against the built pages. A selector
is kept when every class, id, attribute and element it names occurs in the
markup of the pages, or in a script while its component (the BEM block: the
`md-header` of `md-header--shadow`) occurs in the markup. `[name=value]`
selectors also need that value, so the palette rules of colours the site does
not use go. Names inside `:not()` are not needed; `:is()` needs one of its
alternatives. Custom properties that no kept rule reads go too (the icons of
admonition types no page has).

Which scripts count decides where a rule goes: names from the scripts the pages
load (bridges.js) give the first-view stylesheet, `site.<hash>.min.css`; the
rules that only Material's bundle needs go to `site-on-demand.<hash>.min.css`,
which bridges.js loads together with the bundle.

With JavaScript off the theme follows the system setting: the slate (dark)
rules are repeated for `.no-js` pages under `prefers-color-scheme: dark`.

Material's stylesheets are tokenized once per build, in a worker while the pages
are built (`parse_sheet`); purging, moving custom properties and the dark copies
work on those parsed rules, never on text tokenized again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import tinycss2

from bridges.processes import workers

STYLESHEET_LINK = re.compile(
    r'<link rel="stylesheet" href="([^"]*?assets/stylesheets/([^"/]+))">\n?'
)
SCRIPT_SOURCE = re.compile(r'<script[^>]* src="([^"]+)"')
WORD = re.compile(r"[-\w]+")
FULL_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
SIMPLE_SELECTOR = re.compile(
    r"[.#]([_a-zA-Z][-\w]*)"  # class or id
    r'|\[([-\w]+)(?:(=)"?([^\]"]*)"?|[~|^$*]=[^\]]*)?\]'  # attribute
    r"|(?<![-\w.#:\\])([a-z][a-z0-9]*)\b(?![-(])"  # element
)
PSEUDO = re.compile(r"::?[-\w]+")
FIRST_VIEW_PREFIX = "site"
ON_DEMAND_PREFIX = "site-on-demand"
SLATE = re.compile(r'\[data-md-color-scheme=("?)slate\1\]')
NO_JS_DEFAULT = ".no-js [data-md-color-scheme=default]"
ELEMENTS_ALWAYS_THERE = {"html", "body"}


@dataclass
class UsedNames:
    """Names in the pages' markup, and words in the scripts that may add more."""

    in_pages: set[str]
    in_scripts: set[str]
    values: set[str] = field(default_factory=set)  # attribute values in the markup

    def __contains__(self, name: str) -> bool:
        if name in self.in_pages:
            return True
        block = re.split(r"__|--", name)[0]
        return name in self.in_scripts and (block == name or block in self.in_pages)

    def has_value(self, value: str) -> bool:
        return value in self.values or value in self.in_scripts


def words_of_script(script: Path) -> set[str]:
    """Words in `script`, leaving out its whole-line comments."""
    code = FULL_LINE_COMMENT.sub("", script.read_text(encoding="utf-8", errors="ignore"))
    return set(WORD.findall(code))


def selector_is_used(selector: str, names: UsedNames) -> bool:
    selector = _resolve_functions(selector, names)
    if selector is None:
        return False
    for match in SIMPLE_SELECTOR.finditer(PSEUDO.sub("", selector)):
        name, attribute, equals, value, element = match.groups()
        if name and name not in names:
            return False
        if attribute and attribute not in names:
            return False
        if equals and not names.has_value(value):
            return False
        if element and element not in ELEMENTS_ALWAYS_THERE and element not in names:
            return False
    return True


def _resolve_functions(selector: str, names: UsedNames) -> str | None:
    """`selector` without its :not()/:is()/:where()/:has() parts, or None when no
    alternative of an :is() or :where() is used."""
    while match := re.search(r":(not|is|where|has)\(", selector):
        start, depth = match.end(), 1
        end = start
        while depth:
            depth += {"(": 1, ")": -1}.get(selector[end], 0)
            end += 1
        inner = selector[start : end - 1]
        if match.group(1) in {"is", "where"} and not any(
            selector_is_used(alternative, names) for alternative in _split_selectors(inner)
        ):
            return None
        selector = selector[: match.start()] + " " + selector[end:]
    return selector


# Material's stylesheets, parsed once ---------------------------------------------


@dataclass(frozen=True)
class StyleRule:
    """A qualified rule, as text: its selector list, its block, and the block's declarations."""

    prelude: str
    body: str
    declarations: tuple[tuple[str, str], ...]  # (name, "name:value") of each declaration


@dataclass(frozen=True)
class GroupRule:
    """`@media`, `@supports` or `@layer`, with the rules inside."""

    at_keyword: str
    prelude: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class OtherRule:
    """Any other at-rule (`@font-face`, `@keyframes`), or white space between sheets."""

    text: str


Rule = StyleRule | GroupRule | OtherRule
GROUPING = {"media", "supports", "layer"}


@dataclass(frozen=True)
class ParsedSheet:
    """A stylesheet's text (without its source map comment) and its rules."""

    text: str
    rules: tuple[Rule, ...]


def parse_rules(css: str) -> tuple[Rule, ...]:
    """The rules of `css`, tokenized once; the steps below work on these, not on text."""
    return tuple(_rules(tinycss2.parse_stylesheet(css)))


def _rules(nodes) -> Iterator[Rule]:
    for node in nodes:
        if node.type == "qualified-rule":
            declarations = tinycss2.parse_blocks_contents(node.content)
            yield StyleRule(
                tinycss2.serialize(node.prelude),
                tinycss2.serialize(node.content),
                tuple(
                    (d.name, tinycss2.serialize([d]).rstrip(";"))
                    for d in declarations
                    if d.type == "declaration"
                ),
            )
        elif node.type == "at-rule" and node.lower_at_keyword in GROUPING:
            inner = tuple(_rules(tinycss2.parse_rule_list(node.content)))
            yield GroupRule(node.at_keyword, tinycss2.serialize(node.prelude).strip(), inner)
        elif node.type == "at-rule":
            yield OtherRule(tinycss2.serialize([node]))


def serialize(rules: Iterable[Rule]) -> str:
    return "".join(map(_rule_text, rules))


def _rule_text(rule: Rule) -> str:
    if isinstance(rule, StyleRule):
        return f"{rule.prelude}{{{rule.body}}}"
    if isinstance(rule, GroupRule):
        return f"@{rule.at_keyword} {rule.prelude}{{{serialize(rule.rules)}}}"
    return rule.text


def without_source_map(css: str) -> str:
    return re.sub(r"/\*#\s*sourceMappingURL=.*?\*/", "", css)


def parse_sheet(path: Path) -> ParsedSheet:
    """Material's stylesheet at `path`, parsed: a worker task, started before the pages
    are built, since it depends on nothing else."""
    text = without_source_map(path.read_text(encoding="utf-8"))
    return ParsedSheet(text, parse_rules(text))


_parsing: dict[tuple[str, int, int], Future[ParsedSheet]] = {}


def parsed_sheet(path: Path) -> Future[ParsedSheet]:
    """`parse_sheet(path)` in a worker, once per version of the file: the offline
    bundle's build and every `mkdocs serve` rebuild reuse it."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _parsing or _parsing[key].cancelled():
        _parsing[key] = workers.submit(parse_sheet, path)
    return _parsing[key]


# Purging and splitting ------------------------------------------------------------


def purge(css: str, names: UsedNames) -> str:
    """`css` without the rules whose selectors all name something unused."""
    first, _ = split(css, names, names)
    return first


def split(css: str, first_view: UsedNames, everything: UsedNames) -> tuple[str, str]:
    """(rules the first view uses, rules only `everything` uses) of `css`."""
    first, later = split_rules(parse_rules(css), first_view, everything)
    return serialize(first), serialize(later)


def split_rules(
    rules: Iterable[Rule], first_view: UsedNames, everything: UsedNames
) -> tuple[list[Rule], list[Rule]]:
    """(rules the first view uses, rules only `everything` uses)."""
    first: list[Rule] = []
    later: list[Rule] = []
    for rule in rules:
        if isinstance(rule, StyleRule):
            selectors = _split_selectors(rule.prelude)
            used = [s for s in selectors if selector_is_used(s, everything)]
            now = [s for s in used if selector_is_used(s, first_view)]
            if now:
                first.append(StyleRule(",".join(now), rule.body, rule.declarations))
            if rest := [s for s in used if s not in now]:
                later.append(StyleRule(",".join(rest), rule.body, rule.declarations))
        elif isinstance(rule, GroupRule):
            inner_first, inner_later = split_rules(rule.rules, first_view, everything)
            if inner_first:
                first.append(GroupRule(rule.at_keyword, rule.prelude, tuple(inner_first)))
            if inner_later:
                later.append(GroupRule(rule.at_keyword, rule.prelude, tuple(inner_later)))
        else:
            first.append(rule)
    return first, later


def place_custom_properties(first: str, later: str, readers: str) -> tuple[str, str]:
    """Custom properties where they are read: declarations that only the
    on-demand sheet reads move there, and those nobody reads go. `readers` is
    our stylesheet and the first-view scripts, which read from the first."""
    rules, later = place_custom_properties_in(list(parse_rules(first)), later, readers)
    return serialize(rules), later


def place_custom_properties_in(
    first: list[Rule], later: str, readers: str
) -> tuple[list[Rule], str]:
    """`place_custom_properties` on parsed first-view rules."""
    read_by_readers = _read_properties(readers)
    text = serialize(first)
    while True:
        read_now = _read_properties(text) | read_by_readers
        read_later = _read_properties(later) - read_now
        now, moved = _partition_declarations(first, read_now, read_later)
        now_text = serialize(now)
        if now_text == text and not moved:
            return first, later
        first, text, later = now, now_text, serialize(moved) + later


def _read_properties(text: str) -> set[str]:
    return set(re.findall(r"var\(\s*(--[-\w]+)", text)) | set(
        re.findall(r"[\"'](--[-\w]+)", text)  # read by a script: getPropertyValue("--x")
    )


def _partition_declarations(
    rules: Iterable[Rule], read_now: set[str], read_later: set[str]
) -> tuple[list[Rule], list[Rule]]:
    """(`rules` with only the custom properties in `read_now`, the declarations
    of those in `read_later` under the same selectors)."""
    now: list[Rule] = []
    later: list[Rule] = []
    for rule in rules:
        if isinstance(rule, StyleRule):
            kept, moved = [], []
            for name, text in rule.declarations:
                if not name.startswith("--") or name in read_now:
                    kept.append((name, text))
                elif name in read_later:
                    moved.append((name, text))
            if kept:
                now.append(StyleRule(rule.prelude, ";".join(t for _, t in kept), tuple(kept)))
            if moved:
                later.append(StyleRule(rule.prelude, ";".join(t for _, t in moved), tuple(moved)))
        elif isinstance(rule, GroupRule):
            inner_now, inner_later = _partition_declarations(rule.rules, read_now, read_later)
            if inner_now:
                now.append(GroupRule(rule.at_keyword, rule.prelude, tuple(inner_now)))
            if inner_later:
                later.append(GroupRule(rule.at_keyword, rule.prelude, tuple(inner_later)))
        else:
            now.append(rule)
    return now, later


def minify(css: str) -> str:
    """Our stylesheet without comments and needless white space."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r" ?([{};]) ?", r"\1", css).replace(";}", "}").strip()


def dark_without_javascript(css: str) -> str:
    """The slate rules of `css` again, for pages without JavaScript whose reader's
    system is dark (their body keeps the default scheme)."""
    return dark_rules(parse_rules(css))


def dark_rules(rules: Iterable[Rule]) -> str:
    """`dark_without_javascript` of parsed rules."""
    copies = []
    for rule in _flatten(rules):
        if SLATE.search(rule.prelude):
            dark = [
                SLATE.sub(NO_JS_DEFAULT, s)
                for s in _split_selectors(rule.prelude)
                if SLATE.search(s)
            ]
            copies.append(f"{','.join(dark)}{{{rule.body}}}")
    return f"@media screen and (prefers-color-scheme:dark){{{''.join(copies)}}}" if copies else ""


def _flatten(rules: Iterable[Rule]) -> Iterator[StyleRule]:
    """Qualified rules at the top level and inside `@media screen`."""
    for rule in rules:
        if isinstance(rule, StyleRule):
            yield rule
        elif isinstance(rule, GroupRule) and rule.prelude == "screen":
            yield from _flatten(rule.rules)


def _split_selectors(prelude: str) -> list[str]:
    """Top-level commas only: `:is(.a,.b) .c, .d` is two selectors."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def bundle_stylesheets(
    site_dir: Path,
    in_pages: set[str],
    values: set[str],
    parsed: Mapping[str, ParsedSheet] | None = None,
) -> str:
    """Writes the two stylesheets and points every page at the first; returns its path.

    `in_pages` and `values` are the names and attribute values in the pages'
    markup (`bridges.pipeline.pagescan`); `parsed` has Material's stylesheets by file name,
    parsed before (one whose text differs from the file in the site is parsed again).
    """
    pages = sorted(site_dir.rglob("*.html"))
    texts = {page: page.read_text("utf-8") for page in pages}
    stylesheets = list(dict.fromkeys(
        name for text in texts.values() for _, name in STYLESHEET_LINK.findall(text)
    ))  # fmt: skip
    loaded = {
        (page.parent / src).resolve()
        for page, text in texts.items()
        for src in SCRIPT_SOURCE.findall(text)
        if "://" not in src
    }
    all_scripts = sorted(site_dir.rglob("*.js"))
    first_scripts = [script for script in all_scripts if script.resolve() in loaded]
    words = {script: words_of_script(script) for script in all_scripts}  # each read once
    in_first = set().union(*(words[script] for script in first_scripts))
    first_view = UsedNames(in_pages, in_first, values)
    everything = UsedNames(in_pages, set().union(*words.values()), values)
    material_first: list[list[Rule]] = []
    material_later: list[str] = []
    ours: list[str] = []
    for name in stylesheets:
        css = without_source_map((site_dir / "assets/stylesheets" / name).read_text("utf-8"))
        if ".min." in name:  # Material's sheets are purged; ours is all in use.
            sheet = (parsed or {}).get(name)
            rules = sheet.rules if sheet and sheet.text == css else parse_rules(css)
            first, later = split_rules(rules, first_view, everything)
            material_first.append(first)
            material_later.append(serialize(later))
        else:
            ours.append(css)
    own = minify("\n".join(ours))
    readers = own + "".join(script.read_text("utf-8", errors="ignore") for script in first_scripts)
    # The sheets one after the other, a line apart, as when they were joined as text.
    joined = list(material_first[0]) if material_first else []
    for rules in material_first[1:]:
        joined += [OtherRule("\n"), *rules]
    first_rules, later = place_custom_properties_in(joined, "\n".join(material_later), readers)
    first = serialize(first_rules)
    dark = dark_rules([*first_rules, *parse_rules(own)])
    combined = "\n".join([first, own, dark])
    digest = hashlib.sha256((combined + later).encode()).hexdigest()[:8]
    bundle = f"{FIRST_VIEW_PREFIX}.{digest}.min.css"
    folder = site_dir / "assets/stylesheets"
    (folder / bundle).write_text(combined, encoding="utf-8")
    (folder / f"{ON_DEMAND_PREFIX}.{digest}.min.css").write_text(later, encoding="utf-8")
    for page, html in texts.items():
        links = list(STYLESHEET_LINK.finditer(html))
        if not links:
            continue
        prefix = links[0].group(1).removesuffix(links[0].group(2))
        single = f'<link rel="stylesheet" href="{prefix}{bundle}">\n'
        html = html[: links[0].start()] + single + STYLESHEET_LINK.sub("", html[links[0].start() :])
        page.write_text(html, encoding="utf-8")
    return f"assets/stylesheets/{bundle}"
