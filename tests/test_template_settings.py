"""settings.toml beside report.docx (issue 12 item 4): the report's name, file name pattern and document
title/subject; today's values without it; a wrong one is a Chinese error naming the file, and nothing is written."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from budgetreport.build import build_report
from budgetreport.cli import app
from budgetreport.errors import BudgetError
from conftest import SAMPLE, UNIT

YEAR = "2025"


def _settings(root: Path, text: str, where: str = UNIT) -> Path:
    (root / where).mkdir(exist_ok=True)
    path = root / where / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _expected(pattern: str, name: str) -> str:
    """The pattern filled by plain text replacement (independent of the code under test)."""
    return pattern.replace("{单位名称}", UNIT).replace("{年度}", YEAR).replace("{报告名称}", name) \
        .replace("{单位编码}", "")


def test_without_settings_the_names_are_todays(root: Path, tmp_path: Path) -> None:
    result = build_report(SAMPLE, tmp_path, templates_root=root, pdf=False)
    assert result.docx.name == f"{UNIT}{YEAR}年单位预算公开.docx"
    props = docx.Document(str(result.docx)).core_properties
    assert props.title == f"{UNIT}{YEAR}年单位预算公开" and props.subject == "单位预算公开"


@pytest.mark.parametrize("name,pattern,title,subject", [
    ("部门预算公开", "{单位名称}{年度}年{报告名称}", "{单位名称}{年度}年{报告名称}", "{报告名称}"),
    ("单位预算公开", "{年度}-{单位名称}-预算", "{年度}年度{单位名称}预算", "预算公开"),
    ("预算信息公开", "{单位编码}{单位名称}（{年度}）", "{单位名称}{报告名称}", "{年度}年{报告名称}"),
    ("部门预算", "公开_{单位名称}_{年度}", "{报告名称}：{单位名称}", "财政预算"),
])
@pytest.mark.parametrize("keys", ["chinese", "english"])
def test_settings_set_file_name_title_and_subject(root: Path, tmp_path: Path, name: str, pattern: str,
                                                   title: str, subject: str, keys: str) -> None:
    k = ("报告名称", "文件名", "标题", "主题") if keys == "chinese" else ("report_name", "file_name", "title", "subject")
    q = '"' if keys == "chinese" else ""
    _settings(root, "".join(f'{q}{key}{q} = "{value}"\n' for key, value in zip(k, (name, pattern, title, subject))))
    out = tmp_path / "out"
    result = build_report(SAMPLE, out, templates_root=root, pdf=True)
    stem = _expected(pattern, name)
    assert result.docx.name == f"{stem}.docx" and result.pdf.name == f"{stem}.pdf"
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{stem}.docx", f"{stem}.pdf"])
    props = docx.Document(str(result.docx)).core_properties
    assert props.title == _expected(title, name) and props.subject == _expected(subject, name)
    info = PdfReader(str(result.pdf)).metadata
    assert info.title == _expected(title, name) and info.subject == _expected(subject, name)


def test_settings_in_default_apply_to_every_unit(root: Path, tmp_path: Path) -> None:
    _settings(root, '"报告名称" = "部门预算公开"\n', where="default")
    result = build_report(SAMPLE, tmp_path, templates_root=root, pdf=False)
    assert result.docx.name == f"{UNIT}{YEAR}年部门预算公开.docx"


@pytest.mark.parametrize("text,key", [
    ('"报告名" = "部门预算公开"', "“报告名”不是可用的项目"),
    ('"报告名称" = 2025', "“报告名称”的值应是一段文字"),
    ('"报告名称" = ""', "“报告名称”的值应是一段文字"),
    ('"文件名" = ["a"]', "“文件名”的值应是一段文字"),
    ('"文件名" = "{单位}{年度}"', "“{单位}”不是可用的占位符"),
    ('"标题" = "{单位名称}{年度"', "大括号没有成对"),
    ('"文件名" = "{单位名称}/{年度}"', "不能用在文件名中的字符“/”"),
    ('"文件名" = "{单位名称}:{年度}"', "不能用在文件名中的字符“:”"),
    ('"文件名" = "{年度}年预算公开"', "没有 {单位名称} 或 {单位编码}"),
    ('报告名称 = "部门预算公开"', "格式错误（第 1 行）"),
    ('"报告名称" = "部门预算公开', "格式错误（第 1 行）"),
])
def test_a_wrong_settings_file_is_an_error_naming_it(root: Path, tmp_path: Path, text: str, key: str) -> None:
    path = _settings(root, text + "\n")
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    assert info.value.file == str(path) and key in str(info.value)
    assert not (tmp_path / "out").exists()
    done = CliRunner().invoke(app, ["templates", "check", "--templates", str(root)])
    assert done.exit_code == 1 and key in done.output.replace("\n", "") and "Traceback" not in done.output


def test_settings_in_gbk_is_an_error(root: Path, tmp_path: Path) -> None:
    (root / UNIT).mkdir()
    (root / UNIT / "settings.toml").write_bytes('"报告名称" = "部门预算公开"\n'.encode("gbk"))
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    assert "UTF-8" in str(info.value) and "settings.toml" in str(info.value)
