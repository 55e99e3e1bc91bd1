"""The clerk's journey, end to end through the real command line (a fresh interpreter per command, run in a
folder of the clerk's own, as a clerk types it):

    init → check (one run lists every missing fact) → fill what it listed → check is clean → build
    check --annotate (the copy beside the workbook, the original untouched)

Expectations come from the blank workbook's own cells and from what the test typed, not from the reader."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from batchutil import run_cli

CMP = "上年预算及变动原因"


def _clerk_value(ws, cell: str, year: int, rng: random.Random):
    """What a clerk types into the cell `check` named, judged by the label in column A (as a clerk reads it)."""
    if ws.title == CMP:
        return rng.choice([0, 0.0, "0"])            # 上年 had no such budget
    label = str(ws.cell(row=ws[cell].row, column=1).value)
    if "日期" in label:
        return dt.date(year, 2, rng.randint(1, 28))
    if label == "预算年度":
        return year
    if any(word in label for word in ("数", "辆", "台")):
        return rng.randint(0, 3)
    return f"本单位{label}说明"


def _staff_adds_up(ws) -> None:
    """实有人数 = 在职 + 退休 + 离休, as the form's own note says (the clerk adds up what they typed)."""
    rows = {str(ws.cell(row=r, column=1).value): r for r in range(1, ws.max_row + 1)}
    ws.cell(row=rows["实有人数"], column=2).value = sum(
        int(ws.cell(row=rows[label], column=2).value) for label in ("在职人数", "退休人数", "离休人数"))


def _findings(path: Path, cwd: Path) -> tuple[int, dict]:
    done = run_cli(["check", path.name, "--format", "json"], cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def _blank_cells(path: Path) -> set[tuple[str, str]]:
    """Column B cells left empty by init on the key/value sheets, and the 上年预算数 column of 上年预算及变动原因:
    the facts a clerk must type (read from the blank file itself)."""
    wb = openpyxl.load_workbook(path)
    blank = set()
    for ws in wb.worksheets:
        if ws.title == CMP:
            header = [c.value for c in ws[1]]
            col = next(i for i, v in enumerate(header, start=1) if v and "上年预算" in str(v))
            letter = openpyxl.utils.get_column_letter(col)
            blank |= {(CMP, f"{letter}{r}") for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value
                      and ws.cell(row=r, column=col).value in (None, "")}
    return blank


@pytest.mark.parametrize("seed, unit, year", [(1, "测试单位", 2026), (2, "某县自然资源局", 2027),
                                              (3, "乌鲁木齐市某某中心", 2025)])
def test_init_check_fill_check_build(tmp_path, seed, unit, year):
    rng = random.Random(seed)
    wb_path = tmp_path / "新.xlsx"
    made = run_cli(["init", wb_path.name, "--unit", unit, "--year", str(year)], cwd=tmp_path)
    assert made.returncode == 0 and wb_path.is_file(), made.stderr
    blank_cmp = _blank_cells(wb_path)

    # one run lists everything: every finding is a missing fact, each named by sheet!cell, all 上年 rows among them
    code, first = _findings(wb_path, tmp_path)
    assert code == 1 and first["errors"] == len(first["findings"]) >= 40
    assert {f["rule"] for f in first["findings"]} == {"R-MISSING"}
    assert blank_cmp <= {(f["sheet"], f["cell"]) for f in first["findings"]}
    text = run_cli(["check", wb_path.name], cwd=tmp_path)
    assert text.returncode == 1
    assert f"{first['errors']} 处错误" in text.stdout
    assert all(f"{f['sheet']}!{f['cell']}" in text.stdout for f in first["findings"])

    # one round of fixes, guided by that single run, makes the check clean
    wb = openpyxl.load_workbook(wb_path)
    for f in first["findings"]:
        wb[f["sheet"]][f["cell"]] = _clerk_value(wb[f["sheet"]], f["cell"], year, rng)
    _staff_adds_up(wb["单位信息"])
    wb.save(wb_path)
    code, second = _findings(wb_path, tmp_path)
    assert (code, second["findings"], second["skipped"]) == (0, [], []), second["findings"]

    # and the build writes both files, named by unit and year, whose text carries what the clerk typed
    built = run_cli(["build", wb_path.name, "-o", "out"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    stem = f"{unit}{year}年单位预算公开"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{stem}.docx", f"{stem}.pdf"]
    body = "\n".join(p.text for p in docx.Document(str(tmp_path / "out" / f"{stem}.docx")).paragraphs)
    assert f"{year}年单位预算公开" in body and "本单位主要职能说明" in body
    assert f"已生成 out/{stem}.docx" in built.stdout.replace("\\", "/")
    assert (tmp_path / "out" / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")


def _sample_with_problems(tmp_path: Path, seed: int) -> tuple[Path, dict[str, str]]:
    """The sample with a few cells emptied or broken: 单位信息 facts emptied at random (the reader's findings)."""
    from conftest import SAMPLE
    rng = random.Random(seed)
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["单位信息"]
    rows = [r for r in range(5, 20) if ws.cell(row=r, column=2).value not in (None, "")]
    emptied = {f"B{r}": str(ws.cell(row=r, column=1).value) for r in rng.sample(rows, 3)}
    for cell in emptied:
        ws[cell] = None
    path = tmp_path / "单位工作簿.xlsx"
    wb.save(path)
    return path, emptied


@pytest.mark.parametrize("seed", [11, 12])
def test_check_annotate_writes_the_copy_beside_and_leaves_the_original(tmp_path, seed):
    path, emptied = _sample_with_problems(tmp_path, seed)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = run_cli(["check", path.name, "--annotate"], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    copy = tmp_path / "单位工作簿（校验意见）.xlsx"
    assert copy.is_file() and f"已生成校验意见副本 {copy.name}" in done.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "校验意见"
    for cell, label in emptied.items():
        marked = wb["单位信息"][cell]
        red, green, blue = (int(marked.fill.fgColor.rgb[i:i + 2], 16) for i in (2, 4, 6))
        assert marked.fill.fill_type == "solid" and red > green and red > blue      # red: an error
        assert marked.comment is not None and f"“{label}”未填写" in marked.comment.text
        assert f"单位信息!{cell}" in done.stdout
    listed = [row for row in wb["校验意见"].iter_rows(min_row=2) if any(c.hyperlink for c in row)]
    targets = {c.hyperlink.location for row in listed for c in row if c.hyperlink}
    assert all(any(t.endswith(f"!{cell}") and "单位信息" in t for t in targets) for cell in emptied)

    # -o puts the copy elsewhere; the workbook's folder gets nothing new
    again = run_cli(["check", path.name, "--annotate", "-o", "意见"], cwd=tmp_path)
    assert again.returncode == 1
    assert (tmp_path / "意见" / copy.name).is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted([path.name, copy.name])


def test_errors_in_the_workbook_build_nothing_and_name_the_cell(tmp_path):
    path, emptied = _sample_with_problems(tmp_path, 21)
    done = run_cli(["build", path.name, "-o", "out"], cwd=tmp_path)
    assert done.returncode == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    shown = done.stdout + done.stderr
    assert "Traceback" not in shown
    assert all(f"单位信息!{cell}" in shown for cell in emptied)
    assert re.search(r"\d+ 处错误", shown)
