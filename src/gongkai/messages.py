"""What the command line says to people, in Chinese (default) and English, in one place.

>>> from gongkai.messages import say, header
>>> say("db.missing", "zh", db="typo.db")
'数据库 typo.db 不存在（查询类命令不会新建数据库）；请检查 --db，或先用 gongkai ingest 入库'
>>> header("received", "en")
'received'

``say(key, lang, **values)`` formats the message ``key``; ``header(column, lang)`` names a column
of a table the CLI prints. The language is ``zh`` or ``en`` (``--lang``, or ``GONGKAI_LANG``:
:func:`language`). Keys are grouped by the command that uses them.
"""

from __future__ import annotations

import os

__all__ = ["HEADERS", "MESSAGES", "header", "headers", "language", "say"]

Lang = str  # "zh" | "en"

MESSAGES: dict[str, tuple[str, str]] = {
    # the store
    "db.missing": ("数据库 {db} 不存在（查询类命令不会新建数据库）；请检查 --db，或先用 gongkai ingest 入库",
                   "database {db} does not exist (commands that only read never create one); check --db, "
                   "or store reports first with gongkai ingest"),
    "db.extra": ("此命令需要可选依赖 {module}（pip install 'gongkai[{extra}]'）",
                 "this command needs an optional dependency: {module} (pip install 'gongkai[{extra}]')"),
    "written": ("已写入 {target}", "written: {target}"),
    "rows.none": ("没有符合条件的记录", "nothing matches"),
    # progress
    "progress.files": ("{done}/{total} 个文件", "{done}/{total} files"),
    "progress.rate": ("{rate:,.1f} 个/秒", "{rate:,.1f}/s"),
    "progress.eta": ("剩余约 {eta}", "about {eta} left"),
    "progress.eta_label": ("剩余", "ETA"),
    "progress.ingest": ("入库", "ingest"), "progress.check": ("检查", "check"),
    "progress.parse": ("解析", "parse"), "progress.export": ("导出", "export"),
    # ingest
    "ingest.summary": ("{seen} 个文件，用时 {seconds:.1f} 秒（{rate:,.0f} 个/秒）：新解析 {parsed}，重新解析 "
                       "{reparsed}，"
                       "失败 {failed}，已入库 {skipped}，重复 {duplicates}",
                       "{seen} files in {seconds:.1f} s ({rate:,.0f}/s): {parsed} parsed, {reparsed} re-parse"
                       "d, "
                       "{failed} failed, {skipped} already stored, {duplicates} duplicates"),
    "ingest.outdated": ("；{outdated} 个由旧版解析器入库（--reparse 可更新）",
                        "; {outdated} stored by an older parser (--reparse to update)"),
    "ingest.more_failures": ("…… 另有 {more} 个失败（gongkai failures --db {db}）",
                             "… and {more} more (gongkai failures --db {db})"),
    # check over many files
    "check.summary": ("共 {reports} 份报告（{unreadable} 个文件无法读取）：错误 {errors} 条（{with_errors} 份"
                      "报告），"
                      "警告 {warnings} 条（{with_warnings} 份报告）",
                      "{reports} reports ({unreadable} files unreadable): {errors} errors in {with_errors} "
                      "reports, {warnings} warnings in {with_warnings} reports"),
    "check.worst": ("问题最多的规则：{rules}", "rules failed most often: {rules}"),
    "check.rule_count": ("{rule}（{reports} 份）", "{rule} ({reports} reports)"),
    "check.agency": ("单位", "agency"),
    "check.year": ("年度", "year"),
    "check.form_fields": ("（单位、年度取自表格填写栏）", "(agency and year from the form's fields)"),
    # roster
    "roster.imported": ("名册：新增 {added} 个单位，更新 {updated} 个（共 {total} 个）",
                        "roster: {added} units added, {updated} updated ({total} in all)"),
    "roster.no_townships": ("内置区划表只到县级，不含乡镇（街道）；乡镇名单请用 gongkai roster import 导入",
                            "the bundled division table stops at county level and lists no townships; "
                            "import them with gongkai roster import"),
    "roster.no_departments": ("区划表不含部门；部门名单请用 gongkai roster import 导入",
                              "the division table lists no departments; import them with gongkai roster impor"
                              "t"),
    "roster.unknown_code": ("区划代码 {code} 不在内置区划表中", "division code {code} is not in the bundled t"
                                                    "able"),
    "roster.bad_level": ("未知级别「{level}」：可选 省、市、县、乡镇、部门",
                         "unknown level {level!r}: choose from 省, 市, 县, 乡镇, 部门"),
    "roster.nothing": ("没有可加入名册的单位", "no units to add to the roster"),
    "roster.file_error": ("{file}：{reason}", "{file}: {reason}"),
    "roster.no_name_column": ("找不到单位名称列（表头应有「单位名称」或 name）",
                              "no unit-name column (a header 单位名称 or name)"),
    "roster.row_error": ("第 {row} 行：{reason}", "row {row}: {reason}"),
    "roster.empty_name": ("单位名称为空", "the unit name is empty"),
    "roster.bad_code": ("区划代码「{code}」应为 6 位数字", "division code {code!r} should be 6 digits"),
    "roster.unreadable": ("无法读取（{reason}）；名册应为 CSV（UTF-8 或 GBK）或 XLSX",
                          "cannot be read ({reason}); a roster is CSV (UTF-8 or GBK) or XLSX"),
    "roster.cleared": ("已清空名册（{count} 个单位）", "roster cleared ({count} units)"),
    # missing
    "missing.none": ("{db} 中没有 {region} 的报告，名册中也没有其单位", "no reports and no roster units of "
                     "{region} in {db}"),
    "missing.no_years": ("{region} 还没有任何报告：请用 --years 指定年度（如 2021-2024）",
                         "{region} has no report yet: give the years with --years (e.g. 2021-2024)"),
    "missing.summary": ("{units} 个单位 × {years} 个年度：缺报 {gaps} 份（名册内单位 {roster} 个）",
                        "{units} units × {years} years: {gaps} reports missing "
                        "({roster} units on the roster)"),
    "missing.bad_years": ("--years 应如 2021-2024 或 2023", "--years is like 2021-2024 or 2023"),
    # export
    "export.official_xlsx": ("官方表样只能导出为 xlsx（--format xlsx）",
                             "the official tables are written as xlsx only (--format xlsx)"),
    "export.workbook_xlsx": ("汇总工作簿只能导出为 xlsx（--format xlsx）",
                             "the workbook is written as xlsx only (--format xlsx)"),
    "export.bad_edition": ("--edition 为 2019 或 2021", "--edition is 2019 or 2021"),
    "export.bad_year": ("--year 应如 2023 或 2021-2024", "--year is like 2023 or 2021-2024"),
    # stats / across
    "stats.rule_note": ("规则名称列：未通过该规则（有错误或警告）的报告占比；全部列见 --format csv",
                        "rule columns: share of reports failing the rule (error or warning); every column "
                        "with --format csv"),
    "stats.bad_by": ("无法按 {columns} 分组；可选 {choices}", "cannot group by {columns}; choose from "
                                                      "{choices}"),
    "across.dup": ("「{agency}」{year}年度有 {count} 份不同的文件（另见 {other}）{same}，请确认哪一份是正式版"
                   "本",
                   "{agency} has {count} different files for {year} (see also {other}){same}; which one is "
                   "the official one?"),
    "across.same_content": ("；各文件的统计表数值相同，可能是同一报告的不同格式",
                            "; their tables hold the same figures: likely one report in several formats"),
    "across.diff_content": ("；统计表数值不同", "; their tables differ"),
}

# column key → (Chinese, English) header
HEADERS: dict[str, tuple[str, str]] = {
    "agency": ("单位", "agency"), "agency_name": ("单位（规范名称）", "agency (normalised)"),
    "agency_key": ("单位标识", "agency key"), "region_code": ("区划代码", "division code"),
    "province": ("省", "province"), "city": ("市", "city"), "county": ("县（区）", "county"),
    "township": ("乡镇（街道）", "township"), "level": ("级别", "level"), "year": ("年度", "year"),
    "template": ("格式", "template"), "hybrid": ("混合格式", "hybrid"), "title": ("标题", "title"),
    "published": ("发布日期", "published"), "published_source": ("发布日期来源", "date source"),
    "deadline": ("法定期限", "deadline"), "timeliness": ("是否按时", "on time"),
    "days_late": ("逾期天数", "days late"),
    "document_id": ("文档编号", "document id"), "sha256": ("SHA-256", "sha256"),
    "source": ("来源文件", "source"),
    "other_source": ("另一文件", "other file"), "other_year": ("另一年度", "other year"),
    "other_document_id": ("另一文档编号", "other document id"),
    "media_type": ("文件类型", "media type"), "size": ("字节数", "bytes"),
    "parser_version": ("解析器版本", "parser"),
    "n_errors": ("错误数", "errors"), "n_warnings": ("警告数", "warnings"),
    "failed_rules": ("未通过的规则", "rules failed"),
    "reports": ("报告数", "reports"), "error_share": ("有错报告占比", "share with errors"),
    "received": ("新收申请", "received"), "results_total": ("办理结果总计", "handled"),
    "granted": ("予以公开", "granted"), "partly_granted": ("部分公开", "partly granted"),
    "denied": ("不予公开", "denied"), "unable": ("无法提供", "unable"),
    "unprocessed": ("不予处理", "not processed"),
    "other_handled": ("其他处理", "other handling"),
    "share_granted": ("予以公开占比", "share granted"),
    "share_partly_granted": ("部分公开占比", "share partly"),
    "share_denied": ("不予公开占比", "share denied"), "share_unable": ("无法提供占比", "share unable"),
    "share_unprocessed": ("不予处理占比", "share not processed"),
    "share_other_handled": ("其他处理占比", "share other"),
    "disclosure_rate": ("公开率", "disclosure rate"), "granted_rate": ("公开率", "disclosure rate"),
    "review_total": ("行政复议", "reviews"), "review_corrected": ("复议纠正", "reviews corrected"),
    "review_correction_rate": ("复议纠错率", "review correction rate"),
    "litigation_total": ("行政诉讼", "lawsuits"), "litigation_corrected": ("诉讼纠正", "lawsuits corrected"),
    "litigation_correction_rate": ("诉讼纠错率", "litigation correction rate"),
    "rule": ("规则", "rule"), "severity": ("严重程度", "severity"), "item": ("项目", "item"),
    "cell": ("单元格", "cell"),
    "value": ("数值", "value"), "expected": ("应为", "expected"), "message": ("问题", "finding"),
    "message_en": ("问题（英文）", "finding (English)"), "line": ("行", "line"),
    "evidence": ("原文", "evidence"),
    "path": ("路径", "path"), "reason": ("原因", "reason"), "status": ("状态", "status"),
    "raw": ("原文数值", "raw"), "locator": ("位置", "locator"), "note": ("说明", "note"),
    "name": ("单位名称", "unit"), "parent": ("上级", "parent"), "site_url": ("网址", "site"),
    "origin": ("来源", "origin"), "roster": ("名册", "roster"), "published_any": ("是否发布", "published"),
    "files": ("文件数", "files"), "on_time": ("是否按时", "on time"),
    "seq": ("序号", "no."), "cells": ("单元格", "cells"),
}
_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}


def language(lang: str | None = None) -> Lang:
    """``zh`` or ``en``: the given language, else GONGKAI_LANG, else Chinese."""
    value = (lang or os.environ.get("GONGKAI_LANG") or "zh").lower()
    return "en" if value.startswith("en") else "zh"


def say(key: str, lang: str | None = None, **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``."""
    zh, en = MESSAGES[key]
    return (en if language(lang) == "en" else zh).format(**values)


def header(column: str, lang: str | None = None) -> str:
    """A column's header for people: from :data:`HEADERS`, a rule share ``fail_T3-BALANCE`` as
    「未通过 T3-BALANCE 占比」, a year column as it is, anything else unchanged."""
    english = language(lang) == "en"
    if column in HEADERS:
        return HEADERS[column][english]
    if column.startswith("fail_"):
        return f"share failing {column[5:]}" if english else f"未通过 {column[5:]} 占比"
    return column


def headers(columns: list[str], lang: str | None = None) -> dict[str, str]:
    """column → header, for DataFrame.rename."""
    return {c: header(str(c), lang) for c in columns}


def severity(value: str, lang: str | None = None) -> str:
    return _SEVERITY.get(value, (value, value))[language(lang) == "en"]
