"""Many units in one run: find the workbooks, skip the unchanged ones, build the rest in parallel, report.

Workers (concurrency.build_unit) return bytes; this module alone writes, atomically (docs/performance.md, the batch
part). Of two workbooks of the same unit and year, the one whose input path sorts first keeps the file name (an
output left by an unchanged, skipped workbook keeps it too); the other fails with both files named.
"""
from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .atomic import write_atomic
from .build import font_files
from .concurrency import Options, UnitBuilt, UnitTask, cache_key, default_jobs, fonts_digest, templates_digest
from .errors import BudgetError
from .manifest import MANIFEST_COLUMNS, MANIFEST_NAME, write_manifest_rows  # noqa: F401 (COLUMNS re-exported)
from .outputs import ANNOTATED_MARK, SUMMARY_NAME, ensure_folder, is_batch_output, write_together
from .templates import default_root, template_set, unused_folders
from .unit_pool import DEFAULT_TIMEOUT, run_units

SUCCESS, FAILED, WARNED = "成功", "失败", "有提醒"
CACHE_NAME = ".budgetreport-cache.json"
CACHE_FORMAT = 2      # 2: entries keep the findings and the template folder
SAVE_INTERVAL = 1.0   # seconds between cache rewrites
INTERRUPTED_REASON = "运行被中断，本单位未生成（重新运行即可从中断处继续）"


@dataclass
class UnitResult:
    input: str                       # relative to the input folder, "/" separated
    unit: str = ""
    year: int | None = None
    status: str = FAILED
    warnings: int = 0
    reason: str = ""                 # failure: the first reason; 有提醒: the first reminder
    outputs: list[tuple[str, str]] = field(default_factory=list)   # (file name in OUTDIR, SHA-256)
    templates: str = ""              # which template folder the unit used (TemplateSet.label: manifest column 模板)
    findings: list[dict[str, str]] = field(default_factory=list)   # Finding.to_dict() each (校验汇总.xlsx)
    skipped: bool = False            # unchanged since the last run: nothing rebuilt
    detail: str = ""                 # traceback when the failure is a bug
    code: str = ""                   # 单位编码 (a template folder may be named by it)


@dataclass
class BatchReport:
    """Counts what happened and owns the exit code (black's Report)."""
    input_dir: Path
    outdir: Path
    units: list[UnitResult] = field(default_factory=list)
    interrupted: bool = False
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)   # the run's own files (manifest, summary) not written
    notes: list[str] = field(default_factory=list)      # 提醒 of the run: template folders no unit used

    def count(self, status: str) -> int:
        return sum(1 for u in self.units if u.status == status)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def skipped(self) -> int:
        return sum(1 for u in self.units if u.skipped)

    @property
    def return_code(self) -> int:
        if self.interrupted:
            return 130
        if self.problems:
            return 2
        return 1 if self.failed else 0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    last: UnitResult | None
    running: tuple[str, ...]         # input files submitted and not finished, oldest first


ProgressCallback = Callable[[Progress], None]


# ------------------------------------------------------------------------------------------------ discovery

def find_workbooks(input_dir: Path, outdir: Path) -> list[Path]:
    """Every .xlsx below input_dir, sorted by relative path; not Excel lock files, hidden folders, or what a
    batch writes: OUTDIR's subtree when OUTDIR is a folder inside input_dir, and in any case the workbooks a
    batch writes into OUTDIR (校验汇总.xlsx, annotated copies) — so `batch . -o .` still finds the inputs."""
    input_dir, outdir = input_dir.resolve(), outdir.resolve()
    nested = outdir != input_dir and outdir.is_relative_to(input_dir)
    found = []
    for path in input_dir.rglob("*"):
        if path.suffix.lower() != ".xlsx" or not path.is_file():
            continue
        rel = path.relative_to(input_dir)
        if path.name.startswith(("~$", ".~")) or any(p.startswith(".") for p in rel.parts[:-1]):
            continue
        if nested and path.resolve().is_relative_to(outdir):
            continue
        if path.resolve().parent == outdir and is_batch_output(path.name) or _annotated_beside_original(path):
            continue
        found.append(path)
    return sorted(found, key=lambda p: p.relative_to(input_dir).as_posix())


def _annotated_beside_original(path: Path) -> bool:
    """`工作簿（校验意见）.xlsx` next to `工作簿.xlsx`: the copy `check --annotate` leaves beside the workbook, not a
    unit of its own (as input it would fail as a duplicate of the original). Alone, it may be the copy a clerk
    fixed and sent in: then it is an input."""
    if not path.stem.endswith(ANNOTATED_MARK):
        return False
    return path.with_name(path.stem[:-len(ANNOTATED_MARK)] + path.suffix).is_file()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------- skip cache

class Cache:
    """OUTDIR/.budgetreport-cache.json: per input file, the key it was built with and the outputs' SHA-256."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.units: dict[str, dict] = {}
        self.saved_at, self.dirty = 0.0, False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") == CACHE_FORMAT:
                self.units = dict(data.get("units", {}))
        except (OSError, ValueError, AttributeError):
            pass   # no cache or a damaged one: everything is simply rebuilt

    def save(self, *, now: bool = False) -> None:
        """Rewrite the file atomically, at most once per SAVE_INTERVAL: one rewrite per unit would be O(N²) for
        thousands of units. run_batch calls save(now=True) at the end and on Ctrl-C, so only a hard kill can
        lose the last second of records (those units are simply rebuilt)."""
        self.dirty = True
        if not now and time.monotonic() - self.saved_at < SAVE_INTERVAL:
            return
        data = {"format": CACHE_FORMAT, "units": self.units}
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                                               sort_keys=True).encode("utf-8"))
        except OSError:
            return     # only speed is lost (the units are rebuilt next time); the outputs say what failed
        self.saved_at, self.dirty = time.monotonic(), False

    def flush(self) -> None:
        if self.dirty:
            self.save(now=True)

    def record(self, task: UnitTask, built: UnitBuilt, result: UnitResult, options: Options) -> None:
        self.units[task.rel] = {
            "workbook_sha256": task.workbook_sha256, "unit": built.unit, "code": built.code, "year": built.year,
            "key": cache_key(task.workbook_sha256, built.templates_sha256, built.fonts_sha256, options),
            "status": result.status, "warnings": result.warnings, "reason": result.reason,
            "templates": result.templates, "findings": result.findings,
            "outputs": dict(result.outputs),
        }
        self.save()

    def forget(self, rel: str) -> None:
        if self.units.pop(rel, None) is not None:
            self.save()

    def unchanged(self, task: UnitTask, root: Path | None, outdir: Path) -> UnitResult | None:
        """The recorded result when workbook, templates, version and options are the same and the outputs
        are still there with the recorded SHA-256; else None (rebuild)."""
        entry = self.units.get(task.rel)
        if not entry or entry.get("workbook_sha256") != task.workbook_sha256:
            return None
        try:
            templates = template_set(entry["unit"], entry.get("code", ""), root)
            fonts = fonts_digest(font_files(templates)) if task.options.pdf else ""
            if entry.get("key") != cache_key(task.workbook_sha256, templates_digest(templates.fingerprint()),
                                             fonts, task.options):
                return None
            outputs = dict(entry.get("outputs") or {})
            for name, sha in outputs.items():
                path = outdir / name
                if not path.is_file() or sha256_file(path) != sha:
                    return None
            return UnitResult(task.rel, entry["unit"], entry.get("year"), entry["status"],
                              int(entry.get("warnings", 0)), entry.get("reason", ""),
                              sorted(outputs.items(), key=lambda o: (not o[0].endswith(".docx"), o[0])),
                              templates=entry.get("templates", ""),
                              findings=[dict(f) for f in entry.get("findings", [])], skipped=True,
                              code=entry.get("code", ""))
        except (KeyError, TypeError, ValueError, AttributeError, OSError, BudgetError):
            return None   # an entry edited by hand or from another format, a broken fonts.toml: rebuild


# ------------------------------------------------------------------------------------------------- the run

class _Run:
    """One batch run's state in the main process: who owns which output name, what is finished."""

    def __init__(self, outdir: Path, options: Options, cache: Cache, report: BatchReport,
                 root: Path | None = None) -> None:
        self.outdir, self.options, self.cache, self.report, self.root = outdir, options, cache, report, root
        self.owner: dict[str, str] = {}             # output file name → input file that wrote it this run
        self.results: dict[str, UnitResult] = {}

    def place(self, task: UnitTask, built: UnitBuilt) -> UnitResult:
        """Write a finished unit's files (atomically) and record it; or record why it failed."""
        result = UnitResult(task.rel, built.unit, built.year or None, code=built.code, detail=built.detail,
                            templates=built.templates or self._label(built), findings=built.findings)
        self.results[task.rel] = result
        if built.error:
            result.reason = built.error
            self.cache.forget(task.rel)
            self._write_annotated(built, result)
            return result
        rival = next((self.owner[n] for n in built.files if self.owner.get(n, task.rel) != task.rel), None)
        if rival is not None:
            loser = self.results[rival]
            if loser.skipped or rival < task.rel:
                result.reason = self._duplicate(built, keeper=rival)
                return result
            # a later input path got there first: the earlier one takes the name, the later one fails
            loser.status, loser.outputs, loser.warnings = FAILED, [], 0
            loser.reason = self._duplicate(built, keeper=task.rel)
            self.cache.forget(rival)
        try:
            write_together(self.outdir, built.files)
        except BudgetError as exc:       # disk full, no permission, a folder with the report's name …
            result.reason = str(exc)
            self.cache.forget(task.rel)
            return result
        for name, data in built.files.items():
            self.owner[name] = task.rel
            result.outputs.append((name, hashlib.sha256(data).hexdigest()))
        self._write_annotated(built, result)
        result.warnings = len(built.warnings)
        result.status = WARNED if built.warnings else SUCCESS
        result.reason = built.warnings[0] if built.warnings else ""
        self.cache.record(task, built, result, self.options)   # after every unit (throttled): resumable
        return result

    def _write_annotated(self, built: UnitBuilt, result: UnitResult) -> None:
        """The annotated workbook copy goes out for failed units too: that is where the clerk fixes them."""
        if not built.annotated:
            return
        try:
            write_together(self.outdir, built.annotated)
        except BudgetError as exc:
            self.report.problems.append(str(exc))
            return
        result.outputs += [(name, hashlib.sha256(data).hexdigest()) for name, data in built.annotated.items()]

    def _label(self, built: UnitBuilt) -> str:
        """A unit that failed after its name was read (a check or template error): the folder it would use,
        so the clerk sees which template the failure concerns; "" when the name is unknown."""
        if not built.unit:
            return ""
        try:
            return template_set(built.unit, built.code, self.root).label
        except (OSError, BudgetError):
            return ""

    @staticmethod
    def _duplicate(built: UnitBuilt, keeper: str) -> str:
        names = "、".join(built.files)
        return (f"与 {keeper} 是同一单位同一年度（{built.unit} {built.year} 年），输出文件 {names} 已由它生成；"
                f"本文件未生成，以免覆盖（请删除重复的工作簿，或核对单位名称与年度）")


def run_batch(input_dir: str | Path, outdir: str | Path, *, jobs: int | None = None, force: bool = False,
              templates_root: str | Path | None = None, docx: bool = True, pdf: bool = True,
              executor: Executor | None = None, progress: ProgressCallback | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, annotate: bool = False) -> BatchReport:
    """Build every workbook under input_dir into outdir. Per-unit failures are recorded, never raised: a unit
    that cannot be read, written, finished within `timeout` seconds (None or 0: no limit) or that kills its
    worker fails alone, and manifest.csv is written in every case.

    Raises BudgetError only for the run itself (input folder missing, output folder unusable, nothing to
    produce). A Ctrl-C is caught: pending units are cancelled, finished ones are kept, the report says
    interrupted."""
    started = time.perf_counter()
    input_dir, outdir = Path(input_dir).resolve(), Path(outdir).resolve()
    if not input_dir.is_dir():
        raise BudgetError("输入文件夹不存在", file=input_dir)
    if not docx and not pdf:
        raise BudgetError("--no-docx 与 --no-pdf 不能同时使用，否则没有任何输出")
    ensure_folder(outdir)
    for stale in outdir.glob(".~*.tmp"):   # left by a run that was killed outright (not Ctrl-C)
        stale.unlink(missing_ok=True)
    root = Path(templates_root).resolve() if templates_root is not None else default_root()
    options = Options(docx=docx, pdf=pdf, annotate=annotate)
    report = BatchReport(input_dir, outdir)
    run = _Run(outdir, options, Cache(outdir / CACHE_NAME), report, root)
    sources = find_workbooks(input_dir, outdir)
    tasks = _tasks(sources, input_dir, root, options, run, force)
    total, done = len(sources), len(run.results)
    if progress:
        progress(Progress(done, total, None, ()))

    def finished(task: UnitTask, built: UnitBuilt, running: tuple[str, ...]) -> None:
        nonlocal done
        result = run.place(task, built)
        done += 1
        if progress:
            progress(Progress(done, total, result, running))

    try:
        run_units(tasks, jobs=jobs or default_jobs(), options=options, root=root, on_done=finished,
                  timeout=timeout, executor=executor)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        run.cache.flush()

    for path in sources:
        rel = path.relative_to(input_dir).as_posix()
        report.units.append(run.results.get(rel) or UnitResult(rel, reason=INTERRUPTED_REASON))
    if not report.interrupted:   # units not reached would make their folders look unused
        report.notes = unused_folders(root, [(u.unit, u.code) for u in report.units if u.unit])
    from .batch_summary import write_summary     # openpyxl: only now, not in the workers forked earlier
    try:    # one row per unit, by input file; several outputs joined with "; " in the order of their SHA-256
        write_manifest_rows(outdir / MANIFEST_NAME, ([u.input, u.unit, u.year or "", u.status, u.warnings, u.reason,
                                                     u.templates, "; ".join(n for n, _ in u.outputs),
                                                     "; ".join(s for _, s in u.outputs)]
                                                    for u in sorted(report.units, key=lambda u: u.input)))
    except BudgetError as exc:
        report.problems.append(f"{MANIFEST_NAME} 未能写出：{exc}")
    try:
        write_summary(outdir / SUMMARY_NAME, report.units, report.notes)
    except BudgetError as exc:
        report.problems.append(f"{SUMMARY_NAME} 未能写出：{exc}")
    report.elapsed = time.perf_counter() - started
    return report


def _tasks(sources: list[Path], input_dir: Path, root: Path | None, options: Options, run: _Run,
           force: bool) -> list[UnitTask]:
    """A task per workbook that must be built; unchanged ones are claimed as skipped, unreadable ones fail."""
    tasks: list[UnitTask] = []
    for path in sources:
        rel = path.relative_to(input_dir).as_posix()
        try:
            digest = sha256_file(path)
        except OSError as exc:
            run.results[rel] = UnitResult(rel, reason=f"无法打开工作簿（{exc.strerror or type(exc).__name__}），本单位未生成："
                                          "请确认有读取权限（可先把文件复制到自己的文件夹）；如果它正在被其他程序独占打开，请先关闭该程序")
            continue
        task = UnitTask(str(path), rel, digest, str(root) if root else None, options)
        hit = None if force else run.cache.unchanged(task, root, run.outdir)
        if hit is not None:        # unchanged: its outputs keep their names
            run.results[rel] = hit
            run.owner.update((name, rel) for name, _ in hit.outputs)
        else:
            tasks.append(task)
    return tasks
