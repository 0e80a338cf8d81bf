"""Build steps run in a forked process, so that the memory a step takes is given
back to the system when it ends: MkDocs' pages before the PDF is laid out, and
each part of a large PDF before the next (WeasyPrint and fontTools leave their
memory scattered, so a long-lived process only grows).

Fork, not spawn: the child starts with everything already imported and loaded,
and returns its result (or its exception) to the parent through a pipe. A child
ends with `os._exit`, so the parent's clean-up (its `finally` blocks) stays the
parent's, and ends by itself when the parent is killed.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn, TypeVar

from bridges.processes import workers
from bridges.processes.stopping import STOP_SIGNALS, Stopped, stop_on_signals, stop_signals_held

Result = TypeVar("Result")


def run_forked(work: Callable[..., Result], *args: object) -> Result:
    """`work(*args)`, done in a forked process; what it raises there is raised here."""
    if not hasattr(os, "fork"):  # Windows: the same work, in this process.
        return work(*args)
    read_end, write_end = os.pipe()
    parent = os.getpid()
    child = 0
    try:
        # Held across the fork: a stop that reached the child before it set up its
        # own handling would raise in the parent's code, running there twice.
        with stop_signals_held():
            child = os.fork()
            if child == 0:
                os.close(read_end)
                _run_as_child(parent, write_end, work, args)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            outcome = pipe.read()
        _, status = os.waitpid(child, 0)
    except BaseException:  # Stopped, most likely: the child is stopped too, then clean-up runs.
        if child:
            _stop(child)
        raise
    if not outcome:
        code = os.waitstatus_to_exitcode(status)
        if code - 128 in STOP_SIGNALS:
            raise Stopped(code - 128)  # Ctrl+C reaches both; the parent's own may be lost
        raise RuntimeError(f"a build step ended with status {status} and no result")
    failed, value = pickle.loads(outcome)
    if failed:
        raise value
    return value


def _run_as_child(parent: int, pipe: int, work: Callable, args: tuple) -> NoReturn:
    code, outcome = 1, b""
    try:
        try:
            stop_on_signals()  # the child's own: a stop ends its work once
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held at the fork
            workers.end_with(parent, code=1)
            outcome, code = _pickled((False, work(*args))), 0
        except Stopped as stop:  # The parent was stopped too, and says so.
            code = 128 + stop.signum
        except BaseException as error:
            if not _explained(error):
                traceback.print_exc()
            outcome = _pickled((True, error))
        finally:
            workers.shutdown()
            with os.fdopen(pipe, "wb") as channel:
                channel.write(outcome)
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        # Whatever happens above, the child never returns into the parent's code.
        os._exit(code)


def _explained(error: BaseException) -> bool:
    """What a failed build step raises and the build explains to the editor;
    anything else is a bug, whose traceback the child prints before passing it on."""
    from mkdocs.exceptions import MkDocsException

    explained = (MkDocsException, SystemExit, UnicodeDecodeError, OSError, ValueError)
    return isinstance(error, (*explained, RuntimeError))


def _pickled(outcome: tuple[bool, object]) -> bytes:
    try:
        return pickle.dumps(outcome)
    except Exception:
        value = outcome[1]
        return pickle.dumps((True, RuntimeError(f"{type(value).__name__}: {value}")))


def _stop(child: int) -> None:
    try:
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
