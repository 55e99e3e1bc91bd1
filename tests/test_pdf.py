"""The PDF writer: fonts embedded, outline, 目录 page numbers, text order, landscape, determinism."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from pypdf import PdfReader

from budgetreport.errors import BudgetError
from budgetreport.pdf import convert_with_libreoffice, read_docx, write_pdf
from budgetreport.pdf.docmodel import Table

UNIT = "昌吉市城市管理指挥中心"
CREATED = dt.datetime(2025, 1, 20, 9, 30, 0)
LONG = ("按照全口径预算的原则，昌吉市城市管理指挥中心2025年所有收入和支出均纳入单位预算管理。"
        "收支总预算197.31万元，比上年预算减少9.38万元，下降4.54%，主要原因是2025年在职人员减少1人；"
        "项目无变动，预算数减少。")

# ------------------------------------------------------------------------------ a contract-shaped .docx

_STYLES = ["toc 1", "toc 2", "TOC Heading", "Table Number", "Table Title", "Table Meta", "Table Text",
           "Signature", "Body Text"]


def _style(d, name: str):  # type: ignore[no-untyped-def]
    try:
        return d.styles[name]
    except KeyError:
        return d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)


def _bookmark(p, name: str, bid: int) -> None:  # type: ignore[no-untyped-def]
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    p._p.insert(1 if p._p.pPr is not None else 0, start)
    p._p.append(end)


def _toc(d, style: str, text: str, anchor: str):  # type: ignore[no-untyped-def]
    p = d.add_paragraph(style=style)
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    r.append(t)
    link.append(r)
    p._p.append(link)
    return p


def _set_cell(cell, text: str, align=None, bold: bool = False):  # type: ignore[no-untyped-def]
    cell.text = ""
    p = cell.paragraphs[0]
    p.style = "Table Text"
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.bold = bold or None


def _tc_pr(cell, tag: str, **attrs: str) -> None:  # type: ignore[no-untyped-def]
    tcpr = cell._tc.get_or_add_tcPr()
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    tcpr.append(el)


def _header_row(row) -> None:  # type: ignore[no-untyped-def]
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _money_table(d, rows: int):  # type: ignore[no-untyped-def]
    """Two header rows: 收入(span 2) | 支出(span 2); vMerge in the first column of the body."""
    t = d.add_table(rows=2 + rows, cols=4)
    t.style = d.styles["Table Grid"]
    a, b = t.rows[0].cells[0], t.rows[0].cells[1]
    a.merge(b)
    _set_cell(t.rows[0].cells[0], "收入", WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    t.rows[0].cells[2].merge(t.rows[0].cells[3])
    _set_cell(t.rows[0].cells[2], "支出", WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for i, h in enumerate(["项目", "预算数", "功能分类", "预算数"]):
        _set_cell(t.rows[1].cells[i], h, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _header_row(t.rows[0])
    _header_row(t.rows[1])
    for r in range(rows):
        cells = t.rows[2 + r].cells
        _set_cell(cells[0], f"收入项目{r + 1}：一般公共预算拨款")
        _set_cell(cells[1], f"{100 + r}.{r % 100:02d}", WD_ALIGN_PARAGRAPH.RIGHT)
        _set_cell(cells[2], f"{201 + r} 功能分类科目名称{r + 1}")
        _set_cell(cells[3], f"{50 + r}.31", WD_ALIGN_PARAGRAPH.RIGHT)
    # vertical merge of rows 2..4 in column 0 (python-docx writes w:vMerge restart/continue)
    t.cell(2, 0).merge(t.cell(4, 0))
    _set_cell(t.cell(2, 0), "合并单元格：一般公共预算")
    return t


def _wide_table(d, ncols: int = 17):  # type: ignore[no-untyped-def]
    t = d.add_table(rows=4, cols=ncols)
    t.style = d.styles["Table Grid"]
    heads = ["类", "款", "项", "功能分类科目名称", "总计", "财政拨款（补助）小计", "一般公共预算",
             "上级一般公共预算安排的转移支付", "政府性基金预算", "上级政府性基金安排的转移支付",
             "国有资本经营预算", "上级国有资本经营预算安排的转移支付", "财政专户（教育收费）", "单位资金",
             "财政拨款结转", "非财政拨款结转结余", "备注"][:ncols]
    for i, h in enumerate(heads):
        _set_cell(t.rows[0].cells[i], h, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _header_row(t.rows[0])
    values = ["208", "05", "05", "机关事业单位基本养老保险缴费支出"] + ["1234567.89"] * (ncols - 4)
    for r in (1, 2, 3):
        for i, v in enumerate(values):
            _set_cell(t.rows[r].cells[i], v, WD_ALIGN_PARAGRAPH.RIGHT if i >= 4 else None)
    for col in t.columns:  # 17 × 1 inch: much wider than the landscape frame
        for c in col.cells:
            c.width = Twips(1440)
    grid = t._tbl.tblGrid
    for gc in grid.findall(qn("w:gridCol")):
        gc.set(qn("w:w"), "1440")
    return t


def make_docx() -> bytes:
    d = docx.Document()
    a4 = d.sections[0]
    a4.page_width, a4.page_height = Twips(11906), Twips(16838)
    for name in _STYLES:
        _style(d, name)
    d.styles["Body Text"].paragraph_format.first_line_indent = Pt(32)
    cp = d.core_properties
    cp.title, cp.author, cp.subject = f"{UNIT}2025年单位预算公开", UNIT, "2025年单位预算公开"
    cp.keywords, cp.created = "单位预算,预算公开", CREATED

    d.add_paragraph(UNIT, style="Title")
    d.add_paragraph("2025年单位预算公开", style="Subtitle")
    d.add_paragraph("目 录", style="TOC Heading").paragraph_format.page_break_before = True
    _toc(d, "toc 1", "第一部分 2025年单位概况", "p1")
    _toc(d, "toc 2", "一、主要职能", "p1s1")
    _toc(d, "toc 1", "第二部分 2025年单位预算公开表", "p2")
    _toc(d, "toc 2", "一、单位收支总体情况表", "t1")
    _toc(d, "toc 2", "二、单位收入总体情况表", "t2")
    _toc(d, "toc 1", "第三部分 2025年单位预算情况说明", "p3")

    bid = 0

    def heading(text: str, style: str, name: str, *, new_page: bool = False):  # type: ignore[no-untyped-def]
        nonlocal bid
        p = d.add_paragraph(text, style=style)
        p.paragraph_format.page_break_before = new_page or None
        bid += 1
        _bookmark(p, name, bid)
        return p

    heading("第一部分 2025年单位概况", "Heading 1", "p1", new_page=True)
    heading("一、主要职能", "Heading 2", "p1s1")
    for i in range(6):
        d.add_paragraph(f"{i + 1}、{LONG}", style="Body Text")
    heading("第二部分 2025年单位预算公开表", "Heading 1", "p2", new_page=True)
    d.add_paragraph("表1", style="Table Number")
    heading("单位收支总体情况表", "Table Title", "t1")
    d.add_paragraph(f"编制单位：{UNIT}", style="Table Meta")
    d.add_paragraph("单位：万元", style="Table Meta").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _money_table(d, rows=40)

    # 表2 in a landscape section
    sec = d.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    d.add_paragraph("表2", style="Table Number")
    heading("单位收入总体情况表", "Table Title", "t2")
    _wide_table(d)
    sec = d.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = sec.page_height, sec.page_width

    heading("第三部分 2025年单位预算情况说明", "Heading 1", "p3")
    p = heading("（一）一般公共预算当年拨款规模变化情况", "Heading 3", "p3s1s1")
    p = d.add_paragraph(style="Body Text")
    p.add_run("财政拨款").bold = True
    p.add_run("：指由一般公共预算、政府性基金预算、国有资本经营预算安排的财政拨款数。")
    d.add_paragraph(UNIT, style="Signature")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def sample_docx() -> bytes:
    return make_docx()


@pytest.fixture(scope="module")
def sample_pdf(sample_docx: bytes) -> bytes:
    return write_pdf(sample_docx)


def _need(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} not installed")
    return exe


def _pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    exe = _need("pdftotext")
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    return subprocess.run([exe, *args, str(f), "-"], capture_output=True, text=True, check=True).stdout


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _page_texts(pdf: bytes) -> list[str]:
    return [_squash(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def _outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) in order."""
    r = PdfReader(io.BytesIO(pdf))
    out: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:  # type: ignore[no-untyped-def]
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                out.append((level, it.title, r.get_destination_page_number(it) + 1))
    walk(r.outline, 0)
    return out


# ------------------------------------------------------------------------------------------ model


def test_model_reads_the_contract(sample_docx: bytes) -> None:
    doc = read_docx(sample_docx)
    assert [s.page.landscape for s in doc.sections] == [False, True, False]
    styles = [b.style for b in doc.blocks() if not isinstance(b, Table) and hasattr(b, "style")]
    assert styles[:3] == ["Title", "Subtitle", "TOC Heading"]
    tocs = [p for p in doc.paragraphs() if p.style.startswith("toc")]
    assert [p.anchor for p in tocs] == ["p1", "p1s1", "p2", "t1", "t2", "p3"]
    marks = {b for p in doc.paragraphs() for b in p.bookmarks}
    assert {"p1", "p1s1", "p2", "t1", "t2", "p3"} <= marks
    t1 = next(b for b in doc.blocks() if isinstance(b, Table))
    assert t1.header_rows == 2
    assert [(c.col, c.span) for c in t1.rows[0].cells] == [(0, 2), (2, 2)]
    assert [t1.rows[r].cells[0].vmerge for r in (2, 3, 4, 5)] == ["restart", "continue", "continue", None]
    assert t1.rows[1].cells[0].paragraphs[0].runs[0].bold
    assert doc.author == UNIT and doc.created.replace(tzinfo=None) == CREATED


# ------------------------------------------------------------------------------------------- fonts


def test_every_font_embedded_no_helvetica(sample_pdf: bytes, tmp_path: Path) -> None:
    exe = _need("pdffonts")
    f = tmp_path / "x.pdf"
    f.write_bytes(sample_pdf)
    lines = subprocess.run([exe, str(f)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines, "no fonts at all"
    for line in lines:
        assert "Helvetica" not in line and "Times" not in line, line
        cols = line.split()
        assert cols[-5] == "yes", f"not embedded: {line}"  # name type encoding emb sub uni object ID


# ----------------------------------------------------------------------------------- outline / TOC


def test_outline_has_parts_and_tables(sample_pdf: bytes) -> None:
    ol = _outline(sample_pdf)
    titles = [(lvl, t) for lvl, t, _ in ol]
    assert (0, "第一部分 2025年单位概况") in titles
    assert (0, "第二部分 2025年单位预算公开表") in titles
    assert (1, "表1 单位收支总体情况表") in titles
    assert (1, "表2 单位收入总体情况表") in titles
    assert (1, "一、主要职能") in titles
    assert (1, "（一）一般公共预算当年拨款规模变化情况") in titles  # H3 under H1: clamped to level 1


def test_toc_page_numbers_are_the_heading_pages(sample_pdf: bytes, tmp_path: Path) -> None:
    text = _pdftotext(sample_pdf, tmp_path, "-layout")
    pages = _page_texts(sample_pdf)
    toc_page = next(i for i, t in enumerate(pages) if "目录" in t)
    entries = {"第一部分 2025年单位概况": "第一部分2025年单位概况",
               "一、主要职能": "一、主要职能",
               "一、单位收支总体情况表": "单位收支总体情况表",
               "二、单位收入总体情况表": "单位收入总体情况表",
               "第三部分 2025年单位预算情况说明": "第三部分2025年单位预算情况说明"}
    toc_lines = text.split("\f")[toc_page].splitlines()
    for entry, target in entries.items():
        # whitespace left out: pdftotext shows the space between CJK and digits ("2025 年") as a space
        line = next(ln for ln in toc_lines if entry.replace(" ", "") in ln.replace(" ", ""))
        m = re.search(r"(\d+)\s*$", line)
        assert m, f"no page number after {entry!r}: {line!r}"
        printed = int(m.group(1))
        actual = next(i + 1 for i, t in enumerate(pages) if i != toc_page and target in t.replace(" ", ""))
        assert printed == actual, (entry, printed, actual)


def test_toc_entries_link_to_headings(sample_pdf: bytes) -> None:
    r = PdfReader(io.BytesIO(sample_pdf))
    toc = next(p for p in r.pages if "目" in (p.extract_text() or ""))
    links = [a.get_object() for a in toc.get("/Annots", [])]
    assert sum(1 for a in links if a.get("/Subtype") == "/Link") >= 6


# ------------------------------------------------------------------------------------------- text


def test_all_text_appears_in_order(sample_docx: bytes, sample_pdf: bytes, tmp_path: Path) -> None:
    # page footers ("— 3 —") sit between the halves of a paragraph split over two pages
    pdf_text = _squash(re.sub(r"—\s*\d+\s*—", "", _pdftotext(sample_pdf, tmp_path, "-raw")))
    pos = 0
    for p in read_docx(sample_docx).paragraphs():
        want = _squash(p.text)
        if not want:
            continue
        found = pdf_text.find(want, pos)
        assert found >= 0, f"missing or out of order: {want!r}"
        pos = found + len(want)


def test_no_line_starts_with_closing_punctuation(sample_pdf: bytes, tmp_path: Path) -> None:
    text = _pdftotext(sample_pdf, tmp_path, "-raw")
    bad = [ln for ln in text.splitlines() if ln.strip() and ln.strip()[0] in "，。、；：）”"]
    assert not bad, bad


def test_landscape_page_for_wide_table(sample_pdf: bytes) -> None:
    r = PdfReader(io.BytesIO(sample_pdf))
    shapes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in r.pages]
    texts = _page_texts(sample_pdf)
    t2 = next(i for i, t in enumerate(texts) if "单位收入总体情况表" in t and "目录" not in t)
    w, h = shapes[t2]
    assert w > h and round(w) == 842
    assert all(w < h for w, h in shapes[:t2])  # cover … 表1 stay portrait
    assert shapes[-1][0] < shapes[-1][1]  # back to portrait after the section


def test_table_header_rows_repeat(sample_pdf: bytes) -> None:
    texts = _page_texts(sample_pdf)
    with_rows = [t for t in texts if "收入项目" in t]
    assert len(with_rows) >= 2, "the 40-row table should run over two pages"
    assert all("功能分类" in t and "预算数" in t for t in with_rows)


def test_cover_has_no_page_number_others_do(sample_pdf: bytes) -> None:
    texts = _page_texts(sample_pdf)
    assert not re.search(r"—\d+—", texts[0])
    assert "—2—" in texts[1]


def test_metadata_from_core_properties(sample_pdf: bytes) -> None:
    r = PdfReader(io.BytesIO(sample_pdf))
    meta = r.metadata
    assert meta.title == f"{UNIT}2025年单位预算公开"
    assert meta.author == UNIT
    assert meta.subject == "2025年单位预算公开"
    assert "单位预算" in (meta.get("/Keywords") or "")
    assert meta.creation_date.replace(tzinfo=None) == CREATED


def test_deterministic(sample_docx: bytes, sample_pdf: bytes) -> None:
    assert write_pdf(sample_docx) == sample_pdf


def test_deterministic_across_processes(sample_docx: bytes, sample_pdf: bytes, tmp_path: Path) -> None:
    src = tmp_path / "in.docx"
    src.write_bytes(sample_docx)
    code = ("import sys; from pathlib import Path; from budgetreport.pdf import write_pdf;"
            "sys.stdout.buffer.write(write_pdf(Path(sys.argv[1])))")
    out = subprocess.run([__import__("sys").executable, "-c", code, str(src)], capture_output=True, check=True)
    assert out.stdout == sample_pdf


# ----------------------------------------------------------------------------------- libreoffice


def test_libreoffice_missing_raises_budget_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BudgetError, match="LibreOffice"):
        convert_with_libreoffice(b"not a docx")


# ------------------------------------------------------------------ the real report (built from the sample)


@pytest.fixture(scope="module")
def real(built_docx: Path) -> tuple[bytes, bytes]:
    data = built_docx.read_bytes()
    return data, write_pdf(data)


def _toc_pages(texts: list[str]) -> list[int]:
    first = next(i for i, t in enumerate(texts) if t.startswith("目录"))
    pages = [first]
    while pages[-1] + 1 < len(texts) and re.search(r"\.{6,}\d+", texts[pages[-1] + 1]):
        pages.append(pages[-1] + 1)
    return pages


def test_real_toc_numbers_are_the_heading_pages(real: tuple[bytes, bytes], tmp_path: Path) -> None:
    docx_bytes, pdf = real
    doc = read_docx(docx_bytes)
    raw = [_squash(t) for t in _pdftotext(pdf, tmp_path, "-raw").split("\f")]
    toc = _toc_pages(raw)
    toc_text = "".join(raw[i] for i in toc)
    targets = {b: p.text for p in doc.paragraphs() for b in p.bookmarks}
    entries = [p for p in doc.paragraphs() if p.style in ("toc 1", "toc 2")]
    assert len(entries) >= 25
    pos = 0
    for e in entries:
        m = re.compile(re.escape(_squash(e.text)) + r"\.*(\d+)").search(toc_text, pos)
        assert m, f"目录 entry without a page number: {e.text}"
        pos = m.end()
        want = _squash(targets[e.anchor])
        actual = next(i + 1 for i, t in enumerate(raw) if i > toc[-1] and want in t)
        assert int(m.group(1)) == actual, (e.text, m.group(1), actual)


def test_real_outline(real: tuple[bytes, bytes]) -> None:
    ol = _outline(real[1])
    parts = [t for lvl, t, _ in ol if lvl == 0]
    assert [p[:4] for p in parts] == ["第一部分", "第二部分", "第三部分", "第四部分"]
    tables = [t for lvl, t, _ in ol if lvl == 1 and t.startswith("表")]
    assert len(tables) == 11 and tables[0] == "表1 单位收支总体情况表"
    assert any("绩效目标表" in t for _, t, _ in ol)


def test_real_landscape_for_tables_2_and_7(real: tuple[bytes, bytes]) -> None:
    r = PdfReader(io.BytesIO(real[1]))
    texts = _page_texts(real[1])
    toc = _toc_pages(texts)
    for title in ("单位收入总体情况表", "一般公共预算项目支出情况表"):
        i = next(i for i, t in enumerate(texts) if i > toc[-1] and title in t)
        box = r.pages[i].mediabox
        assert float(box.width) > float(box.height), title
    assert sum(float(p.mediabox.width) > float(p.mediabox.height) for p in r.pages) <= 4


def test_real_text_in_order_and_fonts_embedded(real: tuple[bytes, bytes], tmp_path: Path) -> None:
    docx_bytes, pdf = real
    text = _squash(re.sub(r"—\s*\d+\s*—", "", _pdftotext(pdf, tmp_path, "-raw")))
    pos = 0
    for p in read_docx(docx_bytes).paragraphs():
        want = _squash(p.text)
        if want:
            found = text.find(want, pos)
            assert found >= 0, f"missing or out of order: {want!r}"
            pos = found + len(want)
    f = tmp_path / "r.pdf"
    f.write_bytes(pdf)
    fonts = subprocess.run([_need("pdffonts"), str(f)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(r.split()[-5] == "yes" for r in rows) and "Helvetica" not in fonts


def test_real_no_line_starts_with_closing_punctuation(real: tuple[bytes, bytes], tmp_path: Path) -> None:
    lines = _pdftotext(real[1], tmp_path, "-raw").splitlines()
    assert not [ln for ln in lines if ln.strip()[:1] in set("，。、；：）”")]


def test_real_deterministic(real: tuple[bytes, bytes]) -> None:
    assert write_pdf(real[0]) == real[1]


# ------------------------------------------------------------------------------------ line breaking


def test_line_breaking_never_starts_with_closing_punctuation() -> None:
    from reportlab.lib.styles import ParagraphStyle

    from budgetreport.pdf.fonts import bundled_face
    from budgetreport.pdf.paragraphs import CJKParagraph

    face = bundled_face().name
    text = "预算数减少，主要原因是：在职人员减少1人；项目无变动。“三公”经费（含公务接待费）、197.31万元，" * 3
    style = ParagraphStyle("t", fontName=face, fontSize=10, leading=12, wordWrap="CJK")
    for width in range(35, 200, 3):  # every width lands a break on different characters
        p = CJKParagraph(text, style)
        p.wrap(width, 10_000)
        lines = ["".join(w.text for w in ln.words) for ln in p.blPara.lines]
        assert "".join(lines) == text, "text lost or duplicated"
        for ln in lines[1:]:
            assert ln[:1] not in set("，。、；：）”"), (width, ln)
        for ln in lines[:-1]:
            assert ln[-1:] not in set("（“"), (width, ln)
        for a, b in zip(lines, lines[1:]):  # numbers stay whole
            assert not (a[-1:] in set("0123456789.") and b[:1] in set("0123456789.")), (width, a, b)


def test_libreoffice_converts_when_installed(sample_docx: bytes) -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice not installed")
    pdf = convert_with_libreoffice(sample_docx, timeout=180)
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 3


# ------------------------------------------------------------------------------------ table cells


def _raster(pdf: bytes, tmp_path: Path, name: str) -> list[bytes]:
    exe = _need("pdftoppm")
    f = tmp_path / f"{name}.pdf"
    f.write_bytes(pdf)
    subprocess.run([exe, "-r", "150", "-gray", str(f), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]


def test_string_cells_look_exactly_like_their_paragraphs(sample_docx: bytes, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    """One-line cells are drawn as plain strings (fast); every page must rasterise to the same pixels as
    with a Paragraph in every cell, and the text must extract the same."""
    from budgetreport.pdf import resolve_fonts
    from budgetreport.pdf.caches import CACHES
    from budgetreport.pdf.render import Renderer

    fonts = resolve_fonts()
    used: list[tuple[str, bool]] = []
    real = Renderer._plain_face
    CACHES.clear()  # cells decided by this test's _plain_face, not by earlier builds

    def spy(self, p, text, style):  # type: ignore[no-untyped-def]
        face, width = real(self, p, text, style)
        if face is not None:
            used.append((face.name, p.runs[0].bold))
        return face, width

    monkeypatch.setattr(Renderer, "_plain_face", spy)
    fast = Renderer(read_docx(sample_docx), fonts).render()
    # bold cells too: in the table face, drawn with synthetic bold
    assert {(fonts.table.name, False), (fonts.table.name, True)} <= set(used), "both plain and bold string cells"
    monkeypatch.setattr(Renderer, "_plain_face", lambda *a: (None, 0.0))
    CACHES.clear()
    slow = Renderer(read_docx(sample_docx), fonts).render()
    assert fast != slow
    assert _raster(fast, tmp_path, "fast") == _raster(slow, tmp_path, "slow")
    assert _pdftotext(fast, tmp_path, "-layout") == _pdftotext(slow, tmp_path, "-layout")


def test_toc_fragments_equal_the_parsers(sample_docx: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """目录 entries in one face are built without the markup parser: the same fragments (link, onDraw
    callback) as parsing; other entries are parsed."""
    from reportlab.platypus.paragraph import Paragraph

    from budgetreport.pdf import docmodel as m
    from budgetreport.pdf import resolve_fonts
    from budgetreport.pdf.render import Renderer

    r = Renderer(read_docx(sample_docx), resolve_fonts())
    key = next(iter(r.keys))
    built: list[str] = []
    real = Renderer._toc_frags

    def spy(self, style, text, k, label):  # type: ignore[no-untyped-def]
        built.append(text)
        return real(self, style, text, k, label)

    monkeypatch.setattr(Renderer, "_toc_frags", spy)

    def attrs(frags):  # type: ignore[no-untyped-def]
        return [sorted((k, repr(v)) for k, v in f.__dict__.items()) for f in frags]

    for style_name in ("toc 1", "toc 2"):
        style = r._pstyle(style_name, None)
        for text in ("一、部门职责", "表1 收支总表\t", "a&b", "a  b", "Ω∑ 漢字", " lead"):
            p = m.Paragraph(style_name, (m.Run(text),), anchor=key, autospace=(False, False))
            markup, segs = r._markup_segs(p, "body", style.fontSize)
            entry = r._toc_entry(p, markup, segs, style, 450.0)
            parsed = Paragraph(entry.text, entry.style)
            assert attrs(entry.frags) == attrs(parsed.frags), text
    assert built.count("一、部门职责") == 2 and built.count("表1 收支总表") == 2
    assert not any("&" in t or "  " in t for t in built)


def test_built_fragments_equal_the_parsers(sample_docx: bytes) -> None:
    """Paragraph fragments built without reportlab's markup parser carry exactly the attributes the parser
    sets (same text split, faces, line breaks, anchors); markup the parser would clean up is parsed."""
    from reportlab.platypus.paragraph import Paragraph

    from budgetreport.pdf import docmodel as m
    from budgetreport.pdf import resolve_fonts
    from budgetreport.pdf.render import Renderer

    r = Renderer(read_docx(sample_docx), resolve_fonts())

    def attrs(frags):  # type: ignore[no-untyped-def]
        return [sorted((k, repr(v)) for k, v in f.__dict__.items()) for f in frags]

    checked = 0
    for style_name, role in (("Body Text", "body"), ("Table Text", "table")):
        style = r._pstyle(style_name, None)
        for text in ("a&b", "&&<>x", "a\nb", "\n", "a\n\nb", "x\n", "中文 abc", "a &amp; b", "Ω∑ 漢字",
                     "a\tb", " lead", "tail ", "a  b", "\u3000中", "x\xa0y", "<font>", "\"'",
                     "下设3个科室abc中文", "2025年", "年2025", "（12319）热线5%"):   # the last four: autospace kerns
            for bold in (False, True):
                for runs in ((m.Run("前"), m.Run(text, bold), m.Run("后&", not bold)), (m.Run(text, bold),)):
                    markup, segs = r._markup_segs(m.Paragraph(style_name, runs), role, style.fontSize)
                    for keys in ((), ("k1", "k2")):
                        built = r._para(markup, segs, style, keys)
                        parsed = Paragraph("".join(f'<a name="{k}"/>' for k in keys) + markup, style)
                        assert attrs(built.frags) == attrs(parsed.frags), (text, bold, keys)
                        checked += 1
    assert checked > 100


def _reference_split(frags: list, max_widths: list[float]) -> list[tuple]:
    """The character-by-character line breaking cjk_frag_split replaced (the same rules, no shortcuts):
    each line as (texts of its words, extra space, forced break)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from budgetreport.pdf.linebreak import _FUZZ, _break_at

    chars: list[str] = []
    owner: list = []
    widths: list[float] = []
    for f in frags:
        if hasattr(f, "cbDefn"):
            chars.append("")
            owner.append(f)
            widths.append(getattr(f.cbDefn, "width", 0) or 0)
        elif f.text:
            chars.extend(f.text)
            owner.extend([f] * len(f.text))
            widths.extend(stringWidth(c, f.fontName, f.fontSize) for c in f.text)
        else:
            chars.append("")
            owner.append(f)
            widths.append(0.0)
    lines = []
    n = len(chars)
    start = 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        width, i, forced = 0.0, start, False
        while i < n:
            if not chars[i] and hasattr(owner[i], "lineBreak"):
                i, forced = i + 1, True
                break
            if width + widths[i] > max_width + _FUZZ and i > start:
                break
            width += widths[i]
            i += 1
        k = i if forced or i >= n else _break_at(chars, start, i)
        end = k   # spaces at the end of a line take no room
        while not forced and end - 1 > start and chars[end - 1] == " ":
            end -= 1
        words, j = [], start
        while j < end:
            e = j + 1
            if not hasattr(owner[j], "cbDefn"):
                while e < end and owner[e] is owner[j]:
                    e += 1
            words.append("".join(chars[j:e]))
            j = e
        lines.append((words, max_width - sum(widths[start:end]), forced))
        start = k
        while start < n and chars[start] == " " and not forced:
            start += 1
    return lines


def test_line_breaking_equals_the_character_loop() -> None:
    """cjk_frag_split (running sums, bisection, runs of fragments) breaks exactly where the plain
    character-by-character loop does: random texts of CJK, Latin words, numbers, punctuation, spaces,
    line breaks, anchors and two faces, at widths from one character to many lines."""
    import random

    from reportlab.lib.abag import ABag
    from reportlab.platypus.paraparser import ParaFrag

    from budgetreport.pdf import resolve_fonts
    from budgetreport.pdf.linebreak import cjk_frag_split

    fonts = resolve_fonts()
    faces = [fonts.body.name, fonts.heading.name]
    alphabet = "预算收入支出合计单位项目，。、；：）（“”《》 0123456789.,%abcXYZ-"
    rnd = random.Random(7)
    for _ in range(400):
        frags = []
        for _ in range(rnd.randint(1, 6)):
            kind = rnd.random()
            if kind < 0.1:
                frags.append(ParaFrag(text="", lineBreak=True, fontName=faces[0], fontSize=12))
            elif kind < 0.15:
                frags.append(ParaFrag(text="", cbDefn=ABag(kind="anchor", name="k"), fontName=faces[0], fontSize=12))
            else:
                text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 120)))
                frags.append(ParaFrag(text=text, fontName=rnd.choice(faces), fontSize=rnd.choice((10.5, 12, 16))))
        widths = [rnd.choice((8.0, 30.0, 120.5, 300.0, 450.0))] * rnd.randint(1, 2)
        got = [([w.text for w in line.words], line.extraSpace, line.lineBreak)
               for line in cjk_frag_split(frags, widths).lines]
        assert got == _reference_split(frags, widths)


def test_plain_paragraphs_look_like_reportlabs(sample_docx: bytes, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """Paragraphs and 目录 entries written directly (fastdraw) rasterise like reportlab's own drawing (at
    most a few anti-aliasing pixels from sub-point position rounding), extract the same text and carry the
    same links and outline. Justified text is set flush left here: reportlab itself widens only spaces (the
    direct writer spreads Chinese lines, which test_justified_lines_end_at_the_margin checks)."""
    from pypdf import PdfReader
    from reportlab.lib.enums import TA_LEFT

    from budgetreport.pdf import resolve_fonts, styles, synthetic
    from budgetreport.pdf.caches import CACHES
    from budgetreport.pdf.paragraphs import CJKParagraph
    from budgetreport.pdf.render import Renderer

    monkeypatch.setitem(styles._ALIGN, "justify", TA_LEFT)
    # reportlab's drawing has the synthetic bold but cannot slant (synthetic.py): the sample's italic
    # Subtitle is compared upright
    monkeypatch.setattr(synthetic, "SLANT", "0")
    CACHES.clear()  # styles made with this alignment
    fonts = resolve_fonts()
    fast = Renderer(read_docx(sample_docx), fonts).render()
    monkeypatch.setattr(CJKParagraph, "_plain", lambda self: None)
    slow = Renderer(read_docx(sample_docx), fonts).render()
    assert fast != slow
    pages_fast, pages_slow = _raster(fast, tmp_path, "fast"), _raster(slow, tmp_path, "slow")
    assert len(pages_fast) == len(pages_slow)
    for a, b in zip(pages_fast, pages_slow):
        assert len(a) == len(b)
        differ = sum(1 for x, y in zip(a, b) if abs(x - y) > 64)
        assert differ <= len(a) // 10_000, differ
    assert _pdftotext(fast, tmp_path, "-layout") == _pdftotext(slow, tmp_path, "-layout")

    def links(pdf: bytes) -> list:  # type: ignore[type-arg]
        out = []
        for i, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
            for a in page.get("/Annots") or []:
                a = a.get_object()
                out.append((i, [round(float(v), 3) for v in a["/Rect"]], [str(v) for v in a["/Dest"][1:]]))
        return out

    def outline(pdf: bytes) -> list:  # type: ignore[type-arg]
        r = PdfReader(io.BytesIO(pdf))
        out = []

        def walk(items, depth):  # type: ignore[no-untyped-def]
            for it in items:
                if isinstance(it, list):
                    walk(it, depth + 1)
                else:
                    out.append((depth, it.title, r.get_destination_page_number(it), round(float(it.top or 0), 3)))
        walk(r.outline, 0)
        return out

    assert links(fast) and links(fast) == links(slow)
    assert outline(fast) and outline(fast) == outline(slow)


def test_clean_text_check_agrees_with_reportlab() -> None:
    """_clean(text) decides cleanBlockQuotedText(text) == text without it in the usual case: the same
    answer for texts mixing every kind of whitespace the parser collapses."""
    import random

    from reportlab.platypus.paragraph import cleanBlockQuotedText

    from budgetreport.pdf.paragraphs import _clean

    pieces = ["a", "合", "0.00", " ", "  ", "\n", "\t", "\r", "\xa0", "\u3000", "\u200b", "\u2028", "\x1c", "\x85",
              '<a name="k"/>', ""]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert _clean(text) == (cleanBlockQuotedText(text) == text), repr(text)


def test_text_row_heights_lay_out_as_reportlab_sizes_them(built_docx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of text cells get their heights up front (reportlab then sizes only the others): the same bytes as
    when reportlab sizes every row, also with every table's body repeated so that tables split across pages
    (header rows repeated, vertical merges and wrapped cells on both sides of a split)."""
    import dataclasses

    from budgetreport.pdf import docmodel as m
    from budgetreport.pdf import render, resolve_fonts, tables

    fonts = resolve_fonts()
    report = built_docx.read_bytes()  # the sample report: long tables, merges, wrapped cells

    def lengthened() -> m.Document:
        doc = read_docx(report)
        for s in doc.sections:
            for i, b in enumerate(s.blocks):
                if isinstance(b, m.Table) and len(b.rows) > b.header_rows:
                    head, body = b.rows[:b.header_rows], b.rows[b.header_rows:]
                    s.blocks[i] = dataclasses.replace(b, rows=head + body * 4)
        return doc

    sized = {"preset": 0}
    real = tables._text_row_heights

    def counting(*a):  # type: ignore[no-untyped-def]
        heights = real(*a)
        sized["preset"] += sum(h is not None for h in heights)
        return heights

    monkeypatch.setattr(tables, "_text_row_heights", counting)
    fast = [render.Renderer(read_docx(report), fonts).render(), render.Renderer(lengthened(), fonts).render()]
    assert sized["preset"] > 100
    monkeypatch.setattr(tables, "_text_row_heights", lambda data, styles, spans: [None] * len(data))
    slow = [render.Renderer(read_docx(report), fonts).render(), render.Renderer(lengthened(), fonts).render()]
    assert len(PdfReader(io.BytesIO(fast[1])).pages) > len(PdfReader(io.BytesIO(fast[0])).pages) + 10
    assert fast == slow


def test_draw_string_writes_what_the_canvas_writes() -> None:
    """fastdraw.draw_string (footers, 目录 page numbers) writes the operators of canvas.setFont + drawString,
    also for a text whose characters fall in two font subsets."""
    from budgetreport.pdf import resolve_fonts
    from budgetreport.pdf.fastdraw import BuildCanvas, draw_string

    face = resolve_fonts().body.name
    canv = BuildCanvas(io.BytesIO())
    common = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400))  # fills subset 0, spills into subset 1
    canv.setFont(face, 12)
    canv.drawString(0, 0, common)
    for x, y, size, text in [(276.65, 36, 12, "— 4 —"), (-7.710938, 0, 14, "12"), (10.5, 20.25, 12, common[150:160])]:
        canv.setFont(face, size)
        canv.drawString(x, y, text)
        theirs = canv._code[-1]
        draw_string(canv, x, y, face, size, text)
        assert canv._code[-1] == theirs
    assert theirs.count(" Tf ") == 2  # the last text spans two subsets


def test_a_build_leaves_no_cyclic_garbage(sample_docx: bytes) -> None:
    """The finished build is taken apart, so reference counting frees it: nothing is left for the cycle
    collector (which would walk thousands of objects after every report), and taking it apart does not change
    the bytes."""
    import gc

    from budgetreport.pdf import resolve_fonts
    from budgetreport.pdf.render import Renderer

    fonts = resolve_fonts()
    doc = read_docx(sample_docx)
    first = Renderer(doc, fonts).render()
    gc.collect()
    gc.disable()
    try:
        again = Renderer(doc, fonts).render()
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert again == first == write_pdf(sample_docx)


def test_memoised_numbers_format_as_fp_str() -> None:
    """Positions and numbers written from the memo read exactly as reportlab's fp_str writes them, the first
    time and again (an int and the equal float, and -0.0 and 0.0, share an entry and a text)."""
    import random

    from reportlab.lib.rl_accel import fp_str

    from budgetreport.pdf.fastdraw import num, pos

    rnd = random.Random(5)
    values = [0, 0.0, -0.0, 1, 3, 3.0, 2.5, 1 / 3, -1e-7, 1e-12, 123456.789, 1e15, 595.3, 841.9 - 72]
    values += [rnd.uniform(-1000, 1000) for _ in range(200)]
    for _ in range(2):
        for x in values:
            assert num(x) == fp_str(x), x
        for a, b in zip(values, values[1:]):
            assert pos(a, b) == fp_str(a, b), (a, b)
