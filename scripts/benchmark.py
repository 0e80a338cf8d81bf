"""Measures the site against scripts/budget.toml and prints one table.

Build time is the median of three strict builds. Each page's first view is
loaded in Chromium from a local server; every response before the network goes
idle counts, at its gzipped size (level 6, as web servers commonly send it).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import statistics
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

from bridges.build import build_site

ROOT = Path(__file__).resolve().parent.parent
BUDGET = tomllib.loads((ROOT / "scripts" / "budget.toml").read_text(encoding="utf-8"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PDF_NAME = "building-bridges.pdf"


def timed_builds(runs: int = 3) -> tuple[float, Path]:
    times = []
    site = Path(tempfile.mkdtemp(prefix="bb-bench-")) / "site"
    for _ in range(runs):
        start = time.perf_counter()
        build_site(site)
        times.append(time.perf_counter() - start)
    return statistics.median(times), site


def page_paths(site: Path) -> list[str]:
    return sorted(
        str(p.parent.relative_to(site)).replace(".", "") + "/" for p in site.rglob("index.html")
    )


def first_views(site: Path) -> list[tuple[str, float, int, int]]:
    """(page, gzipped KB, requests, third-party requests) for each page."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for path in page_paths(site):
            context = browser.new_context()
            page = context.new_page()
            responses = []
            page.on("response", responses.append)
            outside = []
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(base)
                    else (outside.append(route.request.url), route.abort())
                ),
            )
            page.goto(base + "/" + path.lstrip("/"), wait_until="networkidle")
            size = sum(len(gzip.compress(r.body(), 6)) for r in responses if r.ok)
            rows.append((path, size / 1024, len(responses) + len(outside), len(outside)))
            context.close()
        browser.close()
    server.shutdown()
    return rows


def mark(value: float, limit: float) -> str:
    return "ok" if value <= limit else "OVER"


def main() -> int:
    build_seconds, site = timed_builds()
    lines = [("figure", "measured", "budget", ""), ("-" * 34, "-" * 10, "-" * 8, "-" * 4)]
    lines.append(
        (
            "build time, median of 3 (s)",
            f"{build_seconds:.2f}",
            f"{BUDGET['build']['seconds']:.1f}",
            mark(build_seconds, BUDGET["build"]["seconds"]),
        )
    )
    pdf = site / PDF_NAME
    if pdf.exists():
        size_mb = pdf.stat().st_size / 1024 / 1024
        lines.append(
            (
                "PDF size (MB)",
                f"{size_mb:.2f}",
                f"{BUDGET['pdf']['size_mb']:.1f}",
                mark(size_mb, BUDGET["pdf"]["size_mb"]),
            )
        )
    else:
        lines.append(("PDF", "not built yet", "", ""))
    limits = BUDGET["page"]
    over = sum(1 for row in lines if row[3] == "OVER")
    for path, kb, requests, outside in first_views(site):
        for label, value, limit, shown in (
            (f"/{path.lstrip('/')} first view (KB gz)", kb, limits["transfer_kb"], f"{kb:.1f}"),
            (f"/{path.lstrip('/')} requests", requests, limits["requests"], str(requests)),
            (
                f"/{path.lstrip('/')} third-party requests",
                outside,
                limits["third_party_requests"],
                str(outside),
            ),
        ):
            verdict = mark(value, limit)
            over += verdict == "OVER"
            lines.append((label, shown, str(limit), verdict))
    for row in lines:
        print(f"{row[0]:<44} {row[1]:>13} {row[2]:>8}  {row[3]}")
    print(f"\n{over} figure(s) over budget.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
