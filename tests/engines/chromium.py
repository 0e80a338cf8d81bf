"""Debian's Chromium through Python Playwright (no Playwright browser download)."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any
from urllib.parse import urlparse

from . import Engine, Page, PageOptions

EXECUTABLE = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ChromiumPage(Page):
    engine = "chromium"

    def __init__(self, context, allowed_host: str) -> None:
        self.context = context
        self.tab = context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.requested: list[str] = []
        self.dialog_messages: list[str] = []
        self.tab.on("request", lambda request: self.requested.append(request.url))
        self.tab.on("dialog", self.dismiss)
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))

        def guard(route) -> None:
            url = urlparse(route.request.url)
            if url.scheme in ("http", "https") and url.hostname != allowed_host:
                self.outside.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        self.tab.route("**/*", guard)

    def goto(self, url: str, idle: bool = False) -> None:
        self.tab.goto(url, wait_until="networkidle" if idle else "load")

    def evaluate(self, function: str, *args: Any) -> Any:
        return self.tab.evaluate(f"(args) => ({function})(...args)", list(args))

    def press(self, key: str) -> None:
        self.tab.keyboard.press(key)

    def type(self, text: str) -> None:
        self.tab.keyboard.type(text)

    def click_at(self, x: float, y: float) -> None:
        self.tab.mouse.click(x, y)

    def hover_at(self, x: float, y: float) -> None:
        self.tab.mouse.move(x, y)

    def tap_at(self, x: float, y: float) -> None:
        self.tab.touchscreen.tap(x, y)

    def screenshot_png(self) -> bytes:
        return self.tab.screenshot()

    def print_media(self, on: bool = True) -> None:
        self.tab.emulate_media(media="print" if on else "screen")

    def console_errors(self) -> list[str]:
        return list(self.errors)

    def outside_requests(self) -> list[str]:
        return list(self.outside)

    def requests(self) -> list[str]:
        return list(self.requested)

    def dismiss(self, dialog) -> None:
        self.dialog_messages.append(dialog.message)
        dialog.dismiss()

    def dialogs(self) -> list[str]:
        return list(self.dialog_messages)

    def close(self) -> None:
        self.context.close()

    # Chromium only: what its driver shows that the others do not (the accessibility
    # tree over the DevTools protocol, a document given as a string with every request
    # refused, frames navigating), for the tests that judge with them.

    def accessibility_tree(self) -> list[dict]:
        """Chromium's full accessibility tree of the page, as screen readers get it."""
        session = self.context.new_cdp_session(self.tab)
        try:
            return session.send("Accessibility.getFullAXTree")["nodes"]
        finally:
            session.detach()

    def load_html(self, document: str) -> None:
        """Makes `document` (HTML source) the page, with every request it makes
        refused: only what the parser builds from the string itself can act."""
        self.tab.route("**/*", lambda route: route.abort())
        self.tab.set_content(document, wait_until="domcontentloaded")

    def record_navigations(self) -> list[str]:
        """From now on, appends the address of every navigation of the page or of
        any of its frames to the list returned (a live list)."""
        navigated: list[str] = []
        self.tab.on("framenavigated", lambda frame: navigated.append(frame.url))
        return navigated


class SharedBrowser:
    """One Playwright and one Chromium for the whole session: Playwright's sync API
    runs only one instance at a time, and the `engine` fixture's Chromium and the
    `chromium` fixture (for Chromium-only tests) are both open at once."""

    users = 0
    playwright = None
    browser = None

    @classmethod
    def acquire(cls):
        if cls.users == 0:
            from playwright.sync_api import sync_playwright

            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(executable_path=EXECUTABLE, args=ARGS)
        cls.users += 1
        return cls.browser

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0:
            cls.browser.close()
            cls.playwright.stop()


class Chromium(Engine):
    name = "chromium"

    def __init__(self, allowed_host: str) -> None:
        self.allowed_host = allowed_host
        self.browser = SharedBrowser.acquire()

    def open_page(self, width: int, height: int, options: PageOptions) -> ChromiumPage:
        scheme, touch, javascript, reduced_motion, init_script = astuple(options)
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            has_touch=touch,
            java_script_enabled=javascript,
            reduced_motion="reduce" if reduced_motion else "no-preference",
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        if init_script:
            context.add_init_script(init_script)
        return ChromiumPage(context, self.allowed_host)

    def close(self) -> None:
        SharedBrowser.release()
