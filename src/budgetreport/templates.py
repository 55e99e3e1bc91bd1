"""Where templates come from, and the sandbox they render in.

Lookup, file by file (the first folder that has the file wins):
  1. <templates root>/<单位名称>/      a unit's own edits
  2. <templates root>/<单位编码>/      the same, keyed by the unit code when the workbook has one
  3. <templates root>/default/
  4. the defaults shipped inside the package (so `pip install` alone can build a report)
The templates root is `--templates DIR`, else `./templates` in the current folder when it exists.

Files: `report.docx` (the document: layout, styles, wording), `phrases.j2` (wording macros the document calls,
e.g. the 比上年 sentence), optional `fonts.toml` (PDF fonts, see budgetreport.pdf.fonts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FunctionLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import BudgetError

def _packaged_defaults() -> Path:
    """templates/default as installed inside the package (pyproject maps it to budgetreport.default_templates)."""
    installed = Path(__file__).resolve().parent / "default_templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "templates" / "default"   # editable install / source tree


PACKAGED_DEFAULTS = _packaged_defaults()
REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE_FILES = ("report.docx", "phrases.j2", "fonts.toml")

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(name: str) -> str:
    """A unit name as a file or folder name on Windows and Linux alike."""
    cleaned = _UNSAFE.sub("_", name).strip().strip(".")
    return cleaned or "未命名单位"


def default_root() -> Path | None:
    """./templates when present, else the repository's templates/ (editable install), else none."""
    for candidate in (Path.cwd() / "templates", REPO_TEMPLATES):
        if (candidate / "default").is_dir():
            return candidate
    return None


@dataclass(frozen=True)
class TemplateSet:
    """The template files chosen for one unit."""
    folders: tuple[Path, ...]

    def find(self, filename: str) -> Path | None:
        for folder in self.folders:
            path = folder / filename
            if path.is_file():
                return path
        return None

    def require(self, filename: str) -> Path:
        path = self.find(filename)
        if path is None:
            raise BudgetError(f"找不到模板文件 {filename}", hint="查找顺序：" + " → ".join(map(str, self.folders)))
        return path

    @property
    def unit_folder(self) -> Path | None:
        """The unit's own folder when it has one (for fonts.toml relative paths)."""
        return self.folders[0] if self.folders and self.folders[0].name != "default" and \
            self.folders[0] != PACKAGED_DEFAULTS else None

    def fingerprint(self) -> list[tuple[str, bytes]]:
        """The chosen files' contents, for batch caching."""
        out = []
        for name in TEMPLATE_FILES:
            path = self.find(name)
            if path is not None:
                out.append((str(path), path.read_bytes()))
        return out


def template_set(unit_name: str, unit_code: str = "", root: Path | None = None) -> TemplateSet:
    root = root if root is not None else default_root()
    folders: list[Path] = []
    if root is not None:
        for key in (unit_name, safe_name(unit_name), unit_code):
            if key and (root / key).is_dir() and (root / key) not in folders:
                folders.append(root / key)
        if (root / "default").is_dir():
            folders.append(root / "default")
    folders.append(PACKAGED_DEFAULTS)
    return TemplateSet(tuple(folders))


def _sentence(text: str) -> str:
    """End a clerk's text with exactly one 。."""
    text = (text or "").rstrip()
    return text if not text or text.endswith(("。", "！", "？", "”")) else text + "。"


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with each source compiled once per process (compiled code lives in memory only: the disk
    cache keeps data, never code a template would run)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._compiled: dict[str, object] = {}

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (jinja's signature)
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) > 32:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template

    _DICT_ATTRIBUTES = frozenset(dir(dict))

    def getattr(self, obj, attribute):  # noqa: A003 (jinja's signature)
        """`a.b` on a plain dict (the facts) ends at its key whenever dict itself has no such attribute; go there
        directly instead of through a failed attribute lookup (that exception was a third of a report's render)."""
        if type(obj) is dict and attribute not in self._DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_ENVS: dict[tuple[str, bytes], SandboxedEnvironment] = {}


def make_env(templates: TemplateSet) -> SandboxedEnvironment:
    """The sandbox for this unit's phrases.j2, cached per phrases file content (one per process in a batch)."""
    phrases = templates.require("phrases.j2")
    key = (str(phrases), phrases.read_bytes())
    env = _ENVS.get(key)
    if env is None:
        if len(_ENVS) > 16:
            _ENVS.clear()
        env = _ENVS[key] = _new_env(phrases)
    return env


def _new_env(phrases: Path) -> SandboxedEnvironment:
    """The sandbox: no attribute tricks, missing values are errors, text is XML-escaped."""
    env = _Sandbox(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters["sentence"] = _sentence
    # loaded under its real file name, so a failure inside a macro can be traced back to this file
    env.loader = FunctionLoader(lambda name: (phrases.read_text(encoding="utf-8"), str(phrases), lambda: True)
                                if name == "phrases.j2" else None)
    try:
        env.globals["ph"] = env.get_template("phrases.j2").module
    except TemplateError as exc:
        raise template_error(exc, phrases) from None
    return env


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
    if kind == "SecurityError":
        message = f"模板使用了不允许的写法（{exc}）：模板只能显示数据，不能访问内部属性或执行代码"
    elif kind == "UndefinedError":
        message = f"模板引用了不存在的数据：{exc}"
    else:
        message = f"模板有误：{exc}"
    if context:
        message += f"；出错位置附近：{context}"
    return BudgetError(message, file=path, hint="请检查模板中 {{ }} 与 {% %} 标签的拼写")
