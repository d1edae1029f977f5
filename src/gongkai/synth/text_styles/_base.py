"""What every text style shares: the template's labels as real documents print them, the random
print style of one report (markers, brackets, spacing, blank tokens), cell values, the three
tables as rows, and the narrative around them (title, sections, page chrome)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from ...extract.labels import normalize  # what a reader compares labels by (template.md §6.1)
from ...template import EDITIONS, TEMPLATE, TableShape
from ..generate import shape_of

NBSP = "\xa0"
# the blank marks (TEMPLATE.blank_marks) a generated report prints, the common ones; in this order,
# so that a corpus is the same from the same seed
_VISIBLE_BLANKS = ("/", "—", "无", "-", "／")


_FULL = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})


_HALF_SPACED = {",": ", ", ":": ":"}  # seed 004: "(区分处理的, 只计这一情形, 不计其他情形)"


_QUOTED = "三安全一稳定"  # the template stores row 7 without its quotes (labels are normalised)


_QUOTES = (("“", "”"), ("“", "”"), ("“", "”"), ('"', '"'), ("", ""))




@dataclass(frozen=True, slots=True)
class _Label:
    key: str  # row or group key
    marker: str  # 一、 / (一) / 1. (as the template writes it)
    text: str  # the normalised label from the template
    truncations: tuple[int, ...]  # prefix lengths that still name exactly one label


@dataclass(frozen=True, slots=True)
class _T3Row:
    key: str
    slots: tuple[_Label | None, _Label | None, _Label | None]  # the three label columns


def _table3_texts() -> list[str]:
    """Every label of table 3 a truncated prefix must not also start (§6.1 step 5)."""
    texts = [r.label.text for r in TEMPLATE.application_rows]
    texts += [g.label.text for g in TEMPLATE.application_groups]
    texts += [c.label.text for c in TEMPLATE.application_columns]
    texts += [*TEMPLATE.application_header_labels, TEMPLATE.application_note.text]
    return [normalize(t) for t in texts]


def _truncations(text: str, others: list[str]) -> tuple[int, ...]:
    norm = normalize(text)
    if len(norm) < 12 or _QUOTED in norm:
        return ()
    return tuple(n for n in range(6, len(norm) - 2)
                 if sum(o.startswith(norm[:n]) for o in others) == 1)


@cache
def _table3_rows(shape: TableShape) -> tuple[_T3Row, ...]:
    """The printed rows of table 3 with their label slots, as the official grid merges them."""
    others = _table3_texts()
    groups = {g.key: g for g in TEMPLATE.application_groups}

    def label(key: str, marker: str, text: str) -> _Label:
        return _Label(key, marker, text, _truncations(text, others))

    results = groups["results"]
    top = label(results.key, results.marker, results.label.text)
    rows: list[_T3Row] = []
    seen_groups: set[str] = set()
    first_result = True
    for row in TEMPLATE.application_rows:
        if row.key not in TEMPLATE.application_row_keys(shape):
            continue
        if shape.hybrid and row.group == "other_handling":
            continue  # the hybrid prints （六） as one row instead
        own = label(row.key, row.marker, row.label.text)
        if row.group is None:
            rows.append(_T3Row(row.key, (own, None, None)))
            continue
        l1 = top if first_result else None
        first_result = False
        if row.group == "results":
            rows.append(_T3Row(row.key, (l1, own, None)))
            continue
        group = groups[row.group]
        l2 = None
        if group.key not in seen_groups:
            seen_groups.add(group.key)
            l2 = label(group.key, group.marker, group.label.text)
        rows.append(_T3Row(row.key, (l1, l2, own)))
    return tuple(rows)


@dataclass(slots=True)
class _Style:
    """Choices one document makes once and keeps (a converter or a clerk is consistent)."""

    full_brackets: bool
    bracket_space: bool
    full_punct: bool
    item_marker: str  # "." "、" ". " "．"
    quotes: tuple[str, str]
    spaced: float  # chance a group label is letter-spaced / split
    truncate: float  # chance a long label is truncated
    blank: str  # token for a blank cell ('' = empty cell)
    plus: bool  # positive 本年增/减 printed with +
    yuan: str  # procurement amount unit: "元" | "万元" | ""
    nbsp: bool
    fee_decimals: bool  # 0 printed as 0.00


def _style(rng: random.Random) -> _Style:
    full = rng.random() < 0.5
    return _Style(
        full_brackets=full or rng.random() < 0.2,
        bracket_space=not full and rng.random() < 0.4,
        full_punct=full,
        item_marker=rng.choices((".", "、", ". ", "．"), weights=(6, 2, 2, 1))[0],
        quotes=rng.choice(_QUOTES),
        spaced=rng.choice((0, 0, 0.3, 0.8)),
        truncate=rng.choice((0, 0, 0.3, 0.7)),
        blank=rng.choice(("", "", "/", "—", "无")),
        plus=rng.random() < 0.3,
        yuan=rng.choice(("元", "万元", "")),
        nbsp=rng.random() < 0.2,
        fee_decimals=rng.random() < 0.3,
    )


def _marker(marker: str, st: _Style) -> str:
    if marker.startswith("("):
        inner = marker[1:-1]
        out = f"（{inner}）" if st.full_brackets else f"({inner})"
        return out + (" " if st.bracket_space else "")
    if marker[:-1].isdigit():
        return marker[:-1] + st.item_marker
    return marker


def _text(text: str, st: _Style) -> str:
    if _QUOTED in text:
        text = text.replace(_QUOTED, st.quotes[0] + _QUOTED + st.quotes[1])
    if st.full_punct:
        return text.translate(_FULL)
    if st.bracket_space:  # seed 004 spells the half-width parenthesis with spaces
        text = text.replace("(", " (").replace(",", ", ")
    elif st.full_brackets:
        text = text.replace("(", "（").replace(")", "）")
    return text


def _space_out(text: str, rng: random.Random) -> str:
    """Letter-spacing (本 年 度 办 理 结 果) or a line-wrap split before the end (不予公 开)."""
    if len(text) < 3:
        return text
    if rng.random() < 0.5:
        return " ".join(text)
    cut = rng.randrange(1, len(text))
    return text[:cut] + " " + text[cut:]


def _show(lab: _Label | None, st: _Style, rng: random.Random) -> str:
    """A label as one document prints it."""
    if lab is None:
        return ""
    text = lab.text
    if lab.truncations and rng.random() < st.truncate:
        text = text[: rng.choice(lab.truncations)]
    text = _text(text, st)
    if st.spaced and rng.random() < st.spaced:
        group_like = lab.marker.endswith("、") or lab.marker.startswith("(")
        if group_like and len(text) <= 8:
            text = _space_out(text, rng)
        elif len(text) > 12 and rng.random() < 0.4:  # an embedded space from a line wrap
            cut = rng.randrange(4, len(text) - 3)
            text = text[:cut] + " " + text[cut:]
    return _marker(lab.marker, st) + text


def _plain(text: str, st: _Style) -> str:
    return _text(text, st)


@cache
def _locate(path: str) -> tuple[str, str, str | int]:
    """(table, row, column key or list index) of a cell path, computed once per path."""
    table, row, column = path.split(".")
    if table == "active_disclosure":
        return table, row, column
    columns = TEMPLATE.application_columns if table == "applications" else TEMPLATE.review_columns
    return table, row, next(i for i, c in enumerate(columns) if c.key == column)


def nested_value(data: dict, path: str) -> Any:
    """The value at a cell path of a nested truth dict (None where absent); a faster
    ``gongkai.report.nested_value`` for the 10^5-report benchmarks."""
    table, row, column = _locate(path)
    values = (data.get(table) or {}).get(row)
    if values is None:
        return None
    if isinstance(column, str):
        return values.get(column)
    return values[column] if column < len(values) else None


def _decimal(value: float | int) -> str:
    """A number as a person writes it: no exponent, no trailing zeros."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_NON_COUNT = frozenset(p for edition in EDITIONS for p in TEMPLATE.cell_paths(TableShape(edition))
                       if TEMPLATE.cell_kind(p) != "count")


def _value(path: str, value: Any, st: _Style) -> str:
    """The printed form of a cell value (None → '', the caller picks the blank token)."""
    if value is None:
        return ""
    if path not in _NON_COUNT:  # the common case, kept cheap for bulk rendering
        return str(value)
    kind = TEMPLATE.cell_kind(path)
    if kind == "signed":
        if value > 0 and st.plus:
            return f"+{value}"
        return str(value)
    if kind == "amount":
        if path.startswith("active_disclosure.procurement") and value:
            if st.yuan == "元":
                yuan = Decimal(repr(float(value))) * 10000
                if yuan == yuan.quantize(Decimal("0.01")):
                    return _decimal(float(yuan)) + "元"  # seed 002: 1596496.16元
            return _decimal(value) + st.yuan
        if not value and st.fee_decimals:
            return "0.00"
        return _decimal(value)
    return str(value)


@dataclass(slots=True)
class _Row:
    kind: str  # "caption" | "header" | "data"
    labels: list[str]  # label slots of the grid ('' where a merged cell covers it)
    values: list[Any] = field(default_factory=list)  # raw values of the value cells
    paths: list[str] = field(default_factory=list)  # their cell paths
    key: str = ""  # table-3 row key (for ambiguity notes)


@dataclass(slots=True)
class _Table:
    name: str
    label_slots: int
    value_slots: int
    rows: list[_Row]


def _table2(truth: dict, shape: TableShape, st: _Style, rng: random.Random) -> _Table:
    rows: list[_Row] = []
    header = _plain(TEMPLATE.disclosure_header.text, st)
    for block in TEMPLATE.disclosure_blocks[shape.edition]:
        caption = _plain(block.caption.text, st)
        if rng.random() < 0.1:  # 长春 2023: "第二十条  第(一)项"
            caption = caption.replace("条第", "条  第", 1)
        rows.append(_Row("caption", [caption]))
        names = []
        for col in block.columns:
            name = col.label.text
            if col.label.variants and rng.random() < 0.15:
                name = rng.choice(col.label.variants)
            elif name.startswith("本年新") and rng.random() < 0.3:
                name = "本年新 " + name[3:]  # seed 002: a line break inside the header cell
            names.append(_plain(name, st))
        rows.append(_Row("header", [header, *names]))
        for row in block.rows:
            name = row.label.text
            if row.key == "normative_documents" and rng.random() < 0.15:
                name = rng.choice(row.label.all)
            paths = [f"active_disclosure.{row.key}.{c.key}" for c in block.columns]
            rows.append(_Row("data", [name], [nested_value(truth, p) for p in paths], paths))
    return _Table("table2", 1, 3, rows)


def _note(st: _Style, rng: random.Random) -> str:
    note = TEMPLATE.application_note.text
    variant = rng.randrange(4)
    if variant == 0 or st.full_punct:
        note = note.translate(_FULL)
    elif variant == 1:  # seed 004: half-width brackets, full-width colon and commas
        note = note.replace(":", "：").replace(",", "，")
    if rng.random() < 0.3:
        note = note.replace("之和，", "之和， ").replace("之和,", "之和, ")
    return note


def _table3(truth: dict, shape: TableShape, st: _Style, rng: random.Random) -> _Table:
    cols = TEMPLATE.application_columns
    names = []
    for c in cols:
        name = c.label.text
        if c.label.variants and rng.random() < 0.2:
            name = rng.choice(c.label.variants)
        names.append(name)
    applicants, org = TEMPLATE.application_header_labels
    total_first = rng.random() < 0.4  # seeds 001/004 put 总计 at the end of header row 1
    h1 = [_note(st, rng), "", "", applicants, "", "", "", "", "", names[-1] if total_first else ""]
    h2 = ["", "", "", names[0], org, "", "", "", "", "" if total_first else names[-1]]
    h3 = ["", "", "", "", *names[1:-1], ""]
    rows = [_Row("header", h1), _Row("header", h2), _Row("header", h3)]
    for t3 in _table3_rows(shape):
        paths = [f"applications.{t3.key}.{c.key}" for c in cols]
        labels = [_show(s, st, rng) for s in t3.slots]
        values = truth["applications"].get(t3.key) or [None] * len(paths)
        rows.append(_Row("data", labels, list(values), paths, t3.key))
    return _Table("table3", 3, 7, rows)


def _table4(truth: dict, st: _Style, rng: random.Random) -> _Table:
    review, litigation = TEMPLATE.review_header_labels
    groups = [g.label.text for g in TEMPLATE.review_groups]
    cols = [c.label.text for c in TEMPLATE.review_columns]
    h1 = [review, "", "", "", "", litigation] + [""] * 9
    h2 = [*cols, groups[1], "", "", "", "", groups[2], "", "", "", ""]
    h3 = [""] * 5 + cols + cols
    paths = [f"review_litigation.{g.key}.{c.key}" for g in TEMPLATE.review_groups
             for c in TEMPLATE.review_columns]
    values = [v for g in TEMPLATE.review_groups
              for v in (truth["review_litigation"].get(g.key) or [None] * len(cols))]
    data = _Row("data", [], values, paths, "review_litigation")
    return _Table("table4", 0, 15, [_Row("header", h1), _Row("header", h2), _Row("header", h3), data])


_OVERVIEW = (
    "{year}年，{short}认真贯彻落实《中华人民共和国政府信息公开条例》和上级部门有关文件要求，"
    "全年主动公开政府信息{a}条，其中政策文件{b}件，政策解读{c}篇。",
    "（一）主动公开。通过门户网站、政务新媒体和公开栏等渠道公开各类信息{a}条，更新办事指南{b}项。",
    "（二）依申请公开。规范依申请公开办理流程，{applications}",
    "（三）政府信息管理。开展政府信息公开保密审查{a}次，清理历史信息{b}条，动态调整主动公开基本目录{c}项。",
    "（四）政府信息公开平台建设。全年网站发布信息{a}条，政务新媒体发布信息{b}条，"
    "12345热线共受理群众投诉、咨询求助{c}件，群众满意率{d}%。",
    "（五）监督保障。召开政务公开专题会议{a}次，组织业务培训{b}场，培训人员{c}人次。",
    "一是推进重点领域信息公开，发布财政预决算、“三公”经费等信息{a}条；"
    "二是加强政策解读，制作图解{b}件；三是回应社会关切，回复网民留言{c}条。",
    "{year}年{m}月，召开新闻发布会{a}场，邀请{b}名代表参与，累计解答问题{c}个。",
)


_PROBLEMS = (
    "一是信息公开渠道单一，主要以张贴公示为主；二是工作人员业务水平有待提升。",
    "{next}年，我们将加强业务培训，全年计划开展培训{a}次，进一步提高信息发布的数量、质量和时效。",
    "（一）主要问题：公开内容有待进一步扩展，更新不够及时。（二）改进情况：建立常态化培训机制，"
    "完善{a}项工作制度。",
    "个别公开的内容重点不十分突出，今后将着力提升信息公开时效性，确保{next}年度完成{a}项整改任务。",
)


_OTHER = (
    "无。",
    "本年度未收取信息处理费。",
    "依据《政府信息公开信息处理费管理办法》，本机关{year}年度收取信息处理费0元。",
    "认真办理人大代表建议{a}件、政协提案{b}件，办结率达100%。",
    "本年度未制发规范性文件和规章。",
)


_NOTICE = {"2021": "国办公开办函〔2021〕30号", "2019": "国办公开办函〔2019〕60号"}


def _fill(template: str, rng: random.Random, **known: Any) -> str:
    numbers = {k: rng.randint(1, 400) for k in "abc"}
    numbers.update(d=rng.randint(85, 100), m=rng.randint(1, 12))
    return template.format(**numbers, **known)


def _applications_sentence(truth: dict) -> str:
    received = nested_value(truth, "applications.new_received.total")
    if received == 0:
        return "全年未收到政府信息公开申请。"
    if received is None:
        return "及时答复申请人。"
    return f"全年共受理政府信息公开申请{received}件，均在法定期限内答复。"


def _short(agency: str) -> str:
    return agency.removesuffix("人民政府") or agency


def _heading(number: str, rng: random.Random, style: str) -> str:
    section = next(s for s in TEMPLATE.sections if s.number == number)
    text = section.label.text
    if section.label.variants and rng.random() < 0.3:
        text = rng.choice(section.label.variants)
    line = f"{number}、{text}"
    if style == "md":
        return "#" * rng.choice((2, 3, 3, 4)) + " " + line
    if style == "indent":
        return rng.choice(("  ", "\u3000\u3000")) + line
    if style == "bold":
        return f"**{line}**"
    return line


def _title(truth: dict, rng: random.Random, markdown: bool) -> list[str]:
    agency, year = truth["agency"], truth["year"]
    y = rng.choice((f"{year}年度", f"{year} 年度", f"{year}年"))
    work = rng.choice(("政府信息公开工作年度报告", "政府信息公开工作年度报告", "信息公开工作年度报告"))
    variant = rng.randrange(5)
    if variant == 0:  # seed 000 / 001: the agency alone, then a title without it
        lines = [agency, f"{y}{work}"]
        if markdown:
            lines = [f"# {lines[0]}", f"## {lines[1]}"]
        return lines
    if variant == 1:  # seed 002: the title split over two lines
        return [f"{agency}{y}政府信息公开工作", "年度报告"]
    if variant == 2:  # 螅镇 2022: the year first
        return [f"{y}{_short(agency)}政府信息公开工作年度报告"]
    if variant == 3:  # seed 004: a space inside
        return [f"{agency}{y} {work}"]
    return [f"{agency}{y}{work}"]


def _preamble(truth: dict, rng: random.Random) -> str:
    year = truth["year"]
    notice = _NOTICE[truth["template"]] if rng.random() < 0.85 else rng.choice(list(_NOTICE.values()))
    return (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《{notice}》要求编制。"
            f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议"
            f"和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自"
            f"{year}年1月1日起至{year}年12月31日止。")


_WEEKDAYS = "一二三四五六日"


def _chrome_before(truth: dict, rng: random.Random) -> list[str]:
    site = f"{_short(truth['agency'])[:2]}市人民政府门户网站"
    today = rng.randint(2015, truth["year"] + 3)
    published = f"{truth['year'] + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    return [f"• {site}", f"  • {NBSP}{NBSP}", "    • 搜索",
            f"今天是{today}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日 星期{rng.choice(_WEEKDAYS)}"
            f"欢迎进入{truth['agency']}!",
            f"您当前的位置:首页{NBSP}>{NBSP}{truth['agency']}{NBSP}>{NBSP}政府信息公开{NBSP}>{NBSP}年度报告",
            "", f"发布日期:{published} {rng.randint(8, 20)}:{rng.randint(0, 59):02d}",
            rng.choice(("来源:本网", "来源:办公室", "信息来源：本站")), "打印", "【字体:", ""]


def _chrome_after(truth: dict, rng: random.Random) -> list[str]:
    code = rng.randint(10**9, 10**10 - 1)
    return ["", "相关附件:", "", NBSP, "联系我们 网站帮助 网站地图 服务申明",
            f"{NBSP}版权所有:{_short(truth['agency'])[:2]}市人民政府 · ·主办:{_short(truth['agency'])[:2]}"
            f"市人民政府办公室{NBSP}",
            f"备案编号:{NBSP}粤ICP备{rng.randint(10**7, 10**8 - 1):08d}号{NBSP} 网站标识码:{code}{NBSP} "
            f"粤公网安备;{NBSP}{rng.randint(10**13, 10**14 - 1)}",
            "政府网公众号"]


@dataclass(slots=True)
class _Doc:
    """The parts of one report text that every text style shares."""

    truth: dict
    shape: TableShape
    st: _Style
    rng: random.Random
    t2: _Table
    t3: _Table
    t4: _Table
    ambiguous: set[str] = field(default_factory=set)


def _doc(truth: dict, rng: random.Random) -> _Doc:
    shape = shape_of(truth)
    st = _style(rng)
    return _Doc(truth, shape, st, rng, _table2(truth, shape, st, rng),
                _table3(truth, shape, st, rng), _table4(truth, st, rng))


def _assemble(doc: _Doc, tables: tuple[str, str, str], *, markdown: bool = False,
              blank_lines: bool | None = None, chrome: bool | None = None) -> str:
    """Title, sections 一…六 with narrative and the three rendered tables, optional web chrome."""
    rng, truth = doc.rng, doc.truth
    sep = "\n\n" if (blank_lines if blank_lines is not None else rng.random() < 0.6) else "\n"
    chrome = chrome if chrome is not None else rng.random() < 0.2
    heading_style = "md" if markdown and rng.random() < 0.6 else rng.choice(
        ("plain", "plain", "indent", "bold"))
    year, short = truth["year"], _short(truth["agency"])
    known = {"year": year, "next": year + 1, "short": short,
             "applications": _applications_sentence(truth)}
    parts: list[str] = []
    if chrome:
        parts.append("\n".join(_chrome_before(truth, rng)))
    parts.append(sep.join(_title(truth, rng, markdown)))
    if rng.random() < 0.4:
        parts.append(_preamble(truth, rng))
    drop_34 = markdown and rng.random() < 0.1  # seed 000 lost the 三 and 四 headings
    parts.append(_heading("一", rng, heading_style))
    for template in rng.sample(_OVERVIEW, rng.randint(1, 4)):
        parts.append(_fill(template, rng, **known))
    for number, table in zip(("二", "三", "四"), tables, strict=True):
        if not (drop_34 and number in "三四"):
            parts.append(_heading(number, rng, heading_style))
        parts.append(table)
    parts.append(_heading("五", rng, heading_style))
    for template in rng.sample(_PROBLEMS, rng.randint(1, 2)):
        parts.append(_fill(template, rng, **known))
    parts.append(_heading("六", rng, heading_style))
    parts.append(_fill(rng.choice(_OTHER), rng, **known))
    if rng.random() < 0.3:  # signature and date
        parts.append(f"{truth['agency']}\n{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日")
    if chrome:
        parts.append("\n".join(_chrome_after(truth, rng)))
    return sep.join(parts) + "\n"


def _cell(doc: _Doc, path: str, value: Any, blank: str, *, nbsp: bool = False) -> str:
    text = _value(path, value, doc.st) if value is not None else blank
    if nbsp and text:
        return _nbsp(doc.rng, text)
    return text


def _nbsp(rng: random.Random, text: str) -> str:
    """Seed 002: a value with an NBSP on one side (``0\\xa0`` or ``\\xa00``)."""
    return text + NBSP if rng.random() < 0.6 else NBSP + text


def _visible(doc: _Doc) -> str:
    """A blank token that a text style without cell boundaries can still show."""
    return doc.st.blank or doc.rng.choice(_VISIBLE_BLANKS)
