"""Which sheets the reader inflates agrees with the sheets read.py looks for; messages about formula cells."""
from __future__ import annotations

import re

import pytest

import xlsx_hostile as h
from budgetreport import layout
from budgetreport.errors import BudgetError
from budgetreport.read import _find_sheets, read_workbook
from budgetreport.workbook_io import open_report_workbook, report_sheet
from budgetreport.xlsx_sheets import Grid, GridBook

STANDARD = [layout.INSTRUCTIONS_SHEET, *(t.sheet_name for t in layout.TABLES),
            *(s.name for s in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS))]
KEYS = {**{t.sheet_name: f"表{t.number}" for t in layout.TABLES},
        **{s.name: s.name for s in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS)}}


def _variants(title: str) -> list[str]:
    n = re.match(r"表(\d+)", title)
    if n:
        k = n.group(1)
        return [f"表{k}", f" 表 {k} 新", f"表0{k}", f"表{k}0", f"表{k}x", f"表{int(k) + 11}", "表" + "一二三四五六七八九"[0],
                f"{k}表", f"附表{k}", f"表{k}".replace("表", "表\u3000")]
    return [title, title + " ", " ".join(title), title + "(旧)", title + "（副本）", title[:-1], title.replace("信息", "资料"),
            "\u00a0" + title]


CASES = [(title, variant) for title in STANDARD[1:] for variant in _variants(title)]


@pytest.mark.parametrize("title,variant", CASES)
def test_the_sheets_inflated_are_the_sheets_read_py_finds(title, variant):
    """A standard workbook with one sheet renamed: read.py finds its sheets exactly when the reader says the new
    title stands for the sheet it replaced (otherwise that sheet is missing, and the renamed one was not inflated)."""
    titles = [variant if t == title else t for t in STANDARD]
    book = GridBook([Grid(t, {}, 0, 0, []) for t in titles])
    if report_sheet(variant) == KEYS[title]:
        tables, others = _find_sheets(book, [])
        found = {**{f"表{n}": g.title for n, g in tables.items()}, **{k: g.title for k, g in others.items()}}
        assert found[KEYS[title]] == variant
    else:
        with pytest.raises(BudgetError, match="缺少工作表|有两张"):
            _find_sheets(book, [])


@pytest.mark.parametrize("formula,shown", [("1/0", "=1/0"), ("NA()", "=NA()")])
def test_a_message_about_a_formula_cell_quotes_the_formula(tmp_path, formula, shown):
    """read.py names the value (#DIV/0!) and that the cell is a formula, and which."""
    book = h.t6_cell('<c r="D7" s="14" t="n"><v>189.31</v></c>',
                     f'<c r="D7" s="14" t="e"><f>{formula}</f><v>#DIV/0!</v></c>')
    book.sub("xl/workbook.xml", ' fullCalcOnLoad="1"', "")
    path = book.save(tmp_path / "单位.xlsx")
    with pytest.raises(BudgetError) as info:
        read_workbook(path)
    told = [f for f in info.value.findings if (f.sheet, f.cell) == (h.T6_TITLE, "D7")]
    assert told and f"公式“{shown}”" in told[0].message and "#DIV/0!" in told[0].found


def test_a_message_about_a_plain_cell_is_left_alone(tmp_path):
    book = h.t6_cell('<c r="D7" s="14" t="n"><v>189.31</v></c>', '<c r="D7" s="14" t="e"><v>#DIV/0!</v></c>')
    path = book.save(tmp_path / "单位.xlsx")
    with pytest.raises(BudgetError) as info:
        read_workbook(path)
    told = [f for f in info.value.findings if (f.sheet, f.cell) == (h.T6_TITLE, "D7")]
    assert told and "#DIV/0!" in told[0].found and "公式" not in told[0].message
