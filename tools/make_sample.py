"""Regenerate inputs/昌吉市城市管理指挥中心2025.xlsx from the published 2025 report (tests/data/reference.txt).

    python tools/make_sample.py [OUTPUT]

Every figure and text is transcribed from the reference, table row for row; the file is byte-identical on rerun.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook

from budgetreport import layout
from budgetreport.init_workbook import (
    class_label, comparison_keys, find_table_row, new_workbook, save_workbook, set_field, write_cell, write_records,
    write_table_rows,
)

ROOT = Path(__file__).resolve().parents[1]
UNIT = "昌吉市城市管理指挥中心"
YEAR = 2025
OUTPUT = ROOT / "inputs" / f"{UNIT}{YEAR}.xlsx"
TIMESTAMP = dt.datetime(2025, 2, 8, 0, 0, 0)

PROJECT = "数字化城市管理系统光纤维护费"
STAFF_REASON = "2025年在职人员减少1人，项目无变动，预算数减少"
PROJECT_REASON = "昌吉市城管指挥中心本年度项目预算安排无变动"
MEDICAL_REASON = "本年度公务员补助缴费比例上涨至4%，大病医疗缴费比例单位部分0.1%，个人部分0.2%"
THREE_REASON = "昌吉市城管指挥中心本年度预算安排较去年无变动"


# --------------------------------------------------------------------------- 单位信息

UNIT_INFO = {
    "name": UNIT,
    "year": YEAR,
    "date": dt.date(2025, 2, 8),
    "kind": "事业单位",
    "functions": (
        "昌吉市城市管理指挥中心职责任务是：负责全市城市管理信息的收集、转办、跟踪、落实，处置城市管理相关的热点、"
        "难点问题，协调城市管理工作中应急事项的预警、调度、反馈等工作；推进城市管理网格化建设，提高应急能力，"
        "承担信息资源整合工作，提高城市管理数字化、网格化、智慧化水平，以及智慧城市的建设工作。"
    ),
    "subunits": 0,
    "departments": "综合办公室、监督维护科、指挥派遣科（12319热线）",
    "staff_quota": 8,
    "staff_actual": 9,
    "staff_active": 8,
    "staff_active_last": 9,
    "staff_retired": 1,
    "staff_retired_last": 0,
    "staff_veteran": 0,
    "staff_veteran_last": 0,
    "contact": "马国英",
    "phone": "13279942039",
    "other_matters": "本单位无其他需说明事项。",
}


# --------------------------------------------------------------------------- 功能分类 tables

def func(code: str, name: str, *amounts: float | None, project: str = "") -> dict[str, object]:
    """A 功能分类 row: code split over 类/款/项 (text), the name, then amounts in column order."""
    return {"cls": code[:3], "kuan": code[3:5] or None, "xiang": code[5:7] or None, "name": name,
            "project": project or None, "_amounts": amounts}


def total(*amounts: float | None) -> dict[str, object]:
    return {"name": "总计", "_amounts": amounts}


def with_amounts(spec: layout.TableSpec, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Spread each row's `_amounts` over the spec's money columns, left to right."""
    money = [c.key for c in spec.columns if c.kind == layout.MONEY]
    out = []
    for row in rows:
        values = {k: v for k, v in row.items() if k != "_amounts"}
        values.update(zip(money, row["_amounts"]))
        out.append(values)
    return out


# 表2: 总计, 财政拨款小计, 一般公共预算 (other sources empty).
T2_ROWS = [
    total(197.31, 197.31, 197.31),
    func("208", "社会保障和就业支出", 16.10, 16.10, 16.10),
    func("20805", "行政事业单位养老支出", 16.10, 16.10, 16.10),
    func("2080505", "机关事业单位基本养老保险缴费支出", 16.10, 16.10, 16.10),
    func("210", "卫生健康支出", 13.69, 13.69, 13.69),
    func("21011", "行政事业单位医疗", 13.69, 13.69, 13.69),
    func("2101102", "事业单位医疗", 9.56, 9.56, 9.56),
    func("2101103", "公务员医疗补助", 4.03, 4.03, 4.03),
    func("2101199", "其他行政事业单位医疗支出", 0.10, 0.10, 0.10),
    func("212", "城乡社区支出", 155.34, 155.34, 155.34),
    func("21201", "城乡社区管理事务", 155.34, 155.34, 155.34),
    func("2120199", "其他城乡社区管理事务支出", 155.34, 155.34, 155.34),
    func("221", "住房保障支出", 12.18, 12.18, 12.18),
    func("22102", "住房改革支出", 12.18, 12.18, 12.18),
    func("2210201", "住房公积金", 12.18, 12.18, 12.18),
]

# 表3 and 表5 (identical here): 合计, 基本支出, 项目支出.
T3_ROWS = [
    total(197.31, 189.31, 8.00),
    func("208", "社会保障和就业支出", 16.10, 16.10, None),
    func("20805", "行政事业单位养老支出", 16.10, 16.10, None),
    func("2080505", "机关事业单位基本养老保险缴费支出", 16.10, 16.10, None),
    func("210", "卫生健康支出", 13.69, 13.69, None),
    func("21011", "行政事业单位医疗", 13.69, 13.69, None),
    func("2101102", "事业单位医疗", 9.56, 9.56, None),
    func("2101103", "公务员医疗补助", 4.03, 4.03, None),
    func("2101199", "其他行政事业单位医疗支出", 0.10, 0.10, None),
    func("212", "城乡社区支出", 155.34, 147.34, 8.00),
    func("21201", "城乡社区管理事务", 155.34, 147.34, 8.00),
    func("2120199", "其他城乡社区管理事务支出", 155.34, 147.34, 8.00),
    func("221", "住房保障支出", 12.18, 12.18, None),
    func("22102", "住房改革支出", 12.18, 12.18, None),
    func("2210201", "住房公积金", 12.18, 12.18, None),
]

# 表7: 项目支出合计, 工资福利支出, 商品和服务支出, …
T7_ROWS = [
    total(8.00, None, 8.00),
    func("212", "城乡社区支出", 8.00, None, 8.00),
    func("21201", "城乡社区管理事务", 8.00, None, 8.00),
    func("2120199", "其他城乡社区管理事务支出", 8.00, None, 8.00, project=PROJECT),
]


# --------------------------------------------------------------------------- 表6 经济分类

def econ(code: str, name: str, *amounts: float | None) -> dict[str, object]:
    return {"cls": code[:3], "kuan": code[3:5] or None, "name": name, "_amounts": amounts}


def personnel(code: str, name: str, amount: float) -> dict[str, object]:
    return econ(code, name, amount, amount, None)


def public(code: str, name: str, amount: float) -> dict[str, object]:
    return econ(code, name, amount, None, amount)


T6_ROWS = [
    {"name": "总计", "_amounts": (189.31, 178.80, 10.51)},
    personnel("301", "工资福利支出", 178.80),
    personnel("30101", "基本工资", 41.54),
    personnel("30102", "津贴补贴", 38.64),
    personnel("30103", "奖金", 21.30),
    personnel("30108", "机关事业单位基本养老保险缴费", 16.10),
    personnel("30110", "职工基本医疗保险缴费", 9.56),
    personnel("30111", "公务员医疗补助缴费", 4.03),
    personnel("30112", "其他社会保障缴费", 0.81),
    personnel("30113", "住房公积金", 12.18),
    personnel("30114", "医疗费", 0.10),
    personnel("30199", "其他工资福利支出", 34.54),
    public("302", "商品和服务支出", 10.51),
    public("30201", "办公费", 2.25),
    public("30202", "印刷费", 0.45),
    public("30204", "手续费", 0.18),
    public("30205", "水费", 0.27),
    public("30206", "电费", 0.27),
    public("30207", "邮电费", 0.18),
    public("30209", "物业管理费", 0.45),
    public("30211", "差旅费", 0.45),
    public("30226", "劳务费", 0.18),
    public("30228", "工会经费", 1.94),
    public("30229", "福利费", 1.22),
    public("30231", "公务用车运行维护费", 2.40),
    public("30239", "其他交通费用", 0.27),
]


# --------------------------------------------------------------------------- 表1, 表4, 表10 (pre-filled labels)

CLASS_AMOUNTS = {"208": 16.10, "210": 13.69, "212": 155.34, "221": 12.18}
CLASS_NAMES = {"208": "社会保障和就业支出", "210": "卫生健康支出", "212": "城乡社区支出", "221": "住房保障支出"}

T1_INCOME = {"一、本年收入": 197.31, "1. 一般公共预算拨款": 197.31, "其中：一般财力": 197.31, "收入总计": 197.31}
T4_INCOME = {"一、财政拨款（补助）": 197.31, "一般公共预算": 197.31, "收入总计": 197.31}
T10_VALUES = {"合计": 2.40, "公务用车购置及运行费（小计）": 2.40, "公务用车运行费": 2.40}


def fill_labelled(wb: Workbook, spec: layout.TableSpec, label_key: str, values: dict[str, dict[str, float]]) -> None:
    """Amounts into the rows `init` pre-filled, found by their label."""
    ws = wb[spec.sheet_name]
    keys = spec.column_keys()
    for label, amounts in values.items():
        row = find_table_row(ws, spec, label_key, label)
        for key, amount in amounts.items():
            write_cell(ws, row, keys.index(key) + 1, amount, layout.MONEY)


def fill_paired_tables(wb: Workbook) -> None:
    t1_out = {class_label(c, CLASS_NAMES[c]): {"out_amount": a} for c, a in CLASS_AMOUNTS.items()}
    fill_labelled(wb, layout.T1, "in_label", {k: {"in_amount": v} for k, v in T1_INCOME.items()})
    fill_labelled(wb, layout.T1, "out_label", {**t1_out, "支出总计": {"out_amount": 197.31}})

    t4_out = {class_label(c, CLASS_NAMES[c]): {"total": a, "gpb": a} for c, a in CLASS_AMOUNTS.items()}
    fill_labelled(wb, layout.T4, "in_label", {k: {"in_amount": v} for k, v in T4_INCOME.items()})
    fill_labelled(wb, layout.T4, "out_label", {**t4_out, "支出总计": {"total": 197.31, "gpb": 197.31}})

    fill_labelled(wb, layout.T10, "label", {k: {"total": v, "gpb": v} for k, v in T10_VALUES.items()})


# --------------------------------------------------------------------------- 上年预算及变动原因

LAST_YEAR: dict[tuple[str, str], tuple[float, str]] = {
    (layout.CMP_INCOME, "一般公共预算"): (206.69, STAFF_REASON),
    (layout.CMP_EXPENSE, "基本支出"): (198.69, STAFF_REASON),
    (layout.CMP_EXPENSE, "项目支出"): (8.00, PROJECT_REASON),
    (layout.CMP_GPB_EXPENSE, "基本支出"): (198.69, STAFF_REASON),
    (layout.CMP_GPB_EXPENSE, "项目支出"): (8.00, PROJECT_REASON),
    (layout.CMP_THREE, "合计"): (2.40, ""),
    (layout.CMP_THREE, "因公出国（境）费"): (0, THREE_REASON),
    (layout.CMP_THREE, "公务用车购置费"): (0, THREE_REASON),
    (layout.CMP_THREE, "公务用车运行费"): (2.40, THREE_REASON),
    (layout.CMP_THREE, "公务接待费"): (0, THREE_REASON),
    (layout.CMP_RUNNING, "运行经费"): (11.21, STAFF_REASON),
}

FUNCTION_LAST_YEAR = [
    ("2080505", "机关事业单位基本养老保险缴费支出", 17.00, STAFF_REASON),
    ("2101102", "事业单位医疗", 10.09, STAFF_REASON),
    ("2101103", "公务员医疗补助", 1.06, MEDICAL_REASON),
    ("2101199", "其他行政事业单位医疗支出", 0.06, MEDICAL_REASON),
    ("2120199", "其他城乡社区管理事务支出", 165.62, STAFF_REASON),
    ("2210201", "住房公积金", 12.86, STAFF_REASON),
]


def comparison_records() -> list[dict[str, object]]:
    """The fixed keys in `init`'s order, with the unit's 功能分类 rows before 三公经费."""
    records: list[dict[str, object]] = []
    for category, item in comparison_keys():
        if category == layout.CMP_THREE and item == layout.THREE_ITEMS[0]:
            records += [{"category": layout.CMP_FUNCTION, "item": code, "name": name, "last_year": amount,
                         "reason": reason} for code, name, amount, reason in FUNCTION_LAST_YEAR]
        amount, reason = LAST_YEAR.get((category, item), (0, ""))
        records.append({"category": category, "item": item, "last_year": amount, "reason": reason})
    return records


# --------------------------------------------------------------------------- 支出用途, 项目, 绩效

PURPOSES = [
    {"code": "208", "name": "社会保障和就业支出", "purpose": "在职人员基本养老保险缴费支出"},
    {"code": "210", "name": "卫生健康支出",
     "purpose": "在职人员基本医疗保险缴费、公务员医疗补助缴费及其他行政事业单位医疗支出"},
    {"code": "212", "name": "城乡社区支出", "purpose": "在职人员工资、津贴、奖金以及项目支出"},
    {"code": "221", "name": "住房保障支出", "purpose": "在职人员住房公积金缴费支出"},
]

PROJECTS = [{
    "name": PROJECT,
    "basis": ("根据昌吉市城市管理指挥中心2025年工作计划，继续加快推进城市运行管理服务平台建设，助力智慧城市建设，"
              "实现城市运行管理服务用数据说话，用数据决策，用数据管理，用数据创新，推动城市治理理念和运行效率提升。"),
    "owner_unit": UNIT,
    "allocation": ("计划用于收集各类城市管理案件、整理、指挥调度等工作的通讯费1.8万元；"
                   "用于昌吉市智慧城市建设工作光纤维护费5万元；机房维护费1.2万元。"),
    "period": "2025年1月1日至12月31日",
    "leader": "马振明",
    "goal": ("昌吉市城市管理指挥中心2024年度预算计划支出8万元，用于全市数字化城市管理、指挥、调度、协调、监督等日常工作，"
             "健全完善城市公共安全应急预案体系，建立城市安全隐患排查治理体系和安全防控体系。依托数字化城市管理系统平台、"
             "利用视频监控系统，提高城市管理案件的发现、处置效率，市民反映问题及时转办相关部门处置，使城市管理更加高效、"
             "便捷。通过此项目的实施，完成数字化城市管理系统平台运行维护，管理好与电信公司12条链路、与联通公司40条链路运行维护。"),
    "fiscal": 8.00,
    "other": 0.00,
}]

UNIT_GOAL = (
    "保障全市数字化城市管理、指挥、调度、协调、监督等日常工作，健全完善城市公共安全应急预案体系，建立城市安全隐患"
    "排查治理体系和安全防控体系。依托数字化城市管理系统平台和12319城管服务热线、12345市长专线，利用视频监控系统，"
    "提高城市管理案件的发现、处置效率，市民反映问题及时转办相关部门处置，使城市管理更加高效、便捷。为配合做好昌吉州"
    "“12345”政府服务热线平台建设工作，按照《昌吉市人民政府办公室关于印发〈昌吉市2020年深化“放管服”改革任务分工"
    "方案〉的通知》(昌市政办发〔2020〕8号)的要求“配合完成昌吉州12345政府服务热线平台建设，将部门热线服务纳入昌吉州"
    "12345热线并投入试运行，2020年7月1日已与昌吉州12345平台对接，完成12345平台转办督办、协调联络、信息共享、"
    "统计分析等工作机制。"
)

UNIT_PERFORMANCE = {"goal": UNIT_GOAL, "upper": 0.00, "own": 197.31, "other": 0.00}

REPORT = "2024年工作汇报及下年工作计划"
SUMMARY = "2024年工作总计及下年工作计划"   # sic, as published

# 一级/二级 left blank where the published table merges the cell with the one above.
UNIT_INDICATORS = [
    ("履职效能", "数量指标", "受理市容环境整治相关方面案件数量", "≤=32174件", REPORT, "20"),
    ("", "数量指标", "受理智慧综治平台案件数量", "≤=100件", REPORT, "15"),
    ("", "数量指标", "受理昌吉市市民服务热线12345转办城市管理案件数量", "≤=5890件", SUMMARY, "15"),
    ("", "数量指标", "安排参与昌吉市“吉事通”整体工作人员数量", "≥=2人", REPORT, "20"),
    ("", "质量指标", "各类受理案件结案率", "≥=95%", SUMMARY, "20"),
]

BY_RATIO = "按照完成比例赋分"
BY_GRADE = "按评判等级赋分"
PROJECT_INDICATORS = [
    ("产出指标", "数量指标", "维护城市指挥大屏数量", "=1块", "计划标准", "1块", "10", BY_RATIO, "工作资料"),
    ("", "", "与电信签约需要维护的链路数量", ">=12条", "计划标准", "5次", "10", BY_RATIO, "原始凭证"),
    ("", "", "与联通签约需要维护的链路数量", ">=40条", "计划标准", "无", "10", BY_RATIO, "原始凭证"),
    ("", "质量指标", "资金使用合规率", "=100%", "计划标准", "100%", "15", BY_RATIO, "工作资料"),
    ("成本指标", "经济成本指标", "与电信签约链路费每月运行维护费", "<=3600元/月", "预算支出标准", "1500元/月", "10",
     BY_RATIO, "原始凭证"),
    ("", "", "与联通签约链路费每月运行维护费", "<=2777元/月", "预算支出标准", "无", "10", BY_RATIO, "原始凭证"),
    ("", "", "月大屏维护费", "<=4040元/月", "预算支出标准", "无", "15", BY_RATIO, "工作资料"),
    ("效益指标", "社会效益指标", "提高城市管理案件处置效率", "逐步提高", "计划标准", "逐步提高", "10", BY_GRADE, "工作资料"),
    ("", "社会效益指标", "提高城市管理精细化水平", "有效提高", "计划标准", "有效提高", "10", BY_GRADE, "工作资料"),
]

# --------------------------------------------------------------------------- 其他重要事项

OTHER_MATTERS = {
    "running_cost": 10.51,
    "procurement_total": 14.18,
    "procurement_goods": 4.10,
    "procurement_works": 0.00,
    "procurement_services": 10.08,
    "sme_reserved": 14.18,
    "micro_reserved": 14.18,
    "house_area": 0.00,
    "house_value": 0.00,
    "car_official": 1,
    "car_official_value": 26.07,
    "car_law": 0,
    "car_law_value": 0.00,
    "car_other": 0,
    "car_other_value": 0.00,
    "furniture_value": 0.64,
    "other_assets_value": 26.82,
    "equipment_50": 0,
    "equipment_100": 0,
    "buy_car_budget": 0.00,
    "buy_equipment_50": 0,
    "buy_equipment_100": 0,
}


# --------------------------------------------------------------------------- build


def records(sheet: layout.RowSheet, rows: list[tuple], prefix: tuple = ()) -> list[dict[str, object]]:
    """Tuples in column order → records by field key."""
    keys = [f.key for f in sheet.columns]
    return [dict(zip(keys, (*prefix, *row))) for row in rows]


def build() -> Workbook:
    wb = new_workbook(UNIT, YEAR)
    for key, value in UNIT_INFO.items():
        set_field(wb[layout.UNIT_INFO.name], layout.UNIT_INFO, key, value)

    fill_paired_tables(wb)
    for spec, rows in ((layout.T2, T2_ROWS), (layout.T3, T3_ROWS), (layout.T5, T3_ROWS), (layout.T6, T6_ROWS),
                       (layout.T7, T7_ROWS)):
        write_table_rows(wb[spec.sheet_name], spec, with_amounts(spec, rows))
    # 表8, 表9, 表11 are published empty: header only. 表10's labels came with the blank workbook.

    write_records(wb[layout.COMPARISONS.name], layout.COMPARISONS, comparison_records())
    write_records(wb[layout.PURPOSES.name], layout.PURPOSES, PURPOSES)
    write_records(wb[layout.PROJECTS.name], layout.PROJECTS, PROJECTS)
    for key, value in UNIT_PERFORMANCE.items():
        set_field(wb[layout.UNIT_PERFORMANCE.name], layout.UNIT_PERFORMANCE, key, value)
    write_records(wb[layout.UNIT_INDICATORS.name], layout.UNIT_INDICATORS, records(layout.UNIT_INDICATORS,
                                                                                    UNIT_INDICATORS))
    write_records(wb[layout.PROJECT_INDICATORS.name], layout.PROJECT_INDICATORS,
                  records(layout.PROJECT_INDICATORS, PROJECT_INDICATORS, prefix=(PROJECT,)))
    for key, value in OTHER_MATTERS.items():
        set_field(wb[layout.OTHER_MATTERS.name], layout.OTHER_MATTERS, key, value)
    return wb


def main(argv: list[str] | None = None) -> Path:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else OUTPUT
    save_workbook(build(), path, TIMESTAMP)
    print(f"已生成 {path}")
    return path


if __name__ == "__main__":
    main()
