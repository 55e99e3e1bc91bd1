"""Per-unit templates override the defaults file by file; templates cannot run code; missing values are errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from budgetreport.build import build_report
from budgetreport.errors import BudgetError
from budgetreport.templates import PACKAGED_DEFAULTS, template_set
from conftest import SAMPLE, UNIT, set_field, unit_report_template
from textutil import docx_lines, norm

OTHER_UNIT = "昌吉市某某服务中心"


@pytest.fixture
def other_unit(edited) -> Path:
    return edited(lambda wb: set_field(wb["单位信息"], "单位名称", OTHER_UNIT), name="other.xlsx")


def test_lookup_order(root):
    (root / UNIT).mkdir()
    (root / UNIT / "phrases.j2").write_text("", encoding="utf-8")
    chosen = template_set(UNIT, "", root)
    assert chosen.find("phrases.j2") == root / UNIT / "phrases.j2"
    assert chosen.find("report.docx") == root / "default" / "report.docx"
    assert template_set(OTHER_UNIT, "", root).find("phrases.j2") == root / "default" / "phrases.j2"
    assert template_set("无模板根", "", None).folders[-1] == PACKAGED_DEFAULTS


def test_unit_report_template_changes_only_that_unit(root, other_unit, tmp_path):
    unit_report_template(root, lambda doc: doc.add_paragraph("本单位补充说明：{{ unit.name }}自定义段落。", style="Body Text"))
    mine = docx_lines(build_report(SAMPLE, tmp_path / "a", templates_root=root, pdf=False).docx)
    theirs = docx_lines(build_report(other_unit, tmp_path / "b", templates_root=root, pdf=False).docx)
    assert norm(f"本单位补充说明：{UNIT}自定义段落。") in mine
    assert not any("本单位补充说明" in line for line in theirs)


def test_unit_phrases_change_only_that_unit(root, other_unit, tmp_path):
    phrases = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
    (root / UNIT).mkdir()
    (root / UNIT / "phrases.j2").write_text(phrases.replace("比上年预算{{ delta(c) }}", "较上年{{ delta(c) }}"),
                                            encoding="utf-8")
    mine = "".join(docx_lines(build_report(SAMPLE, tmp_path / "a", templates_root=root, pdf=False).docx))
    theirs = "".join(docx_lines(build_report(other_unit, tmp_path / "b", templates_root=root, pdf=False).docx))
    assert "较上年减少9.38万元" in mine and "比上年预算减少9.38万元" not in mine
    assert "比上年预算减少9.38万元" in theirs and "较上年" not in theirs


@pytest.mark.parametrize("evil", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ unit.__class__.__init__.__globals__ }}",
])
def test_template_cannot_reach_python_internals(root, tmp_path, evil):
    (root / UNIT).mkdir()
    (root / UNIT / "phrases.j2").write_text(
        "{% macro change(c) %}" + evil + "{% endmacro %}{% macro delta(c) %}{% endmacro %}"
        "{% macro reason(c) %}{% endmacro %}{% macro fiscal_sources(s) %}{% endmacro %}", encoding="utf-8")
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    message = str(info.value)
    assert "phrases.j2" in message
    assert "不允许" in message or "不存在" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_value_is_an_error_naming_it(root, tmp_path):
    unit_report_template(root, lambda doc: doc.add_paragraph("{{ unit.no_such_field }}", style="Body Text"))
    with pytest.raises(BudgetError) as info:
        build_report(SAMPLE, tmp_path / "out", templates_root=root, pdf=False)
    assert "no_such_field" in str(info.value) and "report.docx" in str(info.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_default_template_is_reproducible_from_its_script():
    """templates/default/report.docx is what tools/make_template.py builds (reviewable, regenerable)."""
    import importlib.util
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("make_template", root / "tools" / "make_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (root / "templates" / "default" / "report.docx").read_bytes()


def _pdf_text(pdf: Path) -> str:
    import subprocess
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


def test_unit_wording_change_reaches_the_pdf(root, other_unit, tmp_path):
    """The PDF is rendered from the filled .docx, so a unit's wording change shows there too, and only there."""
    phrases = (root / "default" / "phrases.j2").read_text(encoding="utf-8")
    (root / UNIT).mkdir()
    (root / UNIT / "phrases.j2").write_text(phrases.replace("比上年预算{{ delta(c) }}", "较上年{{ delta(c) }}"),
                                            encoding="utf-8")
    mine = _pdf_text(build_report(SAMPLE, tmp_path / "a", templates_root=root).pdf)
    theirs = _pdf_text(build_report(other_unit, tmp_path / "b", templates_root=root).pdf)
    assert "较上年减少9.38" in norm(mine)
    assert "较上年" not in norm(theirs) and "比上年预算减少9.38" in norm(theirs)


def test_pages_render_to_png_for_review(tmp_path):
    """Pages 1 (cover), 4 (概况) and 6 (表2, landscape) as PNG, the way a reviewer looks at them."""
    import subprocess
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    pdf = build_report(SAMPLE, tmp_path).pdf
    for page in (1, 4, 6):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(tmp_path / f"page{page}")], check=True)
        png = (tmp_path / f"page{page}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    import struct
    width, height = struct.unpack(">II", (tmp_path / "page6.png").read_bytes()[16:24])
    assert width > height                       # 表2 is on a landscape page
