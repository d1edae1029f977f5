"""A bound on one step of a test (a parse that runs away must fail the test, not hang the suite)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def time_limit(seconds: float, error: Callable[[str], BaseException] = TimeoutError,
               what: str = "parse") -> Iterator[None]:
    """Raise ``error`` when the block takes longer than ``seconds`` (POSIX; elsewhere unbounded)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise error(f"{what} took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
