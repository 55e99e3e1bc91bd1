"""Tables: column widths fitted to the frame, cells as strings or paragraphs, reportlab Table with text cells
written directly.
"""
from __future__ import annotations

import re
from typing import Any, Literal, cast

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from . import docmodel as m
from .autospace import kern_points
from .fastdraw import embedded, pos, show, string_width
from .linebreak import _FUZZ, _text_width
from .synthetic import bold_ops, border_color, cell_border_commands
from .styles import _NO_INFO, MIN_TABLE_FONT, ParagraphBuilder


class TableBuilder(ParagraphBuilder):
    """Renderer's tables."""

    _plain: dict[tuple, tuple[str, ParagraphStyle, str | None, float, bool]]  # see _plain_cell

    def _table(self, t: m.Table, frame_w: float) -> _Table:
        base_size = self._pstyle("Table Text", None).fontSize
        widths, size = fit_columns(t, frame_w, base_size, self._face("Table Text", "table").name,
                                   getattr(self._latin("Table Text"), "name", None))
        pad = 1.5 if size < 9 else 3.0
        ncols = len(widths)
        nrows = len(t.rows)
        data: list[list] = [["" for _ in range(ncols)] for _ in t.rows]
        # Cell styles are built directly, one shared CellStyle per distinct look, instead of a FONT / ALIGN /
        # VALIGN / padding command per cell: the values are exactly those the equivalent TableStyle commands
        # would set (a FONT command without leading sets leading = 1.2 × size), and reportlab only ever reads
        # cell styles after setStyle.
        looks: dict[tuple, CellStyle] = {}

        def look(font: str, fsize: float, leading: float, align: _HAlign, valign: _VAlign,
                 bold: bool = False) -> CellStyle:
            key = (font, fsize, leading, align, valign, bold)
            cs = looks.get(key)
            if cs is None:
                cs = looks[key] = CellStyle(f"cell{len(looks)}")
                cs.fontname, cs.fontsize, cs.leading = font, fsize, leading
                cs.br_bold = bold  # synthetic bold (_text_look)
                cs.alignment, cs.valign = align, valign
                cs.leftPadding = cs.rightPadding = pad
                cs.topPadding, cs.bottomPadding = 1.5, 2.5
            return cs

        base = look(self.fonts.table.name, size, size * 1.2, "LEFT", "MIDDLE")  # empty cells, else Helvetica
        styles: list[list[CellStyle]] = [[base] * ncols for _ in range(nrows)]
        cmds: list[tuple] = _border_commands(t.borders)
        restart: dict[int, tuple[int, int]] = {}  # grid column → (row, span) of the open vertical merge
        spans: dict[tuple[int, int], list[int]] = {}  # (row, col) → [end row, end col]
        cell_looks: dict[tuple, CellStyle] = {}  # (id of the cell's style, font, bold?, bottom?) → its look
        own: dict[tuple[int, int], tuple] = {}  # (row, col) → the cell's own borders (w:tcBorders)
        # one column: its width as is (the same float as the sum of one width)
        avail_1 = [w - 2 * pad for w in widths]
        for r, row in enumerate(t.rows):
            data_r, styles_r = data[r], styles[r]
            for cell in row.cells:
                c = min(cell.col, ncols - 1)
                end_c = min(c + cell.span, ncols) - 1
                vmerge = cell.vmerge
                if vmerge is not None or restart:
                    if vmerge == "continue" and c in restart:
                        r0, _ = restart[c]
                        spans[(r0, c)][0] = r
                        continue
                    if vmerge == "restart":
                        restart[c] = (r, cell.span)
                    else:
                        restart.pop(c, None)
                spans[(r, c)] = [r, end_c]
                if cell.borders is not None:
                    own[(r, c)] = cell.borders
                if cell.shade is not None:   # drawn before the text and the grid, as Word's shading
                    cmds.append(("BACKGROUND", (c, r), (end_c, r), HexColor(f"#{cell.shade}")))
                value = self._cell(cell, size, avail_1[c] if end_c == c else sum(widths[c:end_c + 1]) - 2 * pad)
                bottom = cell.valign == "bottom"
                if type(value) is tuple:  # one line of plain text: drawn as a string
                    value, style, font, bold = value
                    key = (id(style), font, bold, bottom)  # styles live in CACHES.styles: ids stay unique
                    cs = cell_looks.get(key)
                    if cs is None:
                        cs = cell_looks[key] = look(font, style.fontSize, style.leading,
                                                    _CELL_ALIGN.get(style.alignment, "LEFT"),
                                                    "BOTTOM" if bottom else "MIDDLE", bold)
                    styles_r[c] = cs
                elif bottom:
                    styles_r[c] = look(base.fontname, base.fontsize, base.leading, "LEFT", "BOTTOM")
                data_r[c] = value
        if own:   # cells with borders of their own: every edge segment worked out
            cmds = [c for c in cmds if c[0] == "BACKGROUND"] + cell_border_commands(t.borders, own, spans, nrows, ncols)
        for (r, c), (r1, c1) in spans.items():
            if r1 > r or c1 > c:
                cmds.append(("SPAN", (c, r), (c1, r1)))
        header = t.header_rows if t.header_rows < len(t.rows) else 0
        table = _Table(data, colWidths=widths, rowHeights=_text_row_heights(data, styles, spans), repeatRows=header,
                       hAlign="CENTER", splitByRow=1, cellStyles=styles)
        table.setStyle(TableStyle(cmds))
        return table

    def _cell(self, cell: m.Cell, size: float, avail: float) -> list[Flowable] | str | tuple[str, ParagraphStyle, str, bool]:
        """The cell's paragraphs; a cell of one short paragraph in one face and weight (most numbers, codes,
        names, headers) is (text, style, font name, bold) instead, drawn by the table as a string at exactly the
        place its one-line Paragraph would take, without the cost of a Paragraph."""
        if len(cell.paragraphs) == 1:
            p = cell.paragraphs[0]
            # table texts ("0.00", "合计") repeat: decided once; a single run by its text and weight (a run's
            # own hash is computed in Python each time, a string's is cached)
            runs = p.runs
            key = ((runs[0].text, runs[0].bold) if len(runs) == 1 and runs[0].plain else runs, p.style, p.align, size,
                   p.spacing)
            plain = self._plain.get(key)
            if plain is None:
                plain = self._plain[key] = self._plain_cell(p, size)
            text, style, font, width, bold = plain
            if font is not None and width <= avail + _FUZZ:  # one line: else it wraps, a Paragraph
                return text, style, font, bold
            if not text:
                return ""
        out: list[Flowable] = []
        for p in cell.paragraphs:
            if "\n" not in (text := p.text) and not text.strip():
                continue  # only spaces: nothing to draw (a newline would be a <br/>)
            # every paragraph in a cell follows the table's size; alignment is the paragraph's own
            align = p.align or self.doc.styles.get(p.style, _NO_INFO).align
            style = self._pstyle("Table Text", align, size, in_table=True, spacing=_own_line(p))
            text, segs = self._markup_segs(p, "table", style.fontSize)
            if text.strip():
                out.append(self._para(text, segs, style))
        return out or ""

    def _plain_cell(self, p: m.Paragraph, size: float) -> tuple[str, ParagraphStyle, str | None, float, bool]:
        """A one-paragraph cell's entry of self._plain."""
        align = p.align or self.doc.styles.get(p.style, _NO_INFO).align
        style = self._pstyle("Table Text", align, size, in_table=True, spacing=_own_line(p))
        italic = bool(self.doc.styles.get(p.style, _NO_INFO).italic)
        text = _text(p)
        face, width = self._plain_face(p, text, style) if text and not italic else (None, 0.0)
        return text, style, face.name if face is not None else None, width, p.runs[0].bold if p.runs else False

    def _plain_face(self, p: m.Paragraph, text: str, style: ParagraphStyle):
        """(face, width) when the Paragraph would be one line of this text in the table face, every run in one
        weight (bold: drawn with synthetic bold, see _markup_segs) if it fits: no glyph from the fallback face, no
        whitespace the paragraph parser would collapse; the width is the same sum cjk_frag_split makes. (None,
        0.0) otherwise."""
        bold = {r.bold for r in p.runs}
        if len(bold) != 1 or not all(r.plain for r in p.runs) or text[0] == " " or text[-1] == " " or "  " in text:
            return None, 0.0
        table_face = self._face("Table Text", "table")
        if style.fontName != table_face.name:
            return None, 0.0
        if any(ch.isspace() and ch != " " for ch in text):
            return None, 0.0
        latin = self._latin("Table Text")
        if latin is not None and text.isascii():   # figures and codes: the Latin face alone
            table_face = latin
        elif latin is not None and not text.isascii() and any(ch < "\x80" for ch in text):
            return None, 0.0   # two faces: a paragraph
        if not table_face.covers(text):
            return None, 0.0
        if any(p.autospace) and kern_points(text, "", p.autospace):   # kerns: drawn as a paragraph
            return None, 0.0
        return table_face, _text_width(text, table_face.name, style.fontSize)


def _own_line(p: m.Paragraph) -> m.Spacing | None:
    """The line spacing a cell's paragraph sets on itself (its space before / after and indents are not
    drawn in a cell: docs/pdf.md)."""
    return None if p.spacing is None or p.spacing[2] is None else (None, None, p.spacing[2], None)


def _border_commands(borders: tuple[tuple[float, str | None], ...]) -> list[tuple]:
    """TableStyle line commands for the table's edges (top, left, bottom, right, insideH, insideV)."""
    if len(set(borders)) == 1:   # the usual grid: one command
        width, c = borders[0]
        return [("GRID", (0, 0), (-1, -1), width, border_color(c))] if width > 0 else []
    where = {"top": ("LINEABOVE", (0, 0), (-1, 0)), "left": ("LINEBEFORE", (0, 0), (0, -1)),
             "bottom": ("LINEBELOW", (0, -1), (-1, -1)), "right": ("LINEAFTER", (-1, 0), (-1, -1)),
             "insideH": ("LINEBELOW", (0, 0), (-1, -2)), "insideV": ("LINEAFTER", (0, 0), (-2, -1))}
    out: list[tuple] = []
    for (op, start, end), (width, c) in zip(where.values(), borders):
        if width > 0:
            out.append((op, start, end, width, border_color(c)))
    return out


class _Table(Table):
    """A Table that remembers its last complete layout. A table is wrapped once to decide whether it is kept
    with its title (_keep_height) and again by the frame; when the first wrap laid out every row and the
    frame offers at least that height at the same width, reportlab's calculation would run exactly as
    before (its long-table shortcut only stops early once the rows exceed the available height)."""

    # reportlab's own attributes, which its stubs do not declare
    _rowHeights: list[float | None]  # after a wrap: each row's height, None below where the long-table shortcut stopped
    _colWidths: list[float]
    _rowpositions: list[float]
    _colpositions: list[float]
    _cellvalues: list[list[Any]]  # str or flowables (Renderer._table)
    _cellStyles: list[list[CellStyle]]
    _spanCmds: list[tuple]
    _spanRects: dict[tuple[int, int], tuple[float, float, float, float] | None]
    _spanRanges: dict[tuple[int, int], tuple[int, int, int, int] | None]  # (col, row) → (c0, r0, c1, r1)
    _colSpanCells: list[tuple[int, int]]
    _rowSpanCells: list[tuple[int, int]]
    _renderCB: Any
    _roundingRectDef: Any
    _curweight: Any
    _curcolor: Any
    _curcellstyle: CellStyle | None

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab API
        memo = self.__dict__.get("_br_full")
        if memo is not None and memo[0] == availWidth and availHeight >= memo[2] + 1e-6:
            self.availWidth = availWidth
            return memo[1], memo[2]
        w, h = super().wrap(availWidth, availHeight)
        self._br_full = (availWidth, w, h) if None not in self._rowHeights else None
        return w, h

    def split(self, availWidth, availHeight):  # noqa: N803
        self._br_full = None  # split recalculates for a smaller height
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2 and self._spanCmds:
            _top_align_cut_merges(self, cast(Table, parts[0]))
        return parts

    def _getFirstPossibleSplitRowPosition(self, availHeight, ignoreSpans=0):  # noqa: N802, N803
        """reportlab's choice of the last row boundary that fits, with Word's and LibreOffice's rule for
        vertically merged cells: a page may break between the rows a merge joins, when the merged cell's
        content fits in the rows above the break (reportlab's own rule never breaks inside a merge)."""
        impossible = self.split_impossible()
        h, split_at = 0.0, 0
        for n, rh in enumerate(self._rowHeights, start=1):
            if rh is None or h + rh > availHeight:
                break
            if n not in impossible:
                split_at = n
            h += rh
        return split_at

    def split_impossible(self) -> set[int]:
        """Row boundaries (n: between rows n - 1 and n) a page may not fall on: inside a merged cell whose
        content is taller than its rows above n. After a wrap."""
        out: set[int] = set()
        if not self._spanCmds:   # reportlab keeps span ranges only for tables with spans
            return out
        heights, widths = self._rowHeights, self._colWidths
        for (c, r), span in self._spanRanges.items():
            if span is None or span[1] == span[3]:
                continue
            c0, r0, c1, r1 = span
            value, style = self._cellvalues[r0][c0], self._cellStyles[r0][c0]
            if not value:
                continue
            if type(value) is str:
                need = _text_height(value, style)
            else:
                need = self._listCellGeom(value, sum(widths[c0:c1 + 1]), style)[1] + style.topPadding + style.bottomPadding  # type: ignore[attr-defined]
            above = 0.0
            for n in range(r0 + 1, r1 + 1):
                above += heights[n - 1] or 0.0
                if need > above + _FUZZ:
                    out.add(n)
        return out

    def normalizeData(self, data):  # noqa: N802
        return data  # Renderer._table gives fresh lists of str and flowables: nothing to normalise

    def _calcSpanRanges(self) -> None:  # noqa: N802
        """reportlab asks `cell in spanned cells` for every cell when it sizes rows: a list scan each."""
        super()._calcSpanRanges()  # type: ignore[misc]  # reportlab's; not in its stubs
        self._colSpanCells = _CellList(self._colSpanCells)
        self._rowSpanCells = _CellList(self._rowSpanCells)

    def draw(self) -> None:
        """reportlab's Table.draw for the tables built here (no callbacks, shadows or rounded corners): the same
        steps, with the text cells (see _text_look) written inside the cell loop."""
        if self._renderCB:
            return super().draw()
        canv = self.canv
        canv.saveState()
        self._curweight = self._curcolor = self._curcellstyle = None
        # reportlab's drawing steps, which its stubs do not declare
        self._makeShadow()  # type: ignore[attr-defined]
        self._makeRoundedCornersClip()  # type: ignore[attr-defined]
        self._drawBkgrnd()  # type: ignore[attr-defined]
        code = canv._code  # type: ignore[attr-defined]
        rects = self._spanRects if self._spanCmds else None
        rowpositions, colpositions = self._rowpositions, self._colpositions
        # a table is drawn after a complete layout: every row has its height
        col_widths, row_heights = self._colWidths, cast("list[float]", self._rowHeights)
        looks: dict[int, _TextLook | None] = {}  # id of a cell style → _text_look
        for r, (row, rowstyle) in enumerate(zip(self._cellvalues, self._cellStyles)):
            for c, (cellval, cellstyle) in enumerate(zip(row, rowstyle)):
                if rects is None:
                    x, y, w, h = colpositions[c], rowpositions[r + 1], col_widths[c], row_heights[r]
                else:
                    rect = rects[c, r]
                    if rect is None:
                        continue
                    x, y, w, h = rect
                if type(cellval) is str:
                    look_id = id(cellstyle)
                    look = looks[look_id] if look_id in looks else looks.setdefault(look_id, _text_look(cellstyle))
                    if look is not None:
                        if cellval:
                            if self._curcellstyle is None:  # the first cell sets the colour, as reportlab's would
                                canv.setFillColor(cellstyle.color)  # type: ignore[arg-type]  # stubs: int colour
                                self._curcellstyle = cellstyle
                            font, fsize, just, left, right, bottom, top, leading, valign, bold = look
                            # the places reportlab's drawString / drawCentredString / drawRightString give
                            if just == "LEFT":
                                tx = x + left
                            elif just == "RIGHT":
                                tx = x + w - right - string_width(cellval, font, fsize)
                            else:
                                tx = x + (w + left - right) * 0.5 - 0.5 * string_width(cellval, font, fsize)
                            if valign == "MIDDLE":
                                ty = y + (bottom + h - top + leading) / 2.0 - fsize
                            else:
                                ty = y + bottom + leading - fsize if valign == "BOTTOM" else y + h - top - fsize
                            if bold:   # synthetic bold; q … Q: the render mode and line width end with the text
                                code.append(f"q BT 1 0 0 1 {pos(tx, ty)} Tm {bold_ops(fsize)} "
                                            f"{show(canv, font, fsize, cellval)} ET Q")
                            else:
                                code.append(f"BT 1 0 0 1 {pos(tx, ty)} Tm {show(canv, font, fsize, cellval)} ET")
                        continue
                self._drawCell(cellval, cellstyle, (x, y), (w, h))  # type: ignore[attr-defined]
        self._drawLines()  # type: ignore[attr-defined]
        canv.restoreState()
        if self._roundingRectDef:
            self._restoreRoundingObscuredLines()  # type: ignore[attr-defined]
        return None


def _top_align_cut_merges(whole: _Table, first: Table) -> None:
    """A merged cell the page break cuts shows its content at the top of its part on the first page, and so
    does every merged cell beside it (in rows it spans), as LibreOffice draws them; the continuation below the
    break is empty."""
    n = len(first._cellvalues)  # type: ignore[attr-defined]
    merges = [s for s in whole._spanRanges.values() if s is not None and s[1] < s[3]]
    cut = [s[1] for s in merges if s[1] < n <= s[3]]
    if not cut:
        return
    for c, r, _, r1 in merges:
        if r < n and r1 >= min(cut):
            styles = first._cellStyles[r] = list(first._cellStyles[r])  # type: ignore[attr-defined]
            styles[c] = styles[c].copy()
            styles[c].valign = "TOP"


_HAlign = Literal["LEFT", "CENTER", "CENTRE", "RIGHT", "DECIMAL"]  # CellStyle.alignment
_VAlign = Literal["TOP", "MIDDLE", "BOTTOM"]
# font, size, alignment, left, right, bottom and top padding, leading, vertical alignment, synthetic bold
_TextLook = tuple[str, float, _HAlign, float, float, float, float, float, _VAlign, bool]


def _text_look(cs: CellStyle) -> _TextLook | None:
    """What drawing a text cell of this style needs (a one-line string in an embedded face, see Renderer._cell,
    written as fastdraw operators); None when the face is not embedded (reportlab draws the cell)."""
    if not embedded(cs.fontname):
        return None
    return (cs.fontname, cs.fontsize, cs.alignment, cs.leftPadding, cs.rightPadding, cs.bottomPadding,
            cs.topPadding, cs.leading, cs.valign, getattr(cs, "br_bold", False))


def _text_row_heights(data: list[list], styles: list[list[CellStyle]],
                      spans: dict[tuple[int, int], list[int]]) -> list[float | None]:
    """The height of each row that holds only text cells and no part of a vertical merge, exactly as
    reportlab's _calc_height would size it (the tallest cell: leading × lines plus the paddings); None for
    the other rows, which reportlab sizes (it shares a merge's height only among rows it sized itself)."""
    merged: set[int] = set()
    for (r, _), (r1, _) in spans.items():
        if r1 > r:
            merged.update(range(r, r1 + 1))
    one_line: dict[CellStyle, float] = {}  # cell style (hashed by identity) → the height of one line of text in it
    heights: list[float | None] = []
    for r, (row, row_styles) in enumerate(zip(data, styles)):
        if r in merged or set(map(type, row)) - _STR:
            heights.append(None)
        elif "\n" in "".join(row):  # a cell of several lines: cell by cell
            heights.append(max([_text_height(v, s) for v, s in zip(row, row_styles)], default=0))
        else:  # one line each: the tallest of the row's styles
            for s in set(row_styles) - one_line.keys():
                one_line[s] = _text_height("", s)
            heights.append(max(map(one_line.__getitem__, row_styles), default=0))
    return heights


_STR = {str}


def _text_height(v: str, s: CellStyle) -> float:
    """reportlab's height of a text cell: leading × lines plus the paddings."""
    return (s.leading or 1.2 * s.fontsize) * len(v.split("\n")) + (s.bottomPadding + s.topPadding)


class _CellList(list):
    """A list of cells (kept in order: reportlab also iterates it) with set-speed membership."""

    def __init__(self, cells: list[tuple[int, int]]) -> None:
        super().__init__(cells)
        self._members = frozenset(cells)

    def __contains__(self, cell: object) -> bool:
        return cell in self._members


# by ParagraphStyle.alignment; a single line is not justified
_CELL_ALIGN: dict[object, _HAlign] = {TA_CENTER: "CENTER", TA_RIGHT: "RIGHT", TA_JUSTIFY: "LEFT"}


# ------------------------------------------------------------------------------------------- columns

_TOKEN = re.compile(r"[0-9A-Za-z.,%‰+\-/_@#&']+|\S")  # a cell text's unbreakable tokens


def _text(p: m.Paragraph) -> str:
    """p.text, without the join for the usual paragraph of one run."""
    runs = p.runs
    return runs[0].text if len(runs) == 1 else p.text


def fit_columns(t: m.Table, frame_w: float, base: float, face: str,
                latin: str | None = None) -> tuple[list[float], float]:
    """Column widths (scaled into the frame when wider) and the table's font size (≥ 7 pt). A column is never
    narrower than its longest unbreakable token (a number, a code); the room comes from columns with slack."""
    grid = list(t.grid)
    total = sum(grid) or 1.0
    scale = min(1.0, frame_w / total)
    widths = [g * scale for g in grid]
    size = base if scale >= 1.0 else max(MIN_TABLE_FONT, round(base * max(scale, 0.75) * 2) / 2)
    texts: list[set[str]] = [set() for _ in grid]  # per column, its distinct paragraph texts ("0.00" repeats)
    adders = [col_texts.add for col_texts in texts]
    n = len(grid)
    for row in t.rows:
        for cell in row.cells:
            col = cell.col
            if cell.span == 1 and col < n:
                add = adders[col]
                for p in cell.paragraphs:  # _text(p), inline: a report has some 1,500 cells
                    runs = p.runs
                    add(runs[0].text if len(runs) == 1 else p.text)
    tokens: list[set[str]] = [set() for _ in grid]  # per column, its distinct unbreakable tokens
    for col_tokens, col_texts in zip(tokens, texts):
        for text in col_texts:
            col_tokens.update(_TOKEN.findall(text))
    while True:
        pad = 2 * (1.5 if size < 9 else 3.0) + 1.0
        # max(w + pad) == max(w) + pad exactly: float addition is monotonic
        need = [max(string_width(tok, latin if latin and tok.isascii() else face, size) for tok in toks) + pad
                if toks else 0.0 for toks in tokens]
        if sum(need) <= frame_w or size <= MIN_TABLE_FONT:
            break
        size = max(MIN_TABLE_FONT, size - 0.5)
    deficit = sum(max(0.0, n - w) for n, w in zip(need, widths))
    if deficit > 0:
        slack = [max(0.0, w - n) for n, w in zip(need, widths)]
        room = sum(slack)
        if room > 0:
            take = min(1.0, deficit / room)
            widths = [max(n, w) if w < n else w - s * take for n, w, s in zip(need, widths, slack)]
    return widths, size
