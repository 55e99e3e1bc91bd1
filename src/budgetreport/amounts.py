"""Amounts and percentages as templates receive them, and the filters that print them in other forms.

A template prints `{{ x }}` in today's form (万元, 2 places; a table cell blank when zero). Other forms are filters
(wan, yuan, yuan_sep, blank_zero, show_zero: the table in docs/template-fields.md), all Decimal and half-up, never
float.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from jinja2.exceptions import FilterArgumentError

from .money import ZERO, fmt

_TEN_THOUSAND = Decimal(10000)


def _decimal(other: object) -> Decimal | None:
    """Another operand of a comparison as Decimal; None when it is no number (then the comparison is False)."""
    if isinstance(other, (Amount, Percent)):
        return other.value
    if isinstance(other, (int, Decimal)) and not isinstance(other, bool):
        return Decimal(other)
    return None


class _Number:
    """Comparisons and truth of a printed number: `{% if x %}` is "not zero", `{% if x > 0 %}` compares values."""
    value: Decimal

    def __bool__(self) -> bool:
        return self.value != 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):            # a template written for the old facts compares with "0.00"
            return str(self) == other or fmt(self.value) == other
        d = _decimal(other)
        return d is not None and self.value == d

    def __hash__(self) -> int:
        return hash(self.value)

    def _cmp(self, other: object) -> Decimal:
        d = _decimal(other)
        if d is None:
            raise TypeError(f"不能把金额与“{other}”比较")
        return d

    def __lt__(self, other: object) -> bool:
        return self.value < self._cmp(other)

    def __le__(self, other: object) -> bool:
        return self.value <= self._cmp(other)

    def __gt__(self, other: object) -> bool:
        return self.value > self._cmp(other)

    def __ge__(self, other: object) -> bool:
        return self.value >= self._cmp(other)

    def __html__(self) -> str:                # digits and '.': nothing to escape
        return str(self)

    def __float__(self) -> float:
        # Jinja's float/int/round filters turn a TypeError into 0 — a silently wrong report; this error stops the
        # build and names the template instead
        raise FilterArgumentError("金额不能转换为浮点数或整数（会有误差）：元请用 x|yuan 或 x|yuan_sep，"
                                  "万元用 x|wan，为 0 时空白用 x|blank_zero")

    def __round__(self, ndigits: object = None) -> float:
        return self.__float__()

    __int__ = __float__

    def _no_arithmetic(self, other: object) -> None:
        raise FilterArgumentError("模板中不能对金额做加减乘除：请在工作簿中填写需要的金额，或用 x|yuan、x|yuan_sep 换算为元")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _no_arithmetic


@dataclass(frozen=True, eq=False)
class Amount(_Number):
    """An amount in 万元 (Decimal, 2 places half-up). Prints "197.31"; with blank_zero (table cells) zero prints ""."""
    value: Decimal
    blank_zero: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", Decimal(self.value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    def __str__(self) -> str:
        return "" if self.blank_zero and self.value == 0 else fmt(self.value)

    def __repr__(self) -> str:
        return f"Amount({fmt(self.value)}{', blank_zero' if self.blank_zero else ''})"


@dataclass(frozen=True, eq=False)
class Percent(_Number):
    """A percentage, 2 places half-up: prints "4.54" (the template writes the %)."""
    value: Decimal

    def __str__(self) -> str:
        return fmt(self.value)

    def __repr__(self) -> str:
        return f"Percent({fmt(self.value)})"


def amount(value: Decimal | None) -> Amount:
    return Amount(ZERO if value is None else value)


def cell(value: Decimal | None) -> Amount:
    """A table cell: blank when zero, as published."""
    return Amount(ZERO if value is None else value, blank_zero=True)


def percent_of(value: Decimal | None) -> Percent:
    return Percent(ZERO if value is None else value)


# --------------------------------------------------------------------------- filters


def _as_amount(x: object, name: str) -> Amount:
    if isinstance(x, Amount):
        return x
    if isinstance(x, (int, Decimal)) and not isinstance(x, bool):
        return Amount(Decimal(x))
    if isinstance(x, str):
        text = x.strip().replace(",", "")
        if text == "":
            return Amount(ZERO, blank_zero=True)
        try:
            return Amount(Decimal(text))
        except InvalidOperation:
            pass
    raise FilterArgumentError(f"过滤器 {name} 只能用于金额，收到的是“{x}”")


def _places(places: object, name: str) -> int:
    if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 4:
        raise FilterArgumentError(f"过滤器 {name} 的小数位数应为 0 到 4 的整数，实为“{places}”")
    return places


def _yuan_text(x: object, places: object, name: str, separators: bool) -> str:
    a = _as_amount(x, name)
    if a.blank_zero and a.value == 0:
        return ""
    n = _places(places, name)
    yuan = (a.value * _TEN_THOUSAND).quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)
    return f"{yuan:,.{n}f}" if separators else f"{yuan:.{n}f}"


def wan(x: object) -> str:
    """万元, 2 places: today's form."""
    return str(_as_amount(x, "wan"))


def yuan(x: object, places: int = 0) -> str:
    """元 without separators: 197.31 万元 → "1973100"."""
    return _yuan_text(x, places, "yuan", separators=False)


def yuan_sep(x: object, places: int = 0) -> str:
    """元 with thousands separators: 197.31 万元 → "1,973,100"."""
    return _yuan_text(x, places, "yuan_sep", separators=True)


def blank_zero(x: object) -> Amount:
    return Amount(_as_amount(x, "blank_zero").value, blank_zero=True)


def show_zero(x: object) -> Amount:
    return Amount(_as_amount(x, "show_zero").value, blank_zero=False)


AMOUNT_FILTERS = {"wan": wan, "yuan": yuan, "yuan_sep": yuan_sep, "blank_zero": blank_zero, "show_zero": show_zero}
