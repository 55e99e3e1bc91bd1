"""The .docx reader on the constructs a filled template may hold: page breaks inside runs, field results,
run containers, bold from w:b / character / paragraph styles, merged and wrapped table cells, sections."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree

from budgetreport.docx_package import FilledDocx
from budgetreport.pdf import docx_body
from budgetreport.pdf.caches import CACHES
from budgetreport.pdf.docmodel import (
    Cell,
    Document,
    PageBreak,
    Paragraph,
    Row,
    Run,
    Table,
    read_docx,
)

W_NS = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = f'xmlns:w="{W_NS.decode()}" xmlns:r="{R_NS.decode()}"'


def _docx(body: str) -> bytes:
    """python-docx's default template (its styles) with this body."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NS}><w:body>{body}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info.filename, xml if info.filename == "word/document.xml" else zin.read(info.filename))
    return out.getvalue()


def _r(text: str, rpr: str = "") -> str:
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _fld(instr: str, result: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve">{instr}</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + _r(result)
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _read(body: str) -> Document:
    return read_docx(_docx(body))


def _blocks(body: str) -> list:  # type: ignore[type-arg]
    return list(_read(body).blocks())


def test_bold_from_run_character_style_and_paragraph_style() -> None:
    body = ('<w:p>' + _r("a") + _r("b", "<w:rPr><w:b/></w:rPr>") + _r("c", '<w:rPr><w:b w:val="0"/></w:rPr>')
            + _r("d", '<w:rPr><w:rStyle w:val="Strong"/></w:rPr>') + '<w:r><w:t>e</w:t><w:rPr><w:b/></w:rPr></w:r>'
            + '</w:p><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>' + _r("f")
            + _r("g", '<w:rPr><w:b w:val="false"/></w:rPr>') + '</w:p>')
    first, heading = _blocks(body)
    assert first.runs == (Run("a"), Run("b", True), Run("c"), Run("de", True))
    assert heading == Paragraph("Heading 1", (Run("f", True), Run("g")))


def test_run_text_pieces() -> None:
    body = ('<w:p><w:r><w:tab/><w:t>a</w:t><w:br/><w:cr/><w:noBreakHyphen/><w:sym w:char="F0B7"/>'
            '<w:sym w:char="zz"/><w:t/></w:r><w:r><w:t></w:t></w:r></w:p>')
    assert _blocks(body) == [Paragraph("Normal", (Run(" a\n\n\u2011\uf0b7"),))]


def test_page_break_inside_a_run_splits_the_paragraph() -> None:
    body = ('<w:p><w:pPr><w:pageBreakBefore/><w:jc w:val="center"/></w:pPr>'
            '<w:bookmarkStart w:id="1" w:name="before"/><w:hyperlink w:anchor="_Toc1">' + _r("x") + '</w:hyperlink>'
            '<w:r><w:t>y</w:t><w:br w:type="page"/><w:t>z</w:t></w:r>'
            '<w:bookmarkStart w:id="2" w:name="_GoBack"/><w:bookmarkStart w:id="3" w:name="after"/></w:p>'
            '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    assert _blocks(body) == [
        Paragraph("Normal", (Run("xy"),), "center", True, ("before",), "_Toc1"),
        PageBreak(),
        Paragraph("Normal", (Run("z"),), "center", False, ("after",), "_Toc1"),
        PageBreak(),  # a paragraph that only breaks the page leaves no empty paragraph
    ]


def test_page_number_fields_are_skipped_other_fields_kept() -> None:
    body = ('<w:p>' + _r("a") + _fld(" PAGEREF _Toc1 \\h ", "12") + _fld("REF x", "kept")
            + '<w:fldSimple w:instr=" PAGE ">' + _r("9") + '</w:fldSimple>'
            + '<w:fldSimple w:instr="DATE">' + _r("today") + '</w:fldSimple></w:p>')
    assert _blocks(body) == [Paragraph("Normal", (Run("akepttoday"),))]


def test_runs_inside_containers() -> None:
    body = ('<w:p><w:ins w:id="1">' + _r("i") + '</w:ins><w:smartTag>' + _r("s") + '</w:smartTag><w:customXml>'
            + _r("c") + '</w:customXml><w:sdt><w:sdtPr/><w:sdtContent>' + _r("d") + '</w:sdtContent></w:sdt>'
            '<w:del>' + _r("deleted") + '</w:del>'
            '<w:r><w:drawing><w:p><w:r><w:t>in a drawing</w:t></w:r></w:p></w:drawing></w:r></w:p>')
    assert _blocks(body) == [Paragraph("Normal", (Run("iscd"),))]


def test_first_paragraph_properties_count_wherever_they_are() -> None:
    body = ('<w:p>' + _r("k") + '<w:pPr><w:pStyle w:val="Heading2"/><w:jc w:val="right"/>'
            '<w:pageBreakBefore w:val="0"/></w:pPr><w:pPr><w:pStyle w:val="Title"/></w:pPr></w:p>'
            '<w:p><w:pPr><w:pStyle w:val="NoSuchStyle"/></w:pPr></w:p>')
    doc = _read(body)
    assert list(doc.blocks()) == [Paragraph("Heading 2", (Run("k", True),), "right"), Paragraph("NoSuchStyle")]
    assert set(doc.styles) == {"Heading 2"}  # an unknown style has no StyleInfo
    assert doc.styles["Heading 2"].bold is True


def _tc(body: str, tcpr: str = "") -> str:
    return f"<w:tc>{tcpr}{body}</w:tc>"


def _p(text: str) -> str:
    return "<w:p>" + _r(text) + "</w:p>"


def test_table_cells_spans_merges_and_wrappers() -> None:
    body = ('<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="3000"/></w:tblGrid>'
            '<w:tr><w:trPr><w:tblHeader/><w:trHeight w:val="400"/></w:trPr>'
            + _tc(_p("h1"), '<w:tcPr><w:gridSpan w:val="2"/><w:vAlign w:val="center"/></w:tcPr>')
            + _tc(_p("h2"), '<w:tcPr><w:vAlign w:val="bottom"/></w:tcPr><w:tcPr><w:gridSpan w:val="3"/></w:tcPr>')
            + '</w:tr><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
            + _tc(_p("a") + _p("b"), '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>')
            + '<w:sdt><w:sdtContent>' + _tc(_p("in sdt"), '<w:tcPr><w:vMerge/></w:tcPr>') + '</w:sdtContent></w:sdt>'
            + '<w:customXml>' + _tc(_p("in customXml")) + '</w:customXml>'
            + '</w:tr><w:tr>'
            + _tc(_p("x") + '<w:tbl><w:tr>' + _tc(_p("n1")) + _tc(_p("n2")) + '</w:tr></w:tbl>'
                  + '<w:p><w:r><w:t>y</w:t><w:br w:type="page"/><w:t>z</w:t></w:r></w:p>')
            + _tc("") + '</w:tr></w:tbl>')
    (table,) = _blocks(body)
    assert isinstance(table, Table)
    p = lambda text: Paragraph("Normal", (Run(text),))
    assert table.grid == (100.0, 150.0, 125.0, 125.0)  # a short grid is padded with its average width
    assert table.rows == (
        Row((Cell((p("h1"),), 0, 2, valign="center"), Cell((p("h2"),), 2, valign="bottom")), True, 20.0),
        Row((Cell((p("a"), p("b")), 1, vmerge="restart"), Cell((p("in sdt"),), 2, vmerge="continue"),
             Cell((p("in customXml"),), 3))),
        Row((Cell((p("x"), p("n1"), p("n2"), p("y"), p("z")), 0), Cell((), 1))),  # page breaks dropped in cells
    )
    assert table.header_rows == 1


def test_sections_and_their_pages() -> None:
    sect = ('<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="-1000" '
            'w:bottom="800" w:left="bad" w:right="900" w:header="500" w:footer="600"/><w:titlePg/>'
            '<w:type w:val="continuous"/></w:sectPr>')
    body = ('<w:p><w:pPr>' + sect + '</w:pPr>' + _r("end of 1") + '</w:p>'
            '<w:sdt><w:sdtContent>' + _p("in a content control") + '</w:sdtContent></w:sdt>'
            '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>')
    first, second = _read(body).sections
    assert (first.page.width, first.page.height, first.page.top, first.page.left) == pytest.approx(
        (841.9, 595.3, 50.0, 90.0))
    assert first.continuous and first.title_page and first.page.landscape
    assert [b.text for b in first.blocks] == ["end of 1"]  # type: ignore[union-attr]
    assert not second.continuous and not second.page.landscape
    assert [b.text for b in second.blocks] == ["in a content control"]  # type: ignore[union-attr]


def test_equal_reads_give_equal_models() -> None:
    """The second read uses the styles worked out by the first (same template)."""
    data = _docx(_p("a") + '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>' + _r("b") + "</w:p>")
    assert read_docx(data) == read_docx(data)


# -- the fill stage's path: the tree it parsed

def _filled(body: str) -> FilledDocx:
    """The report as the fill stage hands it over: the document part parsed as it parses it."""
    data = _docx(body)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read(MAIN))
    return FilledDocx(data, {MAIN: root})


MAIN = "word/document.xml"
_TABLE = ('<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="3000"/></w:tblGrid>'
          '<w:tr><w:trPr><w:tblHeader/><w:trHeight w:val="400"/></w:trPr>'
          + _tc(_p("{h}"), '<w:tcPr><w:gridSpan w:val="2"/><w:vAlign w:val="center"/></w:tcPr>')
          + _tc('<w:p><w:pPr><w:jc w:val="right"/></w:pPr>' + _r("{a}") + _r("{b}", "<w:rPr><w:b/></w:rPr>")
                + '<w:r><w:t>{c}</w:t><w:tab/><w:t/><w:br/><w:noBreakHyphen/><w:sym w:char="0041"/></w:r></w:p>')
          + '</w:tr><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
          + _tc(_p("{a}") + _p(""), '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>')
          + '<w:sdt><w:sdtContent>' + _tc(_p("{b}"), '<w:tcPr><w:vMerge/></w:tcPr>') + '</w:sdtContent></w:sdt>'
          + '</w:tr><w:tr>'
          + _tc(_p("{c}") + '<w:tbl><w:tr>' + _tc(_p("{a}")) + '</w:tr></w:tbl>'
                + '<w:p><w:r><w:t>{h}</w:t><w:br w:type="page"/><w:t>{b}</w:t></w:r></w:p>')
          + '</w:tr><w:tr>' + _tc('<w:p><w:r><w:t>{a}</w:t><w:rPr><w:b/></w:rPr></w:r>' + _fld("PAGE", "{b}")
                                  + '<w:hyperlink w:anchor="x">' + _r("{c}") + '</w:hyperlink></w:p>')
          + '</w:tr></w:tbl>')
_BODY = ('<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>' + _r("{h}") + '</w:p>'
         + '<w:p><w:bookmarkStart w:id="0" w:name="m"/>' + _r("{a}") + '<w:r><w:br w:type="page"/></w:r>'
         + _r("{b}") + _fld("PAGEREF m", "{c}") + '</w:p><w:p/>' + _TABLE
         + '<w:p><w:pPr><w:sectPr><w:pgSz w:w="16838" w:h="11906"/></w:sectPr></w:pPr>' + _r("{a}") + '</w:p>'
         + '<w:sdt><w:sdtContent>' + _p("{c}") + '</w:sdtContent></w:sdt>' + _p("{h}")
         + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>')
_TEXTS = [{"h": "表头", "a": "1.00", "b": "2.00", "c": "名称"}, {"h": "表头", "a": "3.50", "b": "", "c": "名称"},
          {"h": "A &amp; B &lt;c&gt;", "a": " ", "b": "0.00", "c": "另一个名称"}]


@pytest.mark.parametrize("texts", _TEXTS)
def test_shapes_met_before_give_the_model_walking_gives(texts, monkeypatch) -> None:
    """Paragraphs and rows found again by their shape (recipes) give what walking their elements gives, whatever
    texts they hold (empty, escaped) and whatever was read before; the fill stage's tree gives what the file
    gives."""
    for before in _TEXTS:  # the shapes met first, with other texts
        read_docx(_filled(_BODY.format(**before)))
    filled = _filled(_BODY.format(**texts))
    model = read_docx(filled)
    assert read_docx(filled.data) == model

    def walked(self, el, record):
        slots = {t: i for i, t in enumerate(el.iter(f"{{{W_NS.decode()}}}t"))}
        return record(el, slots), [t.text or "" for t in slots]
    CACHES.clear()
    monkeypatch.setattr(docx_body._Reader, "_recipe", walked)
    assert read_docx(filled.data) == model
