"""Which template folder a unit gets: only a child of the templates root, by name; near misses and stray .docx
files are 提醒s naming both names; build says which folder each file came from."""
from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetreport.build import build_report
from budgetreport.cli import app
from budgetreport.templates import PACKAGED_DEFAULTS, template_set, unused_folders
from conftest import SAMPLE, UNIT, set_field
from textutil import docx_lines

MARK = "来自根目录之外的模板"


@pytest.fixture
def outside(tmp_path: Path, root: Path) -> Path:
    """A folder beside the templates root whose phrases.j2 would print MARK if it were ever used."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    phrases = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
    (folder / "phrases.j2").write_text(phrases.replace("比上年预算", MARK), encoding="utf-8")
    return folder


def _hostile(outside: Path, root: Path) -> list[str]:
    """Names a workbook could hold that point outside the root, written many ways."""
    rel = Path("..") / outside.name
    return [str(outside), str(outside) + "/", str(rel), str(rel) + "/", f"./{rel}", f"{root.name}/../{rel}",
            f"default/../../{outside.name}", "..", ".", "../..", "/", str(rel).replace("/", "\\"),
            f"..\\..\\{outside.name}", f"C:\\{outside.name}", f"C:{outside.name}", f"//server/{outside.name}",
            f"  {rel}  ", f"default/{'../' * 6}{outside.relative_to(outside.anchor)}"]


def _inside(folder: Path, root: Path) -> bool:
    return folder.resolve() == PACKAGED_DEFAULTS.resolve() or folder.resolve().parent == root.resolve()


def test_names_from_the_workbook_never_leave_the_root(root: Path, outside: Path) -> None:
    names = _hostile(outside, root)
    assert len(names) >= 15
    for name in names:
        for chosen in (template_set(name, "", root), template_set("", name, root), template_set(name, name, root)):
            assert all(_inside(f, root) for f in chosen.folders), (name, chosen.folders)
            assert chosen.find("phrases.j2") == root / "default" / "phrases.j2"


@pytest.mark.parametrize("field", ["单位名称", "单位编码"])
@pytest.mark.parametrize("which", [0, 2, 5, 12])
def test_a_workbook_naming_an_outside_folder_builds_with_the_root_templates(edited, root: Path, outside: Path,
                                                                          tmp_path: Path, field: str,
                                                                          which: int) -> None:
    value = _hostile(outside, root)[which]
    workbook = edited(lambda wb: set_field(wb["单位信息"], field, value))
    result = build_report(workbook, tmp_path / "out", templates_root=root, pdf=False)
    text = "".join(docx_lines(result.docx))
    assert MARK not in text and "比上年预算" in text
    assert str(outside) not in result.templates


def test_exact_name_code_and_safe_name_are_found(root: Path) -> None:
    for folder_name, unit, code in [(UNIT, UNIT, ""), ("123-45", "别的单位", "123-45"),
                                    ("甲_乙单位", "甲/乙单位", ""), ("甲_乙单位", "甲\\乙单位", "")]:
        (root / folder_name).mkdir(exist_ok=True)
        chosen = template_set(unit, code, root)
        assert chosen.folders[0] == root / folder_name
        assert chosen.unit_folder == root / folder_name and chosen.label == folder_name
        assert "相同" in chosen.reason(root / folder_name)


def _near_misses(name: str) -> list[str]:
    """Folder names a clerk makes by mistake: one or two characters off, full-width, spaces."""
    return [name[:-1], name[1:], name[:3] + "市" + name[3:], name[:-2] + "中新", name[:4] + name[5:-1],
            name.replace("市", "巿"), " " + name, name + " ", name[:3] + "\u3000" + name[3:],
            unicodedata.normalize("NFKC", name) + "（1）", name + "(1)"]


def test_near_miss_folders_are_reminders_naming_both_names(root: Path) -> None:
    for miss in _near_misses(UNIT):
        folder = root / miss
        folder.mkdir()
        chosen = template_set(UNIT, "", root)
        notes = [n for n in chosen.notes if f"“{miss}”" in n]
        assert len(notes) == 1, (miss, chosen.notes)
        assert f"“{UNIT}”" in notes[0] and "未被使用" in notes[0] and f"改名为“{UNIT}”" in notes[0]
        assert chosen.find("report.docx") == root / "default" / "report.docx"
        assert [f.rule for f in chosen.findings()] == ["TPL-LOOKUP"] and chosen.findings()[0].level == "提醒"
        folder.rmdir()


def test_full_width_brackets_in_the_folder_name_are_a_near_miss(root: Path) -> None:
    unit = "昌吉市某(某)中心"
    (root / "昌吉市某（某）中心").mkdir()
    notes = template_set(unit, "", root).notes
    assert len(notes) == 1 and "“昌吉市某（某）中心”" in notes[0] and f"“{unit}”" in notes[0]


def test_other_units_folders_are_no_near_miss(root: Path) -> None:
    for other in ["昌吉市财政局", "昌吉州城市管理局", UNIT[:-3] + "服务站", "乌鲁木齐市城市管理指挥中心", "中心"]:
        (root / other).mkdir()
    assert template_set(UNIT, "", root).notes == ()
    (root / UNIT).mkdir()
    (root / (UNIT + " ")).mkdir()
    assert template_set(UNIT, "", root).notes == ()       # the exact folder is used: no reminder about others


@pytest.mark.parametrize("stray", ["report(1).docx", "report - 副本.docx", "报告.docx", "Report.DOCX"])
@pytest.mark.parametrize("where", [UNIT, "default"])
def test_other_docx_files_in_a_template_folder_are_reminders(root: Path, stray: str, where: str) -> None:
    (root / UNIT).mkdir(exist_ok=True)
    shutil.copy(root / "default" / "report.docx", root / where / stray)
    (root / where / "~$report.docx").write_bytes(b"Word's lock file")
    notes = template_set(UNIT, "", root).notes
    assert len(notes) == 1 and f"“{stray}”" in notes[0] and str(root / where) in notes[0]
    assert "只有名为 report.docx" in notes[0]


def test_unused_folders_of_a_batch(root: Path) -> None:
    for name in (UNIT, "123", UNIT[:-1], "不存在的单位甲乙丙"):
        (root / name).mkdir()
    notes = unused_folders(root, [(UNIT, ""), ("别的单位", "123")])
    assert len(notes) == 2
    near = next(n for n in notes if f"“{UNIT[:-1]}”" in n)
    assert f"单位“{UNIT}”" in near and f"改名为“{UNIT}”" in near
    assert any("“不存在的单位甲乙丙”" in n and "完全相同" in n for n in notes)


def test_build_says_which_template_each_file_came_from(root: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path / "a"), "--no-pdf", "-t", str(root)])
    assert done.exit_code == 0, done.output
    assert f"模板：report.docx、phrases.j2 来自 {root / 'default'}（模板根目录中的默认模板（default））" in done.output
    (root / UNIT).mkdir()
    shutil.copy(root / "default" / "phrases.j2", root / UNIT / "phrases.j2")
    (root / (UNIT + "（旧）")).mkdir()
    done = runner.invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path / "b"), "--no-pdf", "-t", str(root)])
    assert done.exit_code == 0, done.output
    flat = done.output.replace("\n", "")
    assert f"phrases.j2 来自 {root / UNIT}（文件夹名与工作簿的单位名称“{UNIT}”相同）" in flat
    assert f"report.docx 来自 {root / 'default'}" in flat
    assert f"“{UNIT}（旧）”" not in flat                 # the exact folder is used: no near-miss reminder


@pytest.mark.parametrize("trap", ["report(1).docx", "near-miss folder", "full-width folder"])
def test_a_clerks_edit_that_would_fall_back_silently_is_a_reminder_in_build(root: Path, tmp_path: Path,
                                                                            trap: str) -> None:
    """The clerk's edited template is not used: build still works with the default, and says so, naming both."""
    from docx import Document
    doc = Document(str(root / "default" / "report.docx"))
    doc.add_paragraph("本单位补充说明。", style="Body Text")
    folder = {"report(1).docx": UNIT, "near-miss folder": UNIT[:-1] + "巿", "full-width folder": UNIT + "（1）"}[trap]
    (root / folder).mkdir()
    name = "report(1).docx" if trap == "report(1).docx" else "report.docx"
    doc.save(str(root / folder / name))
    done = CliRunner().invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path / "out"), "--no-pdf", "-t", str(root)])
    assert done.exit_code == 0, done.output
    flat = done.output.replace("\n", "")
    assert "提醒 [TPL-LOOKUP]" in flat and f"“{name if trap == 'report(1).docx' else folder}”" in flat
    if trap != "report(1).docx":
        assert f"单位名称“{UNIT}”" in flat and f"改名为“{UNIT}”" in flat
    assert f"模板：report.docx、phrases.j2 来自 {root / 'default'}（模板根目录中的默认模板（default））" in flat
    assert "本单位补充说明" not in "".join(docx_lines(tmp_path / "out" / f"{UNIT}2025年单位预算公开.docx"))


@pytest.mark.parametrize("length", [60, 73, 86, 120, 300])
def test_very_long_unit_names_never_fail_the_lookup(root: Path, length: int) -> None:
    """A 单位名称 of ≥ 86 CJK characters is more than a file name may have: compared with folder names, never
    opened as a path, so it is no error (the default templates are used)."""
    name = ("昌吉市城市管理指挥中心" * 40)[:length]
    for unit, code in [(name, ""), ("", name), (name, name), (name + "\x00", "a\x00b")]:
        chosen = template_set(unit, code, root)
        assert chosen.find("report.docx") == root / "default" / "report.docx"
        assert chosen.notes == ()
