"""Recording a cycle: the report, its agreed actions and its reviews, in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..actions import ActionReview, AgreedAction
from ..errors import HistoryError
from ..layout import ACTION_STATUSES

if TYPE_CHECKING:
    from ..gaps import EmployeeGaps, GapReport
    from ..roster import Employee

from .read import cycles_where
from .store import STATE_NOT_RETURNED, STATE_SCORED, STATE_SELF_ONLY, Cycle, now, writing

# --- recording -----------------------------------------------------------------------------------


def record_report(
    db: Path | str,
    report: GapReport,
    *,
    master_digest: str,
    actions: Sequence[AgreedAction] = (),
    reviews: Sequence[ActionReview] = (),
) -> Cycle:
    """Record one ingest's cycle (``report.cycle``), replacing that cycle's earlier records.

    Everything is written in one transaction: a run that fails half-way leaves the file as it
    was. ``actions``: the development actions agreed this cycle (the plan blocks); an action's
    id stays the same when its cycle is recorded again (matched by person and position).
    ``reviews``: this cycle's status of earlier actions, matched to them (``action_id`` set,
    see ``actions.match_reviews``); recording the cycle again replaces all its reviews.
    """
    path = Path(db)
    for review in reviews:
        if review.status is not None and review.status not in ACTION_STATUSES:
            raise HistoryError(
                f"{path}: action status {review.status!r} of {review.employee_id} is not one of "
                f"{', '.join(ACTION_STATUSES)}."
            )
        if review.action_id is None:
            raise ValueError(f"review of {review.employee_id} not matched to an action")
    with writing(path) as conn:
        cycle_id = _write_cycle(conn, report, master_digest)
        _write_employees(conn, cycle_id, report)
        _write_scores(conn, cycle_id, report)
        _write_priorities(conn, cycle_id, report)
        _write_actions(conn, cycle_id, actions)
        _write_reviews(conn, cycle_id, reviews)
        return cycles_where(conn, "WHERE cycle_id = ?", (cycle_id,))[0]


def _write_cycle(conn: sqlite3.Connection, report: GapReport, master_digest: str) -> int:
    a = report.account
    severities = [i.severity for i in report.issues]
    values = {
        "name": report.cycle,
        "date": report.created,
        "company": report.company,
        "master_digest": master_digest,
        "recorded_at": now(),
        "laddersheet_version": __version__,
        "files": a.files,
        "employees": a.employees,
        "accepted": a.accepted,
        "rejected": a.rejected,
        "missing": a.missing,
        "not_returned": a.not_returned,
        "errors": severities.count("error"),
        "warnings": severities.count("warning"),
    }
    row = conn.execute("SELECT cycle_id FROM cycles WHERE name = ?", (report.cycle,)).fetchone()
    if row is None:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = conn.execute(
            f"INSERT INTO cycles ({columns}) VALUES ({marks})", [*values.values()]
        )
        return int(cursor.lastrowid or 0)
    cycle_id = int(row[0])  # the same cycle again: same id, its records replaced
    assignments = ", ".join(f"{k} = ?" for k in values)
    conn.execute(
        f"UPDATE cycles SET {assignments} WHERE cycle_id = ?", [*values.values(), cycle_id]
    )
    for table in ("scores", "priorities", "employee_cycles"):
        conn.execute(f"DELETE FROM {table} WHERE cycle_id = ?", (cycle_id,))
    return cycle_id


def _employee_values(cycle_id: int, e: EmployeeGaps, state: str) -> tuple[object, ...]:
    return (
        cycle_id,
        e.employee_id,
        state,
        e.name,
        e.manager_id,
        e.manager_name,
        e.family_id,
        e.family,
        e.track,
        e.level,
        e.title,
        e.target_level,
        e.target_track,
        e.target_title,
        e.scored,
        e.missing,
        e.rejected,
        e.coverage,
        None if e.meets_level is None else int(e.meets_level),
        e.readiness_next,
        e.readiness_next_weighted,
        int(e.self_assessed),
        e.self_coverage,
    )


_EMPLOYEE_COLUMNS = (
    "cycle_id, employee_id, state, name, manager_id, manager_name, family_id, family, track, "
    "level, title, target_level, target_track, target_title, scored, missing, rejected, "
    "coverage, meets_level, readiness_next, readiness_next_weighted, self_assessed, self_coverage"
)
# Columns named in every INSERT: a later migration may add columns.
_EMPLOYEE_INSERT = (
    f"INSERT INTO employee_cycles ({_EMPLOYEE_COLUMNS}) VALUES ({', '.join('?' * 23)})"
)


def _write_employees(conn: sqlite3.Connection, cycle_id: int, report: GapReport) -> None:
    rows = [_employee_values(cycle_id, e, STATE_SCORED) for e in report.employees]
    rows += [_employee_values(cycle_id, e, STATE_SELF_ONLY) for e in report.self_only]
    conn.executemany(_EMPLOYEE_INSERT, rows)
    seen = {r[1] for r in rows}
    families = {f.key: f.label for f in report.families}
    conn.executemany(
        _EMPLOYEE_INSERT.replace("INSERT", "INSERT OR IGNORE", 1),
        [
            (
                cycle_id,
                e.employee_id,
                STATE_NOT_RETURNED,
                e.name,
                e.manager_id,
                e.manager_name,
                e.family_id,
                families.get(e.family_id, e.family_id),
                e.track,
                e.level,
                "",
                e.target_level,
                None,
                "",
                *(None,) * 7,
                0,
                None,
            )
            for e in report.not_returned
            if e.employee_id not in seen
        ],
    )


def _write_scores(conn: sqlite3.Connection, cycle_id: int, report: GapReport) -> None:
    conn.executemany(
        """INSERT INTO scores (cycle_id, employee_id, competency_id, competency, domain, scope,
               status, score, raw, expected_now, expected_next, gap_now, gap_next, importance,
               self_score, evidence, file, sheet, cell)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                cycle_id,
                e.employee_id,
                r.competency_id,
                r.competency,
                r.domain,
                r.scope,
                r.status,
                r.score,
                r.raw,
                r.expected_now,
                r.expected_next,
                r.gap_now,
                r.gap_next,
                r.importance,
                r.self_score,
                r.evidence,
                r.file,
                r.sheet,
                r.cell,
            )
            for e in (*report.employees, *report.self_only)
            for r in e.competencies
        ],
    )


def _write_priorities(conn: sqlite3.Connection, cycle_id: int, report: GapReport) -> None:
    conn.executemany(
        """INSERT INTO priorities (cycle_id, employee_id, rank, competency_id, competency,
               gap_next, action) VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            (cycle_id, e.employee_id, n, p.competency_id, p.competency, p.gap_next, p.action)
            for e in report.employees
            for n, p in enumerate(e.priorities, start=1)
        ],
    )


def _write_actions(
    conn: sqlite3.Connection, cycle_id: int, actions: Sequence[AgreedAction]
) -> None:
    """Upsert by (person, position) so an action keeps its id; drop the ones no longer there."""
    keep = {(a.employee_id, a.position) for a in actions}
    for employee_id, position in conn.execute(
        "SELECT employee_id, position FROM actions WHERE cycle_id = ?", (cycle_id,)
    ).fetchall():
        if (employee_id, position) not in keep:
            conn.execute(
                "DELETE FROM actions WHERE cycle_id = ? AND employee_id = ? AND position = ?",
                (cycle_id, employee_id, position),
            )
    conn.executemany(
        """INSERT INTO actions (cycle_id, employee_id, position, competency_id, suggested,
               action, due_date, file, sheet, cell)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (cycle_id, employee_id, position) DO UPDATE SET
               competency_id = excluded.competency_id, suggested = excluded.suggested,
               action = excluded.action, due_date = excluded.due_date, file = excluded.file,
               sheet = excluded.sheet, cell = excluded.cell""",
        [
            (
                cycle_id,
                a.employee_id,
                a.position,
                a.competency_id,
                a.suggested,
                a.action,
                a.due_date,
                a.file,
                a.sheet,
                a.cell,
            )
            for a in actions
        ],
    )


def _write_reviews(
    conn: sqlite3.Connection, cycle_id: int, reviews: Sequence[ActionReview]
) -> None:
    """This cycle's reviews replace the ones it recorded before (a re-ingest clears its own)."""
    conn.execute("DELETE FROM action_reviews WHERE cycle_id = ?", (cycle_id,))
    conn.executemany(
        """INSERT OR REPLACE INTO action_reviews
               (action_id, cycle_id, status, note, due_date, file, sheet, cell)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (r.action_id, cycle_id, r.status, r.note, r.due_date, r.file, r.sheet, r.cell)
            for r in reviews
            if r.status is not None or r.note or r.due_date
        ],
    )


def record_sent(db: Path | str, cycle: str, employees: Sequence[Employee]) -> None:
    """Who the scoring workbooks of ``cycle`` went to (``sheets --history``), replacing what an
    earlier ``sheets`` run of the same cycle recorded; the file is created if missing."""
    with writing(Path(db)) as conn:
        conn.execute("DELETE FROM sent WHERE cycle = ?", (cycle,))
        at = now()
        conn.executemany(
            """INSERT INTO sent (cycle, employee_id, name, manager_id, manager_name, family_id,
                   track, level, target_level, recorded_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    cycle,
                    e.employee_id,
                    e.name,
                    e.manager_id,
                    e.manager_name,
                    e.family_id,
                    e.track,
                    e.level,
                    e.target_level,
                    at,
                )
                for e in employees
            ],
        )
