"""Findings shown where the clerk fixes them: an annotated copy of the workbook, `工作簿（校验意见）.xlsx`.

What the copy holds: docs/checks.md (校验意见副本). The original is only read, never written. openpyxl writes the
copy; it is imported here only, so `check` without --annotate and `build` never pay for it.
"""
from __future__ import annotations

import io
import warnings
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from .atomic import write_atomic
from .errors import BudgetError
from .findings import ERROR, Finding, count

SUMMARY_SHEET = "校验意见"
SUFFIX = "（校验意见）"
ERROR_FILL = "FFFF9999"          # red: the cell must be fixed
WARNING_FILL = "FFFFE699"        # yellow: please look at it
COMMENT_AUTHOR = "budgetreport 校验"
COLUMNS = (("序号", 6), ("级别", 6), ("规则", 14), ("工作表", 28), ("单元格", 9), ("问题", 70), ("应为", 24),
           ("实为", 16), ("改法", 40))
HEADER_ROW = 3                   # row 1: title and counts, row 2: blank, row 3: column labels


def annotated_path(workbook: Path, outdir: Path | None = None) -> Path:
    """`工作簿（校验意见）.xlsx` beside the workbook, or in `outdir`."""
    workbook = Path(workbook)
    return (Path(outdir) if outdir is not None else workbook.parent) / f"{workbook.stem}{SUFFIX}.xlsx"


def write_annotated(workbook: Path, findings: list[Finding], out: Path, notes: Sequence[str] = ()) -> Path:
    """Write the annotated copy of `workbook` to `out` (a file path) and return `out`. BudgetError when the
    workbook cannot be opened or `out` cannot be written; the original is never modified."""
    workbook, out = Path(workbook), Path(out)
    if out.resolve() == workbook.resolve():
        raise BudgetError("校验意见副本不能覆盖原工作簿", file=workbook.name, hint="请换一个输出文件夹")
    data = annotated_bytes(workbook, findings, notes)
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise BudgetError(f"无法写入校验意见副本 {out}（{exc.strerror or type(exc).__name__}）", file=workbook.name,
                          hint="请检查输出文件夹是否存在、可写，磁盘是否已满，或是否在 Excel 中打开了同名文件") from None
    return out


def annotated_bytes(workbook: Path, findings: list[Finding], notes: Sequence[str] = ()) -> bytes:
    """The annotated copy of `workbook` as .xlsx bytes (a batch worker's output; the main process writes it)."""
    wb = _load(Path(workbook))
    placed = _mark_cells(wb, findings)
    _summary(wb, Path(workbook).name, findings, placed, notes)
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


def _load(workbook: Path):
    import openpyxl
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # "extension is not supported and will be removed": a copy is fine
            return openpyxl.load_workbook(workbook, rich_text=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise BudgetError(f"无法打开工作簿生成校验意见副本（{type(exc).__name__}）", file=workbook.name,
                          hint="请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试") from None


def _anchor(ws, cell: str) -> str | None:
    """The cell that carries the mark: `cell` itself, or the first cell of the merged range it lies in."""
    from openpyxl.utils.cell import coordinate_from_string, range_boundaries
    try:
        ref = cell.split(":")[0].replace("$", "")
        coordinate_from_string(ref)
    except ValueError:
        return None
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            min_col, min_row, _, _ = range_boundaries(rng.coord)
            return ws.cell(row=min_row, column=min_col).coordinate
    return ref


def _comment_text(items: list[Finding]) -> str:
    parts = []
    for f in items:
        text = f"[{f.rule}] {f.level}：{f.message}"
        if f.expected or f.found:
            text += f"\n应为 {f.expected}，实为 {f.found}"
        if f.fix:
            text += f"\n改法：{f.fix}"
        parts.append(text)
    return "\n\n".join(parts)


def _mark_cells(wb, findings: list[Finding]) -> dict[int, tuple[str, str]]:
    """Fill and comment every cell with a finding; → finding index → (sheet, cell) it was placed at."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    placed: dict[int, tuple[str, str]] = {}
    for i, f in enumerate(findings):
        if f.sheet in wb.sheetnames and f.cell:
            anchor = _anchor(wb[f.sheet], f.cell)
            if anchor:
                by_cell[(f.sheet, anchor)].append(f)
                placed[i] = (f.sheet, anchor)
    for (sheet, ref), items in by_cell.items():
        cell = wb[sheet][ref]
        colour = ERROR_FILL if any(f.level == ERROR for f in items) else WARNING_FILL
        cell.fill = PatternFill(fill_type="solid", fgColor=colour, bgColor=colour)
        text = _comment_text(items)
        if cell.comment is not None and cell.comment.text:
            text += f"\n\n（原批注）{cell.comment.text}"
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width, comment.height = 360, min(40 + 70 * len(items), 400)
        cell.comment = comment
    return placed


def _summary(wb, name: str, findings: list[Finding], placed: dict[int, tuple[str, str]],
             notes: Sequence[str]) -> None:
    """The first sheet: counts, then one row per finding with a link to its cell, then the notes."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink
    if SUMMARY_SHEET in wb.sheetnames:          # annotating an annotated copy again: list afresh
        wb.remove(wb[SUMMARY_SHEET])
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    wb.active = 0
    ws.sheet_view.tabSelected = True
    errors, reminders = count(findings)
    ws["A1"] = f"{name}：{errors} 处错误，{reminders} 处提醒" + ("" if findings else "，未发现问题") + \
        "。红色单元格为错误，黄色为提醒，批注中写明问题与改法；点击“单元格”列跳到该处。"
    ws["A1"].font = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for c, (label, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=c, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill(fill_type="solid", fgColor="FFDDEBF7")
        ws.column_dimensions[cell.column_letter].width = width
    link_font = Font(color="FF0563C1", underline="single")
    for i, f in enumerate(findings):
        r = HEADER_ROW + 1 + i
        values = (i + 1, f.level, f.rule, f.sheet or "（整个工作簿）", f.cell, f.message, f.expected, f.found, f.fix)
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.data_type = "n" if c == 1 else "s"      # text stays text: a message starting with "=" is no formula
            cell.alignment = wrap
        level = ws.cell(row=r, column=2)
        level.fill = PatternFill(fill_type="solid", fgColor=ERROR_FILL if f.level == ERROR else WARNING_FILL)
        target = placed.get(i) or ((f.sheet, "A1") if f.sheet in wb.sheetnames else None)
        if target is not None:
            link = ws.cell(row=r, column=5, value=f.cell or "A1")
            sheet, ref = target
            link.hyperlink = Hyperlink(ref=link.coordinate, location="'" + sheet.replace("'", "''") + "'!" + ref,
                                       display=link.value)
            link.font = link_font
    last = HEADER_ROW + len(findings)
    for j, note in enumerate(notes):
        ws.cell(row=last + 2 + j, column=1, value=note).data_type = "s"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{ws.cell(row=max(last, HEADER_ROW), column=len(COLUMNS)).coordinate}"
