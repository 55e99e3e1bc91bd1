"""Stage 2, check: every 勾稽关系 of the format as a named rule (see docs/checks.md).

    run_all(budget) -> list[Finding]       every rule, in registry order
    RULES                                   rule id → Rule(id, level, title, func, tolerance, module)

Rules live in small modules, one function each, registered with `@rule(id, level, 中文说明)`:
within.py (one table), across.py (between tables), narrative.py (第三部分 and 绩效), codes.py, text.py.
"""
from __future__ import annotations

from ..findings import ERROR, Finding
from ..model import Budget
from . import across, codes, narrative, text, within  # noqa: F401  (registers the rules)
from .registry import RULES, Out, Rule

__all__ = ["RULES", "Rule", "run_all"]


def run_all(budget: Budget) -> list[Finding]:
    """Every rule on `budget`; errors first, then reminders, each in registry order."""
    findings: list[Finding] = []
    for r in RULES.values():
        out = Out(r)
        r.func(budget, out)
        findings += out.findings
    return sorted(findings, key=lambda f: f.level != ERROR)
