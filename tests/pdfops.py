"""What a PDF page's content stream draws, read with pypdf: each text-show operation with its text matrix,
render mode and line width, and each straight line stroked (for the drawing tests)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Shown:
    text: str
    tm: tuple[float, ...]  # the text matrix (a b c d e f) when it was shown
    mode: int  # text render mode: 0 fill, 2 fill + stroke
    width: float  # line width in force
    font: str
    size: float
    fill: tuple[float, ...] = ()  # fill colour (RGB) in force, () when never set
    rise: float = 0.0  # text rise (Ts)


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    color: tuple[float, ...]  # stroke colour (RGB), () when never set

    @property
    def horizontal(self) -> bool:
        return abs(self.y0 - self.y1) < 1e-6

    @property
    def vertical(self) -> bool:
        return abs(self.x0 - self.x1) < 1e-6


def _decode(font_obj, raw: bytes) -> str:
    """A shown string's text through the font's ToUnicode map (one byte per glyph: reportlab's subsets)."""
    cmap = font_obj.get("/ToUnicode") if font_obj is not None else None
    if cmap is None:
        return raw.decode("latin-1")
    data = cmap.get_object().get_data().decode("latin-1")
    table: dict[int, str] = {}
    lines = data.splitlines()
    for i, line in enumerate(lines):
        if line.strip().endswith("beginbfchar"):
            for entry in lines[i + 1:]:
                if "endbfchar" in entry:
                    break
                src, dst = entry.replace("<", " ").replace(">", " ").split()
                table[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    return "".join(table.get(b, "?") for b in raw)


def page_ops(pdf: bytes, page: int) -> tuple[list[Shown], list[Line]]:
    """The text shown and the lines stroked on page `page` (0-based), in drawing order. The graphics state
    (q/Q, cm) is followed; text matrices are given in user space of the page without the CTM applied
    except for the translations reportlab's flowables make (cm), which are added to e and f."""
    reader = PdfReader(io.BytesIO(pdf))
    pg = reader.pages[page]
    fonts = pg["/Resources"].get("/Font", {})
    stream = ContentStream(pg.get_contents(), reader)
    shown: list[Shown] = []
    lines: list[Line] = []
    gs = {"mode": 0, "width": 1.0, "stroke": (), "fill": (), "rise": 0.0, "ctm": (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)}
    stack: list[dict] = []
    tm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    font, size, leading = "", 0.0, 0.0
    path: list[tuple[float, float]] = []
    segs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for operands, op in stream.operations:
        o = op.decode("latin-1")
        if o == "q":
            stack.append(dict(gs))
        elif o == "Q":
            gs = stack.pop() if stack else gs
        elif o == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            A, B, C, D, E, F = gs["ctm"]
            gs["ctm"] = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif o == "Tr":
            gs["mode"] = int(operands[0])
        elif o == "w":
            gs["width"] = float(operands[0])
        elif o == "RG":
            gs["stroke"] = tuple(float(v) for v in operands)
        elif o == "rg":
            gs["fill"] = tuple(float(v) for v in operands)
        elif o == "Ts":
            gs["rise"] = float(operands[0])
        elif o == "Tm":
            tm = [float(v) for v in operands]
        elif o == "TL":
            leading = float(operands[0])
        elif o in ("Td", "T*"):   # relative to the start of the line, in text space
            tx, ty = (float(operands[0]), float(operands[1])) if o == "Td" else (0.0, -leading)
            tm = [tm[0], tm[1], tm[2], tm[3], tm[4] + tx * tm[0] + ty * tm[2], tm[5] + tx * tm[1] + ty * tm[3]]
        elif o == "Tf":
            font, size = str(operands[0]), float(operands[1])
        elif o == "Tj":
            f_obj = fonts.get(font)
            raw = operands[0]
            raw = raw.original_bytes if hasattr(raw, "original_bytes") else bytes(raw)
            text = _decode(f_obj.get_object() if f_obj is not None else None, raw)
            ctm = gs["ctm"]
            shown.append(Shown(text, (tm[0], tm[1], tm[2], tm[3], tm[4] + ctm[4], tm[5] + ctm[5]), gs["mode"],
                               gs["width"], font, size, gs["fill"], gs["rise"]))
        elif o == "m":
            path = [(float(operands[0]), float(operands[1]))]
        elif o == "l":
            p = (float(operands[0]), float(operands[1]))
            if path:
                segs.append((path[-1], p))
            path.append(p)
        elif o in ("S", "s"):
            ctm = gs["ctm"]
            for (x0, y0), (x1, y1) in segs:
                lines.append(Line(x0 + ctm[4], y0 + ctm[5], x1 + ctm[4], y1 + ctm[5], gs["width"], gs["stroke"]))
            segs, path = [], []
        elif o in ("n", "f", "B", "b"):
            segs, path = [], []
    return shown, lines


def all_ops(pdf: bytes) -> list[tuple[list[Shown], list[Line]]]:
    n = len(PdfReader(io.BytesIO(pdf)).pages)
    return [page_ops(pdf, i) for i in range(n)]


def line_height_em(pdf: bytes, page: int, font: str) -> float:
    """The single line height (em) of an embedded TrueType font of the page, from its own tables: hhea
    ascender - descender over head's units per em (OS/2 typographic values when fsSelection bit 7 says so)."""
    import struct
    f_obj = PdfReader(io.BytesIO(pdf)).pages[page]["/Resources"]["/Font"][font].get_object()
    data = f_obj["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        tables[tag.decode("latin-1")] = data[offset:offset + length]
    upem = struct.unpack(">H", tables["head"][18:20])[0]
    ascender, descender = struct.unpack(">hh", tables["hhea"][4:8])
    os2 = tables.get("OS/2", b"")
    if len(os2) >= 74 and struct.unpack(">H", os2[62:64])[0] & 0x80:
        ascender, descender = struct.unpack(">hh", os2[68:72])
    return (ascender - descender) / upem
