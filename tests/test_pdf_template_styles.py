"""Styles are found by id and by name case-insensitively (issue 11 item 2): a template saved by LibreOffice names
its 目录 styles "TOC 1"/"TOC 2", and the PDF keeps the 目录's indentation, links and page numbers."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from budgetreport.pdf import read_docx, write_pdf
from test_pdf import make_docx


def _renamed(data: bytes, rename) -> bytes:  # type: ignore[no-untyped-def]
    """The .docx with styles.xml's w:name values changed by rename(name) (None: the w:name removed)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/styles.xml":
                def sub(m: re.Match[str]) -> str:
                    new = rename(m.group(1))
                    return "" if new is None else f'<w:name w:val="{new}"/>'
                body = re.sub(r'<w:name w:val="([^"]*)"/>', sub, body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def _toc_view(pdf: bytes) -> tuple[int, list[str]]:
    """(number of links, the x position of each 目录 line's first text) of the 目录 page."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[1]
    links = [a for a in page.get("/Annots") or [] if a.get_object().get("/Subtype") == "/Link"]
    starts: list[str] = []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: starts.append(f"{tm[4]:.1f}") if text.strip() else None)
    return len(links), starts


@pytest.mark.parametrize("rename", [
    lambda n: n.upper() if n.lower().startswith("toc") else n,          # "TOC 1", "TOC HEADING", as LibreOffice
    lambda n: n.title() if n.lower().startswith("toc") else n,          # "Toc 1"
    lambda n: None if n.lower() in ("toc 1", "toc 2") else n,           # no name: the id ("TOC1") says which
], ids=["upper", "title", "id-only"])
def test_toc_styles_are_found_whatever_the_case_of_their_names(rename) -> None:  # type: ignore[no-untyped-def]
    original = make_docx()
    renamed = _renamed(original, rename)
    assert renamed != original
    styles = [p.style for p in read_docx(renamed).paragraphs() if p.style.lower().startswith("toc")]
    assert styles and set(styles) <= {"toc 1", "toc 2", "TOC Heading"}
    links, starts = _toc_view(write_pdf(renamed))
    assert links >= 3
    assert (links, starts) == _toc_view(write_pdf(original))
