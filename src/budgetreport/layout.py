"""The standard workbook: which sheets it has and what each column holds.

One place describes the workbook, so the reader (`read.py`), the blank-workbook writer (`init_workbook.py`),
the sample generator (`tools/make_sample.py`) and the documentation (`docs/workbook.md`, which shows the sheets,
header blocks and marker rows) cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- table sheets

CODE = "code"    # 类/款/项 code part, text ("208", "05")
TEXT = "text"
MONEY = "money"  # 万元, Decimal


@dataclass(frozen=True)
class Column:
    key: str
    label: str   # the lowest header label of the column, as published
    kind: str = MONEY


@dataclass(frozen=True)
class Merge:
    """A merged range inside the header block, 1-based (row, column) within the block."""
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass(frozen=True)
class TableSpec:
    number: int
    title: str
    columns: tuple[Column, ...]
    header: tuple[tuple[str, ...], ...]      # header block rows, "" where a merge covers the cell
    merges: tuple[Merge, ...] = ()
    marker: str = "※"                         # column A of the last header row
    may_be_empty: bool = False

    @property
    def sheet_name(self) -> str:
        return f"表{self.number} {self.title}"

    @property
    def key(self) -> str:
        return f"t{self.number}"

    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def money_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.kind == MONEY)


def _cols(*spec: tuple[str, str, str] | tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


FUNC_CODE_COLS = (("cls", "类", CODE), ("kuan", "款", CODE), ("xiang", "项", CODE), ("name", "功能分类科目名称", TEXT))

# 表2 source columns, in order: key, header label, narrative name (第三部分 二).
INCOME_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("gpb", "一般公共预算", "一般公共预算"),
    ("gpb_transfer", "上级一般公共预算安排的转移支付", "上级一般公共预算安排的转移支付资金"),
    ("fund", "政府性基金预算", "政府性基金预算"),
    ("fund_transfer", "上级政府性基金安排的转移支付", "上级政府性基金安排的转移支付资金"),
    ("soe", "国有资本经营预算", "国有资本经营预算"),
    ("soe_transfer", "上级国有资本经营预算安排的转移支付", "上级国有资本经营预算安排的转移支付资金"),
    ("special", "财政专户（教育收费）", "财政专户管理资金"),
    ("unit_funds", "单位资金", "单位资金"),
    ("carryover", "财政拨款结转", "上年财政拨款结转"),
    ("other_carryover", "非财政拨款结转结余", "上年非财政拨款结转结余"),
)
FISCAL_SOURCES = ("gpb", "gpb_transfer", "fund", "fund_transfer", "soe", "soe_transfer")
# One name per source in every sentence of the narrative (第三部分 一 and 二 alike): the narrative name above.
SOURCE_NAMES: dict[str, str] = {key: narrative for key, _label, narrative in INCOME_SOURCES}

# 财政拨款 by fund (表4 支出 columns, 表10 资金来源): key, name as the narrative writes it.
FISCAL_FUNDS: tuple[tuple[str, str], ...] = (
    ("gpb", "一般公共预算"),
    ("fund", "政府性基金预算"),
    ("soe", "国有资本经营预算"),
)

# 基本支出 / 项目支出 (表3, 表5 columns and the 上年预算 items of 支出 and 一般公共预算支出).
EXPENSE_PARTS: tuple[tuple[str, str], ...] = (("basic", "基本支出"), ("project", "项目支出"))

# 表1 收入 side: key, label as published. The label identifies the row.
T1_INCOME_ITEMS: tuple[tuple[str, str], ...] = (
    ("this_year", "一、本年收入"),
    ("gpb", "1. 一般公共预算拨款"),
    ("gpb_own", "其中：一般财力"),
    ("gpb_transfer", "上级一般公共预算安排转移支付"),
    ("fund", "2. 政府性基金预算拨款"),
    ("fund_own", "其中：政府性基金收入"),
    ("fund_transfer", "上级政府性基金安排转移支付"),
    ("soe", "3. 国有资本经营预算拨款"),
    ("soe_own", "其中：国有资本经营收入"),
    ("soe_transfer", "上级国有资本经营预算安排转移支付"),
    ("special", "4. 财政专户核拨"),
    ("unit_funds", "5. 单位资金"),
    ("business", "其中：事业收入"),
    ("upper_subsidy", "上级补助收入"),
    ("affiliated", "附属单位上缴收入"),
    ("operating", "事业单位经营收入"),
    ("other_income", "其他收入"),
    ("carry", "二、上年结转结余"),
    ("fiscal_carry", "1. 财政拨款结转"),
    ("fiscal_carry_gpb", "其中：一般公共预算拨款"),
    ("fiscal_carry_fund", "政府性基金预算拨款"),
    ("fiscal_carry_soe", "国有资本经营预算拨款"),
    ("nonfiscal_carry", "2. 非财政拨款结转结余"),
    ("nonfiscal_carry_special", "其中：财政专户核拨"),
    ("nonfiscal_carry_unit", "单位资金"),
)

# 表4 收入 side.
T4_INCOME_ITEMS: tuple[tuple[str, str], ...] = (
    ("fiscal", "一、财政拨款（补助）"),
    ("gpb", "一般公共预算"),
    ("fund", "政府性基金预算"),
    ("soe", "国有资本经营预算"),
)

# 表10 rows: key, label as published.
T10_ITEMS: tuple[tuple[str, str], ...] = (
    ("total", "合计"),
    ("abroad", "因公出国（境）费"),
    ("reception", "公务接待费"),
    ("vehicles", "公务用车购置及运行费（小计）"),
    ("vehicle_purchase", "其中：公务用车购置费"),
    ("vehicle_running", "公务用车运行费"),
)

T1 = TableSpec(
    1, "单位收支总体情况表",
    _cols(("in_label", "项目", TEXT), ("in_amount", "预算数"), ("out_label", "功能分类", TEXT), ("out_amount", "预算数")),
    header=(("收入", "", "支出", ""), ("项目", "预算数", "功能分类", "预算数")),
    merges=(Merge(1, 1, 1, 2), Merge(1, 3, 1, 4)),
    marker="项目",
)

T2 = TableSpec(
    2, "单位收入总体情况表",
    _cols(*FUNC_CODE_COLS, ("total", "总计"), ("fiscal", "财政拨款（补助）小计"),
          *[(k, label) for k, label, _ in INCOME_SOURCES]),
    header=(
        ("功能分类科目编码", "", "", "功能分类科目名称", "总计", "财政拨款（补助）", "", "", "", "", "", "",
         "财政专户（教育收费）", "单位资金", "财政拨款结转", "非财政拨款结转结余"),
        ("类", "款", "项", "", "", "财政拨款（补助）小计", "一般公共预算", "上级一般公共预算安排的转移支付",
         "政府性基金预算", "上级政府性基金安排的转移支付", "国有资本经营预算", "上级国有资本经营预算安排的转移支付",
         "", "", "", ""),
        ("※", "※", "※", "※", *[str(i) for i in range(1, 13)]),
    ),
    merges=(Merge(1, 1, 1, 3), Merge(1, 4, 2, 4), Merge(1, 5, 2, 5), Merge(1, 6, 1, 12),
            Merge(1, 13, 2, 13), Merge(1, 14, 2, 14), Merge(1, 15, 2, 15), Merge(1, 16, 2, 16)),
)


def _expense_table(number: int, title: str, group: str) -> TableSpec:
    """表3 and 表5 share one shape: 合计 = 基本支出 + 项目支出 by 功能分类."""
    return TableSpec(
        number, title,
        _cols(*FUNC_CODE_COLS, ("total", "合计"), ("basic", "基本支出"), ("project", "项目支出")),
        header=(
            ("科目", "", "", "", group, "", ""),
            ("功能分类科目编码", "", "", "功能分类科目名称", "合计", "基本支出", "项目支出"),
            ("类", "款", "项", "", "", "", ""),
            ("※", "※", "※", "※", "1", "2", "3"),
        ),
        merges=(Merge(1, 1, 1, 4), Merge(1, 5, 1, 7), Merge(2, 1, 2, 3), Merge(2, 4, 3, 4), Merge(2, 5, 3, 5),
                Merge(2, 6, 3, 6), Merge(2, 7, 3, 7)),
    )


T3 = _expense_table(3, "单位支出总体情况表", "支出预算")
T5 = _expense_table(5, "一般公共预算支出情况表", "一般公共预算支出")

T4 = TableSpec(
    4, "财政拨款收支预算总体情况表",
    _cols(("in_label", "项目", TEXT), ("in_amount", "合计"), ("out_label", "功能分类", TEXT), ("total", "合计"),
          ("gpb", "一般公共预算"), ("fund", "政府性基金预算"), ("soe", "国有资本经营预算")),
    header=(("财政拨款收入", "", "财政拨款支出", "", "", "", ""),
            ("项目", "合计", "功能分类", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算")),
    merges=(Merge(1, 1, 1, 2), Merge(1, 3, 1, 7)),
    marker="项目",
)

T6 = TableSpec(
    6, "一般公共预算基本支出情况表",
    _cols(("cls", "类", CODE), ("kuan", "款", CODE), ("name", "经济分类科目名称", TEXT),
          ("total", "合计"), ("personnel", "人员经费"), ("public", "公用经费")),
    header=(
        ("经济分类科目编码", "", "科目", "一般公共预算基本支出", "", ""),
        ("类", "款", "经济分类科目名称", "合计", "人员经费", "公用经费"),
        ("※", "※", "※", "1", "2", "3"),
    ),
    merges=(Merge(1, 1, 1, 2), Merge(1, 4, 1, 6)),
)

# 表7 economic columns: key, label (published), 经济分类 类 code.
T7_ECONOMIC: tuple[tuple[str, str, str], ...] = (
    ("e301", "工资福利支出", "301"),
    ("e302", "商品和服务支出", "302"),
    ("e303", "对个人和家庭的补助", "303"),
    ("e307", "债务利息及费用支出", "307"),
    ("e309", "资本性支出（基本建设）", "309"),
    ("e310", "资本性支出", "310"),
    ("e311", "对企业补助（基本建设）", "311"),
    ("e312", "对企业补助", "312"),
    ("e313", "对社会保障基金补助", "313"),
    ("e399", "其他支出", "399"),
)

T7 = TableSpec(
    7, "一般公共预算项目支出情况表",
    _cols(*FUNC_CODE_COLS, ("project", "项目名称", TEXT), ("total", "项目支出合计"),
          *[(k, label) for k, label, _ in T7_ECONOMIC]),
    header=(
        ("科目编码", "", "", "功能分类科目名称", "项目名称", "项目支出合计", *[label for _, label, _ in T7_ECONOMIC]),
        ("类", "款", "项", "", "", "", *[""] * 10),
        ("※", "※", "※", "※", "※", *[str(i) for i in range(1, 12)]),
    ),
    merges=(Merge(1, 1, 1, 3), *[Merge(1, c, 2, c) for c in range(4, 17)]),
)


def _fund_table(number: int, title: str, group: str) -> TableSpec:
    """表8 and 表9 share one shape."""
    return TableSpec(
        number, title,
        _cols(*FUNC_CODE_COLS, ("total", "合计"), ("personnel", "人员经费"), ("public", "公用经费"),
              ("project", "项目支出")),
        header=(
            ("科目", "", "", "", group, "", "", ""),
            ("功能分类科目编码", "", "", "功能分类科目名称", "合计", "基本支出", "", "项目支出"),
            ("类", "款", "项", "", "", "人员经费", "公用经费", ""),
            ("※", "※", "※", "※", "1", "2", "3", "4"),
        ),
        merges=(Merge(1, 1, 1, 4), Merge(1, 5, 1, 8), Merge(2, 1, 2, 3), Merge(2, 4, 3, 4), Merge(2, 5, 3, 5),
                Merge(2, 6, 2, 7), Merge(2, 8, 3, 8)),
        may_be_empty=True,
    )


T8 = _fund_table(8, "政府性基金预算支出情况表", "政府性基金预算支出")
T9 = _fund_table(9, "国有资本经营预算支出情况表", "国有资本经营预算支出")

T10 = TableSpec(
    10, "财政拨款“三公”经费支出情况表",
    _cols(("label", "“三公”经费支出内容", TEXT), ("total", "合计"), ("gpb", "一般公共预算"),
          ("fund", "政府性基金"), ("soe", "国有资本经营预算")),
    header=(
        ("“三公”经费支出内容", "合计", "资金来源", "", ""),
        ("", "", "一般公共预算", "政府性基金", "国有资本经营预算"),
        ("※", "1", "2", "3", "4"),
    ),
    merges=(Merge(1, 1, 2, 1), Merge(1, 2, 2, 2), Merge(1, 3, 1, 5)),
)

T11 = TableSpec(
    11, "上年结转结余情况明细表",
    _cols(("label", "项目", TEXT), ("total", "合计"),
          ("fiscal", "小计"), ("fiscal_personnel", "人员经费"), ("fiscal_public", "公用经费"),
          ("fiscal_project", "项目支出"),
          ("nonfiscal", "小计"), ("nonfiscal_personnel", "人员经费"), ("nonfiscal_public", "公用经费"),
          ("nonfiscal_project", "项目支出")),
    header=(
        ("项目", "合计", "财政拨款", "", "", "", "非财政拨款", "", "", ""),
        ("", "", "小计", "基本支出", "", "项目支出", "小计", "基本支出", "", "项目支出"),
        ("", "", "", "人员经费", "公用经费", "", "", "人员经费", "公用经费", ""),
        ("※", *[str(i) for i in range(1, 10)]),
    ),
    merges=(Merge(1, 1, 3, 1), Merge(1, 2, 3, 2), Merge(1, 3, 1, 6), Merge(1, 7, 1, 10), Merge(2, 3, 3, 3),
            Merge(2, 4, 2, 5), Merge(2, 6, 3, 6), Merge(2, 7, 3, 7), Merge(2, 8, 2, 9), Merge(2, 10, 3, 10)),
    may_be_empty=True,
)

TABLES: tuple[TableSpec, ...] = (T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11)
TABLES_BY_NUMBER: dict[int, TableSpec] = {t.number: t for t in TABLES}

# Rows above the header block on a table sheet written by `init`: title, 编制单位, 单位：万元.
TITLE_ROWS = 3

# --------------------------------------------------------------------------- other sheets


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = TEXT          # text | money | int | date | year
    required: bool = True
    help: str = ""
    may_be_absent: bool = False   # a column added later: workbooks made before it still read (as blank)


@dataclass(frozen=True)
class KeyValueSheet:
    """Column A 项目, column B 内容, column C 填写说明; one field per row from row 2."""
    name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class RowSheet:
    """Row 1 holds the column labels; one record per row from row 2."""
    name: str
    columns: tuple[Field, ...]
    help: str = ""


INT = "int"
DATE = "date"

UNIT_INFO = KeyValueSheet("单位信息", (
    Field("name", "单位名称", help="与公开文件标题一致，如：昌吉市城市管理指挥中心"),
    Field("code", "单位编码", required=False, help="可空；批量生成时按编码查找单位模板"),
    Field("year", "预算年度", INT, help="如 2025"),
    Field("date", "编制日期", DATE, help="落款日期，如 2025-02-08"),
    Field("kind", "单位性质", help="行政单位 / 参照公务员法管理事业单位 / 事业单位"),
    Field("functions", "主要职能", help="第一部分“一、主要职能”的全文"),
    Field("subunits", "下属预算单位数", INT, help="0 表示无下属预算单位"),
    Field("departments", "内设科室", help="用顿号“、”分隔，如：综合办公室、监督维护科"),
    Field("staff_quota", "编制数", INT),
    Field("staff_actual", "实有人数", INT, help="= 在职 + 退休 + 离休"),
    Field("staff_active", "在职人数", INT),
    Field("staff_active_last", "上年在职人数", INT),
    Field("staff_retired", "退休人数", INT),
    Field("staff_retired_last", "上年退休人数", INT),
    Field("staff_veteran", "离休人数", INT),
    Field("staff_veteran_last", "上年离休人数", INT),
    Field("contact", "单位联系人", help="单位整体绩效目标表用"),
    Field("phone", "联系电话"),
    Field("other_matters", "其他需说明的事项", required=False, help="空则写“本单位无其他需说明事项。”"),
))

OTHER_MATTERS = KeyValueSheet("其他重要事项", (
    Field("running_cost", "运行经费", MONEY, help="第三部分十二（一）；应等于表6公用经费合计"),
    Field("procurement_total", "政府采购预算合计", MONEY, help="= 货物 + 工程 + 服务"),
    Field("procurement_goods", "政府采购货物预算", MONEY),
    Field("procurement_works", "政府采购工程预算", MONEY),
    Field("procurement_services", "政府采购服务预算", MONEY),
    Field("sme_reserved", "面向中小企业预留金额", MONEY),
    Field("micro_reserved", "小微企业预留金额", MONEY),
    Field("house_area", "房屋面积（平方米）", MONEY),
    Field("house_value", "房屋价值", MONEY),
    Field("car_official", "一般公务用车（辆）", INT),
    Field("car_official_value", "一般公务用车价值", MONEY),
    Field("car_law", "执法执勤用车（辆）", INT),
    Field("car_law_value", "执法执勤用车价值", MONEY),
    Field("car_other", "其他车辆（辆）", INT),
    Field("car_other_value", "其他车辆价值", MONEY),
    Field("furniture_value", "办公家具价值", MONEY),
    Field("other_assets_value", "其他资产价值", MONEY),
    Field("equipment_50", "单位价值50万元以上大型设备（台）", INT),
    Field("equipment_100", "单位价值100万元以上大型设备（台）", INT),
    Field("buy_car_budget", "本年购置车辆经费", MONEY, help="0 表示未安排"),
    Field("buy_equipment_50", "本年购置50万元以上大型设备（台）", INT),
    Field("buy_equipment_100", "本年购置100万元以上大型设备（台）", INT),
))

UNIT_PERFORMANCE = KeyValueSheet("单位整体绩效目标", (
    Field("goal", "年度绩效目标"),
    Field("upper", "财政资金上级安排", MONEY),
    Field("own", "财政资金本级安排", MONEY),
    Field("other", "其他资金", MONEY),
))

COMPARISONS = RowSheet("上年预算及变动原因", (
    Field("category", "类别", help="收入 / 支出 / 一般公共预算支出 / 功能分类 / 三公经费 / 运行经费"),
    Field("item", "项目或科目编码", help="如：一般公共预算、基本支出、2080505、公务接待费"),
    Field("name", "名称（仅供核对）", required=False),
    Field("last_year", "上年预算数", MONEY),
    Field("reason", "主要原因", required=False, help="写在“主要原因是”之后，不含句号"),
), help="第三部分与上年比较的每一项：上年预算数与变动原因")

# Categories of the 上年预算 sheet and the items each expects.
CMP_INCOME = "收入"
CMP_EXPENSE = "支出"
CMP_GPB_EXPENSE = "一般公共预算支出"
CMP_FUNCTION = "功能分类"
CMP_THREE = "三公经费"
CMP_RUNNING = "运行经费"
CMP_CATEGORIES = (CMP_INCOME, CMP_EXPENSE, CMP_GPB_EXPENSE, CMP_FUNCTION, CMP_THREE, CMP_RUNNING)
# 三公经费 as the narrative compares them: 表10 row key, item name (also the 上年预算 item).
THREE_PARTS: tuple[tuple[str, str], ...] = (
    ("total", "合计"),
    ("abroad", "因公出国（境）费"),
    ("vehicle_purchase", "公务用车购置费"),
    ("vehicle_running", "公务用车运行费"),
    ("reception", "公务接待费"),
)
THREE_ITEMS = tuple(name for _key, name in THREE_PARTS)
RUNNING_ITEM = "运行经费"
# 十二（一）: what the running cost is called, by 单位性质.
RUNNING_NAME_PUBLIC_INSTITUTION = "事业单位运行经费"
RUNNING_NAME_ORGAN = "机关运行经费"
# 十二（三）: vehicles by type: count field, value field, name.
CAR_TYPES: tuple[tuple[str, str, str], ...] = (
    ("car_official", "car_official_value", "一般公务用车"),
    ("car_law", "car_law_value", "执法执勤用车"),
    ("car_other", "car_other_value", "其他车辆"),
)

PURPOSES = RowSheet("支出用途说明", (
    Field("code", "科目编码（类）"),
    Field("name", "科目名称", required=False),
    Field("purpose", "主要用于", help="第三部分四：一般公共预算支出“××支出 x 万元，主要用于……”"),
    Field("fund_purpose", "政府性基金预算主要用于", required=False, may_be_absent=True,
          help="第三部分四：该类有政府性基金预算支出时必填，“政府性基金预算支出包括：××支出 x 万元，主要用于……”"),
    Field("soe_purpose", "国有资本经营预算主要用于", required=False, may_be_absent=True,
          help="第三部分四：该类有国有资本经营预算支出时必填"),
))

PROJECTS = RowSheet("项目信息", (
    Field("name", "项目名称", help="与表7项目名称一致"),
    Field("basis", "设立的政策依据"),
    Field("owner_unit", "项目承担单位"),
    Field("allocation", "资金分配情况"),
    Field("period", "资金执行时间"),
    Field("leader", "项目负责人"),
    Field("goal", "项目总体目标"),
    Field("fiscal", "财政拨款", MONEY),
    Field("other", "其他资金", MONEY),
))

UNIT_INDICATORS = RowSheet("单位整体绩效指标", (
    Field("level1", "一级指标", required=False, help="空表示与上一行相同（合并单元格）"),
    Field("level2", "二级指标", required=False, help="空表示与上一行相同（合并单元格）"),
    Field("level3", "三级指标"),
    Field("value", "指标值"),
    Field("basis", "指标设定依据"),
    Field("weight", "分值权重"),
))

PROJECT_INDICATORS = RowSheet("项目支出绩效指标", (
    Field("project", "项目名称", help="与项目信息表一致"),
    Field("level1", "一级指标", required=False, help="空表示与上一行相同（合并单元格）"),
    Field("level2", "二级指标", required=False, help="空表示与上一行相同（合并单元格）"),
    Field("level3", "三级指标"),
    Field("value", "指标值"),
    Field("basis", "指标值设置依据"),
    Field("last_value", "上年完成值"),
    Field("weight", "指标分值权重"),
    Field("rule", "指标赋分规则"),
    Field("evidence", "佐证资料"),
))

INSTRUCTIONS_SHEET = "填表说明"
KEY_VALUE_SHEETS = (UNIT_INFO, OTHER_MATTERS, UNIT_PERFORMANCE)
ROW_SHEETS = (COMPARISONS, PURPOSES, PROJECTS, UNIT_INDICATORS, PROJECT_INDICATORS)

# Sheet order in a workbook written by `init` or the sample script.
SHEET_ORDER: tuple[str, ...] = (
    INSTRUCTIONS_SHEET, UNIT_INFO.name, *[t.sheet_name for t in TABLES], COMPARISONS.name, PURPOSES.name,
    PROJECTS.name, UNIT_PERFORMANCE.name, UNIT_INDICATORS.name, PROJECT_INDICATORS.name, OTHER_MATTERS.name,
)
