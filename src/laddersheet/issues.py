"""Problems found in data are values, not exceptions.

Readers of workbooks and rosters collect ``Issue`` values in an ``IssueLog`` so that one run
reports everything at once; whether a run "failed" is a property of the log
(``has_errors``), which the CLI turns into the exit code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the data could not be used as given: the run is not clean
    WARNING = "warning"  # used, but a person should look at it
    INFO = "info"  # how something was read (for the record, never a problem)


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Severity
    code: str  # stable, kebab-case, documented in the README (e.g. "score-out-of-range")
    message: str  # says what was found, what is allowed and how to fix it
    file: str = ""
    sheet: str = ""
    cell: str = ""

    @property
    def location(self) -> str:
        where = self.file
        if self.sheet:
            where += f" › {self.sheet}" if where else self.sheet
        if self.cell:
            where += f"!{self.cell}"
        return where

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        return f"{self.severity.value}: {prefix}{self.message} [{self.code}]"

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


@dataclass
class IssueLog:
    issues: list[Issue] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
    ) -> Issue:
        issue = Issue(severity, code, message, file=file, sheet=sheet, cell=cell)
        self.issues.append(issue)
        return issue

    def error(self, code: str, message: str, **where: str) -> Issue:
        return self.add(Severity.ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where: str) -> Issue:
        return self.add(Severity.WARNING, code, message, **where)

    def info(self, code: str, message: str, **where: str) -> Issue:
        return self.add(Severity.INFO, code, message, **where)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    def flatten(
        self, fields: Sequence[str] = ("severity", "code", "sheet", "cell")
    ) -> list[list[str]]:
        """One row per issue with the chosen fields: one dense assertion per test fixture."""
        return [[str(getattr(issue, name)) for name in fields] for issue in self.issues]

    def sorted(self) -> list[Issue]:
        """Deterministic order for reports: file, sheet, cell, then code."""
        return sorted(self.issues, key=lambda i: (i.file, i.sheet, _cell_key(i.cell), i.code))


def _cell_key(cell: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
