"""Excel cell references (A1 style) for messages. Own code: importing openpyxl costs ~0.3 s per process."""
from __future__ import annotations


def column_letter(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    if index < 1:
        raise ValueError(f"column index must be ≥ 1, got {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
