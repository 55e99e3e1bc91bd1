"""Stage 1, read: the standard workbook → `model.Budget`, and every problem met on the way as a `Finding`.

    read_budget(path) -> Reading       the Budget as far as it could be read, every finding of the reader, and
                                       which parts of the Budget hold a stand-in because a cell was wrong
    read_workbook(path) -> Budget      the complete Budget, or FindingsError with every finding (the reader's and
                                       the rules' on what could be read) when any is an error

A problem in one cell is recorded and reading goes on, with a stand-in marked unreadable so no rule draws
conclusions from it; only a workbook that cannot be read as a whole raises BudgetError here (docs/checks.md, 一次列全).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, TypedDict

from . import layout
from .cellref import column_letter
from .errors import BudgetError
from .findings import ERROR, WARNING, Finding, FindingsError, ordered
from .layout import MONEY, TEXT, KeyValueSheet, RowSheet, TableSpec
from .model import (Budget, Comparison, Indicator, OtherMatters, PairedTable, Project, Row, Staff, Table,
                    UnitInfo, UnitPerformance)
from .money import ZERO
from .read_cells import Log as _Log, Part, SheetCells as _Sheet, Unreadable as _Unreadable
from .text import clean, norm, strip_period
from .workbook_io import Grid as Worksheet, open_report_workbook as open_workbook, report_sheet

_CODE_NAME = re.compile(r"^\s*(\d{3,7})\s*(.*)$")
MAX_HEADER_SCAN = 30
YEARS = range(2000, 2101)                       # 预算年度


def _norm(value: object) -> str:
    """`norm`, remembered for text."""
    return _norm_text(value) if value.__class__ is str else norm(value)


@functools.lru_cache(maxsize=50_000)            # the same labels are compared in every unit; free texts differ
def _norm_text(value: str) -> str:
    return norm(value)


@dataclass
class Reading:
    """What the reader made of one workbook."""
    budget: Budget
    findings: list[Finding]                     # in the order a clerk reads them (findings.ordered)
    unreadable: dict[Part, str] = field(default_factory=dict)   # Budget part → the sheet it comes from
    sheet_order: list[str] = field(default_factory=list)        # every sheet's title, in workbook order
    file: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]


# --------------------------------------------------------------------------- sheet lookup

def _find_sheets(wb, warnings: list[BudgetError]) -> tuple[dict[int, Worksheet], dict[str, Worksheet]]:
    """Table sheets by their 表 number, the others by name (workbook_io.report_sheet, which also refused two sheets
    for one); unknown sheets are a reminder and ignored."""
    tables: dict[int, Worksheet] = {}
    others: dict[str, Worksheet] = {}
    for ws in wb.worksheets:
        key = report_sheet(ws.title)
        if key is None:
            if _norm(ws.title) != _norm(layout.INSTRUCTIONS_SHEET):
                warnings.append(BudgetError("未知的工作表，已忽略", sheet=ws.title, rule="R-SHEET"))
        elif key.startswith("表"):
            tables[int(key[1:])] = ws
        else:
            others[key] = ws
    missing = [spec.sheet_name for spec in layout.TABLES if spec.number not in tables]
    missing += [sheet.name for sheet in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS) if sheet.name not in others]
    if missing:
        raise BudgetError(f"缺少工作表“{missing[0]}”", hint="请按标准工作簿补上该表（可用 budgetreport init 生成空白工作簿）")
    return tables, others


# --------------------------------------------------------------------------- table sheets

_KEEP_HEADER = "请勿插入、删除或移动列；可用 budgetreport init 生成的标准表头对照"


def _locate(sheet: _Sheet, spec: TableSpec) -> tuple[int, dict[str, str]]:
    """The marker row, after checking every column's header label is where the layout says (else _Unreadable);
    a merged range in the data below it is an error."""
    ncols = len(spec.columns)
    marker_row = 0
    for r in range(1, min(sheet.ws.max_row, MAX_HEADER_SCAN) + 1):
        if _norm(sheet.value(r, 1)) == _norm(spec.marker):
            marker_row = r
            break
    if not marker_row:
        raise sheet.unreadable("R-TABLE", f"找不到表头最后一行（A 列为“{spec.marker}”的行），整张表无法读取", 1, 1,
                               "请保留标准表头，不要删除表头行")
    top = max(1, marker_row - len(spec.header) - 2)
    block = [[_norm(sheet.value(r, c)) for r in range(top, marker_row + 1)] for c in range(1, ncols + 1)]
    missing = [(i, c) for i, c in enumerate(spec.columns, start=1) if _norm(c.label) not in block[i - 1]]
    for index, column in missing:
        sheet.error("R-TABLE", f"缺少表头“{column.label}”（第 {index} 列），整张表无法读取",
                    marker_row - 1 if marker_row > 1 else 1, index, _KEEP_HEADER)
    if missing:
        raise _Unreadable()
    for rng in sheet.ws.merged_ranges:
        if rng.max_row > marker_row:
            sheet.error("R-TABLE", f"数据区不能有合并单元格（{rng.coord}）", max(rng.min_row, marker_row + 1),
                        rng.min_col, "请取消合并，每个单元格单独填写")
    letters = {c.key: column_letter(i) for i, c in enumerate(spec.columns, start=1)}
    return marker_row, letters


def _data_rows(sheet: _Sheet, start: int, ncols: int):
    for r in range(start, sheet.ws.max_row + 1):
        if not sheet.blank_row(r, ncols):
            yield r


def _values(sheet: _Sheet, spec: TableSpec, r: int) -> dict[str, Decimal]:
    return {c.key: sheet.amount(r, i) for i, c in enumerate(spec.columns, start=1) if c.kind == MONEY}


def _width(sheet: _Sheet, code: str, r: int, col: int, width: int, level: str) -> bool:
    if code and len(code) != width:
        sheet.error("R-CODE", f"{level}编码应为 {width} 位", r, col, "类/款/项编码按文本填写，如 208、05、05", found=code)
        return False
    return True


def _function_code(sheet: _Sheet, r: int) -> str | None:
    """类/款/项 over columns A–C → "2080505"; a full code typed into A alone is accepted too; None when wrong."""
    cls, kuan, xiang = sheet.code_part(r, 1, 3), sheet.code_part(r, 2, 2), sheet.code_part(r, 3, 2)
    if cls is None or kuan is None or xiang is None:
        return None
    if len(cls) in (5, 7) and not kuan and not xiang:
        return cls
    ok = _width(sheet, cls, r, 1, 3, "类级") & _width(sheet, kuan, r, 2, 2, "款级") & _width(sheet, xiang, r, 3, 2, "项级")
    if ok and ((kuan and not cls) or (xiang and not kuan)):
        sheet.error("R-CODE", "科目编码不完整：填了下级编码却缺少上级编码", r, 1, "类行只填“类”，款行填“类”“款”，项行三列都填")
        return None
    return cls + kuan + xiang if ok else None


def _economic_code(sheet: _Sheet, r: int) -> str | None:
    cls, kuan = sheet.code_part(r, 1, 3), sheet.code_part(r, 2, 2)
    if cls is None or kuan is None:
        return None
    ok = _width(sheet, cls, r, 1, 3, "类级") & _width(sheet, kuan, r, 2, 2, "款级")
    if ok and kuan and not cls:
        sheet.error("R-CODE", "科目编码不完整：填了款级编码却缺少类级编码", r, 1, "款行填“类”“款”两列")
        return None
    return cls + kuan if ok else None


def _read_code_table(sheet: _Sheet, spec: TableSpec, name_col: int, code_cols: int) -> Table:
    marker, letters = _locate(sheet, spec)
    table = Table(spec.number, spec.title, sheet.name, letters)
    text_cols = {c.key: i for i, c in enumerate(spec.columns, start=1) if c.kind == TEXT and c.key != "name"}
    for r in _data_rows(sheet, marker + 1, len(spec.columns)):
        code = _function_code(sheet, r) if code_cols == 3 else _economic_code(sheet, r)
        name = sheet.text(r, name_col)
        values = _values(sheet, spec, r)
        if code is None:
            continue                            # logged; the row is left out
        row = Row(r, code, name, values, {k: sheet.text(r, c) for k, c in text_cols.items()})
        if not code:
            if _norm(name) in ("总计", "合计"):
                if table.total is not None:
                    sheet.error("R-TABLE", f"有两行“总计”（第 {table.total.row} 行已有）", r, name_col, "请删除多余的一行")
                else:
                    table.total = row
                continue
            sheet.error("R-CODE", f"缺少科目编码（科目名称“{name}”）", r, 1, "类/款/项编码按文本填写，如 208、05、05")
            continue
        if not name:
            sheet.error("R-CODE", f"科目 {code} 缺少科目名称", r, name_col)
        table.rows.append(row)
    if table.total is None and table.rows:
        sheet.error("R-TABLE", "缺少“总计”行", marker + 1, name_col, "表格第一行数据应为总计行")
    return table


def _read_labelled_table(sheet: _Sheet, spec: TableSpec, items: tuple[tuple[str, str], ...] | None) -> Table:
    """表10 (fixed labels) and 表11 (free labels, 合计 first)."""
    marker, letters = _locate(sheet, spec)
    table = Table(spec.number, spec.title, sheet.name, letters)
    by_label = {_norm(label): key for key, label in items} if items else {}
    for r in _data_rows(sheet, marker + 1, len(spec.columns)):
        label = sheet.text(r, 1)
        row = Row(r, "", label, _values(sheet, spec, r))
        if items is not None:
            key = by_label.get(_norm(label))
            if key is None:
                sheet.error("R-ROW", "无法识别的行", r, 1, "应为：" + "、".join(lbl for _, lbl in items), found=label)
                continue
            row.code = key
            if key == "total":
                table.total = row
            else:
                table.rows.append(row)
        elif _norm(label) in ("合计", "总计"):
            table.total = row
        else:
            if not label:
                sheet.error("R-ROW", "有金额却缺少项目名称", r, 1)
            table.rows.append(row)
    return table


def _paired_side(sheet: _Sheet, table: PairedTable, by_label: dict[str, str], r: int, left: str,
                 values: dict[str, Decimal]) -> None:
    """One 收入 cell of 表1 / 表4: a known label, or 收入总计."""
    if _norm(left) == "收入总计":
        table.income_total = Row(r, "", left, values)
        return
    key = by_label.get(_norm(left))
    if key is None:
        sheet.error("R-ROW", "无法识别的收入项目", r, 1, "请使用标准工作簿中的项目名称", found=left)
    else:
        table.income[key] = Row(r, key, left, values)


def _expense_side(sheet: _Sheet, table: PairedTable, r: int, right: str, values: dict[str, Decimal]) -> None:
    """One 支出 cell of 表1 / 表4: "类编码 名称", or 支出总计."""
    if _norm(right) == "支出总计":
        table.expense_total = Row(r, "", right, values)
        return
    m = _CODE_NAME.match(right)
    if not m or len(m.group(1)) != 3:
        sheet.error("R-ROW", "功能分类应写作“类编码 名称”", r, 3, expected="如“208 社会保障和就业支出”", found=right)
        return
    code = m.group(1)
    if code in table.expense:
        sheet.error("R-ROW", f"功能分类 {code} 重复（第 {table.expense[code].row} 行已有）", r, 3, "请删除多余的一行")
        return
    table.expense[code] = Row(r, code, m.group(2).strip(), values)


def _read_paired(sheet: _Sheet, spec: TableSpec, items: tuple[tuple[str, str], ...]) -> PairedTable:
    """表1 / 表4: a 收入 side of known labels beside the 功能分类 类 list."""
    marker, letters = _locate(sheet, spec)
    table = PairedTable(spec.number, spec.title, sheet.name, letters)
    by_label = {_norm(label): key for key, label in items}
    money_cols = [(i, c.key) for i, c in enumerate(spec.columns, start=1) if c.kind == MONEY]
    left_cols = [(i, k) for i, k in money_cols if i < 3]
    right_cols = [(i, k) for i, k in money_cols if i > 3]
    for r in _data_rows(sheet, marker + 1, len(spec.columns)):
        left, right = sheet.text(r, 1), sheet.text(r, 3)
        left_values = {k: sheet.amount(r, i) for i, k in left_cols}
        right_values = {k: sheet.amount(r, i) for i, k in right_cols}
        if left:
            _paired_side(sheet, table, by_label, r, left, left_values)
        elif any(left_values.values()):
            sheet.error("R-ROW", "有金额却没有收入项目名称", r, 1)
        if right:
            _expense_side(sheet, table, r, right, right_values)
        elif any(right_values.values()):
            sheet.error("R-ROW", "有金额却没有功能分类", r, 3)
    if table.income_total.row == 0:
        sheet.error("R-TABLE", "缺少“收入总计”行", marker + 1, 1, "收入栏最后一行应为“收入总计”")
        table.income_total = Row(marker + 1)
    if table.expense_total.row == 0:
        sheet.error("R-TABLE", "缺少“支出总计”行", marker + 1, 3, "支出栏最后一行应为“支出总计”")
        table.expense_total = Row(marker + 1)
    return table


# --------------------------------------------------------------------------- other sheets

def _key_values(sheet: _Sheet, spec: KeyValueSheet,
                part_of: Callable[[str], Part | None]) -> tuple[dict[str, Any], dict[str, str]]:
    """Field key → value (a stand-in when wrong), and field key → cell address of its value.

    `part_of(field key)` is the Budget part a wrong value leaves unreadable (None: a missing text, read as "").
    """
    rows: dict[str, int] = {}
    for number in range(1, sheet.ws.max_row + 1):
        label = _norm(sheet.value(number, 1))
        if label:
            rows.setdefault(label, number)
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for f in spec.fields:
        r = rows.get(_norm(f.label))
        stand_in = None if f.kind in (TEXT, layout.DATE) else (0 if f.kind == layout.INT else ZERO)
        values[f.key] = stand_in
        if r is None:
            if f.required:
                sheet.error("R-TABLE", f"缺少“{f.label}”一行", max(rows.values(), default=1) + 1, 1,
                            "A 列写项目名称，B 列写内容", part=None if f.kind == TEXT else part_of(f.key))
            continue
        cells[f.key] = f"B{r}"
        raw = sheet.value(r, 2)
        if clean(raw) == "":
            if f.required and f.kind in (TEXT, layout.INT, layout.DATE, "year"):
                sheet.error("R-MISSING", f"“{f.label}”未填写", r, 2, f.help or "",
                            part=None if f.kind == TEXT else part_of(f.key))
            continue
        if f.kind == MONEY:
            values[f.key] = sheet.amount(r, 2, part=part_of(f.key))
        elif f.kind == layout.INT:
            values[f.key] = _count(sheet, r, f, part_of(f.key))
        elif f.kind == layout.DATE:
            values[f.key] = _date(sheet, r, 2, part_of(f.key))
        else:
            values[f.key] = clean(raw)
    return values, cells


def _count(sheet: _Sheet, r: int, f: layout.Field, part: Part | None) -> int:
    value = sheet.integer(r, 2, f.label, part=part)
    if value is None:
        return 0
    if f.key == "year" and value not in YEARS:
        sheet.error("R-YEAR", f"预算年度应为 {YEARS[0]}–{YEARS[-1]} 之间的年份", r, 2, "如 2026", found=value,
                    part=part)
        return 0
    return value


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _date(sheet: _Sheet, r: int, c: int, part: Part | None) -> dt.date | None:
    raw = sheet.value(r, c)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    m = _DATE_TEXT.match(clean(raw))
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    sheet.error("R-DATE", "应为日期", r, c, "如 2025-02-08 或 2025年2月8日", found=raw, part=part)
    return None


def _records(sheet: _Sheet, spec: RowSheet):
    """Yield (excel row, {field key: column}) for each non-blank row, columns found by their labels.

    A missing column is logged and the sheet is _Unreadable."""
    header = {_norm(sheet.value(1, c)): c for c in range(1, sheet.ws.max_column + 1) if clean(sheet.value(1, c))}
    cols: dict[str, int] = {}
    for index, f in enumerate(spec.columns, start=1):
        c = header.get(_norm(f.label))
        if c is None and f.may_be_absent:      # a column added later: an older workbook reads it as blank
            continue
        if c is None:
            sheet.error("R-TABLE", f"缺少列“{f.label}”，整张表无法读取", 1, index, "第 1 行应为列名，请按标准工作簿补上")
        else:
            cols[f.key] = c
    if any(f.key not in cols and not f.may_be_absent for f in spec.columns):
        raise _Unreadable()
    rows = []
    for r in range(2, sheet.ws.max_row + 1):
        if any(clean(sheet.value(r, c)) != "" for c in cols.values()):
            rows.append((r, cols))
    return rows


def _require(sheet: _Sheet, spec: RowSheet, r: int, cols: dict[str, int]) -> None:
    for f in spec.columns:
        if f.required and f.kind == TEXT and not sheet.text(r, cols[f.key]):
            sheet.error("R-MISSING", f"“{f.label}”未填写", r, cols[f.key], f.help or "", part=None)


def _comparisons(sheet: _Sheet) -> dict[tuple[str, str], Comparison]:
    """The rows of 上年预算及变动原因 by (类别, 项目); a wrong row is logged and left out."""
    result: dict[tuple[str, str], Comparison] = {}
    categories = {_norm(c): c for c in layout.CMP_CATEGORIES}
    for r, cols in _records(sheet, layout.COMPARISONS):
        category = categories.get(_norm(sheet.value(r, cols["category"])))
        item = sheet.text(r, cols["item"])
        last_year = sheet.amount(r, cols["last_year"])
        if category is None:
            sheet.error("R-ROW", f"类别应为{'、'.join(layout.CMP_CATEGORIES)}之一", r, cols["category"], "请从下拉列表中选择",
                        found=sheet.value(r, cols["category"]))
            continue
        if category == layout.CMP_FUNCTION:
            item = re.sub(r"\s+", "", item)
        if not item:
            sheet.error("R-MISSING", "“项目或科目编码”未填写", r, cols["item"])
            continue
        key = (category, _norm(item) if category != layout.CMP_FUNCTION else item)
        if key in result:
            sheet.error("R-ROW", f"{category}“{item}”重复（第 {result[key].row} 行已有）", r, cols["item"], "请删除多余的一行")
            continue
        if clean(sheet.value(r, cols["last_year"])) == "":
            sheet.error("R-MISSING", f"{category}“{item}”缺少上年预算数", r, cols["last_year"], "上年没有该项预算请填 0")
        result[key] = Comparison(category, item, last_year, strip_period(sheet.text(r, cols["reason"])), r)
    return result


def _indicators(sheet: _Sheet, spec: RowSheet) -> list[Indicator]:
    out: list[Indicator] = []
    last_project = ""
    for r, cols in _records(sheet, spec):
        _require(sheet, spec, r, cols)
        texts = {f.key: sheet.text(r, cols[f.key]) for f in spec.columns}
        project = texts.get("project", "") or last_project
        if not texts["level1"] and (not out or project != last_project):
            first = "第一行" if not out else "每个项目第一行"
            sheet.error("R-MISSING", f"{first}的“一级指标”不能为空", r, cols["level1"], "其下各行留空表示与上一行相同",
                        part=None)
        last_project = project
        out.append(Indicator(
            level1=texts["level1"], level2=texts["level2"], level3=texts["level3"], value=texts["value"],
            basis=texts["basis"], weight=texts["weight"], last_value=texts.get("last_value", ""),
            rule=texts.get("rule", ""), evidence=texts.get("evidence", ""), project=project, row=r))
    return out


def _projects(sheet: _Sheet) -> list[Project]:
    spec = layout.PROJECTS
    out: list[Project] = []
    for r, cols in _records(sheet, spec):
        _require(sheet, spec, r, cols)
        t = {f.key: sheet.text(r, cols[f.key]) for f in spec.columns if f.kind == TEXT}
        out.append(Project(**t, fiscal=sheet.amount(r, cols["fiscal"]), other=sheet.amount(r, cols["other"]), row=r))
    return out


def _purposes(sheet: _Sheet) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """What each 功能分类 类's money is for: 一般公共预算, 政府性基金 and 国有资本经营 columns, read in one pass (so a
    wrong cell is reported once)."""
    spec = layout.PURPOSES
    out: tuple[dict[str, str], dict[str, str], dict[str, str]] = ({}, {}, {})
    for r, cols in _records(sheet, spec):
        _require(sheet, spec, r, cols)
        code = sheet.code_part(r, cols["code"], 3)
        if not code:
            continue
        for found, key in zip(out, ("purpose", "fund_purpose", "soe_purpose")):
            if key in cols and (key == "purpose" or sheet.text(r, cols[key])):
                found[code] = strip_period(sheet.text(r, cols[key]))
    return out


def _unit_part(key: str) -> Part:
    return ("unit", "staff") if key.startswith("staff_") else ("unit", key)


def _unit_info(sheet: _Sheet) -> UnitInfo:
    v, cells = _key_values(sheet, layout.UNIT_INFO, _unit_part)
    departments = [d.strip() for d in re.split(r"[、,，;；]", v["departments"] or "") if d.strip()]
    staff = Staff(v["staff_quota"], v["staff_actual"], v["staff_active"], v["staff_active_last"], v["staff_retired"],
                  v["staff_retired_last"], v["staff_veteran"], v["staff_veteran_last"])
    return UnitInfo(name=v["name"] or "", code=v["code"] or "", year=v["year"], date=v["date"], kind=v["kind"] or "",
                    functions=v["functions"] or "", subunits=v["subunits"], departments=departments, staff=staff,
                    contact=v["contact"] or "", phone=v["phone"] or "", other_matters=v["other_matters"] or "",
                    cells=cells)


# --------------------------------------------------------------------------- entry point

def _or_empty(read: Callable[[], Any], stand_in: Callable[[], Any]) -> Any:
    """`read()`, or `stand_in()` when the sheet cannot be read at all (the finding is logged already)."""
    try:
        return read()
    except _Unreadable:
        return stand_in()


_Tables = TypedDict("_Tables", {"t1": PairedTable, "t2": Table, "t3": Table, "t4": PairedTable, "t5": Table,
                                "t6": Table, "t7": Table, "t8": Table, "t9": Table, "t10": Table, "t11": Table})


def _tables(s: dict[int, _Sheet]) -> _Tables:
    def code_table(n: int, spec: TableSpec, name_col: int, code_cols: int) -> Table:
        return _or_empty(lambda: _read_code_table(s[n], spec, name_col, code_cols),
                         lambda: Table(n, spec.title, s[n].name, {}))

    def paired(n: int, spec: TableSpec, items: tuple[tuple[str, str], ...]) -> PairedTable:
        return _or_empty(lambda: _read_paired(s[n], spec, items),
                         lambda: PairedTable(n, spec.title, s[n].name, {}, income_total=Row(0), expense_total=Row(0)))

    def labelled(n: int, spec: TableSpec, items: tuple[tuple[str, str], ...] | None) -> Table:
        return _or_empty(lambda: _read_labelled_table(s[n], spec, items), lambda: Table(n, spec.title, s[n].name, {}))

    return _Tables(
        t1=paired(1, layout.T1, layout.T1_INCOME_ITEMS),
        t2=code_table(2, layout.T2, 4, 3), t3=code_table(3, layout.T3, 4, 3), t4=paired(4, layout.T4,
                                                                                         layout.T4_INCOME_ITEMS),
        t5=code_table(5, layout.T5, 4, 3), t6=code_table(6, layout.T6, 3, 2), t7=code_table(7, layout.T7, 4, 3),
        t8=code_table(8, layout.T8, 4, 3), t9=code_table(9, layout.T9, 4, 3),
        t10=labelled(10, layout.T10, layout.T10_ITEMS), t11=labelled(11, layout.T11, None))


def _others(o: dict[str, _Sheet]) -> dict[str, Any]:
    perf, _ = _key_values(o[layout.UNIT_PERFORMANCE.name], layout.UNIT_PERFORMANCE, lambda k: ("unit_performance", k))
    other, other_cells = _key_values(o[layout.OTHER_MATTERS.name], layout.OTHER_MATTERS, lambda k: ("other", k))
    project_indicators: dict[str, list[Indicator]] = {}
    for ind in _or_empty(lambda: _indicators(o[layout.PROJECT_INDICATORS.name], layout.PROJECT_INDICATORS), list):
        project_indicators.setdefault(ind.project, []).append(ind)
    unit_indicators = _or_empty(lambda: _indicators(o[layout.UNIT_INDICATORS.name], layout.UNIT_INDICATORS), list)
    purposes, fund_purposes, soe_purposes = _or_empty(lambda: _purposes(o[layout.PURPOSES.name]),
                                                      lambda: ({}, {}, {}))
    return dict(
        unit=_unit_info(o[layout.UNIT_INFO.name]),
        comparisons=_or_empty(lambda: _comparisons(o[layout.COMPARISONS.name]), dict),
        purposes=purposes, fund_purposes=fund_purposes, soe_purposes=soe_purposes,
        projects=_or_empty(lambda: _projects(o[layout.PROJECTS.name]), list),
        unit_performance=UnitPerformance(goal=perf["goal"] or "", upper=perf["upper"], own=perf["own"],
                                         other=perf["other"], indicators=unit_indicators),
        project_indicators=project_indicators,
        other=OtherMatters(other, other_cells))


# Budget part each sheet feeds: what a wrong cell in it leaves unreadable, unless the reader says more precisely.
_OTHER_PARTS: dict[str, Part] = {
    layout.UNIT_INFO.name: ("unit",), layout.OTHER_MATTERS.name: ("other",),
    layout.UNIT_PERFORMANCE.name: ("unit_performance",), layout.UNIT_INDICATORS.name: ("unit_performance", "indicators"),
    layout.PROJECT_INDICATORS.name: ("project_indicators",), layout.COMPARISONS.name: ("comparisons",),
    layout.PURPOSES.name: ("purposes",), layout.PROJECTS.name: ("projects",),
}


def _formula_told(finding: Finding, wb: Any) -> Finding:
    """A finding about a formula cell says it is one and quotes it (the clerk fixes the formula, not the value)."""
    formula = wb.formula_at(finding.sheet, finding.cell) if finding.cell else None
    if formula is None or "公式" in finding.message:
        return finding
    return replace(finding, message=f"{finding.message}（该单元格是公式“{formula.text}”，显示的是公式保存的结果）")


def read_budget(path: str | Path) -> Reading:
    """Read the standard workbook at `path` as far as it can be read, recording every problem as a Finding.

    Raises BudgetError (with the file, and the sheet where there is one) only when it cannot be read as a whole."""
    path = Path(path)
    sheet_warnings: list[BudgetError] = []
    try:
        wb = open_workbook(path)
        tables, others = _find_sheets(wb, sheet_warnings)
    except BudgetError as exc:
        raise exc.with_file(path.name)
    log = _Log()
    for w in sheet_warnings:
        log.add(w.rule or "R-SHEET", w.sheet or "", w.cell or "", w.message, fix=w.hint or "", level=WARNING)
    s = {n: _Sheet(ws, log, (f"t{n}",)) for n, ws in tables.items()}
    o = {n: _Sheet(ws, log, _OTHER_PARTS.get(n, (n,))) for n, ws in others.items()}
    keys = {**{ws.title: f"t{n}" for n, ws in tables.items()}, **{ws.title: n for n, ws in others.items()}}
    order = [ws.title for ws in wb.worksheets]
    budget = Budget(source=str(path), **_tables(s), **_others(o),
                    sheets={keys[title]: title for title in order if title in keys})   # workbook order
    findings = ordered([_formula_told(f, wb) for f in log.findings], order)
    budget.warnings = [f for f in findings if f.level != ERROR]
    return Reading(budget, findings, log.unreadable, order, path.name)


def read_workbook(path: str | Path) -> Budget:
    """The complete Budget of the workbook at `path`.

    Raises BudgetError when it cannot be read as a whole, and FindingsError — carrying every finding of the reader
    and of the rules that could run on the rest — when any cell is wrong."""
    reading = read_budget(path)
    if reading.errors:
        from .checks import check_reading     # checks import the model, not the reader: no cycle at import time
        result = check_reading(reading)
        raise FindingsError(result.findings, reading.file, [s.rule for s in result.skipped])
    return reading.budget
