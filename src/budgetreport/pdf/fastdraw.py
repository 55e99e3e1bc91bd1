"""PDF text operators written directly, for the common cases: plain lines of text in embedded TrueType faces.

reportlab's text objects re-derive the font, subset and escaping for every string and format every number
anew; the report draws thousands of short strings ("0.00", "合计") in a handful of faces. Here the operators
for (face, size, text) are built once per document and the lines are placed with one `Tm` each. The result
draws the same glyphs at the same places as reportlab's Paragraph and Table text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .fonts import _split_assigned, face_named, readable_ascii


@dataclass
class DrawState:
    """What one build's drawing remembers: it belongs to that build's canvas and goes with it."""
    shown: dict[tuple, str] = field(default_factory=dict)  # (font, size, text, leading) → operators
    faces: dict[str, tuple[Any, Any, str]] = field(default_factory=dict)  # font → (face, state, readable ASCII)
    subset_names: dict[tuple[str, int], str] = field(default_factory=dict)  # (font, subset) → "/F1+0"
    toc_pending: tuple[float, float, str] | None = None  # see pages._note_toc_end
    toc_forms: dict[tuple[str, str, float], str] = field(default_factory=dict)  # 目录 page-number forms
    fallback: str | None = None  # the face for characters a drawn face lacks (FontSet.fallback)


class BuildCanvas(Canvas):
    """reportlab's Canvas with the drawing state of one build (reportlab's `canvasmaker` hook)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.build_state = DrawState()
        from .synthetic import SYNTH, reportlab_callback  # synthetic draws with this module's helpers
        self.setNamedCB(SYNTH, reportlab_callback)

    _doc: PDFDocument  # reportlab's, set by Canvas.__init__; its stubs declare no private attributes


def embedded(font: str) -> bool:
    """The face is an embedded (subset) TrueType font, the only kind show() writes."""
    return bool(getattr(getFont(font), "_dynamicFont", False))


def show(canv, font: str, size: float, text: str, leading: float | None = None) -> str:
    """`Tf … Tj` operators showing text: one font switch per subset run (with a leading, each switch also sets
    it, `Tf … TL`, as a text object writes it). Memoised per document: once a character has its subset code it
    keeps it, so the operators never change within a document."""
    cache = canv.build_state.shown
    key = (font, size, text, leading)
    ops = cache.get(key)
    if ops is None:
        ops = cache[key] = _show_ops(canv, font, size, text, leading)
    return ops


def num(x: float) -> str:
    """fp_str(x): a number as reportlab writes it in a content stream."""
    return fp_str(x)


def pos(x: float, y: float) -> str:
    """fp_str(x, y): the two numbers joined by a space."""
    return f"{num(x)} {num(y)}"


def draw_string(canv, x: float, y: float, font: str, size: float, text: str) -> None:
    """canvas.drawString(x, y, text) after canvas.setFont(font, size) for an embedded face: the operators its
    text object writes (the leading 1.2 × size at each font switch, T* after the line)."""
    canv._code.append(f"BT 1 0 0 1 {pos(x, y)} Tm {show(canv, font, size, text, size * 1.2)} T* ET")


def draw_text(canv, x: float, y: float, font: str, size: float, text: str) -> None:
    """The one way a line of text outside paragraphs and tables is drawn (footers, 目录 numbers): like
    draw_string, with every run of characters the face lacks drawn in the build's fallback face, so no
    character comes out as an invisible glyph 0."""
    for run_font, run in fallback_runs(canv, font, text):
        draw_string(canv, x, y, run_font, size, run)
        x += string_width(run, run_font, size)


def fallback_runs(canv, font: str, text: str) -> list[tuple[str, str]]:
    """(font, text) runs of `text`: in `font` where it has the glyph, else in the build's fallback face."""
    face, fallback = face_named(font), canv.build_state.fallback
    if face is None or fallback is None or face.covers(text):
        return [(font, text)]
    runs: list[tuple[str, str]] = []
    for ch in text:
        use = font if face.has(ch) else fallback
        if runs and runs[-1][0] == use:
            runs[-1] = (use, runs[-1][1] + ch)
        else:
            runs.append((use, ch))
    return runs


def _show_ops(canv, font: str, size: float, text: str, leading: float | None) -> str:
    doc = canv._doc
    # font → (face, its state in this document): the split of a text whose characters all have their codes
    # needs neither reportlab's per-document state lookup (a weak dictionary) nor a cache of its own
    faces = canv.build_state.faces
    entry = faces.get(font)
    if entry is not None:
        face, state, readable = entry
        chunks = _split_assigned(text, state, readable) or face.splitString(text, doc)
    else:
        face = cast(TTFont, getFont(font))      # every face the writer registers is a TrueType face
        chunks = face.splitString(text, doc)
        state = face.state.get(doc)
        if state is not None:
            faces[font] = (face, state, readable_ascii(state))
    tf = f"{fp_str(size)} Tf" if leading is None else f"{fp_str(size)} Tf {fp_str(leading)} TL"
    # (face, subset) → its PDF font name ("/F1+0"), as getSubsetInternalName gives it
    names = canv.build_state.subset_names
    parts = []
    for subset, chunk in chunks:
        name = names.get((font, subset))
        if name is None:
            name = names[(font, subset)] = face.getSubsetInternalName(subset, doc)
        parts.append(f"{name} {tf} ({escapePDF(chunk)}) Tj")
    return " ".join(parts)


def string_width(text: str, font: str, size: float) -> float:
    """pdfmetrics.stringWidth."""
    return stringWidth(text, font, size)

