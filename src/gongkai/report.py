"""The report JSON of ``shared/spec/report-json.md`` as Python objects.

``Report.cells`` is the single store of values; the nested view (``active_disclosure``,
``applications``, ``review_litigation``) is computed from it, so the two cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .template import TEMPLATE, Layout

SCHEMA = "gongkai.report/1"
PARSER_VERSION = "0.1.0"

Status = Literal["read", "blank", "missing", "inferred"]
# part of the note of a cell inferred over a blank the source prints (the checker counts these)
PRINTED_EMPTY = "the source prints this cell empty"
Severity = Literal["error", "warning", "info"]
Number = int | float


@dataclass(slots=True)
class CellValue:
    """One cell of the template with its value and where the value came from.

    ``rule`` names what forced an ``inferred`` value (F-ZERO, F-SOLVE); ``note`` says anything
    a reviewer should know about a ``read`` value (a note printed in the cell, a unit converted,
    a split of run-together digits settled by arithmetic).
    """

    value: Number | None
    status: Status
    raw: str | None = None
    line: int | None = None
    locator: dict | None = None
    rule: str | None = None
    note: str | None = None

    def to_dict(self) -> dict:
        result: dict[str, Any] = {"value": self.value, "status": self.status, "raw": self.raw,
                                  "line": self.line}
        if self.locator:
            result["locator"] = self.locator
        if self.rule:
            result["rule"] = self.rule
        if self.note:
            result["note"] = self.note
        return result

    @classmethod
    def from_dict(cls, data: dict) -> CellValue:
        return cls(value=data.get("value"), status=data["status"], raw=data.get("raw"),
                   line=data.get("line"), locator=data.get("locator"), rule=data.get("rule"),
                   note=data.get("note"))


@dataclass(slots=True)
class Finding:
    """A problem or remark about the report, in words a clerk understands."""

    rule: str
    severity: Severity
    message: str  # Chinese
    message_en: str
    cells: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    evidence: str | None = None  # the source text quoted, where there is one

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], {})}

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(**{k: data[k] for k in data if k in cls.__dataclass_fields__})

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message


@dataclass
class Report:
    """One annual report: metadata, every template cell, and the findings about it."""

    agency: str | None
    year: int | None
    template: str | None  # "2019" | "2021"
    cells: dict[str, CellValue]
    findings: list[Finding] = field(default_factory=list)
    hybrid: bool = False
    title: str | None = None
    source: str | None = None
    media_type: str | None = None
    sections: dict[str, str] = field(default_factory=dict)  # section key → its text
    section_lines: dict[str, int] = field(default_factory=dict)  # section key → first source line
    published: str | None = None
    parser_version: str = PARSER_VERSION

    @property
    def layout(self) -> Layout | None:
        return Layout(self.template, self.hybrid) if self.template else None  # type: ignore[arg-type]

    # ------------------------------------------------------------------ values
    def value(self, path: str) -> Number | None:
        cell = self.cells.get(path)
        return cell.value if cell else None

    def nested(self) -> dict[str, Any]:
        """The nested view of report-json.md, built from ``cells``."""
        nested: dict[str, Any] = {"active_disclosure": {}, "applications": {}, "review_litigation": {}}
        lists: dict[tuple[str, str], list] = {}
        for path, cell in self.cells.items():
            table, row, column = path.split(".")
            if table == "active_disclosure":
                nested[table].setdefault(row, {})[column] = cell.value
            else:
                lists.setdefault((table, row), []).append(cell.value)
        for (table, row), values in lists.items():
            nested[table][row] = values
        return nested

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "hybrid": self.hybrid,
            "title": self.title,
            "published": self.published,
            "source": self.source,
            "media_type": self.media_type,
            "parser_version": self.parser_version,
            **self.nested(),
            "cells": {path: cell.to_dict() for path, cell in self.cells.items()},
            "findings": [f.to_dict() for f in self.findings],
            "sections": self.sections,
            "section_lines": self.section_lines,
        }

    def to_json(self, *, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON (``cells`` if present, else the nested view)."""
        template = data.get("template")
        hybrid = printed_hybrid(data)
        cells: dict[str, CellValue] = {}
        if "cells" in data:
            cells = {p: CellValue.from_dict(c) for p, c in data["cells"].items()}
        elif template:
            cells = cells_from_nested(data, Layout(template, hybrid))
        return cls(
            agency=data.get("agency"),
            year=data.get("year"),
            template=template,
            hybrid=hybrid,
            cells=cells,
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            title=data.get("title"),
            source=data.get("source"),
            media_type=data.get("media_type"),
            sections=data.get("sections", {}),
            section_lines=data.get("section_lines", {}),
            published=data.get("published"),
            parser_version=data.get("parser_version", PARSER_VERSION),
        )

    @classmethod
    def from_json(cls, text: str) -> Report:
        return cls.from_dict(json.loads(text))


def printed_hybrid(data: dict[str, Any]) -> bool:
    """The report JSON's ``hybrid``; hand-written truth files mark the hybrid only by printing
    the 2019 row ``other`` in 2021 tables."""
    if "hybrid" in data:
        return bool(data["hybrid"])
    return data.get("template") == "2021" and "other" in (data.get("applications") or {})


def nested_value(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted cell path in the nested view (None where absent)."""
    table, row, column = path.split(".")
    section = data.get(table) or {}
    if table == "active_disclosure":
        return (section.get(row) or {}).get(column)
    values = section.get(row)
    if values is None:
        return None
    columns = TEMPLATE.application_columns if table == "applications" else TEMPLATE.review_columns
    index = next(i for i, c in enumerate(columns) if c.key == column)
    return values[index] if index < len(values) else None


def cells_from_nested(data: dict[str, Any], layout: Layout) -> dict[str, CellValue]:
    """Cells from a nested report (e.g. hand-written): printed values count as ``read``."""
    cells = {}
    for path in TEMPLATE.cell_paths(layout):
        value = nested_value(data, path)
        cells[path] = CellValue(value, "read" if value is not None else "blank",
                                raw=None if value is None else str(value))
    return cells
