"""One stylesheet a page instead of three: Material's main and palette CSS,
purged of rules that no page or script can use, then our own stylesheet.

A selector is kept when every class, id and attribute name in it occurs in
the built pages, or in a script while its component (the BEM block: the
`md-header` of `md-header--shadow`) occurs in the pages. So classes Material's
JavaScript adds to a component on the page are kept, while the styles of
components no page has (tabs, blog posts, code annotations) are dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2

STYLESHEET_LINK = re.compile(
    r'<link rel="stylesheet" href="([^"]*?assets/stylesheets/([^"/]+))">\n?'
)
TOKEN = re.compile(r"[.#]([_a-zA-Z][-\w]*)|\[([-\w]+)")
WORD = re.compile(r"[-\w]+")
BUNDLE_PREFIX = "site"


@dataclass
class UsedNames:
    in_pages: set[str]
    in_scripts: set[str]

    def __contains__(self, name: str) -> bool:
        if name in self.in_pages:
            return True
        block = re.split(r"__|--", name)[0]
        return name in self.in_scripts and (block == name or block in self.in_pages)


def used_names(site_dir: Path) -> UsedNames:
    pages: set[str] = set()
    scripts: set[str] = set()
    for path in site_dir.rglob("*"):
        if path.suffix in {".html", ".js"}:
            words = WORD.findall(path.read_text(encoding="utf-8", errors="ignore"))
            (pages if path.suffix == ".html" else scripts).update(words)
    return UsedNames(pages, scripts)


def selector_is_used(selector: str, names: UsedNames) -> bool:
    return all((cls or attr) in names for cls, attr in TOKEN.findall(selector))


def purge(css: str, names: UsedNames) -> str:
    """`css` without the rules whose selectors all name something unused."""
    return "".join(_purge_rules(tinycss2.parse_stylesheet(css), names))


def _purge_rules(rules, names: UsedNames) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude)
            selectors = [s for s in _split_selectors(prelude) if selector_is_used(s, names)]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer"}:
            inner = _purge_rules(tinycss2.parse_rule_list(rule.content), names)
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
    stylesheets = list(dict.fromkeys(
        name for page in pages for _, name in STYLESHEET_LINK.findall(page.read_text("utf-8"))
    ))  # fmt: skip
    used = used_names(site_dir)
    parts = []
    for name in stylesheets:
        css = (site_dir / "assets/stylesheets" / name).read_text(encoding="utf-8")
        css = re.sub(r"/\*#\s*sourceMappingURL=.*?\*/", "", css)
        # Material's minified sheets are purged; ours is all in use.
        parts.append(purge(css, used) if ".min." in name else css)
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
