"""Synthetic bold and italic, and borders set on single table cells, as LibreOffice draws them: docs/pdf.md
"Synthetic bold and italic, cell borders" (the brSynth callback fragments, `draw_rich`, `cell_border_commands`)."""
from __future__ import annotations

from reportlab.lib.abag import ABag
from reportlab.lib.colors import HexColor, black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.platypus.paragraph import _usConv  # type: ignore[attr-defined]  # not in reportlab's stubs

from .docx_styles import Border
from .fastdraw import num, pos, show, string_width

SYNTH = "brSynth"   # the name of the marker callback
SLANT = "0.267949"  # tan 15°: the shear LibreOffice gives a face without italic
OFF = "0"


def label(bold: bool, italic: bool) -> str:
    """The marker label of a run's synthetic look ("0": none)."""
    return ("b" if bold else "") + ("i" if italic else "") or OFF


def marker(look: str) -> str:
    """The markup of a marker fragment."""
    return f'<onDraw name="{SYNTH}" label="{look}"/>'


def bold_ops(size: float) -> str:
    """Fill and stroke the glyphs with a line 1/30 of the size wide."""
    return f"2 Tr {num(size / 30)} w"


def reportlab_callback(canv, kind: str | None, look: str) -> None:
    """The marker drawn by reportlab's paragraph code (see the module doc): the bold switched in its text
    object; the slant is not drawn there (reportlab moves between lines relative to the line matrix)."""
    info = canv._curr_tx_info
    tx = info["tx"]
    if look and "b" in look:   # the paragraph's size and colour: the next word's are not known here
        style = info["xs"].style
        color = style.textColor or black
        tx._code.append(f"{fp_str(color.red, color.green, color.blue)} RG {bold_ops(style.fontSize)}")
    else:
        tx._code.append("0 Tr")  # the line width goes back with the paragraph's graphics state


def carry_synthetic(parts: list) -> None:
    """A paragraph split across pages: a part after the first starts in the look the part before it ended in
    (the marker that switched it on stays with the first part)."""
    look, proto = OFF, None
    for i, part in enumerate(parts):
        if i and look != OFF and proto is not None:
            part.frags = [proto.clone(cbDefn=ABag(kind="onDraw", label=look, name=SYNTH))] + list(part.frags)
        bl = getattr(part, "blPara", None)
        for line in bl.lines if bl is not None and bl.kind == 1 else ():
            for w in line.words:
                cb = w.__dict__.get("cbDefn")
                if cb is not None and cb.name == SYNTH:
                    look, proto = cb.label or OFF, w


# ------------------------------------------------------------------------------------ paragraph drawing

def draw_rich(para, dx: float, dy: float) -> None:
    """Draw a paragraph holding synthetic runs with its origin at (dx, dy): each word placed with its own text
    matrix (slanted when italic), in its colour, size, rise and render mode; underlines drawn after the text.
    Anchors are placed as reportlab places them. The text object sits in q … Q, so the render mode, line width
    and colours set here end with it."""
    style = para.style
    lines = para.blPara.lines
    if not lines:
        return
    canv = para.canv
    offsets = getattr(para, "_offsets", [0])
    last_i = len(lines) - 1 if not getattr(para, "_JustifyLast", False) else -1
    y = dy + para.height - lines[0].fontSize
    state = _State(canv, style.textColor)
    ops = ["q BT", state.color_op(style.textColor)]
    for i, line in enumerate(lines):
        x = dx + style.leftIndent + (style.firstLineIndent + offsets[0] if i == 0 else
                                     offsets[i] if i < len(offsets) else offsets[-1])
        x, charspace = line_start(style.alignment, line, x, i != last_i)
        ops.append(f"{num(charspace)} Tc")
        for w in line.words:
            cb = w.__dict__.get("cbDefn")
            if cb is None:
                if w.text:
                    x = state.word(ops, w, x, y, charspace)
            elif cb.kind == "anchor":
                canv.bookmarkHorizontal(cb.name, x, y + style.leading)
            else:  # a marker
                state.look = cb.label or OFF
        y -= style.leading
    ops.append("0 Tc ET Q")
    canv._code.append(" ".join(ops))
    if state.underlines:
        canv._code.append(" ".join(["q", *state.underlines, "Q"]))


def line_start(align, line, x: float, justify_ok: bool) -> tuple[float, float]:
    """The x of a line's first character and its character spacing (CJKParagraph._draw_plain, draw_rich)."""
    extra = line.extraSpace
    if align == TA_CENTER:
        return x + 0.5 * extra, 0.0
    if align == TA_RIGHT:
        return x + extra, 0.0
    if (align == TA_JUSTIFY and getattr(line, "cjk_justify", False) and justify_ok and not line.lineBreak
            and extra > 1e-3):
        n = sum(len(w.text) for w in line.words if "cbDefn" not in w.__dict__)
        if n > 1:
            return x, extra / (n - 1)
    return x, 0.0


class _State:
    """The look the text object is in, so that each operator is written only when it changes."""

    def __init__(self, canv, color) -> None:
        self.canv = canv
        self.look = OFF  # the marker in force
        self.color = color
        self.stroke: tuple | None = None  # (size) of the render mode in force; None: fill only
        self.rise = 0.0
        self.underlines: list[str] = []

    @staticmethod
    def color_op(color) -> str:
        color = color or black
        return f"{fp_str(color.red, color.green, color.blue)} rg"

    def word(self, ops: list[str], w, x: float, y: float, charspace: float) -> float:
        """The operators showing one word at (x, y); the x after it."""
        size = w.fontSize
        color = w.textColor or black
        if color != self.color:
            self.color = color
            ops.append(self.color_op(color))
        if (w.rise or 0.0) != self.rise:
            self.rise = w.rise or 0.0
            ops.append(f"{num(self.rise)} Ts")
        bold = "b" in self.look
        if bold and self.stroke != (size, color):
            self.stroke = (size, color)
            ops.append(f"{fp_str(color.red, color.green, color.blue)} RG {bold_ops(size)}")
        elif not bold and self.stroke is not None:
            self.stroke = None
            ops.append("0 Tr")
        shear = SLANT if "i" in self.look else "0"
        ops.append(f"1 0 {shear} 1 {pos(x, y)} Tm {show(self.canv, w.fontName, size, w.text)}")
        end = x + string_width(w.text, w.fontName, size) + charspace * len(w.text)
        if w.us_lines:
            self._underline(w, x, end, y)
        return end

    def _underline(self, w, x1: float, x2: float, y0: float) -> None:
        """Underline / strike lines of a word, at reportlab's offsets and widths."""
        fs = w.fontSize
        values = {"L": fs, "F": fs, "f": fs}
        for _n, k, c, lw, o, r, m, g in w.us_lines:
            under = k == "underline"
            width = _usConv(lw, values, default=self.canv._lineWidth)
            gap = _usConv(g, values, default=1)
            step = gap + width if under else -(gap + width)
            y = y0 + r + _usConv(("-0.125*L" if under else "0.25*L") if o == "" else o, values)
            color = c or w.textColor or black
            for _ in range(m):
                self.underlines.append(f"{fp_str(color.red, color.green, color.blue)} RG {num(width)} w "
                                       f"{pos(x1, y)} m {pos(x2, y)} l S")
                y -= step


# ------------------------------------------------------------------------------------------- cell borders

def cell_border_commands(table_borders: tuple[Border, ...], own: dict[tuple[int, int], tuple],
                         spans: dict[tuple[int, int], list[int]], nrows: int, ncols: int) -> list[tuple]:
    """TableStyle line commands for a table some of whose cells set their own borders (w:tcBorders): each
    edge segment takes the table's border, a cell's own setting overrides it, and where two cells both set
    the edge they share, the wider line wins. `own`: (row, col) of a cell's first grid cell → its (top, left,
    bottom, right), None where it does not set one; `spans`: (row, col) → [last row, last col]."""
    top, left, bottom, right, inside_h, inside_v = table_borders
    # h[r][c]: the line above row r (r = nrows: below the last row) in column c; v[r][c]: left of column c
    h: list[list[Border]] = [[top if r == 0 else bottom if r == nrows else inside_h] * ncols for r in range(nrows + 1)]
    v: list[list[Border]] = [[left] + [inside_v] * (ncols - 1) + [right] for _ in range(nrows)]
    set_h: dict[tuple[int, int], Border] = {}
    set_v: dict[tuple[int, int], Border] = {}

    def put(into: dict[tuple[int, int], Border], at: tuple[int, int], b: Border | None) -> None:
        if b is not None and (at not in into or b[0] > into[at][0]):
            into[at] = b

    for (r0, c0), edges in own.items():
        r1, c1 = spans.get((r0, c0), [r0, c0])
        b_top, b_left, b_bottom, b_right = edges
        for c in range(c0, c1 + 1):
            put(set_h, (r0, c), b_top)
            put(set_h, (r1 + 1, c), b_bottom)
        for r in range(r0, r1 + 1):
            put(set_v, (r, c0), b_left)
            put(set_v, (r, c1 + 1), b_right)
    for (r, c), b in set_h.items():
        h[r][c] = b
    for (r, c), b in set_v.items():
        v[r][c] = b
    out: list[tuple] = []
    for r, row in enumerate(h):
        for c0, c1, b in _runs(row):
            out.append(("LINEABOVE", (c0, r), (c1, r), *b) if r < nrows else ("LINEBELOW", (c0, r - 1), (c1, r - 1), *b))
    for c in range(ncols + 1):
        for r0, r1, b in _runs([v[r][c] for r in range(nrows)]):
            out.append(("LINEBEFORE", (c, r0), (c, r1), *b) if c < ncols else ("LINEAFTER", (c - 1, r0), (c - 1, r1), *b))
    return [(op, start, end, width, border_color(col)) for op, start, end, width, col in out]


def _runs(edges: list[Border]) -> list[tuple[int, int, Border]]:
    """Maximal runs of equal, drawn (width > 0) segments: (first index, last index, border)."""
    out: list[tuple[int, int, Border]] = []
    for i, b in enumerate(edges):
        if b[0] <= 0:
            continue
        if out and out[-1][1] == i - 1 and out[-1][2] == b:
            out[-1] = (out[-1][0], i, b)
        else:
            out.append((i, i, b))
    return out


def border_color(c: str | None):
    return "black" if c is None else HexColor(f"#{c}")
