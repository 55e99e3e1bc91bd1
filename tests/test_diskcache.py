"""The persistent cache (budgetreport.diskcache): a warm cache gives the same bytes as none, and any problem with
the cache folder or an entry only means computing again."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFont, TTFontFace

from budgetreport import diskcache
from budgetreport.pdf import fontcache
from budgetreport.pdf import fonts as F
from budgetreport.templates import PACKAGED_DEFAULTS, _new_env

# builds the sample in a fresh process (no in-process caches) and prints the SHA-256 of its files; with "strict",
# everything the cache keeps is made impossible to compute, so the build can only succeed from the cache
_BUILD = r"""
import hashlib, json, sys
from pathlib import Path
if sys.argv[2] == "strict":
    import docxtpl
    from reportlab.pdfbase import ttfonts
    from budgetreport.docx_package import TemplatePackage
    def computed(*args, **kwargs):
        raise AssertionError("computed although cached")
    ttfonts.TTFontFile.extractInfo = computed
    docxtpl.DocxTemplate.patch_xml = computed
    TemplatePackage.load = classmethod(computed)
from budgetreport.build import render_report
r = render_report(Path(sys.argv[1]))
print(json.dumps({"docx": hashlib.sha256(r.docx).hexdigest(), "pdf": hashlib.sha256(r.pdf).hexdigest()}))
"""


def _build(cache: str, mode: str = "plain", home: Path | None = None) -> dict[str, str]:
    env = {**os.environ, diskcache.ENV: cache, "PYTHONPATH": str(ROOT / "src")}
    if home is not None:
        env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), LOCALAPPDATA=str(home / "AppData"))
    done = subprocess.run([sys.executable, "-c", _BUILD, str(SAMPLE), mode], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_cold_warm_damaged_and_off_cache_give_the_same_bytes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _build(str(cache))
    kinds = {p.name for p in cache.iterdir()}
    assert kinds == {"docx-package", "fonts", "jinja-source"}   # data only: no compiled code
    assert _build(str(cache), "strict") == cold        # everything came from the cache, and the same bytes

    for entry in cache.rglob("*"):
        if entry.is_file():
            data = entry.read_bytes()
            entry.write_bytes(data[:len(data) // 2])    # truncated, as by a full disk or a killed writer
    assert _build(str(cache)) == cold
    assert _build(str(cache), "strict") == cold        # damaged entries were made again

    home = tmp_path / "home"
    home.mkdir()
    assert _build("off", home=home) == cold
    assert not list(home.rglob("budgetreport"))         # off: nothing written, not even in the default folder


def test_default_folder_and_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(diskcache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert diskcache.folder() == tmp_path / "xdg" / "budgetreport"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert diskcache.folder() == tmp_path / "local" / "budgetreport" / "Cache"
    monkeypatch.setenv(diskcache.ENV, "OFF")
    assert diskcache.folder() is None
    diskcache.keep("kind", "key", b"value")
    assert diskcache.fetch("kind", "key") is None
    assert not any(tmp_path.rglob("*"))


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_no_home_folder_is_no_error(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    """A service account or a container user may have no home: Path.home() raises, the cache is simply off."""
    for name in (diskcache.ENV, "XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", platform)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    assert diskcache.folder() is None
    diskcache.keep("kind", "key", [1, 2])
    assert diskcache.fetch("kind", "key") is None


def test_entries_round_trip_and_damage_reads_as_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(diskcache.ENV, str(tmp_path))
    key = diskcache.make_key("test", b"content")
    value = {"a": [1, 2.5, "三"], "b": (b"x", None)}
    diskcache.keep("test", key, value)
    assert diskcache.fetch("test", key) == value
    assert [p.name for p in (tmp_path / "test").iterdir()] == [key]    # no temporary file left behind
    entry = tmp_path / "test" / key
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0xFF                                    # one flipped bit-pattern in the payload
    entry.write_bytes(bytes(data))
    assert diskcache.fetch("test", key) is None
    entry.write_bytes(b"")
    assert diskcache.fetch("test", key) is None
    assert diskcache.make_key("a", "bc") != diskcache.make_key("ab", "c")


def test_unwritable_folder_is_no_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_bytes(b"")
    monkeypatch.setenv(diskcache.ENV, str(blocker / "cache"))     # cannot be created, even by root
    diskcache.keep("kind", "key", [1, 2])
    assert diskcache.fetch("kind", "key") is None
    face = fontcache.CachedFace(str(F.bundled_face().path))
    assert _face_info(face) == _face_info(TTFontFace(str(F.bundled_face().path)))
    env = _new_env(PACKAGED_DEFAULTS / "phrases.j2")
    assert env.from_string("{{ x|sentence }}").render(x="好") == "好。"


def test_old_entries_are_pruned_when_writing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(diskcache.ENV, str(tmp_path))
    diskcache.keep("kind", "old", 1)
    old = tmp_path / "kind" / "old"
    stale = os.path.getmtime(old) - (diskcache.MAX_AGE_DAYS + 1) * 86400
    os.utime(old, (stale, stale))
    diskcache.keep("kind", "new", 2)
    assert sorted(p.name for p in (tmp_path / "kind").iterdir()) == ["new"]


def _face_info(face: TTFontFace) -> dict[str, object]:
    """A face's attributes, comparable: names with their text, the scale function by its values."""
    out: dict[str, object] = {}
    for attr, value in vars(face).items():
        if attr == "_glyph_to_char":                     # CachedFace's glyphToChar
            attr, value = "glyphToChar", face.glyphToChar
        if attr == "_pdfScale":
            value = [value(x) for x in (0, 1, 7, 1000, -123)]
        elif isinstance(value, TTFNameBytes):
            value = ("TTFNameBytes", bytes(value), value.ustr)
        elif attr in ("get_table", "makeSubset", "_pos"):
            continue
        out[attr] = value
    return out


@pytest.mark.parametrize("index", [0, 1])
def test_font_metrics_from_the_cache_equal_reportlabs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      index: int) -> None:
    monkeypatch.setenv(diskcache.ENV, str(tmp_path))
    path = str(F.bundled_face().path)
    reportlab = _face_info(TTFontFace(path, subfontIndex=index))
    assert _face_info(fontcache.CachedFace(path, subfontIndex=index)) == reportlab     # computed, stored
    assert any((tmp_path / "fonts").iterdir())
    monkeypatch.setattr(TTFontFace, "extractInfo", lambda *a: pytest.fail("computed although cached"))
    assert _face_info(fontcache.CachedFace(path, subfontIndex=index)) == reportlab     # from the cache


def test_font_object_is_reportlabs(tmp_path: Path) -> None:
    """fontcache.init_ttfont stands in for TTFont.__init__: the same attributes, the same values."""
    path = str(F.bundled_face().path)
    ours, theirs = F._TTFont("br-test", path), TTFont("br-test", path)
    assert set(vars(ours)) == set(vars(theirs))
    for attr in ("fontName", "_asciiReadable", "shapable"):
        assert getattr(ours, attr) == getattr(theirs, attr)
    assert type(ours.encoding) is type(theirs.encoding) and not ours.state
    assert _face_info(ours.face) == _face_info(theirs.face)


def test_a_changed_font_file_is_read_again_not_taken_from_the_cache(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    """Keyed by the file's bytes: same size and modification time, one byte changed, and reportlab reads it anew."""
    monkeypatch.setenv(diskcache.ENV, str(tmp_path / "cache"))
    extracted: list[str] = []
    real = TTFontFace.extractInfo
    monkeypatch.setattr(TTFontFace, "extractInfo", lambda face, *a: extracted.append(face.filename) or real(face, *a))
    font = tmp_path / "face.ttc"
    font.write_bytes(F.bundled_face().path.read_bytes())
    fontcache.CachedFace(str(font))
    fontcache.CachedFace(str(font))
    assert len(extracted) == 1                          # the second from the cache
    stat = font.stat()
    data = bytearray(font.read_bytes())
    data[-1] ^= 1
    font.write_bytes(bytes(data))
    os.utime(font, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fontcache.CachedFace(str(font))
    assert len(extracted) == 2


_MARKER_CODE = "open({path!r}, 'w').write('executed')"


def _rewrite_entry(entry: Path, value: object) -> None:
    """Replace an entry's payload as someone with write access could: magic, a valid SHA-256, the new payload."""
    import marshal
    payload = marshal.dumps(value)
    entry.write_bytes(diskcache._MAGIC + hashlib.sha256(payload).digest() + payload)


def test_tampered_entries_holding_code_are_never_executed(tmp_path: Path) -> None:
    """Every entry rewritten (valid checksum) to hold code, alone or inside the shapes the callers expect: a
    build still gives the same bytes, and the code never ran."""
    cache = tmp_path / "cache"
    cold = _build(str(cache))
    marker = tmp_path / "ran.txt"
    code = compile(_MARKER_CODE.format(path=str(marker)), "<cache>", "exec")
    entries = sorted(p for p in cache.rglob("*") if p.is_file())
    assert entries
    shapes = [code, (code,), [code, code], {"attrs": {"unitsPerEm": code}, "names": {}},
              (("a",), [("a", code, 0, b"")], code, b"", code, b"", (), (), code)]
    for shape in shapes:
        for entry in entries:
            _rewrite_entry(entry, shape)
        assert _build(str(cache)) == cold
        assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("where", ["base", "kind"])
@pytest.mark.parametrize("mode", [0o775, 0o757, 0o777, 0o1777, 0o720, 0o702])
def test_folder_writable_by_others_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str,
                                               mode: int) -> None:
    base = tmp_path / "shared"
    monkeypatch.setenv(diskcache.ENV, str(base))
    diskcache.keep("kind", "key", [1, 2])
    assert diskcache.fetch("kind", "key") == [1, 2]                  # private: used
    os.chmod(base if where == "base" else base / "kind", mode)
    assert diskcache.fetch("kind", "key") is None                    # a writable-by-others folder is not read …
    diskcache.keep("kind", "other", [3])
    assert not (base / "kind" / "other").exists()                    # … nor written


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a folder's owner needs root")
def test_folder_of_another_user_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = tmp_path / "theirs"
    monkeypatch.setenv(diskcache.ENV, str(base))
    diskcache.keep("kind", "key", [1, 2])
    os.chown(base, 4321, 4321)
    assert diskcache.fetch("kind", "key") is None
    os.chown(base, os.getuid(), os.getgid())
    os.chown(base / "kind", 4321, 4321)
    assert diskcache.fetch("kind", "key") is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_new_cache_folders_are_private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = tmp_path / "new" / "cache"
    monkeypatch.setenv(diskcache.ENV, str(base))
    diskcache.keep("kind", "key", "值")
    assert os.stat(base).st_mode & 0o777 == 0o700 and os.stat(base / "kind").st_mode & 0o777 == 0o700
    assert diskcache.fetch("kind", "key") == "值"
