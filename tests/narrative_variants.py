"""Variant workbooks for the narrative (issue 14): a compact description of a unit's budget → a consistent standard
workbook (every table agrees with every other, as the checks require), and → the sentences 第三部分 must print.

The workbook is written with the sample's own texts (tools/make_sample.py) and the blank workbook's layout
(init_workbook); the expected sentences are composed here from the description alone, with Decimal arithmetic
rounded half-up — never from budgetreport's derive, facts or templates.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from budgetreport import layout
from budgetreport.init_workbook import (
    class_label, find_table_row, new_workbook, save_workbook, set_field, write_cell, write_records, write_table_rows)

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_sample", ROOT / "tools" / "make_sample.py")
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)

D = Decimal
Z = D("0")
CENT = D("0.01")


def q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def s(x: Decimal) -> str:
    return f"{q(x):.2f}"


def pct(part: Decimal, whole: Decimal) -> str:
    return "0.00" if whole == 0 else s(part * 100 / whole)


# 类, 款, 项 names of the codes the variants use
NAMES = {
    "2010301": ("一般公共服务支出", "政府办公厅（室）及相关机构事务", "行政运行"),
    "2080505": ("社会保障和就业支出", "行政事业单位养老支出", "机关事业单位基本养老保险缴费支出"),
    "2101102": ("卫生健康支出", "行政事业单位医疗", "事业单位医疗"),
    "2120199": ("城乡社区支出", "城乡社区管理事务", "其他城乡社区管理事务支出"),
    "2120803": ("城乡社区支出", "国有土地使用权出让收入安排的支出", "城市建设支出"),
    "2210201": ("住房保障支出", "住房改革支出", "住房公积金"),
    "2230199": ("国有资本经营预算支出", "解决历史遗留问题及改革成本支出", "其他解决历史遗留问题及改革成本支出"),
}
PURPOSE = {"201": "机关日常运转", "208": "在职人员基本养老保险缴费支出", "210": "在职人员基本医疗保险缴费",
           "212": "在职人员工资、津贴、奖金以及项目支出", "221": "在职人员住房公积金缴费支出", "223": "改革成本支出"}
FUND_PURPOSE = {"212": "城市基础设施建设", "221": "保障性住房建设"}
SOE_PURPOSE = {"223": "解决历史遗留问题"}

SOURCES = ("gpb", "fund", "soe", "unit_funds", "carryover", "other_carryover")   # the 表2 columns a line can use
SOURCE_NAMES = {"gpb": "一般公共预算", "gpb_transfer": "上级一般公共预算安排的转移支付资金", "fund": "政府性基金预算",
                "fund_transfer": "上级政府性基金安排的转移支付资金", "soe": "国有资本经营预算",
                "soe_transfer": "上级国有资本经营预算安排的转移支付资金", "special": "财政专户管理资金",
                "unit_funds": "单位资金", "carryover": "上年财政拨款结转", "other_carryover": "上年非财政拨款结转结余"}
SOURCE_ORDER = tuple(SOURCE_NAMES)
FISCAL = {"gpb", "gpb_transfer", "fund", "fund_transfer", "soe", "soe_transfer"}
THREE = ("因公出国（境）费", "公务用车购置费", "公务用车运行费", "公务接待费")


@dataclass
class Line:
    """One 功能分类 项 of this year: (基本支出, 项目支出) by source; 一般公共预算 项目支出 by project (表7)."""
    code: str
    gpb: tuple[str, str] = ("0", "0")
    fund: tuple[str, str] = ("0", "0")
    soe: tuple[str, str] = ("0", "0")
    unit_funds: tuple[str, str] = ("0", "0")
    carryover: tuple[str, str] = ("0", "0")
    other_carryover: tuple[str, str] = ("0", "0")
    projects: dict[str, str] = field(default_factory=dict)     # 表7: project name → its 一般公共预算 amount here
    last: str = "0"                                           # last year's 一般公共预算 of this 项
    reason: str = "人员调整"

    def part(self, source: str, i: int) -> Decimal:
        return D(getattr(self, source)[i])

    def amount(self, source: str) -> Decimal:
        return self.part(source, 0) + self.part(source, 1)

    def total(self, i: int | None = None) -> Decimal:
        return sum((self.part(src, i) if i is not None else self.amount(src) for src in SOURCES), Z)


@dataclass
class Project:
    name: str
    fiscal: str
    other: str = "0"


@dataclass
class Variant:
    name: str
    lines: list[Line]
    projects: list[Project] = field(default_factory=list)
    unit: str = "变体测试单位"
    year: int = 2025
    kind: str = "事业单位"
    last: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)   # (类别, 项目) → (上年, 原因)
    gone: dict[str, tuple[str, str]] = field(default_factory=dict)  # 功能分类 项 of last year, none this year
    three: dict[str, str] = field(default_factory=dict)             # 三公 item → this year
    public: str = "0.20"                                            # share of 基本支出 that is 公用经费
    procurement: tuple[str, str, str] = ("4.10", "0", "10.08")
    fund_purposes: bool = True

    # ---- figures every table and sentence derives from
    def src_total(self, source: str) -> Decimal:
        return sum((ln.amount(source) for ln in self.lines if source in SOURCES), Z)

    @property
    def total(self) -> Decimal:
        return sum((ln.total() for ln in self.lines), Z)

    def classes(self, source: str | None = None) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for ln in sorted(self.lines, key=lambda x: x.code):
            amount = ln.total() if source is None else ln.amount(source)
            out[ln.code[:3]] = out.get(ln.code[:3], Z) + amount
        return {k: v for k, v in out.items() if v > 0}

    @property
    def basic_gpb(self) -> Decimal:
        return sum((ln.part("gpb", 0) for ln in self.lines), Z)

    @property
    def public_amount(self) -> Decimal:
        return q(self.basic_gpb * D(self.public))

    @property
    def personnel_amount(self) -> Decimal:
        return self.basic_gpb - self.public_amount

    def three_amount(self, item: str) -> Decimal:
        return D(self.three.get(item, "0"))

    @property
    def vehicle_running(self) -> Decimal:
        return self.three_amount("公务用车运行费")

    def last_of(self, category: str, item: str) -> tuple[Decimal, str]:
        amount, reason = self.last.get((category, item), ("0", ""))
        return q(D(amount)), reason            # the reader rounds every amount to 2 places, half-up

    def t7(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for ln in sorted(self.lines, key=lambda x: x.code):
            for name, amount in ln.projects.items():
                out[name] = out.get(name, Z) + D(amount)
        return out


# --------------------------------------------------------------------------- the workbook


def _func_rows(v: Variant, values) -> list[dict]:
    """类/款/项 rows (and a 总计 row first) of a 功能分类 table; values(line) → {column: Decimal} of a 项."""
    per_line = {ln.code: values(ln) for ln in v.lines}
    per_line = {c: vals for c, vals in per_line.items() if any(x != 0 for x in vals.values())}
    if not per_line:
        return []
    keys = next(iter(per_line.values())).keys()

    def summed(prefix: str) -> dict:
        return {k: sum((vals[k] for c, vals in per_line.items() if c.startswith(prefix)), Z) for k in keys}

    rows = [{"name": "总计", **summed("")}]
    for cls in sorted({c[:3] for c in per_line}):
        rows.append({"cls": cls, "name": NAMES[next(c for c in per_line if c.startswith(cls))][0], **summed(cls)})
        for kuan in sorted({c[:5] for c in per_line if c.startswith(cls)}):
            rows.append({"cls": cls, "kuan": kuan[3:], "name": NAMES[next(c for c in per_line if c.startswith(kuan))][1],
                         **summed(kuan)})
            for code in sorted(c for c in per_line if c.startswith(kuan)):
                rows.append({"cls": cls, "kuan": kuan[3:], "xiang": code[5:], "name": NAMES[code][2], **per_line[code]})
    return rows


def _t7_rows(v: Variant) -> list[dict]:
    rows = _func_rows(v, lambda ln: {"total": sum((D(a) for a in ln.projects.values()), Z)})
    out = []
    for r in rows:
        code = r.get("cls", "") + r.get("kuan", "") + r.get("xiang", "")
        line = next((ln for ln in v.lines if ln.code == code), None)
        if line is not None:               # a 项 row per project
            for name, amount in line.projects.items():
                out.append({**r, "project": name, "total": D(amount), "e302": D(amount)})
        else:
            out.append({**r, "e302": r["total"]})
    return out


def _money(values: dict) -> dict:
    return {k: (float(x) if isinstance(x, Decimal) else x) for k, x in values.items()}


def _fill_labelled(wb, spec: layout.TableSpec, label_key: str, values: dict[str, dict]) -> None:
    ws = wb[spec.sheet_name]
    keys = spec.column_keys()
    for label, amounts in values.items():
        row = find_table_row(ws, spec, label_key, label)
        for key, amount in amounts.items():
            if amount:
                write_cell(ws, row, keys.index(key) + 1, float(amount), layout.MONEY)


def _tables(wb, v: Variant) -> None:
    def two(ln: Line) -> dict:
        vals = {src: ln.amount(src) for src in SOURCES}
        fiscal = vals["gpb"] + vals["fund"] + vals["soe"]
        return {"total": ln.total(), "fiscal": fiscal, "gpb": vals["gpb"], "fund": vals["fund"], "soe": vals["soe"],
                "unit_funds": vals["unit_funds"], "carryover": vals["carryover"],
                "other_carryover": vals["other_carryover"]}

    tables = {
        layout.T2: _func_rows(v, two),
        layout.T3: _func_rows(v, lambda ln: {"total": ln.total(), "basic": ln.total(0), "project": ln.total(1)}),
        layout.T5: _func_rows(v, lambda ln: {"total": ln.amount("gpb"), "basic": ln.part("gpb", 0),
                                             "project": ln.part("gpb", 1)}),
        layout.T7: _t7_rows(v),
        layout.T8: _func_rows(v, lambda ln: {"total": ln.amount("fund"), "personnel": ln.part("fund", 0),
                                             "public": Z, "project": ln.part("fund", 1)}),
        layout.T9: _func_rows(v, lambda ln: {"total": ln.amount("soe"), "personnel": ln.part("soe", 0),
                                             "public": Z, "project": ln.part("soe", 1)}),
    }
    for spec, rows in tables.items():
        write_table_rows(wb[spec.sheet_name], spec, [_money(r) for r in rows])
    write_table_rows(wb[layout.T6.sheet_name], layout.T6, [_money(r) for r in _t6_rows(v)])
    carry, other_carry = v.src_total("carryover"), v.src_total("other_carryover")
    if carry or other_carry:
        row = {"total": carry + other_carry, "fiscal": carry, "fiscal_project": carry, "nonfiscal": other_carry,
               "nonfiscal_project": other_carry}
        write_table_rows(wb[layout.T11.sheet_name], layout.T11,
                         [_money({"label": "合计", **row}), _money({"label": "结转项目", **row})])
    _paired_and_three(wb, v)


def _t6_rows(v: Variant) -> list[dict]:
    if v.basic_gpb == 0:
        return []
    personnel, public = v.personnel_amount, v.public_amount
    running = min(v.vehicle_running, public)
    rows = [{"name": "总计", "total": v.basic_gpb, "personnel": personnel, "public": public}]
    if personnel:
        rows += [{"cls": "301", "name": "工资福利支出", "total": personnel, "personnel": personnel},
                 {"cls": "301", "kuan": "01", "name": "基本工资", "total": personnel, "personnel": personnel}]
    if public:
        rows.append({"cls": "302", "name": "商品和服务支出", "total": public, "public": public})
        if public - running:
            rows.append({"cls": "302", "kuan": "01", "name": "办公费", "total": public - running, "public": public - running})
        if running:
            rows.append({"cls": "302", "kuan": "31", "name": "公务用车运行维护费", "total": running, "public": running})
    return rows


def _paired_and_three(wb, v: Variant) -> None:
    g, f, o = v.src_total("gpb"), v.src_total("fund"), v.src_total("soe")
    u, c, n = v.src_total("unit_funds"), v.src_total("carryover"), v.src_total("other_carryover")
    this_year = g + f + o + u
    t1_in = {"一、本年收入": this_year, "1. 一般公共预算拨款": g, "其中：一般财力": g, "2. 政府性基金预算拨款": f,
             "其中：政府性基金收入": f, "3. 国有资本经营预算拨款": o, "其中：国有资本经营收入": o, "5. 单位资金": u,
             "其中：事业收入": u, "二、上年结转结余": c + n, "1. 财政拨款结转": c, "其中：一般公共预算拨款": c,
             "2. 非财政拨款结转结余": n, "单位资金": n, "收入总计": v.total}
    all_classes = v.classes()
    names = {code[:3]: NAMES[code][0] for code in NAMES}
    _fill_labelled(wb, layout.T1, "in_label", {k: {"in_amount": x} for k, x in t1_in.items()})
    _fill_labelled(wb, layout.T1, "out_label", {**{class_label(c3, names[c3]): {"out_amount": x}
                                                   for c3, x in all_classes.items()},
                                                "支出总计": {"out_amount": v.total}})
    fiscal = {c3: {"total": Z, "gpb": Z, "fund": Z, "soe": Z} for c3 in names}
    for ln in v.lines:
        for key in ("gpb", "fund", "soe"):
            fiscal[ln.code[:3]][key] += ln.amount(key)
            fiscal[ln.code[:3]]["total"] += ln.amount(key)
    t4_in = {"一、财政拨款（补助）": g + f + o, "一般公共预算": g, "政府性基金预算": f, "国有资本经营预算": o,
             "收入总计": g + f + o}
    _fill_labelled(wb, layout.T4, "in_label", {k: {"in_amount": x} for k, x in t4_in.items()})
    _fill_labelled(wb, layout.T4, "out_label", {**{class_label(c3, names[c3]): vals for c3, vals in fiscal.items()
                                                   if vals["total"]},
                                                "支出总计": {"total": g + f + o, "gpb": g, "fund": f, "soe": o}})
    a, p, r, h = (v.three_amount(x) for x in THREE)
    t10 = {"合计": a + p + r + h, "因公出国（境）费": a, "公务接待费": h, "公务用车购置及运行费（小计）": p + r,
           "其中：公务用车购置费": p, "公务用车运行费": r}
    _fill_labelled(wb, layout.T10, "label", {k: {"total": x, "gpb": x} for k, x in t10.items()})


def _sheets(wb, v: Variant) -> None:
    info = {**sample.UNIT_INFO, "name": v.unit, "year": v.year, "kind": v.kind}
    for key, value in info.items():
        set_field(wb[layout.UNIT_INFO.name], layout.UNIT_INFO, key, value)
    records = []
    for key in SOURCE_ORDER:
        amount, reason = v.last_of(layout.CMP_INCOME, SOURCE_NAMES[key])
        records.append({"category": layout.CMP_INCOME, "item": SOURCE_NAMES[key], "last_year": float(amount),
                        "reason": reason})
    for category in (layout.CMP_EXPENSE, layout.CMP_GPB_EXPENSE, layout.CMP_THREE, layout.CMP_RUNNING):
        items = {layout.CMP_THREE: ("合计", *THREE), layout.CMP_RUNNING: ("运行经费",)}.get(category,
                                                                                       ("基本支出", "项目支出"))
        for item in items:
            amount, reason = v.last_of(category, item)
            records.append({"category": category, "item": item, "last_year": float(amount), "reason": reason})
    for ln in v.lines:
        if ln.amount("gpb") > 0:
            records.append({"category": layout.CMP_FUNCTION, "item": ln.code, "last_year": float(D(ln.last)),
                            "reason": ln.reason})
    for code, (amount, reason) in v.gone.items():
        records.append({"category": layout.CMP_FUNCTION, "item": code, "last_year": float(D(amount)),
                        "reason": reason})
    write_records(wb[layout.COMPARISONS.name], layout.COMPARISONS, records)
    purposes = []
    for c3 in sorted({ln.code[:3] for ln in v.lines}):
        purposes.append({"code": c3, "name": NAMES[next(c for c in NAMES if c.startswith(c3))][0],
                         "purpose": PURPOSE[c3],
                         "fund_purpose": FUND_PURPOSE.get(c3) if v.fund_purposes else None,
                         "soe_purpose": SOE_PURPOSE.get(c3)})
    write_records(wb[layout.PURPOSES.name], layout.PURPOSES, purposes)
    write_records(wb[layout.PROJECTS.name], layout.PROJECTS, [_project_record(v, p) for p in v.projects])
    indicators = [dict(zip([f.key for f in layout.PROJECT_INDICATORS.columns],
                           (p.name, "产出指标", "数量指标", f"{p.name}完成数量", "=1项", "计划标准", "1项", "100",
                            "按照完成比例赋分", "工作资料"))) for p in v.projects]
    write_records(wb[layout.PROJECT_INDICATORS.name], layout.PROJECT_INDICATORS, indicators)
    write_records(wb[layout.UNIT_INDICATORS.name], layout.UNIT_INDICATORS,
                  sample.records(layout.UNIT_INDICATORS, sample.UNIT_INDICATORS))
    perf = {"goal": sample.UNIT_GOAL, "upper": 0.0, "own": float(v.total), "other": 0.0}
    for key, value in perf.items():
        set_field(wb[layout.UNIT_PERFORMANCE.name], layout.UNIT_PERFORMANCE, key, value)
    goods, works, services = (D(x) for x in v.procurement)
    other = {**sample.OTHER_MATTERS, "running_cost": float(v.public_amount),
             "procurement_total": float(goods + works + services), "procurement_goods": float(goods),
             "procurement_works": float(works), "procurement_services": float(services),
             "sme_reserved": float(goods + works + services), "micro_reserved": float(goods)}
    for key, value in other.items():
        set_field(wb[layout.OTHER_MATTERS.name], layout.OTHER_MATTERS, key, value)


def _project_record(v: Variant, p: Project) -> dict:
    texts = {"basis": f"依据《{p.name}实施方案》", "owner_unit": v.unit, "allocation": f"{p.name}资金按进度拨付",
             "period": f"{v.year}年1月1日至12月31日", "leader": "张三", "goal": f"完成{p.name}的年度任务。"}
    return {"name": p.name, **texts, "fiscal": float(D(p.fiscal)), "other": float(D(p.other))}


def write_variant(v: Variant, path: Path) -> Path:
    wb = new_workbook(v.unit, v.year)
    _tables(wb, v)
    _sheets(wb, v)
    save_workbook(wb, path)
    return path


# --------------------------------------------------------------------------- the sentences 第三部分 must print


def _change(now: Decimal, last: Decimal, reason: str) -> str:
    """比上年预算…: docs/wording.md, "比上年"."""
    diff = now - last
    verb, trend = ("减少", "下降") if diff < 0 else ("增加", "增长")
    if last == 0 and now > 0:
        text = f"{verb}{s(abs(diff))}万元，上年未安排该项预算"
    else:
        text = f"{verb}{s(abs(diff))}万元，{trend}{pct(abs(diff), last)}%"
    return text + (f"，主要原因是{reason}" if reason else "")


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1]


def _sentence(text: str) -> str:
    return text if text.endswith(("。", "！", "？", "”")) else text + "。"


def _includes(lead: str, items: list[str], none: str) -> str:
    """"收入预算包括：甲、乙。" — or, when there is nothing to list, the sentence saying so."""
    return lead + "、".join(items) + "。" if items else none


def expected_part3(v: Variant) -> list[str]:
    """Every paragraph of 第三部分 (headings included, table cells excluded), in order."""
    U, Y = v.unit, v.year
    out = [f"第三部分{Y}年单位预算情况说明"]
    out += _sections_1_to_4(v)
    out += _sections_5_to_7(v)
    out += _sections_8_to_11(v)
    out += _section_12(v)
    return out


def _sections_1_to_4(v: Variant) -> list[str]:
    U, Y = v.unit, v.year
    total = v.total
    amounts = {key: v.src_total(key) if key in SOURCES else Z for key in SOURCE_ORDER}
    cls_names = {code[:3]: NAMES[code][0] for code in NAMES}
    out = [f"一、关于{U}{Y}年收支预算情况总体说明",
           f"按照全口径预算的原则，{U}{Y}年所有收入和支出均纳入单位预算管理。收支总预算{s(total)}万元。",
           _includes("收入预算包括：", [SOURCE_NAMES[k] for k in SOURCE_ORDER if amounts[k] > 0], "本年没有安排收入预算。"),
           _includes("支出预算包括：", [cls_names[c] for c in v.classes()], "本年没有安排支出预算。"),
           f"二、关于{U}{Y}年收入预算情况说明", f"{U}单位收入预算{s(total)}万元，其中："]
    for key in SOURCE_ORDER:
        name, now = SOURCE_NAMES[key], amounts[key]
        last, reason = v.last_of(layout.CMP_INCOME, name)
        if now > 0:
            out.append(f"{name}{s(now)}万元，占{pct(now, total)}%，比上年预算{_change(now, last, reason)}。")
        elif last > 0:
            out.append(f"{name}未安排，比上年预算{_change(now, last, reason)}。")
        elif key in FISCAL:
            out.append(f"{name}未安排。")
    out.append(f"三、关于{U}{Y}年支出预算情况说明")
    basic = sum((ln.total(0) for ln in v.lines), Z)
    project = sum((ln.total(1) for ln in v.lines), Z)
    out.append(f"{U}{Y}年支出预算{s(total)}万元，其中：")
    for name, now in (("基本支出", basic), ("项目支出", project)):
        last, reason = v.last_of(layout.CMP_EXPENSE, name)
        out.append(f"{name}{s(now)}万元，占{pct(now, total)}%，比上年预算{_change(now, last, reason)}。")
    out.append(f"四、关于{U}{Y}年财政拨款收支预算情况的总体说明")
    funds = (("gpb", "一般公共预算"), ("fund", "政府性基金预算"), ("soe", "国有资本经营预算"))
    fiscal = {key: v.src_total(key) for key, _ in funds}
    out.append(f"{Y}年财政拨款收支总预算{s(sum(fiscal.values(), Z))}万元。")
    present = [label for key, label in funds if fiscal[key] > 0]
    absent = [label + ("" if key == "soe" else "拨款") for key, label in funds if fiscal[key] == 0]
    text = ("收入全部为" if len(present) == 1 else "收入包括") + _and([p + "拨款" for p in present])
    out.append(text + (f"，无{_and(absent)}" if absent else "") + "。")
    out.append(_includes("收入预算包括：", [f"{label}拨款{s(fiscal[key])}万元" for key, label in funds if fiscal[key] > 0],
                         "本年没有安排财政拨款收入预算。"))
    purposes = {"gpb": PURPOSE, "fund": FUND_PURPOSE if v.fund_purposes else {}, "soe": SOE_PURPOSE}
    for key, label in funds:
        spending = v.classes(key)
        if spending:
            parts = [f"{cls_names[c]}{s(x)}万元" + (f"，主要用于{purposes[key][c]}" if purposes[key].get(c) else "")
                     for c, x in spending.items()]
            out.append(f"{label}支出包括：" + "；".join(parts) + "。")
    return out


def _sections_5_to_7(v: Variant) -> list[str]:
    U, Y = v.unit, v.year
    gpb = v.src_total("gpb")
    out = [f"五、关于{U}{Y}年一般公共预算当年拨款情况说明", "（一）一般公共预算当年拨款规模变化情况",
           f"{U}{Y}年一般公共预算拨款合计{s(gpb)}万元，其中："]
    for i, name in enumerate(("基本支出", "项目支出")):
        now = sum((ln.part("gpb", i) for ln in v.lines), Z)
        last, reason = v.last_of(layout.CMP_GPB_EXPENSE, name)
        out.append(f"{name}{s(now)}万元，比上年预算{_change(now, last, reason)}。")
    out.append("（二）一般公共预算当年拨款结构情况")
    cls_names = {code[:3]: NAMES[code][0] for code in NAMES}
    for i, (c, x) in enumerate(v.classes("gpb").items(), start=1):
        out.append(f"{i}、{cls_names[c]}（类）{s(x)}万元，占{pct(x, gpb)}%。")
    if not v.classes("gpb"):
        out.append(f"{U}{Y}年没有一般公共预算当年拨款。")
    out.append("（三）一般公共预算当年拨款具体使用情况")
    lines = [ln for ln in sorted(v.lines, key=lambda x: x.code) if ln.amount("gpb") > 0]
    for i, ln in enumerate(lines, start=1):
        cls, kuan, xiang = NAMES[ln.code]
        now = ln.amount("gpb")
        out.append(f"{i}、{cls}（类）{kuan}（款）{xiang}（项）：{Y}年预算数为{s(now)}万元，"
                   f"比上年预算{_change(now, D(ln.last), ln.reason)}。")
    if not lines:
        out.append(f"{U}{Y}年没有一般公共预算当年拨款安排的支出。")
    out.append(f"六、关于{U}{Y}年一般公共预算基本支出情况说明")
    out.append(f"{U}{Y}年一般公共预算基本支出{s(v.basic_gpb)}万元，其中：")
    running = min(v.vehicle_running, v.public_amount)
    personnel_items = ["基本工资"] if v.personnel_amount else []
    public_items = (["办公费"] if v.public_amount - running else []) + (["公务用车运行维护费"] if running else [])
    for name, x, items in (("人员经费", v.personnel_amount, personnel_items), ("公用经费", v.public_amount, public_items)):
        out.append(f"{name}{s(x)}万元" + (f"，主要包括：{'、'.join(items)}" if items else "") + "。")
    out.append(f"七、关于{U}{Y}年一般公共预算项目支出情况说明")
    t7 = v.t7()
    for i, (name, x) in enumerate(t7.items(), start=1):
        p = next(p for p in v.projects if p.name == name)
        rec = _project_record(v, p)
        out += [f"（{'一二三四五六七八九'[i - 1]}）项目名称：{name}", f"设立的政策依据：{_sentence(rec['basis'])}",
                f"预算安排规模：{s(x)}万元", f"项目承担单位：{U}", f"资金分配情况：{_sentence(rec['allocation'])}",
                f"资金执行时间：{_sentence(rec['period'])}"]
    if not t7:
        out.append(f"{U}{Y}年没有使用一般公共预算拨款安排的项目支出，一般公共预算项目支出情况表为空表。")
    return out


def _sections_8_to_11(v: Variant) -> list[str]:
    U, Y = v.unit, v.year
    out = []
    for number, key, name, table in (("八", "fund", "政府性基金预算", "政府性基金预算支出情况表"),
                                     ("九", "soe", "国有资本经营预算", "国有资本经营预算支出情况表")):
        out.append(f"{number}、关于{U}{Y}年{name}拨款情况说明")
        total = v.src_total(key)
        if total == 0:
            out.append(f"{U}{Y}年没有使用{name}拨款安排的支出，{table}为空表。")
        else:
            basic = sum((ln.part(key, 0) for ln in v.lines), Z)
            project = sum((ln.part(key, 1) for ln in v.lines), Z)
            out.append(f"{U}{Y}年{name}拨款支出{s(total)}万元，其中：基本支出{s(basic)}万元，项目支出{s(project)}万元。")
    out.append(f"十、关于{U}{Y}年财政拨款“三公”经费预算情况说明")
    amounts = {item: v.three_amount(item) for item in THREE}
    total = sum(amounts.values(), Z)
    out.append(f"{U}{Y}年财政拨款“三公”经费数为{s(total)}万元，其中："
               + "，".join(f"{item}{s(x)}万元" for item, x in amounts.items()) + "。")
    last, reason = v.last_of(layout.CMP_THREE, "合计")
    parts = []
    for item, x in amounts.items():
        item_last, item_reason = v.last_of(layout.CMP_THREE, item)
        parts.append(f"{item}{_change(x, item_last, item_reason)}")
    out.append(f"{Y}年财政拨款“三公”经费预算比上年预算{_change(total, last, reason)}，其中：" + "；".join(parts) + "。")
    out.append(f"十一、关于{U}{Y}年上年结转结余预算情况说明")
    carry, other = v.src_total("carryover"), v.src_total("other_carryover")
    if carry + other == 0:
        out.append(f"{U}{Y}年没有上年结转结余预算安排的支出，上年结转结余情况明细表为空表。")
    else:
        out.append(f"{U}{Y}年上年结转结余预算安排支出{s(carry + other)}万元，其中：财政拨款结转{s(carry)}万元，"
                   f"非财政拨款结转结余{s(other)}万元。")
    return out


def _section_12(v: Variant) -> list[str]:
    U, Y = v.unit, v.year
    running_name = "事业单位运行经费" if v.kind == "事业单位" else "机关运行经费"
    last, reason = v.last_of(layout.CMP_RUNNING, "运行经费")
    out = ["十二、其他重要事项的情况说明", "（一）单位运行经费情况",
           f"{U}{Y}年的{running_name}财政拨款预算{s(v.public_amount)}万元，"
           f"比上年预算{_change(v.public_amount, last, reason)}。", "（二）政府采购情况"]
    goods, works, services = (D(x) for x in v.procurement)
    total = goods + works + services
    if total:
        out += [f"{Y}年，{U}政府采购预算{s(total)}万元，其中：政府采购货物预算{s(goods)}万元，政府采购工程预算"
                f"{s(works)}万元，政府采购服务预算{s(services)}万元。",
                f"{Y}年，{U}面向中小企业预留政府采购项目预算金额{s(total)}万元，小微企业预留政府采购项目预算金额"
                f"{s(goods)}万元。"]
    else:
        out.append(f"{Y}年，{U}未安排政府采购预算。")
    out += ["（三）国有资产占用使用情况", f"截至{Y - 1}年底，{U}占用使用国有资产总体情况为：",
            "1.房屋0.00平方米，价值0.00万元。",
            "2.车辆1辆，价值26.07万元；其中：一般公务用车1辆，价值26.07万元；执法执勤用车0辆，价值0.00万元；"
            "其他车辆0辆，价值0.00万元。", "3.办公家具价值0.64万元。", "4.其他资产价值26.82万元。",
            "单位价值50万元以上大型设备0台，单位价值100万元以上大型设备0台。",
            f"{Y}年单位预算未安排购置车辆经费，安排购置50万元以上大型设备0台，单位价值100万元以上大型设备0台。",
            "（四）预算绩效情况"]
    text = f"{Y}年，本单位预算绩效管理整体预算绩效目标1个，涉及预算金额{s(v.total)}万元；"
    if v.projects:
        fiscal = sum((D(p.fiscal) for p in v.projects), Z)
        other = sum((D(p.other) for p in v.projects), Z)
        text += (f"当年预算安排项目共{len(v.projects)}个，其中：财政拨款项目涉及预算金额{s(fiscal)}万元；"
                 f"非财政拨款项目涉及预算金额{s(other)}万元。")
    else:
        text += "当年预算未安排项目，无项目支出绩效目标。"
    out += [text + "具体情况见下表：", "单位整体绩效目标表", f"（{Y}年）"]
    for _p in v.projects:
        out += ["项目支出绩效目标表", f"（{Y}年）"]
    out += ["（五）其他需说明的事项", "本单位无其他需说明事项。"]
    return out
