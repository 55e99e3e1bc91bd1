"""reportlab.platypus.paragraph compiles two patterns over most of Unicode when it is imported, which the re
module expands character by character: its URL pattern (`uri_pat`, case-insensitive over \\xa1-\\uffff,
≈0.06 CPU s of every warm-up) and textsplit's CJK pattern (`rx`, ≈7 ms). reportlab matches the first only to
split an over-long URL across lines, which a budget report has none of, and the second only in `cjkwrap`,
which paragraphs never call, so both are compiled on first use instead. Same pattern, same flags: the same
matches."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

_SLOW_STARTS = (r"(^(?:[a-z0-9\.\-\+]*)://)",    # how paragraph.uri_pat begins
                "([\u2e80-\uffff])")               # textsplit.rx


class LazyPattern:
    """A compiled pattern that compiles when first used (its text and flags are there without compiling)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


@contextmanager
def slow_patterns_compiled_lazily() -> Iterator[None]:
    """While reportlab's paragraph module is imported, the two patterns become LazyPatterns; every other
    pattern compiles as usual."""
    compile_now = re.compile

    def compile_(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(_SLOW_STARTS):
            return LazyPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_   # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = compile_now
