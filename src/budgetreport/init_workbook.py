"""The blank standard workbook (`budgetreport init`) and the cell-writing helpers the sample script shares.

Everything about sheets and columns comes from `layout.py`; this module only decides how the workbook looks:
titles, header blocks, styles, protection, drop-downs and the pre-filled labels of 表1/表4/表10 and 上年预算.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from . import layout
from .atomic import write_atomic
from .classification import FUNCTION_CLASSES
from .layout import CODE, DATE, INT, MONEY, TEXT, Field, KeyValueSheet, RowSheet, TableSpec

CellValue = str | int | float | Decimal | dt.date | None     # what the blank and filled workbooks hold

# Written into docProps/core.xml and every zip entry so the same input gives the same bytes.
FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)

UNIT_KINDS = ("行政单位", "参照公务员法管理事业单位", "事业单位")

# Rows of a row sheet / 上年预算 that carry drop-downs and unlocked formatting.
VALIDATION_ROWS = 1000

NUMBER_FORMATS = {MONEY: "0.00", CODE: "@", TEXT: "@", INT: "0", DATE: "yyyy-mm-dd", "year": "0"}

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_LOCKED = Protection(locked=True)
_UNLOCKED = Protection(locked=False)

COLUMN_WIDTHS = {CODE: 7, TEXT: 30, MONEY: 13}


# --------------------------------------------------------------------------- small helpers


def first_data_row(spec: TableSpec) -> int:
    """Row of the first data row on a table sheet written by `init`."""
    return layout.TITLE_ROWS + len(spec.header) + 1


def write_cell(ws: Worksheet, row: int, column: int, value: CellValue, kind: str = TEXT) -> None:
    """A data cell: unlocked, formatted by kind. Zero/None money stays empty only where the caller decides."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"   # an indicator value like "=1块" is text, not a formula
    cell.number_format = NUMBER_FORMATS.get(kind, "General")
    cell.protection = _UNLOCKED
    if kind == TEXT:
        cell.alignment = _WRAP


def _style_header(cell) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.border = _BORDER
    cell.alignment = _CENTER
    cell.protection = _LOCKED


def _format_column(ws: Worksheet, column: int, kind: str, width: float) -> None:
    """Column default style: cells the clerk types or pastes into later are unlocked and formatted."""
    dim = ws.column_dimensions[get_column_letter(column)]
    dim.width = width
    dim.number_format = NUMBER_FORMATS.get(kind, "General")
    dim.protection = _UNLOCKED


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password: locked cells (headers) are safe, paste into data still works."""
    p = ws.protection
    p.sheet = True
    # False = the action stays allowed on a protected sheet.
    p.formatCells = p.formatColumns = p.formatRows = False
    p.insertRows = p.deleteRows = False
    p.sort = p.autoFilter = False
    p.selectLockedCells = p.selectUnlockedCells = False


def _list_validation(ws: Worksheet, options: Sequence[str], ref: str, prompt: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
    dv.error = "请从下拉列表中选择：" + "、".join(options)
    dv.errorTitle = "输入有误"
    dv.prompt = prompt
    dv.promptTitle = "请选择"
    dv.showErrorMessage = True
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(ref)


def _row_height(labels: Iterable[tuple[str, float]]) -> float:
    """Enough height for the longest wrapped label (label, column width in characters)."""
    lines = 1
    for text, width in labels:
        if text:
            # A CJK character is about two width units.
            lines = max(lines, -(-len(text) * 2 // max(int(width) - 1, 1)))
    return min(15.0 * lines + 4, 64.0)


# --------------------------------------------------------------------------- table sheets


def _column_width(spec: TableSpec, index: int) -> float:
    column = spec.columns[index]
    if column.kind == TEXT and column.key in ("in_label", "out_label", "label"):
        return 34
    return COLUMN_WIDTHS.get(column.kind, 13)


def _merged_width(spec: TableSpec, row: int, col: int) -> float:
    """Width available to a header label: its merged range if it spans columns."""
    for m in spec.merges:
        if m.r1 == row and m.c1 == col:
            return sum(_column_width(spec, c - 1) for c in range(m.c1, m.c2 + 1))
    return _column_width(spec, col - 1)


def _write_table_sheet(ws: Worksheet, spec: TableSpec, unit: str | None) -> None:
    width = len(spec.columns)
    for i in range(width):
        _format_column(ws, i + 1, spec.columns[i].kind, _column_width(spec, i))

    ws.cell(row=1, column=1, value=spec.sheet_name).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 24
    ws.cell(row=2, column=1, value=f"编制单位：{unit or ''}")
    ws.cell(row=3, column=1, value="单位：万元")
    for r in (1, 2, 3):
        ws.cell(row=r, column=1).protection = _LOCKED

    top = layout.TITLE_ROWS
    for i, labels in enumerate(spec.header, start=1):
        row = top + i
        for c in range(1, width + 1):
            cell = ws.cell(row=row, column=c)
            label = labels[c - 1]
            if label:
                cell.value = label
            _style_header(cell)
        ws.row_dimensions[row].height = _row_height(
            (labels[c - 1], _merged_width(spec, i, c)) for c in range(1, width + 1))
    for m in spec.merges:
        ws.merge_cells(start_row=top + m.r1, start_column=m.c1, end_row=top + m.r2, end_column=m.c2)

    ws.freeze_panes = ws.cell(row=first_data_row(spec), column=1).coordinate   # the cell is made too (same bytes)
    if width > 8:
        ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = f"{top + 1}:{top + len(spec.header)}"
    _protect(ws)


def write_table_row(ws: Worksheet, spec: TableSpec, row: int, values: Mapping[str, CellValue]) -> None:
    """One data row by column key; zero or None amounts stay empty, as published."""
    for c, column in enumerate(spec.columns, start=1):
        value = values.get(column.key)
        if value is None or value == "" or (column.kind == MONEY and value == 0):
            continue
        write_cell(ws, row, c, value, column.kind)


def write_table_rows(ws: Worksheet, spec: TableSpec, rows: Iterable[Mapping[str, CellValue]]) -> None:
    """Data rows from the first data row down, replacing whatever was there."""
    start = first_data_row(spec)
    if ws.max_row >= start:
        ws.delete_rows(start, ws.max_row - start + 1)
    for offset, values in enumerate(rows):
        write_table_row(ws, spec, start + offset, values)


def find_table_row(ws: Worksheet, spec: TableSpec, key: str, label: str) -> int:
    """The data row whose column `key` holds `label` (表1/表4/表10 pre-filled labels)."""
    column = spec.column_keys().index(key) + 1
    for row in range(first_data_row(spec), ws.max_row + 1):
        if ws.cell(row=row, column=column).value == label:
            return row
    raise KeyError(f"{spec.sheet_name}: no row with {label!r}")


def class_label(code: str, name: str) -> str:
    """表1/表4 支出 label: "208 社会保障和就业支出"."""
    return f"{code} {name}"


def _paired_rows(income_items: Sequence[tuple[str, str]]) -> list[dict[str, CellValue]]:
    """表1/表4 skeleton: 收入 labels beside the full 类 list, row by row, then the totals row."""
    rows: list[dict[str, CellValue]] = []
    for i in range(max(len(income_items), len(FUNCTION_CLASSES))):
        row: dict[str, CellValue] = {}
        if i < len(income_items):
            row["in_label"] = income_items[i][1]
        if i < len(FUNCTION_CLASSES):
            row["out_label"] = class_label(*FUNCTION_CLASSES[i])
        rows.append(row)
    rows.append({"in_label": "收入总计", "out_label": "支出总计"})
    return rows


# --------------------------------------------------------------------------- key/value and row sheets

_KIND_NOTES = {MONEY: "金额（万元，两位小数）", INT: "整数", DATE: "日期（年-月-日）"}


def field_note(f: Field) -> str:
    """Column C of a key/value sheet: kind, required, help."""
    kind = _KIND_NOTES.get(f.kind, "")
    if f.kind == MONEY and "平方米" in f.label:   # layout files 面积 as money: same format, other unit
        kind = "数字（两位小数）"
    required = "必填" if f.required else "可空"
    parts = [kind, "" if f.help.startswith(required) else required, f.help]
    return "；".join(p for p in parts if p)


def _write_key_value_sheet(ws: Worksheet, sheet: KeyValueSheet) -> None:
    for c, (label, width) in enumerate((("项目", 30), ("内容", 60), ("填写说明", 50)), start=1):
        _style_header(ws.cell(row=1, column=c, value=label))
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.column_dimensions["B"].protection = _UNLOCKED
    for row, f in enumerate(sheet.fields, start=2):
        label_cell = ws.cell(row=row, column=1, value=f.label)
        label_cell.fill = _LABEL_FILL
        label_cell.border = _BORDER
        label_cell.alignment = _WRAP
        label_cell.protection = _LOCKED
        write_cell(ws, row, 2, None, f.kind)
        ws.cell(row=row, column=2).border = _BORDER
        note = ws.cell(row=row, column=3, value=field_note(f))
        note.alignment = _WRAP
        note.protection = _LOCKED
    ws.freeze_panes = "A2"
    _protect(ws)


def field_row(sheet: KeyValueSheet, key: str) -> int:
    """Excel row of a field on a key/value sheet."""
    for row, f in enumerate(sheet.fields, start=2):
        if f.key == key:
            return row
    raise KeyError(f"{sheet.name}: no field {key!r}")


def set_field(ws: Worksheet, sheet: KeyValueSheet, key: str, value: CellValue) -> None:
    row = field_row(sheet, key)
    write_cell(ws, row, 2, value, sheet.fields[row - 2].kind)
    ws.cell(row=row, column=2).border = _BORDER


def _row_sheet_width(f: Field) -> float:
    if f.kind == MONEY:
        return 14
    return 40 if f.key in ("goal", "basis", "allocation", "purpose", "reason", "level3") else 18


def _write_row_sheet(ws: Worksheet, sheet: RowSheet) -> None:
    for c, f in enumerate(sheet.columns, start=1):
        _style_header(ws.cell(row=1, column=c, value=f.label))
        _format_column(ws, c, f.kind, _row_sheet_width(f))
    ws.freeze_panes = "A2"
    _protect(ws)


def write_records(ws: Worksheet, sheet: RowSheet, records: Iterable[Mapping[str, CellValue]]) -> None:
    """Records from row 2 down by field key, replacing what was there. Money 0 is written as 0."""
    if ws.max_row >= 2:
        ws.delete_rows(2, ws.max_row - 1)
    for row, record in enumerate(records, start=2):
        for c, f in enumerate(sheet.columns, start=1):
            value = record.get(f.key)
            if value is None or value == "":
                continue
            write_cell(ws, row, c, value, f.kind)


def comparison_keys() -> list[tuple[str, str]]:
    """The fixed (类别, 项目) keys of 上年预算; 功能分类 rows are per unit (7-digit 项 codes)."""
    keys = [(layout.CMP_INCOME, narrative) for _, _, narrative in layout.INCOME_SOURCES]
    keys += [(layout.CMP_EXPENSE, "基本支出"), (layout.CMP_EXPENSE, "项目支出")]
    keys += [(layout.CMP_GPB_EXPENSE, "基本支出"), (layout.CMP_GPB_EXPENSE, "项目支出")]
    keys += [(layout.CMP_THREE, item) for item in layout.THREE_ITEMS]
    keys += [(layout.CMP_RUNNING, "运行经费")]
    return keys


# --------------------------------------------------------------------------- 填表说明

SHEET_NOTES: dict[str, str] = {
    layout.INSTRUCTIONS_SHEET: "本说明，不必填写。",
    layout.UNIT_INFO.name: "单位基本情况：名称、年度、编制日期、职能、机构与人员、联系人（第一部分及绩效目标表表头）。",
    layout.COMPARISONS.name: "第三部分与上年比较所需的上年预算数和变动原因，一行一项。",
    layout.PURPOSES.name: "第三部分四：各功能分类类级支出“主要用于”的说明，一类一行。",
    layout.PROJECTS.name: "第三部分七及项目支出绩效目标表：一个项目一行，项目名称与表7一致。",
    layout.UNIT_PERFORMANCE.name: "单位整体绩效目标表：年度绩效目标与资金来源。",
    layout.UNIT_INDICATORS.name: "单位整体绩效目标表的指标，一行一个三级指标。",
    layout.PROJECT_INDICATORS.name: "项目支出绩效目标表的指标，一行一个三级指标，首列填项目名称。",
    layout.OTHER_MATTERS.name: "第三部分十二：运行经费、政府采购、国有资产占用、购置计划。",
}

GENERAL_RULES: tuple[str, ...] = (
    "1. 本工作簿是生成单位预算公开文件的唯一数据来源。请勿修改工作表名称中的“表N”编号、表头和第一列的项目名称。",
    "2. 金额一律以“万元”为单位填写数字，保留两位小数（如 197.31），不要输入“万元”等文字；金额为 0 的单元格可以留空，留空按 0 处理。",
    "3. 科目编码按文本填写，拆分在“类”“款”“项”三列：如 208 / 05 / 05（功能分类）、301 / 01（经济分类），前导 0 不可省略。",
    "4. 表2、表3、表5、表7、表8、表9：第一行数据为“总计”行（编码留空，科目名称填“总计”），其下依次为类、款、项行；类行只填“类”，款行填“类”“款”，项行三列都填。表7 的项目名称填在项级行。",
    "5. 表6：第一行数据为“总计”行（科目名称列填“总计”），其下为经济分类类行（只填“类”，如 301）和款行（填“类”“款”，如 301 / 01）。",
    "6. 表1、表4 已预置收入项目和全部功能分类（类），只需在对应行填写金额；最后一行为“收入总计 / 支出总计”。表10 已预置“三公”经费项目。表11 如有数据，第一行为“合计”。",
    "7. 没有数据的表（如无政府性基金、国有资本经营预算、上年结转结余）保留表头，不填数据行。",
    "8. 表头已锁定保护（无密码），数据区可直接填写或从预算系统粘贴；确需修改表头时，可在“审阅 → 撤销工作表保护”后修改。",
    "9. 绩效指标表中“一级指标”“二级指标”留空，表示与上一行相同（即公开表中的合并单元格）。",
    "10. 上年预算及变动原因：按“类别 + 项目或科目编码”逐行填写上年预算数和主要原因；主要原因写在“主要原因是”之后，末尾不加句号；没有变动原因的可留空。",
)


def comparison_help() -> list[str]:
    """The 上年预算 categories and the items each expects, for 填表说明 and docs."""
    income = "、".join(n for _, _, n in layout.INCOME_SOURCES)
    return [
        f"{layout.CMP_INCOME}：{income}",
        f"{layout.CMP_EXPENSE}：基本支出、项目支出",
        f"{layout.CMP_GPB_EXPENSE}：基本支出、项目支出",
        f"{layout.CMP_FUNCTION}：7 位项级科目编码，如 2080505（第三部分五（三）逐项说明，科目名称可填在“名称”列供核对）",
        f"{layout.CMP_THREE}：" + "、".join(layout.THREE_ITEMS),
        f"{layout.CMP_RUNNING}：运行经费",
    ]


def _sheet_note(name: str) -> str:
    for t in layout.TABLES:
        if t.sheet_name == name:
            empty = "，无数据时可为空表" if t.may_be_empty else ""
            return f"第二部分表{t.number}“{t.title}”，按公开表逐行填写{empty}。"
    return SHEET_NOTES.get(name, "")


def _write_instructions(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    ws["A1"] = "单位预算公开标准工作簿 填表说明"
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    ws.cell(row=row, column=1, value="一、总体要求").font = _HEADER_FONT
    for line in GENERAL_RULES:
        row += 1
        ws.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=False)
    row += 2
    ws.cell(row=row, column=1, value="二、上年预算及变动原因的类别和项目").font = _HEADER_FONT
    for line in comparison_help():
        row += 1
        ws.cell(row=row, column=1, value=line)
    row += 2
    ws.cell(row=row, column=1, value="三、各工作表").font = _HEADER_FONT
    row += 1
    _style_header(ws.cell(row=row, column=1, value="工作表"))
    _style_header(ws.cell(row=row, column=2, value="内容"))
    for name in layout.SHEET_ORDER:
        row += 1
        ws.cell(row=row, column=1, value=name).border = _BORDER
        note = ws.cell(row=row, column=2, value=_sheet_note(name))
        note.border = _BORDER
        note.alignment = _WRAP


# --------------------------------------------------------------------------- workbook


def new_workbook(unit: str | None = None, year: int | None = None) -> Workbook:
    """The blank standard workbook, sheets in `layout.SHEET_ORDER`."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])      # a new workbook's one sheet
    tables = {t.sheet_name: t for t in layout.TABLES}
    key_values = {s.name: s for s in layout.KEY_VALUE_SHEETS}
    row_sheets = {s.name: s for s in layout.ROW_SHEETS}
    for name in layout.SHEET_ORDER:
        ws = wb.create_sheet(name)
        if name == layout.INSTRUCTIONS_SHEET:
            _write_instructions(ws)
        elif name in tables:
            _write_table_sheet(ws, tables[name], unit)
        elif name in key_values:
            _write_key_value_sheet(ws, key_values[name])
        else:
            _write_row_sheet(ws, row_sheets[name])
    write_table_rows(wb[layout.T1.sheet_name], layout.T1, _paired_rows(layout.T1_INCOME_ITEMS))
    write_table_rows(wb[layout.T4.sheet_name], layout.T4, _paired_rows(layout.T4_INCOME_ITEMS))
    write_table_rows(wb[layout.T10.sheet_name], layout.T10, [{"label": label} for _, label in layout.T10_ITEMS])
    cmp = wb[layout.COMPARISONS.name]
    write_records(cmp, layout.COMPARISONS, [{"category": c, "item": i} for c, i in comparison_keys()])
    _list_validation(cmp, layout.CMP_CATEGORIES, f"A2:A{VALIDATION_ROWS}", "类别：" + "、".join(layout.CMP_CATEGORIES))

    info = wb[layout.UNIT_INFO.name]
    _list_validation(info, UNIT_KINDS, f"B{field_row(layout.UNIT_INFO, 'kind')}", "单位性质：" + "、".join(UNIT_KINDS))
    if unit:
        set_field(info, layout.UNIT_INFO, "name", unit)
    if year:
        set_field(info, layout.UNIT_INFO, "year", int(year))

    wb.properties.creator = "budgetreport"
    wb.properties.title = f"{unit or ''}{year or ''}单位预算公开标准工作簿"
    wb.properties.created = wb.properties.modified = FIXED_TIMESTAMP
    wb.active = 0
    return wb


def workbook_bytes(wb: Workbook, timestamp: dt.datetime = FIXED_TIMESTAMP) -> bytes:
    """The .xlsx bytes with fixed timestamps (core properties and zip entries), so reruns are identical."""
    wb.properties.created = wb.properties.modified = timestamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()   # openpyxl's save() would stamp "now" into modified
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=timestamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def save_workbook(wb: Workbook, path: str | Path, timestamp: dt.datetime = FIXED_TIMESTAMP) -> None:
    """Write atomically: a half-written workbook never replaces a good one."""
    write_atomic(Path(path), workbook_bytes(wb, timestamp))


def write_blank_workbook(path: str | Path, unit: str | None = None, year: int | None = None) -> None:
    save_workbook(new_workbook(unit, year), path)
