"""Batch concurrency: the options that change output bytes, the one pure unit function, and the process pool
(docs/performance.md "How a batch runs"). `build_unit` never touches OUTDIR, so any `concurrent.futures.Executor`
can run it; failures come back as data, never as exceptions (ours do not all pickle; one unit never stops others).
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.queues import SimpleQueue
from pathlib import Path

from jinja2 import TemplateError

from . import __version__
from .bounded import BoundedCache
from .errors import BudgetError


@dataclass(frozen=True)
class Options:
    """Every setting that changes the output bytes (black's Mode): part of the skip-cache key."""
    docx: bool = True
    pdf: bool = True
    annotate: bool = False      # also an annotated copy of the workbook (工作簿（校验意见）.xlsx) when it has findings

    def key(self) -> str:
        return json.dumps({"docx": self.docx, "pdf": self.pdf, "annotate": self.annotate, "version": __version__},
                          sort_keys=True)


@dataclass(frozen=True)
class UnitTask:
    source: str                 # absolute workbook path
    rel: str                    # path relative to the input folder (manifest, cache)
    workbook_sha256: str        # of the bytes the main process saw (cache key)
    templates_root: str | None  # resolved by the main process: workers may run elsewhere
    options: Options


@dataclass
class UnitBuilt:
    """What a worker sends back: the files as bytes, or why there are none."""
    rel: str
    unit: str = ""
    code: str = ""
    year: int = 0
    warnings: list[str] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)   # every finding (Finding.to_dict), errors first
    files: dict[str, bytes] = field(default_factory=dict)   # file name → bytes, in .docx, .pdf order
    annotated: dict[str, bytes] = field(default_factory=dict)   # the annotated workbook copy, if asked and any findings
    templates_sha256: str = ""
    templates: str = ""         # which template folder was used, for the clerk (manifest column 模板)
    fonts_sha256: str = ""      # the PDF's font files (fonts_digest); "" without a PDF
    error: str = ""             # first reason, in Chinese; "" when it worked
    detail: str = ""            # traceback of an unexpected exception (a bug), for the log


def templates_digest(fingerprint: list[tuple[str, bytes]]) -> str:
    """SHA-256 over the chosen template files (path and content)."""
    h = hashlib.sha256()
    for path, data in fingerprint:
        h.update(path.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


# (path, size, mtime, inode) → SHA-256 of the font file: a batch asks for the same few files again and again
_FONT_HASHES: BoundedCache[tuple[str, int, int, int], str] = BoundedCache(256)


def fonts_digest(files: tuple[tuple[str, int], ...]) -> str:
    """SHA-256 over the font files a PDF is drawn with (path, face index, content): a face installed, removed
    or replaced since the last run changes it. Each file's content is hashed once per process and file state
    (a batch asks for the same few files again and again)."""
    if not files:
        return ""
    h = hashlib.sha256()
    for path, index in files:
        h.update(f"{path}\0{index}\0{_file_sha256(path)}\n".encode("utf-8"))
    return h.hexdigest()


def _file_sha256(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    state = (path, st.st_size, st.st_mtime_ns, st.st_ino)
    digest = _FONT_HASHES.get(state)
    if digest is None:
        h = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return "unreadable"
        digest = _FONT_HASHES.put(state, h.hexdigest())
    return digest


def cache_key(workbook_sha256: str, templates_sha256: str, fonts_sha256: str, options: Options) -> str:
    parts = (workbook_sha256, templates_sha256, fonts_sha256, options.key())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def build_unit(task: UnitTask) -> UnitBuilt:
    """One unit, workbook + templates → file bytes (build.render_report, nothing written here)."""
    from .build import render_report
    from .findings import ERROR, from_error

    built = UnitBuilt(task.rel)
    found: list = []
    try:
        root = Path(task.templates_root) if task.templates_root else None
        r = render_report(Path(task.source), templates_root=root, pdf=task.options.pdf)
        found = list(r.warnings)
        built.unit, built.code, built.year = r.budget.unit.name, r.budget.unit.code, r.budget.unit.year
        built.warnings = [str(f) for f in r.warnings]
        built.findings = [f.to_dict() for f in r.warnings]
        built.templates_sha256 = templates_digest(r.templates.fingerprint())
        built.fonts_sha256 = fonts_digest(r.font_files)
        built.templates = r.templates.label
        if task.options.docx:
            built.files[f"{r.stem}.docx"] = r.docx
        if r.pdf is not None:
            built.files[f"{r.stem}.pdf"] = r.pdf
    except BudgetError as exc:
        if exc.unit is not None:
            built.unit, built.code, built.year = exc.unit.name, exc.unit.code, exc.unit.year
        built.error = str(exc)
        every = getattr(exc, "findings", None)     # build.CheckFailed: all of them; else the one error
        built.findings = [f.to_dict() for f in every] if every else [from_error(exc, ERROR).to_dict()]
        found = list(every or ())
    except Exception as exc:  # noqa: BLE001 - a bug in one unit must not stop the batch
        built.error = f"程序内部错误（请把此信息告知维护人员）：{type(exc).__name__}: {exc}"
        built.detail = traceback.format_exc()
    if task.options.annotate and found:
        _annotate(task, found, built)
    return built


def annotated_name(rel: str) -> str:
    """`工作簿（校验意见）.xlsx`; a workbook in a subfolder keeps its folder in the name (`子目录_工作簿（校验意见）.xlsx`)."""
    from .annotate import SUFFIX
    path = Path(rel)
    prefix = "_".join(path.parent.parts)
    return f"{prefix + '_' if prefix else ''}{path.stem}{SUFFIX}.xlsx"


def _annotate(task: UnitTask, found: list, built: UnitBuilt) -> None:
    from .annotate import annotated_bytes
    try:
        built.annotated = {annotated_name(task.rel): annotated_bytes(Path(task.source), found)}
    except BudgetError as exc:      # the report is not lost for want of its annotated copy
        built.warnings.append(f"未能生成校验意见副本：{exc}")


# in each worker of our own pools (set by the initializer): where to say which unit starts (unit_pool)
_starts: SimpleQueue | None = None


def run_in_worker(task: UnitTask) -> UnitBuilt:
    """What our own pools run: tell the main process which unit starts, in which process and when
    (time.monotonic() is system-wide), so it can enforce the per-unit deadline; then build."""
    if _starts is not None:
        _starts.put((task.rel, os.getpid(), time.monotonic()))
    return build_unit(task)


def warm_up(pdf: bool, templates_root: Path | None = None, starts: SimpleQueue | None = None) -> None:
    """Pool initializer: pay imports and font discovery/registration once per worker, not per unit.

    Workers ignore Ctrl-C: the main process decides what to cancel, and workers never write files."""
    _forked_worker(starts)
    _preload(pdf, templates_root)


def _forked_worker(starts: SimpleQueue | None = None) -> None:
    global _starts
    _starts = starts
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # not the main thread (some executors)
        pass


def _preload(pdf: bool, templates_root: Path | None = None) -> None:
    """Imports, fonts and the default templates (most of it from the disk cache after the first run)."""
    from . import build, derive, read, write_docx  # noqa: F401
    from .templates import template_set
    if pdf:
        from . import pdf as pdf_writer
        pdf_writer.resolve_fonts(None)
    try:
        defaults = template_set("", "", templates_root)               # the templates most units use
        write_docx.prepare(defaults)
        if pdf:
            fonts_digest(build.font_files(defaults))   # hashed once here, inherited by forked workers
    except (BudgetError, TemplateError):
        pass    # a broken default template fails each unit that uses it, with its message, not the whole run


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def pool_start_method() -> str:
    return "fork" if sys.platform.startswith("linux") else "spawn"


def local_executor(jobs: int, options: Options, templates_root: Path | None = None,
                   starts: SimpleQueue | None = None) -> Executor:
    """The default: one process per core, each warmed up once (on Linux forked after this process warmed up,
    elsewhere spawned: docs/performance.md "How a batch runs")."""
    context = multiprocessing.get_context(pool_start_method())
    if pool_start_method() == "fork":
        _preload(options.pdf, templates_root)
        return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_forked_worker,
                                   initargs=(starts,))
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=warm_up,
                               initargs=(options.pdf, templates_root, starts))
