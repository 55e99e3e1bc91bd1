"""What a check reports: one finding per broken rule, at one place."""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "错误"
WARNING = "提醒"


@dataclass(frozen=True)
class Finding:
    rule: str              # e.g. "T6-TOTAL"; documented in docs/checks.md
    level: str             # ERROR stops the build; WARNING is printed and the build goes on
    sheet: str             # actual sheet name, "" when the rule is about the whole workbook
    cell: str              # Excel address, "" when none
    message: str           # Chinese, says what is wrong and what to do
    expected: str = ""     # "189.31（表5 基本支出合计）"
    found: str = ""        # "189.41"

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def __str__(self) -> str:
        text = f"[{self.rule}] {self.level} {self.where}：{self.message}"
        if self.expected or self.found:
            text += f"，应为 {self.expected}，实为 {self.found}"
        return text

    def to_dict(self) -> dict[str, str]:
        return {**asdict(self), "where": self.where}


def from_error(exc, level: str = WARNING) -> Finding:
    """A reader reminder (a BudgetError with a rule id) as a finding."""
    return Finding(rule=exc.rule or "READ", level=level, sheet=exc.sheet or "", cell=exc.cell or "",
                   message=exc.message + (f"（{exc.hint}）" if exc.hint else ""))
