"""Measures the site against scripts/budget.toml and prints one table.

Build time is the median of three strict builds (the PDF included). Each page's
first view is loaded in Chromium from a local server: every response until the
network is idle counts, at its gzipped size (level 6, as web servers send it).
Then the scale section (scripts/benchmark_scale.py): the build at 1x, 10x and
50x the site. `--scale` runs only that section.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from contextlib import contextmanager
from pathlib import Path

import benchmark_scale
from playwright.sync_api import Browser, sync_playwright

from bridges.build import build_site
from bridges.pdf import pdf_from_built_site

ROOT = Path(__file__).resolve().parent.parent
BUDGET = tomllib.loads((ROOT / "scripts" / "budget.toml").read_text(encoding="utf-8"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def timed_builds(site: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build_site(site)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(site: Path):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def first_view(
    browser: Browser, base: str, path: str
) -> tuple[float, int, int, list[tuple[str, float]]]:
    """(gzipped KB, requests, third-party requests, KB by file) of one page's first view."""
    context = browser.new_context()
    page = context.new_page()
    local, outside = [], []

    def route(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("response", lambda response: local.append(response))
    page.goto(base + path, wait_until="networkidle")
    files = [
        (response.url.removeprefix(base), len(gzip.compress(response.body(), 6)) / 1024)
        for response in local
        if response.ok
    ]
    context.close()
    return sum(kb for _, kb in files), len(local) + len(outside), len(outside), files


def lighthouse_scores(url: str) -> dict[str, float] | None:
    """Mobile category scores of `url`, or None where Lighthouse is not installed."""
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [binary, url, "--quiet", "--output=json", f"--output-path={report}",
             f"--chrome-flags={' '.join(CHROMIUM_ARGS)}"],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            check=True, timeout=300,
        )  # fmt: skip
        categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name.replace("-", "_"): c["score"] * 100 for name, c in categories.items()}


def row(label: str, value: float, limit: float, shown: str) -> tuple[str, str, str, str]:
    return label, shown, f"{limit:g}", "ok" if value <= limit else "OVER"


def main() -> int:
    if "--scale" in sys.argv[1:]:
        benchmark_scale.main()
        return 0
    site = Path(tempfile.mkdtemp(prefix="bb-benchmark-")) / "site"
    rows = [row("build time, median of 3 (s)", seconds := timed_builds(site),
                BUDGET["build"]["seconds"], f"{seconds:.2f}")]  # fmt: skip
    start = time.perf_counter()
    pdf = pdf_from_built_site(site_dir=str(site))
    pdf_seconds = time.perf_counter() - start
    rows.append(row("PDF time, on its own (s)", pdf_seconds, BUDGET["pdf"]["seconds"],
                    f"{pdf_seconds:.2f}"))  # fmt: skip
    size_mb = pdf.stat().st_size / 1024 / 1024
    rows.append(row("PDF size (MB)", size_mb, BUDGET["pdf"]["size_mb"], f"{size_mb:.2f}"))
    page_budget = BUDGET["page"]
    paths = sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html"))
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        breakdown: list[tuple[str, float]] = []
        for path in (p.removeprefix("./") for p in paths):
            kb, requests, outside, files = first_view(browser, base, path)
            breakdown = breakdown or files
            rows += [
                row(f"/{path} first view (KB gz)", kb, page_budget["transfer_kb"], f"{kb:.1f}"),
                row(f"/{path} requests", requests, page_budget["requests"], str(requests)),
                row(f"/{path} third-party requests", outside,
                    page_budget["third_party_requests"], str(outside)),
            ]  # fmt: skip
        browser.close()
        scores = lighthouse_scores(base)
    if scores is None:
        rows.append(("Lighthouse", "not installed", "", "(needs Node.js and npm)"))
    for category, limit in BUDGET["lighthouse"].items() if scores else ():
        # A score is over budget when it falls short of its target.
        verdict = "ok" if scores[category] >= limit else "OVER"
        rows.append((f"Lighthouse mobile, home: {category}", f"{scores[category]:.0f}",
                     f"{limit}", verdict))  # fmt: skip
    print(f"{'figure':<44} {'measured':>9} {'budget':>7}")
    for label, shown, limit, verdict in rows:
        print(f"{label:<44} {shown:>9} {limit:>7}  {verdict}")
    print("\nFirst view of the home page, by file (KB gzipped):")
    for name, kb in sorted(breakdown, key=lambda item: -item[1]):
        print(f"  {kb:6.1f}  /{name}")
    over = sum(verdict == "OVER" for *_, verdict in rows)
    print(f"\n{over} figure(s) over budget.")
    benchmark_scale.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
