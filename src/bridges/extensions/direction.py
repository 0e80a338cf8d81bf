"""Right-to-left paragraphs and headings: `dir="rtl"` where a block's text starts
in a right-to-left script (Arabic, Hebrew, Syriac, Thaana, N'Ko, ...).

HTML's own rule for `dir="auto"` is followed: the direction of a block is that
of its first strong character, skipping code and elements that carry their own
`dir`. Only right-to-left blocks get the attribute, so an English page is
published exactly as before, and the built HTML carries the direction to every
publication made from it: the browser, the PDF (WeasyPrint) and the EPUB.

An editor who wants another direction writes it, and it is kept:
`{: dir="ltr" }` below a paragraph, or `{: lang="ar" dir="rtl" }`.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

# Blocks that hold a line of text of their own.
BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "dt", "dd",
     "figcaption", "caption", "summary"}
)  # fmt: skip
# Inside these the text is not the block's prose (HTML skips them for dir=auto too).
SKIPPED = frozenset({"code", "pre", "script", "style", "textarea", "bdi", "kbd", "samp"})
STRONG_RIGHT_TO_LEFT = frozenset({"R", "AL"})
STRONG_LEFT_TO_RIGHT = frozenset({"L"})


def first_strong_direction(text: str) -> str | None:
    """ "rtl" or "ltr" for the first strong character of `text`, None if it has none."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in STRONG_RIGHT_TO_LEFT:
            return "rtl"
        if kind in STRONG_LEFT_TO_RIGHT:
            return "ltr"
    return None


def is_right_to_left(text: str) -> bool:
    return first_strong_direction(text) == "rtl"


def element_direction(element: etree.Element) -> str | None:
    """The first strong direction of `element`'s text, as `dir="auto"` finds it."""
    if direction := first_strong_direction(element.text or ""):
        return direction
    for child in element:
        readable = isinstance(child.tag, str) and child.tag not in SKIPPED
        if readable and "dir" not in child.attrib and (direction := element_direction(child)):
            return direction
        if direction := first_strong_direction(child.tail or ""):
            return direction
    return None


class _MarkRightToLeftBlocks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            unmarked = element.tag in BLOCKS and "dir" not in element.attrib
            if unmarked and element_direction(element) == "rtl":
                element.set("dir", "rtl")


class DirectionExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # After attr_list (8), so an editor's own dir= is seen and kept.
        md.treeprocessors.register(_MarkRightToLeftBlocks(md), "bb_direction", 5)


def makeExtension(**kwargs: Any) -> DirectionExtension:
    return DirectionExtension(**kwargs)
