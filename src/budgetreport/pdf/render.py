"""Document model → reportlab flowables → PDF bytes.

One build: a 目录 entry draws its page number as a form XObject that is defined after the last page, once
the page of every bookmark is known (reportlab resolves forward references to forms at save time). TOC
entries reserve the page-number column, so the numbers never change the layout.
"""
from __future__ import annotations

import gc
import io
import re
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape     # not xml.sax.saxutils: it imports urllib.request, http.client and ssl (≈15 ms)
from itertools import accumulate
from typing import Callable, Iterator, cast

from reportlab.lib.colors import black as _BLACK
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.lib.abag import ABag

from reportlab.platypus.paragraph import FragLine, ParaLines, Paragraph, _wsc, cleanBlockQuotedText  # noqa: E402
from reportlab.platypus.paraparser import ParaFrag  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate, CondPageBreak, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate, Spacer,
    Table, TableStyle,
)
from reportlab.platypus.tables import CellStyle  # noqa: E402

from . import docmodel as m  # noqa: E402
from .fastdraw import draw_string, embedded, num, pos, show, string_width  # noqa: E402
from .fonts import FontSet  # noqa: E402

# ---------------------------------------------------------------------------------- Chinese line breaking
# reportlab's own CJK wrap lets "，；：”" start a line and hangs a forbidden character into the right
# margin (which overlaps a table border). Here the break moves back instead (推入), Latin words and
# numbers stay whole, and opening brackets/quotes never end a line.

# may not start a line (GB/T 15834 punctuation plus closing brackets)
CANNOT_START = set("，。、；：？！）］｝》〉」』】〕”’…—％‰℃·,.;:?!)]}%" "\u3001\u3002\uff0c")
# may not end a line
CANNOT_END = set("（［｛《〈「『【〔“‘([{")
_WORD = re.compile(r"[0-9A-Za-z.,%‰+\-/_@#&']")
_FUZZ = 1e-6


def _is_word(u: str) -> bool:
    return bool(u) and _WORD.match(u) is not None


def _break_at(U: list[str], start: int, end: int) -> int:
    """Best break index in (start, end]: the line is U[start:k]."""
    k = end
    # keep a Latin word / number whole when it straddles the break
    if k < len(U) and _is_word(U[k]) and _is_word(U[k - 1]):
        j = k - 1
        while j > start and _is_word(U[j - 1]):
            j -= 1
        if j > start:
            k = j
    # move the break back while the next line would start with a forbidden character
    # or this line would end with an opening bracket (at most 3 steps: never an endless squeeze)
    for _ in range(3):
        if k >= len(U) or k - 1 <= start:
            break
        if U[k] in CANNOT_START or U[k - 1] in CANNOT_END:
            k -= 1
        else:
            break
    return k if k > start else end


def _text_width(text: str, font: str, size: float) -> float:
    """Sum of the character widths, in order: the same float cjk_frag_split accumulates for a line."""
    width = 0.0
    for w in _char_widths(text, font, size):
        width += w
    return width


_CHAR_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}  # (face, size) → character → width
_ASCENT_DESCENT: dict[tuple[str, float], tuple[float, float]] = {}


def _char_widths(text: str, font: str, size: float) -> list[float]:
    """The width of each character (stringWidth of the character, memoised), looked up in C when known."""
    table = _CHAR_WIDTHS.get((font, size))
    if table is None:
        table = _CHAR_WIDTHS[(font, size)] = {}
    found = list(map(table.get, text))
    if None in found:
        for i, w in enumerate(found):
            if w is None:
                found[i] = table[text[i]] = stringWidth(text[i], font, size)
    return cast("list[float]", found)


def _ascent_descent(font: str, size: float) -> tuple[float, float]:
    key = (font, size)
    ad = _ASCENT_DESCENT.get(key)
    if ad is None:
        ad = _ASCENT_DESCENT[key] = getAscentDescent(font, size)
    return ad


# A line as cjk_frag_split lays it out: its words as (frag index, text), font size, ascent, descent, max width,
# used width and whether a <br/> ends it. Lines depend only on the frags' texts, faces, sizes, callback widths
# and <br/>s and on the widths: the same template wording breaks the same way in every report.
LineSpec = tuple[tuple[tuple[int, str], ...], float, float, float, float, float, bool]
_LAYOUTS: dict[tuple, tuple[LineSpec, ...]] = {}


def _line_spec(chars: list[str], runs: list[tuple[int, int, ParaFrag]], starts: list[int], widths: list[float],
               start: int, end: int, max_width: float, forced: bool) -> LineSpec:
    """A reportlab CJK line (kind 1): the characters of each frag (run) in the line become one word."""
    words = []
    size = ascent = descent = 0.0
    r = bisect_right(starts, start) - 1  # the run holding the line's first character
    while r < len(runs) and runs[r][0] < end:
        r0, r1, f = runs[r]
        words.append((r, "".join(chars[max(r0, start):min(r1, end)])))
        a, d = _ascent_descent(f.fontName, f.fontSize)
        size, ascent, descent = max(size, f.fontSize), max(ascent, a), min(descent, d)
        r += 1
    return tuple(words), size, ascent, descent, max_width, sum(widths[start:end]), forced


def _make_line(frags: list, spec: LineSpec) -> FragLine:
    """The FragLine of a line spec, its words clones of this paragraph's frags (their links and callbacks)."""
    spec_words, size, ascent, descent, max_width, used, forced = spec
    words = []
    for r, text in spec_words:
        f = frags[r]
        w = f.__class__.__new__(f.__class__)  # f.clone() with the line's part of the text
        w.__dict__.update(f.__dict__)
        w.text = text
        words.append(w)
    line = FragLine(kind=1, extraSpace=max_width - used, wordCount=1, words=words, fontSize=size,
                    ascent=ascent, descent=descent, maxWidth=max_width, currentWidth=used, lineBreak=forced)
    line.cjk_justify = True  # see _justify_cjk
    return line


def _line_end(widths: list[float], start: int, stop: int, limit: float) -> int:
    """The first index in [start, stop) whose character would make the line wider than limit (never start
    itself: a line holds at least one character), else stop. The running sums are accumulated in order from
    the line's start, exactly as a character-by-character loop adds them."""
    window = 64
    while True:
        top = min(stop, start + window)
        sums = list(accumulate(widths[start:top]))
        fit = bisect_right(sums, limit)  # the sums never decrease: widths are >= 0
        if fit < len(sums):
            return start + max(fit, 1)
        if top == stop:
            return stop
        window *= 4


def cjk_frag_split(frags: list, max_widths: list[float]) -> ParaLines:
    key = (tuple([_frag_key(f) for f in frags]), tuple(max_widths))
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _layout(frags, max_widths)
        if len(_LAYOUTS) > 5_000:  # bounded in a long batch (a report has ~300)
            _LAYOUTS.clear()
        _LAYOUTS[key] = layout
    return ParaLines(kind=1, lines=[_make_line(frags, spec) for spec in layout])


def _frag_key(f: ParaFrag) -> tuple:
    """All of a frag that its lines depend on (see _layout)."""
    if hasattr(f, "cbDefn"):
        return ("cb", getattr(f.cbDefn, "width", 0) or 0)
    return (f.text, f.fontName, f.fontSize, hasattr(f, "lineBreak"))


def _layout(frags: list, max_widths: list[float]) -> tuple[LineSpec, ...]:
    chars: list[str] = []
    runs: list[tuple[int, int, ParaFrag]] = []  # (first index, end index, frag) of every frag's characters
    widths: list[float] = []
    breaks: list[int] = []  # indices of <br/>
    for f in frags:
        text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
        at = len(chars)
        if hasattr(f, "cbDefn"):  # callbacks (onDraw, anchors)
            chars.append("")
            widths.append(getattr(f.cbDefn, "width", 0) or 0)
        elif text:
            chars.extend(text)
            widths.extend(_char_widths(text, f.fontName, f.fontSize))
        else:  # <br/> (or an empty fragment)
            if hasattr(f, "lineBreak"):
                breaks.append(at)
            chars.append("")
            widths.append(0.0)
        runs.append((at, len(chars), f))
    starts = [run[0] for run in runs]
    lines: list[LineSpec] = []
    n = len(chars)
    start = 0
    b = 0  # next <br/> at or after start: breaks[b]
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        while b < len(breaks) and breaks[b] < start:
            b += 1
        stop = breaks[b] if b < len(breaks) else n
        i = _line_end(widths, start, stop, max_width + _FUZZ) if stop > start else start
        forced = i == stop < n
        if forced:
            i += 1  # the <br/> ends this line
        k = i if forced or i >= n else _break_at(chars, start, i)
        lines.append(_line_spec(chars, runs, starts, widths, start, k, max_width, forced))
        start = k
        # a space at the start of a continuation line is dropped, as Word does
        while start < n and chars[start] == " " and not forced:
            start += 1
    return tuple(lines)




def _not_black(color) -> bool:  # type: ignore[no-untyped-def]
    """color != black, without reportlab's colour comparison when it is the black object itself (nearly always)."""
    return color is not _BLACK and color != _BLACK


class CJKParagraph(Paragraph):
    """A Paragraph with the line breaking above; `on_draw` callbacks get the canvas when drawn."""

    on_draw: tuple = ()
    _br_marked = True  # see _plain

    def breakLinesCJK(self, maxWidths):  # noqa: N802, N803 - reportlab API
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
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
        return parts

    def drawOn(self, canvas, x, y, _sW=0):  # type: ignore[no-untyped-def] # noqa: N802, N803 - reportlab API
        """A plain paragraph is written at (x, y) directly, without a graphics state and translation of
        its own; one with a 目录 callback (which draws in paragraph coordinates) or anything else is
        drawn by reportlab's drawOn."""
        if self._plain() != "direct":
            return super().drawOn(canvas, x, y, _sW)
        self.canv = canvas
        try:
            self._draw_plain(self._hAlignAdjust(x, _sW), y)
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
        None for anything else (other links and callbacks, underlines, bullets, borders, backgrounds)."""
        style = self.style
        bl = self.blPara
        if (bl.kind != 1 or self.bulletText or style.backColor or style.borderWidth or getattr(style, "autoLeading", "")
                or style.justifyLastLine or _not_black(style.textColor)):
            return None
        kind = "direct"
        link = None
        self._br_marked = False  # anchors, callbacks or links: _draw_plain then follows the pen position
        for line in bl.lines:
            for w in line.words:
                cb = w.__dict__.get("cbDefn")
                if cb is not None:
                    if cb.kind == "onDraw" and cb.name == "brTocEnd":
                        kind = "local"
                    elif cb.kind != "anchor":
                        return None
                    self._br_marked = True
                    continue
                if (w.us_lines or w.rise or w.__dict__.get("backColor") or "\xa0" in w.text
                        or _not_black(w.textColor) or not embedded(w.fontName)):
                    return None
                if link is None:
                    link = w.link
                if w.link != link or len(link) > 1 or (link and not link[0][1].startswith("#")):
                    return None
        if link:
            self._br_marked = True
        return "local" if link else kind

    def _draw_plain(self, dx: float, dy: float) -> None:
        """Draw the lines with their origin at (dx, dy) as reportlab's drawPara would: the same text at
        the same places, anchors, the 目录 link rectangle of each line and the brTocEnd callback."""
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
        ops = ["0 0 0 rg BT"]
        links: list[tuple[str, tuple[float, float, float, float]]] = []
        for i, line in enumerate(lines):
            x = dx + style.leftIndent + (style.firstLineIndent + offsets[0] if i == 0 else
                                         offsets[i] if i < len(offsets) else offsets[-1])
            extra = line.extraSpace
            charspace = 0.0
            if align == TA_CENTER:
                x += 0.5 * extra
            elif align == TA_RIGHT:
                x += extra
            elif (align == TA_JUSTIFY and getattr(line, "cjk_justify", False) and i != last_i
                  and not line.lineBreak and extra > 1e-3):
                n = sum(len(w.text) for w in line.words if "cbDefn" not in w.__dict__)
                if n > 1:
                    charspace = extra / (n - 1)
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
                    canv._curr_tx_info = {"cur_x": cur_x, "cur_y": y, "leading": leading}
                    try:
                        canv.getNamedCB(cb.name)(canv, cb.kind, getattr(cb, "label", None))
                    finally:
                        del canv._curr_tx_info
            if charspace:
                ops.append("0 Tc")
            if link_at is not None:
                dest = next(w.link[0][1] for w in line.words if "cbDefn" not in w.__dict__ and w.link)
                links.append((dest[1:], (link_at[0], y + link_at[1], cur_x, y + link_at[2])))
            y -= leading
        ops.append("ET")
        canv._code.append(" ".join(ops))
        for dest, rect in links:
            canv.linkRect("", dest, rect, relative=1)


# ------------------------------------------------------------------------------------------ styles

_NO_INFO = m.StyleInfo()
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
MIN_TABLE_FONT = 7.0


@dataclass(frozen=True)
class Look:
    """How a contract style looks when the template does not say (公文 conventions)."""
    role: str
    size: float
    align: str = "left"
    indent: float = 0.0  # first-line indent, in characters
    left: float = 0.0  # left indent, in characters
    before: float = 0.0
    after: float = 0.0
    leading: float = 1.5
    keep: float = 0.0  # CondPageBreak height: keep this with what follows


LOOKS: dict[str, Look] = {
    "Title": Look("title", 26, "center", before=200, after=24, leading=1.4),  # a third down the cover
    "Subtitle": Look("title", 22, "center", before=12, after=12, leading=1.4),
    "TOC Heading": Look("title", 22, "center", after=18, leading=1.4),
    "toc 1": Look("heading", 14, "left", before=6, leading=1.6),
    "toc 2": Look("body", 14, "left", left=2, leading=1.6),
    "Heading 1": Look("heading", 18, "center", before=6, after=12, leading=1.5, keep=140),
    "Heading 2": Look("heading", 16, "left", indent=2, before=6, after=3, leading=1.6, keep=110),
    "Heading 3": Look("body", 16, "left", indent=2, before=3, after=3, leading=1.6, keep=90),
    "Table Number": Look("heading", 12, "left", before=6, leading=1.4, keep=160),
    "Table Title": Look("title", 18, "center", before=4, after=6, leading=1.4, keep=140),
    "Table Meta": Look("table", 10.5, "left", leading=1.4),
    "Body Text": Look("body", 16, "justify", indent=2, leading=1.75),
    "Table Text": Look("table", 10.5, "left", leading=1.25),
    "Signature": Look("body", 16, "right", leading=1.75),
}
DEFAULT_LOOK = Look("body", 12, "left", leading=1.5)
OUTLINE_LEVEL = {"Heading 1": 0, "Heading 2": 1, "Table Title": 1, "Heading 3": 2}
TOC_STYLES = ("toc 1", "toc 2")


# Paragraph styles and parser-made prototype fragments are the same for every document with the same
# faces and looks: built once per process (a handful per template set).
_STYLES: dict[tuple, ParagraphStyle] = {}
_PROTOS: dict[tuple, ParaFrag] = {}
_TOC_PROTOS: dict[int, list[ParaFrag]] = {}  # style id → the parser's (link text, onDraw) fragments
_PLAIN: dict[tuple, tuple[str, ParagraphStyle, str | None, float]] = {}  # see Renderer._plain_cell


@dataclass
class Pass:
    """What one build learned: bookmark key → page, and which pages are covers."""
    pages: dict[str, int] = field(default_factory=dict)
    covers: set[int] = field(default_factory=set)


class Renderer:
    def __init__(self, doc: m.Document, fonts: FontSet) -> None:
        self.doc = doc
        self.fonts = fonts
        # bookmark names → internal keys (safe in reportlab markup, deterministic)
        self.keys: dict[str, str] = {}
        for p in doc.paragraphs():
            for b in p.bookmarks:
                self.keys.setdefault(b, f"bk{len(self.keys) + 1}")
        self._styles: dict[tuple, ParagraphStyle] = {}
        # (runs, style name, alignment, size) of a one-paragraph cell → (text, its style, face name when the
        # cell can be drawn as a plain string, else None, and the text's width in that face)
        self._plain: dict[tuple, tuple[str, ParagraphStyle, str | None, float]] = {}

    # ------------------------------------------------------------------------------------------ build

    def render(self) -> bytes:
        with _gc_paused():
            return self._build()[0]

    def _build(self) -> tuple[bytes, Pass]:
        buf = io.BytesIO()
        learned = Pass()
        doc = self.doc
        first = doc.sections[0].page
        tpl = _DocTemplate(
            buf, learned, doc.created,
            pagesize=(first.width, first.height), invariant=1,
            title=doc.title, author=doc.author, subject=doc.subject, keywords=doc.keywords,
            creator="budgetreport", lang="zh-CN",
            initialFontName=self.fonts.body.name,  # else every page names Helvetica (not embedded)
            leftMargin=first.left, rightMargin=first.right, topMargin=first.top, bottomMargin=first.bottom,
        )
        footer_face = self.fonts.body.name
        templates = []
        for i, s in enumerate(doc.sections):
            pg = s.page
            frame = Frame(pg.left, pg.bottom, pg.width - pg.left - pg.right, pg.height - pg.top - pg.bottom,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"f{i}")
            templates.append(PageTemplate(
                id=f"s{i}", frames=[frame], pagesize=(pg.width, pg.height),
                onPageEnd=_footer(pg, footer_face, learned),
            ))
        tpl.addPageTemplates(templates)
        story = self._story(learned)
        tpl._doSave = 0  # the 目录 page-number forms are defined after the last page, then saved
        tpl.build(story)
        _define_toc_forms(tpl.canv, learned)
        tpl.canv.save()
        _take_apart(tpl)
        return buf.getvalue(), learned

    # ------------------------------------------------------------------------------------------ story

    def _story(self, learned: Pass) -> list[Flowable]:
        story: list[Flowable] = []
        pending_break = False
        outline = _Outline()
        for si, section in enumerate(self.doc.sections):
            pg = section.page
            frame_w = pg.width - pg.left - pg.right
            if si > 0:
                story.append(NextPageTemplate(f"s{si}"))
                prev = self.doc.sections[si - 1].page
                if not section.continuous or (prev.width, prev.height) != (pg.width, pg.height):
                    pending_break = True
            last_number = ""
            frame_h = pg.height - pg.top - pg.bottom
            preface: int | None = None  # story index of the CondPageBreak before a table's 表号/标题
            for block in section.blocks:
                if isinstance(block, m.PageBreak):
                    pending_break = True
                    continue
                if isinstance(block, m.Paragraph) and block.page_break_before:
                    pending_break = True
                if pending_break and story_has_content(story):
                    _drop_trailing_spacers(story)
                    story.append(PageBreak())
                pending_break = False
                if isinstance(block, m.Table):
                    table = self._table(block, frame_w)
                    if preface is not None:
                        story[preface] = CondPageBreak(_keep_height(story[preface + 1:], table, frame_w, frame_h))
                    preface = None
                    story.append(table)
                    continue
                look = self._look(block.style)
                if block.style in ("Table Number", "Table Title", "Table Meta"):
                    if preface is None:
                        preface = len(story)
                        story.append(CondPageBreak(look.keep))
                else:
                    preface = None
                    if look.keep:
                        story.append(CondPageBreak(look.keep))
                if block.style == "Table Number":
                    last_number = block.text.strip()
                marks, keys = self._marks(block, last_number, learned, outline)
                if block.style != "Table Number":
                    last_number = "" if block.style != "Table Title" else last_number
                story.append(self._paragraph(block, frame_w, marks, keys))
        return story

    def _marks(self, p: m.Paragraph, number: str, learned: Pass,
               outline: "_Outline") -> tuple[list[Callable], list[str]]:
        """Draw-time callbacks (record pages, outline, cover) and the destination keys to anchor."""
        marks: list[Callable] = []
        keys = [self.keys[b] for b in p.bookmarks]
        level = OUTLINE_LEVEL.get(p.style)
        if level is not None and not keys:
            keys = [outline.new_key()]
        if keys:
            def record(canv, keys=tuple(keys)) -> None:
                page = canv.getPageNumber()
                for k in keys:
                    learned.pages[k] = page
            marks.append(record)
        if level is not None:
            title = " ".join(x for x in (number, p.text.strip()) if x) if p.style == "Table Title" else p.text.strip()
            title = re.sub(r"\s+", " ", title)
            key = keys[0]
            marks.append(lambda canv: outline.add(canv, title, key, level))
        if p.style == "Title":
            marks.append(lambda canv: learned.covers.add(canv.getPageNumber()))
        return marks, keys

    # ------------------------------------------------------------------------------------- paragraphs

    def _look(self, style: str) -> Look:
        return LOOKS.get(style, DEFAULT_LOOK)

    def _pstyle(self, style: str, align: str | None, size: float | None = None, in_table: bool = False) -> ParagraphStyle:
        ps = self._styles.get((style, align, size, in_table, None))  # memo by the arguments
        if ps is not None:
            return ps
        arg_key = (style, align, size, in_table, None)
        info = self.doc.styles.get(style, _NO_INFO)
        look = self._look(style)
        size = size or info.size or look.size
        align = align or info.align or look.align
        face = self.fonts.role(look.role).name
        key = (style, align, size, in_table, face, look)
        ps = _STYLES.get(key)
        if ps is None:
            ps = _STYLES[key] = ParagraphStyle(
                f"{style}-{align}-{size}-{in_table}",
                fontName=face, fontSize=size, leading=size * look.leading,
                alignment=_ALIGN.get(align, TA_LEFT), wordWrap="CJK",
                firstLineIndent=0 if in_table else look.indent * size,
                leftIndent=0 if in_table else look.left * size,
                spaceBefore=0 if in_table else look.before, spaceAfter=0 if in_table else look.after,
                allowWidows=0, allowOrphans=0,
            )
        self._styles[arg_key] = ps
        return ps

    def _markup_segs(self, p: m.Paragraph, face_role: str) -> tuple[str, list[tuple[str | None, str]]]:
        """The paragraph's markup, and the same as (face name, text) pieces: None for text in the
        paragraph's own face (no <font> tag), which _frags turns into the fragments the parser would."""
        face = self.fonts.role(face_role)
        bold_face = self.fonts.heading
        out: list[str] = []
        segs: list[tuple[str | None, str]] = []
        for run in p.runs:
            # CJK faces have no bold: emphasis in body and table text is set in 黑体, as print does
            use = bold_face if run.bold and face_role in ("body", "table") else face
            out.append(_font_markup(run.text, use, self.fonts.fallback, face, segs))
        return "".join(out), segs

    def _para(self, markup: str, segs: list[tuple[str | None, str]], style: ParagraphStyle,
              keys: tuple[str, ...] | list[str] = ()) -> CJKParagraph:
        """CJKParagraph(anchors + markup, style), with the fragments built here when the result is
        known to equal the parser's (see _frags); otherwise reportlab parses the markup."""
        anchors = "".join(f'<a name="{k}"/>' for k in keys)
        text = anchors + markup
        if not _clean(text):
            return CJKParagraph(text, style)
        return CJKParagraph(text, style, frags=self._frags(style, segs, keys))

    def _proto(self, style: ParagraphStyle, kind: str, font: str | None) -> ParaFrag:
        """One fragment exactly as reportlab's parser makes it for this style, face and kind
        (text, line break, anchor): its attributes are copied into every fragment built here."""
        key = (id(style), kind, font)  # styles live in _STYLES for the whole process: ids stay unique
        proto = _PROTOS.get(key)
        if proto is None:
            body = {"text": "x", "br": "x<br/>x", "anchor": '<a name="k"/>x'}[kind]
            if font is not None:
                body = f'<font name="{font}">{body}</font>'
            frags = Paragraph(body, style).frags
            proto = _PROTOS[key] = frags[1] if kind == "br" else frags[0]
        return proto

    def _frags(self, style: ParagraphStyle, segs: list[tuple[str | None, str]],
               keys: tuple[str, ...] | list[str]) -> list[ParaFrag]:
        """The fragments reportlab's parser makes of the markup of these pieces (already clean of
        whitespace it would collapse): one per anchor; text in the style's face merges across pieces,
        text in a <font> tag does not; a line break is a fragment of its own; '&', '<', '>' (parsed
        from entities) are each a fragment of their own."""
        out: list[ParaFrag] = []
        for k in keys:
            f = self._proto(style, "anchor", None).clone(link=[], us_lines=[])
            f.cbDefn = ABag(kind="anchor", label="anchor", name=k)
            out.append(f)
        pending: list[str] = []

        def emit(text: str, font: str | None) -> None:
            for i, part in enumerate(text.split("\n")):
                if i:
                    out.append(self._proto(style, "br", font).clone(link=[], us_lines=[]))
                if part:
                    proto = self._proto(style, "text", font)
                    for piece in _ENTITY_SPLIT(part) if _ENTITY_CHARS.search(part) else (part,):
                        if piece:
                            out.append(proto.clone(text=piece, link=[], us_lines=[]))

        for font, text in segs:
            if font is None:
                pending.append(text)
                continue
            if pending:
                emit("".join(pending), None)
                pending.clear()
            emit(text, font)
        if pending:
            emit("".join(pending), None)
        return out

    def _paragraph(self, p: m.Paragraph, frame_w: float, marks: list[Callable], keys: list[str]) -> Flowable:
        look = self._look(p.style)
        style = self._pstyle(p.style, p.align)
        text, segs = self._markup_segs(p, look.role)
        if not text.strip() and not keys:
            return Spacer(1, style.leading)
        if p.style in TOC_STYLES and p.anchor:
            return self._toc_entry(p, text, segs, style, frame_w)
        para = self._para(text, segs, style, keys)
        para.on_draw = tuple(marks)
        return para

    def _toc_entry(self, p: m.Paragraph, text: str, segs: list[tuple[str | None, str]], style: ParagraphStyle,
                   frame_w: float) -> Flowable:
        text = text.rstrip()  # the tab before Word's PAGEREF field: we draw our own leader and number
        key = self.keys.get(p.anchor or "")
        toc_key = ("toc", id(style))
        toc_style = _STYLES.get(toc_key)
        if toc_style is None:
            num_w = stringWidth("000", style.fontName, style.fontSize)
            toc_style = _STYLES[toc_key] = ParagraphStyle(
                f"{style.name}-toc", parent=style, rightIndent=num_w + style.fontSize)
        style = toc_style
        if key is None:  # the anchor names no bookmark: an entry without a page number
            return CJKParagraph(text, style)
        label = f"{key}|{frame_w:.2f}|{style.fontName}|{style.fontSize:g}"
        body = f'<a href="#{key}">{text}</a><onDraw name="brTocEnd" label="{label}"/>'
        raw = "".join(t for _, t in segs).rstrip()
        if all(f is None for f, _ in segs) and raw == text and _clean(text):
            para = CJKParagraph(body, style, frags=self._toc_frags(style, text, key, label))
        else:  # several faces, entities or whitespace the parser collapses: let it parse
            para = CJKParagraph(body, style)
        para.on_draw = (_draw_toc_pending,)  # leaders and number after the text, in reading order
        return para

    def _toc_frags(self, style: ParagraphStyle, text: str, key: str, label: str) -> list[ParaFrag]:
        """The parser's fragments of `<a href="#key">text</a><onDraw name="brTocEnd" label="label"/>`
        for text in the style's face with nothing to unescape or collapse."""
        protos = _TOC_PROTOS.get(id(style))
        if protos is None:
            protos = _TOC_PROTOS[id(style)] = Paragraph(
                '<a href="#k">x</a><onDraw name="brTocEnd" label="l"/>', style).frags
        link, ondraw = protos
        return [link.clone(text=text, link=[(link.link[0][0], f"#{key}")], us_lines=[]),
                ondraw.clone(cbDefn=ABag(kind="onDraw", label=label, name="brTocEnd"), link=[], us_lines=[])]

    # ------------------------------------------------------------------------------------------ tables

    def _table(self, t: m.Table, frame_w: float) -> Flowable:
        base = self._pstyle("Table Text", None).fontSize
        widths, size = fit_columns(t, frame_w, base, self.fonts.table.name)
        pad = 1.5 if size < 9 else 3.0
        ncols = len(widths)
        nrows = len(t.rows)
        data: list[list] = [["" for _ in range(ncols)] for _ in t.rows]
        # Cell styles are built directly, one shared CellStyle per distinct look, instead of a FONT / ALIGN /
        # VALIGN / padding command per cell: the values are exactly those the equivalent TableStyle commands
        # would set (a FONT command without leading sets leading = 1.2 × size), and reportlab only ever reads
        # cell styles after setStyle.
        looks: dict[tuple, CellStyle] = {}

        def look(font: str, fsize: float, leading: float, align: str, valign: str) -> CellStyle:
            key = (font, fsize, leading, align, valign)
            cs = looks.get(key)
            if cs is None:
                cs = looks[key] = CellStyle(f"cell{len(looks)}")
                cs.fontname, cs.fontsize, cs.leading = font, fsize, leading
                cs.alignment, cs.valign = align, valign
                cs.leftPadding = cs.rightPadding = pad
                cs.topPadding, cs.bottomPadding = 1.5, 2.5
            return cs

        base = look(self.fonts.table.name, size, size * 1.2, "LEFT", "MIDDLE")  # empty cells, else Helvetica
        styles: list[list[CellStyle]] = [[base] * ncols for _ in range(nrows)]
        cmds: list[tuple] = [("GRID", (0, 0), (-1, -1), 0.5, "black")]
        restart: dict[int, tuple[int, int]] = {}  # grid column → (row, span) of the open vertical merge
        spans: dict[tuple[int, int], list[int]] = {}  # (row, col) → [end row, end col]
        cell_looks: dict[tuple, CellStyle] = {}  # (id of the cell's style, font, bottom?) → its look
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
                value = self._cell(cell, size, avail_1[c] if end_c == c else sum(widths[c:end_c + 1]) - 2 * pad)
                bottom = cell.valign == "bottom"
                if type(value) is tuple:  # one line of plain text: drawn as a string
                    value, style, font = value
                    key = (id(style), font, bottom)  # styles live in _STYLES: ids stay unique
                    cs = cell_looks.get(key)
                    if cs is None:
                        cs = cell_looks[key] = look(font, style.fontSize, style.leading,
                                                    _CELL_ALIGN.get(style.alignment, "LEFT"),
                                                    "BOTTOM" if bottom else "MIDDLE")
                    styles_r[c] = cs
                elif bottom:
                    styles_r[c] = look(base.fontname, base.fontsize, base.leading, "LEFT", "BOTTOM")
                data_r[c] = value
        for (r, c), (r1, c1) in spans.items():
            if r1 > r or c1 > c:
                cmds.append(("SPAN", (c, r), (c1, r1)))
        header = t.header_rows if t.header_rows < len(t.rows) else 0
        table = _Table(data, colWidths=widths, rowHeights=_text_row_heights(data, styles, spans), repeatRows=header,
                       hAlign="CENTER", splitByRow=1, cellStyles=styles)
        table.setStyle(TableStyle(cmds))
        return table

    def _cell(self, cell: m.Cell, size: float, avail: float) -> list[Flowable] | str | tuple[str, ParagraphStyle, str]:
        """The cell's paragraphs; a cell of one short paragraph in one face (most numbers, codes, names,
        headers) is (text, style, font name) instead, drawn by the table as a string at exactly the place its
        one-line Paragraph would take, without the cost of a Paragraph."""
        if len(cell.paragraphs) == 1:
            p = cell.paragraphs[0]
            # table texts ("0.00", "合计") repeat: decided once; a single run by its text and weight (a run's
            # own hash is computed in Python each time, a string's is cached)
            runs = p.runs
            key = ((runs[0].text, runs[0].bold) if len(runs) == 1 else runs, p.style, p.align, size)
            plain = self._plain.get(key)
            if plain is None:
                plain = self._plain[key] = self._plain_cell(p, key, size)
            text, style, font, width = plain
            if font is not None and width <= avail + _FUZZ:  # one line: else it wraps, a Paragraph
                return text, style, font
            if not text:
                return ""
        out: list[Flowable] = []
        for p in cell.paragraphs:
            if "\n" not in (text := p.text) and not text.strip():
                continue  # only spaces: nothing to draw (a newline would be a <br/>)
            # every paragraph in a cell follows the table's size; alignment is the paragraph's own
            align = p.align or self.doc.styles.get(p.style, _NO_INFO).align
            style = self._pstyle("Table Text", align, size, in_table=True)
            text, segs = self._markup_segs(p, "table")
            if text.strip():
                out.append(self._para(text, segs, style))
        return out or ""

    def _plain_cell(self, p: m.Paragraph, key: tuple, size: float) -> tuple[str, ParagraphStyle, str | None, float]:
        """A one-paragraph cell's entry of self._plain, shared by every document with the same paragraph
        style (a process-wide _STYLES object: its id stays unique) and faces."""
        align = p.align or self.doc.styles.get(p.style, _NO_INFO).align
        style = self._pstyle("Table Text", align, size, in_table=True)
        shared_key = (key, id(style), self.fonts.table.name, self.fonts.heading.name)
        plain = _PLAIN.get(shared_key)
        if plain is None:
            text = _text(p)
            face, width = self._plain_face(p, text, style) if text else (None, 0.0)
            plain = (text, style, face.name if face is not None else None, width)
            if len(_PLAIN) > 5_000:  # bounded in a long batch (the sample makes 322 entries)
                _PLAIN.clear()
            _PLAIN[shared_key] = plain
        return plain

    def _plain_face(self, p: m.Paragraph, text: str, style: ParagraphStyle):  # type: ignore[no-untyped-def]
        """(face, width) when the Paragraph would be one line of this text in one face (the table face, or
        黑体 when every run is bold; see _markup) if it fits: no glyph from the fallback face, no whitespace
        the paragraph parser would collapse; the width is the same sum cjk_frag_split makes. (None, 0.0)
        otherwise."""
        bold = {r.bold for r in p.runs}
        if len(bold) != 1 or text[0] == " " or text[-1] == " " or "  " in text:
            return None, 0.0
        if style.fontName != self.fonts.table.name:
            return None, 0.0
        face = self.fonts.heading if True in bold else self.fonts.table
        if not face.covers(text):
            return None, 0.0
        for ch in text:
            if ch.isspace() and ch != " ":
                return None, 0.0
        width = _text_width(text, face.name, style.fontSize)
        return face, width


class _Table(Table):
    """A Table that remembers its last complete layout. A table is wrapped once to decide whether it is kept
    with its title (_keep_height) and again by the frame; when the first wrap laid out every row and the
    frame offers at least that height at the same width, reportlab's calculation would run exactly as
    before (its long-table shortcut only stops early once the rows exceed the available height)."""

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
        return super().split(availWidth, availHeight)

    def normalizeData(self, data):  # type: ignore[no-untyped-def] # noqa: N802
        return data  # Renderer._table gives fresh lists of str and flowables: nothing to normalise

    def _calcSpanRanges(self) -> None:  # noqa: N802
        """reportlab asks `cell in spanned cells` for every cell when it sizes rows: a list scan each."""
        super()._calcSpanRanges()
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
        self._makeShadow()
        self._makeRoundedCornersClip()
        self._drawBkgrnd()
        code = canv._code
        rects = self._spanRects if self._spanCmds else None
        rowpositions, colpositions = self._rowpositions, self._colpositions
        col_widths, row_heights = self._colWidths, self._rowHeights
        looks: dict[int, tuple | None] = {}  # id of a cell style → _text_look
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
                    look = looks.get(id(cellstyle), _UNSEEN)
                    if look is _UNSEEN:
                        look = looks[id(cellstyle)] = _text_look(cellstyle)
                    if look is not None:
                        if cellval:
                            if self._curcellstyle is None:  # the first cell sets the colour, as reportlab's would
                                canv.setFillColor(cellstyle.color)
                                self._curcellstyle = cellstyle
                            font, fsize, just, left, right, bottom, top, leading, at_bottom = look
                            # the places reportlab's drawString / drawCentredString / drawRightString give
                            if just == "LEFT":
                                tx = x + left
                            elif just == "RIGHT":
                                tx = x + w - right - string_width(cellval, font, fsize)
                            else:
                                tx = x + (w + left - right) * 0.5 - 0.5 * string_width(cellval, font, fsize)
                            ty = y + bottom + leading - fsize if at_bottom else y + (bottom + h - top + leading) / 2.0 - fsize
                            code.append(f"BT 1 0 0 1 {pos(tx, ty)} Tm {show(canv, font, fsize, cellval)} ET")
                        continue
                self._drawCell(cellval, cellstyle, (x, y), (w, h))
        self._drawLines()
        canv.restoreState()
        if self._roundingRectDef:
            self._restoreRoundingObscuredLines()
        return None


_UNSEEN = object()


def _text_look(cs: CellStyle) -> tuple | None:
    """What drawing a text cell of this style needs (a one-line string in an embedded face, see Renderer._cell,
    written as fastdraw operators); None when the face is not embedded (reportlab draws the cell)."""
    if not embedded(cs.fontname):
        return None
    return (cs.fontname, cs.fontsize, cs.alignment, cs.leftPadding, cs.rightPadding, cs.bottomPadding,
            cs.topPadding, cs.leading, cs.valign == "BOTTOM")


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
    t = (s.leading or 1.2 * s.fontsize) * len(v.split("\n"))
    t += s.bottomPadding + s.topPadding
    return t


class _CellList(list):
    """A list of cells (kept in order: reportlab also iterates it) with set-speed membership."""

    def __init__(self, cells: list[tuple[int, int]]) -> None:
        super().__init__(cells)
        self._members = frozenset(cells)

    def __contains__(self, cell: object) -> bool:
        return cell in self._members


_CELL_ALIGN = {TA_CENTER: "CENTER", TA_RIGHT: "RIGHT", TA_JUSTIFY: "LEFT"}  # a single line is not justified


def _keep_height(preface: list[Flowable], table: Table, frame_w: float, frame_h: float) -> float:
    """Room a table needs on the current page: all of it (with its 表号/标题) when it fits on one page,
    else the preface, the header rows and three body rows; a table is then never split when it need not be,
    and never leaves its title alone at the foot of a page."""
    head = 0.0
    for f in preface:
        head += f.wrap(frame_w, frame_h)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    _, h = table.wrap(frame_w, frame_h)
    if head + h <= frame_h:
        return head + h
    rows = table._rowHeights[: table.repeatRows + 3]
    return head + sum(rows)


def _drop_trailing_spacers(story: list[Flowable]) -> None:
    """Empty paragraphs just before a page break show nothing and may spill onto a blank page."""
    i = len(story) - 1
    while i >= 0 and isinstance(story[i], (NextPageTemplate, Spacer)):
        if isinstance(story[i], Spacer):
            del story[i]
        i -= 1


def story_has_content(story: list[Flowable]) -> bool:
    return any(not isinstance(f, (NextPageTemplate, CondPageBreak)) for f in story)


# ------------------------------------------------------------------------------------------- columns

_TOKEN = re.compile(r"[0-9A-Za-z.,%‰+\-/_@#&']+|\S")


_TOKENS: dict[str, tuple[str, ...]] = {}


def _text(p: m.Paragraph) -> str:
    """p.text, without the join for the usual paragraph of one run."""
    runs = p.runs
    return runs[0].text if len(runs) == 1 else p.text


def _tokens(text: str) -> tuple[str, ...]:
    """The unbreakable tokens of a cell text, memoised (cell texts repeat within and across reports)."""
    toks = _TOKENS.get(text)
    if toks is None:
        if len(_TOKENS) > 100_000:  # bounded in a long batch
            _TOKENS.clear()
        toks = _TOKENS[text] = tuple(_TOKEN.findall(text))
    return toks


_FITS: dict[tuple, tuple[m.Table, tuple[float, ...], float]] = {}  # see fit_columns


def fit_columns(t: m.Table, frame_w: float, base: float, face: str) -> tuple[list[float], float]:
    """Column widths (scaled into the frame when wider) and the table's font size (≥ 7 pt).

    A column is never narrower than its longest unbreakable token (a number, a code), so numbers are not
    split across lines; the room comes from columns with slack.
    """
    key = (id(t), frame_w, base, face)  # tables repeat across reports (the model shares equal ones)
    fit = _FITS.get(key)
    if fit is not None and fit[0] is t:  # the entry keeps its table alive: the id is still that table's
        return list(fit[1]), fit[2]
    widths, size = _fit_columns(t, frame_w, base, face)
    if len(_FITS) > 1_000:  # bounded in a long batch
        _FITS.clear()
    _FITS[key] = (t, tuple(widths), size)
    return widths, size


def _fit_columns(t: m.Table, frame_w: float, base: float, face: str) -> tuple[list[float], float]:
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
    for col, col_texts in zip(tokens, texts):
        for text in col_texts:
            col.update(_tokens(text))
    while True:
        pad = 2 * (1.5 if size < 9 else 3.0) + 1.0
        # max(w + pad) == max(w) + pad exactly: float addition is monotonic
        need = [max(string_width(tok, face, size) for tok in toks) + pad if toks else 0.0 for toks in tokens]
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


# ------------------------------------------------------------------------------------------- helpers


def _font_markup(text: str, face, fallback, base, segs: list | None = None) -> str:  # type: ignore[no-untyped-def]
    """Escape text; switch face for runs of glyphs the face lacks; newlines become <br/>. With segs,
    also append (face name, or None for base, unescaped text) for each piece."""
    out: list[str] = []
    cur = None
    buf: list[str] = []

    def flush() -> None:
        if buf:
            raw = "".join(buf)
            s = escape(raw, quote=False).replace("\n", "<br/>")     # &, <, > as saxutils does
            same = cur.name == base.name
            out.append(s if same else f'<font name="{cur.name}">{s}</font>')
            if segs is not None:
                segs.append((None if same else cur.name, raw))
            buf.clear()

    if text and face.covers(text):  # the usual case: one run in the paragraph's face
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


class _Outline:
    """PDF outline entries; a level never jumps more than one below the previous (reportlab requires it)."""

    def __init__(self) -> None:
        self.level = -1
        self.n = 0

    def new_key(self) -> str:
        self.n += 1
        return f"ol{self.n}"

    def add(self, canv, title: str, key: str, level: int) -> None:  # type: ignore[no-untyped-def]
        level = min(level, self.level + 1)
        self.level = level
        canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def _footer(pg: m.PageSetup, face: str, learned: Pass) -> Callable:
    def draw(canv, doc) -> None:  # type: ignore[no-untyped-def]
        n = canv.getPageNumber()
        if n in learned.covers:
            return
        text = f"— {n} —"
        if not embedded(face):
            canv.saveState()
            canv.setFont(face, 12)
            canv.drawCentredString(pg.width / 2, max(pg.footer, 18.0), text)
            canv.restoreState()
            return
        # what the four calls above write, directly (they change no state they do not restore)
        canv._code.append("q")
        draw_string(canv, pg.width / 2 - 0.5 * string_width(text, face, 12), max(pg.footer, 18.0), face, 12, text)
        canv._code.append("Q")
    return draw


def _note_toc_end(canv, kind: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """onDraw callback at the end of a 目录 entry: note where the text ended. The leaders and the
    number are drawn once the entry's text is out (_draw_toc_pending), so text extraction reads
    "entry …… 12", not "…… 12 entry"."""
    info = canv._curr_tx_info  # paragraph-local coordinates: the right edge is the frame width
    canv._br_toc_pending = (info["cur_x"], info["cur_y"], label)


def _draw_toc_pending(canv) -> None:  # type: ignore[no-untyped-def]
    pending = getattr(canv, "_br_toc_pending", None)
    if pending is None:
        return
    canv._br_toc_pending = None
    x, y, label = pending
    key, width_s, font, size_s = label.split("|")
    width, size = float(width_s), float(size_s)
    num_w = stringWidth("00", font, size)  # the leaders stop at the same place for 1- and 2-digit pages
    step = size * 0.5
    first = (int((x + size * 0.3) / step) + 1) * step  # dots sit on a grid, so columns line up
    last = width - num_w - size * 0.3
    canv.saveState()
    dot_w = stringWidth(".", font, size)
    n = int((last - first - dot_w) / step) + 1 if last - first > dot_w else 0
    if n > 0 and embedded(font):  # the operators of the text object below, directly
        canv._code.append(f"BT 1 0 0 1 {fp_str(first, y)} Tm {fp_str(step - dot_w)} Tc "
                          f"{show(canv, font, size, '.' * n, size * 1.2)} 0 Tc ET")
    elif n > 0:
        t = canv.beginText(first, y)
        t.setFont(font, size)
        t.setCharSpace(step - dot_w)
        t.textOut("." * n)
        t.setCharSpace(0)  # Tc is graphics state: it would space out the page number too
        canv.drawText(t)
    # the page number is not known yet: draw a form (XObject) defined after the last page (_define_toc_forms)
    forms = canv.__dict__.setdefault("_br_toc_forms", {})
    name = forms.setdefault((key, font, size), f"brToc{len(forms) + 1}")
    canv.translate(width, y)
    canv.doForm(name)
    canv.restoreState()


def _define_toc_forms(canv, learned: Pass) -> None:  # type: ignore[no-untyped-def]
    """Each 目录 page number as a form: the text right-aligned at the form's origin. The number sits in
    the column the entry reserved, so its width never changed the layout and one build is exact."""
    for (key, font, size), name in getattr(canv, "_br_toc_forms", {}).items():
        page = learned.pages.get(key)
        canv.beginForm(name, lowerx=-4 * size, lowery=-size, upperx=size, uppery=2 * size)
        if page is not None and embedded(font):  # what setFont + drawRightString(0, 0, …) write
            draw_string(canv, 0 - string_width(str(page), font, size), 0, font, size, str(page))
        elif page is not None:
            canv.setFont(font, size)
            canv.drawRightString(0, 0, str(page))
        canv.endForm()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while one PDF is built: the build allocates some 10⁵ objects that live
    until it ends, and the collector would walk them a dozen times (≈ 7 % of the build); cycles the build
    leaves behind are collected afterwards as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _take_apart(tpl: BaseDocTemplate) -> None:
    """The objects of a finished build hang together in reference cycles (document template ↔ canvas ↔ PDF
    document and its objects); emptied here, reference counting frees some 4,000 of them at once instead of
    the cycle collector walking them all after the build (≈ 3 ms a report)."""
    canv = tpl.canv
    for part in (canv._doc, canv, tpl):
        part.__dict__.clear()


class _DocTemplate(BaseDocTemplate):
    def __init__(self, buf, learned: Pass, created: datetime | None, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(buf, **kw)
        self._created = created

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab hook
        self.canv.setNamedCB("brTocEnd", _note_toc_end)
        self.canv.showOutline()
        if self._created is not None:  # CreationDate = the workbook's 编制日期 (reruns are identical)
            self.canv._doc._timeStamp = _stamp(self._created)


def _stamp(dt: datetime) -> TimeStamp:
    ts = TimeStamp(invariant=1)
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    ts.t = dt.replace(tzinfo=timezone.utc).timestamp()
    ts.lt = dt.timetuple()
    ts.YMDhms = tuple(ts.lt)[:6]
    ts.dhh = ts.dmm = 0
    return ts
