"""One stylesheet a page instead of three: Material's main and palette CSS,
purged of rules that no page or script can use, then our own stylesheet.

A selector is kept when every class, id and attribute name in it occurs
somewhere in the built pages or scripts (as purgecss does), so classes that
Material's JavaScript adds later are kept too.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import tinycss2

STYLESHEET_LINK = re.compile(
    r'<link rel="stylesheet" href="([^"]*?assets/stylesheets/([^"/]+))">\n?'
)
TOKEN = re.compile(r"[.#]([_a-zA-Z][-\w]*)|\[([-\w]+)")
WORD = re.compile(r"[-\w]+")
BUNDLE_PREFIX = "site"


def used_words(site_dir: Path) -> set[str]:
    words: set[str] = set()
    for path in site_dir.rglob("*"):
        if path.suffix in {".html", ".js"}:
            words.update(WORD.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return words


def selector_is_used(selector: str, words: set[str]) -> bool:
    return all((cls or attr) in words for cls, attr in TOKEN.findall(selector))


def purge(css: str, words: set[str]) -> str:
    """`css` without the rules whose selectors all name something unused."""
    return "".join(_purge_rules(tinycss2.parse_stylesheet(css), words))


def _purge_rules(rules, words: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude)
            selectors = [s for s in _split_selectors(prelude) if selector_is_used(s, words)]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer"}:
            inner = _purge_rules(tinycss2.parse_rule_list(rule.content), words)
            if inner:
                prelude = tinycss2.serialize(rule.prelude).strip()
                kept.append(f"@{rule.at_keyword} {prelude}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


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
    """Writes the combined stylesheet and points every page at it; returns its path."""
    pages = sorted(site_dir.rglob("*.html"))
    names = list(dict.fromkeys(
        name for page in pages for _, name in STYLESHEET_LINK.findall(page.read_text("utf-8"))
    ))  # fmt: skip
    words = used_words(site_dir)
    parts = []
    for name in names:
        css = (site_dir / "assets/stylesheets" / name).read_text(encoding="utf-8")
        css = re.sub(r"/\*#\s*sourceMappingURL=.*?\*/", "", css)
        parts.append(css if ".min." not in name else purge(css, words))
    combined = "\n".join(parts)
    digest = hashlib.sha256(combined.encode()).hexdigest()[:8]
    bundle = f"{BUNDLE_PREFIX}.{digest}.min.css"
    (site_dir / "assets/stylesheets" / bundle).write_text(combined, encoding="utf-8")
    for page in pages:
        html = page.read_text(encoding="utf-8")
        links = list(STYLESHEET_LINK.finditer(html))
        if not links:
            continue
        prefix = links[0].group(1).removesuffix(links[0].group(2))
        single = f'<link rel="stylesheet" href="{prefix}{bundle}">\n'
        html = html[: links[0].start()] + single + STYLESHEET_LINK.sub("", html[links[0].start() :])
        page.write_text(html, encoding="utf-8")
    return f"assets/stylesheets/{bundle}"
