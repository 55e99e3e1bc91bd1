"""What a reader sees in the sample's PDF, whichever faces the machine has (issue 11 items 1 and 5): every page
after the cover shows its number in the footer, every 目录 entry ends in the page its heading is on.

Each test runs with three font sets, chosen explicitly through BUDGETREPORT_FONT_DIR:
  machine   the machine's own faces (fc-list / the Windows font folder), whatever they are
  bundled   an empty font folder: only the face shipped with the package
  droid     a folder holding only Droid Sans Fallback (no ASCII glyphs), where the page numbers used to vanish;
            skipped when the machine does not have it (.ci/run installs fonts-droid-fallback)
The suite as a whole also runs once more with BUDGETREPORT_FONT_DIR set to an empty folder (.ci/run).
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from budgetreport.pdf import fonts as F
from textutil import pdf_pages

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "昌吉市城市管理指挥中心2025.xlsx"
DROID = [Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
         Path("/usr/share/fonts/truetype/droid/DroidSansFallback.ttf")]


@pytest.fixture(params=["machine", "bundled", "droid"])
def font_set(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    folder = tmp_path / "fonts"
    folder.mkdir()
    if request.param == "machine":
        monkeypatch.delenv(F.FONT_DIR_ENV, raising=False)
    else:
        if request.param == "droid":
            droid = next((p for p in DROID if p.is_file()), None)
            if droid is None:
                pytest.skip("Droid Sans Fallback not installed (fonts-droid-fallback)")
            (folder / droid.name).symlink_to(droid)
        monkeypatch.setenv(F.FONT_DIR_ENV, str(folder))
    F.forget_discovery()
    yield request.param
    F.forget_discovery()


def _pages(pdf: Path) -> list[str]:
    return pdf_pages(pdf, "-layout")


@pytest.fixture
def built(font_set: str, tmp_path: Path) -> tuple[str, list[str], str, Path]:
    from budgetreport.build import build_report
    result = build_report(SAMPLE, tmp_path / "out")
    assert result.pdf is not None and result.docx is not None
    return font_set, _pages(result.pdf), result.fonts, result.docx


def test_every_page_after_the_cover_shows_its_number(built: tuple[str, list[str], str, Path]) -> None:
    _, pages, _, _ = built
    assert len(pages) > 20
    assert not re.search(r"—\s*\d+\s*—", pages[0]), "the cover has no page number"
    for n, text in enumerate(pages[1:], start=2):
        lines = [line for line in text.splitlines() if line.strip()]
        assert re.fullmatch(rf"\s*—\s*{n}\s*—\s*", lines[-1]), (n, lines[-1:])


def test_every_toc_entry_ends_in_the_page_of_its_heading(built: tuple[str, list[str], str, Path]) -> None:
    from budgetreport.pdf import read_docx

    _, pages, _, docx = built
    toc = [i for i, t in enumerate(pages) if re.search(r"\.{3,}|(\. ){3,}", t)]
    assert toc, "no 目录 page"
    entries: list[tuple[str, int]] = []
    pending = ""
    for i in toc:
        for line in pages[i].splitlines():
            if re.fullmatch(r"\s*—\s*\d+\s*—\s*|\s*目\s*录\s*", line) or not line.strip():
                continue
            m = re.fullmatch(r"\s*(.*?)\s*(?:\. ?){3,}\s*(\d+)\s*", line)
            if m is None:       # an entry too long for one line: its end comes on the next
                pending += line.strip()
                continue
            entries.append((pending + m.group(1), int(m.group(2))))
            pending = ""
    assert not pending, f"目录 entry without a page number: {pending}"
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    doc = read_docx(docx)   # each entry's target: the paragraph holding its bookmark
    targets = {b: p.text for p in doc.paragraphs() for b in p.bookmarks}
    expected = [(squash(p.text), squash(targets[p.anchor])) for p in doc.paragraphs()
                if p.style in ("toc 1", "toc 2") and p.anchor]
    assert len(entries) == len(expected) >= 25
    body = [squash(t) for t in pages]
    for (title, page), (toc_text, target) in zip(entries, expected):
        assert squash(title) == toc_text
        found = next((i + 1 for i, t in enumerate(body) if i > toc[-1] and target in t), None)
        assert page == found, (title, page, found)


def test_the_build_line_names_the_faces_and_stand_ins(built: tuple[str, list[str], str, Path]) -> None:
    font_set, _, line, _ = built
    assert line.startswith("PDF 字体") and "\n" not in line
    if font_set in ("bundled", "droid"):   # Droid is refused (no digits): the bundled face does every role
        assert "Droid" not in line and line.count("WenQuanYi Micro Hei") == 4
        assert "（代替仿宋" in line and "（代替方正小标宋" in line


def test_fonts_toml_is_read_from_every_folder_of_the_lookup_chain(root: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """default/fonts.toml applies to a unit without one; the unit's own wins for the roles it names."""
    from budgetreport.pdf import resolve_fonts
    from budgetreport.templates import template_set

    wqy = F.bundled_face().path
    shutil.copy(wqy, root / "default" / "wqy.ttc")
    (root / "default" / "fonts.toml").write_text(
        'title = { file = "wqy.ttc", index = 1 }\nbody = { file = "wqy.ttc", index = 1 }\n', encoding="utf-8")
    unit = root / "某单位"
    unit.mkdir()
    fs = resolve_fonts(template_set("某单位", "", root).folders)
    assert fs.title.family == fs.body.family == "WenQuanYi Micro Hei Mono"
    shutil.copy(wqy, unit / "own.ttc")
    (unit / "fonts.toml").write_text('body = "own.ttc"\n', encoding="utf-8")
    fs = resolve_fonts(template_set("某单位", "", root).folders)
    assert fs.body.family == "WenQuanYi Micro Hei" and fs.title.family == "WenQuanYi Micro Hei Mono"
    assert "代替" not in fs.describe().split("；")[0]   # a face the template chose stands in for nothing
