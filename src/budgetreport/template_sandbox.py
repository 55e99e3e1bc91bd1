"""The sandbox a template renders in, with bounds on what one render may cost (range, loop items, text
size, output size, a deadline checked in the sandbox's own hooks). The bounds and their tests: docs/reliability.md 4.
Exceeding one raises RenderLimit; all by subclassing and per-environment settings, nothing of Jinja is changed."""
from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jinja2 import TemplateRuntimeError, nodes
from jinja2.sandbox import SandboxedEnvironment

from .bounded import BoundedCache

MAX_RANGE = 10_000              # items of one range()
MAX_ITERATIONS = 1_000_000      # loop items of one render, all loops together (the default report: < 1 000)
MAX_TEXT = 1_000_000            # characters (or items) one operator, format width or filter may produce
MAX_OUTPUT = 64_000_000         # characters of one rendered part (the default report's body: ≈ 1 MB)
RENDER_SECONDS = 60.0           # per unit's document (the default report: well under a second)

# a width or precision of a million or more in a %-format or a str.format field
_WIDTH = re.compile(r"%[-+ #0]*(?:\d{7,}|\d*\.\d{7,})|\{[^{}]*:[^{}]*\d{7,}")
_ARG_WIDTH = re.compile(r"%[-+ #0]*\*|%[-+ #0]*\d*\.\*|\{[^{}]*:[^{}]*\{")   # a width taken from the arguments
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"})
_SIZED_FILTERS = ("center", "indent", "format", "wordwrap", "truncate")


class RenderLimit(TemplateRuntimeError):
    """A bound of the sandbox was exceeded; `kind` is one of range / loop / text / output / time."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Budget:
    """What the current render has used, and its deadline."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.iterations = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimit("time", f"模板运行超过 {self.seconds:g} 秒，已停止")


class BoundedSandbox(SandboxedEnvironment):
    """SandboxedEnvironment with the bounds above. Each source is compiled once per process (in memory only)."""

    intercepted_binops = frozenset({"*", "%", "**"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._compiled: BoundedCache[str, Any] = BoundedCache(32)   # source → compiled template
        self._budget: _Budget | None = None
        self.globals["range"] = self._range
        for name in _SIZED_FILTERS:
            self.filters[name] = _sized_filter(self, self.filters[name])

    # --- the budget of one render ------------------------------------------------------------------------
    @contextmanager
    def limits(self, seconds: float | None = None) -> Iterator[None]:
        """One render's bounds (nested uses share the outer one: a unit's document is one render)."""
        if self._budget is not None:
            yield
            return
        self._budget = _Budget(RENDER_SECONDS if seconds is None else seconds)
        try:
            yield
        finally:
            self._budget = None

    def render(self, template: Any, context: Any) -> str:
        """template.render(context), piece by piece within the bounds. The context is a mapping, or a dataclass
        whose fields are the template's top-level names (typed facts)."""
        if not isinstance(context, Mapping) and dataclasses.is_dataclass(context):
            context = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
        with self.limits():
            budget = self._budget
            assert budget is not None
            pieces, size = [], 0
            for count, piece in enumerate(template.generate(context)):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise RenderLimit("output", f"模板生成的文字超过 {MAX_OUTPUT:,} 个字符，已停止")
                if not count & 255:
                    budget.check_time()
                pieces.append(piece)
            return "".join(pieces)

    def _tick(self) -> None:
        if self._budget is not None:
            self._budget.check_time()

    # --- Jinja's hooks -------------------------------------------------------------------------------------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every `{% for %}` iterates through environment.loop_items (counted, deadline checked)."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            guard = nodes.EnvironmentAttribute("loop_items", lineno=loop.lineno)
            loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
        return tree

    def loop_items(self, items: Iterable[Any]) -> Iterator[Any]:
        budget = self._budget
        for item in items:
            if budget is not None:
                budget.iterations += 1
                if budget.iterations > MAX_ITERATIONS:
                    raise RenderLimit("loop", f"模板中的循环共超过 {MAX_ITERATIONS:,} 次，已停止")
                if not budget.iterations & 1023:
                    budget.check_time()
            yield item

    def is_safe_callable(self, obj: Any) -> bool:
        return obj == self.loop_items or super().is_safe_callable(obj)

    def _range(self, *args: int) -> range:
        items = range(*args)
        if len(items) > MAX_RANGE:
            raise RenderLimit("range", f"range() 最多 {MAX_RANGE:,} 项，模板要求 {len(items):,} 项，已停止")
        return items

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's signature)
        __self._tick()
        method = getattr(__obj, "__wrapped__", __obj)       # str.format comes wrapped by the sandbox
        name, text = getattr(method, "__name__", ""), getattr(method, "__self__", None)
        if name in _SIZED_METHODS and isinstance(text, str):
            _check_sizes(text, args, kwargs) if "format" in name else _check_sizes("", args, kwargs, True)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        self._tick()
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator == "%" and isinstance(left, str):
            _check_sizes(left, right if isinstance(right, tuple) else (right,), {})
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left) > 1 and left.bit_length() * right > MAX_TEXT * 4:
            raise RenderLimit("text", "乘方的结果过大，已停止")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:  # noqa: A003 (jinja's signature)
        """`a.b` on a plain dict ends at its key whenever dict itself has no such attribute; go there directly
        instead of through a failed attribute lookup (that exception was a third of a report's render)."""
        self._tick()
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._tick()
        return super().getitem(obj, argument)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (jinja's signature)
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled.put(source, super().from_string(source))
        return template


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _check_repeat(seq: Any, times: Any) -> None:
    if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_TEXT:
        raise RenderLimit("text", f"重复（*）的结果超过 {MAX_TEXT:,} 个字符或项，已停止")


def _check_sizes(fmt: str, args: tuple[Any, ...] | list[Any], kwargs: Mapping[str, Any],
                 widths: bool = False) -> None:
    """A width of a million or more: written in a format string, or given as an argument — to center(…),
    indent(…) (`widths`), or to a format string that takes its width from the arguments (`%*d`, `{:{}}`)."""
    widths = widths or bool(_ARG_WIDTH.search(fmt))
    if _WIDTH.search(fmt) or widths and any(isinstance(a, int) and not isinstance(a, bool) and a > MAX_TEXT
                                            for a in (*args, *kwargs.values())):
        raise RenderLimit("text", f"宽度或长度超过 {MAX_TEXT:,}，已停止")


def _sized_filter(env: BoundedSandbox, func: Any) -> Any:
    """A built-in filter whose arguments set the size of its result, checked first (its Jinja flags kept)."""
    def bounded(*args: Any, **kwargs: Any) -> Any:
        env._tick()
        value = next((a for a in args if isinstance(a, str)), "")
        if func.__name__ == "do_format":
            _check_sizes(value, args[1:], kwargs)
        else:
            _check_sizes("", args[1:], kwargs, widths=True)
        return func(*args, **kwargs)
    if hasattr(func, "jinja_pass_arg"):
        setattr(bounded, "jinja_pass_arg", func.jinja_pass_arg)
    bounded.__name__ = func.__name__
    return bounded
