"""Indents a unit sets in its template reach the PDF (issue 11 item 2): w:ind of a paragraph style and of a
paragraph itself — left, right, first line, hanging, and the same in characters (w:*Chars: hundredths of a
character, 1 character = the paragraph's font size), as Word's paragraph dialog writes them."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from budgetreport.pdf import read_docx, write_pdf
from test_pdf import LONG, make_docx

SIZE = 16.0   # Body Text in make_docx
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")


def _set_ind(ppr, attrs: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    for k in list(ind.attrib):
        del ind.attrib[k]
    for k, v in attrs.items():
        ind.set(qn(f"w:{k}"), v)


def _variant(style_ind: dict[str, str], para_ind: dict[str, str] | None = None) -> tuple[bytes, float, float]:
    """make_docx with Body Text's w:ind replaced (and, optionally, the first numbered paragraph's own w:ind);
    (the .docx, the page's left text edge, its right text edge)."""
    d = docx.Document(io.BytesIO(make_docx()))
    _set_ind(d.styles["Body Text"].element.get_or_add_pPr(), style_ind)
    if para_ind is not None:
        p = next(p for p in d.paragraphs if p.text.startswith("1、"))
        _set_ind(p._p.get_or_add_pPr(), para_ind)
    buf = io.BytesIO()
    d.save(buf)
    sec = d.sections[0]
    left = sec.left_margin.pt   # type: ignore[union-attr]
    return buf.getvalue(), left, sec.page_width.pt - sec.right_margin.pt   # type: ignore[union-attr]


def _lines_of_first_paragraph(pdf: bytes, tmp_path: Path) -> list[tuple[float, float, str]]:
    """(left, right, text) of each line of the paragraph "1、按照全口径…", in order."""
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(f), "-"], capture_output=True, text=True,
                         check=True).stdout
    target = "1、" + LONG
    out: list[tuple[float, float, str]] = []
    for line in re.findall(r"<line.*?</line>", xml, re.S):
        words = re.findall(r'<word xMin="([^"]+)" yMin="[^"]+" xMax="([^"]+)"[^>]*>([^<]+)</word>', line)
        text = "".join(w[2] for w in words)
        done = "".join(t for _, _, t in out)
        if len(text) >= 2 and target.startswith(done + text) and (out or text.startswith("1、")):
            out.append((float(words[0][0]), float(words[-1][1]), text))
        if out and "".join(t for _, _, t in out) == target:
            break
    assert "".join(t for _, _, t in out) == target, out
    return out


# (w:ind of Body Text, w:ind of the paragraph itself or None) → (first line's left, other lines' left, right
# end of a full line), each measured from the text area's edge: left from the left margin, right from the right
CASES = [
    ({"firstLine": "640", "firstLineChars": "300"}, None, (3 * SIZE, 0.0, 0.0)),   # characters win over twips
    ({"firstLine": "480"}, None, (24.0, 0.0, 0.0)),
    ({"left": "960", "hanging": "640"}, None, (16.0, 48.0, 0.0)),
    ({"leftChars": "100", "left": "200", "hangingChars": "100"}, None, (0.0, SIZE, 0.0)),
    ({"firstLineChars": "200", "rightChars": "300"}, None, (2 * SIZE, 0.0, 3 * SIZE)),
    ({"firstLineChars": "200"}, {"firstLineChars": "0", "firstLine": "0", "left": "400"}, (20.0, 20.0, 0.0)),
    ({"firstLineChars": "200"}, {"hangingChars": "200", "leftChars": "200"}, (0.0, 2 * SIZE, 0.0)),
]


@needs_pdftotext
@pytest.mark.parametrize("style_ind, para_ind, expected", CASES)
def test_indents_of_the_style_and_the_paragraph_reach_the_pdf(style_ind: dict[str, str],
                                                             para_ind: dict[str, str] | None,
                                                             expected: tuple[float, float, float],
                                                             tmp_path: Path) -> None:
    data, left, right = _variant(style_ind, para_ind)
    assert read_docx(data).styles["Body Text"].indent is not None
    lines = _lines_of_first_paragraph(write_pdf(data), tmp_path)
    assert len(lines) >= 3
    first, rest, right_in = expected
    assert abs(lines[0][0] - (left + first)) < 0.6, (lines[0], left + first)
    for x0, _, text in lines[1:]:
        assert abs(x0 - (left + rest)) < 0.6, (text, x0, left + rest)
    # a justified full line (not the last) ends at the right indent
    for _, x1, text in lines[:-1]:
        assert abs(x1 - (right - right_in)) < 1.0, (text, x1, right - right_in)
