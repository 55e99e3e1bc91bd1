"""Opening a workbook file safely: every way a file can fail to open becomes a BudgetError.

Before any XML is parsed, `inspect` looks at it cheaply and refuses what would hang or exhaust memory:

    not found / 0 bytes / not a zip          → 不是 Excel 工作簿
    OLE2 (D0 CF 11 E0) with EncryptionInfo   → 加密（有打开密码）的工作簿
    OLE2 without it                          → 旧版 .xls（另存为 .xlsx）
    zip without xl/workbook.xml              → 不是 Excel 工作簿（可能是 .docx 等）
    declared sizes: total > MAX_TOTAL_BYTES, or a part > MAX_PART_BYTES, or ratio > MAX_RATIO on a big part
                                             → 压缩炸弹 / 过大，拒绝（只读 zip 目录，不解压）
    a worksheet whose <dimension> or actual XML stream exceeds MAX_ROWS / MAX_PART_BYTES
                                             → 行数过多（流式读取，最多读 MAX_PART_BYTES 即停止）

Then the parts are read straight from the zip with lxml (no DTD, no entities, no network), giving each cell the
value openpyxl's `load_workbook(data_only=True)` gave (cached formula results, dates by openpyxl's number-format
rule, errors as text such as "#DIV/0!") without building openpyxl's objects, which cost most of the read time.
A worksheet's <sheetData> written the plain way Excel, WPS and openpyxl write it is read by one regex instead of
an lxml tree (see "the fast reader" below); anything else in it is read by lxml as before.
When the scan found formulas, a formula cell without a cached value is an error naming the cell.
openpyxl itself is not imported (its rules that we need are copied below): importing it cost ~0.1–0.2 s per process.
"""
from __future__ import annotations

import datetime
import functools
import io
import posixpath
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from lxml import etree

from .cellref import column_letter
from .errors import BudgetError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
MAX_TOTAL_BYTES = 200 * 1024 * 1024     # all parts, uncompressed (the sample: 0.2 MB)
MAX_PART_BYTES = 50 * 1024 * 1024       # one part, uncompressed
MAX_RATIO = 100                         # compression ratio, checked on parts over 1 MB
MAX_ROWS = 20000                        # rows per worksheet (a real sheet has a few hundred)
_CHUNK = 1 << 20
_TREE_BYTES = 4 * 1024 * 1024                   # bigger worksheet parts are streamed row by row when read
_KEEP_BYTES = 32 * 1024 * 1024                  # worksheet bytes the scan keeps for reading, in all
_DIMENSION = re.compile(rb'<dimension[^>]*\bref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_ROW_NUMBER = re.compile(rb'<row[^>]*\br="(\d+)"')
_FORMULA = re.compile(rb"<f[ >]")                # one pass: faster than two `in` tests
_CONVERT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"


# --------------------------------------------------------------------------- openpyxl's rules, copied
# Copied from openpyxl 3.1.5 (MIT licence: openpyxl/styles/numbers.py, openpyxl/utils/datetime.py,
# openpyxl/xml/constants.py) with the same semantics: importing any part of openpyxl imports all of it, which costs
# ~0.2 s before a batch forks. tests/test_workbook_io.py checks these against openpyxl's own functions.

_WORKBOOK_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.%s.main+xml"
_MACRO_MIME = "application/vnd.ms-excel.%s.macroEnabled.main+xml"
XLTM, XLSM = _MACRO_MIME % "template", _MACRO_MIME % "sheet"
XLTX, XLSX = _WORKBOOK_MIME % "template", _WORKBOOK_MIME % "sheet"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)', 7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy",
    16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)", 41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)', 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
    48: "##0.0E+0", 49: "@",
}
# literal "…" and [locale] groups, except [h] [m] [s] which are elapsed time
_FORMAT_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_FORMAT_DATE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_FORMAT_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)

MAC_EPOCH = datetime.datetime(1904, 1, 1)
WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
_SECS_PER_DAY = 86400
_ISO_REGEX = re.compile(r"""
(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?
(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?""", re.VERBOSE)
_ISO_DURATION = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


def is_date_format(fmt: str | None) -> bool:
    """A number format that shows a date or time: a d m h y s outside literals, locales and escapes."""
    if fmt is None:
        return False
    return _FORMAT_DATE.search(_FORMAT_STRIP.sub("", fmt.split(";")[0])) is not None


def is_timedelta_format(fmt: str | None) -> bool:
    """A number format for elapsed time ([h]:mm:ss …)."""
    if fmt is None:
        return False
    return _FORMAT_TIMEDELTA.search(fmt.split(";")[0]) is not None


def from_excel(value: float, epoch: datetime.datetime = WINDOWS_EPOCH, timedelta: bool = False) -> Any:
    """An Excel serial as a datetime (a time below 1, Excel's 1900 leap-year bug kept), or as a duration."""
    if value is None:
        return None
    if timedelta:
        td = datetime.timedelta(days=value)
        if td.microseconds:                     # millisecond precision
            td = datetime.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = datetime.timedelta(milliseconds=round(fraction * _SECS_PER_DAY * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return datetime.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + datetime.timedelta(days=day) + diff


def from_ISO8601(formatted: str) -> Any:
    """An ISO 8601 date, time, datetime or duration (PT…) as t="d" cells hold them; ValueError otherwise."""
    if not formatted:
        return None
    match = _ISO_REGEX.match(formatted)
    if match and any(match.groups()):
        parts = match.groupdict(0)
        for key in ["year", "month", "day", "hour", "minute", "second"]:
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return datetime.time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return datetime.date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return datetime.datetime(**parts)
    match = _ISO_DURATION.match(formatted)
    if match and any(match.groups()):
        parts = match.groupdict(0)
        for key, val in parts.items():
            if val:
                parts[key] = float(val)
        return datetime.timedelta(**parts)
    raise ValueError(f"Invalid datetime value {formatted}")


@dataclass
class Scan:
    """What the pre-scan learned: worksheet parts that contain formulas, and the small parts' bytes it inflated
    (kept so that reading does not inflate them again)."""
    formula_parts: set[str] = field(default_factory=set)
    parts: dict[str, bytes] = field(default_factory=dict)

    def keep(self, name: str, data: bytes) -> None:
        if len(data) <= _TREE_BYTES and sum(map(len, self.parts.values())) + len(data) <= _KEEP_BYTES:
            self.parts[name] = data


def _ole2(path: Path) -> BudgetError:
    size = path.stat().st_size
    with path.open("rb") as fh:
        data = fh.read(min(size, 64 * 1024 * 1024))
    if ENCRYPTION_INFO in data:
        return BudgetError("工作簿已加密（设置了打开密码），无法读取", file=path.name,
                           hint="请在 Excel 或 WPS 中打开，取消“用密码进行加密”后另存为 .xlsx")
    return BudgetError("这是旧版 Excel 文件（.xls，97-2003 格式），本工具只读取 .xlsx", file=path.name, hint=_CONVERT)


def _sheet_scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, scan: Scan) -> None:
    """Stream one worksheet part: stop at MAX_PART_BYTES, refuse more than MAX_ROWS rows, note formulas."""
    read = 0
    tail = b""
    first = True
    chunks = []
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read <= _TREE_BYTES:
                chunks.append(chunk)
            if read > MAX_PART_BYTES:
                raise BudgetError(f"工作表数据过大（{info.filename} 解压后超过 {MAX_PART_BYTES // 1024 // 1024} MB），已拒绝读取",
                                  file=path.name, hint="请删除多余的行和列后另存为 .xlsx")
            window = tail + chunk
            if first:
                first = False
                m = _DIMENSION.search(window[:4096])
                if m and m.group(1) and int(m.group(1)) > MAX_ROWS:
                    raise _too_many_rows(path, zf, info, int(m.group(1)))
            rows = _ROW_NUMBER.findall(window)
            if rows and int(rows[-1]) > MAX_ROWS:
                raise _too_many_rows(path, zf, info, int(rows[-1]))
            if _FORMULA.search(window) or b":f>" in window or b":f " in window:   # also <x:f> with a prefix
                scan.formula_parts.add(info.filename)
            tail = chunk[-64:]
    if read <= _TREE_BYTES:
        scan.keep(info.filename, b"".join(chunks))


def _too_many_rows(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, rows: int) -> BudgetError:
    sheet = _sheet_names(zf).get(info.filename)
    return BudgetError(f"工作表有 {rows} 行，超过上限 {MAX_ROWS} 行，已拒绝读取", file=path.name, sheet=sheet,
                       hint="请删除数据区下方多余的行（选中整行 → 删除）后保存")


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name → sheet title (xl/workbook.xml + its rels), for messages; {} when unreadable."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        target = targets.get(m.group(2), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = m.group(1).replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return out


def _precheck(path: Path) -> None:
    """Refuse what is not a file, is empty, is an old or encrypted Office file, or is not a zip."""
    if not path.exists():
        raise BudgetError("文件不存在", file=path.name)
    if path.is_dir():
        raise BudgetError("这是一个文件夹，不是工作簿文件", file=path.name)
    if path.stat().st_size == 0:
        raise BudgetError("文件是空的（0 字节）", file=path.name, hint="请重新导出或另存为 .xlsx")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE2_MAGIC:
        raise _ole2(path)
    if not zipfile.is_zipfile(path):
        raise BudgetError("不是 Excel 工作簿（.xlsx）", file=path.name, hint=_CONVERT)


def _scan(zf: zipfile.ZipFile, path: Path) -> Scan:
    """Refuse a zip that is not a workbook or whose declared or actual sizes are too big."""
    scan = Scan()
    try:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise BudgetError("不是 Excel 工作簿（压缩包中没有 xl/workbook.xml，可能是 Word 文档或其他文件）",
                              file=path.name, hint=_CONVERT)
        total = 0
        sheets = None
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                raise BudgetError(
                    f"文件异常：{info.filename} 解压后 {info.file_size // 1024 // 1024} MB"
                    f"（压缩比 {ratio:.0f}:1），可能是损坏的文件或“压缩炸弹”，已拒绝读取",
                    file=path.name, hint="请确认文件来源，在 Excel 或 WPS 中打开后另存为 .xlsx")
            if info.file_size > MAX_PART_BYTES:
                sheets = sheets if sheets is not None else _sheet_names(zf)
                sheet = sheets.get(info.filename)
                raise BudgetError(
                    f"{'工作表' if sheet else info.filename}数据过大（解压后 {info.file_size // 1024 // 1024} MB，"
                    f"上限 {MAX_PART_BYTES // 1024 // 1024} MB），行数过多或文件损坏，已拒绝读取",
                    file=path.name, sheet=sheet, hint="请删除数据区下方多余的行（选中整行 → 删除）后保存")
        if total > MAX_TOTAL_BYTES:
            raise BudgetError(f"文件解压后共 {total // 1024 // 1024} MB，超过上限，已拒绝读取", file=path.name,
                              hint="标准工作簿只有几百 KB；请删除多余的工作表、图片和行后另存")
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _sheet_scan(zf, info, path, scan)
    except BudgetError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _damaged(path, exc) from None
    return scan


def _damaged(path: Path, exc: Exception) -> BudgetError:
    return BudgetError(f"工作簿已损坏，无法解压（{type(exc).__name__}）", file=path.name, hint=_CONVERT)


def inspect(path: Path) -> Scan:
    """Refuse, cheaply and before any XML is parsed, a file that is not a readable, reasonably sized .xlsx."""
    _precheck(path)
    try:
        with zipfile.ZipFile(path) as zf:
            return _scan(zf, path)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _damaged(path, exc) from None


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


class Grid:
    """One worksheet's values as a plain grid (1-based), its merged ranges and its title."""

    def __init__(self, title: str, rows: list[tuple], merged: list[MergedRange]) -> None:
        self.title = title
        self.max_row = len(rows)
        self.max_column = max(map(len, rows), default=0)
        self.merged_ranges = merged
        # read.py asks for cells one at a time, thousands of times: one dict lookup each, (row, column) → value
        self.cells = {(r, c): v for r, cells in enumerate(rows, 1) for c, v in enumerate(cells, 1) if v is not None}

    def value(self, row: int, column: int):
        return self.cells.get((row, column))


class GridBook:
    """The workbook as grids, in sheet order."""

    def __init__(self, sheets: list[Grid]) -> None:
        self.worksheets = sheets
        self._by_title = {g.title: g for g in sheets}

    def __getitem__(self, title: str) -> Grid:
        return self._by_title[title]


# --------------------------------------------------------------------------- reading the parts

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _V, _F, _IS, _SI, _T = (_MAIN + t for t in ("row", "v", "f", "is", "si", "t"))
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)      # openpyxl's order of preference
_SAFE = {"resolve_entities": False, "no_network": True, "huge_tree": False, "remove_comments": True,
         "remove_pis": True}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')
_DIGITS = "0123456789"
_PARSERS = threading.local()                    # one parser per thread: making one costs more than a small part
_COLUMNS: dict[str, int] = {}                   # "AB" → 28, filled as letters are met


def _xml(data: bytes) -> etree._Element:
    """Parse one part; a DOCTYPE (entity tricks) never occurs in a real workbook and is refused."""
    if b"<!DOCTYPE" in data:
        raise ValueError("DOCTYPE in a workbook part")
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(**_SAFE)
    return etree.fromstring(data, parser)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _letters(letters: str) -> int:
    """Column number of column letters ("AB" → 28), up to ZZZ like openpyxl; ValueError otherwise."""
    column = _COLUMNS.get(letters)
    if column is None:
        if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper()):
            raise ValueError(f"bad column {letters!r}")
        column = 0
        for ch in letters:
            column = column * 26 + ord(ch) - 64
        _COLUMNS[letters] = column
    return column


def _column(ref: str) -> int:
    """Column number of a cell reference ("AB12" → 28); ValueError when it is not one."""
    letters = ref.rstrip(_DIGITS)
    if len(letters) == len(ref):
        raise ValueError(f"bad cell reference {ref!r}")
    return _letters(letters)


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(number)


def _text(node: etree._Element) -> str:
    """A string item's text as openpyxl gives it: the (last) plain <t>, then each run's <t>, formatting dropped."""
    plain = None
    runs = []
    for child in node:
        name = _local(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            run = None
            for part in child:
                if _local(part.tag) == "t":
                    run = part.text
            if run is not None:
                runs.append(run)
    return "".join(runs) if plain is None else plain + "".join(runs)


@dataclass
class _Book:
    """What reading every sheet needs: shared strings, date styles, the epoch, and the first uncached formula."""
    strings: list[str]
    date_styles: set[int]
    duration_styles: set[int]
    epoch: Any
    check_formulas: bool
    uncached: tuple[str, str, str] | None = None     # (sheet, cell, formula)


def _content_types(zf: zipfile.ZipFile) -> tuple[str, str | None]:
    """The workbook part and the shared strings part, found by content type as openpyxl finds them."""
    return _parts_by_type(zf.read("[Content_Types].xml"))


# The small parts below are the same in every unit made from one template: each is parsed once per distinct
# content (pure functions of the bytes; what they return is only read).

@functools.lru_cache(maxsize=64)
def _parts_by_type(data: bytes) -> tuple[str, str | None]:
    overrides: dict[str, str] = {}
    defaults: set[str] = set()
    for el in _xml(data):
        name = _local(el.tag)
        if name == "Override":
            overrides.setdefault(el.get("ContentType"), el.get("PartName"))
        elif name == "Default":
            defaults.add(el.get("ContentType"))
    workbook = next((overrides[t][1:] for t in _WORKBOOK_TYPES if t in overrides), None)
    if workbook is None:
        if not defaults.intersection(_WORKBOOK_TYPES):
            raise ValueError("no workbook part")
        workbook = "xl/workbook.xml"
    strings = overrides.get(SHARED_STRINGS)
    return workbook, strings[1:] if strings else None


def _sheet_parts(zf: zipfile.ZipFile, workbook: str) -> tuple[list[tuple[str, str]], bool]:
    """(title, part) of each worksheet in order (chart sheets and missing parts skipped), and date1904."""
    folder, name = posixpath.split(workbook)
    rels = _relationships(zf.read(posixpath.join(folder, "_rels", name + ".rels")), folder)
    names = set(zf.namelist())
    entries, date1904 = _workbook_sheets(zf.read(workbook))
    sheets: list[tuple[str, str]] = []
    for rid, title in entries:
        kind, target = rels[rid]
        if title is None:
            raise ValueError("sheet without a name")
        if target in names and "chartsheet" not in kind:
            sheets.append((title, target))
    return sheets, date1904


@functools.lru_cache(maxsize=64)
def _relationships(data: bytes, folder: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of a .rels part in `folder`."""
    rels: dict[str, tuple[str, str]] = {}
    for rel in _xml(data):
        if _local(rel.tag) != "Relationship":
            continue
        target = rel.get("Target")
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id")] = (rel.get("Type") or "", target)
    return rels


@functools.lru_cache(maxsize=64)
def _workbook_sheets(data: bytes) -> tuple[list[tuple[str, str | None]], bool]:
    """(relationship id, title) of each <sheet> with an id, in order, and date1904."""
    entries: list[tuple[str, str | None]] = []
    date1904 = False
    for el in _xml(data):
        name = _local(el.tag)
        if name == "workbookPr":
            date1904 = el.get("date1904") not in (None, "", "false", "f", "0")
        elif name == "sheets":
            entries.extend((sheet.get(_REL_ID), sheet.get("name")) for sheet in el if sheet.get(_REL_ID))
    return entries, date1904


def _date_styles(zf: zipfile.ZipFile) -> tuple[set[int], set[int]]:
    """Cell style indexes whose number format is a date, and those that are a duration (openpyxl's rule)."""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return set(), set()
    return _styles(data)


@functools.lru_cache(maxsize=64)
def _styles(data: bytes) -> tuple[set[int], set[int]]:
    root = _xml(data)
    custom: dict[int, str] = {}
    xfs: list[int] = []
    for el in root:
        name = _local(el.tag)
        if name == "numFmts":
            custom.update((int(f.get("numFmtId")), f.get("formatCode")) for f in el if _local(f.tag) == "numFmt")
        elif name == "cellXfs":
            xfs = [int(xf.get("numFmtId", 0)) for xf in el if _local(xf.tag) == "xf"]
    dates, durations = set(), set()
    for index, fmt_id in enumerate(xfs):
        fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if is_date_format(fmt):
            dates.add(index)
        if is_timedelta_format(fmt):
            durations.add(index)
    return dates, durations


def _shared_strings(zf: zipfile.ZipFile, part: str | None) -> list[str]:
    if part is None:
        return []
    # openpyxl drops "x005F_" (the escape of a literal "_x…_") from shared strings only; so do we
    return [_text(si).replace("x005F_", "") for si in _xml(zf.read(part)).iter(_SI)]


def _row_elements(data: bytes) -> Iterator[etree._Element]:
    """The <row> elements in order: from one tree for a normal sheet, streamed and freed for a big one."""
    if len(data) <= _TREE_BYTES:
        yield from _xml(data).iter(_ROW)
        return
    if b"<!DOCTYPE" in data:
        raise ValueError("DOCTYPE in a workbook part")
    for _, row in etree.iterparse(io.BytesIO(data), tag=_ROW, **_SAFE):
        yield row
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]


def _cell_value(c: etree._Element, book: _Book) -> Any:
    """The cell's value as openpyxl's data_only reader gives it."""
    if not len(c):
        return None
    kind = c.get("t")
    first = c[0]                                # most cells have one child: look at it before searching
    if kind == "inlineStr":
        node = first if first.tag == _IS else next(c.iterchildren(_IS), None)
        if node is None:
            return None
        if len(node) == 1:
            t = node[0]
            if t.tag == _T:
                return t.text or ""
        return _text(node)
    v = first if first.tag == _V else next(c.iterchildren(_V), None)
    text = None if v is None else v.text
    if not text:
        return None
    return _typed(kind, text, c.get("s"), book)


def _typed(kind: str | None, text: str, style: str | None, book: _Book) -> Any:
    """The value of a cell of type `kind` whose <v> holds `text` (not empty)."""
    if kind is None or kind == "n":
        value = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if style and book.date_styles and int(style) in book.date_styles:
            try:
                return from_excel(value, book.epoch, timedelta=int(style) in book.duration_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return value
    if kind == "s":
        return book.strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text                                 # "str", "e" (an error such as #DIV/0!) and unknown types


def _formula(f: etree._Element, ref: str, shared: dict[str, tuple[str, str]]) -> str:
    """A formula's text for the message, as openpyxl shows it (shared formulas translated to this cell)."""
    kind = f.get("t")
    if kind in ("array", "dataTable"):
        return "公式"
    text = "=" + (f.text or "")
    if kind == "shared":
        index = f.get("si")
        if index in shared:
            from openpyxl.formula.translate import Translator  # only for this rare message
            return Translator(*shared[index]).translate_formula(ref)
        if text != "=":
            shared[index] = (text, ref)
    return text


def _put(values: list, column: int, value: object) -> None:
    """A row's value at its (1-based) column; the columns skipped before it stay None."""
    width = len(values)
    if column == width + 1:
        values.append(value)
    elif column > width:
        values.extend([None] * (column - 1 - width))
        values.append(value)
    else:
        values[column - 1] = value


def _rows(title: str, data: bytes, book: _Book) -> list[tuple]:
    """The sheet's rows as value tuples, as openpyxl's read-only reader lays them out: a row is as wide as its
    last cell's column, a later cell wins a column, missing rows are (), a repeated or out-of-order row is
    dropped, and empty rows at the end are cut off."""
    rows: list[tuple] = []
    shared: dict[str, tuple[str, str]] = {}
    columns = _COLUMNS
    number = 0
    for row in _row_elements(data):
        ref = row.get("r")
        number = _row_number(ref) if ref is not None else number + 1
        values: list = []
        column = 0
        for c in row:
            ref = c.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                column = columns.get(letters, 0)
                if not column or len(letters) == len(ref):
                    column = _column(ref)
            else:
                column += 1
            value = _cell_value(c, book)
            _put(values, column, value)
            if book.check_formulas and len(c):
                _note_formula(c, title, f"{column_letter(column)}{number}", value, book, shared)
        del values[column:]
        if number > len(rows):
            rows.extend([()] * (number - 1 - len(rows)))
            rows.append(tuple(values))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def _note_formula(c: etree._Element, title: str, cell: str, value: Any, book: _Book,
                  shared: dict[str, tuple[str, str]]) -> None:
    """Remember the first formula cell without a cached value (shared formulas are tracked for the message)."""
    f = next(c.iterchildren(_F), None)
    if f is not None:
        formula = _formula(f, c.get("r") or cell, shared)
        # a text formula's empty result ("") is saved as an empty <v> (Excel, LibreOffice): cached, not missing
        if value is None and book.uncached is None and (c.get("t") != "str" or next(c.iterchildren(_V), None) is None):
            book.uncached = (title, cell, formula)


# --------------------------------------------------------------------------- the fast reader of <sheetData>
# Building lxml's tree and walking it cell by cell was most of the read time. A sheet's <sheetData> as Excel,
# WPS and openpyxl write it is a plain sequence of <row> and <c> tags, read here with one regex: the tokens must
# cover the whole text (so nothing unknown is skipped), the rest of the part is parsed by lxml as before (so it
# must be well-formed and the namespaces right), and whatever the grammar does not take — comments, CDATA,
# formulas with attributes or without a cached value, unusual attributes, \r, other encodings — sends the sheet
# to `_rows`, the lxml reader, whose result this one equals (tests/test_workbook_io.py compares both).

_XML_TEXT = re.compile(r"[^<&]*(?:&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});[^<&]*)*")
_ATTR_VALUE = r'"[ !#-%\'-;=?-~]*"'            # printable ASCII without " & < >
_ROW_ATTRS = r"(?: (?!r=)[A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9]*)?=" + _ATTR_VALUE + ")*"
_T_OPEN = r'<t(?: xml:space="preserve")?'
_TOKEN = re.compile(                            # groups: the token; a cell's 6; a row's 3
    r'(<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?'
    r"(?:/>|>(<f>[^<&]*</f>)?(?:<v>([^<]*)</v>|<v/>"           # text with & is checked when unescaped
    r"|(<is>" + _T_OPEN + r">([^<]*)</t></is>|<is>" + _T_OPEN + r"/></is>))?</c>)"
    r'|<row(?: r="([0-9]+)")?(' + _ROW_ATTRS + r")(/?)>"
    r'|</row>'
    r"|[ \t\n]+)")
_NOT_XML = bytes(set(range(32)) - {9, 10})     # control characters lxml refuses, and \r, which it normalises
_XML_BYTES = bytes(set(range(256)) - set(_NOT_XML))
_NOT_XML_SEQUENCES = (b"]]>", "\ufffe".encode(), "\uffff".encode())
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_UNESCAPED: dict[str, str] = {}                 # escaped text → text: labels repeat in every unit
_SKELETONS: dict[bytes, dict | None] = {}       # a part without its rows → see _skeleton


class _Unusual(Exception):
    """The sheet holds XML the fast reader does not take: lxml reads it."""


def _reference(m: re.Match) -> str:
    name, decimal, hexadecimal = m.groups()
    if name:
        return _ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not (code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF):
        raise _Unusual                          # not an XML character: lxml refuses the part
    return chr(code)


def _unescape(text: str) -> str:
    """Element text with its references resolved, remembered (the caller may look in _UNESCAPED first)."""
    plain = _UNESCAPED.get(text)
    if plain is None:
        if "&" in text:
            if not _XML_TEXT.fullmatch(text):
                raise _Unusual                  # a bare & or an unknown entity: lxml refuses the part
            plain = _REFERENCE.sub(_reference, text)
        else:
            plain = text
        if len(_UNESCAPED) > 100_000:           # bounded: a long batch meets many distinct texts
            _UNESCAPED.clear()
        _UNESCAPED[text] = plain
    return plain


def _sheet_data(data: bytes) -> tuple[str, dict] | None:
    """The text inside the part's one <sheetData> and the namespaces there, when the rest of the part is
    well-formed UTF-8 XML holding no other rows; None when the part is anything else."""
    start, end = data.find(b"<sheetData>"), data.find(b"</sheetData>")
    if start < 0 or end < start or data.find(b"<sheetData", start + 1) >= 0 or data.find(b"</sheetData", end + 1) >= 0:
        return None
    start += len(b"<sheetData>")
    inside = data[start:end]
    if inside.translate(None, _XML_BYTES) or any(s in inside for s in _NOT_XML_SEQUENCES):
        return None
    nsmap = _skeleton(data[:start] + data[end:])
    if nsmap is None:
        return None
    try:
        return inside.decode("utf-8"), nsmap
    except UnicodeDecodeError:
        return None


def _skeleton(part: bytes) -> dict | None:
    """The namespaces at <sheetData> of a part whose <sheetData> was emptied, when it is well-formed UTF-8 XML with
    that one empty <sheetData> and no <row>; else None. Remembered: a template's sheets repeat in every unit."""
    if part in _SKELETONS:
        return _SKELETONS[part]
    nsmap = None
    try:
        root = _xml(part)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is not None:
        found = list(root.iter(_MAIN + "sheetData"))
        if ((root.getroottree().docinfo.encoding or "").upper() == "UTF-8" and len(found) == 1 and not len(found[0])
                and found[0].text is None and next(root.iter(_ROW), None) is None):
            nsmap = found[0].nsmap
    if len(_SKELETONS) > 1000:                  # bounded: about 1.5 KB each
        _SKELETONS.clear()
    _SKELETONS[part] = nsmap
    return nsmap


def _row_attrs_ok(attrs: str, nsmap: dict) -> bool:
    """No attribute twice (by namespace and name) and every prefix declared, as lxml demands."""
    names = set()
    for name in re.findall(r" ([^=]+)=", attrs):
        prefix, _, local = name.rpartition(":")
        if prefix in ("xmlns", "xml") or name == "xmlns" or (prefix and prefix not in nsmap):
            return False
        names.add((nsmap.get(prefix) if prefix else None, local))
    return len(names) == attrs.count(" ")


def _fast_rows(data: bytes, book: _Book) -> list[tuple] | None:
    """What `_rows` gives, read with the regex; None when the sheet is not plain enough for it."""
    if len(data) > _TREE_BYTES or b"<!DOCTYPE" in data:
        return None
    found = _sheet_data(data)
    if found is None:
        return None
    text, nsmap = found
    try:
        return _token_rows(text, nsmap, book)
    except Exception:       # _Unusual, or a bad value (found before the tokens were all checked): lxml decides
        return None


def _token_rows(text: str, nsmap: dict, book: _Book) -> list[tuple]:
    rows: list[tuple] = []
    columns = _COLUMNS
    number = column = covered = 0
    values: list | None = None
    unescaped = _UNESCAPED
    dates = book.date_styles
    good_attrs: set[str] = set()
    for whole, letters, style, kind, formula, v, inline, t, row_ref, row_attrs, empty in _TOKEN.findall(text):
        covered += len(whole)
        if letters:
            if values is None:
                raise _Unusual                  # a cell outside a row
            column = columns.get(letters) or _letters(letters)
            if kind == "inlineStr":
                value = (unescaped.get(t) or _unescape(t)) if inline else None
                if "&" in v:
                    _unescape(v)                # unused text, but a bad reference in it makes lxml refuse the part
            elif not v:
                if "&" in t:
                    _unescape(t)                # the same for an <is> the cell's type ignores
                value = None
            elif (kind == "n" or not kind) and not (style and dates and int(style) in dates):
                # _typed's rule for a plain number; a number written with & fails here and goes to lxml
                value = float(v) if "." in v or "E" in v or "e" in v else int(v)
            else:
                value = _typed(kind or None, _unescape(v), style, book)
            if formula and value is None and book.check_formulas:
                raise _Unusual                  # lxml's reader names the cell and the formula
            _put(values, column, value)
            continue
        if whole[0] != "<":
            continue                            # white space between tags
        if whole[1] == "r":
            if values is not None:
                raise _Unusual                  # a row inside a row
            if row_attrs and row_attrs not in good_attrs:
                if not _row_attrs_ok(row_attrs, nsmap):
                    raise _Unusual              # attributes lxml refuses
                good_attrs.add(row_attrs)       # a sheet's rows share a few attribute strings
            number = int(row_ref) if row_ref else number + 1
            values, column = [], 0
            if not empty:
                continue
        elif values is None:
            raise _Unusual                      # </row> without <row>
        del values[column:]
        if number > len(rows):
            rows.extend([()] * (number - 1 - len(rows)))
            rows.append(tuple(values))
        values = None
    if values is not None or covered != len(text):
        raise _Unusual                          # a row left open, or text between the tokens
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def _merged(data: bytes) -> list[MergedRange]:
    first = data.find(b"mergeCell")
    if first < 0:
        return []
    out = []
    for c1, r1, c2, r2 in _MERGE.findall(data, data.rfind(b"<", 0, first)):   # skip the cells: a slow regex there
        c1, c2 = _letters(c1.decode("ascii").upper()), _letters((c2 or c1).decode("ascii").upper())
        r1, r2 = int(r1), int(r2 or r1)
        if not (c1 <= c2 and 1 <= r1 <= r2 <= 1048576):
            raise ValueError(f"bad merged range {c1},{r1}:{c2},{r2}")
        out.append(MergedRange(c1, r1, c2, r2))
    return out


def _read(zf: zipfile.ZipFile, scan: Scan) -> tuple[GridBook, tuple[str, str, str] | None]:
    workbook, strings = _content_types(zf)
    parts, date1904 = _sheet_parts(zf, workbook)
    dates, durations = _date_styles(zf)
    book = _Book(_shared_strings(zf, strings), dates, durations, MAC_EPOCH if date1904 else WINDOWS_EPOCH,
                 bool(scan.formula_parts))
    grids = []
    for title, part in parts:
        data = scan.parts.get(part) or zf.read(part)
        rows = _fast_rows(data, book)
        grids.append(Grid(title, _rows(title, data, book) if rows is None else rows, _merged(data)))
    return GridBook(grids), book.uncached


def open_workbook(path: Path) -> GridBook:
    """Open an .xlsx with cached formula values, after the checks of `inspect` found it safe."""
    path = Path(path)
    _precheck(path)
    try:
        with zipfile.ZipFile(path) as zf:
            scan = _scan(zf, path)
            try:
                wb, uncached = _read(zf, scan)
            except Exception as exc:  # a damaged part fails in many ways
                raise BudgetError(f"无法读取工作簿（{type(exc).__name__}）", file=path.name,
                                  hint="请在 Excel 或 WPS 中打开并另存为 .xlsx") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _damaged(path, exc) from None
    if uncached:
        sheet, cell, formula = uncached
        raise BudgetError(f"单元格是公式“{formula}”，但文件中没有保存计算结果", file=path.name, sheet=sheet, cell=cell,
                          hint="请用 Excel 或 WPS 打开该文件并保存一次（使公式结果写入文件），或把公式改为数值")
    return wb
