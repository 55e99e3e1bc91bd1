"""Bad workbooks: each case builds its file under tmp_path (openpyxl edits or raw zip edits of the sample) and
runs the CLI. A workbook that cannot be read as a whole exits 2; one that reads but has wrong cells exits 1 with
every finding (R-… rule, sheet and cell) in one run. Either way: a Chinese message naming the file (and the sheet
and cell where there is one), no traceback, and no output file. A case the tool copes with builds normally."""
from __future__ import annotations

import os
import re
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from budgetreport import atomic
from budgetreport import build as build_module
from budgetreport.cli import app
from budgetreport.errors import BudgetError
from budgetreport.workbook_io import open_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
NAME = "单位.xlsx"
runner = CliRunner()


# --------------------------------------------------------------------------- builders

def table(wb, n: int) -> Worksheet:
    return next(ws for ws in wb.worksheets if re.match(rf"^表{n}\s", ws.title))


def via_openpyxl(edit):
    def build(path: Path) -> None:
        wb = openpyxl.load_workbook(SAMPLE)
        edit(wb)
        wb.save(path)
    return build


def cells(n_or_name, **values):
    def edit(wb):
        ws = table(wb, n_or_name) if isinstance(n_or_name, int) else wb[n_or_name]
        for addr, v in values.items():
            ws[addr] = v
    return via_openpyxl(edit)


def raw_bytes(data: bytes):
    def build(path: Path) -> None:
        path.write_bytes(data)
    return build


def zip_edit(part: str, change):
    """Rewrite one part of the sample's zip (`change(bytes) -> bytes`)."""
    def build(path: Path) -> None:
        with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == part:
                    data = change(data)
                dst.writestr(info.filename, data)
    return build


def xml_sub(part: str, pattern: str, repl: str):
    def change(data: bytes) -> bytes:
        text, n = re.subn(pattern, repl, data.decode("utf-8"), count=1)
        assert n == 1, pattern
        return text.encode("utf-8")
    return zip_edit(part, change)


def excel_saved(builder):
    """`builder`'s file as Excel saves it: formula results current, without the fullCalcOnLoad openpyxl writes
    (a workbook with it has stale results: its formulas are refused)."""
    def build(path: Path) -> None:
        builder(path)
        with zipfile.ZipFile(path) as src:
            parts = [(i.filename, src.read(i)) for i in src.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for name, data in parts:
                dst.writestr(name, data.replace(b' fullCalcOnLoad="1"', b"") if name == "xl/workbook.xml" else data)
    return build


T6_PART = "xl/worksheets/sheet8.xml"   # 表6 (sheet order: 填表说明, 单位信息, 表1 …)
T11_PART = "xl/worksheets/sheet13.xml"


def million_rows(path: Path) -> None:
    """表11 with a million data rows, written straight into the zip (openpyxl would take minutes)."""
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != T11_PART:
                dst.writestr(info.filename, src.read(info))
                continue
            head, tail = src.read(info).decode().split("</sheetData>")
            head = re.sub(r'<dimension ref="[^"]+"/>', "", head)
            with dst.open(T11_PART, "w", force_zip64=True) as fh:
                fh.write(head.encode())
                batch = []
                for r in range(8, 1_000_008):
                    batch.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c>'
                                 f'<c r="B{r}"><v>1</v></c></row>')
                    if len(batch) == 20000:
                        fh.write("".join(batch).encode())
                        batch = []
                fh.write("".join(batch).encode())
                fh.write(("</sheetData>" + tail).encode())


def zip_bomb(path: Path) -> None:
    """A worksheet part that inflates to 2 GiB of white space (10 MB on disk)."""
    size = 2 * 1024 ** 3
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(size // len(chunk))) + comp.flush()
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != T11_PART:
                dst.writestr(info.filename, src.read(info))
        # a stored entry whose bytes are already deflated: declare the real sizes by hand
        zi = zipfile.ZipInfo(T11_PART)
        zi.compress_type = zipfile.ZIP_DEFLATED
        dst.writestr(zi, b"")  # placeholder entry, replaced below
    _inject_deflated(path, T11_PART, body, size)


def _inject_deflated(path: Path, name: str, deflated: bytes, size: int) -> None:
    """Rewrite `path` with entry `name` holding pre-deflated data and its declared uncompressed size."""
    entries = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename != name:
                entries.append((info.filename, z.read(info)))
    crc = 0
    block = b" " * (1 << 20)
    for _ in range(size // len(block)):
        crc = zlib.crc32(block, crc)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in entries:
            z.writestr(n, data)
        zi = zipfile.ZipInfo(name)
        zi.compress_type = zipfile.ZIP_STORED
        z.writestr(zi, b"")
    # patch the placeholder: local header + central directory say deflated, sizes and crc; data appended
    data = path.read_bytes()
    local = data.rfind(b"PK\x03\x04")
    central = data.rfind(b"PK\x01\x02")
    end = data.find(b"PK\x05\x06")
    name_b = name.encode()
    import struct
    lh = bytearray(data[local:local + 30 + len(name_b)])
    struct.pack_into("<H", lh, 8, 8)
    struct.pack_into("<III", lh, 14, crc, len(deflated), size & 0xFFFFFFFF)
    other_central = data[data.find(b"PK\x01\x02"):central]
    ch = bytearray(data[central:end])
    struct.pack_into("<H", ch, 10, 8)
    struct.pack_into("<III", ch, 16, crc, len(deflated), size & 0xFFFFFFFF)
    new_local = bytes(lh) + deflated
    central_start = local + len(new_local)
    eocd = bytearray(data[end:])
    struct.pack_into("<I", eocd, 16, central_start)
    struct.pack_into("<I", eocd, 12, len(other_central) + len(ch))
    path.write_bytes(data[:local] + new_local + other_central + bytes(ch) + bytes(eocd))


def move_sheet(n: int, offset: int):
    def edit(wb):
        wb.move_sheet(table(wb, n), offset=offset)
    return via_openpyxl(edit)


def rename(n: int, title: str):
    def edit(wb):
        table(wb, n).title = title
    return via_openpyxl(edit)


def delete_sheet(title_or_n):
    def edit(wb):
        ws = table(wb, title_or_n) if isinstance(title_or_n, int) else wb[title_or_n]
        wb.remove(ws)
    return via_openpyxl(edit)


def clear_column_header(n: int, col: str, rows: range):
    def edit(wb):
        ws = table(wb, n)
        for r in rows:
            for m in list(ws.merged_cells.ranges):
                if f"{col}{r}" in m:
                    ws.unmerge_cells(m.coord)
            ws[f"{col}{r}"] = None
    return via_openpyxl(edit)


def merge(n: int, rng: str):
    def edit(wb):
        table(wb, n).merge_cells(rng)
    return via_openpyxl(edit)


def extra_sheet(wb):
    wb.create_sheet("我的草稿")["A1"] = "随便写写"


def duplicate_t3_sheet(wb):
    wb.copy_worksheet(table(wb, 3)).title = "表3 单位支出总体情况表（副本）"


def unit_name(name: str):
    return cells("单位信息", B2=name)


def indicator_first_level1_empty(wb):
    wb["单位整体绩效指标"]["A2"] = None


# --------------------------------------------------------------------------- the corpus

T3, T6 = "表3 单位支出总体情况表", "表6 一般公共预算基本支出情况表"

# id → (builder, expected exit code (2: unreadable as a whole, 1: wrong cells), substrings the output must contain,
# "sheet!cell" or None)
UNREADABLE = {
    "text-file": (raw_bytes("单位,金额\n昌吉,1\n".encode()), 2, ["不是 Excel 工作簿"], None),
    "png-bytes": (raw_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), 2, ["不是 Excel 工作簿"], None),
    "empty-file": (raw_bytes(b""), 2, ["空的"], None),
    "old-xls": (raw_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000 + "Workbook".encode("utf-16-le")), 2,
                [".xls", "另存为", ".xlsx"], None),
    "encrypted": (raw_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000 + "EncryptionInfo".encode("utf-16-le")
                            + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le")), 2, ["加密", "密码"], None),
    "docx-renamed": (lambda p: _docx_like(p), 2, ["不是 Excel 工作簿", "workbook.xml"], None),
    "truncated-zip": (lambda p: p.write_bytes(SAMPLE.read_bytes()[: SAMPLE.stat().st_size // 2]), 2,
                      ["不是 Excel 工作簿"], None),
    "corrupt-part": (zip_edit(T6_PART, lambda d: d[:-200]), 2, ["无法读取"], None),
    "missing-t5": (delete_sheet(5), 2, ["缺少工作表", "表5"], None),
    "missing-unit-info": (delete_sheet("单位信息"), 2, ["缺少工作表", "单位信息"], None),
    "missing-projects": (delete_sheet("项目信息"), 2, ["缺少工作表", "项目信息"], None),
    "two-t3": (via_openpyxl(duplicate_t3_sheet), 2, ["两张表3"], None),
    "missing-header-column": (clear_column_header(3, "F", range(4, 8)), 1, ["缺少表头", "基本支出"], f"{T3}!F"),
    "missing-marker-row": (cells(3, A7=None, B7=None, C7=None, D7=None), 1, ["找不到表头最后一行"], f"{T3}!A1"),
    "text-amount": (cells(6, D9="四十一"), 1, ["应为数字金额", "四十一"], f"{T6}!D9"),
    "amount-with-unit": (cells(6, D9="41.54万元"), 1, ["应为数字金额"], f"{T6}!D9"),
    "nan-amount": (cells(6, D9="NaN"), 1, ["应为数字金额", "NaN"], f"{T6}!D9"),
    "infinite-amount": (cells(6, D9="Infinity"), 1, ["应为数字金额", "Infinity"], f"{T6}!D9"),
    "infinite-year": (cells("单位信息", B4="Infinity"), 1, ["应为整数"], "单位信息!B4"),
    "boolean-amount": (cells(6, D9=True), 1, ["应为数字金额"], f"{T6}!D9"),
    "negative-amount": (cells(6, D9=-41.54), 1, ["不能为负数"], f"{T6}!D9"),
    "formula-no-cache": (cells(6, D7="=SUM(D8,D19)"), 2, ["公式", "没有保存计算结果", "Excel", "WPS"], f"{T6}!D7"),
    "formula-error-value": (excel_saved(xml_sub(T6_PART, r'<c r="D7" s="14" t="n"><v>189.31</v></c>',
                                    '<c r="D7" s="14" t="e"><f>1/0</f><v>#DIV/0!</v></c>')), 1, ["#DIV/0!"], f"{T6}!D7"),
    "merged-data": (merge(3, "E9:F9"), 1, ["合并单元格", "E9:F9"], f"{T3}!E9"),
    "million-rows": (million_rows, 2, ["行", "上限"], None),
    "zip-bomb": (zip_bomb, 2, ["压缩炸弹"], None),
    "huge-dimension": (xml_sub(T11_PART, r'<dimension ref="[^"]+"/>', '<dimension ref="A1:J1048576"/>'), 2,
                       ["1048576", "上限"], None),
    "code-letters": (cells(3, A9="2O8"), 1, ["科目编码应为数字"], f"{T3}!A9"),
    "code-wrong-length": (cells(3, A9="20"), 1, ["3 位"], f"{T3}!A9"),
    "code-incomplete": (cells(3, A10=None), 1, ["编码不完整"], f"{T3}!A10"),
    "missing-name": (cells(3, D10=None), 1, ["缺少科目名称"], f"{T3}!D10"),
    "two-total-rows": (cells(3, A9=None, D9="总计"), 1, ["两行"], f"{T3}!D9"),
    "t1-unknown-income": (cells(1, A10="2. 基金"), 1, ["无法识别的收入项目"], "表1 单位收支总体情况表!A10"),
    "t1-class-no-code": (cells(1, C17="城乡社区支出"), 1, ["类编码 名称"], "表1 单位收支总体情况表!C17"),
    "t10-unknown-label": (cells(10, A9="招待费"), 1, ["无法识别的行"], "表10 财政拨款“三公”经费支出情况表!A9"),
    "bad-date": (cells("单位信息", B5="去年"), 1, ["应为日期"], "单位信息!B5"),
    "bad-year": (cells("单位信息", B4="二〇二五"), 1, ["应为整数"], "单位信息!B4"),
    "missing-unit-name": (cells("单位信息", B2=None), 1, ["单位名称", "未填写"], "单位信息!B2"),
    "bad-category": (cells("上年预算及变动原因", A2="收益"), 1, ["类别应为"], "上年预算及变动原因!A2"),
    "missing-last-year": (cells("上年预算及变动原因", D3=None), 1, ["缺少上年预算数"], "上年预算及变动原因!D3"),
    "duplicate-comparison": (cells("上年预算及变动原因", B3="一般公共预算"), 1, ["重复"], "上年预算及变动原因!B3"),
    "indicator-level1-empty": (via_openpyxl(indicator_first_level1_empty), 1, ["一级指标"], "单位整体绩效指标!A2"),
    "missing-column-in-row-sheet": (cells("项目信息", B1=None), 1, ["缺少列", "设立的政策依据"], "项目信息!B1"),
    "duplicate-rows": (cells(6, B10="01"), 1, ["C-DUP"], f"{T6}!A10"),
}

# cases the tool reads and builds (exit 0)
READABLE = {
    "renamed-t3": (rename(3, "表3 支出"), []),
    "renamed-spaces": (rename(7, " 表 7 项目支出情况"), []),
    "reordered": (move_sheet(1, 10), []),
    "reordered-reverse": (via_openpyxl(lambda wb: wb._sheets.reverse()), []),
    "extra-sheet": (via_openpyxl(extra_sheet), ["R-SHEET", "我的草稿"]),
    "three-decimals": (cells(6, D9=41.541, E9=41.541, D8=178.80), ["R-DEC", f"{T6}!D9"]),
    "formula-with-cache": (excel_saved(xml_sub(T6_PART, r'<c r="D7" s="14" t="n"><v>189.31</v></c>',
                                               '<c r="D7" s="14"><f>SUM(D8,D19)</f><v>189.31</v></c>')), []),
    "formula-empty-text-result": (excel_saved(xml_sub(T6_PART, r'(<c r="E9" s="14" t="n"><v>41.54</v></c>)',
                                                      r'\1<c r="F9" s="14" t="str"><f>IF(1=1,"","")</f><v></v></c>')),
                                  []),
    "code-as-number": (cells(3, B10=5, C11=5, A9=208), []),
    "unsafe-unit-name": (unit_name('昌吉/市\\城:管*指?挥"中<心>|'), []),
}


def _docx_like(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


def _run_build(path: Path, out: Path):
    return runner.invoke(app, ["build", str(path), "-o", str(out), "--no-pdf"])


def test_corpus_has_at_least_40_cases():
    assert len(UNREADABLE) + len(READABLE) >= 40


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_bad_input_is_refused_cleanly(tmp_path, case):
    builder, code, needles, where = UNREADABLE[case]
    path = tmp_path / NAME
    builder(path)
    out = tmp_path / "out"
    started = time.perf_counter()
    result = _run_build(path, out)
    elapsed = time.perf_counter() - started
    text = result.output
    assert result.exit_code == code, text
    assert "Traceback" not in text and result.exception is None or isinstance(result.exception, SystemExit)
    assert NAME in text, text
    for needle in needles:
        assert needle in text, (needle, text)
    if where:
        assert where in text, (where, text)
    assert not out.exists() or not any(out.iterdir())
    assert elapsed < 10, f"{case} took {elapsed:.1f}s"
    # `check` agrees on the exit code
    assert runner.invoke(app, ["check", str(path)]).exit_code == code


@pytest.mark.parametrize("case", sorted(READABLE))
def test_tolerated_input_still_builds(tmp_path, case):
    builder, needles = READABLE[case]
    path = tmp_path / NAME
    builder(path)
    out = tmp_path / "out"
    result = _run_build(path, out)
    assert result.exit_code == 0, result.output
    for needle in needles:
        assert needle in result.output, (needle, result.output)
    docs = list(out.glob("*.docx"))
    assert len(docs) == 1
    assert not re.search(r'[/\\:*?"<>|]', docs[0].name)
    assert not list(out.glob(".~*"))


def test_missing_file_and_folder(tmp_path):
    for target in (tmp_path / "没有这个文件.xlsx", tmp_path):
        result = runner.invoke(app, ["check", str(target)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert target.name in result.output


def test_zip_bomb_and_million_rows_are_refused_fast_with_bounded_memory(tmp_path):
    for name, builder in (("bomb.xlsx", zip_bomb), ("rows.xlsx", million_rows)):
        path = tmp_path / name
        builder(path)
        tracemalloc.start()
        started = time.perf_counter()
        with pytest.raises(BudgetError) as info:
            open_workbook(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < 3, (name, elapsed)
        assert peak < 64 * 1024 * 1024, (name, peak)
        assert info.value.file == name


def test_sample_passes_inspection_quickly():
    started = time.perf_counter()
    assert not any(grid.formulas for grid in open_workbook(SAMPLE).worksheets)
    assert time.perf_counter() - started < 0.5


def test_failed_build_writes_nothing_and_keeps_earlier_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    [docx] = out.glob("*.docx")
    good = docx.read_bytes()
    pdf = docx.with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-good-earlier")

    def broken(*_args, **_kwargs):
        raise BudgetError("PDF 生成失败（测试）")

    monkeypatch.setattr(build_module, "_render_pdf", broken)
    result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 2
    assert docx.read_bytes() == good and pdf.read_bytes() == b"%PDF-good-earlier"
    assert sorted(p.name for p in out.iterdir()) == sorted([docx.name, pdf.name])


def test_write_interrupted_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "报告.docx"
    target.write_bytes(b"good")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(OSError):
        atomic.write_atomic(target, b"new-but-never-renamed")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]


@pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_reports_get_the_permissions_the_users_umask_gives(tmp_path, umask):
    """Not 0600 as tempfile.mkstemp makes them: colleagues sharing an output folder must be able to open them."""
    old = os.umask(umask)
    try:
        result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path / "out")])
        init = runner.invoke(app, ["init", str(tmp_path / "空白.xlsx"), "--unit", "某某单位", "--year", "2026"])
    finally:
        os.umask(old)
    assert result.exit_code == 0 and init.exit_code == 0, result.output + init.output
    made = [*(tmp_path / "out").iterdir(), tmp_path / "空白.xlsx"]
    assert len(made) == 3
    for path in made:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name
