"""budgetreport：单位预算公开报告生成工具。"""
__version__ = "0.1.0"

from .build import BuildResult, build_report  # noqa: E402,F401
from .errors import BudgetError  # noqa: E402,F401
