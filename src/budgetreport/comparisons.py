"""The one list of what the narrative compares with last year (比上年), used by derive and by the N-LAST,
N-REASON and N-GONE rules alike, and the `Change` each comparison becomes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import layout
from .model import Budget, Comparison, Row, Table
from .money import ZERO, percent
from .amounts import amount, percent_of
from .facts import Change


def amount_of(row: Row | None, key: str) -> Decimal:
    """A row's amount in column `key`; 0 when the row is absent (a table without its 总计 row)."""
    return row.get(key) if row is not None else ZERO


def total_of(table: Table, key: str) -> Decimal:
    """The 总计/合计 row's amount in column `key`; 0 when the table has no total row."""
    return amount_of(table.total, key)


def t7_projects(b: Budget) -> dict[str, tuple[Decimal, int]]:
    """表7 项目名称 → (its 项目支出合计, its first Excel row), in 表7 order."""
    result: dict[str, tuple[Decimal, int]] = {}
    for r in b.t7.rows:
        name = r.texts.get("project", "")
        if name:
            amount, row = result.get(name, (ZERO, r.row))
            result[name] = (amount + r.get("total"), row)
    return result


def t10_row(t10: Table, key: str) -> Row:
    """表10's row by key ("total" is its 合计 row); an empty row when absent."""
    if key == "total" and t10.total is not None:
        return t10.total
    for r in t10.rows:
        if r.code == key:
            return r
    return Row(0)


@dataclass(frozen=True)
class Compared:
    """One figure of this year the narrative compares with last year's (上年预算及变动原因 sheet)."""
    category: str          # layout.CMP_*
    item: str              # the 上年预算 item ("一般公共预算", "基本支出", "2080505", "公务接待费", …)
    label: str             # how a message names it ("2080505 机关事业单位基本养老保险缴费支出")
    now: Decimal
    where: str             # where this year's figure is ("表2 单位收入总体情况表!E6")
    required: bool = True  # False: printed only when last year had it (a source not arranged this year)


def _where(table: Table, key: str) -> str:
    return table.where(table.total, key) if table.total is not None else table.sheet


def compared_items(b: Budget) -> list[Compared]:
    """Every comparison of 第三部分, in the order the narrative prints them."""
    items: list[Compared] = []
    for key, _label, name in layout.INCOME_SOURCES:                      # 二: each source of 表2
        now = total_of(b.t2, key)
        items.append(Compared(layout.CMP_INCOME, name, name, now, _where(b.t2, key), required=now > 0))
    for key, name in layout.EXPENSE_PARTS:                               # 三: 表3 基本/项目支出
        items.append(Compared(layout.CMP_EXPENSE, name, name, total_of(b.t3, key), _where(b.t3, key)))
    for key, name in layout.EXPENSE_PARTS:                               # 五（一）: 表5 基本/项目支出
        items.append(Compared(layout.CMP_GPB_EXPENSE, name, name, total_of(b.t5, key), _where(b.t5, key)))
    present = set()
    for r in b.t5.rows:                                                  # 五（三）: 表5 项 with an amount
        if r.level == 3 and r.get("total") > 0:
            present.add(r.code)
            items.append(Compared(layout.CMP_FUNCTION, r.code, f"{r.code} {r.name}", r.get("total"),
                                  b.t5.where(r, "total")))
    for (category, item), c in b.comparisons.items():                    # a 项 of last year that is gone
        if category == layout.CMP_FUNCTION and item not in present:
            items.append(Compared(category, item, item, ZERO, b.t5.sheet, required=False))
    for key, name in layout.THREE_PARTS:                                 # 十: 表10
        items.append(Compared(layout.CMP_THREE, name, name, t10_row(b.t10, key).get("total"), b.t10.sheet))
    other_sheet = b.sheets.get(layout.OTHER_MATTERS.name, layout.OTHER_MATTERS.name)
    items.append(Compared(layout.CMP_RUNNING, layout.RUNNING_ITEM, layout.RUNNING_ITEM, b.other["running_cost"],
                          f"{other_sheet}!{b.other.cells.get('running_cost', '')}"))
    return items


def change(now: Decimal, last: Decimal, reason: str = "") -> Change:
    """比上年: 0 → 0 is "增加 0.00 万元，增长 0.00%", as the reference prints it; 0 → x is `new` (no percentage)."""
    diff = now - last
    pct = percent(abs(diff), last)
    return Change(
        amount=amount(abs(diff)), verb="减少" if diff < 0 else "增加", trend="下降" if diff < 0 else "增长",
        pct=percent_of(pct), new=last == 0 and now > 0, gone=last > 0 and now == 0,
        last=amount(last), now=amount(now), reason=reason)


def vanished(b: Budget, item: Compared) -> Comparison | None:
    """The comparison of an item that had a budget last year and has none this year, else None."""
    c = b.comparison(item.category, item.item)
    return c if c is not None and item.now == 0 and c.last_year > 0 and not item.required else None
