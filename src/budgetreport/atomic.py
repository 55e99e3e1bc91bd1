"""Writing a file so that nobody ever sees half of it, with the permissions any file the user saves gets."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

# what tempfile.mkstemp adds on Windows: binary mode, handle not inherited by child processes
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def write_temporary(path: Path, data: bytes) -> str:
    """A complete temporary copy of `data` beside `path`, to be renamed onto it (or removed); on failure
    (disk full, no permission) nothing is left behind and the OSError propagates."""
    fd, tmp = _new_temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
    except BaseException:
        remove_quietly(tmp)
        raise
    return tmp


def _write_all(fh: BinaryIO, data: bytes) -> None:
    """The one place bytes reach the disk (tests inject a full disk here)."""
    fh.write(data)


def remove_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _new_temporary(path: Path) -> tuple[int, str]:
    """A new file ".~<stem>XXXXXXXX.tmp" beside `path`. Not tempfile.mkstemp: it creates files with mode 0600,
    and the rename would keep that, so on Linux colleagues sharing the output folder could not open the reports;
    mode 0666 lets the user's umask decide, as for any file they save."""
    for _ in range(100):
        tmp = str(path.parent / f".~{path.stem[:40]}{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"无法在 {path.parent} 中创建临时文件")
