"""OUTDIR/manifest.csv: one row per unit of a batch, for the clerk to open in Excel.

Cells are neutralised against CSV injection (a leading apostrophe; docs/reliability.md): a 单位名称 such as
`=HYPERLINK(...)` comes straight from a workbook.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from .atomic import write_atomic
from .outputs import output_errors

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("输入文件", "单位名称", "年度", "状态", "提醒数", "原因", "模板", "输出文件", "SHA-256")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")   # OWASP: CSV Injection


def csv_cell(value: object) -> str:
    """The cell as text, made inert for spreadsheets (see the module's note)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def manifest_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """The header and `rows`, CRLF lines, UTF-8 with BOM so Excel opens the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_manifest_rows(path: Path, rows: Iterable[Sequence[object]]) -> None:
    with output_errors(path):
        write_atomic(path, manifest_bytes(rows))
