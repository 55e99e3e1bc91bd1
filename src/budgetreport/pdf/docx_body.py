"""The body of a filled .docx read into the model: paragraphs, runs, tables (see docmodel.read_docx)."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal, NamedTuple

from lxml import etree

from .caches import Memo
from .doc import Align, Block, Spacing, Cell, PageBreak, Paragraph, Row, Run, RunStyle, StyleInfo, Table
from .docx_styles import _Styles, cell_borders, read_indent, read_line
from .ooxml import (
    _JC, W_ANCHOR, W_B, W_BOOKMARKSTART, W_BR, W_CHAR, W_CR, W_CUSTOMXML, W_FLDCHAR, W_FLDCHARTYPE, W_FLDSIMPLE,
    W_GRIDCOL, W_HYPERLINK, W_INSTR, W_INSTRTEXT, W_JC, W_NAME, W_NOBREAKHYPHEN, W_P, W_PBB, W_PPR, W_PSTYLE, W_R,
    W_RPR, W_RSTYLE, W_VERTALIGN, W_RFONTS, W_EASTASIA, W_ASCII, W_I, W_U, W_COLOR, W_SZ, W_SDT, W_SDTCONTENT, W_SECTPR, W_SYM, W_T, W_TAB, W_TBL, W_TBLGRID, W_TC, W_TCPR, W_TR,
    W_TRPR, W_TYPE, W_VAL, W_SPACING, W_IND, W_BEFORE, W_AFTER, _CELL_PROPS, _INLINE_CONTAINERS, _ROW_PROPS, _W, _child, _firsts, _on, _twips,
)

_VALIGN: dict[str, Literal["center", "bottom"]] = {"center": "center", "bottom": "bottom"}
# a w:t as lxml serialises it (text escaped; no text: self-closed); its text is the split's group
_SLOT = re.compile(rb'<w:t(?: xml:space="preserve")?(?:/>|>([^<]*)</w:t>)')


# ---------------------------------------------------------------------------------------------- body
# Each paragraph and table row is read in two steps: a walk of its elements makes a recipe — everything the
# model takes from it, with each w:t's text left as a slot (its index among the element's w:t, in document
# order) — and the recipe filled with the texts gives the model objects. A recipe is found again by the
# element's serialised bytes with the w:t texts cut out (its "skeleton"): the rows and paragraphs of a template
# come out in few shapes (78 for the sample's 200 rows), so most elements are never walked.

class _Mark(NamedTuple):
    """A bookmark or hyperlink anchor met among a paragraph's runs."""
    kind: Literal["bookmark", "anchor"]
    value: str


_PAGE = PageBreak()  # a page break met among a paragraph's runs
Segs = tuple[int | str, ...]  # a run's text: slots (w:t indices) and literal characters (tab, break …)
Weight = bool | RunStyle | None  # a run's own bold (None: the paragraph style's), or its RunStyle
Piece = tuple[str, Weight]  # run text, its own look
Part = Piece | _Mark | PageBreak
RecPart = tuple[Segs, Weight] | _Mark | PageBreak


class ParaRecipe(NamedTuple):
    style: str
    align: Align | None
    pbb: bool
    bold: bool  # the paragraph style's bold, for runs that do not say
    parts: tuple[RecPart, ...]
    ends_section: bool  # its w:pPr holds a w:sectPr
    slot: int | None  # the common case: one run whose text is one w:t, this one …
    run_bold: bool | RunStyle  # … in this bold (or look)
    spacing: Spacing | None = None  # w:spacing set on the paragraph itself
    autospace: tuple[bool, bool] = (True, True)  # docx_styles.autospace


class CellRecipe(NamedTuple):
    col: int
    span: int
    vmerge: Literal["restart", "continue"] | None
    valign: str
    paras: tuple[ParaRecipe, ...]
    first: int  # its slots are first … last - 1 (a cell's w:t follow one another)
    last: int
    made: Memo[tuple[str, ...], Cell]  # by the texts of its slots: the cells it gave (bounded)
    shade: str | None = None  # w:shd w:fill, "RRGGBB"
    borders: tuple | None = None  # w:tcBorders (docx_styles.cell_borders)


class RowRecipe(NamedTuple):
    header: bool
    height: float | None
    cells: tuple[CellRecipe, ...]
    styles: frozenset[str]  # of its paragraphs
    made: Memo[tuple[str, ...], Row]  # by its texts: the rows it gave (bounded)


_MADE_MAX = 32  # rows and cells kept per recipe: a template's fixed text repeats in every unit, figures do not


class _Reader:
    """Reads one document's body; makes each distinct paragraph, run, cell, row and table once (per styles
    part)."""

    def __init__(self, styles: _Styles) -> None:
        self.styles = styles
        self._names: set[str] = set()  # the paragraph styles this document uses
        # equal objects are shared across the documents read with these styles (they repeat from unit to unit)
        self._paras = styles.paras
        self._runs = styles.runs
        self._cells = styles.cells
        self._rows = styles.rows
        self._tables = styles.tables
        self._recipes = styles.recipes

    def note_style(self, name: str) -> None:
        """A style used outside the body (a header or footer): its StyleInfo goes into the model too."""
        self._names.add(name)

    def style_infos(self) -> dict[str, StyleInfo]:
        out: dict[str, StyleInfo] = {}
        for name in sorted(self._names):
            info = self.styles.info(name)
            if info is not None:
                out[name] = info
        return out

    def _recipe(self, el: etree._Element, record) -> tuple:
        """(recipe, texts) of a paragraph or row: the recipe found by the element's skeleton, else made by
        walking it (`record`)."""
        pieces = _SLOT.split(etree.tostring(el))
        raw = pieces[1::2]
        skeleton = (pieces[0], b"\0".join(pieces[2::2]))  # no NUL in XML
        recipe = self._recipes.get(skeleton)
        if recipe is None:
            slots = {t: i for i, t in enumerate(el.iter(W_T))}
            recipe = record(el, slots)
            if len(slots) != len(raw):  # a w:t the skeleton keeps (another attribute): walked every time
                return recipe, [t.text or "" for t in slots]
            self._recipes.put(skeleton, recipe)
        blob = b"\0".join([r or b"" for r in raw])
        if b"&" in blob:  # an escaped character: lxml's own reading of the text
            return recipe, [t.text or "" for t in el.iter(W_T)]
        return recipe, blob.decode("utf-8").split("\0")

    # -- paragraphs

    def paragraph(self, p: etree._Element) -> tuple[list[Block], etree._Element | None]:
        """One w:p → paragraph(s) (a page break inside a run splits it), and the w:sectPr it ends, if any."""
        recipe, texts = self._recipe(p, self._record_para)
        return self._para_blocks(recipe, texts), (_sect_of(p) if recipe.ends_section else None)

    def _record_para(self, p: etree._Element, slots: dict[etree._Element, int]) -> ParaRecipe:
        parts: list[RecPart] = []
        self._inline(p, slots, [0, 0], parts)  # its w:pPr is no inline content: passed over there
        ppr = _child(p, W_PPR)
        style_id = align = pbb_el = sect = spacing = ind = None
        if ppr is not None:
            for c in ppr:
                tag = c.tag
                if tag == W_PSTYLE and style_id is None:
                    style_id = c.get(W_VAL)
                elif tag == W_JC and align is None:
                    align = _JC.get(c.get(W_VAL, ""))
                elif tag == W_PBB and pbb_el is None:
                    pbb_el = c
                elif tag == W_SECTPR and sect is None:
                    sect = c
                elif tag == W_SPACING and spacing is None:
                    spacing = _spacing(c)
                elif tag == W_IND and ind is None:
                    ind = c
        spacing = _with_indent(spacing, ind)
        style, style_align, style_pbb, para_bold = self.styles.para(style_id)
        if align is None:
            align = style_align
        pbb = _on(pbb_el) if pbb_el is not None else style_pbb
        slot: int | None = None
        run_bold: bool | RunStyle = bool(para_bold)
        if len(parts) == 1 and not isinstance(parts[0], (_Mark, PageBreak)):  # one run
            segs, bold = parts[0]
            if len(segs) == 1 and type(segs[0]) is int:
                slot = segs[0]
                run_bold = _resolved(bold, bool(para_bold))
        return ParaRecipe(style, align, pbb, bool(para_bold), tuple(parts), sect is not None, slot, run_bold,
                          spacing, self.styles.autospace(style_id, ppr))

    def _para_blocks(self, recipe: ParaRecipe, texts: list[str]) -> list[Block]:
        """The paragraph(s) of a recipe filled with its texts."""
        style, align, pbb, para_bold, parts, _, slot, run_bold, sp, auto = recipe
        self._names.add(style)
        if slot is not None:
            text = texts[slot]
            return [self._para((style, ((text, run_bold),) if text else (), align, pbb, (), None, sp, auto))]
        if not parts:  # the common cases first: no run, or one run
            return [self._para((style, (), align, pbb, (), None, sp, auto))]
        if len(parts) == 1 and not isinstance(parts[0], (_Mark, PageBreak)):
            segs, bold = parts[0]
            text = _text(segs, texts)
            runs = ((text, _resolved(bold, para_bold)),) if text else ()
            return [self._para((style, runs, align, pbb, (), None, sp, auto))]
        filled: list[Part] = [p if isinstance(p, (_Mark, PageBreak)) else (_text(p[0], texts), p[1])
                              for p in parts]
        return self._split(filled, style, align, pbb, para_bold, sp, auto)

    def _split(self, parts: list[Part], style: str, align: Align | None, pbb: bool,
               para_bold: bool, sp: Spacing | None = None, auto: tuple[bool, bool] = (True, True)) -> list[Block]:
        """Paragraphs and page breaks from a paragraph's parts; an empty paragraph is kept (it is vertical
        space), unless it only carried a page break."""
        out: list[Block] = []
        runs: list[tuple[str, bool | RunStyle]] = []
        bookmarks: list[str] = []
        anchor = None  # the first one, also for the paragraphs after a page break
        for part in parts:
            if isinstance(part, _Mark):
                if part.kind == "bookmark":
                    bookmarks.append(part.value)
                elif anchor is None:
                    anchor = part.value
            elif isinstance(part, PageBreak):
                if runs or bookmarks:
                    out.append(self._para((style, _merge(runs), align, pbb and not out, tuple(bookmarks), anchor, sp, auto)))
                    runs, bookmarks = [], []
                out.append(PageBreak())
            else:
                text, bold = part
                runs.append((text, _resolved(bold, para_bold)))
        if runs or bookmarks or not out:
            out.append(self._para((style, _merge(runs), align, pbb and not out, tuple(bookmarks), anchor, sp, auto)))
        return out

    def _para(self, key: tuple) -> Paragraph:
        """The paragraph with these fields (runs as (text, bold) pairs), made once per document."""
        para = self._paras.get(key)
        if para is None:
            style, runs, align, pbb, bookmarks, anchor, sp, auto = key
            para = self._paras.put(key, Paragraph(
                style, tuple([self._run_obj(r) for r in runs]), align, pbb, bookmarks, anchor, sp, auto))
        return para

    def _run_obj(self, run: tuple[str, bool | RunStyle]) -> Run:
        obj = self._runs.get(run)
        if obj is None:
            text, look = run
            obj = self._runs.put(run, Run(text, bool(look.bold), look.italic, look.underline, look.color, look.size,
                                         look.vert, look.font, look.latin)
                                 if isinstance(look, RunStyle) else Run(text, look))
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

    def _inline_child(self, child: etree._Element, tag: object, slots: dict[etree._Element, int], state: list[int],
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
                        parts[start:] = [p if isinstance(p, (PageBreak, _Mark)) else (p[0], bold)  # no _Mark in a run
                                         for p in parts[start:]]
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

    def _rpr_bold(self, rpr: etree._Element) -> bool | RunStyle | None:
        """A run's own bold: w:b, else its character style's; None when neither says (w:bCs is
        complex-script bold: does not apply to CJK). With italic, underline, a colour or a size of its own,
        a RunStyle carrying them."""
        b = rs = None
        extra: dict[str, etree._Element] = {}
        for c in rpr:
            tag = c.tag
            if tag == W_B and b is None:
                b = c
            elif tag == W_RSTYLE and rs is None:
                rs = c
            elif tag in _RUN_EXTRAS:
                extra.setdefault(_RUN_EXTRAS[tag], c)
        bold = _on(b) if b is not None else self.styles.bold(rs.get(W_VAL)) if rs is not None else None
        if rs is not None and "i" not in extra and self.styles.italic(rs.get(W_VAL)):
            extra["i"] = _ITALIC   # italic from the run's character style
        if not extra:
            return bold
        look = _run_style(bold, extra)
        return look if look != RunStyle(bold) else bold

    # -- tables

    def table(self, tbl: etree._Element) -> Table:
        grid_el = tbl.find(W_TBLGRID)
        grid = tuple(_twips(gc, "w", 0.0) for gc in grid_el.iterchildren(W_GRIDCOL)) if grid_el is not None else ()
        rows = tuple([self._row(*self._recipe(tr, self._record_row)) for tr in tbl.iterchildren(W_TR)])
        ncols = max([len(grid)] + [c.col + c.span for r in rows for c in r.cells])
        if len(grid) < ncols:  # malformed grid: pad with the average width
            avg = (sum(grid) / len(grid)) if grid else 72.0
            grid = grid + (avg,) * (ncols - len(grid))
        tblpr = _child(tbl, _W + "tblPr")
        style_el = _child(tblpr, _W + "tblStyle") if tblpr is not None else None
        own = _child(tblpr, _W + "tblBorders") if tblpr is not None else None
        style_id = style_el.get(W_VAL) if style_el is not None else None
        borders = self.styles.table_borders(style_id, own)
        if rows and _first_row_on(tblpr):
            bold, align = self.styles.first_row(style_id)
            if bold or align:   # the table style's header-row look (w:tblLook firstRow)
                rows = (_header_look(rows[0], bool(bold), align),) + rows[1:]
        key = (grid, borders, *map(id, rows))
        table = self._tables.get(key)
        if table is None:
            table = self._tables.put(key, Table(grid=grid, rows=rows, borders=borders))
        return table

    def _record_row(self, tr: etree._Element, slots: dict[etree._Element, int]) -> RowRecipe:
        trpr = None
        tcs: list[etree._Element] = []
        for child in tr:
            tag = child.tag
            if tag == W_TC:
                tcs.append(child)
            elif tag == W_TRPR and trpr is None:
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
        return RowRecipe(header, height, tuple(cells), frozenset(p.style for c in cells for p in c.paras),
                         Memo(_MADE_MAX))

    def _record_cell(self, tc: etree._Element, col: int, slots: dict[etree._Element, int]) -> CellRecipe:
        span, vmerge, valign, shade, borders = 1, None, "top", None, None
        paras: list[ParaRecipe] = []
        tcpr_seen = False  # only the first w:tcPr counts
        for child in tc:
            tag = child.tag
            if tag == W_P:
                paras.append(self._record_para(child, slots))
            elif tag == W_TCPR and not tcpr_seen:
                tcpr_seen = True
                gs, vm, va, shd = _firsts(child, _CELL_PROPS)
                shade = _fill(shd)
                borders = cell_borders(_child(child, _W + "tcBorders"))
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
        return CellRecipe(col, span, vmerge, valign, tuple(paras), first, last,  # type: ignore[arg-type]
                          Memo(_MADE_MAX), shade, borders)

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
        for col, span, vmerge, valign, para_recipes, first, last, cells_made, shade, borders in cell_recipes:
            cell_key = tuple(texts[first:last])
            cell = cells_made.get(cell_key)
            if cell is not None:
                cells.append(cell)
                continue
            paras: list[Paragraph] = []
            for r in para_recipes:
                if r.slot is None:
                    paras.extend([b for b in self._para_blocks(r, texts) if b.__class__ is Paragraph])
                    continue
                text = texts[r.slot]  # the common case, inline (a report has ≈1500 such cells)
                para_key = (r.style, ((text, r.run_bold),) if text else (), r.align, r.pbb, (), None, r.spacing,
                            r.autospace)
                para = known.get(para_key)
                paras.append(para if para is not None else self._para(para_key))
            shared_key = (col, span, vmerge, valign, shade, borders, *map(id, paras))
            cell = self._cells.get(shared_key)
            if cell is None:
                cell = self._cells.put(shared_key, Cell(tuple(paras), col, span, vmerge, valign,  # type: ignore[arg-type]
                                                        shade, borders))
            cells.append(cells_made.put(cell_key, cell))
        shared_row_key = (header, height, *map(id, cells))
        row = self._rows.get(shared_row_key)
        if row is None:
            row = self._rows.put(shared_row_key, Row(tuple(cells), header, height))
        return made.put(row_key, row)


def _first_row_on(tblpr: etree._Element | None) -> bool:
    """w:tblLook: the table style's first-row formatting applies (w:firstRow, or bit 0x20 of the old w:val)."""
    look = _child(tblpr, _W + "tblLook") if tblpr is not None else None
    if look is None:
        return False
    first = look.get(_W + "firstRow")
    if first is not None:
        return first in ("1", "true", "on")
    try:
        return bool(int(look.get(W_VAL, "0"), 16) & 0x20)
    except ValueError:
        return False


def _header_look(row: Row, bold: bool, align: Align | None) -> Row:
    """The row with the table style's header look: bold runs, and the alignment where its paragraphs set none
    (direct and paragraph-style formatting win over the table style's, as in Word)."""
    def para(p: Paragraph) -> Paragraph:
        runs = tuple(replace(r, bold=True) for r in p.runs) if bold else p.runs
        return replace(p, runs=runs, align=p.align or align)
    return replace(row, cells=tuple(replace(c, paragraphs=tuple(map(para, c.paragraphs))) for c in row.cells))


def _fill(shd: etree._Element | None) -> str | None:
    """A cell's shading colour ("RRGGBB"): w:shd w:fill; none, auto and white are no shading."""
    fill = shd.get(_W + "fill", "auto") if shd is not None else "auto"
    if len(fill) != 6 or fill.upper() == "FFFFFF":
        return None
    try:
        int(fill, 16)
    except ValueError:
        return None
    return fill.upper()


def _spacing(el: etree._Element) -> Spacing | None:
    """A paragraph's own w:spacing: (before pt, after pt, line) with line as in StyleInfo.line; None when it
    sets none of them (auto spacing flags and character units are not read)."""
    def pts(attr: str) -> float | None:
        v = el.get(attr)
        return int(v) / 20 if v is not None and v.isdigit() else None
    found = (pts(W_BEFORE), pts(W_AFTER), read_line(el), None)
    return found if found != (None, None, None, None) else None


def _with_indent(spacing: Spacing | None, ind: etree._Element | None) -> Spacing | None:
    """The paragraph's own w:spacing and w:ind together (docx_styles.read_indent)."""
    indent = read_indent(ind)
    if indent is None:
        return spacing
    before, after, line, _ = spacing or (None, None, None, None)
    return before, after, line, indent


def _text(segs: Segs, texts: list[str]) -> str:
    if len(segs) == 1:
        s = segs[0]
        return texts[s] if isinstance(s, int) else s
    return "".join([texts[s] if isinstance(s, int) else s for s in segs])


def _sect_of(p: etree._Element) -> etree._Element | None:
    """The w:sectPr in a paragraph's (first) w:pPr."""
    ppr = _child(p, W_PPR)
    return _child(ppr, W_SECTPR) if ppr is not None else None


def _is_page_field(instr: str) -> bool:
    word = instr.strip().split(" ", 1)[0].upper() if instr.strip() else ""
    return word in ("PAGEREF", "PAGE", "NUMPAGES", "SECTIONPAGES")


_ITALIC = etree.Element(W_I)
_RUN_EXTRAS = {W_I: "i", W_U: "u", W_COLOR: "color", W_SZ: "sz", W_VERTALIGN: "vert", W_RFONTS: "font"}
_VERT = ("superscript", "subscript")


def _run_style(bold: bool | None, extra: dict[str, etree._Element]) -> RunStyle:
    color = extra["color"].get(W_VAL, "auto") if "color" in extra else "auto"
    size = extra["sz"].get(W_VAL, "") if "sz" in extra else ""
    return RunStyle(bold, _on(extra["i"]) if "i" in extra else False,
                    "u" in extra and extra["u"].get(W_VAL, "single") != "none",
                    color.upper() if color.lower() not in ("auto", "000000") else None,
                    int(size) / 2 if size.isdigit() else None,
                    vert if (vert := extra["vert"].get(W_VAL) if "vert" in extra else None) in _VERT else None,
                    (extra["font"].get(W_EASTASIA) or extra["font"].get(W_ASCII) or None) if "font" in extra else None,
                    extra["font"].get(W_ASCII) or None if "font" in extra else None)


def _resolved(bold: Weight, para_bold: bool) -> bool | RunStyle:
    """A run's bold (or RunStyle) with the paragraph style's bold where the run does not say."""
    if bold is None:
        return para_bold
    return bold.resolved(para_bold) if bold.__class__ is RunStyle else bold


def _merge(runs: list[tuple[str, bool | RunStyle]]) -> tuple[tuple[str, bool | RunStyle], ...]:
    """Adjacent runs with equal formatting become one (Word splits runs arbitrarily); empty runs go."""
    out: list[tuple[str, bool | RunStyle]] = []
    for text, bold in runs:
        if out and out[-1][1] == bold:
            out[-1] = (out[-1][0] + text, bold)
        elif text:
            out.append((text, bold))
    return tuple(out)
