"""The codebook: every column of the exports, generated from the template (never written by hand).

One row per column: its key (the header of ``export``), Chinese label (``--labels zh``), table,
row, column, unit, the rules that involve it and the formats that have it. ``gongkai codebook``
writes it as Markdown, CSV or XLSX; docs/codebook.md is its Markdown (a test keeps them equal);
the supervisor's workbook carries it as a sheet.
"""

from __future__ import annotations

import csv
import io
from functools import cache

from ..messages import HEADERS
from ..template import EDITIONS, TEMPLATE, TableShape, bindings, equations

__all__ = ["FIELDS", "LABELS", "entries", "to_csv", "to_markdown", "to_xlsx"]

FIELDS = ("key", "label", "table", "row", "column", "unit", "rule", "formats")
LABELS = {"key": "列名", "label": "中文名称", "table": "表", "row": "行", "column": "列", "unit": "单位",
          "rule": "规则", "formats": "适用格式"}
_TABLES = {key: f"{names.zh} {names.title}" for key, names in TEMPLATE.tables.items()}
_UNITS = {"count": "件", "signed": "件（增减，可为负）", "amount": "万元"}
_SHAPES = (TableShape("2019"), TableShape("2021"), TableShape("2021", hybrid=True))
_VALUE_RULE = {"count": "N-INT", "signed": "N-CHANGE", "amount": "N-AMOUNT"}

# report metadata, timeliness and the long form's own columns: (unit, rule or meaning)
_META: dict[str, tuple[str, str]] = {
    "document_id": ("", "文档在库中的编号"), "sha256": ("", "文件内容的 SHA-256（同一文件只入库一次）"),
    "source": ("", "文件路径或网址（压缩包成员为 包!/成员）"), "agency": ("", "报告标题中的单位名称"),
    "agency_key": ("", "跨年度识别同一单位的标识（区划代码/单位）"), "agency_name": ("", "规范化的单位全称"),
    "region_code": ("", "行政区划代码（6 位）"), "province": ("", ""), "city": ("", ""), "county": ("", ""),
    "township": ("", ""), "level": ("", "省、市、县、乡镇、部门"), "year": ("年", "报告所述年度"),
    "template": ("", "表格格式：2019 或 2021"), "hybrid": ("", "2021 年表格中表三（六）按 2019 格式只印一行"),
    "title": ("", ""),
    "published": ("日期", "发布日期：网页元数据、页面所载（发布日期/发布时间/成文日期）、网址或栏目列表中的日"
                        "期，"
                          "来源见 published_source；从不推测"),
    "media_type": ("", ""), "size": ("字节", ""), "parser_version": ("", "解析器版本（含模板散列）"),
    "n_errors": ("条", "错误数"), "n_warnings": ("条", "警告数"), "failed_rules": ("", "有错误或警告的规则"),
    "received": ("件", "= applications.new_received.total"),
    "granted": ("件", "= applications.granted.total"),
    "partly_granted": ("件", "= applications.partly_granted.total"),
    "denied": ("件", "表三（三）不予公开各项之和"), "unable": ("件", "表三（四）无法提供各项之和"),
    "unprocessed": ("件", "表三（五）不予处理各项之和"),
    "other_handled": ("件", "表三（六）其他处理各项之和"),
    "results_total": ("件", "= applications.total.total"),
    "review_total": ("件", "= review_litigation.review.total"),
    "review_corrected": ("件", "= review_litigation.review.corrected"),
    "litigation_total": ("件", "未经复议直接起诉与复议后起诉的总计之和"),
    "litigation_corrected": ("件", "两类行政诉讼的结果纠正之和"),
    "published_source": ("", "发布日期从何处读得（网页元数据、页面所载、网址、栏目列表）"),
    "signed": ("日期", "报告末尾落款日期（发布不早于此日）"),
    "deadline": ("日期", "法定期限（《政府信息公开条例》第四十九条：部门 1月31日，"
                         "县级以上地方政府 3月31日）"),
    "timeliness": ("", "C-LATE：按时、逾期、日期不明、无法定期限（乡镇）"),
    "days_late": ("天", "C-LATE：晚于法定期限的天数"),
}
_LONG = {"cell": ("", "单元格路径（表.行.列）"), "value": ("件/万元", "有效值（含人工更正）"),
         "status": ("", "read 读取、blank 空白、missing 缺失、inferred 推算、corrected 人工更正"),
         "raw": ("", "原文中的文字"), "line": ("", "原文行号"),
         "locator": ("", "位置（JSON：页、表格行列、坐标）"),
         "rule": ("", "推算所依据的规则（F-ZERO、F-SOLVE）"), "note": ("", "说明")}


@cache
def _cell_rules() -> dict[str, list[str]]:
    """Cell path → the rules (template.md §5.1) that involve it, in template order."""
    found: dict[str, list[str]] = {}

    def add(path: str, rule: str) -> None:
        rules = found.setdefault(path, [])
        if rule not in rules:
            rules.append(rule)

    for shape in _SHAPES:
        for equation in equations(shape):
            for path in equation.paths:
                add(path, equation.rule)
        for rule in TEMPLATE.rules:
            if rule.kind not in ("bound", "at_least"):
                continue
            editions = rule.spec.get("formats")
            if editions and shape.edition not in editions:
                continue
            for binding in bindings(rule, shape):
                for field in ("big", "small", "parts", "limit"):
                    terms = rule.spec.get(field)
                    for term in [terms] if isinstance(terms, str) else terms or []:
                        add(term.format(**binding), rule.id)
    return found


def _cells() -> list[dict[str, str]]:
    paths: dict[str, list[str]] = {}
    for shape in _SHAPES:
        for path in TEMPLATE.cell_paths(shape):
            edition = shape.edition + ("（混合）" if shape.hybrid else "")
            paths.setdefault(path, [])
            if edition not in paths[path] and not (shape.hybrid and shape.edition in paths[path]):
                paths[path].append(edition)
    rows = []
    for path, editions in paths.items():
        table, row, column = path.split(".")
        kind = TEMPLATE.cell_kind(path)
        rules = [*_cell_rules().get(path, []), _VALUE_RULE[kind]]
        rows.append({"key": path, "label": TEMPLATE.cell_label(path), "table": _TABLES[table],
                     "row": TEMPLATE.row_label(f"{table}.{row}"),
                     "column": TEMPLATE.column_label(table, f"{row}.{column}" if table == "active_disclosure"
                                                     else column),
                     "unit": _UNITS[kind], "rule": ", ".join(rules), "formats": "、".join(editions)})
    return rows


def entries() -> list[dict[str, str]]:
    """Every export column, in the wide panel's order, then the long form's own columns."""
    from .export import TIMELINESS_COLUMNS, reports_query

    meta = [c.name for c in reports_query().selected_columns]
    meta += [c for c in TIMELINESS_COLUMNS if c not in meta]
    rows = [{"key": key, "label": HEADERS.get(key, (key, key))[0], "table": "报告信息", "row": "",
             "column": "",
             "unit": _META.get(key, ("", ""))[0], "rule": _META.get(key, ("", ""))[1],
             "formats": "、".join(EDITIONS)} for key in meta]
    rows += _cells()
    rows += [{"key": key, "label": HEADERS.get(key, (key, key))[0], "table": "长表（--form long）", "row": "",
              "column": "", "unit": unit, "rule": meaning, "formats": "、".join(EDITIONS)}
             for key, (unit, meaning) in _LONG.items()]
    return rows


def to_markdown() -> str:
    """The codebook as a Markdown page (docs/codebook.md)."""
    lines = ["# 数据字典 / Codebook", "",
             "由 `gongkai codebook` 依据模板（template.yaml）生成，请勿手工编辑。导出的每一列：列名（`gongkai"
             " export` "
             "的表头）、中文名称（`--labels zh` 的表头）、所在表、行、列、单位、涉及的规则与适用格式。",
             "",
             "Generated by `gongkai codebook` from the template; do not edit by hand. Every column of the exp"
             "orts.",
             "", "| " + " | ".join(LABELS[f] for f in FIELDS) + " |", "|" + "---|" * len(FIELDS)]
    for row in entries():
        cells = [str(row[f]).replace("|", "\\|") for f in FIELDS]
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([LABELS[f] for f in FIELDS])
    writer.writerows([row[f] for f in FIELDS] for row in entries())
    return buffer.getvalue()


def write_sheet(sheet: object) -> None:
    """The codebook into an openpyxl worksheet: header, rows, frozen header, widths."""
    from .sheets import format_sheet

    sheet.append([LABELS[f] for f in FIELDS])  # type: ignore[attr-defined]
    for row in entries():
        sheet.append([row[f] for f in FIELDS])  # type: ignore[attr-defined]
    format_sheet(sheet)


def to_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据字典"
    write_sheet(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
