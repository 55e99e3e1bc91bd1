"""Jinja's failures as Chinese messages that name the template file: build/batch stop at the first failure
(template_error); `templates check` (template_check) reports every problem with its place in the document."""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from .errors import BudgetError
from .template_jinja_text import translate_syntax_error
from .template_sandbox import RenderLimit

_LIMIT_HINTS = {
    "time": "多半是循环太多或嵌套太深；请删去多余的 {% for %} 或 range()",
    "loop": "请删去多余的 {% for %} 循环或嵌套",
    "range": "range() 只用于少量的编号",
    "text": "模板只用于显示数据，不要用 * 或很大的宽度生成大段文字",
    "output": "模板只用于显示数据，不要用循环生成大段文字",
}


def failing_file(exc: BaseException, default: Path, candidates: tuple[Path, ...]) -> Path:
    """The template file whose code raised `exc` (a phrases.j2 macro, or the document itself)."""
    names = {str(p): p for p in candidates}
    tb = exc.__traceback__
    found = default
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in names:
            found = names[filename]
        tb = tb.tb_next
    return found


def template_line(exc: BaseException, path: Path) -> int | None:
    """The line of `path` (phrases.j2) where exc was raised: Jinja's tracebacks carry template line numbers."""
    line = getattr(exc, "lineno", None) if getattr(exc, "filename", None) == str(path) else None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_CHECK_HINT = "运行 budgetreport templates check 可看到出错的位置（第几部分、哪一段）和改法"


def template_error(exc: Exception, path: Path) -> BudgetError:
    """A Jinja failure as a message that names the template file (and the line, in phrases.j2)."""
    context = ""
    lines = getattr(exc, "docx_context", None)
    if lines:
        context = "".join(l for l in lines if l.strip())[:200]
    hint = _CHECK_HINT
    missing = re.search(r"has no attribute '(.+?)'|'(.+?)' is undefined", str(exc))
    if isinstance(exc, RenderLimit):
        message = f"{exc.message}：模板超出了允许的运行时间或大小"
        hint = _LIMIT_HINTS.get(exc.kind, hint)
    elif isinstance(exc, TemplateSyntaxError):
        message, fix = translate_syntax_error(exc)
        message, hint = f"模板写法有误：{message}", f"{fix}；{_CHECK_HINT}"
    elif isinstance(exc, SecurityError):
        name = re.search(r"'(.+?)'", str(exc))
        what = f"（{name.group(1)}）" if name else ""
        message = f"模板使用了不允许的写法{what}：模板只能显示数据，不能访问内部属性或执行代码"
    elif isinstance(exc, UndefinedError) and missing:
        message = f"模板引用了不存在的数据“{missing.group(1) or missing.group(2)}”"
    elif isinstance(exc, UndefinedError):
        message = "模板引用了不存在的数据"
    else:
        message = f"模板有误（{type(exc).__name__}：{exc}）"
    line = template_line(exc, path) if path.name == "phrases.j2" else None
    if line:
        message = f"第 {line} 行：{message}"
    if context:
        message += f"；出错位置附近：{context}"
    return BudgetError(message, file=path, hint=hint)
