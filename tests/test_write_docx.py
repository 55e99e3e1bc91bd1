"""The fill stage gives exactly what docxtpl's own render of a python-docx Document gave, part for part and byte
for byte (in the same zip order), for the default template and for one with a header, footnotes, pictures,
sections and listing values."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Inches
from docxtpl import DocxTemplate
from lxml import etree
from PIL import Image

from budgetreport.derive import derive
from budgetreport.docx_package import FIXED_ZIP_TIME, deflate, write_zip
from budgetreport.errors import BudgetError
from budgetreport.read import read_workbook
from budgetreport.templates import PACKAGED_DEFAULTS, make_env, template_set
from budgetreport.write_docx import _set_properties, fill_docx, merge_marked_cells, normalize_zip
from conftest import SAMPLE, UNIT, unit_report_template

FOOTNOTES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
             '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             '<w:footnote w:id="1"><w:p><w:r><w:t>注：{{ unit.name }}，{{ unit.year }}年</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>')


@pytest.fixture(scope="module")
def facts() -> dict:
    return derive(read_workbook(SAMPLE))


def docxtpl_render(facts: dict, templates) -> bytes:
    """The stage as it was: docxtpl renders a python-docx Document (body parsed strictly), then save + re-zip."""
    tpl = DocxTemplate(str(templates.require("report.docx")))
    tpl.fix_tables = lambda xml: etree.fromstring(xml.encode("utf-8"))
    tpl.render(facts, jinja_env=make_env(templates), autoescape=True)
    merge_marked_cells(tpl.docx.element.body)
    _set_properties(tpl.docx.core_properties, facts)
    raw = io.BytesIO()
    tpl.docx.save(raw)
    return normalize_zip(raw.getvalue())


def parts(docx: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return [(name, z.read(name)) for name in z.namelist()]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _with_footnotes(data: bytes) -> bytes:
    """python-docx cannot add footnotes: add the part, its relationship and its content type by hand."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            blob = src.read(name)
            if name == "[Content_Types].xml":
                blob = blob.replace(b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
            elif name == "word/_rels/document.xml.rels":
                blob = blob.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/footnotes" '
                                    b'Target="footnotes.xml"/></Relationships>')
            dst.writestr(name, blob)
        dst.writestr("word/footnotes.xml", FOOTNOTES.encode("utf-8"))
    return out.getvalue()


def _rich_template(path: Path) -> None:
    """The default report.docx plus a templated header, footnotes, two pictures, a second section, and values
    holding \\n, \\t, &, <."""
    doc = Document(str(PACKAGED_DEFAULTS / "report.docx"))
    doc.sections[0].header.paragraphs[0].text = "{{ unit.name }}页眉 & {{ unit.year }}"
    doc.add_paragraph("{{ '甲\\n乙\\t丙' }} {{ unit.name }} & <b> {{ '&<>\"' }}", style="Body Text")
    for _ in range(2):
        doc.add_picture(io.BytesIO(_png()), width=Inches(0.5))
    doc.add_section()                                   # docxtpl renders footnotes once per section
    raw = io.BytesIO()
    doc.save(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_with_footnotes(raw.getvalue()))


def test_default_template_same_bytes_as_docxtpl(facts):
    templates = template_set(UNIT)
    assert parts(fill_docx(facts, templates).data) == parts(docxtpl_render(facts, templates))


def test_header_footnotes_pictures_listing_same_bytes_as_docxtpl(facts, root):
    _rich_template(root / UNIT / "report.docx")
    templates = template_set(UNIT, "", root)
    ours = fill_docx(facts, templates).data
    assert parts(ours) == parts(docxtpl_render(facts, templates))
    filled = dict(parts(ours))
    assert f"{UNIT}页眉 &amp; 2025".encode() in filled["word/header1.xml"]
    assert f"注：{UNIT}，2025年".encode() in filled["word/footnotes.xml"]
    document = filled["word/document.xml"]
    assert b'id="1001"' in document and b'id="1002"' in document
    assert "甲</w:t><w:br/>".encode() in document and b"<w:tab/>" in document


def test_template_edited_on_disk_is_taken_apart_again(facts, root):
    target = root / UNIT / "report.docx"
    target.parent.mkdir()
    shutil.copy(PACKAGED_DEFAULTS / "report.docx", target)
    templates = template_set(UNIT, "", root)
    first = fill_docx(facts, templates).data
    _rich_template(target)
    second = fill_docx(facts, templates).data
    assert first != second and parts(second) == parts(docxtpl_render(facts, templates))


def test_filled_xml_that_is_broken_is_an_error_naming_the_template(facts, root):
    unit_report_template(root, lambda doc: doc.add_paragraph("{{ '<w:p>' | safe }}", style="Body Text"))
    with pytest.raises(BudgetError) as info:
        fill_docx(facts, template_set(UNIT, "", root)).data
    assert "不是有效的 XML" in str(info.value) and "report.docx" in str(info.value)


def test_missing_value_in_a_header_is_an_error_naming_it(facts, root):
    def edit(doc) -> None:
        doc.sections[0].header.paragraphs[0].text = "{{ unit.no_such_header_field }}"
    unit_report_template(root, edit)
    with pytest.raises(BudgetError) as info:
        fill_docx(facts, template_set(UNIT, "", root)).data
    assert "no_such_header_field" in str(info.value) and "report.docx" in str(info.value)


def test_same_bytes_in_another_process(facts):
    script = ("import sys; from budgetreport.derive import derive; from budgetreport.read import read_workbook; "
              "from budgetreport.templates import template_set; from budgetreport.write_docx import fill_docx; "
              f"sys.stdout.buffer.write(fill_docx(derive(read_workbook({str(SAMPLE)!r})), template_set({UNIT!r})).data)")
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout
    assert other == fill_docx(facts, template_set(UNIT)).data


def test_zip_is_what_zipfile_writes():
    entries = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document>" * 500),
               ("media/图.png", _png()), ("empty.xml", b"")]
    reference = io.BytesIO()
    with zipfile.ZipFile(reference, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    assert write_zip([deflate(name, data) for name, data in entries]) == reference.getvalue()


def test_the_pdf_stage_reads_the_filled_tree_as_it_would_read_the_file(facts):
    """build hands the PDF stage the tree the .docx was serialised from: same model, same PDF bytes as from the
    file itself."""
    from budgetreport import pdf
    from budgetreport.pdf.docmodel import read_docx
    from budgetreport.write_docx import fill_docx

    filled = fill_docx(facts, template_set(UNIT))
    assert filled.data == fill_docx(facts, template_set(UNIT)).data
    assert list(filled.parsed) == ["word/document.xml"]
    assert read_docx(filled) == read_docx(filled.data)
    fonts = pdf.resolve_fonts(None)
    assert pdf.write_pdf(filled, fonts=fonts) == pdf.write_pdf(filled.data, fonts=fonts)


def _other_figures(value):  # type: ignore[no-untyped-def]
    """The same facts with every amount changed (real units share the template's text, not its figures)."""
    import dataclasses

    from budgetreport.amounts import Amount, Percent
    if isinstance(value, (Amount, Percent)):
        return dataclasses.replace(value, value=value.value + 1000)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _other_figures(getattr(value, f.name))
                                             for f in dataclasses.fields(value)})
    if isinstance(value, dict):
        return {k: _other_figures(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_other_figures(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"-?[\d,]+\.\d+", value):
        return "1" + value.lstrip("-")
    return value


def test_reports_with_other_figures_read_from_the_fill_stages_bytes_as_from_the_file(facts):
    """The PDF stage finds the rows and paragraphs of a report again by their shape, met in other reports with
    other figures: the model is the one the file itself gives, in either order."""
    from budgetreport.pdf.docmodel import read_docx
    from budgetreport.write_docx import fill_docx

    first = fill_docx(facts, template_set(UNIT))
    second = fill_docx(_other_figures(facts), template_set(UNIT))
    assert first.data != second.data
    for filled in (second, first, second):
        assert read_docx(filled) == read_docx(filled.data)


def test_an_error_in_the_body_shows_the_lines_around_it(facts, root):
    """An error met while rendering the body is shown at its place in the document, with the sentence around it."""
    unit_report_template(root, lambda doc: doc.add_paragraph("附近的文字 {{ unit.name | no_such_filter }}"))
    with pytest.raises(BudgetError) as info:
        fill_docx(facts, template_set(UNIT, "", root)).data
    message = str(info.value)
    from docx import Document
    last_part = [p.text for p in Document(str(root / UNIT / "report.docx")).paragraphs if p.style.name == "Heading 1"][-1]
    assert "“no_such_filter”不是可用的过滤器" in message and "附近的文字 {{ unit.name | no_such_filter }}" in message
    assert last_part[:6] in message and "report.docx" in message          # placed as a clerk finds it
