"""One bounded cache for the whole web app: least recently used entries leave first, when there
are more than ``max_entries`` or their sizes pass ``max_bytes``; entries older than ``ttl``
seconds are not served. Every cache of the app is one of these — none grows with the variety
of requests (10,000 distinct dashboard queries once grew one by 440 MiB, never freed)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..store.schema import WebSetting
from ..store.transactions import writing

V = TypeVar("V")


class BoundedCache(Generic[V]):
    def __init__(self, max_entries: int, *, max_bytes: int | None = None,
                 size: Callable[[V], int] | None = None, ttl: float | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = size or (lambda _value: 0)
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, tuple[float, int, V]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.ttl is not None and time.monotonic() - entry[0] >= self.ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: Hashable, value: V) -> V:
        weight = self.size(value)
        with self._lock:
            if key in self._entries:
                self._drop(key)
            if self.max_bytes is not None and weight > self.max_bytes:
                return value  # larger than the whole cache: served, not kept
            self._entries[key] = (time.monotonic(), weight, value)
            self._bytes += weight
            while len(self._entries) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes):
                oldest = next(iter(self._entries))
                self._drop(oldest)
        return value

    def _drop(self, key: Hashable) -> None:
        _, weight, _ = self._entries.pop(key)
        self._bytes -= weight

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes


class SharedGeneration:
    """Keeps the caches of every process of a server (``gongkai serve --workers N``) in step: a
    write through the web app (a correction, a review, an upload) calls :meth:`bump`, which drops
    this process's caches and writes a new token to the database (``web_settings``); a process
    reads the token (one primary-key read, on the request's own connection) before it serves
    from a cache (:meth:`check`) and drops its caches when another process changed it, so a
    page served after a write shows it, whichever process served it. Writes from the command
    line (``gongkai ingest``) reach the caches through their time limits, as before."""

    KEY = "cache_generation"

    def __init__(self, engine: Engine, every: float = 0.0) -> None:
        self.engine = engine
        self.every = every
        self.on_change: list[Callable[[], object]] = []
        self._seen: str | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def _drop(self) -> None:
        for callback in self.on_change:
            callback()

    def bump(self) -> None:
        token = secrets.token_hex(8)
        self._drop()
        change = update(WebSetting).where(WebSetting.key == self.KEY).values(value=token)
        with writing(self.engine) as conn:
            written = conn.execute(change).rowcount
        if not written:
            try:
                with writing(self.engine) as conn:
                    conn.execute(insert(WebSetting).values(key=self.KEY, value=token))
            except IntegrityError:  # another process inserted it first: ours is newer
                with writing(self.engine) as conn:
                    conn.execute(change)
        with self._lock:
            self._seen = token

    def check(self, conn: Connection | None = None, *, read: tuple[str | None] | None = None) -> None:
        """Drop this process's caches if another process wrote since. Read on ``conn`` (else a
        connection of its own) every time unless ``every`` > 0 seconds: then at most that often,
        and a page may show for that long what another process has already changed. ``read``:
        the token as this request has already read it (with its session: :mod:`gongkai.web.auth`)."""
        now = time.monotonic()
        if self.every and now - self._checked < self.every:
            return
        query = select(WebSetting.value).where(WebSetting.key == self.KEY)
        if read is not None:
            token = read[0]
        elif conn is not None:
            token = conn.execute(query).scalar()
        else:
            with self.engine.connect() as own:
                token = own.execute(query).scalar()
        with self._lock:
            self._checked = now
            changed = token != self._seen
            self._seen = token
        if changed:
            self._drop()
