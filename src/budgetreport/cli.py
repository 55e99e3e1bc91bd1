"""命令行：budgetreport build / check / init（批量与模板管理见 batch、templates）。

Exit codes (documented in README): 0 成功（可有提醒）; 1 校验发现错误; 2 工作簿或模板无法读取 / 用法错误.
"""
from __future__ import annotations

import json
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from . import __version__
from .cli_texts import ChineseTyper, use_chinese
from .errors import BudgetError
from .findings import ERROR

EXIT_OK, EXIT_RULES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

app = ChineseTyper(
    name="budgetreport",
    help="单位预算公开报告生成工具：读取标准 Excel 工作簿，校验勾稽关系，生成 Word（.docx）与 PDF。",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,  # a bug of ours is reported by main(), in Chinese
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class PdfEngine(str, Enum):
    auto = "auto"
    builtin = "builtin"
    libreoffice = "libreoffice"


class Format(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        out.print(f"budgetreport {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", "-V", help="显示版本号并退出。", callback=_version,
                                 is_eager=True),
    debug: bool = typer.Option(False, "--debug", help="出现内部错误时显示完整的错误跟踪（供维护人员排查）。"),
) -> None:
    """单位预算公开报告生成工具。"""


def _fail(exc: BudgetError) -> None:
    err.print(f"[bold red]错误[/]：{escape(str(exc))}", markup=True, soft_wrap=True)   # cell text may hold [/x]
    findings = getattr(exc, "findings", None)
    if findings:
        for f in findings:
            err.print(f"  {f}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_RULES)
    raise typer.Exit(EXIT_INPUT)


def _finding_line(f) -> str:
    """One finding, as the clerk reads it: level, rule, where, what, expected vs found."""
    style = "red" if f.level == ERROR else "yellow"
    text = f"{f.where}：{f.message}"
    if f.expected or f.found:
        text += f"，应为 {f.expected}，实为 {f.found}"
    return f"[{style}]{f.level}[/] {escape(f'[{f.rule}] ' + text)}"   # cell text may hold [/x]


@app.command("build")
def build_cmd(
    workbook: Path = typer.Argument(..., help="单位的标准 Excel 工作簿（.xlsx）。", show_default=False),
    outdir: Path = typer.Option(Path("outputs"), "--out", "-o", help="输出文件夹。"),
    templates: Optional[Path] = typer.Option(None, "--templates", "-t",
                                             help="模板根目录（其下 default/ 与 <单位名称>/）；默认 ./templates。"),
    docx: bool = typer.Option(True, "--docx/--no-docx", help="是否生成 Word 文件。"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="是否生成 PDF 文件。"),
    pdf_engine: PdfEngine = typer.Option(
        PdfEngine.auto, "--pdf-engine",
        help="PDF 生成方式：auto（默认：内置引擎；模板含内置引擎不支持的内容时用 LibreOffice）、builtin（总用内置引擎）"
             "或 libreoffice（需已安装）。"),
) -> None:
    """生成一个单位的预算公开报告（先校验，有错误则不生成任何文件）。"""
    from .build import build_report
    if not docx and not pdf:
        err.print("错误：--no-docx 与 --no-pdf 不能同时使用，否则没有任何输出。")
        raise typer.Exit(EXIT_INPUT)
    started = time.perf_counter()
    out.print(f"正在读取 {workbook.name} …")
    try:
        result = build_report(workbook, outdir, templates_root=templates, docx=docx, pdf=pdf,
                              pdf_engine=pdf_engine.value)
    except BudgetError as exc:
        _fail(exc)
        return
    for w in result.warnings:
        out.print(_finding_line(w), soft_wrap=True)
    out.print(f"模板：{result.templates}", soft_wrap=True, markup=False)
    if result.fonts:
        out.print(result.fonts if result.fonts.startswith("PDF") else f"PDF 字体：{result.fonts}", soft_wrap=True)
    for path in (result.docx, result.pdf):
        if path is not None:
            out.print(f"[green]已生成[/] {path}")
    out.print(f"完成：{result.unit} {result.year} 年，用时 {time.perf_counter() - started:.2f} 秒。")


@app.command("check")
def check_cmd(
    workbook: Path = typer.Argument(..., help="要校验的工作簿（.xlsx）。", show_default=False),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="输出格式：text（逐行）或 json。"),
    annotate: bool = typer.Option(False, "--annotate", "-a",
                                  help="另存一份“工作簿（校验意见）.xlsx”：问题单元格标红/黄并加批注，首页列出全部问题。"),
    outdir: Optional[Path] = typer.Option(None, "--out", "-o", help="校验意见副本的输出文件夹；默认与工作簿同一文件夹。"),
    templates: Optional[Path] = typer.Option(None, "--templates", "-t",
                                             help="同时检查这个模板根目录中本单位的模板（同 templates check）。"),
) -> None:
    """只校验工作簿（勾稽关系、格式），一次列出全部问题，不生成报告。退出码：0 无错误，1 有错误，2 无法读取。"""
    from .check_report import run_check
    raise typer.Exit(run_check(workbook, as_json=fmt is Format.json, annotate=annotate, outdir=outdir, out=out,
                               err=err, templates=templates))


@app.command("init")
def init_cmd(
    path: Path = typer.Argument(..., help="要生成的空白工作簿路径（.xlsx）。", show_default=False),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help="单位名称（预填到工作簿）。"),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="预算年度，如 2026。"),
    force: bool = typer.Option(False, "--force", help="文件已存在时覆盖。"),
) -> None:
    """生成空白的标准工作簿（含填表说明、表头、功能分类科目与下拉选项）。"""
    from .init_workbook import write_blank_workbook
    if path.suffix.lower() != ".xlsx":
        err.print(f"错误：{path.name} 应以 .xlsx 结尾。")
        raise typer.Exit(EXIT_INPUT)
    if path.exists() and not force:
        err.print(f"错误：{path} 已存在；如需覆盖请加 --force。")
        raise typer.Exit(EXIT_INPUT)
    from .outputs import ensure_folder, output_errors
    try:
        ensure_folder(path.parent)
        with output_errors(path):
            write_blank_workbook(path, unit=unit, year=year)
    except BudgetError as exc:
        _fail(exc)
    out.print(f"[green]已生成[/] {path}")


def _register_extra_commands() -> None:
    """batch and templates copy live in cli_batch.py, templates check in cli_templates.py, templates fields in
    template_fields.py (kept apart from build/check/init)."""
    from .cli_batch import register
    from .cli_templates import register as register_templates
    register_templates(register(app, out, err), out, err)
    from .template_fields import register as register_fields   # templates fields
    register_fields(app, out)


_register_extra_commands()


def main() -> None:
    # Windows consoles: make sure Chinese prints instead of raising UnicodeEncodeError
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    use_chinese()
    debug = "--debug" in sys.argv[1:] or os.environ.get("BUDGETREPORT_DEBUG") == "1"
    try:
        app()
    except Exception as exc:  # noqa: BLE001 — anything that is not SystemExit/KeyboardInterrupt is our bug
        if debug:
            raise
        # a bug of ours, not the clerk's mistake: say so, and what to send, instead of a traceback
        err.print(f"[bold red]内部错误[/]：{type(exc).__name__}: {exc}", markup=True, soft_wrap=True, highlight=False)
        err.print("这是 budgetreport 自身的问题，不是工作簿或模板的错误。请把所用的命令、工作簿和以下信息发给维护人员："
                  f"budgetreport {__version__}，Python {sys.version.split()[0]}，{sys.platform}。"
                  "加 --debug 重新运行可显示完整的错误跟踪（例如 budgetreport --debug build …）。", soft_wrap=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
