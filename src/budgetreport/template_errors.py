"""Jinja's failures as Chinese messages that name the template file.

build/batch stop at the first failure (template_error); `templates check` (template_check) reports every
problem with its place in the document.
"""
from __future__ import annotations

from pathlib import Path

from .errors import BudgetError
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


def template_error(exc: Exception, path: Path) -> BudgetError:
    """A Jinja failure as a message that names the template file and the offending tag."""
    context = ""
    lines = getattr(exc, "docx_context", None)
    if lines:
        context = "".join(l for l in lines if l.strip())[:200]
    kind = type(exc).__name__
    hint = "请检查模板中 {{ }} 与 {% %} 标签的拼写"
    if isinstance(exc, RenderLimit):
        message = f"{exc.message}：模板超出了允许的运行时间或大小"
        hint = _LIMIT_HINTS.get(exc.kind, hint)
    elif kind == "SecurityError":
        message = f"模板使用了不允许的写法（{exc}）：模板只能显示数据，不能访问内部属性或执行代码"
    elif kind == "UndefinedError":
        message = f"模板引用了不存在的数据：{exc}"
    else:
        message = f"模板有误：{exc}"
    if context:
        message += f"；出错位置附近：{context}"
    return BudgetError(message, file=path, hint=hint)
