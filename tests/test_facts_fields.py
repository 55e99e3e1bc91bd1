"""Issue 12 item 2: the template fields are typed, documented in Chinese, listed by `templates fields`, and
docs/template-fields.md is the same list (a test fails when it is out of date)."""
from __future__ import annotations

import dataclasses
import re

from typer.testing import CliRunner

from budgetreport import facts as f
from budgetreport.cli import app
from budgetreport.derive import derive
from budgetreport.read import read_workbook
from budgetreport.template_fields import as_markdown, catalogue
from conftest import ROOT, SAMPLE

DOC = ROOT / "docs" / "template-fields.md"


def _dataclasses() -> list[type]:
    return [obj for obj in vars(f).values() if isinstance(obj, type) and dataclasses.is_dataclass(obj)
            and obj.__module__ == f.__name__]


def test_committed_doc_is_generated_from_the_types():
    expected = as_markdown(catalogue(derive(read_workbook(SAMPLE))))
    assert DOC.read_text(encoding="utf-8") == expected, \
        "docs/template-fields.md 已过期：运行 python tools/make_template_fields.py"


def test_every_field_has_a_chinese_meaning():
    classes = _dataclasses()
    assert len(classes) > 25
    for cls in classes:
        for fld in dataclasses.fields(cls):
            assert re.search(r"[\u4e00-\u9fff]", fld.metadata.get("zh", "")), f"{cls.__name__}.{fld.name}"


def test_catalogue_lists_every_field_of_every_part_with_its_sample_value():
    entries = {e.path: e for e in catalogue(derive(read_workbook(SAMPLE)))}
    for name in (x.name for x in dataclasses.fields(f.ReportFacts)):
        assert name in entries
    assert entries["income.sources[].share"].type.startswith("百分比")
    assert entries["income.sources[].share"].sample == "100.00"
    assert entries["income.sources[].change.amount"].sample == "9.38"
    assert entries["other.running.amount"].type == "金额（万元）" and entries["other.running.amount"].sample == "10.51"
    assert entries["tables.t2.rows[].gpb"].meaning == "一般公共预算"           # the column label of 表2
    assert entries["tables.t7.rows[].project"].sample == "数字化城市管理系统光纤维护费"
    assert entries["perf_projects[].indicators[].level3"].sample == "维护城市指挥大屏数量"


def test_templates_fields_command():
    result = CliRunner().invoke(app, ["templates", "fields"])
    assert result.exit_code == 0, result.output
    assert "income.sources[].share  〔百分比（可为空）〕 占收入预算的百分比（未安排时为空）  例：100.00" in result.output
    assert "unit.name  〔文本〕 单位名称  例：昌吉市城市管理指挥中心" in result.output
    markdown = CliRunner().invoke(app, ["templates", "fields", "--markdown"])
    assert markdown.exit_code == 0 and markdown.output == DOC.read_text(encoding="utf-8")


def test_templates_fields_with_an_unreadable_workbook(tmp_path):
    bad = tmp_path / "坏的.xlsx"
    bad.write_bytes(b"not a zip")
    result = CliRunner().invoke(app, ["templates", "fields", str(bad)])
    assert result.exit_code == 2
    assert "错误" in result.output and "Traceback" not in result.output


def _template_text() -> str:
    """The default report.docx's document text with the XML tags removed (a tag split over runs joins up)."""
    import re as _re
    import zipfile
    with zipfile.ZipFile(ROOT / "templates" / "default" / "report.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return _re.sub(r"<[^>]+>", "", xml).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def test_every_field_the_default_template_uses_is_documented():
    """Each `a.b.c` in a tag of the default template, with loop variables resolved to their lists, is a field of
    the catalogue: the documentation covers what the default template itself uses."""
    paths = {e.path for e in catalogue()}
    text = _template_text()
    aliases: dict[str, str] = {}
    used = set()
    for tag in re.findall(r"\{[{%].*?[}%]\}", text):
        loop = re.search(r"for (\w+) in ([\w.]+)", tag)
        if loop:
            var, source = loop.groups()
            head, _, rest = source.partition(".")
            aliases[var] = (aliases.get(head, head) + ("." + rest if rest else "")) + "[]"
        for chain in re.findall(r"(?<![\w.'])([a-z_]\w*(?:\.[a-z_]\w*)+)", tag):
            head, _, rest = chain.partition(".")
            if head in ("ph", "loop"):
                continue
            used.add(f"{aliases.get(head, head)}.{rest}")
    assert len(used) > 80
    assert sorted(u for u in used if u not in paths) == []
