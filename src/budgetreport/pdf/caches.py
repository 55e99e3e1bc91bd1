"""What the PDF writer remembers between builds, in one place, every store bounded.

Texts, widths, line layouts and paragraph styles repeat from report to report (the template's wording, "0.00",
"合计"), so a batch worker keeps them. They live in one `PdfCaches` object per process: a forked or spawned batch
worker owns its copy; `clear()` forgets everything (tests use it to start from nothing). What belongs to one
PDF only (the text operators of its canvas, the subset codes of its fonts) lives with that build's canvas
(render's BuildCanvas), never here and never on reportlab's objects.
"""
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
        self.docx_styles: Memo[Any, Any] = Memo(4)          # a template's styles part, read once
        self.tag_names: Memo[str, bytes] = Memo(1_000)       # Clark name → w: qualified name
        # fonts and widths
        self.covers: Memo[tuple[str, str], bool] = Memo(100_000)
        self.cmaps: Memo[str, dict[int, int]] = Memo(64)
        self.embedded: Memo[str, bool] = Memo(256)
        self.widths: Memo[tuple[str, str, float], float] = Memo(100_000)
        self.char_widths: Memo[tuple[str, float], dict[str, float]] = Memo(256)
        self.ascent_descent: Memo[tuple[str, float], tuple[float, float]] = Memo(1_000)
        # numbers as PDF writes them
        self.numbers: Memo[float, str] = Memo(100_000)
        self.font_ops: Memo[tuple[float, float | None], str] = Memo(1_000)
        # layout
        self.layouts: Memo[tuple, tuple] = Memo(5_000)        # CJK line layouts (a report has ~300)
        # keyed by the id of a ParagraphStyle kept in `styles`: forgotten when it forgets
        self.protos: Memo[tuple, Any] = Memo(5_000)           # parser-made prototype fragments
        self.toc_protos: Memo[int, list] = Memo(1_000)
        self.plain_cells: Memo[tuple, tuple] = Memo(5_000)    # one-paragraph cells (the sample makes 322)
        self.styles: Memo[tuple, Any] = Memo(5_000, (self.protos, self.toc_protos, self.plain_cells))
        self.tokens: Memo[str, tuple[str, ...]] = Memo(100_000)
        self.fits: Memo[tuple, tuple] = Memo(1_000)           # column widths per table

    def clear(self) -> None:
        for store in vars(self).values():
            store.clear()


CACHES = PdfCaches()  # this process's (each batch worker is a process of its own)
