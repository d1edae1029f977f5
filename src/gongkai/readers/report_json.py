"""A report JSON that gongkai itself wrote (``gongkai parse``, schema ``gongkai.report/1``) → the Report.

Any other JSON — another tool's, a ground-truth file (``*.truth.json``), the output of ``gongkai
check`` or ``gongkai eval``, JSON Lines — is refused as not a report, saying what it looks like.
A file that only starts like JSON but is none (a text report opening with「{」) is not this
reader's: :func:`read_report_json` returns None and the text reader takes it.

A report JSON is trusted only as far as it is consistent: every cell of its template with a known
status, a number or null, the nested view equal to ``cells`` (report-json.md says they agree; a
hand edit to one of them only would otherwise be silently ignored), findings with their messages.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..errors import ParseError
from ..report import SCHEMA, Report, nested_value
from ..template import EDITIONS, TEMPLATE, TableShape

__all__ = ["is_json", "looks_like_json", "read_report_json"]

NOT_A_REPORT = "不是政府信息公开工作年度报告"
_STATUSES = ("read", "blank", "missing", "inferred")
_FINDING_TEXT = ("rule", "severity", "message", "message_en")
_SEVERITIES = ("error", "warning", "info")
_WHITESPACE = b" \t\r\n\f\v"


def looks_like_json(data: bytes) -> bool:
    """Begins with { or [ and ends with } or ] (after a UTF-8 BOM and whitespace): worth a JSON
    decode. Cheap: only the two ends are looked at."""
    head = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip(_WHITESPACE)
    tail = data[-64:].rstrip(_WHITESPACE)
    return head[:1] in (b"{", b"[") and tail[-1:] in (b"}", b"]")


def is_json(data: bytes) -> bool:
    """JSON (or JSON Lines) indeed, not a text that only begins and ends like it."""
    if not looks_like_json(data):
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return _json_lines(text) is not None
    return True


def read_report_json(data: bytes | str, name: str) -> Report | None:
    """The report a gongkai report JSON holds; None when ``data`` is no JSON at all (to be read as
    text); :class:`ParseError` naming the file for JSON that is not a gongkai report, or one that
    contradicts itself."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None  # JSON is UTF-8; GBK text that happens to open with { is the text reader's
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        lines = _json_lines(text)
        if lines is None:
            return None
        raise ParseError(name, _refusal(
            f"JSON Lines 文件，共 {len(lines)} 个 JSON 对象（gongkai parse 一次解析多个文件时的输出），"
            "一份文件只能是一份报告：请用 gongkai parse -o 目录 为每份报告写一个文件",
            f"JSON Lines with {len(lines)} objects (what `gongkai parse` prints for several files); "
            "a file holds one report: write one file per report with `gongkai parse -o DIR`")) from None
    return _report(value, name)


def _json_lines(text: str) -> list[Any] | None:
    """Every non-empty line decoded, when the text is JSON Lines of two or more objects."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    try:
        return [json.loads(line) for line in lines]
    except json.JSONDecodeError:
        return None


def _refusal(zh: str, en: str) -> str:
    return f"{NOT_A_REPORT}：{zh}（not an annual report: {en}）"


def _report(value: Any, name: str) -> Report:
    if not isinstance(value, dict):
        raise ParseError(name, _refusal(_what_list(value)[0], _what_list(value)[1]))
    if value.get("schema") != SCHEMA:
        raise ParseError(name, _refusal(*_what_object(value, name)))
    if not isinstance(value.get("cells"), dict) or "parser_version" not in value:
        # the shape of report-json.md without a parse's cell detail: the hand-read ground truth
        zh, en = (("评测用的标注真值文件（只有各表数值，没有 gongkai 解析写出的 cells、findings、"
                   "parser_version）：它与原文一起用 gongkai eval 评分",
                   "a ground-truth file (table values only, without the cells, findings and "
                   "parser_version a gongkai parse writes): score it with its source by `gongkai eval`")
                  if name.endswith(".truth.json") or "notes" in value or "implied" in value else
                  ("有 gongkai.report/1 的 schema，但没有 gongkai 解析写出的 cells 与 parser_version",
                   "it says schema gongkai.report/1 but lacks the cells and parser_version a gongkai "
                   "parse writes"))
        raise ParseError(name, _refusal(zh, en))
    problem = _inconsistency(value)
    if problem is not None:
        raise ParseError(name, f"gongkai 报告 JSON 已损坏或被改得前后不一致：{problem[0]}"
                               f"（damaged or inconsistently edited gongkai report JSON: {problem[1]}）")
    return Report.from_dict(value)


def _what_list(value: Any) -> tuple[str, str]:
    if isinstance(value, list) and value and all(isinstance(v, dict) and "findings" in v
                                                 and "source" in v for v in value):
        return ("gongkai check --format json 的输出（核查结果列表），不是报告本身",
                "the output of `gongkai check --format json` (a list of findings per file), not a report")
    kind = "数组" if isinstance(value, list) else "单个值"
    return (f"JSON {kind}，不是 gongkai 报告 JSON（应为含 schema: {SCHEMA} 的对象）",
            f"a JSON {'array' if isinstance(value, list) else 'scalar'}, not a gongkai report "
            f"(an object with schema {SCHEMA})")


def _what_object(value: dict[str, Any], name: str) -> tuple[str, str]:
    if "documents" in value and "total" in value:
        return ("gongkai eval --format json 的评分结果，不是报告",
                "the scores `gongkai eval --format json` prints")
    keys = "、".join(list(value)[:6]) + ("…" if len(value) > 6 else "")
    schema = value.get("schema")
    said = f"schema 为 {schema!r}" if schema is not None else "没有 schema 字段"
    said_en = f"schema {schema!r}" if schema is not None else "no schema field"
    return (f"其他工具或其他用途的 JSON（{said}，键：{keys or '无'}），不是 gongkai 报告 JSON"
            f"（schema 应为 {SCHEMA}）",
            f"JSON of another tool or purpose ({said_en}; keys: {keys or 'none'}), not a gongkai report "
            f"(schema {SCHEMA})")


def _inconsistency(data: dict[str, Any]) -> tuple[str, str] | None:
    """What makes the JSON contradict itself or the template (zh, en), or None."""
    template = data.get("template")
    if template not in EDITIONS:
        allowed = " 或 ".join(EDITIONS), " or ".join(EDITIONS)
        return f"template 为 {template!r}（应为 {allowed[0]}）", f"template {template!r} ({allowed[1]})"
    year, agency = data.get("year"), data.get("agency")
    if not (year is None or (isinstance(year, int) and not isinstance(year, bool))):
        return f"year 为 {year!r}，不是整数", f"year {year!r} is not an integer"
    if not (agency is None or isinstance(agency, str)):
        return f"agency 为 {agency!r}，不是文字", f"agency {agency!r} is not text"
    shape = TableShape(template, bool(data.get("hybrid", False)))
    cells: dict[str, Any] = data["cells"]
    expected = TEMPLATE.cell_paths(shape)
    unknown = [p for p in cells if p not in expected]
    absent = [p for p in expected if p not in cells]
    if unknown or absent:
        shown = (unknown or absent)[:3]
        return (f"cells 与{template}年格式的单元格不符：{'多出' if unknown else '缺少'} {', '.join(shown)}"
                f"{' 等' if len(unknown or absent) > 3 else ''}",
                f"cells do not match the {template} edition: {'unknown' if unknown else 'absent'} "
                f"{', '.join(shown)}")
    for path, cell in cells.items():
        problem = _cell_problem(cell)
        if problem is not None:
            return f"单元格 {path}：{problem[0]}", f"cell {path}: {problem[1]}"
        if data.get(path.split(".")[0]) is not None:
            nested = nested_value(data, path)
            if nested != cell["value"] or type(nested) is not type(cell["value"]):
                return (f"单元格 {path} 在嵌套视图中为 {nested!r}，在 cells 中为 {cell['value']!r}"
                        "（两处应一致）",
                        f"cell {path} is {nested!r} in the nested view but {cell['value']!r} in cells")
    findings = data.get("findings", [])
    if not isinstance(findings, list):
        return "findings 不是列表", "findings is not a list"
    for index, finding in enumerate(findings):
        if not (isinstance(finding, dict) and all(isinstance(finding.get(k), str) for k in _FINDING_TEXT)
                and finding["severity"] in _SEVERITIES):
            return (f"第 {index + 1} 条 finding 缺少 rule、severity、message 或 message_en",
                    f"finding {index + 1} lacks its rule, severity, message or message_en")
    return None


def _cell_problem(cell: Any) -> tuple[str, str] | None:
    if not isinstance(cell, dict):
        return "不是对象", "not an object"
    status, value = cell.get("status"), cell.get("value")
    if status not in _STATUSES:
        return f"status 为 {status!r}", f"status {status!r} is none of {', '.join(_STATUSES)}"
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                              or not math.isfinite(value)):
        return f"value 为 {value!r}，不是数", f"value {value!r} is not a number"
    if (value is None) != (status in ("blank", "missing")):
        return (f"状态为 {status} 而 value 为 {value!r}",
                f"status {status} with value {value!r} (read and inferred cells have a value, "
                "blank and missing ones none)")
    line = cell.get("line")
    if not (line is None or (isinstance(line, int) and not isinstance(line, bool))):
        return f"line 为 {line!r}", f"line {line!r} is not an integer"
    return None
