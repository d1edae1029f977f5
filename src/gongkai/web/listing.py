"""What the report list shows beside each report, for one page of rows at a time: the source
file, its format (media type), the review status (corrections, findings decided or still open),
and the publication date with its timeliness (C-LATE: 按时 / 逾期 / 日期不明). And the list's
exports: the filtered list as CSV and as the supervisor's workbook, through the store's own
export functions (:mod:`gongkai.store.export`, :mod:`gongkai.store.workbook`) with the list's
filters."""

from __future__ import annotations

import io
import json
import tempfile
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup
from sqlalchemy import Connection, Engine, bindparam, text

from ..check.timeliness import SOURCES, Dated, assess, parse_date, signature_date, url_date
from ..errors import GongkaiError
from ..messages import web
from ..store.export import Filters
from ..store.review import finding_key
from .cache import BoundedCache
from .data import shown_path
from .queries import ListQuery, Page, filters_sql
from .words import media_label

EXPORT_MAX_REPORTS = 10_000  # CSV: the list's count cap; more goes through `gongkai export`
WORKBOOK_MAX_REPORTS = 300  # the workbook has one sheet per report
WORKBOOK_MAX_UNITS = 3_000  # its summary has a row per unit of the region and year
EXPORTS_AT_ONCE = 2


class ExportRefused(GongkaiError):
    """An export that is too large or cannot run now; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class ReviewState:
    corrections: int = 0
    open: int = 0  # errors and warnings nobody has decided on
    confirmed: int = 0
    dismissed: int = 0

    @property
    def state(self) -> str:
        """open (findings wait for a decision), reviewed (every one decided, or corrected), clean."""
        if self.open:
            return "open"
        if self.corrections or self.confirmed or self.dismissed:
            return "reviewed"
        return "clean"

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "corrections": self.corrections, "open_findings": self.open,
                "confirmed": self.confirmed, "dismissed": self.dismissed}


@dataclass(slots=True)
class RowExtras:
    file_name: str | None
    media: str
    media_type: str | None
    review: ReviewState = field(default_factory=ReviewState)
    published: date | None = None
    published_source: str | None = None
    deadline: date | None = None
    timeliness: str = "日期不明"
    late: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file_name": self.file_name, "media": self.media, "media_type": self.media_type,
                "review": self.review.to_dict(),
                "published": self.published.isoformat() if self.published else None,
                "published_source": self.published_source,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "timeliness": self.timeliness, "late": self.late}


def _in(name: str, values: Iterable[Any]) -> Any:
    return bindparam(name, list(values), expanding=True)


def collected_dates_of(conn: Connection, shas: list[str]) -> dict[str, list[Dated]]:
    """The publication dates the collector read for these documents (only theirs: the page must
    not read the whole collection)."""
    out: dict[str, list[Dated]] = defaultdict(list)
    if not shas:
        return out
    rows = conn.execute(text("SELECT sha256, dates, url FROM collect_documents WHERE sha256 IN :shas "
                             "ORDER BY id").bindparams(_in("shas", shas))).all()
    for sha, dates, url in rows:
        try:
            found = json.loads(dates) if dates else {}
        except ValueError:
            continue
        for source, value in found.items() if isinstance(found, dict) else ():
            if source in SOURCES and source != "signature":
                try:
                    out[sha].append(Dated(date.fromisoformat(value), source, url))
                except (TypeError, ValueError):
                    continue
    return out


def review_states(conn: Connection, ids: list[int], *, corrected: Iterable[int] | None = None,
                  reviewed: Iterable[int] | None = None, flagged: Iterable[int] | None = None
                  ) -> dict[int, ReviewState]:
    """Per report: corrections made, and its errors and warnings decided (by their latest review)
    or still open. ``corrected``, ``reviewed``, ``flagged``: when the caller has just read which
    of the reports have corrections, reviews, errors or warnings (the list's rows), only those
    are looked up — no statement for none."""
    states = {i: ReviewState() for i in ids}
    if not ids:
        return states
    with_corrections = ids if corrected is None else list(corrected)
    with_reviews = ids if reviewed is None else list(reviewed)
    with_findings = ids if flagged is None else list(flagged)
    if with_corrections:
        for rid, n in conn.execute(text("SELECT report_id, COUNT(*) FROM corrections WHERE report_id IN :ids "
                                        "GROUP BY report_id").bindparams(_in("ids", with_corrections))):
            states[rid].corrections = n
    decided: dict[tuple[int, str], str] = {}
    if with_reviews:
        for rid, key, decision in conn.execute(text(
                "SELECT report_id, finding_key, decision FROM reviews WHERE report_id IN :ids ORDER BY id"
        ).bindparams(_in("ids", with_reviews))):
            decided[(rid, key)] = decision  # the newest decision wins
    found = conn.execute(text("SELECT report_id, rule, cells FROM findings WHERE report_id IN :ids "
                              "AND severity IN ('error', 'warning')").bindparams(_in("ids", with_findings))
                         ) if with_findings else ()
    for rid, rule, cells in found:
        try:
            paths = json.loads(cells) if cells else []
        except ValueError:
            paths = []
        decision = decided.get((rid, finding_key(rule, paths)))
        state = states[rid]
        if decision == "confirmed":
            state.confirmed += 1
        elif decision == "dismissed":
            state.dismissed += 1
        else:
            state.open += 1
    return states


SIGNATURES_CACHED = 50_000  # small entries (a date and a line): ~20 MB at most


# (report id, parse token) → the signature date the report's text ends with: reading it means
# loading and decoding every row's sections (the whole text), which a list page did 50 times
_SIGNATURES: BoundedCache[tuple[Dated | None]] = BoundedCache(SIGNATURES_CACHED)


def _signatures(conn: Connection, rows: list[Any], stored: dict[int, str | None] | None = None
                ) -> dict[int, Dated | None]:
    """Each row's signature date (from its stored sections), cached by report and parse;
    ``stored``: the sections (JSON) of some of the rows, as the caller has just read them."""
    found: dict[int, Dated | None] = {}
    missing: list[int] = []
    for row in rows:
        key = (row.document_id, row.batch)
        cached = _SIGNATURES.get(key)  # (None,): the report has no signature date
        if cached is None:
            missing.append(row.document_id)
        else:
            found[row.document_id] = cached[0]
    if missing:
        batches = {row.document_id: row.batch for row in rows}
        known = [(rid, stored[rid]) for rid in missing if stored and stored.get(rid) is not None]
        unread = [rid for rid in missing if not stored or stored.get(rid) is None]
        read = conn.execute(text("SELECT document_id, sections FROM reports WHERE document_id IN :ids"
                                 ).bindparams(_in("ids", unread))) if unread else ()
        for rid, text_json in [*known, *read]:
            try:
                sections = json.loads(text_json) if text_json else {}
            except ValueError:
                sections = {}
            signed_at = signature_date(sections) if isinstance(sections, dict) else None
            signed = Dated(signed_at[0], "signature", signed_at[1]) if signed_at else None
            found[rid] = _SIGNATURES.put((rid, batches[rid]), (signed,))[0]
    return found


def row_extras(conn: Connection, page: Page, *, anonymous: bool, lang: str = "zh") -> dict[int, RowExtras]:
    """The extra columns of a page of the list (from :func:`gongkai.web.queries.list_reports`, which
    read what they are made from with the rows); ``lang``: the words of the timeliness and its
    date's source. Reads only what the rows say there is: the collector's dates of documents it
    has records of, corrections, reviews and findings of reports that have some. (The report
    page's own: :func:`report_extras`.)"""
    ids = [int(r["document_id"]) for r in page.rows]
    details = {rid: ReportDetail(rid, **{k: page.details[rid][k] for k in _DETAIL_COLUMNS},
                                 **{k: row[k] for k in ("level", "year", "agency", "source")})
               for row in page.rows if (rid := int(row["document_id"])) in page.details}
    if not details:
        return {}
    collected = collected_dates_of(conn, [d.sha256 for rid, d in details.items()
                                          if page.details[rid]["n_collected"]])
    signatures = _signatures(conn, list(details.values()))
    corrected = [i for i, d in page.details.items() if d["newest_correction"] is not None]
    # the stored findings: counted in the row unless a correction changed the counts (then the
    # row counts the corrected report's findings, and the stored ones are read as before)
    flagged = {int(r["document_id"]) for r in page.rows if (r["n_errors"] or 0) + (r["n_warnings"] or 0)}
    states = review_states(conn, ids, corrected=corrected, flagged=sorted(flagged.union(corrected)),
                           reviewed=[i for i, d in page.details.items() if d["newest_review"] is not None])
    return {rid: _extras(row, collected.get(row.sha256, []), signatures.get(rid), states[rid], lang)
            for rid in ids if (row := details.get(rid)) is not None}


_DETAIL_COLUMNS = ("sha256", "batch", "media_type", "published")


@dataclass(frozen=True, slots=True)
class ReportDetail:
    """What the extra columns are made from, for one report (a row of :func:`row_extras`' query)."""

    document_id: int
    sha256: str
    batch: Any
    media_type: str | None
    published: str | None
    level: str | None
    year: int | None
    agency: str | None
    source: str | None


def report_extras(conn: Connection, detail: ReportDetail, *, collected: bool, lang: str = "zh",
                  sections: str | None = None) -> RowExtras:
    """One report's extra columns without its review state (the report page shows its own), from
    what the page has already read; ``collected``: the collector has records of its document (else
    they are not looked for); ``sections``: its stored text (JSON) when the page has read it."""
    dates = collected_dates_of(conn, [detail.sha256]).get(detail.sha256, []) if collected else []
    signed = _signatures(conn, [detail], {detail.document_id: sections})[detail.document_id]
    return _extras(detail, dates, signed, ReviewState(), lang)


def _extras(row: Any, collected: list[Dated], signed: Dated | None, review: ReviewState,
            lang: str) -> RowExtras:
    # the report's own dates (page text, URL, signature: publication_dates), the signature cached
    own = [Dated(printed, "text", row.published)] if (printed := parse_date(row.published)) else []
    if (from_url := url_date(row.source)) is not None:
        own.append(Dated(from_url, "url", row.source))
    if signed is not None:
        own.append(signed)
    result = assess(row.level, row.year, [*collected, *own])
    return RowExtras(
        file_name=shown_path(row.source), media=media_label(row.media_type, lang), media_type=row.media_type,
        review=review, published=result.published.date if result.published else None,
        published_source=result.published.where(lang) if result.published else None,
        deadline=result.deadline, timeliness=result.status(lang), late=result.late)


ROWS_CACHED = 256  # pages of the list (a filter, a sort, a page, a language, who is asking)
ROWS_CACHED_BYTES = 32 * 1024 * 1024  # ~40 KB a page of 50 rows

# per database: (the list's query, language, visitor or role) → (what the rows showed, their HTML)
RowsCache = BoundedCache[tuple[tuple[Any, ...], str]]
_ROWS: weakref.WeakKeyDictionary[Engine, RowsCache] = weakref.WeakKeyDictionary()
_ROWS_LOCK = threading.Lock()


def rows_cache(engine: Engine) -> RowsCache:
    """The cache of list pages' rows of one database (bounded by pages and by bytes)."""
    with _ROWS_LOCK:
        cache = _ROWS.get(engine)
        if cache is None:
            cache = _ROWS[engine] = BoundedCache(ROWS_CACHED, max_bytes=ROWS_CACHED_BYTES,
                                                 size=lambda entry: 2 * len(entry[1]))
        return cache


def _rows_state(page: Page) -> tuple[Any, ...]:
    """Everything a page of rows shows depends on, as :func:`gongkai.web.queries.list_reports` read
    it with the rows: the rows themselves (counts of errors included), each report's parse and
    newest correction and review (the review column), the collector's newest record
    (timeliness), and the page's count and cursor."""
    shown = tuple(tuple(r.values()) for r in page.rows)
    per_report = tuple((rid, d["batch"], d["newest_correction"], d["newest_review"], d["n_collected"])
                       for rid, d in sorted(page.details.items()))
    return (shown, per_report, page.newest_collected, page.count, page.count_capped, page.next_after)


def list_rows_html(conn: Connection, page: Page, key: tuple[Any, ...],
                   render: Callable[[dict[int, RowExtras]], str], *, anonymous: bool, lang: str) -> Markup:
    """The rows of a page of the list as HTML, made by ``render`` from the rows' extra columns —
    or the same page's HTML made before, when nothing it shows has changed since (checked on
    every request, so a write from any process or command shows at once). ``key`` must hold
    everything besides the data the HTML depends on: the query, the language, and who asks
    (a visitor or a role; the rows show no user's own data)."""
    state = _rows_state(page)
    cache = rows_cache(conn.engine)
    cached = cache.get(key)
    if cached is not None and cached[0] == state:
        return Markup(cached[1])  # made by render(): the template's escaped output
    html = render(row_extras(conn, page, anonymous=anonymous, lang=lang))
    cache.put(key, (state, html))
    return Markup(html)


# ------------------------------------------------------------------------------ exports
@dataclass(frozen=True)
class ListFilters(Filters):
    """The report list's filters as the store's :class:`Filters`: its SQL is the list's own
    (:func:`gongkai.web.queries.filters_sql`), so an export holds exactly the reports the list
    shows; region, year, level and template also fill the fields the workbook's summary reads."""

    query: ListQuery | None = None

    def __bool__(self) -> bool:
        return self.query is not None and bool(filters_sql(self.query)[0])

    def sql(self) -> tuple[str, dict[str, Any]]:
        if self.query is None:
            return "1 = 1", {}
        where, params = filters_sql(self.query, "reports")
        return " AND ".join(where) or "1 = 1", params


def list_filters(query: ListQuery) -> ListFilters:
    return ListFilters(region=query.region, years=(query.year,) if query.year is not None else (),
                       levels=(query.level,) if query.level else (),
                       editions=(query.template,) if query.template else (), query=query)


_GATE = threading.BoundedSemaphore(EXPORTS_AT_ONCE)


class _Slot:
    """At most :data:`EXPORTS_AT_ONCE` exports run at once; another is refused at once (503)."""

    def __enter__(self) -> None:
        if not _GATE.acquire(blocking=False):
            raise ExportRefused("导出任务繁忙，请稍后重试", 503)

    def __exit__(self, *_exc: object) -> None:
        _GATE.release()


def _count(conn: Connection, query: ListQuery) -> int:
    where, params = filters_sql(query)
    sql = "SELECT COUNT(*) FROM reports" + (" WHERE " + " AND ".join(where) if where else "")
    return int(conn.execute(text(sql), params).scalar_one())


def export_csv(engine: Engine, query: ListQuery, *, anonymous: bool, lang: str = "zh") -> bytes:
    """The filtered list as CSV (UTF-8 with BOM, headers in ``lang``): the store's report columns
    and timeliness, plus the review status; formula-like text stays text."""
    from ..store import export

    with engine.connect() as conn:
        n = _count(conn, query)
    if n > EXPORT_MAX_REPORTS:
        raise ExportRefused(f"筛选结果有 {n:,} 份报告，超过网页导出上限 {EXPORT_MAX_REPORTS:,} 份；"
                            "请缩小筛选范围，或在服务器上用 gongkai export 导出")
    filters = list_filters(query)
    with _Slot():
        frame = export.with_timeliness(export.reports(engine, filters), engine, filters, lang)
        with engine.connect() as conn:
            states = review_states(conn, [int(i) for i in frame["document_id"]])
        frame["review_state"] = [web(f"export.state.{states[int(i)].state}", lang)
                                 for i in frame["document_id"]]
        frame["corrections"] = [states[int(i)].corrections for i in frame["document_id"]]
        frame["open_findings"] = [states[int(i)].open for i in frame["document_id"]]
        frame["media"] = [media_label(m if isinstance(m, str) else None, lang) for m in frame["media_type"]]
        if anonymous:
            frame["source"] = [shown_path(s) if isinstance(s, str) else s for s in frame["source"]]
        frame = export.labelled(frame, lang).rename(columns={key: web(f"export.column.{key}", lang)
                                                             for key in _EXTRA_COLUMNS})
        out = io.StringIO()
        export._csv_safe(frame).to_csv(out, index=False, float_format="%.15g")
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


_EXTRA_COLUMNS = ("signed", "review_state", "corrections", "open_findings", "media")  # the list's own


def _anonymise_workbook(path: Path, lang: str) -> None:
    """Server paths out of a workbook written for a visitor who is not logged in: every column
    headed 来源文件 keeps the file name only."""
    from openpyxl import load_workbook

    from ..store.export import labelled

    label = str(labelled(pd.DataFrame(columns=["source"]), lang).columns[0])
    book = load_workbook(path)
    for sheet in book.worksheets:
        columns = [cell.column for cell in sheet[1] if cell.value == label]
        for column in columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                if isinstance(cell.value, str):
                    cell.value = shown_path(cell.value)
                    cell.data_type = "s"
    book.save(path)


def _summary_units(engine: Engine, query: ListQuery) -> int:
    """How many units the workbook's summary lists: every unit with a report in the region and
    years (the summary ignores the list's other filters), and every roster unit of the region."""
    from ..store.roster import units

    filters = Filters(region=query.region, years=(query.year,) if query.year is not None else ())
    condition, params = filters.sql()
    with engine.connect() as conn:
        reported = set(conn.execute(text("SELECT DISTINCT agency_key FROM reports "
                                         f"WHERE agency_key IS NOT NULL AND {condition}"),
                                    params).scalars())
    return len(reported | set(units(engine, query.region)["agency_key"]))


def export_workbook(engine: Engine, query: ListQuery, *, anonymous: bool, lang: str = "zh") -> bytes:
    """The supervisor's workbook (:func:`gongkai.store.workbook.write_workbook`) of the filtered
    list: summary (every roster unit of the region), findings, panel, codebook, one sheet per report."""
    from ..store.workbook import write_workbook

    with engine.connect() as conn:
        n = _count(conn, query)
    if n > WORKBOOK_MAX_REPORTS:
        raise ExportRefused(f"筛选结果有 {n:,} 份报告；工作簿每份报告一张表，网页导出最多 "
                            f"{WORKBOOK_MAX_REPORTS} 份。请缩小筛选范围（地区、年度），或在服务器上用 "
                            "gongkai export --form workbook 导出")
    units = _summary_units(engine, query)
    if units > WORKBOOK_MAX_UNITS:
        raise ExportRefused(f"工作簿的汇总表列出所选地区的每个单位：当前有 {units:,} 个单位，网页导出最多 "
                            f"{WORKBOOK_MAX_UNITS:,} 个。请选择地区（如 淮安市 或 320800），或在服务器上用 "
                            "gongkai export --form workbook 导出")
    with _Slot(), tempfile.TemporaryDirectory(prefix="gongkai-export-") as folder:
        target = Path(folder) / "workbook.xlsx"
        write_workbook(engine, target, list_filters(query), lang)
        if anonymous:
            _anonymise_workbook(target, lang)
        return target.read_bytes()


def export_name(query: ListQuery, suffix: str) -> str:
    """A file name that says what was exported: 年报-淮安市-2024.xlsx."""
    parts = [p for p in (query.region, query.level, str(query.year) if query.year else None,
                         f"{query.template}版" if query.template else None) if p]
    safe = "".join(c for c in "-".join(["年报", *parts]) if c.isalnum() or c in "-_.")
    return f"{safe or '年报'}.{suffix}"
