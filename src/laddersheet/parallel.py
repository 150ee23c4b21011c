"""Work over many files on every core, with results that do not depend on the scheduling.

``run_each`` calls ``work(context, item)`` for every item and returns the results in the items'
order, whichever process finished first: callers merge them exactly as a single-process loop
would, so the output is the same byte for byte. ``context`` is built once per process by
``setup(*setup_args)`` (the ladder, the roster: pickled once per worker, never per file).

With one job, or few items, everything runs in this process (no pool). Otherwise a pool of
processes works through the items, a few at a time in flight so memory stays bounded: workers
read or write files themselves, and only their small results travel back. On Linux, from a
process running one thread (no lock another thread could hold), workers are ``fork``ed: they
start in milliseconds with everything already imported. Elsewhere, or with other threads
running, they are ``spawn``ed: a fresh interpreter each (~0.3 s) that imports what it needs.

A worker that dies on an item (a native library aborting the process, the OOM killer) breaks
the pool; the items that were in flight are then tried again one by one, each alone in a
fresh process, so the one that takes its process down is found and returned as ``Crashed``,
and every other item is still done. An exception raised by ``work`` is not a crash: it is
raised here, as it would be in a single-process loop.

A worker that hangs on an item (a loop in a native library, a reader meeting a file it never
finishes) ends its own process once the item has run for ``time_limit`` seconds, where the
platform has ``SIGALRM``: the hang then becomes a crash like the others, found and reported
the same way, instead of a run that never ends. Work done in this process (one job, few items)
has no limit: nothing could end it short of ending the run.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import LaddersheetError

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")

# Fewer items than this run in this process: starting workers costs more than a few files take
# to read or write. With the default number of jobs the bar depends on how workers start,
# measured on 2 cores: forked ones (milliseconds) pay from about 8 files, spawned ones (a fresh
# interpreter each, ~0.3 s, plus the context) from about 15-20 scoring workbooks (~30 ms
# each). An explicit ``jobs`` uses the pool from 4.
MIN_ITEMS_FOR_POOL = 4
MIN_ITEMS_FOR_DEFAULT_POOL = {"fork": 8, "spawn": 16}
# Items handed to the pool ahead of the workers, per worker: enough to keep every core busy,
# few enough that results waiting to be collected stay small.
IN_FLIGHT_PER_WORKER = 2
# Seconds (wall clock) one item may run in a worker before the worker ends itself
# (``time_limit``): scoring workbooks are written, and returned ones read, in well under a
# second each, so only a hang, not a large file or a busy machine, comes near it.
ITEM_TIME_LIMIT = 600.0


@dataclass(frozen=True, slots=True)
class Crashed(Generic[T]):
    """The item whose worker process died while working on it (tried alone, it died again)."""

    item: T
    reason: str


def default_jobs() -> int:
    """The cores this process may use (``--jobs`` default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """How workers start here: ``fork`` where it is safe and cheap, else ``spawn``."""
    if (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    ):
        return "fork"
    return "spawn"


def start_progress(on_progress: object, total: int, label: str = "") -> None:
    """Tell a progress callback how many items are coming and what they are, if it asks (a
    ``start(total, label)`` method, as the CLI's progress bar has); plain callables are just
    called per item."""
    start = getattr(on_progress, "start", None)
    if callable(start):
        start(total, label)


def run_each(
    work: Callable[[C, T], R],
    items: Sequence[T],
    *,
    setup: Callable[..., C],
    setup_args: tuple[Any, ...] = (),
    jobs: int | None = None,
    on_done: Callable[[T], None] | None = None,
    min_items: int | None = None,
    time_limit: float | None = None,
) -> list[R | Crashed[T]]:
    """``work(context, item)`` for every item, the results in the items' order.

    ``work`` and ``setup`` must be module-level functions (or classes) and items, setup
    arguments and results picklable. ``jobs``: processes to use (default: every core); 1, or
    fewer than ``min_items`` items (default: 4 with ``jobs`` given, 8 or 16 without), runs
    everything in this process. ``on_done(item)`` is
    called here as each item is finished (in finishing order: for progress, never for results).
    ``time_limit``: seconds an item may run in a worker (default ``ITEM_TIME_LIMIT``); an item
    that runs longer, twice, is returned as ``Crashed``.
    """
    items = list(items)
    if min_items is None:
        min_items = (
            MIN_ITEMS_FOR_DEFAULT_POOL[start_method()] if jobs is None else MIN_ITEMS_FOR_POOL
        )
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    workers = min(jobs, len(items))
    if workers <= 1 or len(items) < min_items:
        context = setup(*setup_args)
        results: list[R | Crashed[T]] = []
        for item in items:
            results.append(work(context, item))
            if on_done is not None:
                on_done(item)
        return results
    limit = ITEM_TIME_LIMIT if time_limit is None else time_limit
    return _Pool(work, items, setup, setup_args, on_done, limit).run(workers)


M = TypeVar("M")


def alongside(
    main: Callable[[], M], side: Callable[[], R], *, jobs: int | None = None
) -> tuple[M, R]:
    """``main()`` here while ``side()`` runs in a forked process; both results, in that order.

    For two outputs made from the same data at the end of a run (the report workbook here, its
    JSON and CSV there): the child inherits everything, so nothing is pickled on the way there;
    ``side``'s result comes back pickled. With one job, one core, or where workers cannot be
    forked (``start_method``), ``side`` runs here after ``main``. If the child fails in any way
    (an exception, a crash), ``side`` runs again here, so its errors are raised as they would
    be in one process.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 2 or start_method() != "fork":
        return main(), side()
    read_end, write_end = os.pipe()
    pid = fork_child(side, write_end, close=(read_end,))
    os.close(write_end)
    if pid is None:  # no process to spare (limits): one after the other, here
        os.close(read_end)
        return main(), side()
    with os.fdopen(read_end, "rb") as pipe:
        try:
            first = main()
        finally:  # the child is waited for whatever main() did: no process left behind
            payload = pipe.read()
            _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0 and payload:
        return first, pickle.loads(payload)
    return first, side()


def fork_child(compute: Callable[[], object], out: int, *, close: Sequence[int] = ()) -> int | None:
    """A forked child that closes ``close``, writes ``pickle(compute())`` to the pipe end
    ``out`` and exits, 0 or 1 if anything failed, without this process's cleanup (``atexit``,
    buffered output); its pid, or None when no process can be forked (limits)."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        code = 1
        try:
            for fd in close:
                os.close(fd)
            payload = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(out, "wb") as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)
    return pid


class _Pool(Generic[C, T, R]):
    def __init__(
        self,
        work: Callable[[C, T], R],
        items: list[T],
        setup: Callable[..., C],
        setup_args: tuple[Any, ...],
        on_done: Callable[[T], None] | None,
        time_limit: float,
    ) -> None:
        self.work = work
        self.items = items
        self.setup = setup
        self.setup_args = setup_args
        self.on_done = on_done
        self.time_limit = time_limit
        self.results: dict[int, R | Crashed[T]] = {}

    def run(self, workers: int) -> list[R | Crashed[T]]:
        queue = deque(range(len(self.items)))
        while queue:
            suspects = deque(sorted(self.one_pass(queue, workers, workers * IN_FLIGHT_PER_WORKER)))
            while suspects:  # each alone: the one that takes its process down again is found
                for index in self.one_pass(suspects, 1, 1, probe=True):
                    self.finish(
                        index,
                        Crashed(
                            self.items[index],
                            "the process working on it stopped abruptly, or it ran for more "
                            f"than {self.time_limit:g} s (tried twice)",
                        ),
                    )
        return [self.results[i] for i in range(len(self.items))]

    def finish(self, index: int, result: R | Crashed[T]) -> None:
        self.results[index] = result
        if self.on_done is not None:
            self.on_done(self.items[index])

    def one_pass(
        self, queue: deque[int], workers: int, in_flight: int, *, probe: bool = False
    ) -> list[int]:
        """Work through ``queue`` until it is empty or the pool breaks; the indexes that were
        in flight when it broke (not done) are returned, the rest stay in ``queue``.

        ``probe``: first make sure a worker runs at all (else no item is to blame)."""
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(start_method()),
            initializer=_start_worker,
            initargs=(self.setup, self.setup_args),
        )
        running: dict[Future[R], int] = {}
        broken: list[int] = []
        try:
            if probe:
                try:
                    pool.submit(_probe).result()
                except BrokenProcessPool as error:
                    raise WorkersUnavailable(
                        "could not start a worker process (it stopped before doing anything: "
                        f"{error}). Run again with --jobs 1 to work in this process only."
                    ) from error
            while queue or running:
                while queue and len(running) < in_flight:
                    index = queue.popleft()
                    future = pool.submit(_call, self.work, self.items[index], self.time_limit)
                    running[future] = index
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken.append(index)
                        continue
                    self.finish(index, result)
                if broken:  # every future still running fails the same way, or is done
                    for future in wait(running).done:
                        index = running.pop(future)
                        try:
                            self.finish(index, future.result())
                        except BrokenProcessPool:
                            broken.append(index)
                    break
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return broken


class WorkersUnavailable(LaddersheetError):
    """Worker processes cannot run at all here (so no item can be blamed for it)."""


_CONTEXT: Any = None  # the worker's context, built once by _start_worker


def _start_worker(setup: Callable[..., Any], setup_args: tuple[Any, ...]) -> None:
    global _CONTEXT
    # Ctrl-C reaches every process of the terminal: the parent stops the run, workers just end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "setitimer"):  # the time limit (_call) ends the process
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _CONTEXT = setup(*setup_args)


def _probe() -> bool:
    return True


def _call(work: Callable[[Any, T], R], item: T, time_limit: float) -> R:
    """One item in a worker; past ``time_limit`` seconds SIGALRM, whose default action ends
    the process, stops it even inside native code that never returns to Python."""
    timed = hasattr(signal, "setitimer")  # not on Windows: no limit there
    if timed:
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        return work(_CONTEXT, item)
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
