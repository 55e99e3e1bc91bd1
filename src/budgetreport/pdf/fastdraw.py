"""PDF text operators written directly, for the common cases: plain lines of text in embedded TrueType faces.

reportlab's text objects re-derive the font, subset and escaping for every string and format every number
anew; the report draws thousands of short strings ("0.00", "合计") in a handful of faces. Here the operators
for (face, size, text) are built once per document and the lines are placed with one `Tm` each. The result
draws the same glyphs at the same places as reportlab's Paragraph and Table text.
"""
from __future__ import annotations

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

_DYNAMIC: dict[str, bool] = {}


def embedded(font: str) -> bool:
    """The face is an embedded (subset) TrueType font, the only kind show() writes."""
    ok = _DYNAMIC.get(font)
    if ok is None:
        ok = _DYNAMIC[font] = bool(getattr(getFont(font), "_dynamicFont", False))
    return ok


def show(canv, font: str, size: float, text: str) -> str:  # type: ignore[no-untyped-def]
    """`Tf … Tj` operators showing text: one font switch per subset run. Memoised per document: once a
    character has its subset code it keeps it, so the operators never change within a document."""
    cache = canv.__dict__.get("_br_show")
    if cache is None:
        cache = canv._br_show = {}
    key = (font, size, text)
    ops = cache.get(key)
    if ops is None:
        face = getFont(font)
        doc = canv._doc
        # (face, subset) → its PDF font name ("/F1+0"), as getSubsetInternalName gives it
        names = canv.__dict__.setdefault("_br_subset_names", {})
        sz = fp_str(size)
        parts = []
        for subset, chunk in face.splitString(text, doc):
            name = names.get((font, subset))
            if name is None:
                name = names[(font, subset)] = face.getSubsetInternalName(subset, doc)
            parts.append(f"{name} {sz} Tf ({escapePDF(chunk)}) Tj")
        ops = cache[key] = " ".join(parts)
    return ops


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

