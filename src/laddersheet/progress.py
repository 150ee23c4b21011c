"""Progress since the last cycle: this report's people beside the history's previous cycle.

People are matched by ``employee_id``; each cycle's gaps are against the level the person held
*in that cycle*, so after a promotion a gap can open on a competency whose score went up (the bar
rose). Definitions, per competency scored (accepted) in both cycles:

* a gap **closed**: below the expectation of their level last cycle (``gap_now > 0``), at or
  above it now (``gap_now == 0``);
* a gap **opened**: at or above it last cycle, below it now;
* **score change**: the sum of (score now − score then) over those competencies.

People without a record in the previous cycle are **new**; people recorded then who are not in
this report (neither scored nor on the sent list) are **left**.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .gaps import EmployeeGaps, GapReport, natural_key
from .history import Cycle, EmployeeCycle, cycle_people, previous_cycle


@dataclass(frozen=True)
class PersonProgress:
    employee_id: str
    name: str
    manager_id: str
    family_id: str
    level: str
    previous_level: str
    level_changed: bool  # level or track now differs from then (a promotion, usually)
    compared: int  # competencies scored in both cycles
    score_change: int | None  # None when nothing was scored in both
    improved: int  # competencies whose score went up
    declined: int
    closed: int
    opened: int
    readiness_before: float | None
    readiness_now: float | None
    met_before: bool | None
    meets_now: bool | None
    previous_scores: tuple[tuple[str, int], ...] = ()  # (competency id, accepted score) then


@dataclass(frozen=True)
class Progress:
    cycle: str
    previous: Cycle
    people: tuple[PersonProgress, ...]  # in natural employee_id order
    new: tuple[str, ...]  # employee ids not recorded in the previous cycle
    left: tuple[str, ...]  # recorded then, not in this report

    def person(self, employee_id: str) -> PersonProgress | None:
        return self._by_id.get(employee_id)

    @cached_property
    def _by_id(self) -> dict[str, PersonProgress]:
        return {p.employee_id: p for p in self.people}

    @property
    def closed(self) -> int:
        return sum(p.closed for p in self.people)

    @property
    def opened(self) -> int:
        return sum(p.opened for p in self.people)

    @property
    def level_changes(self) -> int:
        return sum(p.level_changed for p in self.people)

    def line(self) -> str:
        """One sentence for the terminal."""
        return (
            f"Since {self.previous.name} ({self.previous.date}): {self.closed} gaps closed, "
            f"{self.opened} opened; {self.level_changes} changed level; {len(self.new)} new, "
            f"{len(self.left)} left."
        )


def progress_since_last(db: Path, report: GapReport) -> Progress | None:
    """The report compared with the cycle recorded before its own (None: no earlier cycle).

    Read before the report's cycle is recorded; re-ingesting a recorded cycle compares it with
    the one before it, not with itself.
    """
    previous = previous_cycle(db, report.cycle)
    if previous is None:  # never the report's own cycle: previous_cycle skips it
        return None
    return compare(report, previous, cycle_people(db, previous))


def compare(report: GapReport, previous: Cycle, then: Sequence[EmployeeCycle]) -> Progress:
    by_id = {entry.employee_id: entry for entry in then}
    now = {e.employee_id: e for e in report.assessed()}
    present = set(now) | {e.employee_id for e in report.not_returned}
    people = [_person(e, by_id[e.employee_id]) for e in now.values() if e.employee_id in by_id]
    return Progress(
        cycle=report.cycle,
        previous=previous,
        people=tuple(sorted(people, key=lambda p: natural_key(p.employee_id))),
        new=tuple(sorted((i for i in now if i not in by_id), key=natural_key)),
        left=tuple(sorted((i for i in by_id if i not in present), key=natural_key)),
    )


def _person(now: EmployeeGaps, then: EmployeeCycle) -> PersonProgress:
    before = {s.competency_id: s for s in then.scores if s.status == "accepted"}
    pairs = [
        (before[row.competency_id], row)
        for row in now.competencies
        if row.status == "accepted" and row.competency_id in before
    ]
    changes = [row.score - old.score for old, row in pairs]  # type: ignore[operator]
    return PersonProgress(
        employee_id=now.employee_id,
        name=now.name,
        manager_id=now.manager_id,
        family_id=now.family_id,
        level=now.level,
        previous_level=then.level,
        level_changed=(now.track, now.level) != (then.track, then.level),
        compared=len(pairs),
        score_change=sum(changes) if pairs else None,
        improved=sum(change > 0 for change in changes),
        declined=sum(change < 0 for change in changes),
        closed=sum(bool(old.gap_now) and row.gap_now == 0 for old, row in pairs),
        opened=sum(old.gap_now == 0 and bool(row.gap_now) for old, row in pairs),
        readiness_before=then.readiness_next,
        readiness_now=now.readiness_next,
        met_before=then.meets_level,
        meets_now=now.meets_level,
        previous_scores=tuple((cid, score.score) for cid, score in before.items()),  # type: ignore[misc]
    )
