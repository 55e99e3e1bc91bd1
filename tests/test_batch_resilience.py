"""Issue 13 items 4 (batch part) and 12: one unit never sinks a batch. A worker killed as the out-of-memory killer
does, a unit that runs past its deadline, a workbook that cannot be opened, a unit whose name is too long for a
file name: only that unit fails, with a Chinese message; a new pool replaces a broken one; the batch finishes and
writes manifest.csv.

The killing and the hanging are injected into the real build (build.render_report wrapped, inherited by the
forked workers): no template can do either on purpose, yet both happen on clerks' machines."""
from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport import build as build_module
from budgetreport import concurrency
from budgetreport.batch import FAILED, run_batch
from budgetreport.cli import app
from budgetreport.unit_pool import DIED_REASON, NO_POOL_REASON, timeout_reason
from batchutil import manifest_rows, unit_copy

forks = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="injection reaches workers by fork")
real_render = build_module.render_report


def _killing(marker: str):
    """render_report, except that a workbook whose file name starts with `marker` kills its own worker."""
    def render(workbook, **kwargs):
        if Path(workbook).name.startswith(marker):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_render(workbook, **kwargs)
    return render


def _hanging(marker: str):
    def render(workbook, **kwargs):
        if Path(workbook).name.startswith(marker):
            while True:        # a C-level hang would not even see a signal: the main process kills the worker
                pass
        return real_render(workbook, **kwargs)
    return render


def _inputs(folder: Path, good: int, bad: list[str]) -> tuple[list[str], list[str]]:
    """`good` distinct good units and bad ones (file names given); returns their input names."""
    goods = [f"好{i}.xlsx" for i in range(good)]
    for i, name in enumerate(goods):
        unit_copy(folder / name, f"正常单位{i}")
    for i, name in enumerate(bad):
        unit_copy(folder / name, f"问题单位{i}")
    return goods, bad


def _assert_finished(report, outdir: Path, goods: list[str], bad: list[str], reason: str) -> None:
    by_input = {u.input: u for u in report.units}
    assert sorted(by_input) == sorted(goods + bad)
    for name in goods:
        assert by_input[name].status != FAILED, by_input[name].reason
        assert all((outdir / n).is_file() for n, _ in by_input[name].outputs)
    for name in bad:
        assert by_input[name].status == FAILED and by_input[name].reason == reason
        assert not by_input[name].outputs
    rows = {r["输入文件"]: r for r in manifest_rows(outdir)}
    assert sorted(rows) == sorted(goods + bad)
    assert all(rows[n]["状态"] == "失败" and rows[n]["原因"] == reason for n in bad)
    assert report.return_code == (1 if bad else 0)
    assert not list(outdir.glob(".~*"))
    summary = openpyxl.load_workbook(outdir / "校验汇总.xlsx")["单位汇总"]
    header = [c.value for c in summary[1]]
    units = {row[0]: dict(zip(header, row)) for row in summary.iter_rows(min_row=2, values_only=True)}
    assert sorted(units) == sorted(goods + bad)
    assert all(units[n]["状态"] == "失败" and units[n]["第一个问题"] == reason for n in bad)


@forks
@pytest.mark.parametrize("good, killers, jobs", [
    (3, ["杀0.xlsx"], 2),                       # one killer among good units
    (2, ["杀0.xlsx", "杀1.xlsx"], 2),           # two killers side by side
    (2, ["杀0.xlsx"], 1),                       # one worker only
    (0, ["杀0.xlsx"], 2),                       # nothing but a killer
    (4, ["杀0.xlsx", "杀1.xlsx", "杀2.xlsx"], 2),
])
def test_a_killed_worker_fails_only_its_unit(tmp_path, monkeypatch, good, killers, jobs):
    monkeypatch.setattr(build_module, "render_report", _killing("杀"))
    goods, bad = _inputs(tmp_path / "in", good, killers)
    report = run_batch(tmp_path / "in", tmp_path / "out", jobs=jobs, pdf=False)
    _assert_finished(report, tmp_path / "out", goods, bad, DIED_REASON)
    assert "工作进程意外终止" in DIED_REASON


@forks
def test_the_next_run_rebuilds_only_what_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "render_report", _killing("杀"))
    goods, bad = _inputs(tmp_path / "in", 2, ["杀.xlsx"])
    run_batch(tmp_path / "in", tmp_path / "out", jobs=2, pdf=False)
    monkeypatch.setattr(build_module, "render_report", real_render)      # e.g. more memory now
    again = {u.input: u for u in run_batch(tmp_path / "in", tmp_path / "out", jobs=2, pdf=False).units}
    assert all(again[n].skipped for n in goods)
    assert not again["杀.xlsx"].skipped and again["杀.xlsx"].status != FAILED


@forks
def test_a_pool_whose_workers_cannot_start_fails_the_units_and_finishes(tmp_path, monkeypatch):
    """Workers that die as they start: every submit meets a broken pool. Replaced a few times, then each unit
    fails with a message; the batch still ends with a manifest."""
    monkeypatch.setattr(concurrency, "_forked_worker", lambda starts=None: os._exit(1))
    goods, _ = _inputs(tmp_path / "in", 3, [])
    report = run_batch(tmp_path / "in", tmp_path / "out", jobs=2, pdf=False)
    _assert_finished(report, tmp_path / "out", [], goods, NO_POOL_REASON)


@forks
@pytest.mark.parametrize("good, slow, jobs", [(2, ["慢0.xlsx"], 2), (1, ["慢0.xlsx", "慢1.xlsx"], 2), (1, ["慢0.xlsx"], 1)])
def test_a_unit_past_its_deadline_fails_alone(tmp_path, monkeypatch, good, slow, jobs):
    monkeypatch.setattr(build_module, "render_report", _hanging("慢"))
    goods, bad = _inputs(tmp_path / "in", good, slow)
    report = run_batch(tmp_path / "in", tmp_path / "out", jobs=jobs, pdf=False, timeout=6)
    _assert_finished(report, tmp_path / "out", goods, bad, timeout_reason(6))
    assert "超过 6 秒" in timeout_reason(6) and "--timeout" in timeout_reason(6)


def test_an_endless_template_loop_is_stopped_by_the_timeout_option(tmp_path):
    """The real thing, through the command line: a unit's phrases.j2 that would loop for hours."""
    from budgetreport.templates import PACKAGED_DEFAULTS
    inputs, root = tmp_path / "in", tmp_path / "templates"
    goods, _ = _inputs(inputs, 2, [])
    unit_copy(inputs / "循环.xlsx", "循环单位")
    loop = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}" \
           "{% endfor %}{% endfor %}"
    (root / "循环单位").mkdir(parents=True)
    phrases = (PACKAGED_DEFAULTS / "phrases.j2").read_text(encoding="utf-8")
    (root / "循环单位" / "phrases.j2").write_text(phrases + loop, encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(inputs), "-o", str(tmp_path / "out"), "--no-pdf", "-j", "2",
                                      "--templates", str(root), "--timeout", "6"])
    assert result.exit_code == 1, result.output
    rows = {r["输入文件"]: r for r in manifest_rows(tmp_path / "out")}
    assert all(rows[n]["状态"] != "失败" for n in goods)
    assert rows["循环.xlsx"]["状态"] == "失败" and "超过" in rows["循环.xlsx"]["原因"]
    assert "Traceback" not in result.output


def test_an_unreadable_workbook_fails_alone(tmp_path, monkeypatch):
    """Injected (the tests may run as root, who reads everything): opening one workbook is refused."""
    from budgetreport import batch as batch_module
    goods, _ = _inputs(tmp_path / "in", 2, [])
    unit_copy(tmp_path / "in" / "锁定.xlsx", "锁定单位")
    real_sha = batch_module.sha256_file

    def refusing(path: Path) -> str:
        if path.name == "锁定.xlsx":
            raise PermissionError(13, "Permission denied", str(path))
        return real_sha(path)

    monkeypatch.setattr(batch_module, "sha256_file", refusing)
    report = run_batch(tmp_path / "in", tmp_path / "out", jobs=2, pdf=False)
    locked = next(u for u in report.units if u.input == "锁定.xlsx")
    assert locked.status == FAILED and "无法打开工作簿" in locked.reason and "读取权限" in locked.reason
    assert all(u.status != FAILED for u in report.units if u.input in goods)
    assert len(manifest_rows(tmp_path / "out")) == 3


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files without permission")
def test_an_unreadable_workbook_for_real(tmp_path):
    goods, _ = _inputs(tmp_path / "in", 1, [])
    locked = unit_copy(tmp_path / "in" / "锁定.xlsx", "锁定单位")
    locked.chmod(0)
    try:
        report = run_batch(tmp_path / "in", tmp_path / "out", jobs=1, pdf=False)
        result = CliRunner().invoke(app, ["build", str(locked), "-o", str(tmp_path / "single")])
    finally:
        locked.chmod(0o644)
    assert next(u for u in report.units if u.input == "锁定.xlsx").status == FAILED
    assert result.exit_code == 2 and "无法打开工作簿" in result.output and "Traceback" not in result.output


def test_an_unreadable_workbook_in_build_is_a_chinese_message(tmp_path, monkeypatch):
    unit_copy(tmp_path / "w.xlsx", "某单位")

    def refusing(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(build_module, "open", refusing, raising=False)
    result = CliRunner().invoke(app, ["build", str(tmp_path / "w.xlsx"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "无法打开工作簿" in result.output and "w.xlsx" in result.output and "读取权限" in result.output
    assert "not readable" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("length", [74, 77, 80, 84])
def test_a_unit_name_too_long_for_a_file_name_is_shortened_and_built(tmp_path, length):
    base = "新疆维吾尔自治区昌吉回族自治州昌吉市城市管理综合行政执法局"
    long_a = (base * 4)[:length - 1] + "甲"
    long_b = (base * 4)[:length - 1] + "乙"        # the same head: the names must stay distinct
    unit_copy(tmp_path / "in" / "a.xlsx", long_a)
    unit_copy(tmp_path / "in" / "b.xlsx", long_b)
    unit_copy(tmp_path / "in" / "c.xlsx", "普通单位")
    report = run_batch(tmp_path / "in", tmp_path / "out", jobs=2, pdf=False)
    assert report.failed == 0, [u.reason for u in report.units]
    names = [n for u in report.units for n, _ in u.outputs]
    assert len(set(names)) == 3
    for name in names:
        assert len(name.encode("utf-8")) <= 240 and name.endswith("2025年单位预算公开.docx")
    assert any(n == "普通单位2025年单位预算公开.docx" for n in names)


def test_a_unit_name_longer_than_any_folder_name_does_not_sink_the_batch(tmp_path):
    """≥ 86 CJK characters: even looking for the unit's template folder meets ENAMETOOLONG (the template lookup
    by safe child names fixes that); whatever that unit's fate, the others are built and the manifest written."""
    unit_copy(tmp_path / "in" / "a.xlsx", "很" * 100)
    unit_copy(tmp_path / "in" / "b.xlsx", "普通单位")
    report = run_batch(tmp_path / "in", tmp_path / "out", jobs=2, pdf=False)
    by_input = {u.input: u for u in report.units}
    assert by_input["b.xlsx"].status != FAILED
    assert by_input["a.xlsx"].status != FAILED or by_input["a.xlsx"].reason
    assert len(manifest_rows(tmp_path / "out")) == 2


def test_deadlines_hold_with_spawned_workers_too(tmp_path, monkeypatch):
    """Windows and macOS spawn their workers (nothing inherited): the start queue reaches them through the
    pool's initializer, and the endless unit is stopped there as well."""
    from budgetreport import unit_pool
    from budgetreport.templates import PACKAGED_DEFAULTS
    monkeypatch.setattr(concurrency, "pool_start_method", lambda: "spawn")
    monkeypatch.setattr(unit_pool, "pool_start_method", lambda: "spawn")
    inputs, root = tmp_path / "in", tmp_path / "templates"
    goods, _ = _inputs(inputs, 1, [])
    unit_copy(inputs / "循环.xlsx", "循环单位")
    (root / "循环单位").mkdir(parents=True)
    loop = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}" \
           "{% endfor %}{% endfor %}"
    phrases = (PACKAGED_DEFAULTS / "phrases.j2").read_text(encoding="utf-8")
    (root / "循环单位" / "phrases.j2").write_text(phrases + loop, encoding="utf-8")
    report = run_batch(inputs, tmp_path / "out", jobs=2, pdf=False, templates_root=root, timeout=10)
    by_input = {u.input: u for u in report.units}
    assert by_input[goods[0]].status != FAILED, by_input[goods[0]].reason
    assert by_input["循环.xlsx"].status == FAILED and "超过" in by_input["循环.xlsx"].reason
