"""A unit's edits to paragraph spacing reach the PDF (issue 11 item 2): line spacing (exact, at least, a
multiple) and space before/after set in a style of its template. The default template states every contract
style's spacing (the built-in looks' values), so the default report keeps its layout."""
from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from budgetreport.pdf import read_docx, write_pdf
from pdfops import line_height_em, page_ops
from test_pdf import LONG, make_docx


def _with_body_spacing(rule: str, value: float) -> bytes:
    d = docx.Document(io.BytesIO(make_docx()))
    fmt = d.styles["Body Text"].paragraph_format
    if rule == "multiple":
        fmt.line_spacing = value
    else:
        fmt.line_spacing = Pt(value)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY if rule == "exact" else WD_LINE_SPACING.AT_LEAST
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _body_line_gaps(data: bytes, pdf: bytes, tmp_path: Path) -> list[float]:
    """Distances between the tops of consecutive lines that both belong to one Body Text paragraph (page 3:
    the first pages of text)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext not installed")
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    xml = subprocess.run([exe, "-bbox-layout", "-f", "3", "-l", "3", str(f), "-"], capture_output=True,
                         text=True, check=True).stdout
    bodies = [p.text.replace(" ", "") for p in read_docx(data).paragraphs() if p.style == "Body Text"]
    lines = sorted((float(re.search(r'yMin="([^"]+)"', line).group(1)),  # type: ignore[union-attr]
                    "".join(re.findall(r">([^<]+)</word>", line)))
                   for line in re.findall(r"<line.*?</line>", xml, re.S))
    gaps = []
    for (y0, t0), (y1, t1) in zip(lines, lines[1:]):
        if any(t0 in b and t1 in b and b.index(t0) < b.index(t1) for b in bodies if len(t0) > 8 and len(t1) > 8):
            gaps.append(y1 - y0)
    return gaps


@pytest.mark.parametrize("rule, value", [
    ("exact", 20.0), ("exact", 24.0), ("exact", 33.5),
    ("atLeast", 30.0), ("atLeast", 8.0),      # at least: never below single spacing
    ("multiple", 1.5), ("multiple", 1.0), ("multiple", 2.0),
])
def test_line_spacing_of_a_style_reaches_the_pdf(rule: str, value: float, tmp_path: Path) -> None:
    data = _with_body_spacing(rule, value)
    assert read_docx(data).styles["Body Text"].line is not None
    pdf = write_pdf(data)
    gaps = _body_line_gaps(data, pdf, tmp_path)
    assert len(gaps) >= 2
    # single spacing is the face's own line height (its hhea ascender - descender), as LibreOffice takes it
    body = max(page_ops(pdf, 2)[0], key=lambda s: len(s.text))
    single = body.size * line_height_em(pdf, 2, body.font)
    gap = {"exact": value, "atLeast": max(value, single), "multiple": single * value}[rule]
    assert all(abs(g - gap) < 0.05 for g in gaps), (gaps, gap)


def test_space_before_a_heading_reaches_the_pdf(tmp_path: Path) -> None:
    """Heading 2 with 40 pt before: it moves down by 40 pt less the space before it had (the document's own
    Heading 2 style, python-docx's, sets one of its own)."""
    def top_of(pdf: bytes, text: str) -> float:
        exe = shutil.which("pdftotext")
        if exe is None:
            pytest.skip("pdftotext not installed")
        f = tmp_path / "y.pdf"
        f.write_bytes(pdf)
        xml = subprocess.run([exe, "-bbox-layout", str(f), "-"], capture_output=True, text=True, check=True).stdout
        tops = [float(re.search(r'yMin="([^"]+)"', line).group(1))  # type: ignore[union-attr]
                for line in re.findall(r"<line.*?</line>", xml, re.S)
                if text in "".join(re.findall(r">([^<]+)</word>", line))]
        return tops[-1]   # the heading itself, after its 目录 entry

    original = make_docx()
    d = docx.Document(io.BytesIO(original))
    had = d.styles["Heading 2"].paragraph_format.space_before.pt
    d.styles["Heading 2"].paragraph_format.space_before = Pt(40)
    buf = io.BytesIO()
    d.save(buf)
    heading = next(p.text for p in read_docx(original).paragraphs() if p.style == "Heading 2")
    moved = top_of(write_pdf(buf.getvalue()), heading[:4]) - top_of(write_pdf(original), heading[:4])
    assert had != 40 and abs(moved - (40 - had)) < 0.05, (moved, had)


def _with_default_line(multiple: float | None) -> bytes:
    """The report with Body Text's (and its based-on styles') line spacing removed and the document defaults'
    (w:pPrDefault) set to `multiple` (None: none set there either)."""
    d = docx.Document(io.BytesIO(make_docx()))
    style = d.styles["Body Text"]
    while style is not None:
        spacing = style.element.find(qn("w:pPr") + "/" + qn("w:spacing"))
        for attr in ("w:line", "w:lineRule"):
            if spacing is not None and spacing.get(qn(attr)) is not None:
                del spacing.attrib[qn(attr)]
        style = style.base_style
    ppr = d.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    assert ppr is not None
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        ppr.append(spacing)
    for attr in ("w:line", "w:lineRule"):
        spacing.attrib.pop(qn(attr), None)
    if multiple is not None:
        spacing.set(qn("w:line"), str(round(multiple * 240)))
        spacing.set(qn("w:lineRule"), "auto")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(6))
def test_a_style_without_line_spacing_takes_the_document_defaults_else_single(seed: int, tmp_path: Path) -> None:
    """Word's and LibreOffice's rule: the style chain, then w:docDefaults, then single spacing (not the
    built-in look's 1.75)."""
    rnd = random.Random(seed)
    multiple = None if seed == 0 else rnd.choice([1.0, 1.15, 1.25, 1.5, 2.0, 2.5])
    data = _with_default_line(multiple)
    pdf = write_pdf(data)
    gaps = _body_line_gaps(data, pdf, tmp_path)
    assert len(gaps) >= 2
    body = max(page_ops(pdf, 2)[0], key=lambda s: len(s.text))
    single = body.size * line_height_em(pdf, 2, body.font)
    want = single * (round((multiple or 1.0) * 240) / 240)
    assert all(abs(g - want) < 0.05 for g in gaps), (multiple, gaps, want)
