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
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import tinycss2

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


def markup_names(pages: list[Path]) -> tuple[set[str], set[str]]:
    """(class, id, attribute and element names; attribute values) in `pages`."""
    names: set[str] = set()
    values: set[str] = set()
    for page in pages:
        for element in lxml.html.parse(str(page)).getroot().iter():
            if not isinstance(element.tag, str):
                continue
            names.add(element.tag)
            for attribute, value in element.attrib.items():
                names.add(attribute)
                values.add(value)
                if attribute in {"class", "id"}:
                    names.update(value.split())
    return names, values


def script_words(scripts: list[Path]) -> set[str]:
    """Words in `scripts`, leaving out their whole-line comments."""
    words: set[str] = set()
    for script in scripts:
        code = FULL_LINE_COMMENT.sub("", script.read_text(encoding="utf-8", errors="ignore"))
        words.update(WORD.findall(code))
    return words


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


def purge(css: str, names: UsedNames) -> str:
    """`css` without the rules whose selectors all name something unused."""
    first, _ = split(css, names, names)
    return first


def split(css: str, first_view: UsedNames, everything: UsedNames) -> tuple[str, str]:
    """(rules the first view uses, rules only `everything` uses) of `css`."""
    first, later = _split_rules(tinycss2.parse_stylesheet(css), first_view, everything)
    return "".join(first), "".join(later)


def _split_rules(rules, first_view: UsedNames, everything: UsedNames):
    first, later = [], []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(tinycss2.serialize(rule.prelude))
            used = [s for s in selectors if selector_is_used(s, everything)]
            now = [s for s in used if selector_is_used(s, first_view)]
            body = tinycss2.serialize(rule.content)
            if now:
                first.append(f"{','.join(now)}{{{body}}}")
            if rest := [s for s in used if s not in now]:
                later.append(f"{','.join(rest)}{{{body}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer"}:
            inner_first, inner_later = _split_rules(
                tinycss2.parse_rule_list(rule.content), first_view, everything
            )
            prelude = f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}"
            if inner_first:
                first.append(f"{prelude}{{{''.join(inner_first)}}}")
            if inner_later:
                later.append(f"{prelude}{{{''.join(inner_later)}}}")
        elif rule.type == "at-rule":
            first.append(tinycss2.serialize([rule]))
    return first, later


def place_custom_properties(first: str, later: str, readers: str) -> tuple[str, str]:
    """Custom properties where they are read: declarations that only the
    on-demand sheet reads move there, and those nobody reads go. `readers` is
    our stylesheet and the first-view scripts, which read from the first."""
    while True:
        read_now = _read_properties(first + readers)
        read_later = _read_properties(later) - read_now
        now, moved = _partition_declarations(tinycss2.parse_stylesheet(first), read_now, read_later)
        if now == first and not moved:
            return first, later
        first, later = now, moved + later


def _read_properties(text: str) -> set[str]:
    return set(re.findall(r"var\(\s*(--[-\w]+)", text)) | set(
        re.findall(r"[\"'](--[-\w]+)", text)  # read by a script: getPropertyValue("--x")
    )


def _partition_declarations(rules, read_now: set[str], read_later: set[str]) -> tuple[str, str]:
    """(`rules` with only the custom properties in `read_now`, the declarations
    of those in `read_later` under the same selectors)."""
    now, later = [], []
    for rule in rules:
        if rule.type == "qualified-rule":
            kept, moved = [], []
            for declaration in tinycss2.parse_blocks_contents(rule.content):
                if declaration.type != "declaration":
                    continue
                text = tinycss2.serialize([declaration]).rstrip(";")
                if not declaration.name.startswith("--") or declaration.name in read_now:
                    kept.append(text)
                elif declaration.name in read_later:
                    moved.append(text)
            prelude = tinycss2.serialize(rule.prelude)
            if kept:
                now.append(f"{prelude}{{{';'.join(kept)}}}")
            if moved:
                later.append(f"{prelude}{{{';'.join(moved)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer"}:
            inner_now, inner_later = _partition_declarations(
                tinycss2.parse_rule_list(rule.content), read_now, read_later
            )
            prelude = f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}"
            if inner_now:
                now.append(f"{prelude}{{{inner_now}}}")
            if inner_later:
                later.append(f"{prelude}{{{inner_later}}}")
        else:
            now.append(tinycss2.serialize([rule]))
    return "".join(now), "".join(later)


def minify(css: str) -> str:
    """Our stylesheet without comments and needless white space."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r" ?([{};]) ?", r"\1", css).replace(";}", "}").strip()


def dark_without_javascript(css: str) -> str:
    """The slate rules of `css` again, for pages without JavaScript whose reader's
    system is dark (their body keeps the default scheme)."""
    copies = []
    for rule in _flatten(tinycss2.parse_stylesheet(css)):
        prelude = tinycss2.serialize(rule.prelude)
        if SLATE.search(prelude):
            dark = [
                SLATE.sub(NO_JS_DEFAULT, s) for s in _split_selectors(prelude) if SLATE.search(s)
            ]
            copies.append(f"{','.join(dark)}{{{tinycss2.serialize(rule.content)}}}")
    return f"@media screen and (prefers-color-scheme:dark){{{''.join(copies)}}}" if copies else ""


def _flatten(rules):
    """Qualified rules at the top level and inside `@media screen`."""
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and tinycss2.serialize(rule.prelude).strip() == "screen":
            yield from _flatten(tinycss2.parse_rule_list(rule.content))


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


def bundle_stylesheets(site_dir: Path) -> str:
    """Writes the two stylesheets and points every page at the first; returns its path."""
    pages = sorted(site_dir.rglob("*.html"))
    texts = {page: page.read_text("utf-8") for page in pages}
    stylesheets = list(dict.fromkeys(
        name for text in texts.values() for _, name in STYLESHEET_LINK.findall(text)
    ))  # fmt: skip
    in_pages, values = markup_names(pages)
    loaded = {
        (page.parent / src).resolve()
        for page, text in texts.items()
        for src in SCRIPT_SOURCE.findall(text)
        if "://" not in src
    }
    all_scripts = sorted(site_dir.rglob("*.js"))
    first_scripts = [script for script in all_scripts if script.resolve() in loaded]
    first_view = UsedNames(in_pages, script_words(first_scripts), values)
    everything = UsedNames(in_pages, script_words(all_scripts), values)
    material_first, material_later, ours = [], [], []
    for name in stylesheets:
        css = (site_dir / "assets/stylesheets" / name).read_text(encoding="utf-8")
        css = re.sub(r"/\*#\s*sourceMappingURL=.*?\*/", "", css)
        if ".min." in name:  # Material's sheets are purged; ours is all in use.
            first, later = split(css, first_view, everything)
            material_first.append(first)
            material_later.append(later)
        else:
            ours.append(css)
    own = minify("\n".join(ours))
    readers = own + "".join(script.read_text("utf-8", errors="ignore") for script in first_scripts)
    first, later = place_custom_properties(
        "\n".join(material_first), "\n".join(material_later), readers
    )
    combined = "\n".join([first, own, dark_without_javascript(first + own)])
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
