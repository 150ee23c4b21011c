"""The history store: cycles recorded, replaced and read back; a store that refuses to be harmed."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import sqlite3
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from laddersheet import history
from laddersheet.actions import ActionReview, AgreedAction, match_reviews
from laddersheet.cli import cli
from laddersheet.gaps import GapReport, compute_gaps
from laddersheet.history import (
    APPLICATION_ID,
    HistoryError,
    check_store,
    cycles,
    employee_history,
    open_actions,
    previous_cycle,
    record_report,
    schema_version,
    scores_for,
)
from laddersheet.ingest import IngestResult
from tests import gap_fixtures

ROOT = Path(__file__).resolve().parents[1]


def report_for(
    cycle: str,
    date: str,
    changes: dict[str, dict[str, str]] | None = None,
    drop: tuple[str, ...] = (),
    bump: int = 0,
) -> GapReport:
    """The gap fixtures' company as a cycle: people's roster fields changed, some dropped, every
    accepted score raised by ``bump`` (within the scale)."""
    ladder, result = gap_fixtures.build_result()
    changes = changes or {}
    employees = [
        dataclasses.replace(e, **changes.get(e.employee_id, {}))
        for e in result.employees
        if e.employee_id not in drop
    ]
    records = [
        dataclasses.replace(r, score=min(5, r.score + bump)) if r.score is not None else r
        for r in result.records
        if r.employee_id not in drop
    ]
    changed = IngestResult(employees, records, result.issues, result.files, result.not_returned)
    report = compute_gaps(ladder, changed, as_of=date)
    return dataclasses.replace(report, cycle=cycle)


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, to compare a store before and after."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def table_rows(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


# --- recording and reading ------------------------------------------------------------------


def test_a_cycle_is_recorded_with_every_score_its_source_and_each_persons_standing(
    tmp_path: Path,
):
    db = tmp_path / "laddersheet.db"
    report = report_for("2026 Review", "2026-06-30")
    cycle = record_report(db, report, master_digest="abc123")

    assert (cycle.name, cycle.date, cycle.master_digest) == ("2026 Review", "2026-06-30", "abc123")
    assert cycle.company == report.company and cycle.accepted == report.account.accepted
    assert cycles(db) == [cycle]
    stored = scores_for(db, "2026 Review")
    expected = {
        (e.employee_id, r.competency_id): r for e in report.employees for r in e.competencies
    }
    assert {(s.employee_id, s.competency_id) for s in stored} == set(expected)
    for s in stored:
        row = expected[(s.employee_id, s.competency_id)]
        assert (s.status, s.score, s.gap_now, s.gap_next) == (
            row.status,
            row.score,
            row.gap_now,
            row.gap_next,
        )
        assert (s.file, s.sheet, s.cell) == (row.file, row.sheet, row.cell)
    statuses = {s.status for s in stored}
    assert statuses == {"accepted", "rejected", "missing"}
    rejected = next(s for s in stored if s.status == "rejected")
    assert (rejected.employee_id, rejected.raw, rejected.score) == ("E402", "7", None)

    for e in report.employees:
        (then,) = employee_history(db, e.employee_id)
        assert then.state == "scored" and then.level == e.level
        assert (then.coverage, then.readiness_next, then.meets_level) == (
            e.coverage,
            e.readiness_next,
            e.meets_level,
        )
    # the roster's people whose sheet did not come back are there, without scores
    (pending,) = employee_history(db, "E501")
    assert (pending.state, pending.scores, pending.coverage) == ("not_returned", (), None)
    priorities = table_rows(
        db, "SELECT competency_id, gap_next, action FROM priorities WHERE employee_id = 'E404'"
    )
    assert [p[:2] for p in priorities] == [
        (p.competency_id, p.gap_next) for p in report.employees[-1].priorities
    ]


def test_cycles_accumulate_and_a_person_is_followed_across_level_manager_and_family(
    tmp_path: Path,
):
    db = tmp_path / "h.db"
    first = report_for("2026 H1", "2026-06-30")
    moved = {"E204": {"level": "L4", "manager_id": "M-TWO", "family_id": "family_2"}}
    second = report_for("2026 H2", "2026-12-15", changes=moved, drop=("E101",), bump=1)
    third = report_for("2027 H1", "2027-06-30", changes=moved, bump=1)
    # recorded out of date order: the history still reads oldest first
    for report in (second, first, third):
        record_report(db, report, master_digest="d")

    assert [c.name for c in cycles(db)] == ["2026 H1", "2026 H2", "2027 H1"]
    assert previous_cycle(db, "2026 H1") is None
    assert previous_cycle(db, "2026 H2").name == "2026 H1"
    assert previous_cycle(db, "2027 H1").name == "2026 H2"
    assert previous_cycle(db, "2028 H1").name == "2027 H1"  # not recorded yet: the latest

    flo = employee_history(db, "E204")
    assert [(h.cycle.name, h.level, h.manager_id, h.family_id) for h in flo] == [
        ("2026 H1", "L3", "M-SEN", "family_1"),
        ("2026 H2", "L4", "M-TWO", "family_2"),
        ("2027 H1", "L4", "M-TWO", "family_2"),
    ]
    # the scores of each cycle are that cycle's, computed independently here
    before = {s.competency_id: s.score for s in flo[0].scores}
    after = {s.competency_id: s.score for s in flo[1].scores}
    raw = dict(zip(gap_fixtures.IC_COMPS, gap_fixtures.CAST["E204"][6], strict=True))
    assert before == raw
    assert after == {c: min(5, v + 1) for c, v in raw.items()}
    # someone absent from one cycle has a gap in their history, not a wrong row
    assert [h.cycle.name for h in employee_history(db, "E101")] == ["2026 H1", "2027 H1"]
    assert employee_history(db, "nobody") == []


def test_recording_the_same_cycle_again_replaces_its_records_and_keeps_the_others(
    tmp_path: Path,
):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="old")
    first = record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="old")
    h1_before = scores_for(db, "2026 H1")
    again = report_for("2026 H2", "2026-12-15", drop=("E101", "E102"), bump=1)
    second = record_report(db, again, master_digest="new")

    assert second.cycle_id == first.cycle_id  # the same cycle, not a new one
    assert (second.date, second.master_digest) == ("2026-12-15", "new")
    assert [c.name for c in cycles(db)] == ["2026 H1", "2026 H2"]
    h2 = scores_for(db, "2026 H2")
    assert {s.employee_id for s in h2} == {e.employee_id for e in again.employees}
    assert len(h2) == sum(len(e.competencies) for e in again.employees)
    assert scores_for(db, "2026 H1") == h1_before
    # a third identical run changes nothing but the time it was recorded
    snapshot = dump(db)
    record_report(db, again, master_digest="new")
    later = dump(db)
    assert {t: r for t, r in later.items() if t != "cycles"} == {
        t: r for t, r in snapshot.items() if t != "cycles"
    }


def test_an_unknown_cycle_is_an_error_listing_the_recorded_ones(tmp_path: Path):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    with pytest.raises(HistoryError, match=r"h\.db.*no cycle named '2030'.*cycles: 2026 H1"):
        scores_for(db, "2030")
    with pytest.raises(HistoryError, match="no such history file"):
        cycles(tmp_path / "missing.db")


def test_agreed_actions_are_kept_with_their_ids_when_a_cycle_is_recorded_again(tmp_path: Path):
    db = tmp_path / "h.db"
    report = report_for("2026 H1", "2026-06-30")
    plan = [
        AgreedAction("E204", 1, "Pair on two incident reviews", "comp-5", due_date="2026-09-30"),
        AgreedAction("E204", 2, "Run the demo", "comp-2", cell="C30"),
    ]
    record_report(db, report, master_digest="d", actions=plan)
    ids = table_rows(db, "SELECT position, action_id FROM actions ORDER BY position")
    revised = [dataclasses.replace(plan[0], action="Pair on three incident reviews")]
    record_report(db, report, master_digest="d", actions=revised)

    (flo,) = employee_history(db, "E204")
    assert flo.actions == (dataclasses.replace(revised[0], action_id=ids[0][1], cycle="2026 H1"),)
    assert table_rows(db, "SELECT position, action_id FROM actions") == [ids[0]]


def test_a_later_cycle_reviews_earlier_actions_and_a_rerun_replaces_its_word(tmp_path: Path):
    db = tmp_path / "h.db"
    plan = [AgreedAction("E204", n, f"Action {n}", due_date="2026-09-30") for n in (1, 2, 3)]
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d", actions=plan)
    first, second, third = open_actions(db, "2026 H2")

    def review(action, status, note=""):
        return ActionReview("E204", str(action.action_id), action.action, status, note, "", "", "")

    h2 = report_for("2026 H2", "2026-12-01")
    said = [review(first, "done"), review(second, "in progress", "half way"), review(third, None)]
    matched, _ = match_reviews(said, (first, second, third))
    record_report(db, h2, master_digest="d", reviews=matched)
    assert [(a.action, a.status) for a in open_actions(db, "2027 H1")] == [
        ("Action 2", "in progress"),
        ("Action 3", None),
    ]
    (h1,) = employee_history(db, "E204")[:1]
    assert [(a.status, a.note, a.status_cycle) for a in h1.actions] == [
        ("done", "", "2026 H2"),
        ("in progress", "half way", "2026 H2"),
        (None, "", ""),
    ]
    # H2 recorded again with another word: its earlier reviews go, the new ones stay
    matched, _ = match_reviews([review(third, "dropped")], (first, second, third))
    record_report(db, h2, master_digest="d", reviews=matched)
    assert [a.action for a in open_actions(db, "2027 H1")] == ["Action 1", "Action 2"]
    # the cycle being reviewed never counts its own reviews as earlier ones
    assert len(open_actions(db, "2026 H2")) == 3
    with pytest.raises(HistoryError, match=r"'finished'.*done, in progress, not started"):
        record_report(
            db, h2, master_digest="d", reviews=[dataclasses.replace(matched[0], status="finished")]
        )


# --- interruptions ----------------------------------------------------------------------------


def test_a_run_that_fails_mid_write_leaves_the_previous_state(tmp_path, monkeypatch):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="d")
    before = dump(db)

    def fail(*args):
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(history.record, "_write_priorities", fail)  # after cycle, people and scores
    with pytest.raises(RuntimeError, match="disk pulled out"):
        record_report(db, report_for("2026 H2", "2026-12-20", bump=1), master_digest="x")
    with pytest.raises(RuntimeError):
        record_report(db, report_for("2027 H1", "2027-06-01"), master_digest="x")
    assert dump(db) == before
    # a failed first run leaves a file nothing was recorded in, and the next run works
    fresh = tmp_path / "fresh.db"
    with pytest.raises(RuntimeError):
        record_report(fresh, report_for("2026 H1", "2026-06-30"), master_digest="d")
    monkeypatch.undo()
    assert record_report(fresh, report_for("2026 H1", "2026-06-30"), master_digest="d")


KILLED_RUN = """
import os, sys
from laddersheet import history
from tests.test_history import report_for

def die(conn, *args):
    conn.execute("SELECT 1")  # the scores are written, not committed: the process dies
    os._exit(9)

history.record._write_priorities = die
history.record_report(sys.argv[1], report_for("2026 H2", "2026-12-20", bump=1), master_digest="x")
"""


def test_a_run_killed_mid_write_leaves_the_previous_state(tmp_path: Path):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="d")
    before = dump(db)
    done = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(db)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 9, done.stderr
    assert Path(f"{db}-journal").exists()  # the killed run's rollback journal is left behind
    assert [c.master_digest for c in cycles(db)] == ["d"]  # read: rolled back
    assert dump(db) == before


# --- files that are not ours, damaged or newer ------------------------------------------------


def other_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("employee_id,name\n1,Ana\n") and p, "not an SQLite database"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(2000)) and p, "not an SQLite database"),
        (other_sqlite, "another application \\(tables: invoices\\)"),
    ],
    ids=["text", "workbook", "other-sqlite"],
)
def test_a_file_that_is_not_ours_is_refused_and_left_unchanged(tmp_path: Path, make, message):
    path = make(tmp_path / "laddersheet.db")
    before = path.read_bytes()
    report = report_for("2026 H1", "2026-06-30")
    with pytest.raises(HistoryError, match=f"laddersheet.db: .*{message}"):
        record_report(path, report, master_digest="d")
    with pytest.raises(HistoryError, match=message):
        check_store(path)
    with pytest.raises(HistoryError, match=message):
        cycles(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laddersheet.db"]


def test_a_newer_schema_is_refused_and_left_unchanged(tmp_path: Path):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    before = db.read_bytes()
    newer = schema_version() + 1
    with pytest.raises(HistoryError, match=rf"h\.db: .*schema version {newer}, written by a newer"):
        record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="d")
    with pytest.raises(HistoryError, match="newer"):
        check_store(db)
    assert db.read_bytes() == before


def test_a_damaged_file_is_refused_and_left_unchanged(tmp_path: Path):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    data = bytearray(db.read_bytes())
    page = table_rows(db, "PRAGMA page_size")[0][0]
    assert len(data) > 4 * page
    data[2 * page : 4 * page] = b"\xa5" * (2 * page)  # two pages of the tables overwritten
    db.write_bytes(bytes(data))
    with pytest.raises(HistoryError, match=r"h\.db: .*damaged"):
        record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="d")
    with pytest.raises(HistoryError, match="damaged"):
        scores_for(db, "2026 H1")
    assert db.read_bytes() == bytes(data)


def test_the_store_says_it_is_ours(tmp_path: Path):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    assert table_rows(db, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert table_rows(db, "PRAGMA user_version") == [(schema_version(),)]
    meta = dict(table_rows(db, "SELECT key, value FROM meta"))
    assert meta["application"] == "laddersheet history"
    assert meta["schema_version"] == str(schema_version())


def test_an_older_schema_is_migrated_after_a_backup_copy(tmp_path, monkeypatch):
    db = tmp_path / "h.db"
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    current = schema_version()
    before = db.read_bytes()

    def add_region(conn):
        conn.execute("ALTER TABLE employee_cycles ADD COLUMN region TEXT")

    monkeypatch.setattr(history.store, "MIGRATIONS", [*history.store.MIGRATIONS, add_region])
    record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="d")

    backup = tmp_path / f"h.db.bak-{current}"
    assert backup.read_bytes() == before
    assert table_rows(db, "PRAGMA user_version") == [(current + 1,)]
    assert "region" in [r[1] for r in table_rows(db, "PRAGMA table_info(employee_cycles)")]
    assert [c.name for c in cycles(db)] == ["2026 H1", "2026 H2"]  # the old cycle kept
    # a second store at the older version migrated by a read; an existing backup is kept
    other = tmp_path / "other.db"
    other.write_bytes(before)
    (tmp_path / f"other.db.bak-{current}").write_bytes(b"an older backup")
    assert [c.name for c in cycles(other)] == ["2026 H1"]
    assert (tmp_path / f"other.db.bak-{current}").read_bytes() == b"an older backup"
    assert (tmp_path / f"other.db.bak-{current}-2").read_bytes() == before


def test_a_version_1_store_keeps_its_actions_and_statuses_in_version_2(tmp_path, monkeypatch):
    """Version 2 moved an action's status to a review of its own (one per reviewing cycle)."""
    db = tmp_path / "h.db"
    with monkeypatch.context() as patch:
        patch.setattr(history.store, "MIGRATIONS", history.store.MIGRATIONS[:1])
        patch.setattr(history.record, "_write_reviews", lambda *args: None)  # no such table in 1
        record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
        record_report(db, report_for("2026 H2", "2026-12-01"), master_digest="d")
    with sqlite3.connect(db) as conn:  # what a version 1 laddersheet would have written
        conn.execute(
            """INSERT INTO actions (cycle_id, employee_id, position, competency_id, action,
               due_date, status, note, status_cycle_id, cell)
               VALUES (1, 'E204', 1, 'comp-5', 'Pair on reviews', '2026-09-30', 'done',
               'went well', 2, 'C31')"""
        )
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    (flo, _) = employee_history(db, "E204")  # a read migrates, after a backup
    assert (tmp_path / "h.db.bak-1").exists()
    (action,) = flo.actions
    assert (action.action, action.due_date, action.cell) == ("Pair on reviews", "2026-09-30", "C31")
    assert (action.status, action.note, action.status_cycle) == ("done", "went well", "2026 H2")
    columns = [r[1] for r in table_rows(db, "PRAGMA table_info(actions)")]
    assert "status" not in columns and "status_cycle_id" not in columns
    assert table_rows(db, "PRAGMA user_version") == [(schema_version(),)]


# --- two runs at once -------------------------------------------------------------------------


def _record_many(db: str, worker: int) -> int:
    for n in range(4):
        cycle = ("2026 H1", "2026 H2")[(worker + n) % 2]
        date = "2026-06-30" if cycle == "2026 H1" else "2026-12-01"
        history.record_report(db, report_for(cycle, date, bump=worker % 2), master_digest=str(n))
    return worker


def test_runs_at_once_on_one_new_file_take_turns(tmp_path: Path):
    db = tmp_path / "h.db"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        done = list(pool.map(_record_many, [str(db)] * 4, range(4)))
    assert done == [0, 1, 2, 3]  # no run failed (none met a half-made schema or a lock)
    assert table_rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert [c.name for c in cycles(db)] == ["2026 H1", "2026 H2"]
    report = report_for("2026 H1", "2026-06-30")
    per_cycle = sum(len(e.competencies) for e in report.employees)
    for name in ("2026 H1", "2026 H2"):
        stored = scores_for(db, name)
        assert len(stored) == per_cycle  # one complete run's rows, never two runs mixed
        assert len({s.file for s in stored}) > 1
        bumped = {s.score for s in stored if s.employee_id == "E301" and s.score is not None}
        assert bumped in ({1, 2}, {2, 3})  # all from a run with bump 0, or all from bump 1


# --- the command line -------------------------------------------------------------------------


def test_ingest_refuses_a_foreign_history_file_before_reading_anything(tmp_path: Path):
    foreign = other_sqlite(tmp_path / "accounts.db")
    before = foreign.read_bytes()
    master = tmp_path / "master.xlsx"
    master.write_bytes(b"not read: the history file is checked first")
    returned = tmp_path / "returned"
    returned.mkdir()
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(returned),
            "--master",
            str(master),
            "--out",
            str(tmp_path / "report.xlsx"),
            "--history",
            str(foreign),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "accounts.db" in result.output and "not a laddersheet history file" in result.output
    assert not (tmp_path / "report.xlsx").exists()
    assert foreign.read_bytes() == before


def test_ingest_records_the_cycle_of_the_masters_settings(tmp_path: Path):
    from laddersheet.demo_company import roster_rows
    from laddersheet.main import generate, make_sheets
    from laddersheet.roster import ROSTER_COLUMNS

    master = generate(None, tmp_path / "master.xlsx")
    roster = tmp_path / "roster.csv"
    rows = roster_rows()[:8]
    lines = [",".join(ROSTER_COLUMNS)] + [",".join(r[k] for k in ROSTER_COLUMNS) for r in rows]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    make_sheets(master, tmp_path / "scoring", roster)
    db = tmp_path / "history" / "laddersheet.db"
    args = ["ingest", str(tmp_path / "scoring"), "--master", str(master)]
    args += ["--out", str(tmp_path / "report.xlsx"), "--as-of", "2026-11-30"]
    result = CliRunner().invoke(cli, [*args, "--history", str(db)])
    assert result.exit_code in (0, 1), result.output
    assert str(db) in result.output  # listed among what was written
    (cycle,) = cycles(db)
    from laddersheet.master import read_master

    ladder = read_master(master).ladder
    assert (cycle.name, cycle.date) == (ladder.settings.cycle, "2026-11-30")
    assert cycle.master_digest == ladder.content_digest()
    stored = scores_for(db, cycle)
    assert stored and {s.status for s in stored} == {"missing"}  # nothing was filled in
    assert all(s.file.endswith(".xlsx") and s.cell for s in stored)
    # without --history nothing is recorded anywhere
    again = CliRunner().invoke(cli, args)
    assert again.exit_code in (0, 1) and sorted(tmp_path.glob("**/*.db")) == [db]


# --- `laddersheet history` ------------------------------------------------------------------


def _three_cycles(db: Path) -> None:
    moved = {"E204": {"level": "L4", "manager_id": "M-TWO"}}
    record_report(db, report_for("2026 H1", "2026-06-30"), master_digest="d")
    record_report(db, report_for("2026 H2", "2026-12-15", changes=moved, bump=1), master_digest="d")
    record_report(db, report_for("2027 H1", "2027-06-30", changes=moved, bump=2), master_digest="d")


def test_history_lists_the_cycles_oldest_first(tmp_path: Path):
    db = tmp_path / "h.db"
    _three_cycles(db)
    result = CliRunner().invoke(cli, ["history", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["cycle", "date"]
    assert [line.split("  ")[0] for line in lines[1:4]] == ["2026 H1", "2026 H2", "2027 H1"]
    assert lines[-1] == f"3 cycles in {db}"

    as_csv = CliRunner().invoke(cli, ["history", str(db), "--csv"])
    header, *rows = as_csv.output.splitlines()
    assert header.startswith("cycle,date,company,employees") and len(rows) == 3


def test_a_persons_trajectory_shows_promotion_and_change_computed_here(tmp_path: Path):
    db = tmp_path / "h.db"
    _three_cycles(db)
    raw = dict(zip(gap_fixtures.IC_COMPS, gap_fixtures.CAST["E204"][6], strict=True))
    # the change since the cycle before: each score raised by 1 then by 1 more, within the scale
    expected_changes = [
        sum(min(5, v + 1) - v for v in raw.values()),
        sum(min(5, v + 2) - min(5, v + 1) for v in raw.values()),
    ]

    result = CliRunner().invoke(cli, ["history", str(db), "--employee", "E204", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(c["cycle"], c["level"], c["level_changed"]) for c in data["cycles"]] == [
        ("2026 H1", "L3", False),
        ("2026 H2", "L4", True),
        ("2027 H1", "L4", False),
    ]
    assert [c["score_change"] for c in data["cycles"]] == [None, *expected_changes]
    first = {s["competency_id"]: s["score"] for s in data["scores"] if s["cycle"] == "2026 H1"}
    assert first == raw

    table = CliRunner().invoke(cli, ["history", str(db), "--employee", "E204"])
    assert "L4 (from L3)" in table.output and f"{expected_changes[0]:+d}" in table.output
    as_csv = CliRunner().invoke(cli, ["history", str(db), "--employee", "E204", "--csv"])
    assert len(as_csv.output.splitlines()) == 1 + 3 * len(raw)


def test_an_unknown_person_names_the_file_and_some_recorded_ids(tmp_path: Path):
    db = tmp_path / "h.db"
    _three_cycles(db)
    result = CliRunner().invoke(cli, ["history", str(db), "--employee", "E999"])
    assert result.exit_code == 2
    assert "h.db" in result.output and "E999" in result.output and "E101" in result.output
