"""Issue 15 item 1: one run lists every finding — the reader's (missing facts, wrong cells) and the rules' on
everything that could be read — and a blank `init` workbook reaches a clean check after one round of fixes."""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport import layout
from budgetreport.checks import RULES, check_workbook
from budgetreport.cli import app
from budgetreport.errors import BudgetError
from budgetreport.findings import ERROR, READ_RULES, FindingsError
from budgetreport.init_workbook import write_blank_workbook
from budgetreport.read import read_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
runner = CliRunner()

INFO, PERF, OTHER, CMP = "单位信息", "单位整体绩效目标", "其他重要事项", "上年预算及变动原因"
T3, T5, T6 = "表3 单位支出总体情况表", "表5 一般公共预算支出情况表", "表6 一般公共预算基本支出情况表"


def table(wb, n: int):
    return next(ws for ws in wb.worksheets if re.match(rf"^表{n}\s", ws.title))


def check_json(path: Path) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


# --------------------------------------------------------------------------- the blank workbook


def expected_missing(wb: openpyxl.Workbook) -> set[tuple[str, str]]:
    """Every fact a blank workbook lacks, from layout.py and the blank workbook's own cells (not from the reader):
    a key/value sheet's required text/count/date rows with an empty column B, and every pre-filled 上年预算 row."""
    missing = set()
    for sheet in layout.KEY_VALUE_SHEETS:
        ws = wb[sheet.name]
        for row, f in enumerate(sheet.fields, start=2):
            assert ws.cell(row=row, column=1).value == f.label
            if f.required and f.kind != layout.MONEY and ws.cell(row=row, column=2).value in (None, ""):
                missing.add((sheet.name, f"B{row}"))
    ws = wb[CMP]
    last_year = 1 + [f.key for f in layout.COMPARISONS.columns].index("last_year")
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=1).value:
            missing.add((CMP, f"{openpyxl.utils.get_column_letter(last_year)}{row}"))
    return missing


@pytest.mark.parametrize("unit, year", [("测试单位", 2026), (None, None), ("某局", None), (None, 2030)])
def test_blank_workbook_lists_every_missing_fact_in_one_run(tmp_path, unit, year):
    path = tmp_path / "新.xlsx"
    write_blank_workbook(path, unit=unit, year=year)
    expected = expected_missing(openpyxl.load_workbook(path))
    assert len(expected) >= 40 + (unit is None) + (year is None)
    code, data = check_json(path)
    assert code == 1
    errors = {(f["sheet"], f["cell"]) for f in data["findings"] if f["level"] == ERROR}
    assert errors == expected
    assert {f["rule"] for f in data["findings"]} == {"R-MISSING"}
    assert data["errors"] == len(expected) and data["warnings"] == 0
    # the text output names every one of them, and says how many
    text = runner.invoke(app, ["check", str(path)]).output
    for sheet, cell in expected:
        assert f"{sheet}!{cell}" in text
    assert f"{len(expected)} 处错误" in text


def _value_for(ws, cell: str, year: int):
    """What a clerk types into a named cell, by what layout.py says the cell holds."""
    row, col = openpyxl.utils.cell.coordinate_to_tuple(cell)
    if ws.title == CMP:
        return 0
    label = ws.cell(row=row, column=1).value
    sheet = next(s for s in layout.KEY_VALUE_SHEETS if s.name == ws.title)
    f = next(f for f in sheet.fields if f.label == label)
    if f.key == "year":
        return year
    return {layout.INT: 0, layout.DATE: dt.date(year, 2, 8), layout.MONEY: 0}.get(f.kind, "本单位情况说明")


@pytest.mark.parametrize("unit, year", [("测试单位", 2026), (None, None)])
def test_blank_workbook_is_clean_after_one_round_of_fixes(tmp_path, unit, year):
    path = tmp_path / "新.xlsx"
    write_blank_workbook(path, unit=unit, year=year)
    _, data = check_json(path)
    wb = openpyxl.load_workbook(path)
    for f in data["findings"]:
        ws = wb[f["sheet"]]
        ws[f["cell"]] = _value_for(ws, f["cell"], year or 2027)
    wb.save(path)
    code, data = check_json(path)
    assert (code, data["findings"], data["skipped"]) == (0, [], [])


# --------------------------------------------------------------------------- read problems and rules together


def _mixed(wb) -> None:
    wb[INFO]["B19"] = None                       # 1 missing fact: 联系电话
    table(wb, 3)["A9"] = "2O8"                   # 1 bad code (letter O for zero)
    table(wb, 6)["D7"], table(wb, 6)["E7"] = 189.41, 178.90      # X-T6-T5
    table(wb, 5)["E17"], table(wb, 5)["F17"] = 155.44, 147.44    # X-T5-T4
    wb[PERF]["B4"] = 200                         # N-PERF-UNIT


MIXED = {("R-MISSING", f"{INFO}!B19"), ("R-CODE", f"{T3}!A9"), ("X-T6-T5", f"{T6}!D7"), ("X-T5-T4", f"{T5}!E17"),
         ("N-PERF-UNIT", f"{PERF}!B4")}


@pytest.fixture
def mixed(tmp_path) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    _mixed(wb)
    path = tmp_path / "单位.xlsx"
    wb.save(path)
    return path


def test_missing_fact_bad_code_and_three_cross_table_breaks_in_one_run(mixed):
    code, data = check_json(mixed)
    assert code == 1
    found = {(f["rule"], f["where"]) for f in data["findings"]}
    assert MIXED <= found, MIXED - found
    # rules that read 表3 were skipped, each said so; the others ran
    skipped = {s["rule"] for s in data["skipped"]}
    assert {"X-T1-T3", "T3-ROW", "T3-TREE"} <= skipped and not skipped & {"X-T6-T5", "X-T5-T4", "N-PERF-UNIT"}
    assert all(T3 in s["message"] and "未执行" in s["message"] for s in data["skipped"])


def test_check_text_groups_by_sheet_in_workbook_order_errors_first(mixed):
    result = runner.invoke(app, ["check", str(mixed)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    headings = [line for line in lines if line.startswith("■")]
    error_sheets = [h[2:].split("：")[0] for h in headings if h.endswith("处错误")]
    order = openpyxl.load_workbook(mixed, read_only=True).sheetnames
    assert error_sheets == sorted(error_sheets, key=order.index)
    assert error_sheets == [INFO, T3, T5, T6, PERF]
    first_reminder = next(i for i, line in enumerate(lines) if line.startswith("■") and line.endswith("处提醒"))
    assert all("提醒" not in line for line in lines[:first_reminder] if line.startswith("  "))
    for rule, where in MIXED:
        assert any(rule in line and where in line for line in lines), (rule, where)
    assert any(line.startswith("■ 未执行的规则") for line in lines)
    assert re.search(r"单位\.xlsx：\d+ 处错误，2 处提醒；\d+ 条规则因相关单元格有误未执行。", result.output)


def test_build_refuses_with_the_same_list_and_writes_nothing(mixed, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(mixed), "-o", str(out), "--no-pdf"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    _, data = check_json(mixed)
    for f in data["findings"]:
        assert f"[{f['rule']}] {f['level']} {f['where']}" in result.output
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(FindingsError) as info:
        read_workbook(mixed)
    assert [f.to_dict() for f in info.value.findings] == data["findings"]


def test_fixing_the_read_problem_lets_the_skipped_rules_run(tmp_path):
    """A text amount in 表6 skips X-T6-T5; with the cell fixed the rule runs (and finds the break beside it)."""
    wb = openpyxl.load_workbook(SAMPLE)
    table(wb, 6)["D9"] = "四十一"
    table(wb, 5)["F8"] = 189.41
    path = tmp_path / "a.xlsx"
    wb.save(path)
    first = check_workbook(path)
    assert "X-T6-T5" in {s.rule for s in first.skipped}
    assert ("R-AMOUNT", f"{T6}!D9") in {(f.rule, f.where) for f in first.findings}
    table(wb, 6)["D9"] = 41.54
    wb.save(path)
    second = check_workbook(path)
    assert not second.skipped
    assert ("X-T6-T5", f"{T6}!D7") in {(f.rule, f.where) for f in second.findings}


# --------------------------------------------------------------------------- generated variants

# (sheet, cell, value, rule): each fault is reported at the cell it was made in.
FAULTS = [
    (6, "D9", "四十一", "R-AMOUNT"), (6, "E10", "26,07", "R-AMOUNT"), (5, "G19", "8，1", "R-AMOUNT"),
    (3, "F12", -5, "R-AMOUNT"), (2, "G18", "1,23,456", "R-AMOUNT"), (7, "H10", "8.1万元", "R-AMOUNT"),
    (1, "B7", "NaN", "R-AMOUNT"), (4, "E17", 1e26, "R-AMOUNT"), (10, "C9", "=SUM(C7:C8)", "R-FORMULA"),
    (3, "A13", "2I2", "R-CODE"), (6, "B10", "0I", "R-CODE"), (2, "A16", "20", "R-CODE"), (5, "C19", "123", "R-CODE"),
    (INFO, "B3", None, None), (INFO, "B4", 1999, "R-YEAR"), (INFO, "B5", "去年", "R-DATE"), (INFO, "B12", -1, "R-INT"),
    (INFO, "B13", 2.5, "R-INT"), (INFO, "B6", None, "R-MISSING"), (INFO, "B7", None, "R-MISSING"),
    (OTHER, "B11", "两辆", "R-INT"), (OTHER, "B2", "11，21", "R-AMOUNT"), (PERF, "B2", None, "R-MISSING"),
    (CMP, "D3", None, "R-MISSING"), (CMP, "D5", "一万", "R-AMOUNT"), ("项目信息", "H2", "8,1", "R-AMOUNT"),
]


def _apply(wb, faults) -> None:
    for sheet, cell, value, _rule in faults:
        ws = table(wb, sheet) if isinstance(sheet, int) else wb[sheet]
        ws[cell] = value
        if isinstance(value, str) and value.startswith("="):
            ws[cell].data_type = "s"           # text that looks like a formula, as a paste from the web gives


@pytest.mark.parametrize("seed", range(12))
def test_every_fault_of_a_random_mix_is_reported_in_one_run(tmp_path, seed):
    rng = random.Random(seed)
    faults = rng.sample(FAULTS, rng.randint(3, 8))
    wb = openpyxl.load_workbook(SAMPLE)
    _apply(wb, faults)
    path = tmp_path / f"variant{seed}.xlsx"
    wb.save(path)
    result = check_workbook(path)
    found = {(f.rule, f.where) for f in result.findings if f.level == ERROR}
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    for sheet, cell, _value, rule in faults:
        name = sheet if isinstance(sheet, str) else next(s for s in names if s.startswith(f"表{sheet} "))
        if rule is None:                       # 单位编码 may be empty
            assert not any(w == f"{name}!{cell}" for _, w in found)
            continue
        assert (rule, f"{name}!{cell}") in found, (rule, name, cell, sorted(found))
    assert result.errors == len(found) and result.errors >= sum(1 for f in faults if f[3])
    assert all(f.rule in RULES or f.rule in READ_RULES for f in result.findings)


def test_unreadable_as_a_whole_still_stops_early(tmp_path):
    wb = openpyxl.load_workbook(SAMPLE)
    wb.remove(table(wb, 5))
    path = tmp_path / "缺表.xlsx"
    wb.save(path)
    with pytest.raises(BudgetError) as info:
        check_workbook(path)
    assert "缺少工作表" in info.value.message and not isinstance(info.value, FindingsError)
    code, data = check_json(path)
    assert code == 2 and data["readable"] is False


def test_build_lists_rule_errors_in_the_order_check_does(tmp_path):
    wb = openpyxl.load_workbook(SAMPLE)
    wb[PERF]["B4"] = 200
    table(wb, 6)["D7"], table(wb, 6)["E7"] = 189.41, 178.90
    wb[OTHER]["B3"] = 15
    wb.move_sheet(OTHER, offset=-(len(wb.sheetnames) - 2))       # a workbook order of the clerk's own
    path = tmp_path / "单位.xlsx"
    wb.save(path)
    _, data = check_json(path)
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1
    printed = [line.strip() for line in result.output.splitlines() if line.startswith("  [")]
    assert printed == [f"[{f['rule']}] {f['level']} {f['where']}：" + f["message"] + (
        f"，应为 {f['expected']}，实为 {f['found']}" if f["expected"] or f["found"] else "") + (
        f"（{f['fix']}）" if f["fix"] else "") for f in data["findings"]]
    sheets = [f["sheet"] for f in data["findings"] if f["level"] == ERROR]
    assert sheets[0] == OTHER


# --------------------------------------------------------------------------- nothing escapes


JUNK = [None, "", "x", "总计", "合计", "收入总计", "支出总计", "208", "05", "2O8", -1, 0, 1e26, "26,07", "1,234.5",
        3.14159, True, "2080505", "212 城乡社区支出", "一、本年收入", "公务接待费", "基本支出", "收入", "※", 2025,
        "2025-01-01", "项目A"]


@pytest.mark.parametrize("seed", range(16))
def test_random_junk_anywhere_gives_findings_never_a_crash(tmp_path, seed):
    rng = random.Random(seed)
    wb = openpyxl.load_workbook(SAMPLE)
    for _ in range(rng.randint(1, 25)):
        ws = rng.choice(wb.worksheets)
        cell = ws.cell(row=rng.randint(1, ws.max_row + 2), column=rng.randint(1, ws.max_column + 1))
        if not isinstance(cell, openpyxl.cell.cell.MergedCell):
            cell.value = rng.choice(JUNK)
    path = tmp_path / "junk.xlsx"
    wb.save(path)
    try:
        result = check_workbook(path)
    except BudgetError as exc:                 # unreadable as a whole: a message, not a crash
        assert re.search(r"[\u4e00-\u9fff]", exc.message)
        return
    for f in result.findings:
        assert f.rule in RULES or f.rule in READ_RULES
        assert f.level in (ERROR, "提醒") and re.search(r"[\u4e00-\u9fff]", f.message)
        assert not f.cell or re.fullmatch(r"[A-Z]{1,3}\d+", f.cell), f


# --------------------------------------------------------------------------- which rules a wrong cell holds back

# (sheet, cell, value) → rules that must be skipped, rules that must still run (and find their break, set beside)
HELD_BACK = [
    ((INFO, "B12", "十"), {"N-STAFF"}, {"TXT-YEAR", "TXT-PLAN-YEAR", "N-PROC-SUM"}),          # 在职人数
    ((INFO, "B4", 1999), {"TXT-YEAR", "TXT-PLAN-YEAR", "TXT-PERIOD"}, {"N-STAFF", "N-PROC-SUM"}),  # 预算年度
    ((OTHER, "B2", "十一"), {"N-RUNNING", "N-LAST", "N-REASON"}, {"N-PROC-SUM", "N-STAFF"}),  # 运行经费
    ((OTHER, "B4", "x"), {"N-PROC-SUM"}, {"N-RUNNING", "N-STAFF", "N-LAST"}),                  # 政府采购货物
    ((PERF, "B3", "y"), {"N-PERF-UNIT"}, {"TXT-YEAR", "N-PROC-SUM"}),                          # 财政资金上级安排
    ((CMP, "D2", "z"), {"N-LAST", "N-REASON", "TXT-YEAR"}, {"N-PERF-UNIT", "N-PROC-SUM"}),
    ((6, "D9", "w"), {"X-T6-T5", "T6-ROW", "T6-TREE", "C-PARENT", "N-RUNNING"}, {"X-T5-T4", "N-PROC-SUM"}),
]
BREAKS = {  # one break per rule that must still run, each at a cell of its own
    "TXT-YEAR": (CMP, "E12", "沿用2019年标准"), "TXT-PLAN-YEAR": ("项目信息", "G2", "2023年度预算计划支出8万元。"),
    "N-PROC-SUM": (OTHER, "B3", 15), "N-STAFF": (INFO, "B11", 10), "N-RUNNING": (OTHER, "B2", 11.21),
    "N-LAST": None, "N-PERF-UNIT": (PERF, "B4", 200), "X-T5-T4": None,
}


@pytest.mark.parametrize("fault, skipped, running", HELD_BACK, ids=lambda v: str(v)[:20])
def test_a_wrong_cell_holds_back_exactly_the_rules_that_read_it(tmp_path, fault, skipped, running):
    wb = openpyxl.load_workbook(SAMPLE)
    _apply(wb, [(*fault, None)])
    breaks = [BREAKS[r] for r in running if BREAKS.get(r) and BREAKS[r][:2] != fault[:2]]
    _apply(wb, [(*b, None) for b in breaks])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    result = check_workbook(path)
    got = {s.rule for s in result.skipped}
    assert skipped <= got and not running & got, (sorted(got), skipped, running)
    ran = {f.rule for f in result.findings}
    for rule in running:
        if BREAKS.get(rule) and BREAKS[rule][:2] != fault[:2]:
            assert rule in ran, (rule, sorted(ran))
