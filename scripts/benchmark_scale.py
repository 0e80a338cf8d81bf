"""The build as the site grows: 1x, 10x and 50x copies of the site, against budget.toml.
Prints the figures and writes them, with the date, the commit and the machine, to
benchmarks/scale.md (replaced on each run).

Each copy is the project with its five topic pages copied under new names until
it has 8 pages per step of scale, and its glossary terms copied 5x (at 10x) and
20x (at 50x). Every build runs in a process of its own into an empty folder; the
copy's `.cache` (compiled templates and cards, decisions/047) is kept between
its builds, as between an editor's, so the first build of each copy is the cold
one. A plain Material configuration of the same pages (Material's search, no
hooks, no glossary extension) is the yardstick. The two are built in turns,
seven times each: each site-only build is compared with the plain build right
after it, and the ratio is the median of those seven ratios. On a shared
machine whose speed drifts from minute to minute, a pair run back to back sees
the same machine; the medians of the two sets of times do not.

Usage: python scripts/benchmark_scale.py [SCALE ...]   (default: 1 10 50)
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import benchmark_report
import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
BUDGET = tomllib.loads((ROOT / "scripts" / "budget.toml").read_text(encoding="utf-8"))["scale"]
SCALES = (1, 10, 50)
SCALE_FILE = "scale.md"  # under benchmarks/, replaced on each run
TOPICS = ("allyship", "coalitions", "intersectionality", "solidarity", "conclusion")
TERM_COPIES = {1: 1, 10: 5, 50: 20}  # other scales: two copies for every five steps
PAGES_PER_SCALE = 8
# A copy outside git has no last commit to date the PDF by.
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
PYTHON = sys.executable


@dataclass
class Run:
    seconds: float
    peak_mib: float  # the largest single process
    cpu_seconds: float  # user + system, its worker processes included: less hurt by a busy machine
    all_processes_mib: float = 0.0  # the process and its descendants together, sampled


@dataclass
class Figures:
    scale: int
    pages: int
    terms: int
    site_only: Run
    plain: Run
    full: Run
    pdf: Run
    pdf_mb: float
    pdf_pages: int
    index_kib: float
    plain_index_kib: float
    reload_seconds: float
    rebuild_seconds: float
    # Each site-only build's time over the plain build's right after it.
    pair_ratios: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        """Site-only over plain Material: the median of the pairs' ratios (or, given
        no pairs, of the medians)."""
        if self.pair_ratios:
            return statistics.median(self.pair_ratios)
        return self.site_only.seconds / self.plain.seconds

    @property
    def mb_per_100_pages(self) -> float:
        return self.pdf_mb / self.pdf_pages * 100


def scaled_copy(scale: int, folder: Path) -> tuple[Path, int, int]:
    """A copy of the project at `scale`; returns its folder, page and term counts."""
    project = folder / "project"
    for name in ("docs", "overrides", "src"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if not re.search(r"^nav:\n(  - .*\n)+\Z", config, re.MULTILINE):
        raise SystemExit("mkdocs.yml: the benchmark expects `nav:` as its last section.")
    docs = project / "docs"
    extra_pages = PAGES_PER_SCALE * (scale - 1)
    for number in range(extra_pages):
        topic = TOPICS[number % len(TOPICS)]
        copy = f"{topic}-{number // len(TOPICS) + 2}"
        text = (docs / f"{topic}.md").read_text(encoding="utf-8")
        title = re.search(r"^title: (.*)$", text, re.MULTILINE).group(1)
        shown = f"{title} {number // len(TOPICS) + 2}"
        text = text.replace(f"title: {title}", f"title: {shown}", 1)
        (docs / f"{copy}.md").write_text(text, encoding="utf-8")
        config += f"  - {shown}: {copy}.md\n"
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    glossary = yaml.safe_load((docs / "glossary.yml").read_text(encoding="utf-8"))
    originals = glossary["terms"]
    copies = [
        {"id": f"{t['id']}-{n}", "term": f"{t['term']} {n}", "definition": t["definition"],
         "matches": [f"{m} {n}" for m in t.get("matches", [t["term"]])]}
        for n in range(2, TERM_COPIES.get(scale, max(1, scale * 2 // 5)) + 1) for t in originals
    ]  # fmt: skip
    glossary["terms"] = sorted(originals + copies, key=lambda t: t["term"].casefold())
    (docs / "glossary.yml").write_text(yaml.safe_dump(glossary, sort_keys=False), "utf-8")
    write_plain_config(project)
    return project, PAGES_PER_SCALE + extra_pages, len(glossary["terms"])


def write_plain_config(project: Path) -> None:
    """Material with its defaults and the same pages and Markdown, minus our additions."""
    ours = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    extensions = [e for e in ours["markdown_extensions"] if e != "bridges.extensions.glossary"]
    plain = {
        "site_name": ours["site_name"],
        "site_url": "https://building-bridges.github.io/",
        "docs_dir": "docs",
        "exclude_docs": ours["exclude_docs"],
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
        "markdown_extensions": extensions,
        "nav": ours["nav"],
    }
    (project / "mkdocs-plain.yml").write_text(yaml.safe_dump(plain), encoding="utf-8")


# Runs a command and reports its peak memory and CPU time. A small process of its
# own, because Linux keeps a process's peak across fork and exec: measured from
# this one, every build would count the benchmark's own memory.
RUSAGE_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"\\nrusage {wall} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(code)
"""


def timed(command: list[str], cwd: Path, all_processes: bool = False) -> Run:
    """Wall time, peak resident memory and CPU time of one command (its workers
    included). With `all_processes`, also the most memory its processes held at
    once, sampled every 20 ms: that sampling reads /proc for each process and costs
    a build of several processes CPU time on a small machine, so the timed
    comparisons (site-only and plain) run without it."""
    process = subprocess.Popen(
        [PYTHON, "-c", RUSAGE_WRAPPER, *command],
        cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    peak = [0.0]
    sampler = threading.Thread(target=_sample_memory, args=(process, peak), daemon=True)
    if all_processes:
        sampler.start()
    output, _ = process.communicate()
    if all_processes:
        sampler.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{output}")
    _, seconds, peak_kib, cpu = output.strip().rsplit("\n", 1)[-1].split()
    return Run(float(seconds), int(peak_kib) / 1024, float(cpu), peak[0])


def _sample_memory(process: subprocess.Popen, peak: list[float]) -> None:
    """The most memory `process` and its descendants held at once, every 20 ms."""
    while process.poll() is None:
        peak[0] = max(peak[0], tree_memory_mib(process.pid))
        time.sleep(0.02)


def tree_memory_mib(root: int) -> float:
    """Proportional set size of `root` and its descendants: the memory a forked
    process shares with its parent is counted once, as the machine holds it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        if found := re.search(r"^Pss:\s+(\d+)", rollup, re.MULTILINE):
            total += int(found.group(1))
    return total / 1024


def runs_in_turns(commands: list[tuple[list[str], Path]], cwd: Path, runs: int) -> list[list[Run]]:
    """For each (command, target): `runs` clean runs into an empty `target`. The
    commands take turns, so that a busier moment of the machine falls on each
    alike rather than on one command's runs."""
    results: list[list[Run]] = [[] for _ in commands]
    for _ in range(runs):
        for (command, target), found in zip(commands, results, strict=True):
            shutil.rmtree(target, ignore_errors=True)
            found.append(timed([*command, str(target)], cwd))
    return results


def median_of(results: list[Run]) -> Run:
    middle = statistics.median(r.seconds for r in results)
    return next(r for r in results if r.seconds == middle)


def live_reload_seconds(project: Path, page: str, edits: int = 3) -> tuple[float, float]:
    """Medians of the time from saving an edited page to `mkdocs serve` reloading
    browsers, and of the rebuild alone (from "Building documentation" to "Reloading
    browsers"; MkDocs does not repeat a "Documentation built in" line it printed
    before). The difference is mostly the file polling (every 0.2 s, set by
    `bridges.engine.serving`) and MkDocs' 0.1 s wait for more edits."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [PYTHON, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(server, lines), daemon=True).start()
    try:
        wait_for_line(lines, "Serving on")
        times, rebuilds = [], []
        source = project / "docs" / page
        for number in range(edits):
            text = source.read_text(encoding="utf-8")
            start = time.perf_counter()
            source.write_text(text + f"\nEdited for the benchmark ({number}).\n", "utf-8")
            wait_for_line(lines, "Building documentation")
            building = time.perf_counter()
            wait_for_line(lines, "Reloading browsers")
            times.append(time.perf_counter() - start)
            rebuilds.append(time.perf_counter() - building)
        return statistics.median(times), statistics.median(rebuilds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _read_lines(process: subprocess.Popen, lines: queue.Queue[str | None]) -> None:
    for line in process.stderr:
        lines.put(line)
    lines.put(None)


def wait_for_line(lines: queue.Queue[str | None], text: str, seconds: float = 300) -> str:
    """The first line of `mkdocs serve` holding `text`; stops the benchmark with what
    serve said instead if it fails, ends, or is silent for `seconds`."""
    seen = []
    while True:
        try:
            line = lines.get(timeout=seconds)
        except queue.Empty:
            silent = f"mkdocs serve said nothing for {seconds:.0f} s:\n"
            raise SystemExit(silent + "".join(seen)) from None
        if line is None:
            raise SystemExit("mkdocs serve stopped:\n" + "".join(seen))
        seen.append(line)
        if "ERROR" in line or "Aborted" in line:
            raise SystemExit("mkdocs serve failed:\n" + "".join(seen))
        if text in line:
            return line


def measure(scale: int, runs: int) -> Figures:
    with tempfile.TemporaryDirectory(prefix=f"bb-scale-{scale}x-") as temporary:
        folder = Path(temporary)
        project, pages, terms = scaled_copy(scale, folder)
        build = [PYTHON, "-m", "bridges.build"]
        plain_build = [PYTHON, "-m", "mkdocs", "build", "--quiet", "-f", "mkdocs-plain.yml", "-d"]
        site_only_runs, plain_runs = runs_in_turns(
            [([*build, "--site-only"], folder / "site-only"), (plain_build, folder / "plain")],
            project, runs,
        )  # fmt: skip
        site_only, plain = median_of(site_only_runs), median_of(plain_runs)
        full = timed([*build, str(folder / "full")], project, all_processes=True)
        pdf_only = "from bridges.pipeline.pdf import pdf_from_built_site as p; "
        pdf_only += "p('mkdocs.yml', sys.argv[1])"
        pdf = timed([PYTHON, "-c", f"import sys; {pdf_only}", str(folder / "full")], project,
                    all_processes=True)  # fmt: skip
        pdf_file = folder / "full" / "building-bridges.pdf"
        reload, rebuild = live_reload_seconds(project, "about.md")
        return Figures(
            scale=scale, pages=pages, terms=terms, site_only=site_only, plain=plain, full=full,
            pdf=pdf, pdf_mb=pdf_file.stat().st_size / 1e6,
            pdf_pages=len(PdfReader(pdf_file).pages),
            index_kib=(folder / "site-only/search/search_index.json").stat().st_size / 1024,
            plain_index_kib=(folder / "plain/search/search_index.json").stat().st_size / 1024,
            reload_seconds=reload, rebuild_seconds=rebuild,
            pair_ratios=tuple(
                ours.seconds / theirs.seconds
                for ours, theirs in zip(site_only_runs, plain_runs, strict=True)
            ),
        )  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One figure of the scale table: its label, its cell for each scale and,
    where it has one, its budget."""

    label: str
    cell: Callable[[Figures], str]
    budget: str = ""


def rows() -> list[Row]:
    ratio = f"{BUDGET['site_only_ratio']:g} (stretch {BUDGET['site_only_ratio_stretch']:g})"
    peak = f"{BUDGET['full_build_peak_mib']:g} at 50x"
    return [
        Row("pages / glossary terms", lambda r: f"{r.pages} / {r.terms}"),
        Row("site-only build (s)", lambda r: f"{r.site_only.seconds:.2f}"),
        Row("plain Material build (s)", lambda r: f"{r.plain.seconds:.2f}"),
        Row("ratio, site-only / Material", lambda r: f"{r.ratio:.2f}", ratio),
        Row("CPU time, site-only / Material (s)",
            lambda r: f"{r.site_only.cpu_seconds:.2f} / {r.plain.cpu_seconds:.2f}"),
        Row("peak memory, site-only / Material (MiB)",
            lambda r: f"{r.site_only.peak_mib:.0f} / {r.plain.peak_mib:.0f}"),
        Row("full build (s)", lambda r: f"{r.full.seconds:.2f}"),
        Row("full build, largest process (MiB)", lambda r: f"{r.full.peak_mib:.0f}", peak),
        Row("full build, all processes at once (MiB)",
            lambda r: f"{r.full.all_processes_mib:.0f}", peak),
        Row("PDF alone (s)", lambda r: f"{r.pdf.seconds:.2f}"),
        Row("PDF alone, peak memory (MiB)", lambda r: f"{r.pdf.peak_mib:.0f}"),
        Row("PDF size (MB) / pages", lambda r: f"{r.pdf_mb:.2f} / {r.pdf_pages}"),
        Row("PDF MB per 100 pages", lambda r: f"{r.mb_per_100_pages:.2f}",
            f"{BUDGET['pdf_mb_per_100_pages']:g}"),
        Row("search index, ours / Material (KiB)",
            lambda r: f"{r.index_kib:.0f} / {r.plain_index_kib:.0f}"),
        Row("live reload after one edit (s)", lambda r: f"{r.reload_seconds:.2f}",
            f"{BUDGET['live_reload_seconds']:g} at 1x"),
        Row("live reload, of which the rebuild (s)", lambda r: f"{r.rebuild_seconds:.2f}"),
    ]  # fmt: skip


def table(results: list[Figures]) -> list[str]:
    """The scale table as printed: a column for each scale, the budget last."""
    lines = [f"{'':<40}" + "".join(f"{f'{r.scale}x':>18}" for r in results) + "   budget"]
    for row in rows():
        cells = "".join(f"{row.cell(r):>18}" for r in results)
        lines.append(f"{row.label:<40}{cells}   {row.budget}".rstrip())
    return lines


def stretch_met(results: list[Figures]) -> bool:
    return all(r.ratio <= BUDGET["site_only_ratio_stretch"] for r in results)


def markdown(results: list[Figures], runs: int, provenance: benchmark_report.Provenance) -> str:
    """benchmarks/scale.md: the scale table and the verdicts, with the budget beside
    each figure and where the figures come from."""
    scales = ", ".join(f"{r.scale}x" for r in results)
    figures = benchmark_report.markdown_table(
        ["figure", *(f"{r.scale}x" for r in results), "budget"],
        [[row.label, *(row.cell(r) for r in results), row.budget] for row in rows()],
    )
    checks = benchmark_report.markdown_table(
        ["figure", "measured", "budget", "verdict"],
        [[label, shown, limit, "ok" if ok else "OVER"]
         for label, shown, limit, ok in verdicts(results)],
    )  # fmt: skip
    stretch = BUDGET["site_only_ratio_stretch"]
    return benchmark_report.document(
        "The build as the site grows",
        "./scripts/benchmark --scale",
        provenance,
        [
            ["## Figures", "",
             f"Clean builds of copies of the site at {scales}, each in a process of its own; "
             f"the site-only and plain Material builds take turns, {runs} each, and the "
             "times are their medians. The ratio is the median of the ratios of the "
             "pairs run back to back (a site-only build and the plain build after it). "
             'A budget "at 50x" or "at 1x" applies at that scale only.',
             "", *figures],
            ["## Against the budget", "", *checks, "",
             f"Stretch goal, site-only within {stretch:g}x of plain Material at every scale: "
             f"{'met' if stretch_met(results) else 'not met'}."],
        ],
    )  # fmt: skip


def verdicts(results: list[Figures]) -> list[tuple[str, str, str, bool]]:
    """(figure, measured, budget, within budget) for every scale budget."""

    def check(label: str, value: float, budget: str, digits: int = 2):
        return label, f"{value:.{digits}f}", f"{BUDGET[budget]:g}", value <= BUDGET[budget]

    checks = []
    for r in results:
        checks.append(check(f"{r.scale}x site-only / plain Material", r.ratio, "site_only_ratio"))
        checks.append(check(f"{r.scale}x PDF MB per 100 pages", r.mb_per_100_pages,
                            "pdf_mb_per_100_pages"))  # fmt: skip
        if r.scale == 1:
            checks.append(check("1x live reload (s)", r.reload_seconds, "live_reload_seconds"))
        if r.scale == 50:
            checks.append(check("50x full build, largest process (MiB)", r.full.peak_mib,
                                "full_build_peak_mib", digits=0))  # fmt: skip
            together = r.full.all_processes_mib
            checks.append(check("50x full build, all processes (MiB)", together,
                                "full_build_peak_mib", digits=0))  # fmt: skip
    return checks


def main(scales: tuple[int, ...] = SCALES, runs: int = 7) -> int:
    """Prints the scale table and budget verdicts and writes them to
    benchmarks/scale.md; returns how many are over budget."""
    results = []
    for scale in scales:
        print(f"Measuring the site at {scale}x ...", file=sys.stderr, flush=True)
        results.append(measure(scale, runs))
    print("\nThe build as the site grows (clean builds, each in its own process):")
    print("\n".join(table(results)))
    print(f"\n{'scale budget':<40} {'measured':>9} {'budget':>7}")
    over = 0
    for label, shown, limit, ok in verdicts(results):
        over += not ok
        print(f"{label:<40} {shown:>9} {limit:>7}  {'ok' if ok else 'OVER'}")
    stretch = BUDGET["site_only_ratio_stretch"]
    print(f"stretch goal, site-only within {stretch:g}x of Material at every scale: "
          f"{'met' if stretch_met(results) else 'not met'}")  # fmt: skip
    figures = markdown(results, runs, benchmark_report.this_run())
    written = benchmark_report.write(SCALE_FILE, figures)
    print(f"Written to {written.relative_to(ROOT)}.")
    return over


if __name__ == "__main__":
    chosen = tuple(int(a) for a in sys.argv[1:] if a.isdigit()) or SCALES
    main(chosen)
