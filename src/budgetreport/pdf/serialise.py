"""Process-wide speed-ups of reportlab's PDF serialisation (pdfdoc), installed on import.

Byte-identical to reportlab's own except for the Flate level. Every PDF object is formatted through
pdfdoc.format and pdfdocEnc (an encoder written in Python, per number and name) and PDFName; the report's
objects are few kinds of plain ASCII, so those take a C path; numbers (a font's widths repeat the same few)
and dictionary keys are formatted once per value. A font subset already compressed (the same glyphs again) is
not compressed again.
"""
from __future__ import annotations

import re
import zlib
from collections import OrderedDict

import reportlab.pdfbase.pdfdoc as _pdfdoc
from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str

# zlib level 4 instead of the default 6 for page and font streams: about 40 % less compression time for
# about 3 % more bytes (measured on the sample: 233 KB against 227 KB of streams)
FLATE_LEVEL = 4

_rl_enc = _pdfdoc.pdfdocEnc
_rl_name = _pdfdoc.PDFName
_rl_format = _pdfdoc.format
# characters PDFDocEncoding maps to themselves: printable ASCII, tab, newline, carriage return
_NOT_PLAIN = re.compile("[^\t\n\r\x20-\x7e]")
_NAMES: dict[str, str] = {}


# compressed font subsets by their bytes: fonts.py hands out the same bytes object for the same glyph set, so
# the hash is computed once and a repeated subset (≈ 3 ms of zlib for 160 KB) costs a lookup
_FONT_STREAMS: dict[bytes, bytes] = {}
_CACHED_MIN = 16_384  # page streams are str; large bytes are font files


def _flate(text: str | bytes) -> bytes:
    if isinstance(text, str):
        return zlib.compress(text.encode("utf8"), FLATE_LEVEL)
    if len(text) < _CACHED_MIN:
        return zlib.compress(text, FLATE_LEVEL)
    packed = _FONT_STREAMS.get(text)
    if packed is None:
        if len(_FONT_STREAMS) >= 32:  # bounded: a few MB at most
            _FONT_STREAMS.clear()
        packed = _FONT_STREAMS[text] = zlib.compress(text, FLATE_LEVEL)
    return packed


def _pdfdoc_enc(x):  # type: ignore[no-untyped-def]
    """pdfdocEnc: plain ASCII text encodes to the same bytes in ASCII (C) as in PDFDocEncoding (Python)."""
    if isinstance(x, str) and not _NOT_PLAIN.search(x):
        return x.encode("ascii")
    return _rl_enc(x)


def _pdf_name(data, *args):  # type: ignore[no-untyped-def]
    """PDFName, memoised: dictionaries name the same few keys over and over."""
    if args or not isinstance(data, str):
        return _rl_name(data, *args)
    name = _NAMES.get(data)
    if name is None:
        if len(_NAMES) > 10_000:  # bounded in a long batch
            _NAMES.clear()
        name = _NAMES[data] = _rl_name(data)
    return name


def _format(element, document, toplevel=0):  # type: ignore[no-untyped-def]
    """pdfdoc.format: the plain values (most of the ~5000 elements of a report) by their exact type first,
    with the same results; PDF objects and anything else as reportlab formats them."""
    kind = type(element)
    if kind is str:
        return _pdfdoc_enc(element)
    if kind is int or kind is float:
        return _number(element)
    if kind is bytes:
        return element
    # arrays, dictionaries and strings are never reference-only; without PDF comments reportlab formats them
    # as they format themselves
    if kind in _INLINE_OBJECTS and not rl_config.pdfComments and "__RefOnly__" not in element.__dict__:
        if kind is _pdfdoc.PDFString or element.multiline == "forced" or rl_config.pdfMultiLine:
            return element.format(document)
        return _array(element, document) if kind is _pdfdoc.PDFArray else _dictionary(element, document)
    return _rl_format(element, document, toplevel)


_INLINE_OBJECTS = frozenset({_pdfdoc.PDFArray, _pdfdoc.PDFDictionary, _pdfdoc.PDFString})
_NUMBER_TYPES = frozenset({int, float})
_NUMBER_BYTES: dict[float, bytes] = {}


def _number(x: float) -> bytes:
    """fp_str(x) as bytes (digits, sign and point: the same bytes as pdfdocEnc), memoised: a font's widths and a
    page's boxes repeat the same few numbers, and equal numbers format alike."""
    b = _NUMBER_BYTES.get(x)
    if b is None:
        if len(_NUMBER_BYTES) > 100_000:  # bounded in a long batch
            _NUMBER_BYTES.clear()
        b = _NUMBER_BYTES[x] = fp_str(x).encode("ascii")
    return b


_NAME_BYTES: dict[str, bytes] = {}


def _lines(items: list[bytes], per_line: int) -> bytes:
    """The items joined by spaces with a line break after every per_line of them, as reportlab breaks arrays
    and dictionaries."""
    if len(items) <= per_line:
        return b" ".join(items)
    return b" \n  ".join([b" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)])


def _array(array, document) -> bytes:  # type: ignore[no-untyped-def]
    """PDFArray.format (not multi-line); an array of numbers only (a font's widths) by the memoised numbers."""
    seq = array.sequence
    if seq and set(map(type, seq)) <= _NUMBER_TYPES:
        items = list(map(_NUMBER_BYTES.get, seq))
        if None in items:
            items = list(map(_number, seq))
        return b"[ " + _lines(items, 10) + b" ]"
    return b"[ " + _lines([_format(e, document) for e in seq], 10) + b" ]"


def _dictionary(dictionary, document) -> bytes:  # type: ignore[no-untyped-def]
    """PDFDictionary.format (not multi-line), each key's name formatted once per process."""
    d = dictionary.dict
    keys = list(d)
    if not isinstance(d, OrderedDict):
        keys.sort()
    items = []
    for k in keys:
        name = _NAME_BYTES.get(k) if type(k) is str else None
        if name is None:
            name = _format(_pdf_name(k), document)
            if type(k) is str and len(_NAME_BYTES) < 10_000:  # bounded in a long batch
                _NAME_BYTES[k] = name
        items.append(name + b" " + _format(d[k], document))
    return b"<<\n" + _lines(items, 6) + b"\n>>"


_pdfdoc.PDFZCompress.encode = _flate
_pdfdoc.format = _format
_pdfdoc.pdfdocEnc = _pdfdoc_enc
_pdfdoc.PDFName = _pdf_name
