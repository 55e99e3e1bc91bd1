"""Across tables: the same figure printed in two tables must be the same number."""
from __future__ import annotations

from .. import layout
from ..findings import ERROR, WARNING
from ..model import Budget, PairedTable, Row, Table
from ..money import ZERO
from ..comparisons import t10_row
from .common import label, total
from .registry import Out, rule


# 表1 收入 item → the 表2 总计-row columns it must equal.
T1_FROM_T2: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gpb", ("gpb", "gpb_transfer")),
    ("gpb_transfer", ("gpb_transfer",)),
    ("fund", ("fund", "fund_transfer")),
    ("fund_transfer", ("fund_transfer",)),
    ("soe", ("soe", "soe_transfer")),
    ("soe_transfer", ("soe_transfer",)),
    ("special", ("special",)),
    ("unit_funds", ("unit_funds",)),
    ("fiscal_carry", ("carryover",)),
    ("nonfiscal_carry", ("other_carryover",)),
)
_T2_LABELS = {c.key: c.label for c in layout.T2.columns}
_T1_LABELS = dict(layout.T1_INCOME_ITEMS)


def _total_row(t: Table) -> Row:
    return t.total if t.total is not None else Row(0)


def _income_vs_t2(out: Out, t: PairedTable, t2: Row, pairs: tuple[tuple[str, tuple[str, ...]], ...],
                  labels: dict[str, str], what: str) -> None:
    """Each 收入 item of 表1/表4 (when present) = the sum of its columns in 表2's 总计 row."""
    for key, cols in pairs:
        row = t.income.get(key)
        if row is not None:
            out.cell(t, row, "in_amount", f"表{t.number}“{labels[key]}”{what}", total(t2.get(c) for c in cols),
                     "表2 总计行 " + " + ".join(_T2_LABELS[c] for c in cols))


@rule("X-T1-T2", ERROR, "表1 收入各项（按资金来源）与收入总计 = 表2 总计行对应列")
def t1_t2(b: Budget, out: Out) -> None:
    t1, t2 = b.t1, _total_row(b.t2)
    _income_vs_t2(out, t1, t2, T1_FROM_T2, _T1_LABELS, "应与表2 总计行一致")
    out.cell(t1, t1.income_total, "in_amount", "表1 收入总计应等于表2 总计", t2.get("total"), "表2 总计")


@rule("X-T1-T3", ERROR, "表1 支出各类与支出总计 = 表3 对应类级合计与总计")
def t1_t3(b: Budget, out: Out) -> None:
    t1, t3 = b.t1, b.t3
    t3_classes = {r.code: r for r in t3.rows if r.level == 1}
    for code in sorted(set(t1.expense) | set(t3_classes)):
        row = t1.expense.get(code)
        expected = t3_classes[code].get("total") if code in t3_classes else ZERO
        if row is None:
            if expected:
                out.add(t3.sheet, t3.cell(t3_classes[code], "total"), f"表3 有类 {code}，表1 支出栏中却没有这一类",
                        f"{expected}（表3）", "表1 无此类")
            continue
        out.cell(t1, row, "out_amount", f"表1 支出“{code} {row.name}”应等于表3 该类合计", expected, f"表3 {code} 合计")
    out.cell(t1, t1.expense_total, "out_amount", "表1 支出总计应等于表3 总计", _total_row(t3).get("total"), "表3 总计")


@rule("X-T2-T3-CODES", ERROR, "表2 与表3 列出相同的功能分类科目")
def t2_t3_codes(b: Budget, out: Out) -> None:
    c2, c3 = b.t2.by_code(), b.t3.by_code()
    for code in sorted(set(c2) - set(c3)):
        out.add(b.t2.sheet, b.t2.cell(c2[code], "cls"), f"表2 有科目“{label(c2[code])}”，表3 没有",
                "表2 与表3 科目相同", "表3 缺少该科目")
    for code in sorted(set(c3) - set(c2)):
        out.add(b.t3.sheet, b.t3.cell(c3[code], "cls"), f"表3 有科目“{label(c3[code])}”，表2 没有",
                "表2 与表3 科目相同", "表2 缺少该科目")


@rule("X-T2-T3-TOTAL", ERROR, "表2 总计（及每个科目的总计） = 表3 合计")
def t2_t3_total(b: Budget, out: Out) -> None:
    c2 = b.t2.by_code()
    out.cell(b.t3, _total_row(b.t3), "total", "表3 总计应等于表2 总计（收支平衡）", _total_row(b.t2).get("total"),
             "表2 总计")
    for code, row in b.t3.by_code().items():
        if code in c2:
            out.cell(b.t3, row, "total", f"表3“{label(row)}”合计应等于表2 该科目总计", c2[code].get("total"),
                     f"表2 {code} 总计")


@rule("X-T4-T2", ERROR, "表4 财政拨款收入（合计、一般公共预算、政府性基金、国有资本经营）与支出各类合计 = 表2 财政拨款各列")
def t4_t2(b: Budget, out: Out) -> None:
    t4 = b.t4
    pairs = (("fiscal", ("fiscal",)), ("gpb", ("gpb", "gpb_transfer")), ("fund", ("fund", "fund_transfer")),
             ("soe", ("soe", "soe_transfer")))
    _income_vs_t2(out, t4, _total_row(b.t2), pairs, dict(layout.T4_INCOME_ITEMS), "应等于表2 总计行对应列")
    classes = {r.code: r for r in b.t2.rows if r.level == 1}
    for code, row in sorted(t4.expense.items()):
        expected = classes[code].get("fiscal") if code in classes else ZERO
        out.cell(t4, row, "total", f"表4 支出“{code} {row.name}”合计应等于表2 该类财政拨款小计", expected,
                 f"表2 {code} 财政拨款（补助）小计")


@rule("X-T5-T4", ERROR, "表5 各类合计与总计 = 表4 一般公共预算列")
def t5_t4(b: Budget, out: Out) -> None:
    _fund_vs_t4(out, b, b.t5, "gpb", "一般公共预算", always_total=True)


@rule("X-T6-T5", ERROR, "表6 总计 = 表5 基本支出合计")
def t6_t5(b: Budget, out: Out) -> None:
    out.cell(b.t6, _total_row(b.t6), "total", "表6 总计应等于表5 基本支出合计", _total_row(b.t5).get("basic"),
             "表5 基本支出合计")


@rule("X-T7-T5", ERROR, "表7 项目支出合计（按功能分类科目） = 表5 项目支出")
def t7_t5(b: Budget, out: Out) -> None:
    t7, t5 = b.t7, b.t5
    by7: dict[str, list[Row]] = {}
    for r in t7.rows:
        by7.setdefault(r.code, []).append(r)
    c5 = t5.by_code()
    for code in sorted(set(by7) | {c for c, r in c5.items() if r.get("project")}):
        expected = c5[code].get("project") if code in c5 else ZERO
        if code in by7:
            first = by7[code][0]
            found = total(r.get("total") for r in by7[code])
            out.compare(t7.sheet, t7.cell(first, "total"), f"表7“{label(first)}”项目支出合计应等于表5 该科目项目支出",
                        found, expected, f"表5 {code} 项目支出")
        else:
            out.add(t5.sheet, t5.cell(c5[code], "project"), f"表5“{label(c5[code])}”有项目支出，表7 没有该科目",
                    f"{expected}（表5）", "表7 无此科目")
    out.cell(t7, _total_row(t7), "total", "表7 总计应等于表5 项目支出合计", _total_row(t5).get("project"),
             "表5 项目支出合计")


def _fund_vs_t4(out: Out, b: Budget, t: Table, key: str, name: str, always_total: bool = False) -> None:
    """表5/8/9 against one column of 表4: each class and the total (`always_total`: even when the table has none)."""
    t4 = b.t4
    classes = {r.code: r for r in t.rows if r.level == 1}
    for code in sorted(set(classes) | {c for c, r in t4.expense.items() if r.get(key)}):
        t4row = t4.expense.get(code)
        expected = t4row.get(key) if t4row else ZERO
        if code in classes:
            out.cell(t, classes[code], "total", f"表{t.number}“{label(classes[code])}”合计应等于表4 该类{name}",
                     expected, f"表4 {code} {name}")
        elif t4row is not None:             # always: the code came from 表4
            out.add(t4.sheet, t4.cell(t4row, key), f"表4 类 {code} 有{name}支出，表{t.number} 没有这一类",
                    f"{expected}（表4）", f"表{t.number} 无此类")
    if t.total is not None or always_total:
        out.cell(t, _total_row(t), "total", f"表{t.number} 总计应等于表4 {name}支出总计", t4.expense_total.get(key),
                 f"表4 支出总计 {name}")
    elif t4.expense_total.get(key):
        out.add(t4.sheet, t4.cell(t4.expense_total, key), f"表4 有{name}支出，表{t.number} 却是空表",
                f"{t4.expense_total.get(key)}（表4）", f"表{t.number} 空表")


@rule("X-T8-T4", ERROR, "表8 各类合计与总计 = 表4 政府性基金预算列")
def t8_t4(b: Budget, out: Out) -> None:
    _fund_vs_t4(out, b, b.t8, "fund", "政府性基金预算")


@rule("X-T9-T4", ERROR, "表9 各类合计与总计 = 表4 国有资本经营预算列")
def t9_t4(b: Budget, out: Out) -> None:
    _fund_vs_t4(out, b, b.t9, "soe", "国有资本经营预算")


@rule("X-T11-T1", ERROR, "表11 合计（财政拨款、非财政拨款小计） = 表1 上年结转结余（财政拨款结转、非财政拨款结转结余）")
def t11_t1(b: Budget, out: Out) -> None:
    t1, t11 = b.t1, b.t11
    pairs = (("total", "carry"), ("fiscal", "fiscal_carry"), ("nonfiscal", "nonfiscal_carry"))
    if t11.total is None:
        carry = t1.income.get("carry")
        if carry is not None and carry.get("in_amount"):
            out.add(t1.sheet, t1.cell(carry, "in_amount"), "表1 有上年结转结余，表11 却是空表",
                    f"{carry.get('in_amount')}（表1）", "表11 空表")
        return
    for key, t1key in pairs:
        out.cell(t11, t11.total, key, f"表11 合计行“{'合计' if key == 'total' else '小计'}”应等于表1“{_T1_LABELS[t1key]}”",
                 t1.income_amount(t1key), f"表1 {_T1_LABELS[t1key]}")


@rule("X-T10-T6", WARNING, "表10 公务用车运行费 与 表6 30231 公务用车运行维护费 一致（提醒：口径可能不同）")
def t10_t6(b: Budget, out: Out) -> None:
    running = t10_row(b.t10, "vehicle_running")
    t6row = b.t6.by_code().get("30231")
    expected = t6row.get("total") if t6row else ZERO
    if not running.row:        # Row(0): 表10 has no such row
        return
    out.cell(b.t10, running, "gpb", "表10 公务用车运行费（一般公共预算）与表6 30231 公务用车运行维护费不一致，请核对",
             expected, "表6 30231 合计")
