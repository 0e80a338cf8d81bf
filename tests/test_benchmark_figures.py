"""Benchmark figures are written by the benchmark, not by hand: each run replaces
benchmarks/site.md and benchmarks/scale.md with Markdown tables, the budget beside
each figure, and says when, at which commit and on which machine it measured.
CONTRIBUTING.md links to those files and quotes no figures of its own.

No benchmark runs here: the writers are given figures."""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BIN = Path(sys.executable).parent


def script(name: str):
    """A module of scripts/, imported as the benchmark imports it."""
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    return importlib.import_module(name)


benchmark = script("benchmark")
benchmark_report = script("benchmark_report")
benchmark_scale = script("benchmark_scale")

GIVEN_RUN = benchmark_report.Provenance(
    measured="2026-12-07 18:00 UTC",
    commit="94b8e8f0a1b2",
    machine=benchmark_report.Machine(cores=2, cpu="Example CPU @ 2.20GHz"),
)
GIVEN_SCALE_BUDGET = {
    "site_only_ratio": 2.0,
    "site_only_ratio_stretch": 1.5,
    "full_build_peak_mib": 300,
    "pdf_mb_per_100_pages": 1.0,
    "live_reload_seconds": 1.0,
}


def figures_at(scale: int, site_only: float, plain: float, full_peak: float = 111):
    Run = benchmark_scale.Run
    return benchmark_scale.Figures(
        scale=scale, pages=8 * scale, terms=24 * scale,
        site_only=Run(site_only, 62, site_only + 0.2), plain=Run(plain, 40, plain),
        full=Run(2.37 * scale, full_peak, 3.1 * scale, full_peak + 3),
        pdf=Run(1.47 * scale, 112, 1.4 * scale),
        pdf_mb=0.1 * scale, pdf_pages=16 * scale, index_kib=17 * scale,
        plain_index_kib=9 * scale, reload_seconds=0.5, rebuild_seconds=0.33,
    )  # fmt: skip


@pytest.fixture
def scale_budget(monkeypatch):
    monkeypatch.setattr(benchmark_scale, "BUDGET", GIVEN_SCALE_BUDGET)


def table_rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row in `text`."""
    return [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        for line in text.splitlines()
        if line.startswith("|")
    ]


# The scale figures ----------------------------------------------------------------


def test_the_scale_file_has_a_column_per_scale_and_the_budget_beside_each_figure(scale_budget):
    text = benchmark_scale.markdown([figures_at(1, 0.71, 0.38), figures_at(50, 7.08, 4.04)],
                                    runs=5, provenance=GIVEN_RUN)  # fmt: skip
    rows = table_rows(text)
    assert ["figure", "1x", "50x", "budget"] in rows
    assert ["site-only build (s)", "0.71", "7.08", ""] in rows
    assert ["plain Material build (s)", "0.38", "4.04", ""] in rows
    assert ["ratio, site-only / Material", "1.87", "1.75", "2 (stretch 1.5)"] in rows
    assert ["PDF MB per 100 pages", "0.62", "0.62", "1"] in rows
    assert ["live reload after one edit (s)", "0.50", "0.50", "1 at 1x"] in rows


def test_the_scale_file_gives_each_budget_its_verdict(scale_budget):
    over = figures_at(50, 7.08, 4.04, full_peak=320)
    text = benchmark_scale.markdown([figures_at(1, 0.71, 0.38), over], 5, GIVEN_RUN)
    rows = table_rows(text)
    assert ["1x site-only / plain Material", "1.87", "2", "ok"] in rows
    assert ["50x full build, largest process (MiB)", "320", "300", "OVER"] in rows
    assert "Stretch goal, site-only within 1.5x of plain Material at every scale: not met." in text


def test_the_ratio_is_the_median_of_the_ratios_of_builds_run_back_to_back(scale_budget):
    # The machine slowed down halfway: the medians of the times (1.40 / 0.70) give 2.0,
    # but each site-only build took 1.6x the plain build run right after it.
    figures = dataclasses.replace(
        figures_at(10, 1.40, 0.70), pair_ratios=(1.6, 1.6, 1.6, 1.7, 1.5, 2.9, 1.6)
    )
    rows = table_rows(benchmark_scale.markdown([figures], 7, GIVEN_RUN))
    assert ["ratio, site-only / Material", "1.60", "2 (stretch 1.5)"] in rows
    assert ["10x site-only / plain Material", "1.60", "2", "ok"] in rows


def test_the_printed_scale_table_keeps_the_figures_and_budgets(scale_budget):
    printed = benchmark_scale.table([figures_at(1, 0.71, 0.38)])
    (ratio,) = [line for line in printed if line.startswith("ratio, site-only / Material")]
    assert ratio.split() == ["ratio,", "site-only", "/", "Material", "1.87", "2", "(stretch",
                             "1.5)"]  # fmt: skip


# The site figures -----------------------------------------------------------------


def given_views():
    FirstView = benchmark.FirstView
    return {
        "": FirstView([("", 5.6, 21.6), ("assets/site.css", 8.4, 43.2)], 3, 0),
        "glossary/": FirstView([("glossary/", 7.6, 30.0), ("assets/site.css", 8.4, 43.2)], 3, 0),
    }


def test_the_site_file_puts_each_figure_beside_its_budget_and_verdict():
    rows = [benchmark.row("build time, median of 3 (s)", 4.2, 10.0, "4.20"),
            benchmark.row("/ first view (KiB gz)", 26.0, 25.0, "26.0")]  # fmt: skip
    text = benchmark.markdown(rows, given_views(), GIVEN_RUN)
    cells = table_rows(text)
    assert ["figure", "measured", "budget", "verdict"] in cells
    assert ["build time, median of 3 (s)", "4.20", "10", "ok"] in cells
    assert ["/ first view (KiB gz)", "26.0", "25", "OVER"] in cells
    assert "1 figure(s) over budget." in text


def test_the_site_file_breaks_down_the_home_page_and_the_heaviest_by_file():
    text = benchmark.markdown([], given_views(), GIVEN_RUN)
    home, heaviest = text.split("## First view of /, by file")[1].split("## First view of")
    assert heaviest.startswith(" /glossary/, by file")
    assert ["`/assets/site.css`", "8.4", "43.2"] in table_rows(home)
    assert ["**first view of /**", "**14.0**", "**64.8**"] in table_rows(home)
    assert ["**first view of /glossary/**", "**16.0**", "**73.2**"] in table_rows(heaviest)


# Where and when -------------------------------------------------------------------


@pytest.mark.parametrize("write", ["site", "scale"])
def test_each_file_says_when_at_which_commit_and_on_which_machine(write, scale_budget):
    if write == "site":
        text = benchmark.markdown([], given_views(), GIVEN_RUN)
    else:
        text = benchmark_scale.markdown([figures_at(1, 0.71, 0.38)], 5, GIVEN_RUN)
    assert "- measured: 2026-12-07 18:00 UTC" in text
    assert "- commit: 94b8e8f0a1b2" in text
    assert "- machine: 2 cores, Example CPU @ 2.20GHz" in text


@pytest.mark.parametrize(
    ("cpuinfo", "model"),
    [
        ("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 85\n"
         "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n", "Intel(R) Xeon(R) CPU @ 2.20GHz"),
        ("processor\t: 0\nBogoMIPS\t: 108.00\n\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n",
         "Raspberry Pi 4 Model B Rev 1.4"),
        ("processor\t: 0\n", "unknown"),
    ],
)  # fmt: skip
def test_the_cpu_model_is_read_from_proc_cpuinfo(cpuinfo, model):
    assert benchmark_report.cpu_model(cpuinfo) == model


def test_a_run_names_the_commit_checked_out_and_this_machine():
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    run = benchmark_report.this_run()
    assert run.commit.startswith(head)
    assert run.machine.cores == os.cpu_count()
    assert run.measured.endswith(" UTC")


def test_a_pipe_in_a_figure_stays_in_its_cell():
    assert benchmark_report.markdown_table(["a", "b"], [["x | y", "1"]])[2] == "| x \\| y | 1 |"


def test_a_run_replaces_the_file_whole(tmp_path):
    benchmark_report.write("scale.md", "first run, with more lines\n" * 3, folder=tmp_path)
    benchmark_report.write("scale.md", "second run\n", folder=tmp_path)
    assert (tmp_path / "scale.md").read_text(encoding="utf-8") == "second run\n"
    assert [path.name for path in tmp_path.iterdir()] == ["scale.md"]


def test_the_written_files_pass_the_markdown_style(tmp_path, scale_budget):
    site = benchmark.markdown([benchmark.row("build (s)", 4.2, 10.0, "4.20")], given_views(),
                              GIVEN_RUN)  # fmt: skip
    scale = benchmark_scale.markdown([figures_at(1, 0.71, 0.38)], 5, GIVEN_RUN)
    files = [benchmark_report.write("site.md", site, tmp_path),
             benchmark_report.write("scale.md", scale, tmp_path)]  # fmt: skip
    result = subprocess.run([BIN / "pymarkdown", "--config", "pyproject.toml", "scan", *files],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# The developers' guide ------------------------------------------------------------


def contributing() -> str:
    return (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_contributing_links_to_the_written_figures():
    for name in (benchmark.SITE_FILE, benchmark_scale.SCALE_FILE):
        assert f"](benchmarks/{name})" in contributing(), name


def test_contributing_holds_no_hand_written_benchmark_table(scale_budget):
    # The first cells of the rows the benchmark writes, and its by-file column.
    written = [row.label for row in benchmark_scale.rows()]
    written += ["build time", "PDF time", "PDF size", "EPUB time", "EPUB size", "Lighthouse"]
    quoted = [
        " | ".join(cells) for cells in table_rows(contributing())
        if cells[0].startswith(tuple(written)) or {"KiB gz", "KiB gzipped"} & set(cells)
    ]  # fmt: skip
    assert not quoted, "figures belong in benchmarks/, written by ./scripts/benchmark"
