"""Pages of one scan read in parallel by page workers (``gongkai.readers.ocr_pages``): the same
document as reading them one after another, each worker loading the models once; one page per
process inside a worker of ``gongkai ingest`` (the documents fill the cores there)."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from gongkai.readers import ocr, ocr_engines, ocr_pages

needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr not installed (pip install 'gongkai[ocr]')")
needs_soffice = pytest.mark.tools("soffice", "cjk-font", "pdftoppm")  # scans: LibreOffice PDFs rasterised


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gongkai.synth.corpus import make_corpus

    return make_corpus(1, "scan", tmp_path_factory.mktemp("scan"), seed=3)["scan"][0]


def _cells(path: Path) -> list[list[tuple[str, float | None, int | None]]]:
    document = ocr.read_scanned_pdf(path.read_bytes(), path.name)
    return [[(c.text, c.confidence, c.page) for c in row.cells] for row in document.rows]


@needs_ocr
@needs_soffice
def test_pages_read_in_parallel_give_the_same_document(scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ocr_pages.PAGE_WORKERS_ENV, "1")
    one_by_one = _cells(scan)
    monkeypatch.setenv(ocr_pages.PAGE_WORKERS_ENV, "2")
    ocr_pages.shutdown()
    try:
        parallel = _cells(scan)
        pool = ocr_pages.page_pool(2)
        workers = {pid for pid in pool._processes}  # the workers that read the pages
        again = _cells(scan)  # a second document: read by the same workers, models already loaded
        assert {pid for pid in pool._processes} == workers and os.getpid() not in workers
    finally:
        ocr_pages.shutdown()
    assert len(one_by_one) > 20 and any(c[1] is not None for row in one_by_one for c in row)
    assert parallel == one_by_one == again
    assert {c[2] for row in parallel for c in row if c[2]} >= {1, 2}  # both pages are in it


def _workers_in_child(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put((ocr_pages.page_workers(12), ocr_pages.in_worker_process(), ocr_engines._default_threads()))


def test_a_worker_process_reads_its_pages_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ocr_pages.PAGE_WORKERS_ENV, raising=False)
    assert not ocr_pages.in_worker_process()
    assert ocr_pages.page_workers(12) == min(12, os.cpu_count() or 1)
    assert ocr_pages.page_workers(1) == 1
    assert ocr_engines._default_threads() == -1  # onnxruntime: every core
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_workers_in_child, args=(queue,))
    child.start()
    child.join(60)
    # an ingest worker: the documents fill the cores, its pages read in it on one onnxruntime thread
    assert queue.get(timeout=5) == (1, True, 1)
    monkeypatch.setenv(ocr_pages.PAGE_WORKERS_ENV, "3")
    assert ocr_pages.page_workers(12) == 3 and ocr_pages.page_workers(2) == 2
