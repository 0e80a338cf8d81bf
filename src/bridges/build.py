"""Strict build into a temporary folder, then swapped into place.

Besides the pages (MkDocs, with the hooks, which also write the cache and
security headers), a full build makes the offline bundle's pages (a second
MkDocs build, for file://) and then the publications from the built pages: the
PDF and the EPUB, which join the bundle's zip. The two MkDocs builds run in a
process of their own (`python -m bridges.build --pages-step`, a plain
subprocess), so the memory their pages held (about 140 MiB at 50x the site) is
given back before WeasyPrint lays out the PDF. A failed build
leaves the previous site folder exactly as it was, so a broken page never
reaches readers half-written.

With --site-only, the publications (PDF, EPUB, offline bundle) are left out:
the pages alone, for quick checks, as `mkdocs serve` builds them.

Builds of one site folder take turns (an `fcntl` lock beside it). Ctrl-C, TERM and
HUP remove the temporary folder and end with one line; folders that a killed build
(SIGKILL, power loss) left behind are removed by the next build.

With --engine zensical, Zensical renders the pages instead of MkDocs, and the
same pipeline publishes them (`bridges.engine.zensical`).

Usage: python -m bridges.build [--site-only] [--engine mkdocs|zensical] [SITE_DIR]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bridges.processes import workers
from bridges.processes.stopping import (
    STOP_SIGNALS,
    Stopped,
    raise_if_stopped,
    stop_on_signals,
    uninterrupted,
)

# MkDocs and the publications are imported by the functions that use them: a
# spawned worker process first imports the module the build was started as (this
# one, with `python -m`), and needs none of them; importing them there would
# delay the worker's first task.
if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

# Material's offline plugin would load this shim from a CDN; we ship it instead.
IFRAME_WORKER = "assets/javascripts/vendor/iframe-worker-1.0.4.min.js"


ENGINES = ("mkdocs", "zensical")
# "resource_tracker: There appear to be 5 leaked semaphore objects to clean up at shutdown"
TRACKER_WARNING_FILTER = "ignore:resource_tracker:UserWarning"


def build_site(
    site_dir: Path,
    config_file: Path = Path("mkdocs.yml"),
    *,
    site_only: bool = False,
    engine: str = "mkdocs",
    debug: bool = False,
) -> None:
    """Builds the site strictly into `site_dir`, replacing it only on success."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(site_dir):
        _remove_leftovers(site_dir)
        if engine == "zensical":
            _build_with_zensical(site_dir, config_file, site_only)
        else:
            _build_and_swap(site_dir, config_file, site_only, debug)


def _build_with_zensical(site_dir: Path, config_file: Path, site_only: bool) -> None:
    """Zensical renders the pages; the same pipeline publishes them, and makes the
    PDF and the EPUB. No offline bundle: Zensical has no offline build here."""
    from bridges.engine.zensical import EngineProblems, build_pages
    from bridges.pipeline.publishing import publish_site

    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    try:
        site = build_pages(config_file, staging)
        if problems := publish_site(site):
            raise EngineProblems(problems)
        if not site_only:
            build_publications(site.config)
        _commit(staging, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _exclusive(site_dir: Path) -> Iterator[None]:
    """Holds a lock beside `site_dir` until the build is done; waits for one that runs."""
    lock_path = site_dir.with_name(f".{site_dir.name}.lock")
    with open(lock_path, "w", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Waiting for another build of {site_dir.name}/ to finish ...", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            # Unlocked by hand, not only by closing the file: a process started
            # during the build may hold a copy of it, which would keep the lock.
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_leftovers(site_dir: Path) -> None:
    """Temporary folders of builds that were killed before they could clean up."""
    # Safe under the lock: no other build of this site is running.
    for folder in site_dir.parent.glob(f".{site_dir.name}-new-*"):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(site_dir.with_name(f".{site_dir.name}-old"), ignore_errors=True)


def _build_and_swap(site_dir: Path, config_file: Path, site_only: bool, debug: bool) -> None:
    from mkdocs.config import load_config

    from bridges.pipeline.publish import OFFLINE_ZIP

    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    try:
        if site_only:
            workers.start()  # before the configuration is read: the hooks start them later
            config = load_config(str(config_file), site_dir=str(staging), strict=True)
            build_pages(config_file, config)
        else:
            config = load_config(str(config_file), site_dir=str(staging), strict=True)
            with tempfile.TemporaryDirectory(prefix="bb-offline-") as offline:
                _pages_in_a_process(config_file, staging, Path(offline), debug)
                raise_if_stopped()
                build_publications(config)
                raise_if_stopped()
                bundle_offline(config, Path(offline), staging / OFFLINE_ZIP)
        _commit(staging, site_dir)
    except BaseException:
        # Stopped, or failed: the exit is not held up by cards and scans nobody will use.
        workers.cancel_pending()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_pages(config_file: Path, config: MkDocsConfig, offline: Path | None = None) -> None:
    """The site's pages, and the offline bundle's if asked: the same site built for
    file:// (Material's offline plugin). Its preview cards (kept in memory by
    `bridges.pipeline.cards`) are the published site's, not drawn a second time."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(config)
    if offline is None:
        return
    extra = {**config.extra, "offline_bundle": True, "polyfills": [IFRAME_WORKER]}
    with _environment(BB_OFFLINE_BUNDLE="true"):
        offline_config = load_config(str(config_file), site_dir=str(offline), strict=True,
                                     extra=extra)  # fmt: skip
    build(offline_config)


def build_publications(config: MkDocsConfig) -> None:
    """The PDF and the EPUB, from the built pages in `config.site_dir`."""
    from mkdocs.exceptions import PluginError

    from bridges.pipeline.epub import build_epub
    from bridges.pipeline.output_check import epub_problems
    from bridges.pipeline.pdf import build_pdf, built_site_nav
    from bridges.problems import report

    nav = built_site_nav(config)
    build_pdf(config, nav)
    epub = build_epub(config, nav)
    if report(epub_problems(epub)):
        raise PluginError("fix the problems above")


def bundle_offline(config: MkDocsConfig, offline: Path, target: Path) -> None:
    """The offline pages with the PDF and EPUB, zipped."""
    from bridges.pipeline.epub import EPUB_NAME
    from bridges.pipeline.pdf import PDF_NAME, source_date
    from bridges.pipeline.publish import zip_folder

    for name in (PDF_NAME, EPUB_NAME):
        shutil.copy(Path(config.site_dir) / name, offline / name)
    zip_folder(offline, target, source_date())


@contextmanager
def _environment(**variables: str):
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _commit(staging: Path, site_dir: Path) -> None:
    """Replaces the site, unless a stop came first. A stop that comes later no longer
    interrupts: half a swap would leave no site at all, and the new one is complete."""
    with uninterrupted():
        raise_if_stopped()
        _swap(staging, site_dir)


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", nargs="?", default="site", type=Path)
    parser.add_argument(
        "--site-only",
        action="store_true",
        help="leave out the PDF and the offline bundle (quicker; as mkdocs serve builds)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an unexpected error (a bug in the build, not in docs/)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="mkdocs",
        help="the engine that renders the pages: MkDocs with Material (default) or Zensical",
    )
    parser.add_argument("--pages-step", type=Path, help=argparse.SUPPRESS)  # see _pages_step
    parser.add_argument(
        "--config-file", type=Path, default=Path("mkdocs.yml"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    if args.pages_step is not None:
        return _pages_step(args.config_file, args.site_dir, args.pages_step, args.debug)
    from bridges.engine.zensical import EngineProblems
    from bridges.problems import report

    stop_on_signals()
    try:
        build_site(args.site_dir, args.config_file, site_only=args.site_only, engine=args.engine,
                   debug=args.debug)  # fmt: skip
    except Stopped as stop:
        print(f"Build stopped ({stop}); {args.site_dir}/ was left as it was.", file=sys.stderr)
        return 128 + stop.signum
    except Exception as error:
        if isinstance(error, EngineProblems):
            report(error.problems)
        reason, advice = _why(error, args.debug)
        print(f"Build failed{reason}; {args.site_dir}/ was left as it was.{advice}",
              file=sys.stderr)  # fmt: skip
        return 1
    print(f"Site built in {args.site_dir}/")
    return 0


class StepFailed(Exception):
    """A step that ran in a process of its own failed; it showed its messages, and
    says why in the build's last line."""

    def __init__(self, reason: str, advice: str = "") -> None:
        super().__init__(reason)
        self.reason, self.advice = reason, advice


def _why(error: Exception, debug: bool) -> tuple[str, str]:
    """The build's last line, around its site folder: why it failed, and advice.
    What is not a mistake in docs/ is raised again with --debug, to show where."""
    from mkdocs.exceptions import MkDocsException

    from bridges.engine.zensical import EngineProblems

    if isinstance(error, StepFailed):
        return error.reason, error.advice
    if isinstance(error, EngineProblems):
        return ": fix the problems above", ""
    if isinstance(error, MkDocsException):
        # "Aborted with 2 errors in strict mode!": the errors are the lines above.
        # MkDocs' "Aborted with a BuildError!" likewise follows a message already shown.
        shown_above = any(words in str(error) for words in ("strict mode", "BuildError"))
        return f": {'fix the problems above' if shown_above else error}", ""
    if isinstance(error, UnicodeDecodeError):
        return ": the file named above is not UTF-8 text. Save it as UTF-8 in your editor", ""
    if isinstance(error, (OSError, ValueError, RuntimeError)) and not debug:
        # MkDocs raises these for unreadable files; it has already named the file.
        # They are also what a bug in our own code raises: --debug shows where.
        advice = " If no file is named above, run it again with --debug and report the traceback."
        return f" ({error})", advice
    raise error


def _pages_step(config_file: Path, site_dir: Path, offline: Path, debug: bool) -> int:
    """The pages of a full build, run as a process of its own (`_pages_in_a_process`).
    Stop signals end it as the operating system ends any process; the build that
    started it cleans up. Why it failed is its one line of output."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    from mkdocs.config import load_config

    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
        build_pages(config_file, config, offline)
    except Exception as error:
        print(json.dumps(_why(error, debug)))
        return 1
    return 0


def _pages_in_a_process(config_file: Path, site_dir: Path, offline: Path, debug: bool) -> None:
    """MkDocs builds the pages in a process of its own, so that the memory its pages
    held (about 140 MiB at 50x the site) is given back before the PDF is laid out."""
    command = [sys.executable, "-m", "bridges.build", "--pages-step", str(offline),
               "--config-file", str(config_file), *(["--debug"] if debug else []),
               str(site_dir)]  # fmt: skip
    # A stop raised while it runs ends it too (subprocess.run kills it on the way out).
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=_step_environment())
    if -result.returncode in STOP_SIGNALS:  # Ctrl+C reaches both; the build's own may be lost
        raise Stopped(-result.returncode)
    if result.returncode != 0:
        try:
            reason, advice = json.loads(result.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            reason, advice = f" (the pages' step ended with status {result.returncode})", ""
        raise StepFailed(reason, advice)


def _step_environment() -> dict[str, str]:
    """The environment of a step run as a process of its own. A stop signal ends
    the step as the system ends any process, before its worker pool is shut down;
    Python's resource tracker (a process the pool started, which outlives it) then
    removes the pool's semaphores and warns about each such "leak" after the
    build's last line. That warning is expected here and filtered out in the
    step's processes; nothing else is."""
    warnings = [os.environ.get("PYTHONWARNINGS", ""), TRACKER_WARNING_FILTER]
    return {**os.environ, "PYTHONWARNINGS": ",".join(filter(None, warnings))}


if __name__ == "__main__":
    sys.exit(main())
