"""Stale text: free text copied from an earlier year's report (TXT-PLAN-YEAR, TXT-YEAR, TXT-PERIOD).

What counts as a year, which texts are read and what each rule flags: docs/checks.md (过时文字).
"""
from __future__ import annotations

import re
from typing import Iterator

from .. import layout
from ..cellref import column_letter
from ..findings import WARNING
from ..model import Budget
from .registry import Out, rule

_QUOTED = re.compile(r"《[^》]*》|〈[^〉]*〉|〔[^〕]*〕|【[^】]*】|\[[^\]]*\]|\([^)]*\d{4}[^)]*号\)")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")
_PLAN = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年度?\s*(?:项目)?\s*预算\s*(?:计划|安排)?\s*(?:支出|资金|总额|金额)?"
                   r"\s*(?:为|是|共|合计)?\s*\d")


def _cols(spec) -> dict[str, str]:
    return {f.key: column_letter(i) for i, f in enumerate(spec.columns, start=1)}


def free_texts(b: Budget) -> Iterator[tuple[str, str, str, str]]:
    """(sheet, cell, field name, text) for every free-text field the report prints."""
    s = b.sheets
    info = s.get(layout.UNIT_INFO.name, layout.UNIT_INFO.name)
    yield info, b.unit.cells.get("functions", ""), "主要职能", b.unit.functions or ""
    yield info, b.unit.cells.get("other_matters", ""), "其他需说明的事项", b.unit.other_matters or ""
    perf_row = 2 + [f.key for f in layout.UNIT_PERFORMANCE.fields].index("goal")
    yield s.get(layout.UNIT_PERFORMANCE.name, ""), f"B{perf_row}", "年度绩效目标", b.unit_performance.goal or ""
    pc = _cols(layout.PROJECTS)
    for p in b.projects:
        for key, name in (("basis", "设立的政策依据"), ("allocation", "资金分配情况"), ("goal", "项目总体目标")):
            yield s.get(layout.PROJECTS.name, ""), f"{pc[key]}{p.row}", name, getattr(p, key)
    uc = _cols(layout.UNIT_INDICATORS)
    for ind in b.unit_performance.indicators:
        for key in ("level3", "value", "basis"):
            yield s.get(layout.UNIT_INDICATORS.name, ""), f"{uc[key]}{ind.row}", "绩效指标", getattr(ind, key)
    ic = _cols(layout.PROJECT_INDICATORS)
    for inds in b.project_indicators.values():
        for ind in inds:
            for key in ("level3", "value", "basis", "rule", "evidence"):
                yield s.get(layout.PROJECT_INDICATORS.name, ""), f"{ic[key]}{ind.row}", "绩效指标", getattr(ind, key)
    cc = _cols(layout.COMPARISONS)
    for c in b.comparisons.values():
        yield s.get(layout.COMPARISONS.name, ""), f"{cc['reason']}{c.row}", "主要原因", c.reason


def _unquoted(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def _snippet(text: str, start: int, end: int) -> str:
    return text[max(0, start - 6):min(len(text), end + 10)]


@rule("TXT-PLAN-YEAR", WARNING, "写明某年度预算金额的句子（如“2024年度预算计划支出8万元”）年份应为预算年度")
def plan_year(b: Budget, out: Out) -> None:
    year = b.unit.year
    for sheet, cell, field, text in free_texts(b):
        if "年" not in text:
            continue                            # no year here (most indicator texts): skip the regexes
        plain = _unquoted(text)
        for m in _PLAN.finditer(plain):
            if int(m.group(1)) != year:
                out.add(sheet, cell, f"{field}写的是 {m.group(1)} 年度的预算（“{_snippet(text, m.start(), m.end())}…”），"
                        f"本报告为 {year} 年，可能沿用了上年文字，请核对", f"{year}年度", f"{m.group(1)}年度")


@rule("TXT-YEAR", WARNING, "文字中出现的年份应为预算年度或上一年（书名号、文号中的年份除外）")
def other_year(b: Budget, out: Out) -> None:
    year = b.unit.year
    for sheet, cell, field, text in free_texts(b):
        if "年" not in text:
            continue
        plain = _unquoted(text)
        plan_spans = [m.span(1) for m in _PLAN.finditer(plain)]
        for m in _YEAR.finditer(plain):
            if m.span(1) in plan_spans:
                continue
            y = int(m.group(1))
            if y not in (year, year - 1):
                out.add(sheet, cell, f"{field}中出现 {y} 年（“{_snippet(text, m.start(), m.end())}…”），"
                        f"既不是预算年度也不是上一年，可能是过时的文字，请核对", f"{year} 或 {year - 1} 年", f"{y} 年")


@rule("TXT-PERIOD", WARNING, "项目信息的“资金执行时间”年份应为预算年度")
def period(b: Budget, out: Out) -> None:
    col = _cols(layout.PROJECTS)["period"]
    for p in b.projects:
        for m in _YEAR.finditer(p.period or ""):
            if int(m.group(1)) != b.unit.year:
                out.add(b.sheets.get(layout.PROJECTS.name, ""), f"{col}{p.row}",
                        f"项目“{p.name}”的资金执行时间不在 {b.unit.year} 年，请核对", f"{b.unit.year}年", p.period)
                break
