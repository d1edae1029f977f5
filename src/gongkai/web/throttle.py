"""The login throttle and the password-hash gate.

* :class:`StoreLoginThrottle` (the server's) and :class:`LoginThrottle` (one process's memory,
  for tests and embedding) — failed logins are counted per account and per client address in a
  sliding window; past the limit, further tries are refused (429, ``Retry-After``) until the
  oldest failure leaves the window. Guessing is then a few tries per quarter hour per account,
  and one address cannot sweep many accounts. The server keeps the failures in the database
  (``login_failures``), so every worker process of ``gongkai serve --workers N`` counts the same
  failures: a lockout earned on one holds on all (the processes of one ``serve`` share a
  ``scope``; a restarted server starts counting afresh, as one process did). Rows older than
  the window are deleted, and
  failures can only be added as fast as the hash gate lets passwords be tried. The in-memory one
  tracks at most ``max_keys`` accounts and addresses (the least recently failing are forgotten).
* :class:`HashGate` — argon2 takes 64 MiB and tens of ms per hash: at most ``slots`` hashes run at
  once. A login waits for a slot without holding a server thread (it polls from the event loop),
  at most ``max_waiting`` logins wait, and one that waits longer than ``wait`` seconds is told to
  retry (503) — so a flood of logins can neither pile up memory nor starve the other requests of
  threads, and twenty real users logging in at once all get in.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException
from sqlalchemy import Engine, delete, insert, select

from ..store.schema import LoginFailure
from ..store.transactions import writing

ACCOUNT_FAILURES = 5  # per account, per window
ADDRESS_FAILURES = 30  # per address, per window
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 20_000
HASH_SLOTS = 2
HASH_WAIT_SECONDS = 30.0
MAX_WAITING = 64
POLL_SECONDS = 0.01


class LoginThrottle:
    def __init__(self, account_failures: int = ACCOUNT_FAILURES, address_failures: int = ADDRESS_FAILURES,
                 window: float = WINDOW_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self.limits = {"account": account_failures, "address": address_failures}
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str) -> list[tuple[str, str]]:
        return _throttle_keys(name, address)

    def wait(self, name: str, address: str) -> int:
        """Seconds until this account and address may try again (0: now)."""
        now = time.monotonic()
        longest = 0.0
        with self._lock:
            for key in self._keys(name, address):
                failures = self._failures.get(key)
                if not failures:
                    continue
                while failures and now - failures[0] >= self.window:
                    failures.popleft()
                if len(failures) >= self.limits[key[0]]:
                    longest = max(longest, self.window - (now - failures[0]))
        return math.ceil(longest)

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in self._keys(name, address):
                failures = self._failures.pop(key, None) or deque(maxlen=self.limits[key[0]])
                failures.append(now)
                self._failures[key] = failures  # most recent last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """A right password clears the account's count (not the address's)."""
        with self._lock:
            self._failures.pop(self._keys(name, "")[0], None)

    def __len__(self) -> int:
        return len(self._failures)


def _throttle_keys(name: str, address: str) -> list[tuple[str, str]]:
    return [("account", name.strip().casefold()[:100]), ("address", address[:100])]


class StoreLoginThrottle:
    """The login throttle over the database: the same counts for every process of the server."""

    def __init__(self, engine: Engine, scope: str, account_failures: int = ACCOUNT_FAILURES,
                 address_failures: int = ADDRESS_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.engine = engine
        self.scope = scope[:32]
        self.limits = {"account": account_failures, "address": address_failures}
        self.window = window

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)

    def wait(self, name: str, address: str) -> int:
        """Seconds until this account and address may try again (0: now)."""
        now = self._now()
        since = now - timedelta(seconds=self.window)
        longest = 0.0
        with self.engine.connect() as conn:
            for kind, key in _throttle_keys(name, address):
                # the limit-th most recent failure in the window: the one whose leaving frees a try
                oldest = conn.execute(select(LoginFailure.at).where(
                    LoginFailure.scope == self.scope, LoginFailure.kind == kind, LoginFailure.key == key,
                    LoginFailure.at > since)
                    .order_by(LoginFailure.at.desc()).limit(1).offset(self.limits[kind] - 1)).scalar()
                if oldest is not None:
                    longest = max(longest, self.window - (now - oldest).total_seconds())
        return math.ceil(longest)

    def failed(self, name: str, address: str) -> None:
        now = self._now()
        with writing(self.engine) as conn:
            conn.execute(insert(LoginFailure), [{"scope": self.scope, "kind": kind, "key": key, "at": now}
                                                for kind, key in _throttle_keys(name, address)])
            conn.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(seconds=self.window)))

    def succeeded(self, name: str) -> None:
        """A right password clears the account's count (not the address's)."""
        kind, key = _throttle_keys(name, "")[0]
        with writing(self.engine) as conn:
            conn.execute(delete(LoginFailure).where(LoginFailure.scope == self.scope,
                                                    LoginFailure.kind == kind, LoginFailure.key == key))


def _busy() -> HTTPException:
    return HTTPException(503, "登录繁忙，请稍后再试", headers={"Retry-After": "5"})


class HashGate:
    def __init__(self, slots: int = HASH_SLOTS, wait: float = HASH_WAIT_SECONDS,
                 max_waiting: int = MAX_WAITING) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.wait = wait
        self.max_waiting = max_waiting
        self._waiting = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """A slot for a hash in a worker thread (account changes by an admin)."""
        if not self._slots.acquire(timeout=self.wait):
            raise _busy()
        try:
            yield
        finally:
            self._slots.release()

    @asynccontextmanager
    async def slot_async(self) -> AsyncIterator[None]:
        """A slot for a login, waited for on the event loop (no thread held while waiting)."""
        if self._waiting >= self.max_waiting:
            raise _busy()
        self._waiting += 1
        try:
            deadline = time.monotonic() + self.wait
            while not self._slots.acquire(blocking=False):
                if time.monotonic() > deadline:
                    raise _busy()
                await asyncio.sleep(POLL_SECONDS)
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()


def check_login(throttle: LoginThrottle | StoreLoginThrottle, name: str, address: str) -> None:
    """Raise 429 when this account or address has failed too often lately."""
    seconds = throttle.wait(name, address)
    if seconds:
        minutes = max(1, math.ceil(seconds / 60))
        raise HTTPException(429, f"登录失败次数过多，请约 {minutes} 分钟后再试",
                            headers={"Retry-After": str(seconds)})
