"""Each rule of budgetreport.checks: the sample passes; a copy that breaks exactly that rule is caught, at its cell."""
from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport.build import run_checks
from budgetreport.checks import RULES, run_all
from budgetreport.cli import app
from budgetreport.findings import ERROR, READ_RULES, WARNING
from budgetreport.read import read_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
CHECKS_DOC = ROOT / "docs" / "checks.md"


def table(wb, n: int):
    return next(ws for ws in wb.worksheets if re.match(rf"^表{n}\s", ws.title))


def edited(tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


def sets(n_or_name, **cells):
    """An edit setting cells of 表n (int) or of a named sheet."""
    def edit(wb):
        ws = table(wb, n_or_name) if isinstance(n_or_name, int) else wb[n_or_name]
        for addr, value in cells.items():
            ws[addr] = value
    return edit


def chain(*edits):
    def edit(wb):
        for e in edits:
            e(wb)
    return edit


def fund_table(n: int, total_row: dict, class_row: dict):
    """Fill the empty 表8/表9 with a 总计 row and one 类 row (212)."""
    def edit(wb):
        ws = table(wb, n)
        ws["D8"] = "总计"
        ws["A9"], ws["D9"] = "212", "城乡社区支出"
        for col, v in total_row.items():
            ws[f"{col}8"] = v
        for col, v in class_row.items():
            ws[f"{col}9"] = v
    return edit


def t11(rows):
    def edit(wb):
        ws = table(wb, 11)
        for i, (label, values) in enumerate(rows):
            ws[f"A{8 + i}"] = label
            for col, v in values.items():
                ws[f"{col}{8 + i}"] = v
    return edit


def delete_row(sheet: str, row: int):
    def edit(wb):
        wb[sheet].delete_rows(row)
    return edit


T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11 = (
    "表1 单位收支总体情况表", "表2 单位收入总体情况表", "表3 单位支出总体情况表", "表4 财政拨款收支预算总体情况表",
    "表5 一般公共预算支出情况表", "表6 一般公共预算基本支出情况表", "表7 一般公共预算项目支出情况表",
    "表8 政府性基金预算支出情况表", "表9 国有资本经营预算支出情况表", "表10 财政拨款“三公”经费支出情况表",
    "表11 上年结转结余情况明细表")
CMP, PROJ, OTHER, PERF, INFO, PURP = "上年预算及变动原因", "项目信息", "其他重要事项", "单位整体绩效目标", "单位信息", "支出用途说明"

# rule id → (edit, expected "sheet!cell")
CASES = {
    "T1-IN-SUM": (sets(1, B6=197.41), f"{T1}!B6"),
    "T1-IN-DETAIL": (sets(1, B8=190), f"{T1}!B7"),
    "T1-OUT-SUM": (sets(1, D17=155.44), f"{T1}!D35"),
    "T1-BALANCE": (sets(1, D35=197.41), f"{T1}!D35"),
    "T2-ROW": (sets(2, N18=1), f"{T2}!E18"),
    "T2-FISCAL": (sets(2, H18=1), f"{T2}!F18"),
    "T2-TREE": (sets(2, E18=155.44, F18=155.44, G18=155.44), f"{T2}!E17"),
    "T3-ROW": (sets(3, G19=8.1), f"{T3}!E19"),
    "T3-TREE": (sets(3, E19=155.44, F19=147.44), f"{T3}!E18"),
    "T4-IN-SUM": (sets(4, B7=190), f"{T4}!B6"),
    "T4-ROW": (sets(4, E17=155), f"{T4}!D17"),
    "T4-OUT-SUM": (sets(4, D17=155.44, E17=155.44), f"{T4}!D35"),
    "T4-BALANCE": (sets(4, D35=197.41, E35=197.41), f"{T4}!D35"),
    "T5-ROW": (sets(5, G19=8.1), f"{T5}!E19"),
    "T5-TREE": (sets(5, E19=155.44, F19=147.44), f"{T5}!E18"),
    "T6-ROW": (sets(6, F9=1), f"{T6}!D9"),
    "T6-TREE": (sets(6, D9=41.64, E9=41.64), f"{T6}!D8"),
    "T7-ROW": (sets(7, I10=1), f"{T7}!F10"),
    "T7-TREE": (sets(7, F10=8.1, H10=8.1), f"{T7}!F9"),
    "T8-ROW": (fund_table(8, {"E": 1, "F": 1}, {"E": 1, "F": 2}), f"{T8}!E9"),
    "T8-TREE": (fund_table(8, {"E": 2, "F": 2}, {"E": 1, "F": 1}), f"{T8}!E8"),
    "T9-ROW": (fund_table(9, {"E": 1, "F": 1}, {"E": 1, "F": 2}), f"{T9}!E9"),
    "T9-TREE": (fund_table(9, {"E": 2, "F": 2}, {"E": 1, "F": 1}), f"{T9}!E8"),
    "T10-ROW": (sets(10, B12=2.5, B10=2.5, B7=2.5), f"{T10}!B12"),
    "T10-SUM": (sets(10, B7=2.5, C7=2.5), f"{T10}!B7"),
    "T10-CAR": (sets(10, B12=2.5, C12=2.5), f"{T10}!B10"),
    "T11-ROW": (t11([("合计", {"B": 1, "C": 1, "D": 1}), ("某项目", {"B": 1, "C": 2, "D": 2})]), f"{T11}!B9"),
    "T11-SUM": (t11([("合计", {"B": 2, "C": 2, "D": 2}), ("某项目", {"B": 1, "C": 1, "D": 1})]), f"{T11}!B8"),
    "X-T1-T2": (sets(1, B7=190, B8=190), f"{T1}!B7"),
    "X-T1-T3": (sets(1, D17=155.44), f"{T1}!D17"),
    "X-T2-T3-CODES": (sets(3, C16="98"), f"{T3}!A16"),
    "X-T2-T3-TOTAL": (sets(3, E19=155.44, F19=147.44), f"{T3}!E19"),
    "X-T4-T2": (sets(4, D17=155.44, E17=155.44), f"{T4}!D17"),
    "X-T5-T4": (sets(5, E17=155.44, F17=147.44), f"{T5}!E17"),
    "X-T6-T5": (sets(6, D7=189.41, E7=178.90), f"{T6}!D7"),
    "X-T7-T5": (sets(7, F10=8.1, H10=8.1), f"{T7}!F10"),
    "X-T8-T4": (fund_table(8, {"E": 1, "F": 1}, {"E": 1, "F": 1}), f"{T8}!E9"),
    "X-T9-T4": (fund_table(9, {"E": 1, "F": 1}, {"E": 1, "F": 1}), f"{T9}!E9"),
    "X-T11-T1": (t11([("合计", {"B": 1, "C": 1, "D": 1}), ("某项目", {"B": 1, "C": 1, "D": 1})]), f"{T11}!B8"),
    "X-T10-T6": (sets(6, D31=2.5, F31=2.5), f"{T10}!C12"),
    "N-LAST": (delete_row(CMP, 17), f"{CMP}!A27"),
    "N-REASON": (sets(CMP, E16=None), f"{CMP}!E16"),
    "N-RUNNING": (sets(OTHER, B2=11.21), f"{OTHER}!B2"),
    "N-PROC-SUM": (sets(OTHER, B3=15), f"{OTHER}!B3"),
    "N-PROC-SME": (sets(OTHER, B7=20), f"{OTHER}!B7"),
    "N-PERF-UNIT": (sets(PERF, B4=200), f"{PERF}!B4"),
    "N-PERF-PROJ": (sets(PROJ, H2=7), f"{PROJ}!H2"),
    "N-PROJ-FUNDS": (sets(PROJ, I2=3), f"{PROJ}!I2"),
    "N-GONE": (sets(CMP, D4=10), f"{CMP}!D4"),
    "N-PROJ-INFO": (sets(PROJ, A2="另一个项目"), f"{T7}!E10"),
    "N-PROJ-EXTRA": (sets(PROJ, A3="另一个项目", B3="依据", C3="单位", D3="分配", E3="2025年", F3="某人", G3="目标",
                          H3=0, I3=0), f"{PROJ}!A3"),
    "N-STAFF": (sets(INFO, B11=10), f"{INFO}!B11"),
    "N-PURPOSE": (delete_row(PURP, 5), f"{PURP}!A5"),
    "C-PARENT": (sets(6, A9="303"), f"{T6}!A9"),
    "C-DUP": (sets(6, B10="01"), f"{T6}!A10"),
    "C-NAME": (sets(3, D11="养老"), f"{T3}!D11"),
    "C-UNKNOWN": (sets(6, A8="398"), f"{T6}!A8"),
    "TXT-PLAN-YEAR": (sets(PROJ, G2="2023年度预算计划支出8万元。"), f"{PROJ}!G2"),
    "TXT-YEAR": (sets(CMP, E12="沿用2019年标准"), f"{CMP}!E12"),
    "TXT-PERIOD": (sets(PROJ, E2="2024年1月1日至12月31日"), f"{PROJ}!E2"),
}


def test_at_least_25_rules_and_every_rule_has_a_case():
    assert len(RULES) >= 25
    assert set(CASES) == set(RULES), set(RULES) ^ set(CASES)


def test_rules_have_chinese_titles_and_levels():
    for r in RULES.values():
        assert r.level in (ERROR, WARNING)
        assert re.search(r"[\u4e00-\u9fff]", r.title), r.id


def test_docs_list_every_rule():
    doc = CHECKS_DOC.read_text(encoding="utf-8")
    for r in RULES.values():
        assert f"`{r.id}`" in doc, f"docs/checks.md lacks {r.id}"
        assert r.title in doc, f"docs/checks.md: description of {r.id} differs from the registry"


def test_docs_list_every_reader_rule():
    doc = CHECKS_DOC.read_text(encoding="utf-8")
    for rule_id, (level, title) in READ_RULES.items():
        assert f"| `{rule_id}` | {level} | {title} |" in doc, f"docs/checks.md: {rule_id} differs from READ_RULES"
    assert not set(READ_RULES) & set(RULES)


def test_sample_has_no_errors_and_the_documented_reminders():
    findings = run_checks(read_workbook(SAMPLE))
    assert not [f for f in findings if f.level == ERROR], findings
    got = sorted((f.rule, f.where) for f in findings)
    assert got == [("TXT-PLAN-YEAR", f"{PROJ}!G2"), ("TXT-YEAR", f"{PERF}!B2")]


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_catches_its_break(tmp_path, rule_id):
    edit, where = CASES[rule_id]
    findings = run_all(read_workbook(edited(tmp_path, edit)))
    hits = [f for f in findings if f.rule == rule_id]
    assert hits, f"{rule_id} not reported; got {[str(f) for f in findings]}"
    assert where in [f.where for f in hits], [str(f) for f in hits]
    for f in hits:
        assert f.level == RULES[rule_id].level
        assert re.search(r"[\u4e00-\u9fff]", f.message)



def test_t6_t5_message_says_expected_and_found(tmp_path):
    path = edited(tmp_path, sets(6, D7=189.41, E7=178.90))
    [f] = [f for f in run_all(read_workbook(path)) if f.rule == "X-T6-T5"]
    assert f.expected == "189.31（表5 基本支出合计）" and f.found == "189.41"
    assert str(f).endswith("应为 189.31（表5 基本支出合计），实为 189.41")


def test_stale_text_rule_spares_last_year_facts(tmp_path):
    texts = "截至2024年底，资产如下。依据2024年工作汇报及下年工作计划。比2024年预算减少1万元。《2019年办法》〔2018〕3号"
    path = edited(tmp_path, sets(PROJ, G2=texts))
    found = [f for f in run_all(read_workbook(path)) if f.rule.startswith("TXT-") and f.where == f"{PROJ}!G2"]
    assert found == []


def test_stale_text_rule_flags_the_reference_sentence():
    findings = run_all(read_workbook(SAMPLE))
    [f] = [f for f in findings if f.rule == "TXT-PLAN-YEAR"]
    assert "2024" in f.message and f.found == "2024年度"


runner = CliRunner()


def test_check_cli_exit_codes_and_json(tmp_path):
    result = runner.invoke(app, ["check", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "0 处错误" in result.output
    bad = edited(tmp_path, sets(6, D7=189.41, E7=178.90))
    result = runner.invoke(app, ["check", str(bad), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errors"] >= 1
    hit = next(f for f in data["findings"] if f["rule"] == "X-T6-T5")
    assert hit["where"] == f"{T6}!D7" and hit["level"] == "错误"


def test_build_refuses_rule_errors_and_writes_nothing(tmp_path):
    bad = edited(tmp_path, sets(OTHER, B3=15))
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(bad), "-o", str(out), "--no-pdf"])
    assert result.exit_code == 1
    assert "N-PROC-SUM" in result.output and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_missing_last_year_stops_before_derive(tmp_path):
    bad = edited(tmp_path, delete_row(CMP, 17))
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert "N-LAST" in result.output and "2101102" in result.output
