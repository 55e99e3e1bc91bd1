"""What the PDF writer remembers between builds, in one place, every store bounded: one `PdfCaches` per process
(a batch worker owns its copy; `clear()` forgets everything). What belongs to one PDF only lives with that build's
canvas (fastdraw.BuildCanvas), never here and never on reportlab's objects (docs/performance.md "Memos kept and dropped")."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict, Generic[K, V]):
    """A dict that forgets everything when it would grow past `limit` entries: the values are cheap to make
    again, and a long batch must not grow without bound."""

    def __init__(self, limit: int, then_clear: tuple[dict, ...] = ()) -> None:
        super().__init__()
        self.limit = limit
        self.then_clear = then_clear  # stores keyed by the id of an object kept here: forgotten with it

    def put(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            self.clear()
            for store in self.then_clear:
                store.clear()
        self[key] = value
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        value = self.get(key)
        if value is None:
            value = self.put(key, make())
        return value


class PdfCaches:
    """Every store of the PDF writer that outlives one build (limits: a report makes a few hundred entries in
    each; the largest store stays at a few MB)."""

    def __init__(self) -> None:
        # docx → model
        # each store buys >= 3 % of the PDF time, warm or on a first build (toc_protos aside: to go); the ones
        # that bought less were dropped (docs/performance.md, "Memos kept and dropped")
        self.docx_styles: Memo[Any, Any] = Memo(4)          # a template's styles part, read once
        self.char_widths: Memo[tuple[str, float], dict[str, float]] = Memo(256)
        # layout
        self.layouts: Memo[tuple, tuple] = Memo(5_000)        # CJK line layouts (a report has ~300)
        # keyed by the id of a ParagraphStyle kept in `styles`: forgotten when it forgets
        self.protos: Memo[tuple, Any] = Memo(5_000)           # parser-made prototype fragments
        self.toc_protos: Memo[int, list] = Memo(1_000)
        self.styles: Memo[tuple, Any] = Memo(5_000, (self.protos, self.toc_protos))

    def clear(self) -> None:
        for store in vars(self).values():
            store.clear()


CACHES = PdfCaches()  # this process's (each batch worker is a process of its own)
