"""The Latin face a template names for letters and digits (w:rFonts w:ascii: "Times New Roman" in the default
template), as Word draws them: characters below U+0080 in that face, the rest in the East Asian one.

The face is the one the machine has under that name: BUDGETREPORT_FONT_DIR (only that folder, by the family
name in each file), Windows' font folder by file name, else fontconfig's match for the name — the face
LibreOffice draws with too (Liberation Serif for Times New Roman where Microsoft's fonts are missing). A face
is used only if it has every printable ASCII glyph; else, or without a name, the East Asian face draws the
letters and digits as before (docs/pdf.md "Fonts")."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from .fonts import FONT_DIR_ENV, Face, _try_register, _windows_dirs

ASCII = "".join(map(chr, range(0x21, 0x7F)))   # printable ASCII: what the Latin face must cover

# Windows file names of common Latin faces (lower case)
_WINDOWS_LATIN = {
    "times new roman": "times.ttf", "arial": "arial.ttf", "calibri": "calibri.ttf", "cambria": "cambria.ttc",
    "courier new": "cour.ttf", "georgia": "georgia.ttf", "verdana": "verdana.ttf", "tahoma": "tahoma.ttf",
    "segoe ui": "segoeui.ttf", "arial narrow": "arialn.ttf", "book antiqua": "bkant.ttf",
}

_SCRIPTS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def split_scripts(text: str) -> list[tuple[bool, str]]:
    """`text` as (Latin?, piece) in order: pieces of characters below U+0080 and pieces of the others."""
    if text.isascii():
        return [(True, text)]
    return [(piece[0] < "\x80", piece) for piece in _SCRIPTS.findall(text)]


@lru_cache(maxsize=None)
def latin_face(name: str) -> Face | None:
    """The machine's face for a Latin font name, or None (see the module's text)."""
    for path, index in _candidates(name.strip()):
        face = _try_register(path, index)
        if face is not None and face.covers(ASCII):
            return face
    return None


def _candidates(name: str) -> list[tuple[Path, int]]:
    only = os.environ.get(FONT_DIR_ENV)
    if only:
        return _folder(Path(only), name)
    out: list[tuple[Path, int]] = []
    if sys.platform == "win32" and name.lower() in _WINDOWS_LATIN:
        for d in _windows_dirs():
            lower = {p.name.lower(): p for p in d.iterdir()} if d.is_dir() else {}
            if _WINDOWS_LATIN[name.lower()] in lower:
                out.append((lower[_WINDOWS_LATIN[name.lower()]], 0))
    return out + _fc_match(name)


def _folder(folder: Path, name: str) -> list[tuple[Path, int]]:
    """The files in `folder` whose family is `name` (any case)."""
    out = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix.lower() in (".ttf", ".ttc"):
            face = _try_register(path, 0)
            if face is not None and face.family.lower() == name.lower():
                out.append((path, 0))
    return out


def _fc_match(name: str) -> list[tuple[Path, int]]:
    """fontconfig's face for the name (its substitutes included), regular weight."""
    exe = shutil.which("fc-match")
    if not exe:
        return []
    try:
        res = subprocess.run([exe, "--format", "%{file}|%{index}", f"{name}:style=Regular"],
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    file, _, index = res.stdout.strip().partition("|")
    return [(Path(file), int(index or 0))] if file and Path(file).suffix.lower() in (".ttf", ".ttc") else []
