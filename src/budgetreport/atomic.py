"""Writing a file so that nobody ever sees half of it, with the permissions any file the user saves gets."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

# what tempfile.mkstemp adds on Windows: binary mode, handle not inherited by child processes
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


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
