"""Bold and italic in the built-in PDF engine (issue 11): as LibreOffice draws a CJK face that has neither, the
run's own face drawn filled and stroked (render mode 2, line width size/30) for bold, slanted 15° (text matrix
`1 0 0.267949 1 x y`) for italic; from the run's own properties, its character style (and the styles that one
is based on) and the paragraph style; combined with underline, colour and superscript; in body text, table
cells and bold table header rows (repeated on every page). Documents use the default template's styles, with
their bodies made here; one case edits the default template and builds the sample."""
from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from budgetreport.build import render_report
from budgetreport.pdf import write_pdf
from budgetreport.templates import PACKAGED_DEFAULTS
from conftest import SAMPLE, UNIT
from pdfops import Line, Shown, all_ops, page_ops
from textutil import norm, pdf_pages

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")

SLANT = 0.267949  # tan 15°
POOL = "预算公开财政拨款单位收支总体情况说明编制数万元一般共基金国有资本经营事业其他结转余政府性项目"


def _template() -> DocxDocument:
    """The default template with an empty body (its styles, page setup and footer kept)."""
    d = docx.Document(str(PACKAGED_DEFAULTS / "report.docx"))
    body = d.element.body
    for el in list(body):
        if not el.tag.endswith("sectPr"):
            body.remove(el)
    return d


def _saved(d: DocxDocument) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _base(font: str) -> str:
    """A font resource without its subset number (/F1+0 → /F1): the face."""
    return font.split("+")[0]


def _looks(rnd: random.Random, n: int) -> list[dict]:
    chars = rnd.sample(sorted(set(POOL)), 3 * n)
    out = []
    for i in range(n):
        out.append({"text": "".join(chars[3 * i:3 * i + 3]), "bold": rnd.random() < 0.5, "italic": rnd.random() < 0.5,
                    "underline": rnd.random() < 0.3, "red": rnd.random() < 0.3,
                    "super": rnd.random() < 0.2})
    out[0].update(bold=False, italic=False, underline=False, red=False, super=False)  # a plain run to compare with
    return out


def _add_runs(p, looks: list[dict]) -> None:  # type: ignore[no-untyped-def]
    for look in looks:
        r = p.add_run(look["text"])
        r.bold, r.italic = look["bold"] or None, look["italic"] or None
        r.underline = look["underline"] or None
        if look["red"]:
            r.font.color.rgb = RGBColor(0xFF, 0, 0)
        if look["super"]:
            r.font.superscript = True


def _check_runs(shown: list[Shown], lines: list[Line], looks: list[dict]) -> None:
    """Every character of every run drawn in its look: same face as the plain run, slanted iff italic, render
    mode 2 with width size/30 iff bold, red iff red, raised iff superscript, a line under it iff underlined."""
    by_char = {ch: look for look in looks for ch in look["text"]}
    plain = next(s for s in shown if looks[0]["text"][0] in s.text)
    seen = set()
    for s in shown:
        for ch in s.text:
            look = by_char.get(ch)
            if look is None:
                continue
            seen.add(ch)
            assert _base(s.font) == _base(plain.font), (ch, s, plain)   # the same face, never 黑体
            assert abs(s.tm[2] - (SLANT if look["italic"] else 0.0)) < 1e-6, (ch, look, s)
            assert s.mode == (2 if look["bold"] else 0), (ch, look, s)
            if look["bold"]:
                assert abs(s.width - s.size / 30) < 1e-3, (ch, s)
            assert (s.fill[:1] == (1.0,)) == look["red"], (ch, look, s)
            assert (s.rise > 0) == look["super"], (ch, look, s)
            mid = s.tm[4] + s.size * len(s.text) / 2   # CJK characters: 1 em each
            under = [ln for ln in lines if ln.horizontal and ln.x0 <= mid <= ln.x1
                     and 0 < s.tm[5] + s.rise - ln.y0 < 0.4 * s.size]
            assert bool(under) == look["underline"], (ch, look, s, under)
    assert seen == set(by_char), set(by_char) - seen


@pytest.mark.parametrize("seed", range(6))
def test_each_run_is_drawn_in_its_look_in_body_text_and_table_cells(seed: int, tmp_path: Path) -> None:
    rnd = random.Random(seed)
    n = rnd.randint(3, 6)
    looks = _looks(rnd, n + rnd.randint(3, 5))   # no character in two runs
    body_looks, cell_looks = looks[:n], looks[n:]
    cell_looks[0].update(bold=False, italic=False, underline=False, red=False, super=False)
    for part in (body_looks, cell_looks):   # a synthetic run in each (else reportlab draws the paragraph)
        if not any(look["bold"] or look["italic"] for look in part):
            part[-1]["italic"] = True
    d = _template()
    _add_runs(d.add_paragraph(style="Body Text"), body_looks)
    d.add_paragraph(style="Body Text")   # a blank line, so the table's top border is not under the runs
    t = d.add_table(rows=1, cols=1)
    t.style = d.styles["Table Grid"]
    p = t.cell(0, 0).paragraphs[0]
    p.style = d.styles["Table Text"]
    _add_runs(p, cell_looks)
    pdf = write_pdf(_saved(d))
    shown, lines = page_ops(pdf, 0)
    _check_runs(shown, lines, body_looks)
    _check_runs(shown, lines, cell_looks)
    text = norm(pdf_pages(pdf)[0])   # what a reader copies out: the same characters, in order
    assert norm("".join(look["text"] for look in body_looks)) in text
    assert norm("".join(look["text"] for look in cell_looks)) in text


def _char_style(d: DocxDocument, name: str, base: str | None, italic: bool | None) -> None:
    st = d.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    if base is not None:
        st.base_style = d.styles[base]
    st.font.italic = italic


@pytest.mark.parametrize("where", ["run style", "run style based on", "paragraph style", "table paragraph style"])
def test_italic_from_a_style(where: str) -> None:
    d = _template()
    text, other = "预算公开情况", "财政拨款说明"
    if where == "paragraph style" or where == "table paragraph style":
        st = d.styles.add_style("斜体正文", WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = d.styles["Body Text" if where == "paragraph style" else "Table Text"]
        st.font.italic = True
        if where == "paragraph style":
            d.add_paragraph(text, style="斜体正文")
        else:
            t = d.add_table(rows=1, cols=2)
            t.cell(0, 0).paragraphs[0].style = st
            t.cell(0, 0).paragraphs[0].add_run(text)
    else:
        _char_style(d, "强调甲", None, True)
        _char_style(d, "强调乙", "强调甲", None)   # italic only through its base style
        p = d.add_paragraph(style="Body Text")
        p.add_run(text).style = d.styles["强调甲" if where == "run style" else "强调乙"]
    d.add_paragraph(other, style="Body Text")
    shown, _ = page_ops(write_pdf(_saved(d)), 0)
    slanted = {s.text: s.tm[2] for s in shown}
    assert abs(slanted[text] - SLANT) < 1e-6, slanted
    assert slanted[other] == 0.0, slanted


def _bold_header_table(d: DocxDocument, rnd: random.Random) -> tuple[list[str], list[str]]:
    """A table of 70 rows (two pages) whose first row, marked to repeat (w:tblHeader), is bold; one header is
    long enough to wrap in its column."""
    cols = rnd.randint(3, 5)
    heads = ["项目" + POOL[c] + POOL[c + 5] for c in range(cols)]
    heads[-1] = "上级政府性基金安排的转移支付资金" + POOL[rnd.randrange(len(POOL))]
    t = d.add_table(rows=70, cols=cols)
    t.style = d.styles["Table Grid"]
    for c in range(cols):
        p = t.cell(0, c).paragraphs[0]
        p.style = d.styles["Table Text"]
        p.add_run(heads[c]).bold = True
        t.cell(0, c).width = Pt(60)
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    bodies = []
    for r in range(1, 70):
        for c in range(cols):
            text = f"{r * 10 + c}.00"
            t.cell(r, c).paragraphs[0].add_run(text)
            bodies.append(text)
    grid = t._tbl.tblGrid
    for gc in grid.findall(qn("w:gridCol")):
        gc.set(qn("w:w"), "1200")
    return heads, bodies


@pytest.mark.parametrize("seed", range(3))
def test_bold_header_rows_are_synthetic_bold_on_every_page(seed: int) -> None:
    d = _template()
    heads, bodies = _bold_header_table(d, random.Random(seed))
    pages = all_ops(write_pdf(_saved(d)))
    assert len(pages) >= 2
    for shown, _ in pages:
        head_ops = [s for s in shown if any(s.text and s.text in h for h in heads)]
        body_ops = [s for s in shown if s.text in bodies]
        assert body_ops and head_ops
        drawn = "".join(s.text for s in head_ops)
        assert all(ch in drawn for h in heads for ch in h), (drawn, heads)   # the wrapped header too
        assert {s.mode for s in head_ops} == {2} and {s.mode for s in body_ops} == {0}
        # one face drawn bold (synthetic), not a bold face of its own; the figures in one face too (the table
        # face, or the template's Latin face when the machine has it)
        assert len({_base(s.font) for s in head_ops}) == 1 and len({_base(s.font) for s in body_ops}) == 1


def test_a_bold_heading_keeps_its_face() -> None:
    """A heading style names its face (黑体): bold draws that face with the stroke, never another face."""
    d = _template()
    d.add_paragraph("一、加粗标题", style="Heading 2").runs[0].bold = True
    d.add_paragraph("二、常规标题", style="Heading 2")
    d.add_paragraph("正文内容说明", style="Body Text")
    shown, _ = page_ops(write_pdf(_saved(d)), 0)
    ops = {s.text: s for s in shown}
    bold, regular = ops["一、加粗标题"], ops["二、常规标题"]
    assert bold.mode == 2 and regular.mode == 0
    assert _base(bold.font) == _base(regular.font)


@pytest.fixture(scope="module")
def default_build() -> bytes:
    r = render_report(SAMPLE, pdf_engine="builtin")
    assert r.pdf is not None
    return r.pdf


def test_the_default_template_edited_to_italic_body_text(default_build: bytes, tmp_path: Path) -> None:
    """A clerk makes 正文 (Body Text) italic in Word: every body paragraph of the sample comes out slanted, in
    the same face, with the same text on the same 27 pages (a slant does not change widths)."""
    root = tmp_path / "templates"
    shutil.copytree(PACKAGED_DEFAULTS, root / "default")
    (root / UNIT).mkdir()
    d = docx.Document(str(root / "default" / "report.docx"))
    d.styles["Body Text"].font.italic = True
    d.save(str(root / UNIT / "report.docx"))
    r = render_report(SAMPLE, templates_root=root, pdf_engine="builtin")
    assert r.pdf is not None
    ours, base = pdf_pages(r.pdf), pdf_pages(default_build)
    assert len(ours) == len(base) == 27
    assert [norm(p) for p in ours] == [norm(p) for p in base]
    others = [norm(p.text) for p in docx.Document(io.BytesIO(r.docx)).paragraphs if p.style.name != "Body Text"]
    slanted = 0
    for shown, _ in all_ops(r.pdf)[2:]:   # after the cover and 目录
        for s in shown:
            if s.size == 16 and len(s.text) > 10:   # lines of 16 pt text: Body Text, Heading 2/3, Signature
                if abs(s.tm[2] - SLANT) < 1e-6:
                    slanted += 1
                else:   # upright: only other styles' lines
                    assert s.tm[2] == 0 and any(norm(s.text) in o for o in others), s
    assert slanted > 40, slanted
