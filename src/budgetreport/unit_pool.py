"""Running the batch's units on worker processes that may die, hang or be killed, without losing the batch.

    run_units(tasks, jobs=…, options=…, timeout=…, on_done=…)   on_done(task, UnitBuilt, running) once per unit

Each case and its test: docs/reliability.md 12. Each worker reports which unit it starts and when (pid,
time.monotonic()), so the deadline counts from the unit's start. An executor given by the caller (e.g. Dask's)
has no such queue: no deadline, and a broken one fails the units left."""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass, field
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import Callable

from .concurrency import Options, UnitBuilt, UnitTask, build_unit, local_executor, pool_start_method, run_in_worker

DEFAULT_TIMEOUT = 120.0       # seconds per unit; a report takes well under a second, a big one a few
POLL = 0.25                   # seconds between deadline checks while units run
MAX_IDLE_BREAKS = 3           # pools broken in a row while no unit had started: give up on the rest
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)   # Windows: os.kill with SIGTERM is TerminateProcess

OnDone = Callable[[UnitTask, UnitBuilt, tuple[str, ...]], None]   # + units still running


def timeout_reason(timeout: float) -> str:
    return (f"生成超过 {timeout:g} 秒仍未完成，已停止本单位，其他单位照常生成（可能是模板中的循环过大或工作簿内容"
            f"异常；如确实需要更长时间，请用 --timeout 加大时限）")


DIED_REASON = ("生成本单位时工作进程意外终止（单独重试后仍然如此），本单位未生成，其他单位照常生成；常见原因是内存不足"
               "或进程被系统结束：请检查工作簿和模板中是否有异常大的内容，或关闭其他程序后重新运行")
NO_POOL_REASON = "无法启动工作进程（已多次重试），本单位未生成；请检查内存是否充足后重新运行"
BROKEN_EXECUTOR_REASON = "执行任务的工作进程意外终止，本单位未生成；请检查内存是否充足后重新运行（已完成的单位会被跳过）"


@dataclass
class _Running:
    pid: int
    since: float


@dataclass
class _Runner:
    jobs: int
    options: Options
    root: Path | None
    timeout: float | None
    on_done: OnDone
    executor: Executor | None = None               # the caller's: never replaced, no deadlines
    pending: deque[UnitTask] = field(default_factory=deque)
    suspects: deque[UnitTask] = field(default_factory=deque)   # running when a worker died: retried alone
    inflight: dict[Future, UnitTask] = field(default_factory=dict)
    running: dict[str, _Running] = field(default_factory=dict)
    killed: set[str] = field(default_factory=set)  # units whose worker we killed for their time
    pool: Executor | None = None
    starts: SimpleQueue | None = None
    idle_breaks: int = 0
    alone: set[UnitTask] = field(default_factory=set)   # the suspect now running alone (at most one)

    # ------------------------------------------------------------------------------------------- pools
    def open_pool(self) -> None:
        if self.executor is not None:
            self.pool = self.executor
            return
        # a new queue per pool: a worker killed while writing to the old one may hold its lock
        self.starts = multiprocessing.get_context(pool_start_method()).SimpleQueue()
        self.pool = local_executor(self.jobs, self.options, self.root, self.starts)

    def close_pool(self) -> None:
        if self.pool is not None and self.executor is None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.starts is not None:
            self.starts.close()
        self.pool, self.starts = None, None

    # ------------------------------------------------------------------------------------------- loop
    def run(self) -> None:
        self.open_pool()
        try:
            while self.pending or self.suspects or self.inflight:
                if not self._submit() and not self.inflight:
                    self._replace_pool([])
                    continue
                finished, _ = wait(self.inflight, timeout=self._poll(), return_when=FIRST_COMPLETED)
                self._read_starts()
                self._finish(finished)
                self._enforce_deadlines()
        except KeyboardInterrupt:
            self._drain_after_interrupt()
            raise
        finally:
            self.close_pool()

    def _submit(self) -> bool:
        """Fill the pool (2 per worker keeps it busy; 1 at a time while a suspect is retried). False when the
        pool turned out broken."""
        assert self.pool is not None
        while True:
            if self.suspects:
                if self.inflight:
                    return True
                task = self.suspects.popleft()
                self.alone.add(task)
            elif self.pending and not self.alone and len(self.inflight) < 2 * self.jobs:
                task = self.pending.popleft()
            else:
                return True
            try:
                fn = run_in_worker if self.executor is None else build_unit
                self.inflight[self.pool.submit(fn, task)] = task
            except BrokenExecutor:
                (self.suspects if task in self.alone else self.pending).appendleft(task)
                self.alone.discard(task)
                return False

    def _poll(self) -> float | None:
        return POLL if self.timeout and self.starts is not None else None

    def _read_starts(self) -> None:
        if self.starts is None:
            return
        try:
            while not self.starts.empty():
                rel, pid, since = self.starts.get()
                self.running[rel] = _Running(pid, since)
        except (OSError, EOFError, ValueError):
            pass    # the queue of a pool being replaced

    def _finish(self, finished: set[Future]) -> None:
        broken: list[UnitTask] = []
        for fut in sorted(finished, key=lambda f: self.inflight[f].rel):
            task = self.inflight.pop(fut)
            if isinstance(fut.exception(), BrokenExecutor):
                broken.append(task)
                continue
            self.running.pop(task.rel, None)
            self.alone.discard(task)
            self.idle_breaks = 0
            self._done(task, _outcome(fut, task))
        if broken:
            self._replace_pool(broken)

    # ------------------------------------------------------------------------------------------- breaks
    def _replace_pool(self, broken: list[UnitTask]) -> None:
        """The pool is broken: every unit still in it comes back broken too. Sort out whose fault it was,
        then carry on in a new pool."""
        if self.inflight and self.executor is None:
            done, _ = wait(self.inflight)      # a broken process pool fails all its futures at once
            self._finish_unbroken(sorted(done, key=lambda f: self.inflight[f].rel), broken)
        self._read_starts()
        explained = any(t.rel in self.killed for t in broken)        # we killed a worker for its time
        started = {t.rel for t in broken if t.rel in self.running}
        self.idle_breaks = 0 if started else self.idle_breaks + 1
        again: list[UnitTask] = []
        for task in broken:
            if task.rel in self.killed:
                self._fail(task, timeout_reason(self.timeout or 0))
            elif task in self.alone and task.rel in started:
                self._fail(task, DIED_REASON)          # it broke a pool on its own: its doing
            elif task.rel in started and not explained or task in self.alone:
                self.suspects.append(task)
            else:
                again.append(task)                     # had not started, or lost to our kill: run again
        self.pending.extendleft(reversed(again))
        self.alone.clear()
        self.killed.clear()
        self.running.clear()
        self.close_pool()
        if self.executor is not None or self.idle_breaks >= MAX_IDLE_BREAKS:
            reason = NO_POOL_REASON if self.executor is None else BROKEN_EXECUTOR_REASON
            for task in [*self.suspects, *self.pending]:
                self._fail(task, reason)
            self.suspects.clear()
            self.pending.clear()
            return
        self.open_pool()

    def _finish_unbroken(self, futures: list[Future], broken: list[UnitTask]) -> None:
        for fut in futures:
            task = self.inflight.pop(fut)
            if isinstance(fut.exception(), BrokenExecutor):
                broken.append(task)
            else:
                self.running.pop(task.rel, None)
                self._done(task, _outcome(fut, task))

    def _fail(self, task: UnitTask, reason: str) -> None:
        self._done(task, UnitBuilt(task.rel, error=reason))

    def _done(self, task: UnitTask, built: UnitBuilt) -> None:
        self.on_done(task, built, tuple(t.rel for t in self.inflight.values()))

    # ------------------------------------------------------------------------------------------- deadlines
    def _enforce_deadlines(self) -> None:
        if not self.timeout or self.starts is None:
            return
        now = time.monotonic()
        for rel, run in self.running.items():
            if rel not in self.killed and now - run.since > self.timeout:
                self.killed.add(rel)
                try:
                    os.kill(run.pid, _KILL)
                except OSError:
                    pass     # it has just finished: its result is on its way

    def _drain_after_interrupt(self) -> None:
        """Ctrl-C: units not started are dropped; the ones running finish (workers ignore Ctrl-C, deadlines
        still hold) and are kept."""
        for fut in list(self.inflight):
            if fut.cancel():
                del self.inflight[fut]
        while self.inflight:
            finished, _ = wait(self.inflight, timeout=self._poll(), return_when=FIRST_COMPLETED)
            self._read_starts()
            for fut in finished:
                task = self.inflight.pop(fut)
                try:     # a progress display that raises KeyboardInterrupt again must not lose the result
                    if not isinstance(fut.exception(), BrokenExecutor):
                        self._done(task, _outcome(fut, task))
                    elif task.rel in self.killed:
                        self._fail(task, timeout_reason(self.timeout or 0))
                except KeyboardInterrupt:
                    pass
            self._enforce_deadlines()


def _outcome(fut: Future, task: UnitTask) -> UnitBuilt:
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - e.g. a result that did not unpickle: this unit fails
        return UnitBuilt(task.rel, error=f"工作进程未能交回结果：{type(exc).__name__}: {exc}")


def run_units(tasks: list[UnitTask], *, jobs: int, options: Options, root: Path | None, on_done: OnDone,
              timeout: float | None = DEFAULT_TIMEOUT, executor: Executor | None = None) -> None:
    """Build every task, calling on_done(task, built, running) in this process as each finishes (failures
    included; running: the units still in the pool, oldest first).
    KeyboardInterrupt: the units already running are finished and reported, then it propagates."""
    if not tasks:
        return
    runner = _Runner(min(jobs, len(tasks)), options, root, timeout, on_done, executor)
    runner.pending.extend(tasks)
    runner.run()
