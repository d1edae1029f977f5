"""The national template as data: load ``template.yaml`` once and expand its rules.

>>> from gongkai.template import TEMPLATE, Layout
>>> len(TEMPLATE.cell_paths(Layout("2021")))
200
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from itertools import product
from typing import Any

import yaml

from .model import (
    FORMATS,
    ApplicationGroup,
    ApplicationRow,
    CellKind,
    Column,
    DisclosureBlock,
    DisclosureRow,
    Equation,
    FormatId,
    Label,
    Layout,
    Notice,
    Rule,
    Section,
    TableName,
    Template,
    cases,
)

__all__ = [
    "FORMATS",
    "TEMPLATE",
    "CellKind",
    "Equation",
    "FormatId",
    "Layout",
    "TableName",
    "Template",
    "equations",
    "rules_markdown",
]


def _label(spec: dict[str, Any], key: str = "label") -> Label:
    return Label(spec[key], tuple(spec.get("variants", ())))


def _column(spec: dict[str, Any]) -> Column:
    return Column(spec["key"], _label(spec), spec.get("kind", "count"))


def _load() -> Template:
    raw = yaml.safe_load(resources.files(__package__).joinpath("template.yaml").read_text("utf-8"))
    if tuple(raw["formats"]) != FORMATS:  # the type FormatId spells them too: the two must agree
        raise ValueError(f"template.yaml formats {list(raw['formats'])} are not {list(FORMATS)}")
    disclosure = raw["active_disclosure"]
    blocks = {
        fmt: tuple(
            DisclosureBlock(
                caption=Label(block["caption"]),
                columns=tuple(_column(c) for c in block["columns"]),
                rows=tuple(DisclosureRow(r["key"], _label(r)) for r in block["rows"]),
            )
            for block in disclosure[fmt]
        )
        for fmt in FORMATS
    }
    apps = raw["applications"]
    rl = raw["review_litigation"]
    rules = tuple(
        Rule(
            id=r["id"],
            kind=r["kind"],
            severity=r["severity"],
            zh=r["zh"],
            en=r["en"],
            spec={k: v for k, v in r.items() if k not in ("id", "kind", "severity", "zh", "en", "messages")},
            messages=cases(r),
        )
        for r in raw["rules"]
    )
    return Template(
        sections=tuple(Section(s["number"], s["key"], _label(s)) for s in raw["sections"]),
        disclosure_header=Label(disclosure["header_label"]),
        disclosure_blocks=blocks,
        format_markers={fmt: tuple(raw["format_markers"][fmt]) for fmt in FORMATS},
        application_note=Label(apps["note"]),
        application_header_labels=tuple(apps["header_labels"]),
        application_columns=tuple(_column(c) for c in apps["columns"]),
        application_groups=tuple(
            ApplicationGroup(g["key"], g["marker"], _label(g), g.get("parent"))
            for g in apps["groups"]
        ),
        application_rows=tuple(
            ApplicationRow(
                key=r["key"],
                marker=r["marker"],
                label=_label(r),
                group=r.get("group"),
                result=bool(r.get("result", False)),
                formats=tuple(r.get("formats", FORMATS)),
            )
            for r in apps["rows"]
        ),
        review_header_labels=tuple(rl["header_labels"]),
        review_groups=tuple(_column(g) for g in rl["groups"]),
        review_columns=tuple(_column(c) for c in rl["columns"]),
        rules=rules,
        tables={key: TableName(key, names["zh"], names["en"], names["title"], names["title_en"])
                for key, names in raw["tables"].items()},
        blank_marks=frozenset(raw["blank_marks"]),
    )


TEMPLATE: Template = _load()


def _named_set(name: str | list[str], layout: Layout) -> list[str]:
    """The members of a set named in a rule's ``each`` or ``sum``."""
    if isinstance(name, list):
        return name
    t = TEMPLATE
    sets = {
        "columns": lambda: [c.key for c in t.application_columns],
        "applicants": lambda: [c.key for c in t.application_columns if c.key != "total"],
        "rows": lambda: list(t.application_row_keys(layout)),
        "results": lambda: list(t.result_row_keys(layout)),
        "groups": lambda: [g.key for g in t.review_groups],
        "rl_parts": lambda: [c.key for c in t.review_columns if c.key != "total"],
    }
    return sets[name]()


# the placeholder each named set binds in a ``sum`` term
_SUM_VARIABLE = {"applicants": "applicant", "results": "result", "rl_parts": "part",
                 "columns": "column", "groups": "group", "rows": "row"}


def expand_terms(terms: list[Any], binding: dict[str, str], layout: Layout) -> tuple[str, ...]:
    """Turn a rule's term list into concrete cell paths under one binding."""
    paths: list[str] = []
    for term in terms:
        if isinstance(term, dict):
            variable = _SUM_VARIABLE[term["sum"]]
            for member in _named_set(term["sum"], layout):
                paths.append(term["term"].format(**binding, **{variable: member}))
        else:
            paths.append(term.format(**binding))
    return tuple(paths)


def bindings(rule: Rule, layout: Layout) -> list[dict[str, str]]:
    """Every binding of a rule's ``each`` clause for the layout (one empty binding if none)."""
    each = rule.spec.get("each", {})
    names = list(each)
    members = [_named_set(each[n], layout) for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in product(*members)]


def rule_applies(rule: Rule, layout: Layout) -> bool:
    formats = rule.spec.get("formats")
    if formats and layout.format not in formats:
        return False
    layouts = rule.spec.get("layouts")
    return not (layouts and "hybrid" in layouts and not layout.hybrid)


@cache
def equations(layout: Layout) -> tuple[Equation, ...]:
    """All equation instances (T3-BALANCE, T3-ROWSUM, T3-TOTAL, T3-OTHER, T4-GROUPSUM)."""
    result: list[Equation] = []
    for rule in TEMPLATE.rules:
        if rule.kind != "equation" or not rule_applies(rule, layout):
            continue
        for binding in bindings(rule, layout):
            result.append(
                Equation(
                    rule=rule.id,
                    left=expand_terms(rule.spec["left"], binding, layout),
                    right=expand_terms(rule.spec["right"], binding, layout),
                    binding=tuple(binding.items()),
                )
            )
    return tuple(result)


def rules_markdown() -> str:
    """docs/rules.md: every finding id gongkai reports — the form's rules (template.md §5.1) and
    the notices of reading, inference and comparison — with severity and meaning, from
    template.yaml (the page is generated; tests/test_rule_registry.py keeps it in step)."""
    lines = ["# Rules and notices / 规则与提示", "",
             "Generated from `src/gongkai/template/template.yaml` by `gongkai.template.rules_markdown()`;"
             " do not edit by hand. 由模板自动生成，请勿手工编辑。", "",
             "## Rules of the form / 勾稽关系与填报规则", "",
             "| id | kind | severity | 说明 | meaning |", "|---|---|---|---|---|"]
    lines += [f"| {r.id} | {r.kind} | {r.severity} | {_cell(r.zh)} | {_cell(r.en)} |" for r in TEMPLATE.rules]
    lines += ["", "## Notices: reading, inference, other reports / 读取、推算与跨报告提示", "",
              "| id | stage | severity | 说明 | meaning |", "|---|---|---|---|---|"]
    lines += [f"| {n.id} | {n.stage} | {n.severity} | {_cell(n.zh)} | {_cell(n.en)} |"
              for n in TEMPLATE.notices]
    lines += ["", "## Messages / 提示文字", "",
              "What a finding says, case by case; `{…}` are its particulars, a case's severity is its id's"
              " unless given. 各类提示的具体文字，`{…}` 处填入具体内容。", "",
              "| id | case | severity | 提示 | message |", "|---|---|---|---|---|"]
    declared: tuple[Rule | Notice, ...] = (*TEMPLATE.rules, *TEMPLATE.notices)
    lines += [f"| {d.id} | {case} | {TEMPLATE.severity(d.id, case)} | {_cell(m.zh)} | {_cell(m.en)} |"
              for d in declared for case, m in d.messages.items()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
