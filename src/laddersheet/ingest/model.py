"""What ingest gives: every score cell read as a ``ScoreRecord``, the run's ``IngestResult``
and its ``Account`` (the one line that says what was read)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..actions import ActionReview, AgreedAction
from ..issues import IssueLog
from ..roster import Employee
from .cells import ACCEPTED, MISSING, REJECTED


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    employee_id: str
    competency_id: str
    score: int | None  # None unless accepted
    status: str  # ACCEPTED | REJECTED | MISSING
    raw: str  # the cell as found, for the record ("3 - Proficient", "=A1", "")
    evidence: str  # full text, never cut here
    file: str
    sheet: str
    cell: str  # A1 reference of the Score cell


@dataclass(frozen=True, slots=True)
class Account:
    files: int
    employees: int
    accepted: int
    rejected: int
    missing: int

    not_returned: int = 0  # people sent a sheet whose sheet did not come back
    # Self-assessments, counted apart: the figures above are the managers' scores.
    self_accepted: int = 0
    self_rejected: int = 0
    self_missing: int = 0

    def line(self) -> str:
        line = (
            f"{self.files} files, {self.employees} employees, {self.accepted} scores accepted, "
            f"{self.rejected} rejected, {self.missing} missing"
        )
        if self.not_returned:
            line += f", {self.not_returned} not returned"
        if self.self_accepted or self.self_rejected:
            line += f", {self.self_accepted} self-assessment scores"
            if self.self_rejected:
                line += f" ({self.self_rejected} rejected)"
        return line


@dataclass
class IngestResult:
    employees: list[Employee]  # everyone with a returned sheet, in a stable order
    records: list[ScoreRecord]
    issues: IssueLog = field(default_factory=IssueLog)
    files: list[str] = field(default_factory=list)  # every input file looked at, readable or not
    not_returned: list[Employee] = field(default_factory=list)  # roster members with no sheet
    # Self-assessments: everyone whose own sheet came back, and their scores, apart from the
    # managers' (``employees``/``records``), which alone give gaps, readiness and calibration.
    self_employees: list[Employee] = field(default_factory=list)
    self_records: list[ScoreRecord] = field(default_factory=list)
    # The development-plan blocks: actions agreed this cycle (in the people's order), and what
    # the sheets say of actions agreed in earlier cycles (matched to the history by main).
    actions: list[AgreedAction] = field(default_factory=list)
    reviews: list[ActionReview] = field(default_factory=list)

    @property
    def account(self) -> Account:
        count = {ACCEPTED: 0, REJECTED: 0, MISSING: 0}
        for record in self.records:
            count[record.status] += 1
        own = {ACCEPTED: 0, REJECTED: 0, MISSING: 0}
        for record in self.self_records:
            own[record.status] += 1
        return Account(
            files=len(self.files),
            employees=len(self.employees),
            accepted=count[ACCEPTED],
            rejected=count[REJECTED],
            missing=count[MISSING],
            not_returned=len(self.not_returned),
            self_accepted=own[ACCEPTED],
            self_rejected=own[REJECTED],
            self_missing=own[MISSING],
        )
