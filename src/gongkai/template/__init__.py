"""The national template as data: load ``template.yaml`` once and expand its rules.

>>> from gongkai.template import TEMPLATE, TableShape
>>> len(TEMPLATE.cell_paths(TableShape("2021")))
200
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from itertools import product
from typing import Any

import yaml

from .model import (
    EDITIONS,
    ApplicationGroup,
    ApplicationRow,
    CellKind,
    Column,
    DisclosureBlock,
    DisclosureRow,
    Edition,
    Equation,
    Label,
    Notice,
    Rule,
    Section,
    TableName,
    TableShape,
    Template,
    cases,
)

__all__ = [
    "EDITIONS",
    "TEMPLATE",
    "CellKind",
    "Edition",
    "Equation",
    "TableName",
    "TableShape",
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
    if tuple(raw["formats"]) != EDITIONS:  # the type Edition spells them too: the two must agree
        raise ValueError(f"template.yaml formats {list(raw['formats'])} are not {list(EDITIONS)}")
    disclosure = raw["active_disclosure"]
    blocks = {
        edition: tuple(
            DisclosureBlock(
                caption=Label(block["caption"]),
                columns=tuple(_column(c) for c in block["columns"]),
                rows=tuple(DisclosureRow(r["key"], _label(r)) for r in block["rows"]),
            )
            for block in disclosure[edition]
        )
        for edition in EDITIONS
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
        edition_markers={edition: tuple(raw["format_markers"][edition]) for edition in EDITIONS},
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
                editions=tuple(r.get("formats", EDITIONS)),
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


def _named_set(name: str | list[str], shape: TableShape) -> list[str]:
    """The members of a set named in a rule's ``each`` or ``sum``."""
    if isinstance(name, list):
        return name
    t = TEMPLATE
    sets = {
        "columns": lambda: [c.key for c in t.application_columns],
        "applicants": lambda: [c.key for c in t.application_columns if c.key != "total"],
        "rows": lambda: list(t.application_row_keys(shape)),
        "results": lambda: list(t.result_row_keys(shape)),
        "groups": lambda: [g.key for g in t.review_groups],
        "rl_parts": lambda: [c.key for c in t.review_columns if c.key != "total"],
    }
    return sets[name]()


# the placeholder each named set binds in a ``sum`` term
_SUM_VARIABLE = {"applicants": "applicant", "results": "result", "rl_parts": "part",
                 "columns": "column", "groups": "group", "rows": "row"}


def expand_terms(terms: list[Any], binding: dict[str, str], shape: TableShape) -> tuple[str, ...]:
    """Turn a rule's term list into concrete cell paths under one binding."""
    paths: list[str] = []
    for term in terms:
        if isinstance(term, dict):
            variable = _SUM_VARIABLE[term["sum"]]
            for member in _named_set(term["sum"], shape):
                paths.append(term["term"].format(**binding, **{variable: member}))
        else:
            paths.append(term.format(**binding))
    return tuple(paths)


def bindings(rule: Rule, shape: TableShape) -> list[dict[str, str]]:
    """Every binding of a rule's ``each`` clause for the table shape (one empty binding if none)."""
    each = rule.spec.get("each", {})
    names = list(each)
    members = [_named_set(each[n], shape) for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in product(*members)]


def rule_applies(rule: Rule, shape: TableShape) -> bool:
    editions = rule.spec.get("formats")
    if editions and shape.edition not in editions:
        return False
    shapes = rule.spec.get("layouts")
    return not (shapes and "hybrid" in shapes and not shape.hybrid)


@cache
def equations(shape: TableShape) -> tuple[Equation, ...]:
    """All equation instances (T3-BALANCE, T3-ROWSUM, T3-TOTAL, T3-OTHER, T4-GROUPSUM)."""
    result: list[Equation] = []
    for rule in TEMPLATE.rules:
        if rule.kind != "equation" or not rule_applies(rule, shape):
            continue
        for binding in bindings(rule, shape):
            result.append(
                Equation(
                    rule=rule.id,
                    left=expand_terms(rule.spec["left"], binding, shape),
                    right=expand_terms(rule.spec["right"], binding, shape),
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
