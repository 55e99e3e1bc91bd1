"""Issue 15 item 2: `check --annotate` writes `工作簿（校验意见）.xlsx` — fills, comments, a first sheet listing every
finding with a link to its cell — and never touches the original."""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport.annotate import write_annotated
from budgetreport.checks import check_workbook
from budgetreport.cli import app
from budgetreport.errors import BudgetError
from budgetreport.findings import ERROR, Finding
from test_findings_one_run import FAULTS, SAMPLE, _apply, _mixed

runner = CliRunner()
SUMMARY = "校验意见"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rgb(cell) -> tuple[int, int, int]:
    argb = cell.fill.fgColor.rgb
    return int(argb[-6:-4], 16), int(argb[-4:-2], 16), int(argb[-2:], 16)


def is_red(cell) -> bool:
    r, g, b = rgb(cell)
    return cell.fill.fill_type == "solid" and r >= 0xE0 and g <= r - 0x30 and b <= r - 0x30


def is_yellow(cell) -> bool:
    r, g, b = rgb(cell)
    return cell.fill.fill_type == "solid" and r >= 0xE0 and g >= 0xC0 and b <= g - 0x30


def workbook(tmp_path: Path, edit, name: str = "单位.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def anchor(ws, ref: str) -> str:
    """The cell a mark on `ref` sits on: the first cell of its merged range (computed here from openpyxl)."""
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            return f"{openpyxl.utils.get_column_letter(rng.min_col)}{rng.min_row}"
    return ref


def assert_annotated(copy: Path, findings: list[Finding]) -> None:
    """Every finding is marked at its cell and listed, with a link, on the first sheet."""
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SUMMARY and wb.active.title == SUMMARY
    levels: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        if f.sheet and f.cell:
            ws = wb[f.sheet]
            ref = anchor(ws, f.cell.split(":")[0])
            levels.setdefault((f.sheet, ref), set()).add(f.level)
            comment = ws[ref].comment
            assert comment is not None, f
            assert f"[{f.rule}]" in comment.text and f.message in comment.text
            if f.fix:
                assert f.fix in comment.text
    for (sheet, ref), found in levels.items():
        cell = wb[sheet][ref]
        assert is_red(cell) if ERROR in found else is_yellow(cell), (sheet, ref, cell.fill.fgColor.rgb)
    ws = wb[SUMMARY]
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "序号")
    labels = [c.value for c in ws[header]]
    col = {name: labels.index(name) + 1 for name in ("级别", "规则", "工作表", "单元格", "问题")}
    for i, f in enumerate(findings, start=1):
        r = header + i
        assert ws.cell(row=r, column=col["规则"]).value == f.rule
        assert ws.cell(row=r, column=col["级别"]).value == f.level
        assert ws.cell(row=r, column=col["问题"]).value == f.message
        if f.sheet and f.cell:
            assert ws.cell(row=r, column=col["工作表"]).value == f.sheet
            link = ws.cell(row=r, column=col["单元格"]).hyperlink
            target = anchor(wb[f.sheet], f.cell.split(":")[0])
            assert link is not None and link.location == "'" + f.sheet.replace("'", "''") + "'!" + target
    assert ws.cell(row=header + len(findings) + 1, column=col["规则"]).value is None


def test_mixed_workbook_annotated_and_original_untouched(tmp_path):
    path = workbook(tmp_path, _mixed)
    before = digest(path)
    result = check_workbook(path)
    out = write_annotated(path, result.findings, tmp_path / "副本.xlsx")
    assert digest(path) == before
    assert_annotated(out, result.findings)


@pytest.mark.parametrize("seed", range(10))
def test_generated_variants_are_annotated(tmp_path, seed):
    rng = random.Random(100 + seed)
    path = workbook(tmp_path, lambda wb: _apply(wb, rng.sample(FAULTS, rng.randint(2, 7))))
    before = digest(path)
    result = check_workbook(path)
    assert result.errors
    out = write_annotated(path, result.findings, tmp_path / "out" / "副本.xlsx",
                          notes=[s.message for s in result.skipped])
    assert digest(path) == before
    assert_annotated(out, result.findings)
    values = [c.value for row in openpyxl.load_workbook(out)[SUMMARY].iter_rows() for c in row]
    for s in result.skipped:
        assert s.message in values


def test_merged_cell_is_marked_on_its_first_cell(tmp_path):
    path = workbook(tmp_path, lambda wb: next(ws for ws in wb.worksheets if ws.title.startswith("表3 "))
                    .merge_cells("E9:F9"))
    result = check_workbook(path)
    assert any(f.rule == "R-TABLE" and f.cell == "E9" for f in result.findings)
    out = write_annotated(path, result.findings, tmp_path / "副本.xlsx")
    assert_annotated(out, result.findings)


def test_clean_workbook_copy_lists_its_reminders_in_yellow(tmp_path):
    path = tmp_path / "样例.xlsx"
    shutil.copy(SAMPLE, path)
    result = check_workbook(path)
    assert result.errors == 0 and result.reminders == 2
    out = write_annotated(path, result.findings, tmp_path / "副本.xlsx")
    assert_annotated(out, result.findings)
    assert "0 处错误，2 处提醒" in openpyxl.load_workbook(out)[SUMMARY]["A1"].value


def test_annotating_the_copy_again_lists_afresh_and_keeps_old_comments(tmp_path):
    def edit(wb):
        _mixed(wb)
        wb["单位信息"]["B19"].comment = openpyxl.comments.Comment("请填办公室电话", "科长")
    path = workbook(tmp_path, edit)
    first = write_annotated(path, check_workbook(path).findings, tmp_path / "一.xlsx")
    result = check_workbook(first)            # the copy reads as the workbook, plus its 校验意见 sheet
    assert [f.rule for f in result.findings if f.sheet == SUMMARY] == ["R-SHEET"]
    second = write_annotated(first, result.findings, tmp_path / "二.xlsx")
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames.count(SUMMARY) == 1
    assert "请填办公室电话" in wb["单位信息"]["B19"].comment.text


def test_cli_check_annotate_writes_beside_or_into_out(tmp_path):
    path = workbook(tmp_path, _mixed)
    before = digest(path)
    result = runner.invoke(app, ["check", str(path), "--annotate"])
    assert result.exit_code == 1, result.output
    beside = tmp_path / "单位（校验意见）.xlsx"
    assert beside.exists() and "已生成校验意见副本" in result.output and beside.name in result.output
    result = runner.invoke(app, ["check", str(path), "--annotate", "-o", str(tmp_path / "意见"), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    into = tmp_path / "意见" / "单位（校验意见）.xlsx"
    assert data["annotated"] == str(into) and into.exists()
    assert digest(path) == before
    findings = check_workbook(path).findings
    assert_annotated(into, findings)
    assert_annotated(beside, findings)
    assert runner.invoke(app, ["check", str(path)]).exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["单位.xlsx", "单位（校验意见）.xlsx", "意见"])


def test_unwritable_output_is_a_clear_message_and_no_copy(tmp_path):
    path = workbook(tmp_path, _mixed)
    blocker = tmp_path / "是文件"
    blocker.write_text("x")
    result = runner.invoke(app, ["check", str(path), "--annotate", "-o", str(blocker)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "校验意见副本" in result.output and "是文件" in result.output
    assert "[R-CODE]" in result.output and "处错误" in result.output      # the findings are shown all the same
    with pytest.raises(BudgetError):
        write_annotated(path, [], path)        # never over the original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["单位.xlsx", "是文件"]


def _calc_converts(src: Path, outdir: Path) -> subprocess.CompletedProcess:
    """soffice with a throw-away profile of its own: concurrent soffice processes sharing one block each other."""
    profile = (outdir.parent / f"profile-{outdir.name}").as_uri()
    return subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
                           "ods", "--outdir", str(outdir), str(src)], capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_calc_opens_the_copy_headless(tmp_path):
    original = tmp_path / "orig.xlsx"
    shutil.copy(SAMPLE, original)
    probe = _calc_converts(original, tmp_path / "probe")
    if not (tmp_path / "probe" / "orig.ods").exists():
        pytest.skip(f"this LibreOffice cannot open .xlsx (Calc not installed?): {probe.stderr.strip()[-200:]}")
    path = workbook(tmp_path, _mixed)
    copy = write_annotated(path, check_workbook(path).findings, tmp_path / "copy.xlsx")
    run = _calc_converts(copy, tmp_path / "lo")
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr
    with zipfile.ZipFile(tmp_path / "lo" / "copy.ods") as ods:
        content = ods.read("content.xml").decode("utf-8")
    assert 'table:name="校验意见"' in content and "office:annotation" in content and "[R-CODE]" in content
