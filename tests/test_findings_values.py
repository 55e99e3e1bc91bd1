"""Issue 13 items 6, 9, 10: amounts typed as text are read only when well formed, counts and the year are
plausible, more than 2 decimals are flagged, and huge amounts are a Chinese error naming the cell — never a
silently wrong figure, never a decimal.InvalidOperation traceback."""
from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetreport.checks import check_workbook
from budgetreport.cli import app
from budgetreport.findings import ERROR, WARNING
from budgetreport.money import AmountError, to_decimal
from budgetreport.read import read_budget

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
T6 = "表6 一般公共预算基本支出情况表"
runner = CliRunner()
RNG = random.Random(20261204)


def grouped(n: int) -> str:
    """n with a comma every three digits from the right, built by hand (not by the code under test)."""
    digits = str(n)
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def random_amount(rng: random.Random) -> tuple[int, int]:
    """(whole part, cents)."""
    return rng.randrange(1000, 10 ** rng.randint(4, 11)), rng.randrange(100)


# --------------------------------------------------------------------------- item 6: well-formed grouping only

WELL_FORMED = []
for _ in range(40):
    whole, cents = random_amount(RNG)
    WELL_FORMED.append((f"{grouped(whole)}.{cents:02d}", whole * 100 + cents))
    WELL_FORMED.append((grouped(whole), whole * 100))
WELL_FORMED += [("1,234.56", 123456), ("12,345", 1234500), ("999,999,999,999.99", 99999999999999),
                (" 1,000 ", 100000), ("+2,500.5", 250050), ("197.31", 19731), ("5.", 500), (".5", 50), ("-", 0),
                ("—", 0), ("", 0), ("１２３", 12300)]


@pytest.mark.parametrize("text, cents", WELL_FORMED)
def test_well_formed_text_amounts_are_read_exactly(text, cents):
    assert to_decimal(text) * 100 == cents


def misplaced_commas(rng: random.Random) -> str:
    """Digits with commas anywhere except where thousands grouping puts them."""
    while True:
        digits = str(rng.randrange(10, 10 ** 9))
        cuts = sorted(rng.sample(range(1, len(digits)), rng.randint(1, min(3, len(digits) - 1))))
        text = ",".join(digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)]))
        if text != grouped(int(digits)):
            return text + rng.choice(["", ".5", ".25"])


MALFORMED = sorted({misplaced_commas(RNG) for _ in range(40)}) + [
    "26,07", "1,23,456", "12,3456", ",123", "123,", "1,,234", "1,234,56", "1.234,56", "1,234.5,6", "1, 234"]
FULL_WIDTH_COMMA = ["26，07", "1，234", "1，234.56", "12，345，678", "0，5"]
NOT_NUMBERS = ["1 234", "1e3", "1E+26", "1_000", "0x10", "四十一", "41.54万元", "¥41.54", "NaN", "Infinity", "1..2",
               "--5", "5-"]


@pytest.mark.parametrize("text", MALFORMED + FULL_WIDTH_COMMA + NOT_NUMBERS)
def test_anything_else_is_refused(text):
    with pytest.raises(AmountError):
        to_decimal(text)


@pytest.mark.parametrize("text", MALFORMED[:8] + FULL_WIDTH_COMMA + ["1 234", "1_000"])
def test_a_wrong_text_amount_is_an_error_naming_the_cell(tmp_path, text):
    path = with_cells(tmp_path, {(6, "D9"): text})
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = next(line for line in result.output.splitlines() if f"{T6}!D9" in line)
    assert "[R-AMOUNT]" in line and f"“{text}”" in line
    if "，" in text:
        assert "全角逗号" in line and "小数点" in line
    elif "," in text:
        assert "千位分隔符" in line and "1,234.56" in line


def with_cells(tmp_path: Path, cells: dict, name: str = "单位.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    for (sheet, ref), value in cells.items():
        ws = next(w for w in wb.worksheets if re.match(rf"^表{sheet}\s", w.title)) if isinstance(sheet, int) \
            else wb[sheet]
        ws[ref] = value
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.parametrize("text, cents", WELL_FORMED[:10])
def test_grouped_text_reaches_the_budget(tmp_path, text, cents):
    path = with_cells(tmp_path, {(6, "D9"): text})
    row = next(r for r in read_budget(path).budget.t6.rows if r.row == 9)
    assert row.get("total") * 100 == cents


# --------------------------------------------------------------------------- item 9: counts, year, decimals

INFO = "单位信息"
COUNT_CELLS = ["B8", "B10", "B11", "B12", "B13", "B14", "B15", "B16", "B17"]      # 下属单位数 … 上年离休人数
BAD_COUNTS = [-1, -3, -0.5, 2.5, "两", "1e3", 1e10, 10 ** 12, "-2", True]
GOOD_COUNTS = [0, 7, "12", 30.0, "1,200"]


@pytest.mark.parametrize("value", BAD_COUNTS)
def test_impossible_counts_are_errors(tmp_path, value):
    cell = RNG.choice(COUNT_CELLS)
    result = check_workbook(with_cells(tmp_path, {(INFO, cell): value}))
    hits = [f for f in result.findings if f.where == f"{INFO}!{cell}"]
    assert [f.rule for f in hits] == ["R-INT"] and hits[0].level == ERROR
    assert "N-STAFF" in {s.rule for s in result.skipped} or cell == "B8"


@pytest.mark.parametrize("value", GOOD_COUNTS)
def test_plausible_counts_are_read(tmp_path, value):
    path = with_cells(tmp_path, {(INFO, "B10"): value})
    reading = read_budget(path)
    assert not [f for f in reading.findings if f.where == f"{INFO}!B10"]
    assert reading.budget.unit.staff.quota == int(str(value).replace(",", "").split(".")[0])


@pytest.mark.parametrize("other_count", ["B11", "B13", "B15", "B19", "B20", "B22", "B23"])
def test_negative_car_and_machine_counts_are_errors(tmp_path, other_count):
    result = check_workbook(with_cells(tmp_path, {("其他重要事项", other_count): -RNG.randint(1, 9)}))
    assert ("R-INT", f"其他重要事项!{other_count}") in {(f.rule, f.where) for f in result.findings}


@pytest.mark.parametrize("year", [0, 1, 1999, 2101, 20255, -2025, 2025.5, "二〇二五", "1e3"])
def test_implausible_year_is_an_error(tmp_path, year):
    path = with_cells(tmp_path, {(INFO, "B4"): year})
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{INFO}!B4" in result.output and ("R-YEAR" in result.output or "R-INT" in result.output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("year", [2000, 2100, "2026"])
def test_plausible_years_are_read(tmp_path, year):
    reading = read_budget(with_cells(tmp_path, {(INFO, "B4"): year}))
    assert reading.budget.unit.year == int(year)
    assert not [f for f in reading.findings if f.rule in ("R-YEAR", "R-INT")]


def half_up_cents(text: str) -> int:
    """Round a decimal string to cents, half up, with integer arithmetic only."""
    whole, _, frac = text.partition(".")
    frac = (frac + "000")[:max(3, len(frac))]
    cents = int(whole) * 100 + int(frac[:2])
    return cents + (1 if int(frac[2]) >= 5 else 0)


@pytest.mark.parametrize("seed", range(8))
def test_more_than_two_decimals_are_flagged_and_rounded_half_up(tmp_path, seed):
    rng = random.Random(seed)
    places = rng.randint(3, 6)
    text = f"{rng.randrange(1, 500)}.{rng.randrange(10 ** (places - 1), 10 ** places)}"
    if text.endswith("0"):
        text = text[:-1] + "5"
    path = with_cells(tmp_path, {(6, "D9"): text})
    reading = read_budget(path)
    [flag] = [f for f in reading.findings if f.where == f"{T6}!D9"]
    assert flag.rule == "R-DEC" and flag.level == WARNING
    rounded = half_up_cents(text)
    assert f"{rounded // 100}.{rounded % 100:02d}" in flag.message
    row = next(r for r in reading.budget.t6.rows if r.row == 9)
    assert row.get("total") * 100 == rounded


# --------------------------------------------------------------------------- item 10: huge amounts

HUGE = [1e26, 1e308, 10 ** 30, 10 ** 12, "1000000000000", "99999999999999999999999999999", 1e12 + 0.5]
PLACES = [(6, "D9"), (3, "E9"), (1, "B6"), ("其他重要事项", "B2"), ("项目信息", "H2"), ("上年预算及变动原因", "D3"),
          ("单位整体绩效目标", "B3")]


@pytest.mark.parametrize("value", HUGE)
def test_huge_amounts_are_errors_naming_the_cell(tmp_path, value):
    sheet, ref = RNG.choice(PLACES)
    path = with_cells(tmp_path, {(sheet, ref): value})
    for command in (["check", str(path)], ["build", str(path), "-o", str(tmp_path / "out"), "--no-pdf"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "InvalidOperation" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        line = next(line for line in result.output.splitlines() if f"!{ref}" in line and "R-AMOUNT" in line)
        assert re.search(r"[\u4e00-\u9fff]", line)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_largest_plausible_amount_is_read_exactly(tmp_path):
    reading = read_budget(with_cells(tmp_path, {(6, "D9"): "999999999999.99"}))
    row = next(r for r in reading.budget.t6.rows if r.row == 9)
    assert row.get("total") == Decimal("999999999999.99")
    assert not [f for f in reading.findings if f.rule == "R-AMOUNT"]


@pytest.mark.parametrize("value", ["-0", "-0.00", -0.0])
def test_negative_zero_reads_as_zero(tmp_path, value):
    reading = read_budget(with_cells(tmp_path, {(6, "F9"): value}))
    row = next(r for r in reading.budget.t6.rows if r.row == 9)
    assert str(row.get("public")) == "0.00"
