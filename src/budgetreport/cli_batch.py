"""命令行：budgetreport batch（批量生成）与 budgetreport templates copy（复制模板供单位修改）。

batch 退出码：0 全部成功（可有提醒）；1 有单位失败；2 输入文件夹或用法错误；130 被 Ctrl-C 中断。
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.markup import escape
from rich.table import Table

from .cli_texts import ChineseTyper

EXIT_INPUT = 2
COPIED_FILES = ("report.docx", "phrases.j2")


def register(app: typer.Typer, out: Console, err: Console) -> typer.Typer:
    """Add `batch` and the `templates` sub-app to the main CLI; → the `templates` sub-app."""

    @app.command("batch")
    def batch_cmd(
        input_dir: Path = typer.Argument(..., help="存放各单位工作簿（.xlsx）的文件夹，含子文件夹。",
                                         show_default=False),
        outdir: Path = typer.Option(..., "--out", "-o", help="输出文件夹（各单位的 Word、PDF 与 manifest.csv）。",
                                    show_default=False),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                           help="同时处理的单位数（进程数）；默认每个 CPU 核一个。"),
        force: bool = typer.Option(False, "--force", help="全部重新生成（默认跳过工作簿、模板和版本都未变的单位）。"),
        templates: Optional[Path] = typer.Option(None, "--templates", "-t",
                                                 help="模板根目录（其下 default/ 与 <单位名称>/）；默认 ./templates。"),
        pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="是否生成 PDF 文件。"),
        timeout: Optional[float] = typer.Option(None, "--timeout", min=0, show_default=False,
                                                help="每个单位最多用时（秒，默认 120），超时的单位记为失败，其他单位照常"
                                                     "生成；0 表示不限。"),
        annotate: bool = typer.Option(False, "--annotate", "-a",
                                      help="有问题的单位另存一份“工作簿（校验意见）.xlsx”到输出文件夹：问题单元格标红/黄并加批注。"),
    ) -> None:
        """批量生成：文件夹内每个工作簿各生成一份报告；某个单位失败不影响其他单位。

        退出码：0 全部成功（可有提醒）；1 有单位失败；2 文件夹或用法错误；130 被中断。"""
        from .batch import FAILED, INTERRUPTED_REASON, WARNED, run_batch
        from .manifest import MANIFEST_NAME
        from .outputs import SUMMARY_NAME
        from .unit_pool import DEFAULT_TIMEOUT
        from .errors import BudgetError

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("剩余"), TimeRemainingColumn(), TextColumn("已用"), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task_id = bar.add_task("正在查找工作簿…", total=None)

            def show(p) -> None:
                current = "、".join(Path(r).stem for r in p.running[:2]) if p.running else ""
                bar.update(task_id, total=p.total, completed=p.done,
                           description=f"正在生成：{current}" if current else "准备中…")

            try:
                report = run_batch(input_dir, outdir, jobs=jobs, force=force, templates_root=templates, pdf=pdf,
                                   progress=show,
                                   timeout=DEFAULT_TIMEOUT if timeout is None else timeout or None,
                                   annotate=annotate)
            except BudgetError as exc:
                err.print(f"[bold red]错误[/]：{escape(str(exc))}", soft_wrap=True)
                raise typer.Exit(EXIT_INPUT)

        if not report.units:
            err.print(f"错误：{input_dir} 中没有找到 .xlsx 工作簿。")
            raise typer.Exit(EXIT_INPUT)
        table = Table(title="批量生成结果", show_lines=False)
        for name in ("输入文件", "单位名称", "状态", "提醒", "模板", "原因 / 输出"):
            table.add_column(name, overflow="fold")
        colour = {FAILED: "red", WARNED: "yellow"}
        for u in report.units:
            status = f"[{colour.get(u.status, 'green')}]{u.status}[/]" + ("（未变化，已跳过）" if u.skipped else "")
            note = u.reason if u.status != "成功" else "、".join(n for n, _ in u.outputs)
            if len(note) > 90:   # the whole reason is in manifest.csv
                note = note[:88] + "…"
            table.add_row(escape(u.input), escape(u.unit), status, str(u.warnings), escape(u.templates), escape(note))
        out.print(table)
        for u in report.units:
            if u.detail:
                err.print(f"[red]{escape(u.input)}[/] 程序内部错误详情：\n{escape(u.detail)}", markup=True, soft_wrap=True)
        not_run = sum(1 for u in report.units if u.reason == INTERRUPTED_REASON)
        out.print(f"共 {len(report.units)} 个单位：成功 {report.count('成功')}，有提醒 {report.count(WARNED)}，"
                  f"失败 {report.failed - not_run}" + (f"，因中断未处理 {not_run}" if not_run else "")
                  + f"；其中未变化跳过 {report.skipped}。用时 {report.elapsed:.1f} 秒。")
        out.print(f"清单：{report.outdir / MANIFEST_NAME}；汇总：{report.outdir / SUMMARY_NAME}", soft_wrap=True)
        for note in report.notes:    # template folders no unit used: a clerk's folder that never took effect
            out.print(f"[yellow]提醒[/]：{escape(note)}", soft_wrap=True)
        for problem in report.problems:
            err.print(f"[bold red]错误[/]：{escape(str(problem))}", soft_wrap=True)
        if report.interrupted:
            err.print("[yellow]已中断[/]：已完成的单位已保存，再次运行同一命令即可从中断处继续。")
        raise typer.Exit(report.return_code)

    return _register_templates(app, out, err)


def _register_templates(app: typer.Typer, out: Console, err: Console) -> typer.Typer:
    """The `templates` sub-app: `templates copy`."""
    templates_app = ChineseTyper(help="管理单位模板（templates/<单位名称>/ 中的文件覆盖默认模板）。",
                                no_args_is_help=True)
    app.add_typer(templates_app, name="templates")

    @templates_app.command("copy")
    def copy_cmd(
        unit: str = typer.Argument(..., help="单位名称（与工作簿“单位信息”中的单位名称一致）或单位编码。",
                                   show_default=False),
        templates: Path = typer.Option(Path("templates"), "--templates", "-t", help="模板根目录。"),
        force: bool = typer.Option(False, "--force", help="单位模板已存在时覆盖。"),
    ) -> None:
        """把默认模板（report.docx、phrases.j2）复制到 templates/<单位名称>/，供该单位单独修改。"""
        from .errors import BudgetError
        from .outputs import write_together
        from .templates import safe_name, template_set
        defaults = template_set("", "", templates)   # <root>/default when present, else the packaged defaults
        target = templates / safe_name(unit)
        existing = [target / name for name in COPIED_FILES if (target / name).exists()]
        if existing and not force:
            err.print(f"错误：{existing[0]} 已存在；如需覆盖请加 --force。")
            raise typer.Exit(EXIT_INPUT)
        try:    # both files or neither: a unit folder with half a template would mix it with the defaults
            write_together(target, {name: defaults.require(name).read_bytes() for name in COPIED_FILES})
        except BudgetError as exc:
            err.print(f"[bold red]错误[/]：{escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(EXIT_INPUT)
        for name in COPIED_FILES:
            out.print(f"[green]已复制[/] {target / name}")
        out.print(f"请修改 {target} 中的文件；只有单位“{unit}”使用它们，其他单位仍用默认模板。")

    return templates_app
