"""Borders set on single table cells (w:tcPr/w:tcBorders) in the built-in PDF engine (issue 11): a cell's edge
overrides the table's, none/nil removes it, where two cells set the edge they share the wider line wins;
'double' is drawn as one line of the border's width, diagonals are not drawn (docs/pdf.md). Tables are
generated on the default template's styles; each edge segment of the grid is checked against the lines the
page strokes, at the grid positions measured on the same table without cell borders."""
from __future__ import annotations

import random
import shutil

import pytest
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from budgetreport.pdf import write_pdf
from pdfops import Line, page_ops
from test_pdf_draw_style import _saved, _template
from textutil import norm, pdf_pages

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")

Edge = tuple[float, tuple[float, ...]]  # width pt (0: none), stroke colour RGB
COLOURS = {"auto": (0.0, 0.0, 0.0), "FF0000": (1.0, 0.0, 0.0), "0000FF": (0.0, 0.0, 1.0)}
SIDES = ("top", "left", "bottom", "right")


def _spec(rnd: random.Random) -> dict:
    """A random table: rows, columns, an optional horizontal merge, the table's own borders (the grid style's
    0.5 pt or none) and each cell's own edges: (val, sz, colour) by side."""
    rows, cols = rnd.randint(2, 4), rnd.randint(2, 4)
    span = (rnd.randrange(rows), rnd.randrange(cols - 1)) if rnd.random() < 0.5 else None
    cells = {}
    for r in range(rows):
        for c in range(cols):
            if span is not None and (r, c) == (span[0], span[1] + 1):
                continue   # merged into the cell before it
            own = {}
            for side in SIDES:
                x = rnd.random()
                if x < 0.15:
                    own[side] = (rnd.choice(["none", "nil"]), 4, "auto")
                elif x < 0.5:
                    own[side] = (rnd.choice(["single", "single", "double"]), rnd.choice([4, 12, 24]),
                                 rnd.choice(list(COLOURS)))
            cells[(r, c)] = (own, rnd.random() < 0.2)   # (edges, a diagonal too)
    return {"rows": rows, "cols": cols, "span": span, "cells": cells, "table_none": rnd.random() < 0.3}


def _build(spec: dict, with_cells: bool) -> DocxDocument:
    d = _template()
    rows, cols = spec["rows"], spec["cols"]
    t = d.add_table(rows=rows, cols=cols)
    t.style = d.styles["Table Grid"]
    for gc in t._tbl.tblGrid.findall(qn("w:gridCol")):
        gc.set(qn("w:w"), "1200")
    if spec["table_none"] and with_cells:
        borders = OxmlElement("w:tblBorders")
        for side in SIDES + ("insideH", "insideV"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "none")
            borders.append(el)
        t._tbl.tblPr.append(borders)
    span = spec["span"] if with_cells else None
    if span is not None:
        t.cell(span[0], span[1]).merge(t.cell(span[0], span[1] + 1))
    for (r, c), (own, diagonal) in spec["cells"].items():
        cell = t.cell(r, c)
        cell.paragraphs[0].text = f"格{r}{c}"
        cell.paragraphs[0].style = d.styles["Table Text"]
        if not with_cells or not (own or diagonal):
            continue
        tcb = OxmlElement("w:tcBorders")
        for side in SIDES:   # schema order: top, left (start), bottom, right (end)
            if side in own:
                val, sz, colour = own[side]
                el = OxmlElement(f"w:{side}")
                el.set(qn("w:val"), val)
                el.set(qn("w:sz"), str(sz))
                el.set(qn("w:color"), colour)
                tcb.append(el)
        if diagonal:
            el = OxmlElement("w:tl2br")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "8")
            tcb.append(el)
        cell._tc.get_or_add_tcPr().append(tcb)
    return d


def _expected(spec: dict) -> tuple[dict, dict]:
    """Each grid segment's (width, colour, decided by one cell?): h[(k, c)] the line above row k (k = rows:
    below the last row) in column c; v[(r, k)] the line left of column k (k = cols: the right edge) in row r."""
    rows, cols, span = spec["rows"], spec["cols"], spec["span"]
    table: Edge = (0.0, ()) if spec["table_none"] else (0.5, COLOURS["auto"])

    def owner(r: int, c: int) -> tuple[int, int]:
        return (r, c - 1) if span is not None and (r, c) == (span[0], span[1] + 1) else (r, c)

    def edge(r: int, c: int, side: str) -> Edge | None:
        own = spec["cells"][owner(r, c)][0]
        if side not in own:
            return None
        val, sz, colour = own[side]
        return (0.0, ()) if val in ("none", "nil") else (sz / 8, COLOURS[colour])

    def decide(found: list[Edge | None]) -> tuple[float, tuple[float, ...], bool]:
        set_ = [e for e in found if e is not None]
        if not set_:
            return table[0], table[1], True
        widest = max(e[0] for e in set_)
        winners = {e[1] for e in set_ if e[0] == widest}
        return widest, next(iter(winners)), len(winners) == 1

    h = {(k, c): decide([edge(k - 1, c, "bottom") if k > 0 else None, edge(k, c, "top") if k < rows else None])
         for k in range(rows + 1) for c in range(cols)}
    v = {}
    for r in range(rows):
        for k in range(cols + 1):
            if span is not None and (r, k) == (span[0], span[1] + 1):
                v[(r, k)] = (0.0, (), True)   # inside the merged cell
            else:
                v[(r, k)] = decide([edge(r, k - 1, "right") if k > 0 else None, edge(r, k, "left") if k < cols else None])
    return h, v


def _covering(lines: list[Line], horizontal: bool, at: float, mid: float) -> list[Line]:
    out = []
    for ln in lines:
        if horizontal and ln.horizontal and abs(ln.y0 - at) < 0.01 and min(ln.x0, ln.x1) <= mid <= max(ln.x0, ln.x1):
            out.append(ln)
        elif not horizontal and ln.vertical and abs(ln.x0 - at) < 0.01 and min(ln.y0, ln.y1) <= mid <= max(ln.y0, ln.y1):
            out.append(ln)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_cell_borders_override_the_tables_and_the_wider_wins(seed: int) -> None:
    spec = _spec(random.Random(seed))
    _, grid_lines = page_ops(write_pdf(_saved(_build(spec, with_cells=False))), 0)   # every edge drawn
    xs = sorted({round(ln.x0, 3) for ln in grid_lines if ln.vertical})
    ys = sorted({round(ln.y0, 3) for ln in grid_lines if ln.horizontal}, reverse=True)
    assert len(xs) == spec["cols"] + 1 and len(ys) == spec["rows"] + 1, (xs, ys)
    pdf = write_pdf(_saved(_build(spec, with_cells=True)))
    _, lines = page_ops(pdf, 0)
    h, v = _expected(spec)
    for horizontal, segments in ((True, h), (False, v)):
        for (a, b), (width, colour, unique) in segments.items():
            if horizontal:
                found = _covering(lines, True, ys[a], (xs[b] + xs[b + 1]) / 2)
            else:
                found = _covering(lines, False, xs[b], (ys[a] + ys[a + 1]) / 2)
            where = ("h" if horizontal else "v", a, b, width, colour, found)
            if width == 0:
                assert not found, where
            else:
                assert found and abs(max(ln.width for ln in found) - width) < 1e-3, where
                if unique:
                    assert any(ln.color == colour for ln in found if abs(ln.width - width) < 1e-3), where
    assert all(ln.horizontal or ln.vertical for ln in lines), "no diagonal is drawn"
    text = norm(pdf_pages(pdf)[0])
    assert all(f"格{r}{c}" in text for (r, c) in spec["cells"])
