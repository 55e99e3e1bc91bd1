"""A generator of hostile and unlucky workbooks, built from the sample's zip with plain zipfile and XML strings.

Each builder returns the bytes of a whole .xlsx: the sample with one sheet part edited, sheets added (hidden or
not), or workbook-level attributes changed. Shared by tests/test_xlsx_hostile.py and bench/hostile_bench.py.
"""
from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
T6_TITLE = "表6 一般公共预算基本支出情况表"
T6_PART = "xl/worksheets/sheet8.xml"
UNIT_PART = "xl/worksheets/sheet2.xml"          # 单位信息
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class Book:
    """The sample's parts, to edit and save."""

    def __init__(self) -> None:
        with zipfile.ZipFile(SAMPLE) as z:
            self.parts = {i.filename: z.read(i) for i in z.infolist()}
        self.added = 0

    def text(self, part: str) -> str:
        return self.parts[part].decode("utf-8")

    def sub(self, part: str, old: str, new: str) -> "Book":
        text = self.text(part)
        assert text.count(old) >= 1, (part, old)
        self.parts[part] = text.replace(old, new, 1).encode("utf-8")
        return self

    def after_last_row(self, part: str, xml: str) -> "Book":
        """`xml` (rows) appended inside <sheetData>."""
        return self.sub(part, "</sheetData>", xml + "</sheetData>")

    def add_sheet(self, title: str, body: bytes, state: str = "visible", first: bool = False) -> str:
        """A new worksheet part with `body`, listed in workbook.xml (first or last); returns the part name."""
        self.added += 1
        part = f"xl/worksheets/extra{self.added}.xml"
        rid = f"rIdX{self.added}"
        self.parts[part] = body
        escaped = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        entry = f'<sheet name="{escaped}" sheetId="{100 + self.added}" state="{state}" r:id="{rid}" ' \
                f'xmlns:r="{_RT[:-1]}"/>'
        workbook = self.text("xl/workbook.xml")
        if first:
            workbook = workbook.replace("<sheets>", "<sheets>" + entry, 1)
        else:
            workbook = workbook.replace("</sheets>", entry + "</sheets>", 1)
        self.parts["xl/workbook.xml"] = workbook.encode("utf-8")
        self.sub("xl/_rels/workbook.xml.rels", "</Relationships>",
                 f'<Relationship Type="{_RT}worksheet" Target="/{part}" Id="{rid}"/></Relationships>')
        self.sub("[Content_Types].xml", "</Types>", f'<Override PartName="/{part}" ContentType="{_CT}"/></Types>')
        return part

    def bytes(self) -> bytes:
        import io
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
        return buffer.getvalue()

    def save(self, path: Path) -> Path:
        path.write_bytes(self.bytes())
        return path


def sheet_xml(rows: str) -> bytes:
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def big_sheet(megabytes: int, seed: int) -> bytes:
    """A worksheet of about `megabytes` MB of varied numbers (compresses about 3:1, under any ratio guard)."""
    rng = random.Random(seed)
    rows = []
    size = 0
    r = 0
    while size < megabytes * 1024 * 1024:
        r += 1
        row = f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{rng.random()}</v></c>' for col in "ABCDEFGHIJ") + "</row>"
        rows.append(row)
        size += len(row)
    return sheet_xml("".join(rows))


def rows_without_r(count: int, empty: str = "<row/>") -> str:
    return empty * count


def t6_with_rows(xml: str) -> Book:
    return Book().after_last_row(T6_PART, xml)


def t6_cell(old: str, new: str) -> Book:
    """T6 with one cell's XML replaced (the cells are written by openpyxl: `<c r="E9" s="14" t="n">…</c>`)."""
    return Book().sub(T6_PART, old, new)
