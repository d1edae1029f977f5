"""The login throttle and the password-hash gate.

* :class:`LoginThrottle` — failed logins are counted per account and per client address in a
  sliding window; past the limit, further tries are refused (429, ``Retry-After``) until the
  oldest failure leaves the window. Guessing is then a few tries per quarter hour per account,
  and one address cannot sweep many accounts. Memory is bounded: at most ``max_keys`` accounts
  and addresses are tracked (the least recently failing are forgotten first).
* :class:`HashGate` — argon2 takes 64 MiB and tens of ms per hash: at most ``slots`` hashes run at
  once; a login that cannot get a slot within ``wait`` seconds is told to retry (503) instead of
  piling up threads and memory while real users wait.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

ACCOUNT_FAILURES = 5  # per account, per window
ADDRESS_FAILURES = 30  # per address, per window
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 20_000
HASH_SLOTS = 2
HASH_WAIT_SECONDS = 5.0


class LoginThrottle:
    def __init__(self, account_failures: int = ACCOUNT_FAILURES, address_failures: int = ADDRESS_FAILURES,
                 window: float = WINDOW_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self.limits = {"account": account_failures, "address": address_failures}
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str) -> list[tuple[str, str]]:
        return [("account", name.strip().casefold()[:100]), ("address", address)]

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


class HashGate:
    def __init__(self, slots: int = HASH_SLOTS, wait: float = HASH_WAIT_SECONDS) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.wait = wait

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.wait):
            raise HTTPException(503, "登录繁忙，请稍后再试", headers={"Retry-After": "5"})
        try:
            yield
        finally:
            self._slots.release()


def check_login(throttle: LoginThrottle, name: str, address: str) -> None:
    """Raise 429 when this account or address has failed too often lately."""
    seconds = throttle.wait(name, address)
    if seconds:
        minutes = max(1, math.ceil(seconds / 60))
        raise HTTPException(429, f"登录失败次数过多，请约 {minutes} 分钟后再试",
                            headers={"Retry-After": str(seconds)})
