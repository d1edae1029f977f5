"""The checking stage: every within-report rule of template.md §5.1, and the narrative as evidence.

>>> from gongkai.check import check, evaluate
>>> findings = check(report)          # failures only, as Finding objects (zh + en messages)
>>> results = evaluate(report)        # every rule instance: passed / failed / not_checkable

Rules are expanded from ``template.yaml`` (the single source of truth), once per table shape.
"""

from __future__ import annotations

from ..report import Finding, Report
from . import rules
from .narrative import QUANTITIES, NarrativeFact, Quantity, narrative_facts, settle_value, text_results
from .rules import RuleResult, show_value
from .timeliness import late_results


def _results(report: Report, keep_all: bool) -> list[RuleResult]:
    """The form's rules, then the narrative against the tables (C-TEXT), then timeliness."""
    return [*rules.evaluate(report, keep_all), *text_results(report, keep_all=keep_all),
            *late_results(report, keep_all)]


def evaluate(report: Report) -> list[RuleResult]:
    """Every rule instance with its status: passed, failed or not checkable."""
    return _results(report, keep_all=True)


def check(report: Report) -> list[Finding]:
    """The findings of every within-report rule: what failed, in words a clerk understands."""
    return [r.finding for r in _results(report, keep_all=False) if r.finding is not None]


__all__ = [
    "QUANTITIES",
    "NarrativeFact",
    "Quantity",
    "RuleResult",
    "check",
    "evaluate",
    "narrative_facts",
    "settle_value",
    "show_value",
    "text_results",
]
