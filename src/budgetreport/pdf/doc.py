"""The document model the PDF writer lays out: pure data read from a filled .docx (no reportlab, no XML), as
"The filled .docx contract" in docs/design.md describes it. All lengths are in points."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, Literal, Union

Align = Literal["left", "center", "right", "justify"]
# w:ind: (left, right, first line) in points and (left, right, first line) in characters (w:*Chars / 100;
# 1 character = the paragraph's font size; a *Chars value wins, as in Word); a hanging indent is a negative
# first line; None where not set
Indent = tuple[float | None, float | None, float | None, float | None, float | None, float | None]
# spacing set on a paragraph itself: (before pt, after pt, line as StyleInfo.line, w:ind), None where not set
Spacing = tuple[float | None, float | None, tuple[str, float] | None, Indent | None]

# the paragraph styles of "The filled .docx contract" (docs/design.md), by the names the renderer uses
CONTRACT_STYLES = ("Normal", "Title", "Subtitle", "TOC Heading", "toc 1", "toc 2", "Heading 1", "Heading 2",
                   "Heading 3", "Table Number", "Table Title", "Table Meta", "Body Text", "Table Text", "Signature")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    color: str | None = None  # "RRGGBB", None for automatic/black
    size: float | None = None  # pt, None for the paragraph's
    vert: str | None = None  # w:vertAlign: "superscript" / "subscript"
    font: str | None = None  # w:rFonts w:eastAsia (else w:ascii) named on the run itself
    latin: str | None = None  # w:rFonts w:ascii named on the run itself (letters and digits: latin_fonts.py)

    @property
    def plain(self) -> bool:
        """Only the paragraph's own look (bold aside)."""
        return not (self.italic or self.underline or self.color or self.size or self.vert or self.font
                    or self.latin)


@dataclass(frozen=True)
class RunStyle:
    """A run's direct formatting beyond bold, as the reader meets it (bold None: the paragraph's)."""
    bold: bool | None = None
    italic: bool = False
    underline: bool = False
    color: str | None = None
    size: float | None = None
    vert: str | None = None
    font: str | None = None
    latin: str | None = None

    def resolved(self, para_bold: bool) -> RunStyle:
        return self if self.bold is not None else RunStyle(para_bold, self.italic, self.underline, self.color,
                                                             self.size, self.vert, self.font, self.latin)


@dataclass(frozen=True)
class Paragraph:
    style: str
    runs: tuple[Run, ...] = ()
    align: Align | None = None
    page_break_before: bool = False
    bookmarks: tuple[str, ...] = ()
    anchor: str | None = None  # w:hyperlink w:anchor (目录 entries)
    spacing: Spacing | None = None  # w:spacing on the paragraph itself
    # space between CJK and (Latin letters, digits), w:autoSpaceDE / w:autoSpaceDN as read (docx_styles.autospace)
    autospace: tuple[bool, bool] = (True, True)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class PageBreak:
    """A `w:br w:type="page"` inside a run."""


@dataclass(frozen=True)
class Cell:
    paragraphs: tuple[Paragraph, ...]
    col: int  # first grid column
    span: int = 1  # w:gridSpan
    vmerge: Literal["restart", "continue"] | None = None
    valign: Literal["top", "center", "bottom"] = "top"
    shade: str | None = None  # w:shd w:fill: the cell's background ("RRGGBB")
    # w:tcBorders: (width pt, colour "RRGGBB" or None for black) of top, left, bottom, right; None where the
    # cell does not set that edge (the table's applies); width 0: none/nil
    borders: tuple[tuple[float, str | None] | None, ...] | None = None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool = False  # w:trPr/w:tblHeader: repeated on every page
    height: float | None = None


@dataclass(frozen=True)
class Table:
    grid: tuple[float, ...]  # column widths
    rows: tuple[Row, ...]
    # (width pt, colour "RRGGBB" or None for black) of top, left, bottom, right, insideH, insideV; 0: no line
    borders: tuple[tuple[float, str | None], ...] = ((0.5, None),) * 6

    @property
    def header_rows(self) -> int:
        """Leading header rows (Word repeats only a contiguous run from the top)."""
        n = 0
        for row in self.rows:
            if not row.header:
                break
            n += 1
        return n


Block = Union[Paragraph, Table, PageBreak]


@dataclass(frozen=True)
class PageSetup:
    width: float = 595.3
    height: float = 841.9
    top: float = 72.0
    bottom: float = 72.0
    left: float = 90.0
    right: float = 90.0
    header: float = 42.5
    footer: float = 49.6

    @property
    def landscape(self) -> bool:
        return self.width > self.height


@dataclass(frozen=True)
class FurnitureLine:
    """A paragraph of a header or footer: its style, alignment and parts, ("text", "第 ") or ("field", "PAGE")
    (PAGE, NUMPAGES, SECTIONPAGES)."""
    style: str
    align: Align | None
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Furniture:
    """A header or footer part."""
    lines: tuple[FurnitureLine, ...] = ()

    def fields(self) -> set[str]:
        return {v for line in self.lines for k, v in line.parts if k == "field"}


@dataclass
class Section:
    page: PageSetup
    blocks: list[Block] = field(default_factory=list)
    continuous: bool = False  # w:type="continuous": no page break before this section
    title_page: bool = False  # w:titlePg: the first page has its own header and footer ("first")
    # header / footer parts by type (default, first, even), inherited from the previous section as in Word
    headers: dict[str, Furniture] = field(default_factory=dict)
    footers: dict[str, Furniture] = field(default_factory=dict)


@dataclass(frozen=True)
class StyleInfo:
    """The few paragraph-style properties the renderer honours when the template sets them."""
    size: float | None = None
    bold: bool | None = None
    align: Align | None = None
    font: str | None = None  # w:rFonts w:eastAsia (else w:ascii): the face the template asks for
    line: tuple[str, float] | None = None  # w:spacing line: ("exact"/"atLeast", pt) or ("auto", multiple)
    before: float | None = None  # w:spacing before/after, pt
    after: float | None = None
    color: str | None = None  # w:color of the style's run properties ("RRGGBB"; black and auto: None)
    indent: Indent | None = None  # w:ind of the style, each side inherited on its own through based-on styles
    italic: bool | None = None  # w:i of the style's run properties (through based-on styles)
    latin: str | None = None  # w:rFonts w:ascii of the style, else of the document defaults (latin_fonts.py)


@dataclass
class Document:
    sections: list[Section]
    styles: dict[str, StyleInfo]
    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    created: datetime | None = None
    even_odd: bool = False  # settings w:evenAndOddHeaders: even pages have headers and footers of their own

    def blocks(self) -> Iterator[Block]:
        for s in self.sections:
            yield from s.blocks

    def paragraphs(self) -> Iterator[Paragraph]:
        """Every paragraph in reading order, table cells included."""
        for b in self.blocks():
            if isinstance(b, Paragraph):
                yield b
            elif isinstance(b, Table):
                for row in b.rows:
                    for cell in row.cells:
                        yield from cell.paragraphs
