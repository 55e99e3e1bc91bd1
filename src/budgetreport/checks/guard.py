"""Keeping rules away from stand-in values: a view of the Budget that refuses the parts the reader could not read.

A rule reads the Budget through `Guarded`; touching a part the reader marked unreadable (an attribute path such as
("t3",) or ("unit", "staff")) raises `Skip`, and the rule is skipped as a whole (docs/checks.md, 一次列全). Used only
when something was unreadable: the clean path runs the rules on the Budget itself.
"""
from __future__ import annotations

import inspect
from types import FunctionType
from typing import Any, Mapping

Part = tuple[str, ...]


class Skip(Exception):
    """A rule touched a part of the Budget that could not be read."""

    def __init__(self, part: Part) -> None:
        super().__init__(".".join(part))
        self.part = part


class Guarded:
    """`obj` seen at attribute path `path`; attributes on an unreadable path raise Skip."""

    __slots__ = ("_obj", "_path", "_unreadable")

    def __init__(self, obj: Any, unreadable: Mapping[Part, str], path: Part = ()) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_unreadable", unreadable)

    def __getattr__(self, name: str) -> Any:
        obj, unreadable = self._obj, self._unreadable
        path = self._path + (name,)
        if path in unreadable:
            raise Skip(path)
        static = inspect.getattr_static(type(obj), name, None)
        if isinstance(static, property) and static.fget is not None:   # Budget.total-like: from guarded attributes
            return static.fget(self)
        if isinstance(static, FunctionType):         # methods (Budget.comparison) read through the guard too
            return static.__get__(self)
        value = getattr(obj, name)
        if any(p[:len(path)] == path for p in unreadable):
            return Guarded(value, unreadable, path)  # something below is unreadable: keep guarding
        return value

    def __getitem__(self, key: Any) -> Any:          # OtherMatters["running_cost"]: an item is a part too
        path = self._path + (key,)
        if path in self._unreadable:
            raise Skip(path)
        method = inspect.getattr_static(type(self._obj), "__getitem__", None)
        return method(self, key) if isinstance(method, FunctionType) else self._obj[key]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("rules do not change the budget")
