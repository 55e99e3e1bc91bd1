"""Stage 2, check: every 勾稽关系 of the format as a named rule (see docs/checks.md).

    check_workbook(path) -> CheckResult     read + every rule that can run: all findings in one run
    check_reading(reading) -> CheckResult   the same, for a workbook already read (read.read_budget)
    run_all(budget) -> list[Finding]        every rule on a completely read budget, errors first

Rules live in small modules registered with `@rule` (registry.py); guard.py skips a rule that would read a part
of the budget the reader could not read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ..findings import ERROR, Finding, count, ordered
from ..model import Budget
from . import across, codes, narrative, text, within  # noqa: F401  (registers the rules)
from .guard import Guarded, Part, Skip
from .registry import RULES, Out, Rule

if TYPE_CHECKING:
    from ..read import Reading

__all__ = ["RULES", "CheckResult", "Rule", "Skipped", "check_reading", "check_workbook", "run_all", "run_rules"]


@dataclass(frozen=True)
class Skipped:
    """A rule that did not run because cells it needs could not be read."""
    rule: str
    sheet: str                                  # the sheet holding the unreadable cells

    @property
    def message(self) -> str:
        line = f"{self.rule} 未执行：“{self.sheet}”中有单元格无法读取，改正后再校验即会执行"
        return line + (f"（本规则：{RULES[self.rule].title}）" if self.rule in RULES else "")

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "sheet": self.sheet, "message": self.message}


@dataclass
class CheckResult:
    """Every finding of one workbook (reader and rules), in the order a clerk reads them."""
    file: str
    budget: Budget
    findings: list[Finding]
    skipped: list[Skipped] = field(default_factory=list)
    sheet_order: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return count(self.findings)[0]

    @property
    def reminders(self) -> int:
        return count(self.findings)[1]


def run_rules(budget: Budget, unreadable: Mapping[Part, str] | None = None) -> tuple[list[Finding], list[Skipped]]:
    """Every rule, in registry order; a rule touching an unreadable part is skipped (and listed) instead."""
    view = Guarded(budget, unreadable) if unreadable else budget
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for r in RULES.values():
        out = Out(r)
        try:
            r.func(view, out)
        except Skip as skip:
            skipped.append(Skipped(r.id, unreadable[skip.part] if unreadable else ""))
            continue
        findings += out.findings
    return findings, skipped


def run_all(budget: Budget) -> list[Finding]:
    """Every rule on `budget`; errors first, then reminders, each in registry order."""
    findings, _ = run_rules(budget)
    return sorted(findings, key=lambda f: f.level != ERROR)


def check_reading(reading: "Reading") -> CheckResult:
    findings, skipped = run_rules(reading.budget, reading.unreadable)
    return CheckResult(reading.file, reading.budget, ordered([*reading.findings, *findings], reading.sheet_order),
                       skipped, reading.sheet_order)


def check_workbook(path: str | Path) -> CheckResult:
    """Read the workbook and run every rule that can run. Raises BudgetError only when it cannot be read at all."""
    from ..read import read_budget
    return check_reading(read_budget(path))
