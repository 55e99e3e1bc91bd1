"""The rule registry: every check is a small function registered with an id, a level and a one-line description.

    @rule("T3-ROW", ERROR, "表3 每行：合计 = 基本支出 + 项目支出")
    def t3_row(b: Budget, out: Out) -> None:
        ...
        out.mismatch(table, row, "total", found=..., expected=..., source="基本支出 + 项目支出")

`docs/checks.md` lists the same rules; tests/test_checks.py keeps the two in step.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from ..findings import Finding
from ..model import PairedTable, Row, Table
from ..money import fmt


@dataclass(frozen=True)
class Rule:
    id: str
    level: str            # findings.ERROR / findings.WARNING
    title: str            # one line, Chinese: what the rule compares
    func: Callable


RULES: dict[str, Rule] = {}


def rule(rule_id: str, level: str, title: str):
    def register(func: Callable) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, level, title, func)
        return func
    return register


class Out:
    """Collects the findings of one rule."""

    def __init__(self, r: Rule) -> None:
        self.rule = r
        self.findings: list[Finding] = []

    def add(self, sheet: str, cell: str, message: str, expected: str = "", found: str = "") -> None:
        self.findings.append(Finding(self.rule.id, self.rule.level, sheet or "", cell or "", message, expected, found))

    def compare(self, sheet: str, cell: str, what: str, found: Decimal, expected: Decimal, source: str) -> bool:
        """Emit when found ≠ expected (both to the cent); `source` says where `expected` comes from."""
        if found == expected:
            return True
        self.add(sheet, cell, what, f"{fmt(expected)}（{source}）", fmt(found))
        return False

    def cell(self, table: Table | PairedTable, row: Row, key: str, what: str, expected: Decimal, source: str) -> bool:
        found = row.get(key)
        if found == expected:
            return True                         # most cells agree: name the cell only for a finding
        return self.compare(table.sheet, table.cell(row, key), what, found, expected, source)
