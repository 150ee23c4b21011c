"""The roster: who is evaluated, by whom, in which family, track and level.

A roster is laddersheet's own table (``ROSTER_COLUMNS``, the master's Roster sheet) or an
export from an HR system (BambooHR, HiBob, Personio, Rippling, Gusto, ...) read as it is:
common HRIS headers are recognised (``COLUMN_ALIASES``), others can be mapped
(``parse_column_map``), and family, track and level may be given as the ladder's own words
("Customer Success", "Senior Software Engineer"). Every row problem is collected and raised at
once as one ``RosterError``; what a person should look at but does not stop the run (the person
at the top, who is not scored; a manager outside the roster; a manager's name that disagrees
with the id) becomes a warning ``Issue`` in the log the caller passes.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from .errors import EmptyRosterError, InputError, RosterError
from .issues import IssueLog
from .ladder import Ladder
from .settings import TRACK_IC, TRACK_MANAGER, LevelSpec
from .sheetio import UnreadableWorkbook, read_workbook

# laddersheet's own roster table (the master's Roster sheet, the demo's roster.csv).
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

# Every column the reader knows, with the headers that mean it (compared ignoring case, spaces,
# hyphens and underscores; "#" reads as "number"), most specific first. Sources: the column
# names HRIS tools document (see tests/test_roster.py, one fixture per tool).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "employee_id": (
        "employee_id",
        "employee id",
        "employee number",
        "employee no",
        "employee_id_in_company",
        "worker id",
        "person id",
        "staff id",
        "personnel number",
        "id",
    ),
    "name": (
        "name",
        "full name",
        "employee name",
        "display name",
        "display full name",
        "preferred full name",
    ),
    "first_name": ("first name", "given name", "firstname"),
    "last_name": ("last name", "surname", "family name", "lastname"),
    "preferred_name": ("preferred name", "preferred first name", "nickname"),
    "email": (
        "email",
        "work email",
        "work email address",
        "email address",
        "business email",
        "company email",
    ),
    "manager_id": (
        "manager_id",
        "manager id",
        "manager employee id",
        "manager employee number",
        "supervisor id",
        "supervisor e id",
        "supervisor employee id",
        "supervisor employee number",
        "reports to id",
        "reports_to_id_in_company",
        "manager number",
    ),
    "manager_name": ("manager_name", "manager name", "supervisor name", "reports to name"),
    "manager_email": (
        "manager email",
        "manager work email",
        "supervisor email",
        "reports to email",
    ),
    "manager": ("manager", "reports to", "reporting to", "supervisor", "line manager"),
    "family_id": ("family_id", "family", "job family", "career family"),
    "department": ("department", "department name", "dept"),
    "job_title": ("job title", "title", "position", "position title", "business title", "job"),
    "track": ("track", "career track"),
    "level": ("level", "job level", "career level", "grade", "job grade"),
    "target_level": ("target_level", "target level"),
}
# A work email is preferred over a plain "Email" when an export has both.
_PREFERRED_FIRST = {"email": ("work email", "work email address", "business email")}

_MANAGER_COLUMNS = ("manager_id", "manager_name", "manager_email", "manager")


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

    @property
    def label(self) -> str:
        """How messages name a person: "Ana Ábalos (E101)", or the id alone with no name."""
        return f"{self.name} ({self.employee_id})" if self.name else self.employee_id


def parse_column_map(items: Iterable[str]) -> dict[str, str]:
    """``--map our_column=Their Header`` options → {our column: their header}.

    Raises ``InputError`` naming the option when it is not of that form or names a column
    laddersheet does not know.
    """
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, header = item.partition("=")
        column, header = column.strip(), header.strip()
        if not sep or not column or not header:
            raise InputError(
                f"--map {item!r}: write it as our_column=Their Header, e.g. "
                '--map employee_id="Employee Number".'
            )
        if column not in COLUMN_ALIASES:
            close = difflib.get_close_matches(column, list(COLUMN_ALIASES), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise InputError(
                f"--map {item!r}: '{column}' is not a roster column ({hint}columns: "
                f"{', '.join(COLUMN_ALIASES)})."
            )
        if column in mapping and mapping[column] != header:
            raise InputError(f"--map {column} is given twice ('{mapping[column]}', '{header}').")
        mapping[column] = header
    return mapping


# --- Reading a roster --------------------------------------------------------------------------

_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
_ROSTER_SHEET = "roster"  # the master workbook's roster sheet, compared case-insensitively
_HEADER_SEARCH_ROWS = 10  # a title or note may sit above the header row
_TRACK_WORDS = {
    "ic": TRACK_IC,
    "individual contributor": TRACK_IC,
    "individual": TRACK_IC,
    "m": TRACK_MANAGER,
    "manager": TRACK_MANAGER,
    "management": TRACK_MANAGER,
    "people manager": TRACK_MANAGER,
}


def read_roster(
    path: Path,
    ladder: Ladder,
    *,
    column_map: Mapping[str, str] | None = None,
    issues: IssueLog | None = None,
) -> list[Employee]:
    """Read and validate a roster (CSV or a workbook's "Roster" sheet, or its first sheet).

    ``column_map`` maps our column names to the file's headers (``parse_column_map``); warnings
    go to ``issues``. Every problem is collected and raised as one ``RosterError`` naming file
    and row, so HR can fix the whole file in one pass. The rules are in the README ("The
    roster"); the ones worth knowing here:

    * a header means a column when it is one of ``COLUMN_ALIASES`` (case, spaces, hyphens and
      underscores ignored) or mapped; other columns are ignored;
    * family is an id or a family name, level a code or the ladder's title for the family (which
      also gives the family and track), track IC/M or derived from the level;
    * a manager is found by id, email or name; one that is nobody in the roster is an error,
      unless ``manager_name`` names someone who scores without being scored (a warning);
    * the person at the top (no manager) is not scored: a warning says so.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Roster {path} not found.")
    log = IssueLog()
    label, rows = _read_rows(path, log)
    checker = _RosterChecker(label, ladder, dict(column_map or {}), log)
    employees = checker.employees(rows)
    if issues is not None:
        issues.extend(log)
    return employees


def _read_rows(path: Path, log: IssueLog) -> tuple[str, list[tuple[int, list[str]]]]:
    """A label for messages ("roster.csv", "master.xlsx › Roster") and (row number, cells)."""
    suffix = path.suffix.lower()
    if suffix in _SPREADSHEET_SUFFIXES:
        return _workbook_rows(path)
    if suffix in _TEXT_SUFFIXES:
        return path.name, _csv_rows(path, log)
    raise RosterError(
        f"{path.name}: a roster must be a .csv, .xlsx, .xlsm or .ods file, got '{path.suffix}'."
    )


def _decode(path: Path, log: IssueLog) -> str:
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")  # Excel's "Unicode Text" (tab-separated)
    if b"\x00" in data:
        raise RosterError(
            f"{path.name}: not text (binary data). Save the roster as CSV or .xlsx and try again."
        )
    try:
        return data.decode("utf-8-sig")  # also plain UTF-8; drops Excel's BOM
    except UnicodeDecodeError:
        pass
    # Excel's plain "CSV (Comma delimited)" on Windows saves in the ANSI code page.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    log.warning(
        "roster-encoding",
        "not UTF-8: read as Windows-1252 (Western European). If names look wrong, in Excel use "
        "'Save As → CSV UTF-8' and run again.",
        file=path.name,
    )
    return text


def _csv_rows(path: Path, log: IssueLog) -> list[tuple[int, list[str]]]:
    text = _decode(path, log)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Excel in many European locales saves CSV with ';' because ',' is the decimal separator.
    delimiter = max((",", ";", "\t", "|"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
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
    return re.sub(r"[\s\-_.:]+", "", text.casefold().replace("#", "number"))


def _key(text: str) -> str:
    """A loose value key for names and titles: case, accents, punctuation and spaces ignored."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w&]+", " ", text).split())


_ALIAS_KEYS: dict[str, str] = {}
for _column, _aliases in COLUMN_ALIASES.items():
    for _alias in _aliases:
        _ALIAS_KEYS.setdefault(_header_key(_alias), _column)


def _closest(text: str, choices: Mapping[str, str], n: int = 3) -> list[str]:
    """Up to ``n`` shown values whose keys are nearest to ``text``."""
    found = difflib.get_close_matches(_key(text), list(choices), n=n, cutoff=0.6)
    shown: list[str] = []
    for key in found:
        if choices[key] not in shown:
            shown.append(choices[key])
    return shown


def _closest_text(text: str, choices: Mapping[str, str]) -> str:
    close = _closest(text, choices)
    return f"closest: {', '.join(close)}" if close else "nothing close"


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    employee_id: str = ""
    name: str = ""
    name_keys: set[str] = field(default_factory=set)
    employee: Employee | None = None  # None when the row had problems
    off_ladder: list[str] = field(default_factory=list)  # placement problems of a top row


class _RosterChecker:
    def __init__(self, file_name: str, ladder: Ladder, column_map: dict[str, str], log: IssueLog):
        self.file_name = file_name
        self.ladder = ladder
        self.settings = ladder.settings
        self.column_map = column_map
        self.log = log
        self.problems: list[str] = []
        self.family_keys: dict[str, str] = {}
        for family in ladder.families:
            self.family_keys[_key(family.family_id)] = family.family_id
            self.family_keys.setdefault(_key(family.name), family.family_id)
        self.family_shown = {
            key: f"{fid} ({ladder.family(fid).name})"  # type: ignore[union-attr]
            for key, fid in self.family_keys.items()
        }
        self.levels = {_key(lv.code): lv for lv in self.settings.levels}
        self.titles: dict[str, list[tuple[str, LevelSpec]]] = {}
        self.title_shown: dict[str, str] = {}
        for family in ladder.families:
            for spec in self.settings.levels:
                title = ladder.title(family.family_id, spec.code)
                # "Data Analyst / Analytics Engineer": each half is the title too
                for variant in {title, *(part.strip() for part in title.split(" / "))}:
                    entries = self.titles.setdefault(_key(variant), [])
                    if (family.family_id, spec) not in entries:
                        entries.append((family.family_id, spec))
                    self.title_shown.setdefault(_key(variant), variant)
        self.level_shown = {_key(lv.code): lv.code for lv in self.settings.levels}
        self.level_shown.update(self.title_shown)

    # --- messages -------------------------------------------------------------------------------

    def where(self, number: int) -> str:
        return f"{self.file_name} row {number}"

    def problem(self, number: int, message: str) -> None:
        self.problems.append(f"{self.where(number)}: {message}")

    def warn(self, code: str, number: int, message: str) -> None:
        self.log.warning(code, f"row {number}: {message}", file=self.file_name)

    def fail(self) -> RosterError:
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return RosterError(f"{self.file_name}: {len(self.problems)} roster {noun}:\n{lines}")

    # --- the whole file -------------------------------------------------------------------------

    def employees(self, rows: list[tuple[int, list[str]]]) -> list[Employee]:
        filled = [(number, row) for number, row in rows if any(_clean(c) for c in row)]
        if not filled:
            raise RosterError(f"{self.file_name}: the roster is empty (no header, no rows).")
        header_at = self.header_index(filled)
        header_number, header = filled[header_at]
        candidates = self.columns(header_number, header)
        if self.problems:
            raise self.fail()
        records: list[_Row] = []
        for number, row in filled[header_at + 1 :]:
            values = {
                name: [_clean(row[i]) if i < len(row) else "" for i in indexes]
                for name, indexes in candidates.items()
            }
            if any(v for vs in values.values() for v in vs):
                records.append(_Row(number, {k: v[0] for k, v in values.items()}))
                records[-1].values.update(
                    {f"{k}#{i}": v for k, vs in values.items() for i, v in enumerate(vs)}
                )
        self.pick_manager_columns(records, candidates)
        if not records:
            raise EmptyRosterError(
                f"{self.file_name}: the roster has a header row but no employees yet: add one row "
                "per person to evaluate."
            )
        first_row: dict[str, int] = {}
        for record in records:
            self.identify(record)
        for record in records:
            record.employee = self.employee(record)
            if record.employee is None or not record.employee_id:
                continue
            if record.employee_id in first_row:
                self.problem(
                    record.number,
                    f"duplicate employee_id '{record.employee_id}' "
                    f"(first on row {first_row[record.employee_id]})",
                )
                record.employee = None
                continue
            first_row[record.employee_id] = record.number
        employees = self.check_managers(records)
        if self.problems:
            raise self.fail()
        return employees

    def header_index(self, filled: list[tuple[int, list[str]]]) -> int:
        """The row among the first few with the most recognised (or mapped) headers."""
        mapped = {_header_key(h) for h in self.column_map.values()}
        best, best_count = 0, 0
        for index, (_, row) in enumerate(filled[:_HEADER_SEARCH_ROWS]):
            keys = {_header_key(cell) for cell in row if _clean(cell)}
            count = len(keys & (set(_ALIAS_KEYS) | mapped))
            if count > best_count:
                best, best_count = index, count
        return best

    def columns(self, number: int, header: list[str]) -> dict[str, list[int]]:
        """Our column → the header cells that hold it (several only for a manager's id)."""
        keys = [_header_key(cell) for cell in header]
        shown = [_clean(cell) for cell in header]
        candidates: dict[str, list[int]] = {}
        claimed: set[int] = set()
        for column, wanted in self.column_map.items():
            index = next((i for i, k in enumerate(keys) if k == _header_key(wanted)), None)
            if index is None:
                headers = ", ".join(f"'{h}'" for h in shown if h) or "none"
                self.problem(
                    number,
                    f"--map {column}='{wanted}': no such header in the file. Its headers are: "
                    f"{headers}",
                )
                continue
            candidates[column] = [index]
            claimed.add(index)
        for column, aliases in COLUMN_ALIASES.items():
            if column in candidates:
                continue
            order = [*_PREFERRED_FIRST.get(column, ()), *aliases]
            found: list[int] = []
            for alias in order:
                for index, key in enumerate(keys):
                    if key == _header_key(alias) and index not in found:
                        found.append(index)
            if not found:
                continue
            ours = [i for i in found if keys[i] == _header_key(column)]
            if len(ours) > 1:
                self.problem(number, f"column '{column}' appears twice")
            candidates[column] = found if column in ("manager_id", "manager") else found[:1]
            claimed.update(candidates[column])
        self.require(number, candidates, shown, claimed)
        recognised = [
            f"'{shown[i]}' → {column}"
            for column, indexes in candidates.items()
            for i in indexes[:1]
            if keys[i] != _header_key(column)
        ]
        if recognised and not self.problems:
            self.log.info(
                "roster-columns",
                f"headers read as roster columns: {'; '.join(recognised)}",
                file=self.file_name,
            )
        return candidates

    def require(
        self, number: int, columns: Mapping[str, list[int]], shown: list[str], claimed: set[int]
    ) -> None:
        missing: list[str] = []
        if "employee_id" not in columns:
            missing.append("employee_id")
        if "name" not in columns and not ({"first_name", "last_name"} & set(columns)):
            missing.append("name (or first and last name)")
        if not set(_MANAGER_COLUMNS) & set(columns):
            missing.append("manager_id (or manager_name, manager_email, reports to)")
        if not {"family_id", "department", "job_title"} & set(columns):
            missing.append("family_id (or department, or a job title of the ladder)")
        if not {"level", "job_title"} & set(columns):
            missing.append("level (or a job title of the ladder)")
        if not missing:
            return
        unknown = [h for i, h in enumerate(shown) if h and i not in claimed]
        found = f"; unrecognised: {', '.join(unknown)}" if unknown else ""
        self.problem(
            number,
            f"missing column(s) {'; '.join(missing)}. Expected headers: "
            f"{', '.join(ROSTER_COLUMNS)} (target_level is optional; HRIS headers such as "
            "'Employee Number', 'First Name', 'Reports To', 'Job Title' are recognised, others "
            f'can be mapped: --map level="Your Header"){found}',
        )

    def pick_manager_columns(self, records: list[_Row], candidates: dict[str, list[int]]) -> None:
        """Of several manager-id columns ("Supervisor ID", "Supervisor E ID"), the one whose
        values are most often an employee_id of this file."""
        ids = {r.values.get("employee_id", "") for r in records} - {""}
        for column in ("manager_id", "manager"):
            count = len(candidates.get(column, []))
            if count < 2:
                continue
            scores = [
                sum(1 for r in records if r.values.get(f"{column}#{i}") in ids)
                for i in range(count)
            ]
            best = max(range(count), key=lambda i: (scores[i], -i))
            for record in records:
                record.values[column] = record.values.get(f"{column}#{best}", "")

    # --- one row --------------------------------------------------------------------------------

    def identify(self, record: _Row) -> None:
        values = record.values
        record.employee_id = values.get("employee_id", "")
        first = values.get("preferred_name") or values.get("first_name", "")
        last = values.get("last_name", "")
        joined = " ".join(p for p in (first, last) if p)
        if first and last and _key(first).endswith(_key(last)):
            joined = first  # a preferred name that is already the full name
        record.name = values.get("name") or joined
        keys = {record.name, joined}
        for given in (values.get("first_name", ""), values.get("preferred_name", "")):
            if given and last:
                keys |= {f"{given} {last}", f"{last} {given}"}
        record.name_keys = {_key(k) for k in keys if k}

    def employee(self, record: _Row) -> Employee | None:
        number, values = record.number, record.values
        before = len(self.problems)
        if not record.employee_id:
            self.problem(number, "employee_id is blank")
        if not record.name:
            self.problem(number, "name is blank")
        identified = len(self.problems) == before
        # The person at the top (no manager) is not scored: a CEO whose title is not on the
        # ladder is fine there, so their placement problems are kept aside (check_managers).
        outer, self.problems = self.problems, []
        family_id, level, track = self.placement(number, values)
        if family_id and level and track and not self.ladder.rows(family_id, track, level.code):
            self.problem(number, f"the ladder has no expectations for {family_id} {level.code}")
        target = self.target(number, values.get("target_level", ""), level, family_id)
        placed, self.problems = self.problems, outer
        if identified and placed and not any(values.get(c) for c in _MANAGER_COLUMNS):
            record.off_ladder = placed
        else:
            self.problems.extend(placed)
        if not identified or placed or level is None or track is None or not family_id:
            return None
        return Employee(
            employee_id=record.employee_id,
            name=record.name,
            email=values.get("email", ""),
            manager_id="",  # filled in by check_managers
            manager_name="",
            family_id=family_id,
            track=track,
            level=level.code,
            target_level=target.code if target else None,
            source=self.where(number),
        )

    def family(self, number: int, text: str, column: str = "family_id") -> str:
        found = self.family_keys.get(_key(text))
        if found is None:
            self.problem(
                number,
                f"unknown family '{text}' in {column} ({_closest_text(text, self.family_shown)}; "
                "a family id or name from the Families sheet)",
            )
            return ""
        return found

    def level_or_title(
        self, number: int, column: str, text: str
    ) -> tuple[LevelSpec | None, list[tuple[str, LevelSpec]]]:
        """A level code → (spec, []); a title of the ladder → (None, [(family, spec), ...])."""
        spec = self.levels.get(_key(text))
        if spec is not None:
            return spec, []
        titled = self.titles.get(_key(text), [])
        if not titled:
            codes = ", ".join(lv.code for lv in self.settings.levels)
            self.problem(
                number,
                f"unknown {column} '{text}' ({_closest_text(text, self.level_shown)}; a level "
                f"code {codes} or the ladder's title for the family, e.g. "
                f"'{self.example_title()}')",
            )
        return None, titled

    def example_title(self) -> str:
        family = self.ladder.families[0].family_id if self.ladder.families else ""
        levels = self.settings.ic_levels
        return self.ladder.title(family, levels[min(2, len(levels) - 1)].code) if family else ""

    def placement(
        self, number: int, values: dict[str, str]
    ) -> tuple[str, LevelSpec | None, str | None]:
        """Family, level and track from family_id / department, level / job title, track."""
        family_text, department = values.get("family_id", ""), values.get("department", "")
        level_text, title = values.get("level", ""), values.get("job_title", "")
        family_id = self.family(number, family_text) if family_text else ""
        if family_text and not family_id:
            return "", None, None
        department_family = self.family_keys.get(_key(department), "") if department else ""
        spec: LevelSpec | None = None
        titled: list[tuple[str, LevelSpec]] = []
        said = ""
        if level_text:
            spec, titled = self.level_or_title(number, "level", level_text)
            said = level_text
            if spec is None and not titled:
                return "", None, None
        elif title:
            spec, titled = self.level_or_title(number, "job title", title)
            said = title
            if spec is None and not titled:
                return "", None, None
        else:
            self.problem(number, "level is blank (give a level code or the ladder's job title)")
            return "", None, None
        if titled:
            families = sorted({fid for fid, _ in titled})
            if family_id:
                titled = [t for t in titled if t[0] == family_id]
                if not titled:
                    self.problem(
                        number,
                        f"'{said}' is a title of {', '.join(families)}, not of family "
                        f"{family_id}: correct the family or the title",
                    )
                    return "", None, None
            elif len(families) > 1 and department_family in families:
                titled = [t for t in titled if t[0] == department_family]
            if len({t[0] for t in titled}) > 1 or len({t[1].code for t in titled}) > 1:
                options = ", ".join(f"{fid} {sp.code}" for fid, sp in titled)
                self.problem(
                    number,
                    f"'{said}' is ambiguous: it is the title of {options}; fill family_id (or "
                    "give the level code)",
                )
                return "", None, None
            title_family, spec = titled[0]
            if department_family and department_family != title_family and not family_id:
                self.warn(
                    "roster-department-differs",
                    number,
                    f"department '{department}' is family {department_family} but '{said}' is "
                    f"a {title_family} title: {title_family} is used (fill family_id to choose)",
                )
            family_id = family_id or title_family
        if not family_id:
            if department_family:
                family_id = department_family
            elif department:
                family_id = self.family(number, department, "department")
                if not family_id:
                    return "", None, None
            else:
                self.problem(
                    number,
                    f"no family: family_id is blank and '{said}' is a level code, not a title "
                    "of the ladder; fill family_id (an id or name from the Families sheet)",
                )
                return "", None, None
        return family_id, spec, self.track(number, values.get("track", ""), spec)

    def track(self, number: int, text: str, level: LevelSpec | None) -> str | None:
        if not text:
            return level.track if level else None
        track = _TRACK_WORDS.get(_key(text))
        if track is None:
            self.problem(
                number, f"track must be IC or M (or blank: taken from the level), got '{text}'"
            )
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
        target, titled = self.level_or_title(number, "target_level", text)
        if titled:
            fitting = [spec for fid, spec in titled if fid == family_id]
            if not fitting:
                families = ", ".join(sorted({fid for fid, _ in titled}))
                self.problem(
                    number, f"target_level '{text}' is a title of {families}, not of {family_id}"
                )
                return None
            target = fitting[0]
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

    # --- managers -------------------------------------------------------------------------------

    def check_managers(self, records: list[_Row]) -> list[Employee]:
        by_id: dict[str, _Row] = {}
        by_email: dict[str, list[_Row]] = {}
        by_name: dict[str, list[_Row]] = {}
        for record in records:  # rows with problems count too: no knock-on complaints
            if record.employee_id:
                by_id.setdefault(record.employee_id, record)
            email = record.values.get("email", "").casefold()
            if email:
                by_email.setdefault(email, []).append(record)
            for key in record.name_keys:
                by_name.setdefault(key, []).append(record)
        self.by_id, self.by_email, self.by_name = by_id, by_email, by_name
        self.id_shown = {_key(i): i for i in by_id}
        self.name_shown = {k: rows[0].name for k, rows in by_name.items()}
        managers: dict[int, tuple[str, str]] = {}  # row number → (manager id, manager name)
        outside: dict[str, list[_Row]] = {}
        for record in records:
            found = self.manager_of(record, outside)
            if found is not None:
                managers[record.number] = found
        managing = {manager_id for manager_id, _ in managers.values() if manager_id}
        for record in records:
            if record.number in managers or not record.employee_id:
                continue
            if any(record.values.get(c) for c in _MANAGER_COLUMNS):
                continue  # a manager was given but is wrong: already a problem
            if record.employee_id in managing:
                prefix = f"{self.where(record.number)}: "
                off = "; ".join(p.removeprefix(prefix).split(" (")[0] for p in record.off_ladder)
                self.warn(
                    "roster-not-scored",
                    record.number,
                    f"{record.name} ({record.employee_id}) has no manager, so no one gets a "
                    "scoring sheet for them: they are not scored in this cycle and not counted "
                    "in the report. To score them, fill in who scores them (manager_id, with "
                    "manager_name if that person is not in the roster)."
                    + (
                        f" Their row is not on the ladder, which only matters if they are "
                        f"scored: {off}"
                        if off
                        else ""
                    ),
                )
            else:
                self.problems.extend(record.off_ladder)
                self.problem(
                    record.number,
                    "manager is blank: only the top of the roster (someone who manages others in "
                    "it) may have no manager; fill in who scores "
                    f"'{record.employee_id}' (manager_id)",
                )
        for manager_id, rows in outside.items():
            numbers = ", ".join(str(r.number) for r in rows)
            name = rows[0].values.get("manager_name", "")
            rows_word = "row" if len(rows) == 1 else "rows"
            people = "1 person" if len(rows) == 1 else f"{len(rows)} people"
            self.log.warning(
                "roster-manager-outside",
                f"{rows_word} {numbers}: manager {manager_id} ({name}) is not in the roster: they "
                f"get a scoring workbook for {people} but are not scored themselves. If they "
                "are in the roster under another id, correct manager_id.",
                file=self.file_name,
            )
        employees: list[Employee] = []
        chains: dict[str, str] = {}
        for record in records:
            given = any(record.values.get(c) for c in _MANAGER_COLUMNS)
            if record.employee is None or (given and record.number not in managers):
                continue
            manager_id, manager_name = managers.get(record.number, ("", ""))
            if manager_id and manager_id == record.employee_id:
                self.problem(record.number, f"'{manager_id}' is their own manager (manager_id)")
                continue
            employee = record.employee
            employee = Employee(
                employee.employee_id,
                employee.name,
                employee.email,
                manager_id,
                manager_name,
                employee.family_id,
                employee.track,
                employee.level,
                employee.target_level,
                employee.source,
            )
            employees.append(employee)
            chains[employee.employee_id] = manager_id
        rows_of = {r.employee_id: r.number for r in records if r.employee_id}
        for cycle in _manager_cycles(chains):
            numbers = ", ".join(str(rows_of[e]) for e in cycle)
            chain = " → ".join([*cycle, cycle[0]])
            self.problems.append(f"{self.file_name} rows {numbers}: manager cycle {chain}")
        return employees

    def manager_of(self, record: _Row, outside: dict[str, list[_Row]]) -> tuple[str, str] | None:
        """(manager id, manager name) for a row, or None when blank or not found (a problem)."""
        values, number = record.values, record.number
        given_id, given_name = values.get("manager_id", ""), values.get("manager_name", "")
        given_email, generic = values.get("manager_email", ""), values.get("manager", "")
        if not (given_id or given_name or given_email or generic):
            return None
        manager: _Row | None = None
        if given_id:
            manager = self.by_id.get(given_id)
            if manager is None:
                named = self.by_name.get(_key(given_name), []) if given_name else []
                if named:
                    self.problem(
                        number,
                        f"manager_id '{given_id}' is nobody in the roster, but manager_name "
                        f"'{given_name}' is {named[0].employee_id} (row {named[0].number}): "
                        "correct manager_id (a second workbook would be made for a manager who "
                        "does not exist)",
                    )
                    return None
                if given_name:
                    outside.setdefault(given_id, []).append(record)
                    return given_id, given_name
                self.problem(
                    number,
                    f"manager_id '{given_id}' is nobody in the roster "
                    f"({_closest_text(given_id, self.id_shown)}): add the manager's row, or fill "
                    "manager_name if they score without being scored",
                )
                return None
        for text, how in ((given_email, "email"), (generic, "any")):
            if manager is not None or not text:
                continue
            manager = self.find(number, text, how)
            if manager is None:
                return None
        if manager is None and given_name:
            manager = self.find(number, given_name, "name")
            if manager is None:
                return None
        assert manager is not None
        for text, label in ((given_name, "manager_name"), (generic, "manager")):
            if (
                text
                and text != manager.employee_id
                and "@" not in text
                and _key(text) not in manager.name_keys
            ):
                self.warn(
                    "roster-manager-name-differs",
                    number,
                    f"{label} '{text}' disagrees with manager {manager.employee_id}, who is "
                    f"'{manager.name}' (row {manager.number}): {manager.employee_id} is used; "
                    "correct one of them",
                )
        email = given_email.casefold()
        if given_email and email != manager.values.get("email", "").casefold():
            self.warn(
                "roster-manager-name-differs",
                number,
                f"manager_email '{given_email}' disagrees with manager {manager.employee_id} "
                f"(row {manager.number}): {manager.employee_id} is used; correct one of them",
            )
        return manager.employee_id, manager.name

    def find(self, number: int, text: str, how: str) -> _Row | None:
        """The roster row a manager reference means: by id, email or name (``how``)."""
        if how == "any" and text in self.by_id:
            return self.by_id[text]
        if how in ("any", "email") and "@" in text:
            rows = self.by_email.get(text.casefold(), [])
            if len(rows) == 1:
                return rows[0]
            if how == "email" or not rows:
                what = "several people" if rows else "nobody in the roster"
                self.problem(number, f"manager email '{text}' is {what}")
                return None
        rows = self.by_name.get(_key(text), [])
        if len(rows) == 1:
            return rows[0]
        if rows:
            who = ", ".join(f"{r.employee_id} (row {r.number})" for r in rows)
            self.problem(
                number,
                f"manager '{text}' is ambiguous: {len(rows)} people have that name ({who}); "
                "give the manager's employee id instead",
            )
            return None
        choices = {**self.name_shown, **self.id_shown}
        self.problem(
            number,
            f"manager '{text}' is nobody in the roster ({_closest_text(text, choices)}): "
            "add the manager's row or correct the name",
        )
        return None


def _manager_cycles(chains: dict[str, str]) -> list[list[str]]:
    """Every loop in the manager chains (A → B → A), each reported once, in row order."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in chains:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current in chains and current not in done:
            if current in on_path:
                cycles.append(path[path.index(current) :])
                break
            path.append(current)
            on_path.add(current)
            current = chains[current] or None
        done.update(path)
    return cycles
