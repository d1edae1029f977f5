"""``export --form long|wide`` reads the cells in parts to show its progress (issue 13, item 2); on
PostgreSQL the parts come through a server-side cursor: the same rows, the bar moving forward."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_reports import report_text, write_reports
from gongkai.store import open_store
from test_store_postgres import pg_db, pg_url  # noqa: F401 - fixtures: a PostgreSQL server of the session

N = 5


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pg-progress")
    write_reports(target, {f"r{i}.txt": report_text(f"淮安市第{i}局", 2024) for i in range(N)})
    return target


def test_export_progress_on_postgresql(folder: Path, pg_db: str,  # noqa: F811 - the imported fixture
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL streams the cells through a server-side cursor: the same rows, the bar moving."""
    from gongkai.store import export as exporting

    with open_store(pg_db) as store:
        store.ingest([folder], workers=1)
        whole = exporting.cells_long(store.engine)
        monkeypatch.setattr(exporting, "PART_ROWS", 150)
        seen: list[tuple[int, int]] = []
        parts = exporting.cells_long(store.engine, on_report=lambda done, total: seen.append((done, total)))
    assert len(parts) == len(whole) == N * 200 and parts["value"].equals(whole["value"])
    assert seen[0] == (0, N) and seen[-1] == (N, N) and len(seen) > 3
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
