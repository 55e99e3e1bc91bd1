"""The space between CJK and Latin letters or digits ("2025 年") that Word and LibreOffice put in (issue 11:
what the template sets is what gets published): w:autoSpaceDE (letters) and w:autoSpaceDN (digits) of the
paragraph, its style or the document defaults, on where none says; a fifth of the font size, as LibreOffice
draws it, never next to punctuation. Generated paragraphs; what is expected is worked out here from the text
and the switches, and read back from the PDF with pdftotext's word boxes (a kern splits a word there)."""
from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from budgetreport.pdf import write_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")

TOKENS = {
    "cjk": ["预算", "收入", "万元", "单位", "年", "科室"],
    "latin": ["abc", "XYZ", "PDF", "Word"],
    "digit": ["2025", "3", "12319", "197.31"],
    "punct": ["，", "（", "）", "%", "、", "“"],
}
SWITCHES = ("autoSpaceDE", "autoSpaceDN")


def _cjk(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def expected_words(text: str, letters: bool, digits: bool) -> list[str]:
    """The text cut where a kern goes: between a letter or digit and a CJK character, either way round."""
    words, start = [], 0
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if not (a.isalnum() and b.isalnum()) or _cjk(a) == _cjk(b):
            continue
        other = b if _cjk(a) else a
        if digits if other.isdigit() else letters:
            words.append(text[start:i])
            start = i
    return words + [text[start:]]


def _switch(ppr, tag: str, on: bool) -> None:
    el = OxmlElement(f"w:{tag}")
    el.set(qn("w:val"), "1" if on else "0")
    ppr.append(el)


def _document(text: str, cuts: list[int], where: str, letters: bool | None, digits: bool | None) -> bytes:
    """One Body Text paragraph of `text` in runs cut at `cuts`, the switches set `where` (None: not set)."""
    d = docx.Document()
    d.styles["Body Text"].font.size = Pt(16)
    p = d.add_paragraph(style="Body Text")
    for a, b in zip([0] + cuts, cuts + [len(text)]):
        p.add_run(text[a:b])
    if where == "paragraph":
        ppr = p._p.get_or_add_pPr()
    elif where == "style":
        ppr = d.styles["Body Text"].element.get_or_add_pPr()
    else:   # the document defaults
        defaults = d.styles.element.find(qn("w:docDefaults"))
        ppr_default = defaults.find(qn("w:pPrDefault"))
        if ppr_default is None:
            ppr_default = OxmlElement("w:pPrDefault")
            defaults.append(ppr_default)
        ppr = ppr_default.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            ppr_default.append(ppr)
    for tag, on in zip(SWITCHES, (letters, digits)):
        if on is not None:
            _switch(ppr, tag, on)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float]]:
    """(text, xMin, xMax, yMin) of each word pdftotext finds on the first line of page 1."""
    f = tmp_path / "a.pdf"
    f.write_bytes(pdf)
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(f), "-"], capture_output=True,
                         text=True, check=True).stdout
    found = [(w, float(x0), float(x1), float(y0)) for x0, y0, x1, y1, w in re.findall(
        r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="([^"]+)" yMax="([^"]+)">([^<]*)</word>', xml)]
    return [f for f in found if abs(f[3] - found[0][3]) < 3]   # the paragraph's line, not the page number


CASES = list(range(24))


@pytest.mark.parametrize("seed", CASES)
def test_kerns_between_cjk_and_latin_or_digits_follow_the_switches(seed: int, tmp_path: Path) -> None:
    rnd = random.Random(seed)
    kinds = [rnd.choice(list(TOKENS)) for _ in range(rnd.randint(4, 8))]
    text = "".join(rnd.choice(TOKENS[k]) for k in kinds)[:24]   # one line
    cuts = sorted(rnd.sample(range(1, len(text)), min(2, len(text) - 1)))
    where = rnd.choice(("paragraph", "style", "defaults"))
    letters, digits = rnd.choice((None, True, False)), rnd.choice((None, True, False))
    pdf = write_pdf(_document(text, cuts, where, letters, digits))
    want = expected_words(text, letters is not False, digits is not False)
    words = _words(pdf, tmp_path)
    assert [w for w, *_ in words] == want, (text, where, letters, digits)
    for (w0, _, x1, _), (w1, x0, _, _) in zip(words, words[1:]):   # each kern a fifth of the 16 pt size
        assert abs((x0 - x1) - 16 / 5) < 0.35, (w0, w1, x0 - x1)


@pytest.mark.parametrize("where", ["paragraph", "style", "defaults"])
def test_switched_off_the_text_runs_on(where: str, tmp_path: Path) -> None:
    text = "下设3个科室abc中文"
    pdf = write_pdf(_document(text, [2, 9], where, False, False))
    assert [w for w, *_ in _words(pdf, tmp_path)] == [text]
    pdf = write_pdf(_document(text, [2, 9], where, None, None))
    assert [w for w, *_ in _words(pdf, tmp_path)] == ["下设", "3", "个科室", "abc", "中文"]


def test_no_kern_next_to_punctuation(tmp_path: Path) -> None:
    """（12319）and 5% take none: a kern only between a letter or digit and a CJK character."""
    pdf = write_pdf(_document("热线（12319）增长5%的“abc”", [], "style", None, None))
    assert [w for w, *_ in _words(pdf, tmp_path)] == ["热线（12319）增长", "5%的“abc”"]
