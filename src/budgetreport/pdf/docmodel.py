"""Read a filled .docx into the document model (budgetreport.pdf.doc): pure data, no reportlab. Here the
package, sections and core properties; the styles part, body and names in docx_styles, docx_body, ooxml."""
from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Iterator

from docx.oxml.coreprops import CT_CoreProperties
from lxml import etree

from ..docx_package import FilledDocx
from .caches import CACHES
from .doc import (  # the model's names, also importable from here
    Align, Block, Cell, Document, Furniture, FurnitureLine, PageBreak, PageSetup, Paragraph, Row, Run, Section, Spacing, Indent,
    StyleInfo, Table,
)
from .docx_body import _Reader
from .docx_furniture import read_part, references
from .docx_styles import _Styles
from .ooxml import _W, W_BODY, W_P, W_SDT, W_SDTCONTENT, W_SECTPR, W_TBL, W_TR, W_TYPE, W_VAL, _on, _twips

__all__ = ["Align", "Block", "Cell", "Document", "Furniture", "FurnitureLine", "PageBreak", "PageSetup", "Paragraph", "Row", "Run", "Section", "Spacing", "Indent",
           "StyleInfo", "Table", "W_BODY", "W_P", "W_TBL", "W_TR", "read_docx"]

# ---------------------------------------------------------------------------------------------- reading
# The package is read with zipfile and plain lxml (no python-docx objects: its element classes make every
# child access a Python call). Style and core-property semantics follow python-docx exactly.
# A report has ~1600 paragraphs and ~1400 cells, so the reader is built for speed: each element is visited
# once by a plain `for child in el` loop (lxml's find() runs Python path code); what follows from a style is
# worked out once per template (_Styles); equal paragraphs, runs, cells, rows and tables are made once per
# template, for all the documents read with it (the model is frozen, so sharing them is safe).

_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's parser settings
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_RT_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_RT_SETTINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings"
_RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DCTERMS = "{http://purl.org/dc/terms/}"


class _Package:
    def __init__(self, data: bytes, parsed: Mapping[str, etree._Element] | None = None) -> None:
        self.parsed = parsed or {}
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self._rels: dict[str, etree._Element | None] = {}

    def xml(self, name: str | None) -> etree._Element | None:
        if name is None or name not in self.names:
            return None
        tree = self.parsed.get(name)
        return tree if tree is not None else etree.fromstring(self.zip.read(name), _PARSER)

    def rel_by_id(self, source: str, rid: str) -> str | None:
        """The part the relationship `rid` of `source` points to."""
        return self._related(source, "Id", rid)

    def rel_target(self, source: str, reltype: str) -> str | None:
        """The part a relationship of `reltype` from `source` ("" for the package) points to."""
        return self._related(source, "Type", reltype)

    def _related(self, source: str, attr: str, value: str) -> str | None:
        """The part the first internal relationship of `source` whose `attr` is `value` points to."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self._rels:  # the package's own rels are asked twice
            self._rels[rels_name] = self.xml(rels_name)
        rels = self._rels[rels_name]
        for rel in rels.iter(_REL) if rels is not None else ():
            if rel.get(attr) == value and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                return target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        return None


def read_docx(source: bytes | Path | str | FilledDocx) -> Document:
    """The document model of a .docx file; of a FilledDocx, from the trees it already holds where it can."""
    if isinstance(source, FilledDocx):
        pkg = _Package(source.data, source.parsed)
    else:
        pkg = _Package(source if isinstance(source, bytes) else Path(source).read_bytes())
    main = pkg.rel_target("", _RT_DOCUMENT)
    root = pkg.xml(main)
    if main is None or root is None:
        raise ValueError("not a Word document: no main document part")
    body = root.find(W_BODY)
    reader = _Reader(_styles(pkg, pkg.rel_target(main, _RT_STYLES)))
    sections: list[Section] = []
    current: list[Block] = []
    for child in _body_children(body if body is not None else ()):
        tag = child.tag
        if tag == W_P:
            blocks, sect = reader.paragraph(child)
            current.extend(blocks)
            if sect is not None:  # a section ends with this paragraph
                sections.append(_section(sect, current))
                current = []
        elif tag == W_TBL:
            current.append(reader.table(child))
        else:  # sectPr
            sections.append(_section(child, current))
            current = []
    if current or not sections:
        sections.append(Section(PageSetup(), current))
    _attach_furniture(pkg, main, body, sections, reader)
    core = pkg.xml(pkg.rel_target("", _RT_CORE))
    return Document(
        sections=sections,
        styles=reader.style_infos(),
        title=_core_text(core, _DC + "title") if core is not None else "Word Document",  # python-docx default
        author=_core_text(core, _DC + "creator"),
        subject=_core_text(core, _DC + "subject"),
        keywords=_core_text(core, _CP + "keywords"),
        created=_core_created(core),
        even_odd=_even_odd(pkg.xml(pkg.rel_target(main, _RT_SETTINGS)) if main is not None else None),
    )


def _even_odd(settings: etree._Element | None) -> bool:
    """w:evenAndOddHeaders in the settings part (Word's "different odd and even pages")."""
    return settings is not None and _on(settings.find(_W + "evenAndOddHeaders"))


def _attach_furniture(pkg: _Package, main: str | None, body: etree._Element | None, sections: list[Section],
                      reader: _Reader) -> None:
    """Each section's headers and footers (docx_furniture), a type it does not name kept from the section
    before it."""
    sects = [s for s in (body.iter(W_SECTPR) if body is not None else ())]
    parts: dict[str, Furniture] = {}

    def style_of(style_id: str | None) -> tuple[str, Align | None]:
        name, align, _, _ = reader.styles.para(style_id)
        reader.note_style(name)
        return name, align

    headers: dict[str, Furniture] = {}
    footers: dict[str, Furniture] = {}
    for section, sect in zip(sections, sects):
        for which, own in references(sect).items():
            found = headers if which == "header" else footers
            for kind, rid in own.items():
                name = pkg.rel_by_id(main or "", rid)
                if name is not None and name not in parts:
                    parts[name] = read_part(pkg.xml(name), style_of)
                if name is not None:
                    found[kind] = parts[name]
        section.headers, section.footers = dict(headers), dict(footers)


def _core_text(core: etree._Element | None, tag: str) -> str:
    el = core.find(tag) if core is not None else None
    return (el.text or "") if el is not None else ""


def _core_created(core: etree._Element | None) -> datetime | None:
    el = core.find(_DCTERMS + "created") if core is not None else None
    if el is None or el.text is None:  # an empty dcterms:created: no date, as python-docx's parser would fail
        return None
    try:
        return CT_CoreProperties._parse_W3CDTF_to_datetime(el.text)  # python-docx's own parsing
    except (ValueError, TypeError):
        return None


def _body_children(parent) -> Iterator[etree._Element]:
    """Body-level p / tbl / sectPr, looking through content controls (w:sdt) such as a Word TOC."""
    for child in parent:
        tag = child.tag
        if tag == W_P or tag == W_TBL or tag == W_SECTPR:
            yield child
        elif tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _body_children(content)


def _section(sect: etree._Element, blocks: list[Block]) -> Section:
    d = PageSetup()
    sz = sect.find(_W + "pgSz")
    mar = sect.find(_W + "pgMar")
    w, h = _twips(sz, "w", d.width), _twips(sz, "h", d.height)
    if sz is not None and sz.get(_W + "orient") == "landscape" and w < h:
        w, h = h, w  # orient wins over inconsistent w/h
    page = PageSetup(
        width=w, height=h,
        top=abs(_twips(mar, "top", d.top)), bottom=abs(_twips(mar, "bottom", d.bottom)),
        left=_twips(mar, "left", d.left), right=_twips(mar, "right", d.right),
        header=_twips(mar, "header", d.header), footer=_twips(mar, "footer", d.footer),
    )
    typ = sect.find(W_TYPE)
    return Section(
        page=page,
        blocks=blocks,
        continuous=typ is not None and typ.get(W_VAL) == "continuous",
        title_page=_on(sect.find(_W + "titlePg")),
    )


# ---------------------------------------------------------------------------------------------- styles

def _styles(pkg: _Package, name: str | None) -> _Styles:
    """The styles part, read once per template and shared between reads (only ever read, never changed):
    a template's styles.xml is large and identical in every report built from it."""
    if name is None or name not in pkg.names:
        return _Styles(None)
    return CACHES.docx_styles.get_or_make(pkg.zip.read(name), lambda: _Styles(pkg.xml(name)))
