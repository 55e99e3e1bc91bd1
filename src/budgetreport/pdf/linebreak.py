"""Chinese line breaking for reportlab paragraphs: 禁则 (no closing punctuation at a line start, no opening
bracket at a line end), Latin words and numbers kept whole, layouts memoised by their texts and widths.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import cast

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus.paragraph import FragLine, ParaLines
from reportlab.platypus.paraparser import ParaFrag

from .caches import CACHES


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
    k = _word_start(U, start, end)
    # move the break back while the next line would start with a forbidden character
    # or this line would end with an opening bracket (at most 3 steps: never an endless squeeze)
    for _ in range(3):
        if k >= len(U) or k - 1 <= start:
            break
        if U[k] in CANNOT_START or U[k - 1] in CANNOT_END:
            k = _word_start(U, start, k - 1)   # "0.00％": the number goes with its sign
        else:
            break
    return k if k > start else end


def _word_start(U: list[str], start: int, k: int) -> int:
    """k, or the start of the Latin word / number that straddles a break at k (when it does not begin the line)."""
    if k < len(U) and _is_word(U[k]) and _is_word(U[k - 1]):
        j = k - 1
        while j > start and _is_word(U[j - 1]):
            j -= 1
        if j > start:
            return j
    return k


def _text_width(text: str, font: str, size: float) -> float:
    """Sum of the character widths, in order: the same float cjk_frag_split accumulates for a line."""
    width = 0.0
    for w in _char_widths(text, font, size):
        width += w
    return width


def _char_widths(text: str, font: str, size: float) -> list[float]:
    """The width of each character (stringWidth of the character, memoised), looked up in C when known."""
    table = CACHES.char_widths.get((font, size))  # (face, size) → character → width
    if table is None:
        table = CACHES.char_widths.put((font, size), {})
    found = list(map(table.get, text))
    if None in found:
        for i, w in enumerate(found):
            if w is None:
                found[i] = table[text[i]] = stringWidth(text[i], font, size)
    return cast("list[float]", found)


# A line as cjk_frag_split lays it out: its words as (frag index, text), font size, ascent, descent, max width,
# used width and whether a <br/> ends it. Lines depend only on the frags' texts, faces, sizes, callback widths
# and <br/>s and on the widths: the same template wording breaks the same way in every report.
LineSpec = tuple[tuple[tuple[int, str], ...], float, float, float, float, float, bool]


def _line_spec(chars: list[str], runs: list[tuple[int, int, ParaFrag]], starts: list[int], widths: list[float],
               start: int, end: int, max_width: float, forced: bool) -> LineSpec:
    """A reportlab CJK line (kind 1): the characters of each frag (run) in the line become one word."""
    words = []
    size = ascent = descent = 0.0
    r = bisect_right(starts, start) - 1  # the run holding the line's first character
    while r < len(runs) and runs[r][0] < end:
        r0, r1, f = runs[r]
        words.append((r, "".join(chars[max(r0, start):min(r1, end)])))
        a, d = getAscentDescent(f.fontName, f.fontSize)
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
    layout = CACHES.layouts.get(key)
    if layout is None:
        layout = CACHES.layouts.put(key, _layout(frags, max_widths))
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
        end = k
        while not forced and end - 1 > start and chars[end - 1] == " ":
            end -= 1   # spaces ending a line take no room (Word, LibreOffice): it is justified without them
        lines.append(_line_spec(chars, runs, starts, widths, start, end, max_width, forced))
        start = k
        # a space at the start of a continuation line is dropped, as Word does
        while start < n and chars[start] == " " and not forced:
            start += 1
    return tuple(lines)
