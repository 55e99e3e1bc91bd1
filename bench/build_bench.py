"""Seconds per report, stage by stage, in a warm process (issue 3's goal: the whole build under 0.5 s).

    python bench/build_bench.py [WORKBOOK] [-n 7]

Prints the median and the minimum wall and CPU seconds of each stage over n runs after one warm-up run:
read (workbook → model), check, derive, .docx (fill + zip), pdf (read the .docx + lay out + save), total.
Font discovery and registration happen once per process and are printed separately.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from budgetreport import pdf
from budgetreport.build import run_checks
from budgetreport.derive import derive
from budgetreport.read import read_workbook
from budgetreport.templates import template_set
from budgetreport.write_docx import fill_docx

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("read", "check", "derive", "docx", "pdf")


def one_build(workbook: Path, fonts) -> dict[str, tuple[float, float]]:
    times: dict[str, tuple[float, float]] = {}

    def stage(name, fn, *args):
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args)
        times[name] = (time.perf_counter() - w, time.process_time() - c)
        return out

    budget = stage("read", read_workbook, workbook)
    stage("check", run_checks, budget)
    facts = stage("derive", derive, budget)
    filled = stage("docx", lambda: fill_docx(facts, template_set(budget.unit.name)))
    stage("pdf", lambda: pdf.write_pdf(filled, fonts=fonts))   # reads the filled tree, as build does
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", default=ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx", type=Path)
    parser.add_argument("-n", type=int, default=7)
    args = parser.parse_args()
    w = time.perf_counter()
    fonts = pdf.resolve_fonts(None)
    print(f"fonts: {time.perf_counter() - w:.3f} s once per process — {fonts.describe()}")
    one_build(args.workbook, fonts)                       # warm-up: imports, template compile, font subsets
    runs = [one_build(args.workbook, fonts) for _ in range(args.n)]
    print(f"{'stage':<8}{'wall med':>10}{'wall min':>10}{'cpu med':>10}{'cpu min':>10}")
    for name in (*STAGES, "total"):
        walls = [sum(r[s][0] for s in STAGES) if name == "total" else r[name][0] for r in runs]
        cpus = [sum(r[s][1] for s in STAGES) if name == "total" else r[name][1] for r in runs]
        print(f"{name:<8}{statistics.median(walls):>10.3f}{min(walls):>10.3f}"
              f"{statistics.median(cpus):>10.3f}{min(cpus):>10.3f}")


if __name__ == "__main__":
    main()
