"""Seconds per PDF render (warm process). Font discovery/registration is timed separately.

    python bench/pdf_bench.py [report.docx] [-n 5]

Without a .docx the sample workbook is built first (docx only).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]


def _sample_docx() -> bytes:
    from budgetreport.build import build_report

    with tempfile.TemporaryDirectory() as tmp:
        res = build_report(ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx", tmp, pdf=False)
        assert res.docx is not None
        return res.docx.read_bytes()


def _time_phases(phases: dict[str, list[float]]) -> None:
    """Wrap the renderer's phases to record their CPU seconds (bench only)."""
    from budgetreport.pdf.fastdraw import BuildCanvas
    from budgetreport.pdf.pages import _DocTemplate
    from budgetreport.pdf.render import Renderer

    def wrap(owner, attr: str, name: str) -> None:
        inner = getattr(owner, attr)

        def timed(*a, **kw):  # type: ignore[no-untyped-def]
            c = time.process_time()
            try:
                return inner(*a, **kw)
            finally:
                phases.setdefault(name, []).append(time.process_time() - c)
        setattr(owner, attr, timed)

    wrap(Renderer, "_story", "story")
    wrap(_DocTemplate, "build", "layout+draw")   # our own subclasses: reportlab's classes stay as they are
    wrap(BuildCanvas, "save", "save")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("docx", nargs="?", type=Path)
    ap.add_argument("-n", type=int, default=5, help="timed renders (after one warm-up)")
    ap.add_argument("--phases", action="store_true",
                    help="also CPU seconds per phase: story (flowables), layout+draw, save (write objects, subset, compress)")
    args = ap.parse_args()
    data = args.docx.read_bytes() if args.docx else _sample_docx()

    t0 = time.perf_counter()
    from budgetreport.pdf import read_docx, resolve_fonts, write_pdf
    from budgetreport.pdf.render import Renderer
    fonts = resolve_fonts()
    t_fonts = time.perf_counter() - t0
    print(f"font discovery + registration: {t_fonts:.3f} s  ({fonts.describe()})")

    phases: dict[str, list[float]] = {}
    if args.phases:
        _time_phases(phases)
    pdf = write_pdf(data, fonts=fonts)  # warm-up: glyph caches, imports
    phases.clear()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    runs, reads, cpus = [], [], []
    for _ in range(args.n):
        t, c = time.perf_counter(), time.process_time()
        doc = read_docx(data)
        reads.append(time.perf_counter() - t)
        Renderer(doc, fonts).render()
        runs.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"render: {statistics.median(runs):.3f} s per PDF (median of {args.n}; min {min(runs):.3f}, "
          f"max {max(runs):.3f}); of which .docx reading {statistics.median(reads):.3f} s")
    # CPU time is steadier than wall time when other work shares the machine
    print(f"cpu: {statistics.median(cpus):.3f} s per PDF (median; min {min(cpus):.3f})")
    for name, cs in phases.items():
        print(f"  {name:<12} cpu {statistics.median(cs):.3f} s (median)")
    print(f"pages: {pages}, size: {len(pdf) / 1024:.0f} KiB, {statistics.median(runs) / pages * 1000:.0f} ms/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
