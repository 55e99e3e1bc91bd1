"""A style's colour and a run's own size, colour and underline reach the PDF (issue 11 item 2): a red heading is
printed red, a 24 pt run is 24 pt high, a blue run is blue, an underlined run is underlined — the text stays."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Pt, RGBColor

from budgetreport.pdf import read_docx, write_pdf
from test_pdf import make_docx


def _saved(d) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} not installed")
    return exe


def _pixels(pdf: bytes, page: int, tmp_path: Path) -> list[tuple[int, int, int]]:
    """The page rendered at 100 dpi, as (r, g, b) pixels."""
    f = tmp_path / "p.pdf"
    f.write_bytes(pdf)
    ppm = subprocess.run([_tool("pdftoppm"), "-r", "100", "-f", str(page), "-l", str(page), str(f)],
                         capture_output=True, check=True).stdout
    header_end = 0
    for _ in range(4):   # P6, width, height, maxval
        while ppm[header_end:header_end + 1].isspace():
            header_end += 1
        while not ppm[header_end:header_end + 1].isspace():
            header_end += 1
    data = ppm[header_end + 1:]
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data) - 2, 3)]


def _count(pixels: list[tuple[int, int, int]], test) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for p in pixels if test(*p))


def _red(r: int, g: int, b: int) -> bool:
    return r > 180 and g < 90 and b < 90


def _blue(r: int, g: int, b: int) -> bool:
    return b > 150 and r < 120 and g < 120


def _page_of(pdf: bytes, text: str, tmp_path: Path) -> int:
    f = tmp_path / "t.pdf"
    f.write_bytes(pdf)
    pages = subprocess.run([_tool("pdftotext"), str(f), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    return max(i + 1 for i, t in enumerate(pages) if text in re.sub(r"\s+", "", t))


def test_a_red_heading_style_prints_red(tmp_path: Path) -> None:
    original = make_docx()
    d = docx.Document(io.BytesIO(original))
    d.styles["Heading 1"].font.color.rgb = RGBColor(0xE0, 0x10, 0x10)
    red = _saved(d)
    heading = next(p.text for p in read_docx(original).paragraphs() if p.style == "Heading 1").replace(" ", "")
    page = _page_of(write_pdf(red), heading, tmp_path)
    assert _count(_pixels(write_pdf(red), page, tmp_path), _red) > 20
    assert _count(_pixels(write_pdf(original), page, tmp_path), _red) == 0


@pytest.mark.parametrize("size", [9.0, 24.0, 30.5])
def test_a_runs_own_size_and_colour(size: float, tmp_path: Path) -> None:
    d = docx.Document(io.BytesIO(make_docx()))
    p = next(p for p in d.paragraphs if p.style.name == "Body Text")
    run = p.add_run("醒目文字")
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor(0x10, 0x10, 0xE0)
    data = _saved(d)
    runs = [r for q in read_docx(data).paragraphs() for r in q.runs if r.text == "醒目文字"]
    assert runs and runs[0].size == size and runs[0].color == "1010E0"
    pdf = write_pdf(data)
    f = tmp_path / "s.pdf"
    f.write_bytes(pdf)
    xml = subprocess.run([_tool("pdftotext"), "-bbox", str(f), "-"], capture_output=True, text=True,
                         check=True).stdout
    heights = [float(y1) - float(y0) for y0, y1, w in
               re.findall(r'yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>', xml) if "醒目" in w]
    assert heights and abs(heights[0] - size) < size * 0.25, (heights, size)   # a face's box: about its size
    page = _page_of(pdf, "醒目文字", tmp_path)
    assert _count(_pixels(pdf, page, tmp_path), _blue) > 3


def test_an_underlined_run_is_underlined(tmp_path: Path) -> None:
    original = make_docx()
    d = docx.Document(io.BytesIO(original))
    p = next(p for p in d.paragraphs if p.style.name == "Body Text")
    p.add_run("下划线文字").underline = True
    data = _saved(d)
    plain = docx.Document(io.BytesIO(original))
    next(p for p in plain.paragraphs if p.style.name == "Body Text").add_run("下划线文字")
    with_line, without = write_pdf(data), write_pdf(_saved(plain))
    page = _page_of(with_line, "下划线文字", tmp_path)
    dark = lambda r, g, b: r < 100 and g < 100 and b < 100  # noqa: E731
    assert _count(_pixels(with_line, page, tmp_path), dark) > _count(_pixels(without, page, tmp_path), dark)
