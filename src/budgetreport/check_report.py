"""`budgetreport check`: run the check, show the CheckResult — text for the clerk (grouped by sheet) or JSON for
scripts — and, with --annotate, write the annotated copy (annotate.py). Layout and order: docs/checks.md.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from .build import check_readable
from .checks import CheckResult, check_workbook
from .errors import BudgetError
from .findings import ERROR, Finding

EXIT_OK, EXIT_RULES, EXIT_INPUT = 0, 1, 2       # as cli.py documents them


def finding_line(f: Finding) -> str:
    """One finding as rich markup: level (coloured), rule, where, what, expected vs found, fix."""
    style = "red" if f.level == ERROR else "yellow"
    return f"[{style}]{f.level}[/] {escape(f'[{f.rule}]')} {escape(f.where)}：{escape(f.detail)}"


def count_line(result: CheckResult) -> str:
    text = f"{result.file}：{result.errors} 处错误，{result.reminders} 处提醒"
    if result.skipped:
        text += f"；{len(result.skipped)} 条规则因相关单元格有误未执行"
    return text + "。"


def text_lines(result: CheckResult) -> list[str]:
    """The whole report, as rich markup lines."""
    lines: list[str] = []
    group: tuple[str, str] | None = None
    for f in result.findings:
        if (f.level, f.sheet) != group:
            group = (f.level, f.sheet)
            n = sum(1 for g in result.findings if (g.level, g.sheet) == group)
            lines.append(f"[bold]■ {escape(f.sheet or '整个工作簿')}[/]：{n} 处{f.level}")
        lines.append("  " + finding_line(f))
    if result.skipped:
        lines.append(f"[bold]■ 未执行的规则[/]：{len(result.skipped)} 条")
        lines.extend("  " + escape(s.message) for s in result.skipped)
    lines.append(count_line(result))
    return lines


def json_data(result: CheckResult, annotated: Path | None = None) -> dict[str, Any]:
    data = {"file": result.file, "readable": True, "errors": result.errors, "warnings": result.reminders,
            "findings": [f.to_dict() for f in result.findings], "skipped": [s.to_dict() for s in result.skipped]}
    if annotated is not None:
        data["annotated"] = str(annotated)
    return data


def run_check(workbook: Path, *, as_json: bool, annotate: bool, outdir: Path | None, out: Console,
              err: Console, templates: Path | None = None) -> int:
    """The whole `check` command; → its exit code. The findings are shown even when the copy cannot be written."""
    try:
        check_readable(workbook)
        result = check_workbook(workbook)
    except BudgetError as exc:
        if as_json:
            print(json.dumps({"file": str(workbook), "readable": False, "error": str(exc), "sheet": exc.sheet,
                              "cell": exc.cell}, ensure_ascii=False, indent=2))
        else:
            err.print(f"[bold red]错误[/]：{escape(str(exc))}", soft_wrap=True)
        return EXIT_INPUT
    copy: Path | None = None
    failure: BudgetError | None = None
    if annotate:      # the copy beside the workbook (or in `outdir`), with the skipped rules noted
        from .annotate import annotated_path, write_annotated
        try:
            copy = write_annotated(workbook, result.findings, annotated_path(workbook, outdir),
                                   notes=[s.message for s in result.skipped])
        except BudgetError as exc:
            failure = exc
    code = EXIT_RULES if result.errors else EXIT_OK
    if as_json:
        data = json_data(result, copy)
        if failure is not None:
            data["annotate_error"] = str(failure)
        if templates is not None:
            from .cli_templates import template_check_data
            data["templates"], template_code = template_check_data(workbook, templates)
            code = max(code, template_code)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in text_lines(result):
            out.print(line, soft_wrap=True)
        if copy is not None:
            out.print(f"[green]已生成校验意见副本[/] {escape(str(copy))}", soft_wrap=True)
        if templates is not None:     # the same checks as `templates check`, after the workbook's
            from .cli_templates import run_template_check
            code = max(code, run_template_check(workbook, templates, None, out, err))
    if failure is not None:
        err.print(f"[bold red]错误[/]：{escape(str(failure))}", soft_wrap=True)
        return EXIT_INPUT
    return code
