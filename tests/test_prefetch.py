"""The safe read of the first returned files, done by a forked process while the master is read:
what it hands over reads exactly as if read here; a child that fails or hangs costs nothing."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from laddersheet import parallel
from laddersheet.cli import cli
from laddersheet.ingest import files as ingest_files_module
from laddersheet.ingest import ingest_files, prefetch, start_prefetch
from laddersheet.ingest.prefetch import Prefetch, open_workbook
from laddersheet.master import read_master

pytestmark = pytest.mark.skipif(
    parallel.start_method() != "fork", reason="the prefetch runs only where workers are forked"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("prefetch") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(folder), "-q"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def ladder(demo):
    return read_master(demo / "master_template.xlsx").ladder


@pytest.fixture(scope="module")
def returned(demo, tmp_path_factory) -> Path:
    """The demo's returned workbooks, one with a formula typed in a Score cell."""
    folder = tmp_path_factory.mktemp("returned")
    for path in sorted((demo / "returned").glob("*.xlsx")):
        shutil.copy(path, folder)
    first = sorted(folder.glob("*.xlsx"))[0]
    book = openpyxl.load_workbook(first)
    sheet = next(ws for ws in book.worksheets if ws.title not in ("Cover", "_meta"))
    score = next(c for row in sheet.iter_rows() for c in row if c.value == "Score")
    score.offset(row=1).value = "=1+2"
    book.save(first)
    return folder


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.xlsx"), key=lambda p: p.as_posix())


def _same(a, b) -> None:
    assert a.records == b.records
    assert a.self_records == b.self_records
    assert a.employees == b.employees
    assert a.issues.issues == b.issues.issues
    assert a.actions == b.actions


def test_what_is_read_there_reads_as_here(returned, ladder):
    alone = ingest_files([returned], ladder, jobs=1)
    with start_prefetch([returned], jobs=2) as early:
        time.sleep(1.0)  # time for the child to read every file
        taken: list[dict] = []
        take = early.take
        early.take = lambda: taken.append(take()) or taken[-1]  # type: ignore[method-assign]
        both = ingest_files([returned], ladder, jobs=2, prefetch=early)
    assert len(taken[0]) == len(_files(returned))  # every file was read there
    _same(both, alone)
    assert any(i.code == "formula-in-score" for i in alone.issues)  # the Score formula kept


def test_take_hands_over_the_first_files_in_order_and_stops_the_reading(returned):
    files = _files(returned)

    def slow(path: Path):
        time.sleep(0.15)
        return open_workbook(path)

    early = Prefetch(files, slow)
    time.sleep(0.4)
    started = time.perf_counter()
    books = early.take()
    assert time.perf_counter() - started < 1.0  # it stopped after the file it was reading
    assert 1 <= len(books) < len(files)
    assert list(books) == [str(p) for p in files[: len(books)]]
    first = books[str(files[0])].book()
    assert [s.rows for s in first.sheets] == [s.rows for s in open_workbook(files[0]).sheets]
    assert early.take() == {}  # taken once


def test_a_child_that_dies_hands_over_nothing_and_the_pool_reads_everything(returned, ladder):
    here = os.getpid()

    def dies_there(path: Path):
        if os.getpid() != here:
            os._exit(9)
        return open_workbook(path)

    alone = ingest_files([returned], ladder, jobs=1)
    early = Prefetch(_files(returned), dies_there)
    time.sleep(0.2)
    assert early.take() == {}
    _same(ingest_files([returned], ladder, jobs=2, prefetch=Prefetch(_files(returned))), alone)


def test_a_child_stuck_on_a_file_is_ended(returned, monkeypatch):
    monkeypatch.setattr(prefetch, "TAKE_WAIT", 0.5)

    def hangs(path: Path):
        time.sleep(60)
        return open_workbook(path)

    early = Prefetch(_files(returned), hangs)
    started = time.perf_counter()
    assert early.take() == {}
    assert time.perf_counter() - started < 5


def test_leaving_without_taking_ends_the_child(returned):
    with Prefetch(_files(returned)) as early:
        pid = early._pid
        assert pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: nothing left behind
    early.close()  # twice is fine


def test_nothing_is_read_ahead_in_one_process_or_for_little(returned, monkeypatch):
    assert start_prefetch([returned], jobs=1).take() == {}
    size = sum(p.stat().st_size for p in _files(returned))
    monkeypatch.setattr(
        ingest_files_module, "POOL_MIN_BYTES", {"fork": size + 1, "spawn": size + 1}
    )
    assert start_prefetch([returned]).take() == {}
    monkeypatch.setattr(parallel, "start_method", lambda: "spawn")
    monkeypatch.setattr(prefetch, "start_method", lambda: "spawn")
    assert Prefetch(_files(returned)).take() == {}


def test_no_process_to_spare_means_no_prefetch(returned, monkeypatch):
    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert Prefetch(_files(returned)).take() == {}
    assert parallel.alongside(lambda: 1, lambda: 2, jobs=2) == (1, 2)
