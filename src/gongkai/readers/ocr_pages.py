"""The pages of one scan read in parallel, each page in a process that loaded the OCR models once.

One page of a table takes seconds of OCR, nearly all of it in onnxruntime. Two processes with one
onnxruntime thread each read two pages in about the time one process with two threads reads one
(``bench/ocr.py --jobs``, ``docs/benchmarks.md``): so a document's pages go to a pool of page
workers, one per core (at most one per page). The pool is made once per process and kept, so the
models are loaded once per worker process, and later documents (``gongkai ingest --workers 1``,
the web app's uploads) start at once. The workers are forked (as ``gongkai ingest``'s are): a
spawned worker would run the caller's main module again, which a script without an
``if __name__ == "__main__"`` guard does not survive. A forked worker loads models of its own:
the parent's onnxruntime sessions rely on thread pools that a fork does not copy.

``GONGKAI_OCR_PAGE_WORKERS`` sets the number of page workers (``1``: pages one after another in
this process). A process that multiprocessing started (a worker of ``gongkai ingest``, of Ray or
Dask's local pools, or a page worker itself) reads its documents' pages itself, with one
onnxruntime thread: there the documents already fill the cores, one per worker.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

__all__ = ["PAGE_WORKERS_ENV", "in_worker_process", "page_pool", "page_workers", "shutdown", "submit"]

PAGE_WORKERS_ENV = "GONGKAI_OCR_PAGE_WORKERS"

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


def page_workers(pages: int) -> int:
    """How many processes read the ``pages`` of one document: ``GONGKAI_OCR_PAGE_WORKERS``, else
    one per core (one in a worker process); never more than the pages, and 1 for a single page."""
    value = os.environ.get(PAGE_WORKERS_ENV, "").strip()
    if value.isdecimal() and int(value) > 0:
        wanted = int(value)
    else:
        wanted = 1 if in_worker_process() else (os.cpu_count() or 1)
    return max(1, min(wanted, pages))


def in_worker_process() -> bool:
    """Was this process started by multiprocessing (one of several workers side by side)?"""
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _start_worker() -> None:
    from . import ocr_engines  # a page worker reads its page itself, on one core (in_worker_process)

    ocr_engines.forget_loaded()  # the parent's sessions, copied by the fork, have no threads here
    ocr_engines.load_engine()  # once per worker process, before its first page


def page_pool(size: int) -> ProcessPoolExecutor:
    """The process's pool of page workers, made on first use and kept (grown when a caller wants
    more workers than it has)."""
    global _pool, _pool_size
    import multiprocessing

    with _lock:
        if _pool is None or _pool_size < size:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            _pool = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context(method),
                                        initializer=_start_worker)
            _pool_size = size
        return _pool


def shutdown() -> None:
    """Stop the page workers (a broken pool is replaced on next use)."""
    global _pool, _pool_size
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool, _pool_size = None, 0


def submit(size: int, function: Any, *args: Any) -> Future[Any]:
    return page_pool(size).submit(function, *args)
