"""The build's worker processes: work that needs no more than its arguments
(preview cards, the scan of each built page, parsing Material's stylesheets)
runs there, on the cores MkDocs leaves idle while it renders the pages.

The pool is started when the configuration is read (`start`), so its start-up
overlaps the reading of the pages, and it lives as long as the process:
`mkdocs serve` reuses it for every rebuild. Workers are spawned, not forked: a
forked worker would inherit every open file of the process that builds (a build
lock, a test's pipes to a browser) and keep them open. A worker ignores stop
signals (Ctrl+C), which are the build's to handle, and ends when the process
that started it does.

Small tasks (a card, a page's scan) are sent in batches (`defer`): each hand-over
to the pool wakes its helper threads in this process, which then hold Python's
lock for a few milliseconds while MkDocs waits to render the next page. Waiting
for a deferred task's result sends its batch at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor
from multiprocessing import resource_tracker
from typing import Any, TypeVar

from bridges.processes.stopping import STOP_SIGNALS, stop_signals_held

T = TypeVar("T")
BATCH = 10  # tasks per hand-over: a page's card and scan take about 7 ms together
_pool: list[ProcessPoolExecutor] = []
_pending: set[Future[Any]] = set()
_batch: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
_batch_lock = threading.RLock()


def _workers() -> ProcessPoolExecutor:
    if not _pool:
        # Python's resource tracker (a process) is started first, in a hold of its
        # own: starting it unblocks SIGINT and SIGTERM in this thread, and the end
        # of this hold blocks them again (`submit` holds them) for the workers.
        with stop_signals_held():
            resource_tracker.ensure_running()
        # One core stays with MkDocs, which renders the pages meanwhile.
        _pool.append(
            ProcessPoolExecutor(
                max_workers=max(1, (os.cpu_count() or 1) - 1),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start,
                initargs=(os.getpid(),),
            )
        )
    return _pool[0]


def start() -> None:
    """Starts the workers now, so that the first real task does not wait for them."""
    submit(_ready)


def submit(task: Callable[..., T], *args: Any) -> Future[T]:
    """`task(*args)` in a worker, sent now; `task` must be a module-level function."""
    # Held while the pool may start a process (a worker, Python's resource tracker):
    # started with stop signals blocked, it ignores them from its first instant.
    with stop_signals_held():
        future = _workers().submit(task, *args)
    _track(future)
    return future


def defer(task: Callable[..., T], *args: Any) -> Future[T]:
    """`task(*args)` in a worker, sent with the next batch (or when its result is awaited)."""
    future: Future[T] = _Deferred()
    _track(future)
    with _batch_lock:
        _batch.append((future, task, args))
        if len(_batch) >= BATCH:
            flush()
    return future


def flush() -> None:
    """Sends the tasks deferred so far."""
    with _batch_lock:
        tasks = [(future, task, args) for future, task, args in _batch if not future.cancelled()]
        _batch.clear()
        if not tasks:
            return
        sent = submit(_run_batch, [(task, args) for _, task, args in tasks])
    futures = [future for future, _, _ in tasks]
    sent.add_done_callback(lambda batch: _hand_out(batch, futures))


def cancel_pending() -> None:
    """Cancels the tasks no worker has begun (and the results of those that run): a
    failed or stopped build then waits only for what runs, where interpreter exit
    would wait for every task still queued."""
    with _batch_lock:
        _batch.clear()
    for future in list(_pending):
        future.cancel()


class _Deferred(Future):
    """A deferred task's future: asking for its result sends its batch first."""

    def result(self, timeout: float | None = None) -> Any:
        flush()
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        flush()
        return super().exception(timeout)


def _track(future: Future[Any]) -> None:
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def _hand_out(batch: Future[list[tuple[bool, Any]]], futures: list[Future[Any]]) -> None:
    """Each task's outcome to its own future (run in the pool's thread)."""
    if batch.cancelled():
        for future in futures:
            future.cancel()
        return
    error = batch.exception()
    outcomes = [(False, error)] * len(futures) if error else batch.result()
    for future, (ok, value) in zip(futures, outcomes, strict=True):
        # A future cancelled after its batch was sent just drops its result.
        with contextlib.suppress(InvalidStateError):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


def _run_batch(tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[tuple[bool, Any]]:
    """Each task's (True, result), or (False, the exception it raised)."""
    outcomes: list[tuple[bool, Any]] = []
    for task, args in tasks:
        try:
            outcomes.append((True, task(*args)))
        except Exception as error:
            outcomes.append((False, error))
    return outcomes


def shutdown() -> None:
    """Ends this process's workers now, and forgets them."""
    if _pool:
        _pool[0].shutdown(wait=True, cancel_futures=True)
    _pool.clear()
    _pending.clear()
    _batch.clear()


def _ready() -> None:
    """Nothing: submitted to start the workers."""


def _worker_start(parent: int) -> None:
    # Stopping is the build's to handle: Ctrl+C or a closed terminal reaches every
    # process, and a worker stopped mid-task would only break the pool. The signals
    # were blocked since the worker started; ignored, those that came are dropped.
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    # `mkdocs serve` stopped with SIGTERM runs no clean-up: the worker watches its parent.
    end_with(parent, code=0)


def end_with(parent: int, code: int) -> None:
    """Ends this process with `code` once `parent` is gone: a parent killed with
    SIGKILL, or `mkdocs serve` stopped with SIGTERM, runs no clean-up of its own."""
    # Started with stop signals blocked, as are the pool's own threads (started in
    # `submit`): a stop signal then reaches the main thread alone, and not while it
    # holds them (as it starts a worker, which a stop must not cut in half).
    with stop_signals_held():
        threading.Thread(target=_exit_with, args=(parent, code), daemon=True).start()


def _exit_with(parent: int, code: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(code)
