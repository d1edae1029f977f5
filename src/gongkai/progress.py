"""Progress on stderr for long commands: files done of total, rate and time left, per file.

>>> with Progress(total=len(files), label="check") as bar:
...     for path in files:
...         ...
...         bar.advance()

Three ways to show it (:func:`mode`): a live bar when stderr is a terminal; plain lines
(``check 3/10 个文件 · 2.5 个/秒 · 剩余约 0:03``) when progress is asked for (``--progress``,
``GONGKAI_PROGRESS=1``) on a stream that is no terminal — a log, a CI job, a test; nothing
otherwise, so piped output stays clean. Plain lines come once per file for up to
:data:`EVERY_FILE_UP_TO` files, then at every whole per cent (and at least every
:data:`LINE_SECONDS` seconds while files finish), so a log of 100,000 files stays readable.

:meth:`Progress.update` may be called from any thread (an ingest's parser results arrive on
worker-result threads). A total known only later (an ingest walks its folders first) starts the
bar at the first :meth:`Progress.update` that gives it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal

from .messages import say

if TYPE_CHECKING:
    from rich.console import Console

Mode = Literal["bar", "lines", "off"]
PROGRESS_ENV = "GONGKAI_PROGRESS"
EVERY_FILE_UP_TO = 100
LINE_SECONDS = 10.0


def mode(asked: bool | None = None, *, stream: IO[str] | None = None) -> Mode:
    """How to show progress: ``asked`` is the command's ``--progress/--no-progress`` (None: not
    given, then ``GONGKAI_PROGRESS`` decides, else only on a terminal)."""
    if asked is None:
        value = os.environ.get(PROGRESS_ENV, "").strip().lower()
        asked = True if value in ("1", "true", "yes", "on") else False if value in ("0", "false", "no",
                                                                                     "off") else None
    if asked is False:
        return "off"
    target = stream or sys.stderr
    terminal = bool(getattr(target, "isatty", lambda: False)())
    if terminal:
        return "bar"
    return "lines" if asked else "off"


def duration(seconds: float) -> str:
    """0:07, 12:05, 1:02:03."""
    whole = max(int(seconds + 0.5), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Files done of total, with rate and ETA: a rich bar (``bar``), plain lines (``lines``) or
    nothing (``off``); ``enabled``/``console`` kept for callers that only say on or off."""

    def __init__(self, total: int, label: str, *, lang: str | None = None, console: Console | None = None,
                 enabled: bool | None = None, show: Mode | None = None,
                 stream: IO[str] | None = None, unit: str = "files") -> None:
        self.total = total
        self.unit = unit  # what is counted: "files", or "reports" (an export)
        self.done = 0
        self.label = label
        self.console = console
        self.lang = lang
        if show is None:
            on = enabled if enabled is not None else (console is not None or sys.stderr.isatty())
            show = "bar" if on else "off"
        self.show: Mode = show
        self.enabled = show != "off"
        self.lines: list[str] = []  # what ``lines`` mode wrote (tests and callers read it)
        self._stream = stream
        self._bar: Any = None
        self._lock = threading.RLock()
        self._started = time.monotonic()
        self._last_line = (-1, 0.0)  # (done, time) of the last plain line
        self._start()

    # ------------------------------------------------------------------ the rich bar
    def _start(self) -> None:
        if self.show != "bar" or self.total <= 0 or self._bar is not None:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                 TextColumn(say("progress.eta_label", self.lang)), TimeRemainingColumn(),
                                 console=self.console or Console(stderr=True))
        self._task = self._bar.add_task(self.label, total=self.total, rate="")
        self._bar.start()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.update(self.done + n)

    def update(self, done: int, total: int | None = None) -> None:
        """Set the count of files done (and the total, when it became known late)."""
        with self._lock:
            if total is not None and total != self.total:
                self.total = total
                if self._bar is not None:
                    self._bar.update(self._task, total=total)
            done = min(done, self.total) if self.total > 0 else done
            moved = done != self.done
            self.done = done
            if self.show == "lines":
                if moved:
                    self._line()
                return
            self._start()
            if self._bar is None:
                return
            self._bar.update(self._task, completed=done)
            speed = self._bar.tasks[0].speed
            self._bar.update(self._task, rate=say("progress.rate", self.lang, rate=speed) if speed else "")

    # ------------------------------------------------------------------ plain lines
    def rate(self) -> float:
        elapsed = time.monotonic() - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def _line(self) -> None:
        if self.total <= 0:
            return
        now = time.monotonic()
        step = 1 if self.total <= EVERY_FILE_UP_TO else max(1, self.total // 100)
        last_done, last_time = self._last_line
        due = (self.done == self.total or self.done // step != max(last_done, 0) // step
               or now - last_time >= LINE_SECONDS)
        if not due:
            return
        self._last_line = (self.done, now)
        parts = [f"{self.label} " + say(f"progress.{self.unit}", self.lang, done=self.done,
                                                     total=self.total)]
        rate = self.rate()
        if rate > 0:
            parts.append(say("progress.rate", self.lang, rate=rate))
            if self.done < self.total:
                parts.append(say("progress.eta", self.lang, eta=duration((self.total - self.done) / rate)))
        line = " · ".join(parts)
        self.lines.append(line)
        stream = self._stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
