"""Issue 13 items 11 and 14 (output side): every refusal of the operating system while writing — `-o` names a
file, a folder or its parent is read-only, a folder has the report's name, the disk is full, a name is too long —
reaches the clerk as a Chinese message naming the path and the fix, exit 2, no traceback, and no half of a
report: a build writes both outputs or neither. The same for `init`, `templates copy` and `batch -o`.

Full disks and read-only folders are injected at our own seams (atomic._write_all, atomic._new_temporary,
outputs._make_folder): the tests may run as root, who writes into read-only folders; a real read-only variant
runs when not root."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetreport import atomic, outputs
from budgetreport.cli import app
from budgetreport.templates import PACKAGED_DEFAULTS
from conftest import SAMPLE, UNIT
from batchutil import manifest_rows, unit_copy

runner = CliRunner()
STEM = f"{UNIT}2025年单位预算公开"

# errno → what the clerk must read (the key words of the message and of the fix), written out independently
EXPECTED = {
    errno.ENOSPC: ("磁盘空间不足", "清理磁盘"),
    errno.EDQUOT: ("磁盘空间不足", "清理磁盘"),
    errno.EACCES: ("没有写入权限", "写权限"),
    errno.EPERM: ("没有写入权限", "写权限"),
    errno.EROFS: ("只读", "可写的文件夹"),
    errno.ENAMETOOLONG: ("过长", "路径较短"),
    errno.EIO: ("无法写入", "是否可写"),
}


def _clean(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for word in words:
        assert word in result.output, (word, result.output)


def _no_temporaries(folder: Path) -> None:
    assert not folder.exists() or not list(folder.glob(".~*")), list(folder.iterdir())


def _fail_writes(monkeypatch, code: int, calls: set[int]) -> None:
    """The `calls`-th writes (0-based) of file contents raise OSError(code), as a full disk does."""
    count = iter(range(1000))
    real = atomic._write_all

    def write(fh, data: bytes) -> None:
        if next(count) in calls:
            raise OSError(code, os.strerror(code))
        real(fh, data)

    monkeypatch.setattr(atomic, "_write_all", write)


# --------------------------------------------------------------------------------------------------- build

@pytest.mark.parametrize("code", sorted(EXPECTED))
@pytest.mark.parametrize("failing", [{0}, {1}, {0, 1}])     # the .docx, the .pdf, both
def test_build_writes_both_outputs_or_neither(tmp_path, monkeypatch, code, failing):
    out = tmp_path / "out"
    _fail_writes(monkeypatch, code, failing)
    result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)])
    _clean(result, *EXPECTED[code], str(out))
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("failing", [{0}, {1}])
def test_a_failed_build_keeps_the_earlier_good_outputs(tmp_path, monkeypatch, failing):
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{STEM}.docx").write_bytes(b"earlier docx")
    (out / f"{STEM}.pdf").write_bytes(b"earlier pdf")
    _fail_writes(monkeypatch, errno.ENOSPC, failing)
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]), "磁盘空间不足")
    assert (out / f"{STEM}.docx").read_bytes() == b"earlier docx"
    assert (out / f"{STEM}.pdf").read_bytes() == b"earlier pdf"
    _no_temporaries(out)


@pytest.mark.parametrize("options", [[], ["--no-pdf"], ["--no-docx"]])
def test_out_option_naming_a_file(tmp_path, options):
    target = tmp_path / "报告.txt"
    target.write_bytes(b"mine")
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(target), *options]), str(target), "不是文件夹")
    assert target.read_bytes() == b"mine"


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_out_option_below_a_file(tmp_path, depth):
    blocker = tmp_path / "占位"
    blocker.write_bytes(b"x")
    out = blocker.joinpath(*[f"子{i}" for i in range(depth)])
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]), f"{blocker}：", "不是文件夹", "改名")


@pytest.mark.parametrize("blocked", [".docx", ".pdf"])
def test_a_folder_with_the_reports_name(tmp_path, blocked):
    out = tmp_path / "out"
    (out / f"{STEM}{blocked}").mkdir(parents=True)
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]), f"{STEM}{blocked}", "同名的文件夹", "删除")
    assert sorted(p.name for p in out.iterdir()) == [f"{STEM}{blocked}"]   # the other output not written


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM, errno.EROFS])
def test_a_read_only_output_folder_injected(tmp_path, monkeypatch, code):
    def refuse(path):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(atomic, "_new_temporary", refuse)
    out = tmp_path / "out"
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]), *EXPECTED[code], str(out))
    assert ".~" not in runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]).output   # no temp name shown


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_a_read_only_parent_injected(tmp_path, monkeypatch, code):
    def refuse(folder):
        raise OSError(code, os.strerror(code), str(folder.parent))

    monkeypatch.setattr(outputs, "_make_folder", refuse)
    out = tmp_path / "父" / "out"
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]), *EXPECTED[code], str(out.parent))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("sub", [[], ["new"], ["new", "deeper"]])
def test_a_read_only_folder_for_real(tmp_path, sub):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(locked.joinpath(*sub))])
    finally:
        locked.chmod(0o755)
    _clean(result, "没有写入权限", str(locked))
    assert not any(locked.iterdir())


def test_an_output_folder_name_too_long(tmp_path):
    out = tmp_path / ("长" * 100)                   # 300 bytes: no file system takes it
    _clean(runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)]), "过长", "路径较短")


@pytest.mark.parametrize("length", [60, 73, 76, 77, 86, 100, 150])
def test_long_unit_names_give_file_names_that_fit_and_stay_unique(length):
    names = {outputs.fit_stem("局" * length + tail + "2025年单位预算公开") for tail in ("甲", "乙", "丙")}
    assert len(names) == 3
    for stem in names:
        assert len((stem + ".docx").encode("utf-8")) <= 240 and stem.endswith("2025年单位预算公开")
        assert stem.startswith("局")
    short = "局" * length + "2025年单位预算公开"
    if len((short + ".docx").encode("utf-8")) <= 240:
        assert outputs.fit_stem(short) == short     # names that fit are never touched


# ---------------------------------------------------------------------------------------------------- init

@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EIO])
def test_init_output_errors(tmp_path, monkeypatch, code):
    target = tmp_path / "新.xlsx"
    _fail_writes(monkeypatch, code, {0})
    _clean(runner.invoke(app, ["init", str(target), "--unit", "某单位", "--year", "2026"]), *EXPECTED[code],
           str(target))
    assert not target.exists()
    _no_temporaries(tmp_path)


def test_init_into_a_folder_or_below_a_file(tmp_path):
    folder = tmp_path / "已有.xlsx"
    folder.mkdir()
    _clean(runner.invoke(app, ["init", str(folder), "--force"]), "同名的文件夹", str(folder))
    blocker = tmp_path / "文件"
    blocker.write_bytes(b"x")
    _clean(runner.invoke(app, ["init", str(blocker / "新.xlsx")]), "不是文件夹", str(blocker))


# ----------------------------------------------------------------------------------------- templates copy

@pytest.mark.parametrize("failing", [{0}, {1}])
def test_templates_copy_writes_both_files_or_neither(tmp_path, monkeypatch, failing):
    root = tmp_path / "templates"
    _fail_writes(monkeypatch, errno.ENOSPC, failing)
    _clean(runner.invoke(app, ["templates", "copy", "某单位", "--templates", str(root)]), "磁盘空间不足")
    assert not (root / "某单位").exists() or not any((root / "某单位").iterdir())


def test_templates_copy_into_a_root_that_is_a_file(tmp_path):
    root = tmp_path / "templates"
    root.write_bytes(b"x")
    _clean(runner.invoke(app, ["templates", "copy", "某单位", "--templates", str(root)]), "不是文件夹", str(root))


# ---------------------------------------------------------------------------------------------------- batch

def test_batch_out_option_naming_a_file(tmp_path):
    unit_copy(tmp_path / "in" / "a.xlsx", "某单位")
    target = tmp_path / "清单.csv"
    target.write_bytes(b"mine")
    _clean(runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(target)]), str(target), "不是文件夹")
    assert target.read_bytes() == b"mine"


def test_batch_with_a_full_disk_fails_the_units_and_still_reports(tmp_path, monkeypatch):
    for i in range(3):
        unit_copy(tmp_path / "in" / f"{i}.xlsx", f"单位{i}")
    _fail_writes(monkeypatch, errno.ENOSPC, {1, 3})       # the first and second unit's .pdf
    result = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 1, result.output
    rows = manifest_rows(tmp_path / "out")
    failed = [r for r in rows if r["状态"] == "失败"]
    assert len(failed) == 2 and all("磁盘空间不足" in r["原因"] for r in failed)
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if p.suffix in (".docx", ".pdf"))
    good = next(r for r in rows if r["状态"] != "失败")
    assert written == sorted(good["输出文件"].split("; "))      # the failed units left neither file
    _no_temporaries(tmp_path / "out")


@pytest.mark.parametrize("layout", ["same", "inside", "outside", "parent"])
def test_batch_finds_the_workbooks_wherever_its_output_folder_is(tmp_path, monkeypatch, layout):
    """`batch . -o .` (item 14): the output folder is the input folder; or inside it; or beside; or the input
    is inside the output folder. Our own workbooks in the output folder are never read back as inputs."""
    base = tmp_path / "base"
    inputs = base / "in" if layout == "parent" else base
    unit_copy(inputs / "甲.xlsx", "甲单位")
    unit_copy(inputs / "sub" / "乙.xlsx", "乙单位")
    out = {"same": inputs, "inside": inputs / "out", "outside": tmp_path / "out", "parent": base}[layout]
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, out / outputs.SUMMARY_NAME)                    # what a batch (or --annotate) wrote there
    shutil.copy(SAMPLE, out / f"甲{outputs.ANNOTATED_MARK}.xlsx")
    monkeypatch.chdir(inputs)
    result = runner.invoke(app, ["batch", ".", "-o", os.path.relpath(out, inputs), "--no-pdf", "-j", "1"])
    assert result.exit_code == 0, result.output
    rows = manifest_rows(out)
    assert sorted(r["单位名称"] for r in rows) == ["乙单位", "甲单位"]


def test_batch_whose_manifest_cannot_be_written_says_so_after_the_table(tmp_path, monkeypatch):
    unit_copy(tmp_path / "in" / "a.xlsx", "某单位")
    real = atomic._write_all

    def full_for_the_manifest(fh, data: bytes) -> None:
        if data.startswith(b"\xef\xbb\xbf"):          # manifest.csv: UTF-8 with BOM
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fh, data)

    monkeypatch.setattr(atomic, "_write_all", full_for_the_manifest)
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--no-pdf", "-j", "1"])
    _clean(result, "批量生成结果", "manifest.csv 未能写出", "磁盘空间不足", str(out / "manifest.csv"))
    assert not (out / "manifest.csv").exists() and (out / "校验汇总.xlsx").is_file()
    _no_temporaries(out)
