"""Space between CJK and Latin letters or digits ("2025 年"), as Word and LibreOffice set it.

Word: w:autoSpaceDE (Latin letters) and w:autoSpaceDN (digits) of the paragraph, its style or the document
defaults; on where none says. LibreOffice (sw/source/core/text/itrform2.cxx) puts a kern of 1/5 of the font
size after a letter or digit whose script differs from the next one's, where one of the two is CJK and both
are letters or digits (never next to punctuation), and none at the start of a line. The built-in engine draws
the kern as a space of that width in the preceding text's face, which the line breaking drops at a line start.
"""
from __future__ import annotations

import re
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

KERN = 0.2  # of the font size (LibreOffice: font height / 5)

# code points LibreOffice's script detection calls Asian: Hangul Jamo, CJK radicals to CJK ideographs (with
# kana, bopomofo and the compatibility blocks), Hangul syllables, CJK compatibility ideographs, vertical and
# small forms, full-width forms, and the supplementary ideograph planes
_ASIAN = ("\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
          "\U00020000-\U0003ffff")
# between a letter or digit and another, one of them Asian and the other not ([^\W_]: a letter or digit)
_CHANGE = re.compile(rf"(?<=[^\W_])(?<=[{_ASIAN}])(?=[^\W_])(?![{_ASIAN}])"
                     rf"|(?<=[^\W_])(?<![{_ASIAN}])(?=[^\W_])(?=[{_ASIAN}])")
_IS_ASIAN = re.compile(f"[{_ASIAN}]")


def kern_points(text: str, before: str, flags: tuple[bool, bool]) -> list[int]:
    """Indices i of text with a kern before text[i] (flags: Latin letters, digits); i = 0: after `before`, the
    last character of the text before this one ("" when none)."""
    joined = before[-1:] + text
    skip = len(joined) - len(text)
    out = []
    for m in _CHANGE.finditer(joined):
        i = m.start()
        if i == 0:
            continue
        if not (flags[0] and flags[1]):   # one switch off: which kind of character is the non-Asian one?
            a, b = joined[i - 1], joined[i]
            other = b if _IS_ASIAN.match(a) else a
            if not (flags[1] if other.isdigit() else flags[0]):
                continue
        out.append(i - skip)
    return out


@lru_cache(maxsize=256)   # a handful of (face, size) pairs per report
def kern_size(face: str, size: float) -> str | None:
    """The font size (as written in markup) at which a space of `face` is KERN × size wide, no larger than
    `size` itself; None for a face whose space has no width."""
    space = stringWidth(" ", face, 1.0)
    return f"{min(KERN * size / space, size):.3f}" if space > 0 else None


def kern_markup(face: str, size: str) -> str:
    """The kern as paragraph markup: a space in `face` at the size kern_size gave."""
    return f'<font name="{face}" size="{size}"> </font>'
