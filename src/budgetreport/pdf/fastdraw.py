"""PDF text operators written directly, for the common cases: plain lines of text in embedded TrueType faces.

reportlab's text objects re-derive the font, subset and escaping for every string and format every number
anew; the report draws thousands of short strings ("0.00", "合计") in a handful of faces. Here the operators
for (face, size, text) are built once per document and the lines are placed with one `Tm` each. The result
draws the same glyphs at the same places as reportlab's Paragraph and Table text.
"""
from __future__ import annotations

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from .fonts import _split_assigned

_DYNAMIC: dict[str, bool] = {}


def embedded(font: str) -> bool:
    """The face is an embedded (subset) TrueType font, the only kind show() writes."""
    ok = _DYNAMIC.get(font)
    if ok is None:
        ok = _DYNAMIC[font] = bool(getattr(getFont(font), "_dynamicFont", False))
    return ok


def show(canv, font: str, size: float, text: str, leading: float | None = None) -> str:  # type: ignore[no-untyped-def]
    """`Tf … Tj` operators showing text: one font switch per subset run (with a leading, each switch also sets
    it, `Tf … TL`, as a text object writes it). Memoised per document: once a character has its subset code it
    keeps it, so the operators never change within a document."""
    cache = canv.__dict__.get("_br_show")
    if cache is None:
        cache = canv._br_show = {}
    key = (font, size, text, leading)
    ops = cache.get(key)
    if ops is None:
        ops = cache[key] = _show_ops(canv, font, size, text, leading)
    return ops


_NUMBERS: dict[float, str] = {}


def num(x: float) -> str:
    """fp_str(x), memoised: positions repeat (a table's columns and rows, a page's lines) and fp_str is slow on
    fractions (≈ 1 µs). Equal numbers format alike (an int and its float included), so the value is the key."""
    s = _NUMBERS.get(x)
    if s is None:
        if len(_NUMBERS) > 100_000:  # bounded in a long batch
            _NUMBERS.clear()
        s = _NUMBERS[x] = fp_str(x)
    return s


def pos(x: float, y: float) -> str:
    """fp_str(x, y): the two numbers joined by a space."""
    return f"{num(x)} {num(y)}"


def draw_string(canv, x: float, y: float, font: str, size: float, text: str) -> None:  # type: ignore[no-untyped-def]
    """canvas.drawString(x, y, text) after canvas.setFont(font, size) for an embedded face: the operators its
    text object writes (the leading 1.2 × size at each font switch, T* after the line)."""
    canv._code.append(f"BT 1 0 0 1 {pos(x, y)} Tm {show(canv, font, size, text, size * 1.2)} T* ET")


def _show_ops(canv, font: str, size: float, text: str, leading: float | None) -> str:  # type: ignore[no-untyped-def]
    doc = canv._doc
    # font → (face, its state in this document): the split of a text whose characters all have their codes
    # needs neither reportlab's per-document state lookup (a weak dictionary) nor a cache of its own
    faces = canv.__dict__.setdefault("_br_faces", {})
    entry = faces.get(font)
    if entry is not None:
        face, state = entry
        chunks = _split_assigned(text, state) or face.splitString(text, doc)
    else:
        face = getFont(font)
        chunks = face.splitString(text, doc)
        state = face.state.get(doc)
        if state is not None:
            faces[font] = (face, state)
    tf = _TF.get((size, leading))
    if tf is None:
        tf = _TF[(size, leading)] = f"{fp_str(size)} Tf" if leading is None else f"{fp_str(size)} Tf {fp_str(leading)} TL"
    # (face, subset) → its PDF font name ("/F1+0"), as getSubsetInternalName gives it
    names = canv.__dict__.setdefault("_br_subset_names", {})
    if len(chunks) == 1:
        subset, chunk = chunks[0]
        name = names.get((font, subset))
        if name is None:
            name = names[(font, subset)] = face.getSubsetInternalName(subset, doc)
        return f"{name} {tf} ({escapePDF(chunk)}) Tj"
    parts = []
    for subset, chunk in chunks:
        name = names.get((font, subset))
        if name is None:
            name = names[(font, subset)] = face.getSubsetInternalName(subset, doc)
        parts.append(f"{name} {tf} ({escapePDF(chunk)}) Tj")
    return " ".join(parts)


_TF: dict[tuple[float, float | None], str] = {}  # (size, leading) → the font operator's tail


_WIDTHS: dict[tuple[str, str, float], float] = {}


def string_width(text: str, font: str, size: float) -> float:
    """pdfmetrics.stringWidth, memoised (table texts repeat)."""
    key = (text, font, size)
    w = _WIDTHS.get(key)
    if w is None:
        if len(_WIDTHS) > 100_000:  # bounded in a long batch
            _WIDTHS.clear()
        w = _WIDTHS[key] = stringWidth(text, font, size)
    return w

