"""Read a filled .docx into a small typed model (pure data, no reportlab).

The model follows "The filled .docx contract" in docs/design.md: paragraphs keep their style *name*,
alignment, runs (bold), page-break-before, bookmark names and the hyperlink anchor of a 目录 entry;
tables keep grid widths, gridSpan / vMerge and header-row flags; sections keep page geometry.
All lengths are in points.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator, Literal, NamedTuple, Union

from docx.oxml.coreprops import CT_CoreProperties
from docx.oxml.ns import nsmap
from docx.oxml.simpletypes import ST_HpsMeasure
from docx.styles import BabelFish
from lxml import etree

from ..docx_package import FilledDocx

Align = Literal["left", "center", "right", "justify"]

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
W_STYLE, W_STYLEID, W_BASEDON, W_DEFAULT, W_SZ = _W + "style", _W + "styleId", _W + "basedOn", _W + "default", _W + "sz"
_INLINE_CONTAINERS = {_W + t: t for t in ("ins", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent")}
_ROW_PROPS = {W_GRIDBEFORE: 0, W_TRHEIGHT: 1, W_TBLHEADER: 2}     # what a w:trPr tells us (see _firsts)
_CELL_PROPS = {W_GRIDSPAN: 0, W_VMERGE: 1, W_VALIGN: 2}           # … and a w:tcPr


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
# The package is read with zipfile and plain lxml (no python-docx objects: its element classes make every
# child access a Python call). Style and core-property semantics follow python-docx exactly.
# A report has ~1600 paragraphs and ~1400 cells, so the reader is built for speed: each element is visited
# once by a plain `for child in el` loop (lxml's find() runs Python path code); what follows from a style is
# worked out once per template (_Styles); equal paragraphs, runs, cells, rows and tables are made once per
# template, for all the documents read with it (the model is frozen, so sharing them is safe).

_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's parser settings
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_RT_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_VALIGN: dict[str, Literal["center", "bottom"]] = {"center": "center", "bottom": "bottom"}


class _Package:
    def __init__(self, data: bytes, parsed: Mapping[str, etree._Element] | None = None) -> None:
        self.data = data
        self.parsed = parsed or {}
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self._rels: dict[str, etree._Element | None] = {}

    def xml(self, name: str | None) -> etree._Element | None:
        if name is None or name not in self.names:
            return None
        tree = self.parsed.get(name)
        return tree if tree is not None else etree.fromstring(self.zip.read(name), _PARSER)

    def stored(self, name: str) -> tuple[int, bytes]:
        """A part as stored: (compression, compressed bytes). Equal stored parts have equal content, and
        comparing them skips inflating (and hashing) a large part."""
        info = self.zip.getinfo(name)
        at = info.header_offset
        start = at + 30 + int.from_bytes(self.data[at + 26:at + 28], "little") + int.from_bytes(
            self.data[at + 28:at + 30], "little")  # after the local header's name and extra field
        return info.compress_type, self.data[start:start + info.compress_size]

    def rel_target(self, source: str, reltype: str) -> str | None:
        """The part a relationship of `reltype` from `source` ("" for the package) points to."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self._rels:  # the package's own rels are asked twice
            self._rels[rels_name] = self.xml(rels_name)
        rels = self._rels[rels_name]
        if rels is None:
            return None
        for rel in rels.iter(_REL):
            if rel.get("Type") == reltype and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                if target.startswith("/"):
                    return target[1:]
                return posixpath.normpath(posixpath.join(folder, target))
        return None


def read_docx(source: bytes | Path | str | FilledDocx) -> Document:
    """The document model of a .docx file; of a FilledDocx, from the trees it already holds where it can."""
    serialised: Mapping[str, bytes] = {}
    if isinstance(source, FilledDocx):
        pkg = _Package(source.data, source.parsed)
        serialised = source.serialised
    else:
        pkg = _Package(source if isinstance(source, bytes) else Path(source).read_bytes())
    main = pkg.rel_target("", _RT_DOCUMENT)
    root = pkg.xml(main)
    if root is None:
        raise ValueError("not a Word document: no main document part")
    body = root.find(W_BODY)
    xml = serialised.get(main) if main is not None else None
    sources = _sources(body, xml) if xml is not None and body is not None else None
    reader = _Reader(_styles(pkg, pkg.rel_target(main, _RT_STYLES)), sources)
    sections: list[Section] = []
    current: list[Block] = []
    for child in _body_children(body if body is not None else ()):
        tag = child.tag
        if tag == W_P:
            blocks, sect = reader.paragraph(child)
            current.extend(blocks)
            if sect is not None:  # a section ends with this paragraph
                sections.append(_section(sect, current))
                current = []
        elif tag == W_TBL:
            current.append(reader.table(child))
        else:  # sectPr
            sections.append(_section(child, current))
            current = []
    if current or not sections:
        sections.append(Section(PageSetup(), current))
    core = pkg.xml(pkg.rel_target("", _RT_CORE))
    return Document(
        sections=sections,
        styles=reader.style_infos(),
        title=_core_text(core, _DC + "title") if core is not None else "Word Document",  # python-docx default
        author=_core_text(core, _DC + "creator"),
        subject=_core_text(core, _DC + "subject"),
        keywords=_core_text(core, _CP + "keywords"),
        created=_core_created(core),
    )


def _core_text(core: etree._Element | None, tag: str) -> str:
    el = core.find(tag) if core is not None else None
    return (el.text or "") if el is not None else ""


def _core_created(core: etree._Element | None) -> datetime | None:
    el = core.find(_DCTERMS + "created") if core is not None else None
    if el is None:
        return None
    try:
        return CT_CoreProperties._parse_W3CDTF_to_datetime(el.text)  # python-docx's own parsing
    except (ValueError, TypeError):
        return None


def _body_children(parent) -> Iterator[etree._Element]:  # type: ignore[no-untyped-def]
    """Body-level p / tbl / sectPr, looking through content controls (w:sdt) such as a Word TOC."""
    for child in parent:
        tag = child.tag
        if tag == W_P or tag == W_TBL or tag == W_SECTPR:
            yield child
        elif tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _body_children(content)


def _twips(el: etree._Element | None, attr: str, default: float) -> float:
    if el is None:
        return default
    v = el.get(_W + attr)
    try:
        return int(v) * _TWIP if v is not None else default
    except ValueError:
        return default


def _section(sect: etree._Element, blocks: list[Block]) -> Section:
    d = PageSetup()
    sz = sect.find(_W + "pgSz")
    mar = sect.find(_W + "pgMar")
    w, h = _twips(sz, "w", d.width), _twips(sz, "h", d.height)
    if sz is not None and sz.get(_W + "orient") == "landscape" and w < h:
        w, h = h, w  # orient wins over inconsistent w/h
    page = PageSetup(
        width=w, height=h,
        top=abs(_twips(mar, "top", d.top)), bottom=abs(_twips(mar, "bottom", d.bottom)),
        left=_twips(mar, "left", d.left), right=_twips(mar, "right", d.right),
        header=_twips(mar, "header", d.header), footer=_twips(mar, "footer", d.footer),
    )
    typ = sect.find(W_TYPE)
    return Section(
        page=page,
        blocks=blocks,
        continuous=typ is not None and typ.get(W_VAL) == "continuous",
        title_page=_on(sect.find(_W + "titlePg")),
    )


def _on(el: etree._Element | None) -> bool:
    """A w:ST_OnOff element: present and not val=false/0/off."""
    return el is not None and el.get(W_VAL, "true") not in ("false", "0", "off")


def _onoff(el: etree._Element | None) -> bool | None:
    """python-docx's reading of an optional CT_OnOff child: None when absent."""
    return None if el is None else _on(el)


# ---------------------------------------------------------------------------------------------- styles

_STYLES_CACHE: dict[tuple[int, bytes], _Styles] = {}


def _styles(pkg: _Package, name: str | None) -> _Styles:
    """The styles part, read once per template and shared between reads (only ever read, never changed):
    a template's styles.xml is large and identical in every report built from it."""
    if name is None or name not in pkg.names:
        return _Styles(None)
    key = pkg.stored(name)
    styles = _STYLES_CACHE.get(key)
    if styles is None:
        styles = _Styles(pkg.xml(name))
        if len(_STYLES_CACHE) >= 4:
            _STYLES_CACHE.pop(next(iter(_STYLES_CACHE)))
        _STYLES_CACHE[key] = styles
    return styles


ParaProps = tuple[str, Align | None, bool, bool | None]
# paragraphs kept for reuse across documents: the sample has 478 distinct ones, ≈1 MB with the render caches
# (measured); real units differ in their figures, so the store is cleared about every 10 units
_SHARED_MAX = 5_000


class _Styles:
    """What the reader asks of one styles part, each answer worked out once (memo dicts; the values are
    deterministic, so two threads filling them at once is harmless)."""

    def __init__(self, root: etree._Element | None) -> None:
        els = root.findall(W_STYLE) if root is not None else []
        self._by_id: dict[str | None, etree._Element] = {}  # python-docx: {s.style_id: s}, last wins
        self._first: dict[str | None, etree._Element] = {}  # w:basedOn resolves to the first match
        for el in els:
            sid = el.get(W_STYLEID)
            self._by_id[sid] = el
            self._first.setdefault(sid, el)
        self._default_para = next(
            (el for el in els if el.get(W_TYPE, "paragraph") == "paragraph"
             and el.get(W_DEFAULT) in ("1", "true")), None)
        self._by_name: dict[str | None, etree._Element] | None = None
        self._para: dict[str | None, ParaProps] = {}
        self._bold: dict[str | None, bool | None] = {}
        self._infos: dict[str, StyleInfo | None] = {}
        # the model's paragraphs, runs and cells, made once for every document read with these styles
        self.paras: dict[tuple, Paragraph] = {}
        self.runs: dict[tuple[str, bool], Run] = {}
        self.cells: dict[tuple, Cell] = {}  # keyed by the ids of its (shared, kept alive) paragraphs
        self.rows: dict[tuple, Row] = {}  # by the ids of its cells
        self.tables: dict[tuple, Table] = {}  # by its grid and the ids of its rows
        # recipes of paragraphs and rows by (the bytes before the body, their skeleton): see _Reader
        self.recipes: dict[tuple[bytes, bytes], ParaRecipe | RowRecipe] = {}

    @staticmethod
    def _name_of(el: etree._Element) -> str | None:
        n = el.find(W_NAME)
        if n is None:
            return None
        return BabelFish.internal2ui(n.get(W_VAL))

    def _chain(self, style_id: str | None) -> Iterator[etree._Element]:
        s = self._by_id.get(style_id) if style_id else self._default_para
        seen = 0
        while s is not None and seen < 20:  # base_style cycles exist in the wild
            yield s
            based = s.find(W_BASEDON)
            s = self._first.get(based.get(W_VAL)) if based is not None else None
            seen += 1

    def _attr(self, style_id: str | None, get):  # type: ignore[no-untyped-def]
        """A style property, inherited through based-on styles."""
        for s in self._chain(style_id):
            v = get(s)
            if v is not None:
                return v
        return None

    def para(self, style_id: str | None) -> ParaProps:
        """(name, alignment, page-break-before, bold) of a paragraph style."""
        props = self._para.get(style_id)
        if props is None:
            s = self._by_id.get(style_id) if style_id else self._default_para
            name = self._name_of(s) if s is not None else (style_id or "Normal")
            props = self._para[style_id] = (
                name, self._attr(style_id, _jc), bool(self._attr(style_id, _style_pbb)),  # type: ignore[assignment]
                self.bold(style_id))
        return props

    def bold(self, style_id: str | None) -> bool | None:
        if style_id not in self._bold:
            self._bold[style_id] = self._attr(style_id, _style_bold)
        return self._bold[style_id]

    def info(self, name: str) -> StyleInfo | None:
        """The StyleInfo of the style named `name`; None for an unknown or numbering style."""
        if name not in self._infos:
            if self._by_name is None:
                self._by_name = {self._name_of(s): s for s in self._by_id.values()}
            s = self._by_name.get(name)
            if s is None or s.get(W_TYPE) == "numbering":  # python-docx: a numbering style has no font
                self._infos[name] = None
            else:
                sid = s.get(W_STYLEID)
                self._infos[name] = StyleInfo(
                    size=self._attr(sid, _style_size), bold=self._attr(sid, _style_bold), align=self._attr(sid, _jc))
        return self._infos[name]


def _style_size(st: etree._Element) -> float | None:
    rpr = st.find(W_RPR)
    sz = rpr.find(W_SZ) if rpr is not None else None
    return ST_HpsMeasure.convert_from_xml(sz.get(W_VAL)).pt if sz is not None else None  # python-docx's Length


def _style_bold(st: etree._Element) -> bool | None:
    rpr = st.find(W_RPR)
    return _onoff(rpr.find(W_B)) if rpr is not None else None


def _style_pbb(st: etree._Element) -> bool | None:
    ppr = st.find(W_PPR)
    return _onoff(ppr.find(W_PBB)) if ppr is not None else None


def _jc(ppr: etree._Element | None) -> Align | None:
    if ppr is None:
        return None
    if ppr.tag != W_PPR:
        ppr = ppr.find(W_PPR)
        if ppr is None:
            return None
    jc = ppr.find(W_JC)
    return _JC.get(jc.get(W_VAL, "")) if jc is not None else None


# ---------------------------------------------------------------------------------------------- body
# Each paragraph and table row is read in two steps: a walk of its elements makes a recipe — everything the
# model takes from it, with each w:t's text left as a slot (its index among the element's w:t, in document
# order) — and the recipe filled with the texts gives the model objects. When the fill stage hands over the
# bytes the tree was serialised to, a recipe is found again by those bytes with the w:t elements cut out
# (its "skeleton"): the rows and paragraphs of a template come out in few shapes (78 for the sample's 200
# rows), so most elements are never walked, only their texts cut out of the bytes.

class _Mark(NamedTuple):
    """A bookmark or hyperlink anchor met among a paragraph's runs."""
    kind: Literal["bookmark", "anchor"]
    value: str


_PAGE = PageBreak()  # a page break met among a paragraph's runs
Segs = tuple[int | str, ...]  # a run's text: slots (w:t indices) and literal characters (tab, break …)
Piece = tuple[str, bool | None]  # run text, its own bold (None: the paragraph style's)
Part = Piece | _Mark | PageBreak
RecPart = tuple[Segs, bool | None] | _Mark | PageBreak


class ParaRecipe(NamedTuple):
    style: str
    align: Align | None
    pbb: bool
    bold: bool  # the paragraph style's bold, for runs that do not say
    parts: tuple[RecPart, ...]
    ends_section: bool  # its w:pPr holds a w:sectPr
    slot: int | None  # the common case: one run whose text is one w:t, this one …
    run_bold: bool  # … in this bold


class CellRecipe(NamedTuple):
    col: int
    span: int
    vmerge: Literal["restart", "continue"] | None
    valign: str
    paras: tuple[ParaRecipe, ...]
    first: int  # its slots are first … last - 1 (a cell's w:t follow one another)
    last: int
    made: dict[tuple[str, ...], Cell]  # by the texts of its slots: the cells it gave (bounded)


class RowRecipe(NamedTuple):
    header: bool
    height: float | None
    cells: tuple[CellRecipe, ...]
    styles: frozenset[str]  # of its paragraphs
    made: dict[tuple[str, ...], Row]  # by its texts: the rows it gave (bounded)


_MADE_MAX = 32  # rows and cells kept per recipe: a template's fixed text repeats in every unit, figures do not

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


_NAMES: dict[str, bytes] = {}  # Clark name of a w: element → its qualified name
_TABLE_PARTS = frozenset((W_TR, _W + "tblPr", _W + "tblGrid"))  # nest in themselves only through a nested table


def _place(xml: bytes, el: etree._Element, pos: int, spans: dict[etree._Element, tuple[int, int]],
           flat: bool) -> int | None:
    """Where `el`, the next element after `pos`, ends; its span kept if it is a paragraph or a row, a table's
    rows placed one by one (`flat`: inside a table with no table in it). None when it cannot be placed."""
    tag = el.tag
    name = _NAMES.get(tag) if tag.__class__ is str else None  # type: ignore[arg-type]
    if name is None:
        if tag.__class__ is not str or not tag.startswith(_W):  # type: ignore[union-attr]
            return None
        name = _NAMES[tag] = b"w:" + tag[len(_W):].encode("utf-8")  # type: ignore[index]
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


class _Reader:
    """Reads one document's body; makes each distinct paragraph, run, cell, row and table once (per styles
    part)."""

    def __init__(self, styles: _Styles, sources: _Sources | None) -> None:
        self.styles = styles
        self._names: set[str] = set()  # the paragraph styles this document uses
        # equal objects are shared across the documents read with these styles (they repeat from unit to unit)
        if len(styles.paras) > _SHARED_MAX:  # bounded in a long batch
            styles.paras.clear()
            styles.runs.clear()
            styles.cells.clear()
            styles.rows.clear()
            styles.tables.clear()
        if len(styles.recipes) > _SHARED_MAX:  # a template has few shapes: more means many templates
            styles.recipes.clear()
        self._paras = styles.paras
        self._runs = styles.runs
        self._cells = styles.cells
        self._rows = styles.rows
        self._tables = styles.tables
        self._recipes = styles.recipes
        self._sources = sources

    def style_infos(self) -> dict[str, StyleInfo]:
        out: dict[str, StyleInfo] = {}
        for name in sorted(self._names):
            info = self.styles.info(name)
            if info is not None:
                out[name] = info
        return out

    def _recipe(self, el: etree._Element, record, span: tuple[int, int] | None) -> tuple:  # type: ignore[no-untyped-def]
        """(recipe, texts) of a paragraph or row: the recipe found by the element's skeleton when its bytes are
        known (span), else made by walking it (`record`)."""
        if span is None:
            slots = {t: i for i, t in enumerate(el.iter(W_T))}
            return record(el, slots), [t.text or "" for t in slots]
        pieces = _SLOT.split(self._sources.xml[span[0]:span[1]])  # type: ignore[union-attr]
        raw = pieces[1::2]
        skeleton = (self._sources.head, b"\0".join(pieces[0::2]))  # type: ignore[union-attr]  # no NUL in XML
        recipe = self._recipes.get(skeleton)
        if recipe is None:
            slots = {t: i for i, t in enumerate(el.iter(W_T))}
            recipe = record(el, slots)
            if len(slots) == len(raw):  # every w:t is a slot of the skeleton (same prefix, no other attribute)
                self._recipes[skeleton] = recipe
            else:
                return recipe, [t.text or "" for t in slots]
        if None in raw:
            raw = [r or b"" for r in raw]
        blob = b"\0".join(raw)
        if b"&" in blob:  # an escaped character: lxml's own reading of the text
            return recipe, [t.text or "" for t in el.iter(W_T)]
        return recipe, blob.decode("utf-8").split("\0")

    # -- paragraphs

    def paragraph(self, p: etree._Element) -> tuple[list[Block], etree._Element | None]:
        """One w:p → paragraph(s) (a page break inside a run splits it), and the w:sectPr it ends, if any."""
        span = self._sources.spans.get(p) if self._sources is not None else None
        recipe, texts = self._recipe(p, self._record_para, span)
        return self._para_blocks(recipe, texts), (_sect_of(p) if recipe.ends_section else None)

    def _record_para(self, p: etree._Element, slots: dict[etree._Element, int]) -> ParaRecipe:
        parts: list[RecPart] = []
        state = [0, 0]
        ppr = None
        for child in p:
            tag = child.tag
            if tag == W_R:
                self._run(child, slots, state, parts)
            elif tag == W_PPR:
                if ppr is None:
                    ppr = child
            else:
                self._inline_child(child, tag, slots, state, parts)
        style_id = align = pbb_el = sect = None
        if ppr is not None:
            for c in ppr:
                tag = c.tag
                if tag == W_PSTYLE:
                    if style_id is None:
                        style_id = c.get(W_VAL)
                elif tag == W_JC:
                    if align is None:
                        align = _JC.get(c.get(W_VAL, ""))
                elif tag == W_PBB:
                    if pbb_el is None:
                        pbb_el = c
                elif tag == W_SECTPR and sect is None:
                    sect = c
        style, style_align, style_pbb, para_bold = self.styles.para(style_id)
        if align is None:
            align = style_align
        pbb = _on(pbb_el) if pbb_el is not None else style_pbb
        slot, run_bold = None, bool(para_bold)
        if len(parts) == 1 and parts[0].__class__ is tuple:
            segs, bold = parts[0]  # type: ignore[misc]
            if len(segs) == 1 and segs[0].__class__ is int:
                slot = segs[0]
                if bold is not None:
                    run_bold = bold
        return ParaRecipe(style, align, pbb, bool(para_bold), tuple(parts), sect is not None, slot, run_bold)

    def _para_blocks(self, recipe: ParaRecipe, texts: list[str]) -> list[Block]:
        """The paragraph(s) of a recipe filled with its texts."""
        style, align, pbb, para_bold, parts, _, slot, run_bold = recipe
        self._names.add(style)
        if slot is not None:
            text = texts[slot]
            return [self._para((style, ((text, run_bold),) if text else (), align, pbb, (), None))]
        if not parts:  # the common cases first: no run, or one run
            return [self._para((style, (), align, pbb, (), None))]
        if len(parts) == 1 and parts[0].__class__ is tuple:
            segs, bold = parts[0]  # type: ignore[misc]
            text = _text(segs, texts)
            runs = ((text, para_bold if bold is None else bold),) if text else ()
            return [self._para((style, runs, align, pbb, (), None))]
        filled: list[Part] = [(_text(p[0], texts), p[1]) if p.__class__ is tuple else p  # type: ignore[misc]
                              for p in parts]
        return self._split(filled, style, align, pbb, para_bold)

    def _split(self, parts: list[Part], style: str, align: Align | None, pbb: bool,
               para_bold: bool) -> list[Block]:
        """Paragraphs and page breaks from a paragraph's parts; an empty paragraph is kept (it is vertical
        space), unless it only carried a page break."""
        out: list[Block] = []
        runs: list[tuple[str, bool]] = []
        bookmarks: list[str] = []
        anchor = None  # the first one, also for the paragraphs after a page break
        for part in parts:
            if part.__class__ is tuple:
                text, bold = part  # type: ignore[misc]
                runs.append((text, para_bold if bold is None else bold))
            elif part is _PAGE:
                if runs or bookmarks:
                    out.append(self._para((style, _merge(runs), align, pbb and not out, tuple(bookmarks), anchor)))
                    runs, bookmarks = [], []
                out.append(PageBreak())
            elif part.kind == "bookmark":  # type: ignore[union-attr]
                bookmarks.append(part.value)  # type: ignore[union-attr]
            elif anchor is None:
                anchor = part.value  # type: ignore[union-attr]
        if runs or bookmarks or not out:
            out.append(self._para((style, _merge(runs), align, pbb and not out, tuple(bookmarks), anchor)))
        return out

    def _para(self, key: tuple) -> Paragraph:
        """The paragraph with these fields (runs as (text, bold) pairs), made once per document."""
        para = self._paras.get(key)
        if para is None:
            style, runs, align, pbb, bookmarks, anchor = key
            para = self._paras[key] = Paragraph(
                style, tuple([self._run_obj(r) for r in runs]), align, pbb, bookmarks, anchor)
        return para

    def _run_obj(self, run: tuple[str, bool]) -> Run:
        obj = self._runs.get(run)
        if obj is None:
            obj = self._runs[run] = Run(*run)
        return obj

    def _inline(self, parent: etree._Element, slots: dict[etree._Element, int], state: list[int],
                parts: list[RecPart]) -> None:
        """Walk runs in order, appending their parts; skip results of PAGEREF / PAGE fields (we print real
        page numbers). `state` is [field depth, depth of the field being skipped]."""
        for child in parent:
            tag = child.tag
            if tag == W_R:
                self._run(child, slots, state, parts)
            else:
                self._inline_child(child, tag, slots, state, parts)

    def _inline_child(self, child: etree._Element, tag: str, slots: dict[etree._Element, int], state: list[int],
                      parts: list[RecPart]) -> None:
        """A paragraph's child other than a run: hyperlinks, bookmarks and containers of runs."""
        if tag == W_HYPERLINK:
            anchor = child.get(W_ANCHOR)
            if anchor:
                parts.append(_Mark("anchor", anchor))
            self._inline(child, slots, state, parts)
        elif tag == W_BOOKMARKSTART:
            name = child.get(W_NAME)
            if name and name != "_GoBack":
                parts.append(_Mark("bookmark", name))
        elif tag in _INLINE_CONTAINERS:
            if tag == W_FLDSIMPLE and _is_page_field(child.get(W_INSTR, "")):
                return
            inner = _child(child, W_SDTCONTENT) if tag == W_SDT else child
            if inner is not None:
                self._inline(inner, slots, state, parts)

    def _run(self, r: etree._Element, slots: dict[etree._Element, int], state: list[int],
             parts: list[RecPart]) -> None:
        start = len(parts)
        bold = None
        rpr_seen = False
        segs: list[int | str] | None = None  # None: no text element yet (an empty w:t still makes a run)
        for el in r:
            tag = el.tag
            if tag == W_T:
                if not state[1]:
                    segs = [slots[el]] if segs is None else segs + [slots[el]]
                continue
            if tag == W_RPR:
                if not rpr_seen:  # only the first w:rPr counts, wherever it is
                    rpr_seen = True
                    bold = self._rpr_bold(el)
                    if len(parts) > start:  # text before it (schema order puts w:rPr first)
                        parts[start:] = [p if p is _PAGE else (p[0], bold) for p in parts[start:]]  # type: ignore[index]
                continue
            if tag == W_FLDCHAR:
                typ = el.get(W_FLDCHARTYPE)
                if typ == "begin":
                    state[0] += 1
                elif typ == "end":
                    if state[1] == state[0]:
                        state[1] = 0
                    state[0] -= 1
                continue
            if tag == W_INSTRTEXT:
                if state[1] == 0 and _is_page_field(el.text or ""):
                    state[1] = state[0]
                continue
            if state[1]:
                continue
            char = None
            if tag == W_TAB:
                char = " "
            elif tag == W_BR or tag == W_CR:
                if el.get(W_TYPE) == "page":
                    if segs is not None:
                        parts.append((tuple(segs), bold))
                        segs = None
                    parts.append(_PAGE)
                else:
                    char = "\n"
            elif tag == W_NOBREAKHYPHEN:
                char = "\u2011"
            elif tag == W_SYM:
                ch = el.get(W_CHAR)
                if ch:
                    try:
                        char = chr(int(ch, 16))
                    except ValueError:
                        continue
            if char is not None:
                segs = [char] if segs is None else segs + [char]
        if segs is not None:
            parts.append((tuple(segs), bold))

    def _rpr_bold(self, rpr: etree._Element) -> bool | None:
        """A run's own bold: w:b, else its character style's; None when neither says (w:bCs is
        complex-script bold: does not apply to CJK)."""
        b = rs = None
        for c in rpr:
            tag = c.tag
            if tag == W_B:
                if b is None:
                    b = c
            elif tag == W_RSTYLE and rs is None:
                rs = c
        if b is not None:
            return _on(b)
        return self.styles.bold(rs.get(W_VAL)) if rs is not None else None

    # -- tables

    def table(self, tbl: etree._Element) -> Table:
        grid_el = tbl.find(W_TBLGRID)
        grid = tuple(_twips(gc, "w", 0.0) for gc in grid_el.iterchildren(W_GRIDCOL)) if grid_el is not None else ()
        spans = self._sources.spans if self._sources is not None else {}
        rows = tuple([self._row(*self._recipe(tr, self._record_row, spans.get(tr))) for tr in tbl.iterchildren(W_TR)])
        ncols = max([len(grid)] + [c.col + c.span for r in rows for c in r.cells])
        if len(grid) < ncols:  # malformed grid: pad with the average width
            avg = (sum(grid) / len(grid)) if grid else 72.0
            grid = grid + (avg,) * (ncols - len(grid))
        key = (grid, *map(id, rows))
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = Table(grid=grid, rows=rows)
        return table

    def _record_row(self, tr: etree._Element, slots: dict[etree._Element, int]) -> RowRecipe:
        trpr = None
        tcs: list[etree._Element] = []
        for child in tr:
            tag = child.tag
            if tag == W_TC:
                tcs.append(child)
            elif tag == W_TRPR:
                if trpr is None:
                    trpr = child
            elif tag == W_SDT or tag == W_CUSTOMXML:
                inner = _child(child, W_SDTCONTENT) if tag == W_SDT else child
                if inner is not None:
                    tcs.extend(inner.iterchildren(W_TC))
        col, height, header = 0, None, False
        if trpr is not None:
            gb, trh, th = _firsts(trpr, _ROW_PROPS)
            if gb is not None:
                col = int(gb.get(W_VAL, "0"))
            if trh is not None:
                height = _twips(trh, "val", 0.0) or None
            header = _on(th)
        cells: list[CellRecipe] = []
        for tc in tcs:
            cell = self._record_cell(tc, col, slots)
            cells.append(cell)
            col += cell[1]
        return RowRecipe(header, height, tuple(cells), frozenset(p.style for c in cells for p in c.paras), {})

    def _record_cell(self, tc: etree._Element, col: int, slots: dict[etree._Element, int]) -> CellRecipe:
        span, vmerge, valign = 1, None, "top"
        paras: list[ParaRecipe] = []
        tcpr_seen = False
        for child in tc:
            tag = child.tag
            if tag == W_P:
                paras.append(self._record_para(child, slots))
            elif tag == W_TCPR:
                if tcpr_seen:  # only the first w:tcPr counts
                    continue
                tcpr_seen = True
                gs, vm, va = _firsts(child, _CELL_PROPS)
                if gs is not None:
                    span = max(1, int(gs.get(W_VAL, "1")))
                if vm is not None:
                    vmerge = "restart" if vm.get(W_VAL) == "restart" else "continue"
                if va is not None:
                    valign = _VALIGN.get(va.get(W_VAL, ""), "top")
            elif tag == W_TBL:  # nested table: keep its text, flattened
                for tr in child.iterchildren(W_TR):
                    for cell in self._record_row(tr, slots).cells:
                        paras.extend(cell.paras)
        mine = [slots[t] for t in tc.iter(W_T)]
        first, last = (mine[0], mine[-1] + 1) if mine else (0, 0)
        return CellRecipe(col, span, vmerge, valign, tuple(paras), first, last, {})  # type: ignore[arg-type]

    def _row(self, recipe: RowRecipe, texts: list[str]) -> Row:
        """The row of a recipe filled with its texts."""
        header, height, cell_recipes, names, made = recipe
        self._names.update(names)
        row_key = tuple(texts)
        row = made.get(row_key)
        if row is not None:
            return row
        known = self._paras
        cells: list[Cell] = []
        for col, span, vmerge, valign, para_recipes, first, last, cells_made in cell_recipes:
            cell_key = tuple(texts[first:last])
            cell = cells_made.get(cell_key)
            if cell is not None:
                cells.append(cell)
                continue
            paras: list[Paragraph] = []
            for r in para_recipes:
                if r.slot is None:
                    paras.extend([b for b in self._para_blocks(r, texts) if b.__class__ is Paragraph])  # type: ignore[misc]
                    continue
                text = texts[r.slot]  # the common case, inline (a report has ≈1500 such cells)
                key = (r.style, ((text, r.run_bold),) if text else (), r.align, r.pbb, (), None)
                para = known.get(key)
                paras.append(para if para is not None else self._para(key))
            key = (col, span, vmerge, valign, *map(id, paras))
            cell = self._cells.get(key)
            if cell is None:
                cell = self._cells[key] = Cell(tuple(paras), col, span, vmerge, valign)  # type: ignore[arg-type]
            cells.append(_keep(cells_made, cell_key, cell))
        key = (header, height, *map(id, cells))
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = Row(tuple(cells), header, height)
        return _keep(made, row_key, row)


def _keep(made: dict, key: tuple[str, ...], obj):  # type: ignore[no-untyped-def]
    """obj, kept in a recipe's bounded store of what it made."""
    if len(made) >= _MADE_MAX:
        made.clear()
    made[key] = obj
    return obj


def _text(segs: Segs, texts: list[str]) -> str:
    if len(segs) == 1:
        s = segs[0]
        return texts[s] if s.__class__ is int else s  # type: ignore[index,return-value]
    return "".join([texts[s] if s.__class__ is int else s for s in segs])  # type: ignore[index,misc]


def _sect_of(p: etree._Element) -> etree._Element | None:
    """The w:sectPr in a paragraph's (first) w:pPr."""
    ppr = _child(p, W_PPR)
    return _child(ppr, W_SECTPR) if ppr is not None else None


def _firsts(props: etree._Element, tags: dict[str, int]) -> list[etree._Element | None]:
    """The first child of each tag (tags: tag → position in the result), as Word reads a property element."""
    found: list[etree._Element | None] = [None] * len(tags)
    for c in props:
        i = tags.get(c.tag)
        if i is not None and found[i] is None:
            found[i] = c
    return found


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child with this tag: el.find() without lxml's path machinery (10x faster here)."""
    for c in el:
        if c.tag == tag:
            return c
    return None


def _is_page_field(instr: str) -> bool:
    word = instr.strip().split(" ", 1)[0].upper() if instr.strip() else ""
    return word in ("PAGEREF", "PAGE", "NUMPAGES", "SECTIONPAGES")


def _merge(runs: list[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    """Adjacent runs with equal formatting become one (Word splits runs arbitrarily); empty runs go."""
    out: list[tuple[str, bool]] = []
    for text, bold in runs:
        if out and out[-1][1] == bold:
            out[-1] = (out[-1][0] + text, bold)
        elif text:
            out.append((text, bold))
    return tuple(out)
