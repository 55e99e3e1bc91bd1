"""A template's styles part, as the reader asks it: each answer worked out once per template."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from docx.oxml.simpletypes import ST_HpsMeasure
from docx.styles import BabelFish
from lxml import etree

from .caches import Memo
from .doc import CONTRACT_STYLES, Align, Indent, RunStyle, Cell, Paragraph, Row, Run, StyleInfo, Table
from .ooxml import (
    _JC, _W, W_AFTER, W_ASCII, W_COLOR, W_B, W_BEFORE, W_EASTASIA, W_LINE, W_LINERULE, W_RFONTS, W_SPACING, W_BASEDON, W_DEFAULT, W_JC, W_NAME, W_PBB, W_PPR, W_RPR, W_STYLE, W_STYLEID, W_SZ, W_TYPE, W_VAL,
    _onoff,
)

if TYPE_CHECKING:
    from .docx_body import ParaRecipe, RowRecipe

ParaProps = tuple[str, Align | None, bool, bool | None]
AutoSpace = tuple[bool, bool]  # space between CJK and (Latin letters, digits)
Border = tuple[float, "str | None"]  # width pt (0: none), colour "RRGGBB" (None: automatic = black)
Borders = tuple[Border, ...]  # by EDGES
_CONTRACT = {"".join(n.split()).lower(): n for n in CONTRACT_STYLES}


def _fold(name: str) -> str:
    """A style name or id compared as Word does: case-insensitively, and here without spaces (ids have none)."""
    return "".join(name.split()).lower()

# paragraphs kept for reuse across documents: the sample has 478 distinct ones, ≈1 MB with the render caches
# (measured); real units differ in their figures, so the store is cleared about every 10 units
SHARED_MAX = 5_000


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
        self._default_table = next(
            (el for el in els if el.get(W_TYPE) == "table" and el.get(W_DEFAULT) in ("1", "true")), None)
        self._borders: dict[str | None, dict[str, Border]] = {}
        self._by_name: dict[str | None, etree._Element] | None = None
        self._para: dict[str | None, ParaProps] = {}
        self._bold: dict[str | None, bool | None] = {}
        self._italic: dict[str | None, bool | None] = {}
        self._autospace: dict[str | None, AutoSpace] = {}
        defaults = root.find(f"{_W}docDefaults/{_W}pPrDefault/{W_PPR}") if root is not None else None
        # w:pPrDefault / w:rPrDefault: each holds a w:pPr / w:rPr as a style does
        self._doc_defaults = [d for d in (root.find(f"{_W}docDefaults/{_W}{kind}Default") for kind in ("pPr", "rPr"))
                              if d is not None] if root is not None else []
        self._default_autospace = _autospace_of(defaults, (True, True))  # Word's default: on
        self._infos: dict[str, StyleInfo | None] = {}
        # the model's paragraphs, runs and cells, made once for every document read with these styles (they
        # repeat from unit to unit); a store keyed by the ids of objects in another is forgotten with it
        self.tables: Memo[tuple, Table] = Memo(SHARED_MAX)  # by its grid and the ids of its rows
        self.rows: Memo[tuple, Row] = Memo(SHARED_MAX, (self.tables,))  # by the ids of its cells
        self.cells: Memo[tuple, Cell] = Memo(SHARED_MAX, (self.rows, self.tables))  # by its paragraphs' ids
        self.paras: Memo[tuple, Paragraph] = Memo(SHARED_MAX, (self.cells, self.rows, self.tables))
        self.runs: Memo[tuple[str, bool | RunStyle], Run] = Memo(SHARED_MAX)
        # recipes of paragraphs and rows by (the bytes before the body, their skeleton): see _Reader; a
        # template has few shapes, more means many templates
        self.recipes: Memo[tuple[bytes, bytes], ParaRecipe | RowRecipe] = Memo(SHARED_MAX)

    @staticmethod
    def _name_of(el: etree._Element) -> str | None:
        """The style's name as python-docx reports it; a style of the .docx contract under its contract name
        whatever the case and spacing ("TOC 1" as LibreOffice saves it = "toc 1"), also when only its id says
        which it is (no w:name, id "TOC1")."""
        n = el.find(W_NAME)
        val = n.get(W_VAL) if n is not None else None
        name = BabelFish.internal2ui(val) if val is not None else None
        for key in (name, el.get(W_STYLEID)):
            contract = _CONTRACT.get(_fold(key)) if key else None
            if contract is not None:
                return contract
        return name

    def _chain(self, style_id: str | None, default: str = "paragraph") -> Iterator[etree._Element]:
        """A style of any type and the styles it is based on; no id: the default style of that type."""
        s = self._by_id.get(style_id) if style_id else \
            self._default_para if default == "paragraph" else self._default_table
        seen = 0
        while s is not None and seen < 20:  # base_style cycles exist in the wild
            yield s
            based = s.find(W_BASEDON)
            s = self._first.get(based.get(W_VAL)) if based is not None else None
            seen += 1

    def _attr(self, style_id: str | None, get):
        """A style property, inherited through based-on styles."""
        for s in self._chain(style_id):
            v = get(s)
            if v is not None:
                return v
        return None

    def _spacing_attr(self, style_id: str | None, get, word_default):
        """A spacing or font property as Word resolves it: the style chain, the document defaults, then Word's
        own default (single line spacing, no space before or after; no Latin face: None)."""
        found = self._attr(style_id, get)
        for d in self._doc_defaults if found is None else ():
            found = get(d)
            if found is not None:
                break
        return word_default if found is None else found

    def table_borders(self, style_id: str | None, own: etree._Element | None) -> Borders:
        """A table's borders, edge by edge (top, left, bottom, right, insideH, insideV): its own w:tblBorders,
        else its table style's (through based-on styles), else the default table style's; none: no line."""
        if style_id not in self._borders:
            found: dict[str, Border] = {}
            for s in self._chain(style_id, "table"):
                pr = s.find(_W + "tblPr")
                _read_borders(pr.find(_W + "tblBorders") if pr is not None else None, found)
            self._borders[style_id] = found
        edges = dict(self._borders[style_id])
        if own is not None:
            mine: dict[str, Border] = {}
            _read_borders(own, mine)
            edges.update(mine)
        return tuple(edges.get(e, (0.0, None)) for e in EDGES)

    def first_row(self, style_id: str | None) -> tuple[bool | None, Align | None]:
        """(bold, alignment) the table style's conditional formatting gives a header row (w:tblStylePr
        w:type="firstRow"), through based-on styles; (None, None) when it sets neither."""
        bold: bool | None = None
        align: Align | None = None
        for s in self._chain(style_id, "table"):
            for pr in s.iterchildren(_W + "tblStylePr"):
                if pr.get(W_TYPE) != "firstRow":
                    continue
                if bold is None:
                    bold = _style_bold(pr)
                if align is None:
                    align = _jc(pr)
        return bold, align

    def para(self, style_id: str | None) -> ParaProps:
        """(name, alignment, page-break-before, bold) of a paragraph style."""
        props = self._para.get(style_id)
        if props is None:
            s = self._by_id.get(style_id) if style_id else self._default_para
            name = self._name_of(s) if s is not None else None
            if name is None:  # no such style, or one with neither a w:name nor a contract id: named by its id
                name = style_id or "Normal"  # (a None name cannot be sorted with the others: Reader.style_infos)
            props = self._para[style_id] = (
                name, self._attr(style_id, _jc), bool(self._attr(style_id, _style_pbb)), self.bold(style_id))
        return props

    def bold(self, style_id: str | None) -> bool | None:
        if style_id not in self._bold:
            self._bold[style_id] = self._attr(style_id, _style_bold)
        return self._bold[style_id]

    def italic(self, style_id: str | None) -> bool | None:
        """w:i of a (character) style, through the styles it is based on."""
        if style_id not in self._italic:
            self._italic[style_id] = self._attr(style_id, _style_italic)
        return self._italic[style_id]

    def autospace(self, style_id: str | None, ppr: etree._Element | None) -> AutoSpace:
        """(Latin letters, digits): whether space goes between them and CJK (w:autoSpaceDE, w:autoSpaceDN),
        each from the paragraph's own w:pPr, else its style chain, else the document defaults, else on."""
        found = self._autospace.get(style_id)
        if found is None:
            found = self._default_autospace
            for s in reversed(list(self._chain(style_id))):  # the nearest style is applied last
                found = _autospace_of(s.find(W_PPR), found)
            self._autospace[style_id] = found
        return _autospace_of(ppr, found) if ppr is not None else found

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
                    size=self._attr(sid, _style_size), bold=self._attr(sid, _style_bold),
                    align=self._attr(sid, _jc), font=self._attr(sid, _style_font),
                    line=self._spacing_attr(sid, _style_line, ("auto", 1.0)),
                    before=self._spacing_attr(sid, lambda st: _style_space(st, W_BEFORE), 0.0),
                    after=self._spacing_attr(sid, lambda st: _style_space(st, W_AFTER), 0.0),
                    color=self._attr(sid, _style_color), indent=self._indent(sid),
                    italic=self.italic(sid), latin=self._spacing_attr(sid, _style_latin, None))
        return self._infos[name]

    def _indent(self, style_id: str | None) -> Indent | None:
        """The style's w:ind, each of its six values from the nearest style in the based-on chain that sets it."""
        found: list[float | None] = [None] * 6
        for s in self._chain(style_id):
            ppr = s.find(W_PPR)
            own = read_indent(ppr.find(_W + "ind")) if ppr is not None else None
            if own is not None:
                found = [f if f is not None else o for f, o in zip(found, own)]
        return None if all(v is None for v in found) else tuple(found)  # type: ignore[return-value]


EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")


def _read_borders(el: etree._Element | None, into: dict[str, Border]) -> None:
    """Edges a w:tblBorders sets that `into` does not have yet (nearer styles are read first): (width pt, colour
    "RRGGBB" or None for automatic); none / nil: (0, None). Word's start/end are left/right."""
    if el is None:
        return
    for child in el:
        tag = str(child.tag)
        edge = {"start": "left", "end": "right"}.get(tag[len(_W):], tag[len(_W):])
        if edge not in EDGES or edge in into:
            continue
        val = child.get(W_VAL, "single")
        sz = child.get(_W + "sz", "4")
        color = child.get(_W + "color", "auto")
        width = 0.0 if val in ("nil", "none") else (int(sz) / 8 if sz.isdigit() else 0.5)
        into[edge] = (width, None if color.lower() in ("auto", "000000") or len(color) != 6 else color.upper())


def read_indent(ind: etree._Element | None) -> Indent | None:
    """A w:ind: (left, right, first line) in points and in characters (hundredths in *Chars); w:start/w:end
    are left/right, a hanging indent a negative first line (hanging wins over firstLine, as in Word)."""
    if ind is None:
        return None

    def num(*names: str) -> float | None:
        for n in names:
            v = ind.get(_W + n)
            if v is not None and v.lstrip("-").isdigit():
                return int(v)
        return None
    pts = [num("left", "start"), num("right", "end"), num("firstLine")]
    chars = [num("leftChars", "startChars"), num("rightChars", "endChars"), num("firstLineChars")]
    hanging, hanging_chars = num("hanging"), num("hangingChars")
    if hanging is not None:
        pts[2] = -hanging
    if hanging_chars is not None:
        chars[2] = -hanging_chars
    out = tuple([v / 20 if v is not None else None for v in pts] + [v / 100 if v is not None else None for v in chars])
    return None if all(v is None for v in out) else out  # type: ignore[return-value]


def _style_size(st: etree._Element) -> float | None:
    rpr = st.find(W_RPR)
    sz = rpr.find(W_SZ) if rpr is not None else None
    val = sz.get(W_VAL) if sz is not None else None
    return ST_HpsMeasure.convert_from_xml(val).pt if val is not None else None  # python-docx's Length


def _spacing(st: etree._Element) -> etree._Element | None:
    ppr = st.find(W_PPR)
    return ppr.find(W_SPACING) if ppr is not None else None


def _style_line(st: etree._Element) -> tuple[str, float] | None:
    sp = _spacing(st)
    return read_line(sp) if sp is not None else None


def read_line(sp: etree._Element) -> tuple[str, float] | None:
    """A w:spacing's line spacing: ("exact" or "atLeast", points) or ("auto", a multiple of single spacing)."""
    value = sp.get(W_LINE)
    if value is None or not value.lstrip("-").isdigit():
        return None
    rule = sp.get(W_LINERULE, "auto")
    return ("auto", int(value) / 240) if rule == "auto" else (rule, abs(int(value)) / 20)


def _style_space(st: etree._Element, attr: str) -> float | None:
    sp = _spacing(st)
    value = sp.get(attr) if sp is not None else None
    return int(value) / 20 if value is not None and value.isdigit() else None


def _style_color(st: etree._Element) -> str | None:
    """A style's text colour ("RRGGBB"); black and automatic are None (the default)."""
    rpr = st.find(W_RPR)
    el = rpr.find(W_COLOR) if rpr is not None else None
    value = el.get(W_VAL, "auto") if el is not None else None
    return None if value is None or value.lower() in ("auto", "000000") else value.upper()


def _style_font(st: etree._Element) -> str | None:
    """The East Asian face a style names (w:eastAsia, else w:ascii; theme fonts are not names)."""
    rpr = st.find(W_RPR)
    fonts = rpr.find(W_RFONTS) if rpr is not None else None
    if fonts is None:
        return None
    return fonts.get(W_EASTASIA) or fonts.get(W_ASCII) or None


def _style_latin(st: etree._Element) -> str | None:
    """The Latin face a style (or w:rPrDefault) names: w:ascii (theme fonts are not names)."""
    rpr = st.find(W_RPR)
    fonts = rpr.find(W_RFONTS) if rpr is not None else None
    return fonts.get(W_ASCII) or None if fonts is not None else None


def _autospace_of(ppr: etree._Element | None, inherited: AutoSpace) -> AutoSpace:
    """`inherited` with what a w:pPr's w:autoSpaceDE (Latin) and w:autoSpaceDN (digits) set."""
    if ppr is None:
        return inherited
    latin, digits = (_onoff(ppr.find(_W + tag)) for tag in ("autoSpaceDE", "autoSpaceDN"))
    return (inherited[0] if latin is None else latin, inherited[1] if digits is None else digits)


def _style_bold(st: etree._Element) -> bool | None:
    rpr = st.find(W_RPR)
    return _onoff(rpr.find(W_B)) if rpr is not None else None


def _style_italic(st: etree._Element) -> bool | None:
    rpr = st.find(W_RPR)
    return _onoff(rpr.find(_W + "i")) if rpr is not None else None


def cell_borders(el: etree._Element | None) -> tuple[Border | None, ...] | None:
    """A cell's own w:tcBorders: (top, left, bottom, right), None for an edge it does not set; None when it
    sets none. Diagonals (tl2br, tr2bl) and insideH/insideV (conditional formatting only) are not read."""
    if el is None:
        return None
    found: dict[str, Border] = {}
    _read_borders(el, found)
    edges = tuple(found.get(e) for e in EDGES[:4])
    return edges if any(e is not None for e in edges) else None


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
