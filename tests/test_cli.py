"""The command line: Chinese help, init, and what a clerk sees when a blank workbook is built."""
from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from budgetreport.cli import app

runner = CliRunner()


def test_help_is_chinese():
    for args in (["--help"], ["build", "--help"], ["check", "--help"], ["init", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "用法" in result.output and "显示本帮助并退出" in result.output
        assert "Show this message" not in result.output


def _cli_in_fresh_process(args: list[str]) -> subprocess.CompletedProcess:
    code = ("import sys; from budgetreport.cli import app; "
            "assert 'typer.rich_utils' not in sys.modules, 'imported before it is needed'; "
            f"app({args!r})")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=60)


def test_panel_titles_are_chinese_though_typer_loads_them_only_for_help_and_errors():
    shown = _cli_in_fresh_process(["build", "--help"])
    assert shown.returncode == 0, shown.stderr
    assert "参数" in shown.stdout and "选项" in shown.stdout and "[必填]" in shown.stdout
    assert "Arguments" not in shown.stdout and "Options" not in shown.stdout
    wrong = _cli_in_fresh_process(["build", "--no-such-option"])
    assert wrong.returncode == 2
    assert "错误" in wrong.stderr and "查看帮助" in wrong.stderr and "Error" not in wrong.stderr


def test_init_writes_a_blank_workbook_under_a_chinese_path(tmp_path):
    target = tmp_path / "财政局 2026" / "某某单位预算.xlsx"
    result = runner.invoke(app, ["init", str(target), "--unit", "某某单位", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert target.is_file()
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2 and "已存在" in again.output


def test_building_the_blank_workbook_says_what_to_fill(tmp_path):
    blank = tmp_path / "空白.xlsx"
    assert runner.invoke(app, ["init", str(blank), "--unit", "某某单位", "--year", "2026"]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(blank), "-o", str(out)])
    assert result.exit_code != 0
    assert "空白.xlsx" in result.output and "单位信息!B" in result.output and "未填写" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_batch_help_offers_the_per_unit_time_limit():
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--timeout" in result.output and "每个单位最多用时" in result.output and "0 表示不限" in result.output


def test_a_negative_time_limit_is_refused():
    result = runner.invoke(app, ["batch", ".", "-o", "out", "--timeout", "-1"])
    assert result.exit_code == 2
