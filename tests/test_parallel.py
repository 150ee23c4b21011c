"""Both cores: `sheets` and `ingest` over a process pool give the very bytes a single process
gives; a worker that dies on one file costs that file only; progress shows a total."""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import click._termui_impl
import pytest
from click.testing import CliRunner

from laddersheet import parallel
from laddersheet.cli import _progress, cli
from laddersheet.ingest import files as ingest_files_module
from laddersheet.ingest import ingest_files
from laddersheet.ingest import reader as ingest_module
from laddersheet.master import read_master
from laddersheet.parallel import Crashed, run_each

_REAL_READ = ingest_module._read_one_file  # the genuine one, also in a spawned worker
_CRASH_ON = "Marcus Okafor"  # a demo manager whose returned workbook the tests "crash" on


# --- workers the tests hand to the pool (module level: a spawned process imports them) ------


def _context(offset: int) -> int:
    return offset


def _square_or_die(offset: int, item: int) -> int:
    if item == 3:
        os._exit(7)  # as a native library aborting the process would
    if item == 5:
        raise ValueError("item 5 is bad")
    return item * item + offset


def _square_or_hang(offset: int, item: int) -> int:
    if item == 3:
        time.sleep(120)  # as a reader stuck in a loop would: far past the test's time limit
    return item * item + offset


def hanging_read(reader, path: Path):
    """Reads as ingest does, except that reading one file never ends."""
    if _CRASH_ON in Path(path).name:
        time.sleep(120)
    return _REAL_READ(reader, path)


def crashing_read(reader, path: Path):
    """Reads as ingest does, except that the process dies on one file."""
    if _CRASH_ON in Path(path).name:
        os._exit(11)
    return _REAL_READ(reader, path)


def raising_read(reader, path: Path):
    """Reads as ingest does, except that reading one file raises deep inside the reader."""
    if _CRASH_ON in Path(path).name:

        def boom(_path: Path, _book: object = None) -> None:
            raise KeyError("a bug met on this file")

        reader.read_file = boom
        try:
            return _REAL_READ(reader, path)
        finally:
            del reader.read_file
    return _REAL_READ(reader, path)


def first_file_last(reader, path: Path):
    """The first file in sorted order finishes last: scheduling must not change the result."""
    if "Dana Whitfield" in Path(path).name:
        time.sleep(1.0)
    return _REAL_READ(reader, path)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(folder), "-q"])
    assert result.exit_code == 0, result.output
    assert len(list((folder / "returned").glob("*.xlsx"))) == 12
    return folder


@pytest.fixture(scope="module")
def ladder(demo):
    return read_master(demo / "master_template.xlsx").ladder


@pytest.fixture(params=["fork", "spawn"])
def start(request, monkeypatch) -> str:
    """Workers forked (Linux, one thread) and spawned (elsewhere, or with threads running)."""
    if request.param == "fork" and "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(parallel, "start_method", lambda: request.param)
    return request.param


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _ingest_cli(demo: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(demo / "returned"),
            "--master",
            str(demo / "master_template.xlsx"),
            "--roster",
            str(demo / "roster.csv"),
            "--out",
            str(out / "report.xlsx"),
            "--json",
            str(out / "gaps.json"),
            "--csv",
            str(out / "csv"),
            "--fix-list",
            str(out / "fixes"),
            "--as-of",
            "2026-11-30",
            *extra,
        ],
    )
    return result.exit_code, result.output


# --- byte for byte ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [[], ["--self"]], ids=["managers", "self"])
def test_sheets_over_two_processes_writes_the_same_bytes(demo, tmp_path, kind, start):
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = CliRunner().invoke(
            cli,
            [
                "sheets",
                str(demo / "master_template.xlsx"),
                "--roster",
                str(demo / "roster.csv"),
                "--out",
                str(out),
                "--jobs",
                jobs,
                *kind,
            ],
        )
        assert result.exit_code == 0, result.output
        outputs[jobs] = _files(out)
    assert len(outputs["1"]) >= 12
    assert outputs["2"] == outputs["1"]


def test_ingest_over_two_processes_writes_the_same_bytes(demo, tmp_path):
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        runs[jobs] = _ingest_cli(demo, out, "--jobs", jobs)
        assert runs[jobs][0] == 1, runs[jobs][1]  # the demo has one typo: exit 1
    files = {jobs: _files(tmp_path / f"jobs{jobs}") for jobs in runs}
    assert {"report.xlsx", "gaps.json", "csv/gaps.csv", "csv/employees.csv"} <= set(files["1"])
    assert files["2"] == files["1"]
    # the same issues and account line, in the same order (the output folders named aside)
    assert runs["2"][1] == runs["1"][1].replace(str(tmp_path / "jobs1"), str(tmp_path / "jobs2"))


def test_merge_order_does_not_follow_finishing_order(demo, ladder, monkeypatch):
    """The first file finishes last in the pool; records and issues still come in file order."""
    alone = ingest_files([demo / "returned"], ladder, jobs=1)
    monkeypatch.setattr(ingest_module, "_read_one_file", first_file_last)
    done: list[Path] = []
    pooled = ingest_files([demo / "returned"], ladder, jobs=2, on_progress=done.append)
    assert "Dana Whitfield" in done[-1].name  # it did finish last
    assert "Dana Whitfield" in pooled.files[0]
    assert pooled.records == alone.records
    assert pooled.self_records == alone.self_records
    assert pooled.employees == alone.employees
    assert pooled.issues.issues == alone.issues.issues
    assert pooled.not_returned == alone.not_returned


# --- who was sent a sheet ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_missing(demo, tmp_path_factory) -> Path:
    """The demo's returned workbooks but one: that manager's people were not returned."""
    folder = tmp_path_factory.mktemp("one-missing")
    for path in sorted((demo / "returned").glob("*.xlsx"))[1:]:
        shutil.copy(path, folder)
    return folder


def test_who_was_not_returned_is_the_same_from_the_pool(demo, ladder, one_missing):
    """The demo recorded who was sent in its history; one process or two list the same."""
    from laddersheet.history import sent_for

    sent = sent_for(demo / "laddersheet.db", ladder.settings.cycle)
    alone = ingest_files([one_missing], ladder, roster=sent, jobs=1)
    pooled = ingest_files([one_missing], ladder, roster=sent, jobs=2)
    assert alone.not_returned
    assert {e.manager_name for e in alone.not_returned} == {"Dana Whitfield"}
    assert pooled.not_returned == alone.not_returned


# --- a worker that dies or fails on one file -------------------------------------------------


def test_a_worker_that_dies_on_one_file_costs_that_file_only(demo, ladder, monkeypatch, start):
    alone = ingest_files([demo / "returned"], ladder, jobs=1)
    monkeypatch.setattr(ingest_module, "_read_one_file", crashing_read)
    done: list[Path] = []
    result = ingest_files([demo / "returned"], ladder, jobs=2, on_progress=done.append)
    crashed = [i for i in result.issues if i.code == "reader-crashed"]
    assert len(crashed) == 1
    assert _CRASH_ON in crashed[0].file
    assert crashed[0].severity.value == "error"
    assert "nothing was read from it; the other files were" in crashed[0].message
    assert sorted(done) == sorted(Path(f) for f in result.files)  # every file accounted for
    assert len(result.files) == 12
    # every other file was read in full: exactly the single-process records but the lost file's
    kept = [r for r in alone.records if _CRASH_ON not in r.file]
    assert result.records == kept
    assert {r.file for r in result.records} == {f for f in result.files if _CRASH_ON not in f}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_reader_that_raises_on_one_file_reports_it_and_goes_on(demo, ladder, monkeypatch, jobs):
    alone = ingest_files([demo / "returned"], ladder, jobs=1)
    monkeypatch.setattr(ingest_module, "_read_one_file", raising_read)
    result = ingest_files([demo / "returned"], ladder, jobs=jobs)
    failed = [i for i in result.issues if i.code == "reader-failed"]
    assert [Path(i.file).name for i in failed] == [f"Scoring - {_CRASH_ON}.xlsx"]
    assert "KeyError" in failed[0].message and "a bug met on this file" in failed[0].message
    assert result.records == [r for r in alone.records if _CRASH_ON not in r.file]


def test_the_pool_isolates_the_item_that_kills_its_process(start):
    done: list[int] = []
    results = run_each(
        _square_or_die,
        [0, 1, 2, 3, 4, 6, 7, 8],
        setup=_context,
        setup_args=(100,),
        jobs=2,
        on_done=done.append,
    )
    assert results[:3] == [100, 101, 104]
    assert isinstance(results[3], Crashed) and results[3].item == 3
    assert results[4:] == [116, 136, 149, 164]
    assert sorted(done) == [0, 1, 2, 3, 4, 6, 7, 8]


_TIMED = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM here")


@_TIMED
def test_the_pool_stops_and_reports_the_item_that_hangs():
    started = time.perf_counter()
    results = run_each(
        _square_or_hang, [0, 1, 2, 3, 4, 6], setup=_context, setup_args=(100,), jobs=2, time_limit=1
    )
    assert results[:3] == [100, 101, 104]
    assert isinstance(results[3], Crashed) and results[3].item == 3
    assert "more than 1 s (tried twice)" in results[3].reason
    assert results[4:] == [116, 136]
    assert time.perf_counter() - started < 60  # the hanging item was stopped, not waited for


@_TIMED
def test_a_file_whose_reading_hangs_costs_that_file_only(demo, ladder, monkeypatch):
    alone = ingest_files([demo / "returned"], ladder, jobs=1)
    monkeypatch.setattr(ingest_module, "_read_one_file", hanging_read)
    monkeypatch.setattr(parallel, "ITEM_TIME_LIMIT", 3.0)
    result = ingest_files([demo / "returned"], ladder, jobs=2)
    [stuck] = [i for i in result.issues if i.code == "reader-crashed"]
    assert _CRASH_ON in stuck.file and "more than 3 s" in stuck.message
    assert result.records == [r for r in alone.records if _CRASH_ON not in r.file]


def test_an_exception_in_a_worker_is_raised_as_in_one_process():
    for jobs in (1, 2):
        with pytest.raises(ValueError, match="item 5 is bad"):
            run_each(_square_or_die, [0, 1, 2, 4, 5, 6], setup=_context, setup_args=(0,), jobs=jobs)


def test_few_items_or_one_job_stay_in_this_process():
    """The pid of the process that did each item proves where it ran."""
    pids = run_each(_pid, [1, 2, 3], setup=_context, setup_args=(0,), jobs=4)
    assert set(pids) == {os.getpid()}
    pids = run_each(_pid, list(range(8)), setup=_context, setup_args=(0,), jobs=1)
    assert set(pids) == {os.getpid()}
    few = min(parallel.MIN_ITEMS_FOR_DEFAULT_POOL.values()) - 1
    pids = run_each(_pid, list(range(few)), setup=_context, setup_args=(0,))  # default: few
    assert set(pids) == {os.getpid()}
    pids = run_each(_pid, list(range(8)), setup=_context, setup_args=(0,), jobs=2)
    assert os.getpid() not in pids


def test_a_few_files_are_read_in_this_process_by_default(demo, ladder, monkeypatch):
    """Starting workers costs more than reading small files; an explicit --jobs still counts."""
    asked: list[int | None] = []
    real = ingest_module.run_each

    def spy(*args, **kwargs):
        asked.append(kwargs["jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "run_each", spy)
    size = sum(p.stat().st_size for p in (demo / "returned").glob("*.xlsx"))
    monkeypatch.setattr(
        ingest_files_module, "POOL_MIN_BYTES", {"fork": size + 1, "spawn": size + 1}
    )
    ingest_files([demo / "returned"], ladder)
    ingest_files([demo / "returned"], ladder, jobs=2)
    monkeypatch.setattr(ingest_files_module, "POOL_MIN_BYTES", {"fork": size, "spawn": size})
    ingest_files([demo / "returned"], ladder)
    assert asked == [1, 2, None]


def test_workers_are_forked_on_linux_by_a_process_of_one_thread():
    """A thread holding a lock at fork time would leave it held forever in the worker."""
    if threading.active_count() == 1:
        expected = "fork" if sys.platform.startswith("linux") else "spawn"
        assert parallel.start_method() == expected
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert parallel.start_method() == "spawn"
    finally:
        release.set()
        other.join()


def _pid(_context: int, _item: int) -> int:
    return os.getpid()


def test_alongside_runs_the_side_in_another_process_and_returns_both():
    here = os.getpid()
    first, second = parallel.alongside(lambda: ("main", os.getpid()), lambda: ("side", os.getpid()))
    assert first == ("main", here)
    assert second[0] == "side"
    if parallel.start_method() == "fork" and parallel.default_jobs() > 1:
        assert second[1] != here
    assert parallel.alongside(lambda: 1, lambda: os.getpid(), jobs=1) == (1, here)


def test_alongside_redoes_a_side_that_failed_in_its_process_here():
    """A crash there is not the user's problem: the side runs again here; an error it raises
    here is raised as in one process."""
    here = os.getpid()

    def dies_elsewhere() -> str:
        if os.getpid() != here:
            os._exit(9)
        return "done here"

    assert parallel.alongside(lambda: 0, dies_elsewhere, jobs=2) == (0, "done here")

    def refuses() -> None:
        raise ValueError("cannot write gaps.json")

    with pytest.raises(ValueError, match=r"cannot write gaps\.json"):
        parallel.alongside(lambda: 0, refuses, jobs=2)


def test_alongside_waits_for_the_side_when_main_fails(tmp_path):
    marker = tmp_path / "side.txt"

    def side() -> None:
        time.sleep(0.3)
        marker.write_text("written")

    def main() -> None:
        raise RuntimeError("report failed")

    with pytest.raises(RuntimeError, match="report failed"):
        parallel.alongside(main, side, jobs=2)
    assert marker.read_text() == "written"  # the child had finished: nothing left running


def test_jobs_must_be_at_least_one(demo, tmp_path):
    code, output = _ingest_cli(demo, tmp_path, "--jobs", "0")
    assert code == 2
    assert "--jobs" in output


# --- progress --------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_count_total_and_time_left(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    clock = iter(range(1000, 2000, 2))  # every look at the clock: 2 s later
    monkeypatch.setattr(click._termui_impl.time, "time", lambda: float(next(clock)))
    with _progress("Reading returned workbooks", quiet=False, verbose=False) as tick:
        assert tick is not None
        tick.start(3)
        for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
            tick(Path("returned") / name)
    shown = terminal.getvalue()
    assert "Reading returned workbooks" in shown
    assert re.search(r"1/3\s+\d\d:\d\d:\d\d\s+a\.xlsx", shown), shown  # count, total, time left
    assert "3/3" in shown
    assert shown.endswith("\n")


def test_progress_without_a_total_still_counts(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with _progress("Writing pages", quiet=False, verbose=False) as tick:
        tick(Path("index.html"))
        tick(Path("sales.html"))
    assert "Writing pages: 2 done (sales.html)" in terminal.getvalue()


def test_progress_is_quiet_when_piped_or_asked(monkeypatch):
    monkeypatch.setattr("sys.stderr", _Terminal())
    with _progress("Reading", quiet=True, verbose=False) as tick:
        assert tick is None
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal
    with _progress("Reading", quiet=False, verbose=False) as tick:
        assert tick is None


def test_verbose_lists_each_file(monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    with _progress("Reading", quiet=False, verbose=True) as tick:
        tick(Path("returned/a.xlsx"))
    assert piped.getvalue() == f"  {Path('returned/a.xlsx')}\n"


def test_ingest_tells_the_progress_its_total(demo, ladder):
    class Recorder:
        def __init__(self) -> None:
            self.total: int | None = None
            self.done: list[Path] = []

        def start(self, total: int, label: str = "") -> None:
            self.total = total
            self.label = label

        def __call__(self, path: Path) -> None:
            self.done.append(path)

    recorder = Recorder()
    ingest_files([demo / "returned"], ladder, jobs=2, on_progress=recorder)
    assert recorder.total == 12 and recorder.label == "Reading returned workbooks"
    assert len(recorder.done) == 12
