"""``--engine ray|dask`` (issue 4, item 7): the same ingest parsed on a local Ray or dask cluster
stores exactly what the local engine stores; a missing extra gets a clear message."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from sqlalchemy import text

from gongkai.store import EngineError, open_store
from gongkai.synth import random_report, render

N_REPORTS = 24


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engines")
    rng = random.Random(21)
    layouts = ("plain", "pipes", "tabs", "markdown")
    for i in range(N_REPORTS):
        truth = random_report(rng, edition=rng.choice(("2021", "2019")), blanks=i % 3 == 0)
        (folder / f"r{i:03d}.txt").write_text(render(truth, layouts[i % 4], rng), "utf-8")
    (folder / "empty.txt").write_bytes(b"")  # a failure, recorded the same way by every engine
    return folder


def _content(db: Path) -> dict[str, Any]:
    """Everything stored, keyed by the documents' sha256 (ids depend on write order)."""
    with open_store(db) as store, store.engine.connect() as conn:
        def rows(sql: str) -> list[tuple]:
            return sorted(tuple(r) for r in conn.execute(text(sql)))

        by_sha = "JOIN documents d ON d.id = "
        return {
            "documents": rows("SELECT sha256, size, media_type, status, error, parser_version "
                              "FROM documents"),
            "sources": rows(f"SELECT d.sha256, s.path FROM sources s {by_sha}s.document_id"),
            "reports": rows("SELECT d.sha256, r.source, r.agency, r.agency_key, r.agency_name, "
                            "r.region_code, r.level, r.township, r.year, r.template, r.hybrid, r.title, "
                            "r.published, "
                            "r.n_errors, r.n_warnings, r.sections, r.received, r.granted, r.denied, "
                            "r.results_total, r.review_total, r.litigation_corrected "
                            f"FROM reports r {by_sha}r.document_id"),
            "cells": rows("SELECT d.sha256, p.path, c.value, c.is_int, c.status, c.raw, c.line, c.locator, "
                          f"c.rule, c.note FROM cells c {by_sha}c.report_id "
                          "JOIN cell_paths p ON p.id = c.path_id"),
            "findings": rows('SELECT d.sha256, f.seq, f.rule, f.severity, f.message, f.cells, f."values", '
                             f"f.line FROM findings f {by_sha}f.report_id"),
            "blobs": rows(f"SELECT d.sha256, b.codec, b.data FROM blobs b {by_sha}b.document_id"),
        }


@pytest.fixture(scope="module")
def local(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("local") / "g.db"
    with open_store(db) as store:
        result = store.ingest([folder], workers=2, batch_size=10)
    assert (result.parsed, result.failed) == (N_REPORTS, 1)
    content = _content(db)
    # every file read is kept, the one that failed too (to see why it failed)
    assert len(content["reports"]) == N_REPORTS and len(content["blobs"]) == N_REPORTS + 1
    return content


def test_ray_engine_stores_the_same(folder: Path, local: dict[str, Any], tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with open_store(tmp_path / "ray.db") as store:
            result = store.ingest([folder], workers=2, batch_size=10, engine="ray")
            assert (result.parsed, result.failed) == (N_REPORTS, 1)
            again = store.ingest([folder], workers=2, batch_size=10, engine="ray")
            assert (again.parsed, again.skipped) == (0, N_REPORTS + 1)
    finally:
        ray.shutdown()
    assert _content(tmp_path / "ray.db") == local


def test_dask_engine_stores_the_same(folder: Path, local: dict[str, Any], tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster):
        with open_store(tmp_path / "dask.db") as store:  # the open client is used
            result = store.ingest([folder], workers=2, batch_size=10, engine="dask")
        assert (result.parsed, result.failed) == (N_REPORTS, 1)
    assert _content(tmp_path / "dask.db") == local


@pytest.mark.parametrize(("engine", "extra"), [("ray", "gongkai[ray]"), ("dask", "gongkai[dask]")])
def test_a_missing_engine_names_its_extra(engine: str, extra: str, tmp_path: Path, folder: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    module = {"ray": "ray", "dask": "distributed"}[engine]
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    with open_store(tmp_path / "g.db") as store, pytest.raises(EngineError, match=extra.replace("[", r"\[")):
        store.ingest([folder], engine=engine)
    with open_store(tmp_path / "g.db") as store, pytest.raises(EngineError, match="unknown engine"):
        store.ingest([folder], engine="spark")


def test_a_lost_batch_is_parsed_again_one_document_at_a_time(folder: Path, tmp_path: Path) -> None:
    """What the Ray and dask engines do when gathering a batch fails: only the document that
    breaks the worker is recorded as failed; the others are stored."""
    from gongkai.store.ingest import _ClusterParser, parse_work

    class Breaking(_ClusterParser):  # an engine whose worker dies on one document
        def close(self) -> None:
            pass

        def _submit(self, work):  # type: ignore[no-untyped-def]
            return work

        def _results(self, work):  # type: ignore[no-untyped-def]
            if any(name.endswith("r003.txt") for _, name in work):
                raise RuntimeError("worker lost")
            return parse_work(work, True)

    with open_store(tmp_path / "g.db") as store:
        from gongkai import report as report_module
        from gongkai.store.ingest import ingest

        store.ingest([], workers=1)  # registers the cell paths
        result = ingest(store.engine, [folder], batch_size=10, path_ids=store._path_ids, begin=store._begin,
                        version=report_module.PARSER_VERSION, parser=Breaking())
        assert (result.parsed, result.failed) == (N_REPORTS - 1, 2)  # r003 and the empty file
        reasons = dict(result.failures)
        assert reasons[str(folder / "r003.txt")] == ("the parser worker failed on this document: "
                                                     "RuntimeError: worker lost")
