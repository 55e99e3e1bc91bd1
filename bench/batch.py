"""Batch benchmark: N synthetic units → units per second and peak memory, .docx only and .docx+.pdf, -j 1 / -j 2.

    python bench/batch.py                 # N=10, quick
    python bench/batch.py --n 50
    python bench/batch.py --n 500 --jobs 2 --modes docx

Units are copies of the sample with their own unit name and a varied number of indicator rows (单位整体绩效指标,
项目支出绩效指标) and 内设科室, so tables and pages differ while every cross-table check still holds. Each
measurement runs in a fresh process (`--measure`), so peak memory (ru_maxrss of that process and of its
largest pool worker) belongs to that run alone. Times include starting the worker pool. CPU s/unit (main
process + workers) is printed too: on a shared machine it is the figure other load does not distort; "workers"
is the workers' part of it, "main CPU s" the main process's total (imports, the warm-up it does before forking
its workers on Linux, hashing and writing files). Runs are measured as installed: with Python's bytecode cache
(PYTHONDONTWRITEBYTECODE is dropped for them) and the persistent disk cache as it is (BUDGETREPORT_CACHE_DIR=DIR
or off to measure a first run).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
SAMPLE_UNIT = "昌吉市城市管理指挥中心"
VARIANTS = 4


def _variant(path: Path, extra: int) -> bytes:
    """The sample with `extra` more indicator rows on both indicator sheets and more 内设科室."""
    import openpyxl
    wb = openpyxl.load_workbook(SAMPLE)
    for sheet in ("单位整体绩效指标", "项目支出绩效指标"):
        ws = wb[sheet]
        last = [c.value for c in ws[ws.max_row]]
        for i in range(extra):
            row = list(last)
            third = 2 if sheet == "单位整体绩效指标" else 3     # 三级指标 column (0-based)
            row[third] = f"{row[third]}（补充{i + 1}）"
            ws.append(row)
    info = wb["单位信息"]
    for row in info.iter_rows(min_col=1, max_col=2):
        if row[0].value == "内设科室":
            row[1].value = "、".join([row[1].value] + [f"第{i + 1}业务科" for i in range(extra)])
    wb.save(path)
    return path.read_bytes()


def _rename(xlsx: bytes, name: str) -> bytes:
    """Replace the unit name in every cell (consistent: titles, 编制单位, text). Far faster than openpyxl for N
    copies; openpyxl may have written the name as UTF-8 or as character references."""
    forms = (SAMPLE_UNIT.encode(), "".join(f"&#{ord(c)};" for c in SAMPLE_UNIT).encode())
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/") and info.filename.endswith(".xml"):
                for form in forms:
                    data = data.replace(form, name.encode())
            dst.writestr(info, data)
    return out.getvalue()


def generate(n: int, folder: Path) -> None:
    """N workbooks, named 测试单位0001 … with VARIANTS different row counts."""
    variants = [_variant(folder / f"_v{k}.xlsx", extra=3 * k) for k in range(VARIANTS)]
    for k in range(VARIANTS):
        (folder / f"_v{k}.xlsx").unlink()
    for i in range(n):
        name = f"昌吉市测试单位{i + 1:04d}"
        sub = folder / f"片区{i % 7 + 1}"
        sub.mkdir(exist_ok=True)
        (sub / f"{name}.xlsx").write_bytes(_rename(variants[i % VARIANTS], name))


def measure(inputs: Path, outdir: Path, jobs: int, pdf: bool) -> dict:
    """One batch run in this (fresh) process; prints nothing, returns figures."""
    from budgetreport.batch import run_batch
    started = time.perf_counter()
    report = run_batch(inputs, outdir, jobs=jobs, pdf=pdf, force=True)
    elapsed = time.perf_counter() - started
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        # CPU seconds per unit, main + workers: unlike units/s, not skewed by other load on the machine
        "cpu_per_unit": (me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) / max(1, len(report.units)),
        "worker_cpu_per_unit": (kids.ru_utime + kids.ru_stime) / max(1, len(report.units)),
        "main_cpu": me.ru_utime + me.ru_stime,     # imports, warm-up before forking, hashing, writing files
        "units": len(report.units), "failed": report.failed, "elapsed": elapsed,
        "first_failure": next((u.reason for u in report.units if u.status == "失败"), ""),
        "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,   # largest worker
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10], help="number of units (several: one run each)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--modes", nargs="+", default=["docx", "docx+pdf"], choices=["docx", "docx+pdf"])
    ap.add_argument("--measure", nargs=4, metavar=("INPUTS", "OUTDIR", "JOBS", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        inputs, outdir, jobs, mode = args.measure
        print(json.dumps(measure(Path(inputs), Path(outdir), int(jobs), mode == "docx+pdf")))
        return

    print(f"{'N':>5} {'mode':>9} {'-j':>3} {'seconds':>8} {'units/s':>8} {'CPU s/unit':>10} {'workers':>8} "
          f"{'main CPU s':>10} {'main MB':>8} {'worker MB':>9}")
    # as installed: pip writes bytecode at install and Python keeps it; a PYTHONDONTWRITEBYTECODE set in the
    # shell would make every measured run compile our modules from source again (≈0.15 s of the warm-up)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="budgetreport-bench-") as tmp:
            inputs = Path(tmp) / "in"
            inputs.mkdir()
            generate(n, inputs)
            for mode in args.modes:
                for jobs in args.jobs:
                    outdir = Path(tmp) / f"out-{mode}-{jobs}"
                    res = subprocess.run([sys.executable, __file__, "--measure", str(inputs), str(outdir),
                                          str(jobs), mode], capture_output=True, text=True, check=True, env=env)
                    r = json.loads(res.stdout)
                    shutil.rmtree(outdir, ignore_errors=True)
                    note = f"  失败 {r['failed']}：{r['first_failure'][:80]}" if r["failed"] else ""
                    print(f"{n:>5} {mode:>9} {jobs:>3} {r['elapsed']:>8.1f} {r['units'] / r['elapsed']:>8.2f} "
                          f"{r['cpu_per_unit']:>10.3f} {r['worker_cpu_per_unit']:>8.3f} {r['main_cpu']:>10.2f} "
                          f"{r['main_mb']:>8.0f} {r['worker_mb']:>9.0f}{note}", flush=True)


if __name__ == "__main__":
    main()
