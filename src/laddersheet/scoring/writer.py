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

from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..errors import WorkbookError
from ..ladder import Ladder
from ..layout import (
    ASSESSMENT_SELF,
    KIND_SCORING,
    KIND_SELF_ASSESSMENT,
    META_HEADERS,
    META_KIND,
    META_SELF_EMPLOYEE,
    META_SELF_KEYS,
    META_SHEET,
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
    SCORING_SCHEMA_VERSION,
    SCORING_TABLE_HEADER_ROW,
    SELF_FILE_PREFIX,
)
from ..parallel import Crashed, run_each, start_progress
from ..roster import Employee
from ..settings import TRACK_IC, TRACK_MANAGER, LevelSpec, Scale
from ..workbook import (
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
from .formulas import (
    COL_SCORE_READ,
    HELPER_FIRST_COL,
    INVALID,
    ROW_TOKEN,
    column_range,
    score_reading_formulas,
    write_classic_formula,
)
from .plan import COL_DUE as COL_PLAN_DUE
from .plan import COL_STATUS as COL_PLAN_STATUS
from .plan import LastCycle, PlanItem, PlanWriter, top_gaps
from .rows import (
    COL_DOMAIN,
    COL_EVIDENCE,
    COL_EXPECTED_NEXT,
    COL_EXPECTED_NOW,
    COL_GAP_NEXT,
    COL_GAP_NOW,
    COL_ID,
    COL_LAST_CYCLE,
    COL_NAME,
    COL_SCORE,
    COL_STATEMENT_NEXT,
    COL_STATEMENT_NOW,
    LAST_CYCLE_HEADER,
    ScoringRow,
    ScoringRowBuilder,
    target_level,
)

# Score: see score_column_width. Domain at 13 (its names wrap, beside taller statements) lets
# the first printed page hold Statement now: a person's sheet prints three pages across at 85 %
# (10 pt text at 8.5 pt) instead of four at 95 %, and a fifth more rows down each page.
_COLUMN_WIDTHS = (18, 26, 13, 9, 9, 44, 44, 9, 44, 9, 9)
_LAST_CYCLE_WIDTH = 12
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


def scoring_file_name(manager_name: str, taken: set[str]) -> str:
    return safe_file_stem(f"{SCORING_FILE_PREFIX}{manager_name}", taken) + ".xlsx"


def write_scoring_workbooks(
    ladder: Ladder,
    employees: Sequence[Employee],
    out_dir: Path,
    *,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    last_cycle: LastCycle | None = None,
) -> list[Path]:
    """One scoring workbook per manager in ``out_dir``; returns the paths in writing order.

    Employees with no manager_id (the top of the roster) are not scored and get no sheet.
    Managers are taken in name order, their reports in roster order. ``last_cycle``: what the
    history holds from the cycle before (``sheets --history``): its accepted scores, shown
    read-only in a Last cycle column, and the actions still open, to review under the scores.
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
    tasks = [_Task(out_dir / files[m], tuple(teams[m]), m, manager_names[m]) for m in order]
    shared = (ladder, digest, last_cycle)
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
    return _write_all((ladder, digest), tasks, jobs, on_progress)


@dataclass(frozen=True)
class _Task:
    """One workbook to write: where, for whom, and what its _meta says."""

    path: Path
    team: tuple[Employee, ...]
    manager_id: str = ""
    manager_name: str = ""
    self_assessed: Employee | None = None


def _write_all(
    shared: tuple[Ladder, str] | tuple[Ladder, str, LastCycle | None],
    tasks: list[_Task],
    jobs: int | None,
    on_progress: Callable[[Path], None] | None,
) -> list[Path]:
    """Every workbook, on every core when there are many (each file is the same bytes whoever
    writes it); the paths in task order. ``shared``: ladder, content digest (and, optionally,
    what the history holds from the cycle before)."""
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
        last_cycle: LastCycle | None = None,
    ) -> None:
        self.builder = ScoringRowBuilder(ladder)
        self.digest = digest
        self.last_cycle = last_cycle  # sheets --history, or None


def _write_one(context: _WriterContext, task: _Task) -> Path:
    writer = _ScoringWriter(
        context.builder,
        context.digest,
        task.manager_id,
        task.manager_name,
        self_assessed=task.self_assessed,
        # never in a self-assessment: the person does not see the manager's earlier scores
        last_cycle=context.last_cycle if task.self_assessed is None else None,
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
        *,
        self_assessed: Employee | None = None,
        last_cycle: LastCycle | None = None,
    ) -> None:
        self.last_cycle = last_cycle
        previous = last_cycle.scores if last_cycle is not None else None
        previous_cycle = last_cycle.name if last_cycle is not None else ""
        self.previous = previous  # None: no Last cycle column
        self.previous_cycle = previous_cycle
        shift = 0 if previous is None else 1  # the Last cycle column moves the columns after it
        self.col_evidence = COL_EVIDENCE + shift
        self.col_gap_now, self.col_gap_next = COL_GAP_NOW + shift, COL_GAP_NEXT + shift
        self.col_helpers, self.col_read = HELPER_FIRST_COL + shift, COL_SCORE_READ + shift
        self.col_suggestion = self.col_read + 1  # hidden: each row's suggested action (the plan)
        # sheet -> rows of its plan and of its earlier actions (the cover counts what is done)
        self.plan_inputs: dict[str, tuple[tuple[int, int] | None, tuple[int, int] | None]] = {}
        self.widths: tuple[int, ...] = _COLUMN_WIDTHS
        self.headers: tuple[str, ...] = SCORING_HEADERS
        if previous is not None:
            header = LAST_CYCLE_HEADER + (f" ({previous_cycle})" if previous_cycle else "")
            at = COL_LAST_CYCLE
            self.widths = (*_COLUMN_WIDTHS[:at], _LAST_CYCLE_WIDTH, *_COLUMN_WIDTHS[at:])
            self.headers = (*SCORING_HEADERS[:at], header, *SCORING_HEADERS[at:])
        # A self-assessment: the person's own workbook, its words addressed to them.
        self.self_assessed = self_assessed
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
        sheet.set_column(self.col_helpers, self.col_suggestion, None, None, {"hidden": True})
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
        read = column_range(self.col_read, first, last)
        gaps_now = column_range(self.col_gap_now, first, last)
        gaps_next = column_range(self.col_gap_next, first, last)
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
        if self.self_assessed is None:
            note += " Then, with the person, agree the development plan under the scores."
        # merged across the first printed page and wrapped: it prints whole on that page
        sheet.merge_range(_NOTE_ROW, 0, _NOTE_ROW, self.first_page_col, note, styles["note"])
        height = row_height([(note, sum(self.print_widths[: self.first_page_col + 1]))])
        if height is not None:
            sheet.set_row(_NOTE_ROW, height)
        self.table(sheet, rows, employee)
        if self.self_assessed is None:  # the plan is agreed by the manager with the person
            self.plan_blocks(sheet, employee, rows, target)
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

    def plan_blocks(
        self,
        sheet: Worksheet,
        employee: Employee,
        rows: list[ScoringRow],
        target: LevelSpec | None,
    ) -> None:
        """Earlier actions to review (with history), then this cycle's plan, under the scores."""
        first = SCORING_TABLE_HEADER_ROW + 1
        suggestions: dict[str, str] = {}
        if target is not None:
            for item in rows:
                found = self.ladder.action_for(item.competency_id, target.code, employee.family_id)
                if found is not None:
                    suggestions[item.competency_id] = found.action
        for offset, item in enumerate(rows):  # the plan's Suggested action looks these up
            text = suggestions.get(item.competency_id, "")
            if text:
                write_text(sheet, first + offset, self.col_suggestion, text)
        writer = PlanWriter(
            sheet,
            self.styles,
            self.print_widths,
            key_col=self.col_helpers,
            suggestion_col=self.col_suggestion,
            gap_col=self.col_gap_next,
            table_rows=(first, first + max(len(rows), 1) - 1),
            first_page_col=self.first_page_col,
        )
        row = first + len(rows) + 1
        sheet.set_h_pagebreaks([row])  # the plan starts a printed page of its own
        earlier = self.last_cycle.open_actions.get(employee.employee_id) if self.last_cycle else ()
        if earlier:
            row = writer.review(row, earlier)
        previous = self.previous.get(employee.employee_id) if self.previous else None
        items = [
            PlanItem(item, suggestions.get(item.competency_id, ""))
            for item in top_gaps(
                rows,
                previous,
                self.settings.scale.minimum,
                covered=self.last_cycle.covered(employee.employee_id, suggestions)
                if self.last_cycle
                else frozenset(),
            )
        ]
        writer.plan(row, items, self.plan_note(employee, target, previous))
        self.plan_inputs[sheet.name] = (writer.plan_rows, writer.review_rows)

    def plan_note(
        self, employee: Employee, target: LevelSpec | None, previous: dict[str, int] | None
    ) -> str:
        if target is None:
            return (
                "Top of the track: agree up to five actions to grow in the role, each with a due "
                "date (pick the competency it develops, or leave it blank)."
            )
        basis = (
            f"the largest gaps to {target.code} at last cycle's scores"
            if previous
            else f"the competencies where {target.code} asks most above {employee.level}"
        )
        return (
            f"Prefilled with {basis}, each with the ladder's suggested action (grey: a suggestion "
            "until it has a due date). Agree the actions together: edit the text, give each a "
            "due date, and change the competency if the scores show other gaps."
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
                write_classic_formula(sheet, row, helper_col, template.replace(ROW_TOKEN, number))
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
            height = row_height(  # every text that wraps in the row: none may be cut
                (
                    (item.competency_id, _COLUMN_WIDTHS[COL_ID]),
                    (item.competency, _COLUMN_WIDTHS[COL_NAME]),
                    (item.domain, _COLUMN_WIDTHS[COL_DOMAIN]),
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
                "Then, under the scores and with the person: pick a Status for each action agreed "
                "earlier (if there are any), and agree the Development plan. Its first rows are "
                "prefilled with the top gaps and the ladder's suggested action: edit the action "
                "and give each a Due date. Grey italic text is still a suggestion: an action is "
                "agreed once it has a date.",
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
        widths: tuple[int, ...] = (30, 14, 12, 12, 16, 12, 14)
        if self.plan_inputs:  # one more column, still one landscape page wide at >= 85 %
            widths = (28, 12, 8, 8, 14, 10, 12, 22)
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
        headers: tuple[str, ...] = (
            "Name",
            "Employee ID",
            "Level",
            "Target",
            "Status",
            "Scored",
            "Ready for target",
        )
        if self.plan_inputs:  # managers' workbooks: is each plan agreed yet
            headers = (*headers, "Development plan")
        for col, header in enumerate(headers):
            write_text(sheet, row, col, header, styles["header"])
        cover_header = row
        for employee, name, rows in sheets:
            row += 1
            target = target_level(self.ladder, employee)
            quoted = sheet_ref(name)
            first = SCORING_TABLE_HEADER_ROW + 1
            read = f"{quoted}!{column_range(self.col_read, first, first + len(rows) - 1)}"
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
            if name in self.plan_inputs:
                formula, cached = _plan_status(quoted, *self.plan_inputs[name])
                sheet.write_formula(row, 7, formula, styles["cell"], cached)
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
            "schema_version": SCORING_SCHEMA_VERSION,
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
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 66)
        sheet.protect("", _PROTECTION)
        print_setup(sheet, landscape=False)
        sheet.hide()


def _plan_status(
    quoted: str, plan: tuple[int, int] | None, review: tuple[int, int] | None
) -> tuple[str, str]:
    """The cover's Development plan cell: actions dated so far, earlier statuses still to pick.

    Returns the formula and the value it shows before any calculation.
    """
    parts, cached = ['""'], ""
    if plan is not None:
        dated = f"COUNTA({quoted}!{column_range(COL_PLAN_DUE, *plan)})"  # dates typed as text too
        parts = [f'IF({dated}=0,"To agree",{dated}&" agreed")']
        cached = "To agree"
    if review is not None:
        blank = f"COUNTBLANK({quoted}!{column_range(COL_PLAN_STATUS, *review)})"
        parts.append(f'IF({blank}>0,"; "&{blank}&" earlier to review","")')
        cached += f"; {review[1] - review[0] + 1} earlier to review"
    return "=" + "&".join(parts), cached
