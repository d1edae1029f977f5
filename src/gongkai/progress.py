"""Progress on stderr for long commands: files done of total, rate and time left, per file.

>>> with Progress(total=len(files), label="check") as bar:
...     for path in files:
...         ...
...         bar.advance()

Shown only when stderr is a terminal (or ``console``/``enabled`` says so): piped output and logs
stay clean. A total known only later (an ingest walks its folders first) starts the bar at the
first :meth:`Progress.update` that gives it.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .messages import language

if TYPE_CHECKING:
    from rich.console import Console


class Progress:
    """A rich progress bar: label, bar, done/total, rate, elapsed and ETA."""

    def __init__(self, total: int, label: str, *, lang: str | None = None, console: Console | None = None,
                 enabled: bool | None = None) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.console = console
        english = language(lang) == "en"
        self._unit = "/s" if english else " 个/秒"
        self._eta = "ETA" if english else "剩余"
        self._bar: Any = None
        self.enabled = enabled if enabled is not None else (console is not None or sys.stderr.isatty())
        self._start()

    def _start(self) -> None:
        if not self.enabled or self.total <= 0 or self._bar is not None:
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
                                 TextColumn(self._eta), TimeRemainingColumn(),
                                 console=self.console or Console(stderr=True))
        self._task = self._bar.add_task(self.label, total=self.total, rate="")
        self._bar.start()

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def update(self, done: int, total: int | None = None) -> None:
        """Set the count of files done (and the total, when it became known late)."""
        self.done = done
        if total is not None and total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.update(self._task, total=total)
        self._start()
        if self._bar is None:
            return
        self._bar.update(self._task, completed=done)
        speed = self._bar.tasks[0].speed
        self._bar.update(self._task, rate=f"{speed:,.1f}{self._unit}" if speed else "")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
