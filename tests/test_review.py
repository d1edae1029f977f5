"""The review layer (gongkai.store.review): corrections with their trail, decisions, accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("argon2")

from sqlalchemy import text

import gongkai.report
from gongkai.store import Store
from gongkai.store.review import (
    ReviewError,
    add_user,
    authenticate,
    correct,
    corrections,
    decide,
    effective_report,
    finding_key,
    latest_decisions,
    reviews,
)
from web_fixtures import PASSWORD, PDF_FILES, SEED_FILES, make_store, report_id


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_store(tmp_path, [SEED_FILES[4], PDF_FILES[0]]) as s:
        yield s


def _effective(store: Store, rid: int):  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return effective_report(conn, rid)


def test_the_newest_correction_wins_and_older_ones_are_the_trail(store: Store) -> None:
    rid = report_id(store, SEED_FILES[4].name)
    path = "applications.granted.total"
    parsed = _effective(store, rid).report.cells[path]
    correct(store.engine, rid, path, 3, author="rita", reason="first")
    correct(store.engine, rid, path, 4, author="ada", reason="second")
    effective = _effective(store, rid)
    cell = effective.report.cells[path]
    assert (cell.value, cell.status) == (4, "corrected") and effective.parsed[path] == parsed
    with store.engine.connect() as conn:
        trail = corrections(conn, rid)
        copied = conn.execute(text("SELECT granted FROM reports WHERE document_id = :i"), {"i": rid}).scalar()
    assert [(c.old_value, c.value, c.author) for c in trail] == [(3, 4, "ada"), (parsed.value, 3, "rita")]
    assert trail[1].old_status == parsed.status and trail[0].old_status == "corrected"
    assert copied == 4  # the figure `stats` reads follows the correction


def test_a_cell_can_be_corrected_to_blank(store: Store) -> None:
    rid = report_id(store, SEED_FILES[4].name)
    correct(store.engine, rid, "review_litigation.review.pending", None, author="rita", reason="原文为空")
    cell = _effective(store, rid).report.cells["review_litigation.review.pending"]
    assert cell.value is None and cell.status == "corrected"


def test_corrected_cells_are_checked_again(store: Store) -> None:
    rid = report_id(store, SEED_FILES[4].name)
    before = _effective(store, rid)
    assert not before.report.errors and not before.findings_rechecked
    value = before.report.cells["applications.granted.natural_person"].value
    correct(store.engine, rid, "applications.granted.natural_person", value + 5, author="rita", reason="x")
    after = _effective(store, rid)
    assert after.findings_rechecked
    assert {f.rule for f in after.report.errors} >= {"T3-ROWSUM", "T3-TOTAL"}
    # the counts the list filters and `stats` read follow the corrected report
    with store.engine.connect() as conn:
        n_errors, failed = conn.execute(text("SELECT n_errors, failed_rules FROM reports "
                                             "WHERE document_id = :id"), {"id": rid}).one()
    assert n_errors == len(after.report.errors) > 0
    assert {"T3-ROWSUM", "T3-TOTAL"} <= set(failed.split(","))
    # the extractor's own findings are kept as parsed
    kept = [f.rule for f in before.report.findings if f.rule.startswith("P-")]
    assert [f.rule for f in after.report.findings if f.rule.startswith("P-")] == kept


@pytest.mark.parametrize(("path", "value", "message"), [
    ("applications.granted.total", -1, "负数"),
    ("applications.granted.total", 1.5, "整数"),
    ("applications.nothing.total", 1, "没有单元格"),
    ("applications.granted.total", float("nan"), "有限"),
])
def test_values_that_do_not_fit_the_cell_are_refused(store: Store, path: str, value: float,
                                                      message: str) -> None:
    rid = report_id(store, SEED_FILES[4].name)
    with pytest.raises(ReviewError, match=message):
        correct(store.engine, rid, path, value, author="rita", reason="x")
    with store.engine.connect() as conn:
        assert corrections(conn, rid) == []


def test_amounts_take_decimals_and_a_reason_and_a_report_are_required(store: Store) -> None:
    rid = report_id(store, SEED_FILES[4].name)
    record = correct(store.engine, rid, "active_disclosure.fees.amount_wan_yuan", 1.25, author="rita",
                     reason="单位为万元")
    assert record.value == 1.25
    with pytest.raises(ReviewError, match="理由"):
        correct(store.engine, rid, "applications.granted.total", 1, author="rita", reason="  ")
    with pytest.raises(ReviewError, match="999"):
        correct(store.engine, 999, "applications.granted.total", 1, author="rita", reason="x")
    with pytest.raises(ReviewError, match="confirmed"):
        decide(store.engine, rid, "T3-TOTAL|", "maybe", author="rita", reason="x")


def test_corrections_and_decisions_survive_a_reparse(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = report_id(store, PDF_FILES[0].name)
    finding = next(f for f in _effective(store, rid).report.findings if f.rule == "T4-GROUPSUM")
    key = finding_key(finding.rule, finding.cells)
    decide(store.engine, rid, key, "confirmed", author="rita", reason="合计确有误")
    correct(store.engine, rid, "applications.granted.natural_person", 9, author="rita", reason="见原文")
    monkeypatch.setattr(gongkai.report, "PARSER_VERSION", "web-test-reparse")
    result = store.ingest([PDF_FILES[0]], workers=1, reparse=True)
    assert result.reparsed == 1
    effective = _effective(store, rid)  # re-parse keeps the document id
    assert effective.report.parser_version == "web-test-reparse"
    assert effective.report.cells["applications.granted.natural_person"].value == 9
    with store.engine.connect() as conn:
        decisions = latest_decisions(reviews(conn, rid))
    keys = {finding_key(f.rule, f.cells) for f in effective.report.findings}
    assert key in keys and decisions[key].decision == "confirmed"


def test_accounts(store: Store) -> None:
    assert authenticate(store.engine, "rita", PASSWORD).role == "reviewer"  # type: ignore[union-attr]
    assert authenticate(store.engine, "rita", PASSWORD + "x") is None
    assert authenticate(store.engine, "nobody", PASSWORD) is None
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE name = 'rita'")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(ReviewError, match="已存在"):
        add_user(store.engine, "rita", PASSWORD, role="viewer")
    with pytest.raises(ReviewError, match="8"):
        add_user(store.engine, "new", "short", role="viewer")
    with pytest.raises(ReviewError, match="角色"):
        add_user(store.engine, "new", PASSWORD, role="boss")  # type: ignore[arg-type]


def test_user_add_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gongkai.cli import app
    from gongkai.store import open_store

    db = tmp_path / "users.db"
    runner = CliRunner()
    command = ["user", "add", "王审核", "--role", "reviewer", "--password-stdin", "--db", str(db)]
    added = runner.invoke(app, command, input="a-long-password\n")
    assert added.exit_code == 0, added.output
    again = runner.invoke(app, ["user", "add", "王审核", "--password-stdin", "--db", str(db)],
                          input="a-long-password\n")
    assert again.exit_code == 2 and "已存在" in again.output
    with open_store(db) as store:
        user = authenticate(store.engine, "王审核", "a-long-password")
        assert user is not None and user.role == "reviewer"


def test_a_finding_naming_many_cells_has_a_key_short_enough_to_review() -> None:
    """A finding over a whole table's short rows names ~150 cells: its key is a digest of them,
    the same after a re-parse (cells in any order), and within the length a review accepts."""
    from gongkai.store.review import MAX_KEY, finding_key

    cells = [f"applications.row{i}.natural_person" for i in range(200)]
    key = finding_key("P-ALIGN", cells)
    assert len(key) <= MAX_KEY and key.startswith("P-ALIGN|sha256:")
    assert finding_key("P-ALIGN", list(reversed(cells))) == key
    assert finding_key("T3-BALANCE", ["b", "a"]) == "T3-BALANCE|a,b"  # short keys stay readable
