"""The history file itself: schema, migrations, opening, checking, locking; the stored values."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..actions import AgreedAction
from ..errors import HistoryError
from ..layout import ACTION_STATUSES

if TYPE_CHECKING:
    pass

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

# Version 2: a cycle's word on an earlier action is a row of its own (``action_reviews``: status,
# note, a moved due date), so every cycle's word is kept and re-recording a cycle replaces only
# its own reviews; ``sent`` keeps who a cycle's scoring workbooks went to; the
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
        due_date TEXT,  -- the due date as moved in that cycle's workbook, NULL: not moved
        file TEXT NOT NULL DEFAULT '',
        sheet TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (action_id, cycle_id)
    )""",
    "CREATE INDEX action_reviews_by_cycle ON action_reviews (cycle_id)",
    # Who `sheets --history` sent a sheet to, by cycle name (the cycle is recorded only later,
    # by ingest): ingest without a roster lists from it who did not come back.
    """CREATE TABLE sent (
        cycle TEXT NOT NULL,
        employee_id TEXT NOT NULL,
        name TEXT NOT NULL,
        manager_id TEXT NOT NULL,
        manager_name TEXT NOT NULL,
        family_id TEXT NOT NULL,
        track TEXT NOT NULL,
        level TEXT NOT NULL,
        target_level TEXT,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (cycle, employee_id)
    )""",
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


def now() -> str:
    """When something is recorded (UTC, ISO, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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
            (f"migrated_to_{current}", f"{now()} by laddersheet {__version__}"),
        ],
    )


@contextmanager
def writing(path: Path) -> Iterator[sqlite3.Connection]:
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
def reading(db: Path | str) -> Iterator[sqlite3.Connection]:
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
            with writing(path):
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
