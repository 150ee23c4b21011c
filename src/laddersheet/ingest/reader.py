"""Ingest: read the scoring workbooks managers return, validate every cell, keep every score.

Every non-empty Score cell ends as exactly one ``ScoreRecord`` whose status is "accepted" or
"rejected" (with an Issue saying why); blank cells are "missing". Nothing is dropped silently.

Self-assessment workbooks (employees scoring themselves) may come in the same folders, in any
mix and order: each file is told apart by its content (``_meta`` kind, else the "Assessment"
label on the sheet), read with the same rules, and its records kept apart
(``IngestResult.self_records``): gaps come from the manager's scores only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..actions import ActionReview, AgreedAction
from ..issues import Issue, IssueLog
from ..ladder import Ladder
from ..layout import (
    ASSESSMENT_SELF,
    KIND_SCORING,
    KIND_SELF_ASSESSMENT,
    META_HEADERS,
    META_KIND,
    META_SHEET,
    SCORING_COVER_SHEET,
    SCORING_EVIDENCE_HEADER,
    SCORING_ID_HEADER,
    SCORING_LABEL_ASSESSMENT,
    SCORING_LABEL_EMPLOYEE_ID,
    SCORING_LABEL_FAMILY_ID,
    SCORING_LABEL_LEVEL,
    SCORING_LABEL_NAME,
    SCORING_LABEL_TARGET,
    SCORING_LABEL_TRACK,
    SCORING_META_EMPLOYEE_HEADERS,
    SCORING_META_SENT_HEADERS,
    SCORING_SCHEMA_VERSION,
    SCORING_SCORE_HEADER,
)
from ..parallel import Crashed, run_each, start_progress
from ..roster import Employee
from ..scoring import ScoringRowBuilder, target_level
from ..sheetio import SheetData
from ..workbook import cell_ref
from .cells import (
    ACCEPTED,
    MISSING,
    REJECTED,
    cell_text,
    formula_text,
    label_key,
    not_applicable_hint,
    parse_score,
    short,
)
from .files import collect_workbook_paths, read_here
from .model import IngestResult, ScoreRecord
from .plan import BLOCK_MARKS, PlanContext, PlanReading, read_plan
from .prefetch import Book, Packed, Prefetch, open_workbook

# --- Reading returned workbooks ------------------------------------------------------------


def ingest_files(
    paths: Sequence[Path],
    ladder: Ladder,
    *,
    roster: list[Employee] | None = None,
    allow_version_mismatch: bool = False,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    prefetch: Prefetch | None = None,
) -> IngestResult:
    """Read returned scoring workbooks (files or folders) into records, issues and an account.

    Sheets are bound to employees by the ``_meta`` table, else by the Employee ID in their
    header block (Google Sheets exports may drop hidden sheets). Tables are found by their
    "Competency ID" header and rows matched by id, so inserted, sorted or moved rows are fine.
    When one person is read more than once (the same file twice, two versions, two managers),
    files are taken in sorted path order and the first reading of each competency wins; a
    later score that disagrees is rejected with a ``conflicting-scores`` error naming both.

    ``jobs``: processes reading files at once (default: every core, or this process alone for
    under ``POOL_MIN_BYTES`` of files; 1 reads them all in this process); the result is the
    same whatever the number. ``on_progress`` is called as each
    file is done, in finishing order. ``prefetch``: the safe reads of the first files, done
    while the master was read (``ingest.prefetch``); the other files are read as usual.
    """
    issues = IssueLog()
    files = collect_workbook_paths(paths, issues)
    if read_here(files, jobs):
        jobs = 1
    start_progress(on_progress, len(files), "Reading returned workbooks")
    # Files the prefetch read while the master was: only their cells are left to interpret.
    # Forked workers inherit them with the rest of the context (nothing is pickled).
    books = prefetch.take() if prefetch is not None else {}
    # Each file is read on its own (by a worker process when there are many), then the readings
    # are merged here in sorted path order: the same result whatever finished first.
    readings = run_each(
        _read_one_file,
        files,
        setup=_Reader,
        setup_args=(ladder, roster, allow_version_mismatch, IssueLog(), books),
        jobs=jobs,
        on_done=on_progress,
    )
    merged = _Reader(ladder, roster, allow_version_mismatch, issues)
    for path, reading in zip(files, readings, strict=True):
        if isinstance(reading, Crashed):
            issues.error(
                "reader-crashed",
                f"reading this file stopped the process that read it ({reading.reason}): "
                "nothing was read from it; the other files were. Open it, save it again as "
                ".xlsx and send it again, or send it with a bug report",
                file=str(path),
            )
            continue
        merged.absorb(reading)
    return merged.result([str(p) for p in files])


def start_prefetch(paths: Sequence[Path], jobs: int | None = None) -> Prefetch:
    """The safe read of the returned files started in a forked process, to run while the
    master is read: where a pool would read them (``ingest_files`` with the same ``jobs``)."""
    files = collect_workbook_paths(paths, IssueLog())  # its issues come from ingest_files
    if read_here(files, jobs):  # as ingest_files decides: no pool, no prefetch
        files = []
    return Prefetch(files, _prefetched_book)


@dataclass
class _FileReading:
    """Everything one file gave, in the order it was found: merged in file order."""

    issues: list[Issue]
    readings: list[_Reading]


def _read_one_file(reader: _Reader, path: Path) -> _FileReading:
    """One file, read on its own (in a worker process or here); never raises for a file."""
    reader.issues, reader.readings = IssueLog(), []
    try:
        packed = reader.prefetched.pop(str(path), None)
        reader.read_file(path, packed.book() if packed is not None else None)
    except Exception as error:  # a bug met on this file: report it, read the others
        reader.issues = IssueLog()
        reader.readings = []
        reader.issues.error(
            "reader-failed",
            f"laddersheet failed while reading this file ({type(error).__name__}: "
            f"{short(str(error), 200)}): nothing was read from it; the other files were. "
            "This is a bug in laddersheet: please report it with the file",
            file=str(path),
        )
    return _FileReading(list(reader.issues), reader.readings)


@dataclass
class _Reading:
    """One employee sheet as read from one file."""

    employee: Employee
    file: str
    sheet: str
    by_competency: dict[str, ScoreRecord]  # first row of each competency id
    extra: list[ScoreRecord]  # rejected rows that belong to no competency slot
    self_assessment: bool = False  # the person's own scores, not their manager's
    plan: PlanReading = field(default_factory=PlanReading)  # the blocks under the scores

    def signature(self) -> tuple[object, ...]:
        """What the sheet says, independent of where the cells are (for duplicate files)."""
        slots = sorted(
            (c, r.status, r.score, r.raw.strip(), r.evidence) for c, r in self.by_competency.items()
        )
        extra = sorted((r.competency_id, r.raw.strip(), r.evidence) for r in self.extra)
        return (tuple(slots), tuple(extra))


@dataclass
class _Identity:
    """Who a sheet is for, from its header block (label → value)."""

    fields: dict[str, str]

    @property
    def employee_id(self) -> str:
        return self.fields.get(label_key(SCORING_LABEL_EMPLOYEE_ID), "")

    @property
    def self_assessment(self) -> bool:
        """The sheet says it holds the person's own scores (a self-assessment workbook)."""
        value = self.fields.get(label_key(SCORING_LABEL_ASSESSMENT), "")
        return value.casefold() == ASSESSMENT_SELF.casefold()


class _Reader:
    def __init__(
        self,
        ladder: Ladder,
        roster: list[Employee] | None,
        allow_version_mismatch: bool,
        issues: IssueLog,
        prefetched: Mapping[str, Packed] | None = None,
    ) -> None:
        self.ladder = ladder
        self.prefetched = dict(prefetched or {})  # path -> safe read done by the prefetch
        self.scale = ladder.settings.scale
        self.roster = roster
        self.roster_by_id = {e.employee_id: e for e in roster or []}
        self.allow_version_mismatch = allow_version_mismatch
        self.issues = issues
        self.digest = ladder.content_digest()
        self.rows = ScoringRowBuilder(ladder)
        self._expected: dict[tuple[str, str, str, str | None], tuple[str, ...]] = {}
        self._names: dict[tuple[str, str, str, str | None], dict[str, str]] = {}
        self.readings: list[_Reading] = []

    # --- one file -------------------------------------------------------------------------

    def read_file(self, path: Path, book: Book | None = None) -> None:
        """One returned workbook; ``book``: its safe read when done already (a prefetch)."""
        file = str(path)
        book = open_workbook(path) if book is None else book
        if isinstance(book, Issue):  # refused by the safe reader
            self.issues.extend([book])
            return
        self.issues.extend(book.notes)
        meta_sheet = next((s for s in book.sheets if s.name.casefold() == META_SHEET), None)
        meta = _parse_meta(meta_sheet) if meta_sheet is not None else None
        version_rejected = False
        self_kind: bool | None = None  # None: no _meta, each sheet's header block decides
        if meta is not None:
            kind = meta.values.get(META_KIND, "")
            self_kind = kind == KIND_SELF_ASSESSMENT
            if kind not in (KIND_SCORING, KIND_SELF_ASSESSMENT):
                what = f"a {kind} workbook" if kind else "not a laddersheet scoring workbook"
                self.issues.error(
                    "not-a-scoring-workbook",
                    f"this is {what}, not a scoring workbook: nothing read from it",
                    file=file,
                )
                return
            version = meta.values.get("schema_version", "")
            number = _as_int(version)
            if number is None or number > SCORING_SCHEMA_VERSION:
                self.issues.error(
                    "schema-too-new",
                    f"made with layout version {version or '(none)'}; this laddersheet reads "
                    f"versions up to {SCORING_SCHEMA_VERSION}: use the laddersheet that made it",
                    file=file,
                )
                return
            version_rejected = self.check_version(meta.values.get("content_digest", ""), file)
        sheets = [s for s in book.sheets if s is not meta_sheet]
        found = self.bind_sheets(sheets, meta, file)
        if found is None:
            return
        untouched: list[str] = []  # people whose suggestions were left as prefilled
        for bound in found:
            employee = self.employee_for(bound, meta, file)
            reading = self.read_sheet(bound.sheet, bound.header_row, employee, file)
            if version_rejected or not bound.employee_id:
                reading = _reject_all(reading)
            if self_kind if self_kind is not None else bound.identity.self_assessment:
                reading.self_assessment = True
            # a plan worked on, some suggestions left as they were: maybe a date was forgotten
            if reading.plan.untouched and reading.plan.actions:
                untouched.append(
                    f"{employee.name or employee.employee_id} ({reading.plan.untouched})"
                )
            self.readings.append(reading)
        if untouched:
            self.issues.info(
                "plan-suggestions-left",
                "suggested actions left as prefilled with no due date, so not recorded as "
                f"agreed: {', '.join(untouched)}. Give a due date to agree one",
                file=file,
            )

    def check_version(self, digest: str, file: str) -> bool:
        """True when the file's scores must be rejected: made from another master version."""
        if digest == self.digest:
            return False
        if self.allow_version_mismatch:
            self.issues.warning(
                "version-mismatch",
                "made from another version of the master (its expectations differ); read "
                "anyway because a version mismatch was allowed",
                file=file,
            )
            return False
        self.issues.error(
            "version-mismatch",
            "made from another version of the master (its expectations differ): all its scores "
            "are rejected. Send the manager a new scoring workbook, or allow the mismatch "
            "(--allow-version-mismatch) to read the scores against this master",
            file=file,
        )
        return True

    def bind_sheets(
        self, sheets: list[SheetData], meta: _Meta | None, file: str
    ) -> list[_BoundSheet] | None:
        """The employee sheets of a file (None: not a scoring workbook at all)."""
        meta_rows = meta.employees if meta else []
        by_sheet = {row["sheet"].casefold(): row for row in meta_rows}
        by_id = {row["employee_id"]: row for row in meta_rows}
        found: list[_BoundSheet] = []
        extra: list[str] = []
        bound_ids: set[str] = set()
        for sheet in sheets:
            header_row = _table_header_row(sheet)
            if header_row is None:
                if sheet.name != SCORING_COVER_SHEET:
                    extra.append(sheet.name)
                continue
            identity = _identity(sheet, header_row)
            # The Employee ID in the (locked) header block decides; the sheet name, which
            # managers may change, is only the fallback.
            if identity.employee_id:
                employee_id = identity.employee_id
                meta_row = by_id.get(employee_id)
            else:
                meta_row = by_sheet.get(sheet.name.casefold())
                employee_id = meta_row["employee_id"] if meta_row else ""
            if not employee_id:
                self.issues.error(
                    "unidentified-sheet",
                    "a scoring table with no Employee ID above it and no entry in _meta: its "
                    "scores cannot be given to anyone and are rejected",
                    file=file,
                    sheet=sheet.name,
                )
            if meta_row is not None and meta_row["sheet"] != sheet.name:
                self.issues.info(
                    "sheet-renamed",
                    f"the sheet for {employee_id} was '{meta_row['sheet']}' and is now "
                    f"'{sheet.name}'; found by the Employee ID in its header",
                    file=file,
                    sheet=sheet.name,
                )
            bound_ids.add(employee_id)
            found.append(_BoundSheet(sheet, header_row, employee_id, identity, meta_row))
        if meta is None and not found:
            self.issues.error(
                "not-a-scoring-workbook",
                "no _meta sheet and no scoring table: not a laddersheet scoring workbook",
                file=file,
            )
            return None
        for name in extra:
            self.issues.info(
                "extra-sheet", "not a scoring sheet (no table): ignored", file=file, sheet=name
            )
        if meta is None:
            self.issues.warning(
                "no-meta",
                "the hidden _meta sheet is missing (Google Sheets and some other apps drop it): "
                "sheets were matched by the Employee ID in their header, and whether the file "
                "belongs to this master version could not be checked",
                file=file,
            )
        else:
            for row in meta.employees:
                if row["employee_id"] not in bound_ids:
                    self.issues.warning(
                        "sheet-missing",
                        f"the sheet for {row['employee_id']} ({row.get('name', '')}) is not in "
                        "the file (deleted, or its header block was changed)",
                        file=file,
                        sheet=row["sheet"],
                    )
        return found

    def employee_for(self, bound: _BoundSheet, meta: _Meta | None, file: str) -> Employee:
        """The roster's entry for a sheet, else one rebuilt from _meta or the header block."""
        employee_id, sheet = bound.employee_id, bound.sheet.name

        def field_of(meta_key: str, label: str) -> str:
            if bound.meta_row is not None:  # what the workbook was made with: it wins
                return bound.meta_row.get(meta_key, "")
            return bound.identity.fields.get(label_key(label), "")

        from_sheet = Employee(
            employee_id=employee_id,
            name=field_of("name", SCORING_LABEL_NAME),
            email="",
            manager_id=meta.values.get("manager_id", "") if meta else "",
            manager_name=meta.values.get("manager_name", "") if meta else "",
            family_id=field_of("family_id", SCORING_LABEL_FAMILY_ID),
            track=field_of("track", SCORING_LABEL_TRACK),
            level=field_of("level", SCORING_LABEL_LEVEL),
            target_level=field_of("target_level", SCORING_LABEL_TARGET) or None,
            source=f"{file} › {sheet}",
        )
        if self.roster is None or not employee_id:
            return from_sheet
        listed = self.roster_by_id.get(employee_id)
        if listed is None:
            self.issues.warning(
                "not-in-roster",
                f"employee {employee_id} ({from_sheet.name}) is not in the roster: their scores "
                "are kept, with the family and level written in the sheet",
                file=file,
                sheet=sheet,
            )
            return from_sheet
        made_for = (from_sheet.family_id, from_sheet.track, from_sheet.level)
        if made_for != (listed.family_id, listed.track, listed.level):
            self.issues.warning(
                "roster-changed",
                f"the sheet was made for {' '.join(made_for)}, the roster now says "
                f"{listed.family_id} {listed.track} {listed.level}: the roster is used",
                file=file,
                sheet=sheet,
            )
        return listed

    # --- one sheet ------------------------------------------------------------------------

    def expected_ids(self, employee: Employee) -> tuple[str, ...]:
        """The competency ids of the employee's sheet, in order (the same for everyone with
        the same family, track, level and target)."""
        key = (employee.family_id, employee.track, employee.level, employee.target_level)
        ids = self._expected.get(key)
        if ids is None:
            ids = self._expected[key] = tuple(r.competency_id for r in self.rows.rows(employee))
        return ids

    def read_sheet(
        self, sheet: SheetData, header_row: int, employee: Employee, file: str
    ) -> _Reading:
        reading = _Reading(employee, file, sheet.name, {}, [])
        columns = _columns(sheet, header_row)
        id_col = columns[label_key(SCORING_ID_HEADER)]
        score_col = columns.get(label_key(SCORING_SCORE_HEADER))
        evidence_col = columns.get(label_key(SCORING_EVIDENCE_HEADER))
        where = {"file": file, "sheet": sheet.name}
        if score_col is None:
            self.issues.error(
                "missing-column",
                f"the table has no '{SCORING_SCORE_HEADER}' column: every competency of this "
                "sheet counts as not scored",
                cell=cell_ref(header_row, id_col),
                **where,
            )
            for competency_id in self.expected_ids(employee):
                reading.by_competency[competency_id] = _missing(
                    employee, competency_id, file, sheet
                )
            return reading
        if evidence_col is None:
            self.issues.warning(
                "missing-column",
                f"the table has no '{SCORING_EVIDENCE_HEADER}' column: scores read without "
                "evidence",
                cell=cell_ref(header_row, id_col),
                **where,
            )
        identified = bool(employee.employee_id)
        expected = self.expected_ids(employee)
        expected_set = set(expected)
        formulas, scale = sheet.formulas, self.scale
        end = len(sheet.rows)
        for row_index in range(header_row + 1, len(sheet.rows)):
            row = sheet.rows[row_index]
            competency_id = " ".join(cell_text(_at(row, id_col)).split())
            if competency_id and label_key(competency_id) in BLOCK_MARKS:
                end = row_index  # the development plan's blocks start: the scores end here
                break
            formula = formulas.get((row_index, score_col))
            value = _at(row, score_col)
            parsed = parse_score(value, formula, scale)
            cell = cell_ref(row_index, score_col)
            evidence = _at(row, evidence_col)
            record = ScoreRecord(
                employee_id=employee.employee_id,
                competency_id=competency_id,
                score=parsed.score,
                status=parsed.status,
                raw=formula_text(formula) if formula else cell_text(value),
                evidence=evidence.strip() if type(evidence) is str else cell_text(evidence).strip(),
                file=file,
                sheet=sheet.name,
                cell=cell,
            )
            filled = parsed.status != MISSING
            if not identified:
                if filled:  # the sheet-level error already says why
                    reading.extra.append(_as_rejected(record))
                continue
            if not competency_id:
                if filled:
                    self.issues.error(
                        "score-without-competency",
                        f"a score ({short(record.raw)}) on a row with no Competency ID: "
                        "rejected. Put it on the competency's row",
                        cell=cell,
                        **where,
                    )
                    reading.extra.append(_as_rejected(record))
                continue  # a blank row a manager inserted, or a note
            if competency_id in reading.by_competency:
                if filled:
                    first = reading.by_competency[competency_id]
                    self.issues.error(
                        "duplicate-row",
                        f"{self.about(employee, competency_id)} appears twice (first at "
                        f"{first.cell}); this row's "
                        f"score ({short(record.raw)}) is rejected: keep one row per competency",
                        cell=cell,
                        **where,
                    )
                    reading.extra.append(_as_rejected(record))
                continue
            if competency_id not in expected_set and self.ladder.competency(competency_id) is None:
                if filled:
                    self.issues.error(
                        "unknown-competency",
                        f"unknown Competency ID '{short(competency_id)}' (not in the master): "
                        f"its score ({short(record.raw)}) is rejected",
                        cell=cell,
                        **where,
                    )
                    reading.extra.append(_as_rejected(record))
                else:
                    self.issues.warning(
                        "unknown-competency",
                        f"unknown Competency ID '{short(competency_id)}' (not in the master) "
                        "and no score: row ignored",
                        cell=cell_ref(row_index, id_col),
                        **where,
                    )
                continue
            if competency_id not in expected_set:
                if not filled:
                    continue  # e.g. a row of the old track after a roster change: nothing to say
                self.issues.warning(
                    "competency-not-expected",
                    f"{self.about(employee, competency_id)} is not among their competencies "
                    f"({employee.family_id} {employee.track}); its score is kept",
                    cell=cell,
                    **where,
                )
            if parsed.status == REJECTED:
                self.issues.error(
                    parsed.code,
                    f"{self.about(employee, competency_id)}: {parsed.message}"
                    f"{not_applicable_hint(record.raw)}",
                    cell=cell,
                    **where,
                )
            reading.by_competency[competency_id] = record
        for row_index in range(end, len(sheet.rows)):  # the plan's rows hold no scores
            value = _at(sheet.rows[row_index], score_col)
            if cell_text(value).strip():
                cell = cell_ref(row_index, score_col)
                self.issues.error(
                    "score-without-competency",
                    f"{employee.label}: a score ({short(cell_text(value))}) beside the "
                    "development plan, below the table: rejected. Put it on the competency's "
                    "row in the table above",
                    cell=cell,
                    **where,
                )
                reading.extra.append(
                    _as_rejected(
                        ScoreRecord(
                            employee.employee_id,
                            "",
                            None,
                            REJECTED,
                            cell_text(value),
                            "",
                            file,
                            sheet.name,
                            cell,
                        )
                    )
                )
        if identified and end < len(sheet.rows):
            reading.plan = read_plan(sheet, end, self.plan_context(employee), file, self.issues)
        for competency_id in expected:
            if competency_id not in reading.by_competency:
                self.issues.warning(
                    "row-missing",
                    f"{self.about(employee, competency_id)}: the row is missing from the table, "
                    "so it counts as not scored; copy it back from a fresh scoring workbook",
                    **where,
                )
                reading.by_competency[competency_id] = _missing(
                    employee, competency_id, file, sheet
                )
        return reading

    def plan_context(self, employee: Employee) -> PlanContext:
        """How the plan block names the person's competencies and what it suggested."""
        key = (employee.family_id, employee.track, employee.level, employee.target_level)
        names = self._names.get(key)
        if names is None:
            names = self._names[key] = {}
            for row in self.rows.rows(employee):
                names.setdefault(label_key(row.competency), row.competency_id)
                names.setdefault(label_key(row.competency_id), row.competency_id)
        target = target_level(self.ladder, employee)

        def suggestion(competency_id: str) -> str:
            if target is None:
                return ""
            found = self.ladder.action_for(competency_id, target.code, employee.family_id)
            return found.action if found else ""

        def name(competency_id: str) -> str:
            competency = self.ladder.competency(competency_id)
            return competency.name if competency else competency_id

        return PlanContext(employee.employee_id, employee.label, names, suggestion, name)

    def about(self, employee: Employee, competency_id: str) -> str:
        """Who and what a message is about: "Ana Ábalos (E101), Negotiation"."""
        competency = self.ladder.competency(competency_id)
        return f"{employee.label}, {competency.name if competency else competency_id}"

    # --- all files ------------------------------------------------------------------------

    def absorb(self, reading: _FileReading) -> None:
        """One file's reading, merged as if this reader had read the file itself."""
        self.issues.extend(reading.issues)
        self.readings.extend(reading.readings)

    def result(self, files: list[str]) -> IngestResult:
        employees, records, groups = self.combine(r for r in self.readings if not r.self_assessment)
        self_employees, self_records, self_groups = self.combine(
            r for r in self.readings if r.self_assessment
        )
        for employee in self_employees:
            if employee.employee_id not in groups:
                first = self_groups[employee.employee_id][0]
                self.issues.info(
                    "self-assessment-only",
                    f"{employee.label} returned a self-assessment, but "
                    "no manager's scoring sheet for them was read: their self scores are kept "
                    "and shown, with no gaps or readiness until the manager's sheet comes in",
                    file=first.file,
                    sheet=first.sheet,
                )
        returned = set(groups)
        not_returned = [  # without a roster, only whole sheets missing from a returned file
            e for e in self.roster or () if e.manager_id and e.employee_id not in returned
        ]
        actions, reviews = self.plans(employees, groups)
        return IngestResult(
            employees=employees,
            records=records,
            issues=self.issues,
            files=files,
            not_returned=not_returned,
            self_employees=self_employees,
            self_records=self_records,
            actions=actions,
            reviews=reviews,
        )

    def plans(
        self, employees: list[Employee], groups: dict[str, list[_Reading]]
    ) -> tuple[list[AgreedAction], list[ActionReview]]:
        """Each person's plan from the first file (in file order) whose sheet holds one, and
        every review of an earlier action (the first of each when read twice)."""
        actions: list[AgreedAction] = []
        reviews: list[ActionReview] = []
        for employee in employees:
            readings = groups[employee.employee_id]
            with_plan = [r for r in readings if r.plan.actions]
            if with_plan:
                first = with_plan[0]
                actions.extend(first.plan.actions)
                for later in with_plan[1:]:
                    if _plan_texts(later) != _plan_texts(first):
                        self.issues.warning(
                            "plan-in-two-files",
                            f"{employee.label} has another development plan in "
                            f"{first.file} › {first.sheet}, which comes first in file order and "
                            "is recorded; this one is not. Remove one of the files or make the "
                            "plans agree",
                            file=later.file,
                            sheet=later.sheet,
                        )
            seen: set[tuple[str, str]] = set()
            for reading in readings:
                for review in reading.plan.reviews:
                    if (review.key, review.action) not in seen:
                        seen.add((review.key, review.action))
                        reviews.append(review)
        return actions, reviews

    def combine(
        self, readings: Iterable[_Reading]
    ) -> tuple[list[Employee], list[ScoreRecord], dict[str, list[_Reading]]]:
        """Readings of one kind → people (roster order, else first seen), records, groups."""
        groups: dict[str, list[_Reading]] = {}
        for reading in readings:
            groups.setdefault(reading.employee.employee_id, []).append(reading)
        order = {e.employee_id: i for i, e in enumerate(self.roster or [])}
        first_seen = {employee_id: index for index, employee_id in enumerate(groups)}
        employee_ids = sorted(groups, key=lambda e: (order.get(e, len(order)), first_seen[e]))
        employees: list[Employee] = []
        records: list[ScoreRecord] = []
        for employee_id in employee_ids:
            readings_of = groups[employee_id]
            if employee_id:
                employees.append(readings_of[0].employee)
            records.extend(self.merge(readings_of))
        return employees, records, groups

    def merge(self, readings: list[_Reading]) -> list[ScoreRecord]:
        """One record per competency (the first non-missing reading wins), plus rejected extras."""
        first = readings[0]
        slots = dict(first.by_competency)
        extra = list(first.extra)
        seen = [first]
        for later in readings[1:]:
            twin = next((r for r in seen if r.signature() == later.signature()), None)
            if twin is not None:
                self.issues.warning(
                    "duplicate-sheet",
                    f"{later.employee.employee_id}'s sheet is identical to the one in "
                    f"{twin.file} › {twin.sheet}: counted once",
                    file=later.file,
                    sheet=later.sheet,
                )
                continue
            self.issues.warning(
                "employee-in-two-files",
                f"{later.employee.employee_id} was also scored in {first.file} › {first.sheet}: "
                "the readings are combined; where both have a score, the first file's is used",
                file=later.file,
                sheet=later.sheet,
            )
            seen.append(later)
            extra.extend(later.extra)
            for competency_id, new in later.by_competency.items():
                kept = slots.get(competency_id)
                if new.status == MISSING:
                    slots.setdefault(competency_id, new)
                elif kept is None or kept.status == MISSING:
                    slots[competency_id] = new
                elif new.status == REJECTED:
                    extra.append(new)  # already has its own error
                elif kept.status == ACCEPTED and kept.score == new.score:
                    continue  # the same score twice: counted once
                else:
                    self.issues.error(
                        "conflicting-scores",
                        f"{new.employee_id} {competency_id}: score {short(new.raw)} here, but "
                        f"{short(kept.raw)} in {kept.file} › {kept.sheet}!{kept.cell}, which "
                        "comes first in file order and is kept; this one is rejected. Remove one "
                        "of the files or make the scores agree",
                        file=new.file,
                        sheet=new.sheet,
                        cell=new.cell,
                    )
                    extra.append(replace(new, status=REJECTED, score=None))
        expected = self.expected_ids(first.employee)
        position = {c: i for i, c in enumerate(expected)}
        ordered = sorted(slots.values(), key=lambda r: position.get(r.competency_id, len(position)))
        return ordered + extra


@dataclass(frozen=True)
class _BoundSheet:
    """An employee sheet of a file, with what identifies it."""

    sheet: SheetData
    header_row: int  # 0-based row of the table header
    employee_id: str  # "" when nothing identifies the sheet
    identity: _Identity
    meta_row: dict[str, str] | None  # its row of the _meta employee table


@dataclass
class _Meta:
    values: dict[str, str]
    employees: list[dict[str, str]]


def _parse_meta(sheet: SheetData) -> _Meta:
    """key/value rows, then (after the employee table's header row) one row per employee.

    Workbooks of laddersheet before scoring layout 3 carry a table of everyone the run sent a
    sheet to after those; it is no longer read (who was sent comes from the roster or the
    history, and no workbook lists other teams any more).
    """
    values: dict[str, str] = {}
    employees: list[dict[str, str]] = []
    columns: list[str] | None = None
    for row in sheet.rows:
        # text cells (nearly all) without the detour through cell_text
        cells = [v.strip() if type(v) is str else cell_text(v).strip() for v in row]
        if not any(cells):
            continue
        if cells[0] == SCORING_META_SENT_HEADERS[0]:
            break  # an older workbook's table of everyone sent: not read
        if columns is None:
            if cells[0] == SCORING_META_EMPLOYEE_HEADERS[0]:
                columns = [c.casefold() for c in cells]
            elif cells[0] and cells[0] != META_HEADERS[0]:
                values[cells[0]] = cells[1] if len(cells) > 1 else ""
            continue
        entry = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)}
        if entry.get("employee_id") and entry.get("sheet"):
            employees.append(entry)
    return _Meta(values, employees)


def _columns(sheet: SheetData, header_row: int) -> dict[str, int]:
    """The table's columns by header (``label_key``)."""
    return {label_key(v): c for c, v in enumerate(sheet.rows[header_row]) if v is not None}


def _prefetched_book(path: Path) -> Book:
    """A file's safe read as a prefetch sends it: its formulas kept where ``read_sheet`` looks
    for them (the Score column under the table's header), the only ones ingest reads. A
    returned workbook holds thousands of others (the live gap columns), which would make the
    trip between processes cost more than the read."""
    book = open_workbook(path)
    if isinstance(book, Issue):
        return book
    sheets = []
    for sheet in book.sheets:
        header_row = _table_header_row(sheet)
        score_col = (
            _columns(sheet, header_row).get(label_key(SCORING_SCORE_HEADER))
            if header_row is not None
            else None
        )
        formulas = {}
        if score_col is not None:
            for row in range(header_row + 1, len(sheet.rows)):
                formula = sheet.formulas.get((row, score_col))
                if formula is not None:
                    formulas[(row, score_col)] = formula
        sheets.append(replace(sheet, formulas=formulas))
    return replace(book, sheets=sheets)


def _table_header_row(sheet: SheetData) -> int | None:
    wanted = _ID_KEY
    for index, row in enumerate(sheet.rows):
        for v in row:
            if v is not None and label_key(v) == wanted:
                return index
    return None


def _identity(sheet: SheetData, header_row: int) -> _Identity:
    """The header block above the table: each known label with the value right beside it."""
    labels = _HEADER_BLOCK_KEYS
    fields: dict[str, str] = {}
    for row in sheet.rows[:header_row]:
        for col, value in enumerate(row):
            if value is None:
                continue
            key = label_key(value)
            if key in labels and key not in fields:
                fields[key] = " ".join(cell_text(_at(row, col + 1)).split())
    return _Identity(fields)


def _plan_texts(reading: _Reading) -> list[tuple[object, ...]]:
    return [(a.competency_id, a.action, a.due_date) for a in reading.plan.actions]


def _at(row: list[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _missing(employee: Employee, competency_id: str, file: str, sheet: SheetData) -> ScoreRecord:
    """The record of a competency whose row (or Score column) is not in the sheet."""
    return ScoreRecord(
        employee.employee_id, competency_id, None, MISSING, "", "", file, sheet.name, ""
    )


def _as_int(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None


def _as_rejected(record: ScoreRecord) -> ScoreRecord:
    return replace(record, status=REJECTED, score=None)


def _reject_all(reading: _Reading) -> _Reading:
    """Scores of a file from another master version: kept for the record, never used."""
    slots = {
        c: replace(r, status=REJECTED, score=None) if r.status == ACCEPTED else r
        for c, r in reading.by_competency.items()
    }
    return replace(reading, by_competency=slots, plan=PlanReading())  # its plan: not read


_HEADER_BLOCK_LABELS = (
    SCORING_LABEL_ASSESSMENT,
    SCORING_LABEL_NAME,
    SCORING_LABEL_EMPLOYEE_ID,
    SCORING_LABEL_FAMILY_ID,
    SCORING_LABEL_TRACK,
    SCORING_LABEL_LEVEL,
    SCORING_LABEL_TARGET,
)
_HEADER_BLOCK_KEYS = frozenset(label_key(label) for label in _HEADER_BLOCK_LABELS)
_ID_KEY = label_key(SCORING_ID_HEADER)
