"""The web app's words for people: validation errors in Chinese (not pydantic's English), the names
of request parameters, the audit log's actions, the list's formats and review states, and what
``gongkai user …`` prints (Chinese by default, English with ``--lang en``). The words themselves
are in the one message catalogue, :mod:`gongkai.messages`, with the command line's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..messages import (  # the words live in the one catalogue; the functions that use them here
    ACTION_GROUP_ZH,
    ACTION_GROUPS,
    ACTIONS,
    FIELDS,
    MEDIA,
    ROLE_ZH,
    USER_CLI,
    VALIDATION,
    language,
)
from ..messages import AUDIT_DECISION_ZH as DECISION_ZH

__all__ = ["ACTIONS", "ACTION_GROUPS", "ACTION_GROUP_ZH", "DECISION_ZH", "FIELDS", "MEDIA", "ROLE_ZH", "cli",
           "field_name", "media_label", "problem", "problems", "role_word"]


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
    template = VALIDATION.get(str(error.get("type")), "取值无效")
    try:
        sentence = template.format(**context)
    except (KeyError, IndexError):
        sentence = "取值无效"
    return f"{field_name(error.get('loc', ()))}{sentence}"


def problems(errors: Sequence[Mapping[str, Any]]) -> str:
    """Every validation error of a request, joined; the message of the 422 page."""
    return "；".join(dict.fromkeys(problem(e) for e in errors)) or "请求参数有误"


# ------------------------------------------------------------------------------ the report list


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

# ------------------------------------------------------------------------------ gongkai user …


def cli(key: str, lang: str | None = None, **values: object) -> str:
    zh, en = USER_CLI[key]
    return (en if language(lang) == "en" else zh).format(**values)


def role_word(role: str, lang: str | None = None) -> str:
    return role if language(lang) == "en" else ROLE_ZH.get(role, role)
