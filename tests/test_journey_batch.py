"""The bureau's journey through the real command line: a folder of units' workbooks — good ones, one with rule
errors, one that is not a workbook at all, one a clerk already checked with `check --annotate` (its copy lies
beside it) — goes through `batch --annotate`; the bureau reads manifest.csv and 校验汇总.xlsx.

Expected statuses and counts come from running `check --format json` on each workbook alone."""
from __future__ import annotations

import json
import random
from pathlib import Path

import openpyxl
import pytest

from batchutil import manifest_rows, run_cli, unit_copy


def _break_totals(path: Path, rng: random.Random) -> None:
    """A clerk's slip in 表1's figures (a cross-table rule catches it)."""
    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("表1"))
    ws["B7"] = rng.choice([999999.99, 1.5, 12345])
    wb.save(path)


@pytest.fixture(scope="module", params=[7, 8])
def bureau(request, tmp_path_factory):
    rng = random.Random(request.param)
    base = tmp_path_factory.mktemp(f"bureau{request.param}")
    inputs = base / "收到的工作簿"
    good = [f"良好单位{n}" for n in rng.sample(range(10, 99), 2)]
    for n, name in enumerate(good):
        unit_copy(inputs / f"{n}_{name}.xlsx", name)
    failing = inputs / "子目录" / "错误单位.xlsx"
    unit_copy(failing, "数字有误的单位")
    _break_totals(failing, rng)
    (inputs / "坏文件.xlsx").write_bytes(rng.choice([b"", b"PK\x03\x04broken", "不是表格".encode()]))
    beside = run_cli(["check", failing.name, "--annotate"], cwd=failing.parent)   # the clerk's own check
    assert beside.returncode == 1 and (failing.parent / "错误单位（校验意见）.xlsx").is_file()
    oracle = {}
    for path in sorted(p for p in inputs.rglob("*.xlsx") if "（校验意见）" not in p.name):
        done = run_cli(["check", str(path), "--format", "json"])
        oracle[path.relative_to(inputs).as_posix()] = json.loads(done.stdout)
    done = run_cli(["batch", str(inputs), "-o", str(base / "输出"), "--annotate", "--no-pdf", "-j", "2",
                    "--timeout", "300"])
    return inputs, base / "输出", done, oracle, good


def test_every_unit_once_in_the_manifest_and_the_annotated_copy_beside_is_no_unit(bureau):
    _, out, done, oracle, good = bureau
    assert done.returncode == 1, done.stderr          # a unit failed; the batch went on
    assert "Traceback" not in done.stderr
    rows = {r["输入文件"]: r for r in manifest_rows(out)}
    assert sorted(rows) == sorted(oracle)             # 错误单位（校验意见）.xlsx is not taken as a unit
    for rel, found in oracle.items():
        row = rows[rel]
        if not found["readable"]:
            assert row["状态"] == "失败" and row["原因"] == found["error"] and row["输出文件"] == ""
            continue
        expected = "失败" if found["errors"] else "有提醒" if found["warnings"] else "成功"
        assert row["状态"] == expected and int(row["提醒数"]) == (0 if found["errors"] else found["warnings"])
        assert row["模板"] == "默认模板"
    for name in good:
        row = next(r for r in rows.values() if r["单位名称"] == name)
        assert row["输出文件"].split("; ")[0] == f"{name}2025年单位预算公开.docx"
        assert (out / row["输出文件"].split("; ")[0]).is_file()


def test_the_failing_unit_gets_its_annotated_copy_in_the_output_folder(bureau):
    _, out, _, oracle, _ = bureau
    copy = out / "子目录_错误单位（校验意见）.xlsx"
    assert copy.is_file()
    wb = openpyxl.load_workbook(copy)
    expected = oracle["子目录/错误单位.xlsx"]
    assert wb.sheetnames[0] == "校验意见"
    listed = [r for r in wb["校验意见"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(listed) >= expected["errors"] + expected["warnings"]
    errors = [f for f in expected["findings"] if f["level"] == "错误"]
    for f in errors:
        if f["cell"]:
            ws = next(ws for ws in wb.worksheets if ws.title == f["sheet"])
            assert ws[f["cell"]].comment is not None and f["rule"] in ws[f["cell"]].comment.text


def test_the_summary_workbook_agrees_with_each_units_own_check(bureau):
    _, out, _, oracle, _ = bureau
    wb = openpyxl.load_workbook(out / "校验汇总.xlsx")
    units = wb["单位汇总"]
    header = [c.value for c in units[1]]
    rows = {r[0]: dict(zip(header, r)) for r in units.iter_rows(min_row=2, values_only=True)}
    assert sorted(rows) == sorted(oracle)
    for rel, found in oracle.items():
        if not found["readable"]:
            assert rows[rel]["状态"] == "失败" and rows[rel]["错误数"] == 1
            assert found["error"].split("：", 1)[1] in rows[rel]["第一个问题"]
            continue
        assert (rows[rel]["错误数"], rows[rel]["提醒数"]) == (found["errors"], found["warnings"])
    every = list(wb["全部问题"].iter_rows(min_row=2, values_only=True))
    rules = {r[3] for r in every if r[1] == "子目录/错误单位.xlsx"}
    assert rules == {f["rule"] for f in oracle["子目录/错误单位.xlsx"]["findings"]}
    assert wb["全部问题"].auto_filter.ref is not None


def test_the_printed_summary_counts_and_names_the_files(bureau):
    _, out, done, oracle, _ = bureau
    failed = sum(1 for f in oracle.values() if not f["readable"] or f["errors"])
    assert f"共 {len(oracle)} 个单位" in done.stdout and f"失败 {failed}" in done.stdout
    assert str(out / "manifest.csv") in done.stdout and "校验汇总.xlsx" in done.stdout
