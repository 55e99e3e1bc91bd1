"""Font discovery on Windows: the official faces in %WINDIR%\\Fonts win over fontconfig's look-alikes.

Simulated here (sys.platform and WINDIR patched): the folder holds copies of the bundled TrueType face under
the file names a finance office's PC has (simfang.ttf 仿宋, simhei.ttf 黑体)."""
from __future__ import annotations

import shutil
import sys

import pytest

from budgetreport.pdf import fonts


@pytest.fixture
def fresh_discovery(monkeypatch):
    monkeypatch.delenv(fonts.FONT_DIR_ENV, raising=False)  # these tests choose the font folder themselves
    fonts._system_candidates.cache_clear()
    fonts._system_fontset.cache_clear()
    yield
    fonts._system_candidates.cache_clear()
    fonts._system_fontset.cache_clear()


def test_windows_font_folder_supplies_the_official_faces(tmp_path, monkeypatch, fresh_discovery):
    windows_fonts = tmp_path / "Windows" / "Fonts"
    windows_fonts.mkdir(parents=True)
    bundled = fonts.bundled_face().path
    shutil.copyfile(bundled, windows_fonts / "simfang.ttf")
    shutil.copyfile(bundled, windows_fonts / "SIMHEI.TTF")          # Windows file names are case-insensitive
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)

    chosen = fonts.resolve_fonts(None)

    assert chosen.body.path == (windows_fonts / "simfang.ttf").resolve()       # 正文: 仿宋
    assert chosen.heading.path == (windows_fonts / "SIMHEI.TTF").resolve()     # 标题层级: 黑体
    described = chosen.describe()
    assert "仿宋（WenQuanYi Micro Hei）" in described and "黑体（WenQuanYi Micro Hei）" in described


def test_without_a_windows_font_folder_discovery_falls_back(tmp_path, monkeypatch, fresh_discovery):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(tmp_path / "no-such-windows"))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    monkeypatch.setattr(fonts, "_windows_dirs", lambda: [tmp_path / "no-such-windows" / "Fonts"])

    chosen = fonts.resolve_fonts(None)

    assert all(f.path.exists() for f in (chosen.title, chosen.heading, chosen.body, chosen.table))
