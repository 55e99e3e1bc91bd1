"""命令行：budgetreport build / check / init（批量与模板管理见 batch、templates）。

Exit codes (documented in README): 0 成功（可有提醒）; 1 校验发现错误; 2 工作簿或模板无法读取 / 用法错误.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import __version__
from .errors import BudgetError
from .findings import ERROR

# typer's own panel titles, in Chinese
_RICH_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "REQUIRED_SHORT_STRING": "必填",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "ABORTED_TEXT": "已中止。",
    "REQUIRED_LONG_STRING": "[必填]",
    "ERRORS_PANEL_TITLE": "错误",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}


class _RichTextsLoader(importlib.abc.Loader):
    """typer.rich_utils' loader, setting our texts right after the module runs."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        self.loader.exec_module(module)
        vars(module).update(_RICH_TEXTS)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]  # get_source etc. for tracebacks
        return getattr(self.loader, name)


class _RichTextsFinder(importlib.abc.MetaPathFinder):
    """typer imports rich_utils (≈0.2 s: rich's markdown, syntax, tables) only to print help or an error; a
    build never needs it. So the Chinese texts are set when typer imports it, not by importing it here."""

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _RichTextsLoader(spec.loader)
        return spec


if "typer.rich_utils" in sys.modules:
    vars(sys.modules["typer.rich_utils"]).update(_RICH_TEXTS)
else:
    sys.meta_path.insert(0, _RichTextsFinder())


def _chinese_cli_texts() -> None:
    """typer vendors click with English help/usage strings and no gettext hook: patch the two we show."""
    from typer._click import core as click_core, formatting

    original_help_option = click_core.Command.get_help_option

    def get_help_option(self, ctx):
        opt = original_help_option(self, ctx)
        if opt is not None:
            opt.help = "显示本帮助并退出。"
        return opt

    click_core.Command.get_help_option = get_help_option
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self, prog, args="", prefix=None):
        return original_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage


try:
    _chinese_cli_texts()
except (ImportError, AttributeError):  # another typer version: English help texts, still works
    pass

EXIT_OK, EXIT_RULES, EXIT_INPUT = 0, 1, 2

app = typer.Typer(
    name="budgetreport",
    help="单位预算公开报告生成工具：读取标准 Excel 工作簿，校验勾稽关系，生成 Word（.docx）与 PDF。",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class PdfEngine(str, Enum):
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
) -> None:
    """单位预算公开报告生成工具。"""


def _fail(exc: BudgetError) -> None:
    err.print(f"[bold red]错误[/]：{exc}", markup=True, soft_wrap=True)
    findings = getattr(exc, "findings", None)
    if findings:
        for f in findings:
            err.print(f"  {f}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_RULES)
    raise typer.Exit(EXIT_INPUT)


def _finding_line(f) -> str:
    """One finding, as the clerk reads it: level, rule, where, what, expected vs found."""
    style = "red" if f.level == ERROR else "yellow"
    text = f"[{style}]{f.level}[/] [{f.rule}] {f.where}：{f.message}"
    if f.expected or f.found:
        text += f"，应为 {f.expected}，实为 {f.found}"
    return text


@app.command("build")
def build_cmd(
    workbook: Path = typer.Argument(..., help="单位的标准 Excel 工作簿（.xlsx）。", show_default=False),
    outdir: Path = typer.Option(Path("outputs"), "--out", "-o", help="输出文件夹。"),
    templates: Optional[Path] = typer.Option(None, "--templates", "-t",
                                             help="模板根目录（其下 default/ 与 <单位名称>/）；默认 ./templates。"),
    docx: bool = typer.Option(True, "--docx/--no-docx", help="是否生成 Word 文件。"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="是否生成 PDF 文件。"),
    pdf_engine: PdfEngine = typer.Option(PdfEngine.builtin, "--pdf-engine",
                                         help="PDF 生成方式：builtin（内置，无需其他软件）或 libreoffice（需已安装）。"),
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
    templates: Optional[Path] = typer.Option(None, "--templates", "-t",
                                             help="同时检查这个模板根目录中本单位的模板（同 templates check）。"),
) -> None:
    """只校验工作簿（勾稽关系、格式），不生成文件。退出码：0 无错误，1 有错误，2 无法读取。"""
    from .build import run_checks
    from .read import read_workbook
    try:
        budget = read_workbook(workbook)
    except BudgetError as exc:
        if fmt is Format.json:
            print(json.dumps({"file": str(workbook), "readable": False, "error": str(exc),
                              "sheet": exc.sheet, "cell": exc.cell}, ensure_ascii=False, indent=2))
            raise typer.Exit(EXIT_INPUT)
        _fail(exc)
        return
    findings = run_checks(budget)
    errors = sum(1 for f in findings if f.level == ERROR)
    if fmt is Format.json:
        result = {"file": str(workbook), "readable": True, "errors": errors,
                  "warnings": len(findings) - errors, "findings": [f.to_dict() for f in findings]}
        code = EXIT_RULES if errors else EXIT_OK
        if templates is not None:
            from .cli_templates import template_check_data
            result["templates"], template_code = template_check_data(workbook, templates)
            code = max(code, template_code)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        raise typer.Exit(code)
    else:
        for f in findings:
            out.print(_finding_line(f), soft_wrap=True)
        out.print(f"{workbook.name}：{errors} 处错误，{len(findings) - errors} 处提醒。")
    code = EXIT_RULES if errors else EXIT_OK
    if templates is not None and fmt is Format.text:
        from .cli_templates import run_template_check
        code = max(code, run_template_check(workbook, templates, None, out, err))
    raise typer.Exit(code)


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
    path.parent.mkdir(parents=True, exist_ok=True)
    write_blank_workbook(path, unit=unit, year=year)
    out.print(f"[green]已生成[/] {path}")


def _register_extra_commands() -> None:
    """batch / templates commands live in cli_batch.py (kept apart: batch concurrency and reporting)."""
    from .cli_batch import register
    from .cli_templates import register as register_templates
    register(app, out, err)
    register_templates(app, out, err)


_register_extra_commands()


def main() -> None:
    # Windows consoles: make sure Chinese prints instead of raising UnicodeEncodeError
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    app()


if __name__ == "__main__":
    main()
