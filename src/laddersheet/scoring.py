"""Scoring workbooks: one per manager, one protected sheet per direct report.

Self-assessment workbooks (``write_self_assessment_workbooks``) come from the same writer: one
per employee, their own sheet only, marked as a self-assessment in ``_meta`` and on the sheet.

Each employee sheet shows what the ladder expects of the person now and at their target level;
the manager fills in only Score (a dropdown of the scale) and Evidence. Gap and readiness cells
are live formulas so the manager sees the result while scoring; ingest never trusts them and
recomputes everything from the scores. A hidden ``_meta`` sheet binds the file to the master
version (content digest) and each sheet to an employee id.

Speed matters (hundreds of managers): formats come from the cached ``Styles``, validation and
conditional formats are set once per range, never per cell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xlsxwriter.worksheet import CellFormulaTuple, Worksheet

from . import __version__
from .errors import WorkbookError
from .ladder import Ladder
from .layout import (
    ASSESSMENT_SELF,
    KIND_SCORING,
    KIND_SELF_ASSESSMENT,
    META_HEADERS,
    META_KIND,
    META_SELF_EMPLOYEE,
    META_SELF_KEYS,
    META_SHEET,
    SCHEMA_VERSION,
    SCORING_COVER_SHEET,
    SCORING_FILE_PREFIX,
    SCORING_HEADER_BLOCK_FIRST_ROW,
    SCORING_HEADERS,
    SCORING_LABEL_ASSESSMENT,
    SCORING_LABEL_AT_LEVEL,
    SCORING_LABEL_EMPLOYEE_ID,
    SCORING_LABEL_FAMILY,
    SCORING_LABEL_FAMILY_ID,
    SCORING_LABEL_LEVEL,
    SCORING_LABEL_NAME,
    SCORING_LABEL_READINESS,
    SCORING_LABEL_SCORED,
    SCORING_LABEL_TARGET,
    SCORING_LABEL_TARGET_TITLE,
    SCORING_LABEL_TITLE,
    SCORING_LABEL_TRACK,
    SCORING_META_EMPLOYEE_HEADERS,
    SCORING_META_SENT_HEADERS,
    SCORING_TABLE_HEADER_ROW,
    SELF_FILE_PREFIX,
)
from .parallel import Crashed, run_each, start_progress
from .roster import Employee
from .settings import TRACK_IC, TRACK_MANAGER, LevelSpec, Scale
from .workbook import (
    EXCEL_MAX_VALIDATION_MESSAGE,
    PALETTE,
    Styles,
    add_validation,
    atomic_output,
    cell_ref,
    col_letter,
    new_workbook,
    plan_print,
    print_setup,
    row_height,
    safe_file_stem,
    sheet_name,
    sheet_ref,
    write_text,
    write_value,
)

# Column positions in SCORING_HEADERS (0-based).
COL_ID, COL_NAME, COL_DOMAIN = 0, 1, 2
COL_EXPECTED_NOW, COL_EXPECTED_NEXT = 3, 4
COL_STATEMENT_NOW, COL_STATEMENT_NEXT = 5, 6
COL_SCORE, COL_EVIDENCE = 7, 8
COL_GAP_NOW, COL_GAP_NEXT = 9, 10
# With ``sheets --history``: last cycle's accepted score, read-only, right of Score; the columns
# after it (Evidence, the gaps, the helpers) move one right. Ingest finds columns by header and
# ignores this one.
COL_LAST_CYCLE = COL_SCORE + 1
LAST_CYCLE_HEADER = "Last cycle"
_LAST_CYCLE_WIDTH = 12

# employee id -> competency id -> the score accepted last cycle (``sheets --history``)
PreviousScores = dict[str, dict[str, int]]

_COLUMN_WIDTHS = (18, 26, 18, 9, 9, 44, 44, 9, 44, 9, 9)  # Score: see score_column_width
_REPEAT_SHARE = 0.4  # of a printed page: Competency ID and Competency repeat on every page across
_GREY = "#F2F2F2"  # read-only values shown for reference (Last cycle)
_TRACK_NAMES = {TRACK_IC: "Individual contributor", TRACK_MANAGER: "Manager"}

# Header block rows (0-based), in the order they are written from SCORING_HEADER_BLOCK_FIRST_ROW.
_BLOCK_LABELS = (
    SCORING_LABEL_NAME,
    SCORING_LABEL_EMPLOYEE_ID,
    SCORING_LABEL_FAMILY,
    SCORING_LABEL_FAMILY_ID,
    SCORING_LABEL_TRACK,
    SCORING_LABEL_LEVEL,
    SCORING_LABEL_TITLE,
    SCORING_LABEL_TARGET,
    SCORING_LABEL_TARGET_TITLE,
    SCORING_LABEL_SCORED,
    SCORING_LABEL_AT_LEVEL,
    SCORING_LABEL_READINESS,
)
_ROW_OF = {label: SCORING_HEADER_BLOCK_FIRST_ROW + i for i, label in enumerate(_BLOCK_LABELS)}
_NOTE_ROW = SCORING_HEADER_BLOCK_FIRST_ROW + len(_BLOCK_LABELS)
assert _NOTE_ROW < SCORING_TABLE_HEADER_ROW, "header block overlaps the table"
_ASSESSMENT_ROW = SCORING_HEADER_BLOCK_FIRST_ROW - 1  # self-assessments: under the subtitle
assert _ASSESSMENT_ROW > 1, "the assessment label would cover the subtitle"

_PROTECTION = {  # no password: protection guards the layout against slips, it is not security
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_columns": True,
    "format_rows": True,
}

TITLE_ROW_HEIGHT = 24


@dataclass(frozen=True, slots=True)
class ScoringRow:
    """One competency row of an employee sheet."""

    competency_id: str
    competency: str
    domain: str
    expected_now: int | None  # None: the current track does not have it (L4 → M1 moves)
    expected_next: int | None  # None: no target level, or the target track lacks it
    statement_now: str
    statement_next: str


def target_level(ladder: Ladder, employee: Employee) -> LevelSpec | None:
    """The level the employee is scored towards: the roster's, else the next one up the track."""
    if employee.target_level:
        return ladder.settings.level(employee.target_level)
    return ladder.settings.next_level(employee.level)


def scoring_rows(ladder: Ladder, employee: Employee) -> list[ScoringRow]:
    """The competency rows of an employee's sheet, in ladder order.

    A target on the other track adds the target track's competencies after the current ones,
    so a move L4 → M1 is scored on everything the new role expects.
    """
    return ScoringRowBuilder(ladder).rows(employee)


class ScoringRowBuilder:
    """``scoring_rows`` for many employees of one ladder, the ladder's look-ups cached.

    ``Ladder.competency_ids`` scans every expectation; one run asks it for hundreds of people.
    """

    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder
        self._ids: dict[tuple[str, str], tuple[str, ...]] = {}

    def competency_ids(self, family_id: str, track: str) -> tuple[str, ...]:
        key = (family_id, track)
        if key not in self._ids:
            self._ids[key] = tuple(self.ladder.competency_ids(family_id, track))
        return self._ids[key]

    def rows(self, employee: Employee) -> list[ScoringRow]:
        ladder = self.ladder
        target = target_level(ladder, employee)
        family, track, level = employee.family_id, employee.track, employee.level
        ids = list(self.competency_ids(family, track))
        if target is not None and target.track != track:
            ids += [c for c in self.competency_ids(family, target.track) if c not in ids]
        rows = []
        for competency_id in ids:
            now = ladder.expectation(family, track, level, competency_id)
            after = (
                ladder.expectation(family, target.track, target.code, competency_id)
                if target is not None
                else None
            )
            named = now or after
            if named is None:
                continue  # a competency of the track with no row at this level: nothing to score
            rows.append(
                ScoringRow(
                    competency_id=competency_id,
                    competency=named.competency,
                    domain=named.domain,
                    expected_now=now.expected if now else None,
                    expected_next=after.expected if after else None,
                    statement_now=now.statement if now else "",
                    statement_next=after.statement if after else "",
                )
            )
        return rows


def scoring_file_name(manager_name: str, taken: set[str]) -> str:
    return safe_file_stem(f"{SCORING_FILE_PREFIX}{manager_name}", taken) + ".xlsx"


def write_scoring_workbooks(
    ladder: Ladder,
    employees: Sequence[Employee],
    out_dir: Path,
    *,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    previous: PreviousScores | None = None,
    previous_cycle: str = "",
) -> list[Path]:
    """One scoring workbook per manager in ``out_dir``; returns the paths in writing order.

    Employees with no manager_id (the top of the roster) are not scored and get no sheet.
    Managers are taken in name order, their reports in roster order. ``previous`` (with the
    name of its cycle): last cycle's accepted scores, shown read-only in a Last cycle column.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    teams: dict[str, list[Employee]] = {}
    for employee in employees:
        if employee.manager_id:
            teams.setdefault(employee.manager_id, []).append(employee)
    names = {e.employee_id: e.name for e in employees}
    manager_names = {
        manager_id: names.get(manager_id) or team[0].manager_name or manager_id
        for manager_id, team in teams.items()
    }
    order = sorted(teams, key=lambda m: (manager_names[m].casefold(), m))
    digest = ladder.content_digest()  # hashes every expectation: once, not per workbook
    taken: set[str] = set()
    files = {m: scoring_file_name(manager_names[m], taken) for m in order}
    sent = tuple(
        (e, manager_names[e.manager_id], files[e.manager_id]) for m in order for e in teams[m]
    )
    tasks = [_Task(out_dir / files[m], tuple(teams[m]), m, manager_names[m]) for m in order]
    shared = (ladder, digest, sent, previous, previous_cycle)
    return _write_all(shared, tasks, jobs, on_progress)


def self_assessment_file_name(employee: Employee, taken: set[str], *, with_id: bool) -> str:
    """``Self-assessment - <Name>.xlsx``, safe on every system for any name.

    Invisible format characters (right-to-left overrides, zero-width joiners) are dropped so a
    name cannot disguise its file's extension; the name is composed (NFC, as macOS stores it)
    and cut to 120 UTF-8 bytes, so the file name stays within the 255 bytes file systems allow.
    ``with_id`` adds the employee id (people who share a name); so does a name with no letter
    or digit left.
    """
    name = unicodedata.normalize("NFC", employee.name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = " ".join(name.split())
    if not any(ch.isalnum() for ch in name):
        name, with_id = "", True
    suffix = ""
    if with_id:
        suffix = f" ({employee.employee_id})" if name else employee.employee_id
    room = max(0, _FILE_STEM_CHARS - len(SELF_FILE_PREFIX) - len(suffix))
    name = name[:room].encode()[:120].decode(errors="ignore").rstrip()
    return safe_file_stem(f"{SELF_FILE_PREFIX}{name}{suffix}", taken) + ".xlsx"


_FILE_STEM_CHARS = 80  # what safe_file_stem keeps


def write_self_assessment_workbooks(
    ladder: Ladder,
    employees: Sequence[Employee],
    out_dir: Path,
    *,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """One self-assessment workbook per employee scored this cycle (who has a manager).

    Each holds that person's own sheet only (the manager workbook's sheet: statements now and
    next, Score and Evidence, the same dropdown, live formulas and protection), a cover and a
    hidden ``_meta`` naming them; nobody else's name, id or scores. People are taken in name
    order; people who share a name get their employee id in the file name.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    people = sorted(
        (e for e in employees if e.manager_id),
        key=lambda e: (e.name.casefold(), e.employee_id),
    )

    def key(employee: Employee) -> str:  # names a file system would take as the same
        return " ".join(unicodedata.normalize("NFC", employee.name).split()).casefold()

    names: dict[str, int] = {}
    for employee in people:
        names[key(employee)] = names.get(key(employee), 0) + 1
    digest = ladder.content_digest()
    taken: set[str] = set()
    tasks = [
        _Task(
            out_dir / self_assessment_file_name(e, taken, with_id=names[key(e)] > 1),
            (e,),
            self_assessed=e,
        )
        for e in people
    ]
    return _write_all((ladder, digest, ()), tasks, jobs, on_progress)


@dataclass(frozen=True)
class _Task:
    """One workbook to write: where, for whom, and what its _meta says."""

    path: Path
    team: tuple[Employee, ...]
    manager_id: str = ""
    manager_name: str = ""
    self_assessed: Employee | None = None


def _write_all(
    shared: tuple[Ladder, str, tuple[tuple[Employee, str, str], ...]]
    | tuple[Ladder, str, tuple[tuple[Employee, str, str], ...], PreviousScores | None, str],
    tasks: list[_Task],
    jobs: int | None,
    on_progress: Callable[[Path], None] | None,
) -> list[Path]:
    """Every workbook, on every core when there are many (each file is the same bytes whoever
    writes it); the paths in task order. ``shared``: ladder, content digest, everyone sent
    (and, optionally, last cycle's scores and that cycle's name)."""
    kind = "self-assessment" if tasks and tasks[0].self_assessed is not None else "scoring"
    start_progress(on_progress, len(tasks), f"Writing {kind} workbooks")
    written = run_each(
        _write_one,
        tasks,
        setup=_WriterContext,
        setup_args=shared,
        jobs=jobs,
        on_done=None if on_progress is None else (lambda task: on_progress(task.path)),
    )
    for task, result in zip(tasks, written, strict=True):
        if isinstance(result, Crashed):
            raise WorkbookError(
                f"{task.path}: {result.reason} while writing this workbook; the others were "
                "written. Run again with --jobs 1, and report the problem if it stays"
            )
    return [task.path for task in tasks]


class _WriterContext:
    """What every workbook of a run shares: sent once to each worker process, not per file."""

    def __init__(
        self,
        ladder: Ladder,
        digest: str,
        sent: tuple[tuple[Employee, str, str], ...],
        previous: PreviousScores | None = None,
        previous_cycle: str = "",
    ) -> None:
        self.builder = ScoringRowBuilder(ladder)
        self.digest = digest
        self.sent = sent  # everyone the run sent a sheet for (the managers' _meta)
        self.previous = previous  # last cycle's accepted scores (sheets --history), or None
        self.previous_cycle = previous_cycle


def _write_one(context: _WriterContext, task: _Task) -> Path:
    writer = _ScoringWriter(
        context.builder,
        context.digest,
        task.manager_id,
        task.manager_name,
        context.sent if task.self_assessed is None else (),
        self_assessed=task.self_assessed,
        # never in a self-assessment: the person does not see the manager's earlier scores
        previous=context.previous if task.self_assessed is None else None,
        previous_cycle=context.previous_cycle,
    )
    writer.write(task.path, list(task.team))
    return task.path


def score_column_width(scale: Scale) -> int:
    """Wide enough for a pasted "2 - Developing", the longest "value - label" of the scale."""
    longest = max(len(f"{p.value} - {' '.join(p.label.split())}") for p in scale.points)
    return min(max(_COLUMN_WIDTHS[COL_SCORE], longest + 2), 30)


def score_input_message(scale: Scale) -> str:
    """The dropdown's help text: every value with its label, within Excel's 255 characters."""
    full = " · ".join(f"{p.value} {p.label}" for p in scale.points)
    if len(full) <= EXCEL_MAX_VALIDATION_MESSAGE:
        return full
    return f"{scale.minimum} to {scale.maximum}: see the rubric on the {SCORING_COVER_SHEET} sheet."


class _ScoringWriter:
    """Writes one manager's workbook."""

    def __init__(
        self,
        builder: ScoringRowBuilder,
        digest: str,
        manager_id: str,
        manager_name: str,
        sent: tuple[tuple[Employee, str, str], ...] = (),
        *,
        self_assessed: Employee | None = None,
        previous: PreviousScores | None = None,
        previous_cycle: str = "",
    ) -> None:
        self.previous = previous  # None: no Last cycle column
        self.previous_cycle = previous_cycle
        shift = 0 if previous is None else 1  # the Last cycle column moves the columns after it
        self.col_evidence = COL_EVIDENCE + shift
        self.col_gap_now, self.col_gap_next = COL_GAP_NOW + shift, COL_GAP_NEXT + shift
        self.col_helpers, self.col_read = HELPER_FIRST_COL + shift, COL_SCORE_READ + shift
        self.widths: tuple[int, ...] = _COLUMN_WIDTHS
        self.headers: tuple[str, ...] = SCORING_HEADERS
        if previous is not None:
            header = LAST_CYCLE_HEADER + (f" ({previous_cycle})" if previous_cycle else "")
            at = COL_LAST_CYCLE
            self.widths = (*_COLUMN_WIDTHS[:at], _LAST_CYCLE_WIDTH, *_COLUMN_WIDTHS[at:])
            self.headers = (*SCORING_HEADERS[:at], header, *SCORING_HEADERS[at:])
        # A self-assessment: the person's own workbook, its words addressed to them.
        self.self_assessed = self_assessed
        self.sent = sent  # everyone the run sent a sheet for: (employee, manager name, workbook)
        self.builder = builder
        self.ladder = builder.ladder
        self.digest = digest
        self.settings = builder.ladder.settings
        self.manager_id = manager_id
        self.manager_name = manager_name
        self.header_text = f"{self.settings.company} · {self.settings.cycle}"
        self.reading_formulas = score_reading_formulas(self.settings.scale, shift=shift)
        self.score_width = score_column_width(self.settings.scale)
        # Printed at a readable size: too wide for one page, a person's sheet spreads across
        # pages with the competency's id and name repeated (hidden helper columns not printed);
        # the same for every sheet of the workbook, so planned once.
        self.print_widths = list(self.widths[: self.col_gap_next + 1])
        self.print_widths[COL_SCORE] = self.score_width
        plan = plan_print(self.print_widths, repeat_cols=COL_NAME + 1, repeat_share=_REPEAT_SHARE)
        self.first_page_col = (plan.breaks[0] if plan.breaks else len(self.print_widths)) - 1

    def write(self, path: Path, team: list[Employee]) -> None:
        with atomic_output(path) as tmp:
            book = new_workbook(tmp, in_memory=True)  # small: skip xlsxwriter's temp files
            book.set_properties(
                {
                    "title": self.title,
                    "company": self.settings.company,
                    "comments": f"Generated by laddersheet {__version__}",
                    # a fixed date keeps the file byte-reproducible for the same inputs
                    "created": datetime.fromisoformat(self.settings.created),
                }
            )
            self.styles = Styles(book)
            taken = {SCORING_COVER_SHEET, META_SHEET}
            cover = book.add_worksheet(SCORING_COVER_SHEET)
            sheets: list[tuple[Employee, str, list[ScoringRow]]] = []
            for employee in team:
                name = sheet_name(employee.name, taken)
                rows = self.builder.rows(employee)
                self.employee_sheet(book.add_worksheet(name), employee, rows)
                sheets.append((employee, name, rows))
            self.cover_sheet(cover, sheets)
            self.meta_sheet(book.add_worksheet(META_SHEET), sheets)
            cover.activate()
            book.close()

    @property
    def title(self) -> str:
        if self.self_assessed is not None:
            return f"Self-assessment: {self.self_assessed.name}"
        return f"Competency scoring: {self.manager_name}"

    # --- Employee sheet -------------------------------------------------------------------

    def employee_sheet(self, sheet: Worksheet, employee: Employee, rows: list[ScoringRow]) -> None:
        styles = self.styles
        ladder = self.ladder
        target = target_level(ladder, employee)
        family = ladder.family(employee.family_id)
        for col, width in enumerate(self.widths):
            sheet.set_column(col, col, width)
        sheet.set_column(COL_SCORE, COL_SCORE, self.score_width)
        sheet.set_column(self.col_helpers, self.col_read, None, None, {"hidden": True})
        sheet.set_row(0, TITLE_ROW_HEIGHT)  # 16 pt title: the default row clips it
        if self.self_assessed is not None:
            write_text(sheet, 0, 0, f"{employee.name}: self-assessment", styles["title"])
            write_text(sheet, 1, 0, f"{self.header_text} · scored by yourself", styles["subtitle"])
            # what tells ingest this sheet holds the person's own scores, should _meta be lost
            write_text(sheet, _ASSESSMENT_ROW, 0, SCORING_LABEL_ASSESSMENT, styles["label"])
            write_text(sheet, _ASSESSMENT_ROW, 1, ASSESSMENT_SELF, styles["text"])
            write_text(
                sheet,
                _ASSESSMENT_ROW,
                2,
                "your own scores; your manager scores you separately",
                styles["subtitle"],
            )
        else:
            write_text(sheet, 0, 0, f"{employee.name}: competency scoring", styles["title"])
            write_text(
                sheet,
                1,
                0,
                f"{self.header_text} · scored by {self.manager_name}",
                styles["subtitle"],
            )
        first, last = SCORING_TABLE_HEADER_ROW + 1, SCORING_TABLE_HEADER_ROW + len(rows)
        read = _column_range(self.col_read, first, last)
        gaps_now = _column_range(self.col_gap_now, first, last)
        gaps_next = _column_range(self.col_gap_next, first, last)
        count = max(1, len(rows))
        if target is not None:
            target_code = target.code
            target_title = ladder.title(employee.family_id, target.code)
            readiness_note = (
                f"share of scored competencies at or above the {target.code} expectation"
            )
        else:
            target_code, target_title = "", ""
            readiness_note = "top of the track: no target level"
        block: dict[str, tuple[object, str]] = {
            SCORING_LABEL_NAME: (employee.name, ""),
            SCORING_LABEL_EMPLOYEE_ID: (employee.employee_id, ""),
            SCORING_LABEL_FAMILY: (family.name if family else employee.family_id, ""),
            SCORING_LABEL_FAMILY_ID: (employee.family_id, ""),
            SCORING_LABEL_TRACK: (employee.track, _TRACK_NAMES.get(employee.track, "")),
            SCORING_LABEL_LEVEL: (employee.level, ""),
            SCORING_LABEL_TITLE: (ladder.title(employee.family_id, employee.level), ""),
            SCORING_LABEL_TARGET: (target_code, "" if target else readiness_note),
            SCORING_LABEL_TARGET_TITLE: (target_title, ""),
        }
        for label, (value, note) in block.items():
            row = _ROW_OF[label]
            write_text(sheet, row, 0, label, styles["label"])
            write_text(sheet, row, 1, value, styles["text"])
            if note:
                write_text(sheet, row, 2, note, styles["subtitle"])
        # (label, formula, value cached for readers that do not calculate, note)
        formulas: tuple[tuple[str, str, object, str], ...] = (
            (
                SCORING_LABEL_SCORED,
                f"=COUNT({read})/{count}",  # the scores ingest accepts, as it reads them
                0,
                f"of {len(rows)} competencies",
            ),
            (
                SCORING_LABEL_AT_LEVEL,
                f'=IF(COUNT({gaps_now})=0,"",COUNTIF({gaps_now},0)/COUNT({gaps_now}))',
                "",
                f"share of scored competencies at or above the {employee.level} expectation",
            ),
            (
                SCORING_LABEL_READINESS,
                f'=IF(COUNT({gaps_next})=0,"",COUNTIF({gaps_next},0)/COUNT({gaps_next}))',
                "",
                readiness_note,
            ),
        )
        for label, formula, cached, note in formulas:
            row = _ROW_OF[label]
            write_text(sheet, row, 0, label, styles["label"])
            sheet.write_formula(row, 1, formula, styles["percent"], cached)
            if label == SCORING_LABEL_SCORED:  # and how many scores are not valid, if any
                invalid = f'COUNTIF({read},"{INVALID}")'
                sheet.write_formula(
                    row,
                    2,
                    f'="{note}"&IF({invalid}>0,"; "&{invalid}&" not valid (red rows): pick a '
                    f'score from the list","")',
                    styles["subtitle"],
                    note,
                )
                continue
            write_text(sheet, row, 2, note, styles["subtitle"])
        evidence = "your evidence" if self.self_assessed is not None else "the evidence"
        note = (
            "Pick a Score in each yellow cell (the dropdown lists the scale; the rubric is on the "
            f"{SCORING_COVER_SHEET} sheet) and write {evidence} beside it. Leave a score blank "
            "if you cannot judge it: blank means not scored, never zero."
        )
        # merged across the first printed page and wrapped: it prints whole on that page
        sheet.merge_range(_NOTE_ROW, 0, _NOTE_ROW, self.first_page_col, note, styles["note"])
        height = row_height([(note, sum(self.print_widths[: self.first_page_col + 1]))])
        if height is not None:
            sheet.set_row(_NOTE_ROW, height)
        self.table(sheet, rows, employee)
        sheet.freeze_panes(SCORING_TABLE_HEADER_ROW + 1, COL_NAME + 1)
        sheet.protect("", _PROTECTION)
        print_setup(
            sheet,
            repeat_rows=(SCORING_TABLE_HEADER_ROW, SCORING_TABLE_HEADER_ROW),
            header=f"{self.header_text} · {employee.name}",
            widths=self.print_widths,
            repeat_cols=COL_NAME + 1,
            repeat_share=_REPEAT_SHARE,
        )

    def table(self, sheet: Worksheet, rows: list[ScoringRow], employee: Employee) -> None:
        styles = self.styles
        header_row = SCORING_TABLE_HEADER_ROW
        for col, header in enumerate(self.headers):
            write_text(sheet, header_row, col, header, styles["header"])
        sheet.set_row(header_row, 28)  # two lines: "Expected / now" in a narrow column
        cell, center = styles["cell"], styles["cell_center"]
        gap_format = styles["cell_center"]
        helpers = self.reading_formulas
        previous = None if self.previous is None else self.previous.get(employee.employee_id, {})
        # last cycle's score: read-only (locked, like every cell but Score and Evidence), grey
        earlier = styles.custom("cell_center", font_color=PALETTE["muted"], bg_color=_GREY)
        for offset, item in enumerate(rows):
            row = header_row + 1 + offset
            write_text(sheet, row, COL_ID, item.competency_id, cell)
            write_text(sheet, row, COL_NAME, item.competency, cell)
            write_text(sheet, row, COL_DOMAIN, item.domain, cell)
            write_value(sheet, row, COL_EXPECTED_NOW, item.expected_now, center)
            write_value(sheet, row, COL_EXPECTED_NEXT, item.expected_next, center)
            write_text(sheet, row, COL_STATEMENT_NOW, item.statement_now, cell)
            write_text(sheet, row, COL_STATEMENT_NEXT, item.statement_next, cell)
            sheet.write_blank(row, COL_SCORE, None, styles["input_center"])
            if previous is not None:
                write_value(sheet, row, COL_LAST_CYCLE, previous.get(item.competency_id), earlier)
            sheet.write_blank(row, self.col_evidence, None, styles["input"])
            number = str(row + 1)
            for helper_col, template in helpers.items():
                write_classic_formula(sheet, row, helper_col, template.replace(_ROW, number))
            read = cell_ref(row, self.col_read)
            for gap_col, expected_col in (
                (self.col_gap_now, COL_EXPECTED_NOW),
                (self.col_gap_next, COL_EXPECTED_NEXT),
            ):
                expected = cell_ref(row, expected_col)
                # the score as ingest reads it: blank, a number, or INVALID in both gap cells
                formula = (
                    f'=IF({read}="","",IF(ISNUMBER({read}),'
                    f'IF({expected}="","",MAX(0,{expected}-{read})),"{INVALID}"))'
                )
                write_classic_formula(sheet, row, gap_col, formula, gap_format)
            height = row_height(
                (
                    (item.competency, _COLUMN_WIDTHS[COL_NAME]),
                    (item.statement_now, _COLUMN_WIDTHS[COL_STATEMENT_NOW]),
                    (item.statement_next, _COLUMN_WIDTHS[COL_STATEMENT_NEXT]),
                )
            )
            if height is not None:
                sheet.set_row(row, height)
        if not rows:
            return
        first, last = header_row + 1, header_row + len(rows)
        scale = self.settings.scale
        add_validation(
            sheet,
            first,
            COL_SCORE,
            last,
            COL_SCORE,
            {
                "validate": "list",
                "source": [str(v) for v in scale.values],
                "input_title": f"Score ({scale.minimum}-{scale.maximum})",
                "input_message": score_input_message(scale),
                # "stop": a wrong value is refused while the manager is typing, the cheapest
                # moment to fix it. Ingest still accepts "3 - Proficient" or a label, because
                # pasting, Google Sheets and LibreOffice can all bypass the validation.
                "error_type": "stop",
                "error_title": "Not a score",
                "error_message": (
                    f"Pick a whole number from {scale.minimum} to {scale.maximum} from the list "
                    f"(the rubric is on the {SCORING_COVER_SHEET} sheet), or leave it blank."
                ),
            },
        )
        gaps = f"{cell_ref(first, self.col_gap_now)}:{cell_ref(last, self.col_gap_next)}"
        # "between" rules, not "> 0": Excel ranks text above numbers, so "cell > 0" would also
        # colour the "" of an unscored row. Numeric bounds also keep xlsxwriter fast (each
        # formula rule costs it hundreds of regex passes).
        for low, high, style in ((0.01, 1.99, "warn"), (2, 1000, "bad"), (0, 0, "good")):
            sheet.conditional_format(
                gaps,
                {
                    "type": "cell",
                    "criteria": "between",
                    "minimum": low,
                    "maximum": high,
                    "format": self.styles[style],
                },
            )
        # One formula rule over the table: a row whose score ingest would reject (a 7, a 2.5,
        # "3 - Advanced", a formula) stands out in red, its gap cells saying INVALID.
        read_top = f"${col_letter(self.col_read)}{first + 1}"
        sheet.conditional_format(
            first,
            COL_ID,
            last,
            self.col_gap_next,
            {
                "type": "formula",
                "criteria": f'={read_top}="{INVALID}"',
                "format": self.styles["bad"],
            },
        )

    # --- Cover sheet ----------------------------------------------------------------------

    def cover_sheet(
        self, sheet: Worksheet, sheets: list[tuple[Employee, str, list[ScoringRow]]]
    ) -> None:
        styles = self.styles
        scale = self.settings.scale
        sheet.set_row(0, TITLE_ROW_HEIGHT)  # 16 pt title: the default row clips it
        write_text(sheet, 0, 0, self.title, styles["title"])
        write_text(sheet, 1, 0, self.header_text, styles["subtitle"])
        if self.self_assessed is not None:
            instructions: tuple[str, ...] = (
                "This is your self-assessment. On your sheet, fill the yellow Score cells (pick "
                "from the dropdown) with where you see yourself today, and write beside each "
                "score the evidence for it: work, results, feedback.",
                "Expected now / Expected next: what the ladder expects at your current and "
                "target level. The Gap columns and the figures at the top update as you score.",
                "Your manager scores you separately; the two are compared in your review "
                "conversation. Differences are topics to talk about, not mistakes.",
                "Leave a score blank if you cannot judge it: blank means not scored, never zero.",
                "When done, save and return this file as it is (.xlsx; .ods also works).",
            )
            team_heading = "Your self-assessment"
        else:
            instructions = (
                "There is one sheet per person you manage. On each, fill the yellow Score cells "
                "(pick from the dropdown) and write the evidence beside each score.",
                "Expected now / Expected next: what the ladder expects at the person's current "
                "and target level. The Gap columns and the figures at the top update as you "
                "score.",
                "Leave a score blank if you cannot judge it: blank means not scored, never zero.",
                "You may sort the rows or insert blank ones; keep the Competency ID column as it "
                "is.",
                "When done, save and return this file as it is (.xlsx; .ods also works).",
            )
            if self.previous is not None:  # sheets --history
                earlier = f" ({self.previous_cycle})" if self.previous_cycle else ""
                instructions = (
                    *instructions[:2],
                    f"{LAST_CYCLE_HEADER}: the score the person was given last cycle{earlier}, "
                    "for reference only (blank: not scored then). Score today on its own.",
                    *instructions[2:],
                )
            team_heading = "Your direct reports"
        row = 3
        widths = (30, 14, 12, 12, 16, 12, 14)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for line in instructions:
            # merged across the table's width so long lines wrap instead of running off the page
            sheet.merge_range(row, 0, row, len(widths) - 1, f"• {line}", styles["wrap"])
            height = row_height([(line, sum(widths))])
            if height is not None:
                sheet.set_row(row, height)
            row += 1
        row += 1
        write_text(sheet, row, 0, team_heading, styles["h2"])
        row += 1
        headers = ("Name", "Employee ID", "Level", "Target", "Status", "Scored", "Ready for target")
        for col, header in enumerate(headers):
            write_text(sheet, row, col, header, styles["header"])
        cover_header = row
        for employee, name, rows in sheets:
            row += 1
            target = target_level(self.ladder, employee)
            quoted = sheet_ref(name)
            first = SCORING_TABLE_HEADER_ROW + 1
            read = f"{quoted}!{_column_range(self.col_read, first, first + len(rows) - 1)}"
            count = max(1, len(rows))
            scored = f"COUNT({read})"  # scores ingest accepts; INVALID ones are to fix
            sheet.write_url(
                row, 0, f"internal:{quoted}!A1", styles["cell"], employee.name, f"Go to {name}"
            )
            write_text(sheet, row, 1, employee.employee_id, styles["cell"])
            write_text(sheet, row, 2, employee.level, styles["cell_center"])
            write_text(sheet, row, 3, target.code if target else "", styles["cell_center"])
            sheet.write_formula(
                row,
                4,
                f'=IF(COUNTIF({read},"{INVALID}")>0,"To fix",IF({scored}=0,"Not started",'
                f'IF({scored}>={len(rows)},"Done","In progress")))',
                styles["cell"],
                "Not started",
            )
            sheet.write_formula(row, 5, f"={scored}/{count}", styles["percent"], 0)
            readiness = cell_ref(_ROW_OF[SCORING_LABEL_READINESS], 1)
            sheet.write_formula(row, 6, f"={quoted}!{readiness}", styles["percent"], "")
        row += 2
        write_text(sheet, row, 0, "The scale", styles["h2"])
        row += 1
        for col, header in enumerate(("Score", "Label", "Meaning")):
            write_text(sheet, row, col, header, styles["header"])
        for point in scale.points:
            row += 1
            write_value(sheet, row, 0, point.value, styles["cell_center"])
            write_text(sheet, row, 1, point.label, styles["cell"])
            # merged across the rest of the table and wrapped: it prints within the page
            sheet.merge_range(row, 2, row, len(widths) - 1, point.meaning, styles["wrap"])
            height = row_height([(point.meaning, sum(widths[2:]))])
            if height is not None:
                sheet.set_row(row, height)
        sheet.protect("", _PROTECTION)
        print_setup(  # landscape like the people's sheets: the table prints at full size
            sheet,
            repeat_rows=(cover_header, cover_header),
            header=self.header_text,
            widths=widths,
        )

    # --- _meta ----------------------------------------------------------------------------

    def meta_sheet(
        self, sheet: Worksheet, sheets: list[tuple[Employee, str, list[ScoringRow]]]
    ) -> None:
        text = self.styles["text"]
        values: dict[str, object] = {
            META_KIND: KIND_SCORING,
            "schema_version": SCHEMA_VERSION,
            "generator": f"laddersheet {__version__}",
            "content_digest": self.digest,
            "manager_id": self.manager_id,
            "manager_name": self.manager_name,
            "company": self.settings.company,
            "cycle": self.settings.cycle,
            "created": self.settings.created,
        }
        if self.self_assessed is not None:  # META_SELF_KEYS: the person, no manager
            values[META_KIND] = KIND_SELF_ASSESSMENT
            values[META_SELF_EMPLOYEE] = self.self_assessed.employee_id
            values = {key: values[key] for key in META_SELF_KEYS}
        for col, header in enumerate(META_HEADERS):
            write_text(sheet, 0, col, header, text)
        row = 0
        for key, value in values.items():
            row += 1
            write_text(sheet, row, 0, key, text)
            write_text(sheet, row, 1, value, text)  # text, so a digest never becomes a number
        row += 2
        for col, header in enumerate(SCORING_META_EMPLOYEE_HEADERS):
            write_text(sheet, row, col, header, text)
        for employee, name, _ in sheets:
            row += 1
            target = target_level(self.ladder, employee)
            fields = (
                employee.employee_id,
                name,
                employee.name,
                employee.family_id,
                employee.track,
                employee.level,
                target.code if target else "",
            )
            for col, value in enumerate(fields):
                write_text(sheet, row, col, value, text)
        if self.self_assessed is None:  # a self-assessment names no one else
            self.sent_table(sheet, row + 2)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 66)
        sheet.protect("", _PROTECTION)
        print_setup(sheet, landscape=False)
        sheet.hide()

    def sent_table(self, sheet: Worksheet, row: int) -> None:
        """Everyone the run sent a sheet for, so ingest lists who did not come back."""
        text = self.styles["text"]
        for col, header in enumerate(SCORING_META_SENT_HEADERS):
            write_text(sheet, row, col, header, text)
        for employee, manager_name, workbook in self.sent:
            row += 1
            fields = (
                employee.employee_id,
                employee.name,
                employee.manager_id,
                manager_name,
                employee.family_id,
                employee.track,
                employee.level,
                workbook,
            )
            for col, value in enumerate(fields):
                write_text(sheet, row, col, value, text)


# --- Reading a Score cell the way ingest does -------------------------------------------------
#
# The gap and readiness formulas must give every value a manager may type or paste the verdict
# ingest's ``parse_score`` gives it: accepted (as which number) or rejected. Hidden helper columns
# right of the table replay the parser step by step with classic functions only (Excel 2007+,
# LibreOffice, Google Sheets; no LET, REGEX or array formulas), each cell referring to its own row
# only, so sorted rows keep working. The last helper ("read as") holds the number the score is
# read as, "" for blank, or INVALID; the gaps, the counts and the colours all use it.

INVALID = "invalid"  # what the gap cells show for a score ingest would reject

# Characters Python's str.split() treats as whitespace (ingest collapses them), other than " ".
# Those that cannot stand in an xlsx formula as they are come from CHAR() (ASCII: the same in
# every code page); the others are written literally (CHAR(160) is not a space on a Mac).
# CHAR(1) too: LibreOffice shows formulas a tab as \x01 in a cell that also holds a line break
# (a real \x01 cannot be stored in an xlsx cell, so nothing else is read as a space).
_WHITESPACE_CODES = (9, 10, 11, 12, 13, 28, 29, 30, 31, 1)
_WHITESPACE_LITERALS = (
    "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
_QUOTES = "\"'“”‘’„«»"  # stripped from both ends, as ingest's _QUOTES
_SEPARATORS = "-–—:.)=/"  # between the number and the label, as ingest's _NUMBER_AND_LABEL
_DIGITS = "0123456789"
_PLACEHOLDER = "\ue000"  # stands for a space while quotes are trimmed: any character but space
_MARKS = tuple(map(chr, range(0xE001, 0xE0FF)))  # private use: one not in any label marks a spot

# Helper columns after the table (one blank column between), in calculation order.
_HELPERS = ("t1", "u", "t2", "b", "nd", "num", "u2", "r1", "r2", "lp", "lab", "nl", "read")
HELPER_FIRST_COL = COL_GAP_NEXT + 2
_HELPER_COL = {name: HELPER_FIRST_COL + i for i, name in enumerate(_HELPERS)}
COL_SCORE_READ = _HELPER_COL["read"]
_ROW = "\x00"  # stands for the row number in a formula template


def _text(value: str) -> str:
    """A formula string literal."""
    return '"' + value.replace('"', '""') + '"'


def _substitute_all(expression: str, olds: Sequence[str], new: str) -> str:
    for old in olds:
        expression = f"SUBSTITUTE({expression},{old},{new})"
    return expression


def _label_lookup(text: str, scale: Scale) -> str:
    """The scale value whose label ``text`` is (as ingest: spaces collapsed, any case), or ""."""
    folded = f'SUBSTITUTE(LOWER({text}),"ß","ss")'  # LOWER, with casefold's commonest extra
    lookup = '""'
    for point in reversed(scale.points):
        key = " ".join(point.label.split()).casefold()
        lookup = f"IF(EXACT({folded},{_text(key)}),{point.value},{lookup})"
    return lookup


def score_reading_formulas(scale: Scale, *, shift: int = 0) -> dict[int, str]:
    """Helper column → formula template (``_ROW`` stands for the row number), in column order.

    ``shift``: columns the helpers stand right of their usual place (a Last cycle column).

    A step by step copy of ``ingest.parse_score``:

    * a formula, an error, TRUE/FALSE or a date/time is invalid; a number must be whole and on
      the scale;
    * text is read after collapsing whitespace (every character Python counts as whitespace)
      and stripping quotes and spaces from both ends (t1, u, t2), as: a number such as "3",
      "+3", "03", "3.0" or "3,0" (b, nd, num); a label in any case (lab); the number with its
      label: "3 - Proficient", "3: Proficient", "3 (Proficient)", "3.Proficient" (u2 … nl), where
      the number and the label must agree.

    CELL("format") tells a date from a number: Excel answers "D1".."D9" for dates and times and
    "G" for General; LibreOffice "G" for dates and "F0" for General, so a blank General cell
    tells which answer applies. Google Sheets lacks CELL("format"): no date check there.

    Known limits (no manager types these): case folding beyond LOWER and "ß" (ligatures, final
    sigma); texts with more than 15 significant digits; in LibreOffice a number formatted as a
    fraction or as text reads as a date; a custom label that starts with a separator or "(".
    """
    labels = " ".join(p.label for p in scale.points)
    mark = _text(next(m for m in _MARKS if m not in labels))
    placeholder = _text(_PLACEHOLDER)
    helper_col = {name: col + shift for name, col in _HELPER_COL.items()}
    c = {name: f"{col_letter(col)}{_ROW}" for name, col in helper_col.items()}
    s = f"{col_letter(COL_SCORE)}{_ROW}"
    t1, u, t2, b, nd, u2, r1, r2 = (c[k] for k in ("t1", "u", "t2", "b", "nd", "u2", "r1", "r2"))
    spaces = [f"CHAR({code})" for code in _WHITESPACE_CODES] + list(
        map(_text, _WHITESPACE_LITERALS)
    )
    digits = list(map(_text, _DIGITS))
    quotes = list(map(_text, _QUOTES))
    is_digit = lambda x: f"ISNUMBER(FIND({x},{_text(_DIGITS)}))"  # noqa: E731 (x not "")
    is_separator = lambda x: f"ISNUMBER(FIND({x},{_text(_SEPARATORS)}))"  # noqa: E731
    # t2: t1 without the quote runs at its ends: in u quotes are spaces (and spaces are not), so
    # TRIM(u) starts at the first kept character; the last is found by marking its last instance.
    first = f"FIND(LEFT(TRIM({u}),1),{u})"
    last_char = f"RIGHT(TRIM({u}),1)"
    count = f'LEN({u})-LEN(SUBSTITUTE({u},{last_char},""))'
    last = f"FIND({mark},SUBSTITUTE({u},{last_char},{mark},{count}))"
    # num: "" when t2 is not [+-]?[0-9]+([.,][0-9]+)?, else the score or "x" (rejected)
    point = f'IF({nd}="",LEN({b})+1,FIND({nd},{b}))'
    value = f'IF(LEFT({t2},1)="-",-1,1)*VALUE(LEFT({b},{point}-1))'
    whole = f'SUBSTITUTE(MID({b},{point}+1,LEN({b})),"0","")=""'
    # r1: what follows the number and the separator (ingest's regex: optional space, then one of
    # the separators or a space); r2: that without one leading space and "("
    rest = f"MID({t2},FIND(LEFT(TRIM({u2}),1),{u2}),LEN({t2}))"
    second = f"MID({rest},2,1)"
    r1_formula = (
        f'IF(OR(TRIM({u2})="",NOT({is_digit(f"LEFT({t2},1)")})),{mark},'
        f'IF(LEFT({rest},1)=" ",'
        f'IF(AND({second}<>"",{is_separator(second)}),MID({rest},3,LEN({rest})),'
        f"MID({rest},2,LEN({rest}))),"
        f"IF({is_separator(f'LEFT({rest},1)')},MID({rest},2,LEN({rest})),{mark})))"
    )
    spaced = f'IF(LEFT({r1},1)=" ",MID({r1},2,LEN({r1})),{r1})'
    label_value = _label_lookup(c["lp"], scale)
    number = f"VALUE(LEFT({t2},FIND(LEFT(TRIM({u2}),1),{u2})-1))"
    is_date = (
        f'IFERROR(OR(LEFT(CELL("format",{s}),1)="D",AND(CELL("format",{s})="G",'
        f'CELL("format",${col_letter(helper_col["read"])}$1)="F0")),FALSE)'
    )
    invalid = _text(INVALID)
    formulas = {
        "t1": f'IF(ISTEXT({s}),TRIM({_substitute_all(s, spaces, chr(34) + " " + chr(34))}),"")',
        "u": _substitute_all(f'SUBSTITUTE({t1}," ",{placeholder})', quotes, '" "'),
        "t2": (
            f'IF(OR({t1}="",ISNUMBER(FIND({mark},{t1})),TRIM({u})=""),"",'
            f"TRIM(MID({t1},{first},{last}-{first}+1)))"
        ),
        "b": f'MID({t2},1+OR(LEFT({t2},1)="+",LEFT({t2},1)="-"),LEN({t2})+1)',
        "nd": _substitute_all(b, digits, '""'),
        "num": (
            f'IF(OR({b}="",AND({nd}<>"",{nd}<>".",{nd}<>","),NOT({is_digit(f"LEFT({b},1)")}),'
            f'NOT({is_digit(f"RIGHT({b},1)")})),"",IFERROR(IF(AND({whole},'
            f'{value}>={scale.minimum},{value}<={scale.maximum}),{value},"x"),"x"))'
        ),
        "u2": _substitute_all(f'SUBSTITUTE({t2}," ",{placeholder})', digits, '" "'),
        "r1": r1_formula,
        "r2": f'IF(LEFT({spaced},1)="(",MID({spaced},2,LEN({spaced})),{spaced})',
        "lp": (f'TRIM(IF(AND(LEN({r2})>=2,RIGHT({r2},1)=")"),LEFT({r2},LEN({r2})-1),{r2}))'),
        "lab": _label_lookup(t2, scale),
        "nl": f'IFERROR(IF({number}={label_value},{label_value},""),"")',
        "read": (
            f"IF(ISERROR({s}),{invalid},IF(IFERROR(_xlfn.ISFORMULA({s}),FALSE),{invalid},"
            f'IF(ISBLANK({s}),"",IF(ISLOGICAL({s}),{invalid},'
            f"IF(ISNUMBER({s}),IF(OR({is_date},{s}<{scale.minimum},{s}>{scale.maximum},"
            f"{s}<>INT({s})),{invalid},{s}),"
            f'IF({t1}="","",IF({c["num"]}<>"",IF(ISNUMBER({c["num"]}),{c["num"]},{invalid}),'
            f"IF(ISNUMBER({c['lab']}),{c['lab']},IF(ISNUMBER({c['nl']}),{c['nl']},{invalid})"
            f")))))))"
        ),
    }
    return {helper_col[name]: "=" + formulas[name] for name in _HELPERS}


def write_classic_formula(
    sheet: Worksheet, row: int, col: int, formula: str, cell_format: object = None
) -> None:
    """``sheet.write_formula(row, col, formula, cell_format, "")`` without its regex passes.

    xlsxwriter runs ~30 regular expressions over every formula to prefix Excel's newer functions
    with ``_xlfn.``; the reading formulas use classic functions only (a test checks) and come to
    some 4,000 characters a row, so those passes would cost most of the time ``sheets`` takes.
    The cell is stored exactly as ``write_formula`` stores it (xlsxwriter is pinned; a test
    compares the two).
    """
    if sheet._check_dimensions(row, col):
        raise ValueError(f"cell ({row}, {col}) is outside the worksheet")
    sheet.table[row][col] = CellFormulaTuple(formula.removeprefix("="), cell_format, "")


def _column_range(col: int, first_row: int, last_row: int) -> str:
    """An absolute A1 range of one column, e.g. $H$19:$H$30 (rows 0-based)."""
    letter = col_letter(col)
    return f"${letter}${first_row + 1}:${letter}${max(first_row, last_row) + 1}"
