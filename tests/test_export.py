"""Exports over effective values (corrections applied), the official tables as XLSX, polars
frames, kept sources and sections (issue 4, items 3 and 6)."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("pandas")
pytest.importorskip("openpyxl")

from sqlalchemy import text

import gongkai
from corpus import REAL, SEEDS
from gongkai.store import open_store
from gongkai.store.stats import refresh_stats

HONGZE = REAL / "hongze-2024.pdf"
SEED = sorted(SEEDS.glob("*.txt"))[0]
RECEIVED = "applications.new_received.total"


def _correct(store, report_id: int, path: str, value: float | None, reason: str) -> None:  # type: ignore[no-untyped-def]
    """A correction row as the review module writes it (its semantics: the newest row wins)."""
    with store.engine.begin() as conn:
        path_id = conn.execute(text("SELECT id FROM cell_paths WHERE path = :p"), {"p": path}).scalar_one()
        conn.execute(text("INSERT INTO corrections (report_id, path_id, old_value, old_status, value, "
                          "author, reason, created_at) "
                          "VALUES (:r, :p, NULL, NULL, :v, 'tester', :why, :now)"),
                     {"r": report_id, "p": path_id, "v": value, "why": reason, "now": datetime(2026, 11, 22)})
        refresh_stats(conn, [report_id])


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_store(tmp_path / "g.db") as s:
        s.ingest([HONGZE, SEED], workers=1)
        yield s


def _id(store, path: Path) -> int:  # type: ignore[no-untyped-def]
    reports = store.reports()
    return int(reports.loc[reports["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(),
                           "document_id"].iloc[0])


def test_exports_and_stats_use_the_newest_correction(store) -> None:  # type: ignore[no-untyped-def]
    report_id = _id(store, HONGZE)
    parsed = gongkai.parse(HONGZE).value(RECEIVED)
    _correct(store, report_id, RECEIVED, parsed + 5, "first try")
    _correct(store, report_id, RECEIVED, parsed + 7, "见原文第3页")  # the newest wins
    long = store.cells_long()
    cell = long[(long["document_id"] == report_id) & (long["cell"] == RECEIVED)].iloc[0]
    assert (cell["value"], cell["status"]) == (parsed + 7, "corrected")
    assert (long["status"] == "corrected").sum() == 1
    wide = store.panel_wide().set_index("document_id")
    assert wide.loc[report_id, RECEIVED] == parsed + 7
    assert store.reports().set_index("document_id").loc[report_id, "received"] == parsed + 7
    stats = store.stats(by=("year",)).set_index("year")
    assert stats.loc[2024, "received"] == parsed + 7
    as_parsed = store.report(hashlib.sha256(HONGZE.read_bytes()).hexdigest())
    assert as_parsed.value(RECEIVED) == parsed
    _correct(store, report_id, RECEIVED, None, "原文此格为空")  # blank in truth
    long = store.cells_long()
    assert long[(long["document_id"] == report_id) & (long["cell"] == RECEIVED)]["value"].isna().all()


def test_official_xlsx_one_sheet_per_table(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    report_id = _id(store, HONGZE)
    parsed = gongkai.parse(HONGZE)
    _correct(store, report_id, RECEIVED, parsed.value(RECEIVED) + 1, "test")
    folder = store.export(tmp_path / "tables", format="xlsx", form="official")
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 2 and any("洪泽区" in f.name and "2024" in f.name for f in files)
    book = load_workbook(next(f for f in files if "洪泽区" in f.name))
    assert book.sheetnames == ["说明", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                               "四、政府信息公开行政复议、行政诉讼情况"[:31]]
    sheet = book["三、收到和处理政府信息公开申请情况"]
    values = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "一、本年新收政府信息公开申请数量" in values and sheet.merged_cells.ranges  # the template's grid
    corrected = values[parsed.value(RECEIVED) + 1]
    assert corrected.fill.start_color.rgb.endswith("FFF2CC")  # corrections coloured
    with pytest.raises(ValueError, match="xlsx only"):
        store.export(tmp_path / "x", format="csv", form="official")


def test_polars_frames(store) -> None:  # type: ignore[no-untyped-def]
    pl = pytest.importorskip("polars")
    frame = store.reports(frame="polars")
    assert isinstance(frame, pl.DataFrame) and frame.height == 2
    assert frame.filter(pl.col("agency_key") == "320813")["level"].to_list() == ["县"]
    long = store.cells_long(frame="polars")
    assert long.height == len(store.cells_long())
    assert isinstance(store.stats(frame="polars"), pl.DataFrame)


def test_sources_and_sections_are_stored(tmp_path: Path) -> None:
    with open_store(tmp_path / "g.db") as s:
        s.ingest([HONGZE, SEED], workers=1)
        for path in (HONGZE, SEED):
            report_id = _id(s, path)
            assert s.source(report_id) == path.read_bytes()
            stored = s.report(hashlib.sha256(path.read_bytes()).hexdigest())
            assert stored.sections == gongkai.parse(path).sections and stored.sections
    with open_store(tmp_path / "none.db") as s:
        s.ingest([SEED], workers=1, keep_source=False)
        assert s.source(_id(s, SEED)) is None
        s.ingest([SEED], workers=1)  # already stored: not parsed again, so no source either
        assert s.source(_id(s, SEED)) is None
        with s.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM blobs")).scalar_one() == 0
            assert json.loads(conn.execute(text("SELECT sections FROM reports")).scalar_one())["overview"]
    with open_store(tmp_path / "g.db") as s, s.engine.connect() as conn:
        codec, data = conn.execute(text("SELECT codec, data FROM blobs WHERE document_id = :id"),
                                   {"id": _id(s, SEED)}).one()
        assert codec == "zlib" and len(data) < len(SEED.read_bytes()) == len(zlib.decompress(data))
