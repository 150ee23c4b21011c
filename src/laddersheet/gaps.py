"""The gap engine: scores against the ladder, per employee, group and manager. Pure; no I/O.

Input is an ``IngestResult`` (what managers returned) and the ``Ladder`` (what the master
expects); output is a ``GapReport`` of frozen, JSON-friendly dataclasses (``to_dict()``).

Rows. Each employee gets one ``GapRow`` per competency of their family and track, in sheet
order; when their target level is on the other track (L4 → M1) the target track's extra
competencies follow (``scope="target"``); a score recorded for a competency in neither is kept
as an ``scope="unlisted"`` row with no expectations, so nothing is dropped.

Formulas (score s, expectation at the current level E_now, at the target level E_next):

* target level = ``Employee.target_level``, else the next level up the track, else none (top).
* ``gap_now = max(0, E_now - s)``, ``gap_next = max(0, E_next - s)``,
  ``surplus = max(0, s - E_now)``; each is None when s is missing/rejected or the expectation
  it needs is absent (``E_next`` is absent at the top of a track and for competencies the
  target track does not have).
* ``coverage`` = the share of the person's competencies with an expectation (now or at the
  target) that have an accepted score. Below ``COVERAGE_MIN`` (75 %) the person is
  *incomplete*: no ``meets_level`` and no readiness are stated (they are None), never "ready",
  counted in ``incomplete`` and listed as such; the scores that did come back still give gaps.
* ``meets_level``: True when coverage is enough and none of the scored competencies with an
  E_now has gap_now > 0; False when one has; None when incomplete.
* ``readiness_next`` = share of the scored competencies having an E_next with s >= E_next;
  None when there is no target (top of a track) or the person is incomplete.
* ``readiness_next_weighted`` = the same, each competency weighted by its O*NET importance
  (``Expectation.onet_im`` of the target-level row, else of the current-level row, else 1).
* "ready for the next level" = meets the current level and ``readiness_next == 1.0``: every
  scored competency meets the target level. Group counts (company, team, family) count each
  person by their own verdict; a domain group counts on that domain's competencies only.
* priorities = the ``PRIORITY_COUNT`` (3) competencies with the largest gap_next > 0, ties
  broken by importance (higher first), then competency name; each with
  ``ladder.action_for(competency_id, target_level, family_id)`` and the manager's evidence.
* group means (company, team = manager, family, domain, family × competency) are means over
  rows: score over scored rows, gap_now / gap_next over rows where they are defined.
  ``distribution`` counts scores per scale point.

Calibration (per manager, on scored rows of their team that have an E_now, own track only):

* ``mean_score``, ``spread`` (population standard deviation), ``share_top`` (share of scores
  at the top of the scale).
* ``adjusted_offset`` = mean over the manager's rows of ``(s - E_now) - m``, where m is the
  mean of ``s - E_now`` over every *other* manager's rows on the same (family, competency)
  pair. Comparing gap-adjusted ratings means a team of seniors scored fairly is not flagged
  for being senior. ``raw_offset`` is the same on s alone, shown for context only.
* ``compared`` = the manager's rows whose pair has at least one other manager's row.
* flagged when ``compared >= calibration_min_scores`` (default 10) and
  ``|adjusted_offset| > calibration_threshold`` (default 0.5 scale points); direction
  "lenient" (above the others) or "severe" (below).

Self-assessment (``IngestResult.self_records``): shown beside the manager's score, never used in
a gap, a readiness figure, a group figure or calibration.

* ``GapRow.self_score``: the person's own accepted score (None when blank, rejected or none came
  back); ``self_differs`` when it is ``SELF_DIFFERENCE`` (2) or more points from the manager's
  score: a topic for the review conversation, not an error.
* ``EmployeeGaps.self_assessed`` (their own sheet came back), ``self_coverage`` (the share of
  their competencies they scored), ``self_differences`` (rows that differ by 2+).
* someone with a self-assessment but no manager's sheet is in ``GapReport.self_only``
  (``manager_returned`` False: every score None, no gaps, no verdict), not in ``employees``,
  so no figure, count or calibration includes them; ``GapReport.assessed()`` lists both.
* a self score on a competency outside the person's rows (ingest warned of it) is shown only
  for someone without a manager's sheet: it never adds a row, or a missing score, to the
  manager's.

Engine issues (added to the report's issues, never to the input's log): ``gap-no-expectations``,
``gap-unknown-target-level``, ``gap-duplicate-score``, ``gap-score-unknown-employee``,
``gap-duplicate-employee``, ``gap-score-not-in-ladder``.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import Any

from .actions import AgreedAction
from .ingest import ACCEPTED, MISSING, REJECTED, Account, IngestResult, ScoreRecord
from .issues import Issue, IssueLog, Severity
from .ladder import Expectation, Ladder
from .roster import Employee

COVERAGE_MIN = 0.75  # share of competencies scored before meets/readiness are stated
SELF_DIFFERENCE = 2  # self vs manager score, in scale points, that is worth talking about
DEFAULT_CALIBRATION_THRESHOLD = 0.5
DEFAULT_CALIBRATION_MIN_SCORES = 10
PRIORITY_COUNT = 3

SCOPE_TRACK = "track"  # a competency of the employee's own family and track
SCOPE_TARGET = "target"  # only in the target track (a move to the other track)
SCOPE_UNLISTED = "unlisted"  # scored, but in neither track: kept without expectations

LENIENT = "lenient"
SEVERE = "severe"

# Which record wins when ingest hands over two for one employee × competency.
_STATUS_RANK = {ACCEPTED: 0, REJECTED: 1, MISSING: 2}
_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class GapRow:
    """One employee × competency: the long gap table's row."""

    employee_id: str
    competency_id: str
    competency: str
    domain: str
    scope: str  # SCOPE_TRACK | SCOPE_TARGET | SCOPE_UNLISTED
    status: str  # accepted | rejected | missing (missing also when no record came back)
    score: int | None
    expected_now: int | None
    expected_next: int | None
    gap_now: int | None
    gap_next: int | None
    surplus: int | None
    importance: float | None  # O*NET IM used as the readiness weight (1 when None)
    evidence: str
    raw: str
    file: str
    sheet: str
    cell: str
    self_score: int | None = None  # the person's own accepted score; never used in a gap

    @property
    def weight(self) -> float:
        return self.importance if self.importance is not None else 1.0

    @property
    def self_differs(self) -> bool:
        """Self and manager scores SELF_DIFFERENCE or more points apart (a conversation topic)."""
        if self.score is None or self.self_score is None:
            return False
        return abs(self.self_score - self.score) >= SELF_DIFFERENCE


@dataclass(frozen=True, slots=True)
class Priority:
    competency_id: str
    competency: str
    gap_next: int
    importance: float | None
    action: str | None  # None when the master has no action for this competency and level
    action_band: str
    evidence: str


@dataclass(frozen=True, slots=True)
class EmployeeGaps:
    employee_id: str
    name: str
    manager_id: str
    manager_name: str
    family_id: str
    family: str
    track: str
    level: str
    title: str
    target_level: str | None  # resolved: explicit target, else next level, else None (top)
    target_track: str | None
    target_title: str
    competencies: tuple[GapRow, ...]
    scored: int
    missing: int  # blank or never returned
    rejected: int
    coverage: float | None  # scored share of the competencies with an expectation
    meets_level: bool | None
    readiness_next: float | None
    readiness_next_weighted: float | None
    priorities: tuple[Priority, ...]
    self_assessed: bool = False  # their own self-assessment sheet came back
    self_coverage: float | None = None  # share of their competencies they scored themselves
    self_differences: int = 0  # rows where self and manager are SELF_DIFFERENCE+ apart
    manager_returned: bool = True  # False: a self-assessment only (GapReport.self_only)

    @property
    def complete(self) -> bool:
        """Enough competencies scored for meets-level and readiness to be stated."""
        return self.coverage is not None and self.coverage >= COVERAGE_MIN

    @property
    def ready_next(self) -> bool:
        return self.meets_level is True and self.readiness_next == 1.0


@dataclass(frozen=True, slots=True)
class GroupStats:
    """Means and counts over a group of rows: the company, a team, a family or a domain."""

    kind: str  # company | team | family | domain
    key: str
    label: str
    employees: int
    scores: int
    mean_score: float | None
    mean_gap_now: float | None
    mean_gap_next: float | None
    distribution: dict[str, int]  # scale point (as text, JSON keys) → number of scores
    meets_level: int
    ready_next: int
    incomplete: int = 0  # people with too few scores for meets-level and readiness


@dataclass(frozen=True, slots=True)
class CompetencyStats:
    """One family × competency cell of the heatmap."""

    family_id: str
    family: str
    competency_id: str
    competency: str
    domain: str
    scores: int
    mean_score: float | None
    mean_gap_now: float | None
    mean_gap_next: float | None


@dataclass(frozen=True, slots=True)
class ManagerCalibration:
    manager_id: str
    manager_name: str
    employees: int
    scores: int
    mean_score: float | None
    spread: float | None
    share_top: float | None
    compared: int
    raw_offset: float | None
    adjusted_offset: float | None
    flagged: bool
    direction: str  # LENIENT | SEVERE | "" (not flagged)


@dataclass(frozen=True)
class GapReport:
    company: str
    cycle: str
    created: str
    scale_values: tuple[int, ...]
    scale_labels: tuple[str, ...]
    account: Account
    employees: tuple[EmployeeGaps, ...]  # in natural employee_id order
    not_returned: tuple[Employee, ...]
    company_stats: GroupStats
    teams: tuple[GroupStats, ...]
    families: tuple[GroupStats, ...]
    domains: tuple[GroupStats, ...]
    competencies: tuple[CompetencyStats, ...]  # family × competency (the heatmap)
    calibration: tuple[ManagerCalibration, ...]
    calibration_threshold: float
    calibration_min_scores: int
    issues: tuple[Issue, ...]  # ingest's and the engine's, errors first
    self_only: tuple[EmployeeGaps, ...] = ()  # a self-assessment but no manager's sheet
    # development actions agreed this cycle (the scoring workbooks' plan blocks), people's order
    actions: tuple[AgreedAction, ...] = ()

    @property
    def plan_line(self) -> str:
        """One sentence for the terminal: how many people have a plan agreed this cycle."""
        planned = sum(1 for e in self.employees if self.actions_of(e.employee_id))
        return (
            f"Development plans: {planned} of {len(self.employees)} people have actions agreed "
            f"this cycle ({len(self.actions)} actions)."
        )

    def actions_of(self, employee_id: str) -> tuple[AgreedAction, ...]:
        return self._actions_by_person.get(employee_id, ())

    @cached_property
    def _actions_by_person(self) -> dict[str, tuple[AgreedAction, ...]]:
        found: dict[str, list[AgreedAction]] = {}
        for action in self.actions:
            found.setdefault(action.employee_id, []).append(action)
        return {person: tuple(actions) for person, actions in found.items()}

    @property
    def account_line(self) -> str:
        return self.account.line()

    @property
    def flagged_managers(self) -> tuple[ManagerCalibration, ...]:
        return tuple(m for m in self.calibration if m.flagged)

    def rows(self) -> list[GapRow]:
        return [row for employee in self.employees for row in employee.competencies]

    def assessed(self) -> tuple[EmployeeGaps, ...]:
        """``employees`` and ``self_only`` together, in natural employee_id order."""
        if not self.self_only:
            return self.employees
        both = [*self.employees, *self.self_only]
        return tuple(sorted(both, key=lambda e: natural_key(e.employee_id)))

    def to_dict(self) -> dict[str, Any]:
        """Everything, as plain JSON types (``json.dumps`` works on it as is)."""
        data = asdict(self)
        data["account_line"] = self.account_line
        data["issues"] = [issue.to_dict() for issue in self.issues]
        return data


def compute_gaps(
    ladder: Ladder,
    result: IngestResult,
    *,
    calibration_threshold: float = DEFAULT_CALIBRATION_THRESHOLD,
    calibration_min_scores: int = DEFAULT_CALIBRATION_MIN_SCORES,
    as_of: str | None = None,
) -> GapReport:
    """Gaps, readiness, priorities, group figures and calibration (formulas: module docstring).

    ``as_of`` (ISO date) is the report's date; default: the master's creation date.
    """
    notes = IssueLog()
    people = _unique_employees(result.employees, notes)
    known = {e.employee_id for e in people}
    records = _records_by_employee(result.records, known, notes)
    # self-assessments: first of each person (ingest already merged their files)
    own: dict[str, Employee] = {}
    for employee in result.self_employees:
        own.setdefault(employee.employee_id, employee)
    self_only = sorted(
        (e for i, e in own.items() if i not in known), key=lambda e: natural_key(e.employee_id)
    )
    self_records = _records_by_employee(result.self_records, known | set(own), notes)
    builder = _EmployeeBuilder(ladder, notes)
    employees = tuple(
        builder.build(
            e,
            records.get(e.employee_id, {}),
            self_records.get(e.employee_id),
        )
        for e in people
    )
    alone = tuple(
        builder.build(e, {}, self_records.get(e.employee_id, {}), manager_returned=False)
        for e in self_only
    )
    groups = _Groups(ladder, employees)
    scale = ladder.settings.scale
    calibration = _calibrate(
        employees, scale.maximum, calibration_threshold, calibration_min_scores
    )
    issues = sorted(
        [*result.issues.sorted(), *notes.sorted()], key=lambda i: _SEVERITY_RANK[i.severity]
    )
    return GapReport(
        company=ladder.settings.company,
        cycle=ladder.settings.cycle,
        created=as_of or ladder.settings.created,
        scale_values=scale.values,
        scale_labels=tuple(p.label for p in scale.points),
        account=result.account,
        employees=employees,
        not_returned=tuple(sorted(result.not_returned, key=lambda e: natural_key(e.employee_id))),
        company_stats=groups.stats("company")[0],
        teams=groups.stats("team"),
        families=groups.stats("family"),
        domains=groups.stats("domain"),
        competencies=groups.competency_stats(),
        calibration=calibration,
        calibration_threshold=calibration_threshold,
        calibration_min_scores=calibration_min_scores,
        issues=tuple(issues),
        self_only=alone,
        actions=tuple(a for a in result.actions if a.employee_id in known),
    )


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "E2" before "E10": digit runs compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(text)
        if part
    )


def _unique_employees(employees: list[Employee], notes: IssueLog) -> list[Employee]:
    seen: dict[str, Employee] = {}
    for employee in employees:
        if employee.employee_id in seen:
            notes.warning(
                "gap-duplicate-employee",
                f"Employee {employee.employee_id} appears more than once in the returned "
                "workbooks; the first one is used.",
                file=employee.source,
            )
            continue
        seen[employee.employee_id] = employee
    return sorted(seen.values(), key=lambda e: natural_key(e.employee_id))


def _records_by_employee(
    records: list[ScoreRecord], known: set[str], notes: IssueLog
) -> dict[str, dict[str, ScoreRecord]]:
    by_employee: dict[str, dict[str, ScoreRecord]] = {}
    unknown: dict[str, ScoreRecord] = {}
    for record in records:
        if record.employee_id not in known:
            unknown.setdefault(record.employee_id, record)
            continue
        scores = by_employee.setdefault(record.employee_id, {})
        kept = scores.get(record.competency_id)
        if kept is None:
            scores[record.competency_id] = record
            continue
        if MISSING not in (kept.status, record.status):
            notes.warning(
                "gap-duplicate-score",
                f"Employee {record.employee_id} has two scores for {record.competency_id} "
                f"(also at {kept.file} › {kept.sheet}!{kept.cell}); the accepted one, or "
                "else the first, is used.",
                file=record.file,
                sheet=record.sheet,
                cell=record.cell,
            )
        if _STATUS_RANK[record.status] < _STATUS_RANK[kept.status]:
            scores[record.competency_id] = record
    for employee_id, record in unknown.items():
        notes.warning(
            "gap-score-unknown-employee",
            f"Scores for employee {employee_id}, who is not among the evaluated employees, "
            "were left out of the gaps.",
            file=record.file,
            sheet=record.sheet,
        )
    return by_employee


class _EmployeeBuilder:
    """Turns one employee and their records into an ``EmployeeGaps`` (ladder look-ups cached)."""

    def __init__(self, ladder: Ladder, notes: IssueLog):
        self.ladder = ladder
        self.settings = ladder.settings
        self.notes = notes
        self._order = {c.competency_id: i for i, c in enumerate(ladder.competencies)}
        self._labels = {c.competency_id: (c.name, c.domain) for c in ladder.competencies}

    def target(self, employee: Employee) -> str | None:
        if employee.target_level:
            if self.settings.level(employee.target_level) is None:
                self.notes.warning(
                    "gap-unknown-target-level",
                    f"{employee.label}: target level "
                    f"'{employee.target_level}' is not a level in the settings; readiness for "
                    "the next level is not computed.",
                    file=employee.source,
                )
                return None
            return employee.target_level
        spec = self.settings.next_level(employee.level)
        return spec.code if spec else None

    def build(
        self,
        employee: Employee,
        records: dict[str, ScoreRecord],
        self_records: dict[str, ScoreRecord] | None = None,
        *,
        manager_returned: bool = True,
    ) -> EmployeeGaps:
        """``self_records``: the person's self-assessment (None: none came back)."""
        ladder = self.ladder
        own = self_records or {}
        family_id, track, level = employee.family_id, employee.track, employee.level
        if not ladder.rows(family_id, track, level):
            self.notes.warning(
                "gap-no-expectations",
                f"{employee.label}: the ladder has no expectations for "
                f"family '{family_id}', track {track}, level {level}; no gaps computed.",
                file=employee.source,
            )
        target = self.target(employee)
        target_track = ladder.track_of(target) if target else None
        scopes = dict.fromkeys(ladder.competency_ids(family_id, track), SCOPE_TRACK)
        if target_track and target_track != track:
            for competency_id in ladder.competency_ids(family_id, target_track):
                scopes.setdefault(competency_id, SCOPE_TARGET)
        unlisted = sorted(
            # a self score off the person's tracks gets a row of its own only when there is no
            # manager's sheet: it must not add a "missing" manager score to their counts
            {c for c in (*records, *(() if manager_returned else own)) if c not in scopes},
            key=lambda c: (self._order.get(c, len(self._order)), c),
        )
        for competency_id in unlisted:
            scopes[competency_id] = SCOPE_UNLISTED
            record = records.get(competency_id)
            if record is not None and record.status != MISSING:  # ingest warned of self ones
                self.notes.warning(
                    "gap-score-not-in-ladder",
                    f"{employee.label} has a score for "
                    f"'{competency_id}', which the ladder does not expect at {level}; it is "
                    "listed without expectations.",
                    file=record.file,
                    sheet=record.sheet,
                    cell=record.cell,
                )
        rows = tuple(
            self.row(employee, target, target_track, competency_id, scope, records, own)
            for competency_id, scope in scopes.items()
        )
        gaps = self.summarise(employee, target, target_track, rows)
        if self_records is None and manager_returned:
            return gaps
        expected = [r for r in rows if r.expected_now is not None or r.expected_next is not None]
        rated = [r for r in expected if r.self_score is not None]
        return replace(
            gaps,
            self_assessed=self_records is not None,
            self_coverage=len(rated) / len(expected) if expected and self_records else None,
            self_differences=sum(1 for r in rows if r.self_differs),
            manager_returned=manager_returned,
        )

    def row(
        self,
        employee: Employee,
        target: str | None,
        target_track: str | None,
        competency_id: str,
        scope: str,
        records: dict[str, ScoreRecord],
        self_records: dict[str, ScoreRecord],
    ) -> GapRow:
        ladder = self.ladder
        family_id = employee.family_id
        now = ladder.expectation(family_id, employee.track, employee.level, competency_id)
        nxt = (
            ladder.expectation(family_id, target_track, target, competency_id)
            if target and target_track
            else None
        )
        record = records.get(competency_id)
        status = record.status if record else MISSING
        score = record.score if record and status == ACCEPTED else None
        if status == ACCEPTED and score is None:  # defensive: an accepted blank is a blank
            status = MISSING
        expected_now = now.expected if now else None
        expected_next = nxt.expected if nxt else None
        both = score is not None
        name, domain = self.label(competency_id, now, nxt)
        return GapRow(
            employee_id=employee.employee_id,
            competency_id=competency_id,
            competency=name,
            domain=domain,
            scope=scope,
            status=status,
            score=score,
            expected_now=expected_now,
            expected_next=expected_next,
            gap_now=max(0, expected_now - score) if both and expected_now is not None else None,
            gap_next=max(0, expected_next - score) if both and expected_next is not None else None,
            surplus=max(0, score - expected_now) if both and expected_now is not None else None,
            importance=_importance(nxt, now),
            evidence=record.evidence if record else "",
            raw=record.raw if record else "",
            file=record.file if record else "",
            sheet=record.sheet if record else "",
            cell=record.cell if record else "",
            self_score=_self_score(self_records.get(competency_id)),
        )

    def label(self, competency_id: str, *rows: Expectation | None) -> tuple[str, str]:
        """Name and domain: the ladder's competency, else the expectation rows' copy."""
        name, domain = self._labels.get(competency_id, ("", ""))
        if not name:
            name = next((r.competency for r in rows if r and r.competency), competency_id)
        if not domain:
            domain = next((r.domain for r in rows if r and r.domain), "")
        return name, domain

    def summarise(
        self,
        employee: Employee,
        target: str | None,
        target_track: str | None,
        rows: tuple[GapRow, ...],
    ) -> EmployeeGaps:
        now_rows = [r for r in rows if r.gap_now is not None]
        next_rows = [r for r in rows if r.gap_next is not None]
        expected = [r for r in rows if r.expected_now is not None or r.expected_next is not None]
        scored = [r for r in expected if r.status == ACCEPTED]
        coverage = len(scored) / len(expected) if expected else None
        complete = coverage is not None and coverage >= COVERAGE_MIN
        meets = all(r.gap_now == 0 for r in now_rows) if now_rows and complete else None
        readiness = weighted = None
        if next_rows and complete:
            met = [r for r in next_rows if r.gap_next == 0]
            readiness = len(met) / len(next_rows)
            weighted = sum(r.weight for r in met) / sum(r.weight for r in next_rows)
        ranked = sorted(
            (r for r in next_rows if r.gap_next),
            key=lambda r: (-(r.gap_next or 0), -r.weight, r.competency.casefold(), r.competency_id),
        )
        priorities = []
        for row in ranked[:PRIORITY_COUNT]:
            action = (
                self.ladder.action_for(row.competency_id, target, employee.family_id)
                if target
                else None
            )
            priorities.append(
                Priority(
                    competency_id=row.competency_id,
                    competency=row.competency,
                    gap_next=row.gap_next or 0,
                    importance=row.importance,
                    action=action.action if action else None,
                    action_band=action.band if action else "",
                    evidence=row.evidence,
                )
            )
        family = self.ladder.family(employee.family_id)
        return EmployeeGaps(
            employee_id=employee.employee_id,
            name=employee.name,
            manager_id=employee.manager_id,
            manager_name=employee.manager_name,
            family_id=employee.family_id,
            family=family.name if family else employee.family_id,
            track=employee.track,
            level=employee.level,
            title=self.ladder.title(employee.family_id, employee.level),
            target_level=target,
            target_track=target_track,
            target_title=self.ladder.title(employee.family_id, target) if target else "",
            competencies=rows,
            scored=sum(1 for r in rows if r.status == ACCEPTED),
            missing=sum(1 for r in rows if r.status == MISSING),
            rejected=sum(1 for r in rows if r.status == REJECTED),
            coverage=coverage,
            meets_level=meets,
            readiness_next=readiness,
            readiness_next_weighted=weighted,
            priorities=tuple(priorities),
        )


def _self_score(record: ScoreRecord | None) -> int | None:
    """A self-assessment record's score when accepted (its rejections are ingest's errors)."""
    if record is None or record.status != ACCEPTED:
        return None
    return record.score


def _importance(*rows: Expectation | None) -> float | None:
    return next((r.onet_im for r in rows if r is not None and r.onet_im is not None), None)


class _Accumulator:
    """Running sums for one group; ``ready``/``meets`` track each employee within the group."""

    __slots__ = (
        "employees",
        "gap_next",
        "gap_next_n",
        "gap_now",
        "gap_now_n",
        "incomplete",
        "meets",
        "ready",
        "score",
        "score_n",
        "values",
    )

    def __init__(self, scale_values: tuple[int, ...]):
        self.employees: set[str] = set()
        self.score = self.gap_now = self.gap_next = 0.0
        self.score_n = self.gap_now_n = self.gap_next_n = 0
        self.values = dict.fromkeys(scale_values, 0)
        # employee → "still meets/ready" (False once one scored row misses)
        self.meets: dict[str, bool] = {}
        self.ready: dict[str, bool] = {}
        self.incomplete: set[str] = set()

    def add(self, row: GapRow) -> None:
        employee_id = row.employee_id
        self.employees.add(employee_id)
        if row.score is not None:
            self.score += row.score
            self.score_n += 1
            if row.score in self.values:
                self.values[row.score] += 1
        if row.gap_now is not None:
            self.gap_now += row.gap_now
            self.gap_now_n += 1
            self.meets[employee_id] = self.meets.get(employee_id, True) and row.gap_now == 0
        if row.gap_next is not None:
            self.gap_next += row.gap_next
            self.gap_next_n += 1
            self.ready[employee_id] = self.ready.get(employee_id, True) and row.gap_next == 0

    def merge(self, other: _Accumulator) -> None:
        """Fold in another group's sums (one employee's, so rows are walked once, not thrice)."""
        self.employees |= other.employees
        self.score += other.score
        self.score_n += other.score_n
        self.gap_now += other.gap_now
        self.gap_now_n += other.gap_now_n
        self.gap_next += other.gap_next
        self.gap_next_n += other.gap_next_n
        for value, count in other.values.items():
            self.values[value] += count
        self.meets.update(other.meets)  # employees are disjoint across merged partials
        self.ready.update(other.ready)
        self.incomplete |= other.incomplete

    def stats(self, kind: str, key: str, label: str) -> GroupStats:
        return GroupStats(
            kind=kind,
            key=key,
            label=label,
            employees=len(self.employees),
            scores=self.score_n,
            mean_score=_mean(self.score, self.score_n),
            mean_gap_now=_mean(self.gap_now, self.gap_now_n),
            mean_gap_next=_mean(self.gap_next, self.gap_next_n),
            distribution={str(v): n for v, n in self.values.items()},
            meets_level=sum(self.meets.values()),
            ready_next=sum(self.ready.values()),
            incomplete=len(self.incomplete),
        )


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


class _Groups:
    """One pass over every row into company, team, family, domain and heatmap accumulators."""

    def __init__(self, ladder: Ladder, employees: tuple[EmployeeGaps, ...]):
        self.ladder = ladder
        self.scale = ladder.settings.scale.values
        self.groups: dict[tuple[str, str], _Accumulator] = {}
        self.labels: dict[tuple[str, str], str] = {}
        self.cells: dict[tuple[str, str], _Accumulator] = {}
        self.cell_info: dict[tuple[str, str], tuple[str, str, str]] = {}
        domains = [c.domain for c in ladder.competencies]
        self.domain_order = {d: domains.index(d) for d in domains}
        for employee in employees:
            keys = [
                ("company", ""),
                ("team", employee.manager_id),
                ("family", employee.family_id),
            ]
            self.labels.setdefault(keys[1], employee.manager_name or employee.manager_id)
            self.labels.setdefault(keys[2], employee.family)
            partial = _Accumulator(self.scale)
            partial.employees.add(employee.employee_id)
            for row in employee.competencies:
                partial.add(row)
                self._group(self.groups, ("domain", row.domain)).add(row)
                cell = (employee.family_id, row.competency_id)
                if cell not in self.cells:
                    self.cell_info[cell] = (employee.family, row.competency, row.domain)
                self._group(self.cells, cell).add(row)
            # a person counts once, by their own verdict (coverage rule included)
            partial.meets = {employee.employee_id: employee.meets_level is True}
            partial.ready = {employee.employee_id: employee.ready_next}
            if not employee.complete:
                partial.incomplete.add(employee.employee_id)
            for key in keys:
                self._group(self.groups, key).merge(partial)
        self._group(self.groups, ("company", ""))

    def _group(
        self, groups: dict[tuple[str, str], _Accumulator], key: tuple[str, str]
    ) -> _Accumulator:
        accumulator = groups.get(key)
        if accumulator is None:
            accumulator = groups[key] = _Accumulator(self.scale)
        return accumulator

    def stats(self, kind: str) -> tuple[GroupStats, ...]:
        keys = [k for k in self.groups if k[0] == kind]
        if kind == "team":
            keys.sort(key=lambda k: (self.labels[k].casefold(), k[1]))
        elif kind == "family":
            keys.sort(key=lambda k: (self._family_rank(k[1]), k[1]))
        elif kind == "domain":
            keys.sort(key=lambda k: (self.domain_order.get(k[1], len(self.domain_order)), k[1]))
        out = []
        for key in keys:
            label = self.labels.get(key) or key[1]
            if kind == "company":
                label = self.ladder.settings.company
            elif not label:
                label = "(none)"
            out.append(self.groups[key].stats(kind, key[1], label))
        return tuple(out)

    def _family_rank(self, family_id: str) -> int:
        ids = [f.family_id for f in self.ladder.families]
        return ids.index(family_id) if family_id in ids else len(ids)

    def competency_stats(self) -> tuple[CompetencyStats, ...]:
        order = {c.competency_id: i for i, c in enumerate(self.ladder.competencies)}
        keys = sorted(
            self.cells,
            key=lambda k: (self._family_rank(k[0]), k[0], order.get(k[1], len(order)), k[1]),
        )
        out = []
        for key in keys:
            stats = self.cells[key].stats("cell", "", "")
            family, competency, domain = self.cell_info[key]
            out.append(
                CompetencyStats(
                    family_id=key[0],
                    family=family,
                    competency_id=key[1],
                    competency=competency,
                    domain=domain,
                    scores=stats.scores,
                    mean_score=stats.mean_score,
                    mean_gap_now=stats.mean_gap_now,
                    mean_gap_next=stats.mean_gap_next,
                )
            )
        return tuple(out)


def _calibrate(
    employees: tuple[EmployeeGaps, ...], top: int, threshold: float, min_scores: int
) -> tuple[ManagerCalibration, ...]:
    """Each manager against everyone else on the same (family, competency) pairs."""
    names: dict[str, str] = {}
    team_sizes: dict[str, int] = {}
    scores: dict[str, list[int]] = {}
    # (manager, pair) and pair → [count, sum of scores, sum of (score - expected_now)]
    by_manager: dict[tuple[str, tuple[str, str]], list[float]] = {}
    by_pair: dict[tuple[str, str], list[float]] = {}
    for employee in employees:
        manager = employee.manager_id
        names.setdefault(manager, employee.manager_name or manager or "(none)")
        team_sizes[manager] = team_sizes.get(manager, 0) + 1
        scores.setdefault(manager, [])
        for row in employee.competencies:
            if row.scope != SCOPE_TRACK or row.score is None or row.expected_now is None:
                continue
            scores[manager].append(row.score)
            pair = (employee.family_id, row.competency_id)
            adjusted = row.score - row.expected_now
            for sums, key in ((by_manager, (manager, pair)), (by_pair, pair)):
                totals = sums.get(key)
                if totals is None:
                    sums[key] = [1, row.score, adjusted]
                else:
                    totals[0] += 1
                    totals[1] += row.score
                    totals[2] += adjusted
    raw: dict[str, float] = {}
    adjusted_total: dict[str, float] = {}
    compared: dict[str, int] = {}
    for (manager, pair), (count, score_sum, adjusted_sum) in by_manager.items():
        total_count, total_score, total_adjusted = by_pair[pair]
        others = total_count - count
        if not others:
            continue
        # Σ over the manager's rows of (value - others' mean) = Σvalue - count · others' mean
        raw_sum = score_sum - count * (total_score - score_sum) / others
        raw[manager] = raw.get(manager, 0.0) + raw_sum
        adjusted_total[manager] = (
            adjusted_total.get(manager, 0.0)
            + adjusted_sum
            - count * (total_adjusted - adjusted_sum) / others
        )
        compared[manager] = compared.get(manager, 0) + int(count)
    out = []
    for manager in sorted(names, key=lambda m: (names[m].casefold(), m)):
        values = scores[manager]
        n = compared.get(manager, 0)
        adjusted = adjusted_total[manager] / n if n else None
        # rounded so that an offset of exactly the threshold is not flagged by float noise
        flagged = n >= min_scores and adjusted is not None and round(abs(adjusted), 9) > threshold
        mean = sum(values) / len(values) if values else None
        out.append(
            ManagerCalibration(
                manager_id=manager,
                manager_name=names[manager],
                employees=team_sizes[manager],
                scores=len(values),
                mean_score=mean,
                spread=math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
                if mean is not None
                else None,
                share_top=sum(1 for v in values if v == top) / len(values) if values else None,
                compared=n,
                raw_offset=raw[manager] / n if n else None,
                adjusted_offset=adjusted,
                flagged=flagged,
                direction=(LENIENT if (adjusted or 0) > 0 else SEVERE) if flagged else "",
            )
        )
    return tuple(out)
