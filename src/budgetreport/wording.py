"""Lists in a sentence, one helper for every template: how the reference and official texts join items.

`and_list` ("A、B和C", inside a sentence; `loop|and_sep` in a loop) and `enum_list` ("A、B、C", after a colon):
docs/wording.md.
"""
from __future__ import annotations

from collections.abc import Iterable


def separator(index: int, length: int, last: str = "和", sep: str = "、") -> str:
    """What follows item `index` (0-based) of `length` items: `sep`, `last` before the final item, "" after it."""
    if index >= length - 1:
        return ""
    return last if index == length - 2 else sep


def join_items(items: Iterable[object], last: str = "和", sep: str = "、") -> str:
    """Items joined by `sep`, the last two by `last` (pass last=sep for a plain enumeration)."""
    texts = [str(i) for i in items]
    return "".join(t + separator(i, len(texts), last, sep) for i, t in enumerate(texts))


def and_list(items: Iterable[object]) -> str:
    return join_items(items, "和")


def enum_list(items: Iterable[object]) -> str:
    return join_items(items, "、")


def and_sep(loop: object) -> str:
    """In a `{% for %}` whose items need more than their name: `{{ loop|and_sep }}` after each item gives the
    and_list separators ("、", "和" before the last item, nothing after it)."""
    return separator(getattr(loop, "index0"), getattr(loop, "length"), "和")


LIST_FILTERS = {"and_list": and_list, "enum_list": enum_list, "and_sep": and_sep}
