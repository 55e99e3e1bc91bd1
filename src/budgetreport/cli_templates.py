"""命令行：budgetreport templates check（检查单位模板），以及 budgetreport check --templates 的模板部分。

退出码与 check 相同：0 没有错误（可有提醒）；1 模板有错误；2 工作簿或模板文件无法读取。
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import BudgetError

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"


def register(group: typer.Typer, out: Console, err: Console) -> None:
    """Add `check` to the `templates` sub-app (cli_batch makes it, with `templates copy`)."""

    @group.command("check")
    def check_cmd(
        workbook: Optional[Path] = typer.Argument(None, help="用哪个单位的工作簿检查（默认：随软件的示例工作簿）。",
                                                  show_default=False),
        templates: Optional[Path] = typer.Option(None, "--templates", "-t",
                                                 help="模板根目录（其下 default/ 与 <单位名称>/）；默认 ./templates。"),
        unit: Optional[str] = typer.Option(None, "--unit", "-u",
                                           help="按这个单位名称查找模板（默认：工作簿中的单位名称）。"),
    ) -> None:
        """检查模板：列出查找顺序与每个文件的来源，逐个检查标签，并用工作簿的数据试生成；一次列出全部问题。

        退出码：0 没有错误（可有提醒）；1 模板有错误；2 工作簿或模板文件无法读取。"""
        raise typer.Exit(run_template_check(workbook, templates, unit, out, err))


def run_template_check(workbook: Path | None, root: Path | None, unit: str | None, out: Console,
                       err: Console) -> int:
    """Read the workbook (the sample when none), check its unit's templates, print the report; the exit code."""
    from .derive import derive
    from .read import read_workbook
    from .template_check import check_templates
    from .templates import default_root, template_set
    source = workbook or SAMPLE
    if not source.is_file():
        err.print(f"错误：找不到工作簿 {source}（请给出一个单位的工作簿：budgetreport templates check 工作簿.xlsx）",
                  markup=False, soft_wrap=True)
        return EXIT_UNREADABLE
    try:
        budget = read_workbook(source)
        facts = derive(budget)
    except BudgetError as exc:
        err.print(f"错误：{exc}", markup=False, soft_wrap=True)
        return EXIT_UNREADABLE
    name = unit or budget.unit.name
    chosen_root = root if root is not None else default_root()
    chosen = template_set(name, "" if unit else budget.unit.code, chosen_root)
    _print_chain(chosen, name, chosen_root, source, workbook is None, out)
    report = check_templates(chosen, facts)
    for number, problem in enumerate(report.problems, 1):
        for i, line in enumerate(problem.lines()):
            out.print(f"{number}. {line}" if i == 0 else line, markup=False, soft_wrap=True)
    out.print(f"模板检查：{report.errors} 处错误，{report.warnings} 处提醒。", markup=False)
    return EXIT_UNREADABLE if report.unreadable else EXIT_ERRORS if report.errors else EXIT_OK


def template_check_data(workbook: Path, root: Path) -> tuple[dict, int]:
    """The template check of `check --format json --templates`: (its JSON, its exit code)."""
    from dataclasses import asdict
    from .derive import derive
    from .read import read_workbook
    from .template_check import check_templates
    from .templates import template_set
    try:
        budget = read_workbook(workbook)
        chosen = template_set(budget.unit.name, budget.unit.code, root)
        report = check_templates(chosen, derive(budget))
    except BudgetError as exc:      # the workbook's own errors stop the template check: say so, in the JSON
        return {"error": f"模板检查未运行：{exc}"}, EXIT_UNREADABLE
    data = {"files": [{"file": name, "path": str(path) if path else None, "reason": reason}
                      for name, path, reason in chosen.origins()],
            "errors": report.errors, "warnings": report.warnings,
            "problems": [asdict(p) for p in report.problems]}
    code = EXIT_UNREADABLE if report.unreadable else EXIT_ERRORS if report.errors else EXIT_OK
    return data, code


def _print_chain(chosen, unit: str, root: Path | None, workbook: Path, sample: bool, out: Console) -> None:
    where = f"模板根目录 {root}" if root is not None else "没有模板根目录（只用随软件安装的默认模板）"
    out.print(f"单位“{unit}”，{where}；数据来自{'示例工作簿 ' if sample else ''}{workbook.name}", markup=False,
              soft_wrap=True)
    out.print("查找顺序（每个文件取第一个找到的）：", markup=False)
    for i, folder in enumerate(chosen.folders, 1):
        out.print(f"  {i}. {folder} —— {chosen.reason(folder)}", markup=False, soft_wrap=True)
    out.print("使用的文件：", markup=False)
    for name, path, reason in chosen.origins():
        shown = f"{path}（{reason}）" if path is not None else reason
        out.print(f"  {name:<14}← {shown}", markup=False, soft_wrap=True)
