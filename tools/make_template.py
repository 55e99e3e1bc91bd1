"""Builds templates/default/report.docx, the default Word template, with python-docx.

The template is a normal Word file that offices open and edit in Word or WPS; this script is how the default
one is made reviewable and reproducible. Run: python tools/make_template.py
Style names follow docs/design.md ("The filled .docx contract"); the PDF writer relies on them.
"""
from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from budgetreport import layout  # noqa: E402
from budgetreport.write_docx import normalize_zip  # noqa: E402

OUT = ROOT / "templates" / "default" / "report.docx"

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XBS = "方正小标宋简体"
SONG = "宋体"

PORTRAIT_TEXT_CM = 21.0 - 2.6 - 2.4
LANDSCAPE_TEXT_CM = 29.7 - 2.0 - 2.0

U = "{{ unit.name }}"
Y = "{{ unit.year }}"

# --------------------------------------------------------------------------- styles


def set_font(style_or_run, east_asia: str, size: float | None = None, bold: bool | None = None,
             latin: str = "Times New Roman") -> None:
    font = style_or_run.font
    font.name = latin
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def para_style(doc, name: str, east_asia: str, size: float, *, bold=False, align=None, indent_chars=0,
               left_chars=0, before=0, after=0, line=None, page_break=False, keep_next=False, outline=None):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    style.hidden = False
    style.quick_style = True
    set_font(style, east_asia, size, bold)
    style.font.italic = False
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.first_line_indent = Pt(size * indent_chars) if indent_chars else Pt(0)
    if left_chars:
        pf.left_indent = Pt(size * left_chars)
    if line:
        pf.line_spacing = Pt(line)
    pf.page_break_before = page_break
    pf.keep_with_next = keep_next
    ppr = style.element.get_or_add_pPr()
    _indent_chars(ppr, indent_chars, left_chars)
    # LibreOffice (7.4 writerfilter) reads w:overflowPunct inverted: "1" (Word's own default, so nothing
    # changes in Word) turns its hanging punctuation OFF, and '；', '、' stay inside the line, as the
    # built-in engine sets them; without the element LibreOffice hangs them past the margin.
    if ppr.find(qn("w:overflowPunct")) is None:
        overflow = OxmlElement("w:overflowPunct")
        overflow.set(qn("w:val"), "1")
        _insert_ppr(ppr, overflow)
    # heading styles of the default template carry borders/colours/themes we do not want
    for tag in ("w:pBdr",):
        el = ppr.find(qn(tag))
        if el is not None:
            ppr.remove(el)
    return style


def setup_styles(doc) -> None:
    normal = doc.styles["Normal"]
    set_font(normal, FANGSONG, 16)
    normal.paragraph_format.space_after = Pt(0)
    # document defaults: East Asian language and font, so LibreOffice/WPS pick Chinese glyph forms
    rpr_default = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        for child in list(rpr_default):
            if child.tag in (qn("w:rFonts"), qn("w:lang")):
                rpr_default.remove(child)
        rfonts = OxmlElement("w:rFonts")
        for a in ("w:ascii", "w:hAnsi"):
            rfonts.set(qn(a), "Times New Roman")
        rfonts.set(qn("w:eastAsia"), FANGSONG)
        rpr_default.insert(0, rfonts)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr_default.append(lang)
    C = WD_ALIGN_PARAGRAPH.CENTER
    # Each contract style states its whole layout (spacing before/after, exact line spacing = the built-in
    # engine's looks, pdf/styles.py LOOKS; indents in characters), so Word, LibreOffice and the built-in
    # engine read the same numbers from this file.
    para_style(doc, "Title", XBS, 26, align=C, before=200, after=24, line=36.4)
    para_style(doc, "Subtitle", XBS, 22, align=C, before=12, after=12, line=30.8)
    para_style(doc, "TOC Heading", HEITI, 18, align=C, before=0, after=18, line=25.2, page_break=True)
    toc_tab_stop(para_style(doc, "toc 1", HEITI, 14, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=0, line=22.4),
                 PORTRAIT_TEXT_CM)
    toc2 = para_style(doc, "toc 2", FANGSONG, 14, align=WD_ALIGN_PARAGRAPH.LEFT, left_chars=2, line=22.4)
    toc_tab_stop(toc2, PORTRAIT_TEXT_CM)
    para_style(doc, "Heading 1", HEITI, 18, align=C, before=0, after=12, line=27, page_break=True, keep_next=True)
    para_style(doc, "Heading 2", HEITI, 16, indent_chars=2, before=6, after=3, line=25.6, keep_next=True)
    para_style(doc, "Heading 3", KAITI, 16, indent_chars=2, before=3, after=3, line=25.6, keep_next=True)
    para_style(doc, "Body Text", FANGSONG, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2, line=28)
    para_style(doc, "Table Number", HEITI, 12, align=WD_ALIGN_PARAGRAPH.LEFT, before=0, line=16.8, keep_next=True)
    para_style(doc, "Table Title", XBS, 18, align=C, before=4, after=6, line=25.2, keep_next=True)
    para_style(doc, "Table Meta", FANGSONG, 11, align=WD_ALIGN_PARAGRAPH.LEFT, line=15.4, keep_next=True)
    para_style(doc, "Table Text", SONG, 9, line=11.25)
    para_style(doc, "Signature", FANGSONG, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)
    table_grid_margins(doc)


# pPr children in the schema's order (CT_PPrBase): a child inserted out of order is ignored by strict readers
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc")


def _insert_ppr(ppr, el) -> None:
    rank = _PPR_ORDER.index(el.tag.split("}")[1])
    for i, child in enumerate(ppr):
        name = child.tag.split("}")[1]
        if name in _PPR_ORDER and _PPR_ORDER.index(name) > rank:
            ppr.insert(i, el)
            return
    ppr.append(el)


def _indent_chars(ppr, first_chars: float, left_chars: float) -> None:
    """Indents in characters as Word's dialog writes them (w:firstLineChars, w:leftChars: hundredths of a
    character = of the style's size), beside the same indent in twips for readers that ignore *Chars."""
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        _insert_ppr(ppr, ind)
    ind.set(qn("w:firstLineChars"), str(round(first_chars * 100)))
    if left_chars:
        ind.set(qn("w:leftChars"), str(round(left_chars * 100)))


def table_grid_margins(doc) -> None:
    """Table Grid's cell margins = the built-in engine's cell paddings (3 pt left/right, 1.5 pt top, 2.5 pt
    bottom), so a row is as tall in LibreOffice as in the built-in PDF: LibreOffice adds the 0.5 pt border
    to each row, hence 2 pt at the bottom (measured: rows 15.25 pt in both)."""
    tbl_pr = doc.styles["Table Grid"].element.find(qn("w:tblPr"))
    mar = tbl_pr.find(qn("w:tblCellMar"))
    if mar is not None:
        tbl_pr.remove(mar)
    mar = OxmlElement("w:tblCellMar")
    for edge, twips in (("top", 30), ("left", 60), ("bottom", 40), ("right", 60)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.append(mar)


# --------------------------------------------------------------------------- building blocks

class Builder:
    def __init__(self) -> None:
        self.doc = Document()
        setup_styles(self.doc)
        self._bookmark_id = 0
        section = self.doc.sections[0]
        portrait(section)
        section.different_first_page_header_footer = True     # the cover has no page number
        add_page_number(section.footer.paragraphs[0])

    def p(self, text: str = "", style: str = "Body Text", *, align=None, bold=False, page_break=False,
          bookmark: str | None = None):
        para = self.doc.add_paragraph(style=style)
        if text:
            run = para.add_run(text)
            run.bold = bold or None
        if align is not None:
            para.alignment = align
        if page_break:
            para.paragraph_format.page_break_before = True
        if bookmark:
            self.bookmark(para, bookmark)
        return para

    def tag(self, text: str):
        """A paragraph holding only a docxtpl {%p %} tag (removed when rendered)."""
        return self.doc.add_paragraph(text, style="Body Text")

    def bookmark(self, para, name: str) -> None:
        self._bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self._bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self._bookmark_id))
        para._p.insert(1 if para._p.pPr is not None else 0, start)
        para._p.append(end)

    def toc(self, text: str, anchor: str, level: int) -> None:
        para = self.doc.add_paragraph(style=f"toc {level}")
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), anchor)
        link.set(qn("w:history"), "1")
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        link.append(run)
        para._p.append(link)
        # a tab (dot leader, right tab stop of the toc styles) and a PAGEREF field: Word/WPS show the page
        # number when fields are updated (F9, printing, or the prompt on opening); the PDF prints its own
        para._p.append(_run_with(OxmlElement("w:tab")))
        for part in (_fld_char("begin"), _instr(f" PAGEREF {anchor} \\h "), _fld_char("separate"),
                     _fld_char("end")):
            para._p.append(_run_with(part))

    def section(self, landscape: bool) -> None:
        sec = self.doc.add_section(WD_SECTION.NEW_PAGE)
        (landscape_page if landscape else portrait)(sec)
        # only the cover (first page of the first section) goes without a page number: a new section's first
        # page (表2, 表7 landscape, …) shows the footer it inherits
        sec.different_first_page_header_footer = False


def _run_with(child) -> OxmlElement:
    run = OxmlElement("w:r")
    run.append(child)
    return run


def _fld_char(kind: str) -> OxmlElement:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    return el


def _instr(text: str) -> OxmlElement:
    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = text
    return el


def toc_tab_stop(style, width_cm: float) -> None:
    """Right-aligned tab stop with a dot leader at the text width, for the 目录 page numbers."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    style.paragraph_format.tab_stops.add_tab_stop(Cm(width_cm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def portrait(sec) -> None:
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(2.6), Cm(2.4)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)


def landscape_page(sec) -> None:
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    sec.left_margin, sec.right_margin = Cm(2.0), Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.5)


def add_page_number(para) -> None:
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run("— ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    para._p.append(fld)
    para.add_run(" —")


def set_cell(cell, text: str, *, align=WD_ALIGN_PARAGRAPH.CENTER, bold=False) -> None:
    para = cell.paragraphs[0]
    para.style = "Table Text"
    para.alignment = align
    if text:
        run = para.add_run(text)
        if bold:
            run.bold = True
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def header_row(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trPr.append(el)


def no_split(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    trPr.append(OxmlElement("w:cantSplit"))


def set_widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for idx, cell in enumerate(row.cells):
            if idx < len(widths_cm):
                cell.width = Cm(widths_cm[idx])
    tblPr = table._tbl.tblPr
    layout_el = OxmlElement("w:tblLayout")
    layout_el.set(qn("w:type"), "fixed")
    tblPr.append(layout_el)


def new_table(b: Builder, ncols: int, widths: list[float]):
    table = b.doc.add_table(rows=0, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, widths)
    return table


def add_row(table, texts: list[str], *, aligns=None, bold=False, header=False):
    row = table.add_row()
    for i, text in enumerate(texts):
        align = aligns[i] if aligns else WD_ALIGN_PARAGRAPH.CENTER
        set_cell(row.cells[i], text, align=align, bold=bold)
    if header:
        header_row(row)
    no_split(row)
    return row


def tag_row(table, tag: str):
    """A row holding a docxtpl {%tr %} tag; docxtpl replaces the whole row by the tag."""
    row = table.add_row()
    set_cell(row.cells[0], tag)
    return row


def widths_for(spec: layout.TableSpec, total: float) -> list[float]:
    weights: list[float | None] = []
    fixed_widths: list[float] = []
    for c in spec.columns:
        if c.kind == layout.CODE:
            weights.append(None)
            fixed_widths.append(1.15 if c.key == "cls" else 0.9)   # "208" on one line at 9 pt
        elif c.kind == layout.TEXT:
            weights.append(4.0 if c.key in ("name", "project") else 3.0)
        else:
            weights.append(1.0)
    flex = total - sum(fixed_widths)
    wsum = sum(w for w in weights if w is not None)
    fixed_iter = iter(fixed_widths)
    return [next(fixed_iter) if w is None else flex * w / wsum for w in weights]


def header_block(table, spec: layout.TableSpec) -> None:
    first = len(table.rows)
    for texts in spec.header:
        add_row(table, list(texts), bold=True, header=True)
    for m in spec.merges:
        a = table.cell(first + m.r1 - 1, m.c1 - 1)
        z = table.cell(first + m.r2 - 1, m.c2 - 1)
        text = a.text
        merged = a.merge(z)
        # merging concatenates paragraphs; keep the single label
        for extra in merged.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        if merged.paragraphs and merged.paragraphs[0].text != text:
            merged.paragraphs[0].text = text


R = WD_ALIGN_PARAGRAPH.RIGHT
L = WD_ALIGN_PARAGRAPH.LEFT
CTR = WD_ALIGN_PARAGRAPH.CENTER

# --------------------------------------------------------------------------- the report


NO_PROJECTS = U + Y + "年没有使用一般公共预算拨款安排的项目支出，一般公共预算项目支出情况表为空表。"

PART3_SECTIONS = [
    ("一", f"关于{U}{Y}年收支预算情况的总体说明", f"关于{U}{Y}年收支预算情况总体说明"),
    ("二", f"关于{U}{Y}年收入预算情况说明", None),
    ("三", f"关于{U}{Y}年支出预算情况说明", None),
    ("四", f"关于{U}{Y}年财政拨款收支预算情况的总体说明", None),
    ("五", f"关于{U}{Y}年一般公共预算当年拨款情况说明", None),
    ("六", f"关于{U}{Y}年一般公共预算基本支出情况说明", None),
    ("七", f"关于{U}{Y}年一般公共预算项目支出情况说明", None),
    ("八", f"关于{U}{Y}年政府性基金预算拨款情况说明", None),
    ("九", f"关于{U}{Y}年国有资本经营预算拨款情况说明", None),
    ("十", f"关于{U}{Y}年财政拨款“三公”经费预算情况说明", None),
    ("十一", f"关于{U}{Y}年上年结转结余预算情况说明", None),
    ("十二", "其他重要事项的情况说明", None),
]
CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]


def cover_and_toc(b: Builder) -> None:
    b.p(U, "Title")
    b.p(f"{Y}年单位预算公开", "Subtitle")
    b.p("目 录", "TOC Heading")
    b.toc(f"第一部分 {Y}年单位概况", "part1", 1)
    b.toc("一、主要职能", "p1s1", 2)
    b.toc("二、机构设置及人员情况", "p1s2", 2)
    b.toc(f"第二部分 {Y}年单位预算公开表", "part2", 1)
    for i, spec in enumerate(layout.TABLES):
        b.toc(f"{CN[i]}、{spec.title}", f"table{spec.number}", 2)
    b.toc(f"第三部分 {Y}年单位预算情况说明", "part3", 1)
    for i, (num, toc_text, _) in enumerate(PART3_SECTIONS, start=1):
        b.toc(f"{num}、{toc_text}", f"p3s{i}", 2)
    b.toc("第四部分 名词解释", "part4", 1)


def part1(b: Builder) -> None:
    b.p(f"第一部分 {Y}年单位概况", "Heading 1", bookmark="part1")
    b.p("一、主要职能", "Heading 2", bookmark="p1s1")
    b.p("{{ unit.functions }}")
    b.p("二、机构设置及人员情况", "Heading 2", bookmark="p1s2")
    b.p(U + "{% if unit.subunits %}有下属预算单位{{ unit.subunits }}个{% else %}无下属预算单位{% endif %}，"
        "{% if unit.departments %}下设{{ unit.departments|length }}个科室，分别是：{{ unit.departments|enum_list }}。"
        "{% else %}未设内设科室。{% endif %}")
    b.p(U + "编制数{{ staff.quota }}，实有人数{{ staff.actual }}人，其中："
        "{% for g in staff.groups %}{{ g.name }}{{ g.now }}人，{{ g.verb }}{{ g.diff }}人"
        "{{ '。' if loop.last else '；' }}{% endfor %}")


def table_heading(b: Builder, spec: layout.TableSpec, *, page_break: bool) -> None:
    b.p(f"表{spec.number}", "Table Number", page_break=page_break)
    b.p(spec.title, "Table Title", bookmark=f"table{spec.number}")
    b.p("编制单位：" + U, "Table Meta")
    b.p("单位：万元", "Table Meta", align=R)


def amount_aligns(spec: layout.TableSpec) -> list:
    return [R if c.kind == layout.MONEY else (CTR if c.kind == layout.CODE else L) for c in spec.columns]


def code_table(b: Builder, spec: layout.TableSpec, facts: str, width: float, *, page_break=True,
               empty_statement: str | None = None) -> None:
    table_heading(b, spec, page_break=page_break)
    table = new_table(b, len(spec.columns), widths_for(spec, width))
    header_block(table, spec)
    tag_row(table, f"{{%tr for r in tables.{facts}.rows %}}")
    add_row(table, ["{{ r.%s }}" % c.key for c in spec.columns], aligns=amount_aligns(spec))
    tag_row(table, "{%tr endfor %}")
    if empty_statement:
        b.tag(f"{{%p if tables.{facts}.empty %}}")
        b.p(empty_statement)
        b.tag("{%p endif %}")


def paired_table(b: Builder, spec: layout.TableSpec, facts: str, width: float, page_break: bool = True) -> None:
    table_heading(b, spec, page_break=page_break)
    widths = widths_for(spec, width)
    table = new_table(b, len(spec.columns), widths)
    header_block(table, spec)
    tag_row(table, f"{{%tr for r in tables.{facts}.rows %}}")
    add_row(table, ["{{ r.%s }}" % c.key for c in spec.columns], aligns=amount_aligns(spec))
    tag_row(table, "{%tr endfor %}")
    totals = ["收入总计", f"{{{{ tables.{facts}.income_total }}}}", "支出总计"]
    if spec.number == 1:
        totals.append("{{ tables.t1.expense_total }}")
    else:
        totals += [f"{{{{ tables.t4.expense_{k} }}}}" for k in ("total", "gpb", "fund", "soe")]
    add_row(table, totals, aligns=[CTR, R, CTR] + [R] * (len(totals) - 3))


def part2(b: Builder) -> None:
    b.p(f"第二部分 {Y}年单位预算公开表", "Heading 1", bookmark="part2")
    P, W = PORTRAIT_TEXT_CM, LANDSCAPE_TEXT_CM
    paired_table(b, layout.T1, "t1", P, page_break=False)   # the part heading already starts a page
    b.section(landscape=True)
    code_table(b, layout.T2, "t2", W, page_break=False)
    b.section(landscape=False)
    code_table(b, layout.T3, "t3", P, page_break=False)
    paired_table(b, layout.T4, "t4", P)
    code_table(b, layout.T5, "t5", P)
    code_table(b, layout.T6, "t6", P)
    b.section(landscape=True)
    code_table(b, layout.T7, "t7", W, page_break=False, empty_statement=NO_PROJECTS)
    b.section(landscape=False)
    code_table(b, layout.T8, "t8", P, page_break=False,
               empty_statement=U + Y + "年没有使用政府性基金预算拨款安排的支出，政府性基金预算支出情况表为空表。")
    code_table(b, layout.T9, "t9", P,
               empty_statement=U + Y + "年没有使用国有资本经营预算拨款安排的支出，国有资本经营预算支出情况表为空表。")
    code_table(b, layout.T10, "t10", P)
    code_table(b, layout.T11, "t11", P,
               empty_statement=U + Y + "年没有上年结转结余预算安排的支出，上年结转结余情况明细表为空表。")


def heading2(b: Builder, i: int) -> None:
    num, toc_text, body_text = PART3_SECTIONS[i - 1]
    b.p(f"{num}、{body_text or toc_text}", "Heading 2", bookmark=f"p3s{i}")


def part3(b: Builder) -> None:
    b.p(f"第三部分 {Y}年单位预算情况说明", "Heading 1", bookmark="part3")
    heading2(b, 1)
    b.p(f"按照全口径预算的原则，{U}{Y}年所有收入和支出均纳入单位预算管理。收支总预算{{{{ overview.total }}}}万元。")
    b.p("{% if overview.income_sources %}收入预算包括：{{ overview.income_sources|enum_list }}。"
        "{% else %}本年没有安排收入预算。{% endif %}")
    b.p("{% if overview.expense_classes %}支出预算包括：{{ overview.expense_classes|enum_list }}。"
        "{% else %}本年没有安排支出预算。{% endif %}")

    heading2(b, 2)
    b.p(U + "单位收入预算{{ income.total }}万元，其中：")
    b.tag("{%p for s in income.sources if s.arranged or s.fiscal or s.change %}")
    b.p("{% if s.arranged %}{{ s.name }}{{ s.amount }}万元，占{{ s.share }}%，{{ ph.change(s.change) }}"
        "{% elif s.change %}{{ s.name }}未安排，{{ ph.change(s.change) }}{% else %}{{ s.name }}未安排。{% endif %}")
    b.tag("{%p endfor %}")

    heading2(b, 3)
    b.p(f"{U}{Y}年支出预算{{{{ expense.total }}}}万元，其中：")
    b.p("基本支出{{ expense.basic.amount }}万元，占{{ expense.basic.share }}%，{{ ph.change(expense.basic.change) }}")
    b.p("项目支出{{ expense.project.amount }}万元，占{{ expense.project.share }}%，"
        "{{ ph.change(expense.project.change) }}")

    heading2(b, 4)
    b.p(f"{Y}年财政拨款收支总预算{{{{ fiscal.total }}}}万元。")
    b.p("{{ ph.fiscal_sources(fiscal.sources) }}")
    b.p("{% for s in fiscal.sources if s.arranged %}{{ '收入预算包括：' if loop.first }}{{ s.label }}拨款"
        "{{ s.amount }}万元{{ '。' if loop.last else '、' }}{% else %}本年没有安排财政拨款收入预算。{% endfor %}")
    for key, label in layout.FISCAL_FUNDS:
        b.tag(f"{{%p if fiscal.spending.{key} %}}")
        b.p(f"{label}支出包括：{{% for i in fiscal.spending.{key} %}}{{{{ i.name }}}}{{{{ i.amount }}}}万元"
            "{% if i.purpose %}，主要用于{{ i.purpose }}{% endif %}{{ '。' if loop.last else '；' }}{% endfor %}")
        b.tag("{%p endif %}")

    heading2(b, 5)
    b.p("（一）一般公共预算当年拨款规模变化情况", "Heading 3")
    b.p(f"{U}{Y}年一般公共预算拨款合计{{{{ gpb.total }}}}万元，其中：")
    b.p("基本支出{{ gpb.basic.amount }}万元，{{ ph.change(gpb.basic.change) }}")
    b.p("项目支出{{ gpb.project.amount }}万元，{{ ph.change(gpb.project.change) }}")
    b.p("（二）一般公共预算当年拨款结构情况", "Heading 3")
    b.tag("{%p for c in gpb.classes %}")
    b.p("{{ loop.index }}、{{ c.name }}（类）{{ c.amount }}万元，占{{ c.share }}%。")
    b.tag("{%p endfor %}")
    b.tag("{%p if not gpb.classes %}")
    b.p(f"{U}{Y}年没有一般公共预算当年拨款。")
    b.tag("{%p endif %}")
    b.p("（三）一般公共预算当年拨款具体使用情况", "Heading 3")
    b.tag("{%p for i in gpb.details %}")
    b.p("{{ loop.index }}、{{ i.cls }}（类）{{ i.kuan }}（款）{{ i.xiang }}（项）：" + Y +
        "年预算数为{{ i.amount }}万元，{{ ph.change(i.change) }}")
    b.tag("{%p endfor %}")
    b.tag("{%p if not gpb.details %}")
    b.p(f"{U}{Y}年没有一般公共预算当年拨款安排的支出。")
    b.tag("{%p endif %}")

    heading2(b, 6)
    b.p(f"{U}{Y}年一般公共预算基本支出{{{{ basic.total }}}}万元，其中：")
    b.p("人员经费{{ basic.personnel }}万元{% if basic.personnel_items %}，主要包括："
        "{{ basic.personnel_items|enum_list }}{% endif %}。")
    b.p("公用经费{{ basic.public }}万元{% if basic.public_items %}，主要包括：{{ basic.public_items|enum_list }}"
        "{% endif %}。")

    heading2(b, 7)
    b.tag("{%p for p in projects %}")
    b.p("（{{ p.number }}）项目名称：{{ p.name }}", "Heading 3")
    b.p("设立的政策依据：{{ p.basis|sentence }}")
    b.p("预算安排规模：{{ p.amount }}万元")
    b.p("项目承担单位：{{ p.owner_unit }}")
    b.p("资金分配情况：{{ p.allocation|sentence }}")
    b.p("资金执行时间：{{ p.period|sentence }}")
    b.tag("{%p endfor %}")
    b.tag("{%p if not projects %}")
    b.p(NO_PROJECTS)
    b.tag("{%p endif %}")

    for i, key, name, table in ((8, "fund", "政府性基金预算", "政府性基金预算支出情况表"),
                                (9, "soe", "国有资本经营预算", "国有资本经营预算支出情况表")):
        heading2(b, i)
        b.tag(f"{{%p if {key}.empty %}}")
        b.p(f"{U}{Y}年没有使用{name}拨款安排的支出，{table}为空表。")
        b.tag("{%p else %}")
        b.p(f"{U}{Y}年{name}拨款支出{{{{ {key}.total }}}}万元，其中：基本支出{{{{ {key}.basic }}}}万元，"
            f"项目支出{{{{ {key}.project }}}}万元。")
        b.tag("{%p endif %}")

    heading2(b, 10)
    b.p(f"{U}{Y}年财政拨款“三公”经费数为{{{{ three.total }}}}万元，其中："
        "{% for i in three.parts %}{{ i.name }}{{ i.amount }}万元{{ '。' if loop.last else '，' }}{% endfor %}")
    b.p(f"{Y}年财政拨款“三公”经费预算比上年预算{{{{ ph.delta(three.change) }}}}{{{{ ph.reason(three.change) }}}}，其中："
        "{% for i in three.parts %}{{ i.name }}{{ ph.delta(i.change) }}{{ ph.reason(i.change) }}"
        "{{ '。' if loop.last else '；' }}{% endfor %}")

    heading2(b, 11)
    b.tag("{%p if carryover.empty %}")
    b.p(f"{U}{Y}年没有上年结转结余预算安排的支出，上年结转结余情况明细表为空表。")
    b.tag("{%p else %}")
    b.p(f"{U}{Y}年上年结转结余预算安排支出{{{{ carryover.total }}}}万元，其中：财政拨款结转{{{{ carryover.fiscal }}}}万元，"
        "非财政拨款结转结余{{ carryover.nonfiscal }}万元。")
    b.tag("{%p endif %}")

    heading2(b, 12)
    b.p("（一）单位运行经费情况", "Heading 3")
    b.p(f"{U}{Y}年的{{{{ other.running.name }}}}财政拨款预算{{{{ other.running.amount }}}}万元，"
        "{{ ph.change(other.running.change) }}")
    b.p("（二）政府采购情况", "Heading 3")
    b.tag("{%p if other.procurement.total %}")
    b.p(f"{Y}年，{U}政府采购预算{{{{ other.procurement.total }}}}万元，其中：政府采购货物预算"
        "{{ other.procurement.goods }}万元，政府采购工程预算{{ other.procurement.works }}万元，"
        "政府采购服务预算{{ other.procurement.services }}万元。")
    b.p(f"{Y}年，{U}面向中小企业预留政府采购项目预算金额{{{{ other.procurement.sme }}}}万元，"
        "小微企业预留政府采购项目预算金额{{ other.procurement.micro }}万元。")
    b.tag("{%p else %}")
    b.p(f"{Y}年，{U}未安排政府采购预算。")
    b.tag("{%p endif %}")
    b.p("（三）国有资产占用使用情况", "Heading 3")
    b.p(f"截至{{{{ other.assets.year }}}}年底，{U}占用使用国有资产总体情况为：")
    b.p("1.房屋{{ other.assets.house_area }}平方米，价值{{ other.assets.house_value }}万元。")
    b.p("2.车辆{{ other.assets.cars }}辆，价值{{ other.assets.cars_value }}万元；其中："
        "{% for c in other.assets.car_types %}{{ c.name }}{{ c.count }}辆，价值{{ c.value }}万元"
        "{{ '。' if loop.last else '；' }}{% endfor %}")
    b.p("3.办公家具价值{{ other.assets.furniture }}万元。")
    b.p("4.其他资产价值{{ other.assets.other }}万元。")
    b.p("单位价值50万元以上大型设备{{ other.assets.equipment_50 }}台，单位价值100万元以上大型设备"
        "{{ other.assets.equipment_100 }}台。")
    b.p(f"{Y}年单位预算{{% if other.assets.buy_car_arranged %}}安排购置车辆经费{{{{ other.assets.buy_car }}}}万元"
        "{% else %}未安排购置车辆经费{% endif %}，安排购置50万元以上大型设备{{ other.assets.buy_equipment_50 }}台，"
        "单位价值100万元以上大型设备{{ other.assets.buy_equipment_100 }}台。")
    b.p("（四）预算绩效情况", "Heading 3")
    b.p(f"{Y}年，本单位预算绩效管理整体预算绩效目标{{{{ other.performance.unit_goals }}}}个，涉及预算金额"
        "{{ other.performance.unit_amount }}万元；{% if other.performance.projects %}当年预算安排项目共"
        "{{ other.performance.projects }}个，其中：财政拨款项目涉及预算金额{{ other.performance.fiscal }}万元；"
        "非财政拨款项目涉及预算金额{{ other.performance.nonfiscal }}万元。{% else %}当年预算未安排项目，"
        "无项目支出绩效目标。{% endif %}具体情况见下表：")
    unit_performance_table(b)
    project_performance_tables(b)
    b.p("（五）其他需说明的事项", "Heading 3")
    b.p("{{ other.matters|sentence if other.matters else '本单位无其他需说明事项。' }}")


def merged(table, r: int, c1: int, c2: int, r2: int | None = None):
    cell = table.cell(r, c1).merge(table.cell(r2 if r2 is not None else r, c2))
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    return cell


def unit_performance_table(b: Builder) -> None:
    b.p("单位整体绩效目标表", "Table Title", bookmark="perf_unit")
    b.p(f"（{Y}年）", "Table Meta", align=CTR)
    W = PORTRAIT_TEXT_CM
    table = new_table(b, 6, [2.2, 2.4, 4.6, 2.3, 2.8, W - 14.3])
    r0 = len(table.rows)
    add_row(table, ["单位名称（盖章）", "", U, "", "", ""])
    add_row(table, ["单位联系人", "", "{{ unit.contact }}", "联系电话", "{{ unit.phone }}", ""])
    add_row(table, ["年度绩效目标", "", "{{ unit_performance.goal }}", "", "", ""],
            aligns=[CTR, CTR, L, L, L, L])
    add_row(table, ["年度预算（万元）", "", "资金来源", "", "资金总额（万元）", ""])
    add_row(table, ["", "", "财政资金（万元）", "上级安排", "{{ unit_performance.upper }}", ""],
            aligns=[CTR, CTR, CTR, CTR, R, R])
    add_row(table, ["", "", "", "本级安排", "{{ unit_performance.own }}", ""], aligns=[CTR, CTR, CTR, CTR, R, R])
    add_row(table, ["", "", "其他资金（万元）", "其他", "{{ unit_performance.other }}", ""],
            aligns=[CTR, CTR, CTR, CTR, R, R])
    merged(table, r0, 0, 1); merged(table, r0, 2, 5)
    merged(table, r0 + 1, 0, 1); merged(table, r0 + 1, 4, 5)
    merged(table, r0 + 2, 0, 1); merged(table, r0 + 2, 2, 5)
    merged(table, r0 + 3, 0, 1, r0 + 6)
    merged(table, r0 + 3, 2, 3); merged(table, r0 + 3, 4, 5)
    merged(table, r0 + 4, 2, 2, r0 + 5)
    for r in (r0 + 4, r0 + 5, r0 + 6):
        merged(table, r, 4, 5)
    add_row(table, ["一级指标", "二级指标", "三级指标", "指标值", "指标设定依据", "分值权重"], bold=True, header=False)
    tag_row(table, "{%tr for i in unit_performance.indicators %}")
    add_row(table, ["{{ i.level1 }}", "{{ i.level2 }}", "{{ i.level3 }}", "{{ i.value }}", "{{ i.basis }}",
                    "{{ i.weight }}"], aligns=[CTR, CTR, L, CTR, L, CTR])
    tag_row(table, "{%tr endfor %}")


def project_performance_tables(b: Builder) -> None:
    b.tag("{%p for p in perf_projects %}")
    b.p("项目支出绩效目标表", "Table Title")   # repeated per project: a bookmark here would repeat its name
    b.p(f"（{Y}年）", "Table Meta", align=CTR)
    W = PORTRAIT_TEXT_CM
    widths = [1.5, 1.7, 2.6, 1.5, 1.6, 1.5, 1.3, 1.8, W - 13.5]
    table = new_table(b, 9, widths)
    r0 = len(table.rows)
    add_row(table, ["预算单位", "", U, "", "", "", "", "", ""])
    add_row(table, ["项目名称", "", "{{ p.name }}", "", "", "", "项目负责人", "{{ p.leader }}", ""])
    add_row(table, ["项目资金（万元）", "", "年度预算总额", "{{ p.budget }}", "其中：财政拨款", "{{ p.fiscal }}",
                    "其他资金", "{{ p.other }}", ""])
    add_row(table, ["项目总体目标", "", "{{ p.goal }}", "", "", "", "", "", ""], aligns=[CTR, CTR] + [L] * 7)
    merged(table, r0, 0, 1); merged(table, r0, 2, 8)
    merged(table, r0 + 1, 0, 1); merged(table, r0 + 1, 2, 5); merged(table, r0 + 1, 7, 8)
    merged(table, r0 + 2, 0, 1); merged(table, r0 + 2, 7, 8)
    merged(table, r0 + 3, 0, 1); merged(table, r0 + 3, 2, 8)
    add_row(table, ["一级指标", "二级指标", "三级指标", "指标值", "指标值设置依据", "上年完成值", "指标分值权重",
                    "指标赋分规则", "佐证资料"], bold=True)
    tag_row(table, "{%tr for i in p.indicators %}")
    add_row(table, ["{{ i.level1 }}", "{{ i.level2 }}", "{{ i.level3 }}", "{{ i.value }}", "{{ i.basis }}",
                    "{{ i.last_value }}", "{{ i.weight }}", "{{ i.rule }}", "{{ i.evidence }}"],
            aligns=[CTR, CTR, L, CTR, CTR, CTR, CTR, CTR, CTR])
    tag_row(table, "{%tr endfor %}")
    b.tag("{%p endfor %}")


GLOSSARY = [
    ("财政拨款", "指由一般公共预算、政府性基金预算、国有资本经营预算安排的财政拨款数。"),
    ("一般公共预算", "包括公共财政拨款（补助）资金、专项收入。"),
    ("财政专户管理资金", "包括专户管理行政事业性收费（主要是教育收费）、其他非税收入。"),
    ("其他资金", "包括事业收入、事业经营收入、其他收入等。"),
    ("基本支出", "包括人员经费、公用经费（定额）。其中，人员经费包括工资福利支出、对个人和家庭的补助。"),
    ("项目支出", "部门（单位）支出预算的组成部分，是各部门（单位）为完成其特定的行政任务或事业发展目标，"
                "在基本支出预算之外编制的年度项目支出计划。"),
    ("“三公”经费", "指部门（单位）因公出国（境）费、公务用车购置及运行维护费和公务接待费，其中：因公出国（境）费反映"
                 "机关和参公事业单位公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；"
                 "公务用车购置反映机关和参公事业单位公务用车购置支出（含车辆购置税、牌照费）；公务用车运行维护费反映"
                 "机关和参公事业单位按规定保留的公务用车燃料费、新能源汽车充电费、维修费、过桥过路费、保险费、安全奖励"
                 "费用等支出；公务接待费反映机关和参公事业单位按规定开支的各类公务接待（含外宾接待）费用。"),
    ("机关运行经费", "指行政单位（含参照公务员法管理事业单位）的公用经费，包括办公及印刷费、邮电费、差旅费、会议费、"
                   "福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、"
                   "公务用车运行维护费及其他费用。"),
]


def part4(b: Builder) -> None:
    b.p("第四部分 名词解释", "Heading 1", bookmark="part4")
    for i, (term, text) in enumerate(GLOSSARY):
        para = b.p(f"{CN[i]}、")
        para.add_run(term).bold = True
        para.add_run("：" + text)
    b.p("")
    b.p(U, "Signature")
    b.p("{{ unit.date }}", "Signature")


def build() -> bytes:
    b = Builder()
    cover_and_toc(b)
    part1(b)
    part2(b)
    part3(b)
    part4(b)
    # Word/WPS update the 目录 PAGEREF fields when the document opens (as pandoc's --toc does)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    b.doc.settings.element.append(update)
    props = b.doc.core_properties
    props.title = "单位预算公开"
    props.author = "budgetreport"
    props.created = props.modified = dt.datetime(2025, 1, 1)
    props.revision = 1
    raw = io.BytesIO()
    b.doc.save(raw)
    return normalize_zip(raw.getvalue())


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    print(f"已生成 {OUT.relative_to(ROOT)}")
