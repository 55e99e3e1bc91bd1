"""Helpers the batch tests share: copies of the sample under other unit names, manifest rows, CLI runs."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl

from conftest import SAMPLE, set_field


def unit_copy(path: Path, name: str, **fields) -> Path:
    """The sample with another 单位名称 (and any other 单位信息 fields given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, path)
    wb = openpyxl.load_workbook(path)
    set_field(wb["单位信息"], "单位名称", name)
    for label, value in fields.items():
        set_field(wb["单位信息"], label, value)
    wb.save(path)
    return path


def manifest_rows(outdir: Path) -> list[dict[str, str]]:
    raw = (outdir / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "manifest.csv must start with a UTF-8 BOM (Excel)"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def run_cli(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """budgetreport in a fresh interpreter (what a clerk runs), output decoded as UTF-8."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "TERM": "dumb", **(env or {})}
    return subprocess.run([sys.executable, "-c", "from budgetreport.cli import main; main()", *args],
                          capture_output=True, text=True, encoding="utf-8", env=full_env, cwd=cwd, timeout=600)
