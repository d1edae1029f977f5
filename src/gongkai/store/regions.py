"""A region, given by division code (320813) or by any name the division table knows (淮安市,
洪泽区, 江苏省淮安市洪泽区), as an SQL condition: on the stored reports, or on the roster.

The checks across reports and the roster's missing matrix both select by region, so the reading
of a region lives here, below both.
"""

from __future__ import annotations

from typing import Any

__all__ = ["report_filter", "roster_filter"]

Condition = tuple[str, dict[str, Any]]  # (SQL condition, its parameters)


def _division(region: str) -> tuple[str, int] | None:
    """(the region's six-digit division code, how many of its leading digits name it: 2 for a
    province, 4 for a city, 6 for a county), or None for a name the division table does not know."""
    from ..agency import identify

    code = region if region.isdigit() else identify(region).region_code
    if not code:
        return None
    code = code.ljust(6, "0")[:6]
    return code, 2 if code[2:] == "0000" else 4 if code[4:] == "00" else 6


def _within(prefix: tuple[str, int]) -> Condition:
    code, depth = prefix
    return "substr(region_code, 1, :depth) = :prefix", {"depth": depth, "prefix": code[:depth]}


def report_filter(region: str) -> Condition:
    """The condition selecting the stored reports of a region (a region the division table does not
    know: the reports that name it)."""
    prefix = _division(region)
    if prefix is not None:
        return _within(prefix)
    return "(province = :name OR city = :name OR county = :name OR agency LIKE :like)", {
        "name": region, "like": f"{region}%"}


def roster_filter(region: str | None) -> Condition:
    """The condition selecting the roster units of a region (every unit without one; a region the
    division table does not know: the units whose name or parent names it)."""
    if not region:
        return "1 = 1", {}
    prefix = _division(region)
    if prefix is not None:
        return _within(prefix)
    return "(agency_name LIKE :like OR parent LIKE :like)", {"like": f"%{region}%"}
