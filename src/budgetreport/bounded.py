"""A store that remembers at most `limit` values, the least recently used going first when it is full.

For what is costly to make and often asked for again within one process (a batch worker builds many units with
the same template, phrases and fonts), where `functools.lru_cache` does not fit: the value is made by code that
needs more than the key (a file's path for its error messages) or the cache belongs to one object.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """key → value, at most `limit` entries; get() counts as a use."""

    __slots__ = ("limit", "_values")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        """Remember `value` (returned, for `x = cache.put(key, make())`), forgetting the oldest over the limit."""
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self.limit:
            self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values
