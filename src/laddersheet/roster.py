"""The roster: who is evaluated, by whom, in which family, track and level."""

from __future__ import annotations

from dataclasses import dataclass

ROSTER_COLUMNS = (
    "employee_id",
    "name",
    "email",
    "manager_id",
    "manager_name",
    "family_id",
    "track",
    "level",
    "target_level",
)
REQUIRED_COLUMNS = ROSTER_COLUMNS[:-1]


@dataclass(frozen=True, slots=True)
class Employee:
    employee_id: str
    name: str
    email: str
    manager_id: str
    manager_name: str
    family_id: str
    track: str  # "IC" | "M"
    level: str
    target_level: str | None  # None: the next level up the track (none at the top)
    source: str = ""  # where the row came from, e.g. "roster.csv row 7"
