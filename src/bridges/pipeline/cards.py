"""Link-preview images (1200 x 630 PNG), one per page, drawn with Pillow.

No network is needed: the text is set in DejaVu, which Debian's base image
ships, so a build on any machine of the project gives the same bytes.

Drawing is started while MkDocs renders the pages (`start_card`) and runs in
the build's worker processes (`bridges.processes.workers`), on the cores MkDocs leaves
idle (threads were tried: the page rendering holds Python's lock, so they
gained little). Cards are kept by their inputs for the life of the process, so
the offline bundle and every `mkdocs serve` rebuild reuse them, and a card is
drawn again only when its title, description or site name changes.
"""

from __future__ import annotations

import io
import os
import subprocess
from concurrent.futures import Future
from functools import cache
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

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

CardInputs = tuple[str, str, str]
_drawn: dict[CardInputs, Future[bytes]] = {}


def page_slug(url: str) -> str:
    """A file-name-safe name for the page at `url`: "" is "home"."""
    return url.strip("/").replace("/", "-") or "home"


def card_path(url: str) -> str:
    """Where the card of the page at `url` lives, relative to the site root."""
    return f"{CARDS_DIR}/{page_slug(url)}.png"


@cache
def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    pattern = "DejaVu Sans:bold" if bold else "DejaVu Sans"
    path = subprocess.run(
        ["fc-match", "--format=%{file}", pattern], capture_output=True, text=True, check=False
    ).stdout
    if "DejaVuSans" not in path:
        raise RuntimeError("Preview cards need the DejaVu fonts: apt-get install fonts-dejavu-core")
    return ImageFont.truetype(path, size)


def wrap(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=face) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


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


# A forked process draws its own: the parent's pending cards would never reach it.
os.register_at_fork(after_in_child=_drawn.clear)


def start_card(title: str, description: str, site_name: str) -> Future[bytes]:
    """The card's PNG bytes, drawn in the background unless drawn before."""
    inputs = (title, description, site_name)
    # A failed build cancels the cards not yet drawn: those are drawn when asked for again.
    if inputs not in _drawn or _drawn[inputs].cancelled():
        _drawn[inputs] = workers.defer(draw_card, *inputs)
    return _drawn[inputs]


def make_card(title: str, description: str, site_name: str, target: Path) -> None:
    png = start_card(title, description, site_name).result()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)


def draw_card(title: str, description: str, site_name: str) -> bytes:
    image = _card_image(title, description, site_name)
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
    draw.text((MARGIN + 124, MARGIN + 22), site_name, font=font(True, 40), fill=AMBER)
    y = 250
    for line in wrap(draw, title, font(True, 76), WIDTH - 2 * MARGIN)[:2]:
        draw.text((MARGIN, y), line, font=font(True, 76), fill=WHITE)
        y += 92
    for line in wrap(draw, description, font(False, 34), WIDTH - 2 * MARGIN)[:3]:
        draw.text((MARGIN, y + 24), line, font=font(False, 34), fill="#d8ecec")
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
        for line in wrap(draw, text, font(True, size), width):
            draw.text((COVER_MARGIN, y), line, font=font(True, size), fill=colour)
            y += round(size * 1.22)
        y += 40
    y += 60
    for line in wrap(draw, description, font(False, 56), width):
        draw.text((COVER_MARGIN, y), line, font=font(False, 56), fill="#d8ecec")
        y += 76
    indexed = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    png = io.BytesIO()
    indexed.save(png, "PNG", compress_level=COMPRESS_LEVEL)
    return png.getvalue()
