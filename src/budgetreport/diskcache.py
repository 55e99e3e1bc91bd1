"""A persistent cache of derived data in the user's cache folder (like pip's): what a run computes from files
that rarely change — the taken-apart template, what reportlab reads out of a font — so the next run starts faster.

Folder (`BUDGETREPORT_CACHE_DIR`, `off`), keys, bounds, atomic writes and the ownership check: docs/design.md
"The persistent cache". Data, never code (marshal, never pickle); any failure means "not cached", never an error.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
import time
from pathlib import Path
from types import CodeType
from typing import Any

ENV = "BUDGETREPORT_CACHE_DIR"
FORMAT = 1            # of the entries and the keys; raise it when either changes
MAX_AGE_DAYS = 30
_MAGIC = b"budgetreport-cache\0"
_DIGEST = 32


def folder() -> Path | None:
    """The cache folder (not created here), or None when the cache is off."""
    configured = os.environ.get(ENV, "").strip()
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA")
            return (Path(local) if local else Path.home() / "AppData" / "Local") / "budgetreport" / "Cache"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "budgetreport"
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "budgetreport"
    except RuntimeError:    # no home folder (a service account, a container user without one): no cache
        return None


def _trusted(path: Path) -> bool:
    """The folder is this user's own and writable by no one else (group/other-writable, or another owner: no).
    Windows has no such mode bits; its per-user %LOCALAPPDATA% is private already."""
    if not hasattr(os, "getuid"):
        return True
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def _usable(kind: str, create: bool) -> Path | None:
    """base/kind when both folders can be trusted (created private when `create`), else None."""
    base = folder()
    if base is None:
        return None
    target = base / kind
    if create:
        try:
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            target.mkdir(exist_ok=True, mode=0o700)
        except (OSError, ValueError):
            return None
    return target if _trusted(base) and _trusted(target) else None


def make_key(*parts: str | bytes | int | tuple[int, ...]) -> str:
    """SHA-256 over the parts, our format number and the Python version (marshal and bytecode change with it)."""
    h = hashlib.sha256()
    for part in (FORMAT, repr(sys.version_info[:3]), importlib.util.MAGIC_NUMBER, *parts):
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "little") + data)    # length-prefixed: ("ab", "c") ≠ ("a", "bc")
    return h.hexdigest()


def source_digest(module: str) -> str:
    """SHA-256 of an imported module's source file, for keys of values that module's code computes."""
    return _file_digest(getattr(sys.modules.get(module), "__file__", None) or "")


@functools.lru_cache(maxsize=64)
def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else "?"
    except OSError:
        return "?"


def fetch(kind: str, key: str) -> Any:
    """The value kept under kind/key, or None (missing, damaged, cache off or unreadable)."""
    data = _load(kind, key)
    if data is None:
        return None
    try:
        value = marshal.loads(data)
        return value if _plain_data(value) else None
    except (EOFError, ValueError, TypeError):
        return None


_CONTAINERS = (tuple, list, set, frozenset)


def _plain_data(value: Any) -> bool:
    """No code object anywhere inside (marshal can hold one; a rewritten entry must not hand one to a caller)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is CodeType:
            return False
        if kind in _CONTAINERS:
            stack.extend(i for i in item if type(i) in _CONTAINERS or type(i) is dict or type(i) is CodeType)
        elif kind is dict:
            stack.extend(k for k in item if type(k) in _CONTAINERS or type(k) is CodeType)
            stack.extend(v for v in item.values() if type(v) in _CONTAINERS or type(v) is dict
                         or type(v) is CodeType)
    return True


def keep(kind: str, key: str, value: Any) -> None:
    """Keep a marshal-able value (anything else is simply not kept; a kept None would read as missing)."""
    if not _plain_data(value):
        return
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return
    _store(kind, key, payload)


def _load(kind: str, key: str) -> bytes | None:
    """The payload stored under kind/key, or None (missing, damaged, cache off or unreadable)."""
    target = _usable(kind, create=False)
    if target is None:
        return None
    try:
        data = (target / key).read_bytes()
    except (OSError, ValueError):
        return None
    head = len(_MAGIC) + _DIGEST
    if not data.startswith(_MAGIC) or len(data) < head:
        return None
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(_MAGIC):head]:
        return None
    return payload


def _store(kind: str, key: str, payload: bytes) -> None:
    """Keep the payload under kind/key; silently does nothing when the folder cannot be written."""
    target = _usable(kind, create=True)
    if target is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, target / key)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(target)
    except (OSError, ValueError):
        pass


def _prune(target: Path) -> None:
    """Remove this kind's entries (and temporary files a killed process left) not written for MAX_AGE_DAYS."""
    oldest = time.time() - MAX_AGE_DAYS * 86400
    for entry in target.iterdir():
        try:
            if entry.stat().st_mtime < oldest:
                entry.unlink()
        except OSError:
            pass    # another process removed or replaced it first
