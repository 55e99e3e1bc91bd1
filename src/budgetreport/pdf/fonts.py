"""Font discovery for the PDF writer: four roles (title, heading, body, table), each from fonts.toml, the
machine's faces, else the bundled WenQuanYi Micro Hei (docs/pdf.md "Fonts"). Only TrueType outlines embed: every
candidate is test-loaded and skipped on failure; each face is registered with reportlab once per process."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Sequence
from typing import cast

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from budgetreport.errors import BudgetError
from budgetreport.pdf import fontcache
from budgetreport.pdf.fontcache import init_ttfont

ROLES = ("title", "heading", "body", "table")
_ROLE_ZH = {"title": "标题", "heading": "黑体", "body": "正文", "table": "表格"}

# category preference per role (first match wins)
_PREFER: dict[str, tuple[str, ...]] = {
    "title": ("xbs", "song", "hei", "fangsong", "kai"),
    "heading": ("hei", "song", "fangsong", "kai", "xbs"),
    "body": ("fangsong", "song", "kai", "hei", "xbs"),
    "table": ("song", "fangsong", "hei", "kai", "xbs"),
}

# Windows file names of the official faces → category
_WINDOWS_FILES: dict[str, str] = {
    "FZXBSJW.TTF": "xbs", "方正小标宋简体.ttf": "xbs", "方正小标宋_GBK.ttf": "xbs", "FZXBSK.TTF": "xbs",
    "FZXiaoBiaoSong-B05S.ttf": "xbs", "FZXBS_GBK.TTF": "xbs",
    "仿宋_GB2312.ttf": "fangsong", "FS_GB2312.ttf": "fangsong", "simfang.ttf": "fangsong",
    "simhei.ttf": "hei", "simsun.ttc": "song", "simsun.ttf": "song", "simkai.ttf": "kai",
    "楷体_GB2312.ttf": "kai",
}
_WINDOWS_BY_LOWER = {name.lower(): cat for name, cat in _WINDOWS_FILES.items()}


@dataclass(frozen=True)
class Face:
    name: str  # reportlab font name (registered)
    family: str  # human-readable family, for the build output
    path: Path
    index: int = 0

    def has(self, ch: str) -> bool:
        return ord(ch) in _cmap(self.name)

    def covers(self, text: str) -> bool:
        """Every character of `text` has a glyph in this face."""
        cmap = _cmap(self.name)
        return all(ord(ch) in cmap for ch in text)


# What a face must print to be used for a role: CJK text, digits, Latin letters and the punctuation the report
# uses. A face that lacks one of these (Droid Sans Fallback has no ASCII) would draw page numbers as nothing.
REQUIRED = ("中文字体预算单位财政拨款收支总体情况表说明名词解释目录第一部分二三四"
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            ".,:;%-+/()—％（）“”…、。，：；")
_CATEGORY_ZH = {"xbs": "方正小标宋", "fangsong": "仿宋", "hei": "黑体", "song": "宋体", "kai": "楷体"}
# BUDGETREPORT_FONT_DIR=folder: look for faces only in that folder (an empty one: only the bundled face)
FONT_DIR_ENV = "BUDGETREPORT_FONT_DIR"


@dataclass(frozen=True)
class FontSet:
    title: Face
    heading: Face
    body: Face
    table: Face
    fallback: Face  # covers glyphs a chosen face lacks
    stand_ins: tuple[tuple[str, str], ...] = ()  # (role, the face it stands in for)
    asked: tuple[tuple[str, str], ...] = ()  # (paragraph style, the face the template's style names)
    configured: tuple[str, ...] = ()  # roles a fonts.toml set: its face wins over the styles' font names

    def role(self, role: str) -> Face:
        return getattr(self, role)

    def for_style(self, role: str, asked: str | None) -> Face:
        """The face of a paragraph style of this role: the one fonts.toml set for the role, else the one the
        template's style names when the machine has a face of that kind (face_for_name), else the role's."""
        if asked and role not in self.configured:
            return face_for_name(asked) or self.role(role)
        return self.role(role)

    def describe(self) -> str:
        """One line: the face of each role (its main style's, when the template names an installed one), what
        it stands in for, and the other styles the template sets in a face of their own."""
        wanted, asked = dict(self.stand_ins), dict(self.asked)
        parts = []
        for r in ROLES:
            name = asked.get(_ROLE_STYLE[r]) if r not in self.configured else None
            face = (face_for_name(name) if name else None) or self.role(r)
            if name and face_for_name(name) is None:
                wanted[r] = name                       # the template's own name for what is missing
            elif name:
                wanted.pop(r, None)
            parts.append(f"{_ROLE_ZH[r]}：{face.family}" + (f"（代替{wanted[r]}）" if r in wanted else ""))
        main = {_ROLE_STYLE[r] for r in ROLES}
        if LATIN_KEY in asked:
            parts.append(_describe_latin(asked[LATIN_KEY]))
        for style, name in self.asked:
            if style == LATIN_KEY:
                continue
            own = face_for_name(name)
            if style not in main and own is not None and own not in {self.role(r) for r in ROLES}:
                parts.append(f"{_STYLE_ZH.get(style, style)}：{own.family}")
        return "PDF 字体  " + "；".join(parts)


LATIN_KEY = "w:ascii"   # FontSet.asked: the Latin face the template names for the body


def _describe_latin(name: str) -> str:
    """The build line's part for letters and digits: the face that draws them, and what it stands in for."""
    from .latin_fonts import latin_face   # it imports this module

    face = latin_face(name)
    if face is None:
        return f"西文：中文字体（缺{name}）"
    return f"西文：{face.family}" + ("" if face.family.lower() == name.lower() else f"（代替{name}）")


# the style whose face names a role in the build line, and the styles whose template fonts are reported
_ROLE_STYLE = {"title": "Title", "heading": "Heading 1", "body": "Body Text", "table": "Table Text"}
_STYLE_ZH = {"Heading 1": "标题 1", "Heading 2": "标题 2", "Heading 3": "标题 3", "Subtitle": "副标题",
             "TOC Heading": "目录标题", "toc 1": "目录 1", "toc 2": "目录 2"}
_REPORTED_STYLES = ("Title", "Subtitle", "TOC Heading", "toc 1", "toc 2", "Heading 1", "Heading 2", "Heading 3",
                    "Table Number", "Table Title", "Table Meta", "Body Text", "Table Text", "Signature")


def _asked_fonts(folders: Sequence[Path]) -> tuple[tuple[str, str], ...]:
    """(style, font name) the template's report.docx sets for the report's styles (the first folder that has
    the file, as the fill stage picks it)."""
    path = next((Path(f) / "report.docx" for f in folders if (Path(f) / "report.docx").is_file()), None)
    if path is None:
        return ()
    try:
        return _asked_fonts_of(path.read_bytes())
    except OSError:
        return ()


@lru_cache(maxsize=16)
def _asked_fonts_of(data: bytes) -> tuple[tuple[str, str], ...]:
    """_asked_fonts of one report.docx, worked out once per content (a batch builds many units with one)."""
    import io
    import zipfile

    from lxml import etree

    from .docx_styles import _Styles
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            styles = _Styles(etree.fromstring(z.read("word/styles.xml")))
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return ()   # the fill stage reports a broken template; the faces are then the roles'
    out = []
    for style in _REPORTED_STYLES:
        info = styles.info(style)
        if info is not None and info.font:
            out.append((style, info.font))
    body = styles.info("Body Text")
    if body is not None and body.latin:
        out.append((LATIN_KEY, body.latin))   # letters and digits (latin_fonts.py)
    return tuple(out)


def face_named(name: str) -> Face | None:
    """The registered Face of a reportlab font name."""
    return next((f for f in _REGISTERED.values() if f.name == name), None)


# ------------------------------------------------------------------------------------- registration


class _TTFont(TTFont):
    """reportlab's TTFont with its face read through the disk cache (fontcache)."""

    def __init__(self, *args, **kwargs) -> None:
        if fontcache.SUPPORTED:
            init_ttfont(self, *args, **kwargs)   # TTFont's, with what it reads out of the face kept on disk
        else:
            super().__init__(*args, **kwargs)


def readable_ascii(state) -> str:
    """The ASCII characters that are their own codes in subset 0 of a face's state in one document (all
    printable ASCII when the face is asciiReadable, as reportlab makes them: fixed once the state exists)."""
    return "".join(chr(n) for n in range(32, 128) if state.assignments.get(n) == n)


def _split_assigned(text: str, state, readable: str | None = None) -> list[tuple[int, bytes]] | None:
    """reportlab's split of a text whose characters all have their subset code already in this document's
    state (most texts after the first pages), without its per-character loop; None when a character is new (or
    a no-break space, which reportlab maps to a space)."""
    if not text or "\xa0" in text:
        return None
    if text.isascii():  # numbers and codes: ASCII characters in a readable subset 0 are their own codes
        if readable is None:
            readable = readable_ascii(state)
        if not text.strip(readable):
            return [(0, text.encode("ascii"))]
    assignments = state.assignments
    found = list(map(assignments.get, map(ord, text)))  # C loops, no per-character Python code
    if None in found:
        return None
    codes = cast("list[int]", found)
    hi = max(codes) >> 8
    if min(codes) >> 8 == hi:  # one subset: the usual case
        return [(hi, bytes(map((0xFF).__and__, codes)) if hi else bytes(codes))]
    out: list[tuple[int, bytes]] = []
    cur: list[int] = []
    cur_set = -1
    for c in codes:
        if c >> 8 != cur_set:
            if cur:
                out.append((cur_set, bytes(cur)))
            cur_set, cur = c >> 8, []
        cur.append(c & 0xFF)
    out.append((cur_set, bytes(cur)))
    return out

_REGISTERED: dict[tuple[str, int], Face] = {}


def _font(name: str) -> TTFont:
    return pdfmetrics.getFont(name)  # type: ignore[return-value]


def _cmap(name: str) -> dict[int, int]:
    """The registered face's character → glyph map."""
    return _font(name).face.charToGlyph


@lru_cache(maxsize=64)
def single_line(name: str) -> float:
    """A registered face's single line height in em, as LibreOffice takes it: ascender + descender of the
    hhea table (of OS/2's typographic values when the face sets USE_TYPO_METRICS); 1.2 when unreadable."""
    face = _font(name).face
    try:
        upem = struct.unpack(">H", face.get_table("head")[18:20])[0]
        ascender, descender = struct.unpack(">hh", face.get_table("hhea")[4:8])
        os2 = face.get_table("OS/2")
        if len(os2) >= 74 and struct.unpack(">H", os2[62:64])[0] & 0x80:   # fsSelection USE_TYPO_METRICS
            ascender, descender = struct.unpack(">hh", os2[68:72])
    except (KeyError, struct.error, AttributeError):
        return 1.2
    height = (ascender - descender) / upem if upem else 0.0
    return height if height > 0 else 1.2


def register(path: Path, index: int = 0) -> Face:
    """Load and register one face (cached). Raises on non-TrueType or unreadable files."""
    key = (str(Path(path).resolve()), index)
    face = _REGISTERED.get(key)
    if face is not None:
        return face
    digest = hashlib.sha1(f"{key[0]}#{index}".encode()).hexdigest()[:8]
    name = f"br-{digest}"
    font = _TTFont(name, key[0], subfontIndex=index)
    pdfmetrics.registerFont(font)
    family = font.face.familyName
    family_s = family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
    face = Face(name=name, family=_display_family(key[0], family_s), path=Path(key[0]), index=index)
    _REGISTERED[key] = face
    return face


def _display_family(path: str, family: str) -> str:
    cat = _WINDOWS_BY_LOWER.get(Path(path).name.lower())   # Windows file names: SIMHEI.TTF = simhei.ttf
    if cat and not re.search(r"[\u4e00-\u9fff]", family):
        return f"{_CATEGORY_ZH[cat]}（{family}）"
    return family


def _try_register(path: Path, index: int) -> Face | None:
    try:
        return register(path, index)
    except Exception:  # noqa: BLE001 - CFF/OTF, bitmap-only or broken files are simply skipped
        return None


# ---------------------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class _Candidate:
    path: Path
    index: int
    family: str
    category: str
    rank: int  # lower is better within a category


def _category(family: str) -> str | None:
    f = family.lower().replace(" ", "")
    if "小标宋" in f or "xiaobiaosong" in f or "fzxbs" in f:
        return "xbs"
    if "仿宋" in f or "fangsong" in f:
        return "fangsong"
    if "楷" in f or "kai" in f:
        return "kai"
    if "黑" in f or "hei" in f or "sans" in f or "gothic" in f:
        return "hei"
    if "宋" in f or "song" in f or "simsun" in f or "ming" in f or "serif" in f:
        return "song"
    return None


def _rank(family: str, style: str) -> int:
    """Prefer simplified-Chinese variants and regular weights."""
    f, s = family.lower(), style.lower()
    rank = 0
    if re.search(r"\b(tw|hk|mo|tc|jp|kr)\b|mbe", f):
        rank += 2
    if any(w in s for w in ("bold", "light", "thin", "black", "heavy", "italic")) or "mono" in f:
        rank += 1
    return rank


def _windows_dirs() -> list[Path]:
    dirs = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    dirs.append(Path("C:/Windows/Fonts"))
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft/Windows/Fonts")
    return dirs


def _windows_candidates() -> list[_Candidate]:
    out = []
    for d in _windows_dirs():
        if not d.is_dir():
            continue
        lower = {p.name.lower(): p for p in d.iterdir()}
        for fname, cat in _WINDOWS_FILES.items():
            p = lower.get(fname.lower())
            if p is not None:
                out.append(_Candidate(p, 0, fname, cat, -1))  # the official file beats look-alikes
    return out


def _fc_candidates() -> list[_Candidate]:
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        res = subprocess.run(
            [exe, ":lang=zh", "--format", "%{file}|%{index}|%{family}|%{style}|%{fontformat}\n"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = []
    for line in res.stdout.splitlines():
        parts = line.split("|")
        if len(parts) != 5:
            continue
        file, index, families, style, fmt = parts
        if fmt and fmt != "TrueType":  # CFF (.otf Noto CJK) cannot be embedded by reportlab
            continue
        names = [n for n in families.split(",") if n]
        cat = next((c for c in map(_category, names) if c), None)
        if cat is None:
            continue
        family = next((n for n in names if re.search(r"[\u4e00-\u9fff]", n)), names[0] if names else file)
        out.append(_Candidate(Path(file), int(index or 0), family, cat, _rank(",".join(names), style)))
    return out


def _folder_candidates(folder: Path) -> list[_Candidate]:
    """The TrueType faces in one folder (BUDGETREPORT_FONT_DIR), by the family name in each file."""
    out = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix.lower() not in (".ttf", ".ttc"):
            continue
        face = _try_register(path, 0)
        cat = _category(face.family) if face is not None else None
        if face is not None and cat is not None:
            out.append(_Candidate(path, 0, face.family, cat, _rank(face.family, "")))
    return out


@lru_cache(maxsize=1)
def _system_candidates() -> tuple[_Candidate, ...]:
    only = os.environ.get(FONT_DIR_ENV)
    if only:
        return tuple(_folder_candidates(Path(only)))
    cands = _windows_candidates() if sys.platform == "win32" else []
    cands += _fc_candidates()
    # deterministic: category rank, then path and index
    return tuple(sorted(set(cands), key=lambda c: (c.rank, str(c.path), c.index)))


def bundled_face() -> Face:
    """WenQuanYi Micro Hei from the pip package (always present)."""
    import paperang_p2_fonts_cjk

    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return register(path, 0)


@lru_cache(maxsize=1)
def _system_fontset() -> dict[str, tuple[Face, str]]:
    """Per role, the first loadable face of the most preferred category that prints everything the report
    needs (REQUIRED), with its category (loads only what it picks)."""
    by_cat: dict[str, list[_Candidate]] = {}
    for c in _system_candidates():
        by_cat.setdefault(c.category, []).append(c)
    bundled = bundled_face()
    by_cat.setdefault("hei", []).append(_Candidate(bundled.path, bundled.index, bundled.family, "hei", 9))
    loaded: dict[str, Face | None] = {}

    def first(cat: str) -> Face | None:
        if cat not in loaded:
            loaded[cat] = next((f for c in by_cat.get(cat, []) if (f := _try_register(c.path, c.index)) is not None
                                and f.covers(REQUIRED)), None)
        return loaded[cat]

    chosen: dict[str, tuple[Face, str]] = {}
    for role in ROLES:
        found = next(((f, cat) for cat in _PREFER[role] if (f := first(cat)) is not None), None)
        if found is not None:
            chosen[role] = found
    return chosen


def _toml_faces(template_dir: Path) -> dict[str, Face]:
    cfg = template_dir / "fonts.toml"
    if not cfg.is_file():
        return {}
    from .. import toml_compat as tomllib      # here: a template rarely has fonts.toml (import cost)
    try:
        data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise BudgetError(f"字体配置文件格式错误：{e}", file=cfg) from e
    out: dict[str, Face] = {}
    for role, value in data.items():
        if role not in ROLES:
            raise BudgetError(
                f"字体配置中的“{role}”不是可用的角色", file=cfg, hint="可用：title、heading、body、table")
        if isinstance(value, dict):
            file, index = value.get("file", ""), int(value.get("index", 0))
        else:
            file, index = str(value), 0
        path = (template_dir / file).resolve()
        if not path.is_file():
            raise BudgetError(f"字体文件不存在：{path}", file=cfg, hint=f"检查 {role} 的路径（相对于模板文件夹）")
        try:
            out[role] = register(path, index)
        except Exception as e:  # noqa: BLE001
            raise BudgetError(
                f"字体文件无法嵌入 PDF：{path.name}（{e}）", file=cfg,
                hint="只支持 TrueType 轮廓字体（.ttf/.ttc），不支持 OpenType CFF（.otf）") from e
    return out


def resolve_fonts(template_dirs: Path | Sequence[Path] | None = None) -> FontSet:
    """The faces for each role: fonts.toml of the template folders in lookup order (unit, code, default,
    built-in; the first that names a role wins), then the machine's official faces, then bundled."""
    fallback = bundled_face()
    folders = [template_dirs] if isinstance(template_dirs, (str, Path)) else list(template_dirs or ())
    from_toml: dict[str, Face] = {}
    for folder in folders:
        for role, face in _toml_faces(Path(folder)).items():
            from_toml.setdefault(role, face)
    faces: dict[str, Face] = {}
    stand_ins: list[tuple[str, str]] = []
    system = _system_fontset()
    for role in ROLES:
        if role in from_toml:
            faces[role] = from_toml[role]
            continue
        face, cat = system.get(role, (fallback, ""))
        faces[role] = face
        if cat != _PREFER[role][0]:   # not the official face of the role: say which one it stands in for
            stand_ins.append((role, _CATEGORY_ZH[_PREFER[role][0]]))
    return FontSet(**faces, fallback=fallback, stand_ins=tuple(stand_ins), asked=_asked_fonts(folders),
                   configured=tuple(from_toml))


def face_for_name(name: str) -> Face | None:
    """The installed face for a font name a template uses (仿宋_GB2312/FangSong, 黑体/SimHei, 宋体/SimSun/NSimSun,
    楷体/KaiTi, 方正小标宋…): the first face of that kind on the machine that prints every character the report
    needs; None when the machine has none (the role's face stands in)."""
    cat = _category(name)
    return _face_of_category(cat) if cat is not None else None


@lru_cache(maxsize=None)
def _face_of_category(cat: str) -> Face | None:
    found = next((f for c in _system_candidates() if c.category == cat
                  and (f := _try_register(c.path, c.index)) is not None and f.covers(REQUIRED)), None)
    return found if found is not None or cat != "hei" else bundled_face()   # the bundled face is a 黑体


def forget_discovery() -> None:
    """Look for the machine's faces again on the next resolve_fonts (after BUDGETREPORT_FONT_DIR changed)."""
    from .latin_fonts import latin_face   # it imports this module

    _system_candidates.cache_clear()
    _system_fontset.cache_clear()
    _face_of_category.cache_clear()
    latin_face.cache_clear()
