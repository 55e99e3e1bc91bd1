"""One unit, end to end: workbook → check → derive → .docx → PDF, written atomically.

A build writes each output to a temporary name in the output folder and renames it into place only when it is
complete, so a failure half-way leaves no partial file and never replaces a good earlier output.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .derive import derive
from .errors import BudgetError
from .findings import ERROR, Finding, from_error
from .model import Budget
from .read import read_workbook
from .templates import TemplateSet, safe_name, template_set
from .write_docx import render_docx


@dataclass
class BuildResult:
    unit: str
    year: int
    docx: Path | None = None
    pdf: Path | None = None
    warnings: list[Finding] = field(default_factory=list)
    fonts: str = ""


def output_stem(budget: Budget) -> str:
    return f"{safe_name(budget.unit.name)}{budget.unit.year}年单位预算公开"


def run_checks(budget: Budget) -> list[Finding]:
    """Reader reminders plus every cross-table rule (budgetreport.checks), errors first."""
    findings = [from_error(w) for w in budget.warnings]
    try:
        from .checks import run_all
    except ImportError:  # the checks package is optional while it is being built
        run_all = None
    if run_all is not None:
        findings += run_all(budget)
    return sorted(findings, key=lambda f: f.level != ERROR)


class CheckFailed(BudgetError):
    """The workbook reads but breaks rules; carries every finding."""

    def __init__(self, findings: list[Finding], file: str) -> None:
        errors = [f for f in findings if f.level == ERROR]
        super().__init__(f"有 {len(errors)} 处错误，未生成任何文件。第一处：{errors[0]}", file=file,
                         rule=errors[0].rule)
        self.findings = findings


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~" + path.stem[:40], suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def build_report(workbook: str | Path, outdir: str | Path, *, templates_root: Path | None = None,
                 docx: bool = True, pdf: bool = True, pdf_engine: str = "builtin",
                 templates: TemplateSet | None = None) -> BuildResult:
    """Build one unit's report. Raises BudgetError (nothing written) when the input is wrong."""
    budget = read_workbook(workbook)
    findings = run_checks(budget)
    if any(f.level == ERROR for f in findings):
        raise CheckFailed(findings, Path(workbook).name)
    warnings = findings
    facts = derive(budget)
    templates = templates or template_set(budget.unit.name, budget.unit.code, templates_root)
    docx_bytes = render_docx(facts, templates)
    pdf_bytes = None
    fonts_used = ""
    if pdf:
        pdf_bytes, fonts_used = _render_pdf(docx_bytes, templates, pdf_engine)
    outdir = Path(outdir)
    stem = output_stem(budget)
    result = BuildResult(budget.unit.name, budget.unit.year, warnings=warnings, fonts=fonts_used)
    # both outputs are complete in memory before either file is touched
    if docx:
        result.docx = outdir / f"{stem}.docx"
        write_atomic(result.docx, docx_bytes)
    if pdf_bytes is not None:
        result.pdf = outdir / f"{stem}.pdf"
        write_atomic(result.pdf, pdf_bytes)
    return result


def _render_pdf(docx_bytes: bytes, templates: TemplateSet, engine: str) -> tuple[bytes, str]:
    from . import pdf as pdf_writer
    if engine == "libreoffice":
        return pdf_writer.convert_with_libreoffice(docx_bytes), "LibreOffice"
    if engine != "builtin":
        raise BudgetError(f"未知的 PDF 引擎“{engine}”", hint="可选：builtin（默认）或 libreoffice")
    fonts = pdf_writer.resolve_fonts(templates.unit_folder)
    return pdf_writer.write_pdf(docx_bytes, fonts=fonts), fonts.describe()
