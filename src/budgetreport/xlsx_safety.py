"""Opening a workbook file safely: what is refused before any XML is parsed, and the bounds on what is inflated.

What is refused and why (not a zip, encrypted, .xls, bombs, a DOCTYPE): docs/reliability.md. Only the parts the
report needs are inflated (`Archive.read`, `Archive.chunks`); every zip error they meet is a BudgetError naming the
file. The bounds of the cell grid itself (rows, cells, text) are in xlsx_sheets.py.
"""
from __future__ import annotations

import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import BudgetError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
MAX_TOTAL_BYTES = 200 * 1024 * 1024     # all parts, uncompressed (the sample: 0.2 MB)
MAX_PART_BYTES = 50 * 1024 * 1024       # one part, uncompressed
MAX_RATIO = 100                         # compression ratio, checked on parts over 1 MB
CHUNK = 1 << 20                         # bytes inflated at a time
CONVERT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"
# what zipfile and zlib raise on a damaged or unsupported archive (RuntimeError: an encrypted member;
# NotImplementedError: an unknown compression method)
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)
_DOCTYPE = b"<!DOCTYPE"


def _ole2(path: Path) -> BudgetError:
    size = path.stat().st_size
    with path.open("rb") as fh:
        data = fh.read(min(size, 64 * 1024 * 1024))
    if ENCRYPTION_INFO in data:
        return BudgetError("工作簿已加密（设置了打开密码），无法读取", file=path.name,
                           hint="请在 Excel 或 WPS 中打开，取消“用密码进行加密”后另存为 .xlsx")
    return BudgetError("这是旧版 Excel 文件（.xls，97-2003 格式），本工具只读取 .xlsx", file=path.name, hint=CONVERT)


def precheck(path: Path) -> None:
    """Refuse what is not a file, is empty, is an old or encrypted Office file, or is not a zip."""
    if not path.exists():
        raise BudgetError("文件不存在", file=path.name)
    if path.is_dir():
        raise BudgetError("这是一个文件夹，不是工作簿文件", file=path.name)
    try:
        if path.stat().st_size == 0:
            raise BudgetError("文件是空的（0 字节）", file=path.name, hint="请重新导出或另存为 .xlsx")
        with path.open("rb") as fh:
            head = fh.read(8)
        if head == OLE2_MAGIC:
            raise _ole2(path)
        is_zip = zipfile.is_zipfile(path)
    except OSError as exc:
        raise BudgetError(f"无法打开文件（{exc.strerror or type(exc).__name__}）", file=path.name,
                          hint="请确认文件存在、有读取权限且没有被其他程序独占打开") from None
    if not is_zip:
        raise BudgetError("不是 Excel 工作簿（.xlsx）", file=path.name, hint=CONVERT)


def damaged(path: Path, exc: BaseException) -> BudgetError:
    return BudgetError(f"工作簿已损坏，无法解压（{type(exc).__name__}）", file=path.name, hint=CONVERT)


@contextmanager
def zip_errors(path: Path) -> Iterator[None]:
    """Turn what zipfile raises on a damaged archive into a BudgetError naming the file; nothing else."""
    try:
        yield
    except ZIP_ERRORS as exc:
        raise damaged(path, exc) from None


class Archive:
    """The workbook's zip, read part by part with every inflated byte counted against the bounds."""

    def __init__(self, zf: zipfile.ZipFile, path: Path) -> None:
        self.zf = zf
        self.path = path
        self.infos = {i.filename: i for i in zf.infolist()}
        self.inflated = 0

    def __contains__(self, part: str) -> bool:
        return part in self.infos

    def check_declared(self, sheet_of: dict[str, str] | None = None) -> None:
        """Refuse a zip that is not a workbook or whose declared sizes are too big (nothing is inflated)."""
        if "xl/workbook.xml" not in self.infos:
            raise BudgetError("不是 Excel 工作簿（压缩包中没有 xl/workbook.xml，可能是 Word 文档或其他文件）",
                              file=self.path.name, hint=CONVERT)
        total = 0
        for info in self.infos.values():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                raise BudgetError(
                    f"文件异常：{info.filename} 解压后 {info.file_size // 1024 // 1024} MB"
                    f"（压缩比 {ratio:.0f}:1），可能是损坏的文件或“压缩炸弹”，已拒绝读取",
                    file=self.path.name, hint="请确认文件来源，在 Excel 或 WPS 中打开后另存为 .xlsx")
            if info.file_size > MAX_PART_BYTES:
                raise self.too_big(info.filename, f" {info.file_size // 1024 // 1024} MB", (sheet_of or {}).get(info.filename))
        if total > MAX_TOTAL_BYTES:
            raise BudgetError(f"文件解压后共 {total // 1024 // 1024} MB，超过上限，已拒绝读取", file=self.path.name,
                              hint="标准工作簿只有几百 KB；请删除多余的工作表、图片和行后另存")

    def too_big(self, part: str, size: str, sheet: str | None) -> BudgetError:
        return BudgetError(
            f"{'工作表' if sheet else part}数据过大（解压后{size}，上限 {MAX_PART_BYTES // 1024 // 1024} MB），"
            "行数过多或文件损坏，已拒绝读取",
            file=self.path.name, sheet=sheet, hint="请删除数据区下方多余的行（选中整行 → 删除）后保存")

    def chunks(self, part: str, sheet: str | None = None) -> Iterator[bytes]:
        """The part's bytes, CHUNK at a time, stopping at the bounds; a DOCTYPE anywhere is refused."""
        read = 0
        tail = b""
        with zip_errors(self.path), self.zf.open(self.infos[part]) as fh:
            while True:
                with zip_errors(self.path):
                    chunk = fh.read(CHUNK)
                if not chunk:
                    return
                read += len(chunk)
                self.inflated += len(chunk)
                if read > MAX_PART_BYTES:
                    raise self.too_big(part, f"超过 {MAX_PART_BYTES // 1024 // 1024} MB", sheet)
                if self.inflated > MAX_TOTAL_BYTES:
                    raise BudgetError(f"文件解压后超过 {MAX_TOTAL_BYTES // 1024 // 1024} MB，已拒绝读取",
                                      file=self.path.name, hint="标准工作簿只有几百 KB；请删除多余的工作表、图片和行后另存")
                if _DOCTYPE in tail + chunk[:len(_DOCTYPE)] or _DOCTYPE in chunk:
                    raise BudgetError(f"工作簿的部件 {part} 含有 DOCTYPE 声明，正常的工作簿没有，已拒绝读取（文件可能被篡改或损坏）",
                                      file=self.path.name, sheet=sheet, hint=CONVERT)
                tail = chunk[-len(_DOCTYPE):]
                yield chunk

    def read(self, part: str, sheet: str | None = None) -> bytes:
        """The whole part (a small one: workbook, styles, relationships), within the same bounds."""
        return b"".join(self.chunks(part, sheet))

    def missing(self, part: str) -> BudgetError:
        return BudgetError(f"工作簿不完整：缺少部件 {part}", file=self.path.name, hint=CONVERT)


def open_archive(path: Path) -> zipfile.ZipFile:
    """The zip of a file that passed `precheck`; a damaged directory is a BudgetError."""
    with zip_errors(path):
        return zipfile.ZipFile(path)
