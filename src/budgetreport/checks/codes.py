"""Codes: 功能分类 / 经济分类 codes form a tree (parent rows exist), appear once, and carry the standard names."""
from __future__ import annotations

from .. import classification
from ..findings import ERROR, WARNING
from ..model import Budget, Row, Table
from ..text import norm
from .common import label
from .registry import Out, rule

FUNCTION_TABLES = (2, 3, 5, 7, 8, 9)


def _code_tables(b: Budget) -> list[Table]:
    return [getattr(b, f"t{n}") for n in (*FUNCTION_TABLES, 6)]


@rule("C-PARENT", ERROR, "款级（5 位）/项级（7 位）编码的上级行（类/款）在同一张表中存在；功能分类 3/5/7 位，经济分类 3/5 位")
def parent(b: Budget, out: Out) -> None:
    for t in _code_tables(b):
        codes = {r.code for r in t.rows}
        for r in t.rows:
            widths = (3, 5) if t.number == 6 else (3, 5, 7)
            if len(r.code) not in widths:
                out.add(t.sheet, t.cell(r, "cls"), f"表{t.number} 编码“{r.code}”位数不对",
                        "/".join(map(str, widths)) + " 位", f"{len(r.code)} 位")
                continue
            if len(r.code) > 3 and r.code[:-2] not in codes:
                kind = "类" if len(r.code) == 5 else "款"
                out.add(t.sheet, t.cell(r, "cls"), f"表{t.number}“{label(r)}”缺少上级{kind}行 {r.code[:-2]}",
                        f"有 {r.code[:-2]} 一行", "无")


def _dup_key(t: Table, r: Row) -> tuple[str, str]:
    if t.number == 7:
        return r.code, r.texts.get("project", "")
    return (r.code, "") if r.code and r.code.isdigit() else ("", norm(r.name))


@rule("C-DUP", ERROR, "同一张表中没有重复的行（同一编码，表7 为同一编码 + 项目名称；表10/表11 为同一项目）")
def duplicates(b: Budget, out: Out) -> None:
    for t in [*_code_tables(b), b.t10, b.t11]:
        seen: dict[tuple[str, str], Row] = {}
        for r in t.rows:
            key = _dup_key(t, r)
            if key in seen:
                col = "label" if t.number in (10, 11) else "cls"
                out.add(t.sheet, t.cell(r, col), f"表{t.number}“{label(r)}”重复（第 {seen[key].row} 行已有）",
                        "只出现一次", f"第 {seen[key].row}、{r.row} 行")
            else:
                seen[key] = r


def _standard_name(table_number: int, code: str) -> str | None:
    if table_number == 6:
        return classification.ECONOMIC_CLASS_NAMES.get(code) if len(code) == 3 else None
    return classification.FUNCTION_NAMES.get(code)


@rule("C-NAME", WARNING, "科目名称与本工具附带的政府收支分类科目名称一致（表1–表9）")
def names(b: Budget, out: Out) -> None:
    for t in _code_tables(b):
        for r in t.rows:
            standard = _standard_name(t.number, r.code)
            if standard and standard != r.name and norm(standard) != norm(r.name):   # equal text: no norm
                out.add(t.sheet, t.cell(r, "name"), f"表{t.number} 科目 {r.code} 的名称与分类科目不一致，请核对",
                        standard, r.name)
    for paired in (b.t1, b.t4):
        for code, r in paired.expense.items():
            standard = classification.FUNCTION_CLASS_NAMES.get(code)
            if standard and standard != r.name and norm(standard) != norm(r.name):
                out.add(paired.sheet, paired.cell(r, "out_label"), f"表{paired.number} 类 {code} 的名称与分类科目不一致，请核对",
                        standard, r.name)


@rule("C-UNKNOWN", WARNING, "类级编码在政府收支分类科目中存在（功能分类 201–233，经济分类 301–399）")
def unknown(b: Budget, out: Out) -> None:
    for t in _code_tables(b):
        known = classification.ECONOMIC_CLASS_NAMES if t.number == 6 else classification.FUNCTION_CLASS_NAMES
        for r in t.rows:
            if r.level == 1 and r.code not in known:
                out.add(t.sheet, t.cell(r, "cls"), f"表{t.number} 类级编码 {r.code} 不在分类科目中，请核对",
                        "分类科目中的类级编码", r.code)
    for paired in (b.t1, b.t4):
        for code, r in paired.expense.items():
            if code not in classification.FUNCTION_CLASS_NAMES:
                out.add(paired.sheet, paired.cell(r, "out_label"), f"表{paired.number} 类级编码 {code} 不在分类科目中，请核对",
                        "分类科目中的类级编码", code)
