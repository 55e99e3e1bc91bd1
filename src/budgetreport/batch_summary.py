"""OUTDIR/校验汇总.xlsx: the bureau's view of a batch (issue 15 item 3), beside manifest.csv.

Sheet 单位汇总: one row per unit; sheet 全部问题: every finding of every unit, with filters on, then the batch's
own 提醒 (TPL-UNUSED). Texts are written as text cells, never formulas (docs/reliability.md).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_atomic
from .findings import ERROR, WARNING
from .outputs import SUMMARY_NAME, output_errors

if TYPE_CHECKING:
    from .batch import UnitResult

UNITS_SHEET, FINDINGS_SHEET = "单位汇总", "全部问题"
UNIT_COLUMNS = ("输入文件", "单位名称", "年度", "状态", "错误数", "提醒数", "模板", "第一个问题")
FINDING_COLUMNS = ("单位名称", "输入文件", "级别", "规则", "工作表", "单元格", "问题")
UNUSED_RULE, BATCH_ROW = "TPL-UNUSED", "（本批次）"     # a batch 提醒 belongs to no unit
_WIDTHS = {UNITS_SHEET: (28, 30, 8, 10, 8, 8, 20, 90), FINDINGS_SHEET: (30, 28, 8, 16, 28, 10, 90)}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_STATUS_FILL = {"失败": PatternFill("solid", fgColor="F8CBAD"), "有提醒": PatternFill("solid", fgColor="FFF2CC")}

def finding_text(f: dict[str, str]) -> str:
    """One finding as a line: [rule] sheet!cell：message，应为 …，实为 …"""
    where = f.get("where") or f.get("sheet", "")
    return f"[{f.get('rule', '')}] " + (f"{where}：" if where else "") + message_text(f)


def message_text(f: dict[str, str]) -> str:
    """The message with expected and found values and the fix, as `check` prints it (Finding.detail), without
    the place (the columns say it): the bureau sends it back to the unit, so what to do must be in it."""
    text = f.get("message", "")
    if f.get("expected") or f.get("found"):
        text += f"，应为 {f.get('expected', '')}，实为 {f.get('found', '')}"
    if f.get("fix"):
        text += f"（{f['fix']}）"
    return text


def first_problem(unit: UnitResult) -> str:
    """The first error, else the first reminder, else why the unit failed (unreadable, timed out …)."""
    for level in (ERROR, WARNING):
        found = next((f for f in unit.findings if f.get("level") == level), None)
        if found is not None:
            return finding_text(found)
    return unit.reason


def summary_workbook(units: Sequence[UnitResult], notes: Sequence[str] = ()) -> Workbook:
    """`notes`: the batch's own 提醒 (templates.unused_folders)."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet), "a new workbook has one worksheet"
    ws.title = UNITS_SHEET
    _header(ws, UNIT_COLUMNS)
    ordered = sorted(units, key=lambda u: u.input)
    for u in ordered:
        errors = sum(1 for f in u.findings if f.get("level") == ERROR)
        reminders = sum(1 for f in u.findings if f.get("level") == WARNING)
        _row(ws, (u.input, u.unit, u.year or "", u.status, errors, reminders, u.templates, first_problem(u)))
        fill = _STATUS_FILL.get(u.status)
        if fill is not None:
            ws.cell(row=ws.max_row, column=4).fill = fill
    _finish(ws)
    findings = wb.create_sheet(FINDINGS_SHEET)
    _header(findings, FINDING_COLUMNS)
    for u in ordered:
        for f in u.findings:
            _row(findings, (u.unit, u.input, f.get("level", ""), f.get("rule", ""), f.get("sheet", ""),
                            f.get("cell", ""), message_text(f)))
    for note in notes:
        _row(findings, ("", BATCH_ROW, WARNING, UNUSED_RULE, "模板", "", note))
    _finish(findings)
    return wb


def write_summary(path: Path, units: Sequence[UnitResult], notes: Sequence[str] = ()) -> None:
    buf = io.BytesIO()
    summary_workbook(units, notes).save(buf)
    with output_errors(path):
        write_atomic(path, buf.getvalue())


def _header(ws: Worksheet, columns: Sequence[str]) -> None:
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for letter, width in zip("ABCDEFGHIJ", _WIDTHS[ws.title]):
        ws.column_dimensions[letter].width = width


def _row(ws: Worksheet, values: Sequence[object]) -> None:
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"          # text, even when it begins with "="
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column == ws.max_column)


def _finish(ws: Worksheet) -> None:
    """Filters on the header row over every column, the header kept in view while scrolling."""
    ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{max(ws.max_row, 1)}"
    ws.freeze_panes = "A2"
