"""Issue 10 item 7: the batch skip key includes the font files the PDF is drawn with (installing 仿宋 later, or
replacing a unit's font file, rebuilds the PDFs); BudgetError carries the unit it failed for."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from budgetreport.batch import run_batch
from budgetreport.build import render_report
from budgetreport.errors import BudgetError
from budgetreport.pdf import fonts as F
from conftest import SAMPLE, UNIT
from batchutil import run_cli, unit_copy

FONT_UNIT = "字体测试单位"


def _skipped(report) -> dict[str, bool]:
    return {u.unit: u.skipped for u in report.units}


def test_a_replaced_unit_font_file_rebuilds_only_that_units_pdf(tmp_path: Path) -> None:
    inputs, outdir, root = tmp_path / "in", tmp_path / "out", tmp_path / "templates"
    shutil.copy(SAMPLE, (inputs.mkdir() or inputs) / "sample.xlsx")
    unit_copy(inputs / "font.xlsx", FONT_UNIT)
    (root / FONT_UNIT).mkdir(parents=True)
    face = root / FONT_UNIT / "fs.ttc"
    shutil.copy(F.bundled_face().path, face)
    (root / FONT_UNIT / "fonts.toml").write_text('body = "fs.ttc"\n', encoding="utf-8")

    first = run_batch(inputs, outdir, jobs=1, templates_root=root)
    assert first.failed == 0 and not any(_skipped(first).values())
    assert all(_skipped(run_batch(inputs, outdir, jobs=1, templates_root=root)).values())

    # the same file name, other bytes (trailing bytes keep it a loadable face): fonts.toml is unchanged
    face.write_bytes(face.read_bytes() + b"\0" * 4096)
    again = _skipped(run_batch(inputs, outdir, jobs=1, templates_root=root))
    assert again == {UNIT: True, FONT_UNIT: False}
    assert all(_skipped(run_batch(inputs, outdir, jobs=1, templates_root=root)).values())

    # without PDFs the fonts do not matter
    docx_only = tmp_path / "docx"
    run_batch(inputs, docx_only, jobs=1, templates_root=root, pdf=False)
    face.write_bytes(face.read_bytes() + b"\0")
    assert all(_skipped(run_batch(inputs, docx_only, jobs=1, templates_root=root, pdf=False)).values())


_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig (fc-list) not installed")
def test_a_chinese_face_installed_after_a_run_rebuilds_the_pdfs(tmp_path: Path) -> None:
    """The machine's fonts as fontconfig lists them, chosen explicitly: a fonts.conf of this test's own. First
    no Chinese face at all (the bundled one is used), then one is "installed" into the listed folder."""
    fonts, inputs, outdir = tmp_path / "fonts", tmp_path / "in", tmp_path / "out"
    fonts.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(_FONTS_CONF.format(fonts=fonts, cache=tmp_path / "fc-cache"), encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf)}
    shutil.copy(SAMPLE, (inputs.mkdir() or inputs) / "sample.xlsx")
    args = ["batch", str(inputs), "-o", str(outdir), "-j", "1"]

    first = run_cli(args, env)
    assert first.returncode == 0, first.stderr
    pdf = next(outdir.glob("*.pdf"))
    assert "跳过 0" in first.stdout
    unchanged = run_cli(args, env)
    assert unchanged.returncode == 0 and "跳过 1" in unchanged.stdout

    shutil.copy(F.bundled_face().path, fonts / "installed.ttc")    # a Chinese face appears on the machine
    before = pdf.stat().st_mtime_ns
    installed = run_cli(args, env)
    assert installed.returncode == 0, installed.stderr
    assert "跳过 0" in installed.stdout
    assert pdf.stat().st_mtime_ns != before        # built again (the same face, so the same bytes)
    assert "跳过 1" in run_cli(args, env).stdout


def test_budget_error_names_the_unit_it_failed_for(edited) -> None:
    from conftest import set_field

    for name in ("某某局", "第二单位", UNIT):
        path = edited(lambda wb: (set_field(wb["单位信息"], "单位名称", name),
                                  wb["表1 单位收支总体情况表"].__setitem__("B7", 123456)),
                      name=f"{name}.xlsx")
        with pytest.raises(BudgetError) as caught:
            render_report(path, pdf=False)
        assert caught.value.unit is not None and caught.value.unit.name == name
    assert BudgetError("x").unit is None
