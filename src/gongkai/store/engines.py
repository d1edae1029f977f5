"""Where an ingest's documents are parsed: local worker processes, a Ray cluster (Ray Data) or a
dask.distributed cluster. Each is a :class:`Parser`: ``submit`` a batch of (bytes, name), ``gather``
its :data:`~gongkai.store.parsing.Done` results in the same order. A worker lost on a document
(a native crash, a cluster failure) costs only that document: the batch is parsed again one
document at a time and the culprit recorded as failed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Protocol

from ..errors import GongkaiError
from .parsing import Done, Work, parse_work

ENGINES: tuple[str, ...] = ("local", "ray", "dask")


class EngineError(GongkaiError, RuntimeError):
    """An ingest engine cannot be used (its optional dependency is missing, or its cluster)."""


class Parser(Protocol):
    """Parses batches of (bytes, name) somewhere: ``submit`` starts a batch, ``gather`` waits for
    its results in the same order. Workers need no database: parsing is a pure function.
    A parser may also have ``watch(on_parsed)``: it then calls ``on_parsed(n)`` (from any thread)
    as documents finish, so that progress moves per file; without it, per gathered batch."""

    def submit(self, work: Work) -> Any: ...
    def gather(self, work: Work, handle: Any) -> list[Done]: ...
    def close(self) -> None: ...


# The parser workers' address-space limit in MiB (unset: none): a hostile file then fails alone
# (MemoryError, or the worker dies and the document is recorded as crashing it).
WORKER_MEMORY_ENV = "GONGKAI_WORKER_MEMORY_MB"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def env_mib(name: str) -> int | None:
    """The whole number of MiB in environment variable ``name``, in bytes (None: unset or not > 0)."""
    value = os.environ.get(name, "").strip()
    return int(value) * 1024 * 1024 if value.isdecimal() and int(value) > 0 else None


# In a local parser worker: the pipe on which it tells the ingest each document it has parsed
# (one byte each: a write of one byte is atomic, and needs no lock a crashing worker could hold).
_PARSED_FD: int | None = None


def _tell_parsed() -> None:
    if _PARSED_FD is not None:
        with contextlib.suppress(OSError):  # the ingest stopped listening: parsing goes on
            os.write(_PARSED_FD, b"\x01")


def _parse_work_telling(work: Work, keep_source: bool) -> list[Done]:
    return parse_work(work, keep_source, _tell_parsed if _PARSED_FD is not None else None)


def _worker_init(parent: int, memory_bytes: int | None, parsed_fd: int | None = None) -> None:
    """In each parser worker: die with the ingest (a ``kill -9`` of it must leave no orphan of
    hundreds of MB), stay under the memory limit, and tell ``parsed_fd`` of each document parsed."""
    import signal
    import sys

    global _PARSED_FD
    _PARSED_FD = parsed_fd

    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    if memory_bytes:
        import resource

        # on top of what the worker already maps: a worker forked from a big process (a web
        # server with OCR models loaded) starts with gigabytes of address space it never touches
        try:
            with open("/proc/self/statm") as statm:
                mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            mapped = 0
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class _LocalParser:
    """Worker processes on this machine (in-process for workers ≤ 1 unless ``isolate``),
    surviving a worker that crashes: the batch is retried one document at a time. Workers die
    with this process (PR_SET_PDEATHSIG) and are limited to ``memory_bytes`` of address space
    (default: ``GONGKAI_WORKER_MEMORY_MB``)."""

    def __init__(self, workers: int, keep_source: bool, *, isolate: bool = False,
                 memory_bytes: int | None = None) -> None:
        self.workers = max(workers, 1)
        self.in_process = workers <= 1 and not isolate
        self.memory_bytes = memory_bytes or env_mib(WORKER_MEMORY_ENV)
        self.keep_source = keep_source
        self.run = partial(_parse_work_telling, keep_source=keep_source)
        self.pool: ProcessPoolExecutor | None = None
        self.on_parsed: Callable[[int], None] | None = None
        self.listener: _ParsedListener | None = None

    def watch(self, on_parsed: Callable[[int], None]) -> None:
        """Call ``on_parsed(n)`` as the workers finish documents (on a listening thread)."""
        self.on_parsed = on_parsed

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # forked workers inherit the pipe they tell; other start methods: progress per batch
            if self.on_parsed is not None and multiprocessing.get_start_method() == "fork":
                self.listener = _ParsedListener(self.on_parsed)
            self.pool = ProcessPoolExecutor(self.workers, initializer=_worker_init,
                                            initargs=(os.getpid(), self.memory_bytes,
                                                      self.listener.write_fd if self.listener else None))
        return self.pool

    def submit(self, work: Work) -> list[Future[list[Done]]]:
        if self.in_process:
            future: Future[list[Done]] = Future()
            on_parsed = self.on_parsed
            future.set_result(parse_work(work, self.keep_source,
                                         (lambda: on_parsed(1)) if on_parsed is not None else None))
            return [future]
        # one chunk per worker: fewer, bigger messages between the processes
        size = max(1, -(-len(work) // self.workers))
        return [self._pool().submit(self.run, work[i:i + size]) for i in range(0, len(work), size)]

    def gather(self, work: Work, futures: list[Future[list[Done]]]) -> list[Done]:
        try:
            return [done for future in futures for done in future.result()]
        except BrokenProcessPool:  # a worker died (a crash in a native reader): find the culprit
            return self._retry(work)

    def _retry(self, work: Work) -> list[Done]:
        self.close()
        results: list[Done] = []
        for data, name in work:
            try:
                results.append(self._pool().submit(self.run, [(data, name)]).result()[0])
            except BrokenProcessPool:
                self.close()
                results.append((("failed", "the parser process crashed on this document", None), None))
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None


class _ParsedListener:
    """Reads the bytes the local workers write as they finish documents, on a daemon thread, and
    passes their count on. A pipe rather than a multiprocessing queue: a worker killed in the
    middle of a write leaves no lock held."""

    def __init__(self, on_parsed: Callable[[int], None]) -> None:
        self.on_parsed = on_parsed
        self.read_fd, self.write_fd = os.pipe()
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._listen, name="gongkai-ingest-progress", daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        import select

        while True:
            ready, _, _ = select.select([self.read_fd], [], [], 0.2)
            if not ready:
                if self.closed.is_set():
                    break
                continue
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                break
            if not chunk:  # every writer closed its end
                break
            for _ in chunk:  # each document its own step, also when two finished together
                self.on_parsed(1)
        os.close(self.read_fd)

    def close(self) -> None:
        """After the pool has shut down (its workers told everything they parsed)."""
        os.close(self.write_fd)
        self.closed.set()
        self.thread.join(timeout=2)


def _ray_batch(batch: dict[str, Any], keep_source: bool) -> dict[str, Any]:
    """A Ray Data batch: pickled results, since a parse's nested tuples are no Arrow type."""
    done = parse_work(list(zip(batch["data"], batch["name"], strict=True)), keep_source)
    return {"i": batch["i"], "result": [pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in done]}


@contextlib.contextmanager
def _engine_needs(engine: str, what: str) -> Iterator[None]:
    """Imports an engine's packages; one missing is an EngineError naming the engine's extra."""
    try:
        yield
    except ImportError as error:
        raise EngineError(f"--engine {engine} needs {what} ({error.name} is missing): "
                          f"pip install 'gongkai[{engine}]'") from None


class _ClusterParser:
    """What the Ray and dask engines share: a batch whose gathering fails (a worker lost, a
    native crash) is parsed again one document at a time, so that only the culprit is recorded
    as failed and the ingest goes on."""

    def _submit(self, work: Work) -> Any:
        raise NotImplementedError

    def _results(self, handle: Any) -> list[Done]:
        raise NotImplementedError

    on_parsed: Callable[[int], None] | None = None

    def watch(self, on_parsed: Callable[[int], None]) -> None:
        """Call ``on_parsed(n)`` as the cluster reports documents done (per chunk or per block)."""
        self.on_parsed = on_parsed

    def _tell(self, count: int) -> None:
        if self.on_parsed is not None and count:
            self.on_parsed(count)

    def submit(self, work: Work) -> Any:
        return self._submit(work) if work else None

    def gather(self, work: Work, handle: Any) -> list[Done]:
        if handle is None:
            return []
        try:
            return self._results(handle)
        except Exception:  # the cluster's error types vary; each document below gets its own
            return [self._one(item) for item in work]

    def _one(self, item: tuple[bytes, str]) -> Done:
        try:
            return self._results(self._submit([item]))[0]
        except Exception as error:
            return (("failed", f"the parser worker failed on this document: {type(error).__name__}: "
                               f"{error}", None), None)


class _RayParser(_ClusterParser):
    """Ray Data: each batch becomes a dataset mapped over the cluster (``ray.init`` is called
    with ``address`` or ``RAY_ADDRESS`` unless Ray is already initialised in this process;
    without either, a local cluster of ``workers`` CPUs)."""

    def __init__(self, workers: int, keep_source: bool, address: str | None) -> None:
        with _engine_needs("ray", "Ray Data"):
            import ray
            import ray.data
        self.ray = ray
        self.keep_source = keep_source
        self.started = not ray.is_initialized()
        if self.started:
            address = address or os.environ.get("RAY_ADDRESS")
            ray.init(address=address, num_cpus=None if address else max(workers, 1),
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
        self.per_block = max(1, 2 * max(workers, 1))
        # an ingest has its own progress bar: Ray Data's per-dataset bars and INFO lines are noise
        import logging

        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)

    def _submit(self, work: Work) -> Any:
        items = [{"i": i, "data": data, "name": name} for i, (data, name) in enumerate(work)]
        dataset = self.ray.data.from_items(items, override_num_blocks=min(len(items), self.per_block))
        return dataset.map_batches(_ray_batch, fn_kwargs={"keep_source": self.keep_source},
                                   batch_format="numpy", batch_size=None)

    def _results(self, dataset: Any) -> list[Done]:
        # rows stream in as blocks finish (in any order): progress moves per finished block
        rows = []
        for row in dataset.iter_rows():
            rows.append(row)
            self._tell(1)
        rows.sort(key=lambda row: row["i"])
        return [pickle.loads(row["result"]) for row in rows]

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()
            self.started = False


class _DaskParser(_ClusterParser):
    """dask.distributed: chunks submitted to the scheduler at ``address``, to the client already
    open in this process, or to a local cluster of ``workers`` processes started for the ingest."""

    def __init__(self, workers: int, keep_source: bool, address: str | None) -> None:
        with _engine_needs("dask", "dask.distributed"):
            from distributed import Client, LocalCluster, get_client
        self.keep_source = keep_source
        self.owned: list[Any] = []
        if address:
            self.client = Client(address)
            self.owned.append(self.client)
        else:
            try:
                self.client = get_client()
            except ValueError:
                cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
                self.client = Client(cluster)
                self.owned += [self.client, cluster]
        self.chunks = max(1, 2 * sum(self.client.nthreads().values()))

    def _submit(self, work: Work) -> list[Any]:
        size = max(1, -(-len(work) // self.chunks))
        futures = []
        for i in range(0, len(work), size):
            future = self.client.submit(parse_work, work[i:i + size], self.keep_source, pure=False)
            count = len(work[i:i + size])
            # called on the client's thread when the chunk is done: progress per finished chunk
            future.add_done_callback(lambda done, count=count: self._tell(count) if done.status == "finished"
                                     else None)
            futures.append(future)
        return futures

    def _results(self, futures: list[Any]) -> list[Done]:
        return [done for chunk in self.client.gather(futures) for done in chunk]

    def close(self) -> None:
        for owned in self.owned:
            owned.close()
        self.owned = []


def make_parser(engine: str, workers: int, keep_source: bool, address: str | None = None) -> Parser:
    if engine == "local":
        return _LocalParser(workers, keep_source)
    if engine == "ray":
        return _RayParser(workers, keep_source, address)
    if engine == "dask":
        return _DaskParser(workers, keep_source, address)
    raise EngineError(f"unknown engine {engine!r}: choose {', '.join(ENGINES)}")

