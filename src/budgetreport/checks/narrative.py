"""The narrative's facts (第三部分 and the 绩效 tables): last year's figures, reasons, and figures the text restates."""
from __future__ import annotations

from decimal import Decimal

from .. import layout
from ..cellref import column_letter
from ..findings import ERROR, WARNING
from ..model import Budget
from ..money import ZERO, fmt
from .common import t10_amount
from .registry import Out, rule

_UNIT_PERF_ROWS = {f.key: i for i, f in enumerate(layout.UNIT_PERFORMANCE.fields, start=2)}
_PROJECT_COLS = {f.key: i for i, f in enumerate(layout.PROJECTS.columns, start=1)}


def _col(index: int) -> str:
    return column_letter(index)


def compared_items(b: Budget) -> list[tuple[str, str, str, Decimal, str]]:
    """Every (类别, 项目, label, this year's figure, where that figure is) the narrative compares with last year.

    Mirrors derive.py: a missing one would stop derive, so N-LAST reports it first, with a location.
    """
    items: list[tuple[str, str, str, Decimal, str]] = []
    t2 = b.t2.total
    if t2 is not None:
        for key, _label, narrative in layout.INCOME_SOURCES:
            if t2.get(key) > 0:
                items.append((layout.CMP_INCOME, narrative, narrative, t2.get(key), b.t2.where(t2, key)))
    t3 = b.t3.total
    for key, name in (("basic", "基本支出"), ("project", "项目支出")):
        amount = t3.get(key) if t3 else ZERO
        items.append((layout.CMP_EXPENSE, name, name, amount, b.t3.where(t3, key) if t3 else b.t3.sheet))
    t5 = b.t5.total
    for key, name in (("basic", "基本支出"), ("project", "项目支出")):
        amount = t5.get(key) if t5 else ZERO
        items.append((layout.CMP_GPB_EXPENSE, name, name, amount, b.t5.where(t5, key) if t5 else b.t5.sheet))
    for r in b.t5.rows:
        if r.level == 3 and r.get("total") > 0:
            items.append((layout.CMP_FUNCTION, r.code, f"{r.code} {r.name}", r.get("total"), b.t5.where(r, "total")))
    t10_keys = {"合计": "total", "因公出国（境）费": "abroad", "公务用车购置费": "vehicle_purchase",
                "公务用车运行费": "vehicle_running", "公务接待费": "reception"}
    for item in layout.THREE_ITEMS:
        items.append((layout.CMP_THREE, item, item, t10_amount(b.t10, t10_keys[item]), b.t10.sheet))
    items.append((layout.CMP_RUNNING, "运行经费", "运行经费", b.other["running_cost"],
                  f"{b.sheets.get(layout.OTHER_MATTERS.name, layout.OTHER_MATTERS.name)}!"
                  f"{b.other.cells.get('running_cost', '')}"))
    return items


def _cmp_sheet(b: Budget) -> str:
    return b.sheets.get(layout.COMPARISONS.name, layout.COMPARISONS.name)


@rule("N-LAST", ERROR, "第三部分比较的每一项（收入来源、基本/项目支出、功能分类项级、三公经费、运行经费）都有上年预算数")
def last_year(b: Budget, out: Out) -> None:
    next_row = max((c.row for c in b.comparisons.values()), default=1) + 1
    for category, item, name, amount, where in compared_items(b):
        if b.comparison(category, item) is None:
            out.add(_cmp_sheet(b), f"A{next_row}",
                    f"缺少{category}“{name}”的上年预算数（本年 {fmt(amount)}，见 {where}）；"
                    f"请在“{layout.COMPARISONS.name}”表增加一行：类别“{category}”，项目“{item}”，上年没有该项预算填 0",
                    f"类别“{category}”项目“{item}”一行", "无")
            next_row += 1


@rule("N-REASON", WARNING, "本年与上年预算数不同，却没有填写变动的主要原因")
def reason(b: Budget, out: Out) -> None:
    for category, item, name, amount, _where in compared_items(b):
        c = b.comparison(category, item)
        if c is not None and amount != c.last_year and not c.reason:
            out.add(_cmp_sheet(b), f"E{c.row}",
                    f"{category}“{name}”本年 {fmt(amount)}，上年 {fmt(c.last_year)}，有变动却没有填写主要原因",
                    "变动原因", "空")


@rule("N-RUNNING", WARNING, "运行经费 = 表6 公用经费合计（提醒：机关运行经费口径通常等于基本支出中的公用经费）")
def running(b: Budget, out: Out) -> None:
    expected = b.t6.total.get("public") if b.t6.total else ZERO
    out.compare(b.sheets.get(layout.OTHER_MATTERS.name, ""), b.other.cells.get("running_cost", ""),
                "运行经费与表6 公用经费合计不一致，请核对", b.other["running_cost"], expected, "表6 公用经费合计")


@rule("N-PROC-SUM", ERROR, "政府采购预算合计 = 货物 + 工程 + 服务")
def procurement_sum(b: Budget, out: Out) -> None:
    o = b.other
    out.compare(b.sheets.get(layout.OTHER_MATTERS.name, ""), o.cells.get("procurement_total", ""),
                "政府采购预算合计应等于货物、工程、服务之和", o["procurement_total"],
                o["procurement_goods"] + o["procurement_works"] + o["procurement_services"], "货物 + 工程 + 服务")


@rule("N-PROC-SME", ERROR, "面向中小企业预留金额 ≤ 政府采购预算合计，小微企业预留金额 ≤ 中小企业预留金额")
def procurement_sme(b: Budget, out: Out) -> None:
    o = b.other
    sheet = b.sheets.get(layout.OTHER_MATTERS.name, "")
    if o["sme_reserved"] > o["procurement_total"]:
        out.add(sheet, o.cells.get("sme_reserved", ""), "面向中小企业预留金额超过政府采购预算合计",
                f"≤ {fmt(o['procurement_total'])}（政府采购预算合计）", fmt(o["sme_reserved"]))
    if o["micro_reserved"] > o["sme_reserved"]:
        out.add(sheet, o.cells.get("micro_reserved", ""), "小微企业预留金额超过面向中小企业预留金额",
                f"≤ {fmt(o['sme_reserved'])}（面向中小企业预留金额）", fmt(o["micro_reserved"]))


@rule("N-PERF-UNIT", ERROR, "单位整体绩效目标表的年度预算（上级安排 + 本级安排 + 其他资金） = 表1 收入总计")
def unit_performance(b: Budget, out: Out) -> None:
    up = b.unit_performance
    sheet = b.sheets.get(layout.UNIT_PERFORMANCE.name, layout.UNIT_PERFORMANCE.name)
    out.compare(sheet, f"B{_UNIT_PERF_ROWS['own']}", "单位整体绩效目标的资金总额（上级安排 + 本级安排 + 其他资金）应等于表1 收入总计",
                up.total, b.t1.income_total.get("in_amount"), "表1 收入总计")


def _t7_projects(b: Budget) -> dict[str, tuple[Decimal, int]]:
    """表7 项目名称 → (合计, first Excel row)."""
    result: dict[str, tuple[Decimal, int]] = {}
    for r in b.t7.rows:
        name = r.texts.get("project", "")
        if name:
            amount, row = result.get(name, (ZERO, r.row))
            result[name] = (amount + r.get("total"), row)
    return result


@rule("N-PERF-PROJ", ERROR, "项目信息中每个项目的资金（财政拨款 + 其他资金） = 表7 该项目合计")
def project_budget(b: Budget, out: Out) -> None:
    t7 = _t7_projects(b)
    sheet = b.sheets.get(layout.PROJECTS.name, layout.PROJECTS.name)
    for p in b.projects:
        if p.name in t7:
            out.compare(sheet, f"{_col(_PROJECT_COLS['fiscal'])}{p.row}",
                        f"项目“{p.name}”的财政拨款 + 其他资金应等于表7 该项目合计", p.fiscal + p.other, t7[p.name][0],
                        f"表7 第 {t7[p.name][1]} 行起该项目合计")


@rule("N-PROJ-INFO", ERROR, "表7 的每个项目在“项目信息”表都有一行（名称完全一致）")
def project_info(b: Budget, out: Out) -> None:
    names = {p.name for p in b.projects}
    for name, (_amount, row) in _t7_projects(b).items():
        if name not in names:
            out.add(b.t7.sheet, b.t7.cell(row, "project"),
                    f"表7 的项目“{name}”在“{layout.PROJECTS.name}”表中没有说明；请增加该项目一行（名称与表7 完全一致）",
                    "项目信息中有该项目", "无")


@rule("N-PROJ-EXTRA", WARNING, "“项目信息”表中的项目在表7 中没有（不会写入报告）")
def project_extra(b: Budget, out: Out) -> None:
    t7 = _t7_projects(b)
    sheet = b.sheets.get(layout.PROJECTS.name, layout.PROJECTS.name)
    for p in b.projects:
        if p.name not in t7:
            out.add(sheet, f"A{p.row}", f"项目“{p.name}”不在表7 中，不会写入报告；请核对名称", "表7 有该项目", "无")


@rule("N-STAFF", ERROR, "单位信息：实有人数 = 在职 + 退休 + 离休")
def staff(b: Budget, out: Out) -> None:
    s = b.unit.staff
    expected = s.active + s.retired + s.veteran
    if s.actual != expected:
        out.add(b.sheets.get(layout.UNIT_INFO.name, layout.UNIT_INFO.name), b.unit.cells.get("staff_actual", ""),
                "实有人数应等于在职、退休、离休人数之和", f"{expected}（在职 {s.active} + 退休 {s.retired} + 离休 {s.veteran}）",
                str(s.actual))


@rule("N-PURPOSE", WARNING, "表4 每个有财政拨款支出的类在“支出用途说明”表都有“主要用于”")
def purposes(b: Budget, out: Out) -> None:
    sheet = b.sheets.get(layout.PURPOSES.name, layout.PURPOSES.name)
    for code, row in sorted(b.t4.expense.items()):
        if row.get("total") > 0 and not b.purposes.get(code):
            out.add(sheet, "A" + str(len(b.purposes) + 2),
                    f"类 {code} {row.name} 有财政拨款支出 {fmt(row.get('total'))}（{b.t4.where(row, 'total')}），"
                    f"缺少“主要用于”说明", "一行说明", "无")
