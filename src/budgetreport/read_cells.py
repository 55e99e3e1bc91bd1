"""Reading cells: one worksheet's values as amounts, counts, codes and texts, each problem logged as a Finding.

A wrong cell never stops the reader: it is logged (rule id, sheet!cell, message, fix), a stand-in is returned
(0, None, or the row is left out by the caller), and the Budget part the sheet feeds is marked unreadable so no
rule draws conclusions from the stand-in.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable

from .cellref import column_letter
from .findings import ERROR, WARNING, Finding
from .money import CENT, ZERO, AmountError, decimals, in_range, to_decimal
from .text import clean
from .workbook_io import Grid as Worksheet

MAX_COUNT = 10 ** 9                             # people, cars, machines, subunits: anything above is a typo

Part = tuple[str, ...]                          # a Budget attribute path: ("t3",), ("unit", "staff")
_OWN: Part = ("<own>",)                         # "the part this sheet feeds"


class Log:
    """The reader's findings, and the parts of the Budget holding a stand-in because a cell was wrong."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.unreadable: dict[Part, str] = {}

    def add(self, rule: str, sheet: str, cell: str, message: str, *, fix: str = "", found: str = "",
            expected: str = "", part: Part | None = None, level: str = ERROR) -> None:
        self.findings.append(Finding(rule, level, sheet, cell, message, expected, found, fix))
        if part is not None and level == ERROR:
            self.unreadable.setdefault(part, sheet)


class Unreadable(Exception):
    """A sheet (or a block of it) cannot be read at all; the finding is already logged."""


class SheetCells:
    """A worksheet, the log its problems go to, and the Budget part it feeds."""

    def __init__(self, ws: Worksheet, log: Log, part: Part) -> None:
        self.ws = ws
        self.name = ws.title
        self.log = log
        self.part = part
        self.value: Callable[[int, int], Any] = ws.value     # (row, col) → cell value; no wrapper per cell
        self.cell = ws.cells.get                # ((row, col)) → cell value: no Python call at all, for hot loops

    def error(self, rule: str, message: str, row: int, col: int, fix: str = "", *, found: object = None,
              expected: str = "", part: Part | None = _OWN) -> None:
        """Log an error at (row, col): `found` is what the cell holds (quoted as the clerk typed it; None: nothing to
        quote), `part` what the error leaves unreadable (default: this sheet's part)."""
        self.log.add(rule, self.name, f"{column_letter(col)}{row}", message, fix=fix, expected=expected,
                     found="" if found is None else f"“{clean(found)}”", part=self.part if part is _OWN else part)

    def unreadable(self, rule: str, message: str, row: int, col: int, fix: str = "") -> "Unreadable":
        self.error(rule, message, row, col, fix)
        return Unreadable()

    def amount(self, row: int, col: int, *, part: Part | None = _OWN) -> Decimal:
        """The amount in (row, col), rounded to cents; 0 after logging an error when it is not one."""
        raw = self.cell((row, col))
        if raw is None:
            return ZERO                         # most amount cells are empty: skip the Decimal work
        if isinstance(raw, str) and raw.strip().startswith("="):
            self.error("R-FORMULA", "单元格是公式，但文件中没有保存计算结果", row, col,
                       "请用 Excel 或 WPS 打开该文件并保存一次，使公式结果写入文件", found=raw, part=part)
            return ZERO
        try:
            value = to_decimal(raw)
        except AmountError as exc:
            reason = f"：{exc.reason}" if exc.reason else ""
            self.error("R-AMOUNT", f"应为数字金额（万元）{reason}", row, col, exc.fix, found=raw, part=part)
            return ZERO
        except (InvalidOperation, ValueError):
            self.error("R-AMOUNT", "应为数字金额（万元）", row, col, "请删除文字、单位或空格，只保留数字",
                       found=raw, part=part)
            return ZERO
        if not in_range(value):
            self.error("R-AMOUNT", "金额过大，不可能是一个单位的预算", row, col, "请核对金额与单位（万元）",
                       expected="小于 1 万亿（万元）", found=raw, part=part)
            return ZERO
        if value < 0:
            self.error("R-AMOUNT", "金额不能为负数", row, col, found=raw, part=part)
            return ZERO
        if not value:
            return ZERO                         # also "-0": never printed as -0.00
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)     # money(value), without converting again
        if rounded != value and decimals(value) > 2:               # only a changed amount can have 3 decimals
            self.log.add("R-DEC", self.name, f"{column_letter(col)}{row}", f"金额超过两位小数，已四舍五入为 {rounded}",
                         found=str(value), level=WARNING, fix="请核对，金额以万元为单位保留两位小数")
        return rounded

    def integer(self, row: int, col: int, label: str, *, part: Part | None = _OWN) -> int | None:
        """A count: a whole number 0 ≤ n < MAX_COUNT; None after logging an error."""
        raw = self.value(row, col)
        try:
            value = to_decimal(raw)
            if value != value.to_integral_value():
                raise ValueError
        except (InvalidOperation, ValueError):
            self.error("R-INT", f"“{label}”应为整数", row, col, "请只填写数字", found=raw, part=part)
            return None
        if not 0 <= value < MAX_COUNT:
            what = "不能为负数" if value < 0 else "过大"
            self.error("R-INT", f"“{label}”{what}", row, col, expected="非负整数", found=raw, part=part)
            return None
        return int(value)

    def text(self, row: int, col: int) -> str:
        return clean(self.cell((row, col)))

    def code_part(self, row: int, col: int, width: int) -> str | None:
        """A 类/款/项 code cell: text "05"; a number 5 (Excel dropped the zero) is padded back; None when wrong."""
        raw = self.cell((row, col))
        if raw is None or clean(raw) == "":
            return ""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer() and raw >= 0:
            text = str(int(raw)).zfill(width)
        else:
            text = clean(raw)
        if not (text.isascii() and text.isdigit()):
            self.error("R-CODE", "科目编码应为数字", row, col, "类/款/项编码按文本填写，如 208、05、05", found=text)
            return None
        return text

    def blank_row(self, row: int, ncols: int) -> bool:
        cell = self.cell
        for c in range(1, ncols + 1):
            v = cell((row, c))
            if v is not None and clean(v):      # clean(None) is "": most cells of a blank row are None
                return False
        return True
