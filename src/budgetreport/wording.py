"""Lists in a sentence, one helper for every template: how the reference and official texts join items.

- inline (`and_list`): "A" · "A和B" · "A、B和C" — a list inside a sentence ("收入包括一般公共预算拨款和政府性基金预算拨款",
  "无政府性基金预算拨款和国有资本经营预算").
  In a loop whose items carry more than a name, `{{ loop|and_sep }}` writes the same separators.
- enumeration after a colon (`enum_list`): "A、B、C、D" — the reference's "支出预算包括：社会保障和就业支出、卫生健康支出、
  城乡社区支出、住房保障支出。" and "主要包括：基本工资、津贴补贴、……".
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
