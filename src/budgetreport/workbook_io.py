"""Opening a workbook file safely: every way a file can fail to open becomes a BudgetError."""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from .errors import BudgetError


def open_workbook(path: Path):
    """Open an .xlsx with cached formula values (data_only=True)."""
    if not path.exists():
        raise BudgetError("文件不存在", file=path.name)
    if path.stat().st_size == 0:
        raise BudgetError("文件是空的（0 字节）", file=path.name, hint="请重新导出或另存为 .xlsx")
    if not zipfile.is_zipfile(path):
        raise BudgetError("不是 Excel 工作簿（.xlsx）", file=path.name, hint="请在 Excel 或 WPS 中“另存为”.xlsx 格式")
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise BudgetError(f"无法读取工作簿：{exc}", file=path.name,
                          hint="请在 Excel 或 WPS 中打开并另存为 .xlsx") from None
