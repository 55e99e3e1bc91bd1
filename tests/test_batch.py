"""Issue 5: batch builds, the skip cache, manifest.csv, per-unit templates, Ctrl-C, byte-identical output."""
from __future__ import annotations

import csv
import hashlib
import multiprocessing
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport.batch import CACHE_NAME, FAILED, INTERRUPTED_REASON, MANIFEST_COLUMNS, run_batch
from budgetreport.build import build_report
from budgetreport.cli import app
from budgetreport.templates import PACKAGED_DEFAULTS
from conftest import SAMPLE, UNIT, set_field
from textutil import docx_lines

OTHER = "昌吉市测试局"


def unit_copy(path: Path, name: str) -> Path:
    """The sample with another 单位名称 (单位信息 B column)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, path)
    wb = openpyxl.load_workbook(path)
    set_field(wb["单位信息"], "单位名称", name)
    wb.save(path)
    return path


def sample_copy(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SAMPLE, path))


def docx_name(unit: str) -> str:
    return f"{unit}2025年单位预算公开.docx"


def manifest_rows(outdir: Path) -> list[dict[str, str]]:
    raw = (outdir / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "manifest.csv must start with a UTF-8 BOM (Excel)"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """Two good units (one in a sub-folder), a file that is no workbook, an Excel lock file; built via the CLI."""
    base = tmp_path_factory.mktemp("batch")
    inputs, outdir = base / "in", base / "out"
    sample_copy(inputs / "a" / "sample.xlsx")
    unit_copy(inputs / "b" / "other.xlsx", OTHER)
    (inputs / "broken.xlsx").write_bytes(b"this is not a workbook")
    (inputs / "~$sample.xlsx").write_bytes(b"lock")
    result = CliRunner().invoke(app, ["batch", str(inputs), "-o", str(outdir), "-j", "2", "--no-pdf"])
    return inputs, outdir, result


def test_good_units_are_built_and_the_broken_one_fails_alone(first_run):
    inputs, outdir, result = first_run
    assert result.exit_code == 1, result.output
    assert (outdir / docx_name(UNIT)).is_file()
    assert (outdir / docx_name(OTHER)).is_file()
    assert not list(outdir.glob("*.pdf"))
    assert OTHER in "".join(docx_lines(outdir / docx_name(OTHER)))
    assert "broken.xlsx" in result.output and "失败" in result.output


def test_manifest_lists_every_unit_sorted_with_reason_and_hash(first_run):
    _, outdir, _ = first_run
    rows = manifest_rows(outdir)
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    assert [r["输入文件"] for r in rows] == ["a/sample.xlsx", "b/other.xlsx", "broken.xlsx"]
    broken = rows[2]
    assert broken["状态"] == "失败" and "不是 Excel 工作簿" in broken["原因"] and broken["输出文件"] == ""
    good = rows[0]
    assert good["单位名称"] == UNIT and good["年度"] == "2025" and good["状态"] in ("成功", "有提醒")
    assert good["输出文件"] == docx_name(UNIT)
    assert good["SHA-256"] == hashlib.sha256((outdir / docx_name(UNIT)).read_bytes()).hexdigest()


def test_second_run_skips_unchanged_units_and_force_rebuilds(first_run):
    inputs, outdir, _ = first_run
    outputs = [outdir / docx_name(UNIT), outdir / docx_name(OTHER)]
    mtimes = [p.stat().st_mtime_ns for p in outputs]
    manifest_before = (outdir / "manifest.csv").read_bytes()
    again = run_batch(inputs, outdir, jobs=1, pdf=False)
    by_input = {u.input: u for u in again.units}
    assert by_input["a/sample.xlsx"].skipped and by_input["b/other.xlsx"].skipped
    assert not by_input["broken.xlsx"].skipped and by_input["broken.xlsx"].status == FAILED
    assert [p.stat().st_mtime_ns for p in outputs] == mtimes
    assert (outdir / "manifest.csv").read_bytes() == manifest_before   # deterministic
    assert again.return_code == 1

    # a changed workbook is rebuilt, the other one still skipped
    unit_copy(inputs / "b" / "other.xlsx", OTHER + "二")
    changed = {u.input: u for u in run_batch(inputs, outdir, jobs=1, pdf=False).units}
    assert changed["a/sample.xlsx"].skipped and not changed["b/other.xlsx"].skipped
    assert (outdir / docx_name(OTHER + "二")).is_file()

    # an output deleted or edited by hand is rebuilt
    (outdir / docx_name(UNIT)).write_bytes(b"edited")
    rebuilt = {u.input: u for u in run_batch(inputs, outdir, jobs=1, pdf=False).units}
    assert not rebuilt["a/sample.xlsx"].skipped and rebuilt["a/sample.xlsx"].status != FAILED

    forced = run_batch(inputs, outdir, jobs=2, pdf=False, force=True)
    assert forced.skipped == 0 and sum(u.status != FAILED for u in forced.units) == 2
    assert not list(outdir.glob(".~*.tmp"))


def test_two_workbooks_of_the_same_unit_and_year_fail_the_later_one(tmp_path):
    inputs = tmp_path / "in"
    sample_copy(inputs / "1.xlsx")
    sample_copy(inputs / "2.xlsx")
    report = run_batch(inputs, tmp_path / "out", jobs=2, pdf=False)
    first, second = report.units
    assert first.status != FAILED and first.outputs
    assert second.status == FAILED and "1.xlsx" in second.reason and "同一单位同一年度" in second.reason
    assert report.return_code == 1


def test_ctrl_c_keeps_finished_units_and_the_next_run_continues(tmp_path):
    inputs, outdir = tmp_path / "in", tmp_path / "out"
    for i in range(4):
        unit_copy(inputs / f"{i}.xlsx", f"{OTHER}{i}")

    def interrupt(p) -> None:
        if p.done >= 1:
            raise KeyboardInterrupt

    report = run_batch(inputs, outdir, jobs=1, pdf=False, progress=interrupt)
    assert report.interrupted and report.return_code == 130
    finished = [u for u in report.units if u.status != FAILED]
    assert 1 <= len(finished) < 4
    assert any(u.reason == INTERRUPTED_REASON for u in report.units)
    assert not list(outdir.glob(".~*"))
    assert (outdir / CACHE_NAME).is_file()
    resumed = run_batch(inputs, outdir, jobs=1, pdf=False)
    assert resumed.skipped == len(finished) and resumed.failed == 0


def test_unit_templates_override_only_their_unit_and_broken_ones_fail_alone(tmp_path):
    inputs, outdir, root = tmp_path / "in", tmp_path / "out", tmp_path / "templates"
    sample_copy(inputs / "sample.xlsx")
    unit_copy(inputs / "custom.xlsx", "定制单位")
    unit_copy(inputs / "undefined.xlsx", "坏模板单位")
    unit_copy(inputs / "escape.xlsx", "越权模板单位")
    phrases = (PACKAGED_DEFAULTS / "phrases.j2").read_text(encoding="utf-8")
    assert "比上年预算{{ delta(c) }}" in phrases
    for unit, text in (("定制单位", phrases.replace("比上年预算{{ delta(c) }}", "与去年相比{{ delta(c) }}")),
                       ("坏模板单位", phrases + "\n{{ unknown_thing }}\n"),
                       ("越权模板单位", phrases + "\n{{ ''.__class__.__mro__ }}\n")):
        (root / unit).mkdir(parents=True)
        (root / unit / "phrases.j2").write_text(text, encoding="utf-8")

    report = run_batch(inputs, outdir, jobs=2, pdf=False, templates_root=root)
    units = {u.unit or u.input: u for u in report.units}
    assert units[UNIT].status != FAILED and units["定制单位"].status != FAILED
    assert "与去年相比" in "".join(docx_lines(outdir / docx_name("定制单位")))
    assert "与去年相比" not in "".join(docx_lines(outdir / docx_name(UNIT)))
    bad = units["坏模板单位"]
    assert bad.status == FAILED and "phrases.j2" in bad.reason and "unknown_thing" in bad.reason
    escape = units["越权模板单位"]
    assert escape.status == FAILED and "phrases.j2" in escape.reason and "__class__" in escape.reason
    assert not (outdir / docx_name("坏模板单位")).exists()

    # fixing the template rebuilds that unit only (the template files are part of the cache key)
    (root / "坏模板单位" / "phrases.j2").write_text(phrases, encoding="utf-8")
    again = {u.unit: u for u in run_batch(inputs, outdir, jobs=1, pdf=False, templates_root=root).units}
    assert again["坏模板单位"].status != FAILED and not again["坏模板单位"].skipped
    assert again[UNIT].skipped and again["定制单位"].skipped


def test_templates_copy(tmp_path):
    root = tmp_path / "templates"
    runner = CliRunner()
    result = runner.invoke(app, ["templates", "copy", OTHER, "--templates", str(root)])
    assert result.exit_code == 0, result.output
    for name in ("report.docx", "phrases.j2"):
        assert (root / OTHER / name).read_bytes() == (PACKAGED_DEFAULTS / name).read_bytes()
    (root / OTHER / "phrases.j2").write_text("edited", encoding="utf-8")
    refused = runner.invoke(app, ["templates", "copy", OTHER, "--templates", str(root)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (root / OTHER / "phrases.j2").read_text(encoding="utf-8") == "edited"
    forced = runner.invoke(app, ["templates", "copy", OTHER, "--templates", str(root), "--force"])
    assert forced.exit_code == 0
    assert (root / OTHER / "phrases.j2").read_bytes() == (PACKAGED_DEFAULTS / "phrases.j2").read_bytes()


def test_same_input_gives_byte_identical_docx_and_pdf(tmp_path):
    """Issue 5.5: two builds (and the batch path) give the same bytes."""
    first = build_report(SAMPLE, tmp_path / "1")
    second = build_report(SAMPLE, tmp_path / "2")
    assert first.docx.read_bytes() == second.docx.read_bytes()
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    inputs = tmp_path / "in"
    sample_copy(inputs / "sample.xlsx")
    # a fresh interpreter (spawn, nothing inherited) passed through the executor seam
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        report = run_batch(inputs, tmp_path / "batch", executor=executor)
    assert report.return_code == 0
    assert (tmp_path / "batch" / first.docx.name).read_bytes() == first.docx.read_bytes()
    assert (tmp_path / "batch" / first.pdf.name).read_bytes() == first.pdf.read_bytes()


_BUILD_IN_ORDER = """
import sys
from pathlib import Path
from budgetreport.build import render_report
out = Path(sys.argv[1])
for i, path in enumerate(sys.argv[2:]):
    r = render_report(path)
    (out / f"{i}.docx").write_bytes(r.docx)
    (out / f"{i}.pdf").write_bytes(r.pdf)
"""


def _build_in_one_process(outdir: Path, *workbooks: Path) -> list[tuple[bytes, bytes]]:
    outdir.mkdir()
    subprocess.run([sys.executable, "-c", _BUILD_IN_ORDER, str(outdir), *map(str, workbooks)], check=True)
    return [((outdir / f"{i}.docx").read_bytes(), (outdir / f"{i}.pdf").read_bytes()) for i in range(len(workbooks))]


def test_units_built_one_after_another_do_not_leak_into_each_other(tmp_path):
    """A worker keeps caches across the units it builds (line layouts, model objects): a unit's bytes are the
    same whether it is built alone in a fresh process or after another unit, in either order."""
    a = sample_copy(tmp_path / "a.xlsx")
    b = unit_copy(tmp_path / "b.xlsx", OTHER)
    wb = openpyxl.load_workbook(b)
    set_field(wb["单位信息"], "内设科室", "办公室、指挥调度科、信息技术科、综合执法协调科、第一业务科、第二业务科")
    set_field(wb["单位信息"], "主要职能", "负责全市城市运行的统一指挥调度，" * 6 + "承办上级交办的其他事项。")
    wb.save(b)
    alone_a = _build_in_one_process(tmp_path / "a", a)[0]
    alone_b = _build_in_one_process(tmp_path / "b", b)[0]
    assert alone_a != alone_b
    assert _build_in_one_process(tmp_path / "ab", a, b) == [alone_a, alone_b]
    assert _build_in_one_process(tmp_path / "ba", b, a) == [alone_b, alone_a]
