"""Helpers shared by the rule modules: row labels, money columns, sums."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .. import layout
from ..model import Row, Table
from ..money import ZERO


def total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def label(row: Row) -> str:
    """How a row is named in a message: "212 城乡社区支出", "总计"."""
    return f"{row.code} {row.name}" if row.code.isdigit() else row.name


def column_label(spec: layout.TableSpec, key: str) -> str:
    for c in spec.columns:
        if c.key == key:
            return c.label
    return key


def all_rows(table: Table) -> list[Row]:
    """The total row (when there is one) and then the data rows."""
    return ([table.total] if table.total is not None else []) + list(table.rows)
