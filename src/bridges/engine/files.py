"""What docs/ may publish: no link out of the folder, only known file types, and
SVG drawings that cannot run code or load anything from another host.

Run by the hooks before MkDocs collects the files (`on_config`): MkDocs walks
docs/ following symlinks and copies what it finds, so a link to /etc would be read
(and published) before any later check could see it. Here docs/ is walked without
following links, and a link is judged by where it resolves, never by opening it.

Each problem names the file (and for SVG the line) and the fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from lxml import etree

from bridges.extensions.script_urls import IGNORED_IN_URLS, loads_from_elsewhere, script_url
from bridges.problems import Problem

# What a file in docs/ may be, by its (lowercased) extension; None: anywhere in
# docs/, else only under that folder. Anything else is refused: a type the site
# does not know may be served as something a browser runs (.html, .xml, .xhtml,
# .swf), and nothing checks what is in it.
PUBLISHABLE: dict[str, str | None] = {
    ".md": None,  # pages, converted and checked line by line
    ".png": None, ".jpg": None, ".jpeg": None, ".gif": None, ".webp": None, ".avif": None,
    ".ico": None,
    ".svg": None,  # checked below: an SVG opened at its own address is a document
    ".woff2": None,
    ".pdf": None,  # documents to download
    ".txt": None,  # served as text/plain
    ".css": "assets/stylesheets",
    ".js": "assets/javascripts",
}  # fmt: skip
HTML_TYPES = frozenset({".html", ".htm", ".xhtml", ".shtml"})

SVG = "http://www.w3.org/2000/svg"
# HTML elements keep their meaning in an XML document, drawn or not: an iframe
# loads, srcdoc= runs. Other namespaces (Inkscape's, RDF metadata) mean nothing.
XHTML = "http://www.w3.org/1999/xhtml"
# Elements that run or embed code in a drawing opened on its own.
SVG_CODE_ELEMENTS = frozenset({"script", "handler", "listener"})
# Attributes that load another file: href on <use>, <image>, <feImage>, ...
LOADING_ATTRIBUTES = frozenset({"href", "src"})
# Raster images written into the drawing itself load nothing and run nothing.
INLINE_IMAGE = re.compile(r"data:image/(png|jpe?g|gif|webp|avif);", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)

CODE_FIX = (
    "An image cannot run code: remove it, or export the drawing again as plain SVG "
    "(behaviour belongs in docs/assets/javascripts/)."
)
FOREIGN_FIX = "Remove it: it puts HTML inside the drawing. Export the drawing again as plain SVG."
REMOTE_FIX = "Put the file under docs/assets/ and link it relatively."
PARSE_FIX = "Export the drawing again from your drawing program as plain SVG."


# Symlinks ------------------------------------------------------------------------


def symlink_problems(docs_dir: Path, shown_as: Path) -> list[Problem]:
    """Every symlink under `docs_dir` that leads out of it, or to nothing, or to a
    folder that holds the link itself (a walk through it would never end).

    Links are read (readlink, through realpath), never followed: nothing outside
    `docs_dir` is opened or listed."""
    root = os.path.realpath(docs_dir)
    problems = []
    for folder, folders, files in os.walk(docs_dir, followlinks=False):
        for name in sorted(folders + files):
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                continue
            shown = str(shown_as / os.path.relpath(path, docs_dir))
            target = os.path.realpath(path)
            link = f"a symlink to {os.readlink(path)}"
            if os.path.commonpath([root, target]) != root:
                problems.append(
                    Problem(
                        shown,
                        f"{link}, outside {shown_as}/.",
                        f"Copy what it points to into {shown_as}/ instead, or delete the link.",
                    )
                )
            elif not os.path.exists(target):
                problems.append(
                    Problem(
                        shown,
                        f"{link}, which does not exist.",
                        "Delete the link, or point it at a file that exists.",
                    )
                )
            elif os.path.isdir(target) and os.path.commonpath([target, path]) == target:
                problems.append(
                    Problem(
                        shown, f"{link}, a folder that holds the link itself.", "Delete the link."
                    )
                )
    return problems


# File types ------------------------------------------------------------------------


def published_files(docs_dir: Path, is_excluded: Callable[[str], bool]) -> Iterator[str]:
    """The docs-relative path of every file MkDocs would publish (symlinks already
    checked: those left lead inside `docs_dir`, so they are followed as MkDocs does)."""
    for folder, folders, files in os.walk(docs_dir, followlinks=True):
        relative = PurePosixPath(Path(os.path.relpath(folder, docs_dir)).as_posix())
        folders[:] = [f for f in folders if not f.startswith(".")]  # MkDocs skips these
        for name in files:
            uri = (relative / name).as_posix().removeprefix("./")
            if not name.startswith(".") and not is_excluded(uri):
                yield uri


def file_type_problems(uris: list[str], shown_as: Path) -> list[Problem]:
    problems = []
    for uri in sorted(uris):
        extension = PurePosixPath(uri).suffix.lower()
        shown = str(shown_as / uri)
        if extension in HTML_TYPES:
            problems.append(
                Problem(
                    shown,
                    "an HTML file is published as it is, without the site's checks and policy.",
                    "Write it as a Markdown page (.md) instead.",
                )
            )
        elif extension not in PUBLISHABLE:
            kinds = " ".join(sorted(PUBLISHABLE))
            kind = extension or PurePosixPath(uri).name
            problems.append(
                Problem(
                    shown,
                    f"{shown_as}/ does not publish '{kind}' files.",
                    f"Use one of {kinds}, or move the file out of {shown_as}/.",
                )
            )
        elif (folder := PUBLISHABLE[extension]) and not uri.startswith(folder + "/"):
            problems.append(
                Problem(
                    shown, f"{extension} files belong under {shown_as}/{folder}/.", "Move it there."
                )
            )
    return problems


# SVG -------------------------------------------------------------------------------


def svg_problems(path: Path, shown: Path) -> list[Problem]:
    """What in an SVG drawing could run code or load a file from another host.

    Parsed as XML, as a browser reads a drawing opened at its own address; entities
    are not expanded and nothing is fetched (no DTD, no network)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        return [Problem(str(shown), f"not a well-formed SVG file ({error.msg}).", PARSE_FIX, line)]
    root = tree.getroot()
    problems = []

    def refuse(node: etree._Element, what: str, fix: str) -> None:
        problems.append(Problem(str(shown), f"{what}.", fix, node.sourceline or 1))

    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != SVG:
        refuse(root, f"the file holds <{etree.QName(root).localname}>, not an SVG drawing",
               PARSE_FIX)  # fmt: skip
        return problems
    if tree.docinfo.internalDTD is not None:
        # A browser expands the entities declared there: markup the check cannot see.
        refuse(root, "a DOCTYPE with declarations of its own", PARSE_FIX)
    for node in (*root.itersiblings(preceding=True), *root.iter()):
        if isinstance(node, etree._ProcessingInstruction):
            # <?xml-stylesheet?> can apply XSLT or CSS from anywhere.
            refuse(node, f"a <?{node.target}?> instruction", PARSE_FIX)
        elif isinstance(node, etree._Entity):
            refuse(node, f"the entity &{node.name};", PARSE_FIX)
        elif isinstance(node, etree._Element) and not isinstance(node, etree._Comment):
            _check_element(node, refuse)
    return problems


def _check_element(node: etree._Element, refuse: Callable[..., None]) -> None:
    tag = etree.QName(node).localname
    if etree.QName(node).namespace == XHTML and tag.lower() not in SVG_CODE_ELEMENTS:
        refuse(node, f"an HTML element <{tag}> in the drawing", FOREIGN_FIX)
    elif tag.lower() in SVG_CODE_ELEMENTS:
        refuse(node, f"a <{tag}> element", CODE_FIX)
    elif tag.lower() == "foreignobject":
        refuse(node, "a <foreignObject> element", FOREIGN_FIX)
    elif tag.lower() == "style":
        _check_css(node, node.text or "", "<style>", refuse)
    for qualified, value in node.attrib.items():
        name = etree.QName(qualified).localname
        if name.lower().startswith("on"):
            refuse(node, f"the event attribute {name}= on <{tag}>", CODE_FIX)
        elif scheme := script_url(name.lower(), value):
            refuse(node, f"a {scheme} URL in {name}= on <{tag}>", CODE_FIX)
        elif name.lower() == "attributename" and value.strip().lower().startswith("on"):
            refuse(node, f"an animation of the event attribute {value.strip()}", CODE_FIX)
        elif name.lower() == "style":
            _check_css(node, value, f"style= on <{tag}>", refuse)
        elif name.lower() in LOADING_ATTRIBUTES and _is_remote(value) and not _is_link(tag, value):
            refuse(node, f"{name}= on <{tag}> loads {_shorten(value)}", REMOTE_FIX)


def _check_css(node: etree._Element, css: str, where: str, refuse: Callable[..., None]) -> None:
    if CSS_IMPORT.search(css):
        refuse(node, f"an @import in {where}", REMOTE_FIX)
    for _, url in CSS_URL.findall(css):
        if _is_remote(url):
            refuse(node, f"url({_shorten(url)}) in {where}", REMOTE_FIX)


def _is_remote(url: str) -> bool:
    compact = IGNORED_IN_URLS.sub("", unquote(url))
    return loads_from_elsewhere(compact) and not INLINE_IMAGE.match(compact)


def _is_link(tag: str, url: str) -> bool:
    """A link (<a href>) to another site is fine; loading from there is not."""
    compact = IGNORED_IN_URLS.sub("", url).lower()
    return tag.lower() == "a" and not compact.startswith("data:")


def _shorten(url: str) -> str:
    url = " ".join(url.split())
    return url if len(url) <= 60 else url[:57] + "..."


# All of it -------------------------------------------------------------------------


def docs_problems(
    docs_dir: Path, shown_as: Path, is_excluded: Callable[[str], bool]
) -> list[Problem]:
    """Every problem with the files of `docs_dir`; symlinks first, and alone: while
    one leads outside, nothing else is read."""
    if problems := symlink_problems(docs_dir, shown_as):
        return problems
    uris = list(published_files(docs_dir, is_excluded))
    problems = file_type_problems(uris, shown_as)
    for uri in sorted(uris):
        if uri.lower().endswith(".svg"):
            problems += svg_problems(docs_dir / uri, shown_as / uri)
    return problems
