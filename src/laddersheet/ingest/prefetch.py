"""Returned workbooks read by the safe reader in a forked process while the master is read.

The master workbook takes ingest ~0.15 s to read and check, on one core, before any returned
file can be interpreted (that needs the ladder). The safe read of a file (``sheetio``: the
checks and the cells, three quarters of its cost) needs no ladder, so a forked process does it
for the first files meanwhile, in file order, until it is told to stop; ``take`` returns what
it read and the rest is read as usual (by the pool). Interpreting a file's cells is the same
code whichever process read them, so the result is the same byte for byte. Each file's cells
travel pickled on their own (``Packed``) and are unpickled where they are interpreted: by the
pool's workers, on every core, rather than all here before the pool starts.

Only where workers are forked (``parallel.start_method``) and a pool would be used. A child
that fails (a file that takes its process down, or runs past the time limit of a pool's
worker) gives nothing: every file is then read by the pool, which isolates and reports the
file that failed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..issues import Issue
from ..parallel import ITEM_TIME_LIMIT, fork_child, start_method
from ..sheetio import UnreadableWorkbook, WorkbookData, read_workbook

Book = WorkbookData | Issue  # a file's cells, or the issue that refused it
# Seconds ``take`` waits for the file being read when it was told to stop (a file is read in
# well under a second); past that it is ended and every file it had is read by the pool.
TAKE_WAIT = 20.0


@dataclass(frozen=True, slots=True)
class Packed:
    """One file's safe read as the prefetch hands it over: pickled until it is used."""

    data: bytes

    def book(self) -> Book:
        return pickle.loads(self.data)


def open_workbook(path: Path) -> Book:
    """The safe read of one returned file: its cells, or the issue that refused it."""
    try:
        return read_workbook(path)
    except UnreadableWorkbook as error:
        return error.issue


class Prefetch:
    """The safe read of ``files`` started in a forked process (nothing where fork is not used).

    Use as a context manager: leaving it ends the process if ``take`` was never called (the
    master could not be read, say).
    """

    def __init__(self, files: Sequence[Path], read: Callable[[Path], Book] | None = None) -> None:
        """``read``: one file's safe read as the child sends it (default ``open_workbook``)."""
        self._pid = 0
        if not files or start_method() != "fork":
            return
        stop_read, stop_write = os.pipe()
        out_read, out_write = os.pipe()

        def read_until_stopped() -> dict[str, bytes]:  # in the child
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends it
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            return _read_until_stopped(files, read or open_workbook, stop_read)

        pid = fork_child(read_until_stopped, out_write, close=(stop_write, out_read))
        os.close(stop_read)
        os.close(out_write)
        if pid is None:  # no process to spare (limits): the pool reads every file
            os.close(stop_write)
            os.close(out_read)
            return
        self._pid, self._stop, self._out = pid, stop_write, out_read

    def take(self) -> dict[str, Packed]:
        """Stop the reading; the files read so far, by path (as ``str``)."""
        if not self._pid:
            return {}
        pid, self._pid = self._pid, 0
        with contextlib.suppress(BrokenPipeError):  # the child may be gone
            os.write(self._stop, b"\n")
        os.close(self._stop)
        payload = _read_all(self._out, time.monotonic() + TAKE_WAIT)
        os.close(self._out)
        if payload is None:  # still on one file long after it was told to stop: the pool reads
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if payload is None or os.waitstatus_to_exitcode(status) != 0 or not payload:
            return {}
        books = pickle.loads(payload)
        return (
            {path: Packed(data) for path, data in books.items()} if isinstance(books, dict) else {}
        )

    def close(self) -> None:
        """End the reading without its result (a run that stopped before ``take``)."""
        if not self._pid:
            return
        pid, self._pid = self._pid, 0
        os.kill(pid, signal.SIGKILL)
        os.close(self._stop)
        os.close(self._out)
        os.waitpid(pid, 0)

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes until it closes the pipe; None past ``deadline``."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _read_until_stopped(
    files: Sequence[Path], read: Callable[[Path], Book], stop: int
) -> dict[str, bytes]:
    books: dict[str, bytes] = {}
    for path in files:
        if select.select([stop], [], [], 0)[0]:  # the parent has the ladder: it takes over
            break
        if hasattr(signal, "setitimer"):  # a file that hangs ends this process, as in a worker
            signal.setitimer(signal.ITIMER_REAL, ITEM_TIME_LIMIT)
        book = read(path)
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
        books[str(path)] = pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL)
    return books
