"""Debian's Firefox ESR through puppeteer-core over WebDriver BiDi.

Python talks to a long-lived Node process (`firefox-bridge.mjs`) in JSON lines.
Firefox takes the colour scheme, reduced motion and scripts off as preferences at
launch (over BiDi, puppeteer emulates media features through CDP only, and Firefox
153 ESR lacks emulation.setScriptingEnabled). Each scheme gets its own Firefox,
started on first use and kept for the session; a page with reduced motion or
scripts off, which few tests ask for, gets a Firefox of its own, closed with it,
so that no more than three run at once.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import astuple
from pathlib import Path
from typing import Any

from . import ROOT, Engine, Page, PageOptions, call_expression, die_with_parent

BRIDGE = Path(__file__).with_name("firefox-bridge.mjs")


class BridgeError(RuntimeError):
    pass


class Bridge:
    """One Node process driving one Firefox."""

    def __init__(
        self, scheme: str, allowed_host: str, reduced_motion: bool, javascript: bool
    ) -> None:
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
        motion = "reduce" if reduced_motion else "no-preference"
        scripts = "on" if javascript else "off"
        self.process = subprocess.Popen(
            ["node", str(BRIDGE), scheme, allowed_host, motion, scripts],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,
        )
        self.next_id = 1
        self.receive(0)

    def receive(self, wanted: int) -> Any:
        line = self.process.stdout.readline()
        if not line:
            raise BridgeError(f"the Firefox bridge stopped (exit {self.process.wait()})")
        answer = json.loads(line)
        assert answer["id"] == wanted, answer
        if "error" in answer:
            raise BridgeError(answer["error"])
        return answer["value"]

    def call(self, op: str, **args: Any) -> Any:
        command_id = self.next_id
        self.next_id += 1
        self.process.stdin.write(json.dumps({"id": command_id, "op": op, **args}) + "\n")
        self.process.stdin.flush()
        return self.receive(command_id)

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class FirefoxPage(Page):
    engine = "firefox"

    def __init__(
        self, bridge: Bridge, width: int, height: int, touch: bool, owned: bool, **options
    ) -> None:
        self.bridge = bridge
        self.owned = owned  # the bridge, and its Firefox, is this page's alone: closed with it
        self.id = bridge.call("newPage", width=width, height=height, touch=touch, **options)

    def call(self, op: str, **args: Any) -> Any:
        return self.bridge.call(op, page=self.id, **args)

    def goto(self, url: str, idle: bool = False) -> None:
        self.call("goto", url=url, idle=idle)

    def evaluate(self, function: str, *args: Any) -> Any:
        return self.call("evaluate", expression=call_expression(function, args))

    def press(self, key: str) -> None:
        # puppeteer's BiDi keyboard knows the space bar as " ", not by its name.
        keys = (" " if name == "Space" else name for name in key.split("+"))
        self.call("press", key="+".join(keys))

    def type(self, text: str) -> None:
        self.call("type", text=text)

    def click_at(self, x: float, y: float) -> None:
        self.call("click", x=x, y=y)

    def hover_at(self, x: float, y: float) -> None:
        self.call("hover", x=x, y=y)

    def tap_at(self, x: float, y: float) -> None:
        self.call("tap", x=x, y=y)

    def screenshot_png(self) -> bytes:
        return base64.b64decode(self.call("screenshot"))

    def console_errors(self) -> list[str]:
        return self.call("events")["errors"]

    def outside_requests(self) -> list[str]:
        return self.call("events")["outside"]

    def requests(self) -> list[str]:
        return self.call("events")["requested"]

    def dialogs(self) -> list[str]:
        return self.call("events")["dialogs"]

    def close(self) -> None:
        self.call("close")
        if self.owned:
            self.bridge.close()


class Firefox(Engine):
    name = "firefox"

    def __init__(self, allowed_host: str) -> None:
        self.allowed_host = allowed_host
        self.bridges: dict[str, Bridge] = {}

    def open_page(self, width: int, height: int, options: PageOptions) -> FirefoxPage:
        scheme, touch, javascript, reduced_motion, init_script = astuple(options)
        if reduced_motion or not javascript:
            bridge = Bridge(scheme, self.allowed_host, reduced_motion, javascript)
            return FirefoxPage(bridge, width, height, touch, True, initScript=init_script)
        if scheme not in self.bridges:
            self.bridges[scheme] = Bridge(scheme, self.allowed_host, False, True)
        return FirefoxPage(
            self.bridges[scheme], width, height, touch, False, initScript=init_script
        )

    def close(self) -> None:
        for bridge in self.bridges.values():
            bridge.close()
