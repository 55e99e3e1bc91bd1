"""The one exception type for problems a user can fix.

    BudgetError                 anything wrong with the user's input or templates
      .file   the workbook or template file
      .sheet  the sheet name (e.g. "表3 单位支出总体情况表")
      .cell   the Excel cell address (e.g. "E7")
      .rule   the check rule id, when a cross-table rule found it
      .hint   what to do about it
      .unit   the unit (model.UnitInfo) whose report failed, once the workbook was read far enough to know it

Anything else that escapes is a bug and may show a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import UnitInfo


class BudgetError(Exception):
    def __init__(self, message: str, *, file: str | Path | None = None, sheet: str | None = None,
                 cell: str | None = None, rule: str | None = None, hint: str | None = None,
                 unit: UnitInfo | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.cell = cell
        self.rule = rule
        self.hint = hint
        self.unit = unit

    @property
    def where(self) -> str:
        """`表3 单位支出总体情况表!E7`, or just the sheet, or ''."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def with_file(self, file: str | Path) -> "BudgetError":
        if self.file is None:
            self.file = str(file)
        return self

    def with_unit(self, unit: UnitInfo) -> "BudgetError":
        """Name the unit (batch reports) unless an inner step already did."""
        if self.unit is None:
            self.unit = unit
        return self

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        head = "：".join(parts)
        text = f"{head}：{self.message}" if head else self.message
        if self.rule:
            text = f"[{self.rule}] {text}"
        if self.hint:
            text += f"（{self.hint}）"
        return text
