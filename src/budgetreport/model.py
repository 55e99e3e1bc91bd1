"""The typed budget model: what the reader produces and every later stage consumes.

Amounts are Decimal 万元 rounded half-up to 2 places. Every row remembers its sheet and Excel row so a check can
name the cell (`Table.cell(row, key)` → "E7").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO

_LEVELS = {3: 1, 5: 2, 7: 3}     # code length → level


@dataclass
class Row:
    row: int                                   # Excel row number, for messages
    code: str = ""                             # 功能分类 "2080505" / 经济分类 "30101"; "" for labelled rows
    name: str = ""                             # 科目名称 or the row label (表1, 表4, 表10, 表11)
    values: dict[str, Decimal] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)   # other text columns (表7 项目名称)

    def get(self, key: str) -> Decimal:
        return self.values.get(key, ZERO)

    @property
    def level(self) -> int:
        """1 = 类 (3 digits), 2 = 款 (5), 3 = 项 (7); 经济分类: 1 = 类 (3), 2 = 款 (5)."""
        return _LEVELS.get(len(self.code), 0)


@dataclass
class _Sheet:
    number: int
    title: str
    sheet: str                                 # the sheet's actual name in the workbook
    letters: dict[str, str]                    # column key → Excel column letter

    def cell(self, row: Row | int, key: str) -> str:
        number = row.row if isinstance(row, Row) else row
        return f"{self.letters[key]}{number}"

    def where(self, row: Row | int, key: str) -> str:
        return f"{self.sheet}!{self.cell(row, key)}"


@dataclass
class Table(_Sheet):
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None                   # the 总计 / 合计 row where the table has one

    @property
    def empty(self) -> bool:
        return not self.rows and (self.total is None or all(v == 0 for v in self.total.values.values()))

    def by_code(self) -> dict[str, Row]:
        return {r.code: r for r in self.rows if r.code}


@dataclass
class PairedTable(_Sheet):
    """表1 and 表4: a 收入 side (labelled rows) beside a 支出 side (功能分类 类 rows)."""
    income: dict[str, Row] = field(default_factory=dict)    # item key (layout.T1_INCOME_ITEMS) → row
    expense: dict[str, Row] = field(default_factory=dict)   # 类 code → row
    # 收入总计 / 支出总计; Row(0) until the reader finds them (a missing one is reported and stands in as a Row)
    income_total: Row = field(default_factory=lambda: Row(0))
    expense_total: Row = field(default_factory=lambda: Row(0))

    def income_amount(self, key: str) -> Decimal:
        row = self.income.get(key)
        return row.get("in_amount") if row else ZERO


@dataclass
class Staff:
    quota: int
    actual: int
    active: int
    active_last: int
    retired: int
    retired_last: int
    veteran: int
    veteran_last: int


@dataclass
class UnitInfo:
    name: str
    code: str
    year: int
    date: dt.date
    kind: str
    functions: str
    subunits: int
    departments: list[str]
    staff: Staff
    contact: str
    phone: str
    other_matters: str
    cells: dict[str, str] = field(default_factory=dict)      # field key → "B5", for messages


@dataclass
class Comparison:
    """Last year's budget of one compared item and the reason for the change."""
    category: str
    item: str
    last_year: Decimal
    reason: str
    row: int


@dataclass
class Project:
    name: str
    basis: str
    owner_unit: str
    allocation: str
    period: str
    leader: str
    goal: str
    fiscal: Decimal
    other: Decimal
    row: int


@dataclass
class Indicator:
    level1: str                # "" = merged with the row above
    level2: str
    level3: str
    value: str
    basis: str
    weight: str
    last_value: str = ""
    rule: str = ""
    evidence: str = ""
    project: str = ""
    row: int = 0


@dataclass
class UnitPerformance:
    goal: str
    upper: Decimal
    own: Decimal
    other: Decimal
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.upper + self.own + self.other


@dataclass
class OtherMatters:
    values: dict[str, Decimal | int]            # layout.OTHER_MATTERS field key → value
    cells: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str):
        return self.values[key]


@dataclass
class Budget:
    source: str                                   # the workbook file
    unit: UnitInfo
    t1: PairedTable
    t2: Table
    t3: Table
    t4: PairedTable
    t5: Table
    t6: Table
    t7: Table
    t8: Table
    t9: Table
    t10: Table
    t11: Table
    comparisons: dict[tuple[str, str], Comparison]
    purposes: dict[str, str]                      # 功能分类 类 code → 主要用于
    projects: list[Project]
    unit_performance: UnitPerformance
    project_indicators: dict[str, list[Indicator]]
    other: OtherMatters
    warnings: list = field(default_factory=list)  # BudgetError reminders found while reading
    sheets: dict[str, str] = field(default_factory=dict)  # logical sheet → actual sheet name
    fund_purposes: dict[str, str] = field(default_factory=dict)  # 类 code → 政府性基金预算 主要用于
    soe_purposes: dict[str, str] = field(default_factory=dict)   # 类 code → 国有资本经营预算 主要用于

    def comparison(self, category: str, item: str) -> Comparison | None:
        return self.comparisons.get((category, item))
