"""Write src/budgetreport/locale/zh_CN/LC_MESSAGES/messages.mo from cli_texts.CATALOG (GNU .mo format).

Run after changing CATALOG; tests/test_cli.py fails while the committed file differs from what this writes.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from budgetreport.cli_texts import CATALOG, LOCALE_DIR  # noqa: E402

TARGET = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.mo"
HEADER = "Content-Type: text/plain; charset=UTF-8\n"


def mo_bytes(catalog: dict[str, str]) -> bytes:
    """The .mo layout read by gettext.GNUTranslations: header, two offset tables, then the strings."""
    entries = sorted({"": HEADER, **catalog}.items())
    ids = [k.encode() for k, _ in entries]
    strs = [v.encode() for _, v in entries]
    n = len(entries)
    start = 7 * 4 + 16 * n
    offsets, blob = [], b""
    for s in ids + strs:
        offsets.append((len(s), start + len(blob)))
        blob += s + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    tables = b"".join(struct.pack("<2I", *o) for o in offsets)
    return head + tables + blob


def main() -> None:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(mo_bytes(CATALOG))
    print(TARGET)


if __name__ == "__main__":
    main()
