"""No blank page when a table's title and header rows together are taller than a page (issue 11 item 6): the
room a table asks to keep with its 表号/标题 is at most the frame's height."""
from __future__ import annotations

import io
import random
import re

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from budgetreport.pdf import write_pdf
from test_pdf import _header_row, _set_cell, _style


def _tall_block(seed: int) -> tuple[bytes, list[str]]:
    """A page of text, then a page break, then 表号 + a title of many lines + a table whose header rows are
    tall (many lines each; together less than a page, as repeated header rows must be) and body rows follow;
    sizes drawn at random. Returns the .docx and the texts that must be seen."""
    rnd = random.Random(seed)
    d = docx.Document()
    for name in ("Table Number", "Table Title", "Table Text", "Body Text"):
        _style(d, name)
    d.add_paragraph("前面的正文。" * rnd.randint(1, 40), style="Body Text")
    d.add_paragraph(style="Body Text").add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    d.add_paragraph("表1", style="Table Number")
    title = "单位收支总体情况表" * rnd.randint(10, 40)
    d.add_paragraph(title, style="Table Title")
    heads, body = rnd.randint(1, 3), rnd.randint(3, 60)
    t = d.add_table(rows=heads + body, cols=3)
    t.style = d.styles["Table Grid"]
    lines = rnd.randint(4, 12)
    for r in range(heads):
        for c in range(3):
            _set_cell(t.rows[r].cells[c], "\n".join(f"表头{r}{c}行{i}" for i in range(lines)),
                      WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        _header_row(t.rows[r])
    for r in range(body):
        for c in range(3):
            _set_cell(t.rows[heads + r].cells[c], f"数据{r}-{c}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue(), [f"数据{r}-{c}" for r in range(body) for c in range(3)]


@pytest.mark.parametrize("seed", range(12))
def test_a_block_taller_than_a_page_leaves_no_blank_page(seed: int) -> None:
    data, cells = _tall_block(seed)
    pages = [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(write_pdf(data))).pages]
    for n, text in enumerate(pages, start=1):
        without_footer = re.sub(rf"—{n}—$", "", text)
        assert without_footer, f"page {n} of {len(pages)} is blank"
    seen = "".join(pages)
    assert all(c in seen for c in cells)
