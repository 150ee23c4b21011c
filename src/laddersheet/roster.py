"""The roster: who is evaluated, by whom, in which family, track and level."""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

from .errors import EmptyRosterError, InputError, RosterError
from .ladder import Ladder
from .settings import TRACK_IC, TRACK_MANAGER, LevelSpec
from .sheetio import UnreadableWorkbook, read_workbook

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


# --- Reading a roster --------------------------------------------------------------------------

_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
_TEXT_SUFFIXES = {".csv", ".txt"}
_ROSTER_SHEET = "roster"  # the master workbook's roster sheet, compared case-insensitively
_HEADER_SEARCH_ROWS = 10  # a title or note may sit above the header row
_TRACK_NAMES = {TRACK_IC.casefold(): TRACK_IC, TRACK_MANAGER.casefold(): TRACK_MANAGER}


def read_roster(path: Path, ladder: Ladder) -> list[Employee]:
    """Read and validate a roster (CSV with ``,`` or ``;``, or a workbook's "Roster" sheet).

    Every problem is collected and raised as one ``RosterError`` naming file and row, so HR can
    fix the whole file in one pass. Rules worth knowing:

    * headers ignore case, spaces, hyphens and underscores ("Employee ID" is employee_id);
      extra columns are ignored;
    * level and track are case-insensitive (``l3`` → ``L3``), and the track must be the level's;
    * ``manager_id`` may be blank only for a top person: someone who manages others in the
      roster and is not scored in this cycle. Anyone else with no manager would silently get no
      scoring sheet, so it is an error. A manager missing from the roster is fine when
      ``manager_name`` says who they are (their workbook is named after them).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Roster {path} not found.")
    label, rows = _read_rows(path)
    return _RosterChecker(label, ladder).employees(rows)


def _read_rows(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """A label for messages ("roster.csv", "master.xlsx › Roster") and (row number, cells)."""
    suffix = path.suffix.lower()
    if suffix in _SPREADSHEET_SUFFIXES:
        return _workbook_rows(path)
    if suffix in _TEXT_SUFFIXES:
        return path.name, _csv_rows(path)
    raise RosterError(
        f"{path.name}: a roster must be a .csv, .xlsx, .xlsm or .ods file, got '{path.suffix}'."
    )


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # also plain UTF-8; drops Excel's BOM
    except UnicodeDecodeError:
        raise RosterError(
            f"{path.name}: not UTF-8 text. In Excel use 'Save As → CSV UTF-8', then try again."
        ) from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Excel in many European locales saves CSV with ';' because ',' is the decimal separator.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as error:
        raise RosterError(
            f"{path.name} row {reader.line_num}: not readable as CSV ({error})."
        ) from None


def _workbook_rows(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    try:
        book = read_workbook(path)
    except UnreadableWorkbook as error:
        raise RosterError(f"{path.name}: cannot read the roster: {error.issue.message}") from None
    sheets = [s for s in book.sheets if s.name.strip().casefold() == _ROSTER_SHEET]
    sheets = sheets or [s for s in book.sheets if s.visible] or book.sheets
    if not sheets:
        raise RosterError(f"{path.name}: the workbook has no sheets.")
    rows = [
        (number, [_cell_text(value) for value in row])
        for number, row in enumerate(sheets[0].rows, start=1)
    ]
    return f"{path.name} › {sheets[0].name}", rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids typed as numbers come back as 1001.0
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    """Trim and collapse every run of whitespace (including non-breaking spaces) to one space."""
    # control characters (pasted from other systems) are invalid in sheet names and XML
    return " ".join(_CONTROL.sub("", text).split())


def _header_key(text: str) -> str:
    """A loose header key: "Employee ID" and "employee_id" → "employeeid", "E-mail" → "email"."""
    return re.sub(r"[\s\-_]+", "", text.casefold())


_COLUMN_KEYS = {_header_key(c): c for c in ROSTER_COLUMNS}


class _RosterChecker:
    def __init__(self, file_name: str, ladder: Ladder):
        self.file_name = file_name
        self.ladder = ladder
        self.settings = ladder.settings
        self.problems: list[str] = []
        self.families = {f.family_id.casefold(): f.family_id for f in ladder.families}
        self.levels = {lv.code.casefold(): lv for lv in self.settings.levels}
        self.seen_ids: set[str] = set()
        self.seen_managers: set[str] = set()

    def where(self, number: int) -> str:
        return f"{self.file_name} row {number}"

    def problem(self, number: int, message: str) -> None:
        self.problems.append(f"{self.where(number)}: {message}")

    def fail(self) -> RosterError:
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return RosterError(f"{self.file_name}: {len(self.problems)} roster {noun}:\n{lines}")

    def employees(self, rows: list[tuple[int, list[str]]]) -> list[Employee]:
        filled = [(number, row) for number, row in rows if any(_clean(c) for c in row)]
        if not filled:
            raise RosterError(f"{self.file_name}: the roster is empty (no header, no rows).")
        header_at = self.header_index(filled)
        header_number, header = filled[header_at]
        columns = self.columns(header_number, header)
        if self.problems:
            raise self.fail()
        employees: list[Employee] = []
        first_row: dict[str, int] = {}
        for number, row in filled[header_at + 1 :]:
            values = {
                name: _clean(row[index]) if index < len(row) else ""
                for name, index in columns.items()
            }
            if not any(values.values()):
                continue  # only extra columns filled (e.g. the master's check column)
            # Rows with problems still count as managers/ids, so one bad row does not cause
            # knock-on complaints about the people around it.
            self.seen_ids.add(values["employee_id"])
            self.seen_managers.add(values["manager_id"])
            employee = self.employee(number, values)
            if employee is None:
                continue
            if employee.employee_id in first_row:
                self.problem(
                    number,
                    f"duplicate employee_id '{employee.employee_id}' "
                    f"(first on row {first_row[employee.employee_id]})",
                )
                continue
            first_row[employee.employee_id] = number
            employees.append(employee)
        if not employees and not self.problems:
            raise EmptyRosterError(
                f"{self.file_name}: the roster has a header row but no employees yet: add one row "
                "per person to evaluate."
            )
        employees = self.check_managers(employees, first_row)
        if self.problems:
            raise self.fail()
        return employees

    def header_index(self, filled: list[tuple[int, list[str]]]) -> int:
        for index, (_, row) in enumerate(filled[:_HEADER_SEARCH_ROWS]):
            if _header_key("employee_id") in {_header_key(cell) for cell in row}:
                return index
        return 0

    def columns(self, number: int, header: list[str]) -> dict[str, int]:
        columns: dict[str, int] = {}
        unknown: list[str] = []
        for index, cell in enumerate(header):
            key = _COLUMN_KEYS.get(_header_key(cell))
            if key is not None:
                if key in columns:
                    self.problem(number, f"column '{key}' appears twice")
                columns.setdefault(key, index)
            elif _clean(cell):
                unknown.append(_clean(cell))
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            found = f"; unrecognised: {', '.join(unknown)}" if unknown else ""
            self.problem(
                number,
                f"missing column(s) {', '.join(missing)}. Expected headers: "
                f"{', '.join(ROSTER_COLUMNS)} (target_level is optional){found}",
            )
        return columns

    def employee(self, number: int, values: dict[str, str]) -> Employee | None:
        before = len(self.problems)
        employee_id = values["employee_id"]
        if not employee_id:
            self.problem(number, "employee_id is blank")
        if not values["name"]:
            self.problem(number, "name is blank")
        family_id = self.family(number, values["family_id"])
        level = self.level(number, "level", values["level"])
        track = self.track(number, values["track"], level)
        if family_id and level and track and not self.ladder.rows(family_id, track, level.code):
            self.problem(number, f"the ladder has no expectations for {family_id} {level.code}")
        target = self.target(number, values.get("target_level", ""), level, family_id)
        if employee_id and values["manager_id"] == employee_id:
            self.problem(number, f"'{employee_id}' is their own manager (manager_id)")
        if len(self.problems) > before or level is None or track is None:
            return None
        return Employee(
            employee_id=employee_id,
            name=values["name"],
            email=values["email"],
            manager_id=values["manager_id"],
            manager_name=values["manager_name"],
            family_id=family_id,
            track=track,
            level=level.code,
            target_level=target.code if target else None,
            source=self.where(number),
        )

    def family(self, number: int, text: str) -> str:
        if not text:
            self.problem(number, "family_id is blank")
            return ""
        found = self.families.get(text.casefold())
        if found is None:
            known = sorted(self.families.values())
            close = difflib.get_close_matches(text.casefold(), list(self.families), n=1)
            hint = f"did you mean '{self.families[close[0]]}'? " if close else ""
            self.problem(number, f"unknown family '{text}' ({hint}known: {', '.join(known)})")
            return ""
        return found

    def level(self, number: int, column: str, text: str) -> LevelSpec | None:
        if not text:
            self.problem(number, f"{column} is blank")
            return None
        spec = self.levels.get(text.casefold())
        if spec is None:
            known = ", ".join(lv.code for lv in self.settings.levels)
            self.problem(number, f"unknown {column} '{text}' (known: {known})")
        return spec

    def track(self, number: int, text: str, level: LevelSpec | None) -> str | None:
        track = _TRACK_NAMES.get(text.casefold())
        if track is None:
            shown = f"'{text}'" if text else "blank"
            self.problem(number, f"track must be IC or M, got {shown}")
            return None
        if level is not None and level.track != track:
            self.problem(
                number, f"track {track} does not match level {level.code} (a {level.track} level)"
            )
            return None
        return track

    def target(
        self, number: int, text: str, level: LevelSpec | None, family_id: str
    ) -> LevelSpec | None:
        if not text:
            return None
        target = self.level(number, "target_level", text)
        if target is None or level is None:
            return None
        if target.track == level.track:
            codes = [lv.code for lv in self.settings.track_levels(level.track)]
            if codes.index(target.code) <= codes.index(level.code):
                self.problem(number, f"target_level {target.code} is not above level {level.code}")
                return None
        elif family_id and not self.ladder.rows(family_id, target.track, target.code):
            self.problem(number, f"the ladder has no expectations for {family_id} {target.code}")
            return None
        return target

    def check_managers(
        self, employees: list[Employee], first_row: dict[str, int]
    ) -> list[Employee]:
        by_id = {e.employee_id: e for e in employees}
        checked: list[Employee] = []
        for employee in employees:
            number = first_row[employee.employee_id]
            if not employee.manager_id:
                if employee.employee_id not in self.seen_managers:
                    self.problem(
                        number,
                        "manager_id is blank: only the top of the roster (someone who manages "
                        "others in it) may have no manager; fill in who scores "
                        f"'{employee.employee_id}'",
                    )
                checked.append(employee)
                continue
            manager = by_id.get(employee.manager_id)
            if manager is not None and not employee.manager_name:
                employee = replace(employee, manager_name=manager.name)
            elif (
                manager is None
                and not employee.manager_name
                and employee.manager_id not in self.seen_ids
            ):
                self.problem(
                    number,
                    f"manager_name is blank and manager '{employee.manager_id}' is not in the "
                    "roster: fill in the manager's name (it names their scoring workbook)",
                )
            checked.append(employee)
        for cycle in _manager_cycles(by_id):
            rows = ", ".join(str(first_row[e]) for e in cycle)
            chain = " → ".join([*cycle, cycle[0]])
            self.problems.append(f"{self.file_name} rows {rows}: manager cycle {chain}")
        return checked


def _manager_cycles(by_id: dict[str, Employee]) -> list[list[str]]:
    """Every loop in the manager chains (A → B → A), each reported once, in row order."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in by_id:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current in by_id and current not in done:
            if current in on_path:
                cycles.append(path[path.index(current) :])
                break
            path.append(current)
            on_path.add(current)
            current = by_id[current].manager_id or None
        done.update(path)
    return cycles
