"""Stage 3, derive: `Budget` → the facts a template prints.

Every share, every 比上年 change, every list in the narrative is computed here, once, as Decimal and then
formatted as text. Wording is the template's job: facts carry numbers, names, flags and lists, never sentences.

Change facts (`_change`) carry: amount ("9.38"), verb (增加/减少), pct ("4.54"), trend (增长/下降),
new (last year 0, this year > 0: no percentage can be computed), last ("206.69"), reason ("" when none given).
Last year 0 and this year 0 is "增加 0.00 万元，增长 0.00%", as the reference prints it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import layout
from .errors import BudgetError
from .model import Budget, Indicator, Row, Table
from .money import ZERO, fmt, fmt_cell, percent
from .text import cn_number

MERGE_UP = "\u2063合并\u2063"   # a table cell continuing the merged cell above (see write_docx.merge_marked_cells)


def _change(now: Decimal, last: Decimal, reason: str = "") -> dict[str, Any]:
    diff = now - last
    pct = percent(abs(diff), last)
    return {
        "amount": fmt(abs(diff)),
        "verb": "减少" if diff < 0 else "增加",
        "trend": "下降" if diff < 0 else "增长",
        "pct": fmt(pct) if pct is not None else "0.00",
        "new": last == 0 and now > 0,
        "last": fmt(last),
        "now": fmt(now),
        "reason": reason,
    }


class _Facts:
    """Holds the budget while the facts are derived, so lookups can name the missing cell."""

    def __init__(self, budget: Budget) -> None:
        self.b = budget

    def compare(self, category: str, item: str, now: Decimal, label: str | None = None) -> dict[str, Any]:
        c = self.b.comparison(category, item)
        if c is None:
            raise BudgetError(
                f"缺少{category}“{label or item}”的上年预算数", sheet=self.b.sheets.get(layout.COMPARISONS.name),
                file=self.b.source, hint=f"请在“{layout.COMPARISONS.name}”表增加一行：类别“{category}”，项目“{item}”")
        return _change(now, c.last_year, c.reason)


def _code_cells(row: Row) -> dict[str, str]:
    return {"cls": row.code[:3], "kuan": row.code[3:5], "xiang": row.code[5:7]}


def _table_rows(table: Table, keys: tuple[str, ...], total_label: str = "总计") -> list[dict[str, str]]:
    """Rows as printed: the 总计 row first, code split into 类/款/项, zero amounts blank.
    `label` repeats the name for the labelled tables (表11's first column is 项目)."""
    out = []
    if table.total is not None:
        out.append({"cls": "", "kuan": "", "xiang": "", "name": total_label, "label": total_label, "project": "",
                    **{k: fmt_cell(table.total.get(k)) for k in keys}})
    for r in table.rows:
        out.append({**_code_cells(r), "name": r.name, "label": r.name, "project": r.texts.get("project", ""),
                    **{k: fmt_cell(r.get(k)) for k in keys}})
    return out


def _money_keys(spec: layout.TableSpec) -> tuple[str, ...]:
    return tuple(c.key for c in spec.columns if c.kind == layout.MONEY)


def _paired_rows(b_table, items: tuple[tuple[str, str], ...], right_keys: tuple[str, ...]) -> list[dict[str, str]]:
    """表1 / 表4 body: the standard 收入 labels beside the full 功能分类 类 list."""
    from .classification import FUNCTION_CLASSES
    left = [(label, fmt_cell(b_table.income_amount(key))) for key, label in items]
    right = []
    for code, name in FUNCTION_CLASSES:
        row = b_table.expense.get(code)
        right.append((f"{code} {name}", {k: fmt_cell(row.get(k) if row else ZERO) for k in right_keys}))
    rows = []
    for i in range(max(len(left), len(right))):
        l_label, l_amount = left[i] if i < len(left) else ("", "")
        r_label, r_values = right[i] if i < len(right) else ("", {k: "" for k in right_keys})
        rows.append({"in_label": l_label, "in_amount": l_amount, "out_label": r_label, **r_values})
    return rows


def _indicator_rows(indicators: list[Indicator]) -> list[dict[str, str]]:
    rows = []
    for ind in indicators:
        rows.append({
            "level1": ind.level1 or MERGE_UP, "level2": ind.level2 or MERGE_UP, "level3": ind.level3,
            "value": ind.value, "basis": ind.basis, "weight": ind.weight, "last_value": ind.last_value,
            "rule": ind.rule, "evidence": ind.evidence,
        })
    return rows


def _names_with_amount(rows: list[Row], key: str) -> list[str]:
    return [r.name for r in rows if r.get(key) > 0]


def derive(budget: Budget) -> dict[str, Any]:
    """All facts of the report, as plain data for the template."""
    f = _Facts(budget)
    b = budget
    unit = b.unit
    year = unit.year

    # ---- 第一部分 概况
    s = unit.staff
    staff = {
        "quota": s.quota, "actual": s.actual,
        "groups": [
            {"name": name, "now": now, "verb": "减少" if now < last else "增加", "diff": abs(now - last)}
            for name, now, last in (("在职", s.active, s.active_last), ("退休", s.retired, s.retired_last),
                                    ("离休", s.veteran, s.veteran_last))
        ],
    }

    # ---- 第二部分 tables
    t2_keys = _money_keys(layout.T2)
    tables = {
        "t1": {"rows": _paired_rows(b.t1, layout.T1_INCOME_ITEMS, ("out_amount",)),
               "income_total": fmt_cell(b.t1.income_total.get("in_amount")),
               "expense_total": fmt_cell(b.t1.expense_total.get("out_amount"))},
        "t2": {"rows": _table_rows(b.t2, t2_keys)},
        "t3": {"rows": _table_rows(b.t3, _money_keys(layout.T3))},
        "t4": {"rows": _paired_rows(b.t4, layout.T4_INCOME_ITEMS, ("total", "gpb", "fund", "soe")),
               "income_total": fmt_cell(b.t4.income_total.get("in_amount")),
               **{f"expense_{k}": fmt_cell(b.t4.expense_total.get(k)) for k in ("total", "gpb", "fund", "soe")}},
        "t5": {"rows": _table_rows(b.t5, _money_keys(layout.T5))},
        "t6": {"rows": _table_rows(b.t6, _money_keys(layout.T6))},
        "t7": {"rows": _table_rows(b.t7, _money_keys(layout.T7))},
        "t8": {"rows": _table_rows(b.t8, _money_keys(layout.T8)), "empty": b.t8.empty},
        "t9": {"rows": _table_rows(b.t9, _money_keys(layout.T9)), "empty": b.t9.empty},
        "t10": {"rows": [{"label": label, **{k: fmt_cell(_t10(b.t10, key).get(k)) for k in _money_keys(layout.T10)}}
                         for key, label in layout.T10_ITEMS]},
        "t11": {"rows": _table_rows(b.t11, _money_keys(layout.T11), "合计") if not b.t11.empty else [],
                "empty": b.t11.empty},
    }

    # ---- 第三部分 一: 收支总体
    t2_total = b.t2.total.values if b.t2.total else {}
    sources = []
    for key, label, narrative in layout.INCOME_SOURCES:
        amount = t2_total.get(key, ZERO)
        sources.append({"key": key, "label": label, "name": narrative, "amount": fmt(amount),
                        "arranged": amount > 0, "fiscal": key in layout.FISCAL_SOURCES})
    income_total = b.t2.total.get("total") if b.t2.total else ZERO
    for src in sources:
        if src["arranged"]:
            amount = t2_total[src["key"]]
            src["share"] = fmt(percent(amount, income_total))
            src["change"] = f.compare(layout.CMP_INCOME, src["name"], amount, src["name"])
    expense_classes = [r for r in b.t3.rows if r.level == 1 and r.get("total") > 0]

    # ---- 三: 支出
    t3_total = b.t3.total.get("total") if b.t3.total else ZERO
    basic = b.t3.total.get("basic") if b.t3.total else ZERO
    project = b.t3.total.get("project") if b.t3.total else ZERO
    expense = {
        "total": fmt(t3_total),
        "basic": {"amount": fmt(basic), "share": fmt(percent(basic, t3_total)),
                  "change": f.compare(layout.CMP_EXPENSE, "基本支出", basic)},
        "project": {"amount": fmt(project), "share": fmt(percent(project, t3_total)),
                    "change": f.compare(layout.CMP_EXPENSE, "项目支出", project)},
    }

    # ---- 四: 财政拨款总体
    fiscal_sources = []
    for key, label in (("gpb", "一般公共预算"), ("fund", "政府性基金预算"), ("soe", "国有资本经营预算")):
        amount = b.t4.income_amount(key)
        fiscal_sources.append({"key": key, "label": label, "amount": fmt(amount), "arranged": amount > 0})
    spending_by_source = {}
    for key in ("gpb", "fund", "soe"):
        items = []
        for code, row in sorted(b.t4.expense.items()):
            amount = row.get(key)
            if amount > 0:
                items.append({"name": row.name, "amount": fmt(amount), "purpose": b.purposes.get(code, "")})
        spending_by_source[key] = items
    fiscal = {"total": fmt(b.t4.income_total.get("in_amount")), "sources": fiscal_sources,
              "spending": spending_by_source}

    # ---- 五: 一般公共预算当年拨款
    t5_total = b.t5.total.get("total") if b.t5.total else ZERO
    t5_basic = b.t5.total.get("basic") if b.t5.total else ZERO
    t5_project = b.t5.total.get("project") if b.t5.total else ZERO
    names = {r.code: r.name for r in b.t5.rows}
    gpb = {
        "total": fmt(t5_total),
        "basic": {"amount": fmt(t5_basic), "change": f.compare(layout.CMP_GPB_EXPENSE, "基本支出", t5_basic)},
        "project": {"amount": fmt(t5_project), "change": f.compare(layout.CMP_GPB_EXPENSE, "项目支出", t5_project)},
        "classes": [{"name": r.name, "amount": fmt(r.get("total")), "share": fmt(percent(r.get("total"), t5_total))}
                    for r in b.t5.rows if r.level == 1 and r.get("total") > 0],
        "details": [{"cls": names.get(r.code[:3], ""), "kuan": names.get(r.code[:5], ""), "xiang": r.name,
                   "amount": fmt(r.get("total")),
                   "change": f.compare(layout.CMP_FUNCTION, r.code, r.get("total"), f"{r.code} {r.name}")}
                  for r in b.t5.rows if r.level == 3 and r.get("total") > 0],
    }

    # ---- 六: 基本支出
    t6_econ = [r for r in b.t6.rows if r.level == 2]
    basic_detail = {
        "total": fmt(b.t6.total.get("total") if b.t6.total else ZERO),
        "personnel": fmt(b.t6.total.get("personnel") if b.t6.total else ZERO),
        "public": fmt(b.t6.total.get("public") if b.t6.total else ZERO),
        "personnel_items": _names_with_amount(t6_econ, "personnel"),
        "public_items": _names_with_amount(t6_econ, "public"),
    }

    # ---- 七: 项目支出 (order and amounts from 表7, details from 项目信息)
    details = {p.name: p for p in b.projects}
    project_amounts: dict[str, Decimal] = {}
    for r in b.t7.rows:
        name = r.texts.get("project", "")
        if name:
            project_amounts[name] = project_amounts.get(name, ZERO) + r.get("total")
    projects = []
    for i, (name, amount) in enumerate(project_amounts.items(), start=1):
        p = details.get(name)
        if p is None:
            raise BudgetError(f"表7 的项目“{name}”在“{layout.PROJECTS.name}”表中没有说明",
                              file=b.source, sheet=b.sheets.get(layout.PROJECTS.name),
                              hint="请在项目信息表增加该项目的政策依据、资金分配等内容")
        projects.append({
            "number": cn_number(i), "name": name, "amount": fmt(amount), "basis": p.basis,
            "owner_unit": p.owner_unit, "allocation": p.allocation, "period": p.period, "leader": p.leader,
            "goal": p.goal, "fiscal": fmt(p.fiscal), "other": fmt(p.other), "budget": fmt(p.fiscal + p.other),
            "indicators": _indicator_rows(b.project_indicators.get(name, [])),
        })

    # ---- 八/九/十一: 空表 or totals
    def fund_facts(t: Table) -> dict[str, Any]:
        tot = t.total
        return {"empty": t.empty, "total": fmt(tot.get("total") if tot else ZERO),
                "basic": fmt((tot.get("personnel") + tot.get("public")) if tot else ZERO),
                "project": fmt(tot.get("project") if tot else ZERO)}

    t11_total = b.t11.total
    carryover = {"empty": b.t11.empty, "total": fmt(t11_total.get("total") if t11_total else ZERO),
                 "fiscal": fmt(t11_total.get("fiscal") if t11_total else ZERO),
                 "nonfiscal": fmt(t11_total.get("nonfiscal") if t11_total else ZERO)}

    # ---- 十: 三公
    three_items = []
    for key, label in (("abroad", "因公出国（境）费"), ("vehicle_purchase", "公务用车购置费"),
                       ("vehicle_running", "公务用车运行费"), ("reception", "公务接待费")):
        amount = _t10(b.t10, key).get("total")
        three_items.append({"name": label, "amount": fmt(amount),
                            "change": f.compare(layout.CMP_THREE, label, amount)})
    three_total = _t10(b.t10, "total").get("total")
    three = {"total": fmt(three_total), "parts": three_items,
             "change": f.compare(layout.CMP_THREE, "合计", three_total)}

    # ---- 十二: 其他重要事项
    o = b.other
    running = o["running_cost"]
    cars = [("一般公务用车", o["car_official"], o["car_official_value"]),
            ("执法执勤用车", o["car_law"], o["car_law_value"]),
            ("其他车辆", o["car_other"], o["car_other_value"])]
    other = {
        "running": {"name": "事业单位运行经费" if unit.kind.strip() == "事业单位" else "机关运行经费",
                    "amount": fmt(running), "change": f.compare(layout.CMP_RUNNING, "运行经费", running)},
        "procurement": {k: fmt(o[f"procurement_{k}"]) for k in ("total", "goods", "works", "services")}
        | {"sme": fmt(o["sme_reserved"]), "micro": fmt(o["micro_reserved"])},
        "assets": {
            "year": year - 1,
            "house_area": fmt(o["house_area"]), "house_value": fmt(o["house_value"]),
            "cars": sum(c[1] for c in cars), "cars_value": fmt(sum((c[2] for c in cars), ZERO)),
            "car_types": [{"name": n, "count": c, "value": fmt(v)} for n, c, v in cars],
            "furniture": fmt(o["furniture_value"]), "other": fmt(o["other_assets_value"]),
            "equipment_50": o["equipment_50"], "equipment_100": o["equipment_100"],
            "buy_car": fmt(o["buy_car_budget"]), "buy_car_arranged": o["buy_car_budget"] > 0,
            "buy_equipment_50": o["buy_equipment_50"], "buy_equipment_100": o["buy_equipment_100"],
        },
        "performance": {
            "unit_goals": 1 if b.unit_performance.goal else 0,
            "unit_amount": fmt(b.unit_performance.total),
            "projects": len(b.projects),
            "fiscal": fmt(sum((p.fiscal for p in b.projects), ZERO)),
            "nonfiscal": fmt(sum((p.other for p in b.projects), ZERO)),
        },
        "matters": unit.other_matters or "",
    }
    up = b.unit_performance
    unit_perf = {"goal": up.goal, "upper": fmt(up.upper), "own": fmt(up.own), "other": fmt(up.other),
                 "total": fmt(up.total), "indicators": _indicator_rows(up.indicators)}

    return {
        "unit": {"name": unit.name, "code": unit.code, "year": year, "last_year": year - 1,
                 "date": f"{unit.date.year}年{unit.date.month}月{unit.date.day}日", "date_value": unit.date, "functions": unit.functions,
                 "subunits": unit.subunits, "departments": unit.departments, "contact": unit.contact,
                 "phone": unit.phone, "kind": unit.kind},
        "staff": staff,
        "tables": tables,
        "overview": {"total": fmt(b.t1.income_total.get("in_amount")),
                     "income_sources": [s["label"] for s in sources if s["arranged"]],
                     "expense_classes": [r.name for r in expense_classes]},
        "income": {"total": fmt(income_total), "sources": sources},
        "expense": expense,
        "fiscal": fiscal,
        "gpb": gpb,
        "basic": basic_detail,
        "projects": projects,
        "fund": fund_facts(b.t8),
        "soe": fund_facts(b.t9),
        "three": three,
        "carryover": carryover,
        "other": other,
        "unit_performance": unit_perf,
    }


def _t10(t10: Table, key: str) -> Row:
    if key == "total" and t10.total is not None:
        return t10.total
    for r in t10.rows:
        if r.code == key:
            return r
    return Row(0)
