"""How `budgetreport check` shows a CheckResult: text for the clerk (grouped by sheet) or JSON for scripts.

Text: errors first, then reminders; under each, one heading per sheet in workbook order and one line per finding
(level, rule id, sheet!cell, message, expected / found, fix); then the rules that could not run, one line each;
then a count line. JSON carries the same findings in the same order.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from .checks import CheckResult
from .findings import ERROR, Finding


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


def annotate_copy(workbook: Path, result: CheckResult, outdir: Path | None = None) -> Path:
    """`check --annotate`: the annotated copy beside the workbook (or in `outdir`), with the skipped rules noted."""
    from .annotate import annotated_path, write_annotated
    return write_annotated(workbook, result.findings, annotated_path(workbook, outdir),
                           notes=[s.message for s in result.skipped])
