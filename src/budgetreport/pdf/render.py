"""Document model → reportlab flowables → PDF bytes.

One build: a 目录 entry draws its page number as a form XObject that is defined after the last page, once
the page of every bookmark is known (reportlab resolves forward references to forms at save time). TOC
entries reserve the page-number column, so the numbers never change the layout. The modules: docs/design.md.
"""
from __future__ import annotations

import io
import re
from typing import Callable

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from . import docmodel as m
from .fastdraw import BuildCanvas
from .fonts import FontSet
from .furniture import Pass, needs_counts, page_furniture
from .pages import (
    KeepBreak, _keep_lines, _define_toc_forms, _DocTemplate, _drop_trailing_spacers, _gc_paused, _keep_height, _Outline,
    _take_apart, fit_to_frame, story_has_content,
)
from .styles import OUTLINE_LEVEL
from .tables import TableBuilder


class Renderer(TableBuilder):
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
        self._plain: dict[tuple, tuple[str, ParagraphStyle, str | None, float, bool]] = {}

    # ------------------------------------------------------------------------------------------ build

    def render(self) -> bytes:
        with _gc_paused():
            pdf, learned = self._build(None)
            if needs_counts(self.doc):   # NUMPAGES / SECTIONPAGES: the same layout again, with the counts
                pdf, _ = self._build(learned)
            return pdf

    def _build(self, known: Pass | None) -> tuple[bytes, Pass]:
        buf = io.BytesIO()
        learned = Pass()
        doc = self.doc
        first = doc.sections[0].page
        tpl = _DocTemplate(
            buf, doc.created, self.fonts.fallback.name,
            pagesize=(first.width, first.height), invariant=1,
            title=doc.title, author=doc.author, subject=doc.subject, keywords=doc.keywords,
            creator="budgetreport", lang="zh-CN",
            initialFontName=self.fonts.body.name,  # else every page names Helvetica (not embedded)
            leftMargin=first.left, rightMargin=first.right, topMargin=first.top, bottomMargin=first.bottom,
        )
        furniture = page_furniture(doc, self.fonts, learned, known)
        templates = []
        for i, s in enumerate(doc.sections):
            pg = s.page
            frame = Frame(pg.left, pg.bottom, pg.width - pg.left - pg.right, pg.height - pg.top - pg.bottom,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"f{i}")
            templates.append(PageTemplate(
                id=f"s{i}", frames=[frame], pagesize=(pg.width, pg.height),
                onPageEnd=furniture(i),
            ))
        tpl.addPageTemplates(templates)
        story = self._story(learned)
        tpl._doSave = 0  # the 目录 page-number forms are defined after the last page, then saved
        tpl.build(story, canvasmaker=BuildCanvas)
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
            preface: int | None = None  # story index of the CondPageBreak before paragraphs kept with the next
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
                    fit_to_frame(table, frame_w, frame_h)
                    if preface is not None:
                        story[preface] = KeepBreak(_keep_height(story[preface + 1:], table, frame_w, frame_h))
                    preface = None
                    story.append(table)
                    continue
                look = self._look(block.style)
                keeps = bool(look.keep) or block.style == "Table Meta"   # the table's lines above it
                if keeps and preface is None:
                    preface = len(story)
                    story.append(KeepBreak(look.keep))
                if block.style == "Table Number":
                    last_number = block.text.strip()
                marks, keys = self._marks(block, last_number, learned, outline)
                if block.style != "Table Number":
                    last_number = "" if block.style != "Table Title" else last_number
                story.append(self._paragraph(block, frame_w, marks, keys))
                if preface is not None and not keeps:
                    story[preface] = KeepBreak(_keep_lines(story[preface + 1:], frame_w, frame_h))
                    preface = None
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

