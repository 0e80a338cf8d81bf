"""The fonts that cover what editors write: Latin, Greek, Cyrillic, Arabic, Hebrew,
Devanagari, Chinese, Japanese, Korean and emoji.

One chain, in order of preference, for the preview cards (Pillow draws each run
of characters in the first font of the chain that has them) and named in the
same order in the PDF's stylesheet (`templates/pdf/book.css`), where Pango picks
per character the same way. DejaVu comes first, so an English card or page is
drawn exactly as before; the Noto fonts are Debian's `fonts-noto-core`,
`fonts-noto-cjk` and `fonts-noto-color-emoji`, installed by `./scripts/build`,
`./scripts/serve` and `./scripts/test` (see `scripts/_bootstrap.sh`).

Which characters a font has is read from its character map with fontTools, not
guessed from Unicode blocks, so a character no font has is known, not drawn as
an empty box.
"""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

DEBIAN_PACKAGES = ("fonts-dejavu-core", "fonts-noto-core", "fonts-noto-cjk",
                   "fonts-noto-color-emoji")  # fmt: skip


@dataclass(frozen=True)
class ChainFont:
    family: str  # the fontconfig family, as book.css names it
    file_name: str  # what fc-match must find, so a look-alike substitute is refused
    package: str
    has_bold: bool = True
    # Colour bitmap fonts (emoji) come at one size only and are scaled when drawn.
    bitmap_size: int | None = None


CHAIN = (
    ChainFont("DejaVu Sans", "DejaVuSans", "fonts-dejavu-core"),
    ChainFont("Noto Sans", "NotoSans-", "fonts-noto-core"),
    ChainFont("Noto Sans Arabic", "NotoSansArabic", "fonts-noto-core"),
    ChainFont("Noto Sans Hebrew", "NotoSansHebrew", "fonts-noto-core"),
    ChainFont("Noto Sans Devanagari", "NotoSansDevanagari", "fonts-noto-core"),
    ChainFont("Noto Sans CJK JP", "NotoSansCJK", "fonts-noto-cjk"),
    ChainFont(
        "Noto Color Emoji",
        "NotoColorEmoji",
        "fonts-noto-color-emoji",
        has_bold=False,
        bitmap_size=109,
    ),
    ChainFont("Noto Sans Symbols", "NotoSansSymbols-", "fonts-noto-core"),
    ChainFont("Noto Sans Symbols2", "NotoSansSymbols2", "fonts-noto-core", has_bold=False),
)


class MissingFontError(RuntimeError):
    """A font of the chain is not installed; the message gives the apt command."""


@dataclass(frozen=True)
class FontFile:
    chain_font: ChainFont
    path: str
    index: int  # the face within a collection (.ttc)


@cache
def font_file(chain_font: ChainFont, bold: bool) -> FontFile:
    """Where fontconfig has `chain_font`, in bold if asked and the family has it."""
    style = ":bold" if bold and chain_font.has_bold else ""
    found = subprocess.run(
        ["fc-match", "--format=%{file}\n%{index}", f"{chain_font.family}{style}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    path, index = [*found, "", ""][:2]
    if chain_font.file_name not in path:
        raise MissingFontError(
            f"The preview cards need the font '{chain_font.family}': "
            f"apt-get install {' '.join(DEBIAN_PACKAGES)}"
        )
    return FontFile(chain_font, path, int(index or 0))


@cache
def characters_of(file: FontFile) -> frozenset[int]:
    """The code points `file` has a glyph for (its Unicode character map)."""
    from fontTools.ttLib import TTCollection, TTFont

    if file.path.endswith((".ttc", ".otc")):
        font = TTCollection(file.path, lazy=True).fonts[file.index]
    else:
        font = TTFont(file.path, lazy=True)
    return frozenset(font.getBestCmap())


class Chain:
    """The chain's fonts in one weight, each looked up when first needed: an
    English card asks fontconfig for DejaVu alone."""

    def __init__(self, bold: bool) -> None:
        self.bold = bold

    def __iter__(self) -> Iterator[FontFile]:
        return (font_file(chain_font, self.bold) for chain_font in CHAIN)

    def __getitem__(self, index: int) -> FontFile:
        return font_file(CHAIN[index], self.bold)

    def colour(self) -> list[FontFile]:
        return [font_file(f, self.bold) for f in CHAIN if f.bitmap_size]


def chain(bold: bool) -> Chain:
    return Chain(bold)


EMOJI_STYLE = "\ufe0f"
# Characters that join the one before: drawn by the same font, never split from it.
JOINERS = {0x200C, 0x200D, 0x20E3}


def belongs_to_previous(character: str) -> bool:
    code = ord(character)
    return (
        code in JOINERS
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (text or emoji style)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (flags of regions)
        or unicodedata.category(character) in ("Mn", "Me", "Mc")
    )


def font_for(character: str, fonts: Iterable[FontFile]) -> FontFile | None:
    """The first font of `fonts` that has `character`, or None."""
    return next((file for file in fonts if ord(character) in characters_of(file)), None)


# Fitting a title measures the same lines at several sizes: each text is cut once.
@lru_cache(maxsize=4096)
def runs(text: str, bold: bool) -> tuple[tuple[str, FontFile], ...]:
    """`text` cut into runs that one font of the chain draws, in order.

    A character no font has stays with the run before (it is reported by
    `uncovered`, not drawn as a box in a font of its own)."""
    fonts = chain(bold)
    first = fonts[0]
    if text and EMOJI_STYLE not in text and set(map(ord, text)) <= characters_of(first):
        return ((text, first),)  # most titles: one run, without asking for each character
    result: list[tuple[str, FontFile]] = []
    for number, character in enumerate(text):
        previous = result[-1][1] if result else fonts[0]
        if character.isspace() and previous.chain_font.bitmap_size:
            chosen = fonts[0]  # the emoji font's space is as wide as an emoji
        elif character.isspace() or belongs_to_previous(character):
            chosen = previous
        elif text[number + 1 : number + 2] == EMOJI_STYLE:
            # "❤️": the heart DejaVu has, asked for as an emoji.
            chosen = font_for(character, fonts.colour()) or font_for(character, fonts) or previous
        else:
            chosen = font_for(character, fonts) or previous
        if result and result[-1][1] == chosen:
            result[-1] = (result[-1][0] + character, chosen)
        else:
            result.append((character, chosen))
    return tuple(result)


def uncovered(text: str, bold: bool = False) -> set[str]:
    """The characters of `text` that no font of the chain has."""
    fonts = chain(bold)
    return {
        character
        for character in text
        if not character.isspace()
        and not belongs_to_previous(character)
        and font_for(character, fonts) is None
    }


def has_colour_glyphs(text: str) -> bool:
    """Whether some run of `text` is drawn in a colour font (emoji)."""
    return any(file.chain_font.bitmap_size for _, file in runs(text, bold=False))
