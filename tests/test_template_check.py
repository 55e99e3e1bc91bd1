"""`budgetreport templates check` and `check --templates` (issue 12 items 1 and 6): every trap a clerk falls into,
each template built from the default by the edit a clerk makes in Word; the message asserted in its key parts —
place (part, heading above, paragraph or table cell), the sentence, the fix — and the exit code."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Callable

import pytest
from docx import Document
from typer.testing import CliRunner

from budgetreport.build import build_report
from budgetreport.cli import app
from budgetreport.derive import derive
from budgetreport.errors import BudgetError
from budgetreport.read import read_workbook
from conftest import SAMPLE, UNIT

HEADINGS = ("Heading 1", "Heading 2", "Heading 3", "Table Title", "Table Number", "TOC Heading")


def _facts():
    return derive(read_workbook(SAMPLE))


def _get(obj, name: str):
    """A fact by name, whether the facts are dicts or dataclasses."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _field_names(obj) -> list[str]:
    if isinstance(obj, dict):
        return list(obj)
    import dataclasses
    return [f.name for f in dataclasses.fields(obj)]


def _plain_paragraphs(doc) -> list:
    """Body paragraphs a clerk may type into: prose, no docxtpl control tag."""
    return [p for p in doc.paragraphs if p.style.name == "Body Text" and "{%" not in p.text]


def _expected_place(doc, paragraph) -> tuple[str, str, int]:
    """(part, heading above, paragraph number under it) computed with python-docx, independently of the checker."""
    part = heading = ""
    number = 0
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            part, heading, number = p.text, "", 0
        elif p.style.name in HEADINGS:
            heading, number = p.text, 0
        else:
            number += 1
        if p._p is paragraph._p:
            return part, heading, number
    raise AssertionError("paragraph not in document")


class Edit:
    """A clerk's edit: text appended to the k-th plain paragraph; remembers where it went."""

    def __init__(self, text: str, k: int = 0) -> None:
        self.text, self.k = text, k
        self.place: tuple[str, str, int] = ("", "", 0)

    def __call__(self, doc) -> None:
        paragraph = _plain_paragraphs(doc)[self.k]
        self.place = _expected_place(doc, paragraph)
        paragraph.add_run(self.text)


def _unit_template(root: Path, *edits: Callable) -> Path:
    doc = Document(str(root / "default" / "report.docx"))
    for edit in edits:
        edit(doc)
    (root / UNIT).mkdir(exist_ok=True)
    path = root / UNIT / "report.docx"
    doc.save(str(path))
    return path


def _check(root: Path, *args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["templates", "check", *args, "--templates", str(root)])
    assert "Traceback" not in done.output
    return done.exit_code, done.output.replace("\n    ", "\n    ")


def _problems(output: str) -> list[str]:
    """The numbered problems of the output, each as one block of text."""
    blocks = re.split(r"\n(?=\d+\. (?:错误|提醒)：)", output)
    return [b for b in blocks[1:]]


def _assert_place(block: str, edit: Edit) -> None:
    part, heading, number = edit.place
    assert part[:8] in block and heading[:8] in block, (edit.place, block)
    assert f"第 {number} 段" in block, (edit.place, block)


def test_the_default_templates_have_no_problem(root: Path) -> None:
    code, output = _check(root)
    assert code == 0, output
    assert "模板检查：0 处错误，0 处提醒。" in output
    assert "查找顺序" in output and f"{root / 'default'} —— 模板根目录中的默认模板（default）" in output
    assert f"report.docx   ← {root / 'default' / 'report.docx'}" in output and "fonts.toml    ← 没有（可选文件）" in output


FULL_WIDTH = ["联系电话：｛｛ unit.phone ｝｝。", "联系电话：｛{ unit.phone }｝。", "电话{{ unit.phone ｝｝。",
              "{％ if unit.subunits ％}有下属单位。{％ endif ％}", "｛％ if unit.subunits ％｝", "电话｛｛unit.phone}}"]


@pytest.mark.parametrize("typed", FULL_WIDTH)
def test_full_width_braces_are_errors_at_their_place(root: Path, tmp_path: Path, typed: str) -> None:
    edit = Edit(typed, k=1)
    _unit_template(root, edit)
    code, output = _check(root)
    assert code == 1
    blocks = _problems(output)
    expected = len([m for m in re.findall(r"[{｛][{｛%％]|[%％}｝][}｝]", typed)     # each full-width delimiter
                    if set(m) & set("｛｝％")])
    assert len(blocks) == expected, output
    for block in blocks:
        _assert_place(block, edit)
        assert "全角符号" in block and "切换到半角" in block and "会原样印在报告里" in block
        assert typed[:6] in block.replace("\n", "") or typed[-6:] in block.replace("\n", "")
    with pytest.raises(BudgetError) as info:                      # and a build refuses it: no silent report
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    assert "全角符号" in str(info.value) and "templates check" in str(info.value) or expected == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("typed,key", [
    ("这里有半个标签 {{ unit.name 没写完。", "“{{”没有对应的“}}”"),
    ("多了一半 unit.name }}。", "“}}”前面没有对应的“{{”"),
    ("{{ unit.name } }", "“} }”中间有空格"),
    ("{ { unit.name }}", "“{ {”中间有空格"),
    ("{% if unit.subunits % }有下属单位{% endif %}", "“% }”中间有空格"),
])
def test_lone_and_split_braces_are_errors(root: Path, tmp_path: Path, typed: str, key: str) -> None:
    edit = Edit(typed, k=2)
    _unit_template(root, edit)
    code, output = _check(root)
    assert code == 1, output
    block = next(b for b in _problems(output) if key in b)
    _assert_place(block, edit)
    assert "改法：" in block
    with pytest.raises(BudgetError):
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)


@pytest.mark.parametrize("path,missing,parent,close", [
    ("unit.telephone", "unit.telephone", "unit", "unit.phone"),
    ("unit.staff_quota", "unit.staff_quota", "unit", "staff.quota"),
    ("overview.totl", "overview.totl", "overview", "overview.total"),
    ("unit.nmae", "unit.nmae", "unit", "unit.name"),
    ("unti.name", "unti", None, "unit"),
])
def test_unknown_fields_say_did_you_mean_and_list_the_fields(root: Path, path: str, missing: str,
                                                             parent: str | None, close: str) -> None:
    edit = Edit(f"补充：{{{{ {path} }}}}。", k=3)
    _unit_template(root, edit)
    code, output = _check(root)
    assert code == 1
    [block] = [b for b in _problems(output) if path in b]
    _assert_place(block, edit)
    flat = block.replace("\n", "")
    assert f"{{{{ {path} }}}} 中的 {missing} 不存在" in flat and f"是不是要写 {close}？" in flat
    facts = _facts()
    level = _get(facts, parent) if parent else facts
    assert all(name in flat for name in _field_names(level))     # every field at that level is listed
    assert "has no attribute" not in output and "dict object" not in output


def test_a_field_inside_a_loop_is_checked_against_the_list_items(root: Path) -> None:
    edit = Edit("{% for p in projects %}{{ p.amout }}{% endfor %}", k=4)
    _unit_template(root, edit)
    code, output = _check(root)
    assert code == 1
    [block] = _problems(output)
    assert "p.amout 不存在" in block and "是不是要写 p.amount？" in block
    assert all(name in block.replace("\n", "") for name in _field_names(_get(_facts(), "projects")[0]))


@pytest.mark.parametrize("typed,key,fix", [
    ("{{ unit.name。 }}", "不能出现在这里的字符“。”", "中文文字和标点请写在 {{ }} 或 {% %} 的外面"),
    ("{{ unit.name unit.code }}", "多于一个字段", "一个 {{ }} 里只写一个字段"),
    ("{{ unit．name }}", "全角字符“．”", "改为“.”"),
    ("{{ unit.name｜sentence }}", "全角字符“｜”", "改为“|”"),
    ("{% if unit.subunits ＞ 0 %}{% endif %}", "全角字符“＞”", "改为“>”"),
    ("{% 如果 unit.subunits %}", "“如果”不是模板命令", "if、elif、else、endif、for、endfor"),
    ("{% for p projects %}{% endfor %}", "缺少 in", "{% for 变量 in 列表 %}"),
    ("{{ unit. }}", "缺少字段名", "点号后面紧跟字段名"),
    ("{{ (unit.name }}", "括号没有成对：缺少“)”", "补上“)”"),
    ("{{ unit.name[0 }}", "括号没有成对：缺少“]”", "补上“]”"),
    ('{{ "单位 }}', "引号没有成对", "英文引号"),
    ("{% endif %}", "多余的 {% endif %}", "删去它"),
    ("{{ unit.name|sentense }}", "“sentense”不是可用的过滤器", "是不是要写 sentence？"),
    ("{{ unit.name|upercase }}", "“upercase”不是可用的过滤器", "可用的："),
    ("{% if unit.subunits is postive %}{% endif %}", "“postive”不是可用的判断", "可用的："),
    ("{{ ph.chnage(overview.total) }}", "ph.chnage 不存在", "是不是要写 ph.change？"),
    ("{% else %}", "{% else %} 前面没有与之配对的 {% if %}", "补上"),
])
def test_jinja_syntax_errors_in_chinese_at_their_place(root: Path, typed: str, key: str, fix: str) -> None:
    edit = Edit(typed, k=5)
    _unit_template(root, edit)
    code, output = _check(root)
    assert code == 1, output
    block = next(b for b in _problems(output) if key in b.replace("\n", ""))
    _assert_place(block, edit)
    assert fix in block
    for english in ("Encountered", "unexpected", "expected token", "Jinja", "TemplateSyntaxError"):
        assert english not in output
    assert not re.search(r"\bat \d+", output)                     # never a byte offset


@pytest.mark.parametrize("tag", ["{% if unit.subunits %}", "{% for p in projects %}", "{%p if unit.subunits %}"])
def test_an_unclosed_block_is_reported_at_its_opening_tag(root: Path, tag: str) -> None:
    edit = Edit(f"新加的一句。{tag}有下属单位。", k=6)
    _unit_template(root, edit)
    code, output = _check(root)
    assert code == 1
    [block] = _problems(output)
    _assert_place(block, edit)
    keyword = tag.split()[1]
    prefix = "p" if tag.startswith("{%p") else ""
    assert f"{tag} 没有结束" in block and f"{{%{prefix} end{keyword} %}}" in block
    assert "新加的一句" in block                                   # the sentence around the tag


def test_every_problem_in_one_run_in_document_order(root: Path) -> None:
    edits = [Edit("｛｛ unit.phone ｝｝", k=1), Edit("{{ unit.telephone }}", k=3), Edit("{{ unit.name。 }}", k=5),
             Edit("{% if unit.subunits %}", k=7), Edit("{{ unit.name", k=9)]
    _unit_template(root, *edits)
    code, output = _check(root)
    assert code == 1
    blocks = _problems(output)
    assert len(blocks) == 6 and "模板检查：6 处错误" in output      # ｛｛ and ｝｝ are two places to retype
    numbers = [int(re.match(r"(\d+)\.", b).group(1)) for b in blocks]
    assert numbers == list(range(1, 7))


def test_table_cells_and_footers_are_placed_as_a_clerk_sees_them(root: Path) -> None:
    column = []

    def in_table(doc) -> None:
        row = doc.tables[0].rows[0]
        cell = row.cells[-1]
        column.append(row._tr.tc_lst.index(cell._tc) + 1)      # as Word lists the row's cells
        cell.paragraphs[0].add_run("{{ unit.telefone }}")

    def in_footer(doc) -> None:
        doc.sections[0].footer.paragraphs[0].add_run("{{ unit.adress }}")

    _unit_template(root, in_table, in_footer)
    code, output = _check(root)
    assert code == 1
    table_block = next(b for b in _problems(output) if "telefone" in b)
    title = next(p.text for p in Document(str(root / "default" / "report.docx")).paragraphs
                 if p.style.name == "Table Title")
    assert f"表格第 1 行第 {column[0]} 列" in table_block and title[:6] in table_block
    footer_block = next(b for b in _problems(output) if "adress" in b)
    assert "页脚" in footer_block


def test_phrases_syntax_error_names_its_line(root: Path) -> None:
    text = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
    lines = text.splitlines()
    last_end = max(i for i, line in enumerate(lines) if "endmacro" in line)
    broken = "\n".join(lines[:last_end] + lines[last_end + 1:]) + "\n"
    (root / UNIT).mkdir()
    (root / UNIT / "phrases.j2").write_text(broken, encoding="utf-8")
    code, output = _check(root)
    assert code == 1
    [block] = _problems(output)
    assert "phrases.j2 第" in block and "缺少 {% endmacro %}" in block


@pytest.mark.parametrize("bad,code_expected,key", [
    ("report.docx", 2, "不是 Word 文档"), ("phrases.j2", 2, "GBK"), ("fonts.toml", 1, "字体配置"),
    ("settings.toml", 1, "设置文件"),
])
def test_unreadable_and_wrongly_typed_files(root: Path, bad: str, code_expected: int, key: str) -> None:
    (root / UNIT).mkdir()
    data = {"report.docx": b"not a zip", "phrases.j2": (root / "default" / "phrases.j2").read_text(
        encoding="utf-8").encode("gbk"), "fonts.toml": b"body = 12\n", "settings.toml": "文件名 = 1".encode()}[bad]
    (root / UNIT / bad).write_bytes(data)
    code, output = _check(root)
    assert code == code_expected, output
    assert key in output and str(root / UNIT / bad) in output


def test_check_with_templates_runs_both(root: Path) -> None:
    _unit_template(root, Edit("{{ unit.telephone }}", k=3))
    done = CliRunner().invoke(app, ["check", str(SAMPLE), "--templates", str(root)])
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert "0 处错误" in done.output.split("查找顺序")[0]          # the workbook's part first
    assert "unit.telephone 不存在" in done.output
    shutil.rmtree(root / UNIT)
    done = CliRunner().invoke(app, ["check", str(SAMPLE), "--templates", str(root)])
    assert done.exit_code == 0 and "模板检查：0 处错误" in done.output


def test_unit_option_and_workbook_argument(root: Path, edited) -> None:
    other = "另一个单位的名称"
    (root / other).mkdir()
    shutil.copy(root / "default" / "phrases.j2", root / other / "phrases.j2")
    code, output = _check(root, "--unit", other)
    assert code == 0 and f"{root / other} —— 文件夹名与工作簿的单位名称“{other}”相同" in output
    code, output = _check(root, str(SAMPLE))
    assert code == 0 and SAMPLE.name in output and "示例工作簿" not in output
    code, output = _check(root, str(root / "missing.xlsx"))
    assert code == 2 and "missing.xlsx" in output


def _delete_table(number: str, keep_endif: bool) -> Callable:
    """The guide's "删除一张表": from the paragraph "表N" to just before "表N+1" (its {%p if %} … {%p endif %} too);
    with keep_endif the clerk forgot the {%p endif %} at the end of the selection."""
    def edit(doc) -> None:
        body = list(doc.element.body)
        texts = ["".join(t.text or "" for t in el.iter("{http://schemas.openxmlformats.org/wordprocessingml/"
                                                         "2006/main}t")) for el in body]
        start = texts.index(number)
        following = f"表{int(number[1:]) + 1}"
        end = texts.index(following)
        for i in range(start, end):
            if keep_endif and "endif" in texts[i]:
                continue
            body[i].getparent().remove(body[i])
    return edit


def test_deleting_a_table_as_the_guide_says_checks_and_builds(root: Path, tmp_path: Path) -> None:
    from textutil import docx_lines
    _unit_template(root, _delete_table("表9", keep_endif=False))
    code, output = _check(root)
    assert code == 0, output
    lines = docx_lines(build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False).docx)
    default = docx_lines(build_report(SAMPLE, tmp_path / "default", pdf=False).docx)
    assert "国有资本经营预算支出情况表" in default and "国有资本经营预算支出情况表" not in lines   # its title line
    assert len(lines) < len(default)


def test_deleting_half_a_block_is_reported_where_the_other_half_is(root: Path) -> None:
    _unit_template(root, _delete_table("表9", keep_endif=True))
    code, output = _check(root)
    assert code == 1
    [block] = _problems(output)
    assert "多余的 {%p endif %}" in block and "政府性基金预算支出情况表" in block    # the heading above it now


def test_check_json_includes_the_templates(root: Path) -> None:
    import json
    _unit_template(root, Edit("{{ unit.telephone }}", k=3))
    done = CliRunner().invoke(app, ["check", str(SAMPLE), "--format", "json", "--templates", str(root)])
    assert done.exit_code == 1
    data = json.loads(done.output)
    assert data["errors"] == 0 and data["templates"]["errors"] == 1
    [problem] = data["templates"]["problems"]
    assert "unit.telephone 不存在" in problem["message"] and "unit.phone" in problem["fix"]
    assert data["templates"]["files"][0] == {"file": "report.docx", "path": str(root / UNIT / "report.docx"),
                                             "reason": f"文件夹名与工作簿的单位名称“{UNIT}”相同"}


def _phrases_with(root: Path, insert: str) -> int:
    """The unit's phrases.j2: the default with `insert` on a line of its own inside the first macro; its line."""
    lines = (root / "default" / "phrases.j2").read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if "macro" in line and "endmacro" not in line)
    lines.insert(first + 1, insert)
    (root / UNIT).mkdir(exist_ok=True)
    (root / UNIT / "phrases.j2").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return first + 2


@pytest.mark.parametrize("insert,key", [
    ("{{ c.no_such_field }}", "模板引用了不存在的数据“no_such_field”"),
    ("{{ no_such_name }}", "模板引用了不存在的数据“no_such_name”"),
])
def test_build_errors_in_phrases_name_the_line_in_chinese(root: Path, tmp_path: Path, insert: str, key: str) -> None:
    line = _phrases_with(root, insert)
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    assert info.value.file == str(root / UNIT / "phrases.j2") and f"第 {line} 行" in message and key in message
    assert "dict object" not in message and "is undefined" not in message


def test_build_syntax_error_in_phrases_names_the_line(root: Path, tmp_path: Path) -> None:
    line = _phrases_with(root, "{% if %}")
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    assert f"第 {line} 行" in message and "模板写法有误" in message and "Expected" not in message


def test_build_error_in_report_docx_is_placed_as_templates_check_places_it(root: Path, tmp_path: Path) -> None:
    edit = Edit("联系电话：{{ unit.telephone }}。", k=3)
    _unit_template(root, edit)
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    part, heading, number = edit.place
    assert part[:8] in message and heading[:8] in message and f"第 {number} 段" in message
    assert "联系电话：{{ unit.telephone }}。" in message and "unit.telephone 不存在" in message
    assert "是不是要写 unit.phone？" in message
    assert "has no attribute" not in message and "dict object" not in message
    assert not (tmp_path / "out").exists()
