"""Read a filled .docx into a small typed model (pure data, no reportlab).

The model follows "The filled .docx contract" in docs/design.md: paragraphs keep their style *name*,
alignment, runs (bold), page-break-before, bookmark names and the hyperlink anchor of a 目录 entry;
tables keep grid widths, gridSpan / vMerge and header-row flags; sections keep page geometry.
All lengths are in points.
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator, Literal, Union

import docx
from docx.oxml.ns import qn as _docx_qn
from lxml import etree

Align = Literal["left", "center", "right", "justify"]

_JC: dict[str, Align] = {
    "left": "left", "start": "left", "center": "center", "right": "right", "end": "right",
    "both": "justify", "distribute": "justify", "thaiDistribute": "justify",
}
_TWIP = 1 / 20  # twentieths of a point

# "w:p" → "{namespace}p"; memoised (the reader asks tens of thousands of times per document)
qn = functools.lru_cache(maxsize=None)(_docx_qn)


def _local(el: etree._Element) -> str:
    """An element's local name ("p", "tbl", ...); "" for comments and processing instructions."""
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    style: str
    runs: tuple[Run, ...] = ()
    align: Align | None = None
    page_break_before: bool = False
    bookmarks: tuple[str, ...] = ()
    anchor: str | None = None  # w:hyperlink w:anchor (目录 entries)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class PageBreak:
    """A `w:br w:type="page"` inside a run."""


@dataclass(frozen=True)
class Cell:
    paragraphs: tuple[Paragraph, ...]
    col: int  # first grid column
    span: int = 1  # w:gridSpan
    vmerge: Literal["restart", "continue"] | None = None
    valign: Literal["top", "center", "bottom"] = "top"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool = False  # w:trPr/w:tblHeader: repeated on every page
    height: float | None = None


@dataclass(frozen=True)
class Table:
    grid: tuple[float, ...]  # column widths
    rows: tuple[Row, ...]

    @property
    def header_rows(self) -> int:
        """Leading header rows (Word repeats only a contiguous run from the top)."""
        n = 0
        for row in self.rows:
            if not row.header:
                break
            n += 1
        return n


Block = Union[Paragraph, Table, PageBreak]


@dataclass(frozen=True)
class PageSetup:
    width: float = 595.3
    height: float = 841.9
    top: float = 72.0
    bottom: float = 72.0
    left: float = 90.0
    right: float = 90.0
    header: float = 42.5
    footer: float = 49.6

    @property
    def landscape(self) -> bool:
        return self.width > self.height


@dataclass
class Section:
    page: PageSetup
    blocks: list[Block] = field(default_factory=list)
    continuous: bool = False  # w:type="continuous": no page break before this section
    title_page: bool = False  # w:titlePg: first page has its own (here: no) footer


@dataclass(frozen=True)
class StyleInfo:
    """The few paragraph-style properties the renderer honours when the template sets them."""
    size: float | None = None
    bold: bool | None = None
    align: Align | None = None


@dataclass
class Document:
    sections: list[Section]
    styles: dict[str, StyleInfo]
    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    created: datetime | None = None

    def blocks(self) -> Iterator[Block]:
        for s in self.sections:
            yield from s.blocks

    def paragraphs(self) -> Iterator[Paragraph]:
        """Every paragraph in reading order, table cells included."""
        for b in self.blocks():
            if isinstance(b, Paragraph):
                yield b
            elif isinstance(b, Table):
                for row in b.rows:
                    for cell in row.cells:
                        yield from cell.paragraphs


# ---------------------------------------------------------------------------------------------- reading


def read_docx(source: bytes | Path | str) -> Document:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    d = docx.Document(io.BytesIO(data))
    reader = _Reader(d)
    body = d.element.body
    sections: list[Section] = []
    current: list[Block] = []
    for child in _body_children(body):
        tag = _local(child)
        if tag == "p":
            current.extend(reader.paragraph(child))
            sect = child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
            if sect is not None:  # a section ends with this paragraph
                sections.append(_section(sect, current))
                current = []
        elif tag == "tbl":
            current.append(reader.table(child))
        elif tag == "sectPr":
            sections.append(_section(child, current))
            current = []
    if current or not sections:
        sections.append(Section(PageSetup(), current))
    cp = d.core_properties
    return Document(
        sections=sections,
        styles=reader.style_infos(),
        title=cp.title or "",
        author=cp.author or "",
        subject=cp.subject or "",
        keywords=cp.keywords or "",
        created=cp.created,
    )


def _body_children(parent: etree._Element) -> Iterator[etree._Element]:
    """Body-level p / tbl / sectPr, looking through content controls (w:sdt) such as a Word TOC."""
    for child in parent:
        tag = _local(child)
        if tag in ("p", "tbl", "sectPr"):
            yield child
        elif tag == "sdt":
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_children(content)


def _twips(el: etree._Element | None, attr: str, default: float) -> float:
    if el is None:
        return default
    v = el.get(qn(f"w:{attr}"))
    try:
        return int(v) * _TWIP if v is not None else default
    except ValueError:
        return default


def _section(sect: etree._Element, blocks: list[Block]) -> Section:
    d = PageSetup()
    sz = sect.find(qn("w:pgSz"))
    mar = sect.find(qn("w:pgMar"))
    w, h = _twips(sz, "w", d.width), _twips(sz, "h", d.height)
    if sz is not None and sz.get(qn("w:orient")) == "landscape" and w < h:
        w, h = h, w  # orient wins over inconsistent w/h
    page = PageSetup(
        width=w, height=h,
        top=abs(_twips(mar, "top", d.top)), bottom=abs(_twips(mar, "bottom", d.bottom)),
        left=_twips(mar, "left", d.left), right=_twips(mar, "right", d.right),
        header=_twips(mar, "header", d.header), footer=_twips(mar, "footer", d.footer),
    )
    typ = sect.find(qn("w:type"))
    return Section(
        page=page,
        blocks=blocks,
        continuous=typ is not None and typ.get(qn("w:val")) == "continuous",
        title_page=_on(sect.find(qn("w:titlePg"))),
    )


def _on(el: etree._Element | None) -> bool:
    """A w:ST_OnOff element: present and not val=false/0/off."""
    return el is not None and el.get(qn("w:val"), "true") not in ("false", "0", "off")


class _Reader:
    def __init__(self, d: docx.document.Document) -> None:
        self._styles = {s.style_id: s for s in d.styles}
        self._default_para = next(
            (s for s in d.styles if s.type == 1 and getattr(s, "element", None) is not None
             and s.element.get(qn("w:default")) in ("1", "true")), None)
        self._used: set[str] = set()
        self._names: dict[str | None, str] = {}
        self._memo: dict[tuple[str | None, str], object] = {}

    # -- styles

    def _style_name(self, style_id: str | None) -> str:
        name = self._names.get(style_id)
        if name is None:
            s = self._styles.get(style_id) if style_id else self._default_para
            name = self._names[style_id] = s.name if s is not None else (style_id or "Normal")
            self._used.add(name)
        return name

    def _style_chain(self, style_id: str | None):  # type: ignore[no-untyped-def]
        s = self._styles.get(style_id) if style_id else self._default_para
        seen = 0
        while s is not None and seen < 20:  # base_style cycles exist in the wild
            yield s
            s = s.base_style
            seen += 1

    def _style_attr(self, style_id: str | None, get):  # type: ignore[no-untyped-def]
        for s in self._style_chain(style_id):
            v = get(s)
            if v is not None:
                return v
        return None

    def _prop(self, style_id: str | None, prop: str):  # type: ignore[no-untyped-def]
        """A style property, inherited through based-on styles; memoised (asked once per paragraph)."""
        key = (style_id, prop)
        if key not in self._memo:
            self._memo[key] = self._style_attr(style_id, _GETTERS[prop])
        return self._memo[key]

    def style_infos(self) -> dict[str, StyleInfo]:
        out: dict[str, StyleInfo] = {}
        by_name = {s.name: s for s in self._styles.values()}
        for name in sorted(self._used):
            s = by_name.get(name)
            if s is None or not hasattr(s, "font"):
                continue
            sid = s.style_id
            size = self._style_attr(sid, lambda st: st.font.size)
            jc = self._style_attr(sid, lambda st: _jc(st.element))
            out[name] = StyleInfo(
                size=size.pt if size is not None else None,
                bold=self._style_attr(sid, lambda st: st.font.bold),
                align=jc,
            )
        return out

    # -- paragraphs

    def paragraph(self, p: etree._Element) -> list[Block]:
        """One w:p → paragraph(s); a page break inside a run splits it."""
        ppr = p.find(qn("w:pPr"))
        style_id = None
        if ppr is not None and (ps := ppr.find(qn("w:pStyle"))) is not None:
            style_id = ps.get(qn("w:val"))
        style = self._style_name(style_id)
        align = _jc(ppr) if ppr is not None else None
        if align is None:
            align = self._prop(style_id, "jc")
        pbb_el = ppr.find(qn("w:pageBreakBefore")) if ppr is not None else None
        if pbb_el is not None:
            pbb = _on(pbb_el)
        else:
            pbb = bool(self._prop(style_id, "pbb"))
        para_bold = self._prop(style_id, "bold")

        out: list[Block] = []
        runs: list[Run] = []
        bookmarks: list[str] = []
        anchors: list[str] = []

        def flush() -> None:
            nonlocal runs, bookmarks
            out.append(Paragraph(
                style=style, runs=tuple(_merge(runs)), align=align,
                page_break_before=pbb and not out, bookmarks=tuple(bookmarks),
                anchor=anchors[0] if anchors else None,
            ))
            runs, bookmarks = [], []

        for kind, value in self._inline(p, para_bold):
            if kind == "run":
                runs.append(value)  # type: ignore[arg-type]
            elif kind == "bookmark":
                bookmarks.append(value)  # type: ignore[arg-type]
            elif kind == "anchor":
                anchors.append(value)  # type: ignore[arg-type]
            elif kind == "page":
                if runs or bookmarks:
                    flush()
                out.append(PageBreak())
        # an empty paragraph is kept (it is vertical space), unless it only carried a page break
        if runs or bookmarks or not out:
            flush()
        return out

    def _inline(self, parent: etree._Element, para_bold: bool | None,
                field_skip: list[int] | None = None) -> Iterator[tuple[str, object]]:
        """Walk runs in order; skip results of PAGEREF / PAGE fields (we print real page numbers)."""
        state = field_skip if field_skip is not None else [0, 0]  # [depth, skipping-depth]
        for child in parent:
            tag = _local(child)
            if tag == "r":
                yield from self._run(child, para_bold, state)
            elif tag == "hyperlink":
                anchor = child.get(qn("w:anchor"))
                if anchor:
                    yield "anchor", anchor
                yield from self._inline(child, para_bold, state)
            elif tag == "bookmarkStart":
                name = child.get(qn("w:name"))
                if name and name != "_GoBack":
                    yield "bookmark", name
            elif tag in ("ins", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent"):
                if tag == "fldSimple" and _is_page_field(child.get(qn("w:instr"), "")):
                    continue
                inner = child.find(qn("w:sdtContent")) if tag == "sdt" else child
                if inner is not None:
                    yield from self._inline(inner, para_bold, state)

    def _run(self, r: etree._Element, para_bold: bool | None, state: list[int]) -> Iterator[tuple[str, object]]:
        rpr = r.find(qn("w:rPr"))
        bold = _bold(rpr)
        if bold is None and rpr is not None and (rs := rpr.find(qn("w:rStyle"))) is not None:
            bold = self._prop(rs.get(qn("w:val")), "bold")
        if bold is None:
            bold = para_bold
        buf: list[str] = []
        for el in r:
            tag = _local(el)
            if tag == "fldChar":
                typ = el.get(qn("w:fldCharType"))
                if typ == "begin":
                    state[0] += 1
                elif typ == "end":
                    if state[1] == state[0]:
                        state[1] = 0
                    state[0] -= 1
                continue
            if tag == "instrText":
                if state[1] == 0 and _is_page_field(el.text or ""):
                    state[1] = state[0]
                continue
            if state[1]:
                continue
            if tag == "t":
                buf.append(el.text or "")
            elif tag == "tab":
                buf.append(" ")
            elif tag in ("br", "cr"):
                if el.get(qn("w:type")) == "page":
                    if buf:
                        yield "run", Run("".join(buf), bool(bold))
                        buf = []
                    yield "page", None
                else:
                    buf.append("\n")
            elif tag == "noBreakHyphen":
                buf.append("\u2011")
            elif tag == "sym":
                ch = el.get(qn("w:char"))
                if ch:
                    try:
                        buf.append(chr(int(ch, 16)))
                    except ValueError:
                        pass
        if buf:
            yield "run", Run("".join(buf), bool(bold))

    # -- tables

    def table(self, tbl: etree._Element) -> Table:
        grid = tuple(
            _twips(gc, "w", 0.0) for gc in tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}")
        )
        rows: list[Row] = []
        for tr in tbl.findall(qn("w:tr")):
            trpr = tr.find(qn("w:trPr"))
            col = 0
            if trpr is not None and (gb := trpr.find(qn("w:gridBefore"))) is not None:
                col = int(gb.get(qn("w:val"), "0"))
            cells: list[Cell] = []
            for tc in _cells(tr):
                tcpr = tc.find(qn("w:tcPr"))
                span, vmerge, valign = 1, None, "top"
                if tcpr is not None:
                    if (gs := tcpr.find(qn("w:gridSpan"))) is not None:
                        span = max(1, int(gs.get(qn("w:val"), "1")))
                    if (vm := tcpr.find(qn("w:vMerge"))) is not None:
                        vmerge = "restart" if vm.get(qn("w:val")) == "restart" else "continue"
                    if (va := tcpr.find(qn("w:vAlign"))) is not None:
                        valign = {"center": "center", "bottom": "bottom"}.get(va.get(qn("w:val"), ""), "top")
                paras: list[Paragraph] = []
                for child in tc:
                    tag = _local(child)
                    if tag == "p":
                        paras.extend(b for b in self.paragraph(child) if isinstance(b, Paragraph))
                    elif tag == "tbl":  # nested table: keep its text, flattened
                        inner = self.table(child)
                        for row in inner.rows:
                            for c in row.cells:
                                paras.extend(c.paragraphs)
                cells.append(Cell(tuple(paras), col=col, span=span, vmerge=vmerge, valign=valign))  # type: ignore[arg-type]
                col += span
            height = None
            if trpr is not None and (trh := trpr.find(qn("w:trHeight"))) is not None:
                height = _twips(trh, "val", 0.0) or None
            header = trpr is not None and _on(trpr.find(qn("w:tblHeader")))
            rows.append(Row(tuple(cells), header=header, height=height))
        ncols = max([len(grid)] + [c.col + c.span for r in rows for c in r.cells])
        if len(grid) < ncols:  # malformed grid: pad with the average width
            avg = (sum(grid) / len(grid)) if grid else 72.0
            grid = grid + (avg,) * (ncols - len(grid))
        return Table(grid=grid, rows=tuple(rows))


_GETTERS = {
    "jc": lambda st: _jc(st.element),
    "pbb": lambda st: st.paragraph_format.page_break_before,
    "bold": lambda st: st.font.bold,
}


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    for child in tr:
        tag = _local(child)
        if tag == "tc":
            yield child
        elif tag in ("sdt", "customXml"):
            inner = child.find(qn("w:sdtContent")) if tag == "sdt" else child
            if inner is not None:
                yield from (c for c in inner if _local(c) == "tc")


def _jc(ppr: etree._Element | None) -> Align | None:
    if ppr is None:
        return None
    if _local(ppr) != "pPr":
        ppr = ppr.find(qn("w:pPr"))
        if ppr is None:
            return None
    jc = ppr.find(qn("w:jc"))
    return _JC.get(jc.get(qn("w:val"), "")) if jc is not None else None


def _bold(rpr: etree._Element | None) -> bool | None:
    if rpr is None:
        return None
    b = rpr.find(qn("w:b"))  # w:bCs is complex-script bold: does not apply to CJK
    return None if b is None else _on(b)


def _is_page_field(instr: str) -> bool:
    word = instr.strip().split(" ", 1)[0].upper() if instr.strip() else ""
    return word in ("PAGEREF", "PAGE", "NUMPAGES", "SECTIONPAGES")


def _merge(runs: list[Run]) -> list[Run]:
    """Adjacent runs with equal formatting become one (Word splits runs arbitrarily)."""
    out: list[Run] = []
    for r in runs:
        if out and out[-1].bold == r.bold:
            out[-1] = Run(out[-1].text + r.text, r.bold)
        elif r.text:
            out.append(r)
    return out
