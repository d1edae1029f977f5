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
import re
from enum import StrEnum

__all__ = ["HEADERS", "HELP", "MESSAGES", "REASONS", "WEB", "Language", "header", "headers", "help_text",
           "language", "reason", "say", "web", "web_english"]

Lang = str  # "zh" | "en"


class Language(StrEnum):
    """The languages gongkai speaks: the choices of every command's ``--lang``."""

    zh = "zh"
    en = "en"


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
    "progress.reports": ("{done}/{total} 份报告", "{done}/{total} reports"),
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
    # parse, check, eval, render, template (the core commands)
    "files.none": ("请给出报告文件，或用 --sample 检查内置示例",
                   "give report files, or --sample for the bundled sample"),
    "template.bad_format": ("--edition（表格版本）为 {editions}", "--edition is {editions}"),
    "extra.needed": ("需要安装 gongkai[{extra}]：pip install 'gongkai[{extra}]'",
                     "this command needs gongkai[{extra}]: pip install 'gongkai[{extra}]'"),
    "extra.lacking": (" (缺少 {shown})", " (missing {shown})"),
    "extra.more": (" 等 {count} 个", " and {more} more"),
    "module.missing": ("此命令需要 Python 模块 {module}，但无法导入（pip install {module}）",
                       "this command needs the Python module {module}, which cannot be imported "
                       "(pip install {module})"),
    "report.head": ("单位：{agency}  年度：{year}  格式：{template}年{hybrid}",
                    "agency: {agency}  year: {year}  template: {template}{hybrid}"),
    "report.hybrid": ("（2021表格，表三（六）按2019格式）", " (hybrid: 2021 form, table 3 (六) as in 2019)"),
    "report.cells": ("单元格：读取 {read}，推算 {inferred}，空白 {blank}，缺失 {missing}",
                     "cells: {read} read, {inferred} inferred (forced by the arithmetic), {blank} blank, "
                     "{missing} missing"),
    "report.clean": ("未发现问题", "no problems found"),
    "usage.try": ("查看帮助：{command} {option}", "Try '{command} {option}' for help."),
    "usage.error": ("错误：{message}", "Error: {message}"),
    "aborted": ("已中止", "Aborted!"),
    "unknown": ("（未识别）", "(not found)"),
    "eval.none": ("{folder} 下没有 *.truth.json", "no *.truth.json under {folder}"),
    "eval.summary": ("{documents} 份文档，{cells} 个单元格：正确 {correct}（{share:.2f} %），缺失 {missing}，"
                     "静默错误 {silent}，错误推算 {wrong}；元数据正确 {meta}/{documents}",
                     "{documents} documents, {cells} cells: {correct} correct ({share:.2f} %), {missing} "
                     "missing, {silent} silent errors, {wrong} wrong inferences; metadata right for "
                     "{meta}/{documents}"),
    "eval.cell_nowhere": ("{outcome}：应为 {expected}，实为 {got}（{status}）",
                          "{outcome}: expected {expected}, got {got} ({status})"),
    "eval.cell": ("{outcome}：应为 {expected}，实为 {got}（{status}，第 {line} 行）",
                  "{outcome}: expected {expected}, got {got} ({status}, line {line})"),
    # collect
    "collect.not_url": ("不是 http(s) 网址：{url}", "not an http(s) URL: {url}"),
    "collect.bad_years": ("--years 应为 2021-2024 或 2022,2024 的形式：{years}",
                          "--years is like 2021-2024 or 2022,2024: {years}"),
    "collect.resumed": ("继续上次未完成的", "resumed"), "collect.new": ("新的", "new"),
    "collect.summary": ("{how}第 {run} 次采集：{requests} 次请求，用时 {seconds:.1f} 秒；"
                        "新文档或新版本 {documents} 份（其中更新版本 {changed} 份），"
                        "未变化（304）{not_modified}，失败 {failed}，robots.txt 禁止 {forbidden}",
                        "{how} collection run {run}: {requests} requests in {seconds:.1f} s; {documents} new "
                        "documents or versions ({changed} changed), {not_modified} unchanged (304), {failed} "
                        "failed, {forbidden} forbidden by robots.txt"),
    "collect.more": ("… 另有 {more} 条（gongkai collect-failures --db {db}）",
                     "… and {more} more (gongkai collect-failures --db {db})"),
    "collect.delivered": ("入库：{documents} 份文档，解析 {parsed}，失败 {failed}，已在库中 {skipped}",
                          "stored: {documents} documents, {parsed} parsed, {failed} failed, {skipped} "
                          "already stored"),
    "collect.none": ("{db}：还没有采集过", "{db}: nothing collected yet"),
    # synth
    "synth.written": ("✓ {count} 个 {format} 文件，在 {folder}", "✓ {count} {format} file(s) in {folder}"),
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
    "roster.origin.import": ("导入", "import"), "roster.origin.divisions": ("区划表", "divisions"),
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
    "other_source": ("另一文件", "other file"), "prev_source": ("上年文件", "last year's file"),
    "other_year": ("另一年度", "other year"),
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
    # the collector's tables
    "id": ("编号", "id"), "unit": ("单位", "unit"), "version": ("版本", "version"), "url": ("网址", "URL"),
    "referrer": ("来源页面", "referrer"), "kind": ("类型", "kind"), "state": ("状态", "state"),
    "http_status": ("HTTP 状态", "HTTP status"), "at": ("时间", "at"), "run": ("采集轮次", "run"),
    # gongkai check / eval
    "outcome.correct": ("正确", "correct"), "outcome.missing": ("缺失", "missing"),
    "outcome.silent_error": ("静默错误", "silent error"),
    "outcome.wrong_inference": ("错误推算", "wrong inference"),
    "status.read": ("读取", "read"), "status.blank": ("空白", "blank"), "status.missing": ("缺失", "missing"),
    "status.inferred": ("推算", "inferred"), "status.None": ("无", "none"),
    "finding_line": ("行",
                     "line"), "finding_cell": ("单元格", "cell"), "finding_severity": ("级别", "severity"),
    "document": ("文档", "document"), "correct": ("正确", "correct"), "missing": ("缺失", "missing"),
    "silent_errors": ("静默错误", "silent errors"), "wrong_inferences": ("错误推算", "wrong inferences"),
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


# ------------------------------------------------------------------------------ failure reasons
# Why a file could not be read: the readers word it in English (their tests and logs read it so);
# people see it in their language through :func:`reason`. Each pattern matches a reader's whole
# message; the named groups carry the file's own details into the Chinese sentence.
REASONS: tuple[tuple[str, str], ...] = (
    (r"empty file", "空文件"),
    (r"empty text", "没有文字"),
    (r"binary data, not a text report", "二进制数据，不是文本报告"),
    (r"not text in a known encoding \(UTF-8, GB18030/GBK, UTF-16\)",
     "不是可识别编码（UTF-8、GB18030/GBK、UTF-16）的文本"),
    (r"invalid (?P<encoding>\S+) at byte (?P<at>\d+)", "第 {at} 字节处不是有效的 {encoding} 编码"),
    (r"file too large for a report \((?P<size>.+)\)", "文件过大，不像一份报告（{size}）"),
    (r"file too large: (?P<size>.+?) \(limit (?P<limit>[^;]+); set GONGKAI_MAX_FILE_MB to raise it\)",
     "文件过大：{size}（上限 {limit}；可用 --max-mb 或 GONGKAI_MAX_FILE_MB 调高）"),
    (r"file too large: (?P<size>\d+) bytes \(limit (?P<limit>\d+)\)",
     "文件过大：{size} 字节（上限 {limit}）"),
    (r"input too large: (?P<size>.+) \(limit (?P<limit>.+)\)", "内容过大：{size}（上限 {limit}）"),
    (r"a folder, not a file: use `gongkai ingest` to read a folder",
     "这是文件夹，不是文件：读取文件夹请用 gongkai ingest"),
    (r"reading (?P<kind>\w+) needs an optional dependency: (?P<module>\S+) \(pip install "
     r"'gongkai\[(?P<extra>\w+)\]'\)", "读取 {kind} 需要可选依赖 {module}（pip install 'gongkai[{extra}]'）"),
    (r"unsupported file kind (?P<kind>.+)", "不支持的文件类型 {kind}"),
    (r"damaged zip archive \((?P<error>.*)\), and not a DOCX or XLSX",
     "zip 压缩包已损坏（{error}），也不是 DOCX 或 XLSX 文件"),
    (r"a zip archive of (?P<count>\d+) file\(s\) \((?P<shown>.*)\), not one report: use `gongkai ingest "
     r"(?P<file>.+)`, which reads every report in an archive, or unpack it first",
     "这是含 {count} 个文件的 zip 压缩包（{shown}），不是一份报告：请用 gongkai ingest {file} 逐个读取包内"
     "报告，或先解压"),
    # PDF
    (r"not a PDF file \(no %PDF- header\)", "不是 PDF 文件（没有 %PDF- 文件头）"),
    (r"truncated PDF: the file does not end with %%EOF \(incomplete download\?\)",
     "PDF 文件不完整：结尾没有 %%EOF（可能没有下载完）"),
    (r"encrypted PDF: a password is needed to open it", "PDF 已加密：需要密码才能打开"),
    (r"encrypted PDF with an unsupported security handler", "PDF 已加密，且加密方式不受支持"),
    (r"damaged or truncated PDF \(PDFium cannot parse its structure\)",
     "PDF 已损坏或不完整（PDFium 无法解析其结构）"),
    (r"cannot open PDF: (?P<error>.*)", "无法打开 PDF：{error}"),
    (r"cannot read PDF: (?P<error>.*)", "无法读取 PDF：{error}"),
    (r"PDF has no pages", "PDF 没有页面"),
    (r"PDF contains no text", "PDF 中没有文字"),
    (r"too many pages: (?P<count>\d+) \(limit (?P<limit>\d+)\)", "页数过多：{count} 页（上限 {limit} 页）"),
    (r"too many pages to OCR: (?P<count>\d+) \(limit (?P<limit>\d+)\)",
     "需要文字识别（OCR）的页数过多：{count} 页（上限 {limit} 页）"),
    (r"too many scanned pages to OCR: (?P<count>\d+) \(limit (?P<limit>\d+)\)",
     "扫描页过多，无法文字识别（OCR）：{count} 页（上限 {limit} 页）"),
    (r"scanned PDF without a text layer: OCR needed \(pip install 'gongkai\[ocr\]'\)",
     "扫描版 PDF，没有文字层：需要文字识别（pip install 'gongkai[ocr]'）"),
    (r"OCR found no text on any page", "文字识别（OCR）在所有页面上都没有识别出文字"),
    (r"(?P<what>.+): OCR needs pip install 'gongkai\[ocr\]'",
     "{what}：文字识别需要 pip install 'gongkai[ocr]'"),
    (r"(?P<what>.+): (?P<error>.+); reinstall: pip install 'gongkai\[ocr\]'",
     "{what}：{error}；请重新安装：pip install 'gongkai[ocr]'"),
    (r"image too large: (?P<width>\d+)×(?P<height>\d+) pixels", "图片过大：{width}×{height} 像素"),
    (r"cannot read image: (?P<error>.*)", "无法读取图片：{error}"),
    # legacy Office, DOCX, XLSX
    (r"legacy Office file \(\.doc/\.wps/\.xls/\.et\): reading it needs LibreOffice \((?P<hint>.*)\)",
     "旧版 Office 文件（.doc/.wps/.xls/.et）：读取需要 LibreOffice（{hint}）"),
    (r"LibreOffice did not convert it within (?P<seconds>\d+) s",
     "LibreOffice 未能在 {seconds} 秒内完成转换"),
    (r"LibreOffice could not convert this legacy Office file \(damaged, encrypted, or not a document\)",
     "LibreOffice 无法转换这个旧版 Office 文件（已损坏、已加密，或不是文档）"),
    (r"legacy binary Office file \(OLE\), not (?P<kind>\w+); save it as \w+",
     "旧版二进制 Office 文件（OLE），不是 {kind}：请另存为 {kind}"),
    (r"not a (?P<kind>\w+) file \(not a zip archive\)", "不是 {kind} 文件（不是 zip 格式）"),
    (r"corrupt or truncated zip \((?P<member>[^)]*)\): its data does not match its declared size and "
     r"checksum",
     "zip 已损坏或不完整（{member}）：数据与声明的大小和校验和不符"),
    (r"corrupt or truncated zip \((?P<member>[^)]*)\): (?P<error>.*)",
     "zip 已损坏或不完整（{member}）：{error}"),
    (r"corrupt or truncated zip: (?P<error>.*)", "zip 已损坏或不完整：{error}"),
    (r"zip with (?P<count>\d+) members is not a (?P<kind>\w+) file",
     "含 {count} 个成员的 zip 不是 {kind} 文件"),
    (r"zip bomb: (?P<member>.+) inflates beyond its declared size of (?P<size>\d+) bytes",
     "压缩炸弹：{member} 解压后超过其声明的 {size} 字节"),
    (r"zip bomb: (?P<member>.+) inflates (?P<ratio>\d+)×", "压缩炸弹：{member} 解压后膨胀 {ratio} 倍"),
    (r"zip bomb: (?P<total>\d+) bytes uncompressed \(limit (?P<limit>\d+)\)",
     "压缩炸弹：解压后共 {total} 字节（上限 {limit}）"),
    (r"password-protected \(encrypted\) zip member (?P<member>.+)", "zip 中的 {member} 有密码保护（已加密）"),
    (r"(?P<member>\S+) missing from the archive", "压缩包中缺少 {member}"),
    (r"(?P<member>\S+) is not well-formed XML: (?P<error>.*)", "{member} 不是格式正确的 XML：{error}"),
    (r"not a DOCX file \(no word/document\.xml\)", "不是 DOCX 文件（没有 word/document.xml）"),
    (r"(?P<member>\S+) has no body: not a Word document", "{member} 没有正文：不是 Word 文档"),
    (r"no text in the document", "文档中没有文字"),
    (r"sheet (?P<sheet>.+) has too many cells", "工作表 {sheet} 的单元格过多"),
    (r"sheet (?P<sheet>.+): merged range too large", "工作表 {sheet}：合并区域过大"),
    (r"table of (?P<rows>\d+) × (?P<columns>\d+) cells is too large",
     "表格 {rows} × {columns} 个单元格，过大"),
    (r"not readable as XLSX: (?P<error>.*)", "无法作为 XLSX 读取：{error}"),
    (r"not an XLSX file \(no xl/workbook\.xml\)", "不是 XLSX 文件（没有 xl/workbook.xml）"),
    (r"no cells with text in the workbook", "工作簿中没有含文字的单元格"),
    # HTML
    (r"table of (?P<rows>\d+) rows × (?P<columns>\d+) columns is too large",
     "表格 {rows} 行 × {columns} 列，过大"),
    (r"(?P<size>\d+) bytes is too large for a report page", "{size} 字节，作为报告网页过大"),
    (r"not HTML: the file is (?P<what>.+)", "不是网页（HTML）：该文件是 {what}"),
    (r"not HTML: binary data", "不是网页（HTML）：二进制数据"),
    (r"not readable as HTML: (?P<error>.*)", "无法作为网页（HTML）读取：{error}"),
    (r"HTML nested too deeply \(over 256 levels\)", "网页（HTML）嵌套过深（超过 256 层）"),
    (r"no HTML content", "没有网页（HTML）内容"),
    (r"no text in the page", "网页中没有文字"),
    # ingest: the walk over folders and archives, and the parser processes
    (r"no such file", "文件不存在"),
    (r"zip member declares (?P<size>\d+) bytes \(limit (?P<limit>\d+)\)",
     "压缩包内的文件声明有 {size} 字节（上限 {limit}）"),
    (r"zip member compression ratio (?P<ratio>\d+):1 exceeds (?P<limit>\d+):1 \(zip bomb\?\)",
     "压缩包内文件的压缩比 {ratio}:1 超过 {limit}:1（压缩炸弹？）"),
    (r"unreadable zip archive: (?P<error>.*)", "无法读取的 zip 压缩包：{error}"),
    (r"archive expands to more than (?P<limit>\d+) bytes \(zip bomb\?\)",
     "压缩包解压后超过 {limit} 字节（压缩炸弹？）"),
    (r"the parser process crashed on this document", "解析进程处理此文件时崩溃"),
    (r"the parser worker failed on this document: (?P<error>.*)", "解析进程处理此文件时出错：{error}"),
    # the store's refusals
    (r"(?P<db>.+): cannot open the gongkai database: (?P<error>.*)",
     "{db}：无法打开 gongkai 数据库：{error}"),
    (r"(?P<target>.+): (?P<rows>\d+) rows do not fit in one Excel sheet \((?P<limit>\d+)\); export csv or "
     r"parquet instead",
     "{target}：{rows} 行超出 Excel 单个工作表的上限（{limit} 行）；请导出为 csv 或 parquet"),
    (r"cannot group by (?P<columns>.+); choose from (?P<choices>.+)",
     "无法按 {columns} 分组；可选 {choices}"),
    (r"unknown rule\(s\) (?P<rules>.+): choose from (?P<choices>.+)", "未知规则 {rules}：可选 {choices}"),
    (r"--engine (?P<engine>\w+) needs (?P<what>[\w. ]+) \((?P<module>\S+) is missing\): (?P<hint>.+)",
     "--engine {engine} 需要 {what}（缺少 {module}）：{hint}"),
    (r"unknown engine (?P<engine>.+): choose (?P<choices>.+)", "未知的解析引擎 {engine}：可选 {choices}"),
    (r"the official tables are written as xlsx only \(--format xlsx\)",
     "官方表样只能导出为 xlsx（--format xlsx）"),
    # the operating system's words (OSError.strerror)
    (r"No such file or directory", "文件不存在"),
    (r"Permission denied", "没有读取权限"),
    (r"Is a directory", "这是文件夹，不是文件"),
)
_REASONS = tuple((re.compile(pattern + r"\Z", re.DOTALL), zh) for pattern, zh in REASONS)
_CJK = re.compile(r"[\u3400-\u9fff]")
# a reason already given in both languages: 「中文（English …）」 or 「中文 (English …)」
_BILINGUAL_OPEN = re.compile(r"\s?[（(](?=[A-Za-z`'\"])")


def _split_bilingual(text: str) -> tuple[str, str] | None:
    """(Chinese, English) of a reason written 「中文（English）」, or None."""
    if not text.endswith(("）", ")")) or not _CJK.search(text):
        return None
    for match in _BILINGUAL_OPEN.finditer(text):
        zh, en = text[:match.start()], text[match.end():-1]
        if _CJK.search(zh) and not _CJK.search(en.replace("「", "").replace("」", "")[:40]):
            return zh, en
    return None


def reason(text: str, lang: str | None = None) -> str:
    """Why a file could not be read, in ``lang``: a reader's English message in Chinese (with its
    details kept), a bilingual one cut to its half; an unknown English message stays as it is."""
    text = str(text)
    english = language(lang) == "en"
    both = _split_bilingual(text)
    if both is not None:
        return both[english]
    if english:
        return text
    for pattern, zh in _REASONS:
        found = pattern.match(text)
        if found:
            return zh.format(**found.groupdict())
    return text


def failure(name: str, why: str, lang: str | None = None) -> str:
    """``name: reason`` for a file that could not be read (the ASCII colon in both languages: the
    line starts with a path, which scripts cut at ": ")."""
    return f"{name}: {reason(why, lang)}"


# ------------------------------------------------------------------------------ --help
# The Chinese of every command's and option's help; the English is the command's own text in the
# code (as a gettext msgid would be). Keys: a command's path ("", "check", "roster import"), and
# "path:param" for a parameter, or ":param" for one that means the same in every command.
# tests/test_cli_help.py checks that every command and parameter has its Chinese here.
HELP: dict[str, str] = {
    "": "政府信息公开工作年度报告 → 可核对的数据：解析、检查、评测年度报告。",
    # parameters common to many commands
    ":files": "报告文件（文本、网页、PDF、DOCX、XLSX）",
    ":sample": "使用内置的示例报告",
    ":max_mb": "拒收大于此值（MiB）的文件（默认 100，或 GONGKAI_MAX_FILE_MB）",
    ":progress": "逐个文件显示进度、速度和剩余时间（默认：终端里显示进度条；--progress：日志里也逐行输出；"
                 "GONGKAI_PROGRESS=1|0）",
    ":lang": "提示语言：zh（中文，默认）或 en（英文）",
    ":db": "SQLite 文件，或 postgresql://用户:密码@主机/库",
    ":format": "输出格式",
    ":output": "写入的文件",
    ":region": "区划代码（320800）或名称（淮安市）：该地区及其下属各单位的报告",
    ":year": "年度或年度范围：2023、2021-2024",
    ":level": "级别，逗号分隔：省,市,县,乡镇,部门",
    ":edition": "表格格式版本：2019 或 2021",
    ":workers": "解析进程数（默认：CPU 核数）",
    ":name": "登录名",
    ":password_stdin": "从标准输入读取密码（第一行）",
    ":years": "年度范围，如 2021-2024",
    ":to": "输出格式",
    # parse, check, eval, render, template
    "parse": "把报告解析为报告 JSON（输出到标准输出；-o 时每份报告写一个文件）。",
    "parse:output": "写入 目录/<文件名>.json",
    "check": "按国家格式的每条规则检查报告；发现错误时退出码为 1。",
    "check:format": "text：给人看；json：给程序读",
    "check:fail_on": "发现此级别或更严重的问题时退出码为 1；never：只有无法读取的文件才失败（退出码 2）",
    "eval": "按标注真值为解析结果评分（report-json.md）：正确 / 缺失 / 静默错误。",
    "eval:truth_dir": "文件夹：每个原文旁有 名称.truth.json",
    "eval:format": "text：给人看；json：给程序读",
    "eval:verbose": "列出每个不正确的单元格",
    "render": "按官方表样写出报告的三张统计表。",
    "render:report": "报告 JSON，或任何可读取的报告文件",
    "template": "写出空白的官方表格：填好后先用 gongkai check 检查再发布。",
    "template:edition": "表格版本：2019 或 2021（默认最新版）",
    "template:old_edition": "--edition 的旧名称",
    # the store
    "ingest": "把报告解析入库：可重复运行（按 sha256 识别文件），中断后可续。",
    "ingest:paths": "报告文件、文件夹和 zip 压缩包",
    "ingest:reparse": "重新解析由旧版解析器入库的文件",
    "ingest:batch_size": "每个事务写入的文件数（默认 1000）",
    "ingest:engine": "在哪里解析：本机进程、Ray 集群（Ray Data）或 dask.distributed 集群",
    "ingest:address": "使用的 Ray 或 dask 调度器地址（默认：本机集群）",
    "ingest:keep_source": "保存每个文件的原始内容（zlib 压缩，至多 20 MB），以便对照原文查看单元格",
    "failures": "列出无法解析的文件及原因。",
    "export": "导出报告：长表（每个单元格一行）、宽表面板（每份报告一行）、官方表样（每份报告一个 XLSX，"
              "按状态着色）或督查工作簿。数值已含人工更正。",
    "export:output": "写入的文件（默认：gongkai-<形式>.<格式>）",
    "export:form": "long：每个单元格一行，含状态；wide：每份报告一行；official（xlsx）：每份报告一个工作簿，"
                   "写入 -o 文件夹，按官方表样每表一页；workbook（xlsx）：督查工作簿——各单位汇总、问题清单、"
                   "面板、数据字典，以及每份报告的官方表样",
    "export:labels": "列标题：keys（单元格路径，供程序使用）或 zh（中文名称，见 gongkai codebook）",
    "stats": "按地区、级别、年度统计：报告数、申请数、办理结果构成、公开率、复议和诉讼纠错率、"
             "各规则未通过的报告占比。",
    "stats:format": "table：精选的可读列；csv|json：全部列",
    "stats:by": "分组列，逗号分隔，可选：province、city、county、region_code、level、year、template",
    "stats:rules": "各规则未通过的报告占比",
    "cross-year": "跨年度检查（X-CARRY、X-INFORCE、X-ITEMS）：同一单位相邻两年的报告。",
    "across": "跨报告检查：与上年的结转数、现行有效件数和事项数，重复报告，十倍跳变，照搬上年的文字"
              "（第一、五部分），地区报告与其下属单位报告的对照。",
    "across:rule": "只查这些规则（可重复）：X-CARRY、X-INFORCE、X-ITEMS、X-DUP、X-JUMP、X-COPY、X-REGION",
    "across:threshold": "X-COPY：一节文字与上年相同的比例",
    "across:factor": "X-JUMP：与上年的倍数",
    "missing": "一个地区的各单位在各年度是否发布了报告（单位 × 年度；✗ = 缺报），"
               "名册内从未发布的单位也列出。",
    "missing:region": "区划代码（320800）或名称（淮安市、洪泽区）",
    "missing:years": "如 2021-2024（默认：该地区有报告的每个年度）",
    "roster": "应发布年报的单位名册：导入名单，或由区划表生成；gongkai missing 据此列出从未发布的单位。",
    "roster import": "把 CSV 或 XLSX 名单中的单位加入名册（已在名册中的单位会更新）。",
    "roster import:file": "CSV 或 XLSX：单位名称（name）、区划代码（code）、级别（level）、上级（parent）、"
                          "网址（site_url）",
    "roster from-divisions": "把一个区划及其下级区划的人民政府加入名册（取自内置区划表）。",
    "roster from-divisions:code": "区划代码，如 320800（淮安市）",
    "roster from-divisions:levels": "逗号分隔：省,市,县（乡镇和部门不在区划表中：请用 import 导入）",
    "roster list": "列出（某地区的）名册。",
    "roster clear": "清空名册。",
    "findings": "列出已入库报告中的问题（可按规则、级别、地区、年度、单位级别、格式版本筛选），"
                "输出为表格、CSV 或 XLSX。",
    "findings:format": "table、csv、json，或 xlsx（配合 -o）",
    "findings:output": "写入的文件（csv、xlsx）",
    "findings:rule": "只列这些规则（可重复）",
    "findings:severity": "只列这些级别（可重复）：error、warning、info",
    "codebook": "写出数据字典：每个导出列的中文名称、所在表、行、列、单位和规则，由表格模板生成。",
    "codebook:format": "md、csv 或 xlsx",
    "codebook:output": "写入的文件（默认：标准输出；xlsx：gongkai-codebook.xlsx）",
    # the collector
    "collect": "从各单位网站收集年度报告入库：栏目列表页 → 报告页 → 附件；遵守 robots.txt 和每个站点的"
               "访问频率，中断后可续，重复运行时用条件请求；然后解析入库。",
    "collect:urls": "起始网址：各单位的政府信息公开年报栏目",
    "collect:sites": "起始网址的 CSV：url（网址）和 unit（单位）列",
    "collect:rate": "每个站点每秒请求数",
    "collect:per_host": "每个站点同时进行的请求数",
    "collect:concurrency": "总共同时进行的请求数",
    "collect:timeout": "连接及两次收到数据之间的等待秒数",
    "collect:retries": "遇到 5xx、429 和网络错误时的重试次数",
    "collect:backoff": "第一次重试前等待的秒数（每次加倍）",
    "collect:max_mb": "下载文件的大小上限（MB）",
    "collect:max_redirects": "最多跟随的重定向次数",
    "collect:max_list_pages": "每个栏目最多读取的列表页数",
    "collect:years": "要收集的报告年度，如 2021-2024（默认：全部）",
    "collect:user_agent": "发送的 User-Agent（请附联系方式）",
    "collect:proxy": "HTTP 代理地址",
    "collect:ingest": "把收集到的文件解析入库",
    "collect:verbose": "每次失败都立即打印",
    "collected": "列出已收集的文件：网址、单位、标题、发布日期（及其出处）、版本、对应的入库报告。",
    "collected:all_versions": "列出每个版本，而不只是最新版本",
    "collect-failures": "列出收集时无法获取的网址及原因（robots.txt、HTTP 状态、超时、大小上限、重定向）。",
    "collect-failures:history": "列出每次运行的每次失败",
    # the web app and its accounts
    "serve": "启动审核网页应用（页面；JSON 接口在 /api，文档在 /docs）。权限和各项限制见 SECURITY.md。",
    "serve:host": "监听地址",
    "serve:port": "监听端口",
    "serve:anonymous_read": "允许未登录的访客只读访问（不能修改）",
    "serve:max_upload_mb": "上传单个文件的大小上限（MB）",
    "serve:upload_dir": "上传文件的存放位置（默认：SQLite 文件旁的 <数据库>.uploads）",
    "serve:max_upload_total_mb": "一次上传请求（全部文件）的大小上限（MB）",
    "serve:max_body_kb": "其他请求的请求体大小上限（KB）",
    "serve:secret_file": "会话签名密钥文件（不存在时以 0600 权限新建；默认 ~/.config/gongkai/session.key；"
                         "GONGKAI_SECRET 优先）",
    "serve:workers": "服务进程数（默认：每个 CPU 一个，至多 8 个）",
    "user": "网页应用的账号。",
    "user add": "新建网页账号（密码以 argon2 散列保存）。",
    "user add:role": "viewer 只读；reviewer 可更正和审核；admin 还可管理账号",
    "user list": "列出网页账号。",
    "user passwd": "设置账号密码；该账号的所有会话随即结束。",
    "user passwd:password_stdin": "从标准输入读取新密码（第一行）",
    "user disable": "停用账号：不能再登录，现有会话立即结束。",
    "user enable": "启用已停用的账号。",
    "user sessions": "列出账号的有效会话（开始时间、最近活动、地址、浏览器）；--revoke 结束这些会话。",
    "user sessions:revoke": "结束该账号的所有会话",
    "synth": "生成 N 份随机报告及其真值，每种格式写入 OUT/<格式>/（用 gongkai eval OUT/<格式> 评分）。",
    "synth:out": "写入的文件夹；每种格式一个子文件夹",
    "synth:n": "报告份数",
    "synth:formats": "逗号分隔：text,html,docx,pdf,scan，或 all",
    "synth:seed": "随机种子：种子相同，报告相同",
    "synth:scan_variants": "扫描件：逗号分隔的变体（100dpi,150dpi,200dpi,300dpi,jpeg,skew3,photo,seal,"
                           "faint,split,landscape），轮流使用，或 all",
}

# the words of the help pages themselves (typer's, in English) → Chinese
HELP_WORDS: dict[str, str] = {
    "Usage: ": "用法：", "Options": "选项", "Arguments": "参数", "Commands": "命令",
    "Show this message and exit.": "显示此帮助并退出。", "[default: ": "[默认：", "default: ": "默认：",
    "env var: ": "环境变量：", "required": "必填", "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
}


# typer's usage errors (a mistyped option, a missing argument …) → Chinese; the English is typer's
USAGE_ERRORS: tuple[tuple[str, str], ...] = (
    (r"No such option: (?P<option>\S+) \(Possible options: (?P<others>.+)\)",
     "没有选项 {option}（是否要用 {others}？）"),
    (r"No such option: (?P<option>\S+)", "没有选项 {option}"),
    (r"No such command '(?P<name>.+)'\. Did you mean (?P<others>.+)\?",
     "没有命令 {name}（是否要用 {others}？）"),
    (r"No such command '(?P<name>.+)'\.", "没有命令 {name}"),
    (r"Missing command\.", "缺少命令"),
    (r"Missing argument '(?P<name>.+)'\.", "缺少参数 {name}"),
    (r"Missing option '(?P<name>.+)'\.", "缺少选项 {name}"),
    (r"Option '(?P<name>.+)' requires an argument\.", "选项 {name} 需要一个值"),
    (r"Option '(?P<name>.+)' does not take a value\.", "选项 {name} 不带值"),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)", "多余的参数：{args}"),
    (r"Invalid value for '(?P<name>.+?)': (?:Value error, )?(?P<value>'.*') is not one of (?P<choices>.+)\.",
     "{name} 的取值 {value} 无效：可选 {choices}"),
    (r"Invalid value for '(?P<name>.+?)': Input should be a valid number.*", "{name} 的取值无效：应为数字"),
    (r"Invalid value for '(?P<name>.+?)': Input should be a valid integer.*", "{name} 的取值无效：应为整数"),
    (r"Invalid value for '(?P<name>.+?)': (?:Path|File|Directory) (?P<path>'.+') does not exist\.",
     "{name}：{path} 不存在"),
    (r"Invalid value for '(?P<name>.+?)': (?P<why>.*)", "{name} 的取值无效：{why}"),
)
_USAGE_ERRORS = tuple((re.compile(pattern + r"\Z", re.DOTALL), zh) for pattern, zh in USAGE_ERRORS)


def usage_error(text: str, lang: str | None = None) -> str:
    """A usage error of the command line in ``lang`` (typer words it in English)."""
    if language(lang) == "en":
        return text
    for pattern, zh in _USAGE_ERRORS:
        found = pattern.match(text)
        if found:
            return zh.format(**found.groupdict())
    return text


def help_text(path: str, param: str | None, english_text: str | None, lang: str | None = None) -> str | None:
    """The help of command ``path`` (or of its parameter ``param``) in ``lang``: the Chinese from
    :data:`HELP`, else the English text the command carries."""
    if language(lang) == "en":
        return english_text
    if param is None:
        return HELP.get(path, english_text)
    return HELP.get(f"{path}:{param}") or HELP.get(f":{param}") or english_text


# ------------------------------------------------------------------------------ the web app
# The review web app's Chinese for what its API also returns (statuses, actions, fields); the
# words of its pages in both languages are in WEB, below. gongkai.web.words and gongkai.web.view
# use them. The report page's statuses, severities and review decisions:
STATUS_ZH = {"read": "读取", "blank": "空白", "missing": "缺失", "inferred": "推算", "corrected": "已更正"}
SEVERITY_ZH = {key: zh for key, (zh, _) in _SEVERITY.items()}
REVIEW_DECISION_ZH = {"confirmed": "已确认", "dismissed": "已驳回"}  # a finding reviewed, on its page
ROLE_ZH = {"viewer": "查看者", "reviewer": "审核员", "admin": "管理员"}

# request parameters and body fields → what the page calls them
FIELDS: dict[str, str] = {
    "report_id": "报告编号", "page": "页码", "path": "单元格", "name": "用户名", "password": "密码",
    "current": "当前密码", "role": "角色", "value": "数值", "reason": "理由", "key": "问题",
    "decision": "审核结论", "finding_key": "问题", "region": "地区", "level": "级别", "year": "年度",
    "template": "格式", "rule": "规则", "q": "单位名称", "sort": "排序", "after": "翻页参数",
    "limit": "每页条数", "has_errors": "有错误", "user": "用户", "report": "报告编号",
    "action": "操作", "since": "起始日期", "until": "截止日期", "format": "格式", "agency": "单位",
    "bbox": "方框", "next": "跳转地址", "files": "文件", "job_id": "任务编号",
    "csrf_token": "表单令牌", "body": "请求内容", "query": "查询参数", "years": "年度",
}

# pydantic's error types → a Chinese sentence (``{…}`` from the error's context)
VALIDATION: dict[str, str] = {
    "missing": "必须填写", "string_too_long": "过长（最多 {max_length} 个字符）",
    "string_too_short": "过短（至少 {min_length} 个字符）", "int_parsing": "应为整数",
    "int_from_float": "应为整数", "float_parsing": "应为数字", "float_type": "应为数字",
    "int_type": "应为整数", "greater_than_equal": "应不小于 {ge}", "less_than_equal": "应不大于 {le}",
    "greater_than": "应大于 {gt}", "less_than": "应小于 {lt}",
    "literal_error": "应为以下之一：{expected}", "enum": "应为以下之一：{expected}",
    "bool_parsing": "应为是或否", "bool_type": "应为是或否", "string_type": "应为文字",
    "json_invalid": "不是有效的 JSON", "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象", "date_from_datetime_parsing": "应为日期（如 2024-03-31）",
    "date_parsing": "应为日期（如 2024-03-31）", "date_type": "应为日期（如 2024-03-31）",
    "finite_number": "应为有限的数", "list_type": "应为列表", "value_error": "取值无效",
    "extra_forbidden": "不应出现", "string_pattern_mismatch": "格式不对",
}

MEDIA: dict[str, str] = {
    "application/pdf": "PDF", "text/html": "网页", "text/plain": "文本", "application/json": "JSON",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/msword": "DOC", "application/vnd.ms-excel": "XLS", "application/x-ole-storage": "DOC/XLS",
    "application/zip": "ZIP",
}

ACTIONS: dict[str, str] = {
    "correction": "更正", "review": "审核问题", "reparse": "重新解析", "user.add": "新建账号",
    "user.passwd": "修改密码", "user.disable": "停用账号", "user.enable": "启用账号",
    "sessions.revoke": "结束会话",
}

# what the audit page's action filter offers: a word → the actions it means
ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "correction": ("correction",), "review": ("review",), "reparse": ("reparse",),
    "account": ("user.add", "user.passwd", "user.disable", "user.enable", "sessions.revoke"),
}

ACTION_GROUP_ZH = {"correction": "更正", "review": "审核问题", "reparse": "重新解析", "account": "账号与会话"}

AUDIT_DECISION_ZH = {"confirmed": "确认", "dismissed": "驳回"}

USER_CLI: dict[str, tuple[str, str]] = {
    "passwd": ("{name}：已修改密码，结束 {ended} 个会话",
               "{name}: password changed, {ended} session(s) ended"),
    "disable": ("{name}：已停用，结束 {ended} 个会话", "{name}: disabled, {ended} session(s) ended"),
    "enable": ("{name}：已启用", "{name}: enabled"),
    "revoke": ("{name}：结束 {ended} 个会话", "{name}: {ended} session(s) ended"),
    "sessions": ("{count} 个有效会话", "{count} live session(s)"),
    "sessions.header": ("开始时间\t最近活动\t地址\t浏览器", "started\tlast seen\taddress\tbrowser"),
    "added": ("已创建 {name}（{role}）", "{name} ({role}) created"),
    "active": ("启用", "active"), "disabled": ("停用", "disabled"),
    "prompt.password": ("密码", "password"), "prompt.new_password": ("新密码", "new password"),
    "serving": ("gongkai：http://{host}:{port}/（数据库 {db}{anonymous}）",
                "gongkai: http://{host}:{port}/  (database {db}{anonymous})"),
    "anonymous": ("，允许匿名只读", ", anonymous read-only access"),
}


# ------------------------------------------------------------------------------ the web app's pages
# Every word the review web app shows (pages, buttons, table headers, flash messages, error pages,
# chart labels), key → (Chinese, English). Templates call ``t("key", …)`` (gongkai.web.app), code
# calls :func:`web`. The page's language: ``?lang=en|zh`` (kept in a cookie), else the server's
# (``gongkai serve --lang``, ``GONGKAI_LANG``), else Chinese.
WEB: dict[str, tuple[str, str]] = {
    # the frame of every page
    "app.title": ("政府信息公开年报审核", "disclosure report review"),
    "app.description": ("政府信息公开工作年度报告：列表、逐格核对、更正与审核留痕、统计。页面背后的 "
                        "JSON 接口。",
                        "Annual reports on government information disclosure: the list, cell-by-cell checks, "
                        "corrections and reviews with their audit trail, statistics. The JSON API behind the "
                        "pages."),
    "nav.brand": ("公开 gongkai", "gongkai"), "nav.reports": ("年报列表", "Reports"),
    "nav.dashboard": ("统计", "Dashboard"),
    "nav.upload": ("上传", "Upload"),
    "nav.audit": ("审核记录", "Audit log"),
    "nav.users": ("账号", "Accounts"), "nav.docs": ("接口文档", "API docs"),
    "nav.who": ("{name}（{role}）", "{name} ({role})"), "nav.logout": ("退出", "Log out"),
    "nav.anonymous": ("匿名只读", "read-only visitor"), "nav.login": ("登录", "Log in"),
    # the switch names the other language in that language (as every multilingual site does)
    "lang.other": ("English", "中文"), "lang.switch_title": ("切换为英文", "switch to Chinese"),
    "role.viewer": ("查看者", "viewer"),
    "role.reviewer": ("审核员", "reviewer"),
    "role.admin": ("管理员", "admin"),
    "level.省": ("省", "province"), "level.市": ("市", "city"), "level.县": ("县", "county"),
    "level.乡镇": ("乡镇", "township"), "level.部门": ("部门", "department"),
    "status.read": ("读取", "read"), "status.blank": ("空白", "blank"), "status.missing": ("缺失", "missing"),
    "status.inferred": ("推算", "inferred"), "status.corrected": ("已更正", "corrected"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "severity.info": ("提示", "note"),
    "decision.confirmed": ("已确认", "confirmed"), "decision.dismissed": ("已驳回", "dismissed"),
    "blank": ("空白", "blank"), "unknown": ("未识别", "not recognised"),
    "unknown_agency": ("（未识别单位）", "(agency not recognised)"), "report": ("报告", "report"),
    "line": ("第 {line} 行", "line {line}"), "any": ("全部", "all"), "paren": ("（{text}）", " ({text})"),
    # error pages
    "error.title": ("出错了", "Something went wrong"), "error.back": ("返回年报列表", "Back to the reports"),
    "error.400": ("请求有误", "Bad request"), "error.401": ("请先登录", "Please log in"),
    "error.403": ("没有权限", "Not allowed"), "error.404": ("找不到页面", "Page not found"),
    "error.405": ("不支持的请求", "Method not allowed"), "error.413": ("内容过大", "Too large"),
    "error.415": ("不支持的内容类型", "Unsupported media type"),
    "error.422": ("请求参数有误", "Invalid request"),
    "error.429": ("尝试次数过多", "Too many attempts"),
    "error.500": ("服务器内部错误", "Internal server error"),
    "error.503": ("服务器繁忙", "Server busy"),
    "error.no_page": ("没有这个页面：{path}", "There is no page at {path}"),
    "error.method": ("此地址不接受 {method} 请求", "This address does not accept {method} requests"),
    "error.invalid": ("请求参数有误：{problems}", "Invalid request: {problems}"),
    "error.invalid_default": ("请求参数有误", "invalid request"),
    "error.internal": ("服务器内部错误，已记录；请稍后重试或联系管理员",
                       "Internal server error, logged; please try again later or ask the administrator"),
    "error.login_required": ("请先登录", "please log in"),
    "error.role": ("需要{needed}权限（当前：{current}）", "this needs the {needed} role (yours: {current})"),
    "error.csrf": ("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
                   "the form has expired or comes from elsewhere (CSRF check failed); reload the page and "
                   "try again"),
    "error.year": ("年度应为数字：{year}", "the year should be a number: {year}"),
    "error.year4": ("年度应为四位数字：{year}", "the year should be four digits: {year}"),
    "error.level": ("未知级别 {level}：省、市、县、乡镇、部门",
                    "unknown level {level}: 省, 市, 县, 乡镇, 部门"),
    "error.report_id": ("报告编号应为正整数：{value}",
                        "the report number should be a positive integer: {value}"),
    "error.date": ("{what}应为日期（如 2024-03-31）：{value}",
                   "{what} should be a date (like 2024-03-31): {value}"),
    "error.not_number": ("不是数字：{text}", "not a number: {text}"),
    "error.cursor": ("无效的翻页参数 after={cursor}", "invalid page cursor after={cursor}"),
    "error.action_group": ("未知操作类别 {action}：{choices}", "unknown kind of action {action}: {choices}"),
    "error.no_user": ("没有用户 {name}", "there is no user {name}"),
    "error.unknown_action": ("未知操作", "unknown action"),
    # validation (422): what a field is called, what is wrong with it
    "field.since": ("起始日期", "the start date"), "field.until": ("截止日期", "the end date"),
    # login
    "login.title": ("登录", "Log in"),
    "login.name": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"), "login.failed": ("用户名或密码错误", "wrong user name or password"),
    "login.hint": ("账号由管理员用 {command} 创建。", "An administrator creates accounts with {command}."),
    "login.command": ("gongkai user add 名字 --role reviewer", "gongkai user add NAME --role reviewer"),
    # the report list
    "reports.title": ("年报列表", "Reports"),
    "filter.region": ("地区", "Region"),
    "filter.region_hint": ("区划代码或省/市/县名", "division code or place name"),
    "filter.level": ("级别", "Level"), "filter.year": ("年度", "Year"), "filter.template": ("格式", "Form"),
    "filter.template_option": ("{year}年", "{year} form"), "filter.rule": ("规则", "Rule"),
    "filter.has_errors": ("有错误", "with errors"), "filter.agency": ("单位", "Agency"),
    "filter.agency_hint": ("单位名称", "agency name"), "filter.sort": ("排序", "Sort"),
    "filter.submit": ("筛选", "Filter"), "filter.clear": ("清除", "Clear"),
    "sort.new": ("最新入库", "newest stored"), "sort.year": ("年度（新→旧）", "year (new → old)"),
    "sort.errors": ("错误数（多→少）", "errors (most first)"),
    "exports.lead": ("导出当前筛选结果：", "Export these results:"),
    "exports.workbook": ("督查工作簿 XLSX", "Supervisor's workbook XLSX"),
    "exports.note": ("工作簿含汇总（名册单位是否发布、是否按时）、问题清单、面板、数据字典和每份报告的官"
                     "方表格",
                     "the workbook holds a summary (whether each roster unit published, and on time), the "
                     "findings, the panel, the codebook and every report in the official layout"),
    "rows.count": ("共 {count} 份", "{count} reports"),
    "col.id": ("编号", "No."), "col.agency": ("单位", "Agency"), "col.year": ("年度", "Year"),
    "col.template": ("模板", "Form"),
    "col.file": ("来源文件", "Source file"),
    "col.media": ("文件格式", "Format"),
    "col.region": ("地区", "Region"),
    "col.level": ("级别", "Level"),
    "col.published": ("发布日期", "Published"),
    "col.timeliness": ("时效", "Timeliness"),
    "col.review": ("审核状态", "Review"),
    "col.errors": ("错误", "Errors"),
    "col.warnings": ("警告", "Warnings"),
    "rows.date_source": ("来源：{source}", "source: {source}"),
    "rows.deadline": ("法定期限 {date}", "legal deadline {date}"),
    "review.open": ("待审 {count} 项", "{count} open"), "review.reviewed": ("已审核", "reviewed"),
    "review.clean": ("无问题", "no problems"), "review.corrected": ("已更正 {count} 处", "{count} corrected"),
    "rows.none": ("没有符合条件的报告。", "No reports match."),
    "rows.legend": ("时效：按《条例》第四十九条，部门应于次年1月31日前、县级以上人民政府应于3月31日前公"
                    "布年报；"
                    "只用报告或网页上载明的日期，无日期则为“日期不明”。审核状态：“待审”为尚未确认或驳回"
                    "的错误和警告。",
                    "Timeliness: under article 49 of the Regulation, departments publish their report by 31 "
                    "January, people's governments at county level and above by 31 March; only a date the "
                    "report or its page states is used, none gives “date unknown”. Review: “open” counts "
                    "errors and warnings not yet confirmed or dismissed."),
    "pager.first": ("« 第一页", "« First page"), "pager.next": ("下一页 »", "Next page »"),
    "media.web": ("网页", "web page"), "media.text": ("文本", "text"), "media.image": ("图片", "image"),
    # one report
    "report.title": ("{agency} {year}年度报告", "{agency} annual report {year}"),
    "report.agency": ("单位", "Agency"), "report.year": ("年度", "Year"), "report.template": ("格式", "Form"),
    "report.hybrid": ("（混合）", " (hybrid)"),
    "report.level": ("级别", "Level"),
    "report.region": ("地区", "Region"),
    "report.source": ("来源", "Source"), "report.published": ("发布日期", "Published"),
    "report.date_unknown": ("不明", "unknown"), "report.deadline": ("法定期限", "legal deadline"),
    "report.colon": ("：", ": "),
    "report.in_errors": ("错误所涉单元格", "cells in errors"),
    "report.in_warnings": ("警告所涉单元格", "cells in warnings"),
    "report.rechecked": ("（已按更正后的数值重新核对）", "(checked again with the corrected values)"),
    "report.no_layout": ("未识别出报告格式，无法按官方表格排版。",
                         "The report's form was not recognised: it cannot be laid out as the official "
                         "tables."),
    "report.cell_hint": ("点击表中任一单元格，查看它在原文中的位置。",
                         "Click any cell of the tables to see where it stands in the source."),
    "report.cell_hint_review": ("点击表中任一单元格，查看它在原文中的位置并更正。",
                                "Click any cell of the tables to see where it stands in the source and "
                                "correct "
                                "it."),
    "report.findings": ("发现的问题（{count}）", "Findings ({count})"),
    "report.reason": ("理由", "reason"),
    "report.confirm": ("确认", "Confirm"),
    "report.dismiss": ("驳回", "Dismiss"),
    "report.no_findings": ("未发现问题。", "No problems found."),
    "report.audit": ("审核记录", "Audit trail"),
    "report.no_audit": ("尚无更正或审核。", "No corrections or reviews yet."),
    "report.corrected": ("更正 {label}：{old} → {new}。理由：{reason}",
                         "corrected {label}: {old} → {new}. Reason: "
                         "{reason}"),
    "report.reviewed": ("{decision} {rule}。理由：{reason}", "{decision} {rule}. Reason: {reason}"),
    "report.text": ("报告正文", "Report text"), "report.loading_text": ("正在载入正文…", "Loading the text…"),
    "sections.problem": ("正文无法显示：{problem}", "The text cannot be shown: {problem}"),
    "sections.none": ("未识别出正文各部分。", "No sections of the text were recognised."),
    # the cell panel
    "cell.value": ("值", "Value"),
    "cell.status": ("状态", "Status"),
    "cell.rule": ("推算依据", "inferred by"),
    "cell.parsed": ("解析所得：{value}（{status}）", "as parsed: {value} ({status})"),
    "cell.raw": ("原文", "Source text"),
    "cell.page_alt": ("第 {page} 页，红框为该单元格", "page {page}, the cell boxed in red"),
    "cell.no_source": ("该单元格没有来源位置（空白、缺失或推算所得）。",
                       "This cell has no place in the source (blank, missing or inferred)."),
    "cell.correct_to": ("更正为", "Correct to"), "cell.blank_hint": ("留空表示空白", "empty means blank"),
    "cell.reason": ("理由", "Reason"),
    "cell.reason_hint": ("如：见原文第3页", "e.g. see page 3 of the source"),
    "cell.save": ("保存更正", "Save the correction"),
    "cell.history": ("此单元格的更正记录", "Corrections of this cell"),
    # upload
    # the list's CSV export: its own columns beside the store's, and the review states
    "export.column.signed": ("落款日期", "signed on"),
    "export.column.review_state": ("审核状态", "review state"),
    "export.column.corrections": ("更正数", "corrections"),
    "export.column.open_findings": ("待审问题数", "open findings"),
    "export.column.media": ("文件格式", "file format"),
    "export.state.open": ("有待审问题", "findings to review"),
    "export.state.reviewed": ("已审核", "reviewed"),
    "export.state.clean": ("无问题", "no findings"),
    # refusals before a request's body is read (web/limits.py)
    "limit.nul": ("请求含有空字符（NUL），无法处理",
                  "The request contains a NUL character and cannot be handled"),
    "limit.multipart": ("此地址不接受 multipart 表单", "This address takes no multipart form"),
    "limit.length": ("Content-Length 无效", "Invalid Content-Length"),
    "limit.too_large": ("请求内容超过上限（{shown}），未处理",
                        "The request is larger than the limit ({shown}); not handled"),
    "upload.title": ("上传年报", "Upload reports"),
    "upload.drop": ("把文件（TXT、HTML、PDF、DOCX、XLSX）或 ZIP 压缩包拖到这里，或点击选择",
                    "Drop files (TXT, HTML, PDF, DOCX, XLSX) or ZIP archives here, or click to choose"),
    "upload.limits": ("每个文件不超过 {mb} MB，一次最多 {files} 个。文件在后台逐个解析，本页显示进度；"
                      "有问题的文件会单独说明原因，不影响其他文件。",
                      "At most {mb} MB per file and {files} files at once. The files are parsed one by "
                      "one in "
                      "the background and this page shows the progress; a file with a problem gets its "
                      "reason "
                      "and does not hold up the others."),
    "upload.submit": ("上传并解析", "Upload and parse"), "upload.results": ("结果", "Results"),
    "upload.queued": ("排队中", "Queued"), "upload.running": ("正在解析", "Parsing"),
    "upload.progress": ("{state}：已完成 {done} / {total}", "{state}: {done} of {total} done"),
    "upload.file": ("文件", "File"),
    "upload.outcome": ("结果", "Result"),
    "upload.details": ("说明", "Details"),
    "upload.parsed": ("已解析", "parsed"), "upload.stored_before": ("已存在", "stored before"),
    "upload.failed": ("失败", "failed"), "upload.refused": ("拒收", "refused"),
    "upload.none": ("没有可处理的文件。", "No files to process."),
    "upload.too_large": ("文件超过 {mb} MB 上限，未处理", "larger than the {mb} MB limit, not processed"),
    "upload.empty": ("空文件，未处理", "empty file, not processed"),
    "upload.unparsed": ("无法解析", "could not be parsed"),
    "upload.was_stored": ("此前已入库（内容相同）", "stored before (same content)"),
    "upload.stored": ("已解析入库", "parsed and stored"),
    "upload.no_table": ("未找到年报的统计表（不是政府信息公开年报，或表格无法识别）",
                        "no statistics table found (not a disclosure report, or its tables were not "
                        "recognised)"),
    "upload.internal": ("解析器内部错误，已记录", "internal error of the parser, logged"),
    "upload.crashed": ("解析进程崩溃（文件可能已损坏或过大）",
                       "the parser process crashed (the file may be damaged or "
                       "too large)"),
    "upload.unreadable": ("文件无法读取", "the file cannot be read"),
    "upload.orphaned": ("服务器在处理这次上传时停止了，请重新上传（已入库的文件不会重复）",
                        "the server stopped while handling this upload; upload again (files already "
                        "stored are "
                        "not stored twice)"),
    "upload.job_failed": ("处理上传时出错，请联系管理员（服务器日志有详情）",
                          "the upload could not be handled; ask the administrator (the server log has the "
                          "details)"),
    "upload.queue_full": ("上传队列已满，请稍后再试", "the upload queue is full; try again later"),
    "upload.not_multipart": ("请以 multipart/form-data 上传文件（字段名 files）",
                             "upload the files as multipart/form-data (field name files)"),
    "upload.bad_multipart": ("上传内容无法读取（multipart 格式有误）",
                             "the upload cannot be read (malformed multipart)"),
    "upload.no_files": ("请选择要上传的文件（字段名 files）",
                        "choose the files to upload (field name files)"),
    "upload.no_job": ("没有这个上传任务（或已过期）", "there is no such upload (or it has expired)"),
    # the audit log
    "audit.title": ("审核记录", "Audit log"),
    "audit.intro": ("全部更正、问题审核、重新解析，最新的在前；记录只增不改（数据库拒绝修改和删除）。时"
                    "间为北京时间。",
                    "Every correction, review of a finding and re-parse, newest first; records are only ever "
                    "added (the database refuses to change or delete them). Times are Beijing time."),
    "audit.intro_admin": ("全部更正、问题审核、重新解析和账号、会话操作，最新的在前；记录只增不改（数据"
                          "库拒绝修改和删除）。"
                          "时间为北京时间。",
                          "Every correction, review of a finding, re-parse and change to accounts and "
                          "sessions, "
                          "newest first; records are only ever added (the database refuses to change or "
                          "delete "
                          "them). Times are Beijing time."),
    "audit.user": ("用户", "User"),
    "audit.report_id": ("报告编号", "Report no."),
    "audit.action": ("操作", "Action"),
    "audit.since": ("从", "From"), "audit.until": ("到", "To"), "audit.time": ("时间", "Time"),
    "audit.report": ("报告", "Report"),
    "audit.details": ("内容", "Details"),
    "audit.reason": ("理由", "Reason"),
    "audit.none": ("没有符合条件的记录。", "No records match."),
    "audit.newest": ("« 最新", "« Newest"), "audit.older": ("更早 »", "Older »"),
    "group.correction": ("更正", "corrections"), "group.review": ("审核问题", "reviews"),
    "group.reparse": ("重新解析", "re-parses"), "group.account": ("账号与会话", "accounts and sessions"),
    "action.correction": ("更正", "correction"), "action.review": ("审核问题", "review"),
    "action.reparse": ("重新解析", "re-parse"), "action.user.add": ("新建账号", "new account"),
    "action.user.passwd": ("修改密码", "password changed"),
    "action.user.disable": ("停用账号", "account disabled"),
    "action.user.enable": ("启用账号", "account enabled"),
    "action.sessions.revoke": ("结束会话", "sessions ended"),
    "audit.verb.confirmed": ("确认", "confirmed"), "audit.verb.dismissed": ("驳回", "dismissed"),
    "audit.verb.other": ("审核", "reviewed"),
    "audit.unknown_cell": ("（未知单元格）", "(unknown cell)"),
    "audit.did.correction": ("更正 {label}：{old} → {new}", "corrected {label}: {old} → {new}"),
    "audit.did.review": ("{verb}问题 {rule}", "{verb} finding {rule}"),
    "audit.did.review_at": ("{verb}问题 {rule}（{where}）", "{verb} finding {rule} ({where})"),
    "audit.did.reparse": ("重新解析，保留 {kept} 处更正", "re-parsed, {kept} corrections kept"),
    "audit.did.reparse_failed": ("重新解析失败，保留 {kept} 处更正",
                                 "re-parse failed, {kept} corrections kept"),
    "audit.did.user.add": ("新建账号 {name}（{role}）", "account {name} created ({role})"),
    "audit.did.user.passwd": ("修改 {name} 的密码，结束其 {ended} 个会话",
                              "password of {name} changed, {ended} session(s) ended"),
    "audit.did.user.disable": ("停用账号 {name}，结束其 {ended} 个会话",
                               "account {name} disabled, {ended} session(s) "
                               "ended"),
    "audit.did.user.enable": ("启用账号 {name}", "account {name} enabled"),
    "audit.did.sessions.revoke": ("结束 {name} 的 {ended} 个会话", "{ended} session(s) of {name} ended"),
    # accounts
    "users.title": ("账号", "Accounts"), "users.id": ("编号", "No."), "users.name": ("用户名", "User name"),
    "users.role": ("角色", "Role"),
    "users.state": ("状态", "State"),
    "users.sessions": ("在线会话", "Live sessions"),
    "users.actions": ("操作", "Actions"),
    "users.active": ("启用", "active"),
    "users.disabled": ("停用", "disabled"),
    "users.seen": ("最近活动", "last seen"), "users.new_password": ("新密码", "new password"),
    "users.change_password": ("改密码", "Change password"), "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.not_self": ("不能停用自己的账号", "you cannot disable your own account"),
    "users.revoke": ("结束全部会话", "End all sessions"),
    "users.note": ("改密码、停用账号都会立即结束该账号的全部会话（已登录的浏览器需重新登录）。时间为北京"
                   "时间。",
                   "Changing a password or disabling an account ends all its sessions at once (browsers "
                   "logged "
                   "in must log in again). Times are Beijing time."),
    "users.logged": ("这些操作都记入{audit}。命令行同样可以：{command}。",
                     "Each of these is recorded in the {audit}. The command line does the same: {command}."),
    "users.command": ("gongkai user passwd|disable|enable|sessions 名字",
                      "gongkai user passwd|disable|enable|sessions "
                      "NAME"),
    "users.new": ("新建账号", "New account"), "users.create": ("创建", "Create"),
    "users.created": ("已创建 {name}", "{name} created"),
    "users.password_changed": ("已修改 {name} 的密码，结束其 {ended} 个会话",
                               "password of {name} changed, {ended} session(s) ended"),
    "users.disabled_done": ("已停用 {name}，结束其 {ended} 个会话",
                            "{name} disabled, {ended} session(s) ended"),
    "users.enabled_done": ("已启用 {name}", "{name} enabled"),
    "users.revoked": ("已结束 {name} 的 {ended} 个会话", "{ended} session(s) of {name} ended"),
    "users.cannot_disable_self": ("不能停用自己的账号（请由另一位管理员操作）",
                                  "you cannot disable your own account (another administrator can)"),
    # the dashboard
    "dash.title": ("统计", "Dashboard"), "dash.agency": ("单位（逐年对比）", "Agency (year by year)"),
    "dash.agency_hint": ("输入单位名称或编码搜索", "search by agency name or code"),
    "dash.update": ("更新", "Update"),
    "dash.save_image": ("保存为图片", "Save as image"),
    "dash.load_failed": ("无法载入：", "could not load: "),
    "dash.no_data": ("暂无数据", "no data yet"), "dash.chosen": ("已选：", "chosen: "),
    "dash.missing": ("缺报矩阵（单位 × 年度）", "Missing reports (unit × year)"),
    "dash.all_regions": ("全部地区", "all regions"), "dash.loading": ("正在载入…", "Loading…"),
    "dash.matches": ("（{count} 份{years}）", " ({count} reports{years})"),
    "dash.years": ("，{years}", ", {years}"),
    "dash.no_match": ("没有名称含“{q}”的单位", "no agency whose name holds “{q}”"),
    "chart.counts_year": ("各年度报告数", "Reports per year"), "chart.counts_region": ("各省份报告数",
                                                                                 "Reports per province"),
    "chart.counts_level": ("各级别报告数", "Reports per level"),
    "chart.rules": ("未通过各规则的报告占比", "Share of reports failing each rule"),
    "chart.outcomes": ("申请办理结果构成", "Outcomes of applications"),
    "chart.correction_rates": ("复议、诉讼纠错率", "Correction rates of reviews and lawsuits"),
    "chart.timeliness": ("按时发布情况", "Published on time"),
    "chart.agency": ("单位逐年对比", "One agency year by year"),
    "chart.region": ("地区内各单位对比", "Agencies of a region side by side"),
    "missing.published": ("已发布", "published"), "missing.gap": ("缺报", "missing"),
    "missing.files": ("同一年度有 n 个文件（如同一报告的网页和 PDF）",
                      "n files for one year (such as a report's web page and its PDF)"),
    "missing.roster": ("名册", "roster"),
    "missing.roster_note": ("在名册中（应发布年报的单位；用 {command} 导入）",
                            "on the roster (units that must publish; import with {command})"),
    "missing.shown": ("；页面显示前 {limit} 个，CSV 含全部",
                      "; the page shows the first {limit}, the CSV all"),
    "missing.unit": ("单位", "Unit"), "missing.level": ("级别", "Level"),
    "missing.cell": ("{year} 年：{count} 个文件", "{year}: {count} file(s)"),
    # the API docs page
    "docs.title": ("gongkai 接口文档", "gongkai API docs"),
}

# Messages the web app's other modules (the store, the source viewer, the limits, the dashboard's
# figures) word in Chinese → English, for a page or an API answer in English: each pattern
# matches a whole message, its named groups carry the details over.
WEB_ENGLISH: tuple[tuple[str, str], ...] = (
    # store.review
    (r"(?P<what>.*)含有不可见的空字符（NUL）", "{what} holds an invisible NUL character"),
    (r"请填写理由", "give a reason"), (r"理由过长（最多 (?P<n>\d+) 字）", "the reason is too long (at "
                                                                          "most {n} characters)"),
    (r"未知的处理结果 (?P<d>.+)（confirmed 或 dismissed）", "unknown decision {d} (confirmed or dismissed)"),
    (r"问题编号须为 1–(?P<n>\d+) 个字符", "a finding key has 1–{n} characters"),
    (r"没有编号为 (?P<id>\S+) 的报告", "there is no report number {id}"),
    (r"数值必须是有限的数", "the value must be a finite number"),
    (r"(?P<label>.+)应为整数", "{label}: should be a whole number"),
    (r"(?P<label>.+)不能为负数", "{label}: cannot be negative"),
    (r"报告 (?P<id>\S+) 没有单元格 (?P<path>\S+)", "report {id} has no cell {path}"),
    (r"密码至少 (?P<n>\d+) 个字符", "a password has at least {n} characters"),
    (r"密码最多 (?P<n>\d+) 个字符", "a password has at most {n} characters"),
    (r"用户名须为 1–100 个字符", "a user name has 1–100 characters"),
    (r"未知角色 (?P<role>.+)：viewer、reviewer 或 admin", "unknown role {role}: viewer, reviewer or admin"),
    (r"用户 (?P<name>.+) 已存在", "user {name} exists already"), (r"没有用户 (?P<name>.+)", "there is "
                                                                                            "no user {name}"),
    (r"人工更正：(?P<reason>.*)", "corrected by hand: {reason}"),  # a corrected cell's note
    # the source viewer
    (r"原文未存入数据库，原路径也已不可读", "the source was not kept in the database and its path "
                                            "cannot be read"),
    (r"原文无法读取：(?P<why>.*)", "the source cannot be read: {why}"),
    (r"原文不是 PDF，没有页面图像", "the source is not a PDF: it has no page images"),
    (r"该单元格没有来源位置（空白、缺失或推算所得）。?", "this cell has no place in the source (blank, "
                                                         "missing or "
                                               "inferred)"),
    (r"页面图像生成繁忙，请稍后再试", "page images are busy; try again later"),
    (r"PDF 只有 (?P<n>\d+) 页，没有第 (?P<page>\d+) 页", "the PDF has {n} pages, not a page {page}"),
    # limits, logins, the API
    (r"请求含有空字符（NUL），无法处理", "the request holds a NUL character and cannot be handled"),
    (r"此地址不接受 multipart 表单", "this address does not accept multipart forms"),
    (r"Content-Length 无效", "invalid Content-Length"),
    (r"请求内容超过上限（(?P<limit>.+)），未处理", "the request is larger than the limit ({limit}), not "
                                                   "handled"),
    (r"登录繁忙，请稍后再试", "logins are busy; try again later"),
    (r"登录失败次数过多，请约 (?P<m>\d+) 分钟后再试", "too many failed logins; try again in about {m} "
                                                      "minutes"),
    (r"用户名或密码错误", "wrong user name or password"), (r"当前密码不正确", "the current password is "
                                                                              "wrong"),
    (r"bbox 应为四个数（x0,top,x1,bottom）", "bbox is four numbers (x0,top,x1,bottom)"),
    (r"没有名为 (?P<name>\S+) 的统计图；可选：(?P<choices>.+)", "there is no figure {name}; choose from "
                                                                "{choices}"),
    # the list's queries and exports
    (r"无效的翻页参数 after=(?P<c>.*)", "invalid page cursor after={c}"),
    (r"未知级别 (?P<level>.+)：(?P<choices>.+)", "unknown level {level}: {choices}"),
    (r"未知格式 (?P<t>.+)：2019 或 2021", "unknown form {t}: 2019 or 2021"),
    (r"未知排序 (?P<s>.+)：(?P<choices>.+)", "unknown order {s}: {choices}"),
    (r"导出任务繁忙，请稍后重试", "exports are busy; try again later"),
    (r"筛选结果有 (?P<n>[\d,]+) 份报告，超过网页导出上限 (?P<max>[\d,]+) 份；请缩小筛选范围，或在服务器"
     r"上用 gongkai "
     r"export 导出", "{n} reports match, more than the web export's limit of {max}; narrow the filters, or "
                    "export on the server with gongkai export"),
    (r"筛选结果有 (?P<n>[\d,]+) 份报告；工作簿每份报告一张表，网页导出最多 (?P<max>[\d,]+) 份。.*",
     "{n} reports match; the workbook has a sheet per report and the web export makes at most {max}. "
     "Narrow the filters (region, year), or export on the server with gongkai export --form workbook"),
    (r"工作簿的汇总表列出所选地区的每个单位：当前有 (?P<n>[\d,]+) 个单位，网页导出最多 (?P<max>[\d,]+) "
     r"个。.*",
     "the workbook's summary lists every unit of the region: {n} units now, the web export takes at most "
     "{max}. Choose a region (such as 淮安市 or 320800), or export on the server with gongkai export "
     "--form workbook"),
    # the dashboard's figures
    (r"共 (?P<n>[\d,]+) 份报告；只计错误和警告", "{n} reports; errors and warnings only"),
    (r"名册和报告中都没有该地区的单位", "neither the roster nor the reports hold a unit of this region"),
    (r"尚无任何年度的报告", "no report for any year yet"),
    (r"(?P<n>\d+) 个单位（名册 (?P<r>\d+) 个），(?P<never>\d+) 个从未发布；缺报最多的在前",
     "{n} units ({r} on the roster), {never} never published; those missing most first"),
    (r"共 (?P<n>[\d,]+) 份报告，逐份判断太多：请选择地区或年度（至多 (?P<max>[\d,]+) 份）",
     "{n} reports are too many to judge one by one: choose a region or a year (at most {max})"),
    (r"逾期 (?P<n>\d+) 份；.*", "{n} late; deadlines: departments by 31 January, people's governments by 31 "
                              "March (Regulation art. 49); date unknown: no publication date found, none "
                              "guessed"),
    (r"请在上方“单位”框中搜索并选择一个单位", "search for an agency in the “Agency” box above and choose it"),
    (r"没有单位“(?P<a>.+)”的报告", "no reports of the agency “{a}”"),
    (r"按地区、级别、年度筛选；按新收申请数排序", "filtered by region, level and year; ordered by "
                                                  "applications received"),
    (r"(?P<name>.+) 逐年对比", "{name} year by year"),
)

# the words of the dashboard's figures (titles, columns, categories) → English
WEB_TERMS: dict[str, str] = {
    "各年度报告数": "Reports per year", "各省份报告数": "Reports per province",
    "各级别报告数": "Reports per level", "年度": "year", "省份": "province", "级别": "level",
    "报告数": "reports", "未识别": "not recognised",
    "未通过各规则的报告占比（%）": "Share of reports failing each rule (%)", "规则": "rule",
    "占比%": "share %", "申请办理结果构成（件）": "Outcomes of applications", "予以公开": "granted",
    "部分公开": "partly granted", "不予公开": "denied", "无法提供": "unable to provide",
    "不予处理": "not processed", "其他处理": "other handling",
    "行政复议、行政诉讼纠错率（%）": "Correction rates of reviews and lawsuits (%)",
    "行政复议纠错率%": "reviews corrected %", "行政诉讼纠错率%": "lawsuits corrected %",
    "复议纠正": "reviews corrected", "复议总计": "reviews", "诉讼纠正": "lawsuits corrected",
    "诉讼总计": "lawsuits", "单位": "unit", "名册": "roster", "是": "yes",
    "缺报矩阵（单位 × 年度）": "Missing reports (unit × year)", "按时": "on time", "逾期": "late",
    "日期不明": "date unknown", "无法定期限": "no legal deadline",
    "按时发布情况（份）": "Published on time (reports)", "单位逐年对比": "One agency year by year",
    "新收申请": "received", "办理总计": "handled", "错误数": "errors",
    "地区内各单位对比": "Agencies of a region side by side", "公开(含部分)": "granted (incl. partly)",
    "省": "province", "市": "city", "县": "county", "乡镇": "township", "部门": "department",
    # the API's sections (OpenAPI tags)
    "账号": "accounts", "报告": "reports", "审核": "review", "统计": "statistics", "上传": "upload",
    "审核员": "reviewer",  # the author visitors see in place of a reviewer's name
}
_WEB_ENGLISH = tuple((re.compile(pattern + r"\Z", re.DOTALL), en) for pattern, en in WEB_ENGLISH)
_WEB_BY_ZH = {zh: en for zh, en in WEB.values() if "{" not in zh}  # a fixed sentence stored in Chinese


def web(key: str, lang: str | None = None, **values: object) -> str:
    """The web app's word ``key`` in ``lang``, formatted with ``values``."""
    zh, en = WEB[key]
    return (en if language(lang) == "en" else zh).format(**values)


def web_english(text: str, lang: str | None = None) -> str:
    """A message another module of the web app words in Chinese, in ``lang``: the English from
    :data:`WEB_ENGLISH` or :data:`WEB_TERMS` (details kept); a message not listed stays as it is."""
    text = str(text)
    if language(lang) != "en" or not _CJK.search(text):
        return text
    if text in WEB_TERMS:
        return WEB_TERMS[text]
    if text in _WEB_BY_ZH:
        return _WEB_BY_ZH[text]
    for pattern, en in _WEB_ENGLISH:
        found = pattern.match(text)
        if found:
            return en.format(**found.groupdict())
    return text
