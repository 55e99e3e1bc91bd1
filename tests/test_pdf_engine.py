"""Never silently drop what the template has (issue 11 item 3): a unit's template with something the built-in
PDF engine does not render is noticed; the build then uses LibreOffice (when installed), fails with a Chinese
message naming the template file and the feature, or — with --pdf-engine builtin — builds and says what the PDF
leaves out."""
from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path
from typing import Callable

import pytest
from docx.oxml import parse_xml
from docx.shared import Pt

from budgetreport import pdf as pdf_writer
from budgetreport.build import build_report
from budgetreport.errors import BudgetError
from budgetreport.pdf.engine import unsupported_features
from conftest import SAMPLE, UNIT, unit_report_template

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _png(path: Path) -> Path:
    """A 2×2 grey PNG, made here."""
    raw = b"".join(b"\x00" + b"\x80" * 2 for _ in range(2))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def _first_body(doc):  # type: ignore[no-untyped-def]
    return next(p for p in doc.paragraphs if p.style.name == "Body Text")


def _image(tmp: Path) -> Callable:  # type: ignore[type-arg]
    return lambda doc: _first_body(doc).add_run().add_picture(str(_png(tmp / "logo.png")), width=Pt(20))


def _xml_in_run(xml: str) -> Callable:  # type: ignore[type-arg]
    return lambda doc: _first_body(doc).add_run()._r.append(parse_xml(xml))


EDITS = {
    "脚注": lambda tmp: _xml_in_run(f'<w:footnoteReference {W} w:id="1"/>'),
    "批注": lambda tmp: _xml_in_run(f'<w:commentReference {W} w:id="0"/>'),
    "文本框": lambda tmp: _xml_in_run(f'<w:pict {W}><w:txbxContent><w:p/></w:txbxContent></w:pict>'),
    "修订（未接受的修改）": lambda tmp: lambda doc: _first_body(doc)._p.append(parse_xml(
        f'<w:ins {W} w:id="9" w:author="张三" w:date="2025-01-01T00:00:00Z"><w:r><w:t>新增</w:t></w:r></w:ins>')),
    "分栏": lambda tmp: lambda doc: doc.sections[-1]._sectPr.append(parse_xml(f'<w:cols {W} w:num="2"/>')),
    "图片": _image,
}


@pytest.mark.parametrize("feature", list(EDITS))
def test_each_unsupported_feature_is_named(feature: str, root: Path, tmp_path: Path) -> None:
    path = unit_report_template(root, EDITS[feature](tmp_path))
    assert unsupported_features(path) == [feature]


def test_the_shipped_template_has_none() -> None:
    from budgetreport.templates import PACKAGED_DEFAULTS
    assert unsupported_features(PACKAGED_DEFAULTS / "report.docx") == []


def test_without_libreoffice_the_build_fails_naming_file_and_feature(root: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    unit_report_template(root, EDITS["脚注"](tmp_path))
    monkeypatch.setattr(pdf_writer, "_soffice", lambda: None)   # this machine without LibreOffice
    out = tmp_path / "out"
    with pytest.raises(BudgetError) as e:
        build_report(SAMPLE, out, templates_root=root)
    assert "report.docx" in e.value.message and "脚注" in e.value.message and "LibreOffice" in e.value.message
    assert e.value.file and Path(e.value.file) == root / UNIT / "report.docx"
    assert "删除" in (e.value.hint or "") and "--pdf-engine builtin" in (e.value.hint or "")
    assert not out.exists() or not any(out.iterdir()), "no file is written"


def test_builtin_engine_builds_and_warns(root: Path, tmp_path: Path) -> None:
    unit_report_template(root, EDITS["批注"](tmp_path))
    result = build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf_engine="builtin")
    assert result.pdf is not None and result.pdf.read_bytes().startswith(b"%PDF")
    notes = [w for w in result.warnings if w.rule == "PDF-ENGINE"]
    assert len(notes) == 1 and "批注" in notes[0].message and "report.docx" in notes[0].message
    assert result.fonts.startswith("PDF 字体")


def test_a_template_without_them_is_built_by_the_builtin_engine(root: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_writer, "_soffice", lambda: None)
    result = build_report(SAMPLE, tmp_path / "out", templates_root=root)
    assert result.fonts.startswith("PDF 字体") and not [w for w in result.warnings if w.rule == "PDF-ENGINE"]


def test_with_libreoffice_the_build_uses_it_and_says_so(root: Path, tmp_path: Path) -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice not installed")
    unit_report_template(root, EDITS["图片"](tmp_path))
    result = build_report(SAMPLE, tmp_path / "out", templates_root=root)
    assert result.pdf is not None and result.pdf.read_bytes().startswith(b"%PDF")
    assert "LibreOffice" in result.fonts and "图片" in result.fonts and "\n" not in result.fonts
