"""The checking stage: every within-report rule of template.md §5.1, and the narrative as evidence.

>>> from gongkai.check import check, evaluate
>>> findings = check(report)          # failures only, as Finding objects (zh + en messages)
>>> results = evaluate(report)        # every rule instance: passed / failed / not_checkable

Rules are expanded from ``template.yaml`` (the single source of truth), once per layout.
"""

from __future__ import annotations

from .narrative import QUANTITIES, NarrativeFact, Quantity, narrative_facts, settle_value, text_results
from .rules import RuleResult, show_value
from .timeliness import check, evaluate  # the rules of .rules, then C-LATE (timeliness.py)

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
