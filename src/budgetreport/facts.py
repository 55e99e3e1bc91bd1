"""The facts a template receives, typed: one dataclass per part of the report.

Each field carries its meaning in Chinese (`zh`), which `budgetreport templates fields` and
docs/template-fields.md print. Jinja reads a dataclass's attributes as it reads a dict's keys, so a template writes
`{{ income.sources[0].share }}` either way; `facts["unit"]["name"]` works too (older code reads them as mappings).
Amounts are `Amount` (万元, Decimal), percentages `Percent`; wording is the template's job, facts carry no sentences.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Iterator

from .amounts import Amount, Percent


def zh(meaning: str, **kw: Any) -> Any:
    """A dataclass field with its meaning in Chinese."""
    return field(metadata={"zh": meaning}, **kw)


class _Readable:
    """Read access by key as well as by attribute: facts["unit"]["name"] == facts.unit.name."""

    __dataclass_fields__: ClassVar[dict[str, Any]]      # set by @dataclass on each subclass

    def __getitem__(self, key: str) -> Any:
        if isinstance(key, str) and key in self.__dataclass_fields__:
            return getattr(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.__dataclass_fields__


# rows of the 第二部分 tables stay mappings: their keys are the table's columns (layout.py), which differ per table
TableRow = dict[str, Any]


@dataclass(frozen=True)
class Change(_Readable):
    """One comparison with last year (比上年)."""
    amount: Amount = zh("变动金额（绝对值，万元）")
    verb: str = zh("增加 / 减少")
    trend: str = zh("增长 / 下降")
    pct: Percent = zh("变动百分比（上年为 0 时为 0.00）")
    new: bool = zh("上年为 0、本年有预算（无法计算百分比）")
    gone: bool = zh("上年有预算、本年为 0（下降 100.00%）")
    last: Amount = zh("上年预算数（万元）")
    now: Amount = zh("本年预算数（万元）")
    reason: str = zh("变动的主要原因（未填写时为空）")


@dataclass(frozen=True)
class Unit(_Readable):
    name: str = zh("单位名称")
    code: str = zh("单位编码（可空）")
    year: int = zh("预算年度")
    last_year: int = zh("上一年度")
    date: str = zh("编制日期（落款），如 2025年2月8日")
    date_value: dt.date = zh("编制日期（日期值）")
    functions: str = zh("主要职能")
    subunits: int = zh("下属预算单位数")
    departments: list[str] = zh("内设科室")
    contact: str = zh("单位联系人")
    phone: str = zh("联系电话")
    kind: str = zh("单位性质")


@dataclass(frozen=True)
class StaffGroup(_Readable):
    name: str = zh("在职 / 退休 / 离休")
    now: int = zh("本年人数")
    verb: str = zh("比上年增加 / 减少")
    diff: int = zh("比上年变动人数（绝对值）")


@dataclass(frozen=True)
class Staff(_Readable):
    quota: int = zh("编制数")
    actual: int = zh("实有人数")
    groups: list[StaffGroup] = zh("在职、退休、离休三组人数")


@dataclass(frozen=True)
class TableFacts(_Readable):
    rows: list[TableRow] = zh("表格各行（总计行在前；键为该表的列，金额为 0 时为空）")
    empty: bool = zh("该表为空表")


@dataclass(frozen=True)
class PairedTableFacts(_Readable):
    """表1 and 表4: 收入 beside 支出."""
    rows: list[TableRow] = zh("表格各行：收入项目与功能分类类级支出并排")
    income_total: Amount = zh("收入总计")
    expense_total: Amount = zh("支出总计（表4：合计列）")
    expense_gpb: Amount = zh("表4 支出总计的一般公共预算列（表1 为空）")
    expense_fund: Amount = zh("表4 支出总计的政府性基金预算列（表1 为空）")
    expense_soe: Amount = zh("表4 支出总计的国有资本经营预算列（表1 为空）")


@dataclass(frozen=True)
class Tables(_Readable):
    t1: PairedTableFacts = zh("表1 单位收支总体情况表")
    t2: TableFacts = zh("表2 单位收入总体情况表")
    t3: TableFacts = zh("表3 单位支出总体情况表")
    t4: PairedTableFacts = zh("表4 财政拨款收支预算总体情况表")
    t5: TableFacts = zh("表5 一般公共预算支出情况表")
    t6: TableFacts = zh("表6 一般公共预算基本支出情况表")
    t7: TableFacts = zh("表7 一般公共预算项目支出情况表")
    t8: TableFacts = zh("表8 政府性基金预算支出情况表")
    t9: TableFacts = zh("表9 国有资本经营预算支出情况表")
    t10: TableFacts = zh("表10 财政拨款“三公”经费支出情况表")
    t11: TableFacts = zh("表11 上年结转结余情况明细表")


@dataclass(frozen=True)
class Overview(_Readable):
    total: Amount = zh("收支总预算（表1 收入总计）")
    income_sources: list[str] = zh("有预算的收入来源名称（第三部分一）")
    expense_classes: list[str] = zh("有支出的功能分类类名称（第三部分一）")


@dataclass(frozen=True)
class Source(_Readable):
    key: str = zh("来源键：gpb、fund、soe、unit_funds 等")
    label: str = zh("表2 列名")
    name: str = zh("来源名称（报告各处统一用此名称）")
    amount: Amount = zh("本年预算（万元）")
    arranged: bool = zh("本年有预算")
    fiscal: bool = zh("属于财政拨款（一般公共预算、政府性基金、国有资本经营预算及其转移支付）")
    share: Percent | None = zh("占收入预算的百分比（未安排时为空）")
    change: Change | None = zh("比上年（未安排且上年也没有时为空）")


@dataclass(frozen=True)
class Income(_Readable):
    total: Amount = zh("收入预算合计（表2 总计）")
    sources: list[Source] = zh("表2 的各收入来源，按表2 列的顺序")


@dataclass(frozen=True)
class Part(_Readable):
    amount: Amount = zh("金额（万元）")
    share: Percent = zh("占合计的百分比")
    change: Change = zh("比上年")


@dataclass(frozen=True)
class Expense(_Readable):
    total: Amount = zh("支出预算合计（表3 合计）")
    basic: Part = zh("基本支出")
    project: Part = zh("项目支出")


@dataclass(frozen=True)
class FiscalSource(_Readable):
    key: str = zh("资金键：gpb（一般公共预算）、fund（政府性基金）、soe（国有资本经营）")
    label: str = zh("一般公共预算 / 政府性基金预算 / 国有资本经营预算")
    amount: Amount = zh("财政拨款收入（表4）")
    arranged: bool = zh("本年有该项拨款")


@dataclass(frozen=True)
class Spending(_Readable):
    name: str = zh("功能分类类名称")
    amount: Amount = zh("该类该项资金的支出（表4）")
    purpose: str = zh("主要用于（支出用途说明表中该资金的一列；未填写时为空）")


@dataclass(frozen=True)
class SpendingByFund(_Readable):
    gpb: list[Spending] = zh("一般公共预算支出的各类")
    fund: list[Spending] = zh("政府性基金预算支出的各类")
    soe: list[Spending] = zh("国有资本经营预算支出的各类")


@dataclass(frozen=True)
class Fiscal(_Readable):
    total: Amount = zh("财政拨款收支总预算（表4 收入总计）")
    sources: list[FiscalSource] = zh("三项财政拨款")
    spending: SpendingByFund = zh("财政拨款支出，按资金分类列出各类")


@dataclass(frozen=True)
class ClassShare(_Readable):
    name: str = zh("功能分类类名称")
    amount: Amount = zh("一般公共预算支出（表5）")
    share: Percent = zh("占一般公共预算支出的百分比")


@dataclass(frozen=True)
class Detail(_Readable):
    code: str = zh("功能分类项级编码")
    cls: str = zh("类名称")
    kuan: str = zh("款名称")
    xiang: str = zh("项名称")
    amount: Amount = zh("本年预算数（表5）")
    change: Change = zh("比上年")


@dataclass(frozen=True)
class GpbPart(_Readable):
    amount: Amount = zh("金额（万元）")
    change: Change = zh("比上年")


@dataclass(frozen=True)
class Gpb(_Readable):
    total: Amount = zh("一般公共预算拨款合计（表5 合计）")
    basic: GpbPart = zh("基本支出")
    project: GpbPart = zh("项目支出")
    classes: list[ClassShare] = zh("有支出的功能分类类")
    details: list[Detail] = zh("有支出的功能分类项")


@dataclass(frozen=True)
class Basic(_Readable):
    total: Amount = zh("一般公共预算基本支出（表6 合计）")
    personnel: Amount = zh("人员经费")
    public: Amount = zh("公用经费")
    personnel_items: list[str] = zh("有人员经费的经济分类款名称")
    public_items: list[str] = zh("有公用经费的经济分类款名称")


@dataclass(frozen=True)
class Indicator(_Readable):
    level1: str = zh("一级指标（与上一行合并时为合并标记）")
    level2: str = zh("二级指标（与上一行合并时为合并标记）")
    level3: str = zh("三级指标")
    value: str = zh("指标值")
    basis: str = zh("指标设定依据")
    weight: str = zh("分值权重")
    last_value: str = zh("上年完成值（项目）")
    rule: str = zh("指标赋分规则（项目）")
    evidence: str = zh("佐证资料（项目）")


@dataclass(frozen=True)
class Project(_Readable):
    number: str = zh("序号（一、二、……）")
    name: str = zh("项目名称")
    amount: Amount = zh("表7 中该项目的一般公共预算项目支出（不在表7 的项目为 0.00）")
    in_t7: bool = zh("该项目在表7（一般公共预算项目）中")
    basis: str = zh("设立的政策依据")
    owner_unit: str = zh("项目承担单位")
    allocation: str = zh("资金分配情况")
    period: str = zh("资金执行时间")
    leader: str = zh("项目负责人")
    goal: str = zh("项目总体目标")
    fiscal: Amount = zh("财政拨款（项目信息表）")
    other: Amount = zh("其他资金（项目信息表）")
    budget: Amount = zh("年度预算总额 = 财政拨款 + 其他资金")
    indicators: list[Indicator] = zh("项目支出绩效指标")


@dataclass(frozen=True)
class FundTable(_Readable):
    empty: bool = zh("该表为空表")
    total: Amount = zh("支出合计")
    basic: Amount = zh("基本支出（人员经费 + 公用经费）")
    project: Amount = zh("项目支出")


@dataclass(frozen=True)
class ThreePart(_Readable):
    name: str = zh("因公出国（境）费 / 公务用车购置费 / 公务用车运行费 / 公务接待费")
    amount: Amount = zh("本年预算（表10）")
    change: Change = zh("比上年")


@dataclass(frozen=True)
class Three(_Readable):
    total: Amount = zh("“三公”经费合计（表10）")
    parts: list[ThreePart] = zh("四项“三公”经费")
    change: Change = zh("合计比上年")


@dataclass(frozen=True)
class Carryover(_Readable):
    empty: bool = zh("表11 为空表")
    total: Amount = zh("上年结转结余合计")
    fiscal: Amount = zh("财政拨款结转")
    nonfiscal: Amount = zh("非财政拨款结转结余")


@dataclass(frozen=True)
class Running(_Readable):
    name: str = zh("事业单位运行经费 / 机关运行经费（按单位性质）")
    amount: Amount = zh("运行经费财政拨款预算")
    change: Change = zh("比上年")


@dataclass(frozen=True)
class Procurement(_Readable):
    total: Amount = zh("政府采购预算合计")
    goods: Amount = zh("货物")
    works: Amount = zh("工程")
    services: Amount = zh("服务")
    sme: Amount = zh("面向中小企业预留金额")
    micro: Amount = zh("小微企业预留金额")


@dataclass(frozen=True)
class CarType(_Readable):
    name: str = zh("一般公务用车 / 执法执勤用车 / 其他车辆")
    count: int = zh("辆数")
    value: Amount = zh("价值（万元）")


@dataclass(frozen=True)
class Assets(_Readable):
    year: int = zh("资产统计截至的年度（上一年）")
    house_area: Amount = zh("房屋面积（平方米，两位小数）")
    house_value: Amount = zh("房屋价值")
    cars: int = zh("车辆合计（辆）")
    cars_value: Amount = zh("车辆价值合计")
    car_types: list[CarType] = zh("各类车辆")
    furniture: Amount = zh("办公家具价值")
    other: Amount = zh("其他资产价值")
    equipment_50: int = zh("单位价值 50 万元以上大型设备（台）")
    equipment_100: int = zh("单位价值 100 万元以上大型设备（台）")
    buy_car: Amount = zh("本年购置车辆经费")
    buy_car_arranged: bool = zh("本年安排了购置车辆经费")
    buy_equipment_50: int = zh("本年购置 50 万元以上大型设备（台）")
    buy_equipment_100: int = zh("本年购置 100 万元以上大型设备（台）")


@dataclass(frozen=True)
class Performance(_Readable):
    unit_goals: int = zh("整体绩效目标个数（0 或 1）")
    unit_amount: Amount = zh("整体绩效目标涉及预算金额")
    projects: int = zh("当年预算安排项目个数（项目信息表的全部项目，其绩效目标表都在后面列出）")
    fiscal: Amount = zh("这些项目的财政拨款合计")
    nonfiscal: Amount = zh("这些项目的其他资金（非财政拨款）合计")


@dataclass(frozen=True)
class Other(_Readable):
    running: Running = zh("（一）运行经费")
    procurement: Procurement = zh("（二）政府采购")
    assets: Assets = zh("（三）国有资产占用使用")
    performance: Performance = zh("（四）预算绩效")
    matters: str = zh("（五）其他需说明的事项（空则为空）")


@dataclass(frozen=True)
class UnitPerformance(_Readable):
    goal: str = zh("年度绩效目标")
    upper: Amount = zh("财政资金上级安排")
    own: Amount = zh("财政资金本级安排")
    other: Amount = zh("其他资金")
    total: Amount = zh("资金总额")
    indicators: list[Indicator] = zh("单位整体绩效指标")


@dataclass(frozen=True)
class ReportFacts(_Readable):
    """Everything a report template receives, by part of the report."""
    unit: Unit = zh("单位信息")
    staff: Staff = zh("第一部分：人员情况")
    tables: Tables = zh("第二部分：表1–表11")
    overview: Overview = zh("第三部分一：收支总体")
    income: Income = zh("第三部分二：收入")
    expense: Expense = zh("第三部分三：支出")
    fiscal: Fiscal = zh("第三部分四：财政拨款收支")
    gpb: Gpb = zh("第三部分五：一般公共预算当年拨款")
    basic: Basic = zh("第三部分六：一般公共预算基本支出")
    projects: list[Project] = zh("第三部分七：表7 的项目（一般公共预算项目支出），按表7 顺序")
    fund: FundTable = zh("第三部分八：政府性基金预算（表8）")
    soe: FundTable = zh("第三部分九：国有资本经营预算（表9）")
    three: Three = zh("第三部分十：“三公”经费")
    carryover: Carryover = zh("第三部分十一：上年结转结余（表11）")
    other: Other = zh("第三部分十二：其他重要事项")
    unit_performance: UnitPerformance = zh("单位整体绩效目标表")
    perf_projects: list[Project] = zh("项目支出绩效目标表：项目信息表的全部项目（含不在表7 的项目），按项目信息表顺序")

    def keys(self) -> list[str]:
        """Top-level names, so `template.render(facts)` takes the facts as its context."""
        return [f.name for f in fields(self)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(fields(self))
