"""How a build stops: the signals that stop it, and what they raise."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

# Ctrl+C, `kill`, and a closed terminal. Ctrl+C and a closed terminal reach every
# process of the build (its process group), not only the one that was started.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """A stop signal arrived; raised so that every `finally` cleans up on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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
