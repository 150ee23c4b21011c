"""Reading the history back: cycles, scores, people, open actions, trajectories, the trend."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..actions import AgreedAction
from ..errors import HistoryError

if TYPE_CHECKING:
    from ..roster import Employee

from .store import STATE_SCORED, STATE_SELF_ONLY, Cycle, EmployeeCycle, StoredScore, reading

# --- reading -------------------------------------------------------------------------------------

_CYCLE_COLUMNS = (
    "cycle_id, name, date, company, master_digest, recorded_at, laddersheet_version, "
    "employees, accepted, rejected, missing"
)


def cycles_where(conn: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[Cycle]:
    rows = conn.execute(
        f"SELECT {_CYCLE_COLUMNS} FROM cycles {where} ORDER BY date, cycle_id", args
    ).fetchall()
    return [Cycle(*row) for row in rows]


def cycles(db: Path | str) -> list[Cycle]:
    """Every recorded cycle, oldest first (by the report's date, then by first recording)."""
    with reading(db) as conn:
        return cycles_where(conn)


def _find(conn: sqlite3.Connection, db: Path | str, cycle: str | Cycle) -> Cycle:
    name = cycle.name if isinstance(cycle, Cycle) else cycle
    found = cycles_where(conn, "WHERE name = ?", (name,))
    if not found:
        known = ", ".join(c.name for c in cycles_where(conn)) or "none"
        raise HistoryError(f"{db}: no cycle named {name!r} in the history (cycles: {known}).")
    return found[0]


def previous_cycle(db: Path | str, cycle: str | Cycle) -> Cycle | None:
    """The cycle recorded before ``cycle`` (None for the first).

    A cycle not recorded yet (the one ``sheets`` prepares) gets the latest recorded cycle.
    """
    name = cycle.name if isinstance(cycle, Cycle) else cycle
    with reading(db) as conn:
        earlier = cycles_before(cycles_where(conn), name)
    return earlier[-1] if earlier else None


def cycles_before(ordered: Sequence[Cycle], name: str) -> list[Cycle]:
    """The cycles of ``ordered`` (oldest first) before the one named ``name``; all of them when
    it is not recorded (the cycle ``sheets`` prepares)."""
    names = [c.name for c in ordered]
    return list(ordered[: names.index(name)] if name in names else ordered)


_SCORE_COLUMNS = (
    "employee_id, competency_id, competency, domain, scope, status, score, raw, expected_now, "
    "expected_next, gap_now, gap_next, self_score, evidence, file, sheet, cell"
)


def _scores(conn: sqlite3.Connection, cycle: Cycle, employee_id: str | None) -> list[StoredScore]:
    where, args = "WHERE cycle_id = ?", (cycle.cycle_id,)
    if employee_id is not None:
        where, args = where + " AND employee_id = ?", (*args, employee_id)
    rows = conn.execute(f"SELECT {_SCORE_COLUMNS} FROM scores {where}", args).fetchall()
    from ..gaps import natural_key

    scores = [StoredScore(cycle.name, *row) for row in rows]
    return sorted(scores, key=lambda s: (natural_key(s.employee_id), s.competency_id))


def scores_for(db: Path | str, cycle: str | Cycle) -> list[StoredScore]:
    """Every score row of a cycle (accepted, rejected and missing, with its source cell)."""
    with reading(db) as conn:
        return _scores(conn, _find(conn, db, cycle), None)


def _actions(
    conn: sqlite3.Connection,
    cycle: Cycle | None,
    employee_id: str | None,
    *,
    agreed_in: Sequence[int] | None = None,
    reviewed_in: Sequence[int] | None = None,
) -> tuple[AgreedAction, ...]:
    """Agreed actions with their latest review.

    Agreed in ``cycle`` (or in the cycles ``agreed_in``), one person's or (``employee_id``
    None) everyone's; the latest review among the cycles ``reviewed_in`` (default: all).
    """
    ordered = cycles_where(conn)
    rank = {c.cycle_id: i for i, c in enumerate(ordered)}
    names = {c.cycle_id: c.name for c in ordered}
    cycle_ids = [cycle.cycle_id] if cycle is not None else list(agreed_in or ())
    if not cycle_ids:
        return ()
    where = f"WHERE a.cycle_id IN ({', '.join('?' * len(cycle_ids))})"
    args: tuple[object, ...] = tuple(cycle_ids)
    if employee_id is not None:
        where, args = where + " AND a.employee_id = ?", (*args, employee_id)
    rows = conn.execute(
        f"""SELECT a.action_id, a.cycle_id, a.employee_id, a.position, a.action,
                   a.competency_id, a.suggested, a.due_date, a.file, a.sheet, a.cell
            FROM actions a {where}""",
        args,
    ).fetchall()
    allowed = None if reviewed_in is None else set(reviewed_in)
    latest: dict[int, tuple[int, str | None, str]] = {}
    moved: dict[int, tuple[int, str]] = {}  # the latest due date a review moved it to
    for action_id, cycle_id, status, note, due_date in conn.execute(
        f"""SELECT r.action_id, r.cycle_id, r.status, r.note, r.due_date FROM action_reviews r
            JOIN actions a ON a.action_id = r.action_id {where}""",
        args,
    ):
        if allowed is not None and cycle_id not in allowed:
            continue
        if action_id not in latest or rank[cycle_id] > rank[latest[action_id][0]]:
            latest[action_id] = (cycle_id, status, note)
        if due_date and (action_id not in moved or rank[cycle_id] > rank[moved[action_id][0]]):
            moved[action_id] = (cycle_id, due_date)
    from ..gaps import natural_key

    actions = []
    for action_id, cycle_id, employee, position, text, competency, suggested, due, *cell in rows:
        review_cycle, status, note = latest.get(action_id, (None, None, ""))
        order = (rank[cycle_id], natural_key(employee), position)
        actions.append(
            (
                order,
                AgreedAction(
                    employee,
                    position,
                    text,
                    competency,
                    suggested,
                    moved[action_id][1] if action_id in moved else due,
                    status,
                    note,
                    *cell,
                    action_id=action_id,
                    cycle=names[cycle_id],
                    status_cycle=names.get(review_cycle, "") if review_cycle is not None else "",
                ),
            )
        )
    return tuple(action for _, action in sorted(actions, key=lambda pair: pair[0]))


def earlier_actions(db: Path | str, cycle: str) -> tuple[AgreedAction, ...]:
    """Every action agreed in the cycles before ``cycle``, open or closed, each with its latest
    status before ``cycle``. ``cycle`` need not be recorded yet (the one ``sheets`` prepares):
    then every recorded cycle is before it. Oldest first, then by person and position."""
    path = Path(db)
    if not path.exists():
        return ()
    with reading(path) as conn:
        ids = [c.cycle_id for c in cycles_before(cycles_where(conn), cycle)]
        return _actions(conn, None, None, agreed_in=ids, reviewed_in=ids)


def sent_for(db: Path | str, cycle: str) -> list[Employee]:
    """Who ``sheets --history`` sent a sheet to for ``cycle`` (empty when it was not recorded),
    as roster entries: ingest without a roster lists from them who did not come back."""
    from ..roster import Employee

    path = Path(db)
    if not path.exists():
        return []
    with reading(path) as conn:
        rows = conn.execute(
            """SELECT employee_id, name, manager_id, manager_name, family_id, track, level,
                      target_level, recorded_at
               FROM sent WHERE cycle = ? ORDER BY rowid""",
            (cycle,),
        ).fetchall()
    return [
        Employee(*fields[:2], "", *fields[2:], source=f"{db} (sent by sheets on {at[:10]})")
        for *fields, at in rows
    ]


def open_actions(db: Path | str, cycle: str) -> tuple[AgreedAction, ...]:
    """The actions a cycle reviews: agreed before it and not closed (done or dropped) by a
    review before it (see ``earlier_actions``)."""
    return tuple(a for a in earlier_actions(db, cycle) if not a.closed)


_PERSON_COLUMNS = (
    "employee_id, state, name, manager_id, manager_name, family_id, track, level, title, "
    "target_level, coverage, meets_level, readiness_next, readiness_next_weighted"
)


def _person(
    cycle: Cycle,
    fields: Sequence[object],
    scores: Sequence[StoredScore],
    actions: Sequence[AgreedAction],
) -> EmployeeCycle:
    values = list(fields)
    values[11] = None if values[11] is None else bool(values[11])  # meets_level
    return EmployeeCycle(cycle, *values, scores=tuple(scores), actions=tuple(actions))  # type: ignore[arg-type]


def employee_history(db: Path | str, employee_id: str) -> list[EmployeeCycle]:
    """One person across the recorded cycles, oldest first (empty when never recorded)."""
    with reading(db) as conn:
        ordered = cycles_where(conn)
        by_id = {c.cycle_id: c for c in ordered}
        rows = conn.execute(
            f"SELECT cycle_id, {_PERSON_COLUMNS} FROM employee_cycles WHERE employee_id = ?",
            (employee_id,),
        ).fetchall()
        history = [
            _person(
                by_id[cycle_id],
                fields,
                _scores(conn, by_id[cycle_id], employee_id),
                _actions(conn, by_id[cycle_id], employee_id),
            )
            for cycle_id, *fields in rows
        ]
    order = [c.cycle_id for c in ordered]
    return sorted(history, key=lambda h: order.index(h.cycle.cycle_id))


# --- what `laddersheet history` shows -------------------------------------------------------------


def cycle_rows(db: Path | str) -> list[dict[str, object]]:
    """The recorded cycles, oldest first, as plain rows (terminal table, JSON, CSV)."""
    return [
        {
            "cycle": c.name,
            "date": c.date,
            "company": c.company,
            "employees": c.employees,
            "accepted": c.accepted,
            "rejected": c.rejected,
            "missing": c.missing,
            "master_digest": c.master_digest,
            "recorded_at": c.recorded_at,
        }
        for c in cycles(db)
    ]


def trajectory(db: Path | str, employee_id: str) -> list[EmployeeCycle]:
    """One person's cycles, oldest first; a :class:`HistoryError` when never recorded."""
    history = employee_history(db, employee_id)
    if not history:
        with reading(db) as conn:
            known = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT employee_id FROM employee_cycles ORDER BY employee_id LIMIT 8"
                )
            ]
        hint = f" (recorded ids include {', '.join(known)})" if known else " (no one is recorded)"
        raise HistoryError(f"{db}: no employee with id {employee_id!r} in the history{hint}.")
    return history


def trajectory_rows(history: Sequence[EmployeeCycle]) -> list[dict[str, object]]:
    """One row per cycle: who the person was then, how they stood, what changed since the last."""
    rows: list[dict[str, object]] = []
    previous: EmployeeCycle | None = None
    for entry in history:
        accepted = {s.competency_id: s.score for s in entry.scores if s.status == "accepted"}
        change = None
        if previous is not None:
            before = {s.competency_id: s.score for s in previous.scores if s.status == "accepted"}
            shared = [cid for cid in accepted if cid in before]
            change = sum(accepted[cid] - before[cid] for cid in shared) if shared else None
        rows.append(
            {
                "cycle": entry.cycle.name,
                "date": entry.cycle.date,
                "employee_id": entry.employee_id,
                "name": entry.name,
                "state": entry.state,
                "level": entry.level,
                "title": entry.title,
                "family_id": entry.family_id,
                "manager": entry.manager_name,
                # as in the report's Progress: the level or the track differs from the cycle before
                "level_changed": previous is not None
                and (previous.track, previous.level) != (entry.track, entry.level),
                "previous_level": previous.level if previous is not None else None,
                "coverage": entry.coverage,
                "meets_level": entry.meets_level,
                "readiness_next": entry.readiness_next,
                "scored": len(accepted),
                "score_change": change,  # sum of changes over competencies scored both times
                "actions_agreed": len(entry.actions),
            }
        )
        previous = entry
    return rows


def score_rows(history: Sequence[EmployeeCycle]) -> list[dict[str, object]]:
    """One row per cycle and competency (long form, for CSV and JSON)."""
    return [
        {
            "cycle": entry.cycle.name,
            "date": entry.cycle.date,
            "employee_id": entry.employee_id,
            "level": entry.level,
            "competency_id": score.competency_id,
            "competency": score.competency,
            "status": score.status,
            "score": score.score,
            "expected_now": score.expected_now,
            "gap_now": score.gap_now,
            "gap_next": score.gap_next,
        }
        for entry in history
        for score in entry.scores
    ]


def cycle_people(db: Path | str, cycle: str | Cycle) -> list[EmployeeCycle]:
    """Everyone recorded in one cycle with their scores and actions (three queries in all)."""
    from ..gaps import natural_key

    with reading(db) as conn:
        found = _find(conn, db, cycle)
        scores: dict[str, list[StoredScore]] = {}
        for score in _scores(conn, found, None):
            scores.setdefault(score.employee_id, []).append(score)
        actions: dict[str, list[AgreedAction]] = {}
        for action in _actions(conn, found, None):
            actions.setdefault(action.employee_id, []).append(action)
        people = conn.execute(
            f"SELECT {_PERSON_COLUMNS} FROM employee_cycles WHERE cycle_id = ?",
            (found.cycle_id,),
        ).fetchall()
    return sorted(
        (
            _person(found, fields, scores.get(fields[0], ()), actions.get(fields[0], ()))
            for fields in people
        ),
        key=lambda entry: natural_key(entry.employee_id),
    )


# --- the trend over cycles -----------------------------------------------------------------------


@dataclass(frozen=True)
class CycleFigures:
    """One cycle's company figures: a point of the report's trend (three cycles or more).

    ``people``: scored this cycle; ``meets_level``: the share of them who meet their level (as
    the Summary counts: people with too few scores do not); ``readiness``: mean readiness for
    the next level over those it is known for; ``open_gaps``:
    accepted scores below the expectation of the person's level; ``actions_reviewed``: earlier
    actions still open before the cycle, of people assessed in it; ``actions_done``: those the
    cycle's workbooks marked done.
    """

    cycle: str
    date: str
    people: int
    meets_level: float | None
    readiness: float | None
    open_gaps: int
    actions_agreed: int
    actions_reviewed: int
    actions_done: int

    @property
    def completion(self) -> float | None:
        return self.actions_done / self.actions_reviewed if self.actions_reviewed else None


def trend(db: Path | str, before: str | None = None) -> list[CycleFigures]:
    """The recorded cycles' figures, oldest first; with ``before``, only the cycles before it
    (all of them when it is not recorded)."""
    with reading(db) as conn:
        everything = cycles_where(conn)
        ordered = everything if before is None else cycles_before(everything, before)
        figures = []
        for at, cycle in enumerate(ordered):  # ordered is a head of everything
            people, meets, readiness = conn.execute(
                f"""SELECT COUNT(*), SUM(meets_level = 1), AVG(readiness_next)
                    FROM employee_cycles WHERE cycle_id = ? AND state = '{STATE_SCORED}'""",
                (cycle.cycle_id,),
            ).fetchone()
            (open_gaps,) = conn.execute(
                f"""SELECT COUNT(*) FROM scores s JOIN employee_cycles e
                        ON e.cycle_id = s.cycle_id AND e.employee_id = s.employee_id
                    WHERE s.cycle_id = ? AND e.state = '{STATE_SCORED}'
                      AND s.status = 'accepted' AND s.gap_now > 0""",
                (cycle.cycle_id,),
            ).fetchone()
            (agreed,) = conn.execute(
                "SELECT COUNT(*) FROM actions WHERE cycle_id = ?", (cycle.cycle_id,)
            ).fetchone()
            assessed = {
                row[0]
                for row in conn.execute(
                    f"""SELECT employee_id FROM employee_cycles WHERE cycle_id = ?
                        AND state IN ('{STATE_SCORED}', '{STATE_SELF_ONLY}')""",
                    (cycle.cycle_id,),
                )
            }
            earlier = [c.cycle_id for c in everything[:at]]
            reviewed = [
                a
                for a in _actions(conn, None, None, agreed_in=earlier, reviewed_in=earlier)
                if not a.closed and a.employee_id in assessed
            ]
            done_ids = {
                row[0]
                for row in conn.execute(
                    "SELECT action_id FROM action_reviews WHERE cycle_id = ? AND status = 'done'",
                    (cycle.cycle_id,),
                )
            }
            figures.append(
                CycleFigures(
                    cycle.name,
                    cycle.date,
                    people,
                    (meets or 0) / people if people else None,
                    readiness,
                    open_gaps,
                    agreed,
                    len(reviewed),
                    sum(a.action_id in done_ids for a in reviewed),
                )
            )
    return figures
