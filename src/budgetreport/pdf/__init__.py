"""PDF writer: reads the FILLED .docx (never the workbook) and writes the PDF.

    write_pdf(docx)                 reportlab, deterministic bytes
    resolve_fonts(template_dir)     which faces to use (fonts.toml, installed official faces, bundled)
    convert_with_libreoffice(docx)  the `--pdf-engine libreoffice` alternative
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from reportlab.platypus.doctemplate import LayoutError

from budgetreport.docx_package import FilledDocx
from budgetreport.errors import BudgetError
from budgetreport.templates import TemplateSet

from .docmodel import Document, read_docx
from .engine import builtin_note, libreoffice_line, template_features, unsupported_error
from .fonts import FontSet, resolve_fonts
from .render import Renderer

__all__ = ["FontSet", "convert_with_libreoffice", "read_docx", "render_pdf", "resolve_fonts", "write_pdf"]
ENGINES = ("auto", "builtin", "libreoffice")


def write_pdf(docx: bytes | Path | FilledDocx, *, fonts: FontSet | None = None) -> bytes:
    """The filled .docx as PDF bytes; the same input gives byte-identical output."""
    doc: Document = read_docx(docx)
    return Renderer(doc, fonts or resolve_fonts()).render()


def render_pdf(filled: FilledDocx, templates: TemplateSet, engine: str = "auto") -> tuple[bytes, str, list[str]]:
    """A unit's PDF by the engine asked for (see engine.py): (PDF bytes, the line naming the faces or the
    engine, 提醒 texts)."""
    if engine not in ENGINES:
        raise BudgetError(f"未知的 PDF 引擎“{engine}”", hint="可选：auto（默认）、builtin 或 libreoffice")
    if engine == "libreoffice":
        return convert_with_libreoffice(filled.data), "LibreOffice", []
    template = templates.find("report.docx")
    features = template_features(template)
    if features and engine == "auto" and template is not None:
        if _soffice() is None:
            raise unsupported_error(features, template)
        return convert_with_libreoffice(filled.data), libreoffice_line(features, template), []
    fonts = resolve_fonts(templates.folders)
    notes = [builtin_note(features, template)] if features and template is not None else []
    try:
        pdf = write_pdf(filled, fonts=fonts)
    except LayoutError as e:   # something in the template cannot go on any page (a table cell taller than one)
        where = template.name if template is not None else "report.docx"
        raise BudgetError(f"内置 PDF 引擎无法排版模板 {where}：其中有内容（多为表格的一行）比一页还高",
                          file=template,
                          hint="在 Word 中减小该表格的行距、字号或段前段后间距后重新生成；"
                               "或安装 LibreOffice 后加 --pdf-engine libreoffice 生成 PDF") from e
    return pdf, fonts.describe(), notes


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(docx: bytes, *, timeout: float = 120) -> bytes:
    """PDF via `soffice --headless --convert-to pdf`, each call with its own throw-away profile
    (concurrent soffice processes sharing one profile block each other)."""
    exe = _soffice()
    if exe is None:
        raise BudgetError(
            "未找到 LibreOffice（soffice），无法用 libreoffice 引擎生成 PDF",
            hint="安装 LibreOffice 并确保 soffice 在 PATH 中，或改用默认的 --pdf-engine builtin",
        )
    with tempfile.TemporaryDirectory(prefix="budgetreport-lo-") as tmp:
        work = Path(tmp)
        src = work / "report.docx"
        src.write_bytes(docx)
        profile = (work / "profile").as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(work / "out"), str(src)]
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise BudgetError(f"LibreOffice 转换 PDF 超时（{timeout:g} 秒）", hint="稍后重试或改用默认的 builtin 引擎") from e
        except OSError as e:
            raise BudgetError(f"无法运行 LibreOffice：{e}") from e
        pdf = work / "out" / "report.pdf"
        if res.returncode != 0 or not pdf.is_file():
            detail = (res.stderr or res.stdout or b"").decode("utf-8", "replace").strip()[-300:]
            raise BudgetError(f"LibreOffice 转换 PDF 失败（退出码 {res.returncode}）：{detail or '无输出'}")
        return pdf.read_bytes()
