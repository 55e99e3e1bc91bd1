"""Issue 15's speed goals, measured: read + check of the sample (goal < 0.1 s) and the time an annotated copy
adds (goal < 0.5 s). Wall and CPU seconds (time.perf_counter / time.process_time), median of N warm runs.

    python bench/check_bench.py [-n 15]

Two workbooks: the sample (2 reminders) and a blank `init` workbook (every fact missing: 43 errors), so the
annotated copy is measured with few and with many marked cells. On a shared machine quote the CPU figures.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from budgetreport.annotate import annotated_bytes
from budgetreport.build import check_readable
from budgetreport.checks import check_workbook
from budgetreport.init_workbook import write_blank_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"


def _median(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """(wall, CPU) seconds, each the median of n runs after one warm-up run (imports, caches)."""
    fn()
    walls, cpus = [], []
    for _ in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


def read_and_check(path: Path):
    """What `budgetreport check` does before printing: refuse what is not a workbook, read, run the rules."""
    check_readable(path)
    return check_workbook(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs per figure (median)")
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        blank = Path(tmp) / "空白.xlsx"
        write_blank_workbook(blank, unit="测试单位", year=2026)
        print(f"median of {n} warm runs; seconds: wall / CPU")
        for label, path in (("sample", SAMPLE), ("blank init", blank)):
            result = read_and_check(path)
            wall, cpu = _median(lambda: read_and_check(path), n)
            print(f"{label:10s} read + check        {wall:6.3f} / {cpu:6.3f}   "
                  f"(goal < 0.1; {len(result.findings)} findings)")
            wall, cpu = _median(lambda: annotated_bytes(path, result.findings), n)
            print(f"{label:10s} annotated copy adds {wall:6.3f} / {cpu:6.3f}   (goal < 0.5)")


if __name__ == "__main__":
    main()
