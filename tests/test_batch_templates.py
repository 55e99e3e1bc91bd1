"""Issue 12 item 3, batch part: batch says which template folder each unit used (manifest column 模板, the
summary's 模板 column, the result table) and gives a 提醒 for every folder under the templates root that no unit
of the batch uses — in the printed summary and in 校验汇总.xlsx (rule TPL-UNUSED).

The expectations come from the folder names the test makes and the units it writes, not from the lookup code:
a unit uses the folder named exactly like its 单位名称, else the one named like its 单位编码, else 默认模板."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from batchutil import manifest_rows, run_cli, unit_copy
from budgetreport.batch import run_batch

DEFAULTS = Path(__file__).resolve().parents[1] / "templates" / "default"

# (input file, 单位名称, 单位编码, what the test does to it)
UNITS = [
    ("a_own.xlsx", "自有模板单位甲", "", "ok"),
    ("b_code.xlsx", "编码模板单位乙", "91650000", "ok"),
    ("c_default.xlsx", "默认模板单位丙", "", "ok"),
    ("d_failing.xlsx", "校验失败单位丁", "", "total"),     # check errors: it fails, its folder is still known
    ("e_broken.xlsx", "", "", "unreadable"),
]
OWN = {"自有模板单位甲": "自有模板单位甲", "编码模板单位乙": "91650000", "校验失败单位丁": "校验失败单位丁"}
UNUSED_PLAIN = ["无人使用的文件夹", "2024年旧模板"]
NEAR_MISS = "自有模板单位甲(1)"           # what Windows names a copied folder: meant for 自有模板单位甲


def _make_inputs(inputs: Path) -> None:
    for file, name, code, what in UNITS:
        path = inputs / file
        if what == "unreadable":
            inputs.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK\x03\x04 not really a workbook")
            continue
        unit_copy(path, name, **({"单位编码": code} if code else {}))
        if what == "total":
            wb = openpyxl.load_workbook(path)
            ws = next(ws for ws in wb.worksheets if ws.title.startswith("表1"))
            ws["B7"] = 999999.99
            wb.save(path)


def _make_root(root: Path) -> None:
    shutil.copytree(DEFAULTS, root / "default")
    for folder in [*OWN.values(), *UNUSED_PLAIN, NEAR_MISS]:
        (root / folder).mkdir(parents=True)
        shutil.copy(DEFAULTS / "phrases.j2", root / folder / "phrases.j2")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("batch_templates")
    inputs, out, root = base / "in", base / "out", base / "templates"
    _make_inputs(inputs)
    _make_root(root)
    done = run_cli(["batch", str(inputs), "-o", str(out), "--no-pdf", "-j", "2", "--templates", str(root)])
    return inputs, out, root, done


def _expected_label(name: str) -> str:
    return OWN.get(name, "默认模板") if name else ""


def test_manifest_names_the_template_folder_of_every_unit(batch):
    _, out, _, done = batch
    assert done.returncode == 1, done.stderr          # d_failing and e_broken fail
    rows = {r["输入文件"]: r for r in manifest_rows(out)}
    assert sorted(rows) == sorted(u[0] for u in UNITS)
    for file, name, _, what in UNITS:
        assert rows[file]["模板"] == _expected_label(name), (file, rows[file])
        assert rows[file]["状态"] == ("失败" if what in ("total", "unreadable") else rows[file]["状态"])
    # the folder name only, never a machine's path
    assert all("/" not in r["模板"] and "\\" not in r["模板"] for r in rows.values())


def test_the_summary_workbook_has_the_template_column_and_the_unused_folders(batch):
    _, out, _, _ = batch
    wb = openpyxl.load_workbook(out / "校验汇总.xlsx")
    units = wb["单位汇总"]
    header = [c.value for c in units[1]]
    column = header.index("模板")
    labels = {row[0]: row[column] or "" for row in units.iter_rows(min_row=2, values_only=True)}
    assert labels == {file: _expected_label(name) for file, name, _, _ in UNITS}
    batch_rows = [r for r in wb["全部问题"].iter_rows(min_row=2, values_only=True) if r[3] == "TPL-UNUSED"]
    assert [r[1] for r in batch_rows] == ["（本批次）"] * len(batch_rows)
    assert {r[2] for r in batch_rows} == {"提醒"} and all(r[0] in (None, "") for r in batch_rows)
    named = sorted(next(f for f in [*UNUSED_PLAIN, NEAR_MISS] if f"“{f}”" in r[6]) for r in batch_rows)
    assert named == sorted([*UNUSED_PLAIN, NEAR_MISS])
    # the filters cover the batch rows too
    assert wb["全部问题"].auto_filter.ref.endswith(str(wb["全部问题"].max_row))


def test_the_printed_summary_names_each_unused_folder_and_its_fix(batch):
    _, _, _, done = batch
    lines = [line for line in done.stdout.splitlines() if line.startswith("提醒：")]
    assert len(lines) == len(UNUSED_PLAIN) + 1, done.stdout
    for folder in UNUSED_PLAIN:
        line = next(l for l in lines if f"“{folder}”" in l)
        assert "没有被本次的任何单位使用" in line and "单位名称或单位编码完全相同" in line
    near = next(l for l in lines if f"“{NEAR_MISS}”" in l)
    assert "单位“自有模板单位甲”" in near and "改名为“自有模板单位甲”" in near
    for used in OWN.values():                       # a folder a unit used is never called unused
        assert not any(f"“{used}”没有" in l for l in lines)
    assert "校验汇总.xlsx" in done.stdout


def test_skipped_units_keep_their_template_and_count_as_users(batch, tmp_path):
    inputs, out, root, _ = batch
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    report = run_batch(inputs, copy, jobs=1, pdf=False, templates_root=root)
    by_input = {u.input: u for u in report.units}
    assert all(by_input[f].skipped for f, _, _, what in UNITS if what == "ok")
    assert {f: by_input[f].templates for f, *_ in UNITS} == {f: _expected_label(n) for f, n, _, _ in UNITS}
    flagged = sorted(n.split("“")[1].split("”")[0] for n in report.notes)    # the folder each note is about
    assert flagged == sorted([*UNUSED_PLAIN, NEAR_MISS])


@pytest.mark.parametrize("used_by_all", [True, False])
def test_no_reminder_when_every_folder_is_used(tmp_path, used_by_all):
    inputs, out, root = tmp_path / "in", tmp_path / "out", tmp_path / "templates"
    names = ["单位一号", "单位二号", "单位三号"]
    for i, name in enumerate(names):
        unit_copy(inputs / f"{i}.xlsx", name)
    shutil.copytree(DEFAULTS, root / "default")
    folders = names if used_by_all else names + ["多余的文件夹"]
    for name in folders:
        (root / name).mkdir()
    report = run_batch(inputs, out, jobs=1, pdf=False, templates_root=root)
    assert [u.templates for u in report.units] == names
    assert len(report.notes) == (0 if used_by_all else 1)
    if not used_by_all:
        assert "“多余的文件夹”" in report.notes[0]
