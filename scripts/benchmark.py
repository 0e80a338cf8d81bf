"""Measures the site against scripts/budget.toml, prints one table and writes it,
with the date, the commit and the machine, to benchmarks/site.md.

Build time is the median of three strict builds (the PDF included). Each page's
first view is loaded in Chromium from a local server that gzips text as hosts
do (level 6): every response until the network is idle counts, at the size it
travelled (its raw size is printed beside it). Lighthouse scores are the median
of three mobile runs on the home page and one chapter, served the same way.
Then the scale section (scripts/benchmark_scale.py): the build at 1x, 10x and
50x the site, written to benchmarks/scale.md. `--scale` runs only that section.
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
from dataclasses import dataclass
from pathlib import Path

import benchmark_report
import benchmark_scale
from playwright.sync_api import Browser, sync_playwright

from bridges.build import build_site
from bridges.pipeline.epub import epub_from_built_site
from bridges.pipeline.pdf import pdf_from_built_site

ROOT = Path(__file__).resolve().parent.parent
BUDGET = tomllib.loads((ROOT / "scripts" / "budget.toml").read_text(encoding="utf-8"))
LIGHTHOUSE_PAGES = ["", "allyship/"]
SITE_FILE = "site.md"  # under benchmarks/, replaced on each run
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


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves text gzipped to clients that accept it, as web hosts do."""

    COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        path = path / "index.html" if path.is_dir() else path
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and kind.startswith(self.COMPRESSED)):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(site: Path):
    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@dataclass
class FirstView:
    files: list[tuple[str, float, float]]  # (path, KiB travelled, KiB raw)
    requests: int
    outside: int

    @property
    def kib(self) -> float:
        return sum(travelled for _, travelled, _ in self.files)

    @property
    def raw_kib(self) -> float:
        return sum(raw for _, _, raw in self.files)


def first_view(browser: Browser, base: str, path: str) -> FirstView:
    """What one page's first view loads, by file, before the reader does anything."""
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
    page.on("requestfinished", lambda request: local.append(request))
    page.goto(base + path, wait_until="networkidle")
    files = []
    for request in local:
        response = request.response()
        if response and response.ok:
            travelled = request.sizes()["responseBodySize"]
            files.append(
                (request.url.removeprefix(base), travelled / 1024, len(response.body()) / 1024)
            )
    context.close()
    return FirstView(files, len(local) + len(outside), len(outside))


def lighthouse_scores(url: str, runs: int = 3) -> dict[str, float] | None:
    """Median mobile category scores of `url` over `runs` runs, or None where
    Lighthouse is not installed."""
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return None
    scores: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        for _ in range(runs):
            subprocess.run(
                [binary, url, "--quiet", "--output=json", f"--output-path={report}",
                 f"--chrome-flags={' '.join(CHROMIUM_ARGS)}"],
                env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
                check=True, timeout=300,
            )  # fmt: skip
            categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
            for name, category in categories.items():
                scores.setdefault(name.replace("-", "_"), []).append(category["score"] * 100)
    return {name: statistics.median(values) for name, values in scores.items()}


def row(label: str, value: float, limit: float, shown: str) -> tuple[str, str, str, str]:
    return label, shown, f"{limit:g}", "ok" if value <= limit else "OVER"


def over_budget(rows: list[tuple[str, str, str, str]]) -> int:
    return sum(verdict == "OVER" for *_, verdict in rows)


def shown_by_file(views: dict[str, FirstView]) -> list[str]:
    """The pages whose first view is broken down by file: home and the heaviest."""
    heaviest = max(views, key=lambda path: views[path].kib)
    return list(dict.fromkeys(["", heaviest]))


def by_size(view: FirstView) -> list[tuple[str, float, float]]:
    return sorted(view.files, key=lambda item: -item[1])


def markdown(
    rows: list[tuple[str, str, str, str]],
    views: dict[str, FirstView],
    provenance: benchmark_report.Provenance,
) -> str:
    """benchmarks/site.md: every figure beside its budget, then the first view of
    the home page and of the heaviest page by file."""
    sections = [
        ["## Against the budget", "",
         "Build time is the median of three strict builds, the PDF included. Each page's "
         "first view is loaded in Chromium from a local server that gzips text at level 6, "
         "as hosts do; Lighthouse scores are the median of three mobile runs. A Lighthouse "
         "score's budget is its least, every other budget its most.",
         "", *benchmark_report.markdown_table(["figure", "measured", "budget", "verdict"], rows),
         "", f"{over_budget(rows)} figure(s) over budget."],
    ]  # fmt: skip
    for path in shown_by_file(views):
        view = views[path]
        files = [[f"`/{name}`", f"{travelled:.1f}", f"{raw:.1f}"]
                 for name, travelled, raw in by_size(view)]  # fmt: skip
        total = f"**first view of /{path}**", f"**{view.kib:.1f}**", f"**{view.raw_kib:.1f}**"
        table = benchmark_report.markdown_table(["file", "KiB gzipped", "KiB raw"], [*files, total])
        sections.append([f"## First view of /{path}, by file", "", *table])
    return benchmark_report.document("The site against its budget", "./scripts/benchmark",
                                     provenance, sections)  # fmt: skip


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
    start = time.perf_counter()
    epub = epub_from_built_site(site_dir=str(site))
    epub_seconds = time.perf_counter() - start
    rows.append(row("EPUB time, on its own (s)", epub_seconds, BUDGET["epub"]["seconds"],
                    f"{epub_seconds:.2f}"))  # fmt: skip
    epub_kb = epub.stat().st_size / 1024
    rows.append(row("EPUB size (KB)", epub_kb, BUDGET["epub"]["size_kb"], f"{epub_kb:.1f}"))
    page_budget = BUDGET["page"]
    paths = sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html"))
    views: dict[str, FirstView] = {}
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for path in (p.removeprefix("./") for p in paths):
            view = views[path] = first_view(browser, base, path)
            rows += [
                row(f"/{path} first view (KiB gz)", view.kib, page_budget["transfer_kib"],
                    f"{view.kib:.1f}"),
                (f"/{path} first view, raw (KiB)", f"{view.raw_kib:.1f}", "", ""),
                row(f"/{path} requests", view.requests, page_budget["requests"],
                    str(view.requests)),
                row(f"/{path} third-party requests", view.outside,
                    page_budget["third_party_requests"], str(view.outside)),
            ]  # fmt: skip
        browser.close()
        scores = {page: lighthouse_scores(base + page) for page in LIGHTHOUSE_PAGES}
    for page, page_scores in scores.items():
        if page_scores is None:
            rows.append(("Lighthouse", "not installed", "", "(needs Node.js and npm)"))
            break
        for category, limit in BUDGET["lighthouse"].items():
            # A score is over budget when it falls short of its target.
            verdict = "ok" if page_scores[category] >= limit else "OVER"
            rows.append((f"Lighthouse mobile, /{page}: {category}",
                         f"{page_scores[category]:.0f}", f"{limit}", verdict))  # fmt: skip
    print(f"{'figure':<48} {'measured':>9} {'budget':>7}")
    for label, shown, limit, verdict in rows:
        print(f"{label:<48} {shown:>9} {limit:>7}  {verdict}")
    for path in shown_by_file(views):
        print(f"\nFirst view of /{path}, by file (KiB gzipped, raw):")
        for name, travelled, raw in by_size(views[path]):
            print(f"  {travelled:6.1f} {raw:6.1f}  /{name}")
    print(f"\n{over_budget(rows)} figure(s) over budget.")
    figures = markdown(rows, views, benchmark_report.this_run())
    written = benchmark_report.write(SITE_FILE, figures)
    print(f"Written to {written.relative_to(ROOT)}.")
    benchmark_scale.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
