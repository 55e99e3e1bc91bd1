"""Issue 15 item 3: batch writes 校验汇总.xlsx beside manifest.csv — one row per unit (status, error and reminder
counts, first finding) and one sheet of every finding across units (unit, rule, cell, message) with filters on.

The expected findings of each workbook come from `budgetreport check --format json` run on it alone: the
bureau's summary must say exactly what the clerk's own check says."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport.cli import app
from conftest import SAMPLE, set_field
from batchutil import manifest_rows, unit_copy

runner = CliRunner()


def _replace_text(ws, old: str, new: str) -> None:
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and old in cell.value:
                cell.value = cell.value.replace(old, new)


def _clean_copy(path: Path, name: str) -> Path:
    """The sample without its two reminders (old years in texts): a unit that passes every check."""
    unit_copy(path, name)
    wb = openpyxl.load_workbook(path)
    _replace_text(wb["项目信息"], "2024年度", "2025年度")
    _replace_text(wb["单位整体绩效目标"], "2020年7月1日", "当年")
    wb.save(path)
    return path


def _edited(path: Path, name: str, cells: dict[tuple[str, str], object]) -> Path:
    unit_copy(path, name)
    wb = openpyxl.load_workbook(path)
    sheets = {ws.title.split(" ")[0]: ws for ws in wb.worksheets}
    for (sheet, ref), value in cells.items():
        sheets[sheet][ref] = value
    wb.save(path)
    return path


def _check(path: Path) -> dict:
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    return json.loads(result.stdout)


def _line(f: dict) -> str:
    text = f"[{f['rule']}] " + (f"{f['where']}：" if f["where"] else "") + f["message"]
    if f["expected"] or f["found"]:
        text += f"，应为 {f['expected']}，实为 {f['found']}"
    if f.get("fix"):
        text += f"（{f['fix']}）"      # what to do travels with the finding, as `check` prints it
    return text


def _message(f: dict) -> str:
    text = f["message"]
    if f["expected"] or f["found"]:
        text += f"，应为 {f['expected']}，实为 {f['found']}"
    if f.get("fix"):
        text += f"（{f['fix']}）"      # what to do travels with the finding, as `check` prints it
    return text


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("summary")
    inputs, out = base / "in", base / "out"
    _clean_copy(inputs / "a_clean.xlsx", "合格单位")
    unit_copy(inputs / "b_reminders.xlsx", "提醒单位")
    _edited(inputs / "c_total.xlsx", "合计错误单位", {("表1", "B7"): 999999.99})
    _edited(inputs / "d_many.xlsx", "多处错误单位", {("表1", "B7"): 1, ("表3", "C7"): 2, ("表5", "C7"): 3})
    _edited(inputs / "e_formula.xlsx", "=HYPERLINK(\"x\")", {})
    wb = openpyxl.load_workbook(inputs / "e_formula.xlsx")
    for row in wb["单位信息"].iter_rows(min_col=2, max_col=2):
        if row[0].value == "=HYPERLINK(\"x\")":
            row[0].data_type = "s"
    wb.save(inputs / "e_formula.xlsx")
    (inputs / "f_broken.xlsx").write_bytes(b"this is not a workbook")
    result = runner.invoke(app, ["batch", str(inputs), "-o", str(out), "--no-pdf", "-j", "2"])
    oracle = {p.name: _check(p) for p in sorted(inputs.glob("*.xlsx"))}
    return inputs, out, result, oracle


def test_the_summary_sits_beside_the_manifest_with_both_sheets(batch):
    _, out, result, _ = batch
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(out / "校验汇总.xlsx")
    assert wb.sheetnames == ["单位汇总", "全部问题"]
    units, findings = wb["单位汇总"], wb["全部问题"]
    assert [c.value for c in units[1]] == ["输入文件", "单位名称", "年度", "状态", "错误数", "提醒数", "模板",
                                            "第一个问题"]
    assert [c.value for c in findings[1]] == ["单位名称", "输入文件", "级别", "规则", "工作表", "单元格", "问题"]
    assert findings.auto_filter.ref == f"A1:G{findings.max_row}"      # filters on, over every finding
    assert units.auto_filter.ref == f"A1:H{units.max_row}"


def test_one_row_per_unit_with_counts_and_first_finding(batch):
    _, out, _, oracle = batch
    rows = list(openpyxl.load_workbook(out / "校验汇总.xlsx")["单位汇总"].iter_rows(min_row=2, values_only=True))
    manifest = {r["输入文件"]: r for r in manifest_rows(out)}
    assert [r[0] for r in rows] == sorted(oracle)
    for name, unit, year, status, errors, reminders, template, first in rows:
        assert status == manifest[name]["状态"] and (template or "") == manifest[name]["模板"]
        found = oracle[name]
        if not found["readable"]:
            assert status == "失败" and "不是 Excel 工作簿" in first and errors == 1
            continue
        assert (errors, reminders) == (found["errors"], found["warnings"])
        assert status == ("失败" if found["errors"] else "有提醒" if found["warnings"] else "成功")
        ordered = [f for f in found["findings"] if f["level"] == "错误"] + \
                  [f for f in found["findings"] if f["level"] == "提醒"]
        assert first == (_line(ordered[0]) if ordered else None)
        assert year == 2025 and unit
    statuses = {r[0]: r[3] for r in rows}
    assert statuses["a_clean.xlsx"] == "成功" and statuses["b_reminders.xlsx"] == "有提醒"
    assert statuses["c_total.xlsx"] == statuses["d_many.xlsx"] == "失败"


def test_every_finding_of_every_unit_in_one_sheet(batch):
    _, out, _, oracle = batch
    rows = list(openpyxl.load_workbook(out / "校验汇总.xlsx")["全部问题"].iter_rows(min_row=2, values_only=True))
    by_input: dict[str, list[tuple]] = {}
    for unit, name, level, rule, sheet, cell, message in rows:
        by_input.setdefault(name, []).append((level, rule, sheet or "", cell or "", message))
    for name, found in oracle.items():
        if not found["readable"]:
            assert [r[0] for r in by_input[name]] == ["错误"]
            continue
        expected = [(f["level"], f["rule"], f["sheet"], f["cell"], _message(f)) for f in found["findings"]]
        assert by_input.get(name, []) == expected, name
    assert len(by_input["d_many.xlsx"]) >= 3
    rules = {r[3] for r in rows}
    assert rules >= {"TXT-PLAN-YEAR", "TXT-YEAR"}


def test_texts_that_look_like_formulas_stay_texts(batch):
    _, out, _, _ = batch
    wb = openpyxl.load_workbook(out / "校验汇总.xlsx")
    cells = [c for row in wb["单位汇总"].iter_rows(min_row=2) for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)
    cells = [c for row in wb["全部问题"].iter_rows(min_row=2) for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_skipped_units_keep_their_findings_in_the_next_summary(batch, tmp_path):
    inputs, out, _, _ = batch
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = list(openpyxl.load_workbook(copy / "校验汇总.xlsx")["全部问题"].values)
    again = runner.invoke(app, ["batch", str(inputs), "-o", str(copy), "--no-pdf", "-j", "1"])
    assert re.search(r"跳过 3。", again.output), again.output   # the three units that built
    assert list(openpyxl.load_workbook(copy / "校验汇总.xlsx")["全部问题"].values) == before
