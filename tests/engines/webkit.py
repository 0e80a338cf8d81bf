"""Debian's WebKitGTK MiniBrowser through Selenium and WebKitWebDriver, on a
private Xvfb display.

Each page is its own WebDriver session (a fresh MiniBrowser, about 0.6 s), since
the colour scheme and scripts off are MiniBrowser arguments, and reduced motion is
GTK's animations setting, read as MiniBrowser starts. MiniBrowser's toolbar keeps
its window at least 447 px wide; a private GTK stylesheet (`gtk.css` below, found
through XDG_CONFIG_HOME) shrinks the toolbar so a 360 px viewport fits. WebDriver
offers no console or network log here: console errors come from a probe the test
server injects (`window.__bbErrors`), outside requests and the list of requests
from Resource Timing.
"""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import tempfile
import time
from dataclasses import astuple
from pathlib import Path
from typing import Any

import urllib3
from selenium import webdriver
from selenium.common.exceptions import UnexpectedAlertPresentException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.remote_connection import RemoteConnection

from . import Engine, Page, PageOptions, Unsupported, die_with_parent

DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
# Only MiniBrowser's own window chrome is styled by GTK; pages are not.
TOOLBAR_CSS = "* { min-width: 0; min-height: 0; margin: 0; padding: 0; border-width: 0; }\n"
KEYS = {"Tab": Keys.TAB, "Escape": Keys.ESCAPE, "Space": Keys.SPACE, "Enter": Keys.ENTER}

EVALUATE_JS = """
const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(...arguments[0])).then(
  (value) => done({value: value === undefined ? null : value}),
  (error) => done({error: String(error && error.stack || error)}));
"""

OUTSIDE_JS = """
(host) => performance.getEntriesByType('resource').map((entry) => entry.name)
  .filter((url) => /^https?:/.test(url) && new URL(url).hostname !== host)
"""

# WebKit times entries to the millisecond: requests that start in the same one
# (a page's stylesheet and its deferred script) are put in the order the document
# names them, as its parser issued them, not in the buffer's order (which follows
# whichever finished first).
REQUESTS_JS = """
() => {
  const named = new Map();
  for (const element of document.querySelectorAll('[src], [href]')) {
    try {
      const address = element.getAttribute('src') ?? element.getAttribute('href');
      const url = new URL(address, document.baseURI).href;
      if (!named.has(url)) named.set(url, named.size);
    } catch {}
  }
  const place = (entry) => named.get(entry.name) ?? named.size;
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return entries
    .sort((a, b) => a.startTime - b.startTime || place(a) - place(b))
    .map((entry) => entry.name);
}
"""


class MiniBrowserOptions(ArgOptions):
    """WebKitGTK's capabilities: no browserName, MiniBrowser in automation mode."""

    def __init__(self, dark: bool, javascript: bool = True) -> None:
        super().__init__()
        self.minibrowser_args = ["--automation"] + (["--dark-mode"] if dark else [])
        if not javascript:
            # The page's own scripts (markup, event attributes, javascript: URLs) are
            # off, as for a reader who turned them off; the driver's scripts still run.
            # Unlike scripts off altogether, <noscript> stays hidden (the site has none).
            self.minibrowser_args.append("--enable-javascript-markup=false")

    def to_capabilities(self) -> dict:
        return {
            "webkitgtk:browserOptions": {"binary": MINIBROWSER, "args": self.minibrowser_args},
            # An open alert, confirm or prompt is dismissed by the next command, which
            # fails with its message instead of running (WebKitPage.execute retries).
            "unhandledPromptBehavior": "dismiss and notify",
        }

    @property
    def default_capabilities(self) -> dict:
        return {}


class WebKitPage(Page):
    engine = "webkit"

    def __init__(self, driver, allowed_host: str, width: int, height: int, display: str) -> None:
        self.allowed_host = allowed_host
        self.driver = driver
        self.dialog_messages: list[str] = []
        self.send = driver.execute
        driver.execute = self.execute
        self.driver.set_script_timeout(30)
        self.resize(width, height)
        # Without a window manager no window is active, and the page would
        # never match :focus; X's input focus goes to the new window instead.
        focus_top_windows(display)
        if not self.evaluate("() => document.hasFocus()"):
            raise RuntimeError("WebKit's page did not take the keyboard focus")

    def execute(self, command: str, params: dict | None = None) -> Any:
        """Every WebDriver command: one that found a dialog open notes its message
        (the driver has dismissed it) and is sent again, as it did not run."""
        for _ in range(10):
            try:
                return self.send(command, params)
            except UnexpectedAlertPresentException as prompt:
                self.dialog_messages.append(prompt.alert_text or "")
        return self.send(command, params)

    def dialogs(self) -> list[str]:
        """As in the other engines, but each dialog is dismissed by the next command
        rather than at once: until then the page's script waits on it."""
        self.evaluate("() => null")  # a command, which meets any dialog still open
        return list(self.dialog_messages)

    def resize(self, width: int, height: int) -> None:
        """Sizes the window so the viewport (without the toolbar) is width x height."""
        outer = [width, height]
        for _ in range(4):
            self.driver.set_window_rect(width=outer[0], height=outer[1])
            inner = self.evaluate("() => [innerWidth, innerHeight]")
            if inner == [width, height]:
                return
            outer = [outer[0] + width - inner[0], outer[1] + height - inner[1]]
        raise RuntimeError(f"WebKit viewport is {inner}, wanted {[width, height]}")

    def goto(self, url: str, idle: bool = False) -> None:
        self.driver.get(url)
        if idle:
            time.sleep(0.5)

    def evaluate(self, function: str, *args: Any) -> Any:
        result = self.driver.execute_async_script(EVALUATE_JS % function, list(args))
        if "error" in result:
            raise RuntimeError(result["error"])
        return result["value"]

    def run_script(self, source: str) -> None:
        # The site's policy forbids eval(), and WebKit holds a driver script's eval to
        # it; the driver's own script body is exempt, so the tool runs as that body.
        self.driver.execute_script(source)

    def press(self, key: str) -> None:
        *held, last = key.split("+")
        actions = ActionChains(self.driver)
        for modifier in held:
            actions.key_down(getattr(Keys, modifier.upper()))
        actions.send_keys(KEYS.get(last, last))
        for modifier in reversed(held):
            actions.key_up(getattr(Keys, modifier.upper()))
        actions.perform()

    def type(self, text: str) -> None:
        ActionChains(self.driver).send_keys(text).perform()

    def pointer(self, kind: str = interaction.POINTER_MOUSE) -> ActionBuilder:
        return ActionBuilder(self.driver, mouse=PointerInput(kind, kind))

    def click_at(self, x: float, y: float) -> None:
        builder = self.pointer()
        builder.pointer_action.move_to_location(int(x), int(y)).click()
        builder.perform()

    def hover_at(self, x: float, y: float) -> None:
        builder = self.pointer()
        builder.pointer_action.move_to_location(int(x), int(y))
        builder.perform()

    def tap_at(self, x: float, y: float) -> None:
        builder = self.pointer(interaction.POINTER_TOUCH)
        builder.pointer_action.move_to_location(int(x), int(y)).click()
        builder.perform()

    def screenshot_png(self) -> bytes:
        return self.driver.get_screenshot_as_png()

    def console_errors(self) -> list[str]:
        errors = self.evaluate("() => window.__bbErrors")
        if errors is None:
            raise RuntimeError("WebKit reports console errors only on pages with the probe")
        return errors

    def outside_requests(self) -> list[str]:
        return self.evaluate(OUTSIDE_JS, self.allowed_host)

    def requests(self) -> list[str]:
        """The current document and what it fetched, from Navigation and Resource
        Timing, in order of start. WebDriver shows WebKit's network to no one, so
        this misses: what earlier documents of this tab requested (each navigation
        starts a new timeline), what workers fetched (a worker has a timeline of its
        own), anything past the timeline's 250-entry buffer, and the browser's own
        requests (a favicon). A test that asserts something was NOT requested is
        therefore weaker here than in Chromium or Firefox."""
        return self.evaluate(REQUESTS_JS)

    def close(self) -> None:
        self.driver.quit()


IGNORE_X_ERRORS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda *_: 0)


def focus_top_windows(display: str) -> None:
    """Gives X's keyboard focus to the newest top-level window on `display`.

    Xvfb runs no window manager, so no window is ever activated and WebKit's
    document never has focus (no :focus, no :focus-visible) until one is.
    """
    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XQueryTree.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
        ctypes.POINTER(ctypes.c_uint),
    ]
    x11.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
    x11.XFree.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XSetErrorHandler.argtypes = [ctypes.c_void_p]
    connection = x11.XOpenDisplay(f":{display}".encode())
    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    x11.XQueryTree(connection, x11.XDefaultRootWindow(connection), root, parent, children, count)
    # Children come in stacking order, oldest first; unmapped ones refuse the
    # focus (BadMatch, ignored), so the newest mapped window keeps it.
    x11.XSetErrorHandler(IGNORE_X_ERRORS)
    for index in range(count.value):
        x11.XSetInputFocus(connection, children[index], 2, 0)  # RevertToParent, CurrentTime
        x11.XSync(connection, 0)
    if count.value:
        x11.XFree(children)
    x11.XCloseDisplay(connection)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebKit(Engine):
    name = "webkit"

    def __init__(self, allowed_host: str) -> None:
        self.allowed_host = allowed_host
        self.home = tempfile.TemporaryDirectory(prefix="bb-webkit-")
        self.gtk = Path(self.home.name) / "gtk-3.0"
        self.gtk.mkdir()
        (self.gtk / "gtk.css").write_text(TOOLBAR_CSS, encoding="utf-8")
        self.start_xvfb()
        self.start_driver()

    def start_xvfb(self) -> None:
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "2000x1600x24", "-nolisten", "tcp"],
            pass_fds=[write],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        os.close(write)
        with os.fdopen(read) as display:
            self.display = display.readline().strip()

    def start_driver(self) -> None:
        port = free_port()
        env = dict(os.environ, DISPLAY=f":{self.display}", XDG_CONFIG_HOME=self.home.name)
        env.pop("WAYLAND_DISPLAY", None)
        self.driver = subprocess.Popen(
            [DRIVER, f"--port={port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

    def open_page(self, width: int, height: int, options: PageOptions) -> WebKitPage:
        # No touch: WebKit's driver taps with a mouse pointer (see tap_at).
        scheme, _, javascript, reduced_motion, init_script = astuple(options)
        # WebKitGTK reports prefers-reduced-motion: reduce when GTK's animations are
        # off; each page is a new MiniBrowser, which reads GTK's settings as it starts.
        animations = "false" if reduced_motion else "true"
        (self.gtk / "settings.ini").write_text(
            f"[Settings]\ngtk-enable-animations={animations}\n", encoding="utf-8"
        )
        if init_script:
            raise Unsupported(self.name, "run a script before the page's own")
        options = MiniBrowserOptions(dark=scheme == "dark", javascript=javascript)
        for attempt in range(2):
            try:
                # WebKitWebDriver can wait for ever on a MiniBrowser that never
                # came up; then it is restarted once.
                connection = RemoteConnection(
                    client_config=ClientConfig(remote_server_addr=self.url, timeout=60)
                )
                driver = webdriver.Remote(connection, options=options)
                break
            except (urllib3.exceptions.HTTPError, OSError, WebDriverException):
                if attempt:
                    raise
                self.stop_driver()
                self.start_driver()
        return WebKitPage(driver, self.allowed_host, width, height, self.display)

    def stop_driver(self) -> None:
        self.driver.kill()
        self.driver.wait(timeout=10)

    def close(self) -> None:
        self.stop_driver()
        self.xvfb.terminate()
        self.xvfb.wait(timeout=10)
        self.home.cleanup()
