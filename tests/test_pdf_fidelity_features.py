"""What a clerk sets in Word reaches the built-in PDF as Word shows it (issue 11 item 2): odd/even headers and
footers, a "different first page" section without a first-page footer, superscript, cell shading, spacing set
directly on a paragraph. Small generated documents; what each page must show is computed from the variant."""
from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pypdf import PdfReader

from budgetreport.pdf import write_pdf
from pdfops import line_height_em, page_ops
from textutil import pdf_pages

WORDS = "预算公开财政拨款单位收支总体情况说明"


def _saved(d: DocxDocument) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pages(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """Each page's non-empty lines, whitespace removed (pdftotext -layout)."""
    return [[re.sub(r"\s+", "", ln) for ln in page.splitlines() if ln.strip()] for page in pdf_pages(pdf, "-layout")]


def _doc(pages: int, rnd: random.Random) -> tuple[DocxDocument, list[str]]:
    """A document of `pages` pages, one Body Text paragraph each (page breaks between)."""
    d = docx.Document()
    texts = ["".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 12))) for _ in range(pages)]
    for i, text in enumerate(texts):
        p = d.add_paragraph(text, style="Body Text")
        if i < pages - 1:
            p.add_run().add_break(WD_BREAK.PAGE)
    return d, texts


@pytest.mark.parametrize("seed", range(4))
def test_odd_and_even_pages_have_their_own_footer_and_header(seed: int, tmp_path: Path) -> None:
    rnd = random.Random(seed)
    n = rnd.randint(3, 6)
    d, _ = _doc(n, rnd)
    d.settings.odd_and_even_pages_header_footer = True
    s = d.sections[0]
    odd, even = f"奇数页{seed}", f"偶数页{seed}"
    s.footer.paragraphs[0].text = odd
    s.even_page_footer.paragraphs[0].text = even
    with_header = rnd.random() < 0.5
    if with_header:
        s.even_page_header.paragraphs[0].text = "偶数页眉"
    pages = _pages(write_pdf(_saved(d)), tmp_path)
    assert len(pages) == n
    for number, lines in enumerate(pages, start=1):
        want = even if number % 2 == 0 else odd
        assert lines[-1] == want, (number, lines)
        assert ("偶数页眉" in lines[0]) == (with_header and number % 2 == 0), (number, lines)


@pytest.mark.parametrize("seed", range(3))
def test_a_different_first_page_without_its_footer_prints_none_there(seed: int, tmp_path: Path) -> None:
    """As Word does: w:titlePg and no first-page footer: the section's first page has no footer."""
    rnd = random.Random(seed)
    n = rnd.randint(2, 4)
    d, texts = _doc(n, rnd)
    d.sections[0].different_first_page_header_footer = True
    d.sections[0].footer.paragraphs[0].text = "页脚文字"
    pages = _pages(write_pdf(_saved(d)), tmp_path)
    assert pages[0] == [texts[0]]
    for lines in pages[1:]:
        assert lines[-1] == "页脚文字"


def _sizes(pdf: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """(text, size, baseline y) of each piece drawn on a page."""
    out: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            out.append((text, size * abs(tm[3]) * abs(cm[3]), tm[5] * cm[3] + cm[5]))
    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("which", ["superscript", "subscript"])
def test_superscript_and_subscript_are_small_and_raised_or_lowered(which: str) -> None:
    d = docx.Document()
    p = d.add_paragraph("面积100平方米", style="Body Text")
    r = p.add_run("2")
    rpr = r._r.get_or_add_rPr()
    va = OxmlElement("w:vertAlign")
    va.set(qn("w:val"), which)
    rpr.append(va)
    p.add_run("，共计")
    pdf = write_pdf(_saved(d))
    pieces = _sizes(pdf)
    body = next(x for x in pieces if "面积" in x[0])
    mark = next(x for x in pieces if x[0] == "2")
    assert mark[1] < body[1] * 0.8
    # raised or lowered by the text rise (Ts) in effect when the "2" is shown
    ops = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    rise = re.search(r"(-?[\d.]+) Ts [^()]*\(2\) Tj", ops)
    assert rise is not None, ops
    assert (float(rise.group(1)) > 3) if which == "superscript" else (float(rise.group(1)) < -2)


@pytest.mark.parametrize("rule,value", [("exact", 40.0), ("exact", 22.0), ("atLeast", 36.0), ("auto", 2.0)])
def test_line_spacing_and_space_before_set_on_the_paragraph(rule: str, value: float) -> None:
    d = docx.Document()
    d.add_paragraph("前一段", style="Body Text")
    p = d.add_paragraph("各" * 200, style="Body Text")
    ppr = p._p.get_or_add_pPr()
    sp = OxmlElement("w:spacing")
    sp.set(qn("w:before"), "480")   # 24 pt
    sp.set(qn("w:line"), str(int(value * 240) if rule == "auto" else int(value * 20)))
    sp.set(qn("w:lineRule"), rule)
    ppr.append(sp)
    pdf = write_pdf(_saved(d))
    pieces = _sizes(pdf)
    ys = [y for t, _, y in pieces if t.startswith("各")]
    first = next(y for t, _, y in pieces if "前一段" in t)
    size = next(s for t, s, _ in pieces if t.startswith("各"))
    gaps = {round(a - b, 1) for a, b in zip(ys, ys[1:])}
    # single spacing: the face's own line height (hhea), read from the embedded font
    single = size * line_height_em(pdf, 0, next(s.font for s in page_ops(pdf, 0)[0] if s.text.startswith("各")))
    want = {"exact": value, "atLeast": max(value, single), "auto": single * value}[rule]
    assert len(ys) > 3 and all(abs(g - want) < 0.2 for g in gaps), (gaps, want)
    # the space before: the first line sits 24 pt lower than without it, less the previous paragraph's space
    # after (the built-in engine lets the two overlap, as reportlab's frames do; Word adds them: docs/pdf.md)
    d2 = docx.Document(io.BytesIO(_saved(d)))
    d2.paragraphs[1]._p.pPr.find(qn("w:spacing")).attrib.pop(qn("w:before"))
    first2 = next(y for t, _, y in _sizes(write_pdf(_saved(d2))) if t.startswith("各"))
    after = d.styles["Body Text"].paragraph_format.space_after
    overlap = after.pt if after is not None else 0.0
    assert abs((first2 - ys[0]) - (24 - overlap)) < 0.5, (ys[0], first2, first, overlap)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


@pytest.mark.parametrize("seed", range(3))
def test_cell_shading_is_printed(seed: int, tmp_path: Path) -> None:
    rnd = random.Random(seed)
    d = docx.Document()
    rows, cols = rnd.randint(2, 5), rnd.randint(2, 4)
    t = d.add_table(rows=rows, cols=cols)
    for r in range(rows):
        for c in range(cols):
            t.cell(r, c).text = f"{r}{c}"
    shaded = {(0, c) for c in range(cols)} | {(rnd.randrange(rows), rnd.randrange(cols))}
    for r, c in shaded:
        _shade(t.cell(r, c), "FFD700")
    pdf = write_pdf(_saved(d))
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm not installed")
    f = tmp_path / "t.pdf"
    f.write_bytes(pdf)
    ppm = subprocess.run([exe, "-r", "36", "-f", "1", "-l", "1", str(f)], capture_output=True, check=True).stdout
    data = ppm.split(b"\n", 3)[3]
    gold = sum(1 for i in range(0, len(data) - 2, 3) if data[i] > 200 and 170 < data[i + 1] < 235 and data[i + 2] < 80)
    assert gold > 20 * len(shaded), gold


def _render(pdf: bytes, tmp_path: Path, dpi: int = 36) -> bytes:
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm not installed")
    f = tmp_path / "t.pdf"
    f.write_bytes(pdf)
    ppm = subprocess.run([exe, "-r", str(dpi), "-f", "1", "-l", "1", str(f)], capture_output=True, check=True).stdout
    return ppm.split(b"\n", 3)[3]


def _count(data: bytes, test) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for i in range(0, len(data) - 2, 3) if test(data[i], data[i + 1], data[i + 2]))


def _borders(table, **edges: tuple[str, int, str]) -> None:  # type: ignore[no-untyped-def]
    """w:tblBorders on the table itself: edge → (val, sz in eighths of a point, colour)."""
    tblpr = table._tbl.tblPr
    el = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge in edges:
            val, sz, color = edges[edge]
            b = OxmlElement(f"w:{edge}")
            b.set(qn("w:val"), val)
            b.set(qn("w:sz"), str(sz))
            b.set(qn("w:color"), color)
            el.append(b)
    tblpr.append(el)


@pytest.mark.parametrize("seed", range(3))
def test_table_borders_follow_the_template(seed: int, tmp_path: Path) -> None:
    """Table Grid draws every line; the same table with its borders set to none draws none; a thick red top
    and bottom with no inside lines draws red lines, and only around the table."""
    rnd = random.Random(seed)
    rows, cols = rnd.randint(3, 6), rnd.randint(2, 4)

    def build(edit) -> bytes:  # type: ignore[no-untyped-def]
        d = docx.Document()
        t = d.add_table(rows=rows, cols=cols)
        t.style = d.styles["Table Grid"]
        for r in range(rows):
            for c in range(cols):
                t.cell(r, c).text = "数"
        edit(t)
        return write_pdf(_saved(d))

    dark = lambda r, g, b: r < 90 and g < 90 and b < 90  # noqa: E731
    red = lambda r, g, b: r > 180 and g < 80 and b < 80  # noqa: E731
    grid = _count(_render(build(lambda t: None), tmp_path, 72), dark)
    none = _count(_render(build(lambda t: _borders(t, **{e: ("nil", 0, "auto") for e in (
        "top", "left", "bottom", "right", "insideH", "insideV")})), tmp_path, 72), dark)
    ruled = _render(build(lambda t: _borders(t, top=("single", 24, "FF0000"), bottom=("single", 24, "FF0000"),
                                             left=("nil", 0, "auto"), right=("nil", 0, "auto"),
                                             insideH=("nil", 0, "auto"), insideV=("nil", 0, "auto"))), tmp_path, 72)
    assert none < grid * 0.6, (none, grid)   # the text alone
    assert _count(ruled, red) > 2 * 72 * 3   # two 3 pt lines across the table
    assert _count(ruled, dark) <= none + 5


def _faces(pdf: bytes) -> dict[str, set[str]]:
    """Text piece → the base font names it is drawn in (subset prefixes dropped)."""
    out: dict[str, set[str]] = {}

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip() and font is not None:
            out.setdefault(text.strip(), set()).add(str(font.get("/BaseFont", "")).split("+")[-1])
    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("name", ["楷体", "黑体", "KaiTi", "SimHei"])
def test_a_font_named_on_a_run_is_the_face_a_style_of_that_name_gets(name: str) -> None:
    """The same face as a paragraph whose style names the font (both through the machine's faces of that kind);
    skipped when this machine has no face of that kind other than the body's."""
    from budgetreport.pdf.fonts import face_for_name, resolve_fonts
    own = face_for_name(name)
    if own is None or own.name == resolve_fonts().body.name:
        pytest.skip(f"no face of the kind {name} on this machine besides the body face")
    d = docx.Document()
    p = d.add_paragraph("正文前", style="Body Text")
    r = p.add_run("换字体")
    fonts = OxmlElement("w:rFonts")
    fonts.set(qn("w:eastAsia"), name)
    r._r.get_or_add_rPr().append(fonts)
    p.add_run("正文后")
    d.add_paragraph("样式字体", style="Heading 2")
    d.styles["Heading 2"].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    faces = _faces(write_pdf(_saved(d)))
    assert faces["换字体"] == faces["样式字体"], faces
    assert faces["换字体"] != faces["正文前"], faces


def _header_style_table(look_first_row: bool, seed: int) -> tuple[bytes, list[str], list[str]]:
    """A table in a table style whose first-row formatting is bold and centred; (docx, header texts, body
    texts)."""
    from docx.enum.style import WD_STYLE_TYPE
    rnd = random.Random(seed)
    d = docx.Document()
    st = d.styles.add_style("表头加粗", WD_STYLE_TYPE.TABLE)
    st.base_style = d.styles["Table Grid"]
    cond = OxmlElement("w:tblStylePr")
    cond.set(qn("w:type"), "firstRow")
    ppr, rpr, jc = OxmlElement("w:pPr"), OxmlElement("w:rPr"), OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    ppr.append(jc)
    rpr.append(OxmlElement("w:b"))
    cond.append(ppr)
    cond.append(rpr)
    st.element.append(cond)
    cols = rnd.randint(2, 4)
    t = d.add_table(rows=3, cols=cols)
    t.style = st
    look = t._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        t._tbl.tblPr.append(look)
    look.set(qn("w:firstRow"), "1" if look_first_row else "0")
    look.set(qn("w:val"), "0020" if look_first_row else "0000")
    # no digits after CJK: autospace would split the text where the test looks for it whole
    heads = ["项目" + "收支"[c % 2] + "甲乙丙丁"[c] for c in range(cols)]
    bodies = ["数据" + "甲乙丙丁"[c] for c in range(cols)]
    for c in range(cols):
        t.cell(0, c).text = heads[c]
        t.cell(1, c).text = bodies[c]
    return _saved(d), heads, bodies


@pytest.mark.parametrize("seed", range(3))
def test_header_row_bold_and_centred_by_the_table_style(seed: int) -> None:
    data, heads, bodies = _header_style_table(True, seed)
    pdf = write_pdf(data)
    faces = _faces(pdf)
    xs: dict[str, float] = {}

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            xs[text.strip()] = tm[4] * cm[0] + cm[4]
    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    modes = {s.text: s.mode for s in page_ops(pdf, 0)[0]}
    for h, b in zip(heads, bodies):
        # bold: the table's own face, filled and stroked (synthetic bold, as LibreOffice draws it)
        assert faces[h] == faces[b] and (modes[h], modes[b]) == (2, 0), (h, faces, modes)
        assert xs[h] > xs[b] + 5, (h, xs[h], xs[b])   # centred in its cell, the body text left-aligned
    plain = write_pdf(_header_style_table(False, seed)[0])   # tblLook says: no first-row look
    assert all(s.mode == 0 for s in page_ops(plain, 0)[0]), "no bold without the first-row look"
