"""CPU time of the read stage on the sample workbook: median over N warm runs (time.process_time)."""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from budgetreport.read import read_workbook
from budgetreport.workbook_io import open_report_workbook, open_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"


def _median(fn, n: int) -> float:
    fn(SAMPLE)                                  # warm: imports, caches
    times = []
    for _ in range(n):
        start = time.process_time()
        fn(SAMPLE)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=21)
    n = parser.parse_args().n
    print(f"open_workbook  {_median(open_workbook, n) * 1000:7.2f} ms CPU (median of {n}; every sheet)")
    print(f"open_report_workbook {_median(open_report_workbook, n) * 1000:7.2f} ms CPU (median of {n}; the report's sheets)")
    print(f"read_workbook  {_median(read_workbook, n) * 1000:7.2f} ms CPU (median of {n})")


if __name__ == "__main__":
    main()
