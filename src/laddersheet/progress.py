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

Earlier actions: the development actions this cycle reviews (agreed in earlier cycles, still
open before it: ``history.open_actions``), each with the status this cycle's workbooks gave it
(none: still open). **Done** and **dropped** close an action; an open action due before the
report's date is **overdue**; **completion** is done ÷ reviewed actions. Teams, families and the
company add up their people (a team is the manager's reports this cycle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from .actions import ActionReview, AgreedAction, text_key
from .gaps import EmployeeGaps, GapReport, natural_key
from .history import (
    Cycle,
    CycleFigures,
    EmployeeCycle,
    cycle_people,
    open_actions,
    previous_cycle,
    trend,
)
from .layout import ACTION_DONE, ACTION_DROPPED


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
    # earlier actions reviewed this cycle, each with this cycle's status (None: none given)
    actions: tuple[AgreedAction, ...] = ()
    overdue: int = 0  # of those, open and due before the report's date
    agreed: int = 0  # new actions agreed this cycle

    @property
    def done(self) -> int:
        return sum(a.status == ACTION_DONE for a in self.actions)

    @property
    def dropped(self) -> int:
        return sum(a.status == ACTION_DROPPED for a in self.actions)

    @property
    def no_status(self) -> int:
        """Earlier actions the workbook gave no status (they stay open)."""
        return sum(a.status is None for a in self.actions)

    @property
    def still_open(self) -> tuple[AgreedAction, ...]:
        """Earlier actions this cycle left open (neither done nor dropped)."""
        return tuple(a for a in self.actions if not a.closed)

    def done_in(self, suggestion: str | None) -> str:
        """The cycle that agreed the master's ``suggestion`` for this person, when that action
        is done this cycle ("" otherwise): a gap's suggestion not to offer again as new."""
        if suggestion:
            key = text_key(suggestion)
            for action in self.actions:
                said = action.suggested
                if action.status == ACTION_DONE and said and text_key(said) == key:
                    return action.cycle
        return ""


@dataclass(frozen=True)
class GroupProgress:
    """A team's, family's or the company's progress: its people added up."""

    kind: str  # company | team | family
    key: str
    label: str
    people: int  # recorded in both cycles
    closed: int
    opened: int
    level_changes: int
    actions: int  # earlier actions reviewed
    done: int
    dropped: int
    overdue: int
    no_status: int = 0

    @property
    def completion(self) -> float | None:
        return self.done / self.actions if self.actions else None


@dataclass(frozen=True)
class Progress:
    cycle: str
    previous: Cycle
    people: tuple[PersonProgress, ...]  # in natural employee_id order
    new: tuple[str, ...]  # employee ids not recorded in the previous cycle
    left: tuple[str, ...]  # recorded then, not in this report
    manager_names: dict[str, str] = field(default_factory=dict)  # this cycle's teams
    family_names: dict[str, str] = field(default_factory=dict)
    # the company's figures cycle by cycle, this one last (``history.CycleFigures``); the report
    # charts them from three cycles on
    trend: tuple[CycleFigures, ...] = ()

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
        company = self.groups[0]
        actions = (
            f" Earlier actions: {company.done} of {company.actions} done, {company.no_status} "
            f"without a status, {company.overdue} overdue."
            if company.actions
            else ""
        )
        return (
            f"Since {self.previous.name} ({self.previous.date}): {self.closed} gaps closed, "
            f"{self.opened} opened; {self.level_changes} changed level; {len(self.new)} new, "
            f"{len(self.left)} left.{actions}"
        )

    @cached_property
    def groups(self) -> tuple[GroupProgress, ...]:
        """The company, then each team (by manager) and family, in natural key order."""
        teams: dict[str, list[PersonProgress]] = {}
        families: dict[str, list[PersonProgress]] = {}
        for person in self.people:
            teams.setdefault(person.manager_id, []).append(person)
            families.setdefault(person.family_id, []).append(person)
        groups = [_group("company", "", "Company", self.people)]
        for kind, found, labels in (
            ("team", teams, self.manager_names),
            ("family", families, self.family_names),
        ):
            for key in sorted(found, key=natural_key):
                groups.append(_group(kind, key, labels.get(key, key) or key, found[key]))
        return tuple(groups)


def progress_since_last(
    db: Path, report: GapReport, reviews: Sequence[ActionReview] = ()
) -> Progress | None:
    """The report compared with the cycle recorded before its own (None: no earlier cycle).

    Read before the report's cycle is recorded; re-ingesting a recorded cycle compares it with
    the one before it, not with itself. ``reviews``: this cycle's status of earlier actions,
    matched to them (``actions.match_reviews``).
    """
    previous = previous_cycle(db, report.cycle)
    if previous is None:  # never the report's own cycle: previous_cycle skips it
        return None
    reviewed = open_actions(db, report.cycle)
    found = compare(report, previous, cycle_people(db, previous), reviewed, reviews)
    now = figures_now(report, reviewed, reviews)
    return replace(found, trend=(*trend(db, before=report.cycle), now))


def figures_now(
    report: GapReport, reviewed: Sequence[AgreedAction], reviews: Sequence[ActionReview]
) -> CycleFigures:
    """This report's point of the trend, as ``history.trend`` reads it once recorded."""
    scored = report.employees
    readiness = [e.readiness_next for e in scored if e.readiness_next is not None]
    assessed = {e.employee_id for e in report.assessed()}
    due = [a for a in reviewed if a.employee_id in assessed]
    done = {r.action_id for r in reviews if r.status == ACTION_DONE}
    return CycleFigures(
        cycle=report.cycle,
        date=report.created,
        people=len(scored),
        meets_level=sum(e.meets_level is True for e in scored) / len(scored) if scored else None,
        readiness=sum(readiness) / len(readiness) if readiness else None,
        open_gaps=sum(
            1 for e in scored for row in e.competencies if row.status == "accepted" and row.gap_now
        ),
        actions_agreed=len(report.actions),
        actions_reviewed=len(due),
        actions_done=sum(a.action_id in done for a in due),
    )


def compare(
    report: GapReport,
    previous: Cycle,
    then: Sequence[EmployeeCycle],
    reviewed: Sequence[AgreedAction] = (),
    reviews: Sequence[ActionReview] = (),
) -> Progress:
    by_id = {entry.employee_id: entry for entry in then}
    now = {e.employee_id: e for e in report.assessed()}
    present = set(now) | {e.employee_id for e in report.not_returned}
    said = {r.action_id: r for r in reviews if r.action_id is not None}
    actions: dict[str, list[AgreedAction]] = {}
    for action in reviewed:  # their status as of this cycle: its review, else none (open)
        review = said.get(action.action_id)
        status, note = (review.status, review.note) if review else (None, "")
        due = review.due_date if review and review.due_date else action.due_date  # maybe moved
        actions.setdefault(action.employee_id, []).append(
            replace(
                action,
                status=status,
                note=note,
                due_date=due,
                status_cycle=report.cycle if review else "",
            )
        )
    people = [
        _person(
            e,
            by_id[e.employee_id],
            tuple(actions.get(e.employee_id, ())),
            report.created,
            len(report.actions_of(e.employee_id)),
        )
        for e in now.values()
        if e.employee_id in by_id
    ]
    return Progress(
        cycle=report.cycle,
        previous=previous,
        people=tuple(sorted(people, key=lambda p: natural_key(p.employee_id))),
        new=tuple(sorted((i for i in now if i not in by_id), key=natural_key)),
        left=tuple(sorted((i for i in by_id if i not in present), key=natural_key)),
        manager_names={e.manager_id: e.manager_name for e in now.values()},
        family_names={e.family_id: e.family for e in now.values()},
    )


def _person(
    now: EmployeeGaps,
    then: EmployeeCycle,
    actions: tuple[AgreedAction, ...],
    on: str,
    agreed: int,
) -> PersonProgress:
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
        actions=actions,
        overdue=sum(a.overdue(on) for a in actions),
        agreed=agreed,
    )


def _group(kind: str, key: str, label: str, people: Sequence[PersonProgress]) -> GroupProgress:
    return GroupProgress(
        kind=kind,
        key=key,
        label=label,
        people=len(people),
        closed=sum(p.closed for p in people),
        opened=sum(p.opened for p in people),
        level_changes=sum(p.level_changed for p in people),
        actions=sum(len(p.actions) for p in people),
        done=sum(p.done for p in people),
        dropped=sum(p.dropped for p in people),
        overdue=sum(p.overdue for p in people),
        no_status=sum(p.no_status for p in people),
    )
