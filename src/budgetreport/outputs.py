"""The output side: file names that fit, all outputs or none, and a Chinese message for every refusal.

Every way the operating system refuses a write (read-only folder, a folder with the report's name, disk full, a
name too long …) reaches the clerk as a message naming the path and the fix, exit ≠ 0, and no half of a report:
docs/reliability.md lists them.
"""
from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .atomic import remove_quietly, write_temporary
from .errors import BudgetError

# Most file systems allow 255 bytes per name (ext4, btrfs, APFS; NTFS 255 UTF-16 units). A report's name is
# kept at most this long in UTF-8, leaving room for the longest extension we add.
MAX_NAME_BYTES = 240
LONGEST_SUFFIX = ".docx"
_TAIL_CHARS = 11        # "2025年单位预算公开": kept whole when a long unit name is cut
_MARK = "～"

SUMMARY_NAME = "校验汇总.xlsx"          # the batch's findings summary, beside manifest.csv
ANNOTATED_MARK = "（校验意见）"          # an annotated copy: 工作簿（校验意见）.xlsx

_FOLDER_HINT = "请改用一个文件夹的路径，或删除、改名这个文件"
_WRITABLE_HINT = ("请换一个有写权限的文件夹，或请管理员开放该文件夹的写权限；如果同名文件正在 Word、WPS 或 PDF 阅读器中"
                  "打开，请先关闭")


def fit_stem(stem: str, suffix: str = LONGEST_SUFFIX) -> str:
    """`stem` when stem + suffix fits in MAX_NAME_BYTES; else its head cut at a character boundary, a mark and
    8 hex digits of the full stem's SHA-256 (so two long names that share their head stay distinct), and its
    last characters (the year and 单位预算公开)."""
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    if len(stem.encode("utf-8")) <= room:
        return stem
    tail = stem[-_TAIL_CHARS:]
    tag = f"{_MARK}{hashlib.sha256(stem.encode('utf-8')).hexdigest()[:8]}{_MARK}"
    budget = room - len(tag.encode("utf-8")) - len(tail.encode("utf-8"))
    head = stem[:-_TAIL_CHARS].encode("utf-8")[:max(budget, 0)].decode("utf-8", "ignore")
    return f"{head}{tag}{tail}"


def is_batch_output(name: str) -> bool:
    """A workbook a batch writes into its output folder, never to be read back as a unit's input."""
    return name == SUMMARY_NAME or Path(name).stem.endswith(ANNOTATED_MARK)


def ensure_folder(folder: Path) -> Path:
    """The output folder, created with its parents when missing."""
    with output_errors(folder, folder=True):
        if folder.exists() and not folder.is_dir():
            raise BudgetError("这是一个文件，不是文件夹，无法在其中写入输出", file=folder, hint=_FOLDER_HINT)
        _make_folder(folder)
    return folder


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def write_together(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file into `folder`, or none: all are written to temporary files first (where a full disk or
    a missing permission shows), then renamed into place. Earlier outputs stay untouched unless every new one
    is complete. Raises BudgetError (nothing new left behind)."""
    ensure_folder(folder)
    targets = [folder / name for name in files]
    for target in targets:
        with output_errors(target):
            blocked = target.is_dir()
        if blocked:
            raise BudgetError("输出位置已有一个同名的文件夹，报告无法写入", file=target,
                              hint="请删除该文件夹或给它改名后重新运行")
    temporaries: list[str] = []
    renamed: list[Path] = []
    current = targets[0] if targets else folder
    try:
        for current, data in zip(targets, files.values()):
            temporaries.append(write_temporary(current, data))
        for current, tmp in zip(targets, temporaries):
            os.replace(tmp, current)
            renamed.append(current)
    except OSError as exc:
        for tmp in temporaries:
            remove_quietly(tmp)
        for done in renamed:      # a rename after a successful one failed: not half a report either
            remove_quietly(done)
        raise os_error(exc, current) from None
    return targets


@contextmanager
def output_errors(path: Path, *, folder: bool = False) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise os_error(exc, path, folder=folder) from None


def _blocking_file(path: Path) -> Path:
    """The file standing where a folder of `path` should be (the nearest existing ancestor that is no folder)."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return candidate if not candidate.is_dir() else path
        except OSError:
            continue
    return path


def os_error(exc: OSError, path: Path, *, folder: bool = False) -> BudgetError:
    """An operating system's refusal on the output side, as the clerk reads it."""
    where = path
    if isinstance(exc.filename, (str, os.PathLike)) and exc.filename and not Path(exc.filename).name.startswith(".~"):
        where = Path(exc.filename)    # e.g. the parent folder that could not be created (never our temporary)
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return BudgetError("磁盘空间不足，无法写入（本次没有写出任何文件）", file=where,
                           hint="请清理磁盘，或用 -o 换一个空间充足的文件夹后重新运行")
    if code == errno.EROFS:
        return BudgetError("所在的磁盘或分区是只读的，无法写入", file=where, hint="请用 -o 换一个可写的文件夹")
    if code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        return BudgetError("没有写入权限", file=where, hint=_WRITABLE_HINT)
    if code == errno.ENAMETOOLONG:
        return BudgetError("文件名或路径过长，操作系统拒绝写入", file=where,
                           hint="请用 -o 换一个路径较短的文件夹，或缩短单位名称")
    if code == errno.EISDIR or isinstance(exc, IsADirectoryError):
        return BudgetError("输出位置已有一个同名的文件夹，无法写入", file=where, hint="请删除该文件夹或给它改名后重新运行")
    if code in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, (NotADirectoryError, FileExistsError)):
        blocker = _blocking_file(where)
        return BudgetError("这是一个文件，不是文件夹，其中无法再建文件夹或写入输出", file=blocker, hint=_FOLDER_HINT)
    reason = exc.strerror or type(exc).__name__
    what = "无法创建或写入该文件夹" if folder else "无法写入"
    return BudgetError(f"{what}（{reason}）", file=where, hint="请检查该位置是否可写、磁盘是否已满，或换一个文件夹")
