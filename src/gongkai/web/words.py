"""The web app's words for people, in one place: validation errors in Chinese (not pydantic's
English), the names of request parameters, the audit log's actions, the list's formats and review
states, and what ``gongkai user …`` prints (Chinese by default, English with ``--lang en``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..messages import language

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
_TYPES: dict[str, str] = {
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


def field_name(loc: Sequence[Any]) -> str:
    """「年度」 for ("query", "year"); a body's nested field by its last known name."""
    parts = [str(p) for p in loc if str(p) not in ("query", "path", "body", "form", "header", "cookie")]
    for part in reversed(parts):
        if part in FIELDS:
            return FIELDS[part]
    return "、".join(parts) or FIELDS.get(str(loc[0]) if loc else "", "请求")


def problem(error: Mapping[str, Any]) -> str:
    """One validation error as a Chinese phrase: 「每页条数应不大于 500」."""
    context = {k: str(v).replace(" or ", " 或 ") for k, v in (error.get("ctx") or {}).items()}
    template = _TYPES.get(str(error.get("type")), "取值无效")
    try:
        sentence = template.format(**context)
    except (KeyError, IndexError):
        sentence = "取值无效"
    return f"{field_name(error.get('loc', ()))}{sentence}"


def problems(errors: Sequence[Mapping[str, Any]]) -> str:
    """Every validation error of a request, joined; the message of the 422 page."""
    return "；".join(dict.fromkeys(problem(e) for e in errors)) or "请求参数有误"


# ------------------------------------------------------------------------------ the report list
MEDIA: dict[str, str] = {
    "application/pdf": "PDF", "text/html": "网页", "text/plain": "文本", "application/json": "JSON",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/msword": "DOC", "application/vnd.ms-excel": "XLS", "application/x-ole-storage": "DOC/XLS",
    "application/zip": "ZIP",
}


def media_label(media_type: str | None) -> str:
    """The list's 文件格式 column: PDF, 网页, DOCX, 文本, 图片 …; "" when unknown."""
    if not media_type:
        return ""
    if media_type in MEDIA:
        return MEDIA[media_type]
    if media_type.startswith("image/"):
        return "图片"
    return media_type.rsplit("/", 1)[-1].removeprefix("x-").upper()[:12]


# ------------------------------------------------------------------------------ the audit log
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
DECISION_ZH = {"confirmed": "确认", "dismissed": "驳回"}

# ------------------------------------------------------------------------------ gongkai user …
_CLI: dict[str, tuple[str, str]] = {
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
    "need_web": ("网页应用需要可选依赖 {module}（pip install 'gongkai[web]'）",
                 "the web app needs an optional dependency: {module} (pip install 'gongkai[web]')"),
    "serving": ("gongkai：http://{host}:{port}/（数据库 {db}{anonymous}）",
                "gongkai: http://{host}:{port}/  (database {db}{anonymous})"),
    "anonymous": ("，允许匿名只读", ", anonymous read-only access"),
}


def cli(key: str, lang: str | None = None, **values: object) -> str:
    zh, en = _CLI[key]
    return (en if language(lang) == "en" else zh).format(**values)


def role_word(role: str, lang: str | None = None) -> str:
    return role if language(lang) == "en" else ROLE_ZH.get(role, role)
