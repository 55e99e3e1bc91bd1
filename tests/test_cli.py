"""The command line: Chinese help, init, and what a clerk sees when a blank workbook is built."""
from __future__ import annotations


from typer.testing import CliRunner

from budgetreport.cli import app

runner = CliRunner()


def test_help_is_chinese():
    for args in (["--help"], ["build", "--help"], ["check", "--help"], ["init", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "用法" in result.output and "显示本帮助并退出" in result.output
        assert "Show this message" not in result.output


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
