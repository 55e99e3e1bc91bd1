"""Text extraction and normalisation shared by the golden tests."""
from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "!": "！", "?": "？"})
_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    """Compare text the way a reader does: no white space, full-width punctuation, no markdown marks."""
    text = text.replace("**", "")
    return _WS.sub("", text).translate(_FULL)


def reference_lines(path: Path) -> list[str]:
    """The reference text as comparable lines: prose lines, and table rows as their non-empty cells."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\s*-\s+", "", raw)
        if "\t" in line:
            cells = [norm(c) for c in line.split("\t") if norm(c)]
            text = "|".join(cells)
        else:
            text = norm(line)
        if text:
            out.append(text)
    return out


def _tc_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))


def docx_lines(path: Path | bytes) -> list[str]:
    """Every paragraph and every table row of a .docx body, in document order."""
    import io
    doc = Document(io.BytesIO(path) if isinstance(path, bytes) else str(path))
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            text = norm("".join(t.text or "" for t in el.iter(qn("w:t"))))
            if text:
                out.append(text)
        elif el.tag == qn("w:tbl"):
            for tr in el.iter(qn("w:tr")):
                cells = [norm(_tc_text(tc)) for tc in tr.findall(qn("w:tc"))]
                cells = [c for c in cells if c]
                if cells:
                    out.append("|".join(cells))
    return out


def missing_in_order(reference: list[str], produced: list[str]) -> list[str]:
    """Reference lines that do not appear in `produced` in the same order (repeated page headers allowed)."""
    missing = []
    pos = 0
    seen = set()
    for line in reference:
        if line in seen:              # a repeated line (table header on its next page, 单位：万元): seen already
            continue
        try:
            pos = produced.index(line, pos) + 1
            seen.add(line)
        except ValueError:
            missing.append(line)
    return missing


def pdf_pages(pdf: bytes | Path, *args: str) -> list[str]:
    """Each page's text as poppler's pdftotext gives it (`args` e.g. "-layout"); skips the test without poppler."""
    import shutil
    import subprocess
    import tempfile

    import pytest

    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = pdf if isinstance(pdf, Path) else Path(folder) / "x.pdf"
        if not isinstance(pdf, Path):
            path.write_bytes(pdf)
        out = subprocess.run([exe, *args, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]
