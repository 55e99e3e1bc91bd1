"""Headers and footers drawn on each page from the section's .docx parts (docx_furniture): the part as Word picks
it (first / even / default; the cover has none), PAGE / NUMPAGES / SECTIONPAGES (docs/pdf.md lists each); a
document without any footer part gets the 公文 page number "— N —" (12 pt, centred)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import docmodel as m
from .fastdraw import draw_text, fallback_runs, string_width
from .latin_fonts import latin_face, split_scripts
from .fonts import FontSet

BUILT_IN = m.Furniture((m.FurnitureLine("", "center", (("text", "— "), ("field", "PAGE"), ("text", " —"))),))
BUILT_IN_SIZE = 12.0


@dataclass
class Pass:
    """What one build learned: bookmark key → page, which pages are covers, where each section starts and how
    many pages each has and the document has (for NUMPAGES / SECTIONPAGES in a second build)."""
    pages: dict[str, int] = field(default_factory=dict)
    covers: set[int] = field(default_factory=set)
    section_start: dict[int, int] = field(default_factory=dict)
    section_pages: dict[int, int] = field(default_factory=dict)
    total: int = 0


@dataclass(frozen=True)
class PageFurniture:
    """Draws one section's header and footer on each of its pages (a PageTemplate onPageEnd callback)."""
    index: int
    section: m.Section
    fonts: FontSet
    styles: dict[str, m.StyleInfo]
    learned: Pass
    known: Pass | None  # a previous build's counts, when a field needs them
    built_in: bool      # no footer part anywhere in the document
    even_odd: bool = False  # settings w:evenAndOddHeaders: even pages take the "even" parts

    def __call__(self, canv, doc) -> None:
        n = canv.getPageNumber()
        learned = self.learned
        start = learned.section_start.setdefault(self.index, n)
        learned.section_pages[self.index] = n - start + 1
        learned.total = max(learned.total, n)
        if n in learned.covers:
            return
        first = n == start and self.section.title_page
        kind = "first" if first else "even" if self.even_odd and n % 2 == 0 else "default"
        values = {"PAGE": str(n), "NUMPAGES": str(self.known.total if self.known else n),
                  "SECTIONPAGES": str(self.known.section_pages.get(self.index, 0) if self.known else n - start + 1)}
        pg = self.section.page
        footer = BUILT_IN if self.built_in else self.section.footers.get(kind)
        header = None if self.built_in else self.section.headers.get(kind)
        canv._code.append("q")
        if footer is not None:
            y = max(pg.footer, 18.0)
            for line in reversed(footer.lines):   # the last line at the footer distance, the others above
                self._draw_line(canv, line, values, y)
                y += self._leading(line)
        if header is not None:
            y = pg.height - pg.header
            for line in header.lines:
                y -= self._size(line)
                self._draw_line(canv, line, values, y)
                y -= self._leading(line) - self._size(line)
        canv._code.append("Q")

    def _size(self, line: m.FurnitureLine) -> float:
        info = self.styles.get(line.style)
        return (info.size if info is not None and info.size else None) or BUILT_IN_SIZE

    def _leading(self, line: m.FurnitureLine) -> float:
        return self._size(line) * 1.2

    def _draw_line(self, canv, line: m.FurnitureLine, values: dict[str, str], y: float) -> None:
        text = "".join(values.get(v, "") if k == "field" else v for k, v in line.parts)
        if not text.strip():
            return
        info = self.styles.get(line.style)
        face = self.fonts.for_style("body", info.font if info is not None else None).name
        latin = latin_face(info.latin) if info is not None and info.latin else None
        # letters and digits in the style's Latin face when installed, as in paragraphs (latin_fonts.py)
        pieces = [(face, text)] if latin is None else \
            [(latin.name if is_latin else face, piece) for is_latin, piece in split_scripts(text)]
        size = self._size(line)
        widths = [sum(string_width(run, f, size) for f, run in fallback_runs(canv, font, piece))
                  for font, piece in pieces]
        width = sum(widths)
        pg = self.section.page
        if self.built_in:                      # centred on the page, as it always was
            x = pg.width / 2 - 0.5 * width
        elif line.align == "center":
            x = (pg.left + pg.width - pg.right) / 2 - 0.5 * width
        elif line.align == "right":
            x = pg.width - pg.right - width
        else:
            x = pg.left
        for (font, piece), w in zip(pieces, widths):
            draw_text(canv, x, y, font, size, piece)
            x += w


def page_furniture(doc: m.Document, fonts: FontSet, learned: Pass, known: Pass | None) -> Callable[[int], PageFurniture]:
    """The onPageEnd callback of each section (by index)."""
    built_in = not any(s.footers for s in doc.sections)
    return lambda i: PageFurniture(i, doc.sections[i], fonts, doc.styles, learned, known, built_in, doc.even_odd)


def needs_counts(doc: m.Document) -> bool:
    """Whether a header or footer shows NUMPAGES or SECTIONPAGES (then the document is built twice)."""
    return any(f.fields() & {"NUMPAGES", "SECTIONPAGES"} for s in doc.sections
               for f in (*s.headers.values(), *s.footers.values()))
