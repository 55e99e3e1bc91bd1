"""`batch --annotate`: every unit with findings gets its annotated workbook copy in OUTDIR — failed units too,
since that is where the clerk fixes them — and the inputs are never modified."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from batchutil import manifest_rows, run_cli, unit_copy

from budgetreport.annotate import ERROR_FILL as RED


def _amount_cell(path: Path, sheet: str, cell: str, value: object) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


def _check_json(path: Path) -> dict:
    done = run_cli(["check", str(path), "--format", "json"])
    return json.loads(done.stdout)


@pytest.mark.parametrize("bad_text", ["26,07", "十二万", "[/b]1"])
def test_batch_annotates_failed_and_warned_units_and_leaves_inputs_alone(tmp_path, bad_text):
    inputs = tmp_path / "in"
    good = unit_copy(inputs / "甲单位.xlsx", "甲单位")
    bad = _amount_cell(unit_copy(inputs / "乙" / "乙单位.xlsx", "乙单位"), "表3 单位支出总体情况表", "E9", bad_text)
    broken = inputs / "丙单位.xlsx"
    broken.write_bytes(b"not a workbook")
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good, bad, broken)}
    out = tmp_path / "out"
    done = run_cli(["batch", str(inputs), "-o", str(out), "-j", "1", "--no-pdf", "--annotate"])
    assert done.returncode == 1, done.stderr          # 乙 and 丙 fail, 甲 is built
    assert "Traceback" not in done.stdout + done.stderr
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before

    copy = out / "乙_乙单位（校验意见）.xlsx"
    assert copy.is_file()
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "校验意见"
    marked = wb["表3 单位支出总体情况表"]["E9"]
    assert marked.fill.fgColor.rgb == RED and marked.comment is not None
    assert "E9" in marked.comment.text or "R-" in marked.comment.text
    # 甲 gets a copy exactly when `check` finds anything in it (its reminders), computed by the check command
    good_findings = _check_json(good)["findings"]
    assert (out / "甲单位（校验意见）.xlsx").is_file() == bool(good_findings)
    assert not (out / "丙单位（校验意见）.xlsx").exists()     # unreadable: nothing to annotate
    rows = {r["输入文件"]: r for r in manifest_rows(out)}
    assert rows[str(Path("乙") / "乙单位.xlsx")]["状态"] == "失败"


def test_without_annotate_no_copy_is_written(tmp_path):
    inputs = tmp_path / "in"
    _amount_cell(unit_copy(inputs / "乙单位.xlsx", "乙单位"), "表3 单位支出总体情况表", "E9", "26,07")
    out = tmp_path / "out"
    done = run_cli(["batch", str(inputs), "-o", str(out), "-j", "1", "--no-pdf"])
    assert done.returncode == 1
    assert not list(out.glob("*校验意见*"))
