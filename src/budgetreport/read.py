"""Stage 1, read: the standard workbook → `model.Budget`.

Every problem becomes a `BudgetError` naming the sheet and the Excel cell. Reminders (提醒) that do not stop the
build (an amount with more than 2 decimals, an unknown extra sheet) are collected in `Budget.warnings`.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from . import layout
from .cellref import column_letter
from .errors import BudgetError
from .layout import MONEY, TEXT, KeyValueSheet, RowSheet, TableSpec
from .model import (Budget, Comparison, Indicator, OtherMatters, PairedTable, Project, Row, Staff, Table,
                    UnitInfo, UnitPerformance)
from .money import CENT, ZERO, decimals, money, to_decimal
from .text import clean, norm, strip_period
from .workbook_io import Grid as Worksheet, open_report_workbook as open_workbook

_TABLE_SHEET = re.compile(r"^\s*表\s*(\d+)")
_CODE_NAME = re.compile(r"^\s*(\d{3,7})\s*(.*)$")
MAX_HEADER_SCAN = 30
_NORMS: dict[str, str] = {}                     # text → norm(text): the same labels are compared in every unit


def _norm(value: object) -> str:
    """`norm`, remembered for text."""
    if value.__class__ is not str:
        return norm(value)
    result = _NORMS.get(value)
    if result is None:
        if len(_NORMS) > 50_000:                # bounded: free texts differ between units
            _NORMS.clear()
        result = _NORMS[value] = norm(value)
    return result


class _Sheet:
    """A worksheet plus what we need to say where a problem is."""

    def __init__(self, ws: Worksheet, warnings: list[BudgetError]) -> None:
        self.ws = ws
        self.name = ws.title
        self.warnings = warnings
        self.value: Callable[[int, int], Any] = ws.value     # (row, col) → cell value; no wrapper per cell
        self.cell = ws.cells.get                # ((row, col)) → cell value: no Python call at all, for hot loops

    def error(self, message: str, row: int, col: int, hint: str | None = None) -> BudgetError:
        return BudgetError(message, sheet=self.name, cell=f"{column_letter(col)}{row}", hint=hint)

    def amount(self, row: int, col: int, *, allow_negative: bool = False) -> Decimal:
        raw = self.cell((row, col))
        if raw is None:
            return ZERO                         # most amount cells are empty: skip the Decimal work
        if isinstance(raw, str) and raw.strip().startswith("="):
            raise self.error(f"公式“{raw.strip()}”没有计算结果", row, col,
                             "请用 Excel 或 WPS 打开该文件并保存一次，使公式结果写入文件")
        try:
            value = to_decimal(raw)
        except (InvalidOperation, ValueError):
            raise self.error(f"应为数字金额（万元），实为“{clean(raw)}”", row, col,
                             "请删除文字、单位或空格，只保留数字") from None
        if value < 0 and not allow_negative:
            raise self.error(f"金额不能为负数，实为 {value}", row, col)
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)     # money(value), without converting again
        if rounded != value and decimals(value) > 2:               # only a changed amount can have 3 decimals
            self.warnings.append(BudgetError(
                f"金额 {value} 超过两位小数，已四舍五入为 {rounded}", sheet=self.name,
                cell=f"{column_letter(col)}{row}", rule="R-DEC"))
        return rounded

    def integer(self, row: int, col: int) -> int:
        raw = self.value(row, col)
        try:
            value = to_decimal(raw)
            if value != value.to_integral_value():
                raise ValueError
            return int(value)
        except (InvalidOperation, ValueError):
            raise self.error(f"应为整数，实为“{clean(raw)}”", row, col) from None

    def text(self, row: int, col: int) -> str:
        return clean(self.cell((row, col)))

    def code_part(self, row: int, col: int, width: int) -> str:
        """A 类/款/项 code cell: text "05"; a number 5 (Excel dropped the zero) is padded back."""
        raw = self.cell((row, col))
        if raw is None or clean(raw) == "":
            return ""
        if isinstance(raw, (int, float)) and float(raw).is_integer():
            text = str(int(raw)).zfill(width)
        else:
            text = clean(raw)
        if not text.isdigit():
            raise self.error(f"科目编码应为数字，实为“{text}”", row, col)
        return text

    def blank_row(self, row: int, ncols: int) -> bool:
        cell = self.cell
        for c in range(1, ncols + 1):
            v = cell((row, c))
            if v is not None and clean(v):      # clean(None) is "": most cells of a blank row are None
                return False
        return True


# --------------------------------------------------------------------------- sheet lookup

def _find_sheets(wb, warnings: list[BudgetError]) -> tuple[dict[int, Worksheet], dict[str, Worksheet]]:
    """Table sheets by their 表 number, the others by name; unknown sheets are a reminder and ignored."""
    tables: dict[int, Worksheet] = {}
    others: dict[str, Worksheet] = {}
    known = {_norm(s.name): s.name for s in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS)}
    for ws in wb.worksheets:
        m = _TABLE_SHEET.match(ws.title)
        if m:
            number = int(m.group(1))
            if number in layout.TABLES_BY_NUMBER:
                if number in tables:
                    raise BudgetError(f"有两张表{number}：“{tables[number].title}”和“{ws.title}”", sheet=ws.title,
                                      hint="请删除多余的一张")
                tables[number] = ws
                continue
        key = _norm(ws.title)
        if key in known:
            others[known[key]] = ws
        elif key != _norm(layout.INSTRUCTIONS_SHEET):
            warnings.append(BudgetError("未知的工作表，已忽略", sheet=ws.title, rule="R-SHEET"))
    for spec in layout.TABLES:
        if spec.number not in tables:
            raise BudgetError(f"缺少工作表“{spec.sheet_name}”", hint="请按标准工作簿补上该表（可用 budgetreport init 生成空白工作簿）")
    for sheet in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS):
        if sheet.name not in others:
            raise BudgetError(f"缺少工作表“{sheet.name}”", hint="请按标准工作簿补上该表（可用 budgetreport init 生成空白工作簿）")
    return tables, others


# --------------------------------------------------------------------------- table sheets

def _locate(sheet: _Sheet, spec: TableSpec) -> tuple[int, dict[str, str]]:
    """The marker row, after checking every column's header label is where the layout says."""
    ncols = len(spec.columns)
    marker_row = 0
    for r in range(1, min(sheet.ws.max_row, MAX_HEADER_SCAN) + 1):
        if _norm(sheet.value(r, 1)) == _norm(spec.marker):
            marker_row = r
            break
    if not marker_row:
        raise BudgetError(f"找不到表头最后一行（A 列为“{spec.marker}”的行）", sheet=sheet.name, cell="A1",
                          hint="请保留标准表头，不要删除表头行")
    top = max(1, marker_row - len(spec.header) - 2)
    block = [[_norm(sheet.value(r, c)) for r in range(top, marker_row + 1)] for c in range(1, ncols + 1)]
    for index, column in enumerate(spec.columns, start=1):
        if _norm(column.label) not in block[index - 1]:
            raise sheet.error(f"缺少表头“{column.label}”（第 {index} 列）", marker_row - 1 if marker_row > 1 else 1,
                              index, "请勿插入、删除或移动列；可用 budgetreport init 生成的标准表头对照")
    letters = {c.key: column_letter(i) for i, c in enumerate(spec.columns, start=1)}
    return marker_row, letters


def _merged_in_data(sheet: _Sheet, first_data_row: int) -> None:
    for rng in sheet.ws.merged_ranges:
        if rng.max_row >= first_data_row:
            raise BudgetError(f"数据区不能有合并单元格（{rng.coord}）", sheet=sheet.name,
                              cell=rng.coord.split(":")[0], hint="请取消合并，每个单元格单独填写")


def _data_rows(sheet: _Sheet, start: int, ncols: int):
    for r in range(start, sheet.ws.max_row + 1):
        if not sheet.blank_row(r, ncols):
            yield r


def _values(sheet: _Sheet, spec: TableSpec, r: int) -> dict[str, Decimal]:
    return {c.key: sheet.amount(r, i) for i, c in enumerate(spec.columns, start=1) if c.kind == MONEY}


def _function_code(sheet: _Sheet, r: int) -> str:
    """类/款/项 over columns A–C → "2080505"; a full code typed into A alone is accepted too."""
    cls, kuan, xiang = sheet.code_part(r, 1, 3), sheet.code_part(r, 2, 2), sheet.code_part(r, 3, 2)
    if len(cls) in (5, 7) and not kuan and not xiang:
        return cls
    if cls and len(cls) != 3:
        raise sheet.error(f"类级编码应为 3 位，实为“{cls}”", r, 1)
    if kuan and len(kuan) != 2:
        raise sheet.error(f"款级编码应为 2 位，实为“{kuan}”", r, 2)
    if xiang and len(xiang) != 2:
        raise sheet.error(f"项级编码应为 2 位，实为“{xiang}”", r, 3)
    if (kuan and not cls) or (xiang and not kuan):
        raise sheet.error("科目编码不完整：填了下级编码却缺少上级编码", r, 1)
    return cls + kuan + xiang


def _read_code_table(sheet: _Sheet, spec: TableSpec, name_col: int, code_cols: int) -> Table:
    marker, letters = _locate(sheet, spec)
    _merged_in_data(sheet, marker + 1)
    table = Table(spec.number, spec.title, sheet.name, letters)
    text_cols = {c.key: i for i, c in enumerate(spec.columns, start=1) if c.kind == TEXT and c.key != "name"}
    for r in _data_rows(sheet, marker + 1, len(spec.columns)):
        if code_cols == 3:
            code = _function_code(sheet, r)
        else:
            cls, kuan = sheet.code_part(r, 1, 3), sheet.code_part(r, 2, 2)
            if cls and len(cls) != 3:
                raise sheet.error(f"类级编码应为 3 位，实为“{cls}”", r, 1)
            if kuan and len(kuan) != 2:
                raise sheet.error(f"款级编码应为 2 位，实为“{kuan}”", r, 2)
            code = cls + kuan
        name = sheet.text(r, name_col)
        row = Row(r, code, name, _values(sheet, spec, r), {k: sheet.text(r, c) for k, c in text_cols.items()})
        if not code:
            if _norm(name) in ("总计", "合计"):
                if table.total is not None:
                    raise sheet.error("有两行“总计”", r, name_col)
                table.total = row
                continue
            raise sheet.error(f"缺少科目编码（科目名称“{name}”）", r, 1, "类/款/项编码按文本填写，如 208、05、05")
        if not name:
            raise sheet.error(f"科目 {code} 缺少科目名称", r, name_col)
        table.rows.append(row)
    if table.total is None and table.rows:
        raise BudgetError("缺少“总计”行", sheet=sheet.name, cell=f"{column_letter(name_col)}{marker + 1}",
                          hint="表格第一行数据应为总计行")
    return table


def _read_labelled_table(sheet: _Sheet, spec: TableSpec, items: tuple[tuple[str, str], ...] | None) -> Table:
    """表10 (fixed labels) and 表11 (free labels, 合计 first)."""
    marker, letters = _locate(sheet, spec)
    _merged_in_data(sheet, marker + 1)
    table = Table(spec.number, spec.title, sheet.name, letters)
    by_label = {_norm(label): key for key, label in items} if items else {}
    for r in _data_rows(sheet, marker + 1, len(spec.columns)):
        label = sheet.text(r, 1)
        row = Row(r, "", label, _values(sheet, spec, r))
        if items is not None:
            key = by_label.get(_norm(label))
            if key is None:
                raise sheet.error(f"无法识别的行“{label}”", r, 1,
                                  "应为：" + "、".join(lbl for _, lbl in items))
            row.code = key
            if key == "total":
                table.total = row
            else:
                table.rows.append(row)
        elif _norm(label) in ("合计", "总计"):
            table.total = row
        else:
            if not label:
                raise sheet.error("缺少项目名称", r, 1)
            table.rows.append(row)
    return table


def _read_paired(sheet: _Sheet, spec: TableSpec, items: tuple[tuple[str, str], ...]) -> PairedTable:
    """表1 / 表4: a 收入 side of known labels beside the 功能分类 类 list."""
    marker, letters = _locate(sheet, spec)
    _merged_in_data(sheet, marker + 1)
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
            if _norm(left) == "收入总计":
                table.income_total = Row(r, "", left, left_values)
            else:
                key = by_label.get(_norm(left))
                if key is None:
                    raise sheet.error(f"无法识别的收入项目“{left}”", r, 1, "请使用标准工作簿中的项目名称")
                table.income[key] = Row(r, key, left, left_values)
        elif any(left_values.values()):
            raise sheet.error("有金额却没有收入项目名称", r, 1)
        if right:
            if _norm(right) == "支出总计":
                table.expense_total = Row(r, "", right, right_values)
            else:
                m = _CODE_NAME.match(right)
                if not m or len(m.group(1)) != 3:
                    raise sheet.error(f"功能分类应写作“类编码 名称”，如“208 社会保障和就业支出”，实为“{right}”", r, 3)
                code = m.group(1)
                if code in table.expense:
                    raise sheet.error(f"功能分类 {code} 重复", r, 3)
                table.expense[code] = Row(r, code, m.group(2).strip(), right_values)
        elif any(right_values.values()):
            raise sheet.error("有金额却没有功能分类", r, 3)
    if table.income_total is None:
        raise BudgetError("缺少“收入总计”行", sheet=sheet.name, cell="A" + str(marker + 1))
    if table.expense_total is None:
        raise BudgetError("缺少“支出总计”行", sheet=sheet.name, cell="C" + str(marker + 1))
    return table


# --------------------------------------------------------------------------- other sheets

def _key_values(sheet: _Sheet, spec: KeyValueSheet) -> tuple[dict[str, Any], dict[str, str]]:
    """Field key → raw value, and field key → cell address of its value."""
    rows: dict[str, int] = {}
    for r in range(1, sheet.ws.max_row + 1):
        label = _norm(sheet.value(r, 1))
        if label:
            rows.setdefault(label, r)
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for f in spec.fields:
        r = rows.get(_norm(f.label))
        if r is None:
            if f.required:
                raise BudgetError(f"缺少“{f.label}”一行", sheet=sheet.name, cell="A1",
                                  hint="A 列写项目名称，B 列写内容")
            values[f.key] = None
            continue
        cells[f.key] = f"B{r}"
        raw = sheet.value(r, 2)
        if clean(raw) == "":
            if f.required and f.kind in (TEXT, layout.INT, layout.DATE, "year"):
                raise sheet.error(f"“{f.label}”未填写", r, 2, f.help or None)
            values[f.key] = None if f.kind in (TEXT, layout.DATE) else (0 if f.kind == layout.INT else money(0))
            continue
        if f.kind == MONEY:
            values[f.key] = sheet.amount(r, 2)
        elif f.kind == layout.INT:
            values[f.key] = sheet.integer(r, 2)
        elif f.kind == layout.DATE:
            values[f.key] = _date(sheet, r, 2)
        else:
            values[f.key] = clean(raw)
    return values, cells


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _date(sheet: _Sheet, r: int, c: int) -> dt.date:
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
    raise sheet.error(f"应为日期，实为“{clean(raw)}”", r, c, "如 2025-02-08 或 2025年2月8日")


def _records(sheet: _Sheet, spec: RowSheet):
    """Yield (excel row, {field key: raw value}) for each non-blank row, columns found by their labels."""
    header = {_norm(sheet.value(1, c)): c for c in range(1, sheet.ws.max_column + 1) if clean(sheet.value(1, c))}
    cols: dict[str, int] = {}
    for index, f in enumerate(spec.columns, start=1):
        c = header.get(_norm(f.label))
        if c is None and f.may_be_absent:      # a column added later: an older workbook reads it as blank
            continue
        if c is None:
            raise sheet.error(f"缺少列“{f.label}”", 1, index, "第 1 行应为列名")
        cols[f.key] = c
    for r in range(2, sheet.ws.max_row + 1):
        if all(clean(sheet.value(r, c)) == "" for c in cols.values()):
            continue
        yield r, cols


def _require(sheet: _Sheet, spec: RowSheet, r: int, cols: dict[str, int]) -> None:
    for f in spec.columns:
        if f.required and f.kind == TEXT and not sheet.text(r, cols[f.key]):
            raise sheet.error(f"“{f.label}”未填写", r, cols[f.key], f.help or None)


def _comparisons(sheet: _Sheet) -> dict[tuple[str, str], Comparison]:
    spec = layout.COMPARISONS
    result: dict[tuple[str, str], Comparison] = {}
    categories = {_norm(c): c for c in layout.CMP_CATEGORIES}
    for r, cols in _records(sheet, spec):
        category = categories.get(_norm(sheet.value(r, cols["category"])))
        if category is None:
            raise sheet.error(f"类别应为{'、'.join(layout.CMP_CATEGORIES)}之一，实为“{sheet.text(r, cols['category'])}”",
                              r, cols["category"])
        item = sheet.text(r, cols["item"])
        if category == layout.CMP_FUNCTION:
            item = re.sub(r"\s+", "", item)
        if not item:
            raise sheet.error("“项目或科目编码”未填写", r, cols["item"])
        key = (category, _norm(item) if category != layout.CMP_FUNCTION else item)
        if key in result:
            raise sheet.error(f"{category}“{item}”重复（第 {result[key].row} 行已有）", r, cols["item"])
        raw_last = sheet.value(r, cols["last_year"])
        if clean(raw_last) == "":
            raise sheet.error(f"{category}“{item}”缺少上年预算数", r, cols["last_year"], "上年没有该项预算请填 0")
        result[key] = Comparison(category, item, sheet.amount(r, cols["last_year"]),
                                 strip_period(sheet.text(r, cols["reason"])), r)
    return result


def _indicators(sheet: _Sheet, spec: RowSheet) -> list[Indicator]:
    out: list[Indicator] = []
    last_project = ""
    for r, cols in _records(sheet, spec):
        _require(sheet, spec, r, cols)
        texts = {f.key: sheet.text(r, cols[f.key]) for f in spec.columns}
        project = texts.get("project", "") or last_project
        if not out and not texts["level1"]:
            raise sheet.error("第一行的“一级指标”不能为空", r, cols["level1"])
        if project != last_project:
            if not texts["level1"]:
                raise sheet.error("每个项目第一行的“一级指标”不能为空", r, cols["level1"])
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


def _purposes(sheet: _Sheet, key: str = "purpose") -> dict[str, str]:
    spec = layout.PURPOSES
    out: dict[str, str] = {}
    for r, cols in _records(sheet, spec):
        _require(sheet, spec, r, cols)
        code = sheet.code_part(r, cols["code"], 3)
        if key in cols and (key == "purpose" or sheet.text(r, cols[key])):
            out[code] = strip_period(sheet.text(r, cols[key]))
    return out


def _unit_info(sheet: _Sheet) -> UnitInfo:
    v, cells = _key_values(sheet, layout.UNIT_INFO)
    departments = [d.strip() for d in re.split(r"[、,，;；]", v["departments"] or "") if d.strip()]
    staff = Staff(v["staff_quota"], v["staff_actual"], v["staff_active"], v["staff_active_last"], v["staff_retired"],
                  v["staff_retired_last"], v["staff_veteran"], v["staff_veteran_last"])
    return UnitInfo(name=v["name"], code=v["code"] or "", year=v["year"], date=v["date"], kind=v["kind"],
                    functions=v["functions"], subunits=v["subunits"], departments=departments, staff=staff,
                    contact=v["contact"], phone=v["phone"], other_matters=v["other_matters"] or "", cells=cells)


# --------------------------------------------------------------------------- entry point

def read_workbook(path: str | Path) -> Budget:
    """Read the standard workbook at `path`; raise BudgetError (with the file, sheet and cell) when it is wrong."""
    path = Path(path)
    warnings: list[BudgetError] = []
    try:
        wb = open_workbook(path)
        tables, others = _find_sheets(wb, warnings)
        s = {n: _Sheet(ws, warnings) for n, ws in tables.items()}
        o = {n: _Sheet(ws, warnings) for n, ws in others.items()}
        unit = _unit_info(o[layout.UNIT_INFO.name])
        perf_values, _ = _key_values(o[layout.UNIT_PERFORMANCE.name], layout.UNIT_PERFORMANCE)
        other_values, other_cells = _key_values(o[layout.OTHER_MATTERS.name], layout.OTHER_MATTERS)
        project_indicators: dict[str, list[Indicator]] = {}
        for ind in _indicators(o[layout.PROJECT_INDICATORS.name], layout.PROJECT_INDICATORS):
            project_indicators.setdefault(ind.project, []).append(ind)
        budget = Budget(
            source=str(path),
            unit=unit,
            t1=_read_paired(s[1], layout.T1, layout.T1_INCOME_ITEMS),
            t2=_read_code_table(s[2], layout.T2, 4, 3),
            t3=_read_code_table(s[3], layout.T3, 4, 3),
            t4=_read_paired(s[4], layout.T4, layout.T4_INCOME_ITEMS),
            t5=_read_code_table(s[5], layout.T5, 4, 3),
            t6=_read_code_table(s[6], layout.T6, 3, 2),
            t7=_read_code_table(s[7], layout.T7, 4, 3),
            t8=_read_code_table(s[8], layout.T8, 4, 3),
            t9=_read_code_table(s[9], layout.T9, 4, 3),
            t10=_read_labelled_table(s[10], layout.T10, layout.T10_ITEMS),
            t11=_read_labelled_table(s[11], layout.T11, None),
            comparisons=_comparisons(o[layout.COMPARISONS.name]),
            purposes=_purposes(o[layout.PURPOSES.name]),
            fund_purposes=_purposes(o[layout.PURPOSES.name], "fund_purpose"),
            soe_purposes=_purposes(o[layout.PURPOSES.name], "soe_purpose"),
            projects=_projects(o[layout.PROJECTS.name]),
            unit_performance=UnitPerformance(
                goal=perf_values["goal"], upper=perf_values["upper"], own=perf_values["own"],
                other=perf_values["other"],
                indicators=_indicators(o[layout.UNIT_INDICATORS.name], layout.UNIT_INDICATORS)),
            project_indicators=project_indicators,
            other=OtherMatters(other_values, other_cells),
            warnings=warnings,
            sheets={**{f"t{n}": ws.title for n, ws in tables.items()}, **{n: ws.title for n, ws in others.items()}},
        )
    except BudgetError as exc:
        raise exc.with_file(path.name)
    for w in warnings:
        w.with_file(path.name)
    return budget
