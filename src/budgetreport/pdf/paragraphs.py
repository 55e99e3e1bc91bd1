"""CJKParagraph: a reportlab Paragraph broken by linebreak, drawn directly when its lines are plain text; and
the markup of a run of text with per-character fallback to the face that has the glyph.
"""
from __future__ import annotations

import re
from html import escape  # not xml.sax.saxutils: it imports urllib.request, http.client and ssl

from reportlab.lib.colors import black as _BLACK
from reportlab.lib.rl_accel import fp_str
from reportlab.platypus.paragraph import ParaLines, Paragraph, cleanBlockQuotedText
from reportlab.platypus.paragraph import _wsc  # type: ignore[attr-defined]  # not in reportlab's stubs

from .fastdraw import embedded, num, pos, show, string_width
from .fonts import Face
from .linebreak import cjk_frag_split
from .synthetic import SYNTH, carry_synthetic, draw_rich, line_start


def _not_black(color) -> bool:
    """color != black, without reportlab's colour comparison when it is the black object itself (nearly always)."""
    return color is not _BLACK and color != _BLACK


class CJKParagraph(Paragraph):
    """A Paragraph with the line breaking above; `on_draw` callbacks get the canvas when drawn."""

    on_draw: tuple = ()
    _br_marked = True  # see _plain
    _synthetic = False  # see _plain
    blPara: ParaLines  # reportlab's: the lines of the last wrap (breakLinesCJK's result); not in its stubs

    def breakLinesCJK(self, maxWidths):  # noqa: N802, N803 - reportlab API
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        style = self.style
        if not self.frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName,
                             textColor=style.textColor, lines=[], ascent=style.fontSize,
                             descent=-0.2 * style.fontSize)
        # tables wrap the same cell many times, at widths that differ in the last bits (a column width for
        # sizing, a difference of column positions for drawing): one split serves widths equal to 1e-9 pt
        key = tuple([round(w, 9) for w in maxWidths])
        cache = self.__dict__.setdefault("_br_lines", {})
        if key not in cache:
            cache[key] = cjk_frag_split(self.frags, list(maxWidths))
        return cache[key]

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab API
        """The height does not depend on availHeight: a second wrap at the same width (a table cell is
        wrapped for its row height and again when drawn) returns the first result."""
        memo = self.__dict__.get("_br_wrapped")
        if memo is not None and memo[0] == availWidth and memo[1] is self.__dict__.get("blPara"):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._br_wrapped = (availWidth, self.blPara)
        return size

    def split(self, availWidth, availHeight):  # noqa: N803
        parts = super().split(availWidth, availHeight)
        for i, p in enumerate(parts):  # marks belong to the first line only
            if isinstance(p, CJKParagraph):
                p.on_draw = self.on_draw if i == 0 else ()
        carry_synthetic(parts)
        return parts

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802, N803 - reportlab API
        """A plain paragraph is written at (x, y) directly, without a graphics state and translation of
        its own; one with a 目录 callback (which draws in paragraph coordinates) or anything else is
        drawn by reportlab's drawOn. Lines with exact spacing are drawn lower by the style's baseline_drop
        (styles._baseline_drop: where LibreOffice and Word put their baselines)."""
        y -= getattr(self.style, "baseline_drop", 0.0)
        if self._plain() not in ("direct", "synthetic"):
            return super().drawOn(canvas, x, y, _sW)  # type: ignore[call-arg]  # reportlab's takes _sW
        self.canv = canvas
        try:
            self._draw_plain(self._hAlignAdjust(x, _sW), y)  # type: ignore[attr-defined]  # reportlab's Flowable
            for cb in self.on_draw:
                cb(canvas)
        finally:
            del self.canv
        return None

    def draw(self) -> None:
        if self._plain():
            self._draw_plain(0.0, 0.0)
        else:
            super().draw()
        for cb in self.on_draw:
            cb(self.canv)

    def _plain(self) -> str | None:
        """"direct" when the lines are plain text (and anchors) in embedded faces in the style's colour;
        "local" when they also hold a 目录 entry's link to one destination and its brTocEnd callback;
        "synthetic" when they hold synthetic bold / italic runs (synthetic.py), also in their own colour,
        underlined or raised, and no link; None for anything else (other links and callbacks, underlines,
        bullets, borders, backgrounds)."""
        style = self.style
        bl = self.blPara
        if (bl.kind != 1 or self.bulletText or style.backColor or style.borderWidth or getattr(style, "autoLeading", "")
                or style.justifyLastLine):
            return None
        kind = "direct"
        link = None
        rich = self._synthetic = False  # rich: underlined, raised or coloured words
        self._br_marked = False  # anchors, callbacks or links: _draw_plain then follows the pen position
        for line in bl.lines:
            for w in line.words:
                cb = w.__dict__.get("cbDefn")
                if cb is not None:
                    if cb.kind == "onDraw" and cb.name == "brTocEnd":
                        kind = "local"
                    elif cb.kind == "onDraw" and cb.name == SYNTH:
                        self._synthetic = True
                    elif cb.kind != "anchor":
                        return None
                    self._br_marked = True
                    continue
                if w.__dict__.get("backColor") or "\xa0" in w.text or not embedded(w.fontName):
                    return None
                if w.us_lines or w.rise or (w.textColor is not style.textColor and w.textColor != style.textColor):
                    rich = True
                if link is None:
                    link = w.link
                if w.link != link or len(link) > 1 or (link and not link[0][1].startswith("#")):
                    return None
        if self._synthetic:
            return "synthetic" if not link and kind == "direct" else None
        if rich:
            return None
        if link:
            self._br_marked = True
        return "local" if link else kind

    def _draw_plain(self, dx: float, dy: float) -> None:
        """Draw the lines with their origin at (dx, dy) as reportlab's drawPara would: the same text at
        the same places, anchors, the 目录 link rectangle of each line and the brTocEnd callback."""
        if self._synthetic:
            return draw_rich(self, dx, dy)
        style = self.style
        lines = self.blPara.lines
        if not lines:
            return
        canv = self.canv
        offsets = getattr(self, "_offsets", [0])
        leading = style.leading
        align = style.alignment
        last_i = len(lines) - 1 if not getattr(self, "_JustifyLast", False) else -1
        marked = self._br_marked  # else the pen position is never read
        y = dy + self.height - lines[0].fontSize
        color = style.textColor   # the style's colour: black nearly always
        ops = ["0 0 0 rg BT" if not _not_black(color) else f"{fp_str(color.red, color.green, color.blue)} rg BT"]
        links: list[tuple[str, tuple[float, float, float, float]]] = []
        for i, line in enumerate(lines):
            x = dx + style.leftIndent + (style.firstLineIndent + offsets[0] if i == 0 else
                                         offsets[i] if i < len(offsets) else offsets[-1])
            x, charspace = line_start(align, line, x, i != last_i)
            ops.append(f"1 0 0 1 {pos(x, y)} Tm")
            if charspace:
                ops.append(f"{num(charspace)} Tc")
            cur_x = x  # reportlab's pen position: the text widths without character spacing
            link_at = None  # (start x, low, high) of the line's linked text
            for w in line.words:
                cb = w.__dict__.get("cbDefn")
                if cb is None:
                    if w.link:
                        lo, hi = -0.2 * w.fontSize, w.fontSize
                        link_at = (cur_x, lo, hi) if link_at is None else (
                            link_at[0], min(link_at[1], lo), max(link_at[2], hi))
                    if w.text:
                        ops.append(show(canv, w.fontName, w.fontSize, w.text))
                        if marked:
                            cur_x += string_width(w.text, w.fontName, w.fontSize)
                elif cb.kind == "anchor":
                    canv.bookmarkHorizontal(cb.name, cur_x, y + leading)
                else:  # brTocEnd: notes where the entry's text ends (_note_toc_end)
                    func = canv.getNamedCB(cb.name)
                    if func is None:  # as reportlab's drawing of the same callback
                        raise AttributeError(f"Missing {cb.kind} callback attribute '{cb.name}'")
                    # reportlab's protocol for a callback's pen position (Canvas attribute, not in its stubs)
                    canv._curr_tx_info = {"cur_x": cur_x, "cur_y": y, "leading": leading}  # type: ignore[attr-defined]
                    try:
                        func(canv, cb.kind, cb.label)  # a brTocEnd always has its label (styles' 目录 markup)
                    finally:
                        del canv._curr_tx_info  # type: ignore[attr-defined]
            if charspace:
                ops.append("0 Tc")
            if link_at is not None:
                dest = next(w.link[0][1] for w in line.words if "cbDefn" not in w.__dict__ and w.link)
                links.append((dest[1:], (link_at[0], y + link_at[1], cur_x, y + link_at[2])))
            y -= leading
        ops.append("ET")
        canv._code.append(" ".join(ops))  # type: ignore[attr-defined]  # reportlab's page content; not in its stubs
        for dest, rect in links:
            canv.linkRect("", dest, rect, relative=1)

# ------------------------------------------------------------------------------------------- helpers


def _font_markup(text: str, face, fallback, base, segs: list | None = None, covered: bool = False) -> str:
    """Escape text; switch face for runs of glyphs the face lacks; newlines become <br/>. With segs,
    also append (face name, or None for base, unescaped text) for each piece. covered: the caller knows that
    the face has every glyph of the text."""
    out: list[str] = []
    cur: Face | None = None  # set before the first character goes into buf
    buf: list[str] = []

    def flush() -> None:
        if buf and cur is not None:
            raw = "".join(buf)
            s = escape(raw, quote=False).replace("\n", "<br/>")     # &, <, > as saxutils does
            same = cur.name == base.name
            out.append(s if same else f'<font name="{cur.name}">{s}</font>')
            if segs is not None:
                segs.append((None if same else cur.name, raw))
            buf.clear()

    if text and (covered or face.covers(text)):  # the usual case: one run in the paragraph's face
        cur = face
        buf.append(text)
        flush()
        return "".join(out)
    for ch in text:
        use = face if (ch in " \n\t" or face.has(ch)) else fallback
        if use is not cur:
            flush()
            cur = use
        buf.append(ch)
    flush()
    return "".join(out)


# whitespace other than the plain space that the paragraph parser's clean-up (cleanBlockQuotedText) collapses:
# its own set and everything str.split splits on
_ODD_SPACE = re.compile("[%s]" % re.escape("".join(
    sorted({c for c in map(chr, range(0x3001)) if c.isspace() and c != " "} | set(_wsc) - {" "}))))


def _clean(text: str) -> bool:
    """cleanBlockQuotedText(text) == text, decided without it when the text holds only single plain spaces
    between other characters (nearly always)."""
    if " " in (text[:1], text[-1:]) or "  " in text or _ODD_SPACE.search(text):
        return cleanBlockQuotedText(text) == text
    return True


_ENTITY_CHARS = re.compile("[&<>]")
_ENTITY_SPLIT = re.compile("([&<>])").split
