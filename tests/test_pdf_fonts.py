"""Font discovery: template fonts.toml wins, bundled WenQuanYi always works, bad configs are user errors."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from budgetreport.errors import BudgetError
from budgetreport.pdf import fonts as F
from budgetreport.pdf import resolve_fonts, write_pdf
from budgetreport.pdf.styles import MIN_TABLE_FONT
from budgetreport.pdf.tables import fit_columns
from budgetreport.pdf.docmodel import Cell, Paragraph, Row, Run, Table


def _wqy_copy(folder: Path) -> Path:
    src = F.bundled_face().path
    dst = folder / "fonts" / "wqy.ttc"
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst)
    return dst


def test_describe_names_the_roles() -> None:
    line = resolve_fonts().describe()
    assert "标题" in line and "黑体" in line and "正文" in line and "\n" not in line


def test_fonts_toml_is_honoured(tmp_path: Path) -> None:
    _wqy_copy(tmp_path)
    (tmp_path / "fonts.toml").write_text(
        'title = { file = "fonts/wqy.ttc", index = 1 }\nbody = "fonts/wqy.ttc"\n', encoding="utf-8")
    fs = resolve_fonts(tmp_path)
    assert fs.title.family == "WenQuanYi Micro Hei Mono"
    assert fs.body.family == "WenQuanYi Micro Hei"
    assert "WenQuanYi Micro Hei Mono" in fs.describe()


def test_fonts_toml_face_is_embedded_in_the_pdf(tmp_path: Path) -> None:
    from test_pdf import make_docx  # the contract-shaped sample document

    _wqy_copy(tmp_path)
    (tmp_path / "fonts.toml").write_text('title = { file = "fonts/wqy.ttc", index = 1 }\n', encoding="utf-8")
    pdf = write_pdf(make_docx(), fonts=resolve_fonts(tmp_path))
    exe = shutil.which("pdffonts")
    if exe is None:
        pytest.skip("pdffonts not installed")
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    out = subprocess.run([exe, str(f)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYiMicroHeiMono" in out


@pytest.mark.parametrize("content, words", [
    ('body = "missing.ttf"\n', "不存在"),
    ('body = "bad.ttf"\n', "无法嵌入"),
    ('bogus = "fonts/wqy.ttc"\n', "不是可用的角色"),
    ("body = = \n", "格式错误"),
])
def test_bad_fonts_toml_is_a_budget_error(tmp_path: Path, content: str, words: str) -> None:
    _wqy_copy(tmp_path)
    (tmp_path / "bad.ttf").write_bytes(b"OTTO not really a font")
    (tmp_path / "fonts.toml").write_text(content, encoding="utf-8")
    with pytest.raises(BudgetError, match=words) as e:
        resolve_fonts(tmp_path)
    assert e.value.file and e.value.file.endswith("fonts.toml")


def test_without_fontconfig_everything_falls_back_to_bundled(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list
    F._system_candidates.cache_clear()
    F._system_fontset.cache_clear()
    try:
        fs = resolve_fonts()
        assert {fs.role(r).family for r in F.ROLES} == {"WenQuanYi Micro Hei"}
    finally:
        F._system_candidates.cache_clear()
        F._system_fontset.cache_clear()


def test_unloadable_candidates_are_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "NotoSerifCJK-Regular.ttc"
    bad.write_bytes(b"OTTO" + b"\0" * 100)
    fake = (F._Candidate(bad, 0, "Noto Serif CJK SC", "song", 0),)
    monkeypatch.setattr(F, "_system_candidates", lambda: fake)
    F._system_fontset.cache_clear()
    try:
        fs = resolve_fonts()
        assert fs.body == F.bundled_face()
    finally:
        F._system_fontset.cache_clear()


def test_category_of_common_families() -> None:
    assert F._category("FangSong") == "fangsong" and F._category("仿宋_GB2312") == "fangsong"
    assert F._category("方正小标宋简体") == "xbs"
    assert F._category("SimHei") == "hei" and F._category("Noto Sans CJK SC") == "hei"
    assert F._category("AR PL UMing CN") == "song" and F._category("SimSun") == "song"
    assert F._category("LXGW WenKai") == "kai"


def test_registration_is_cached() -> None:
    a = F.bundled_face()
    assert F.bundled_face() is a


def test_wide_table_font_never_below_minimum() -> None:
    face = F.bundled_face().name
    cells = tuple(Cell((Paragraph("Table Text", (Run("1234567.89"),)),), col=i) for i in range(30))
    t = Table(grid=(72.0,) * 30, rows=(Row(cells),))
    widths, size = fit_columns(t, 698.0, 9.0, face)
    assert size >= MIN_TABLE_FONT
    assert abs(sum(widths) - 698.0) < 1.0


def test_split_of_assigned_text_equals_reportlabs() -> None:
    """The shortcut for texts whose characters already have subset codes gives reportlab's own split,
    in one subset and across subsets; new characters and no-break spaces go to reportlab."""
    from reportlab.pdfbase.ttfonts import TTFont

    face = F._font(F.bundled_face().name)
    from reportlab.pdfbase.pdfdoc import PDFDocument

    doc = PDFDocument()  # subset codes are assigned per document
    chars = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 600)) + "0123456789.,-合计"
    for i in range(0, len(chars), 40):
        face.splitString(chars[i:i + 40], doc)
    state = face.state[doc]
    texts = ["合计", "1,234.56", "-0.5%", "(a\\b)", chars[:300], chars[250:520], chars[::7], chars[-30:] + chars[:10]]
    for text in texts:
        assert F._split_assigned(text, state) == TTFont.splitString(face, text, doc), text
    assert len(F._split_assigned(chars[250:520], state) or []) > 1  # crosses subsets
    assert F._split_assigned("龘", state) is None  # not assigned yet
    assert F._split_assigned("合\xa0计", state) is None
    assert F._split_assigned("a\tb", state) is None  # a control character: reportlab decides


@pytest.mark.parametrize("name, kind", [
    ("仿宋_GB2312", "fangsong"), ("仿宋", "fangsong"), ("FangSong", "fangsong"), ("黑体", "hei"), ("SimHei", "hei"),
    ("宋体", "song"), ("SimSun", "song"), ("NSimSun", "song"), ("楷体", "kai"), ("楷体_GB2312", "kai"),
    ("KaiTi", "kai"), ("方正小标宋简体", "xbs"), ("方正小标宋_GBK", "xbs"), ("Times New Roman", None),
])
def test_font_names_of_templates_map_to_kinds_of_face(name: str, kind: str | None) -> None:
    assert F._category(name) == kind


def test_style_font_names_pick_installed_faces_and_fonts_toml_wins(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A style naming 黑体 gets the machine's 黑体 (here: the only face in BUDGETREPORT_FONT_DIR); a name with no
    installed face of its kind (楷体) or no kind (Arial) gets the role's face; a role fonts.toml sets keeps its
    face whatever the style names; the build line says what stood in for what the template asked."""
    machine = tmp_path / "machine"
    machine.mkdir()
    shutil.copy(F.bundled_face().path, machine / "hei.ttc")
    monkeypatch.setenv(F.FONT_DIR_ENV, str(machine))
    F.forget_discovery()
    try:
        template = tmp_path / "unit"
        _wqy_copy(template)
        (template / "fonts.toml").write_text('body = { file = "fonts/wqy.ttc", index = 1 }\n', encoding="utf-8")
        fs = resolve_fonts([template])
        installed = F.face_for_name("SimHei")
        assert installed is not None and installed.path == (machine / "hei.ttc").resolve()
        assert fs.for_style("title", "黑体") == installed
        assert fs.for_style("title", "楷体_GB2312") == fs.title == fs.for_style("title", "Arial")
        assert fs.for_style("body", "黑体") == fs.body and fs.body.family == "WenQuanYi Micro Hei Mono"
        asked = F.FontSet(**{r: fs.role(r) for r in F.ROLES}, fallback=fs.fallback,
                          asked=(("Title", "方正小标宋简体"), ("Heading 3", "楷体_GB2312")))
        assert "标题：WenQuanYi Micro Hei（代替方正小标宋简体）" in asked.describe()
    finally:
        monkeypatch.delenv(F.FONT_DIR_ENV)
        F.forget_discovery()
