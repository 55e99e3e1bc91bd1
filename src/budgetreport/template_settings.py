"""settings.toml beside report.docx: the report's name, its file name and the document title/subject.
Keys, placeholders and defaults: docs/templates.md "报告名称与文件名（settings.toml）" (English keys report_name,
file_name, title, subject also work). Validated by `templates check`; a build refuses a wrong one alike."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BudgetError

SETTINGS_FILE = "settings.toml"
_KEYS = {"报告名称": "report_name", "report_name": "report_name", "文件名": "file_name", "file_name": "file_name",
         "标题": "title", "title": "title", "主题": "subject", "subject": "subject"}
_FIELDS = ("单位名称", "单位编码", "年度", "报告名称")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_EXAMPLE = '例如：\n"报告名称" = "部门预算公开"\n"文件名" = "{单位名称}{年度}年{报告名称}"'


@dataclass(frozen=True)
class ReportSettings:
    report_name: str = "单位预算公开"
    file_name: str = "{单位名称}{年度}年{报告名称}"
    title: str = "{单位名称}{年度}年{报告名称}"
    subject: str = "{报告名称}"

    def fill(self, pattern: str, unit_name: str, unit_code: str, year: int | str) -> str:
        values = {"单位名称": unit_name, "单位编码": unit_code or "", "年度": str(year),
                  "报告名称": self.report_name}
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)

    def stem(self, unit_name: str, unit_code: str, year: int | str, safe: Any) -> str:
        """The output file name without extension; the unit's name made safe for a file name by `safe`."""
        return self.fill(self.file_name, safe(unit_name), safe(unit_code) if unit_code else "", year)


DEFAULT = ReportSettings()


def read_settings(path: Path) -> ReportSettings:
    """settings.toml checked: UTF-8 TOML, known keys, text values, known placeholders, a usable file name."""
    from . import toml_compat as tomllib
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BudgetError("设置文件不是 UTF-8 编码", file=path, hint="请用记事本“另存为”，编码选 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise BudgetError(f"设置文件格式错误（第 {line.group(1) if line else '?'} 行）", file=path,
                          hint="每行写成 \"项目\" = \"文字\"：中文的项目名和文字都要用英文双引号括起。" + _EXAMPLE) from None
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise BudgetError(f"设置文件中的“{key}”不是可用的项目", file=path,
                              hint="可用：报告名称、文件名、标题、主题（或 report_name、file_name、title、subject）")
        if not isinstance(value, str) or not value.strip():
            raise BudgetError(f"设置文件中“{key}”的值应是一段文字（用英文双引号括起）", file=path, hint=_EXAMPLE)
        for name in _PLACEHOLDER.findall(value):
            if name not in _FIELDS:
                raise BudgetError(f"设置文件中“{key}”的“{{{name}}}”不是可用的占位符", file=path,
                                  hint="可用：" + "、".join(f"{{{n}}}" for n in _FIELDS))
        if _PLACEHOLDER.sub("", value).count("{") or _PLACEHOLDER.sub("", value).count("}"):
            raise BudgetError(f"设置文件中“{key}”的大括号没有成对", file=path, hint="占位符写成 {单位名称} 这样")
        values[_KEYS[key]] = value.strip()
    settings = ReportSettings(**values)
    _check_file_name(path, settings)
    return settings


def _check_file_name(path: Path, settings: ReportSettings) -> None:
    literal = settings.fill(settings.file_name, "单位", "", 2025)
    bad = _BAD_FILE_CHARS.search(_PLACEHOLDER.sub("", settings.file_name)) or \
        _BAD_FILE_CHARS.search(settings.report_name if "{报告名称}" in settings.file_name else "")
    if bad:
        raise BudgetError(f"设置文件中的文件名含有不能用在文件名中的字符“{bad.group()}”", file=path,
                          hint='文件名中不能有 \\ / : * ? " < > |')
    if "{单位名称}" not in settings.file_name and "{单位编码}" not in settings.file_name:
        raise BudgetError("设置文件中的文件名没有 {单位名称} 或 {单位编码}：各单位的报告会同名，互相覆盖", file=path,
                          hint="在文件名中加上 {单位名称}")
    if not literal.strip(" ."):
        raise BudgetError("设置文件中的文件名是空的", file=path, hint=_EXAMPLE)


def settings_for(templates: Any) -> ReportSettings:
    """The settings of a TemplateSet (the first settings.toml of its lookup chain), else today's defaults."""
    path = templates.find(SETTINGS_FILE)
    return read_settings(path) if path is not None else DEFAULT
