"""Where templates come from: the lookup chain among the templates root's children (unit name, unit code,
default/, the packaged defaults), near misses and stray .docx as 提醒s. The rules: docs/templates.md 一 and
docs/reliability.md 1 (names are compared with folder names, never joined to a path)."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FunctionLoader, StrictUndefined, TemplateError

from .errors import BudgetError
from .amounts import AMOUNT_FILTERS
from .bounded import BoundedCache
from .findings import WARNING, Finding
from .template_errors import failing_file, template_error  # noqa: F401  (their home before the split)
from .template_files import read_phrases
from .template_sandbox import BoundedSandbox
from .wording import LIST_FILTERS


REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# templates/default as installed inside the package (pyproject maps it to budgetreport.default_templates), else
# the source tree's (an editable install)
_INSTALLED = Path(__file__).resolve().parent / "default_templates"
PACKAGED_DEFAULTS = _INSTALLED if _INSTALLED.is_dir() else REPO_TEMPLATES / "default"
TEMPLATE_FILES = ("report.docx", "phrases.j2", "fonts.toml")

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(name: str) -> str:
    """A unit name as a file or folder name on Windows and Linux alike."""
    cleaned = _UNSAFE.sub("_", name).strip().strip(".")
    return cleaned or "未命名单位"


def default_root() -> Path | None:
    """./templates when present, else the repository's templates/ (editable install), else none.

    ./templates counts without a default/ inside: `templates copy 单位` creates only ./templates/单位/, and that
    folder must then be used, not silently passed over for another root."""
    cwd_root = Path.cwd() / "templates"
    if cwd_root.is_dir():
        return cwd_root
    return REPO_TEMPLATES if (REPO_TEMPLATES / "default").is_dir() else None


BUILTIN_REASON = "随软件安装的默认模板"
DEFAULT_REASON = "模板根目录中的默认模板（default）"


@dataclass(frozen=True)
class TemplateSet:
    """The template folders chosen for one unit, in lookup order, each with why it was chosen; `notes` are
    提醒 texts about near misses (a folder almost named like the unit, report(1).docx)."""
    folders: tuple[Path, ...]
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

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

    def findings(self) -> list[Finding]:
        """The notes as 提醒 findings, printed with the workbook's."""
        return [Finding(rule="TPL-LOOKUP", level=WARNING, sheet="模板", cell="", message=n) for n in self.notes]

    def reason(self, folder: Path) -> str:
        """Why `folder` is in the chain."""
        try:
            return self.reasons[self.folders.index(folder)]
        except (ValueError, IndexError):
            return BUILTIN_REASON if folder == PACKAGED_DEFAULTS else ""

    def origins(self) -> list[tuple[str, Path | None, str]]:
        """(file name, the file used or None, why that folder) for each template file."""
        out = []
        for name in (*TEMPLATE_FILES, *EXTRA_FILES):
            path = self.find(name)
            out.append((name, path, self.reason(path.parent) if path is not None else "没有（可选文件）"))
        return out

    @property
    def label(self) -> str:
        """Short, for a manifest column: the unit's own folder name, else 默认模板."""
        unit = self.unit_folder
        return unit.name if unit is not None else "默认模板"

    @property
    def description(self) -> str:
        """Which folder each file came from and why, in one line (printed by build and batch)."""
        by_folder: dict[Path, list[str]] = {}
        for name, path, _ in self.origins():
            if path is not None:
                by_folder.setdefault(path.parent, []).append(name)
        return "；".join(f"{'、'.join(names)} 来自 {_shown(folder)}（{self.reason(folder)}）"
                        for folder, names in by_folder.items())

    @property
    def unit_folder(self) -> Path | None:
        """The unit's own folder when it has one (for fonts.toml relative paths)."""
        return self.folders[0] if self.folders and self.folders[0].name != "default" and \
            self.folders[0] != PACKAGED_DEFAULTS else None

    def fingerprint(self) -> list[tuple[str, bytes]]:
        """The chosen files' contents, for batch caching."""
        out = []
        for name in (*TEMPLATE_FILES, *EXTRA_FILES):
            path = self.find(name)
            if path is not None:
                out.append((str(path), path.read_bytes()))
        return out


EXTRA_FILES = ("settings.toml",)


def _shown(folder: Path) -> str:
    return "内置默认模板" if folder == PACKAGED_DEFAULTS else str(folder)


def template_set(unit_name: str, unit_code: str = "", root: Path | None = None) -> TemplateSet:
    """The lookup chain for one unit: its folder among the root's children (by name, then by code), the root's
    default/, the packaged defaults."""
    root = root if root is not None else default_root()
    folders: list[Path] = []
    reasons: list[str] = []
    notes: list[str] = []
    if root is not None:
        children = _child_folders(root)
        for key, what in ((unit_name, "单位名称"), (unit_code, "单位编码")):
            found = _matching_child(children, key)
            if found is not None and found not in folders:
                folders.append(found)
                reasons.append(f"文件夹名与工作簿的{what}“{key}”相同")
        if "default" in children and children["default"] not in folders \
                and children["default"].resolve() != PACKAGED_DEFAULTS:
            folders.append(children["default"])
            reasons.append(DEFAULT_REASON)
        if unit_name and not any(r.endswith(f"单位名称“{unit_name}”相同") for r in reasons):
            notes += _near_miss_notes(children, unit_name, folders)
        for folder in folders:
            notes += _stray_docx_notes(folder)
    folders.append(PACKAGED_DEFAULTS)
    reasons.append(BUILTIN_REASON)
    return TemplateSet(tuple(folders), tuple(reasons), tuple(notes))


def _child_folders(root: Path) -> dict[str, Path]:
    """The folders directly under the root, by name (the only places a unit's templates can be)."""
    try:
        with os.scandir(root) as entries:
            return {e.name: Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")}
    except OSError:
        return {}


_SEPARATORS = re.compile(r"[\\/\x00]")


def _matching_child(children: dict[str, Path], key: str) -> Path | None:
    """The child folder named exactly `key` (or its safe_name): a plain name, compared, never a path."""
    key = unicodedata.normalize("NFC", (key or "").strip())
    if not key:
        return None
    candidates = [safe_name(key)]
    if not _SEPARATORS.search(key) and key not in (".", "..") and not Path(key).is_absolute() \
            and ":" not in key:
        candidates.insert(0, key)
    by_nfc = {unicodedata.normalize("NFC", name): path for name, path in children.items()}
    for name in candidates:
        if name in by_nfc and name != "default":
            return by_nfc[name]
    return None


def _loose(name: str) -> str:
    """A name as a clerk would not notice differences: full-width → half-width, no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _distance(a: str, b: str, limit: int = 2) -> int:
    """Edit distance (insert, delete, replace), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


_COPY_SUFFIX = re.compile(r"(?:\(\d+\)|-?副本|-?copy(?:\(\d+\))?)+$")   # what Windows adds to a copied folder


def near_miss(folder_name: str, unit_name: str) -> bool:
    """A folder name a clerk meant for this unit: equal but for width, spaces and a copy's "(1)"/"- 副本", or
    1–2 characters off (for names long enough that two characters do not make another name)."""
    a, b = _COPY_SUFFIX.sub("", _loose(folder_name)), _loose(unit_name)
    if folder_name == unit_name or not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= 6 and _distance(a, b) <= 2)


def _near_miss_notes(children: dict[str, Path], unit_name: str, used: list[Path]) -> list[str]:
    current = f"“{used[0].name}”" if used and used[0].name != "default" else "默认模板"
    return [f"模板文件夹“{name}”与工作簿的单位名称“{unit_name}”只差几个字符（或全角/半角、空格不同），"
            f"未被使用，本单位使用的是{current}；"
            f"如果它是本单位的模板，请把文件夹改名为“{safe_name(unit_name)}”"
            for name, path in sorted(children.items())
            if name != "default" and path not in used and near_miss(name, unit_name)]


def _stray_docx_notes(folder: Path) -> list[str]:
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".docx")
    except OSError:
        return []
    return [f"模板文件夹 {folder} 中的“{name}”不会被使用：只有名为 report.docx 的文件才是模板"
            f"（如果它是修改后的模板，请删去旧的 report.docx，再把它改名为 report.docx）"
            for name in names if name != "report.docx" and not name.startswith("~$")]


def unused_folders(root: Path | None, units: list[tuple[str, str]]) -> list[str]:
    """提醒 texts for a batch: folders under the root that no unit of the batch (name, code) uses."""
    root = root if root is not None else default_root()
    if root is None:
        return []
    children = _child_folders(root)
    used = {p for name, code in units for p in (_matching_child(children, name), _matching_child(children, code))}
    notes = []
    for name, path in sorted(children.items()):
        if name == "default" or path in used:
            continue
        close = [u for u, _ in units if near_miss(name, u)]
        hint = f"，它与单位“{close[0]}”的名称相近：如果是该单位的模板，请把文件夹改名为“{safe_name(close[0])}”" \
            if close else "：文件夹名应与工作簿“单位信息”中的单位名称或单位编码完全相同"
        notes.append(f"模板根目录中的文件夹“{name}”没有被本次的任何单位使用{hint}")
    return notes


def _sentence(text: str) -> str:
    """End a clerk's text with exactly one 。."""
    text = (text or "").rstrip()
    return text if not text or text.endswith(("。", "！", "？", "”")) else text + "。"


_ENVS: BoundedCache[tuple[str, bytes], BoundedSandbox] = BoundedCache(16)   # phrases.j2 (path, content) → env


def make_env(templates: TemplateSet) -> BoundedSandbox:
    """The sandbox for this unit's phrases.j2, cached per phrases file content (one per process in a batch)."""
    phrases = templates.require("phrases.j2")
    key = (str(phrases), phrases.read_bytes())
    env = _ENVS.get(key)
    if env is None:
        env = _ENVS.put(key, _new_env(phrases))
    return env


def _new_env(phrases: Path) -> BoundedSandbox:
    """The sandbox: no attribute tricks, missing values are errors, text is XML-escaped."""
    env = BoundedSandbox(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters["sentence"] = _sentence
    env.filters.update(AMOUNT_FILTERS)    # facts helper: amount forms (wan, yuan, yuan_sep, blank_zero, show_zero)
    env.filters.update(LIST_FILTERS)      # facts helper: "A、B和C" (and_list), "A、B、C" (enum_list)
    # loaded under its real file name, so a failure inside a macro can be traced back to this file
    text = read_phrases(phrases)
    env.loader = FunctionLoader(lambda name: (text, str(phrases), lambda: True) if name == "phrases.j2" else None)
    try:
        with env.limits():          # its top level runs here: bounded as a render is
            env.globals["ph"] = env.get_template("phrases.j2").module
    except TemplateError as exc:
        raise template_error(exc, phrases) from None
    return env
