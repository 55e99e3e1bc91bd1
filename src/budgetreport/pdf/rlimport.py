"""reportlab.platypus.paragraph compiles a URL pattern when it is imported (`uri_pat`): case-insensitive over
the range \\xa1-\\uffff, which the re module case-folds character by character, ≈0.06 CPU s of every warm-up.
reportlab matches it only to split an over-long URL across lines, which a budget report has none of, so it is
compiled on first use instead. Same pattern, same flags: the same matches."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

_URI_START = r"(^(?:[a-z0-9\.\-\+]*)://)"     # how reportlab's uri_pat begins


class LazyPattern:
    """A compiled pattern that compiles when first used."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern_text = pattern
        self.flags_value = flags

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern_text, self.flags_value)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


@contextmanager
def uri_pattern_compiled_lazily() -> Iterator[None]:
    """While reportlab's paragraph module is imported, its URL pattern becomes a LazyPattern; every other
    pattern compiles as usual."""
    compile_now = re.compile

    def compile_(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(_URI_START):
            return LazyPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_   # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = compile_now
