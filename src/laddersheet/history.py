"""History across cycles: one SQLite file (stdlib ``sqlite3``, no server) each ingest records into.

A cycle is named by the master's settings (``ladder.settings.cycle``) and dated by the report.
Recording a cycle that is already there replaces all its records in one transaction (the last
complete run wins; an interrupted run leaves the previous state); other cycles accumulate.
People are followed by ``employee_id``; their level, manager and family are kept per cycle.

Safety:

* The file says it is ours: ``PRAGMA application_id`` (:data:`APPLICATION_ID`) and a ``meta``
  table; its schema version is ``PRAGMA user_version``, upgraded by the steps in
  :data:`MIGRATIONS` (step *i* takes version *i* to *i + 1*), after a copy of the file is kept
  as ``<name>.bak-<version>``.
* A newer schema, a damaged file or a file that is not ours (another SQLite database, a text
  file, a workbook) is a :class:`HistoryError` naming the file; nothing is written to it.
* Every write runs in ``BEGIN IMMEDIATE`` with a busy timeout, so two runs on the same file
  take turns; the default rollback journal (no WAL) also works on network shares.

Tables (version 2): ``meta``; ``cycles`` (one row per cycle: name, date, company, the master's
content digest, the account); ``employee_cycles`` (one row per person and cycle: who they were
then, coverage, readiness; ``state`` scored / self_only / not_returned); ``scores`` (one row per
person, competency and cycle: status, score, expectations, gaps now and next, evidence and the
source file, sheet and cell); ``priorities`` (the report's top gaps with the master's suggested
action); ``actions`` (development actions agreed in a cycle: competency, text, due date, the
source cell); ``action_reviews`` (a later cycle's status and note for an earlier action).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .actions import ActionReview, AgreedAction
from .errors import HistoryError
from .layout import ACTION_STATUSES

if TYPE_CHECKING:
    from .gaps import EmployeeGaps, GapReport

APPLICATION_ID = 0x4C534854  # "LSHT": what `PRAGMA application_id` says in our files
APPLICATION = "laddersheet history"
BUSY_TIMEOUT_S = 60.0  # how long a run waits for another run holding the file
SCORE_STATUSES = ("accepted", "rejected", "missing")
STATE_SCORED = "scored"
STATE_SELF_ONLY = "self_only"  # a self-assessment came back, the manager's sheet did not
STATE_NOT_RETURNED = "not_returned"  # on the roster, sheet not returned


# --- schema --------------------------------------------------------------------------------------

_SCHEMA_1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE cycles (
        cycle_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        date TEXT NOT NULL,
        company TEXT NOT NULL,
        master_digest TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        laddersheet_version TEXT NOT NULL,
        files INTEGER NOT NULL,
        employees INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        missing INTEGER NOT NULL,
        not_returned INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL
    )""",
    f"""CREATE TABLE employee_cycles (
        cycle_id INTEGER NOT NULL REFERENCES cycles ON DELETE CASCADE,
        employee_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('{STATE_SCORED}', '{STATE_SELF_ONLY}', '{STATE_NOT_RETURNED}')),
        name TEXT NOT NULL,
        manager_id TEXT NOT NULL,
        manager_name TEXT NOT NULL,
        family_id TEXT NOT NULL,
        family TEXT NOT NULL,
        track TEXT NOT NULL,
        level TEXT NOT NULL,
        title TEXT NOT NULL,
        target_level TEXT,
        target_track TEXT,
        target_title TEXT NOT NULL,
        scored INTEGER,
        missing INTEGER,
        rejected INTEGER,
        coverage REAL,
        meets_level INTEGER,
        readiness_next REAL,
        readiness_next_weighted REAL,
        self_assessed INTEGER NOT NULL,
        self_coverage REAL,
        PRIMARY KEY (cycle_id, employee_id)
    )""",
    "CREATE INDEX employee_cycles_by_employee ON employee_cycles (employee_id)",
    """CREATE TABLE scores (
        cycle_id INTEGER NOT NULL,
        employee_id TEXT NOT NULL,
        competency_id TEXT NOT NULL,
        competency TEXT NOT NULL,
        domain TEXT NOT NULL,
        scope TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'missing')),
        score INTEGER,
        raw TEXT NOT NULL,
        expected_now INTEGER,
        expected_next INTEGER,
        gap_now INTEGER,
        gap_next INTEGER,
        importance REAL,
        self_score INTEGER,
        evidence TEXT NOT NULL,
        file TEXT NOT NULL,
        sheet TEXT NOT NULL,
        cell TEXT NOT NULL,
        PRIMARY KEY (cycle_id, employee_id, competency_id),
        FOREIGN KEY (cycle_id, employee_id)
            REFERENCES employee_cycles (cycle_id, employee_id) ON DELETE CASCADE
    )""",
    "CREATE INDEX scores_by_employee ON scores (employee_id)",
    """CREATE TABLE priorities (
        cycle_id INTEGER NOT NULL,
        employee_id TEXT NOT NULL,
        rank INTEGER NOT NULL,
        competency_id TEXT NOT NULL,
        competency TEXT NOT NULL,
        gap_next INTEGER NOT NULL,
        action TEXT,
        PRIMARY KEY (cycle_id, employee_id, rank),
        FOREIGN KEY (cycle_id, employee_id)
            REFERENCES employee_cycles (cycle_id, employee_id) ON DELETE CASCADE
    )""",
    # An action is agreed in one cycle (cycle_id, its row `position` in the person's plan
    # block); its status is reported by a later cycle's workbook (status_cycle_id).
    f"""CREATE TABLE actions (
        action_id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL REFERENCES cycles ON DELETE CASCADE,
        employee_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        competency_id TEXT,
        suggested TEXT,
        action TEXT NOT NULL,
        due_date TEXT,
        status TEXT CHECK (status IS NULL OR status IN
            ({", ".join(f"'{s}'" for s in ACTION_STATUSES)})),
        note TEXT NOT NULL DEFAULT '',
        status_cycle_id INTEGER REFERENCES cycles ON DELETE SET NULL,
        file TEXT NOT NULL DEFAULT '',
        sheet TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL DEFAULT '',
        UNIQUE (cycle_id, employee_id, position)
    )""",
    "CREATE INDEX actions_by_employee ON actions (employee_id)",
)


def _statements(*statements: str) -> Callable[[sqlite3.Connection], None]:
    def step(conn: sqlite3.Connection) -> None:
        for statement in statements:  # not executescript: it would COMMIT the transaction
            conn.execute(statement)

    return step


_STATUS_CHECK = f"status IS NULL OR status IN ({', '.join(repr(s) for s in ACTION_STATUSES)})"

# Version 2: a cycle's word on an earlier action is a row of its own (``action_reviews``), so
# every cycle's status is kept and re-recording a cycle replaces only its own reviews; the
# single status of version 1's ``actions`` moves there, and ``actions`` is rebuilt without it
# (SQLite cannot drop a column with a CHECK). Nothing references ``actions`` during the rebuild.
_SCHEMA_2 = (
    """CREATE TEMP TABLE reviews_v1 AS
        SELECT action_id, status_cycle_id AS cycle_id, status, note FROM actions
        WHERE status_cycle_id IS NOT NULL""",
    """CREATE TABLE actions_v2 (
        action_id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL REFERENCES cycles ON DELETE CASCADE,
        employee_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        competency_id TEXT,
        suggested TEXT,
        action TEXT NOT NULL,
        due_date TEXT,
        file TEXT NOT NULL DEFAULT '',
        sheet TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL DEFAULT '',
        UNIQUE (cycle_id, employee_id, position)
    )""",
    """INSERT INTO actions_v2 SELECT action_id, cycle_id, employee_id, position, competency_id,
        suggested, action, due_date, file, sheet, cell FROM actions""",
    "DROP TABLE actions",
    "ALTER TABLE actions_v2 RENAME TO actions",
    "CREATE INDEX actions_by_employee ON actions (employee_id)",
    f"""CREATE TABLE action_reviews (
        action_id INTEGER NOT NULL REFERENCES actions ON DELETE CASCADE,
        cycle_id INTEGER NOT NULL REFERENCES cycles ON DELETE CASCADE,
        status TEXT CHECK ({_STATUS_CHECK}),
        note TEXT NOT NULL DEFAULT '',
        file TEXT NOT NULL DEFAULT '',
        sheet TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (action_id, cycle_id)
    )""",
    "CREATE INDEX action_reviews_by_cycle ON action_reviews (cycle_id)",
    """INSERT INTO action_reviews (action_id, cycle_id, status, note)
        SELECT action_id, cycle_id, status, note FROM temp.reviews_v1""",
    "DROP TABLE temp.reviews_v1",
)

# Step i takes a file from schema version i to i + 1, inside the caller's transaction.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _statements(*_SCHEMA_1),
    _statements(*_SCHEMA_2),
]


def schema_version() -> int:
    """The version this laddersheet writes: the number of migration steps."""
    return len(MIGRATIONS)


# --- values in and out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    cycle_id: int
    name: str
    date: str  # the report's date (ISO)
    company: str
    master_digest: str  # the master's content digest (Ladder.content_digest)
    recorded_at: str
    laddersheet_version: str
    employees: int
    accepted: int
    rejected: int
    missing: int


@dataclass(frozen=True)
class StoredScore:
    cycle: str
    employee_id: str
    competency_id: str
    competency: str
    domain: str
    scope: str
    status: str  # accepted | rejected | missing
    score: int | None
    raw: str
    expected_now: int | None
    expected_next: int | None
    gap_now: int | None
    gap_next: int | None
    self_score: int | None
    evidence: str
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class EmployeeCycle:
    """One person in one cycle: who they were then and how they stood."""

    cycle: Cycle
    employee_id: str
    state: str  # scored | self_only | not_returned
    name: str
    manager_id: str
    manager_name: str
    family_id: str
    track: str
    level: str
    title: str
    target_level: str | None
    coverage: float | None
    meets_level: bool | None
    readiness_next: float | None
    readiness_next_weighted: float | None
    scores: tuple[StoredScore, ...]
    actions: tuple[AgreedAction, ...]  # agreed in this cycle


# --- opening, checking, migrating ----------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        raise HistoryError(f"{path}: cannot open the history file ({error}).") from error
    return conn


def _inspect(conn: sqlite3.Connection, path: Path, *, full: bool) -> int:
    """The file's schema version (0: a new, empty file); an error unless it is a sound store.

    ``full`` also runs SQLite's quick check of every page and our ``meta`` marker.
    """
    leave = "It was left unchanged; give another --history file."
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise _busy(path) from error
        raise HistoryError(f"{path}: cannot read the history file ({error}). {leave}") from error
    except sqlite3.DatabaseError as error:
        raise HistoryError(
            f"{path}: not a laddersheet history file (not an SQLite database, or damaged: "
            f"{error}). {leave}"
        ) from error
    if app_id == 0 and version == 0 and not tables:
        return 0  # empty: ours to create
    if app_id != APPLICATION_ID:
        listed = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise HistoryError(
            f"{path}: an SQLite database of another application (tables: {listed or 'none'}), "
            f"not a laddersheet history file. {leave}"
        )
    if version > schema_version():
        raise HistoryError(
            f"{path}: this history file has schema version {version}, written by a newer "
            f"laddersheet (this one, {__version__}, knows up to version {schema_version()}). "
            "Upgrade laddersheet to record into it; it was left unchanged."
        )
    if full:
        try:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check")]
            marker = conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
        except sqlite3.DatabaseError as error:
            problems, marker = [str(error)], None
        if problems != ["ok"] or version < 1 or marker != (APPLICATION,):
            detail = "; ".join(problems[:3]) if problems != ["ok"] else "its meta table is wrong"
            raise HistoryError(
                f"{path}: the history file is damaged ({detail}). It was left unchanged: restore "
                "it from a backup (a <name>.bak-<version> copy beside it, if any), or give "
                "another --history file."
            )
    return version


def _busy(path: Path) -> HistoryError:
    return HistoryError(
        f"{path}: the history file stayed locked by another run for {BUSY_TIMEOUT_S:.0f} s; "
        "try again when it has finished."
    )


def _begin(conn: sqlite3.Connection, path: Path) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")  # the write lock now: runs take turns, never interleave
    except sqlite3.OperationalError as error:
        raise _busy(path) from error


def _backup_path(path: Path, version: int) -> Path:
    candidate = path.with_name(f"{path.name}.bak-{version}")
    n = 2
    while candidate.exists():  # an earlier backup is kept as it is
        candidate = path.with_name(f"{path.name}.bak-{version}-{n}")
        n += 1
    return candidate


def _migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Bring the file (write-locked by the caller's transaction) to the current version."""
    if version >= 1:  # something to lose: keep a copy first (nobody can write while we hold it)
        shutil.copy2(path, _backup_path(path, version))
    for step in MIGRATIONS[version:]:
        step(conn)
    current = schema_version()
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {current}")
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [
            ("application", APPLICATION),
            ("schema_version", str(current)),
            (f"migrated_to_{current}", f"{_now()} by laddersheet {__version__}"),
        ],
    )


@contextmanager
def _writing(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection in a write transaction on a current-schema store; committed on success."""
    if path.is_dir():
        raise HistoryError(f"{path} is a folder; give a history file (e.g. laddersheet.db).")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HistoryError(f"{path}: cannot create its folder ({error}).") from error
    conn = _connect(path)
    try:
        _inspect(conn, path, full=False)  # a foreign file fails before waiting for any lock
        _begin(conn, path)
        try:
            version = _inspect(conn, path, full=True)  # again: another run may have created it
            if version < schema_version():
                _migrate(conn, path, version)
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise _busy(path) from error
        raise HistoryError(f"{path}: could not write the history file ({error}).") from error
    finally:
        conn.close()


@contextmanager
def _reading(db: Path | str) -> Iterator[sqlite3.Connection]:
    """A connection holding one consistent snapshot of a current-schema store."""
    path = Path(db)
    if not path.is_file():
        raise HistoryError(f"{path}: no such history file (ingest --history creates it).")
    conn = _connect(path)
    try:
        version = _inspect(conn, path, full=True)
        if version == 0:
            raise HistoryError(f"{path}: the history file is empty: no cycle was recorded yet.")
        if version < schema_version():
            conn.close()
            with _writing(path):
                pass  # migrated (a backup kept)
            conn = _connect(path)
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def check_store(db: Path | str) -> None:
    """Refuse early a history file that cannot be recorded into; a missing one is fine."""
    path = Path(db)
    if path.is_dir():
        raise HistoryError(f"{path} is a folder; give a history file (e.g. laddersheet.db).")
    if not path.exists():
        return
    conn = _connect(path)
    try:
        _inspect(conn, path, full=True)
    finally:
        conn.close()


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
    with _writing(path) as conn:
        cycle_id = _write_cycle(conn, report, master_digest)
        _write_employees(conn, cycle_id, report)
        _write_scores(conn, cycle_id, report)
        _write_priorities(conn, cycle_id, report)
        _write_actions(conn, cycle_id, actions)
        _write_reviews(conn, cycle_id, reviews)
        return _cycle_rows(conn, "WHERE cycle_id = ?", (cycle_id,))[0]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_cycle(conn: sqlite3.Connection, report: GapReport, master_digest: str) -> int:
    a = report.account
    severities = [i.severity for i in report.issues]
    values = {
        "name": report.cycle,
        "date": report.created,
        "company": report.company,
        "master_digest": master_digest,
        "recorded_at": _now(),
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
               (action_id, cycle_id, status, note, file, sheet, cell)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            (r.action_id, cycle_id, r.status, r.note, r.file, r.sheet, r.cell)
            for r in reviews
            if r.status is not None or r.note
        ],
    )


# --- reading -------------------------------------------------------------------------------------

_CYCLE_COLUMNS = (
    "cycle_id, name, date, company, master_digest, recorded_at, laddersheet_version, "
    "employees, accepted, rejected, missing"
)


def _cycle_rows(conn: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[Cycle]:
    rows = conn.execute(
        f"SELECT {_CYCLE_COLUMNS} FROM cycles {where} ORDER BY date, cycle_id", args
    ).fetchall()
    return [Cycle(*row) for row in rows]


def cycles(db: Path | str) -> list[Cycle]:
    """Every recorded cycle, oldest first (by the report's date, then by first recording)."""
    with _reading(db) as conn:
        return _cycle_rows(conn)


def _find(conn: sqlite3.Connection, db: Path | str, cycle: str | Cycle) -> Cycle:
    name = cycle.name if isinstance(cycle, Cycle) else cycle
    found = _cycle_rows(conn, "WHERE name = ?", (name,))
    if not found:
        known = ", ".join(c.name for c in _cycle_rows(conn)) or "none"
        raise HistoryError(f"{db}: no cycle named {name!r} in the history (cycles: {known}).")
    return found[0]


def previous_cycle(db: Path | str, cycle: str | Cycle) -> Cycle | None:
    """The cycle recorded before ``cycle`` (None for the first).

    A cycle not recorded yet (the one ``sheets`` prepares) gets the latest recorded cycle.
    """
    name = cycle.name if isinstance(cycle, Cycle) else cycle
    with _reading(db) as conn:
        ordered = _cycle_rows(conn)
    names = [c.name for c in ordered]
    if name not in names:
        return ordered[-1] if ordered else None
    at = names.index(name)
    return ordered[at - 1] if at else None


_SCORE_COLUMNS = (
    "employee_id, competency_id, competency, domain, scope, status, score, raw, expected_now, "
    "expected_next, gap_now, gap_next, self_score, evidence, file, sheet, cell"
)


def _scores(conn: sqlite3.Connection, cycle: Cycle, employee_id: str | None) -> list[StoredScore]:
    where, args = "WHERE cycle_id = ?", (cycle.cycle_id,)
    if employee_id is not None:
        where, args = where + " AND employee_id = ?", (*args, employee_id)
    rows = conn.execute(f"SELECT {_SCORE_COLUMNS} FROM scores {where}", args).fetchall()
    from .gaps import natural_key

    scores = [StoredScore(cycle.name, *row) for row in rows]
    return sorted(scores, key=lambda s: (natural_key(s.employee_id), s.competency_id))


def scores_for(db: Path | str, cycle: str | Cycle) -> list[StoredScore]:
    """Every score row of a cycle (accepted, rejected and missing, with its source cell)."""
    with _reading(db) as conn:
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
    ordered = _cycle_rows(conn)
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
    for action_id, cycle_id, status, note in conn.execute(
        f"""SELECT r.action_id, r.cycle_id, r.status, r.note FROM action_reviews r
            JOIN actions a ON a.action_id = r.action_id {where}""",
        args,
    ):
        if allowed is not None and cycle_id not in allowed:
            continue
        if action_id not in latest or rank[cycle_id] > rank[latest[action_id][0]]:
            latest[action_id] = (cycle_id, status, note)
    from .gaps import natural_key

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
                    due,
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


def open_actions(db: Path | str, cycle: str) -> tuple[AgreedAction, ...]:
    """The actions a cycle reviews: agreed in the cycles before it and still open then.

    Open: no review before ``cycle`` closed it (done or dropped). ``cycle`` need not be
    recorded yet (the one ``sheets`` prepares): then every recorded cycle is before it. Oldest
    first, then by person and position; each with its latest status before ``cycle``.
    """
    path = Path(db)
    if not path.exists():
        return ()
    with _reading(path) as conn:
        ordered = _cycle_rows(conn)
        names = [c.name for c in ordered]
        before = ordered[: names.index(cycle)] if cycle in names else ordered
        ids = [c.cycle_id for c in before]
        found = _actions(conn, None, None, agreed_in=ids, reviewed_in=ids)
    return tuple(a for a in found if not a.closed)


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
    with _reading(db) as conn:
        ordered = _cycle_rows(conn)
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
        with _reading(db) as conn:
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
    from .gaps import natural_key

    with _reading(db) as conn:
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

    ``people``: scored this cycle; ``meets_level``: share of those with enough scores who meet
    their level; ``readiness``: mean readiness for the next level over them; ``open_gaps``:
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
    with _reading(db) as conn:
        ordered = _cycle_rows(conn)
        names = [c.name for c in ordered]
        if before is not None:
            ordered = ordered[: names.index(before)] if before in names else ordered
        figures = []
        for cycle in ordered:
            people, meets, judged, readiness = conn.execute(
                f"""SELECT COUNT(*), SUM(meets_level = 1), COUNT(meets_level),
                       AVG(readiness_next)
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
            earlier = [c.cycle_id for c in _cycle_rows(conn)[: names.index(cycle.name)]]
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
                    meets / judged if judged else None,
                    readiness,
                    open_gaps,
                    agreed,
                    len(reviewed),
                    sum(a.action_id in done_ids for a in reviewed),
                )
            )
    return figures
