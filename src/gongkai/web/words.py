"""The web app's words for people: validation errors in Chinese (not pydantic's English), the names
of request parameters, the audit log's actions, the list's formats and review states, and what
``gongkai user …`` prints (Chinese by default, English with ``--lang en``). The words themselves
are in the one message catalogue, :mod:`gongkai.messages`, with the command line's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from contextvars import ContextVar
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
    WEB,
    language,
    web,
    web_english,
)
from ..messages import AUDIT_DECISION_ZH as DECISION_ZH

__all__ = ["ACTIONS", "ACTION_GROUPS", "ACTION_GROUP_ZH", "DECISION_ZH", "FIELDS", "LANG_COOKIE", "MEDIA",
           "ROLE_ZH", "FiguresInLanguage", "cli", "current_lang", "field_name", "figure_in", "level_word",
           "media_label", "page_language", "problem", "problems", "role_word", "web", "web_english"]

# ------------------------------------------------------------------------------ the page's language
LANG_COOKIE = "gongkai_lang"
LANGUAGES = ("zh", "en")
# The language of the request being served (set by the app's middleware for every request): code
# that has no request at hand — the dashboard's figures, read from a cache shared by both
# languages — words its output in it.
current_lang: ContextVar[str] = ContextVar("gongkai_web_lang", default="zh")


def asked_language(scope: Any) -> str | None:
    """``?lang=en|zh`` of a raw ASGI request, if there is one."""
    from urllib.parse import parse_qs

    query = scope.get("query_string", b"")
    if b"lang=" not in query:
        return None
    values = parse_qs(query.decode("latin-1")).get("lang")
    return values[-1] if values else None


def scope_language(scope: Any, server: str) -> str:
    """:func:`page_language` of a raw ASGI request (``?lang=``, the cookie), before any app code
    has read it: what the middlewares that answer on their own speak."""
    from http.cookies import SimpleCookie

    asked = asked_language(scope)
    cookies: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            with suppress(Exception):  # a malformed cookie header says nothing of the language
                cookies.load(value.decode("latin-1"))
    remembered = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
    return page_language(asked, remembered, server)


def page_language(asked: str | None, remembered: str | None, server: str) -> str:
    """The language of a page: ``?lang=`` if the visitor just chose one, else the one their cookie
    remembers, else the server's (``gongkai serve --lang``, ``GONGKAI_LANG``; Chinese by default).
    The browser's Accept-Language is not consulted: the server's language is the operator's
    choice for their clerks, and a browser set to English would otherwise override it."""
    for choice in (asked, remembered):
        if choice in LANGUAGES:
            return choice
    return language(server)


def level_word(level: str | None, lang: str | None = None) -> str:
    """省/市/县/乡镇/部门 in ``lang``; anything else as it is."""
    if not level:
        return ""
    key = f"level.{level}"
    return web(key, lang) if key in WEB else level


def field_name(loc: Sequence[Any], lang: str | None = None) -> str:
    """「年度」 for ("query", "year"); a body's nested field by its last known name; in English the
    parameter's own name."""
    parts = [str(p) for p in loc if str(p) not in ("query", "path", "body", "form", "header", "cookie")]
    if language(lang) == "en":
        return ".".join(parts) or (str(loc[0]) if loc else "request")
    for part in reversed(parts):
        if part in FIELDS:
            return FIELDS[part]
    return "、".join(parts) or FIELDS.get(str(loc[0]) if loc else "", "请求")


def problem(error: Mapping[str, Any], lang: str | None = None) -> str:
    """One validation error as a Chinese phrase: 「每页条数应不大于 500」; in English pydantic's own
    sentence after the parameter's name: ``limit: Input should be less than or equal to 500``."""
    if language(lang) == "en":
        return f"{field_name(error.get('loc', ()), 'en')}: {error.get('msg') or 'invalid value'}"
    context = {k: str(v).replace(" or ", " 或 ") for k, v in (error.get("ctx") or {}).items()}
    template = VALIDATION.get(str(error.get("type")), "取值无效")
    try:
        sentence = template.format(**context)
    except (KeyError, IndexError):
        sentence = "取值无效"
    return f"{field_name(error.get('loc', ()))}{sentence}"


def problems(errors: Sequence[Mapping[str, Any]], lang: str | None = None) -> str:
    """Every validation error of a request, joined; the message of the 422 page."""
    joint = "; " if language(lang) == "en" else "；"
    return joint.join(dict.fromkeys(problem(e, lang) for e in errors)) or web("error.invalid_default", lang)


# ------------------------------------------------------------------------------ the report list


_MEDIA_WORDS = {"网页": "media.web", "文本": "media.text"}


def media_label(media_type: str | None, lang: str | None = "zh") -> str:
    """The list's 文件格式 column: PDF, 网页, DOCX, 文本, 图片 …; "" when unknown."""
    if not media_type:
        return ""
    if media_type in MEDIA:
        word = MEDIA[media_type]
        return web(_MEDIA_WORDS[word], lang) if word in _MEDIA_WORDS else word
    if media_type.startswith("image/"):
        return web("media.image", lang)
    return media_type.rsplit("/", 1)[-1].removeprefix("x-").upper()[:12]


# ------------------------------------------------------------------------------ the audit log

# ------------------------------------------------------------------------------ gongkai user …


def cli(key: str, lang: str | None = None, **values: object) -> str:
    zh, en = USER_CLI[key]
    return (en if language(lang) == "en" else zh).format(**values)


def role_word(role: str, lang: str | None = None) -> str:
    return role if language(lang) == "en" else ROLE_ZH.get(role, role)


# ------------------------------------------------------------------------------ the dashboard's figures


def figure_in(figure: Any, lang: str | None) -> Any:
    """A dashboard figure (:class:`gongkai.web.stats.Figure`, worded in Chinese) in ``lang``: its
    title, columns and note, and the category words of its rows (levels, 未识别, 是); names of
    places and agencies are data and stay as they are."""
    if language(lang) != "en":
        return figure
    import dataclasses

    from ..messages import WEB_TERMS

    rows = [[WEB_TERMS.get(v, v) if isinstance(v, str) else v for v in row] for row in figure.rows]
    return dataclasses.replace(figure, title=web_english(figure.title, "en"),
                               columns=[web_english(c, "en") if isinstance(c, str) else c
                                        for c in figure.columns],
                               rows=rows, note=web_english(figure.note, "en") if figure.note else figure.note)


class FiguresInLanguage:
    """The dashboard's figure cache, answering in the language of the request being served: the
    cache itself keeps one copy of each figure (in Chinese) for both languages, and the words are
    put in English on the way out — the language is not part of the cache key because the
    figures' numbers do not depend on it."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def get(self, conn: Any, name: str, params: Any) -> Any:
        return figure_in(self.cache.get(conn, name, params), current_lang.get())

    def __getattr__(self, name: str) -> Any:  # clear(), and whatever else the cache offers
        return getattr(self.cache, name)


# ------------------------------------------------------------------------------ the form's cells


def cell_label(path: str, lang: str | None = "zh") -> str:
    """A cell's name for people: 表三「(一)予以公开」「自然人」; in English the table's name is
    English (Table 3「(一)予以公开」「自然人」), the row and column stay the form's own words, which
    the template has in Chinese only."""
    from ..template import TEMPLATE

    label = TEMPLATE.cell_label(path)
    if language(lang) == "en":
        table = TEMPLATE.tables[path.split(".", 1)[0]]
        label = label.replace(table.zh, f"{table.en} ", 1)
    return label
