"""Small text helpers shared by the reader and the checks."""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")
# Half-width punctuation → the full-width form used in published tables.
_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", '"': "“"})


def norm(value: object) -> str:
    """A label as compared: no white space, full-width punctuation."""
    if value is None:
        return ""
    return _WS.sub("", str(value)).translate(_FULL)


def clean(value: object) -> str:
    """A text cell as printed: stripped; None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def strip_period(text: str) -> str:
    """A reason is printed before our own '。'/'；', so drop a trailing one the clerk typed."""
    return text.rstrip().rstrip("。；;，,.").rstrip()


CN_NUMBERS = "零一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for section and project numbering)."""
    if n <= 10:
        return CN_NUMBERS[n]
    if n < 20:
        return "十" + CN_NUMBERS[n - 10]
    tens, ones = divmod(n, 10)
    return CN_NUMBERS[tens] + "十" + (CN_NUMBERS[ones] if ones else "")
