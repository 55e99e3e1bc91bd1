"""One unit, end to end: workbook → check → derive → .docx → PDF, written atomically.

A build writes each output to a temporary name in the output folder and renames it into place only when it is
complete, so a failure half-way leaves no partial file and never replaces a good earlier output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .checks import run_all
from .derive import derive
from .errors import BudgetError
from .findings import ERROR, WARNING, Finding, from_error, ordered
from .model import Budget
from .outputs import fit_stem, write_together
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
    """The output file name without extension: settings.toml's 文件名 pattern, else <单位名称><年度>年单位预算公开;
    a very long name is shortened (unique, ≤ 240 bytes)."""
    settings = settings_for(templates) if templates is not None else DEFAULT_SETTINGS
    return fit_stem(settings.stem(budget.unit.name, budget.unit.code, budget.unit.year, safe_name))


def check_readable(workbook: Path) -> None:
    """A workbook we may not open is the clerk's to fix (permissions, a file locked by another program)."""
    try:
        with open(workbook, "rb"):
            pass
    except (FileNotFoundError, IsADirectoryError):
        return      # the reader says so, in its words
    except OSError as exc:
        raise BudgetError(f"无法打开工作簿（{exc.strerror or type(exc).__name__}）", file=workbook,
                          hint="请确认有读取权限（可先把文件复制到自己的文件夹）；如果它正在被其他程序独占打开，"
                               "请先关闭该程序") from None


def run_checks(budget: Budget) -> list[Finding]:
    """Reader reminders plus every cross-table rule (budgetreport.checks), in `check`'s order: errors first, by sheet
    in workbook order (budget.sheets keeps it), row and column."""
    findings = [from_error(w) for w in budget.warnings] + run_all(budget)
    return ordered(findings, list(budget.sheets.values()))


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
    font_files: tuple[tuple[str, int], ...] = ()   # the faces the PDF used (batch skip key)


def render_report(workbook: str | Path, *, templates_root: Path | None = None, pdf: bool = True,
                  pdf_engine: str = "auto", templates: TemplateSet | None = None) -> Rendered:
    """read → check → derive → .docx → PDF, all in memory. Raises BudgetError when the input is wrong."""
    check_readable(Path(workbook))
    budget = read_workbook(workbook)
    try:
        findings = run_checks(budget)
        if any(f.level == ERROR for f in findings):
            raise CheckFailed(findings, Path(workbook).name)
        templates = templates or template_set(budget.unit.name, budget.unit.code, templates_root)
        findings = findings + templates.findings()     # near misses of the unit's template folder: 提醒
        filled = fill_docx(derive(budget), templates)
        pdf_bytes, fonts_used, notes = _render_pdf(filled, templates, pdf_engine) if pdf else (None, "", [])
        findings += [Finding("PDF-ENGINE", WARNING, "", "", note) for note in notes]
        faces = font_files(templates) if pdf and fonts_used != "LibreOffice" else ()
    except BudgetError as exc:
        raise exc.with_unit(budget.unit)   # which unit failed, for batch reports
    return Rendered(budget, templates, output_stem(budget, templates), findings, filled.data, pdf_bytes, fonts_used,
                    faces)


def build_report(workbook: str | Path, outdir: str | Path, *, templates_root: Path | None = None,
                 docx: bool = True, pdf: bool = True, pdf_engine: str = "auto",
                 templates: TemplateSet | None = None) -> BuildResult:
    """Build one unit's report into `outdir`. Raises BudgetError (nothing written) when the input is wrong."""
    r = render_report(workbook, templates_root=templates_root, pdf=pdf, pdf_engine=pdf_engine, templates=templates)
    outdir = Path(outdir)
    result = BuildResult(r.budget.unit.name, r.budget.unit.year, warnings=r.warnings, fonts=r.fonts,
                         templates=r.templates.description)
    # both outputs are complete in memory before either file is touched; then both are written or neither
    files = {}
    if docx:
        files[f"{r.stem}.docx"] = r.docx
    if r.pdf is not None:
        files[f"{r.stem}.pdf"] = r.pdf
    written = write_together(outdir, files)
    result.docx = next((p for p in written if p.suffix == ".docx"), None)
    result.pdf = next((p for p in written if p.suffix == ".pdf"), None)
    return result


def font_files(templates: TemplateSet) -> tuple[tuple[str, int], ...]:
    """The font files (path, face index) a PDF of this template set is drawn with: title, heading, body,
    table, fallback. Part of the batch skip key: installing 仿宋 later changes them, so the PDFs are rebuilt."""
    from . import pdf as pdf_writer
    fonts = pdf_writer.resolve_fonts(templates.folders)
    faces = (fonts.title, fonts.heading, fonts.body, fonts.table, fonts.fallback)
    return tuple((str(face.path), face.index) for face in faces)


def _render_pdf(filled: FilledDocx, templates: TemplateSet, engine: str) -> tuple[bytes, str, list[str]]:
    from . import pdf as pdf_writer
    return pdf_writer.render_pdf(filled, templates, engine)   # which engine: pdf/engine.py
