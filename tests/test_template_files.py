"""Template files that are not what they should be (issue 13 item 13): each a Chinese message naming the file and
the fix, exit code 2, no output and no traceback."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetreport.build import build_report
from budgetreport.cli import app
from budgetreport.errors import BudgetError
from budgetreport.template_files import FONT_ROLES
from conftest import SAMPLE, UNIT


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def _bad_reports(default_docx: bytes) -> list[tuple[str, bytes, str]]:
    """(what a clerk did, the file's bytes, the key part of the message)."""
    with zipfile.ZipFile(io.BytesIO(default_docx)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    no_body = {n: d for n, d in parts.items() if n != "word/document.xml"}
    broken_body = {**parts, "word/document.xml": b"<w:document"}
    return [
        ("an empty file Word left", b"", "空的"),
        ("a Word 97-2003 file renamed", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "97-2003"),
        ("a text file renamed", "这是一段文字".encode("utf-8") * 50, "不是 Word 文档"),
        ("half a copy", default_docx[: len(default_docx) // 2], "不是 Word 文档"),
        ("the workbook renamed", SAMPLE.read_bytes(), "Excel 工作簿"),
        ("a presentation renamed", _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
         "PowerPoint"),
        ("a zip of something else", _zip({"readme.txt": b"hello"}), "其他文件"),
        ("a docx without its document", _zip(no_body), "不是 Word 文档"),
        ("a docx whose document is cut", _zip(broken_body), "损坏"),
    ]


def _unit_file(root: Path, name: str, data: bytes) -> Path:
    (root / UNIT).mkdir(exist_ok=True)
    path = root / UNIT / name
    path.write_bytes(data)
    return path


def _fails_naming(root: Path, tmp_path: Path, path: Path, *parts: str) -> str:
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    assert info.value.file == str(path), message
    for part in parts:
        assert part in message, message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    done = CliRunner().invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path / "cli"), "--no-pdf", "-t", str(root)])
    assert done.exit_code == 2 and "Traceback" not in done.output and str(path.name) in done.output
    return message


def test_report_docx_that_is_not_a_word_document(root: Path, tmp_path: Path) -> None:
    cases = _bad_reports((root / "default" / "report.docx").read_bytes())
    assert len(cases) >= 9
    for what, data, key in cases:
        path = _unit_file(root, "report.docx", data)
        message = _fails_naming(root, tmp_path, path, key, "模板")
        assert ("另存为" in message or "templates copy" in message or "重新保存" in message), (what, message)


def test_phrases_saved_as_gbk_names_the_file_the_line_and_the_fix(root: Path, tmp_path: Path) -> None:
    text = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
    first = next(i for i, line in enumerate(text.splitlines(), 1) if not line.isascii())
    path = _unit_file(root, "phrases.j2", text.encode("gbk"))
    _fails_naming(root, tmp_path, path, "GBK", "ANSI", f"第 {first} 行", "另存为", "UTF-8")
    path.write_bytes(("\n" * 7 + text).encode("gb18030"))
    _fails_naming(root, tmp_path, path, f"第 {first + 7} 行")
    path.write_bytes(text.encode("utf-16"))               # Notepad's "Unicode"
    _fails_naming(root, tmp_path, path, "UTF-8")


def test_phrases_with_notepads_utf8_bom_is_fine(root: Path, tmp_path: Path) -> None:
    text = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
    _unit_file(root, "phrases.j2", "\ufeff".encode("utf-8") + text.encode("utf-8"))
    mine = build_report(SAMPLE, tmp_path / "a", templates_root=root, pdf=False).docx.read_bytes()
    shutil.rmtree(root / UNIT)
    assert build_report(SAMPLE, tmp_path / "b", templates_root=root, pdf=False).docx.read_bytes() == mine


FONTS_TOML = [
    ('body = 12', ["“body”", "数字 12", "路径"]),
    ('body = 1.5', ["数字 1.5"]),
    ('body = true', ["真假值 true"]),
    ('body = ["a.ttf", "b.ttf"]', ["列表"]),
    ('body = ""', ["空文字"]),
    ('body = { file = 3 }', ["缺少 file", "数字 3"]),
    ('body = { index = 0 }', ["缺少 file", "空"]),
    ('body = { file = "x.ttc", index = "0" }', ["index", "“0”", "正整数"]),
    ('body = { file = "x.ttc", index = -1 }', ["index", "数字 -1"]),
    ('body = { file = "x.ttc", index = 1.0 }', ["index", "数字 1.0"]),
    ('body = { path = "x.ttc" }', ["“path”", "file、index"]),
    ('"正文" = "x.ttf"', ["“正文”", "、".join(FONT_ROLES)]),
    ('正文 = "x.ttf"', ["格式错误", "第 1 行第 1 列：正文 = \"x.ttf\"", "角色用英文"]),
    ('colour = "red"', ["“colour”"]),
    ('body = "x.ttf', ["格式错误", "第 1 行"]),
    ('title = "a.ttf"\nbody = x.ttf', ["格式错误", "第 2 行第 8 列：body = x.ttf"]),
    ('[body]\nfile = 5', ["缺少 file", "数字 5"]),
]


@pytest.mark.parametrize("where", [UNIT, "default"])
@pytest.mark.parametrize("toml,parts", FONTS_TOML)
def test_fonts_toml_with_a_wrong_type(root: Path, tmp_path: Path, where: str, toml: str, parts: list[str]) -> None:
    (root / where).mkdir(exist_ok=True)
    path = root / where / "fonts.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    _fails_naming(root, tmp_path, path, "字体配置", *parts)


def test_fonts_toml_in_gbk(root: Path, tmp_path: Path) -> None:
    path = _unit_file(root, "fonts.toml", '# 正文用仿宋\nbody = "仿宋.ttf"\n'.encode("gbk"))
    _fails_naming(root, tmp_path, path, "UTF-8", "另存为")


def test_font_roles_are_the_pdf_writers() -> None:
    from budgetreport.pdf import fonts
    assert tuple(fonts.ROLES) == FONT_ROLES
