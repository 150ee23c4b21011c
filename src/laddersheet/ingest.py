"""Ingest: read the scoring workbooks managers return, validate every cell, keep every score.

Every non-empty Score cell ends as exactly one ``ScoreRecord`` whose status is "accepted" or
"rejected" (with an Issue saying why); blank cells are "missing". Nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .issues import IssueLog
from .roster import Employee

ACCEPTED = "accepted"
REJECTED = "rejected"
MISSING = "missing"


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

    def line(self) -> str:
        return (
            f"{self.files} files, {self.employees} employees, {self.accepted} scores accepted, "
            f"{self.rejected} rejected, {self.missing} missing"
        )


@dataclass
class IngestResult:
    employees: list[Employee]  # everyone with a returned sheet, in a stable order
    records: list[ScoreRecord]
    issues: IssueLog = field(default_factory=IssueLog)
    files: list[str] = field(default_factory=list)  # every input file looked at, readable or not
    not_returned: list[Employee] = field(default_factory=list)  # roster members with no sheet

    @property
    def account(self) -> Account:
        count = {ACCEPTED: 0, REJECTED: 0, MISSING: 0}
        for record in self.records:
            count[record.status] += 1
        return Account(
            files=len(self.files),
            employees=len(self.employees),
            accepted=count[ACCEPTED],
            rejected=count[REJECTED],
            missing=count[MISSING],
        )
