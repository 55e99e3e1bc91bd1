"""Within one table: totals = the sum of their parts, along rows (columns add up) and down the tree (类 = Σ 款 = Σ 项)."""
from __future__ import annotations


from .. import layout
from ..findings import ERROR
from ..model import Budget, PairedTable, Table
from ..money import ZERO
from ..comparisons import t10_row
from .common import all_rows, column_label, label, total
from .registry import Out, rule

# --------------------------------------------------------------------------- generic shapes


def _row_sum(out: Out, spec: layout.TableSpec, table: Table, target: str, parts: tuple[str, ...]) -> None:
    """In every row: `target` column = Σ `parts` columns."""
    source = " + ".join(column_label(spec, p) for p in parts)
    for row in all_rows(table):
        expected = total(row.get(p) for p in parts)
        out.cell(table, row, target, f"表{spec.number}“{label(row)}”{column_label(spec, target)}应等于{source}",
                 expected, f"{source}")


def _tree(out: Out, spec: layout.TableSpec, table: Table) -> None:
    """Down the codes: 总计 = Σ 类, 类 = Σ 款, 款 = Σ 项 (for every amount column)."""
    leveled = [(r, r.level) for r in table.rows]      # level once per row, not once per pair of rows
    top = [r for r, level in leveled if level == 1]
    families = []   # (parent, its label, what its children are called, children): the same for every column
    for parent, level in leveled:
        if level in (1, 2):
            children = [r for r, lv in leveled if lv == level + 1 and r.code.startswith(parent.code)]
            if children:
                families.append((parent, label(parent), "款" if level == 1 else "项", children))
    for key in spec.money_keys():
        col = column_label(spec, key)
        if table.total is not None:
            out.cell(table, table.total, key, f"表{spec.number} 总计行{col}应等于各类之和",
                     total(r.get(key) for r in top), f"表{spec.number} 各类{col}之和")
        for parent, name, part, children in families:
            out.cell(table, parent, key, f"表{spec.number}“{name}”{col}应等于其下各{part}之和",
                     total(r.get(key) for r in children), f"其下各{part}{col}之和")


def _labelled_sum(out: Out, spec: layout.TableSpec, table: Table) -> None:
    """合计 row = Σ rows, for every amount column (表11)."""
    if table.total is None:
        if table.rows:
            out.add(table.sheet, table.cell(table.rows[0], "label"), f"表{spec.number} 有数据却缺少“合计”行")
        return
    for key in spec.money_keys():
        out.cell(table, table.total, key, f"表{spec.number} 合计行{column_label(spec, key)}应等于各行之和",
                 total(r.get(key) for r in table.rows), f"各行{column_label(spec, key)}之和")


# --------------------------------------------------------------------------- 表1


T1_INCOME_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("this_year", ("gpb", "fund", "soe", "special", "unit_funds")),
    ("carry", ("fiscal_carry", "nonfiscal_carry")),
)
T1_INCOME_DETAIL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gpb", ("gpb_own", "gpb_transfer")),
    ("fund", ("fund_own", "fund_transfer")),
    ("soe", ("soe_own", "soe_transfer")),
    ("unit_funds", ("business", "upper_subsidy", "affiliated", "operating", "other_income")),
    ("fiscal_carry", ("fiscal_carry_gpb", "fiscal_carry_fund", "fiscal_carry_soe")),
    ("nonfiscal_carry", ("nonfiscal_carry_special", "nonfiscal_carry_unit")),
)
_T1_LABELS = dict(layout.T1_INCOME_ITEMS)


def _paired_parts(out: Out, t: PairedTable, labels: dict[str, str], groups) -> None:
    for target, parts in groups:
        row = t.income.get(target)
        if row is None:
            continue
        out.cell(t, row, "in_amount", f"表{t.number}“{labels[target]}”应等于其下各项之和",
                 total(t.income_amount(p) for p in parts), " + ".join(labels[p] for p in parts))


@rule("T1-IN-SUM", ERROR, "表1 收入：本年收入 = 1~5 项之和，上年结转结余 = 财政拨款结转 + 非财政拨款结转结余，收入总计 = 本年收入 + 上年结转结余")
def t1_income_sum(b: Budget, out: Out) -> None:
    t = b.t1
    _paired_parts(out, t, _T1_LABELS, T1_INCOME_PARTS)
    out.cell(t, t.income_total, "in_amount", "表1 收入总计应等于本年收入 + 上年结转结余",
             t.income_amount("this_year") + t.income_amount("carry"), "本年收入 + 上年结转结余")


@rule("T1-IN-DETAIL", ERROR, "表1 收入：各款 = 其“其中”各项之和（一般公共预算拨款 = 一般财力 + 上级转移支付，单位资金 = 事业收入 + … 等）")
def t1_income_detail(b: Budget, out: Out) -> None:
    _paired_parts(out, b.t1, _T1_LABELS, T1_INCOME_DETAIL)


@rule("T1-OUT-SUM", ERROR, "表1 支出总计 = 各功能分类类级支出之和")
def t1_expense_sum(b: Budget, out: Out) -> None:
    t = b.t1
    out.cell(t, t.expense_total, "out_amount", "表1 支出总计应等于各类支出之和",
             total(r.get("out_amount") for r in t.expense.values()), "表1 各类支出之和")


@rule("T1-BALANCE", ERROR, "表1 收入总计 = 支出总计")
def t1_balance(b: Budget, out: Out) -> None:
    t = b.t1
    out.cell(t, t.expense_total, "out_amount", "表1 支出总计应等于收入总计",
             t.income_total.get("in_amount"), "表1 收入总计")


# --------------------------------------------------------------------------- 表2, 表3, 表5
_TREE_TITLE = " 每列：总计 = Σ 类，类 = Σ 款，款 = Σ 项"


def _row_rule(spec: layout.TableSpec, parts: tuple[str, ...], title: str, target: str = "total",
              rule_id: str = "") -> None:
    """Registers T<n>-ROW: in every row of the table, `target` = Σ `parts`."""
    rule(rule_id or f"T{spec.number}-ROW", ERROR, f"表{spec.number}{title}")(
        lambda b, out: _row_sum(out, spec, getattr(b, spec.key), target, parts))


def _tree_rule(spec: layout.TableSpec, title: str = _TREE_TITLE) -> None:
    """Registers T<n>-TREE: down the codes of the table (see _tree)."""
    rule(f"T{spec.number}-TREE", ERROR, f"表{spec.number}{title}")(lambda b, out: _tree(out, spec, getattr(b, spec.key)))


_row_rule(layout.T2, ("fiscal", "special", "unit_funds", "carryover", "other_carryover"),
          " 每行：总计 = 财政拨款（补助）小计 + 财政专户 + 单位资金 + 财政拨款结转 + 非财政拨款结转结余")
_row_rule(layout.T2, layout.FISCAL_SOURCES, " 每行：财政拨款（补助）小计 = 一般公共预算、政府性基金、国有资本经营预算及其上级转移支付共 6 列之和",
          "fiscal", "T2-FISCAL")
_tree_rule(layout.T2)
_row_rule(layout.T3, ("basic", "project"), " 每行：合计 = 基本支出 + 项目支出")
_tree_rule(layout.T3)
_row_rule(layout.T5, ("basic", "project"), " 每行：合计 = 基本支出 + 项目支出")
_tree_rule(layout.T5)


# --------------------------------------------------------------------------- 表4

_T4_LABELS = dict(layout.T4_INCOME_ITEMS)


@rule("T4-IN-SUM", ERROR, "表4 收入：财政拨款（补助） = 一般公共预算 + 政府性基金预算 + 国有资本经营预算 = 收入总计")
def t4_income(b: Budget, out: Out) -> None:
    t = b.t4
    _paired_parts(out, t, _T4_LABELS, (("fiscal", ("gpb", "fund", "soe")),))
    out.cell(t, t.income_total, "in_amount", "表4 收入总计应等于财政拨款（补助）",
             t.income_amount("fiscal"), "表4 财政拨款（补助）")


@rule("T4-ROW", ERROR, "表4 支出每行：合计 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算")
def t4_row(b: Budget, out: Out) -> None:
    t = b.t4
    for row in [*t.expense.values(), t.expense_total]:
        out.cell(t, row, "total", f"表4“{label(row)}”合计应等于三种预算之和",
                 row.get("gpb") + row.get("fund") + row.get("soe"), "一般公共预算 + 政府性基金预算 + 国有资本经营预算")


@rule("T4-OUT-SUM", ERROR, "表4 支出总计（每列） = 各功能分类类级支出之和")
def t4_out(b: Budget, out: Out) -> None:
    t = b.t4
    for key in ("total", "gpb", "fund", "soe"):
        col = column_label(layout.T4, key)
        out.cell(t, t.expense_total, key, f"表4 支出总计{col}应等于各类之和",
                 total(r.get(key) for r in t.expense.values()), f"表4 各类{col}之和")


@rule("T4-BALANCE", ERROR, "表4 收入总计 = 支出总计（合计）")
def t4_balance(b: Budget, out: Out) -> None:
    t = b.t4
    out.cell(t, t.expense_total, "total", "表4 支出总计应等于收入总计", t.income_total.get("in_amount"), "表4 收入总计")


# --------------------------------------------------------------------------- 表6, 表7, 表8 / 表9 (only when not empty)
_row_rule(layout.T6, ("personnel", "public"), " 每行：合计 = 人员经费 + 公用经费")
_tree_rule(layout.T6, " 每列：总计 = Σ 经济分类类，类 = Σ 款")
_row_rule(layout.T7, tuple(k for k, _, _ in layout.T7_ECONOMIC),
          " 每行：项目支出合计 = 各经济分类类级支出（工资福利支出 … 其他支出）之和")
_tree_rule(layout.T7, _TREE_TITLE + "（同一科目下多个项目相加）")
for _spec in (layout.T8, layout.T9):
    _row_rule(_spec, ("personnel", "public", "project"), "（非空时）每行：合计 = 人员经费 + 公用经费 + 项目支出")
    _tree_rule(_spec, "（非空时）" + _TREE_TITLE.lstrip())


# --------------------------------------------------------------------------- 表10


_row_rule(layout.T10, ("gpb", "fund", "soe"), " 每行：合计 = 一般公共预算 + 政府性基金 + 国有资本经营预算")


def _t10_parts(out: Out, b: Budget, target: str, parts: tuple[str, ...], what: str) -> None:
    t = b.t10
    row = t10_row(t, target)
    if not row.row:        # Row(0): 表10 has no such row
        return
    names = dict(layout.T10_ITEMS)
    for key in layout.T10.money_keys():
        expected = total(t10_row(t, p).get(key) for p in parts)
        out.cell(t, row, key, f"表10“{names[target]}”{column_label(layout.T10, key)}应等于{what}", expected,
                 " + ".join(names[p] for p in parts))


@rule("T10-SUM", ERROR, "表10 合计 = 因公出国（境）费 + 公务接待费 + 公务用车购置及运行费（每列）")
def t10_sum(b: Budget, out: Out) -> None:
    _t10_parts(out, b, "total", ("abroad", "reception", "vehicles"), "三项之和")


@rule("T10-CAR", ERROR, "表10 公务用车购置及运行费 = 公务用车购置费 + 公务用车运行费（每列）")
def t10_car(b: Budget, out: Out) -> None:
    _t10_parts(out, b, "vehicles", ("vehicle_purchase", "vehicle_running"), "购置费与运行费之和")


# --------------------------------------------------------------------------- 表11 (only when not empty)


@rule("T11-ROW", ERROR, "表11（非空时）每行：合计 = 财政拨款小计 + 非财政拨款小计，各小计 = 人员经费 + 公用经费 + 项目支出")
def t11_row(b: Budget, out: Out) -> None:
    _row_sum(out, layout.T11, b.t11, "total", ("fiscal", "nonfiscal"))
    _row_sum(out, layout.T11, b.t11, "fiscal", ("fiscal_personnel", "fiscal_public", "fiscal_project"))
    _row_sum(out, layout.T11, b.t11, "nonfiscal", ("nonfiscal_personnel", "nonfiscal_public", "nonfiscal_project"))


@rule("T11-SUM", ERROR, "表11（非空时）合计行 = 各行之和（每列）")
def t11_sum(b: Budget, out: Out) -> None:
    _labelled_sum(out, layout.T11, b.t11)
