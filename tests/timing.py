"""A bound on one step of a test (a parse that runs away must fail the test, not hang the suite).

The bound is on CPU time (ITIMER_PROF), not on the clock: a parse runs away by computing, and a
machine busy with other work (CI's two cores shared by parallel jobs) must not fail a parse that
merely waited for a core."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def time_limit(seconds: float, error: Callable[[str], BaseException] = TimeoutError,
               what: str = "parse") -> Iterator[None]:
    """Raise ``error`` when the block uses more than ``seconds`` of CPU (POSIX; elsewhere unbounded)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise error(f"{what} took more than {seconds:g} s of CPU")

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
