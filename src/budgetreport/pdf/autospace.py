"""Space between CJK and Latin letters or digits ("2025 年"), as Word and LibreOffice set it.

Word: w:autoSpaceDE (Latin letters) and w:autoSpaceDN (digits) of the paragraph, its style or the document
defaults; on where none says. LibreOffice (sw/source/core/text/itrform2.cxx) puts a kern of 1/5 of the font
size after a letter or digit whose script differs from the next one's, where one of the two is CJK and both
are letters or digits (never next to punctuation), and none at the start of a line. The built-in engine draws
the kern as a space of that width in the preceding text's face, which the line breaking drops at a line start.
"""
from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

KERN = 0.2  # of the font size (LibreOffice: font height / 5)

# code points LibreOffice's script detection calls Asian: Hangul Jamo, CJK radicals to CJK ideographs (with
# kana, bopomofo and the compatibility blocks), Hangul syllables, CJK compatibility ideographs, vertical and
# small forms, full-width forms, and the supplementary ideograph planes
_ASIAN = ((0x1100, 0x11FF), (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
          (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))


def asian(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _ASIAN)


def kern_between(a: str, b: str, flags: tuple[bool, bool]) -> bool:
    """A kern goes between the characters a and b (flags: Latin letters, digits)."""
    if not (a.isalnum() and b.isalnum()) or asian(a) == asian(b):
        return False
    other = b if asian(a) else a
    return flags[1] if other.isdigit() else flags[0]


def kern_points(text: str, before: str, flags: tuple[bool, bool]) -> list[int]:
    """Indices i of text with a kern before text[i]; i = 0: after `before`, the last character of the text
    before this one ("" when none)."""
    out = []
    prev = before
    for i, ch in enumerate(text):
        if prev and kern_between(prev, ch, flags):
            out.append(i)
        prev = ch
    return out


def kern_size(face: str, size: float) -> str | None:
    """The font size (as written in markup) at which a space of `face` is KERN × size wide, no larger than
    `size` itself; None for a face whose space has no width."""
    space = stringWidth(" ", face, 1.0)
    return f"{min(KERN * size / space, size):.3f}" if space > 0 else None


def kern_markup(face: str, size: str) -> str:
    """The kern as paragraph markup: a space in `face` at the size kern_size gave."""
    return f'<font name="{face}" size="{size}"> </font>'
