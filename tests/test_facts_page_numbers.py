"""Issue 11 item 6 (.docx part): every section's first page carries the page number; only the cover has none.

Before, every section had "different first page" set, so in Word/LibreOffice the first page of each landscape
section (表2, 表7) had an empty footer."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import ROOT


def _effective_footer_xml(doc, index: int) -> str:
    """The default footer a section shows: its own, or the nearest earlier section's (Word's "link to previous")."""
    for i in range(index, -1, -1):
        footer = doc.sections[i].footer
        if not footer.is_linked_to_previous:
            return footer._element.xml
    return ""


@pytest.mark.parametrize("which", ["template", "built"])
def test_only_the_cover_has_a_different_first_page(built_docx, which):
    path = ROOT / "templates" / "default" / "report.docx" if which == "template" else built_docx
    doc = Document(str(path))
    assert len(doc.sections) == 5
    titled = [s._sectPr.find(qn("w:titlePg")) is not None for s in doc.sections]
    assert titled == [True, False, False, False, False]
    for i in range(len(doc.sections)):
        xml = _effective_footer_xml(doc, i)
        assert re.search(r'w:instr="\s*PAGE\s*"', xml), f"section {i + 1} shows no page number"


def test_libreoffice_prints_a_number_on_every_page_but_the_cover(built_docx, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI 应安装 LibreOffice 与 poppler-utils（.ci/run）")
        pytest.skip("LibreOffice or pdftotext not installed")
    src = tmp_path / "report.docx"
    shutil.copy(built_docx, src)
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                          capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") \
        else ""
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if info else 40
    landscape_first = []
    for n in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                              capture_output=True, text=True).stdout
        if not text.strip():
            break
        numbered = re.search(rf"—\s*{n}\s*—", text) is not None
        assert numbered == (n != 1), f"page {n}: {'no' if n != 1 else 'a'} page number\n{text[-300:]}"
        if "单位收入总体情况表" in text and "表2" in text or "一般公共预算项目支出情况表" in text and "表7" in text:
            landscape_first.append(n)
    assert len(landscape_first) >= 2            # the first pages of the landscape sections were among them
