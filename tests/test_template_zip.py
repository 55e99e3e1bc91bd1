"""No duplicate zip entry in a filled .docx, whoever saved the template (issue 11 item 6, zip part): names unique,
no warning printed, the core properties the report sets."""
from __future__ import annotations

import collections
import io
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import docx
import pytest

from budgetreport.build import build_report
from conftest import ROOT, SAMPLE, UNIT

# the default template converted by `soffice --headless --convert-to docx` (LibreOffice 7.x)
LIBREOFFICE_TEMPLATE = ROOT / "tests" / "data" / "report-libreoffice.docx"
_CORE_TYPE = b"package/2006/relationships/metadata/core-properties"


def _rezipped(data: bytes, edit) -> bytes:
    """The same package with edit(name, bytes) → [(name, bytes), …] applied to each entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")                     # building a broken input on purpose
        for name in src.namelist():
            for new_name, new_data in edit(name, src.read(name)):
                dst.writestr(new_name, new_data)
    return out.getvalue()


def _variants() -> dict[str, bytes]:
    lo = LIBREOFFICE_TEMPLATE.read_bytes()
    default = (ROOT / "templates" / "default" / "report.docx").read_bytes()
    other_type = b"officeDocument/2006/relationships/metadata/core-properties"
    lo_type = b"officedocument/2006/relationships/metadata/core-properties"       # what LibreOffice writes
    assert lo_type in zipfile.ZipFile(io.BytesIO(lo)).read("_rels/.rels")
    return {
        "saved by LibreOffice": lo,
        "LibreOffice, core properties under the officeDocument type": _rezipped(
            lo, lambda n, d: [(n, d.replace(lo_type, other_type) if n == "_rels/.rels" else d)]),
        "default, core properties under LibreOffice's type": _rezipped(
            default, lambda n, d: [(n, d.replace(_CORE_TYPE, lo_type) if n == "_rels/.rels" else d)]),
        "default, core properties under the officeDocument type": _rezipped(
            default, lambda n, d: [(n, d.replace(_CORE_TYPE, other_type) if n == "_rels/.rels" else d)]),
        "no core properties at all": _rezipped(
            lo, lambda n, d: [] if n == "docProps/core.xml" else
            [(n, re.sub(rb'<Relationship [^>]*core-properties[^>]*/>', b"", d) if n == "_rels/.rels" else d)]),
        "a template whose zip already repeats an entry": _rezipped(
            default, lambda n, d: [(n, d), (n, d)] if n == "docProps/app.xml" else [(n, d)]),
        "the default": default,
    }


@pytest.mark.parametrize("variant", list(_variants()))
def test_filled_docx_has_each_name_once_and_no_warning(root: Path, tmp_path: Path, variant: str) -> None:
    (root / UNIT).mkdir()
    (root / UNIT / "report.docx").write_bytes(_variants()[variant])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    assert [str(w.message) for w in caught] == []
    with zipfile.ZipFile(result.docx) as z:
        names = z.namelist()
        assert z.testzip() is None
    repeated = [n for n, count in collections.Counter(names).items() if count > 1]
    assert repeated == [] and "word/document.xml" in names and "docProps/core.xml" in names
    props = docx.Document(str(result.docx)).core_properties
    assert props.title == f"{UNIT}2025年单位预算公开" and props.author == UNIT


def test_no_warning_reaches_the_clerk(root: Path, tmp_path: Path) -> None:
    """Through the command line, as a clerk runs it: nothing on stderr but our own lines."""
    (root / UNIT).mkdir()
    shutil.copy(LIBREOFFICE_TEMPLATE, root / UNIT / "report.docx")
    done = subprocess.run([sys.executable, "-W", "always", "-m", "budgetreport.cli", "build", str(SAMPLE), "-o",
                           str(tmp_path / "out"), "--no-pdf", "-t", str(root)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Duplicate" not in done.stderr, done.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_a_template_saved_by_this_machines_libreoffice(root: Path, tmp_path: Path) -> None:
    src = tmp_path / "src" / "report.docx"
    src.parent.mkdir()
    shutil.copy(root / "default" / "report.docx", src)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "lo"), str(src)],
                   capture_output=True, timeout=240, check=True)
    (root / UNIT).mkdir()
    shutil.copy(tmp_path / "lo" / "report.docx", root / UNIT / "report.docx")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    assert [str(w.message) for w in caught] == []
    with zipfile.ZipFile(result.docx) as z:
        assert len(z.namelist()) == len(set(z.namelist()))
