"""Headers and footers come from the template's section parts (issue 11 item 2): text, PAGE / NUMPAGES /
SECTIONPAGES fields, alignment, a different first page. Generated variants of the contract-shaped document;
what each page must show is worked out from the page count alone."""
from __future__ import annotations

import io
import random
import re
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pypdf import PdfReader

from budgetreport.pdf import write_pdf
from test_pdf import make_docx
from textutil import pdf_pages

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
WORDS = "预算公开财政拨款单位收支总体情况说明"


def _field(p, instr: str) -> None:  # type: ignore[no-untyped-def]
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "9"   # what Word last computed: never shown
    r.append(t)
    fld.append(r)
    p._p.append(fld)


def _fill(p, parts: list[tuple[str, str]], align: str) -> None:  # type: ignore[no-untyped-def]
    p.text = ""
    p.alignment = ALIGN[align]
    for kind, value in parts:
        if kind == "text":
            p.add_run(value)
        else:
            _field(p, value)


def _variant(seed: int) -> tuple[bytes, dict]:  # type: ignore[type-arg]
    rnd = random.Random(seed)
    d = docx.Document(io.BytesIO(make_docx()))
    word = lambda: "".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 6)))  # noqa: E731
    spec = {
        "header": word(), "header_align": rnd.choice(list(ALIGN)),
        "footer": [("text", "第 "), ("field", "PAGE"), ("text", f" 页{word()}共 "),
                   ("field", rnd.choice(["NUMPAGES", "SECTIONPAGES"])), ("text", " 页")],
        "footer_align": rnd.choice(list(ALIGN)),
        "first": rnd.random() < 0.5,
    }
    section = d.sections[0]       # the others are linked to it: they inherit its parts
    _fill(section.header.paragraphs[0], [("text", spec["header"])], spec["header_align"])
    _fill(section.footer.paragraphs[0], spec["footer"], spec["footer_align"])
    if spec["first"]:
        for s in d.sections:
            s.different_first_page_header_footer = True
        _fill(section.first_page_footer.paragraphs[0], [("text", "首页 "), ("field", "PAGE")], "center")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue(), spec


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    return pdf_pages(pdf, "-layout")


def _section_starts(pdf: bytes) -> list[int]:
    """1-based pages where a section starts: the page size changes (the document's sections alternate
    portrait and landscape)."""
    shapes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(pdf)).pages]
    return [1] + [i + 1 for i in range(1, len(shapes)) if shapes[i] != shapes[i - 1]]


@pytest.mark.parametrize("seed", range(6))
def test_header_and_footer_show_the_templates_text_and_numbers(seed: int, tmp_path: Path) -> None:
    data, spec = _variant(seed)
    pdf = write_pdf(data)
    pages = _pages(pdf, tmp_path)
    total = len(pages)
    starts = _section_starts(pdf)
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    for n, text in enumerate(pages, start=1):
        if n == 1:   # the cover
            assert spec["header"] not in squash(text)
            continue
        start = max(s for s in starts if s <= n)
        end = min([s for s in starts if s > n] or [total + 1])
        if spec["first"] and n == start:
            want = f"首页{n}"
        else:
            count = total if spec["footer"][3][1] == "NUMPAGES" else end - start
            want = squash("".join(str(n) if v == "PAGE" else str(count) if k == "field" else v
                                  for k, v in spec["footer"]))
        lines = [squash(line) for line in text.splitlines() if line.strip()]
        assert lines[-1] == want, (n, lines[-1], want)
        if not (spec["first"] and n == start):
            assert lines[0] == spec["header"], (n, lines[0])


@pytest.mark.parametrize("align", list(ALIGN))
def test_footer_alignment_follows_the_template(align: str, tmp_path: Path) -> None:
    d = docx.Document(io.BytesIO(make_docx()))
    _fill(d.sections[0].footer.paragraphs[0], [("text", "页脚"), ("field", "PAGE")], align)
    buf = io.BytesIO()
    d.save(buf)
    pdf = write_pdf(buf.getvalue())
    page = PdfReader(io.BytesIO(pdf)).pages[1]
    xs: list[float] = []
    page.extract_text(visitor_text=lambda t, cm, tm, *_: xs.append(tm[4]) if "页脚" in t else None)
    sec = d.sections[0]
    left, right = sec.left_margin.pt, sec.page_width.pt - sec.right_margin.pt
    assert xs, "footer not found"
    x = xs[0]
    if align == "left":
        assert abs(x - left) < 1
    elif align == "right":
        assert right - 60 < x < right - 10
    else:
        assert (left + right) / 2 - 40 < x < (left + right) / 2
