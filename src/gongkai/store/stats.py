"""Statistics over the store: the cells ``reports`` copies, and ``stats`` by region, level and year.

``reports`` copies twelve figures of each report (applications received, the outcome groups of
table 3, table 4's totals and corrected counts) so that ``stats`` over millions of reports reads
the covering index ``ix_reports_stats`` alone. They hold *effective* values: a correction of one
of their cells must call :func:`refresh_stats` for the report (the review module does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from ..report import Finding
from ..template import TEMPLATE, TableShape
from .cells import effective_values

# (copied column, Chinese label) — the order of the covering index after its grouping columns
STAT_COLUMNS: tuple[str, ...] = (
    "received", "granted", "partly_granted", "denied", "unable", "unprocessed", "other_handled",
    "results_total", "review_total", "review_corrected", "litigation_total", "litigation_corrected")
OUTCOMES = ("granted", "partly_granted", "denied", "unable", "unprocessed", "other_handled")
GROUPINGS = ("province", "city", "county", "region_code", "level", "year", "template")
DEFAULT_BY = ("province", "level", "year")
_GROUP_COLUMNS = {"denied": "denied", "unable": "unable", "unprocessed": "unprocessed",
                  "other_handling": "other_handled"}
_LITIGATION = ("litigation_direct", "litigation_after_review")


@cache
def stat_paths(shape: TableShape) -> dict[str, tuple[str, ...]]:
    """Copied column → the cells it sums, for a table shape (the outcome rows differ by edition)."""
    rows = {r.key: r for r in TEMPLATE.application_rows}
    paths: dict[str, list[str]] = {c: [] for c in STAT_COLUMNS}
    paths["received"].append("applications.new_received.total")
    paths["results_total"].append("applications.total.total")
    for key in TEMPLATE.result_row_keys(shape):
        if key in ("granted", "partly_granted"):
            column = key
        elif key == "other":  # the 2019 （六） row is the whole group
            column = "other_handled"
        else:
            column = _GROUP_COLUMNS[rows[key].group or ""]
        paths[column].append(f"applications.{key}.total")
    paths["review_total"].append("review_litigation.review.total")
    paths["review_corrected"].append("review_litigation.review.corrected")
    paths["litigation_total"].extend(f"review_litigation.{g}.total" for g in _LITIGATION)
    paths["litigation_corrected"].extend(f"review_litigation.{g}.corrected" for g in _LITIGATION)
    return {column: tuple(p) for column, p in paths.items()}


def finding_figures(findings: Iterable[Finding]) -> dict[str, Any]:
    """What ``reports`` copies of a report's findings: error and warning counts, and the rules
    failed (sorted, comma-separated) that ``stats`` counts from its covering index."""
    findings = list(findings)
    return {"n_errors": sum(f.severity == "error" for f in findings),
            "n_warnings": sum(f.severity == "warning" for f in findings),
            "failed_rules": ",".join(sorted({f.rule for f in findings
                                              if f.severity in ("error", "warning")})) or None}


def stat_values(shape: TableShape | None, value: Callable[[str], Any]) -> dict[str, float | None]:
    """The copied figures of a report; a sum over cells none of which has a value is None."""
    if shape is None:
        return dict.fromkeys(STAT_COLUMNS)
    out: dict[str, float | None] = {}
    for column, paths in stat_paths(shape).items():
        values = [v for v in map(value, paths) if v is not None]
        out[column] = sum(values) if values else None
    return out


def refresh_stats(conn: Connection, report_ids: Iterable[int]) -> None:
    """Recompute the copied figures of reports from their effective cells (after a correction)."""
    for report_id in report_ids:
        row = conn.execute(text("SELECT template, hybrid FROM reports WHERE document_id = :id"),
                           {"id": report_id}).first()
        if row is None:
            continue
        shape = TableShape(row[0], bool(row[1])) if row[0] else None
        cells = effective_values(conn, report_id)
        values = stat_values(shape, cells.get)
        assignments = ", ".join(f"{c} = :{c}" for c in STAT_COLUMNS)
        conn.execute(text(f"UPDATE reports SET {assignments} WHERE document_id = :id"),
                     {**values, "id": report_id})


# ------------------------------------------------------------------------------ stats
def stats_sql(by: Sequence[str]) -> str:
    """One row per group and set of failed rules: with the default grouping this walks the
    covering index in its order (province, level, year, failed_rules), so no sort and no table."""
    group = ", ".join(by)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in STAT_COLUMNS)
    return (f"SELECT {group}, failed_rules, COUNT(*) AS reports, "
            f"SUM(CASE WHEN n_errors > 0 THEN 1 ELSE 0 END) AS with_errors, {sums} "
            f"FROM reports GROUP BY {group}, failed_rules")


def stats(engine: Engine, by: Sequence[str] = DEFAULT_BY, *, rules: bool = True) -> pd.DataFrame:
    """Aggregates per group (default: province, level, year), pooled over the group's reports:

    reports, share with an error, applications received, outcome mix (share of (七)总计 per
    outcome group), 公开率 ((一)+(二))/(七), 纠错率 of review and of litigation (corrected /
    total), and for each rule the share of reports with an error or warning from it
    (``fail_<rule>``; ``rules=False`` leaves these out).
    """
    by = tuple(by)
    unknown = [c for c in by if c not in GROUPINGS]
    if unknown or not by:
        raise ValueError(f"cannot group by {', '.join(unknown) or 'nothing'}; choose from "
                         f"{', '.join(GROUPINGS)}")
    with engine.connect() as conn:
        result = conn.execute(text(stats_sql(by)))
        # plain tuples: pandas probes Row objects for attributes, a tenth of the time at 10⁶ reports
        parts = pd.DataFrame(list(map(tuple, result.all())), columns=list(result.keys()))
    if parts.empty:
        return pd.DataFrame(columns=[*by, "reports"])
    for column in STAT_COLUMNS:
        parts[column] = parts[column].astype("float64")
    marked = _marked(parts[list(by)])
    keys = [marked[c] for c in by]
    base = parts.groupby(keys, sort=True, dropna=False)[["reports", "with_errors", *STAT_COLUMNS]].sum(
        min_count=1)
    base.index.names = list(by)
    base = base.reset_index()
    for column in by:
        base[column] = base[column].where(base[column] != _NULL, None)
        if pd.api.types.is_numeric_dtype(parts[column]):
            base[column] = pd.to_numeric(base[column])
    base["reports"] = base["reports"].astype("int64")
    total = base["results_total"].where(base["results_total"] > 0)
    out = base[[*by, "reports"]].copy()
    out["error_share"] = base["with_errors"] / base["reports"]
    out["received"] = base["received"]
    out["results_total"] = base["results_total"]
    for outcome in OUTCOMES:
        out[f"share_{outcome}"] = base[outcome] / total
    out["disclosure_rate"] = (base["granted"].fillna(0) + base["partly_granted"].fillna(0)) / total
    for kind in ("review", "litigation"):
        cases = base[f"{kind}_total"]
        out[f"{kind}_total"] = cases
        out[f"{kind}_correction_rate"] = base[f"{kind}_corrected"] / cases.where(cases > 0)
    if rules:
        out = pd.concat([out, _rule_shares(parts, keys, base, by)], axis=1)
    return out


# NULL group keys (a region the table did not resolve) must group like any other value
_NULL = "\x00null"


def _marked(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), _NULL)


def _rule_shares(parts: pd.DataFrame, keys: list[pd.Series], base: pd.DataFrame,
                 by: tuple[str, ...]) -> pd.DataFrame:
    """``fail_<rule>``: the share of each group's reports with an error or warning from the rule,
    from the per-(group, failed_rules) counts."""
    failing = parts[parts["failed_rules"].notna()]
    if failing.empty:
        return pd.DataFrame(index=base.index)
    exploded = pd.DataFrame({**{c: k[failing.index] for c, k in zip(by, keys, strict=True)},
                             "rule": failing["failed_rules"].str.split(","), "n": failing["reports"]})
    exploded = exploded.explode("rule")
    counts = exploded.pivot_table(index=list(by), columns="rule", values="n", aggfunc="sum", fill_value=0)
    group_keys = pd.MultiIndex.from_frame(_marked(base[list(by)]))
    if len(by) == 1:  # pivot_table gives a plain index for one key
        group_keys = group_keys.get_level_values(0)
    aligned = counts.reindex(group_keys, fill_value=0)
    shares = pd.DataFrame(aligned.to_numpy() / base["reports"].to_numpy()[:, None], index=base.index,
                          columns=[f"fail_{rule}" for rule in aligned.columns])
    return shares
