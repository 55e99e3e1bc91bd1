"""Money and percentages: Decimal, rounded half-up (四舍五入) to 2 places. Never float, never round().

Text typed into an amount cell is read strictly, never guessed (docs/checks.md, R-AMOUNT): the full-width comma
"，" is what a clerk's IME gives for the point, so it is never read as a thousands separator.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# 万元. No unit's budget comes near it (a whole province's is ~10^8 万元); far below what Decimal's 28 digits can
# quantize to cents, so every sum and share computed later stays exact.
MAX_AMOUNT = Decimal(10) ** 12

_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_EMPTY_TEXTS = ("", "-", "—", "－")


class AmountError(ValueError):
    """Text that is not an amount; `reason` and `fix` are Chinese, for the clerk."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


_NOT_A_NUMBER = "请删除文字、单位或空格，只保留数字"
_GROUPING_FIX = "小数点请用半角“.”；千位分隔符可以不写，写则为 1,234.56 的形式"


def parse_amount_text(text: str) -> Decimal:
    """Text → exact Decimal, by the rules of R-AMOUNT (docs/checks.md); AmountError otherwise."""
    text = text.strip()
    if text in _EMPTY_TEXTS:
        return ZERO
    if "，" in text:
        raise AmountError("含全角逗号“，”", _GROUPING_FIX)
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise AmountError("千位分隔符“,”的位置不对", _GROUPING_FIX)
        text = text.replace(",", "")
    elif not _PLAIN.fullmatch(text):
        raise AmountError("", _NOT_A_NUMBER)
    return Decimal(text)


def to_decimal(value: object) -> Decimal:
    """An Excel cell value as an exact Decimal (floats via their shortest repr: 197.31 stays 197.31)."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, Decimal):
        return _finite(value)
    if isinstance(value, bool):
        raise InvalidOperation("boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return _finite(Decimal(repr(value)))
    return parse_amount_text(str(value))


def _finite(d: Decimal) -> Decimal:
    """Decimal reads "NaN" and "Infinity" (and a float 1e999 is inf): no amount, the same error as other text."""
    if not d.is_finite():
        raise InvalidOperation(f"{d} is not a number")
    return d


def in_range(d: Decimal) -> bool:
    """Whether |d| < MAX_AMOUNT, so that quantizing it and every sum of such amounts is exact."""
    return d.copy_abs() < MAX_AMOUNT


def money(value: object) -> Decimal:
    """Round to 2 places, half-up."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage with 2 places, half-up; None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    """197.31 → '197.31'; None → '0.00'."""
    if value is None:
        return "0.00"
    return f"{money(value):.2f}"


def decimals(value: object) -> int:
    """How many decimal places an input value carries (for the '>2 decimals' reminder)."""
    d = to_decimal(value).normalize()
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0
