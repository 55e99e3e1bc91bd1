"""Headers and footers of a .docx section: their paragraphs as text and page-number fields.

A section names its parts by w:headerReference / w:footerReference (type default, first, even); a section
without a reference of a type keeps the previous section's (as Word does).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Iterator

from lxml import etree

from .doc import Align, Furniture, FurnitureLine
from .ooxml import (
    _JC, _W, W_FLDCHAR, W_FLDCHARTYPE, W_FLDSIMPLE, W_INSTR, W_INSTRTEXT, W_JC, W_P, W_PPR, W_PSTYLE, W_R,
    W_SDT, W_SDTCONTENT, W_T, W_TAB, W_VAL, _child,
)

_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
FIELDS = ("PAGE", "NUMPAGES", "SECTIONPAGES")


def references(sect: etree._Element) -> dict[str, dict[str, str]]:
    """{"header"/"footer": {type: relationship id}} of a w:sectPr."""
    out: dict[str, dict[str, str]] = {"header": {}, "footer": {}}
    for which in out:
        for ref in sect.iterchildren(_W + which + "Reference"):
            rid = ref.get(_R_ID)
            if rid:
                out[which].setdefault(ref.get(_W + "type", "default"), rid)
    return out


def read_part(root: etree._Element | None, style_of: Callable[[str | None], tuple[str, Align | None]]) -> Furniture:
    """The paragraphs of a header or footer part (w:hdr / w:ftr)."""
    lines: list[FurnitureLine] = []
    for p in _paragraphs(root) if root is not None else ():
        ppr = _child(p, W_PPR)
        style_el = _child(ppr, W_PSTYLE) if ppr is not None else None
        style, align = style_of(style_el.get(W_VAL) if style_el is not None else None)
        jc = _child(ppr, W_JC) if ppr is not None else None
        if jc is not None:
            align = _JC.get(jc.get(W_VAL, ""), align)
        parts: list[tuple[str, str]] = []
        _walk(p, parts, [])
        lines.append(FurnitureLine(style, align, tuple(_merged(parts))))
    return Furniture(tuple(lines))


def _paragraphs(parent: etree._Element) -> Iterator[etree._Element]:
    for child in parent:
        if child.tag == W_P:
            yield child
        elif child.tag == W_SDT:
            content = _child(child, W_SDTCONTENT)
            if content is not None:
                yield from _paragraphs(content)


def _walk(el: etree._Element, parts: list[tuple[str, str]], fields: list[list]) -> None:
    """Text and fields in reading order. `fields` is the stack of open complex fields: [instruction, showing
    its result?]; a page-number field's result (the number Word last saw) is replaced by the field."""
    for child in el:
        tag = child.tag
        if tag == W_FLDSIMPLE:
            name = _field_name(child.get(W_INSTR, ""))
            if name:
                parts.append(("field", name))
            else:
                _walk(child, parts, fields)
        elif tag == W_FLDCHAR:
            kind = child.get(W_FLDCHARTYPE)
            if kind == "begin":
                fields.append(["", False])
            elif kind == "separate" and fields:
                name = _field_name(fields[-1][0])
                if name:
                    parts.append(("field", name))
                fields[-1][1] = True
            elif kind == "end" and fields:
                fields.pop()
        elif tag == W_INSTRTEXT and fields:
            fields[-1][0] += child.text or ""
        elif tag == W_T:
            if not fields or (fields[-1][1] and not _field_name(fields[-1][0])):
                parts.append(("text", child.text or ""))
        elif tag == W_TAB:
            if not fields:
                parts.append(("text", " "))
        elif tag == W_R or len(child):
            _walk(child, parts, fields)


def _field_name(instr: str) -> str | None:
    word = instr.strip().split(" ", 1)[0].upper() if instr.strip() else ""
    return word if word in FIELDS else None


def _merged(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for kind, value in parts:
        if kind == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + value)
        elif kind != "text" or value:
            out.append((kind, value))
    return out
