"""Issue 14: the narrative for units unlike the sample. Each variant workbook is generated from a description
(tests/narrative_variants.py); every paragraph of 第三部分 is compared with sentences composed independently of
budgetreport (Decimal, half-up). Together the variants cover both directions of every comparison, 0→x, x→0, 0→0,
several projects, no projects, and 表7, 表8, 表9, 表11 empty and non-empty."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from budgetreport import layout
from budgetreport.build import build_report
from budgetreport.checks import run_all as run_checks
from budgetreport.findings import ERROR
from budgetreport.read import read_workbook
from narrative_variants import (
    SOURCE_NAMES, THREE, Line, Project, Variant, expected_part3, q, write_variant)
from textutil import norm

D = Decimal
E, G, F3, TH, R = layout.CMP_EXPENSE, layout.CMP_GPB_EXPENSE, layout.CMP_FUNCTION, layout.CMP_THREE, layout.CMP_RUNNING
INC = layout.CMP_INCOME


def with_last(v: Variant, factor: str, reason: str = "人员调整", overrides: dict | None = None) -> Variant:
    """Last year = this year × factor for every compared item (then `overrides`: (类别, 项目) → (上年, 原因))."""
    f = D(factor)

    def last(now: Decimal) -> tuple[str, str]:
        return str(q(now * f)), reason

    for key, name in SOURCE_NAMES.items():
        now = v.src_total(key) if key in ("gpb", "fund", "soe", "unit_funds", "carryover", "other_carryover") else D(0)
        if now:
            v.last[(INC, name)] = last(now)
    for i, name in enumerate(("基本支出", "项目支出")):
        v.last[(E, name)] = last(sum((ln.total(i) for ln in v.lines), D(0)))
        v.last[(G, name)] = last(sum((ln.part("gpb", i) for ln in v.lines), D(0)))
    for ln in v.lines:
        ln.last, ln.reason = last(ln.amount("gpb"))
    for item in THREE:
        v.last[(TH, item)] = last(v.three_amount(item))
    v.last[(TH, "合计")] = last(sum((v.three_amount(i) for i in THREE), D(0)))
    v.last[(R, "运行经费")] = last(v.public_amount)
    v.last.update(overrides or {})
    return v


def base_lines(project: str = "光纤维护") -> list[Line]:
    return [Line("2080505", gpb=("16.10", "0")), Line("2101102", gpb=("9.56", "0")),
            Line("2120199", gpb=("147.34", "8.00"), projects={project: "8.00"}), Line("2210201", gpb=("12.18", "0"))]


def variants() -> list[Variant]:
    out = []
    out.append(with_last(Variant("all_up", base_lines(), [Project("光纤维护", "8.00")],
                                 three={"公务用车运行费": "2.40", "公务接待费": "1.00"}), "0.9"))
    out.append(with_last(Variant("all_down", base_lines(), [Project("光纤维护", "8.00")],
                                 three={"公务用车运行费": "2.40", "因公出国（境）费": "3.00"}), "1.25"))
    # 0 → x everywhere: nothing last year (a new unit), percentages cannot be computed
    out.append(with_last(Variant("all_new", base_lines(), [Project("光纤维护", "8.00")],
                                 three={"公务用车购置费": "20.00"}), "0", reason="新设单位"))
    # x → 0: 政府性基金 10 → 0, a 功能分类 项 gone, 三公 items to 0, no 项目支出 this year (no projects)
    gone = [Line("2080505", gpb=("16.10", "0")), Line("2120199", gpb=("147.34", "0"))]
    out.append(with_last(Variant("to_zero", gone, [], three={}, gone={"2210201": ("12.86", "住房公积金改由上级统筹")}),
                         "1.1", overrides={(INC, "政府性基金预算"): ("10.00", "土地出让收入减少"),
                                   (E, "项目支出"): ("8.00", "项目已完成"), (G, "项目支出"): ("8.00", "项目已完成"),
                                   (TH, "公务接待费"): ("1.50", "压减接待"), (TH, "合计"): ("1.50", "压减接待")}))
    # 0 → 0: the reference's "增加0.00万元，增长0.00%"
    out.append(with_last(Variant("unchanged", base_lines(), [Project("光纤维护", "8.00")],
                                 three={"公务用车运行费": "2.40"}), "1"))
    # all three fiscal sources, 表8 and 表9 non-empty, a fund project outside 表7 (its table is printed, counted)
    fund = base_lines() + [Line("2120803", fund=("0", "50.00")), Line("2230199", soe=("5.00", "0"))]
    out.append(with_last(Variant("three_funds", fund, [Project("光纤维护", "8.00"), Project("城市道路改造", "50.00")],
                                 three={"公务用车运行费": "2.40"}), "0.8"))
    # two fiscal sources: "收入包括一般公共预算拨款和政府性基金预算拨款，无国有资本经营预算"
    two = base_lines() + [Line("2120803", fund=("0", "50.00"))]
    out.append(with_last(Variant("two_funds_no_fund_purposes", two, [Project("光纤维护", "8.00"),
                                                                      Project("城市道路改造", "50.00")],
                                 fund_purposes=False), "1.2"))
    # several projects in 表7 (two in one 项), one also with 单位资金 (其他资金)
    several = [Line("2010301", gpb=("30.00", "12.50"), projects={"档案数字化": "10.00", "网络安全等保": "2.50"},
                    unit_funds=("0", "4.00")),
               Line("2120199", gpb=("100.00", "20.00"), projects={"光纤维护": "20.00"}),
               Line("2210201", gpb=("12.18", "0"))]
    out.append(with_last(Variant("several_projects", several,
                                 [Project("档案数字化", "10.00", "4.00"), Project("网络安全等保", "2.50"),
                                  Project("光纤维护", "20.00")], three={"公务用车运行费": "1.20"}), "0.95"))
    # no projects at all: 表7 empty, 项目信息 empty
    none = [Line("2080505", gpb=("16.10", "0")), Line("2120199", gpb=("147.34", "0"))]
    out.append(with_last(Variant("no_projects", none, [], three={"公务用车运行费": "2.40"}), "1.05"))
    # 表11 non-empty, 单位资金 and both carry-overs; non-fiscal sources printed only when arranged or fallen away
    carry = [Line("2080505", gpb=("16.10", "0"), carryover=("0", "3.00")),
             Line("2120199", gpb=("140.00", "8.00"), projects={"光纤维护": "8.00"}, unit_funds=("6.00", "0"),
                  other_carryover=("0", "2.00"))]
    out.append(with_last(Variant("carryover", carry, [Project("光纤维护", "8.00", "2.00")],
                                 three={"公务用车运行费": "2.40"}), "0.9",
                         overrides={(INC, "财政专户管理资金"): ("3.00", "专户资金不再核拨")}))
    # 行政单位 (机关运行经费), another year, no 政府采购
    out.append(with_last(Variant("admin_2026", base_lines(), [Project("光纤维护", "8.00")], year=2026,
                                 kind="行政单位", procurement=("0", "0", "0"), three={"公务用车运行费": "2.40"}), "1.1"))
    # rounding edges: 1/800 = 0.125% → 0.13, 99.875% → 99.88; 8.00 → 8.01 is 0.125% → 0.13; thirds
    rounding = [Line("2080505", gpb=("799.00", "0")), Line("2210201", unit_funds=("1.00", "0"))]
    out.append(with_last(Variant("rounding", rounding, [], three={"公务用车运行费": "1.00"}, public="0.125"), "1",
                         overrides={(INC, "一般公共预算"): ("798.00", "增人增资"), (E, "基本支出"): ("3.00", "口径调整"),
                            (TH, "公务用车运行费"): ("3.00", "压减"), (TH, "合计"): ("0.999", "压减"),
                            (R, "运行经费"): ("99.80", "调整")}))
    # only project spending: 表6 empty (no 基本支出), 表10 all zero, a project with 单位资金 beside it
    only = [Line("2120199", gpb=("0", "30.00"), projects={"光纤维护": "30.00"}, unit_funds=("0", "5.00"))]
    out.append(with_last(Variant("projects_only", only, [Project("光纤维护", "30.00", "5.00")], three={}), "1.2"))
    # names with & < > / in the unit, a project and a reason
    odd = base_lines("R&D<一期>/二期")
    out.append(with_last(Variant("odd_names", odd, [Project("R&D<一期>/二期", "8.00")], unit="A&B<测试>单位",
                                 three={"公务用车运行费": "2.40"}), "0.9", reason="A&B<调整>"))
    # no 一般公共预算 at all (a unit living on 政府性基金): every "包括" and every list says there is none
    fund_only = [Line("2120803", fund=("20.00", "0"))]
    out.append(with_last(Variant("fund_only", fund_only, [], three={}, public="0"), "1"))
    return out


VARIANTS = {v.name: v for v in variants()}


def part3_lines(docx: bytes) -> list[str]:
    """Body paragraphs (not table cells) from the 第三部分 heading to the 第四部分 heading."""
    doc = Document(io.BytesIO(docx))
    lines = []
    for el in doc.element.body.iterchildren(qn("w:p")):
        text = norm("".join(t.text or "" for t in el.iter(qn("w:t"))))
        if text:
            lines.append(text)
    start = max(i for i, line in enumerate(lines) if line.startswith("第三部分"))
    end = max(i for i, line in enumerate(lines) if line.startswith("第四部分"))
    return lines[start:end]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache: dict[str, tuple] = {}

    def build(name: str):
        if name not in cache:
            folder = tmp_path_factory.mktemp(name)
            path = write_variant(VARIANTS[name], folder / f"{name}.xlsx")
            findings = run_checks(read_workbook(path))
            result = build_report(path, folder / "out", pdf=False)
            cache[name] = (result.docx.read_bytes(), findings)
        return cache[name]
    return build


def test_at_least_twelve_variants_cover_the_cases():
    assert len(VARIANTS) >= 12
    all_changes = [(now, D(last)) for v in VARIANTS.values() for ln in v.lines
                   for now, last in [(ln.amount("gpb"), ln.last)]]
    assert any(n > l > 0 for n, l in all_changes) and any(0 < n < l for n, l in all_changes)   # both directions
    assert any(n > 0 and l == 0 for n, l in all_changes)                                        # 0 → x
    assert any(v.gone for v in VARIANTS.values())                                               # x → 0
    assert any(not v.t7() for v in VARIANTS.values()) and any(len(v.t7()) > 2 for v in VARIANTS.values())
    for key in ("fund", "soe", "carryover"):                        # 表8, 表9, 表11 empty and non-empty
        assert {v.src_total(key) > 0 for v in VARIANTS.values()} == {True, False}
    assert {v.basic_gpb > 0 for v in VARIANTS.values()} == {True, False}                        # 表6
    assert {bool(v.three) for v in VARIANTS.values()} == {True, False}                          # 表10


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_sentence_of_part_3(built, name):
    docx, findings = built(name)
    assert [f for f in findings if f.level == ERROR] == []
    expected = [norm(line) for line in expected_part3(VARIANTS[name])]
    assert part3_lines(docx) == expected


@pytest.mark.parametrize("name, rule, where_part", [
    ("to_zero", "N-GONE", "政府性基金预算"),        # a source that fell away: said in the text and reminded
    ("to_zero", "N-GONE", "2210201"),              # a 功能分类 项 that vanished: reminded
    ("three_funds", "N-PROJ-EXTRA", "城市道路改造"),
    ("two_funds_no_fund_purposes", "N-PURPOSE", "政府性基金预算支出"),
])
def test_reminders_for_what_the_text_cannot_show(built, name, rule, where_part):
    _docx, findings = built(name)
    assert any(f.rule == rule and where_part in f.message for f in findings), [str(f) for f in findings]


def test_project_tables_follow_for_every_counted_project(built):
    """十二（四） counts exactly the projects whose 绩效目标表 follow, fund projects included."""
    docx, _ = built("three_funds")
    doc = Document(io.BytesIO(docx))
    names = [norm(t.cell(1, 2).text) for t in doc.tables if norm(t.cell(0, 0).text) == "预算单位"]
    assert names == ["光纤维护", "城市道路改造"]
    budget = [norm(t.cell(2, 3).text) for t in doc.tables if norm(t.cell(0, 0).text) == "预算单位"]
    assert budget == ["8.00", "50.00"]


def test_empty_t7_says_so_under_the_table(built):
    docx, _ = built("no_projects")
    doc = Document(io.BytesIO(docx))
    texts = [norm(p.text) for p in doc.paragraphs]
    statement = norm("变体测试单位2025年没有使用一般公共预算拨款安排的项目支出，一般公共预算项目支出情况表为空表。")
    assert texts.count(statement) == 2               # under 表7 in 第二部分, and in 第三部分七
