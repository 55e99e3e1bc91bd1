"""openpyxl's value rules, copied: number formats that are dates, Excel serials and ISO strings as Python values,
and Excel's `_xHHHH_` escapes.

Copied from openpyxl 3.1.5 (MIT licence: openpyxl/styles/numbers.py, openpyxl/utils/datetime.py,
openpyxl/utils/escape.py, openpyxl/xml/constants.py) with the same semantics: importing any part of openpyxl imports
all of it, which costs ~0.1–0.2 s before a batch forks. tests/test_xlsx_values.py and tests/test_workbook_io.py
check these against openpyxl's own functions.
"""
from __future__ import annotations

import datetime
import re
from typing import Any

_WORKBOOK_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.%s.main+xml"
_MACRO_MIME = "application/vnd.ms-excel.%s.macroEnabled.main+xml"
XLTM, XLSM = _MACRO_MIME % "template", _MACRO_MIME % "sheet"
XLTX, XLSX = _WORKBOOK_MIME % "template", _WORKBOOK_MIME % "sheet"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)', 7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy",
    16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)", 41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)', 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
    48: "##0.0E+0", 49: "@",
}
# literal "…" and [locale] groups, except [h] [m] [s] which are elapsed time
_FORMAT_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_FORMAT_DATE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_FORMAT_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)

MAC_EPOCH = datetime.datetime(1904, 1, 1)
WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
_SECS_PER_DAY = 86400
_ISO_REGEX = re.compile(r"""
(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?
(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?""", re.VERBOSE)
_ISO_DURATION = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


def is_date_format(fmt: str | None) -> bool:
    """A number format that shows a date or time: a d m h y s outside literals, locales and escapes."""
    if fmt is None:
        return False
    return _FORMAT_DATE.search(_FORMAT_STRIP.sub("", fmt.split(";")[0])) is not None


def is_timedelta_format(fmt: str | None) -> bool:
    """A number format for elapsed time ([h]:mm:ss …)."""
    if fmt is None:
        return False
    return _FORMAT_TIMEDELTA.search(fmt.split(";")[0]) is not None


def from_excel(value: float, epoch: datetime.datetime = WINDOWS_EPOCH, timedelta: bool = False) -> Any:
    """An Excel serial as a datetime (a time below 1, Excel's 1900 leap-year bug kept), or as a duration."""
    if value is None:
        return None
    if timedelta:
        td = datetime.timedelta(days=value)
        if td.microseconds:                     # millisecond precision
            td = datetime.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = datetime.timedelta(milliseconds=round(fraction * _SECS_PER_DAY * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return datetime.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + datetime.timedelta(days=day) + diff


def from_ISO8601(formatted: str) -> Any:
    """An ISO 8601 date, time, datetime or duration (PT…) as t="d" cells hold them; ValueError otherwise."""
    if not formatted:
        return None
    match = _ISO_REGEX.match(formatted)
    if match and any(match.groups()):
        parts: dict[str, Any] = match.groupdict(0)
        for key in ["year", "month", "day", "hour", "minute", "second"]:
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return datetime.time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return datetime.date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return datetime.datetime(**parts)
    match = _ISO_DURATION.match(formatted)
    if match and any(match.groups()):
        durations: dict[str, Any] = match.groupdict(0)
        for key, val in durations.items():
            if val:
                durations[key] = float(val)
        return datetime.timedelta(**durations)
    raise ValueError(f"Invalid datetime value {formatted}")


_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Excel's escape of a character as `_xHHHH_` decoded, as openpyxl.utils.escape.unescape does: `_x000D_` is a
    carriage return (pasted from Word), `_x005F_` a literal "_" (so `_x005F_x000D_` is the text "_x000D_")."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
