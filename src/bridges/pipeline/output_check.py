"""The boundary: every file the site publishes, read as a browser reads it.

The source checks (the safety extension, the page checks) name the line of a
mistake, but they read Markdown's output with their own eyes. A browser reads
the published file with the HTML standard's parser, where a `</noscript>` inside
an attribute ends the element, and foreign content (`<svg>`, `<math>`) changes
how the text after it is read. So this step reads what is published, every file
of the site folder (and, through the same rules, the offline bundle's and the
EPUB's), and checks the tree a browser builds against an allowlist: elements,
attributes and URL schemes it does not list are refused.

- HTML is parsed by Lexbor (through selectolax) with scripting on, as browsers
  parse it, so `<noscript>` holds text, as it does for readers.
- Scripts are known by file (the theme's, compared by content) and, inline, by
  the hash of what the templates emit; nothing else may run.
- Media, frames and stylesheets load only from the site itself; links (`<a>`)
  may go anywhere but to a script URL.
- SVG files and the EPUB's XHTML are XML: lxml's XML parser (no entities, no
  network) reads them as browsers and reading systems do.

Each page is read once, in the build's workers (`pagescan.scan_page` calls
`page_findings`); what depends on the build (the policy's hashes, the theme's
scripts) is compared afterwards by `site_problems`. The step also runs on its
own on any built folder: `python -m bridges.pipeline.output_check SITE_DIR`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import logging
import os
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from bridges.problems import Problem, report

# What a published page may hold. Deny by default: a name missing here is refused.
HTML_ELEMENTS = frozenset(
    {
        "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo",
        "blockquote", "body", "br", "button", "caption", "cite", "code", "col", "colgroup",
        "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
        "hgroup", "hr", "html", "i", "img", "input", "ins", "kbd", "label", "li", "link",
        "main", "mark", "meta", "nav", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby",
        "s", "samp", "script", "section", "small", "source", "span", "strong", "style",
        "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
        "title", "tr", "track", "u", "ul", "var", "video", "wbr"
    }
)  # fmt: skip
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "path", "circle", "ellipse", "line", "polyline", "polygon", "rect", "title",
        "desc", "defs", "symbol", "use", "lineargradient", "radialgradient", "stop", "clippath",
        "mask", "text", "tspan"
    }
)  # fmt: skip
GLOBAL_ATTRIBUTES = frozenset(
    {
        "id", "class", "title", "lang", "dir", "hidden", "tabindex", "role", "translate"
    }
)  # fmt: skip
ELEMENT_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    name: frozenset(names.split())
    for name, names in {
        "a": "href download hreflang rel target type",
        "audio": "src controls preload loop muted",
        "blockquote": "cite",
        "button": "type disabled",
        "col": "span",
        "colgroup": "span",
        "data": "value",
        "del": "cite datetime",
        "details": "open",
        "form": "name",
        "html": "xmlns",
        "img": "src srcset sizes alt width height loading decoding",
        "input": """type name placeholder autocomplete autocapitalize autocorrect
                    spellcheck required value checked disabled""",
        "ins": "cite datetime",
        "label": "for",
        "li": "value",
        "link": "rel href type sizes hreflang media",
        "meta": "charset name content property http-equiv",
        "ol": "start reversed type",
        "q": "cite",
        "script": "src type",
        "source": "src srcset type media sizes",
        "td": "colspan rowspan headers",
        "th": "colspan rowspan headers scope abbr",
        "time": "datetime",
        "track": "src kind srclang label default",
        "video": "src controls preload loop muted poster width height playsinline",
    }.items()
}
SVG_ATTRIBUTES = frozenset(
    {
        "viewbox", "xmlns", "xmlns:xlink", "version", "width", "height", "x", "y", "x1",
        "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "transform", "fill",
        "fill-rule", "fill-opacity", "clip-rule", "clip-path", "mask", "opacity", "stroke",
        "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
        "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "preserveaspectratio",
        "focusable", "offset", "stop-color", "stop-opacity", "gradientunits",
        "gradienttransform", "font-size", "font-family", "font-weight", "text-anchor",
        "dominant-baseline", "href", "xlink:href"
    }
)  # fmt: skip
# What each element may carry, its own attributes and the global ones.
HTML_ALLOWED = {tag: names | GLOBAL_ATTRIBUTES for tag, names in ELEMENT_ATTRIBUTES.items()}
SVG_ALLOWED = SVG_ATTRIBUTES | GLOBAL_ATTRIBUTES
INPUT_TYPES = frozenset({"text", "search", "checkbox", "radio", "hidden"})
# Script types a browser runs, and data blocks it never runs.
SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
DATA_TYPES = frozenset({"application/json", "application/ld+json"})
LINK_LOCAL_RELS = frozenset({"stylesheet", "icon", "preload", "modulepreload", "manifest"})
LINK_ANY_RELS = frozenset({"canonical", "alternate", "prev", "next", "author", "license"})
ALLOWED_HTTP_EQUIV = frozenset({"content-security-policy", "refresh"})
# File types the site publishes. Scripts are checked by content, SVG and CSS by what
# they would load; the rest are data a browser shows but never runs.
PUBLISHED_SUFFIXES = frozenset(
    {
        ".html", ".css", ".js", ".map", ".json", ".xml", ".gz", ".txt", ".svg", ".png", ".jpg",
        ".jpeg", ".gif", ".webp", ".avif", ".ico", ".pdf", ".epub", ".zip", ".woff", ".woff2",
        ".conf"
    }
)  # fmt: skip
# Scripts in docs/ that the theme loads; any other script in docs/ is content.
SITE_SCRIPTS = ("assets/javascripts/bridges.js",)
HOST_FILES = frozenset({"_headers", "_redirects"})
# The offline bundle's search index, written by Material's offline plugin.
OFFLINE_INDEX = "search/search_index.js"

SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# Browsers drop these from a URL before reading its scheme.
IGNORED_IN_URLS = re.compile(r"[\x00-\x20]+")
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
XLINK = "{http://www.w3.org/1999/xlink}"

LOCAL_FIX = "Put the file under docs/assets/ and link it with a relative address."
CODE_FIX = "Content cannot run code; behaviour belongs in docs/assets/javascripts/bridges.js."


@dataclass(frozen=True)
class PageFindings:
    """What one page holds that the build must judge: found in a worker, judged after."""

    problems: tuple[str, ...] = ()  # refused by the allowlist, whatever the build
    script_sources: tuple[str, ...] = ()  # `<script src>` as written
    inline_scripts: frozenset[str] = frozenset()  # CSP hash sources
    inline_styles: frozenset[str] = frozenset()
    refresh_targets: tuple[str, ...] = ()  # `<meta http-equiv=refresh>` URLs


@dataclass
class KnownCode:
    """What the build itself emits: the templates' inline code, the theme's scripts."""

    inline_scripts: set[str] = field(default_factory=set)
    inline_styles: set[str] = field(default_factory=set)
    script_digests: set[str] = field(default_factory=set)  # sha256 of the theme's .js files
    redirect_pages: set[str] | None = None  # pages that may refresh; None: any, to the site
    listed_redirects: set[str] = field(default_factory=set)  # other sites, listed on purpose

    theme_sheets: set[str] = field(default_factory=set)  # sha256 of the theme's .css files
    theme_notices: set[str] = field(default_factory=set)  # sha256 of its LICENSE files
    published_digests: dict[Path, str] = field(default_factory=dict, repr=False)  # read once

    def ships_script(self, path: Path) -> bool:
        """Whether the file at `path` is one of the theme's scripts, as it ships. Every
        page loads the same few: each is read once per check."""
        if path not in self.published_digests:
            self.published_digests[path] = _digest(path.read_bytes())
        return self.published_digests[path] in self.script_digests

    @classmethod
    def from_folders(cls, folders: Iterable[Path], scripts: Iterable[Path] = ()) -> KnownCode:
        found: dict[str, list[Path]] = {".js": [], ".css": [], "notice": []}
        for folder in folders:
            # Hidden folders are left out: engines publish nothing from them, and
            # Material's .icons alone holds some 14,000 files. String tests, not a
            # Path per name, for the rest.
            for parent, folders_in, names in os.walk(folder):
                folders_in[:] = [name for name in folders_in if not name.startswith(".")]
                for name in names:
                    kind = "notice" if name.startswith("LICENSE") else os.path.splitext(name)[1]
                    if kind in found:
                        found[kind].append(Path(parent, name))
        return cls(
            script_digests={_digest(path.read_bytes()) for path in [*found[".js"], *scripts]},
            theme_sheets={_digest(path.read_bytes()) for path in found[".css"]},
            theme_notices={_digest(path.read_bytes()) for path in found["notice"]},
        )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Reading one page ---------------------------------------------------------------


def parse(html: str) -> LexborHTMLParser:
    """The page as a browser builds it: the HTML standard's parser, scripting on."""
    return LexborHTMLParser(html, scripting=True)


def hash_source(code: str) -> str:
    """A CSP hash source of inline code."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def page_findings(tree: LexborHTMLParser) -> PageFindings:
    """The parsed page checked against the allowlist."""
    problems: list[str] = []
    sources: list[str] = []
    scripts: set[str] = set()
    styles: set[str] = set()
    refreshes: list[str] = []
    # Foreign content, found once: asking each element for its ancestors cost more
    # than the rest of the check on a long page.
    in_svg_content = {node.mem_id for node in tree.css("svg, svg *")}
    for node in _elements(tree):
        tag, attributes = node.tag.lower(), dict(node.attributes)
        in_svg = node.mem_id in in_svg_content
        problems += _element_problems_once(tag, tuple(attributes.items()), in_svg)
        if tag == "script" and not in_svg:
            kind = (attributes.get("type") or "").strip().lower()
            if attributes.get("src") is not None:
                sources.append(attributes["src"] or "")
            elif kind in SCRIPT_TYPES:
                scripts.add(hash_source(node.text(deep=True)))
        elif tag == "style":
            styles.add(hash_source(node.text(deep=True)))
        elif tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            refreshes.append(_refresh_url(attributes.get("content") or ""))
    return PageFindings(
        problems=tuple(dict.fromkeys(problems)),
        script_sources=tuple(sources),
        inline_scripts=frozenset(scripts),
        inline_styles=frozenset(styles),
        refresh_targets=tuple(refreshes),
    )


def _elements(tree) -> Iterator:
    for node in tree.root.traverse(include_text=False) if tree.root else ():
        if node.tag and not node.tag.startswith(("-", "_")):  # not text, comments, doctype
            yield node


def _refresh_url(content: str) -> str:
    _, _, rest = content.partition(";")
    rest = rest.strip()
    if rest.lower().startswith("url"):
        rest = rest[3:].lstrip().removeprefix("=").strip().strip("'\"")
    return rest


@lru_cache(maxsize=8192)
def _element_problems_once(
    tag: str, attributes: tuple[tuple[str, str | None], ...], in_svg: bool
) -> tuple[str, ...]:
    """`element_problems`, once per element as written: every page repeats the
    navigation's and the theme's elements."""
    return tuple(element_problems(tag, dict(attributes), in_svg))


def element_problems(tag: str, attributes: Mapping[str, str | None], in_svg: bool) -> list[str]:
    """Why one element (`tag` lowercased) may not be published; [] if it may."""
    if in_svg and tag == "style":
        return ["a <style> element inside <svg>: the site's policy allows no inline style"]
    if in_svg:
        if tag not in SVG_ELEMENTS:
            return [f"{_a(tag)} element inside <svg>"]
        allowed = SVG_ALLOWED
    else:
        if tag not in HTML_ELEMENTS:
            return [f"{_a(tag)} element"]
        allowed = HTML_ALLOWED.get(tag, GLOBAL_ATTRIBUTES)
    problems = []
    for name, value in attributes.items():
        name = name.lower()
        value = value or ""
        if name.startswith("on"):
            problems.append(f"an {name}= event attribute on <{tag}>")
        elif name == "style":
            problems.append(f"a style= attribute on <{tag}>: the policy allows no inline style")
        elif name not in allowed and not name.startswith(("aria-", "data-")):
            problems.append(f"{_an(name)} {name}= attribute on <{tag}>")
        elif problem := _url_problem(tag, name, value, attributes, in_svg):
            problems.append(problem)
    if tag == "input" and (attributes.get("type") or "text").lower() not in INPUT_TYPES:
        problems.append(f'an <input type="{attributes.get("type")}">')
    equiv = attributes.get("http-equiv") if tag == "meta" else None
    if equiv is not None and equiv.strip().lower() not in ALLOWED_HTTP_EQUIV:
        problems.append(f'a <meta http-equiv="{equiv}">')
    if tag == "script" and not in_svg:
        kind = (attributes.get("type") or "").strip().lower()
        if kind not in SCRIPT_TYPES | DATA_TYPES:
            problems.append(f'a <script type="{kind}">')
        elif kind in DATA_TYPES and attributes.get("src") is not None:
            problems.append("a data <script> with src=")
    return problems


def _url_problem(
    tag: str, name: str, value: str, attributes: Mapping[str, str | None], in_svg: bool
) -> str | None:
    """Why a URL-valued attribute may not be published, by what it would load."""
    if in_svg:
        if name in ("href", "xlink:href") and not value.strip().startswith("#"):
            return f"{_an(name)} {name}= on <{tag}> inside <svg> that is not a #fragment"
        return None
    if tag == "script":
        return None  # judged by what the build knows: `page_problems`
    urls = _urls(name, value) if name in ("href", "src", "srcset", "poster", "cite") else []
    for url in urls:
        scheme, remote = _scheme(url), _is_remote(url)
        if tag == "a" or name == "cite":
            if scheme and scheme not in LINK_SCHEMES:
                return f"a {scheme}: address in {name}= on <{tag}>"
        elif tag == "link":
            rels = set((attributes.get("rel") or "").lower().split())
            if not rels or not rels <= LINK_LOCAL_RELS | LINK_ANY_RELS:
                return f'a <link rel="{attributes.get("rel") or ""}">'
            local_only = bool(rels & LINK_LOCAL_RELS)
            icon_data = rels == {"icon"} and scheme == "data"
            if local_only and (remote or scheme) and not icon_data:
                return f"a <link> that loads {url!r} from another host"
            if not local_only and scheme and scheme not in ("http", "https"):
                return f"a {scheme}: address in a <link>"
        elif tag == "img" and scheme == "data" and url.lower().startswith("data:image/"):
            continue
        elif remote or scheme:
            return f"{_a(tag)} that loads {url!r} from another host"
    return None


def _a(tag: str) -> str:
    """The element's name with its article: "an <img>", "a <script>"."""
    return f"{_an(tag)} <{tag}>"


def _an(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _urls(name: str, value: str) -> list[str]:
    if name == "srcset":
        return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]
    return [value]


def _scheme(url: str) -> str | None:
    found = SCHEME.match(IGNORED_IN_URLS.sub("", url))
    return found.group(1).lower() if found else None


def _is_remote(url: str) -> bool:
    # Browsers read a backslash as a slash in web addresses: "/\host" is "//host".
    return IGNORED_IN_URLS.sub("", url).replace("\\", "/").startswith("//")


# Judging the pages and the other files -------------------------------------------


def page_problems(
    site_path: str, findings: PageFindings, known: KnownCode, site_dir: Path
) -> list[str]:
    """`findings` of the page at `site_path`, judged against what the build emits."""
    problems = list(findings.problems)
    if findings.inline_scripts - known.inline_scripts:
        problems.append("an inline script that no template emits")
    if findings.inline_styles - known.inline_styles:
        problems.append("an inline <style> that no template emits")
    for source in findings.script_sources:
        if _is_remote(source) or _scheme(source):
            problems.append(f"a script from another host, {source!r}")
            continue
        target = _resolve(site_dir, site_path, source)
        if target is None or not target.is_file():
            problems.append(f"a script that is not in the site, {source!r}")
        elif not known.ships_script(target):
            problems.append(f"a script the theme does not ship, {source!r}")
    for url in findings.refresh_targets:
        pages = known.redirect_pages
        elsewhere = (_is_remote(url) or _scheme(url)) and url not in known.listed_redirects
        if elsewhere or (pages is not None and site_path not in pages):
            problems.append(f"a <meta http-equiv=refresh> to {url!r}")
    return problems


def _resolve(site_dir: Path, site_path: str, url: str) -> Path | None:
    path = unquote(urlsplit(urljoin("/" + site_path, url)).path).lstrip("/")
    target = (site_dir / path).resolve()
    return target if target.is_relative_to(site_dir.resolve()) else None


def file_problems(site_dir: Path, path: Path, known: KnownCode) -> list[str]:
    """Why a file other than a page may not be published; [] if it may."""
    name = path.relative_to(site_dir).as_posix()
    if path.is_symlink():
        return ["a symbolic link"]
    if path.name in HOST_FILES or name.startswith("nginx-"):
        return []
    if path.suffix.lower() not in PUBLISHED_SUFFIXES:
        # Zensical's theme ships its licence as assets/javascripts/LICENSE: kept as shipped.
        if path.name.startswith("LICENSE") and _digest(path.read_bytes()) in known.theme_notices:
            return []
        return [f"a {path.suffix or 'extensionless'} file"]
    suffix = path.suffix.lower()
    if suffix == ".js":
        data = path.read_bytes()
        if name == OFFLINE_INDEX and data.startswith(b"var __index = "):
            return []
        if _digest(data) not in known.script_digests:
            return ["a script the theme does not ship"]
    elif suffix == ".svg":
        return svg_problems(path.read_bytes())
    elif suffix == ".css":
        data = path.read_bytes()
        if _digest(data) in known.theme_sheets:
            return []  # the theme's own, as it ships (Material's main sheet: 137 KB to parse)
        return css_problems(data.decode("utf-8", errors="replace"))
    return []


def svg_problems(data: bytes) -> list[str]:
    """An SVG file is shown as an image, and opened alone it is a document that runs
    its scripts: it may hold drawing only."""
    import lxml.etree

    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as error:
        return [f"an SVG file that is not well-formed XML ({error})"]
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, lxml.etree._ProcessingInstruction):
                problems.append("an XML processing instruction")
            continue  # comments
        tag = lxml.etree.QName(element).localname.lower()
        attributes = {
            ("xlink:" if key.startswith(XLINK) else "") + lxml.etree.QName(key).localname: value
            for key, value in element.attrib.items()
        }
        problems += [
            f"{problem} (line {element.sourceline})"
            for problem in element_problems(tag, attributes, in_svg=True)
        ]
    return list(dict.fromkeys(problems))


# CSS functions whose string arguments are addresses (CSS Images 4, CSS Values 4).
URL_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"})


def css_problems(css: str) -> list[str]:
    """A stylesheet may load nothing from another host, and nothing that runs."""
    import tinycss2

    problems = []
    for url in _css_urls(tinycss2.parse_stylesheet(css)):
        scheme = _scheme(url)
        if _is_remote(url) or (scheme and scheme != "data"):
            problems.append(f"a stylesheet that loads {url!r} from another host")
    return list(dict.fromkeys(problems))


def _css_urls(nodes) -> Iterator[str]:
    for node in nodes or ():
        kind = getattr(node, "type", None)
        if kind == "url":
            yield node.value
        elif kind == "function" and node.lower_name in URL_FUNCTIONS:
            # url("…"), and the functions whose strings are addresses: image-set("a.png" 1x)
            yield from (arg.value for arg in node.arguments if arg.type == "string")
        elif kind == "at-rule" and node.lower_at_keyword == "import":
            yield from (t.value for t in node.prelude if t.type in ("string", "url"))
        for child in ("prelude", "content", "arguments"):
            value = getattr(node, child, None)
            if isinstance(value, list):
                yield from _css_urls(value)


def site_problems(
    site_dir: Path,
    known: KnownCode,
    findings: Mapping[str, PageFindings] | None = None,
    sources: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every file of `site_dir` judged; pages already read in `findings` (by their
    path in the site) are not read again. `sources` names a page's Markdown file."""
    findings = findings or {}
    sources = sources or {}
    problems = []
    for path in sorted(site_dir.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(site_dir).as_posix()
        if path.suffix.lower() == ".html" and not path.is_symlink():
            found = findings.get(name) or page_findings(parse(path.read_text(encoding="utf-8")))
            reasons = page_problems(name, found, known, site_dir)
        else:
            reasons = file_problems(site_dir, path, known)
        where = f"{sources[name]} (published as {name})" if name in sources else name
        problems += [_problem(where, reason) for reason in reasons]
    return problems


def _problem(where: str, reason: str) -> Problem:
    loads = "from another host" in reason
    return Problem(
        file=where,
        message=f"the site does not publish {reason}.",
        fix=LOCAL_FIX if loads else CODE_FIX,
    )


def epub_problems(epub: Path) -> list[Problem]:
    """The EPUB's documents, checked by the same allowlist (read as XML, as reading
    systems read them; an EPUB runs no script at all)."""
    import lxml.etree

    problems = []
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith((".xhtml", ".html")):
                continue
            parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
            root = lxml.etree.fromstring(archive.read(name), parser)
            for element in root.iter():
                if not isinstance(element.tag, str):
                    continue
                qname = lxml.etree.QName(element)
                in_svg = qname.namespace == "http://www.w3.org/2000/svg"
                tag = qname.localname.lower()
                attributes = {
                    lxml.etree.QName(key).localname: value
                    for key, value in element.attrib.items()
                    if not key.startswith("{http://www.idpf.org/2007/ops}")  # epub:type
                }
                reasons = element_problems(tag, attributes, in_svg)
                if tag == "script":
                    reasons.append("a <script> element")
                problems += [_problem(f"{epub.name}: {name}", reason) for reason in reasons]
    return list(dict.fromkeys(problems))


def main() -> int:
    parser = argparse.ArgumentParser(description="Checks a built site folder for what it "
                                     "may publish (the build runs this check itself).")  # fmt: skip
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"))
    args = parser.parse_args()
    from mkdocs.config import load_config

    config = load_config(str(args.config))
    known = KnownCode.from_folders(config.theme.dirs, site_scripts(config.docs_dir))
    known.inline_scripts, known.inline_styles = _policy_hashes(args.site_dir)
    # Each problem one line on stderr, as it stands; the count on stdout.
    logging.basicConfig(format="%(message)s", stream=sys.stderr)
    count = report(site_problems(args.site_dir, known))
    print(f"{count} problem(s) in {args.site_dir}/")
    return 1 if count else 0


def site_scripts(docs_dir: str) -> list[Path]:
    """The site's own scripts, which the theme loads (overrides/main.html)."""
    return [Path(docs_dir) / name for name in SITE_SCRIPTS]


def _policy_hashes(site_dir: Path) -> tuple[set[str], set[str]]:
    """The hashes the published policy allows, read from the site's `_headers`."""
    headers = site_dir / "_headers"
    text = headers.read_text(encoding="utf-8") if headers.is_file() else ""
    found = {"script-src": set(), "style-src": set()}
    for directive in re.findall(r"Content-Security-Policy:\s*(.+)", text):
        for part in directive.split(";"):
            name, *values = part.split()
            if name in found:
                found[name] |= {value for value in values if value.startswith("'sha256-")}
    return found["script-src"], found["style-src"]


if __name__ == "__main__":
    sys.exit(main())
