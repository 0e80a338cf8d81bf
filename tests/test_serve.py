"""`./scripts/serve` shows a mistake in the browser and comes back by itself when
the fix is saved: the editor need not watch the terminal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# A folder to keep a screenshot of the error page in, for a person to look at.
SHOTS = Path(os.environ["BB_SHOTS"]) if os.environ.get("BB_SHOTS") else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serving_copy(project_copy: Path) -> Iterator[str]:
    """`mkdocs serve` on a copy of the project, as ./scripts/serve runs it."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("mkdocs")), "serve", "--dev-addr",
         f"127.0.0.1:{port}"],
        cwd=project_copy,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url + "about/", timeout=5).read()
                break
            except OSError:
                assert server.poll() is None, "mkdocs serve ended"
                assert time.monotonic() < deadline, "mkdocs serve did not start"
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.browser
def test_a_saved_mistake_shows_in_the_browser_and_the_fix_brings_the_page_back(
    serving_copy, project_copy, chromium_tab
):
    about = project_copy / "docs" / "about.md"
    good = about.read_text(encoding="utf-8")
    chromium_tab.goto(serving_copy + "about/")
    title = chromium_tab.text("article h1")

    about.write_text(good + "\n## Contact\n", encoding="utf-8")
    line = len(good.splitlines()) + 2
    # The page reloads by itself, once the rebuild has failed.
    shown = chromium_tab.wait_for(
        "() => document.querySelector('#bb-build-problems')?.innerText", timeout=60
    )
    assert shown, "the build's problems never showed in the page"
    assert f"docs/about.md, line {line}: the heading '## Contact' needs a fixed id" in shown
    if SHOTS:
        (SHOTS / "serve-error.png").write_bytes(chromium_tab.screenshot_png())

    about.write_text(good, encoding="utf-8")
    back = chromium_tab.wait_for(
        "() => !document.querySelector('#bb-build-problems')"
        " && document.querySelector('article h1')?.innerText",
        timeout=60,
    )
    assert back == title


def test_serve_looks_for_saved_files_every_fifth_of_a_second(tmp_path):
    from mkdocs.livereload import LiveReloadServer

    from bridges.engine.serving import POLLING_SECONDS, watch_closely

    docs, config = tmp_path / "docs", tmp_path / "mkdocs.yml"
    docs.mkdir()
    config.write_text("site_name: Test\n", encoding="utf-8")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(docs))  # as MkDocs' serve does before on_serve
    server.watch(str(config))
    mkdocs_watches = {(e.watch.path, e.watch.is_recursive) for e in server.observer.emitters}
    assert server.observer.timeout == 0.5  # MkDocs' own

    watch_closely(server, [str(docs), str(config)])

    assert POLLING_SECONDS == 0.2
    assert server.observer.timeout == POLLING_SECONDS
    watches = {(e.watch.path, e.watch.is_recursive) for e in server.observer.emitters}
    assert watches == mkdocs_watches
    # By polling, as MkDocs does, not by the system's change notices.
    assert type(server.observer).__name__ == "PollingObserver"
