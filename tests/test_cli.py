"""The command line: Chinese help, init, what a clerk sees when a blank workbook is built, and a bug of ours."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from budgetreport.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_help_is_chinese():
    for args in (["--help"], ["build", "--help"], ["check", "--help"], ["init", "--help"], ["batch", "--help"],
                 ["templates", "--help"], ["templates", "copy", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "用法" in result.output and "显示本帮助并退出" in result.output
        assert "Usage" not in result.output and "Show this message" not in result.output


def _cli_in_fresh_process(args: list[str], prelude: str = "") -> subprocess.CompletedProcess:
    """The program as a clerk starts it: a new process through the entry point main()."""
    code = ("import sys\nimport budgetreport.cli as cli\n"
            "assert 'typer.rich_utils' not in sys.modules, 'imported before it is needed'\n"
            f"{prelude}\nsys.argv = ['budgetreport'] + {args!r}\ncli.main()\n")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100", "TERM": "dumb", "LANG": "en_US.UTF-8"}
    env.pop("BUDGETREPORT_DEBUG", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=60)


def test_panel_titles_are_chinese_though_typer_loads_them_only_for_help_and_errors():
    shown = _cli_in_fresh_process(["build", "--help"])
    assert shown.returncode == 0, shown.stderr
    assert "参数" in shown.stdout and "选项" in shown.stdout and "[必填]" in shown.stdout
    assert "用法" in shown.stdout and "显示本帮助并退出" in shown.stdout
    assert "Arguments" not in shown.stdout and "Options" not in shown.stdout
    wrong = _cli_in_fresh_process(["build", "--no-such-option"])
    assert wrong.returncode == 2
    assert "错误" in wrong.stderr and "查看帮助" in wrong.stderr and "Error" not in wrong.stderr


def test_the_catalog_file_is_what_the_tool_writes():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from make_catalog import TARGET, mo_bytes
        from budgetreport.cli_texts import CATALOG
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert TARGET.read_bytes() == mo_bytes(CATALOG), "run python tools/make_catalog.py"


def test_importing_the_cli_leaves_typer_and_click_as_they_were():
    code = ("import typer.rich_utils as r, typer._click.core as c, typer._click.formatting as f, typer.core as t;"
            "before = (dict(vars(r)), dict(vars(c.Command)), dict(vars(f.HelpFormatter)), dict(vars(t.TyperCommand)));"
            "import budgetreport.cli as cli; cli.use_chinese();"
            "after = (dict(vars(r)), dict(vars(c.Command)), dict(vars(f.HelpFormatter)), dict(vars(t.TyperCommand)));"
            "import sys; sys.exit(0 if all(a == b for a, b in zip(before, after)) else 1)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


_BUG = ("import budgetreport.build as b\n"
        "def broken(*a, **k):\n    raise KeyError('总计')\n"
        "b.build_report = broken")


def test_a_bug_of_ours_is_an_internal_error_in_chinese_not_a_traceback(tmp_path):
    workbook = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
    done = _cli_in_fresh_process(["build", str(workbook), "-o", str(tmp_path / "out")], prelude=_BUG)
    assert done.returncode == 3, done.stderr
    assert "内部错误" in done.stderr and "KeyError" in done.stderr and "--debug" in done.stderr
    assert "不是工作簿或模板的错误" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    debug = _cli_in_fresh_process(["--debug", "build", str(workbook), "-o", str(tmp_path / "out")], prelude=_BUG)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "KeyError" in debug.stderr


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
