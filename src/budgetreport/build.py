"""One unit, end to end: workbook → check → derive → .docx → PDF, written atomically.

A build writes each output to a temporary name in the output folder and renames it into place only when it is
complete, so a failure half-way leaves no partial file and never replaces a good earlier output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_atomic
from .checks import run_all
from .derive import derive
from .errors import BudgetError
from .findings import ERROR, Finding, from_error
from .model import Budget
from .read import read_workbook
from .template_settings import DEFAULT as DEFAULT_SETTINGS, settings_for
from .templates import TemplateSet, safe_name, template_set
from .docx_package import FilledDocx
from .write_docx import fill_docx


@dataclass
class BuildResult:
    unit: str
    year: int
    docx: Path | None = None
    pdf: Path | None = None
    warnings: list[Finding] = field(default_factory=list)
    fonts: str = ""
    templates: str = ""        # which template folder each file came from, and why (TemplateSet.description)


def output_stem(budget: Budget, templates: TemplateSet | None = None) -> str:
    """The output file name without extension: settings.toml's 文件名 pattern, else <单位名称><年度>年单位预算公开."""
    settings = settings_for(templates) if templates is not None else DEFAULT_SETTINGS
    return settings.stem(budget.unit.name, budget.unit.code, budget.unit.year, safe_name)


def run_checks(budget: Budget) -> list[Finding]:
    """Reader reminders plus every cross-table rule (budgetreport.checks), errors first."""
    findings = [from_error(w) for w in budget.warnings] + run_all(budget)
    return sorted(findings, key=lambda f: f.level != ERROR)


class CheckFailed(BudgetError):
    """The workbook reads but breaks rules; carries every finding."""

    def __init__(self, findings: list[Finding], file: str) -> None:
        errors = [f for f in findings if f.level == ERROR]
        super().__init__(f"有 {len(errors)} 处错误，未生成任何文件。第一处：{errors[0]}", file=file,
                         rule=errors[0].rule)
        self.findings = findings


@dataclass
class Rendered:
    """One unit's report, complete in memory: nothing has been written yet."""
    budget: Budget
    templates: TemplateSet
    stem: str                                  # the output file name without extension
    warnings: list[Finding]
    docx: bytes
    pdf: bytes | None
    fonts: str = ""


def render_report(workbook: str | Path, *, templates_root: Path | None = None, pdf: bool = True,
                  pdf_engine: str = "builtin", templates: TemplateSet | None = None) -> Rendered:
    """read → check → derive → .docx → PDF, all in memory. Raises BudgetError when the input is wrong."""
    budget = read_workbook(workbook)
    try:
        findings = run_checks(budget)
        if any(f.level == ERROR for f in findings):
            raise CheckFailed(findings, Path(workbook).name)
        templates = templates or template_set(budget.unit.name, budget.unit.code, templates_root)
        findings = findings + templates.findings()     # near misses of the unit's template folder: 提醒
        filled = fill_docx(derive(budget), templates)
        pdf_bytes, fonts_used = _render_pdf(filled, templates, pdf_engine) if pdf else (None, "")
    except BudgetError as exc:
        exc.unit = budget.unit  # type: ignore[attr-defined]  # which unit failed, for batch reports
        raise
    return Rendered(budget, templates, output_stem(budget, templates), findings, filled.data, pdf_bytes, fonts_used)


def build_report(workbook: str | Path, outdir: str | Path, *, templates_root: Path | None = None,
                 docx: bool = True, pdf: bool = True, pdf_engine: str = "builtin",
                 templates: TemplateSet | None = None) -> BuildResult:
    """Build one unit's report into `outdir`. Raises BudgetError (nothing written) when the input is wrong."""
    r = render_report(workbook, templates_root=templates_root, pdf=pdf, pdf_engine=pdf_engine, templates=templates)
    outdir = Path(outdir)
    result = BuildResult(r.budget.unit.name, r.budget.unit.year, warnings=r.warnings, fonts=r.fonts,
                         templates=r.templates.description)
    # both outputs are complete in memory before either file is touched
    if docx:
        result.docx = outdir / f"{r.stem}.docx"
        write_atomic(result.docx, r.docx)
    if r.pdf is not None:
        result.pdf = outdir / f"{r.stem}.pdf"
        write_atomic(result.pdf, r.pdf)
    return result


def _render_pdf(filled: FilledDocx, templates: TemplateSet, engine: str) -> tuple[bytes, str]:
    from . import pdf as pdf_writer
    if engine == "libreoffice":
        return pdf_writer.convert_with_libreoffice(filled.data), "LibreOffice"
    if engine != "builtin":
        raise BudgetError(f"未知的 PDF 引擎“{engine}”", hint="可选：builtin（默认）或 libreoffice")
    fonts = pdf_writer.resolve_fonts(templates.unit_folder)
    return pdf_writer.write_pdf(filled, fonts=fonts), fonts.describe()
