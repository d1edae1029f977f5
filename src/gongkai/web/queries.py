"""The report list: filters, sorts and keyset pages that stay fast on a million reports.

Why keyset pages: ``OFFSET 500000`` reads and drops half a million rows; ``WHERE (year,
document_id) < (:year, :id)`` seeks straight to the page through an index (migration 0004). A
page link carries the sort key of the last row it showed (``after``), opaque to the user.
The total is counted only up to ``COUNT_CAP``: exact counts of a million filtered rows cost a
scan each time, and "10,000+" is all a reviewer needs.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, text

from ..errors import GongkaiError
from ..template import EDITIONS

PAGE_SIZE = 50
COUNT_CAP = 10_000
LEVELS = ("省", "市", "县", "乡镇", "部门")
TEMPLATES = EDITIONS  # the list filters by the form's edition (the report's `template`)
Sort = Literal["new", "year", "errors"]
SORTS: dict[str, str] = {"new": "最新入库", "year": "年度（新→旧）", "errors": "错误数（多→少）"}

_COLUMNS = ("document_id, agency, year, template, level, province, city, county, n_errors, n_warnings, "
            "source, title")


class BadQuery(GongkaiError, ValueError):
    """A filter or page cursor that cannot be used; the message says which."""


@dataclass(slots=True)
class ListQuery:
    region: str | None = None  # a division code prefix (32, 3208…) or a province/city/county name
    level: str | None = None
    year: int | None = None
    template: str | None = None
    has_errors: bool = False
    rule: str | None = None
    q: str | None = None  # part of the agency's name
    sort: Sort = "new"
    after: str | None = None  # cursor: the sort key of the previous page's last row
    limit: int = PAGE_SIZE

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query string of this list (with changes), for links; empty values left out."""
        return link_params({"region": self.region, "level": self.level, "year": self.year,
                            "template": self.template, "has_errors": "1" if self.has_errors else None,
                            "rule": self.rule, "q": self.q, "sort": None if self.sort == "new" else self.sort,
                            "after": self.after}, changes)


def link_params(values: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A list's query string for its links (this list's, the audit log's): ``values`` with
    ``changes``, empty ones left out."""
    return {k: v for k, v in {**values, **changes}.items() if v not in (None, "")}


@dataclass(slots=True)
class Page:
    rows: list[dict[str, Any]]
    next_after: str | None
    count: int
    count_capped: bool
    filters: dict[str, Any] = field(default_factory=dict)
    # per row (by document id), read with the rows: what the list's extra columns are made from
    # and what they depend on (the columns of _DETAILS); and the collector's newest record (None
    # on an empty page, which shows nothing it could change)
    details: dict[int, dict[str, Any]] = field(default_factory=dict)
    newest_collected: int | None = None


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


MAX_KEY = 2**31 - 1  # INTEGER columns: a cursor beyond them is forged (and PostgreSQL would fail)


def _is_key(value: Any, *, nullable: bool) -> bool:
    if value is None:
        return nullable
    return type(value) is int and -MAX_KEY <= value <= MAX_KEY


def _decode(cursor: str, size: int) -> list[Any]:
    """The sort key of a cursor: ``size`` integers, the last never null; anything else (forged,
    truncated, a float, a 5,000-digit number, deep nesting) is a :class:`BadQuery`."""
    problem = BadQuery(f"无效的翻页参数 after={cursor[:40]!r}")
    if len(cursor) > 200:
        raise problem
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, RecursionError):
        raise problem from None
    if not isinstance(values, list) or len(values) != size or not _is_key(values[-1], nullable=False) \
            or not all(_is_key(v, nullable=True) for v in values[:-1]):
        raise problem
    return values


def division_prefix(code: str) -> str:
    """A 6-digit division code names the division and everything under it, as the roster, the
    exports and ``gongkai missing`` read it: 320800 (淮安市) is the prefix 3208, 320000 is 32;
    a shorter or longer code is a prefix as it is."""
    if len(code) == 6:
        while len(code) > 2 and code.endswith("00"):
            code = code[:-2]
    return code


def filters_sql(query: ListQuery, alias: str = "") -> tuple[list[str], dict[str, Any]]:
    """WHERE clauses (and their parameters) for the query's filters; ``alias`` qualifies the
    columns of ``reports`` when the caller joins it under another name."""
    a = f"{alias}." if alias else ""
    where: list[str] = []
    params: dict[str, Any] = {}
    if query.region:
        if query.region.isascii() and query.region.isdecimal():  # a division code prefix: a range
            prefix = division_prefix(query.region)
            clause = f"{a}region_code >= :region_lo"
            params["region_lo"] = prefix
            if prefix.strip("9"):  # the next prefix of the same length bounds it ("32" → "33")
                clause += f" AND {a}region_code < :region_hi"
                params["region_hi"] = str(int(prefix) + 1).zfill(len(prefix))
            where.append(clause)
        else:
            where.append(f"({a}province = :region OR {a}city = :region OR {a}county = :region)")
            params["region"] = query.region
    if query.year is not None:
        where.append(f"{a}year = :year")
        params["year"] = query.year
    for column, value, known, unknown in (
            ("level", query.level, LEVELS, f"未知级别 {{!r}}：{'、'.join(LEVELS)}"),
            ("template", query.template, TEMPLATES, "未知格式 {!r}：2019 或 2021")):
        if value:
            if value not in known:
                raise BadQuery(unknown.format(value))
            where.append(f"{a}{column} = :{column}")
            params[column] = value
    if query.has_errors:
        where.append(f"{a}n_errors > 0")
    if query.rule:
        where.append(f"{a}document_id IN (SELECT report_id FROM findings WHERE rule = :rule)")
        params["rule"] = query.rule
    if query.q:
        where.append(f"({a}agency LIKE :q ESCAPE '\\' OR {a}agency_name LIKE :q ESCAPE '\\')")
        escaped = query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["q"] = f"%{escaped}%"
    return where, params


# sort → (ORDER BY, columns of the cursor)
_ORDER = {"new": ("document_id DESC", ("document_id",)),
          "year": ("year DESC, document_id DESC", ("year", "document_id")),
          "errors": ("n_errors DESC, document_id DESC", ("n_errors", "document_id"))}


def _after(sort: str, cursor: str, params: dict[str, Any]) -> str:
    _, columns = _ORDER[sort]
    values = _decode(cursor, len(columns))
    if sort == "new":
        params["after_id"] = values[0]
        return "document_id < :after_id"
    key, last_id = values
    params |= {"after_key": key, "after_id": last_id}
    column = columns[0]
    if key is None:  # only the rows without a year are left (they sort last)
        return f"{column} IS NULL AND document_id < :after_id"
    return (f"({column} < :after_key OR ({column} = :after_key AND document_id < :after_id) "
            f"OR {column} IS NULL)")


def _source(conn: Connection, query: ListQuery, n_filters: int) -> str:
    """``reports``, on SQLite with a hint to scan the narrow index ix_reports_list (migration 0004)
    when no single index narrows the list: several filters, or a search by name. PostgreSQL
    combines indexes by itself."""
    if conn.dialect.name == "sqlite" and (n_filters > 1 or query.q):
        return "reports INDEXED BY ix_reports_list"
    return "reports"


# Read with a page's rows, in the same statement: the document's parse token and format, the
# report's newest correction and review (the review column; both tables are append-only), how many
# of the collector's records name the document (none: its dates need no read), the collector's
# newest record, and the list's capped count — one round trip instead of three to five.
_DETAILS = ("published", "sha256", "batch", "media_type", "newest_correction", "newest_review",
            "n_collected")


def list_reports(conn: Connection, query: ListQuery) -> Page:
    if query.sort not in _ORDER:
        raise BadQuery(f"未知排序 {query.sort!r}：{'、'.join(_ORDER)}")
    where, params = filters_sql(query)
    source = _source(conn, query, len(where))
    count_sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {source}" + (
        " WHERE " + " AND ".join(where) if where else "") + f" LIMIT {COUNT_CAP + 1}) AS capped"
    paged = list(where)
    if query.after:
        paged.append(_after(query.sort, query.after, params))
    order, columns = _ORDER[query.sort]
    if query.sort == "year" and conn.dialect.name == "postgresql":
        order = "year DESC NULLS LAST, document_id DESC"  # SQLite sorts NULL lowest: last already
    page_sql = (f"SELECT {_COLUMNS}, published FROM {source}"
                + (" WHERE " + " AND ".join(paged) if paged else "") + f" ORDER BY {order} LIMIT :limit")
    # the page's rows first (through the indexes chosen as before), then their documents and
    # states; the count and the collector's newest record are computed once (uncorrelated)
    # (the document's columns through its primary key, row by row: a join let PostgreSQL hash the
    # whole documents table for 51 rows)
    document = "(SELECT d.{} FROM documents d WHERE d.id = p.document_id)"
    sql = (f"SELECT p.*, {document.format('sha256')} AS sha256, {document.format('batch')} AS batch, "
           f"{document.format('media_type')} AS media_type, "
           "(SELECT MAX(c.id) FROM corrections c WHERE c.report_id = p.document_id) AS newest_correction, "
           "(SELECT MAX(v.id) FROM reviews v WHERE v.report_id = p.document_id) AS newest_review, "
           "(SELECT COUNT(*) FROM collect_documents cd JOIN documents d ON cd.sha256 = d.sha256 "
           "WHERE d.id = p.document_id) AS n_collected, "
           "(SELECT MAX(id) FROM collect_documents) AS newest_collected, "
           f"({count_sql}) AS total FROM ({page_sql}) AS p ORDER BY {_outer(order)}")
    params["limit"] = query.limit + 1
    rows, details = [], {}
    count, newest_collected = 0, None
    for row in conn.execute(text(sql), params).mappings():
        values = dict(row)
        count, newest_collected = values.pop("total"), values.pop("newest_collected")
        details[values["document_id"]] = {k: values.pop(k) for k in _DETAILS}
        rows.append(values)
    if not rows and query.after:  # past the last page (or a cursor of a list that shrank): no row
        count = conn.execute(text(count_sql), params).scalar_one()  # carried the count
    next_after = None
    if len(rows) > query.limit:
        for extra in rows[query.limit:]:
            details.pop(extra["document_id"], None)
        rows = rows[:query.limit]
        next_after = _encode([rows[-1][c] for c in columns])
    return Page(rows, next_after, min(count, COUNT_CAP), count > COUNT_CAP, details=details,
                newest_collected=newest_collected)


def _outer(order: str) -> str:
    """The page's ORDER BY on the outer query's alias ``p``."""
    return ", ".join(f"p.{term.strip()}" for term in order.split(","))


class Facets:
    """The choices of the list's filters (years, rules present), recomputed at most once a minute:
    on a million reports they cost a scan each."""

    TTL = 60.0

    def __init__(self) -> None:
        self._value: dict[str, list[Any]] | None = None
        self._at = 0.0

    def get(self, conn: Connection) -> dict[str, list[Any]]:
        if self._value is None or time.monotonic() - self._at > self.TTL:
            years = [y for (y,) in conn.execute(text(
                "SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY year DESC"))]
            rules = [r for (r,) in conn.execute(text("SELECT DISTINCT rule FROM findings ORDER BY rule"))]
            self._value = {"years": years, "rules": rules, "levels": list(LEVELS),
                           "templates": list(TEMPLATES)}
            self._at = time.monotonic()
        return self._value

    def clear(self) -> None:
        self._value = None
