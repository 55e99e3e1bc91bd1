"""The fields a report template can use, read from the typed facts (facts.py): name, type, meaning, sample value.

`budgetreport templates fields [WORKBOOK]` prints them; docs/template-fields.md is the same list as Markdown
(`budgetreport templates fields --markdown`, or `python tools/make_template_fields.py`); a test keeps the committed
file in step with the types."""
from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import facts as f
from . import layout
from .amounts import Amount, Percent

SAMPLE_WORKBOOK = Path(__file__).resolve().parents[2] / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
_SAMPLE_WIDTH = 30

# the 第二部分 table rows: keys besides the table's own columns (layout.py)
_ROW_KEYS = {"cls": "功能分类“类”编码（总计行为空）", "kuan": "“款”编码（两位）", "xiang": "“项”编码（两位）",
             "name": "科目名称（总计行为“总计”）", "label": "该行名称（同 name；表10、表11 为项目）",
             "project": "项目名称（表7）", "in_label": "收入项目", "in_amount": "收入金额", "out_label": "支出：功能分类类"}


@dataclass(frozen=True)
class FieldDoc:
    path: str        # how a template writes it: "income.sources[].share" ([] = each item of a list)
    type: str        # in Chinese: 金额, 百分比, 文本, …
    meaning: str
    sample: str      # its value for the workbook given (the first item of a list), "" when none


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _type_name(inner[0]) + "（可为空）"
    if origin is list:
        return "列表：" + _type_name(typing.get_args(hint)[0])
    if origin is dict or hint is dict:
        return "表格行"
    return {Amount: "金额（万元）", Percent: "百分比", str: "文本", int: "整数", bool: "是/否",
            dt.date: "日期"}.get(hint, "组" if dataclasses.is_dataclass(hint) else str(hint))


def _sample(value: Any) -> str:
    if value is None or dataclasses.is_dataclass(value) and not isinstance(value, (Amount, Percent)):
        return ""
    if isinstance(value, list):
        return f"{len(value)} 项" if value and not isinstance(value[0], str) else "、".join(value)[:_SAMPLE_WIDTH]
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).replace("\n", " ")
    return text if len(text) <= _SAMPLE_WIDTH else text[:_SAMPLE_WIDTH] + "…"


def _element(hint: Any) -> Any:
    """The dataclass inside list[X] / X | None, else None."""
    if dataclasses.is_dataclass(hint):
        return None if hint in (Amount, Percent) else hint
    for arg in typing.get_args(hint):
        inner = _element(arg)
        if inner is not None:
            return inner
    return None


def _walk(cls: type, value: Any, prefix: str, out: list[FieldDoc], table: layout.TableSpec | None = None) -> None:
    hints = typing.get_type_hints(cls)
    for fld in dataclasses.fields(cls):
        hint = hints[fld.name]
        path = f"{prefix}{fld.name}"
        item = getattr(value, fld.name) if value is not None else None
        out.append(FieldDoc(path, _type_name(hint), fld.metadata.get("zh", ""), _sample(item)))
        spec = layout.TABLES_BY_NUMBER.get(int(fld.name[1:])) if cls is f.Tables else table
        inner = _element(hint)
        if inner is not None:
            first = item[0] if isinstance(item, list) and item else (None if isinstance(item, list) else item)
            _walk(inner, first, f"{path}[]." if typing.get_origin(hint) is list else f"{path}.", out, spec)
        elif fld.name == "rows" and spec is not None:
            _rows(item or [], spec, f"{path}[].", out)


def _rows(rows: list[dict], spec: layout.TableSpec, prefix: str, out: list[FieldDoc]) -> None:
    """A table's row keys: its columns as layout.py names them, plus the code and name keys."""
    labels = {c.key: c.label for c in spec.columns}
    keys: list[str] = []
    for row in rows or [{}]:
        keys += [k for k in row if k not in keys]
    if not rows:
        keys = [c.key for c in spec.columns]
    for key in keys:
        value = next((r[key] for r in rows if str(r.get(key, ""))), "")
        kind = "金额（表格单元格，为 0 时空白）" if isinstance(value, Amount) or (
            not rows and any(c.key == key and c.kind == layout.MONEY for c in spec.columns)) else "文本"
        meaning = _ROW_KEYS.get(key) or labels.get(key, "")
        if key in labels and key in _ROW_KEYS:
            meaning = f"{labels[key]}（{_ROW_KEYS[key]}）"
        out.append(FieldDoc(prefix + key, kind, meaning, _sample(value)))


def catalogue(facts: f.ReportFacts | None = None) -> list[FieldDoc]:
    """Every field a template can use, in the order of the report; sample values from `facts` when given."""
    out: list[FieldDoc] = []
    _walk(f.ReportFacts, facts, "", out)
    return out


def sample_facts(workbook: Path | None = None) -> f.ReportFacts | None:
    """The facts of `workbook`, else of the sample workbook when this is a source checkout, else None."""
    from .derive import derive
    from .read import read_workbook
    path = workbook or (SAMPLE_WORKBOOK if SAMPLE_WORKBOOK.is_file() else None)
    return derive(read_workbook(path)) if path is not None else None


def as_text(entries: list[FieldDoc]) -> str:
    return "\n".join(f"{e.path}  〔{e.type}〕 {e.meaning}" + (f"  例：{e.sample}" if e.sample else "")
                     for e in entries)


FILTERS_DOC = """\
金额字段直接写 `{{ x }}` 时打印为万元、两位小数（表格单元格为 0 时空白）。其他形式用过滤器（全部用 Decimal 四舍五入，不经浮点数）：

| 写法 | 197.31 万元打印为 | 说明 |
|---|---|---|
| `{{ x\\|wan }}` | 197.31 | 万元，两位小数 |
| `{{ x\\|yuan }}` | 1973100 | 元，整数；`x\\|yuan(2)` → 1973100.00 |
| `{{ x\\|yuan_sep }}` | 1,973,100 | 元，千分位；`x\\|yuan_sep(2)` → 1,973,100.00 |
| `{{ x\\|blank_zero }}` | 197.31（为 0 时空白） | 可再接其他过滤器：`x\\|blank_zero\\|yuan_sep` |
| `{{ x\\|show_zero }}` | 197.31（为 0 时 0.00） | 表格单元格也打印 0.00 |

并列的几项：`{{ 列表\\|and_list }}` → “甲、乙和丙”；`{{ 列表\\|enum_list }}` → “甲、乙、丙”（冒号后的列举）；
循环中 `{{ loop\\|and_sep }}` 写出同样的分隔符。`{% if x %}` 判断金额不为 0。`[]` 表示列表中的每一项（在
`{% for 项 in 列表 %}` 中写 `{{ 项.字段 }}`）。
"""


def as_markdown(entries: list[FieldDoc]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    lines = ["# 模板可用的字段", "",
             "由 `budgetreport templates fields --markdown` 根据 `src/budgetreport/facts.py` 的类型生成，请勿手改；"
             "示例值取自示例工作簿 `inputs/昌吉市城市管理指挥中心2025.xlsx`。", "", FILTERS_DOC,
             "| 字段 | 类型 | 含义 | 示例值 |", "|---|---|---|---|"]
    lines += [f"| `{cell(e.path)}` | {cell(e.type)} | {cell(e.meaning)} | {cell(e.sample)} |" for e in entries]
    return "\n".join(lines) + "\n"


def register(app: Any, out: Any) -> None:
    """Add `fields` to the `templates` sub-command group of the CLI (cli.py calls this)."""
    import typer

    from .errors import BudgetError

    group = next(g.typer_instance for g in app.registered_groups if g.name == "templates")

    @group.command("fields")
    def fields_cmd(
        workbook: Path = typer.Argument(None, help="取示例值的工作簿；默认为示例工作簿。", show_default=False),
        markdown: bool = typer.Option(False, "--markdown", help="输出 Markdown 表格（docs/template-fields.md）。"),
    ) -> None:
        """列出模板可用的每个字段：名称、类型、中文含义和示例值。"""
        try:
            entries = catalogue(sample_facts(workbook))
        except BudgetError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(2) from None
        text = as_markdown(entries) if markdown else as_text(entries)
        out.print(text, markup=False, highlight=False, soft_wrap=True, end="" if markdown else "\n")
