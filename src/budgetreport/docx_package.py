"""A template .docx taken apart once per process, and the zip writer that puts a filled report back together.
python-docx opens and re-saves the template once (`TemplatePackage.load`), which fixes every part's bytes as its
save writes them; what a render changes is kept as the text docxtpl starts from (docs/design.md "The persistent cache")."""
from __future__ import annotations

import copy
import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import docx
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from lxml import etree

from . import diskcache

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CONTENT_TYPES = "[Content_Types].xml"

# what zipfile writes for ZipInfo(name, FIXED_ZIP_TIME), ZIP_DEFLATED, external_attr 0o644 << 16, on Unix
_VERSION, _SYSTEM, _FLAGS = 20, 3, 0
_DOS_TIME = 0
_DOS_DATE = (FIXED_ZIP_TIME[0] - 1980) << 9 | FIXED_ZIP_TIME[1] << 5 | FIXED_ZIP_TIME[2]
_EXTERNAL_ATTR = 0o644 << 16
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class FilledDocx:
    """A filled report: the .docx file, and the parsed trees some of its parts were serialised from (zip name →
    root element). The PDF stage reads those trees instead of inflating and parsing the same XML again; nothing
    may change the trees once the file is written."""
    data: bytes
    parsed: Mapping[str, etree._Element]


@dataclass(frozen=True)
class Member:
    """One zip entry, deflated once."""
    name: str
    raw: bytes
    crc: int
    packed: bytes


def deflate(name: str, raw: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> Member:
    """Deflated as zipfile would (raw stream; at its default level the archive bytes match a zipfile save)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Member(name, raw, zlib.crc32(raw), packer.compress(raw) + packer.flush())


def write_zip(members: list[Member]) -> bytes:
    """The archive zipfile writes for these entries (fixed timestamps), without deflating anything again."""
    out, central = io.BytesIO(), []
    for m in members:
        name = m.name.encode("ascii") if m.name.isascii() else m.name.encode("utf-8")
        flags = _FLAGS if m.name.isascii() else _FLAGS | 0x800
        offset = out.tell()
        out.write(_LOCAL.pack(b"PK\003\004", _VERSION, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
                              m.crc, len(m.packed), len(m.raw), len(name), 0))
        out.write(name)
        out.write(m.packed)
        central.append(_CENTRAL.pack(b"PK\001\002", _VERSION, _SYSTEM, _VERSION, 0, flags, zipfile.ZIP_DEFLATED,
                                     _DOS_TIME, _DOS_DATE, m.crc, len(m.packed), len(m.raw), len(name), 0, 0, 0,
                                     0, _EXTERNAL_ATTR, offset) + name)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\005\006", 0, 0, len(members), len(members), len(directory), start, 0))
    return out.getvalue()


def zip_order(names: list[str]) -> list[str]:
    """[Content_Types].xml first (some readers insist), the rest as python-docx wrote them; each name once."""
    unique = list(dict.fromkeys(names))
    return [n for n in unique if n == CONTENT_TYPES] + [n for n in unique if n != CONTENT_TYPES]


@dataclass(frozen=True)
class TemplatePackage:
    """A template .docx as every render needs it."""
    order: tuple[str, ...]                  # zip member names
    saved: dict[str, Member]                # every part as python-docx saves the unrendered template
    document: str                           # the main document part's zip name
    head: bytes                             # its XML before the body …
    body: str                               # … the body, which docxtpl templates (as written inside the root)
    tail: bytes                             # … and after the body
    headers_footers: tuple[tuple[str, str], ...]   # (zip name, XML text), headers then footers, as docxtpl
    footnotes: tuple[tuple[str, str], ...]  # (zip name, XML text) of footnotes parts
    core: str                               # zip name of docProps/core.xml

    @classmethod
    def load(cls, data: bytes) -> TemplatePackage:
        doc = Document(io.BytesIO(data))
        core = doc.part.package._core_properties_part   # created here when the template has none, as docxtpl does
        _drop_duplicate_parts(doc.part.package, keep=core)
        raw = io.BytesIO()
        doc.save(raw)
        with zipfile.ZipFile(raw) as saved_zip:
            names = zip_order(saved_zip.namelist())
            saved = {n: deflate(n, saved_zip.read(n)) for n in names}
        head, body, tail = _split_body(doc.element)
        return cls(tuple(names), saved, _zip_name(doc.part), head, body, tail,
                   _headers_footers(doc), _footnotes(doc), _zip_name(core))

    @classmethod
    def load_cached(cls, data: bytes) -> TemplatePackage:
        """load, kept in the disk cache under the template's bytes and what shapes the result (python-docx's open
        and save of the default template is ≈0.08 s a run)."""
        key = diskcache.make_key("docx-package", hashlib.sha256(data).digest(), docx.__version__, etree.LXML_VERSION,
                                 etree.LIBXML_VERSION, zlib.ZLIB_RUNTIME_VERSION, diskcache.source_digest(__name__))
        fields = diskcache.fetch("docx-package", key)
        if fields is not None:
            try:
                order, members, *rest = fields
                return cls(order, {m[0]: Member(*m) for m in members}, *rest)
            except (TypeError, ValueError):
                pass    # not what this code writes: made again below
        package = cls.load(data)
        members = [(m.name, m.raw, m.crc, m.packed) for m in package.saved.values()]
        diskcache.keep("docx-package", key, (package.order, members, package.document, package.head, package.body,
                                             package.tail, package.headers_footers, package.footnotes, package.core))
        return package


def _drop_duplicate_parts(package, keep) -> None:
    """One part per name. A writer that relates docProps/core.xml under a type python-docx does not know (the
    "officedocument/2006/relationships/metadata/core-properties" LibreOffice writes) makes
    python-docx create a second core-properties part of the same name: saved, that was a zip with a duplicate
    entry and zipfile's "Duplicate name" warning. The part python-docx relates (`keep`, whose content the
    render rewrites anyway) or else the first one met stays; relationships to the others are dropped."""
    by_name: dict[str, object] = {}
    dropped: set[int] = set()
    for part in package.iter_parts():
        first = by_name.setdefault(str(part.partname), part)
        if first is not part:
            if part is keep:
                by_name[str(part.partname)] = part
                dropped.add(id(first))
            else:
                dropped.add(id(part))
    if not dropped:
        return
    for source in (package, *package.iter_parts()):
        for rid, rel in list(source.rels.items()):
            if not rel.is_external and id(rel.target_part) in dropped:
                source.rels.pop(rid)


def _zip_name(part) -> str:
    return part.partname.lstrip("/")


def _text(element) -> str:
    return etree.tostring(element, encoding="unicode", pretty_print=False)


def _split_body(root) -> tuple[bytes, str, bytes]:
    """The document XML cut around its body. Rendered, the three parse as one document: the body needs no
    namespace declarations of its own, and nothing has to be moved between trees."""
    whole = _text(root)
    marked = copy.deepcopy(root)
    marked.replace(marked.body, etree.Comment("body"))
    head, tail = _text(marked).split("<!--body-->")
    return head.encode("utf-8"), whole[len(head):len(whole) - len(tail)], tail.encode("utf-8")


def _headers_footers(doc) -> tuple[tuple[str, str], ...]:
    out = []
    for reltype in (RT.HEADER, RT.FOOTER):
        for rel in doc.part.rels.values():
            if rel.reltype == reltype and rel.target_part.blob:
                out.append((_zip_name(rel.target_part), _text(parse_xml(rel.target_part.blob))))
    return tuple(out)


def _footnotes(doc) -> tuple[tuple[str, str], ...]:
    return tuple((_zip_name(p), p.blob.decode("utf-8")) for p in doc.part.package.iter_parts()
                 if p.content_type == CT.WML_FOOTNOTES)
