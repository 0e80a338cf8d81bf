"""What the engine-parametrised tests measure, written once for every engine:
finding controls by accessible name, the Tab walk, colour contrast of pixels
and computed colours."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops

from . import Page

# Marks each matching element with data-bb-found="i" and describes it; names
# come from axe-core's accessible-name computation, as a screen reader's would.
FIND_CONTROLS_JS = """
(pattern) => {
  const re = new RegExp(pattern, 'i');
  document.querySelectorAll('[data-bb-found]').forEach((el) => el.removeAttribute('data-bb-found'));
  try { axe.teardown(); } catch (error) {}
  axe.setup(document);
  try {
    return [...document.body.querySelectorAll('*')]
      .filter((el) => re.test(axe.commons.text.accessibleText(el).trim()))
      .map((el, index) => {
        el.setAttribute('data-bb-found', String(index));
        const box = el.getBoundingClientRect();
        return {
          selector: `[data-bb-found="${index}"]`,
          tag: el.tagName.toLowerCase(),
          name: axe.commons.text.accessibleText(el).trim(),
          focusable: el.tabIndex >= 0 && !el.disabled && !el.closest('[inert]'),
          visible: box.width > 1 && box.height > 1 &&
            el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true,
                                opacityProperty: true, checkOpacity: true}),
          expanded: el.getAttribute('aria-expanded'),
        };
      });
  } finally {
    axe.teardown();
  }
}
"""


@dataclass
class Control:
    selector: str
    tag: str
    name: str
    focusable: bool
    visible: bool
    expanded: str | None


def find_controls(page: Page, pattern: str) -> list[Control]:
    """Elements whose accessible name matches `pattern` (a case-insensitive regex)."""
    page.inject_axe()
    return [Control(**found) for found in page.evaluate(FIND_CONTROLS_JS, pattern)]


def active_name(page: Page) -> str:
    page.inject_axe()
    return page.evaluate(
        "() => { const el = document.activeElement; axe.setup(document);"
        " try { return axe.commons.text.accessibleText(el).trim(); } finally { axe.teardown(); } }"
    )


# The keyboard walk --------------------------------------------------------------

# Candidates a reader can see and Tab to; each gets a walk id.
TABBABLE_JS = """
() => {
  const selector = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, ' +
    'summary, iframe, [tabindex], [contenteditable]:not([contenteditable=false])';
  window.__bbWalkCount ??= 0;
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.tabIndex >= 0 && !el.disabled && !el.closest('[inert]'))
    .filter((el) => {
      const box = el.getBoundingClientRect();
      const page = document.documentElement;
      return box.width > 1 && box.height > 1 &&
        el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true,
                            opacityProperty: true, checkOpacity: true}) &&
        box.right + scrollX > 0 && box.bottom + scrollY > 0 &&
        box.left + scrollX < page.scrollWidth && box.top + scrollY < page.scrollHeight;
    })
    .map((el) => {
      el.__bbWalk ??= ++window.__bbWalkCount;
      return el.__bbWalk;
    });
}
"""

# The focused element: its walk id, a description, whether it can be seen.
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__bbWalkCount ??= 0;
  el.__bbWalk ??= ++window.__bbWalkCount;
  const box = el.getBoundingClientRect();
  const state = /--active|--passed|focus-visible|bb-landed/;
  const classes = [...el.classList].filter((c) => !state.test(c));
  const label = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim();
  return {
    id: el.__bbWalk,
    kind: [el.tagName.toLowerCase(), ...classes.sort()].join('.') +
      (el.type === 'radio' || el.type === 'checkbox' ? `[${el.getAttribute('aria-label')}]` : ''),
    text: `${el.tagName.toLowerCase()}${el.className ? '.' + [...el.classList].join('.') : ''}` +
      ` "${label.replace(/\\s+/g, ' ').slice(0, 40)}"`,
    box: [box.left, box.top, box.width, box.height],
    scroll: [scrollX, scrollY],
    visible: box.width > 1 && box.height > 1 &&
      el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true,
                          opacityProperty: true, checkOpacity: true}) &&
      box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight,
  };
}
"""

DESCRIBE_JS = """
(ids) => [...document.querySelectorAll('*')].filter((el) => ids.includes(el.__bbWalk))
  .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ` +
    `"${(el.getAttribute('aria-label') || el.textContent || '').trim()
        .replace(/\\s+/g, ' ').slice(0, 40)}"`)
"""


@dataclass
class Walk:
    stops: list[dict]
    """Every focus stop in the order reached (the first one not repeated)."""
    expected: list[int]
    """Walk ids of every visible element that should take focus."""
    cycled: bool
    """Whether focus came back round to the first stop."""

    def missed(self, page: Page) -> list[str]:
        reached = {stop["id"] for stop in self.stops}
        return page.evaluate(DESCRIBE_JS, [i for i in self.expected if i not in reached])

    def invisible(self) -> list[str]:
        return [
            f"{stop['text']} at {[round(v) for v in stop['box']]}, "
            f"scrolled to {[round(v) for v in stop['scroll']]}"
            for stop in self.stops
            if not stop["visible"]
        ]


def tab_walk(page: Page, key: str = "Tab", on_stop=None) -> Walk:
    """Presses `key` until focus comes round again or stays outside the page."""
    expected = page.evaluate(TABBABLE_JS)
    stops: list[dict] = []
    seen: set[int] = set()
    outside = 0
    scrolled_to = None
    for _ in range(2 * len(expected) + 20):
        page.press(key)
        stop = page.evaluate(FOCUSED_JS)
        if stop and stop["scroll"] != scrolled_to:
            # A key press that scrolled the page is rendered before the next one. In
            # WebKitGTK, presses milliseconds apart (no reader's) sometimes lost the
            # second scroll: the focused control stayed below the fold, and the same
            # Tab a moment later, or its focus(), scrolled it into view.
            scrolled_to = stop["scroll"]
            page.next_frames()
        if stop is None:
            outside += 1
            if outside > 4:
                return Walk(stops, expected, cycled=False)
            continue
        outside = 0
        if stop["id"] in seen:
            return Walk(stops, expected, cycled=stop["id"] == stops[0]["id"])
        seen.add(stop["id"])
        stops.append(stop)
        if on_stop:
            on_stop(stop)
    return Walk(stops, expected, cycled=False)


# Colour --------------------------------------------------------------------------


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def strong_change(focused: Image.Image, unfocused: Image.Image, box, pad: int = 6) -> int:
    """Pixels near `box` (x, y, w, h in CSS px) that changed between the two
    screenshots with a contrast of 3:1 or more between their two colours."""
    scale = focused.width / unfocused.width if unfocused.width else 1
    x, y, w, h = (v * scale for v in box)
    area = (
        max(0, int(x - pad)),
        max(0, int(y - pad)),
        min(focused.width, int(x + w + pad + 1)),
        min(focused.height, int(y + h + pad + 1)),
    )
    if area[2] <= area[0] or area[3] <= area[1]:
        return 0
    before, after = unfocused.crop(area), focused.crop(area)
    mask = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v else 0)
    changed = [
        (a, b)
        for a, b, m in zip(
            after.get_flattened_data(),
            before.get_flattened_data(),
            mask.get_flattened_data(),
            strict=True,
        )
        if m
    ]
    return sum(1 for a, b in changed if contrast(a, b) >= 3)


# What an element's text is drawn on: its own and its ancestors' background
# colours, composited down to the first opaque one (white if none is).
BACKGROUND_JS = """
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) =>
    top.slice(0, 3).map((v, i) => v * top[3] + bottom[i] * (1 - top[3]));
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour[3] > 0) layers.push(colour);
      if (colour && colour[3] === 1) break;
    }
    return layers.reverse().reduce((under, layer) => over(layer, under), [255, 255, 255]);
  };
"""

# Effective colours of text, for contrast on screen and on paper.
TEXT_COLOURS_JS = (
    """
(paper) => {
"""
    + BACKGROUND_JS
    + """
  const found = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const el = text.parentElement;
    if (!text.textContent.trim() || !el) continue;
    if (el.closest('script, style, svg, [aria-hidden=true]')) continue;
    if (!el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) continue;
    const style = getComputedStyle(el);
    let colour = parse(style.color);
    let opacity = 1;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      opacity *= Number(getComputedStyle(node).opacity);
    }
    if (colour[3] * opacity === 0) continue;
    const ground = paper ? [255, 255, 255] : background(el);
    const shown = over([...colour.slice(0, 3), colour[3] * opacity], ground);
    const what = `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ?
      '.' + el.className.trim().split(/\\s+/).join('.') : ''}`;
    const key = `${what} ${shown.map(Math.round)} on ${ground.map(Math.round)}`;
    if (!found.has(key)) {
      found.set(key, {what, link: !!el.closest('a'), text: text.textContent.trim().slice(0, 30),
                      colour: shown, ground});
    }
  }
  return [...found.values()];
}
"""
)
