"""Opening a workbook: the one entry point read.py uses, in three steps, each in its own module (xlsx_safety,
xlsx_parts, xlsx_sheets, with xlsx_values; docs/design.md says what each does).

`open_report_workbook` inflates only the sheets the report uses (their names come from layout.py) and refuses two
sheets, hidden ones included, that stand for one of them; the other sheets are listed (read.py names them in a
reminder) but never inflated. Only what a damaged or hostile file raises becomes a BudgetError, with the sheet and
cell where known; anything else is a bug of ours and propagates.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import layout
from .errors import BudgetError
from .text import norm
from .xlsx_parts import SheetEntry, date_styles, read_structure, shared_strings
from .xlsx_safety import Archive, open_archive, precheck
from .xlsx_sheets import Book, Grid, GridBook, read_grid
from .xlsx_values import (BUILTIN_FORMATS, MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601, is_date_format,
                          is_timedelta_format)

# re-exported: what the tests compare with openpyxl's own
__all__ = ["BUILTIN_FORMATS", "MAC_EPOCH", "WINDOWS_EPOCH", "Grid", "GridBook", "from_ISO8601", "from_excel",
           "is_date_format", "is_timedelta_format", "open_report_workbook", "open_workbook", "report_sheet"]

_TABLE_SHEET = re.compile(r"^\s*表\s*(\d+)")    # a table sheet: "表3…"
_KNOWN = {norm(s.name): s.name for s in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS)}


def report_sheet(title: str) -> str | None:
    """The sheet of the report that a sheet titled `title` stands for ("表3", "单位信息"), or None: a table by its
    number, the others by their normalised name (read.py's _find_sheets uses it too)."""
    m = _TABLE_SHEET.match(title)
    if m and int(m.group(1)) in layout.TABLES_BY_NUMBER:
        return f"表{int(m.group(1))}"
    return _KNOWN.get(norm(title))


def _refuse_duplicates(sheets: list[SheetEntry], file: str) -> None:
    """Two sheets standing for one report sheet: which one is meant cannot be guessed (a hidden copy would win)."""
    seen: dict[str, SheetEntry] = {}
    for entry in sheets:
        key = report_sheet(entry.title)
        if key is None:
            continue
        if key in seen:
            first = seen[key]
            names = "”和“".join(e.title + ("（隐藏）" if e.hidden else "") for e in (first, entry))
            what = f"两张{key}" if key.startswith("表") else f"两张工作表都对应“{key}”"
            raise BudgetError(f"有{what}：“{names}”", file=file, sheet=entry.title,
                              hint="请删除多余的一张（隐藏的工作表：右键工作表标签 → 取消隐藏后可见）")
        seen[key] = entry


def open_workbook(path: Path, *, report: bool = False) -> GridBook:
    """Open an .xlsx with cached formula values, every sheet read (or, with `report`, only those the report uses),
    after the checks of xlsx_safety found it safe."""
    path = Path(path)
    precheck(path)
    with open_archive(path) as zf:
        archive = Archive(zf, path)
        if "xl/workbook.xml" not in archive:
            archive.check_declared()                        # says: not a workbook (maybe a .docx)
        structure = read_structure(archive)
        archive.check_declared({e.part: e.title for e in structure.sheets})
        if report:
            _refuse_duplicates(structure.sheets, path.name)
        dates, durations = date_styles(archive)
        book = Book(shared_strings(archive, structure.strings_part), dates, durations,
                    MAC_EPOCH if structure.date1904 else WINDOWS_EPOCH, structure.stale, path.name)
        grids = []
        for entry in structure.sheets:
            if report and report_sheet(entry.title) is None:
                grids.append(Grid(entry.title, {}, 0, 0, [], hidden=entry.hidden, loaded=False))
            else:
                grids.append(read_grid(archive, entry, book))
    return GridBook(grids)


def open_report_workbook(path: Path) -> GridBook:
    """The workbook as the report reads it: only its sheets inflated, duplicates refused."""
    return open_workbook(path, report=True)

