"""Scoring workbooks: one per manager, one protected sheet per direct report.

Each employee sheet shows what the ladder expects of the person now and at their target level;
the manager fills in only Score (a dropdown of the scale) and Evidence. Gap and readiness cells
are live formulas so the manager sees the result while scoring; ingest never trusts them and
recomputes everything from the scores. A hidden ``_meta`` sheet binds the file to the master
version (content digest) and each sheet to an employee id.

Speed matters (hundreds of managers): formats come from the cached ``Styles``, validation and
conditional formats are set once per range, never per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from . import __version__
from .ladder import Ladder
from .layout import (
    KIND_SCORING,
    META_HEADERS,
    META_KIND,
    META_SHEET,
    SCHEMA_VERSION,
    SCORING_COVER_SHEET,
    SCORING_FILE_PREFIX,
    SCORING_HEADER_BLOCK_FIRST_ROW,
    SCORING_HEADERS,
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
    SCORING_TABLE_HEADER_ROW,
)
from .roster import Employee
from .settings import TRACK_IC, TRACK_MANAGER, LevelSpec, Scale
from .workbook import (
    EXCEL_MAX_VALIDATION_MESSAGE,
    Styles,
    add_validation,
    atomic_output,
    cell_ref,
    col_letter,
    new_workbook,
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

_COLUMN_WIDTHS = (18, 26, 18, 9, 9, 44, 44, 9, 44, 8, 8)
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
) -> list[Path]:
    """One scoring workbook per manager in ``out_dir``; returns the paths in writing order.

    Employees with no manager_id (the top of the roster) are not scored and get no sheet.
    Managers are taken in name order, their reports in roster order.
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
    builder = ScoringRowBuilder(ladder)
    taken: set[str] = set()
    paths = []
    for manager_id in order:
        path = out_dir / scoring_file_name(manager_names[manager_id], taken)
        writer = _ScoringWriter(builder, digest, manager_id, manager_names[manager_id])
        writer.write(path, teams[manager_id])
        paths.append(path)
        if on_progress is not None:
            on_progress(path)
    return paths


def score_input_message(scale: Scale) -> str:
    """The dropdown's help text: every value with its label, within Excel's 255 characters."""
    full = " · ".join(f"{p.value} {p.label}" for p in scale.points)
    if len(full) <= EXCEL_MAX_VALIDATION_MESSAGE:
        return full
    return f"{scale.minimum} to {scale.maximum}: see the rubric on the {SCORING_COVER_SHEET} sheet."


class _ScoringWriter:
    """Writes one manager's workbook."""

    def __init__(
        self, builder: ScoringRowBuilder, digest: str, manager_id: str, manager_name: str
    ) -> None:
        self.builder = builder
        self.ladder = builder.ladder
        self.digest = digest
        self.settings = builder.ladder.settings
        self.manager_id = manager_id
        self.manager_name = manager_name
        self.header_text = f"{self.settings.company} · {self.settings.cycle}"

    def write(self, path: Path, team: list[Employee]) -> None:
        with atomic_output(path) as tmp:
            book = new_workbook(tmp, in_memory=True)  # small: skip xlsxwriter's temp files
            book.set_properties(
                {
                    "title": f"Competency scoring: {self.manager_name}",
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

    # --- Employee sheet -------------------------------------------------------------------

    def employee_sheet(self, sheet: Worksheet, employee: Employee, rows: list[ScoringRow]) -> None:
        styles = self.styles
        ladder = self.ladder
        target = target_level(ladder, employee)
        family = ladder.family(employee.family_id)
        for col, width in enumerate(_COLUMN_WIDTHS):
            sheet.set_column(col, col, width)
        sheet.set_row(0, TITLE_ROW_HEIGHT)  # 16 pt title: the default row clips it
        write_text(sheet, 0, 0, f"{employee.name}: competency scoring", styles["title"])
        write_text(
            sheet, 1, 0, f"{self.header_text} · scored by {self.manager_name}", styles["subtitle"]
        )
        first, last = SCORING_TABLE_HEADER_ROW + 1, SCORING_TABLE_HEADER_ROW + len(rows)
        scores = _column_range(COL_SCORE, first, last)
        gaps_now = _column_range(COL_GAP_NOW, first, last)
        gaps_next = _column_range(COL_GAP_NEXT, first, last)
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
                f"=COUNT({scores})/{count}",
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
            write_text(sheet, row, 2, note, styles["subtitle"])
        write_text(
            sheet,
            _NOTE_ROW,
            0,
            "Pick a Score in each yellow cell (the dropdown lists the scale; the rubric is on the "
            f"{SCORING_COVER_SHEET} sheet) and write the evidence beside it. Leave a score blank "
            "if you cannot judge it: blank means not scored, never zero.",
            styles.custom("note", text_wrap=False),  # one line, running over the empty cells
        )
        self.table(sheet, rows)
        sheet.freeze_panes(SCORING_TABLE_HEADER_ROW + 1, COL_NAME + 1)
        sheet.protect("", _PROTECTION)
        print_setup(
            sheet,
            repeat_rows=(SCORING_TABLE_HEADER_ROW, SCORING_TABLE_HEADER_ROW),
            header=f"{self.header_text} · {employee.name}",
        )

    def table(self, sheet: Worksheet, rows: list[ScoringRow]) -> None:
        styles = self.styles
        header_row = SCORING_TABLE_HEADER_ROW
        for col, header in enumerate(SCORING_HEADERS):
            write_text(sheet, header_row, col, header, styles["header"])
        sheet.set_row(header_row, 28)  # two lines: "Expected / now" in a narrow column
        cell, center = styles["cell"], styles["cell_center"]
        gap_format = styles["cell_center"]
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
            sheet.write_blank(row, COL_EVIDENCE, None, styles["input"])
            score = cell_ref(row, COL_SCORE)
            for gap_col, expected_col in (
                (COL_GAP_NOW, COL_EXPECTED_NOW),
                (COL_GAP_NEXT, COL_EXPECTED_NEXT),
            ):
                expected = cell_ref(row, expected_col)
                # "?" flags a score that is not a number (pasted text) instead of #VALUE!
                formula = (
                    f'=IF(OR({score}="",{expected}=""),"",IFERROR(MAX(0,{expected}-{score}),"?"))'
                )
                sheet.write_formula(row, gap_col, formula, gap_format, "")
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
        gaps = f"{cell_ref(first, COL_GAP_NOW)}:{cell_ref(last, COL_GAP_NEXT)}"
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
        # One formula rule over Score and Gap cells: something that is not a number (a pasted
        # "3 - Proficient", or the "?" of its gap) stands out in red.
        score_top = cell_ref(first, COL_SCORE)
        sheet.conditional_format(
            f"{score_top}:{cell_ref(last, COL_SCORE)}",
            {
                "type": "formula",
                "criteria": f'=AND({score_top}<>"",NOT(ISNUMBER({score_top})))',
                "format": self.styles["bad"],
                "multi_range": f"{score_top}:{cell_ref(last, COL_SCORE)} {gaps}",
            },
        )

    # --- Cover sheet ----------------------------------------------------------------------

    def cover_sheet(
        self, sheet: Worksheet, sheets: list[tuple[Employee, str, list[ScoringRow]]]
    ) -> None:
        styles = self.styles
        scale = self.settings.scale
        sheet.set_row(0, TITLE_ROW_HEIGHT)  # 16 pt title: the default row clips it
        write_text(sheet, 0, 0, f"Competency scoring: {self.manager_name}", styles["title"])
        write_text(sheet, 1, 0, self.header_text, styles["subtitle"])
        instructions = (
            "There is one sheet per person you manage. On each, fill the yellow Score cells "
            "(pick from the dropdown) and write the evidence beside each score.",
            "Expected now / Expected next: what the ladder expects at the person's current and "
            "target level. The Gap columns and the figures at the top update as you score.",
            "Leave a score blank if you cannot judge it: blank means not scored, never zero.",
            "You may sort the rows or insert blank ones; keep the Competency ID column as it is.",
            "When done, save and return this file as it is (.xlsx; .ods also works).",
        )
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
        write_text(sheet, row, 0, "Your direct reports", styles["h2"])
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
            scores = _column_range(COL_SCORE, first, first + len(rows) - 1)
            count = max(1, len(rows))
            scored = f"COUNT({quoted}!{scores})"
            sheet.write_url(
                row, 0, f"internal:{quoted}!A1", styles["cell"], employee.name, f"Go to {name}"
            )
            write_text(sheet, row, 1, employee.employee_id, styles["cell"])
            write_text(sheet, row, 2, employee.level, styles["cell_center"])
            write_text(sheet, row, 3, target.code if target else "", styles["cell_center"])
            sheet.write_formula(
                row,
                4,
                f'=IF({scored}=0,"Not started",IF({scored}>={len(rows)},"Done","In progress"))',
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
            write_text(sheet, row, 2, point.meaning, styles["text"])
        sheet.protect("", _PROTECTION)
        print_setup(
            sheet,
            landscape=False,
            repeat_rows=(cover_header, cover_header),
            header=self.header_text,
        )

    # --- _meta ----------------------------------------------------------------------------

    def meta_sheet(
        self, sheet: Worksheet, sheets: list[tuple[Employee, str, list[ScoringRow]]]
    ) -> None:
        text = self.styles["text"]
        values = {
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


def _column_range(col: int, first_row: int, last_row: int) -> str:
    """An absolute A1 range of one column, e.g. $H$19:$H$30 (rows 0-based)."""
    letter = col_letter(col)
    return f"${letter}${first_row + 1}:${letter}${max(first_row, last_row) + 1}"
