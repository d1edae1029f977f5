"""Typed view of ``template.yaml``: the template's tables, labels and rules.

Everything here is derived from the YAML once, at import, and is immutable afterwards. Code
elsewhere asks this module for cell paths, labels and expanded equations instead of writing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal, TypeVar

# the editions of the national form (template.yaml `formats:`): the 2019 and the 2021 notice's
Edition = Literal["2019", "2021"]
EDITIONS: tuple[Edition, Edition] = ("2019", "2021")
CellKind = Literal["count", "signed", "amount"]


@dataclass(frozen=True)
class Label:
    """An official label with the variants real documents print."""

    text: str
    variants: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return (self.text, *self.variants)


@dataclass(frozen=True)
class TableName:
    """How people call one of the three tables of figures: 表三 / Table 3, 依申请公开."""

    key: str  # active_disclosure, applications, review_litigation
    zh: str
    en: str
    title: str
    title_en: str


@dataclass(frozen=True)
class Section:
    number: str  # 一 … 六
    key: str
    label: Label


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    kind: CellKind = "count"


@dataclass(frozen=True)
class DisclosureRow:
    key: str
    label: Label


@dataclass(frozen=True)
class DisclosureBlock:
    """One block of table 2: caption row, header row, rows sharing the columns."""

    caption: Label
    columns: tuple[Column, ...]
    rows: tuple[DisclosureRow, ...]


@dataclass(frozen=True)
class ApplicationGroup:
    key: str
    marker: str
    label: Label
    parent: str | None = None


@dataclass(frozen=True)
class ApplicationRow:
    key: str
    marker: str
    label: Label
    group: str | None
    result: bool
    editions: tuple[Edition, ...]


@dataclass(frozen=True)
class Case:
    """One case of a finding's message (template.yaml ``messages:``): format strings in both
    languages with ``{placeholders}`` for the particulars, and the severity when the case's differs
    from its id's usual one."""

    zh: str
    en: str
    severity: str | None = None

    def format(self, **values: Any) -> tuple[str, str]:
        return self.zh.format(**values), self.en.format(**values)


def cases(spec: dict[str, Any]) -> dict[str, Case]:
    """The ``messages:`` of a rule or notice in template.yaml, by case."""
    return {case: Case(m["zh"], m["en"], m.get("severity")) for case, m in spec.get("messages", {}).items()}


@dataclass(frozen=True)
class Rule:
    """A rule of template.md §5.1 as declared in the YAML (before expansion)."""

    id: str
    kind: str
    severity: str
    zh: str
    en: str
    spec: dict[str, Any]  # the rule's remaining YAML fields (each, left, right, …)
    # messages of findings under this id that code other than the checker reports (T3-ROWSET: a
    # row of the other edition, dropped while reading), by case
    messages: dict[str, Case] = field(default_factory=dict)

    def message(self, case: str, **values: Any) -> tuple[str, str]:
        """The finding's message (zh, en) for ``case``, its particulars filled in from ``values``."""
        return self.messages[case].format(**values)


@dataclass(frozen=True)
class Notice:
    """A finding that is no rule of the form: how a cell was read (P-), forced (F-), or how
    reports compare (X-). ``zh``/``en`` say what it means; the finding's own message gives the
    particulars."""

    id: str
    stage: str  # extract, infer, across
    severity: str  # the usual severity (a finding may be milder where it says so)
    zh: str
    en: str
    # a finding's own message, by case: the format strings of the finding's particulars
    messages: dict[str, Case] = field(default_factory=dict)

    def message(self, case: str, **values: Any) -> tuple[str, str]:
        """The finding's message (zh, en) for ``case``, its particulars filled in from ``values``."""
        return self.messages[case].format(**values)


@dataclass(frozen=True)
class Equation:
    """One concrete instance of an equation rule: sum(left) == sum(right), all terms >= 0."""

    rule: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    binding: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return self.left + self.right


@dataclass(frozen=True)
class TableShape:
    """The table shapes a document uses: its edition of the form (2019 or 2021), and whether
    table 3 prints the 2019-style single （六）其他处理 row inside 2021 tables (the hybrid seen in
    real reports)."""

    edition: Edition
    hybrid: bool = False

    def __post_init__(self) -> None:
        if self.hybrid and self.edition != "2021":
            raise ValueError("only 2021-format tables can carry the 2019 （六） row")


@dataclass(frozen=True)
class Deadline:
    """A legal publication deadline (template.yaml ``deadlines:``): a unit of ``level`` publishes
    its report on year N by ``month``/``day`` of year N + 1."""

    level: str
    month: int
    day: int
    who: str  # whom the Regulation names, in its words
    who_en: str
    basis: str  # the article
    basis_en: str

    def for_year(self, year: int) -> date:
        return date(year + 1, self.month, self.day)


@dataclass(frozen=True)
class Template:
    """The whole template, both formats."""

    sections: tuple[Section, ...]
    disclosure_header: Label
    disclosure_blocks: dict[Edition, tuple[DisclosureBlock, ...]]
    edition_markers: dict[Edition, tuple[str, ...]]
    application_note: Label
    application_header_labels: tuple[str, ...]
    application_columns: tuple[Column, ...]
    application_groups: tuple[ApplicationGroup, ...]
    application_rows: tuple[ApplicationRow, ...]
    review_header_labels: tuple[str, ...]
    review_groups: tuple[Column, ...]
    review_columns: tuple[Column, ...]
    rules: tuple[Rule, ...]
    tables: dict[str, TableName]  # table key → its names, in the form's order
    blank_marks: frozenset[str]  # printed instead of a value in a blank cell
    _paths_cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    # -------------------------------------------------------------- rows and cells of a table shape
    def application_row_keys(self, shape: TableShape) -> tuple[str, ...]:
        """Table 3 rows that the shape prints, in template order."""
        cached = self._paths_cache.get(("rows", shape))
        if cached is not None:
            return cached  # type: ignore[no-any-return]  # the cache holds what this method stored
        keys = []
        for row in self.application_rows:
            if shape.edition in row.editions or (shape.hybrid and row.key == "other"):
                keys.append(row.key)
        self._paths_cache[("rows", shape)] = tuple(keys)
        return tuple(keys)

    def official_row_keys(self, edition: Edition) -> tuple[str, ...]:
        return tuple(r.key for r in self.application_rows if edition in r.editions)

    def result_row_keys(self, shape: TableShape) -> tuple[str, ...]:
        """The terms of （七）总计 for the shape (hybrid: （六） counted as its printed row)."""
        keys = []
        for row in self.application_rows:
            if not row.result:
                continue
            if shape.hybrid:
                if row.group == "other_handling":
                    continue
                if row.key == "other":
                    keys.append(row.key)
                    continue
            if shape.edition in row.editions:
                keys.append(row.key)
        return tuple(keys)

    def cell_paths(self, shape: TableShape) -> tuple[str, ...]:
        """Every cell of the shape, as dotted paths, in reading order of the official tables.

        A hybrid shape has both the printed ``other`` row and the 2021 ``other_*`` rows."""
        cached = self._paths_cache.get(shape)
        if cached is not None:
            return cached  # type: ignore[no-any-return]  # the cache holds what this method stored
        paths: list[str] = []
        for block in self.disclosure_blocks[shape.edition]:
            for row in block.rows:
                paths.extend(f"active_disclosure.{row.key}.{c.key}" for c in block.columns)
        for key in self.application_row_keys(shape):
            paths.extend(f"applications.{key}.{c.key}" for c in self.application_columns)
        for group in self.review_groups:
            paths.extend(f"review_litigation.{group.key}.{c.key}" for c in self.review_columns)
        result = tuple(paths)
        self._paths_cache[shape] = result
        return result

    @cached_property
    def _cell_kinds(self) -> dict[str, CellKind]:
        kinds: dict[str, CellKind] = {}
        for blocks in self.disclosure_blocks.values():
            for block in blocks:
                for row in block.rows:
                    for column in block.columns:
                        kinds[f"active_disclosure.{row.key}.{column.key}"] = column.kind
        return kinds

    def cell_kind(self, path: str) -> CellKind:
        return self._cell_kinds.get(path, "count")

    # -------------------------------------------------------------- labels for people
    @cached_property
    def _row_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for row in self.application_rows:
            group = next((g for g in self.application_groups if g.key == row.group), None)
            prefix = f"{group.marker}{group.label.text}" if group and group.parent else ""
            labels[f"applications.{row.key}"] = f"{prefix}{row.marker}{row.label.text}"
        for blocks in self.disclosure_blocks.values():
            for block in blocks:
                for drow in block.rows:
                    labels.setdefault(f"active_disclosure.{drow.key}", drow.label.text)
                    for column in block.columns:
                        labels.setdefault(f"active_disclosure.{drow.key}.{column.key}",
                                          column.label.text)
        for review_group in self.review_groups:
            prefix = "" if review_group.key == "review" else "行政诉讼·"
            labels[f"review_litigation.{review_group.key}"] = prefix + review_group.label.text
        return labels

    def row_label(self, row_path: str) -> str:
        """「一、本年新收政府信息公开申请数量」 for ``applications.new_received`` etc."""
        return self._row_labels.get(row_path, row_path)

    def column_label(self, table: str, column: str) -> str:
        if table == "applications":
            columns = self.application_columns
        elif table == "review_litigation":
            columns = self.review_columns
        else:
            return self._row_labels.get(f"active_disclosure.{column}", column)
        return next((c.label.text for c in columns if c.key == column), column)

    def cell_label(self, path: str) -> str:
        """A clerk-readable name of a cell: 表三「(一)予以公开」行「自然人」列."""
        table, row, column = path.split(".")
        number = self.tables[table].zh
        row_text = self.row_label(f"{table}.{row}")
        if table == "active_disclosure":
            column_text = self._row_labels.get(path, column)
        else:
            column_text = self.column_label(table, column)
        return f"{number}「{row_text}」「{column_text}」"

    def rule(self, rule_id: str) -> Rule:
        return _by_id(self.rules, rule_id)

    # -------------------------------------------------------------- notices (not rules of the form)
    @cached_property
    def notices(self) -> tuple[Notice, ...]:
        """What the reading (P-), the inference (F-) and the checks across reports (X-) report
        besides the form's rules, from ``template.yaml``'s ``notices:`` (read on first use)."""
        from importlib import resources

        import yaml

        text = resources.files("gongkai.template").joinpath("template.yaml").read_text("utf-8")
        return tuple(Notice(n["id"], n["stage"], n["severity"], n["zh"], n["en"], cases(n))
                     for n in yaml.safe_load(text)["notices"])

    def notice(self, notice_id: str) -> Notice:
        """The notice ``notice_id`` (P-…, F-…, X-…); KeyError when template.yaml declares none."""
        return _by_id(self.notices, notice_id)

    @cached_property
    def _declared(self) -> dict[str, Rule | Notice]:
        return {**{r.id: r for r in self.rules}, **{n.id: n for n in self.notices}}

    def message(self, finding_id: str, case: str, **values: Any) -> tuple[str, str]:
        """The message (zh, en) of a finding ``finding_id`` (a rule or a notice) in ``case``, its
        ``{placeholders}`` filled in from ``values``; KeyError when template.yaml has no such case."""
        # (the case looked up here, not through Rule.message / Notice.message and Case.format: this
        # module runs interpreted, and every finding of a parse asks for its message)
        found = self._declared[finding_id].messages[case]
        return found.zh.format(**values), found.en.format(**values)

    def severity(self, finding_id: str, case: str) -> str:
        """How grave a finding ``finding_id`` in ``case`` is: the case's own severity, else the id's."""
        declared = self._declared[finding_id]
        return declared.messages[case].severity or declared.severity

    def rule_ids(self) -> frozenset[str]:
        """Every finding id gongkai may report: the form's rules and the notices."""
        return frozenset(r.id for r in self.rules) | frozenset(n.id for n in self.notices)

    # -------------------------------------------------------------- publication deadlines
    @cached_property
    def deadlines(self) -> dict[str, Deadline]:
        """Level (部门/省/市/县) → the legal deadline for publishing last year's report, from
        ``template.yaml``'s ``deadlines:`` (read on first use: parsing never needs it)."""
        from importlib import resources

        import yaml

        text = resources.files("gongkai.template").joinpath("template.yaml").read_text("utf-8")
        spec = yaml.safe_load(text)["deadlines"]
        return {level: Deadline(level, int(d["month"]), int(d["day"]), d["who"], d["who_en"], spec["basis"],
                                spec["basis_en"])
                for level, d in spec["levels"].items()}

    def deadline(self, level: str | None, year: int | None) -> date | None:
        """The last day a unit of ``level`` may publish its report on ``year`` (None: the
        Regulation names no deadline for the level, or level or year is unknown)."""
        found = self.deadlines.get(level or "")
        return found.for_year(year) if found is not None and year is not None else None


_Declared = TypeVar("_Declared", "Rule", "Notice")


def _by_id(declared: Sequence[_Declared], wanted: str) -> _Declared:
    """The rule or notice ``wanted`` among ``declared``; KeyError when none has that id."""
    for item in declared:
        if item.id == wanted:
            return item
    raise KeyError(wanted)
