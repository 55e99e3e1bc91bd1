"""Reading one worksheet's cells into a grid, strictly and within bounds.

Each cell gets the value openpyxl's `load_workbook(data_only=True, read_only=True)` gave (cached formula results,
dates by openpyxl's number-format rule, errors as text such as "#DIV/0!"), laid out as its reader lays them out: a
row is as wide as its last cell's column, a later cell wins a column, a repeated or out-of-order row is dropped,
empty rows at the end are cut off.

Unlike openpyxl, what no workbook writer writes is refused, naming the sheet and the cell where there is one, and
so are formulas without a saved result or with stale ones: docs/reliability.md lists each case and bound.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple

from lxml import etree

from .cellref import column_letter
from .errors import BudgetError
from .xlsx_parts import MAIN, SAFE, SheetEntry, text_of
from .xlsx_safety import CONVERT, Archive
from .xlsx_values import from_excel, from_ISO8601, unescape

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384                  # XFD
MAX_ROWS = 20_000                       # rows per worksheet (a real sheet has a few hundred)
MAX_CELLS = 200_000                     # <c> elements per worksheet (the sample: 1 329 in all 20 sheets)
MAX_TEXT = 32_767                       # characters in one cell: Excel's own limit
MAX_MERGES = 10_000
_ROW, _C, _V, _F, _IS, _T = (MAIN + t for t in ("row", "c", "v", "f", "is", "t"))
_MERGE_CELL = MAIN + "mergeCell"
_TAGS = ("{*}worksheet", _ROW, _C, _MERGE_CELL)
_ROW_NUMBER = re.compile(r"[1-9][0-9]{0,6}")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Za-z]+[0-9]+(?::[A-Za-z]+([0-9]+))?"')
_COLUMNS: dict[str, int] = {}           # "AB" → 28, filled as letters are met (at most 18 278 entries)
_REFRESH = "请在 Excel/WPS 中打开并保存后再试（使公式结果写入文件），或把公式改为数值"


class MergedRange(NamedTuple):
    """A merged range (1-based bounds), as `<mergeCell ref="…">` gives it."""
    min_col: int
    min_row: int
    max_col: int
    max_row: int

    @property
    def coord(self) -> str:
        first = f"{column_letter(self.min_col)}{self.min_row}"
        if (self.min_col, self.min_row) == (self.max_col, self.max_row):
            return first
        return f"{first}:{column_letter(self.max_col)}{self.max_row}"


class Formula(NamedTuple):
    """A formula as written in a cell; `text` translates a shared formula to the cell (only when a message
    needs it: the translator is openpyxl's)."""
    written: str            # "=B1*2", "{=…}" for an array formula
    origin: str | None      # the cell a shared formula was written in, when it is not this one
    cell: str

    @property
    def text(self) -> str:
        if self.origin is None or self.origin == self.cell:
            return self.written
        from openpyxl.formula.translate import Translator  # only for this rare message
        return Translator(self.written, self.origin).translate_formula(self.cell)


class Grid:
    """One worksheet's values (1-based (row, column) → value, None left out), merged ranges, formulas, title."""

    def __init__(self, title: str, cells: dict[tuple[int, int], Any], max_row: int, max_column: int,
                 merged: list[MergedRange], formulas: dict[tuple[int, int], Formula] | None = None,
                 hidden: bool = False, loaded: bool = True) -> None:
        self.title = title
        self.cells = cells          # read.py asks for cells thousands of times: one dict lookup each
        self.max_row = max_row
        self.max_column = max_column
        self.merged_ranges = merged
        self.formulas = formulas or {}
        self.hidden = hidden
        self.loaded = loaded        # False: a sheet the report does not use, listed but never inflated

    def value(self, row: int, column: int) -> Any:
        return self.cells.get((row, column))


class GridBook:
    """The workbook as grids, in sheet order."""

    def __init__(self, sheets: list[Grid]) -> None:
        self.worksheets = sheets
        self._by_title = {g.title: g for g in sheets}

    def __getitem__(self, title: str) -> Grid:
        return self._by_title[title]

    def formula_at(self, sheet: str | None, cell: str | None) -> Formula | None:
        """The formula in `sheet!cell`, if that cell holds one (for messages about it)."""
        grid = self._by_title.get(sheet or "")
        match = _CELL_REF.fullmatch(cell or "")
        if grid is None or match is None:
            return None
        return grid.formulas.get((int(match.group(2)), letters_column(match.group(1))))


@dataclass
class Book:
    """What reading every sheet needs: shared strings, date styles, the epoch, and whether results are stale."""
    strings: list[str]
    date_styles: set[int]
    duration_styles: set[int]
    epoch: Any
    stale: bool
    file: str = ""


def letters_column(letters: str) -> int:
    """Column number of column letters ("AB" → 28); 0 when they are not A…XFD."""
    column = _COLUMNS.get(letters)
    if column is None:
        column = 0
        for ch in letters:
            column = column * 26 + ord(ch) - 64
        if len(letters) > 3 or not letters.isascii() or not letters.isupper() or column > EXCEL_COLUMNS:
            return 0
        _COLUMNS[letters] = column
    return column


@dataclass
class _Sheet:
    """The state of reading one sheet."""
    title: str
    book: Book
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)
    shared: dict[str, tuple[str, str]] = field(default_factory=dict)
    merged: list[MergedRange] = field(default_factory=list)
    number: int = 0         # the last row's number
    kept: int = 0           # the last row kept (a repeated or out-of-order row is dropped)
    max_row: int = 0        # the last row with a value
    widths: dict[int, int] = field(default_factory=dict)
    rows: int = 0
    count: int = 0          # cells
    here: tuple[int, int] = (0, 0)     # (row, column) of the cell being read, for messages
    values: dict[int, Any] | None = None    # the open row's values by column; None between rows
    column: int = 0         # the open row's last cell's column

    def cell_name(self) -> str:
        return f"{column_letter(self.here[1])}{self.here[0]}"

    def error(self, message: str, cell: str | None = None, hint: str = CONVERT) -> BudgetError:
        return BudgetError(message, file=self.book.file or None, sheet=self.title, cell=cell, hint=hint)

    def too_many_rows(self, rows: int) -> BudgetError:
        return self.error(f"工作表有 {rows} 行，超过上限 {MAX_ROWS} 行，已拒绝读取",
                          hint="请删除数据区下方多余的行（选中整行 → 删除）后保存")

    def start_row(self, el: etree._Element) -> None:
        if self.values is not None:
            raise self.error(f"第 {self.number} 行里嵌套了另一个行元素，无法读取，文件可能已损坏或不是 Excel/WPS 保存的")
        ref = el.get("r")
        if ref is None:
            number = self.number + 1
        elif _ROW_NUMBER.fullmatch(ref) and int(ref) <= EXCEL_ROWS:
            number = int(ref)
        else:
            raise self.error(f"第 {self.rows + 1} 个行元素的行号“{ref[:40]}”无效（应为 1 至 {EXCEL_ROWS} 的整数），"
                             "无法读取，文件可能已损坏或不是 Excel/WPS 保存的")
        self.rows += 1
        if number > MAX_ROWS or self.rows > MAX_ROWS:
            raise self.too_many_rows(max(number, self.rows))
        self.number = number
        self.values = {}
        self.column = 0

    def cell(self, c: etree._Element) -> None:
        """A cell that ended: its value into the open row (a cell outside a row is ignored, as openpyxl does)."""
        if self.values is None:
            return
        self.count += 1
        if self.count > MAX_CELLS:
            raise self.error(f"工作表的单元格超过 {MAX_CELLS} 个，已拒绝读取", hint="请删除多余的行、列和格式后保存")
        self.column = column = self.column_of(c, self.number, self.column)
        self.here = (self.number, column)
        self.values[column] = self.value(c)

    def end_row(self) -> None:
        if self.values is not None and self.number > self.kept:
            self.keep(self.number, self.values, self.column)
        self.values = None

    def column_of(self, c: etree._Element, number: int, previous: int) -> int:
        """The cell's column: from its reference, strictly, or the one after the previous cell."""
        ref = c.get("r")
        if not ref:
            if previous >= EXCEL_COLUMNS:
                raise self.error(f"第 {number} 行的单元格超出 XFD 列，无法读取，文件可能已损坏")
            return previous + 1
        match = _CELL_REF.fullmatch(ref)
        column = letters_column(match.group(1)) if match and int(match.group(2)) <= EXCEL_ROWS else 0
        if not column:
            where = f"{column_letter(previous + 1)}{number}" if previous < EXCEL_COLUMNS else None
            raise self.error(f"单元格引用“{ref[:40]}”无效（应为 A1 至 XFD{EXCEL_ROWS} 之间），无法读取，文件可能已损坏",
                             where)
        return column

    def keep(self, number: int, values: dict[int, Any], width: int) -> None:
        """A row as openpyxl lays it out: as wide as its last cell's column (cells after it are dropped)."""
        self.kept = number
        self.widths[number] = width
        for column, value in values.items():
            if value is not None and column <= width:
                self.cells[number, column] = value
                self.max_row = number

    def value(self, c: etree._Element) -> Any:
        """The cell's value as openpyxl's data_only reader gives it; a formula cell is also checked and noted."""
        if not len(c):
            return None
        first = c[0]
        kind = c.get("t")
        if kind == "inlineStr":
            node = first if first.tag == _IS else next(c.iterchildren(_IS), None)
            value: Any = None if node is None else self.text(_inline(node))
        else:
            v = first if first.tag == _V else next(c.iterchildren(_V), None)
            text = None if v is None else v.text
            value = self.typed(kind, text, c.get("s")) if text else None
        if first.tag == _F or len(c) > 1:
            f = first if first.tag == _F else next(c.iterchildren(_F), None)
            if f is not None:
                self.formula(c, f, value)
        return value

    def text(self, text: str) -> str:
        if len(text) > MAX_TEXT:
            raise self.error(f"单元格文字有 {len(text)} 个字符，超过 Excel 的上限 {MAX_TEXT}，无法读取",
                             self.cell_name(), hint="请缩短该单元格的文字后保存")
        return text

    def typed(self, kind: str | None, text: str, style: str | None) -> Any:
        """The value of a cell of type `kind` whose <v> holds `text` (not empty), strictly."""
        book = self.book
        cell = self.cell_name
        if kind is None or kind == "n":
            if not _NUMBER.fullmatch(text):
                raise self.error(f"单元格的数值“{text[:40]}”不是数字，无法读取，文件可能已损坏", cell())
            value = float(text) if "." in text or "E" in text or "e" in text else int(text)
            if style:
                if not (style.isdigit() and style.isascii()):
                    raise self.error(f"单元格的样式编号“{style[:40]}”无效，无法读取，文件可能已损坏", cell())
                if book.date_styles and int(style) in book.date_styles:
                    try:
                        return from_excel(value, book.epoch, timedelta=int(style) in book.duration_styles)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
            return value
        if kind == "s":
            if not (text.isdigit() and text.isascii() and int(text) < len(book.strings)):
                raise self.error(f"单元格引用的共享字符串“{text[:40]}”不存在（共 {len(book.strings)} 项），无法读取，"
                                 "文件可能已损坏", cell())
            return self.text(book.strings[int(text)])
        if kind == "b":
            if text not in ("0", "1"):
                raise self.error(f"单元格的逻辑值“{text[:40]}”无效（应为 0 或 1），无法读取，文件可能已损坏", cell())
            return text == "1"
        if kind == "d":
            try:
                return from_ISO8601(text)
            except ValueError:
                raise self.error(f"单元格的日期“{text[:40]}”无效，无法读取，文件可能已损坏", cell()) from None
        # "str" (a formula's text result), "e" (an error such as #DIV/0!) and unknown types
        return self.text(unescape(text) if kind == "str" else text)

    def formula(self, c: etree._Element, f: etree._Element, value: Any) -> None:
        """Note the formula; one without a saved result, or any in a workbook with stale results, is an error."""
        cell = self.cell_name()
        formula = self.formula_of(f, c.get("r") or cell)
        self.formulas[self.here] = formula
        # a text formula's empty result ("") is saved as an empty <v> (Excel, LibreOffice): saved, not missing
        if value is None and (c.get("t") != "str" or next(c.iterchildren(_V), None) is None):
            raise self.error(f"单元格是公式“{formula.text}”，但文件中没有保存计算结果", cell,
                             hint="请用 Excel 或 WPS 打开该文件并保存一次（使公式结果写入文件），或把公式改为数值")
        if self.book.stale:
            shown = "" if value is None else f"“{value}”"
            raise self.error(f"单元格是公式“{formula.text}”，工作簿标记为“打开时重新计算”（由程序生成），"
                             f"文件中保存的结果{shown}可能不是 Excel 中显示的值", cell, hint=_REFRESH)

    def formula_of(self, f: etree._Element, ref: str) -> Formula:
        """A formula as openpyxl shows it; shared ones remember where they were written."""
        kind = f.get("t")
        text = "=" + (f.text or "")
        if kind == "array":
            return Formula("{" + text + "}", None, ref)
        if kind == "dataTable":
            return Formula("{=TABLE(" + ",".join(filter(None, (f.get("r1"), f.get("r2")))) + ")}", None, ref)
        if kind == "shared":
            index = f.get("si") or ""
            if index in self.shared:
                return Formula(*self.shared[index], ref)
            if text != "=":
                self.shared[index] = (text, ref)
        return Formula(text, None, ref)

    def merge(self, el: etree._Element) -> None:
        ref = el.get("ref") or ""
        first, _, last = ref.upper().partition(":")
        a, b = _CELL_REF.fullmatch(first), _CELL_REF.fullmatch(last or first)
        bounds = (letters_column(a.group(1)), int(a.group(2)), letters_column(b.group(1)), int(b.group(2))) \
            if a and b else (0, 0, 0, 0)
        c1, r1, c2, r2 = bounds
        if not (1 <= c1 <= c2 and 1 <= r1 <= r2 <= EXCEL_ROWS):
            raise self.error(f"合并单元格区域“{ref[:40]}”无效，无法读取，文件可能已损坏")
        if len(self.merged) >= MAX_MERGES:
            raise self.error(f"工作表的合并单元格超过 {MAX_MERGES} 个，已拒绝读取", hint="请取消多余的合并后保存")
        self.merged.append(MergedRange(c1, r1, c2, r2))

    def grid(self, hidden: bool) -> Grid:
        width = max((w for r, w in self.widths.items() if r <= self.max_row), default=0)
        return Grid(self.title, self.cells, self.max_row, width, self.merged, self.formulas, hidden)


def _inline(node: etree._Element) -> str:
    """An inline string's text (most are one <t>: looked at before the general rule)."""
    if len(node) == 1 and node[0].tag == _T:
        return unescape(node[0].text or "")
    return text_of(node)


def _with_dimension_check(chunks: Iterator[bytes], sheet: _Sheet) -> Iterator[bytes]:
    """The chunks, after refusing a sheet whose <dimension> (near the top) already says it is too long."""
    first = next(chunks, b"")
    m = _DIMENSION.search(first[:4096])
    if m and m.group(1) and int(m.group(1)) > MAX_ROWS:
        raise sheet.too_many_rows(int(m.group(1)))
    yield first
    yield from chunks


def read_grid(archive: Archive, entry: SheetEntry, book: Book) -> Grid:
    """One worksheet, parsed as it is inflated; rows are freed as they are read, and whatever else the part
    holds (columns, hyperlinks, validations …) once it is complete, so memory stays bounded by one chunk."""
    sheet = _Sheet(entry.title, book)
    try:
        _stream(_with_dimension_check(archive.chunks(entry.part, entry.title), sheet), sheet)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position and exc.position[0] > 0 else (0, 0)
        where = f"（XML 第 {line} 行第 {column} 列）" if line else ""
        raise sheet.error(f"工作表的 XML 已损坏{where}，无法读取，文件可能被其他程序改写或未保存完整") from None
    return sheet.grid(entry.hidden)


def _stream(chunks: Iterator[bytes], sheet: _Sheet) -> None:
    """The part fed to lxml chunk by chunk; what is complete is freed after each chunk."""
    parser = etree.XMLPullParser(events=("start", "end"), tag=_TAGS, **SAFE)
    root = None
    for chunk in chunks:
        parser.feed(chunk)
        root = _take(parser.read_events(), sheet, root)
        if root is not None:
            _prune(root)
    parser.close()
    _take(parser.read_events(), sheet, root)


def _take(events: Iterator[tuple[str, etree._Element]], sheet: _Sheet,
          root: etree._Element | None) -> etree._Element | None:
    """Read the cells, rows and merged ranges the events bring; returns the root once it has started. Cells are
    read as they end and dropped, so that a row of a million cells never sits in memory whole."""
    for event, el in events:
        tag = el.tag
        if event == "end":
            if tag == _C:
                sheet.cell(el)
                el.clear()
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
            elif tag == _ROW:
                sheet.end_row()
            elif tag == _MERGE_CELL:
                sheet.merge(el)
        elif tag == _ROW:
            sheet.start_row(el)
        elif root is None and tag != _C and el.getparent() is None:
            root = el
    return root


def _prune(root: etree._Element) -> None:
    """Drop every element already complete (all before the last child, level by level down the open path),
    but nothing inside a row still being read."""
    node = root
    while len(node) and node.tag != _ROW:
        last = node[-1]
        for _ in range(len(node) - 1):
            del node[0]
        node = last
