"""What reportlab reads out of a TrueType face (`TTFontFile.extractInfo`, slow in Python for a CJK face), kept in
the disk cache under the font file's SHA-256, the subfont and reportlab's version (docs/design.md "The persistent
cache"). The font file itself is still read for each subset, never stored; hashing it is cheaper than that."""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from fnmatch import fnmatch
from typing import Any, Literal
from weakref import WeakKeyDictionary

from reportlab import Version as REPORTLAB_VERSION
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from budgetreport import diskcache

KIND = "fonts"
_PLAIN = (int, float, str, bytes, bool, type(None), list, tuple, dict)   # what marshal keeps as it is
# a read position; a function of unitsPerEm, made again on load; CachedFace's own memos
_SKIPPED = {"_pos", "_pdfScale", "_br_tables", "_br_subsets"}
_SUBSETS_MAX = 16   # subsets kept per face: a subset of a CJK face is up to ~200 KB
# init_ttfont follows TTFont.__init__ of these reportlab versions; on any other, fonts.py uses TTFont's own
SUPPORTED = REPORTLAB_VERSION.startswith("5.1.")
_GLYPH_TO_CHAR = "_glyph_to_char"       # where CachedFace keeps glyphToChar


def init_ttfont(font: TTFont, name: str, filename: str, validate: bool | Literal[0, 1] = 0, subfontIndex: int = 0,
                asciiReadable: bool | None = None, shapable: bool = True) -> None:
    """reportlab's TTFont.__init__ (5.1), its face read through the cache: reportlab builds the face inline."""
    font.fontName = name
    font.face = CachedFace(filename, validate=validate, subfontIndex=subfontIndex)
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    # reportlab's, as its TTFont.__init__ sets them; its stubs declare neither
    readable = rl_config.ttfAsciiReadable if asciiReadable is None else asciiReadable
    font._asciiReadable = readable  # type: ignore[attr-defined]
    font.shapable = shapable and not any(
        fnmatch(name, glob) for glob in ttfonts.unShapedFontGlob)  # type: ignore[attr-defined]


class CachedFace(TTFontFace):
    """A TTFontFace whose extractInfo comes from the disk cache when this face was read before."""

    # reportlab's, which its stubs do not declare: the font file's bytes, and font units → 1/1000 em
    _ttf_data: bytes
    _pdfScale: Callable[[float], float]

    @property
    def glyphToChar(self) -> dict[int, list[int]]:  # reportlab's name
        """Only reportlab's text shaping reads this table (never without uharfbuzz): from the cache it stays
        marshal data until first read (decoding it is a third of loading a face)."""
        try:
            table = self.__dict__[_GLYPH_TO_CHAR]
        except KeyError:
            raise AttributeError("glyphToChar") from None
        if type(table) is bytes:
            table = self.__dict__[_GLYPH_TO_CHAR] = marshal.loads(table)
        return table

    @glyphToChar.setter
    def glyphToChar(self, table: dict[int, list[int]]) -> None:  # reportlab's name
        self.__dict__[_GLYPH_TO_CHAR] = table

    def get_table(self, tag: str) -> bytes:  # reportlab's name
        """Every font subset of every document copies its tables out of the font file again (the glyph table
        of a CJK face is 4-17 MB): the copies are kept for the life of the face."""
        tables = self.__dict__.setdefault("_br_tables", {})
        table = tables.get(tag)
        if table is None:
            table = tables[tag] = super().get_table(tag)
        return table

    def makeSubset(self, subset: Sequence[int]) -> bytes:  # reportlab's names
        """A subset of the same characters in the same order (the headings' and the template's fixed texts, a
        report rendered again) is the same bytes: made once (bounded per face)."""
        made = self.__dict__.setdefault("_br_subsets", {})
        key = tuple(subset)
        data = made.get(key)
        if data is None:
            if len(made) >= _SUBSETS_MAX:
                made.clear()
            data = made[key] = super().makeSubset(subset)
        return data

    def extractInfo(self, charInfo: bool | Literal[0, 1] = 1) -> None:  # reportlab's names
        key = _key(self, charInfo)
        info = _load(key)
        if info is not None:
            _apply(self, info)
            return
        before = dict(vars(self))
        super().extractInfo(charInfo)
        info = _extracted(self, before)
        if info is not None:
            diskcache.keep(KIND, key, info)


def _key(face: CachedFace, char_info: int) -> str:
    # _full_font depends on the file's base name when the font restricts embedding (rl_config.allowTTFSubsetting)
    allowed = os.path.basename(face.filename) in rl_config.allowTTFSubsetting
    return diskcache.make_key(KIND, REPORTLAB_VERSION, diskcache.source_digest(__name__), sys.byteorder,
                              hashlib.sha256(face._ttf_data).digest(), face.subfontNameX, char_info, int(allowed))


def _extracted(face: TTFontFace, before: dict[str, Any]) -> dict[str, Any] | None:
    """The attributes extractInfo set, as marshal data; None when one cannot be stored faithfully (a name
    reportlab made up from the file name when the font has none)."""
    attrs: dict[str, Any] = {}
    names: dict[str, str] = {}
    for attr, value in vars(face).items():
        if attr in _SKIPPED or (attr in before and before[attr] is value):
            continue
        if type(value) is TTFNameBytes:         # bytes with a .ustr: marshal would keep the bytes only
            names[attr] = value.ustr
        elif attr == _GLYPH_TO_CHAR:
            attrs[attr] = marshal.dumps(value)
        elif type(value) in _PLAIN:
            attrs[attr] = value
        else:
            return None
    if "name" not in names:
        return None
    return {"attrs": attrs, "names": names}


def _load(key: str) -> dict[str, Any] | None:
    info = diskcache.fetch(KIND, key)
    ok = isinstance(info, dict) and isinstance(info.get("attrs"), dict) and isinstance(info.get("names"), dict) \
        and isinstance(info["attrs"].get("unitsPerEm"), int) and info["attrs"]["unitsPerEm"] > 0
    return info if ok else None


def _apply(face: CachedFace, info: dict[str, Any]) -> None:
    vars(face).update(info["attrs"])
    for attr, text in info["names"].items():
        setattr(face, attr, TTFNameBytes(text.encode("utf-8"), "utf-8"))
    face._pdfScale = _scale(face.unitsPerEm)


def _scale(units_per_em: int) -> Callable[[float], float]:
    """extractInfo's font units → 1/1000 em (the same arithmetic, so the same floats)."""
    if units_per_em == 1000:
        return lambda x: x
    mult = 1000 / units_per_em
    return lambda x: x * mult
