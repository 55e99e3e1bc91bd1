"""The clerk's template journey, end to end through the real command line, in a folder of the clerk's own:

    templates copy 单位 → edit report.docx the way a clerk errs (full-width ｛｛ ｝｝ typed by a Chinese input
    method, an unknown field unit.telephone, a removed {% endif %}) → templates check lists each problem with
    its place and fix → build refuses and writes nothing → the fixed template builds, from the unit's folder.

The edits are made with python-docx on the copied report.docx, in paragraphs picked at random (seeded) from the
template; the expected places (the part and heading above the paragraph) are read from the document itself."""
from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from batchutil import run_cli, unit_copy

UNIT = "模板测试单位"
TEMPLATE = Path("templates") / UNIT / "report.docx"


@dataclass
class Edit:
    kind: str            # fullwidth | unknown | endif
    index: int           # paragraph index in the document
    part: str            # the Heading 1 above it
    heading: str         # the nearest heading above it
    detail: str = ""     # the field / the opening tag


def _headings(paragraphs) -> list[tuple[str, str]]:
    """For each paragraph: (the part above it, the nearest heading above it), as the clerk sees them in Word."""
    part = heading = ""
    out = []
    for p in paragraphs:
        style = p.style.name
        if style == "Heading 1":
            part = heading = p.text.strip()
        elif style in ("Heading 2", "Heading 3"):
            heading = p.text.strip()
        out.append((part, heading))
    return out


def _set_text(p, text: str) -> None:
    """What typing over a paragraph in Word does: one run holds the new text."""
    for run in p.runs[1:]:
        run._r.getparent().remove(run._r)
    p.runs[0].text = text


def _body_after_part_one(doc) -> list[int]:
    """Body Text paragraphs after the 目录 (their headings are real headings, not 目录 entries) that every unit's
    report prints: not inside a {%p if %}/{%p for %} block (a branch the sample does not take is rendered by no
    build of it; `templates check` still finds its mistakes, see test_mistakes_in_a_branch_not_taken)."""
    heads = _headings(doc.paragraphs)
    depth, out = 0, []
    for i, p in enumerate(doc.paragraphs):
        text = p.text.strip()
        if re.match(r"\{%p (if|for) ", text):
            depth += 1
        elif re.match(r"\{%p end(if|for) ", text):
            depth -= 1
        elif depth == 0 and p.style.name == "Body Text" and heads[i][0]:
            out.append(i)
    return out


def _make_edits(path: Path, kinds: list[str], seed: int) -> list[Edit]:
    rng = random.Random(seed)
    doc = docx.Document(str(path))
    ps = doc.paragraphs
    heads = _headings(ps)
    body = _body_after_part_one(doc)
    plain = [i for i in body if "{{ unit." in ps[i].text and "{%" not in ps[i].text]
    ifs = [i for i in body if ps[i].text.count("{% if ") == 1 and ps[i].text.count("{% endif %}") == 1
           and "{% for" not in ps[i].text and "{%p" not in ps[i].text]
    edits: list[Edit] = []
    used: set[int] = set()
    for kind in kinds:
        pool = [i for i in (ifs if kind == "endif" else plain) if i not in used]
        i = rng.choice(pool)
        used.add(i)
        text = ps[i].text
        if kind == "fullwidth":
            field = re.search(r"\{\{ (unit\.\w+) \}\}", text).group(1)
            _set_text(ps[i], text.replace("{{ " + field + " }}", "｛｛ " + field + " ｝｝", 1))
            edits.append(Edit(kind, i, *heads[i], field))
        elif kind == "unknown":
            _set_text(ps[i], text + "联系电话：{{ unit.telephone }}。")
            edits.append(Edit(kind, i, *heads[i], "unit.telephone"))
        else:
            opening = re.search(r"\{% if [^%]+%\}", text).group(0)
            _set_text(ps[i], text.replace("{% endif %}", "", 1))
            edits.append(Edit(kind, i, *heads[i], opening))
    doc.save(str(path))
    return edits


def _problems(output: str) -> list[str]:
    """The numbered problems of `templates check`, each as one block of text."""
    blocks = re.split(r"\n(?=\d+\. (?:错误|提醒)：)", output)
    return [b for b in blocks if re.match(r"\d+\. (?:错误|提醒)：", b)]


def _begins(text: str, n: int = 8) -> str:
    """The start of a heading as a place line shows it (long headings are shortened after their start)."""
    return text[:n]


EXPECTED = {
    "fullwidth": (lambda e: "“｛｛”用了全角符号", "切换到半角（英文）输入后重新输入"),
    "unknown": (lambda e: f"{e.detail} 不存在", "是不是要写 unit.phone"),
    "endif": (lambda e: f"{e.detail} 没有结束", "{% endif %}"),
}


@pytest.fixture
def clerk_folder(tmp_path) -> Path:
    unit_copy(tmp_path / "单位.xlsx", UNIT)
    copied = run_cli(["templates", "copy", UNIT], cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert (tmp_path / TEMPLATE).is_file() and f"已复制 templates/{UNIT}/report.docx" in copied.stdout
    return tmp_path


@pytest.mark.parametrize("kinds, seed", [
    (["fullwidth"], 1), (["unknown"], 2), (["endif"], 3),
    (["fullwidth", "unknown", "endif"], 4), (["fullwidth", "unknown", "endif"], 5),
    (["unknown", "unknown", "fullwidth"], 6),
])
def test_clerks_mistakes_are_listed_with_place_and_fix_and_build_refuses(clerk_folder, kinds, seed):
    folder = clerk_folder
    pristine = (folder / TEMPLATE).read_bytes()
    edits = _make_edits(folder / TEMPLATE, kinds, seed)

    # templates check, no --templates: ./templates is the root (where `templates copy` put the folder)
    checked = run_cli(["templates", "check", "单位.xlsx"], cwd=folder)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
    assert re.search(r"report\.docx\s+← " + re.escape(str(folder / TEMPLATE)), checked.stdout), checked.stdout
    problems = _problems(checked.stdout)
    for e in edits:
        what, fix = EXPECTED[e.kind]
        mine = [p for p in problems if what(e) in p and _begins(e.heading) in p.splitlines()[0]]
        assert mine, (e, checked.stdout)      # the problem, placed under the heading the clerk sees above it
        block = mine[0]
        assert f"report.docx：{_begins(e.part)}" in block.splitlines()[0], (e, block)
        assert "原文：" in block and fix in block, block
        assert not re.search(r"\bat \d+|line \d+|position \d+", block)       # no byte offsets, no English
    assert f"模板检查：{len(problems)} 处错误" in checked.stdout
    assert len(problems) >= len(edits)

    # check --templates says the same, in its JSON too, and fails
    both = run_cli(["check", "单位.xlsx", "--templates", "templates", "--format", "json"], cwd=folder)
    assert both.returncode == 1
    listed = json.loads(both.stdout)["templates"]["problems"]
    assert all(any(EXPECTED[e.kind][0](e) in p["message"] for p in listed) for e in edits)

    # build refuses: exit ≠ 0, no file at all, the message names the template file and points to templates check
    built = run_cli(["build", "单位.xlsx", "-o", "out"], cwd=folder)
    assert built.returncode != 0 and "Traceback" not in built.stderr
    assert not (folder / "out").exists() or not any((folder / "out").iterdir())
    assert f"templates/{UNIT}/report.docx" in built.stderr.replace("\\", "/")

    # the clerk puts the template right: check clean, and the build uses the unit's own folder
    (folder / TEMPLATE).write_bytes(pristine)
    clean = run_cli(["templates", "check", "单位.xlsx"], cwd=folder)
    assert clean.returncode == 0 and "模板检查：0 处错误" in clean.stdout, clean.stdout
    ok = run_cli(["build", "单位.xlsx", "-o", "out", "--no-pdf"], cwd=folder)
    assert ok.returncode == 0, ok.stderr
    assert f"templates/{UNIT}" in ok.stdout.replace("\\", "/")
    assert (folder / "out" / f"{UNIT}2025年单位预算公开.docx").is_file()


def test_a_clerks_sentence_reaches_the_report(clerk_folder):
    """The edit a clerk wants: a sentence with a figure, added to a paragraph, printed in the report."""
    folder = clerk_folder
    doc = docx.Document(str(folder / TEMPLATE))
    target = next(p for p in doc.paragraphs if p.text.startswith("按照全口径预算的原则"))
    _set_text(target, target.text + "联系电话：{{ unit.phone }}。")
    doc.save(str(folder / TEMPLATE))
    assert run_cli(["templates", "check", "单位.xlsx"], cwd=folder).returncode == 0
    ok = run_cli(["build", "单位.xlsx", "-o", "out", "--no-pdf"], cwd=folder)
    assert ok.returncode == 0, ok.stderr
    import openpyxl
    info = openpyxl.load_workbook(folder / "单位.xlsx")["单位信息"]
    phone = next(str(r[1].value) for r in info.iter_rows(min_col=1, max_col=2) if r[0].value == "联系电话")
    text = "\n".join(p.text for p in docx.Document(str(folder / "out" / f"{UNIT}2025年单位预算公开.docx")).paragraphs)
    assert f"联系电话：{phone}。" in text


def test_templates_copy_then_build_without_templates_option_uses_the_copy(clerk_folder):
    """`templates copy` makes ./templates/单位/ only (no default/ beside it): that root must still be used —
    a silent fallback to another templates folder was the bug this guards."""
    folder = clerk_folder
    assert [p.name for p in (folder / "templates").iterdir()] == [UNIT]
    ok = run_cli(["build", "单位.xlsx", "-o", "out", "--no-pdf"], cwd=folder)
    assert ok.returncode == 0
    assert f"来自 {folder / 'templates' / UNIT}" in ok.stdout or f"templates/{UNIT}" in ok.stdout.replace("\\", "/")
    shutil.rmtree(folder / "templates")
    fallback = run_cli(["build", "单位.xlsx", "-o", "out2", "--no-pdf"], cwd=folder)
    assert fallback.returncode == 0 and UNIT + "”" not in fallback.stdout.split("模板：")[1].splitlines()[0]


def test_mistakes_in_a_branch_not_taken_are_found_by_templates_check(clerk_folder):
    """An unknown field inside {%p if tables.t7.empty %} (the sample has projects, so the branch is not
    rendered): the build of this unit cannot see it, `templates check` names it with its place."""
    folder = clerk_folder
    doc = docx.Document(str(folder / TEMPLATE))
    ps = doc.paragraphs
    opening = next(i for i, p in enumerate(ps) if p.text.strip() == "{%p if tables.t7.empty %}")
    _set_text(ps[opening + 1], ps[opening + 1].text + "联系电话：{{ unit.telephone }}。")
    part, heading = _headings(ps)[opening + 1]
    doc.save(str(folder / TEMPLATE))
    checked = run_cli(["templates", "check", "单位.xlsx"], cwd=folder)
    assert checked.returncode == 1
    block = next(p for p in _problems(checked.stdout) if "unit.telephone 不存在" in p)
    assert _begins(part) in block.splitlines()[0] and "是不是要写 unit.phone" in block
