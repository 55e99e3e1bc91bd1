"""Template files that are not what they should be (a .doc renamed to .docx, an Excel file, an empty file,
phrases.j2 saved as GBK, fonts.toml with a number for a path: docs/reliability.md 13), as Chinese messages naming
the file and the fix, found before use, never as a traceback from the library that reads it."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from .errors import BudgetError

FONT_ROLES = ("title", "heading", "body", "table")      # the keys fonts.toml may have (budgetreport.pdf.fonts)
_RECOPY = "可以用 budgetreport templates copy 重新复制默认模板后再修改"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"              # Word 97-2003 .doc, .wps, .xls …


def check_report_docx(path: Path, data: bytes) -> None:
    """report.docx must be a Word document (.docx: a zip with word/document.xml)."""
    if not data:
        raise BudgetError("模板文件是空的（0 字节）", file=path, hint=f"请用 Word 或 WPS 重新保存，或{_RECOPY}")
    if data.startswith(_OLE):
        raise BudgetError("模板文件是旧版 Word 97-2003（.doc）或 WPS 格式，只是扩展名改成了 .docx", file=path,
                          hint="请在 Word 或 WPS 中打开，“另存为”时选择“Word 文档（*.docx）”")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise BudgetError("模板文件不是 Word 文档（.docx 应是一个 zip 压缩包，这个文件不是，或已损坏）", file=path,
                          hint=f"请在 Word 或 WPS 中打开并“另存为”Word 文档（*.docx），或{_RECOPY}") from None
    if "word/document.xml" not in names or b"wordprocessingml.document" not in content_types:
        other = "Excel 工作簿" if any(n.startswith("xl/") for n in names) else \
            "PowerPoint 演示文稿" if any(n.startswith("ppt/") for n in names) else "其他文件"
        raise BudgetError(f"模板文件不是 Word 文档（看起来是{other}，只是扩展名改成了 .docx）", file=path,
                          hint=f"请放入用 Word 或 WPS 保存的 report.docx，或{_RECOPY}")


def read_phrases(path: Path) -> str:
    """phrases.j2 as text: UTF-8 (with or without the BOM Notepad writes); GBK/ANSI is an error saying how
    to save it again, with the line of the first character that is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            kind = "GBK（记事本中的“ANSI”）编码"
        except UnicodeDecodeError:
            kind = "不是 UTF-8 的编码"
        raise BudgetError(f"文件以{kind}保存，第 {line} 行起无法按 UTF-8 读取", file=path,
                          hint="请用记事本打开它，“另存为”时把“编码”选为 UTF-8 后保存") from None


def check_fonts_toml(path: Path) -> dict[str, Any]:
    """fonts.toml: TOML in UTF-8; each key a role (title/heading/body/table) whose value is a path, or a table
    with `file` (a path) and optional `index` (a whole number ≥ 0). Returns the parsed table."""
    from . import toml_compat as tomllib      # here: few templates have fonts.toml
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BudgetError("字体配置文件不是 UTF-8 编码", file=path,
                          hint="请用记事本“另存为”，编码选 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise BudgetError(f"字体配置文件格式错误（{_toml_place(exc, path)}）", file=path,
                          hint='每行写成 角色 = "字体文件路径"：角色用英文（title、heading、body、table），路径用英文引号括起，'
                               '如 body = "fonts/simfang.ttf"') from None
    for role, value in data.items():
        if role not in FONT_ROLES:
            raise BudgetError(f"字体配置中的“{role}”不是可用的角色", file=path, hint="可用：" + "、".join(FONT_ROLES))
        if isinstance(value, dict):
            _check_font_table(path, role, value)
        elif not isinstance(value, str) or not value.strip():
            raise BudgetError(f"字体配置中“{role}”的值应是字体文件的路径（用英文引号括起的文字），"
                              f"实为{_kind(value)}", file=path, hint=f'如 {role} = "fonts/simfang.ttf"')
    return data


def _toml_place(exc: Exception, path: Path) -> str:
    """tomllib's "(at line 3, column 7)" as 第 3 行第 7 列, with that line's text."""
    match = re.search(r"line (\d+), column (\d+)", str(exc))
    if match is None:
        return "无法识别的写法"
    line = int(match.group(1))
    lines = path.read_bytes().decode("utf-8-sig", "replace").splitlines()
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"第 {line} 行第 {match.group(2)} 列" + (f"：{text}" if text else "")


def _check_font_table(path: Path, role: str, value: dict[str, Any]) -> None:
    for key in value:
        if key not in ("file", "index"):
            raise BudgetError(f"字体配置中“{role}”的“{key}”不是可用的项", file=path, hint="可用：file、index")
    if not isinstance(value.get("file"), str) or not value["file"].strip():
        raise BudgetError(f"字体配置中“{role}”缺少 file（字体文件路径，用英文引号括起），实为"
                          f"{_kind(value.get('file'))}", file=path,
                          hint=f'如 {role} = {{ file = "fonts/simsun.ttc", index = 0 }}')
    index = value.get("index", 0)
    if type(index) is not int or index < 0:
        raise BudgetError(f"字体配置中“{role}”的 index 应是 0 或正整数（字体集 .ttc 中的第几个字体），"
                          f"实为{_kind(index)}", file=path, hint=f'如 {role} = {{ file = "fonts/simsun.ttc", index = 0 }}')


def _kind(value: Any) -> str:
    """A TOML value as a clerk would call it."""
    if value is None:
        return "空"
    if isinstance(value, bool):
        return f"真假值 {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"数字 {value}"
    if isinstance(value, list):
        return "列表 [...]"
    if isinstance(value, dict):
        return "表 {...}"
    if isinstance(value, str):
        return "空文字" if not value.strip() else f"“{value}”"
    return f"{type(value).__name__} 类型的值"
