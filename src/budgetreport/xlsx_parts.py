"""The workbook's small parts, parsed with lxml: which sheets there are (title, part, hidden), the epoch, whether the
saved formula results are stale, the date styles and the shared strings.

Parts are found by content type and relationships as openpyxl finds them. A part that does not parse, or holds
values that cannot be (a style number "x", a sheet without a name), is a BudgetError naming the part; a Strict Open
XML workbook is recognised and named as such.
"""
from __future__ import annotations

import functools
import posixpath
import threading
from dataclasses import dataclass
from typing import Iterator, TypedDict

from lxml import etree

from .errors import BudgetError
from .xlsx_safety import CONVERT, Archive
from .xlsx_values import BUILTIN_FORMATS, SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX, is_date_format, \
    is_timedelta_format, unescape

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SI = MAIN + "si"
_WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)      # openpyxl's order of preference


class _SafeOptions(TypedDict):
    """lxml parser options of every part (a TypedDict so that `**SAFE` is checked against lxml's keywords)."""
    resolve_entities: bool
    no_network: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool
    load_dtd: bool


SAFE: _SafeOptions = {"resolve_entities": False, "no_network": True, "huge_tree": False, "remove_comments": True,
                      "remove_pis": True, "load_dtd": False}
_PARSERS = threading.local()                    # one parser per thread: making one costs more than a small part
_TRUE = ("1", "true")
_FALSE = ("0", "false")


class PartError(ValueError):
    """A part parsed but holds what no workbook writer writes."""


@dataclass(frozen=True)
class SheetEntry:
    title: str
    part: str
    hidden: bool


@dataclass(frozen=True)
class Structure:
    sheets: list[SheetEntry]        # worksheets in order (chart sheets and missing parts skipped)
    date1904: bool
    stale: bool                     # the workbook asks for a full recalculation: saved formula results are stale
    strings_part: str | None


def parse(data: bytes) -> etree._Element:
    """One small part as a tree (no DTD, no entities, no network)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(**SAFE)
    return etree.fromstring(data, parser)


def local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _damaged_part(archive: Archive, part: str, exc: Exception) -> BudgetError:
    if isinstance(exc, etree.XMLSyntaxError):
        line, column = exc.position if exc.position and exc.position[0] > 0 else (0, 0)
        detail = f"XML 第 {line} 行第 {column} 列" if line else "XML 不完整"
    else:
        detail = str(exc) if isinstance(exc, PartError) else "含有无效的数值"
    return BudgetError(f"工作簿的部件 {part} 已损坏，无法读取（{detail}）", file=archive.path.name, hint=CONVERT)


def _small(archive: Archive, part: str) -> bytes:
    if part not in archive:
        raise archive.missing(part)
    return archive.read(part)


def read_structure(archive: Archive) -> Structure:
    """The sheets, epoch, staleness and shared strings part of the workbook in `archive`."""
    part = "[Content_Types].xml"
    try:
        workbook, strings = _parts_by_type(_small(archive, part))
        part = workbook
        folder, name = posixpath.split(workbook)
        data = _small(archive, workbook)
        if _is_strict(data):
            raise BudgetError("这是“Strict Open XML 电子表格”格式的工作簿，本工具只读取常规的 Excel 工作簿",
                              file=archive.path.name, hint="请在 Excel 中打开，另存为“Excel 工作簿(*.xlsx)”后再试")
        entries, date1904, stale = _workbook_sheets(data)
        part = posixpath.join(folder, "_rels", name + ".rels")
        rels = _relationships(_small(archive, part), folder)
        part = workbook
        sheets = []
        for rid, title, hidden in entries:
            if rid not in rels:
                raise PartError(f"工作表“{title}”的关系 {rid} 不存在")
            kind, target = rels[rid]
            if target in archive and "chartsheet" not in kind:
                sheets.append(SheetEntry(title, target, hidden))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _damaged_part(archive, part, exc) from None
    return Structure(sheets, date1904, stale, strings)


def _is_strict(data: bytes) -> bool:
    """A Strict Open XML workbook: its namespaces are purl.oclc.org's (sniffed before parsing)."""
    head = data[:4096]
    return STRICT_MAIN[1:-1].encode() in head and MAIN[1:-1].encode() not in head


# The small parts below are the same in every unit made from one template: each is parsed once per distinct
# content (pure functions of the bytes; what they return is only read).

@functools.lru_cache(maxsize=64)
def _parts_by_type(data: bytes) -> tuple[str, str | None]:
    overrides: dict[str, str] = {}
    defaults: set[str] = set()
    for el in parse(data):
        name = local(el.tag)
        part_name = el.get("PartName")
        if name == "Override" and part_name:
            overrides.setdefault(el.get("ContentType") or "", part_name)
        elif name == "Default":
            defaults.add(el.get("ContentType") or "")
    workbook = next((overrides[t][1:] for t in _WORKBOOK_TYPES if t in overrides), None)
    if workbook is None:
        if not defaults.intersection(_WORKBOOK_TYPES):
            raise PartError("没有工作簿部件")
        workbook = "xl/workbook.xml"
    strings = overrides.get(SHARED_STRINGS)
    return workbook, strings[1:] if strings else None


@functools.lru_cache(maxsize=64)
def _relationships(data: bytes, folder: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of a .rels part in `folder`."""
    rels: dict[str, tuple[str, str]] = {}
    for rel in parse(data):
        target = rel.get("Target")
        if local(rel.tag) != "Relationship" or target is None:
            continue
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id") or ""] = (rel.get("Type") or "", target)
    return rels


@functools.lru_cache(maxsize=64)
def _workbook_sheets(data: bytes) -> tuple[list[tuple[str, str, bool]], bool, bool]:
    """(relationship id, title, hidden) of each <sheet> with an id, in order; date1904; stale results."""
    entries: list[tuple[str, str, bool]] = []
    date1904 = stale = False
    for el in parse(data):
        name = local(el.tag)
        if name == "workbookPr":
            date1904 = el.get("date1904") not in (None, "", "false", "f", "0")
        elif name == "calcPr":
            # XlsxWriter and openpyxl store 0 (or nothing) as results and ask Excel to recalculate on load
            stale = (el.get("fullCalcOnLoad") or "").lower() in _TRUE or \
                (el.get("calcCompleted") or "").lower() in _FALSE
        elif name == "sheets":
            for sheet in el:
                rel_id = sheet.get(REL_ID)
                if rel_id:
                    title = sheet.get("name")
                    if title is None:
                        raise PartError("有工作表没有名称")
                    entries.append((rel_id, title, sheet.get("state") in ("hidden", "veryHidden")))
    return entries, date1904, stale


def date_styles(archive: Archive) -> tuple[set[int], set[int]]:
    """Cell style indexes whose number format is a date, and those that are a duration (openpyxl's rule)."""
    part = "xl/styles.xml"
    if part not in archive:
        return set(), set()
    try:
        return _styles(archive.read(part))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _damaged_part(archive, part, exc) from None


@functools.lru_cache(maxsize=64)
def _styles(data: bytes) -> tuple[set[int], set[int]]:
    root = parse(data)
    custom: dict[int, str | None] = {}
    xfs: list[int] = []
    for el in root:
        name = local(el.tag)
        if name == "numFmts":
            custom.update((int(f.get("numFmtId", "")), f.get("formatCode")) for f in el if local(f.tag) == "numFmt")
        elif name == "cellXfs":
            xfs = [int(xf.get("numFmtId", 0)) for xf in el if local(xf.tag) == "xf"]
    dates, durations = set(), set()
    for index, fmt_id in enumerate(xfs):
        fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if is_date_format(fmt):
            dates.add(index)
        if is_timedelta_format(fmt):
            durations.add(index)
    return dates, durations


def text_of(node: etree._Element) -> str:
    """A string item's text as openpyxl gives it (the last plain <t>, then each run's <t>, formatting dropped), with
    Excel's `_xHHHH_` escapes decoded."""
    plain = None
    runs = []
    for child in node:
        name = local(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            run = None
            for part in child:
                if local(part.tag) == "t":
                    run = part.text
            if run is not None:
                runs.append(run)
    return unescape("".join(runs) if plain is None else (plain or "") + "".join(runs))


def shared_strings(archive: Archive, part: str | None) -> list[str]:
    """The shared strings, parsed as they are inflated (items freed as they are read)."""
    if part is None:
        return []
    if part not in archive:
        raise archive.missing(part)
    strings: list[str] = []
    try:
        for si in pull(archive.chunks(part), _SI):
            strings.append(text_of(si))
            si.clear()
            parent = si.getparent()
            while parent is not None and si.getprevious() is not None:       # free the items read
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise _damaged_part(archive, part, exc) from None
    return strings


def pull(chunks: Iterator[bytes], *tags: str) -> Iterator[etree._Element]:
    """The elements with these tags, at their end, while the part is fed to lxml chunk by chunk."""
    parser = etree.XMLPullParser(events=("end",), tag=tags, **SAFE)
    for chunk in chunks:
        parser.feed(chunk)
        for _, el in parser.read_events():
            yield el
    parser.close()
    for _, el in parser.read_events():
        yield el


