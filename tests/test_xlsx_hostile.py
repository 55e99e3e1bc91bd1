"""Hostile and unlucky workbooks (issue 13 items 2, 5, 7, 8, 14), built by tests/xlsx_hostile.py from the sample.

Each case is run as a clerk runs it (`budgetreport build`): a file the report cannot trust exits 2 with a message
naming the file, the sheet (and the cell where there is one) and the fix, no traceback, and no file written; a file
it can read builds. Expectations come from Excel's own rules written here (row and column limits, which spellings
are numbers), not from the reader's code.
"""
from __future__ import annotations

import random
import re
import struct
import zipfile
from pathlib import Path

import pytest
from openpyxl.utils.escape import unescape as openpyxl_unescape
from typer.testing import CliRunner

import xlsx_hostile as h
from budgetreport import layout, xlsx_safety, xlsx_sheets
from budgetreport.cli import app
from budgetreport.errors import BudgetError
from budgetreport.read import read_workbook
from budgetreport.workbook_io import open_report_workbook, open_workbook
from budgetreport.xlsx_values import unescape

NAME = "单位.xlsx"
T6 = h.T6_TITLE
EXCEL_ROWS, EXCEL_COLUMNS, MAX_TEXT = 1_048_576, 16_384, 32_767     # Excel's limits
MAX_ROWS = 20_000                                                   # ours (docs/reliability.d/xlsx.md)
runner = CliRunner()


def build(tmp_path: Path, book: h.Book):
    path = book.save(tmp_path / NAME)
    out = tmp_path / "out"
    return runner.invoke(app, ["build", str(path), "-o", str(out), "--no-pdf"]), out


def refused(tmp_path: Path, book: h.Book, *needles: str, where: str | None = None) -> str:
    """The build fails as a clerk should see it; returns the message."""
    result, out = build(tmp_path, book)
    text = result.output
    assert result.exit_code == 2, text
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert "Traceback" not in text and NAME in text, text
    for needle in needles:
        assert needle in text, (needle, text)
    if where:
        assert where in text, (where, text)
    assert not out.exists() or not any(out.iterdir()), "nothing may be written"
    return text


def built(tmp_path: Path, book: h.Book) -> list[Path]:
    result, out = build(tmp_path, book)
    assert result.exit_code == 0, result.output
    return sorted(out.glob("*.docx"))


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(ch) + 1
    return number


# --------------------------------------------------------------------------- item 2: row numbers

ROW_NUMBERS = ["1e9", " 30000000", "30000000 ", "1_000_000", "+5", "+40", "0", "-1", "2.0", "40.0", "1048577",
               "99999999999", "", "٣٣", "４０", "0x40", "040", "4e1", "inf", "NaN", "[/red]", "40", "33", "1000",
               "20000", "20001", "30000", "1048576"]


def _row_kind(raw: str) -> str:
    """What Excel's rule makes of a row number: a positive decimal integer without sign, zeros or spaces."""
    if not re.fullmatch(r"[1-9][0-9]*", raw, re.ASCII) or int(raw) > EXCEL_ROWS:
        return "invalid"
    return "too many" if int(raw) > MAX_ROWS else "ok"


@pytest.mark.parametrize("raw", ROW_NUMBERS)
def test_row_numbers_are_parsed_strictly(tmp_path, raw):
    book = h.t6_with_rows(f'<row r="{raw}"/>')
    kind = _row_kind(raw)
    if kind == "ok":
        assert built(tmp_path, book)
    elif kind == "too many":
        refused(tmp_path, book, f"{raw} 行", "上限", "删除", where=T6)
    else:
        refused(tmp_path, book, "行号", f"“{raw}”", "无效", "Excel", where=T6)


@pytest.mark.parametrize("count,empty", [(100_000, "<row/>"), (25_000, "<row></row>"), (19_968, "<row/>"),
                                         (19_969, '<row spans="1:6"/>'), (500, "<row/>")])
def test_rows_without_numbers_are_counted(tmp_path, count, empty):
    book = h.t6_with_rows(h.rows_without_r(count, empty))
    last = 32 + count                               # T6's last row is 32; each <row> without r is the next one
    if last <= MAX_ROWS:
        assert built(tmp_path, book)
    else:
        refused(tmp_path, book, "上限", "删除", where=T6)


# --------------------------------------------------------------------------- item 2: cell references

CELL_REFS = ["A1e9", "XFE33", "AAAA33", "A0", "a33", "A033", "A 33", "A+33", "A1048577", "Ａ33", "33", "A", "A-1",
             "$A$33", "A33.0", "XFD33", "A33", "ZZ33", "XFC40", "B1048576", "ZZZ33"]


def _ref_ok(ref: str) -> bool:
    m = re.fullmatch(r"([A-Z]{1,3})([1-9][0-9]*)", ref, re.ASCII)
    return bool(m) and column_number(m.group(1)) <= EXCEL_COLUMNS and int(m.group(2)) <= EXCEL_ROWS


@pytest.mark.parametrize("ref", CELL_REFS)
def test_cell_references_are_parsed_strictly(tmp_path, ref):
    book = h.t6_with_rows(f'<row r="33"><c r="{ref}"/></row>')
    if _ref_ok(ref):
        assert built(tmp_path, book)
    else:
        refused(tmp_path, book, f"单元格引用“{ref}”无效", "Excel", where=f"{T6}!A33")


@pytest.mark.parametrize("cells", [16_384, 16_385, 250_000])
def test_cells_without_references_stop_at_xfd(tmp_path, cells):
    book = h.t6_with_rows('<row r="33">' + "<c/>" * cells + "</row>")
    if cells <= EXCEL_COLUMNS:
        assert built(tmp_path, book)
    else:
        refused(tmp_path, book, "XFD", where=T6)


@pytest.mark.parametrize("rows", [11, 13])
def test_cells_per_sheet_are_bounded(tmp_path, rows):
    existing = len(re.findall(rb"<c ", h.Book().parts[h.T6_PART]))
    book = h.t6_with_rows("".join(f'<row r="{33 + i}">' + "<c/>" * 16_000 + "</row>" for i in range(rows)))
    if existing + rows * 16_000 <= xlsx_sheets.MAX_CELLS:
        assert built(tmp_path, book)
    else:
        refused(tmp_path, book, "单元格超过", where=T6)


# --------------------------------------------------------------------------- item 2: text sizes

@pytest.mark.parametrize("length", [MAX_TEXT, MAX_TEXT + 1, 1_000_000])
@pytest.mark.parametrize("kind", ["inline", "str"])
def test_cell_text_is_bounded_by_excels_limit(tmp_path, length, kind):
    rng = random.Random(length)                     # varied text: a repeated one trips the compression guard
    text = "".join(chr(0x4E00 + rng.randrange(20_000)) for _ in range(length))
    cell = (f'<c r="H33" t="inlineStr"><is><t>{text}</t></is></c>' if kind == "inline"
            else f'<c r="H33" t="str"><v>{text}</v></c>')
    book = h.t6_with_rows(f'<row r="33">{cell}</row>')
    if length <= MAX_TEXT:
        assert built(tmp_path, book)
    else:
        refused(tmp_path, book, f"{length} 个字符", str(MAX_TEXT), "缩短", where=f"{T6}!H33")


# --------------------------------------------------------------------------- item 2: sheets the report does not use

UNUSED_BODIES = {
    "huge-row-number": h.sheet_xml('<row r="1e9"><c r="A1"><v>1</v></c></row>'),
    "rows-without-r": h.sheet_xml(h.rows_without_r(100_000)),
    "broken-xml": h.sheet_xml('<row r="1"><c r="A1"><v>1</v></c>'),
    "doctype": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + h.sheet_xml("<row><c><v>&a;</v></c></row>"),
    "bad-number": h.sheet_xml('<row r="1"><c r="A1"><v>abc</v></c></row>'),
    "xfe-reference": h.sheet_xml('<row r="1"><c r="XFE1"><v>1</v></c></row>'),
}


@pytest.mark.parametrize("case", sorted(UNUSED_BODIES))
@pytest.mark.parametrize("state", ["visible", "hidden"])
def test_sheets_the_report_does_not_use_are_never_inflated(tmp_path, monkeypatch, case, state):
    """Any content in a sheet the report does not use is harmless: listed in the R-SHEET reminder, never read;
    the same content under a report sheet's name is refused."""
    book = h.Book()
    part = book.add_sheet("我的草稿", UNUSED_BODIES[case], state)
    inflated: list[str] = []
    chunks = xlsx_safety.Archive.chunks

    def spy(self, name, sheet=None):
        inflated.append(name)
        return chunks(self, name, sheet)

    monkeypatch.setattr(xlsx_safety.Archive, "chunks", spy)
    path = book.save(tmp_path / NAME)
    assert [g.title for g in open_report_workbook(path).worksheets][-1] == "我的草稿"
    assert part not in inflated and h.T6_PART in inflated
    result, out = build(tmp_path, book)
    assert result.exit_code == 0 and "R-SHEET" in result.output and "我的草稿" in result.output, result.output
    with pytest.raises(BudgetError) as info:
        open_workbook(path)                         # every sheet read: the same content is refused
    assert info.value.sheet == "我的草稿"


def test_big_unused_sheets_do_not_cost_memory_or_time(tmp_path, monkeypatch):
    book = h.Book()
    parts = [book.add_sheet(f"草稿{i}", h.big_sheet(6, seed=i)) for i in range(3)]
    inflated: list[str] = []
    chunks = xlsx_safety.Archive.chunks
    monkeypatch.setattr(xlsx_safety.Archive, "chunks",
                        lambda self, name, sheet=None: inflated.append(name) or chunks(self, name, sheet))
    path = book.save(tmp_path / NAME)
    assert [g.title for g in open_report_workbook(path).worksheets][-3:] == ["草稿0", "草稿1", "草稿2"]
    assert not set(parts) & set(inflated)


# --------------------------------------------------------------------------- item 5: two sheets for one name

def _report_sheets() -> list[tuple[str, list[str]]]:
    """Each sheet the report uses, with titles that stand for it too (the reader's rule in layout.py: tables by
    their number, the others by their name without white space, half-width punctuation full-width)."""
    out = []
    for spec in layout.TABLES:
        n = spec.number
        out.append((spec.sheet_name, [f"表{n} 副本", f" 表 {n}", f"表0{n}（旧）"]))
    for sheet in (*layout.KEY_VALUE_SHEETS, *layout.ROW_SHEETS):
        name = sheet.name
        out.append((name, [name[:1] + " " + name[1:], name + "\u3000", "\u00a0" + name]))
    return out


DUPLICATES = [(title, copy, state, first) for i, (title, copies) in enumerate(_report_sheets())
              for j, copy in enumerate(copies)
              for state, first in [(("hidden", "veryHidden", "visible")[(i + j) % 3], (i + j) % 2 == 0)]]


@pytest.mark.parametrize("title,copy,state,first", DUPLICATES)
def test_two_sheets_for_one_report_sheet_are_an_error_naming_both(tmp_path, title, copy, state, first):
    book = h.Book()
    book.add_sheet(copy, book.parts[_part_of(book, title)], state, first=first)
    text = refused(tmp_path, book, "两张", title, copy, "删除")
    assert ("（隐藏）" in text) == (state != "visible"), text


def _part_of(book: h.Book, title: str) -> str:
    workbook = book.text("xl/workbook.xml")
    rid = re.search(rf'name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook).group(1)
    rels = book.text("xl/_rels/workbook.xml.rels")
    target = re.search(rf'Target="([^"]+)" Id="{rid}"', rels).group(1)
    return target.lstrip("/")


def test_a_hidden_unit_info_sheet_does_not_replace_the_visible_one(tmp_path):
    """The issue's case: a hidden second 单位信息 with another unit's name; before, its name went into the report."""
    book = h.Book()
    body = book.text(h.UNIT_PART).replace("&#26124;&#21513;", "&#21478;&#19968;").encode()   # 昌吉 → 另一
    book.add_sheet("单位信息 ", body, "hidden")
    refused(tmp_path, book, "两张工作表都对应“单位信息”", "单位信息 （隐藏）")


# --------------------------------------------------------------------------- item 7: stale formula results

FORMULAS = {   # cell XML (with the result Excel shows) → how the message quotes the formula
    '<c r="D7" s="14"><f>SUM(D8,D19)</f><v>189.31</v></c>': "=SUM(D8,D19)",
    '<c r="D7" s="14"><f t="shared" ref="D7:D7" si="0">SUM(D8,D19)</f><v>189.31</v></c>': "=SUM(D8,D19)",
    '<c r="D7" s="14"><f t="array" ref="D7">SUM(D8:D19*1)</f><v>189.31</v></c>': "{=SUM(D8:D19*1)}",
    '<c r="D7" s="14"><f>D8+D19</f><v>189.31</v></c>': "=D8+D19",
    '<c r="D7" s="14"><f>ROUND(D8+D19,2)</f><v>1.8931E2</v></c>': "=ROUND(D8+D19,2)",
}
STALE = {   # workbook.xml's <calcPr> → stale?
    '<calcPr calcId="124519" fullCalcOnLoad="1"/>': True,
    '<calcPr calcId="124519" fullCalcOnLoad="true"/>': True,
    '<calcPr calcId="124519" calcCompleted="0"/>': True,
    '<calcPr calcId="191029" calcCompleted="false" fullCalcOnLoad="0"/>': True,
    '<calcPr calcId="191029"/>': False,
    '<calcPr calcId="191029" fullCalcOnLoad="0"/>': False,
}


@pytest.mark.parametrize("calc", sorted(STALE))
@pytest.mark.parametrize("cell", sorted(FORMULAS))
def test_formulas_in_a_workbook_with_stale_results_are_an_error(tmp_path, cell, calc):
    book = h.t6_cell('<c r="D7" s="14" t="n"><v>189.31</v></c>', cell)
    book.sub("xl/workbook.xml", '<calcPr calcId="124519" fullCalcOnLoad="1"/>', calc)
    if STALE[calc]:
        refused(tmp_path, book, "公式", f"“{FORMULAS[cell]}”", "请在 Excel/WPS 中打开并保存", where=f"{T6}!D7")
    else:
        assert built(tmp_path, book)                # a current result is read as saved


def test_the_zero_a_script_stored_as_result_is_shown(tmp_path):
    """XlsxWriter stores 0 as every formula's result and sets fullCalcOnLoad: the report printed 0.00."""
    book = h.t6_cell('<c r="D7" s="14" t="n"><v>189.31</v></c>', '<c r="D7" s="14"><f>SUM(D8,D19)</f><v>0</v></c>')
    refused(tmp_path, book, "公式“=SUM(D8,D19)”", "结果“0”", "请在 Excel/WPS 中打开并保存", where=f"{T6}!D7")


def test_an_uncached_array_formula_is_quoted(tmp_path):
    book = h.t6_cell('<c r="D7" s="14" t="n"><v>189.31</v></c>', '<c r="D7" s="14"><f t="array" ref="D7">SUM(D8:D19)</f></c>')
    refused(tmp_path, book, "公式“{=SUM(D8:D19)}”", "没有保存计算结果", where=f"{T6}!D7")


# --------------------------------------------------------------------------- item 8: _xHHHH_ escapes

ESCAPED_NAMES = {   # unit name as written → as the report prints it (Excel's rule: _xHHHH_ is U+HHHH)
    "昌吉市_x0020_城市管理指挥中心": "昌吉市 城市管理指挥中心",
    "昌吉市城市管理_x6307__x6325_中心": "昌吉市城市管理指挥中心",
    "昌吉市_x005F_x0041_中心": "昌吉市_x0041_中心",
    "_x0041_bc单位": "Abc单位",
    "昌吉_x004a__x004B_单位": "昌吉JK单位",
    "昌吉_x41_单位": "昌吉_x41_单位",
    "昌吉_X0041_单位": "昌吉_X0041_单位",
}


@pytest.mark.parametrize("written", sorted(ESCAPED_NAMES))
def test_escaped_characters_are_decoded_as_excel_shows_them(tmp_path, written):
    book = h.Book().sub(h.UNIT_PART, "&#26124;&#21513;&#24066;&#22478;&#24066;&#31649;&#29702;&#25351;&#25381;"
                                     "&#20013;&#24515;</t>", written + "</t>")
    [docx] = built(tmp_path, book)
    assert docx.name == f"{ESCAPED_NAMES[written]}2025年单位预算公开.docx"


@pytest.mark.parametrize("text", ["a_x000D_b", "a_x000d__x000A_b", "_x005F_x000D_", "__x0041__", "_x0041", "x0041_",
                                  "_x00410_", "_x4E2D__x6587_", "_x005f_", "plain"])
def test_unescape_is_openpyxls(text):
    assert unescape(text) == openpyxl_unescape(text)


def test_line_breaks_pasted_from_word_are_read_as_line_breaks(tmp_path):
    book = h.Book().sub(h.UNIT_PART, "&#26124;&#21513;&#24066;&#22478;&#24066;&#31649;&#29702;&#25351;&#25381;"
                                     "&#20013;&#24515;</t>", "昌吉市城市管理指挥中心</t>")
    text = book.text(h.UNIT_PART)
    functions = re.search(r'<c r="B7"[^>]*><is><t>([^<]*)</t>', text)
    assert functions, "主要职能 is B7"
    book.sub(h.UNIT_PART, functions.group(0), functions.group(0).replace(functions.group(1),
                                                                        "第一行_x000D_\n第二行"))
    budget = read_workbook(book.save(tmp_path / NAME))
    assert "_x000D_" not in budget.unit.functions and "第一行\r\n第二行" in budget.unit.functions


# --------------------------------------------------------------------------- item 14: damaged cell XML

E9 = '<c r="E9" s="14" t="n"><v>41.54</v></c>'
NUMBERS = ["41.54", "4154e-2", "+41.54", "41.540", ".4154e2", "4154E-2", "abc", "41,54", "NaN", "inf", "4_1.54",
           " 41.54", "41.54 ", "0x29", "٤١.٥٤", "４１.５４", "1e", "--41.54", "41.5.4", "41.54d"]


def _is_number(text: str) -> bool:
    """xsd:double's lexical form without INF/NaN, as Excel writes numbers."""
    return re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", text, re.ASCII) is not None


@pytest.mark.parametrize("text", NUMBERS)
def test_bad_numbers_name_sheet_and_cell(tmp_path, text):
    book = h.t6_cell(E9, f'<c r="E9" s="14" t="n"><v>{text}</v></c>')
    if _is_number(text):
        assert built(tmp_path, book)                # every spelling of 41.54 keeps the sums right
    else:
        refused(tmp_path, book, f"“{text}”不是数字", "已损坏", "另存为", where=f"{T6}!E9")


@pytest.mark.parametrize("cell,needle", [
    ('<c r="E9" s="14" t="s"><v>0</v></c>', "共享字符串“0”不存在"),
    ('<c r="E9" s="14" t="s"><v>99999</v></c>', "共享字符串“99999”不存在"),
    ('<c r="E9" s="14" t="s"><v>-1</v></c>', "共享字符串“-1”不存在"),
    ('<c r="E9" s="14" t="s"><v>1.0</v></c>', "共享字符串“1.0”不存在"),
    ('<c r="E9" s="14" t="b"><v>2</v></c>', "逻辑值“2”无效"),
    ('<c r="E9" s="14" t="b"><v>yes</v></c>', "逻辑值“yes”无效"),
    ('<c r="E9" s="14" t="d"><v>2024-13-45</v></c>', "日期“2024-13-45”无效"),
    ('<c r="E9" s="x" t="n"><v>41.54</v></c>', "样式编号“x”无效"),
])
def test_damaged_cells_name_sheet_and_cell(tmp_path, cell, needle):
    refused(tmp_path, h.t6_cell(E9, cell), needle, "另存为", where=f"{T6}!E9")


@pytest.mark.parametrize("damage,needle", [
    (lambda b: b.sub(h.T6_PART, "</sheetData>", ""), "XML 已损坏"),
    (lambda b: b.sub(h.T6_PART, "<worksheet", '<!DOCTYPE worksheet [<!ENTITY x "y">]><worksheet'), "DOCTYPE"),
    (lambda b: b.sub(h.T6_PART, "<worksheet", '<!DOCTYPE worksheet SYSTEM "file:///etc/passwd"><worksheet'),
     "DOCTYPE"),
    (lambda b: b.sub(h.T6_PART, "</row>", "<row>", ), "XML 已损坏"),
    (lambda b: b.sub(h.T6_PART, '<mergeCell ref="A4:B4"/>', '<mergeCell ref="B4:A1048577"/>'), "合并单元格区域"),
])
def test_damaged_sheet_xml_names_the_sheet(tmp_path, damage, needle):
    book = h.Book()
    damage(book)
    refused(tmp_path, book, needle, "Excel", where=T6)


@pytest.mark.parametrize("parts", [("xl/workbook.xml",), None])
def test_strict_open_xml_is_named_with_the_fix(tmp_path, parts):
    book = h.Book()
    for part in parts or [p for p in book.parts if p.endswith(".xml")]:
        book.parts[part] = book.parts[part].replace(h.MAIN_NS.encode(), h.STRICT_NS.encode())
    refused(tmp_path, book, "Strict Open XML", "另存为“Excel 工作簿(*.xlsx)”")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                                  "xl/_rels/workbook.xml.rels"])
def test_damaged_workbook_parts_are_named(tmp_path, part):
    book = h.Book()
    book.parts[part] = book.parts[part][:-20]
    refused(tmp_path, book, f"部件 {part} 已损坏", "另存为")


# --------------------------------------------------------------------------- a bug of ours stays a bug

@pytest.mark.parametrize("target,name", [(xlsx_sheets._Sheet, "typed"), (xlsx_sheets._Sheet, "formula_of"),
                                         (xlsx_safety.Archive, "check_declared")])
@pytest.mark.parametrize("bug", [KeyError, TypeError, ValueError, AttributeError, RuntimeError])
def test_a_bug_in_the_reader_is_not_reported_as_a_workbook_problem(tmp_path, monkeypatch, target, name, bug):
    def broken(*_args, **_kwargs):
        raise bug("a bug of ours")

    book = h.t6_cell('<c r="D7" s="14" t="n"><v>189.31</v></c>', '<c r="D7" s="14"><f>D8+D19</f><v>189.31</v></c>')
    path = book.save(tmp_path / NAME)
    monkeypatch.setattr(target, name, broken)
    with pytest.raises(bug, match="a bug of ours"):
        read_workbook(path)


@pytest.mark.parametrize("part,old,new,needle", [
    ("xl/styles.xml", 'numFmtId="', 'numFmtId="x', "含有无效的数值"),
    ("xl/workbook.xml", 'r:id="rId8"', 'r:id="rId99"', "关系 rId99 不存在"),
    ("xl/workbook.xml", 'name="填表说明" ', "", "有工作表没有名称"),
    ("[Content_Types].xml", "sheet.main+xml", "other+xml", "没有工作簿部件"),
])
def test_impossible_values_in_workbook_parts_are_named(tmp_path, part, old, new, needle):
    refused(tmp_path, h.Book().sub(part, old, new), f"部件 {part} 已损坏", needle, "另存为")


def test_a_missing_part_is_named(tmp_path):
    book = h.Book()
    del book.parts["xl/_rels/workbook.xml.rels"]
    refused(tmp_path, book, "缺少部件 xl/_rels/workbook.xml.rels", "另存为")


@pytest.mark.parametrize("damage", ["flip", "zero", "encrypted-flag", "unknown-method"])
def test_damaged_zip_members_are_named(tmp_path, damage):
    """T6's compressed bytes damaged after writing: the CRC, zlib or zipfile refuses them; never a traceback."""
    path = h.Book().save(tmp_path / "src.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(h.T6_PART)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    if damage == "flip":
        for i in range(start + 10, start + info.compress_size - 10, 97):
            data[i] ^= 0x5A
    elif damage == "zero":
        data[start:start + info.compress_size // 2] = bytes(info.compress_size // 2)
    else:                                           # zipfile trusts the central directory: patch both headers
        central = bytes(data).find(b"PK\x01\x02")
        while data[central + 46:central + 46 + len(h.T6_PART)] != h.T6_PART.encode():
            central = bytes(data).find(b"PK\x01\x02", central + 4)
        flag, method = (1, None) if damage == "encrypted-flag" else (None, 97)
        for offset, header in ((info.header_offset, 6), (central, 8)):
            if flag is not None:
                struct.pack_into("<H", data, offset + header, flag)
            else:
                struct.pack_into("<H", data, offset + header + 2, method)
    (tmp_path / NAME).write_bytes(bytes(data))
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(tmp_path / NAME), "-o", str(out), "--no-pdf"])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert NAME in result.output and ("已损坏" in result.output), result.output
    assert not out.exists() or not any(out.iterdir())
