"""Money and percentages: Decimal, rounded half-up (四舍五入) to 2 places. Never float, never round()."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_decimal(value: object) -> Decimal:
    """An Excel cell value as an exact Decimal (floats via their shortest repr: 197.31 stays 197.31)."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidOperation("boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return _finite(Decimal(repr(value)))
    text = str(value).strip().replace(",", "").replace("，", "")
    if text in ("", "-", "—"):
        return ZERO
    return _finite(Decimal(text))


def _finite(d: Decimal) -> Decimal:
    """Decimal reads "NaN" and "Infinity" (and a float 1e999 is inf): no amount, the same error as other text."""
    if not d.is_finite():
        raise InvalidOperation(f"{d} is not a number")
    return d


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


def fmt_cell(value: Decimal | None) -> str:
    """Table cells leave zero blank, as published."""
    if value is None or value == 0:
        return ""
    return fmt(value)


def decimals(value: object) -> int:
    """How many decimal places an input value carries (for the '>2 decimals' reminder)."""
    d = to_decimal(value).normalize()
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0
