"""Pages: page templates and footers, what must stay together on a page, the 目录's leaders and page numbers,
the outline, and the document template of one build.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterator

from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, NextPageTemplate, Spacer

from .furniture import Pass
from .fastdraw import BuildCanvas, draw_text, fallback_runs, show, string_width

if TYPE_CHECKING:  # tables imports styles, which imports this module
    from .tables import _Table


def _keep_height(preface: list[Flowable], table: _Table, frame_w: float, frame_h: float) -> float:
    """Room a table needs on the current page, as Word and LibreOffice keep a paragraph set to keep with the
    next with a table's first row: its 表号/标题, the header rows and the first body row (with the rows a merged
    cell's content needs, see _Table.split_impossible), at most the frame's height; the rest of the table may go on the next page."""
    head = 0.0
    for f in preface:
        head += f.wrap(frame_w, frame_h)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    table.wrap(frame_w, frame_h)
    # the header rows and the first body row, and the rows below it a merged cell's content needs
    joined = table.split_impossible()
    upto = table.repeatRows + 1
    while upto in joined and upto < len(table._rowHeights):
        upto += 1
    # a row reportlab did not size (None) lies below where its long-table shortcut stopped, past the frame's height
    rows = [h for h in table._rowHeights[:upto] if h is not None]
    # never more than a page: a CondPageBreak asking for more than the frame breaks even at the top of a fresh
    # page, which leaves that page blank (a long title with tall header rows)
    return min(head + sum(rows), frame_h)


def fit_to_frame(table: _Table, frame_w: float, frame_h: float) -> None:
    """A table whose rows cannot go over the page as they are (reportlab would stop with a LayoutError): header
    rows that leave no room for a row below them are not repeated, and a row taller than the page is split
    inside. Heights known after one wrap at the frame's size (rows past it are sized when the table splits)."""
    table.wrap(frame_w, frame_h)
    heights = [h for h in table._rowHeights if h is not None]
    body = heights[table.repeatRows:]
    if table.repeatRows and body and sum(heights[:table.repeatRows]) + max(body) > frame_h:
        table.repeatRows = 0
    if heights and max(heights) > frame_h:
        table.splitInRow = 1


class KeepBreak(CondPageBreak):
    """A CondPageBreak between paragraphs that leaves their spacing as it was: the frame still overlaps the
    next one's space before with the last one's space after (the larger counts, as in Word and LibreOffice)."""
    _SPACETRANSFER = True   # reportlab's Frame: pass the space after on across this flowable


def _keep_lines(flows: list[Flowable], frame_w: float, frame_h: float) -> float:
    """Room paragraphs kept with the next one need on the current page, as Word and LibreOffice keep them: all
    of them with the first lines of the last one (two, or all of it when it has three or fewer: two lines at
    least stay together at the foot of a page and at the head of the next), at most the frame's height."""
    need = 0.0
    for f in flows[:-1]:
        need += f.wrap(frame_w, frame_h)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    last = flows[-1]
    height = last.wrap(frame_w, frame_h)[1]
    lines = getattr(getattr(last, "blPara", None), "lines", None)
    if lines and len(lines) > 3:
        height = 2 * last.style.leading   # type: ignore[attr-defined]  # a Paragraph's
    return min(need + last.getSpaceBefore() + height, frame_h)


def _drop_trailing_spacers(story: list[Flowable]) -> None:
    """Empty paragraphs just before a page break show nothing and may spill onto a blank page."""
    i = len(story) - 1
    while i >= 0 and isinstance(story[i], (NextPageTemplate, Spacer)):
        if isinstance(story[i], Spacer):
            del story[i]
        i -= 1


def story_has_content(story: list[Flowable]) -> bool:
    return any(not isinstance(f, (NextPageTemplate, CondPageBreak)) for f in story)


class _Outline:
    """PDF outline entries; a level never jumps more than one below the previous (reportlab requires it)."""

    def __init__(self) -> None:
        self.level = -1
        self.n = 0

    def new_key(self) -> str:
        self.n += 1
        return f"ol{self.n}"

    def add(self, canv, title: str, key: str, level: int) -> None:
        level = min(level, self.level + 1)
        self.level = level
        canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def _note_toc_end(canv, kind: str | None, label: str) -> None:
    """onDraw callback at the end of a 目录 entry: note where the text ended. The leaders and the
    number are drawn once the entry's text is out (_draw_toc_pending), so text extraction reads
    "entry …… 12", not "…… 12 entry"."""
    info = canv._curr_tx_info  # paragraph-local coordinates: the right edge is the frame width
    canv.build_state.toc_pending = (info["cur_x"], info["cur_y"], label)


def _draw_toc_pending(canv) -> None:
    pending = canv.build_state.toc_pending
    if pending is None:
        return
    canv.build_state.toc_pending = None
    x, y, label = pending
    key, width_s, font, size_s = label.split("|")
    width, size = float(width_s), float(size_s)
    digit_font = fallback_runs(canv, font, "0")[0][0]
    num_w = stringWidth("00", digit_font, size)  # the leaders stop at the same place for 1- and 2-digit pages
    step = size * 0.5
    first = (int((x + size * 0.3) / step) + 1) * step  # dots sit on a grid, so columns line up
    last = width - num_w - size * 0.3
    canv.saveState()
    dot_font = fallback_runs(canv, font, ".")[0][0]  # the entry's face, or the fallback when it has no "."
    dot_w = stringWidth(".", dot_font, size)
    n = int((last - first - dot_w) / step) + 1 if last - first > dot_w else 0
    if n > 0:  # a text object with character spacing (Tc: reset after, it is graphics state), directly
        canv._code.append(f"BT 1 0 0 1 {fp_str(first, y)} Tm {fp_str(step - dot_w)} Tc "
                          f"{show(canv, dot_font, size, '.' * n, size * 1.2)} 0 Tc ET")
    # the page number is not known yet: draw a form (XObject) defined after the last page (_define_toc_forms)
    forms = canv.build_state.toc_forms
    name = forms.setdefault((key, font, size), f"brToc{len(forms) + 1}")
    canv.translate(width, y)
    canv.doForm(name)
    canv.restoreState()


def _define_toc_forms(canv, learned: Pass) -> None:
    """Each 目录 page number as a form: the text right-aligned at the form's origin. The number sits in
    the column the entry reserved, so its width never changed the layout and one build is exact."""
    for (key, font, size), name in canv.build_state.toc_forms.items():
        page = learned.pages.get(key)
        canv.beginForm(name, lowerx=-4 * size, lowery=-size, upperx=size, uppery=2 * size)
        if page is not None:  # right-aligned at the origin, as setFont + drawRightString(0, 0, …) place it
            text = str(page)
            width = sum(string_width(run, f, size) for f, run in fallback_runs(canv, font, text))
            draw_text(canv, 0 - width, 0, font, size, text)
        canv.endForm()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while one PDF is built: the build allocates some 10⁵ objects that live
    until it ends, and the collector would walk them a dozen times; cycles the build
    leaves behind are collected afterwards as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _take_apart(tpl: _DocTemplate) -> None:
    """The objects of a finished build hang together in reference cycles (document template ↔ canvas ↔ PDF
    document and its objects); emptied here, reference counting frees some 4,000 of them at once instead of
    the cycle collector walking them all after the build."""
    canv = tpl.canv
    for part in (canv._doc, canv, tpl):
        part.__dict__.clear()


class _DocTemplate(BaseDocTemplate):
    _doSave: int  # reportlab's: 0 = build() leaves the canvas unsaved (not in its stubs)
    canv: BuildCanvas  # render._build passes canvasmaker=BuildCanvas

    def __init__(self, buf, created: datetime | None, fallback: str, **kw) -> None:
        super().__init__(buf, **kw)
        self._created = created
        self._fallback = fallback

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab hook
        self.canv.build_state.fallback = self._fallback
        self.canv.setNamedCB("brTocEnd", _note_toc_end)
        self.canv.showOutline()
        if self._created is not None:  # CreationDate = the workbook's 编制日期 (reruns are identical)
            self.canv._doc._timeStamp = _stamp(self._created)  # type: ignore[attr-defined]  # not in reportlab's stubs


def _stamp(dt: datetime) -> TimeStamp:
    ts = TimeStamp(invariant=1)
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    ts.t = dt.replace(tzinfo=timezone.utc).timestamp()
    ts.lt = dt.timetuple()
    ts.YMDhms = tuple(ts.lt)[:6]
    ts.dhh = ts.dmm = 0
    return ts
