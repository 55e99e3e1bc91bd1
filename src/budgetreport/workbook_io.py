"""Opening a workbook file safely: every way a file can fail to open becomes a BudgetError.

Before openpyxl sees the file, `inspect` looks at it cheaply and refuses what would hang or exhaust memory:

    not found / 0 bytes / not a zip          → 不是 Excel 工作簿
    OLE2 (D0 CF 11 E0) with EncryptionInfo   → 加密（有打开密码）的工作簿
    OLE2 without it                          → 旧版 .xls（另存为 .xlsx）
    zip without xl/workbook.xml              → 不是 Excel 工作簿（可能是 .docx 等）
    declared sizes: total > MAX_TOTAL_BYTES, or a part > MAX_PART_BYTES, or ratio > MAX_RATIO on a big part
                                             → 压缩炸弹 / 过大，拒绝（只读 zip 目录，不解压）
    a worksheet whose <dimension> or actual XML stream exceeds MAX_ROWS / MAX_PART_BYTES
                                             → 行数过多（流式读取，最多读 MAX_PART_BYTES 即停止）

Then the workbook is loaded with cached formula values (data_only=True). A formula cell without a cached value
reads as empty there; so for the sheets whose XML holds formulas (found during the scan) the formulas are
loaded too (data_only=False) and any formula cell without a value is an error naming the cell.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.cell_range import CellRange

from .errors import BudgetError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
MAX_TOTAL_BYTES = 200 * 1024 * 1024     # all parts, uncompressed (the sample: 0.2 MB)
MAX_PART_BYTES = 50 * 1024 * 1024       # one part, uncompressed
MAX_RATIO = 100                         # compression ratio, checked on parts over 1 MB
MAX_ROWS = 20000                        # rows per worksheet (a real sheet has a few hundred)
_CHUNK = 1 << 20
_DIMENSION = re.compile(rb'<dimension[^>]*\bref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_ROW_NUMBER = re.compile(rb'<row[^>]*\br="(\d+)"')
_CONVERT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"


@dataclass
class Scan:
    """What the pre-scan learned: worksheet parts that contain formulas."""
    formula_parts: set[str] = field(default_factory=set)


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
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
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
            if b"<f>" in window or b"<f " in window:
                scan.formula_parts.add(info.filename)
            tail = chunk[-64:]


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


def inspect(path: Path) -> Scan:
    """Refuse, cheaply and before any XML is parsed, a file that is not a readable, reasonably sized .xlsx."""
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
    scan = Scan()
    try:
        with zipfile.ZipFile(path) as zf:
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
        raise BudgetError(f"工作簿已损坏，无法解压（{type(exc).__name__}）", file=path.name, hint=_CONVERT) from None
    return scan


class Grid:
    """One worksheet's values as a plain grid (1-based), its merged ranges and its title.

    Loading with openpyxl's read_only mode and keeping only values is several times faster than a full load,
    which spends most of its time styling merged cells we never look at.
    """

    def __init__(self, title: str, rows: list[tuple], merged: list[CellRange]) -> None:
        self.title = title
        self._rows = rows
        self.max_row = len(rows)
        self.max_column = max((len(r) for r in rows), default=0)
        self.merged_ranges = merged

    def value(self, row: int, column: int):
        if row < 1 or row > self.max_row:
            return None
        cells = self._rows[row - 1]
        return cells[column - 1] if 0 < column <= len(cells) else None


class GridBook:
    """The workbook as grids, in sheet order."""

    def __init__(self, sheets: list[Grid]) -> None:
        self.worksheets = sheets
        self._by_title = {g.title: g for g in sheets}

    def __getitem__(self, title: str) -> Grid:
        return self._by_title[title]


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')


def _grid(ws) -> Grid:
    ws.reset_dimensions()                       # a wrong <dimension> must not cut rows off
    rows = [tuple(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
    with ws._get_source() as src:               # merged ranges are not exposed in read_only mode
        merged = [CellRange(m.decode("ascii").upper()) for m in _MERGE.findall(src.read())]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return Grid(ws.title, rows, merged)


def _uncached_formulas(path: Path, wb: GridBook, scan: Scan) -> None:
    """A formula with no cached result (written by a script or a web export) cannot be read: name its cell."""
    if not scan.formula_parts:
        return
    formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        for ws in formulas.worksheets:
            values = wb[ws.title]
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f" and values.value(cell.row, cell.column) is None:
                        formula = cell.value if isinstance(cell.value, str) else "公式"
                        raise BudgetError(f"单元格是公式“{formula}”，但文件中没有保存计算结果", file=path.name,
                                          sheet=ws.title, cell=cell.coordinate,
                                          hint="请用 Excel 或 WPS 打开该文件并保存一次（使公式结果写入文件），"
                                               "或把公式改为数值")
    finally:
        formulas.close()


def open_workbook(path: Path) -> GridBook:
    """Open an .xlsx with cached formula values (data_only=True), after `inspect` found it safe."""
    path = Path(path)
    scan = inspect(path)
    try:
        book = openpyxl.load_workbook(path, data_only=True, read_only=True)
        try:
            wb = GridBook([_grid(ws) for ws in book.worksheets])
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise BudgetError(f"无法读取工作簿（{type(exc).__name__}）", file=path.name,
                          hint="请在 Excel 或 WPS 中打开并另存为 .xlsx") from None
    try:
        _uncached_formulas(path, wb, scan)
    except BudgetError:
        raise
    except Exception as exc:
        raise BudgetError(f"无法读取工作簿中的公式（{type(exc).__name__}）", file=path.name,
                          hint="请在 Excel 或 WPS 中打开并另存为 .xlsx") from None
    return wb
