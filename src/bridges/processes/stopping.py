"""How a build stops: the signals that stop it, what they raise, and the steps
a stop must not cut in half."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Ctrl+C, `kill`, and a closed terminal. Ctrl+C and a closed terminal reach every
# process of the build (its process group), not only the one that was started.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# The stop signals this process received. Python drops an exception raised inside
# a finalizer (`__del__`, a weakref callback), so a `Stopped` can be lost there;
# `raise_if_stopped` raises it again.
_received: list[int] = []
_uninterrupted = False


class Stopped(BaseException):
    """A stop signal arrived; raised so that every `finally` cleans up on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    """From now on the first stop signal raises `Stopped`. Later ones (a second
    Ctrl+C, or a closed terminal's SIGHUP after Ctrl+C's SIGINT)
    are only noted, so that nothing interrupts the clean-up. They are not ignored
    with `SIG_IGN`: Python then reports one already on its way as an error,
    "Signal 15 ignored due to race condition"."""
    _received.clear()
    sys.unraisablehook = _quiet_about_lost_stops
    for number in STOP_SIGNALS:
        signal.signal(number, _stop)


def raise_if_stopped() -> None:
    """Raises a stop that was lost where it arrived."""
    if _received:
        raise Stopped(_received[0])


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A stop that arrives in the block is noted, not raised: for a step that a stop
    must not cut in half."""
    global _uninterrupted
    _uninterrupted = True
    try:
        yield
    finally:
        _uninterrupted = False


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Stop signals wait in this thread until the block ends. A process started
    meanwhile starts with them blocked (the mask survives `exec`), so it can
    choose to ignore them before the first one arrives."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop(signum: int, frame: object) -> None:
    _received.append(signum)
    if len(_received) == 1 and not _uninterrupted:
        raise Stopped(signum)


def _quiet_about_lost_stops(unraisable: sys.UnraisableHookArgs) -> None:
    """A `Stopped` lost in a finalizer is raised again by `raise_if_stopped`, so
    the traceback Python would print for it is only noise for the editor."""
    if not isinstance(unraisable.exc_value, Stopped):
        sys.__unraisablehook__(unraisable)
