"""Stage 3, derive: `Budget` → the facts a template prints (`facts.ReportFacts`).

Every share, every 比上年 change, every list in the narrative is computed here, once, as Decimal; amounts reach the
template as `Amount` (printed in 万元 with 2 places), so wording stays the template's job: facts carry numbers,
names, flags and lists, never sentences. What is compared with last year comes from one list
(`comparisons.compared_items`), the same the N-LAST rule checks.
"""
from __future__ import annotations

from . import layout
from .classification import FUNCTION_CLASSES
from .errors import BudgetError
from . import facts as f
from .amounts import amount, cell, percent_of
from .comparisons import Compared, amount_of, change, compared_items, t7_projects, t10_row, total_of
from .model import Budget, Indicator, PairedTable, Row, Table
from .money import ZERO, percent
from .text import cn_number

MERGE_UP = "\u2063合并\u2063"   # a table cell continuing the merged cell above (see write_docx.merge_marked_cells)


class _Changes:
    """比上年 of every compared item, found by (类别, 项目); a missing required one names the cell to add."""

    def __init__(self, b: Budget) -> None:
        self.b = b
        self.items = {(i.category, i.item): i for i in compared_items(b)}

    def __call__(self, category: str, item: str) -> f.Change:
        c = self.b.comparison(category, item)
        compared: Compared = self.items[(category, item)]
        if c is None:
            raise BudgetError(
                f"缺少{category}“{compared.label}”的上年预算数", sheet=self.b.sheets.get(layout.COMPARISONS.name),
                file=self.b.source, hint=f"请在“{layout.COMPARISONS.name}”表增加一行：类别“{category}”，项目“{item}”")
        return change(compared.now, c.last_year, c.reason)

    def optional(self, category: str, item: str) -> f.Change | None:
        """An item not arranged this year: its decrease when last year had it, else None."""
        c = self.b.comparison(category, item)
        return change(ZERO, c.last_year, c.reason) if c is not None and c.last_year > 0 else None


# --------------------------------------------------------------------------- 第一部分, 第二部分


def _unit(b: Budget) -> f.Unit:
    u = b.unit
    return f.Unit(name=u.name, code=u.code, year=u.year, last_year=u.year - 1,
                  date=f"{u.date.year}年{u.date.month}月{u.date.day}日", date_value=u.date, functions=u.functions,
                  subunits=u.subunits, departments=u.departments, contact=u.contact, phone=u.phone, kind=u.kind)


def _staff(b: Budget) -> f.Staff:
    s = b.unit.staff
    groups = [f.StaffGroup(name=name, now=now, verb="减少" if now < last else "增加", diff=abs(now - last))
              for name, now, last in (("在职", s.active, s.active_last), ("退休", s.retired, s.retired_last),
                                      ("离休", s.veteran, s.veteran_last))]
    return f.Staff(quota=s.quota, actual=s.actual, groups=groups)


def _table_rows(table: Table, spec: layout.TableSpec, total_label: str = "总计") -> list[f.TableRow]:
    """Rows as printed: the 总计 row first, code split into 类/款/项, zero amounts blank.
    `label` repeats the name for the labelled tables (表11's first column is 项目)."""
    keys = spec.money_keys()
    out: list[f.TableRow] = []
    if table.total is not None:
        out.append({"cls": "", "kuan": "", "xiang": "", "name": total_label, "label": total_label, "project": "",
                    **{k: cell(table.total.get(k)) for k in keys}})
    for r in table.rows:
        out.append({"cls": r.code[:3], "kuan": r.code[3:5], "xiang": r.code[5:7], "name": r.name, "label": r.name,
                    "project": r.texts.get("project", ""), **{k: cell(r.get(k)) for k in keys}})
    return out


def _paired(t: PairedTable, items: tuple[tuple[str, str], ...], right_keys: tuple[str, ...]) -> f.PairedTableFacts:
    """表1 / 表4: the standard 收入 labels beside the full 功能分类 类 list."""
    left = [(label, cell(t.income_amount(key))) for key, label in items]
    right = []
    for code, name in FUNCTION_CLASSES:
        row = t.expense.get(code)
        right.append((f"{code} {name}", {k: cell(row.get(k) if row else ZERO) for k in right_keys}))
    rows: list[f.TableRow] = []
    for i in range(max(len(left), len(right))):
        l_label, l_amount = left[i] if i < len(left) else ("", "")
        r_label, r_values = right[i] if i < len(right) else ("", {k: "" for k in right_keys})
        rows.append({"in_label": l_label, "in_amount": l_amount, "out_label": r_label, **r_values})
    out = t.expense_total
    return f.PairedTableFacts(rows=rows, income_total=cell(amount_of(t.income_total, "in_amount")),
                              expense_total=cell(amount_of(out, right_keys[0])), expense_gpb=cell(amount_of(out, "gpb")),
                              expense_fund=cell(amount_of(out, "fund")), expense_soe=cell(amount_of(out, "soe")))


def _tables(b: Budget) -> f.Tables:
    def plain(t: Table, spec: layout.TableSpec, total_label: str = "总计") -> f.TableFacts:
        return f.TableFacts(rows=_table_rows(t, spec, total_label), empty=t.empty)

    t10_rows: list[f.TableRow] = [{"label": label, **{k: cell(t10_row(b.t10, key).get(k))
                                                      for k in layout.T10.money_keys()}}
                                  for key, label in layout.T10_ITEMS]
    return f.Tables(
        t1=_paired(b.t1, layout.T1_INCOME_ITEMS, ("out_amount",)),
        t2=plain(b.t2, layout.T2), t3=plain(b.t3, layout.T3),
        t4=_paired(b.t4, layout.T4_INCOME_ITEMS, ("total", "gpb", "fund", "soe")),
        t5=plain(b.t5, layout.T5), t6=plain(b.t6, layout.T6), t7=plain(b.t7, layout.T7),
        t8=plain(b.t8, layout.T8), t9=plain(b.t9, layout.T9),
        t10=f.TableFacts(rows=t10_rows, empty=b.t10.empty),
        t11=f.TableFacts(rows=_table_rows(b.t11, layout.T11, "合计") if not b.t11.empty else [], empty=b.t11.empty),
    )


# --------------------------------------------------------------------------- 第三部分 一 to 六


def _income(b: Budget, changes: _Changes) -> f.Income:
    total = total_of(b.t2, "total")
    sources = []
    for key, label, name in layout.INCOME_SOURCES:
        now = total_of(b.t2, key)
        arranged = now > 0
        sources.append(f.Source(
            key=key, label=label, name=name, amount=amount(now), arranged=arranged,
            fiscal=key in layout.FISCAL_SOURCES, share=percent_of(percent(now, total)) if arranged else None,
            change=changes(layout.CMP_INCOME, name) if arranged else changes.optional(layout.CMP_INCOME, name)))
    return f.Income(total=amount(total), sources=sources)


def _overview(b: Budget, income: f.Income) -> f.Overview:
    classes = [r.name for r in b.t3.rows if r.level == 1 and r.get("total") > 0]
    return f.Overview(total=amount(amount_of(b.t1.income_total, "in_amount")),
                      income_sources=[s.name for s in income.sources if s.arranged], expense_classes=classes)


def _expense(b: Budget, changes: _Changes) -> f.Expense:
    total = total_of(b.t3, "total")
    parts = {key: f.Part(amount=amount(total_of(b.t3, key)), share=percent_of(percent(total_of(b.t3, key), total)),
                         change=changes(layout.CMP_EXPENSE, name)) for key, name in layout.EXPENSE_PARTS}
    return f.Expense(total=amount(total), basic=parts["basic"], project=parts["project"])


def _fiscal(b: Budget) -> f.Fiscal:
    sources = [f.FiscalSource(key=key, label=label, amount=amount(b.t4.income_amount(key)),
                              arranged=b.t4.income_amount(key) > 0) for key, label in layout.FISCAL_FUNDS]
    purposes = {"gpb": b.purposes, "fund": b.fund_purposes, "soe": b.soe_purposes}
    spending = {key: [f.Spending(name=row.name, amount=amount(row.get(key)), purpose=purposes[key].get(code, ""))
                      for code, row in sorted(b.t4.expense.items()) if row.get(key) > 0]
                for key, _label in layout.FISCAL_FUNDS}
    return f.Fiscal(total=amount(amount_of(b.t4.income_total, "in_amount")),
                    sources=sources, spending=f.SpendingByFund(**spending))


def _gpb(b: Budget, changes: _Changes) -> f.Gpb:
    total = total_of(b.t5, "total")
    names = {r.code: r.name for r in b.t5.rows}
    parts = {key: f.GpbPart(amount=amount(total_of(b.t5, key)), change=changes(layout.CMP_GPB_EXPENSE, name))
             for key, name in layout.EXPENSE_PARTS}
    classes = [f.ClassShare(name=r.name, amount=amount(r.get("total")), share=percent_of(percent(r.get("total"), total)))
               for r in b.t5.rows if r.level == 1 and r.get("total") > 0]
    details = [f.Detail(code=r.code, cls=names.get(r.code[:3], ""), kuan=names.get(r.code[:5], ""), xiang=r.name,
                        amount=amount(r.get("total")), change=changes(layout.CMP_FUNCTION, r.code))
               for r in b.t5.rows if r.level == 3 and r.get("total") > 0]
    return f.Gpb(total=amount(total), basic=parts["basic"], project=parts["project"], classes=classes,
                 details=details)


def _basic(b: Budget) -> f.Basic:
    econ = [r for r in b.t6.rows if r.level == 2]
    return f.Basic(total=amount(total_of(b.t6, "total")), personnel=amount(total_of(b.t6, "personnel")),
                   public=amount(total_of(b.t6, "public")),
                   personnel_items=[r.name for r in econ if r.get("personnel") > 0],
                   public_items=[r.name for r in econ if r.get("public") > 0])


# --------------------------------------------------------------------------- 七 projects, 八 to 十一


def _indicators(indicators: list[Indicator]) -> list[f.Indicator]:
    return [f.Indicator(level1=i.level1 or MERGE_UP, level2=i.level2 or MERGE_UP, level3=i.level3, value=i.value,
                        basis=i.basis, weight=i.weight, last_value=i.last_value, rule=i.rule, evidence=i.evidence)
            for i in indicators]


def _projects(b: Budget) -> tuple[list[f.Project], list[f.Project]]:
    """(七: the 表7 projects in 表7 order, 十二（四）: every 项目信息 project in its order — fund and non-fiscal
    projects have 绩效目标 too, so their tables are printed and counted)."""
    t7 = {name: total for name, (total, _row) in t7_projects(b).items()}
    details = {p.name: p for p in b.projects}
    for name in t7:
        if name not in details:
            raise BudgetError(f"表7 的项目“{name}”在“{layout.PROJECTS.name}”表中没有说明",
                              file=b.source, sheet=b.sheets.get(layout.PROJECTS.name),
                              hint="请在项目信息表增加该项目的政策依据、资金分配等内容")

    def facts(number: int, p) -> f.Project:
        return f.Project(
            number=cn_number(number), name=p.name, amount=amount(t7.get(p.name, ZERO)), in_t7=p.name in t7,
            basis=p.basis, owner_unit=p.owner_unit, allocation=p.allocation, period=p.period, leader=p.leader,
            goal=p.goal, fiscal=amount(p.fiscal), other=amount(p.other), budget=amount(p.fiscal + p.other),
            indicators=_indicators(b.project_indicators.get(p.name, [])))

    section7 = [facts(i, details[name]) for i, name in enumerate(t7, start=1)]
    return section7, [facts(i, p) for i, p in enumerate(b.projects, start=1)]


def _fund_table(t: Table) -> f.FundTable:
    return f.FundTable(empty=t.empty, total=amount(total_of(t, "total")),
                       basic=amount(total_of(t, "personnel") + total_of(t, "public")),
                       project=amount(total_of(t, "project")))


def _three(b: Budget, changes: _Changes) -> f.Three:
    parts = [f.ThreePart(name=name, amount=amount(t10_row(b.t10, key).get("total")),
                         change=changes(layout.CMP_THREE, name))
             for key, name in layout.THREE_PARTS if key != "total"]
    total_name = layout.THREE_PARTS[0][1]
    return f.Three(total=amount(t10_row(b.t10, "total").get("total")), parts=parts,
                   change=changes(layout.CMP_THREE, total_name))


def _carryover(b: Budget) -> f.Carryover:
    t = b.t11
    return f.Carryover(empty=t.empty, total=amount(total_of(t, "total")), fiscal=amount(total_of(t, "fiscal")),
                       nonfiscal=amount(total_of(t, "nonfiscal")))


# --------------------------------------------------------------------------- 十二 其他重要事项


def _other(b: Budget, changes: _Changes, perf_projects: list[f.Project]) -> f.Other:
    o = b.other
    running_name = (layout.RUNNING_NAME_PUBLIC_INSTITUTION if b.unit.kind.strip() == "事业单位"
                    else layout.RUNNING_NAME_ORGAN)
    cars = [f.CarType(name=name, count=o[count], value=amount(o[value])) for count, value, name in layout.CAR_TYPES]
    assets = f.Assets(
        year=b.unit.year - 1, house_area=amount(o["house_area"]), house_value=amount(o["house_value"]),
        cars=sum(c.count for c in cars), cars_value=amount(sum((c.value.value for c in cars), ZERO)), car_types=cars,
        furniture=amount(o["furniture_value"]), other=amount(o["other_assets_value"]),
        equipment_50=o["equipment_50"], equipment_100=o["equipment_100"], buy_car=amount(o["buy_car_budget"]),
        buy_car_arranged=o["buy_car_budget"] > 0, buy_equipment_50=o["buy_equipment_50"],
        buy_equipment_100=o["buy_equipment_100"])
    performance = f.Performance(
        unit_goals=1 if b.unit_performance.goal else 0, unit_amount=amount(b.unit_performance.total),
        projects=len(perf_projects), fiscal=amount(sum((p.fiscal for p in b.projects), ZERO)),
        nonfiscal=amount(sum((p.other for p in b.projects), ZERO)))
    procurement = f.Procurement(
        total=amount(o["procurement_total"]), goods=amount(o["procurement_goods"]),
        works=amount(o["procurement_works"]), services=amount(o["procurement_services"]),
        sme=amount(o["sme_reserved"]), micro=amount(o["micro_reserved"]))
    return f.Other(
        running=f.Running(name=running_name, amount=amount(o["running_cost"]),
                          change=changes(layout.CMP_RUNNING, layout.RUNNING_ITEM)),
        procurement=procurement, assets=assets, performance=performance, matters=b.unit.other_matters or "")


def _unit_performance(b: Budget) -> f.UnitPerformance:
    up = b.unit_performance
    return f.UnitPerformance(goal=up.goal, upper=amount(up.upper), own=amount(up.own), other=amount(up.other),
                             total=amount(up.total), indicators=_indicators(up.indicators))


def derive(budget: Budget) -> f.ReportFacts:
    """All facts of the report, typed, for the template."""
    b = budget
    changes = _Changes(b)
    income = _income(b, changes)
    section7, perf_projects = _projects(b)
    return f.ReportFacts(
        unit=_unit(b), staff=_staff(b), tables=_tables(b), overview=_overview(b, income), income=income,
        expense=_expense(b, changes), fiscal=_fiscal(b), gpb=_gpb(b, changes), basic=_basic(b), projects=section7,
        fund=_fund_table(b.t8), soe=_fund_table(b.t9), three=_three(b, changes), carryover=_carryover(b),
        other=_other(b, changes, perf_projects), unit_performance=_unit_performance(b), perf_projects=perf_projects)
