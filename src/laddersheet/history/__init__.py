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

Modules: ``store`` (schema, migrations, opening and checking a file, the stored values),
``record`` (writing a cycle) and ``read`` (everything read back).
"""

from __future__ import annotations

from ..errors import HistoryError
from .read import (
    CycleFigures,
    cycle_people,
    cycle_rows,
    cycles,
    earlier_actions,
    employee_history,
    open_actions,
    previous_cycle,
    score_rows,
    scores_for,
    sent_for,
    trajectory,
    trajectory_rows,
    trend,
)
from .record import record_report, record_sent
from .store import (
    APPLICATION_ID,
    STATE_NOT_RETURNED,
    STATE_SCORED,
    STATE_SELF_ONLY,
    Cycle,
    EmployeeCycle,
    StoredScore,
    check_store,
    schema_version,
)

__all__ = [
    "APPLICATION_ID",
    "STATE_NOT_RETURNED",
    "STATE_SCORED",
    "STATE_SELF_ONLY",
    "Cycle",
    "CycleFigures",
    "EmployeeCycle",
    "HistoryError",
    "StoredScore",
    "check_store",
    "cycle_people",
    "cycle_rows",
    "cycles",
    "earlier_actions",
    "employee_history",
    "open_actions",
    "previous_cycle",
    "record_report",
    "record_sent",
    "schema_version",
    "score_rows",
    "scores_for",
    "sent_for",
    "trajectory",
    "trajectory_rows",
    "trend",
]
