"""WordprocessingML names and the small readings every part of the .docx reader shares."""
from __future__ import annotations

from docx.oxml.ns import nsmap
from lxml import etree

from .doc import Align

_JC: dict[str, Align] = {
    "left": "left", "start": "left", "center": "center", "right": "right", "end": "right",
    "both": "justify", "distribute": "justify", "thaiDistribute": "justify",
}
_TWIP = 1 / 20  # twentieths of a point

_NS_W = nsmap["w"]
_W = "{" + _NS_W + "}"

# Clark names, computed once: the reader compares element tags with these directly
W_P, W_TBL, W_SECTPR, W_SDT, W_SDTCONTENT = _W + "p", _W + "tbl", _W + "sectPr", _W + "sdt", _W + "sdtContent"
W_BODY = _W + "body"
W_PPR, W_PSTYLE, W_VAL, W_JC, W_PBB = _W + "pPr", _W + "pStyle", _W + "val", _W + "jc", _W + "pageBreakBefore"
W_R, W_RPR, W_RSTYLE, W_B = _W + "r", _W + "rPr", _W + "rStyle", _W + "b"
W_HYPERLINK, W_ANCHOR, W_BOOKMARKSTART, W_NAME = _W + "hyperlink", _W + "anchor", _W + "bookmarkStart", _W + "name"
W_FLDSIMPLE, W_INSTR = _W + "fldSimple", _W + "instr"
W_FLDCHAR, W_FLDCHARTYPE, W_INSTRTEXT = _W + "fldChar", _W + "fldCharType", _W + "instrText"
W_T, W_TAB, W_BR, W_CR, W_TYPE = _W + "t", _W + "tab", _W + "br", _W + "cr", _W + "type"
W_NOBREAKHYPHEN, W_SYM, W_CHAR = _W + "noBreakHyphen", _W + "sym", _W + "char"
W_TR, W_TC, W_TRPR, W_TCPR, W_GRIDBEFORE = _W + "tr", _W + "tc", _W + "trPr", _W + "tcPr", _W + "gridBefore"
W_GRIDSPAN, W_VMERGE, W_VALIGN, W_TRHEIGHT, W_TBLHEADER = (
    _W + "gridSpan", _W + "vMerge", _W + "vAlign", _W + "trHeight", _W + "tblHeader")
W_TBLGRID, W_GRIDCOL, W_CUSTOMXML = _W + "tblGrid", _W + "gridCol", _W + "customXml"
W_I, W_U, W_COLOR, W_VERTALIGN = _W + "i", _W + "u", _W + "color", _W + "vertAlign"
W_RFONTS, W_EASTASIA, W_ASCII = _W + "rFonts", _W + "eastAsia", _W + "ascii"
W_SPACING, W_LINE, W_LINERULE, W_BEFORE, W_AFTER = (
    _W + "spacing", _W + "line", _W + "lineRule", _W + "before", _W + "after")
W_STYLE, W_STYLEID, W_BASEDON, W_DEFAULT, W_SZ = _W + "style", _W + "styleId", _W + "basedOn", _W + "default", _W + "sz"
W_IND = _W + "ind"
_INLINE_CONTAINERS = {_W + t: t for t in ("ins", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent")}
_ROW_PROPS = {W_GRIDBEFORE: 0, W_TRHEIGHT: 1, W_TBLHEADER: 2}     # what a w:trPr tells us (see _firsts)
_CELL_PROPS = {W_GRIDSPAN: 0, W_VMERGE: 1, W_VALIGN: 2, _W + "shd": 3}           # … and a w:tcPr


def _twips(el: etree._Element | None, attr: str, default: float) -> float:
    if el is None:
        return default
    v = el.get(_W + attr)
    try:
        return int(v) * _TWIP if v is not None else default
    except ValueError:
        return default


def _on(el: etree._Element | None) -> bool:
    """A w:ST_OnOff element: present and not val=false/0/off."""
    return el is not None and el.get(W_VAL, "true") not in ("false", "0", "off")


def _onoff(el: etree._Element | None) -> bool | None:
    """python-docx's reading of an optional CT_OnOff child: None when absent."""
    return None if el is None else _on(el)


def _firsts(props: etree._Element, tags: dict[str, int]) -> list[etree._Element | None]:
    """The first child of each tag (tags: tag → position in the result), as Word reads a property element."""
    found: list[etree._Element | None] = [None] * len(tags)
    for c in props:
        tag = c.tag  # a str, or lxml's factory function for a comment or processing instruction
        i = tags.get(tag) if isinstance(tag, str) else None
        if i is not None and found[i] is None:
            found[i] = c
    return found


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child with this tag: el.find() without lxml's path machinery (10x faster here)."""
    for c in el:
        if c.tag == tag:
            return c
    return None
