"""What a check reports: one finding per problem, at one place — from the reader and from the rules alike.

`ordered` puts them in the order a clerk reads them (docs/checks.md); FindingsError carries them all.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from .errors import BudgetError

ERROR = "错误"
WARNING = "提醒"

# The reader's findings (docs/checks.md lists them; tests/test_checks.py keeps the two in step).
READ_RULES: dict[str, tuple[str, str]] = {
    "R-MISSING": (ERROR, "必填项未填写（单位信息、其他重要事项、单位整体绩效目标的各项，上年预算数，行式工作表的必填列）"),
    "R-AMOUNT": (ERROR, "金额应为数字（万元）：不含文字、单位或空格；千位分隔只能写作 1,234.56；不能为负数；小于 1 万亿"),
    "R-INT": (ERROR, "人数、车辆数、设备台数、下属单位数应为非负整数"),
    "R-YEAR": (ERROR, "预算年度应为 2000–2100 之间的整数"),
    "R-DATE": (ERROR, "编制日期应为日期（如 2025-02-08 或 2025年2月8日）"),
    "R-CODE": (ERROR, "科目编码为数字，类 3 位、款 2 位、项 2 位，填了下级必填上级，有编码必有科目名称"),
    "R-ROW": (ERROR, "每行能认出是哪一项（表1/表4 收入项目、“类编码 名称”、表10 项目、上年预算类别），不重复，有金额必有名称"),
    "R-TABLE": (ERROR, "表格结构完整：表头各列、表头最后一行、总计行（各一行）、行式工作表第 1 行的列名，数据区无合并单元格"),
    "R-FORMULA": (ERROR, "公式单元格保存了计算结果"),
    "R-DEC": (WARNING, "金额超过两位小数，已四舍五入为两位（指出单元格）"),
    "R-SHEET": (WARNING, "工作簿中有未知的工作表，已忽略（指出工作表）"),
}


@dataclass(frozen=True)
class Finding:
    rule: str              # e.g. "X-T6-T5", "R-AMOUNT"; documented in docs/checks.md
    level: str             # ERROR stops the build; WARNING is printed and the build goes on
    sheet: str             # actual sheet name, "" when the finding is about the whole workbook
    cell: str              # Excel address, "" when none
    message: str           # Chinese, says what is wrong
    expected: str = ""     # "189.31（表5 基本支出合计）"
    found: str = ""        # "189.41"
    fix: str = ""          # Chinese, what to do ("请删除文字，只保留数字"); "" when the message says it

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    @property
    def detail(self) -> str:
        """The message with expected / found and the fix: what a clerk reads after the place."""
        text = self.message
        if self.expected:
            text += f"，应为 {self.expected}"
        if self.found:
            text += f"，实为{'' if self.found.startswith('“') else ' '}{self.found}"   # 实为“2O8”, 实为 189.41
        if self.fix:
            text += f"（{self.fix}）"
        return text

    def __str__(self) -> str:
        return f"[{self.rule}] {self.level} {self.where}：{self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {**asdict(self), "where": self.where}


def from_error(exc, level: str = WARNING) -> Finding:
    """A reader reminder as a finding: the reader's own Finding as it is, or a BudgetError with a rule id."""
    if isinstance(exc, Finding):
        return exc
    return Finding(rule=exc.rule or "READ", level=level, sheet=exc.sheet or "", cell=exc.cell or "",
                   message=exc.message, fix=exc.hint or "")


_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)")


def cell_position(cell: str) -> tuple[int, int]:
    """"E17" → (17, 5); "E9:F9" → its first cell; "" → (0, 0) (a finding about the whole sheet comes first)."""
    m = _CELL.match(cell or "")
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def ordered(findings: Iterable[Finding], sheet_order: Sequence[str]) -> list[Finding]:
    """Errors first, then reminders; within each, by sheet in workbook order (the whole workbook first, sheets
    not in `sheet_order` last), then row and column; equal places keep their order."""
    rank = {name: i for i, name in enumerate(sheet_order)}
    late = len(rank) + 1

    def key(f: Finding) -> tuple:
        sheet = -1 if not f.sheet else rank.get(f.sheet, late)
        return (f.level != ERROR, sheet, cell_position(f.cell))

    return sorted(findings, key=key)


def count(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, reminders)."""
    errors = reminders = 0
    for f in findings:
        if f.level == ERROR:
            errors += 1
        else:
            reminders += 1
    return errors, reminders


class FindingsError(BudgetError):
    """The workbook can be read only in part, or breaks rules: carries every finding (and the rules skipped)."""

    def __init__(self, findings: list[Finding], file: str, skipped: Sequence[str] = ()) -> None:
        errors, reminders = count(findings)
        first = next(f for f in findings if f.level == ERROR)
        text = f"有 {errors} 处错误" + (f"、{reminders} 处提醒" if reminders else "") + f"。第一处：{first}"
        if skipped:
            text += f"；另有 {len(skipped)} 条规则因相关单元格有误未执行，改正后再校验"
        super().__init__(text, file=file, rule=first.rule)
        self.findings = findings
        self.skipped = list(skipped)
