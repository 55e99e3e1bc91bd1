"""The narrative's facts (第三部分 and the 绩效 tables): last year's figures, reasons, and figures the text restates."""
from __future__ import annotations

from .. import layout
from ..cellref import column_letter
from ..findings import ERROR, WARNING
from ..model import Budget
from ..money import ZERO, fmt
from ..comparisons import amount_of, compared_items, t7_projects, total_of, vanished
from .registry import Out, rule

_UNIT_PERF_ROWS = {f.key: i for i, f in enumerate(layout.UNIT_PERFORMANCE.fields, start=2)}
_PROJECT_COLS = {f.key: i for i, f in enumerate(layout.PROJECTS.columns, start=1)}


def _cmp_sheet(b: Budget) -> str:
    return b.sheets.get(layout.COMPARISONS.name, layout.COMPARISONS.name)


@rule("N-LAST", ERROR, "第三部分比较的每一项（收入来源、基本/项目支出、功能分类项级、三公经费、运行经费）都有上年预算数")
def last_year(b: Budget, out: Out) -> None:
    next_row = max((c.row for c in b.comparisons.values()), default=1) + 1
    for i in compared_items(b):
        if i.required and b.comparison(i.category, i.item) is None:
            out.add(_cmp_sheet(b), f"A{next_row}",
                    f"缺少{i.category}“{i.label}”的上年预算数（本年 {fmt(i.now)}，见 {i.where}）；"
                    f"请在“{layout.COMPARISONS.name}”表增加一行：类别“{i.category}”，项目“{i.item}”，上年没有该项预算填 0",
                    f"类别“{i.category}”项目“{i.item}”一行", "无")
            next_row += 1


@rule("N-REASON", WARNING, "本年与上年预算数不同，却没有填写变动的主要原因")
def reason(b: Budget, out: Out) -> None:
    for i in compared_items(b):
        c = b.comparison(i.category, i.item)
        if c is not None and i.now != c.last_year and not c.reason:
            out.add(_cmp_sheet(b), f"E{c.row}",
                    f"{i.category}“{i.label}”本年 {fmt(i.now)}，上年 {fmt(c.last_year)}，有变动却没有填写主要原因",
                    "变动原因", "空")


@rule("N-GONE", WARNING, "上年有预算、本年没有的收入来源或功能分类项（收入来源写明减少，功能分类项不写入报告）")
def gone(b: Budget, out: Out) -> None:
    for i in compared_items(b):
        c = vanished(b, i)
        if c is None:
            continue
        said = ("第三部分二写作“未安排，比上年预算减少…，下降100.00%”" if i.category == layout.CMP_INCOME
                else "表5 没有该项，第三部分五（三）不写它")
        out.add(_cmp_sheet(b), f"D{c.row}",
                f"{i.category}“{i.label}”上年预算 {fmt(c.last_year)}，本年没有（{said}）；请核对本年是否确实未安排",
                "本年预算数", "0.00")


@rule("N-RUNNING", WARNING, "运行经费 = 表6 公用经费合计（提醒：机关运行经费口径通常等于基本支出中的公用经费）")
def running(b: Budget, out: Out) -> None:
    expected = total_of(b.t6, "public")
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
                up.total, amount_of(b.t1.income_total, "in_amount"), "表1 收入总计")


@rule("N-PERF-PROJ", ERROR, "项目信息中表7 的每个项目：财政拨款 ≥ 表7 该项目合计（表7 只含一般公共预算，其他资金不在表7）")
def project_budget(b: Budget, out: Out) -> None:
    t7 = t7_projects(b)
    sheet = b.sheets.get(layout.PROJECTS.name, layout.PROJECTS.name)
    for p in b.projects:
        if p.name in t7 and p.fiscal < t7[p.name][0]:
            out.add(sheet, f"{column_letter(_PROJECT_COLS['fiscal'])}{p.row}",
                    f"项目“{p.name}”的财政拨款少于表7 该项目的一般公共预算项目支出（表7 第 {t7[p.name][1]} 行起）；"
                    "财政拨款应包含表7 的金额，其他资金（单位资金等）填在“其他资金”列",
                    f"≥ {fmt(t7[p.name][0])}（表7 该项目合计）", fmt(p.fiscal))


@rule("N-PROJ-FUNDS", WARNING, "项目信息全部项目：财政拨款合计 = 表7 合计 + 表8、表9 项目支出；其他资金合计 = 表3 项目支出 − 这些财政拨款项目支出")
def project_funds(b: Budget, out: Out) -> None:
    if not b.projects:
        return
    sheet = b.sheets.get(layout.PROJECTS.name, layout.PROJECTS.name)
    fiscal = total_of(b.t7, "total") + total_of(b.t8, "project") + total_of(b.t9, "project")
    first = b.projects[0].row
    out.compare(sheet, f"{column_letter(_PROJECT_COLS['fiscal'])}{first}",
                "项目信息各项目的财政拨款合计应等于表7 合计加表8、表9 项目支出（十二（四）的“财政拨款项目涉及预算金额”）",
                sum((p.fiscal for p in b.projects), ZERO), fiscal, "表7 合计 + 表8、表9 项目支出")
    out.compare(sheet, f"{column_letter(_PROJECT_COLS['other'])}{first}",
                "项目信息各项目的其他资金合计应等于表3 项目支出减去财政拨款项目支出（十二（四）的“非财政拨款项目涉及预算金额”）",
                sum((p.other for p in b.projects), ZERO), total_of(b.t3, "project") - fiscal,
                "表3 项目支出 − 表7 合计 − 表8、表9 项目支出")


@rule("N-PROJ-INFO", ERROR, "表7 的每个项目在“项目信息”表都有一行（名称完全一致）")
def project_info(b: Budget, out: Out) -> None:
    names = {p.name for p in b.projects}
    for name, (_amount, row) in t7_projects(b).items():
        if name not in names:
            out.add(b.t7.sheet, b.t7.cell(row, "project"),
                    f"表7 的项目“{name}”在“{layout.PROJECTS.name}”表中没有说明；请增加该项目一行（名称与表7 完全一致）",
                    "项目信息中有该项目", "无")


@rule("N-PROJ-EXTRA", WARNING, "“项目信息”表中的项目在表7 中没有（第三部分七不写它；十二（四）计入项目数并列出其绩效目标表）")
def project_extra(b: Budget, out: Out) -> None:
    t7 = t7_projects(b)
    sheet = b.sheets.get(layout.PROJECTS.name, layout.PROJECTS.name)
    for p in b.projects:
        if p.name not in t7:
            out.add(sheet, f"A{p.row}",
                    f"项目“{p.name}”不在表7 中：第三部分七（一般公共预算项目支出）不写它，十二（四）计入项目数并列出其"
                    "绩效目标表；若它是一般公共预算项目，请核对名称与表7 一致", "表7 有该项目", "无")


@rule("N-STAFF", ERROR, "单位信息：实有人数 = 在职 + 退休 + 离休")
def staff(b: Budget, out: Out) -> None:
    s = b.unit.staff
    expected = s.active + s.retired + s.veteran
    if s.actual != expected:
        out.add(b.sheets.get(layout.UNIT_INFO.name, layout.UNIT_INFO.name), b.unit.cells.get("staff_actual", ""),
                "实有人数应等于在职、退休、离休人数之和", f"{expected}（在职 {s.active} + 退休 {s.retired} + 离休 {s.veteran}）",
                str(s.actual))


@rule("N-PURPOSE", WARNING, "表4 每个有财政拨款支出的类在“支出用途说明”表都有该资金的“主要用于”（一般公共预算、政府性基金预算、国有资本经营预算各一列）")
def purposes(b: Budget, out: Out) -> None:
    sheet = b.sheets.get(layout.PURPOSES.name, layout.PURPOSES.name)
    columns = {f.key: i for i, f in enumerate(layout.PURPOSES.columns, start=1)}
    known = {"purpose": b.purposes, "fund_purpose": b.fund_purposes, "soe_purpose": b.soe_purposes}
    rows = list(b.purposes)
    for (key, fund), column in zip(layout.FISCAL_FUNDS, ("purpose", "fund_purpose", "soe_purpose")):
        label = next(f.label for f in layout.PURPOSES.columns if f.key == column)
        for code, row in sorted(b.t4.expense.items()):
            if row.get(key) > 0 and not known[column].get(code):
                at = rows.index(code) + 2 if code in rows else len(rows) + 2
                out.add(sheet, f"{'A' if code not in rows else column_letter(columns[column])}{at}",
                        f"类 {code} {row.name} 有{fund}支出 {fmt(row.get(key))}（{b.t4.where(row, key)}），"
                        f"缺少“{label}”说明", "一行说明" if code not in rows else "说明", "无")
