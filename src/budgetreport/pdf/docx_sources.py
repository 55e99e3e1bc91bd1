"""Where a body's top-level paragraphs and table rows sit in the bytes the fill stage serialised it to."""
from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree

from .ooxml import _W, W_P, W_TBL, W_TR

# a w:t as lxml serialises it (text escaped; no text: self-closed); its text is the split's group
_SLOT = re.compile(rb'<w:t(?: xml:space="preserve")?(?:/>|>([^<]*)</w:t>)')


class _Sources(NamedTuple):
    """The bytes a body's tree was serialised to, and where its top-level paragraphs and table rows sit in them."""
    xml: bytes
    head: bytes  # up to the body's start tag: namespace declarations there are part of what the rest means
    spans: dict[etree._Element, tuple[int, int]]


def _sources(body: etree._Element, xml: bytes) -> _Sources | None:
    """The body's children (and the rows of its tables) matched to `xml`, one after another, each start tag
    checked against its element; the matching stops at the first element it cannot place for certain.

    Certain because outside the values of w:t nothing in the body is text that could hold markup: there is no
    comment, processing instruction or CDATA, and lxml escapes `<` in text and attribute values."""
    if body.getprevious() is not None:  # the body is the root's first child: its start tag follows the root's
        return None
    root_at = xml.find(b"<", 1) if xml.startswith(b"<?") else 0
    start = xml.find(b"<", xml.find(b">", root_at) + 1)
    if not xml.startswith(b"<w:body", start) or xml[start + 7] not in b" >":
        return None
    pos = xml.find(b">", start) + 1
    head = xml[:pos]
    end = xml.rfind(b"</w:body>")
    if head.find(b"<!") >= 0 or head.find(b"<?", 1) >= 0 or any(xml.find(m, pos, end) >= 0 for m in (b"<!", b"<?")):
        return None
    spans: dict[etree._Element, tuple[int, int]] = {}
    for child in body:
        pos = _place(xml, child, pos, spans, False)  # type: ignore[assignment]
        if pos is None:
            break
    return _Sources(xml, head, spans)


_TABLE_PARTS = frozenset((W_TR, _W + "tblPr", _W + "tblGrid"))  # nest in themselves only through a nested table


def _place(xml: bytes, el: etree._Element, pos: int, spans: dict[etree._Element, tuple[int, int]],
           flat: bool) -> int | None:
    """Where `el`, the next element after `pos`, ends; its span kept if it is a paragraph or a row, a table's
    rows placed one by one (`flat`: inside a table with no table in it). None when it cannot be placed."""
    tag = el.tag
    if tag.__class__ is not str or not tag.startswith(_W):
        return None
    name = b"w:" + tag[len(_W):].encode("utf-8")
    at = xml.find(b"<", pos)
    if not xml.startswith(name, at + 1) or xml[at + 1 + len(name)] not in b" >/":
        return None
    gt = xml.find(b">", at) + 1
    if xml[gt - 2] == 0x2F:  # self-closed
        stop = gt
    else:
        close = b"</" + name + b">"
        stop = xml.find(close, gt)
        if stop < 0 or not (flat and tag in _TABLE_PARTS) and _opens(xml, b"<" + name, gt, stop):
            return None
        stop += len(close)
    if tag == W_P or tag == W_TR:
        spans[el] = (at, stop)
    elif tag == W_TBL and not flat and b"xmlns" not in xml[at:gt]:  # its rows: only it and the body above them
        inner = gt
        for child in el:
            inner = _place(xml, child, inner, spans, True)  # type: ignore[assignment]
            if inner is None:
                break
    return stop


def _opens(xml: bytes, start_tag: bytes, begin: int, end: int) -> bool:
    """Whether a start tag `<name` opens between begin and end (`<w:p` is also the start of `<w:pPr`)."""
    at = xml.find(start_tag, begin, end)
    while at >= 0:
        if xml[at + len(start_tag)] in b" >/":
            return True
        at = xml.find(start_tag, at + 1, end)
    return False
