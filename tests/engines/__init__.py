"""One small driver interface over three browser engines, so one test suite runs
in Chromium (Playwright), Firefox (puppeteer-core over WebDriver BiDi) and
WebKit (Selenium with WebKitGTK's driver).

A test opens a `Page` with `Engine.new_page(width, height, scheme)` and uses
only what every engine can do: load a URL, evaluate JavaScript, press keys,
click, hover or tap at a point, screenshot the viewport, and switch to print
media. Helpers built on those (clicking an element, axe-core) live here once.
"""

from __future__ import annotations

import ctypes
import io
import json
import signal
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ENGINES = ["chromium", "firefox", "webkit"]

# Print media without engine support (Firefox over BiDi, WebKit over
# WebDriver): every stylesheet is copied into one <style> with its media
# conditions rewritten, `print` to `all` and `screen` to `not all`, and the
# originals are disabled; switching back removes the copy.
PRINT_MEDIA_JS = """
(on) => {
  const swap = (text) => text.split(',').map((query) => {
    const q = query.trim().toLowerCase();
    if (/^(only\\s+)?screen\\b/.test(q) || /^not\\s+print\\b/.test(q)) return 'not all';
    if (/^(only\\s+)?print\\b/.test(q)) return q.replace(/^(only\\s+)?print/, 'all');
    if (/^not\\s+screen\\b/.test(q)) return q.replace(/^not\\s+screen/, 'all');
    return query;
  }).join(', ');
  const copy = (rules) => [...rules].map((rule) => {
    // By shape, not instanceof: a driver may run this in a realm of its own.
    if (rule.type === 4) {  // CSSRule.MEDIA_RULE
      return `@media ${swap(rule.media.mediaText)} { ${copy(rule.cssRules)} }`;
    }
    if (rule.type === 3) return copy(rule.styleSheet?.cssRules ?? []);  // IMPORT_RULE
    return rule.cssText;
  }).join('\\n');
  // A constructed sheet, not a <style> element: the site's policy (style-src 'self')
  // refuses inline style elements, but not the CSS object model.
  const printed = (window.__bbPrintSheet ??= new CSSStyleSheet());
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== printed);
  for (const sheet of document.styleSheets) {
    if (on) {
      const media = sheet.media.mediaText;
      const kept = !media || swap(media) !== 'not all';
      sheet.__bbText = kept ? copy(sheet.cssRules) : '';
    }
    sheet.disabled = on;
  }
  if (!on) return;
  printed.replaceSync([...document.styleSheets].map((sheet) => sheet.__bbText ?? '').join('\\n'));
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, printed];
}
"""

FREEZE_MOTION_JS = """
() => {
  // Constructed, as the site's policy refuses inline style elements.
  const still = new CSSStyleSheet();
  still.replaceSync('*, *::before, *::after { transition: none !important; ' +
    'animation-duration: 0s !important; animation-delay: 0s !important; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, still];
}
"""

CENTER_OF_JS = """
(selector) => {
  const element = document.querySelector(selector);
  if (!element) throw new Error(`no element matches ${selector}`);
  element.scrollIntoView({block: 'center', inline: 'center'});
  const box = element.getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
}
"""


class Unsupported(pytest.skip.Exception):
    """What an engine's driver cannot do: the test is skipped in that engine, and
    the matrix shows n/a, rather than the test pretending to pass."""

    def __init__(self, engine: str, what: str) -> None:
        super().__init__(f"{engine}'s driver cannot {what}")


ROLE_JS = """
(role, name) => {
  // Playwright's get_by_role, reduced to what the site's controls use: the
  // element with this role (explicit, or implied by its tag) and this
  // accessible name (aria-labelledby, aria-label, text, title), hidden ones
  // (display: none, visibility: hidden, aria-hidden) left out, as Playwright
  // does. It is marked so that a CSS selector finds it again.
  const implied = {button: 'button, summary, input[type=button], input[type=submit]',
    link: 'a[href]', dialog: 'dialog', status: 'output', heading: 'h1, h2, h3, h4, h5, h6',
    navigation: 'nav', searchbox: 'input[type=search]', textbox: 'input:not([type]), textarea'};
  const label = (element) => {
    const by = element.getAttribute('aria-labelledby');
    if (by) {
      return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    }
    return element.getAttribute('aria-label') ?? element.textContent ?? element.title ?? '';
  };
  const candidates = document.querySelectorAll(`[role="${role}"], ${implied[role] ?? role}`);
  const found = [...candidates].filter((element) => {
    const own = element.getAttribute('role');
    return (own === null || own === role) &&
      (name === null || label(element).replace(/\\s+/g, ' ').trim() === name) &&
      element.checkVisibility({visibilityProperty: true}) && !element.closest('[aria-hidden=true]');
  });
  if (found.length !== 1) {
    throw new Error(`${found.length} elements have role ${role} and name ${name}`);
  }
  // Its own attribute: checks.find_controls numbers data-bb-found from 0 anew.
  const mark = String((window.__bbRole = (window.__bbRole ?? 0) + 1));
  found[0].dataset.bbRole = mark;
  return `[data-bb-role="${mark}"]`;
}
"""

VISIBLE_JS = """
(selector) => {
  const element = document.querySelector(selector);
  if (!element) return false;
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
}
"""


class Page(ABC):
    """One fresh tab (its own cookies and storage) in one engine."""

    engine: str

    @abstractmethod
    def goto(self, url: str, idle: bool = False) -> None:
        """Loads `url`; with `idle`, also waits until the network is quiet."""

    @abstractmethod
    def evaluate(self, function: str, *args: Any) -> Any:
        """Calls the JavaScript `function` source with JSON `args`; awaits a promise."""

    @abstractmethod
    def press(self, key: str) -> None:
        """One key press: "Tab", "Shift+Tab", "Escape", "Space", "Enter"."""

    @abstractmethod
    def type(self, text: str) -> None: ...

    @abstractmethod
    def click_at(self, x: float, y: float) -> None: ...

    @abstractmethod
    def hover_at(self, x: float, y: float) -> None: ...

    @abstractmethod
    def tap_at(self, x: float, y: float) -> None:
        """A touch tap; needs a page opened with `touch=True`."""

    @abstractmethod
    def screenshot_png(self) -> bytes:
        """The viewport as PNG."""

    def print_media(self, on: bool = True) -> None:
        self.evaluate(PRINT_MEDIA_JS, on)

    @abstractmethod
    def console_errors(self) -> list[str]:
        """Console errors and uncaught exceptions since the page opened."""

    @abstractmethod
    def outside_requests(self) -> list[str]:
        """Requests to any host but the test server (blocked where the engine can)."""

    def requests(self) -> list[str]:
        """Every URL the page has requested since it opened, in order (data: URLs,
        which fetch nothing, left out)."""
        raise Unsupported(self.engine, "list the requests a page makes")

    def dialogs(self) -> list[str]:
        """The messages of alert, confirm and prompt dialogs, each dismissed at once."""
        raise Unsupported(self.engine, "record dialogs")

    @abstractmethod
    def close(self) -> None: ...

    # Built on the primitives ------------------------------------------------

    def center_of(self, selector: str) -> tuple[float, float]:
        x, y = self.evaluate(CENTER_OF_JS, selector)
        return x, y

    def click(self, selector: str) -> None:
        self.click_at(*self.center_of(selector))

    def hover(self, selector: str) -> None:
        self.hover_at(*self.center_of(selector))

    def tap(self, selector: str) -> None:
        self.tap_at(*self.center_of(selector))

    def url(self) -> str:
        return self.evaluate("() => location.href")

    def wait_for_url(self, ending: str, timeout: float = 5) -> str:
        """Waits until the address ends with `ending` (a path, with any query and
        fragment) and that document has loaded, as Playwright's wait_for_url does."""
        reached = self.wait_for(
            "(end) => location.href.endsWith(end) && document.readyState === 'complete'",
            ending,
            timeout=timeout,
        )
        assert reached, f"the address is {self.url()}, not one ending in {ending}"
        return self.url()

    def role(self, role: str, name: str | None = None) -> str:
        """A CSS selector for the one element with this ARIA role and accessible name
        (any name if None); it fails unless exactly one element matches."""
        return self.evaluate(ROLE_JS, role, name)

    def is_visible(self, selector: str) -> bool:
        return self.evaluate(VISIBLE_JS, selector)

    def attribute(self, selector: str, name: str) -> str | None:
        return self.evaluate(
            "(selector, name) => document.querySelector(selector)?.getAttribute(name) ?? null",
            selector,
            name,
        )

    def text(self, selector: str) -> str:
        return self.evaluate("(selector) => document.querySelector(selector).innerText", selector)

    def focus(self, selector: str) -> None:
        self.evaluate("(selector) => document.querySelector(selector).focus()", selector)

    def wait_for_visible(self, selector: str, timeout: float = 5) -> bool:
        """Waits until `selector` matches an element with a box that is not hidden."""
        return bool(self.wait_for(VISIBLE_JS, selector, timeout=timeout))

    def wait_for(self, function: str, *args: Any, timeout: float = 5) -> Any:
        """Polls `function` until it returns something truthy; returns that, or the last falsy."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(function, *args)
            except Exception:
                # A navigation under way destroys the document being asked.
                if time.monotonic() > deadline:
                    raise
                value = None
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def freeze_motion(self) -> None:
        """Ends transitions and animations at once, so screenshots show end states."""
        self.evaluate(FREEZE_MOTION_JS)

    def next_frames(self) -> None:
        """Waits two animation frames: the last key press or style change is painted."""
        self.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def screenshot(self) -> Image.Image:
        self.next_frames()
        return Image.open(io.BytesIO(self.screenshot_png())).convert("RGB")

    def run_script(self, source: str) -> None:
        """Runs a test tool's script in the page, under the site's policy (no eval
        of the page's own); it publishes what it defines on `window`."""
        self.evaluate("(source) => { (0, eval)(source); }", source)

    def inject_axe(self) -> None:
        if not self.evaluate("() => typeof window.axe === 'object'"):
            self.run_script(AXE_SOURCE.read_text(encoding="utf-8"))

    def axe_violations(self, options: dict) -> list[dict]:
        self.inject_axe()
        return self.evaluate(
            "(options) => axe.run(document, options).then(r => r.violations.map(v => "
            "({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target)})))",
            options,
        )


@dataclass(frozen=True)
class PageOptions:
    """What a reader's browser is set to, for one new page (`Engine.new_page`)."""

    scheme: str = "light"
    touch: bool = False
    javascript: bool = True
    reduced_motion: bool = False
    init_script: str | None = None


class Engine(ABC):
    """A browser started once per test session."""

    name: str

    def new_page(
        self,
        width: int,
        height: int,
        scheme: str = "light",
        touch: bool = False,
        *,
        javascript: bool = True,
        reduced_motion: bool = False,
        init_script: str | None = None,
    ) -> Page:
        """A fresh tab. `javascript=False` turns scripts off, as a reader may;
        `reduced_motion` makes the page see prefers-reduced-motion: reduce; and
        `init_script` runs in every document before the page's own scripts.
        An engine that cannot do one of these raises `Unsupported`."""
        options = PageOptions(scheme, touch, javascript, reduced_motion, init_script)
        return self.open_page(width, height, options)

    @abstractmethod
    def open_page(self, width: int, height: int, options: PageOptions) -> Page:
        """`new_page`, as each engine's driver does it."""

    @abstractmethod
    def close(self) -> None: ...


def start(name: str, allowed_host: str) -> Engine:
    """Starts engine `name`; pages may request `allowed_host` (a host name, any port) only."""
    if name == "chromium":
        from .chromium import Chromium

        return Chromium(allowed_host)
    if name == "firefox":
        from .firefox import Firefox

        return Firefox(allowed_host)
    if name == "webkit":
        from .webkit import WebKit

        return WebKit(allowed_host)
    raise ValueError(f"unknown engine {name!r}; choose one of {ENGINES}")


def die_with_parent() -> None:
    """For a helper process (driver, X server, Node): Linux sends it SIGTERM when
    the test process ends, however it ends, so no browser is left behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def call_expression(function: str, args: tuple) -> str:
    """A JavaScript expression calling `function` with `args` inlined as JSON."""
    return f"({function})(...{json.dumps(list(args))})"
