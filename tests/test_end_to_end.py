"""Issue 2: the sample workbook reproduces the published reference report, word for word and figure for figure."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from typer.testing import CliRunner

from budgetreport.classification import FUNCTION_CLASSES
from budgetreport.cli import app
from conftest import DOCX_NAME, REFERENCE, SAMPLE, set_field
from textutil import docx_lines, missing_in_order, norm, reference_lines


def test_every_reference_line_appears_in_order(built_docx):
    reference = reference_lines(REFERENCE)
    produced = docx_lines(built_docx)
    assert len(reference) > 380
    assert missing_in_order(reference, produced) == []


def test_nothing_extra_beyond_the_reference(built_docx):
    reference = set(reference_lines(REFERENCE))
    extra = [line for line in docx_lines(built_docx) if line not in reference]
    assert extra == []


def test_key_figures_and_sentences(built_docx):
    text = "\n".join(docx_lines(built_docx))
    for sentence in (
        "一般公共预算197.31万元，占100.00%，比上年预算减少9.38万元，下降4.54%，主要原因是2025年在职人员减少1人，项目无变动，预算数减少。",
        "基本支出189.31万元，占95.95%，比上年预算减少9.38万元，下降4.72%",
        "项目支出8.00万元，占4.05%，比上年预算增加0.00万元，增长0.00%，主要原因是昌吉市城管指挥中心本年度项目预算安排无变动。",
        "比上年预算增加2.97万元，增长280.19%",
        "比上年预算增加0.04万元，增长66.67%",
        "3、城乡社区支出（类）155.34万元，占78.73%。",
        "事业单位运行经费财政拨款预算10.51万元，比上年预算减少0.70万元，下降6.24%",
        "收入全部为一般公共预算拨款，无政府性基金预算拨款和国有资本经营预算。",
    ):
        assert norm(sentence) in text


def test_output_file_name_and_cli_exit_code(tmp_path):
    result = CliRunner().invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / DOCX_NAME).is_file()
    assert "已生成" in result.output


def test_full_function_class_list_in_tables_1_and_4(built_docx):
    doc = Document(str(built_docx))
    for table in (doc.tables[0], doc.tables[3]):
        labels = {norm(row.cells[2].text) for row in table.rows}
        for code, name in FUNCTION_CLASSES:
            assert norm(f"{code} {name}") in labels


def test_wide_tables_on_landscape_pages(built_docx):
    doc = Document(str(built_docx))
    orientations = [s.orientation for s in doc.sections]
    assert orientations.count(WD_ORIENT.LANDSCAPE) == 2
    # the landscape sections hold 表2 and 表7
    body = doc.element.body
    landscape_titles = []
    section_index = 0
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            if text in ("单位收入总体情况表", "一般公共预算项目支出情况表"):
                landscape_titles.append(section_index)
            if el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                section_index += 1
    assert [orientations[i] for i in landscape_titles] == [WD_ORIENT.LANDSCAPE] * 2


def test_header_rows_repeat_on_each_page(built_docx):
    doc = Document(str(built_docx))
    for table in doc.tables[:11]:
        first = table.rows[0]._tr
        assert first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None


def test_empty_tables_print_header_and_statement(built_docx):
    lines = docx_lines(built_docx)
    for statement in ("没有使用政府性基金预算拨款安排的支出，政府性基金预算支出情况表为空表。",
                      "没有使用国有资本经营预算拨款安排的支出，国有资本经营预算支出情况表为空表。",
                      "没有上年结转结余预算安排的支出，上年结转结余情况明细表为空表。"):
        # once under the table in 第二部分, once in its 说明 section in 第三部分
        assert sum(statement in line for line in lines) == 2


def test_east_asian_fonts_and_language_in_styles(built_docx):
    doc = Document(str(built_docx))
    for name in ("Normal", "Body Text", "Heading 1", "Heading 2", "Table Text", "Title"):
        rfonts = doc.styles[name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), name
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert defaults.get(qn("w:eastAsia")) == "zh-CN"


def test_merged_indicator_cells(built_docx):
    """A blank 一级/二级指标 in the workbook is a vertical merge in the document, as published."""
    doc = Document(str(built_docx))
    unit_table = doc.tables[11]
    vmerges = [tc for tc in unit_table._tbl.iter(qn("w:tc"))
               if tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}") is not None]
    assert vmerges
    assert "合并" not in "".join(t.text or "" for t in unit_table._tbl.iter(qn("w:t")))


def test_ampersand_and_angle_brackets_in_unit_text(edited, tmp_path):
    from budgetreport.build import build_report
    path = edited(lambda wb: set_field(wb["单位信息"], "主要职能", "负责A&B<C>“测试”工作；R&D"))
    result = build_report(path, tmp_path / "out", pdf=False)
    lines = docx_lines(result.docx)
    assert norm("负责A&B<C>“测试”工作；R&D") in lines
    assert any("第四部分" in line for line in lines)        # not truncated at the '&'


def test_same_workbook_gives_byte_identical_docx(tmp_path):
    from budgetreport.build import build_report
    a = build_report(SAMPLE, tmp_path / "a", pdf=False).docx.read_bytes()
    b = build_report(SAMPLE, tmp_path / "b", pdf=False).docx.read_bytes()
    assert a == b


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_opens_the_docx(built_docx, tmp_path):
    """The .docx is valid Word: LibreOffice converts it (CI installs libreoffice-writer-nogui)."""
    soffice = _soffice()
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI 应安装 LibreOffice（.ci/run）")
        pytest.skip("LibreOffice not installed")
    src = tmp_path / "report.docx"
    shutil.copy(built_docx, src)
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    assert pdf.stat().st_size > 20_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "单位收支总体情况表" in text and "名词解释" in text
        # the 目录's PAGEREF fields are computed by an office suite: entries end with real page numbers
        import re
        assert re.search(r"一、主要职能\s*\.{5,}\s*\d+", text), text[:600]


def test_toc_entries_link_and_carry_pageref_fields(built_docx):
    doc = Document(str(built_docx))
    body = doc.element.body
    bookmarks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    entries = [p for p in body.iter(qn("w:p")) if p.find(f"{qn('w:hyperlink')}") is not None]
    assert len(entries) == 4 + 2 + 11 + 12              # 4 parts; 2 sections, 11 tables, 12 sections
    for p in entries:
        anchor = p.find(qn("w:hyperlink")).get(qn("w:anchor"))
        assert anchor in bookmarks
        instr = "".join(t.text for t in p.iter(qn("w:instrText")))
        assert instr.split() == ["PAGEREF", anchor, "\\h"]
    settings = doc.settings.element.find(qn("w:updateFields"))
    assert settings is not None and settings.get(qn("w:val")) == "true"


def _comparison_row(ws, category: str, item: str) -> int:
    for row in ws.iter_rows(min_row=2):
        if row[0].value == category and str(row[1].value) == item:
            return row[0].row
    raise KeyError((category, item))


def test_new_item_and_missing_reason_wording_end_to_end(edited, tmp_path):
    """Cases the reference does not show: last year 0 (a new item) and a change given no reason."""
    from budgetreport.build import build_report

    def change(wb):
        ws = wb["上年预算及变动原因"]
        r = _comparison_row(ws, "支出", "项目支出")
        ws.cell(row=r, column=4).value = 0            # 上年预算数
        ws.cell(row=r, column=5).value = "新设光纤维护项目"
        r = _comparison_row(ws, "运行经费", "运行经费")
        ws.cell(row=r, column=5).value = None          # no reason given

    result = build_report(edited(change), tmp_path / "out", pdf=False)
    text = "\n".join(docx_lines(result.docx))
    assert norm("项目支出8.00万元，占4.05%，比上年预算增加8.00万元，上年未安排该项预算，主要原因是新设光纤维护项目。") in text
    assert norm("事业单位运行经费财政拨款预算10.51万元，比上年预算减少0.70万元，下降6.24%。") in text


def test_line_break_inside_a_cell_becomes_a_line_break(edited, tmp_path):
    from budgetreport.build import build_report
    path = edited(lambda wb: set_field(wb["单位信息"], "主要职能", "第一行职能；\n第二行职能。"))
    doc = Document(str(build_report(path, tmp_path, pdf=False).docx))
    para = next(p for p in doc.paragraphs if "第一行职能" in p.text)
    assert para._p.findall(f".//{qn('w:br')}") and "第二行职能" in para.text
