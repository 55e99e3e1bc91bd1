"""Tables whose rows cannot go over a page as they are: header rows that leave no room for a row below them
(not repeated then), a row taller than the page (split inside). reportlab would stop with a LayoutError — a
traceback for a template a clerk made; what cannot be laid out at all is a Chinese error naming the template.
Tables are generated; every cell's text must be in the PDF, lines of a tall cell in order."""
from __future__ import annotations

import random
import shutil

import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.shared import Pt
from reportlab.platypus.doctemplate import LayoutError

from budgetreport.errors import BudgetError
from budgetreport.pdf import write_pdf
from test_pdf_draw_style import _saved, _template
from textutil import norm, pdf_pages

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


def _table(rnd: random.Random, tall_row: bool):  # type: ignore[no-untyped-def]
    d = _template()
    rows, cols = rnd.randint(3, 6), rnd.randint(2, 4)
    t = d.add_table(rows=rows, cols=cols)
    t.style = d.styles["Table Grid"]
    texts = []
    for r in range(rows):
        for c in range(cols):
            p = t.cell(r, c).paragraphs[0]
            p.style = d.styles["Table Text"]
            if tall_row and r == 1 and c == 0:
                lines = [f"第{k}行内容" for k in range(rnd.randint(45, 70))]
                p.text = "\n".join(lines)
                texts += lines
                continue
            p.text = f"格{r}-{c}"
            texts.append(p.text)
    if not tall_row:   # every row over half the page tall (exact line spacing): a header row and one below
        fmt = d.styles["Table Text"].paragraph_format   # it do not fit on one page together
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(rnd.randint(330, 450))
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return d, texts


@pytest.mark.parametrize("seed", range(6))
def test_header_rows_with_no_room_below_them_are_not_repeated(seed: int) -> None:
    d, texts = _table(random.Random(seed), tall_row=False)
    text = norm("".join(pdf_pages(write_pdf(_saved(d)))))
    for t in texts:
        assert norm(t) in text, (seed, t)


@pytest.mark.parametrize("seed", range(4))
def test_a_row_taller_than_the_page_is_split_inside(seed: int) -> None:
    d, texts = _table(random.Random(100 + seed), tall_row=True)
    pages = pdf_pages(write_pdf(_saved(d)))
    assert len(pages) >= 2
    text = norm("".join(pages))
    at = [text.find(norm(t)) for t in texts if t.startswith("第")]
    assert -1 not in at and at == sorted(at), seed   # every line, in order


def test_what_cannot_be_laid_out_is_a_chinese_error_naming_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    import budgetreport.pdf as pdf
    from budgetreport.build import render_report
    from conftest import SAMPLE

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise LayoutError("too large")

    monkeypatch.setattr(pdf, "write_pdf", boom)
    with pytest.raises(BudgetError) as e:
        render_report(SAMPLE, pdf_engine="builtin")
    assert "report.docx" in str(e.value) and "比一页还高" in str(e.value)
    assert "LibreOffice" in (e.value.hint or "")


@pytest.mark.parametrize("seed", range(6))
def test_line_spacing_set_on_a_cells_paragraph(seed: int) -> None:
    """A cell's paragraph with its own exact line spacing (Word's paragraph dialog inside a table): its row is
    that spacing × its lines tall, plus the cell's top and bottom padding (1.5 + 2.5 pt); the other rows keep
    the Table Text style's 11.25 pt."""
    from pdfops import page_ops

    rnd = random.Random(seed)
    d = _template()
    rows = rnd.randint(3, 7)
    t = d.add_table(rows=rows, cols=2)
    t.style = d.styles["Table Grid"]
    want = []
    for r in range(rows):
        lines, exact = rnd.randint(1, 3), rnd.choice([None, 14.0, 18.5, 24.0, 31.0])
        for c in range(2):
            p = t.cell(r, c).paragraphs[0]
            p.style = d.styles["Table Text"]
            p.text = "\n".join(f"格{r}{c}第{k}行" for k in range(lines if c == 0 else 1))
            if c == 0 and exact is not None:
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                p.paragraph_format.line_spacing = Pt(exact)
        want.append(max(lines * (exact or 11.25), 11.25) + 4.0)
    _, lines_drawn = page_ops(write_pdf(_saved(d)), 0)
    ys = sorted({round(ln.y0, 2) for ln in lines_drawn if ln.horizontal}, reverse=True)
    heights = [a - b for a, b in zip(ys, ys[1:])]
    assert len(heights) == rows, (seed, heights)
    assert all(abs(h - w) < 0.05 for h, w in zip(heights, want)), (seed, heights, want)
