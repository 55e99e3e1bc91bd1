"""Derived figures: every share and 比上年 change of the reference, and the wording of the cases it does not show."""
from __future__ import annotations

from decimal import Decimal

import pytest

from budgetreport.derive import derive
from budgetreport.comparisons import change as _change
from budgetreport.money import fmt, money, percent
from budgetreport.read import read_workbook
from budgetreport.templates import make_env, template_set
from conftest import SAMPLE

D = Decimal


@pytest.mark.parametrize("part, whole, expected", [
    ("2.97", "1.06", "280.19"),
    ("0.04", "0.06", "66.67"),
    ("9.38", "206.69", "4.54"),
    ("9.38", "198.69", "4.72"),
    ("0.70", "11.21", "6.24"),
    ("10.28", "165.62", "6.21"),
    ("189.31", "197.31", "95.95"),
    ("8.00", "197.31", "4.05"),
    ("16.10", "197.31", "8.16"),
    ("13.69", "197.31", "6.94"),
    ("155.34", "197.31", "78.73"),
    ("12.18", "197.31", "6.17"),
    ("1", "8", "12.50"),           # exact half stays
    ("1", "3", "33.33"),
])
def test_percent(part, whole, expected):
    assert fmt(percent(D(part), D(whole))) == expected


def test_half_up_not_bankers_rounding():
    assert str(money("0.125")) == "0.13"      # round() would give 0.12
    assert str(money("2.675")) == "2.68"      # float 2.675 is 2.67499…; we never go through float
    assert str(money(2.675)) == "2.68"
    assert percent(D("1"), D("0")) is None


@pytest.fixture(scope="module")
def facts():
    return derive(read_workbook(SAMPLE))


def test_reference_shares_and_changes(facts):
    src = next(s for s in facts.income.sources if s.key == "gpb")
    assert (str(src.share), src.change.verb, str(src.change.amount), str(src.change.pct)) == \
        ("100.00", "减少", "9.38", "4.54")
    assert str(facts.expense.basic.share) == "95.95"
    assert str(facts.expense.project.share) == "4.05"
    assert [(c.name, str(c.share)) for c in facts.gpb.classes] == [
        ("社会保障和就业支出", "8.16"), ("卫生健康支出", "6.94"), ("城乡社区支出", "78.73"), ("住房保障支出", "6.17")]
    details = [(d.xiang, d.change.verb, str(d.change.amount), str(d.change.pct)) for d in facts.gpb.details]
    assert details == [
        ("机关事业单位基本养老保险缴费支出", "减少", "0.90", "5.29"),
        ("事业单位医疗", "减少", "0.53", "5.25"),
        ("公务员医疗补助", "增加", "2.97", "280.19"),
        ("其他行政事业单位医疗支出", "增加", "0.04", "66.67"),
        ("其他城乡社区管理事务支出", "减少", "10.28", "6.21"),
        ("住房公积金", "减少", "0.68", "5.29"),
    ]
    assert str(facts.other.running.change.pct) == "6.24"
    assert str(facts["three"]["total"]) == "2.40"          # read as a mapping too (write_docx does)


def test_lists_from_non_empty_rows(facts):
    assert facts.overview.income_sources == ["一般公共预算"]
    assert facts.overview.expense_classes == ["社会保障和就业支出", "卫生健康支出", "城乡社区支出", "住房保障支出"]
    assert facts.basic.personnel_items[:3] == ["基本工资", "津贴补贴", "奖金"]
    assert len(facts.basic.personnel_items) == 10
    assert facts.basic.public_items[-1] == "其他交通费用"
    assert len(facts.basic.public_items) == 13
    assert [p.name for p in facts.three.parts] == ["因公出国（境）费", "公务用车购置费", "公务用车运行费", "公务接待费"]


# ---- wording lives in phrases.j2: test it through the template, as a report renders it

@pytest.fixture(scope="module")
def ph():
    return make_env(template_set("任意单位")).globals["ph"]


def render(ph, now, last, reason=""):
    return str(ph.change(_change(D(now), D(last), reason)))


def test_wording_decrease_with_reason(ph):
    assert render(ph, "197.31", "206.69", "在职人员减少1人") == \
        "比上年预算减少9.38万元，下降4.54%，主要原因是在职人员减少1人。"


def test_wording_unchanged(ph):
    assert render(ph, "8.00", "8.00", "无变动") == "比上年预算增加0.00万元，增长0.00%，主要原因是无变动。"
    assert render(ph, "0", "0") == "比上年预算增加0.00万元，增长0.00%。"


def test_wording_new_item_last_year_zero(ph):
    """No percentage can be computed from 0: say the item is new instead."""
    assert render(ph, "8.00", "0", "新增光纤维护项目") == \
        "比上年预算增加8.00万元，上年未安排该项预算，主要原因是新增光纤维护项目。"


def test_wording_item_fell_to_zero(ph):
    assert render(ph, "0", "5.00", "项目已完成") == "比上年预算减少5.00万元，下降100.00%，主要原因是项目已完成。"


def test_wording_change_without_reason(ph):
    assert render(ph, "10.00", "8.00") == "比上年预算增加2.00万元，增长25.00%。"


def test_reason_text_is_escaped_not_interpreted(ph):
    out = render(ph, "1", "1", "A&B<script>")
    assert "&amp;" in out and "&lt;script&gt;" in out
