"""Link-preview images (1200 x 630 PNG), one per page, drawn with Pillow.

No network is needed: the text is set in DejaVu and, for what DejaVu lacks
(Arabic, Hebrew, Devanagari, Chinese, Japanese, Korean, emoji), in Debian's Noto
fonts, one run of characters at a time (`bridges.pipeline.fonts`), so a build
on any machine of the project gives the same bytes. Lines break between words,
between CJK characters, and inside a word too long for a line; a title too long
for two lines is set smaller before it is cut short with an ellipsis.

Drawing is started while MkDocs renders the pages (`start_card`) and runs in
the build's worker processes (`bridges.processes.workers`), on the cores MkDocs leaves
idle (threads were tried: the page rendering holds Python's lock, so they
gained little). Cards are kept by their inputs for the life of the process, so
the offline bundle and every `mkdocs serve` rebuild reuse them, and a card is
drawn again only when its title, description or site name changes. Given a
folder (the MkDocs build gives `.cache/cards` beside mkdocs.yml), they are also
kept there between builds, as Material's social plugin keeps its cards: named by
a hash of the inputs and of what draws them (this code, Pillow, the fonts' Debian
packages), so a change to any of those draws the card again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont

from bridges.extensions.direction import first_strong_direction, is_right_to_left
from bridges.pipeline import fonts
from bridges.processes import workers

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TEAL, TEAL_DARK, AMBER, WHITE = "#0b5c63", "#073b40", "#ffd7a8", "#ffffff"
CARDS_DIR = "assets/cards"
# The card has five colours, and text anti-aliased onto the background: as a
# palette image of those blends it looks the same (no pixel off by more than 11
# of 255) at a third of the bytes, and takes a third of the time of 24-bit colour.
TEXT_COLOURS = (AMBER, WHITE, "#d8ecec")
BLEND_STEPS = 20
COMPRESS_LEVEL = 6
# Title sizes tried in turn until the title fits in its lines; then it is cut short.
TITLE_SIZES = (76, 62, 52)
TITLE_LINES = 2
DESCRIPTION_SIZE = 34
DESCRIPTION_LINES = 3
ELLIPSIS = "\u2026"

CardInputs = tuple[str, str, str]
_drawn: dict[CardInputs, Future[bytes]] = {}


def page_slug(url: str) -> str:
    """A file-name-safe name for the page at `url`: "" is "home".

    MkDocs gives a page named `Mutual Aid.md` or `solidaridad-ñ.md` the escaped
    address `Mutual%20Aid/` or `solidaridad-%C3%B1/`. The slug keeps the escapes
    with `_` for `%`: ASCII, one name per page, and the same text as a file name
    (card, EPUB chapter), an id (PDF) and in an address, where a `%` would be read
    as an escape and lead to another file."""
    return url.strip("/").replace("/", "-").replace("%", "_") or "home"


def card_path(url: str) -> str:
    """Where the card of the page at `url` lives, relative to the site root."""
    return f"{CARDS_DIR}/{page_slug(url)}.png"


@cache
def face(file: fonts.FontFile, size: int) -> ImageFont.FreeTypeFont:
    if file.chain_font.bitmap_size:  # drawn at its one size, then scaled (see `_draw_run`)
        size = file.chain_font.bitmap_size
    return ImageFont.truetype(file.path, size, index=file.index)


@dataclass(frozen=True)
class Run:
    text: str
    file: fonts.FontFile


class TextSetter:
    """Measures and draws text in the font chain at one size and weight."""

    def __init__(self, bold: bool, size: int) -> None:
        self.bold, self.size = bold, size

    def runs(self, text: str) -> list[Run]:
        """Runs of one font each; spaces at a run's ends are runs of their own, which
        take the direction of the text around them (`visual_order`)."""
        pieces = []
        for part, file in fonts.runs(text, self.bold):
            core = part.strip()
            before = part[: len(part) - len(part.lstrip())]
            after = part[len(part.rstrip()) :] if core else ""
            pieces += [Run(piece, file) for piece in (before, core, after) if piece]
        return pieces

    def scale(self, run: Run) -> float:
        bitmap = run.file.chain_font.bitmap_size
        return self.size / bitmap if bitmap else 1.0

    def length(self, text: str) -> float:
        return sum(self.run_length(run) for run in self.runs(text))

    def run_length(self, run: Run) -> float:
        return face(run.file, self.size).getlength(run.text, **_layout(run)) * self.scale(run)

    def draw(self, image: Image.Image, xy: tuple[int, int], text: str, fill: str) -> None:
        """Draws one line; a line that starts right to left is set from the right margin."""
        right_to_left = is_right_to_left(text)
        x = WIDTH - xy[0] - self.length(text) if right_to_left else float(xy[0])
        for run in visual_order(self.runs(text), right_to_left):
            self._draw_run(image, (x, xy[1]), run, fill)
            x += self.run_length(run)

    def _draw_run(self, image: Image.Image, xy: tuple[float, int], run: Run, fill: str) -> None:
        font = face(run.file, self.size)
        # Every run sits on the line's one baseline, where DejaVu's would be.
        baseline = xy[1] + face(_first_font(self.bold), self.size).getmetrics()[0]
        if not run.file.chain_font.bitmap_size:
            ImageDraw.Draw(image).text((xy[0], baseline), run.text, font=font, fill=fill,
                                       anchor="ls", **_layout(run))  # fmt: skip
            return
        # Colour emoji: drawn at the font's one size, scaled to the line's.
        _, _, right, bottom = font.getbbox(run.text)
        drawn = Image.new("RGBA", (max(1, right), max(1, bottom)))
        ImageDraw.Draw(drawn).text((0, 0), run.text, font=font, embedded_color=True)
        scale = self.scale(run)
        drawn = drawn.resize((max(1, round(right * scale)), max(1, round(bottom * scale))),
                             Image.Resampling.LANCZOS)  # fmt: skip
        # An emoji stands on the baseline, a little below it as in the font.
        image.paste(drawn, (round(xy[0]), round(baseline - drawn.height * 0.88)), drawn)


def _layout(run: Run) -> dict[str, str]:
    # Raqm orders the characters within a run (and joins Arabic letters).
    return {"direction": "rtl"} if is_right_to_left(run.text) else {}


def visual_order(runs: list[Run], right_to_left: bool) -> list[Run]:
    """The runs of a line from left to right, by the Unicode bidirectional rule at
    the level of runs: a stretch of runs against the line's direction keeps its
    order, and the line runs the other way; a run with no strong character
    (digits, punctuation) goes with its neighbours when they agree."""
    line = "rtl" if right_to_left else "ltr"
    strong = [first_strong_direction(run.text) for run in runs]
    resolved = []
    for number, direction in enumerate(strong):
        if direction is None:
            before = next((d for d in reversed(strong[:number]) if d), line)
            after = next((d for d in strong[number + 1 :] if d), line)
            direction = before if before == after else line
        resolved.append(direction)
    stretches = [
        (direction, [run for _, run in group])
        for direction, group in groupby(zip(resolved, runs, strict=True), key=lambda pair: pair[0])
    ]
    if right_to_left:
        stretches.reverse()
    return [
        run
        for direction, stretch in stretches
        for run in (reversed(stretch) if direction == "rtl" else stretch)
    ]


def _first_font(bold: bool) -> fonts.FontFile:
    return fonts.chain(bold)[0]


def wrap(text: str, setter: TextSetter, width: int) -> list[str]:
    """`text` in lines no wider than `width`: broken between words, between CJK
    characters, and inside a word that is too long for a line of its own."""
    lines: list[str] = []
    for word in _breakable_words(text):
        space = " " if word.startswith(" ") else ""
        for number, piece in enumerate(_pieces_that_fit(word.lstrip(), setter, width)):
            # Only a word's first piece may follow the line before; the rest start lines.
            if lines and number == 0 and setter.length(lines[-1] + space + piece) <= width:
                lines[-1] += space + piece
            else:
                lines.append(piece)
    return lines


def _breakable_words(text: str) -> list[str]:
    """Words with the space before them kept; each CJK character is a word of its own."""
    words: list[str] = []
    pending_space = ""
    for character in " ".join(text.split()):
        if character == " ":
            pending_space = " "
        elif _breaks_anywhere(character) or not words or pending_space:
            words.append(pending_space + character)
            pending_space = ""
        elif _breaks_anywhere(words[-1][-1]) and not fonts.belongs_to_previous(character):
            words.append(character)
        else:
            words[-1] += character
    return words


def _breaks_anywhere(character: str) -> bool:
    """Chinese, Japanese and Korean lines may break between any two characters."""
    code = ord(character)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF
    )


def _pieces_that_fit(word: str, setter: TextSetter, width: int) -> list[str]:
    """`word`, or, when it is wider than a line, its longest beginnings that fit."""
    if setter.length(word) <= width:
        return [word]
    pieces, piece = [], ""
    for character in word:
        if (
            piece
            and not fonts.belongs_to_previous(character)
            and setter.length(piece + character) > width
        ):
            pieces.append(piece)
            piece = ""
        piece += character
    return [*pieces, piece]


def fit(
    text: str, bold: bool, sizes: tuple[int, ...], width: int, max_lines: int
) -> tuple[TextSetter, list[str]]:
    """The largest of `sizes` at which `text` fits in `max_lines`; at the smallest,
    the lines that fit, the last one ending with an ellipsis."""
    for size in sizes:
        setter = TextSetter(bold, size)
        lines = wrap(text, setter, width)
        if len(lines) <= max_lines:
            return setter, lines
    shown = lines[:max_lines]
    last = shown[-1]
    while last and setter.length(last + ELLIPSIS) > width:
        last = last[:-1]
    return setter, [*shown[:-1], last.rstrip() + ELLIPSIS]


def draw_bridge(draw: ImageDraw.ImageDraw, left: int, top: int, size: int) -> None:
    """The site's logo: an arch over a deck with three piers."""
    line = max(4, size // 12)
    deck = top + size * 0.62
    draw.arc((left + size * 0.08, top + size * 0.15, left + size * 0.92, top + size * 1.05),
             180, 360, fill=AMBER, width=line)  # fmt: skip
    draw.line((left, deck, left + size, deck), fill=AMBER, width=line)
    draw.line((left, top + size * 0.82, left + size, top + size * 0.82), fill=AMBER, width=line)
    for x, rise in ((0.3, 0.3), (0.5, 0.2), (0.7, 0.3)):
        draw.line((left + size * x, deck, left + size * x, top + size * (0.15 + rise)),
                  fill=AMBER, width=line)  # fmt: skip


def start_card(
    title: str, description: str, site_name: str, kept_in: Path | None = None
) -> Future[bytes]:
    """The card's PNG bytes, drawn in the background unless drawn before (in this
    process, or by an earlier build that kept it in the folder `kept_in`)."""
    inputs = (title, description, site_name)
    # A failed build cancels the cards not yet drawn: those are drawn when asked for again.
    if inputs not in _drawn or _drawn[inputs].cancelled():
        kept = kept_in / f"{_card_key(inputs)}.png" if kept_in and _card_key(inputs) else None
        if kept is not None and kept.is_file():
            _drawn[inputs] = Future()
            _drawn[inputs].set_result(kept.read_bytes())
        else:
            _drawn[inputs] = workers.defer(_draw_and_keep, inputs, kept)
    return _drawn[inputs]


def _draw_and_keep(inputs: CardInputs, kept: Path | None) -> bytes:
    """In a worker: the card drawn and, given a path, kept there before it is
    handed back, so a build that has the card can find it on disk."""
    png = draw_card(*inputs)
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            # Renamed into place: a build stopped halfway leaves no half-written card.
            partial = kept.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(png)
            partial.replace(kept)
        except OSError:
            pass  # a card not kept is drawn again by the next build
    return png


def _card_key(inputs: CardInputs) -> str | None:
    """The name a card is kept under, or None where the fonts' versions are unknown."""
    drawing = _drawing_identity()
    if drawing is None:
        return None
    return hashlib.sha256(json.dumps([drawing, *inputs]).encode()).hexdigest()[:32]


@cache
def _drawing_identity() -> str | None:
    """What a card's pixels depend on besides its words: the code that draws it,
    Pillow's version and the versions of the font packages (from dpkg's records)."""
    try:
        status = Path("/var/lib/dpkg/status").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    versions = {}
    for record in status.split("\n\n"):
        # A record starts with its Package line: the other 1,000 are not read further.
        package = record.partition("\n")[0].removeprefix("Package: ")
        if package not in fonts.DEBIAN_PACKAGES:
            continue
        fields = dict(
            line.split(": ", 1) for line in record.splitlines() if ": " in line and line[0] != " "
        )
        versions[package] = fields.get("Version", "")
    if len(versions) < len(fonts.DEBIAN_PACKAGES):
        return None
    code = b"".join(Path(module).read_bytes() for module in (__file__, fonts.__file__))
    return json.dumps([hashlib.sha256(code).hexdigest(), PIL.__version__, sorted(versions.items())])


def make_card(title: str, description: str, site_name: str, target: Path) -> None:
    png = start_card(title, description, site_name).result()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)


def draw_card(title: str, description: str, site_name: str) -> bytes:
    image = _card_image(title, description, site_name)
    if any(fonts.has_colour_glyphs(text) for text in (title, description, site_name)):
        # Colour emoji need colours of their own beside the card's blends.
        indexed = image.quantize(colors=256, dither=Image.Dither.NONE)
    else:
        indexed = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    png = io.BytesIO()
    indexed.save(png, "PNG", compress_level=COMPRESS_LEVEL)
    return png.getvalue()


@cache
def _palette() -> Image.Image:
    """The background colours, and each text colour blended onto the background."""
    background = ImageColor.getrgb(TEAL)
    colours = [background, ImageColor.getrgb(TEAL_DARK)]
    for text in map(ImageColor.getrgb, TEXT_COLOURS):
        for step in range(1, BLEND_STEPS + 1):
            share = step / BLEND_STEPS
            blend = zip(background, text, strict=True)
            colours.append(tuple(round(b + (t - b) * share) for b, t in blend))
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour])
    return palette


def _card_image(title: str, description: str, site_name: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), TEAL)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill=TEAL_DARK)
    draw_bridge(draw, MARGIN, MARGIN - 10, 96)
    name_width = WIDTH - 2 * MARGIN - 124
    name_setter, name_lines = fit(site_name, True, (40, 32), name_width, 1)
    name_setter.draw(image, (MARGIN + 124, MARGIN + 22), name_lines[0] if name_lines else "",
                     AMBER)  # fmt: skip
    y = 250
    setter, lines = fit(title, True, TITLE_SIZES, WIDTH - 2 * MARGIN, TITLE_LINES)
    for line in lines:
        setter.draw(image, (MARGIN, y), line, WHITE)
        y += round(setter.size * 92 / 76)
    setter, lines = fit(description, False, (DESCRIPTION_SIZE,), WIDTH - 2 * MARGIN,
                        DESCRIPTION_LINES)  # fmt: skip
    for line in lines:
        setter.draw(image, (MARGIN, y + 24), line, "#d8ecec")
        y += 46
    return image


COVER_WIDTH, COVER_HEIGHT = 1600, 2400
COVER_MARGIN = 140


def draw_cover(title: str, description: str, site_name: str) -> bytes:
    """The EPUB's cover: a portrait page (2:3, as e-book shops ask) drawn like the
    cards. The landscape card filled only a strip at the top of a reader's page."""
    image = Image.new("RGB", (COVER_WIDTH, COVER_HEIGHT), TEAL)
    draw = ImageDraw.Draw(image)
    width = COVER_WIDTH - 2 * COVER_MARGIN
    draw.rectangle((0, COVER_HEIGHT - 60, COVER_WIDTH, COVER_HEIGHT), fill=TEAL_DARK)
    draw_bridge(draw, COVER_MARGIN, 260, 360)
    y = 760
    # The site name is the book's title; a home page titled otherwise adds its title.
    headings = [(site_name, 132, WHITE)] + ([(title, 76, AMBER)] if title != site_name else [])
    for text, size, colour in headings:
        setter = TextSetter(True, size)
        for line in wrap(text, setter, width):
            setter.draw(image, (COVER_MARGIN, y), line, colour)
            y += round(size * 1.22)
        y += 40
    y += 60
    setter = TextSetter(False, 56)
    for line in wrap(description, setter, width):
        setter.draw(image, (COVER_MARGIN, y), line, "#d8ecec")
        y += 76
    indexed = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    png = io.BytesIO()
    indexed.save(png, "PNG", compress_level=COMPRESS_LEVEL)
    return png.getvalue()
