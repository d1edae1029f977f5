"""Issue 12, break 1: no write path of the store loses a correction or a review — on SQLite and on a
real PostgreSQL server. Every write path runs on a store with corrections and reviews; after each,
the trail is byte-for-byte what it was, the effective values are the corrected ones again, and
the append-only tables refuse UPDATE and DELETE."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import count
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("argon2")

from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

import gongkai.report
from gongkai.store import open_store
from gongkai.store.ingest import _LocalParser, ingest, parse_work
from gongkai.store.review import (
    add_user,
    correct,
    decide,
    effective_report,
    end_sessions,
    set_active,
    set_password,
)
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import PASSWORD, PDF_FILES, SEED_FILES, make_store, new_postgres_database, report_id

FILES = [SEED_FILES[4], SEED_FILES[2], PDF_FILES[0]]
GRANTED = "applications.granted.total"
REVIEW_TOTAL = "review_litigation.review.total"
_names = count()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return new_postgres_database(request.getfixturevalue("pg_url"),
                                     f"gongkai_audit_{os.getpid()}_{next(_names)}")
    return str(tmp_path / "audit.db")


def _trail(store) -> dict[str, list[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return {table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
                for table in ("corrections", "reviews")}


def _copied(store, rid: int) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return tuple(conn.execute(text("SELECT granted, review_total, n_errors, failed_rules FROM reports "
                                       "WHERE document_id = :i"), {"i": rid}).one())


def _effective(store, rid: int):  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return effective_report(conn, rid)


class _FailingOnce:
    """A parser engine whose worker fails one document (as a crashed native reader would)."""

    def __init__(self, failing: str) -> None:
        self.failing = failing

    def submit(self, work):  # type: ignore[no-untyped-def]
        return work

    def gather(self, work, handle):  # type: ignore[no-untyped-def]
        return [((("failed", "the parser process crashed on this document", None), None))
                if name.endswith(self.failing) else parse_work([(data, name)], True)[0]
                for data, name in handle]

    def close(self) -> None:
        pass


def _reparse_with(store, parser, version: str) -> None:  # type: ignore[no-untyped-def]
    ingest(store.engine, FILES, workers=1, reparse=True, path_ids=store._path_ids, begin=store._begin,
           version=version, parser=parser)


_OTHER_PROCESS = ("import sys; import gongkai.report as r; r.PARSER_VERSION = sys.argv[3]; "
                  "from gongkai.store import open_store; "
                  "open_store(sys.argv[1]).ingest(sys.argv[2:3], workers=2, reparse=True)")


def test_every_write_path_keeps_the_trail_and_the_corrected_values(url: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path, FILES, url=url)
    pdf, seed = report_id(store, PDF_FILES[0].name), report_id(store, SEED_FILES[4].name)
    correct(store.engine, pdf, REVIEW_TOTAL, 11, author="rita", reason="原文合计漏填")
    correct(store.engine, seed, GRANTED, 3, author="rita", reason="first")
    correct(store.engine, seed, GRANTED, 4, author="ada", reason="second")
    finding = next(f for f in _effective(store, pdf).report.findings if f.rule == "T3-ROWSET")
    decide(store.engine, pdf, f"{finding.rule}|{','.join(sorted(finding.cells))}", "dismissed",
           author="rita", reason="混合格式，属实")
    trail = _trail(store)
    copied = {pdf: _copied(store, pdf), seed: _copied(store, seed)}
    assert copied[seed][0] == 4 and copied[pdf][1] == 11
    effective = {rid: _effective(store, rid).report.cells for rid in copied}

    def intact(step: str) -> None:
        assert _trail(store) == trail, f"{step}: the audit trail changed"
        for rid in copied:
            assert _copied(store, rid) == copied[rid], f"{step}: report {rid}'s copied figures"
            assert _effective(store, rid).report.cells == effective[rid], f"{step}: report {rid}'s cells"

    # 1. the same files again: skipped
    store.ingest(FILES, workers=1)
    intact("re-ingest")
    # 2. a new parser version, re-parsed in this process, then by two worker processes
    monkeypatch.setattr(gongkai.report, "PARSER_VERSION", "audit-2")
    assert store.ingest(FILES, workers=1, reparse=True).reparsed == len(FILES)
    intact("reparse in process")
    monkeypatch.setattr(gongkai.report, "PARSER_VERSION", "audit-3")
    assert store.ingest(FILES, workers=2, reparse=True).reparsed == len(FILES)
    intact("reparse in worker processes")
    # 3. a re-parse in which the corrected report fails, then one in which it parses again
    _reparse_with(store, _FailingOnce(PDF_FILES[0].name), "audit-4")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM reports WHERE document_id = :i"),
                            {"i": pdf}).scalar_one() == 0
    assert _trail(store) == trail  # the report is gone for now, its corrections are not
    _reparse_with(store, _LocalParser(1, True), "audit-5")
    intact("reparse after a failed one")
    # 4. another process re-parsing the same folder (its own engine, pool and transactions)
    folder = tmp_path / "files"
    folder.mkdir()
    for file in FILES:
        (folder / file.name).write_bytes(file.read_bytes())
    run = subprocess.run([sys.executable, "-c", _OTHER_PROCESS, url, str(folder), "audit-6"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    intact("reparse by another process")
    # 5. the migrations run again on open
    store.close()
    store = open_store(url)
    intact("reopen (migrations)")
    # 6. accounts: add, passwd, disable, enable, sessions revoked
    add_user(store.engine, "newcomer", PASSWORD, role="viewer")
    set_password(store.engine, "newcomer", PASSWORD + "!")
    set_active(store.engine, "newcomer", False)
    set_active(store.engine, "newcomer", True)
    end_sessions(store.engine, "newcomer")
    intact("account changes")
    # every act is in the audit table, in order
    with store.engine.connect() as conn:
        actions = [a for (a,) in conn.execute(text("SELECT action FROM audit_events ORDER BY id"))]
        reparsed = conn.execute(text("SELECT COUNT(DISTINCT report_id) FROM audit_events "
                                     "WHERE action = 'reparse'")).scalar_one()
    assert actions.count("correction") == len(trail["corrections"]) == 3
    assert actions.count("review") == len(trail["reviews"]) == 1
    assert reparsed == 2  # the two corrected reports, at each re-parse
    assert actions[-5:] == ["user.add", "user.passwd", "user.disable", "user.enable", "sessions.revoke"]
    store.close()


@pytest.mark.parametrize("statement", [
    "DELETE FROM corrections", "UPDATE corrections SET value = 0", "DELETE FROM reviews",
    "UPDATE reviews SET decision = 'confirmed'", "DELETE FROM audit_events",
    "UPDATE audit_events SET actor = 'x'"])
def test_the_trail_refuses_updates_and_deletes(url: str, tmp_path: Path, statement: str) -> None:
    store = make_store(tmp_path, [SEED_FILES[4]], url=url)
    rid = report_id(store, SEED_FILES[4].name)
    correct(store.engine, rid, GRANTED, 3, author="rita", reason="x")
    decide(store.engine, rid, "T3-ROWSUM|x", "confirmed", author="rita", reason="y")
    before = _trail(store)
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert _trail(store) == before
    store.close()


def test_deleting_a_parsed_report_keeps_its_corrections(url: str, tmp_path: Path) -> None:
    """What the old foreign key did on PostgreSQL: deleting the ``reports`` row (as a re-parse
    does) cascaded into corrections and reviews."""
    store = make_store(tmp_path, [SEED_FILES[4]], url=url)
    rid = report_id(store, SEED_FILES[4].name)
    correct(store.engine, rid, GRANTED, 3, author="rita", reason="x")
    decide(store.engine, rid, "T3-ROWSUM|x", "confirmed", author="rita", reason="y")
    with store.engine.begin() as conn:
        for table in ("cells", "findings", "reports"):
            key = "document_id" if table == "reports" else "report_id"
            conn.execute(text(f"DELETE FROM {table} WHERE {key} = :i"), {"i": rid})
    trail = _trail(store)
    assert len(trail["corrections"]) == len(trail["reviews"]) == 1
    store.close()


def test_upgrading_a_0004_store_keeps_its_trail_and_drops_the_stored_key(url: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch
                                                                          ) -> None:
    """A store made by the previous release: corrections referencing ``reports``, the session key
    in ``web_settings``. After the upgrade a re-parse keeps the corrections."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from gongkai.store import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(resources.files("gongkai.store") / "migrations"))
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.execute(text("INSERT INTO web_settings (key, value) VALUES ('session_secret', 'leaked')"))
    engine.dispose()
    store = open_store(url)  # → 0005
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM web_settings WHERE key = 'session_secret'")
                            ).scalar_one() == 0
    store.ingest([SEED_FILES[4]], workers=1)
    rid = report_id(store, SEED_FILES[4].name)
    correct(store.engine, rid, GRANTED, 3, author="rita", reason="x")
    monkeypatch.setattr(gongkai.report, "PARSER_VERSION", "upgraded-2")
    store.ingest([SEED_FILES[4]], workers=1, reparse=True)
    assert len(_trail(store)["corrections"]) == 1
    assert _copied(store, rid)[0] == 3
    store.close()
