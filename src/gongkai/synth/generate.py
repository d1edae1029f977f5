"""Random, valid annual reports as truth dicts (the shape of ``corpus/seeds/*.truth.json``).

Consistent by construction: table 3 is built from the balance outwards (received + carried over
= handled + carried forward, handled split over the outcome rows), table 4 from its parts, and
every total is computed, never drawn. Breaking a rule (``inconsistent=True``) and leaving cells
blank (``blanks=...``) are applied afterwards, so the clean report is always the starting point.

Every label, row and column comes from :data:`gongkai.template.TEMPLATE`; the only data written
here are magnitudes (how big a township's numbers are) and weights (how often an outcome occurs).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from fractions import Fraction
from functools import cache
from typing import Any, Literal

from ..report import SCHEMA, nested_value
from ..template import TEMPLATE, Edition, Equation, TableShape, equations
from ..template.editions import edition_argument

__all__ = [
    "BLANK_MODES",
    "BREAKABLE_RULES",
    "PROFILES",
    "broken_rule",
    "check_equations",
    "implied_cells",
    "random_report",
    "shape_of",
    "truth_cells",
]

Profile = Literal["township", "county", "city", "department"]
PROFILES: tuple[Profile, ...] = ("township", "county", "city", "department")
# how often each kind of agency appears when no profile is asked for (townships dominate corpora)
_PROFILE_WEIGHTS = (0.5, 0.2, 0.1, 0.2)

BLANK_MODES = ("scatter", "zeros", "rows", "total_column", "table4")
BREAKABLE_RULES = ("T3-BALANCE", "T3-ROWSUM", "T3-TOTAL", "T4-GROUPSUM")
_INCONSISTENT_NOTE = "inconsistent: "

_APPLICANTS = tuple(c.key for c in TEMPLATE.application_columns if c.key != "total")
_COLS = (*_APPLICANTS, "total")
_RL_PARTS = tuple(c.key for c in TEMPLATE.review_columns if c.key != "total")
_RL_COLS = (*_RL_PARTS, "total")
_GROUPS = tuple(g.key for g in TEMPLATE.review_groups)
_RESULTS_2021 = TEMPLATE.result_row_keys(TableShape("2021"))
# the 2021 rows that the 2019 edition prints as the single row ``other``
_OTHER_SUB_ROWS = tuple(r for r in _RESULTS_2021 if r not in TEMPLATE.result_row_keys(TableShape("2019")))


@cache
def _row_keys(shape: TableShape) -> tuple[str, ...]:
    return TEMPLATE.application_row_keys(shape)

# Relative frequency of each applicant type (natural persons file most applications).
_APPLICANT_WEIGHTS = {"natural_person": 0.86, "commercial": 0.08, "research": 0.005,
                      "social_welfare": 0.01, "legal_service": 0.03, "other_org": 0.015}
# Relative frequency of each outcome of table 3; unknown keys (a future row) get _DEFAULT_WEIGHT.
_RESULT_WEIGHTS = {
    "granted": 0.36, "partly_granted": 0.07, "denied_state_secret": 0.002,
    "denied_prohibited_by_law": 0.01, "denied_security_stability": 0.004,
    "denied_third_party": 0.02, "denied_internal_affairs": 0.012, "denied_process_info": 0.02,
    "denied_enforcement_file": 0.01, "denied_inquiry": 0.03, "unable_not_held": 0.24,
    "unable_needs_creation": 0.05, "unable_unclear": 0.03, "unprocessed_complaint": 0.04,
    "unprocessed_repeated": 0.03, "unprocessed_publication": 0.006, "unprocessed_excessive": 0.01,
    "unprocessed_confirmation": 0.01, "other_no_correction": 0.03, "other_unpaid_fee": 0.002,
    "other_other": 0.04,
}
_DEFAULT_WEIGHT = 0.01
_RL_WEIGHTS = {"maintained": 0.6, "corrected": 0.1, "other": 0.2, "pending": 0.1}

# Place-name characters for invented agencies: no numerals, nothing that reads as 年/度/报告.
_PLACE_CHARS = ("江河山水平安宁东西南北阳城湖溪石桥林泉清云龙凤华丰兴新永和长白青黄金玉兰松竹梅桂花坪塘"
                "岭峰沙浦口湾田庄坝台洲港源川泽湘浈涧池岗铺集营寨屯堡桑柳杨枫槐榆荷莲蓉溧汉淮")
_DEPARTMENTS = ("自然资源局", "市场监督管理局", "公安局", "生态环境局", "交通运输局", "教育局",
                "卫生健康委员会", "民政局", "财政局", "住房和城乡建设局", "人力资源和社会保障局", "信访局",
                "统计局", "文化广电旅游体育局", "农业农村局", "水利局", "应急管理局", "司法局",
                "城市管理综合执法局", "行政审批服务局")


# ---------------------------------------------------------------------------------- helpers
def _lognum(rng: random.Random, lo: float, hi: float) -> int:
    """An integer spread evenly on a log scale over [lo, hi] (counts span orders of magnitude)."""
    return int(math.exp(rng.uniform(math.log(lo + 1), math.log(hi + 1)))) - 1


def _split(n: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """Split n into len(weights) non-negative parts, in expectation proportional to weights."""
    k = len(weights)
    parts = [0] * k
    if n <= 0 or not any(weights):
        if n > 0:  # nowhere to go: keep the sum right anyway
            parts[0] = n
        return parts
    if n <= 40:  # exact multinomial for small counts; cheap at this size
        for i in rng.choices(range(k), weights=weights, k=n):
            parts[i] += 1
        return parts
    jittered = [w * rng.uniform(0.6, 1.4) for w in weights]
    total = sum(jittered)
    parts = [int(n * w / total) for w in jittered]
    rest = n - sum(parts)
    for i in rng.choices(range(k), weights=jittered, k=rest) if rest else ():
        parts[i] += 1
    return parts


def _fraction_of(n: int, rng: random.Random, hi: float) -> int:
    """A random part of n, at most hi·n (carried-over / carried-forward applications)."""
    if n <= 0:
        return 0
    share = rng.uniform(0, hi)
    whole = n * share
    return min(n, int(whole) + (1 if rng.random() < whole - int(whole) else 0))


def _amount(rng: random.Random, hi: float, *, zero_p: float) -> float:
    """A money amount in 万元: mostly two decimals, sometimes one or four, sometimes whole."""
    if rng.random() < zero_p:
        return 0
    places = rng.choices((0, 1, 2, 4), weights=(1, 2, 6, 1))[0]
    value = round(math.exp(rng.uniform(math.log(0.05), math.log(hi))), places)
    return int(value) if places == 0 else value


# ---------------------------------------------------------------------------------- metadata
def _place(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(_PLACE_CHARS) for _ in range(n))


def _agency(rng: random.Random, profile: Profile) -> str:
    if profile == "township":
        kind = rng.choices(("镇人民政府", "乡人民政府", "街道办事处", "镇"), weights=(6, 2, 1.5, 1))[0]
        prefix = _place(rng, 1) + rng.choice(("县", "区", "市")) if rng.random() < 0.3 else ""
        return f"{prefix}{_place(rng)}{kind}"
    if profile == "county":
        return f"{_place(rng)}{rng.choice(('县', '区', '市'))}人民政府"
    if profile == "city":
        return f"{_place(rng)}市人民政府"
    level = rng.choice(("市", "县", "区", "市", "省"))
    return f"{_place(rng)}{level}{rng.choice(_DEPARTMENTS)}"


def _year(rng: random.Random, edition: Edition) -> int:
    if edition == "2021":
        return rng.choices((2021, 2022, 2023, 2024, 2025), weights=(2, 3, 4, 4, 1))[0]
    # 2019 tables: reports on 2019/2020, and late users of the old tables (seeds 002, 003)
    if rng.random() < 0.85:
        return rng.choice((2019, 2020))
    return rng.choice((2021, 2022, 2023, 2024))


# ---------------------------------------------------------------------------------- table 2
# (low, high, probability of 0) per profile for the decision counts of table 2
_DECISIONS = {
    "licensing": {"township": (0, 2000, 0.3), "county": (50, 60000, 0.02),
                  "city": (5000, 500000, 0), "department": (0, 100000, 0.1)},
    "punishment": {"township": (0, 200, 0.4), "county": (10, 20000, 0.02),
                   "city": (1000, 4000000, 0), "department": (0, 4000000, 0.15)},
    "enforcement": {"township": (0, 60, 0.6), "county": (0, 3000, 0.1),
                    "city": (0, 30000, 0.05), "department": (0, 20000, 0.3)},
    "other_services": {"township": (0, 500, 0.5), "county": (0, 20000, 0.2),
                       "city": (0, 100000, 0.1), "department": (0, 50000, 0.3)},
}
_DOCS = {"township": 6, "county": 40, "city": 80, "department": 25}  # normative documents a year
_FEES = {"township": (30, 0.75), "county": (5000, 0.3), "city": (100000, 0.05), "department": (30000, 0.3)}


def _decisions(rng: random.Random, row: str, profile: Profile) -> int:
    lo, hi, zero_p = _DECISIONS[row][profile]
    return 0 if rng.random() < zero_p else _lognum(rng, lo, hi)


def _documents(rng: random.Random, row: str, profile: Profile) -> tuple[int, int, int]:
    """(made this year, repealed/extra, stock) for 规章 or 规范性文件."""
    if row == "rules" and profile != "city":
        return 0, 0, 0  # only provincial and city governments make 规章
    top = 10 if row == "rules" else _DOCS[profile]
    made = 0 if rng.random() < 0.3 else _lognum(rng, 0, top)
    other = 0 if rng.random() < 0.6 else _lognum(rng, 0, max(1, top // 2))
    stock = made + (0 if rng.random() < 0.2 else _lognum(rng, 0, top * 8))
    return made, other, stock


def _disclosure(rng: random.Random, edition: Edition, profile: Profile) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    additive = profile == "township" and rng.random() < 0.25  # seed 003 filled 上一年+增减=决定
    for block in TEMPLATE.disclosure_blocks[edition]:
        columns = [c.key for c in block.columns]
        for row in block.rows:
            cells: dict[str, Any] = {}
            key = row.key
            if edition == "2021":
                if "issued" in columns:
                    made, repealed, stock = _documents(rng, key, profile)
                    cells = {"issued": made, "repealed": repealed, "in_force": stock}
                elif "decisions" in columns:
                    cells = {"decisions": _decisions(rng, key, profile)}
                else:
                    hi, zero_p = _FEES[profile]
                    cells = {c: _amount(rng, hi, zero_p=zero_p) for c in columns}
            elif "new_made" in columns:
                made, extra, stock = _documents(rng, key, profile)
                published = max(0, made - (extra if rng.random() < 0.3 else 0))
                cells = {"new_made": made, "new_published": published,
                         "total_published": max(stock, published)}
            elif "prev_items" in columns:
                prev = 0 if rng.random() < 0.3 else _lognum(rng, 0, 60 if profile == "township" else 900)
                change = rng.choice((0, 0, _lognum(rng, 0, 40), -_lognum(rng, 0, min(prev, 30))))
                cells = {"prev_items": prev, "change": change}
                if "decisions" in columns:
                    source = key if key in _DECISIONS else "licensing"
                    cells["decisions"] = (max(0, prev + change) if additive
                                          else _decisions(rng, source, profile))
            else:  # 政府集中采购: items and an amount, stored in 万元
                items = 0 if rng.random() < 0.25 else _lognum(rng, 0, 600)
                amount = 0 if items == 0 else _amount(rng, _FEES[profile][0] * 3, zero_p=0)
                if items and rng.random() < 0.4:  # exact 元 with fen, as seed 002 prints
                    amount = round(rng.randrange(100, 10**9) / 10**6, 6)
                cells = {"items": items, "amount_wan_yuan": amount}
            out[key] = {c: cells[c] for c in columns}
    return out


# ---------------------------------------------------------------------------------- table 3 / 4
_RECEIVED = {"township": (1, 12, 0.55), "county": (5, 600, 0.03), "city": (50, 5000, 0),
             "department": (1, 100000, 0.1)}
_CASES = {"township": (1, 3, 0.9), "county": (1, 20, 0.5), "city": (1, 400, 0.1),
          "department": (1, 300, 0.4)}


def _applications(rng: random.Random, shape: TableShape,
                  profile: Profile) -> dict[str, list[int | None]]:
    lo, hi, zero_p = _RECEIVED[profile]
    received = 0 if rng.random() < zero_p else _lognum(rng, lo, hi)
    weights = [_APPLICANT_WEIGHTS[c] * rng.uniform(0.2, 1.8) for c in _APPLICANTS]
    new = _split(received, weights, rng)
    carry_share = 0 if rng.random() < 0.5 else 0.12
    carried = [_fraction_of(n, rng, carry_share) for n in new]
    forward = [_fraction_of(n + c, rng, carry_share) for n, c in zip(new, carried, strict=True)]
    handled = [n + c - f for n, c, f in zip(new, carried, forward, strict=True)]

    # outcomes are drawn on the 2021 rows; the 2019 and hybrid （六） row is their sum
    results = _RESULTS_2021
    row_weights = [0.0 if rng.random() < 0.35 else _RESULT_WEIGHTS.get(r, _DEFAULT_WEIGHT)
                   * rng.uniform(0.3, 2.0) for r in results]
    if not any(row_weights):
        row_weights[0] = 1.0
    grid = {r: [0] * len(_APPLICANTS) for r in results}
    for j, n in enumerate(handled):
        for r, part in zip(results, _split(n, row_weights, rng), strict=True):
            grid[r][j] = part
    sub_rows = _OTHER_SUB_ROWS
    grid["other"] = [sum(grid[r][j] for r in sub_rows) for j in range(len(_APPLICANTS))]
    grid.update(new_received=new, carried_over=carried, carried_forward=forward,
                total=handled)
    out: dict[str, list[int | None]] = {}
    for key in _row_keys(shape):
        if shape.hybrid and key in sub_rows:
            out[key] = [None] * len(_COLS)  # not printed: the hybrid prints only （六）
        else:
            row = grid[key]
            out[key] = [*row, sum(row)]
    return out


def _review(rng: random.Random, profile: Profile) -> dict[str, list[int]]:
    lo, hi, zero_p = _CASES[profile]
    weights = [_RL_WEIGHTS[p] for p in _RL_PARTS]
    out = {}
    for group in _GROUPS:
        n = 0 if rng.random() < zero_p else _lognum(rng, lo, hi)
        parts = _split(n, weights, rng)
        out[group] = [*parts, sum(parts)]
    return out


# ---------------------------------------------------------------------------------- flat views
def shape_of(truth: dict) -> TableShape:
    """The table shapes of a truth dict: a 2021 report that prints （六） as one row is hybrid."""
    edition = truth["template"]
    return TableShape(edition, edition == "2021" and "other" in truth.get("applications", {}))


def truth_cells(truth: dict) -> dict[str, Any]:
    """Every cell path of the report's table shape → its truth value (None where blank)."""
    return {p: nested_value(truth, p) for p in TEMPLATE.cell_paths(shape_of(truth))}


def implied_cells(truth: dict) -> dict[str, Any]:
    """Cell path → the value the arithmetic forces, for the blank cells the truth lists in ``implied``."""
    implied = truth.get("implied")
    if not implied:
        return {}
    out = {}
    for path in TEMPLATE.cell_paths(shape_of(truth)):
        value = nested_value(implied, path)
        if value is not None:
            out[path] = value
    return out


def check_equations(cells: dict[str, Any], shape: TableShape) -> list[Equation]:
    """The equations that fail among those whose cells all have values."""
    failed = []
    for eq in equations(shape):
        values = [cells.get(p) for p in eq.paths]
        if any(v is None for v in values):
            continue
        if sum(cells[p] for p in eq.left) != sum(cells[p] for p in eq.right):
            failed.append(eq)
    return failed


def broken_rule(truth: dict) -> str | None:
    """The rule id an ``inconsistent=True`` report breaks (recorded in its notes)."""
    for note in truth.get("notes", ()):
        if note.startswith(_INCONSISTENT_NOTE):
            return note[len(_INCONSISTENT_NOTE):].split()[0]
    return None


# ---------------------------------------------------------------------------------- inconsistency
def _break(rng: random.Random, cells: dict[str, Any], shape: TableShape, rule: str) -> list[str]:
    """Change cells so that exactly ``rule`` fails (one or two of its instances); return them.

    Each change is paired with a compensating one where a single edit would break a second rule
    too (a changed 总计 column cell would also break T3-TOTAL): real reports break several rules at
    once, but a test of the checker needs to know which one to expect.
    """
    d = rng.randint(1, 9)
    if rule == "T4-GROUPSUM":
        path = f"review_litigation.{rng.choice(_GROUPS)}.total"
        # hongze-2023 prints 总计 0 over non-zero parts; otherwise a plain slip
        cells[path] = 0 if cells[path] and rng.random() < 0.3 else cells[path] + d
        return [path]
    if rule == "T3-BALANCE":
        col = rng.choice(_APPLICANTS)
        changed = [f"applications.carried_forward.{col}", "applications.carried_forward.total"]
        for p in changed:
            cells[p] += d
        return changed
    if rule == "T3-TOTAL":
        col = rng.choice(_APPLICANTS)
        # move d applications from 四 into (七) in one column: 一+二 and both row sums still hold
        take = min(d, cells[f"applications.carried_forward.{col}"])
        sign = 1 if take else -1
        if not take:  # nothing carried forward: move them the other way if (七) has them
            take = min(d, cells[f"applications.total.{col}"])
            if not take:  # all zero: then add to (七) and 一 together (T3-BALANCE holds)
                changed = [f"applications.total.{col}", "applications.total.total",
                           f"applications.new_received.{col}", "applications.new_received.total"]
                for p in changed:
                    cells[p] += d
                return changed
        changed = []
        for c in (col, "total"):
            cells[f"applications.total.{c}"] += sign * take
            cells[f"applications.carried_forward.{c}"] -= sign * take
            changed += [f"applications.total.{c}", f"applications.carried_forward.{c}"]
        return changed
    # T3-ROWSUM: move d between two rows of one column, keeping both column equations
    col = rng.choice(_APPLICANTS)
    results = list(TEMPLATE.result_row_keys(shape))
    for _ in range(20):
        a, b = rng.sample(results, 2)
        if cells[f"applications.{b}.{col}"] >= 1:
            take = min(d, cells[f"applications.{b}.{col}"])
            cells[f"applications.{a}.{col}"] += take
            cells[f"applications.{b}.{col}"] -= take
            return [f"applications.{a}.{col}", f"applications.{b}.{col}"]
    # no outcome has anything to move: add d to 一 and to 四 (T3-BALANCE and T3-TOTAL hold,
    # the two rows' 总计 no longer match their parts)
    changed = [f"applications.new_received.{col}", f"applications.carried_forward.{col}"]
    for p in changed:
        cells[p] += d
    return changed


# ---------------------------------------------------------------------------------- blanks
def _blank(rng: random.Random, cells: dict[str, Any], shape: TableShape, mode: str,
           keep: set[str]) -> int:
    """Blank cells in place following a pattern seen in real reports; returns how many."""
    paths = [p for p in cells if cells[p] is not None and p not in keep]
    chosen: list[str] = []
    if mode == "scatter":
        p = rng.uniform(0.02, 0.15)
        chosen = [q for q in paths if rng.random() < p]
    elif mode == "zeros":  # zero cells left empty, totals printed (seed 003)
        p = rng.uniform(0.7, 1.0)
        spared = ("applications.total.", "applications.carried_forward.")
        chosen = [q for q in paths if cells[q] == 0 and not q.startswith("active_disclosure")
                  and not q.startswith(spared) and rng.random() < p]
    elif mode == "rows":
        rows = list(TEMPLATE.application_row_keys(shape))
        for row in rng.sample(rows, rng.randint(1, 3)):
            chosen += [q for q in paths if q.startswith(f"applications.{row}.")]
    elif mode == "total_column":  # 上海 2019: 总计 column empty where the row's parts are filled
        chosen = [q for q in paths if q.startswith("applications.") and q.endswith(".total")
                  and rng.random() < 0.8]
    elif mode == "table4":
        chosen = [q for q in paths if q.startswith("review_litigation.")]
    for q in chosen:
        cells[q] = None
    return len(chosen)


def _closure(cells: dict[str, Any], shape: TableShape) -> dict[str, int]:
    """Values the template's arithmetic forces for the blank cells (F-ZERO, F-SOLVE and more).

    Repeats to a fixed point: in an equation whose unknowns all stand on one side, one unknown
    is the residual, and any number of unknowns are 0 when the residual is 0 (all terms are
    non-negative). Then the system left is reduced exactly (fractions) and every unknown pinned
    by it, or by a reduced row whose terms all have one sign and sum to 0, is forced too.
    """
    eqs = [eq for eq in equations(shape)
           if any(cells.get(p) is None for p in eq.paths)]
    forced: dict[str, int] = {}

    def value(p: str) -> int | None:
        v = cells.get(p)
        return v if v is not None else forced.get(p)

    changed = True
    while changed:
        changed = False
        for eq in eqs:
            left_u = [p for p in eq.left if value(p) is None]
            right_u = [p for p in eq.right if value(p) is None]
            if (not left_u and not right_u) or (left_u and right_u):
                continue
            unknown, same, other = ((left_u, eq.left, eq.right) if left_u
                                    else (right_u, eq.right, eq.left))
            residual = (sum(value(p) or 0 for p in other)
                        - sum(value(p) or 0 for p in same if value(p) is not None))
            if len(set(unknown)) == 1 and residual >= 0:
                forced[unknown[0]] = residual
                changed = True
            elif residual == 0:
                for p in unknown:
                    forced[p] = 0
                changed = True
        if not changed:
            changed = _reduce(eqs, value, forced)
    return forced


def _reduce(eqs: Iterable[Equation], value: Any, forced: dict[str, int]) -> bool:
    """Gauss-Jordan on the equations' unknowns; record what the reduced system pins down."""
    rows: list[dict[str, Fraction]] = []
    rhs: list[Fraction] = []
    for eq in eqs:
        coef: dict[str, Fraction] = {}
        const = Fraction(0)
        for p, sign in [(p, 1) for p in eq.left] + [(p, -1) for p in eq.right]:
            v = value(p)
            if v is None:
                coef[p] = coef.get(p, Fraction(0)) + sign
            else:
                const -= sign * v
        coef = {p: c for p, c in coef.items() if c}
        if coef:
            rows.append(coef)
            rhs.append(const)
    pivots: list[tuple[str, int]] = []
    for i in range(len(rows)):
        if not rows[i]:
            continue
        var = next(iter(rows[i]))
        c = rows[i][var]
        rows[i] = {p: v / c for p, v in rows[i].items()}
        rhs[i] /= c
        for j in range(len(rows)):
            if j != i and var in rows[j]:
                f = rows[j][var]
                for p, v in rows[i].items():
                    nv = rows[j].get(p, Fraction(0)) - f * v
                    if nv:
                        rows[j][p] = nv
                    else:
                        rows[j].pop(p, None)
                rhs[j] -= f * rhs[i]
        pivots.append((var, i))
    found = False
    for coef, b in zip(rows, rhs, strict=True):
        if not coef:
            continue
        signs = {c > 0 for c in coef.values()}
        if len(coef) == 1:
            (p, c), = coef.items()
            v = b / c
            if v >= 0 and v.denominator == 1:
                forced[p] = int(v)
                found = True
        elif b == 0 and len(signs) == 1:  # Σ (same-sign)·x = 0 with x ≥ 0: all zero
            for p in coef:
                forced[p] = 0
            found = True
    return found


# ---------------------------------------------------------------------------------- nested ↔ flat
def _nest(cells: dict[str, Any], shape: TableShape, *, only: set[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"active_disclosure": {}, "applications": {}, "review_litigation": {}}
    for path in TEMPLATE.cell_paths(shape):
        table, row, column = path.split(".")
        value = cells.get(path)
        if table == "active_disclosure":
            out[table].setdefault(row, {})[column] = value
        else:
            if only is not None and f"{table}.{row}" not in only:
                continue
            out[table].setdefault(row, []).append(value)
    return out


# ---------------------------------------------------------------------------------- entry point
def random_report(
    rng: random.Random,
    *,
    edition: Edition = "2021",
    hybrid: bool = False,
    profile: Profile | None = None,
    inconsistent: bool = False,
    blanks: bool | str = False,
    year: int | None = None,
    agency: str | None = None,
    format: Edition | None = None,
) -> dict[str, Any]:
    """A random report in the truth-JSON shape, consistent unless ``inconsistent`` is set.

    ``blanks``: False (every cell printed), True (a random pattern) or one of
    :data:`BLANK_MODES`. Blank cells are ``None``; where the arithmetic forces them the forced
    value is under ``implied``. ``inconsistent``: one rule of :data:`BREAKABLE_RULES` fails;
    the note ``"inconsistent: <rule> ..."`` names it (see :func:`broken_rule`). ``format=`` is the
    old name of ``edition=`` (deprecated, warns; goes in the next release).
    """
    edition = edition_argument(edition, format, default="2021", caller="random_report")
    shape = TableShape(edition, hybrid)
    profile = profile or rng.choices(PROFILES, weights=_PROFILE_WEIGHTS)[0]
    notes: list[str] = [f"synthetic: profile {profile}"]
    disclosure = _disclosure(rng, edition, profile)
    applications = _applications(rng, shape, profile)
    review = _review(rng, profile)
    if hybrid:
        notes.append("hybrid: 2021 tables with （六）其他处理 printed as one row (applications.other)")

    if not (inconsistent or blanks or hybrid):  # the fast path used for bulk generation
        return {"schema": SCHEMA, "agency": agency or _agency(rng, profile),
                "year": year or _year(rng, edition), "template": edition,
                "active_disclosure": disclosure, "applications": applications,
                "review_litigation": review, "notes": notes}

    cells = {p: nested_value({"active_disclosure": disclosure, "applications": applications,
                              "review_litigation": review}, p)
             for p in TEMPLATE.cell_paths(shape)}
    keep: set[str] = set()
    if inconsistent:
        rule = rng.choice(BREAKABLE_RULES)
        changed = _break(rng, cells, shape, rule)
        failed = check_equations(cells, shape)
        assert {eq.rule for eq in failed} == {rule}, (rule, [eq.rule for eq in failed])
        keep = {p for eq in failed for p in eq.paths}  # blanks must not hide the break
        where = ", ".join(changed)
        notes.append(f"{_INCONSISTENT_NOTE}{rule} ({len(failed)} instance(s); changed {where})")
    if blanks:
        mode = blanks if isinstance(blanks, str) else rng.choice(BLANK_MODES)
        if mode not in BLANK_MODES:
            raise ValueError(f"unknown blank mode {mode!r}; one of {BLANK_MODES}")
        count = _blank(rng, cells, shape, mode, keep)
        notes.append(f"blanks: {mode} ({count} cells)")
    forced = _closure(cells, shape)
    nested = _nest(cells, shape)
    truth: dict[str, Any] = {"schema": SCHEMA, "agency": agency or _agency(rng, profile),
                             "year": year or _year(rng, edition), "template": edition, **nested,
                             "notes": notes}
    if forced:
        rows = {p.rsplit(".", 1)[0] for p in forced}
        implied = _nest(forced, shape, only=rows)
        del implied["active_disclosure"]  # table 2 has no equations: nothing is ever forced there
        truth["implied"] = {k: v for k, v in implied.items() if v}
        notes.append(f"implied: {len(forced)} blank cells forced by the arithmetic")
    return truth
