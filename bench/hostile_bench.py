"""Peak memory and time of opening the worst hostile workbooks (issue 13 item 2), one fresh process per case.

    python bench/hostile_bench.py            # the sizes of the issue (builds ≈ 250 MB of XML first)
    python bench/hostile_bench.py --quick    # small sizes, to check the script runs

For each case: the outcome (the message's start, or "read"), wall time of `open_report_workbook`, the peak of
Python allocations (tracemalloc) and the process's peak resident size (ru_maxrss, which includes the interpreter
and lxml, ≈ 40–80 MB before any workbook; tracemalloc does not see lxml's own memory, maxrss does). Numbers are only meaningful on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import xlsx_hostile as h  # noqa: E402  (tests/ holds the generator shared with the tests)


def cases(quick: bool) -> dict[str, Callable[[Path], object]]:
    """Case name → a function writing the case's .xlsx to a path."""
    scale = 10 if quick else 1
    rows = 1_000_000 // scale
    big = 48 // (scale * 4) or 1
    cols = 900_000 // scale                     # ≈ 40 MB of XML
    cells = 1_250_000 // scale                  # ≈ 48 MB of XML
    text = "".join(chr(0x4E00 + (i * 7919) % 20_000) for i in range(1_000_000 // scale))
    unused = h.Book()
    for i in range(4):
        unused.add_sheet(f"草稿{i}", h.big_sheet(big, seed=i))
    books = {
        "sample": h.Book(),
        f"{rows} rows with r": h.t6_with_rows("".join(f'<row r="{33 + i}"><c r="A{33 + i}"><v>1</v></c></row>'
                                                      for i in range(rows))),
        f"{rows // 10} rows without r": h.t6_with_rows(h.rows_without_r(rows // 10)),
        'row r="1e9"': h.t6_with_rows('<row r="1e9"/>'),
        "250 000 cells in a row": h.t6_with_rows('<row r="33">' + "<c/>" * 250_000 + "</row>"),
        f"{cells // 1000}k cells in one row, all A33": h.t6_with_rows('<row r="33">' + "".join(
            f'<c r="A33"><v>{(i * 7919) % 100003 / 7}</v></c>' for i in range(cells)) + "</row>"),
        "13 rows of 16 000 cells": h.t6_with_rows("".join(f'<row r="{33 + i}">' + "<c/>" * 16_000 + "</row>"
                                                          for i in range(13))),
        f"{len(text)}-character cell": h.t6_with_rows(f'<row r="33"><c r="H33" t="inlineStr"><is><t>{text}</t></is>'
                                                     "</c></row>"),
        f"4 unused sheets of {big} MB": unused,
        f"{cols // 1000}k <col> in a used sheet": h.Book().sub(h.T6_PART, "<sheetData>", "<cols>" + "".join(
            f'<col min="{i % 16000 + 1}" max="{i % 16000 + 1}" width="{(i * 7919) % 10007 / 97:.6f}"/>'
            for i in range(cols)) + "</cols><sheetData>"),
    }
    out: dict[str, Callable[[Path], object]] = {name: book.save for name, book in books.items()}
    out[f"zip bomb ({64 if quick else 2048} MB of spaces)"] = lambda path: _bomb(path, 64 if quick else 2048)
    return out


def _bomb(path: Path, megabytes: int) -> None:
    """The sample with T6 replaced by a part that inflates to `megabytes` of spaces (declared honestly)."""
    book = h.Book()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in book.parts.items():
            if name != h.T6_PART:
                z.writestr(name, data)
        with z.open(h.T6_PART, "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)


def _measure(path: str, queue) -> None:
    from budgetreport.errors import BudgetError
    from budgetreport.workbook_io import open_report_workbook
    tracemalloc.start()
    started = time.perf_counter()
    try:
        open_report_workbook(Path(path))
        outcome = "read"
    except BudgetError as exc:
        outcome = exc.message[:48]
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    queue.put((outcome, elapsed, peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    context = multiprocessing.get_context("spawn")
    print(f"{'case':<30} {'time':>8} {'py peak':>9} {'maxrss':>9}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, write in cases(quick).items():
            path = Path(folder) / "case.xlsx"
            write(path)
            queue = context.Queue()
            worker = context.Process(target=_measure, args=(str(path), queue))
            worker.start()
            outcome, elapsed, peak, maxrss = queue.get()
            worker.join()
            print(f"{name:<30} {elapsed:7.2f}s {peak / 2**20:7.1f}MB {maxrss / 1024:7.1f}MB  {outcome}")


if __name__ == "__main__":
    main()
