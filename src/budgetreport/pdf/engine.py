"""Which engine writes a unit's PDF (issue 11 item 3): never silently drop what the template has.
engine "auto", "builtin" and "libreoffice", and what the built-in one cannot show: docs/pdf.md."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import BudgetError

# (what to look for in the XML of the document, its headers and footers, the feature's Chinese name)
_FEATURES: tuple[tuple[re.Pattern[bytes], str], ...] = tuple((re.compile(p), name) for p, name in (
    (rb"<pic:pic\b|<v:imagedata\b", "图片"),
    (rb"<w:txbxContent\b|<wps:txbx\b", "文本框"),
    (rb"<wps:wsp\b|<v:(?:shape|rect|oval|line|roundrect)\b(?![^>]*\btype=\"#_x0000_t75\")", "形状"),
    (rb"<w:footnoteReference\b", "脚注"),
    (rb"<w:endnoteReference\b", "尾注"),
    (rb"<w:cols\b[^>]*\bw:num=\"(?:[2-9]|\d\d+)\"", "分栏"),
    (rb"<w:commentReference\b|<w:commentRangeStart\b", "批注"),
    (rb"<w:(?:ins|del|moveFrom|moveTo)\b[^>]*\bw:author=", "修订（未接受的修改）"),
    (rb"<m:oMath\b", "公式"),
    (rb"<w:object\b|<o:OLEObject\b", "嵌入对象"),
))
_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")


def unsupported_features(docx: bytes | Path) -> list[str]:
    """The features of a .docx the built-in engine would leave out, in a fixed order (none: [])."""
    data = docx.read_bytes() if isinstance(docx, Path) else docx
    return list(_scan(data))


@lru_cache(maxsize=16)
def _scan(data: bytes) -> tuple[str, ...]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = [z.read(n) for n in z.namelist() if _PARTS.fullmatch(n)]
    except zipfile.BadZipFile:
        return ()   # the fill stage reports a broken template
    return tuple(name for pattern, name in _FEATURES if any(pattern.search(part) for part in xml))


def template_features(template: Path | None) -> list[str]:
    """unsupported_features of a template file (report.docx), read once per content."""
    if template is None or not template.is_file():
        return []
    return unsupported_features(template.read_bytes())


def libreoffice_line(features: Iterable[str], template: Path) -> str:
    return f"PDF 由 LibreOffice 生成：模板 {template.name} 含{'、'.join(features)}，内置引擎不能显示"


def unsupported_error(features: Iterable[str], template: Path) -> BudgetError:
    return BudgetError(
        f"模板 {template.name} 含内置 PDF 引擎不能显示的内容：{'、'.join(features)}，且本机未安装 LibreOffice",
        file=template,
        hint="在 Word 中删除这些内容后重新生成，或安装 LibreOffice（soffice）后重新生成；"
             "也可加 --pdf-engine builtin 仍用内置引擎（这些内容不会出现在 PDF 中）")


def builtin_note(features: Iterable[str], template: Path) -> str:
    return (f"模板 {template.name} 含{'、'.join(features)}，内置 PDF 引擎不显示这些内容（--pdf-engine builtin）；"
            "如需在 PDF 中保留，请安装 LibreOffice 并去掉 --pdf-engine builtin")
