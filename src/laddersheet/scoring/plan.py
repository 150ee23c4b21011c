"""The development-plan blocks under the scores of each person's sheet (managers' workbooks).

Two small tables, in the order of a review conversation:

* **Actions agreed earlier** (only with ``sheets --history`` and open actions): each action
  agreed in an earlier cycle and not yet done or dropped, read-only, with a Status to pick
  (done / in progress / not started / dropped), its Due date (which may be moved) and a Note. A
  hidden column holds the history's key of the action, so ingest records against the right one.
* **Development plan**: ``PLAN_ROWS`` rows. The first ``PLAN_PREFILLED`` hold the person's top
  gaps to the target level, each with the master's suggested action, and the Agreed action
  prefilled with that suggestion, shown grey and italic until it has a due date (a suggestion is
  agreed once dated); the manager edits it and gives the date. The Competency is a dropdown of
  the person's competencies; Gap to target and Suggested action follow it by live lookup (the
  suggestions sit in a hidden column of the score table).

The blocks start on a new printed page.

Which gaps are the top ones is decided when the workbook is written, before any scoring: with
last cycle's scores (``sheets --history``), the largest gaps from those scores to the target's
expectation; otherwise the competencies where the target asks most above the current level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from xlsxwriter.worksheet import Worksheet

from ..actions import text_key
from ..layout import (
    ACTION_STATUSES,
    PLAN_HEADERS,
    PLAN_PREFILLED,
    PLAN_ROWS,
    PLAN_TITLE,
    REVIEW_HEADERS,
    REVIEW_KEY_HEADER,
    REVIEW_TITLE,
)
from ..workbook import PALETTE, Styles, add_validation, cell_ref, row_height, write_text
from .formulas import column_range
from .rows import COL_NAME, PreviousScores, ScoringRow

# Plan block columns (0-based): the score table's first columns, whose widths they share. A:B
# repeat on every printed page across, so they hold what names a row (competency or status, and
# the due date); the action is merged over C:E, all on the first page.
COL_COMPETENCY, COL_DUE, COL_AGREED, COL_AGREED_END = 0, 1, 2, 4
COL_SUGGESTED, COL_GAP = 5, 6
COL_STATUS, COL_REVIEW_ACTION = COL_COMPETENCY, COL_AGREED  # the review block's
COL_NOTE, COL_ABOUT = COL_SUGGESTED, COL_GAP
LAST_COL = COL_GAP
DATE_FORMAT = "yyyy-mm-dd"  # ISO: read the same way in every locale
_EARLIEST, _LATEST = date(2000, 1, 1), date(2100, 12, 31)  # a due date outside is a typo


@dataclass(frozen=True, slots=True)
class OpenAction:
    """An action agreed in an earlier cycle, not yet done or dropped: reviewed this cycle."""

    key: str  # the history's id of the action (hidden in the sheet)
    agreed_in: str  # the cycle's name
    competency: str  # its name, "" when the action has none
    action: str
    due_date: str | None  # ISO


@dataclass(frozen=True)
class LastCycle:
    """What ``sheets --history`` brings from the history into the new workbooks."""

    name: str  # the cycle recorded before the one being prepared
    scores: PreviousScores  # its accepted scores: a read-only Last cycle column
    open_actions: dict[str, tuple[OpenAction, ...]]  # employee id -> actions still open
    # employee id -> competencies with an earlier action still open (not prefilled again)
    open_competencies: dict[str, frozenset[str]] = field(default_factory=dict)
    # employee id -> texts agreed before, and the suggestions they started from (casefolded):
    # a suggestion among them is no new idea, done or not, and is not prefilled again
    agreed_texts: dict[str, frozenset[str]] = field(default_factory=dict)

    def covered(self, employee_id: str, suggestions: dict[str, str]) -> frozenset[str]:
        """The person's competencies not to prefill (see the two fields above)."""
        texts = self.agreed_texts.get(employee_id, frozenset())
        repeated = {c for c, text in suggestions.items() if text_key(text) in texts}
        return self.open_competencies.get(employee_id, frozenset()) | repeated


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A prefilled row of the plan: a competency and the master's suggestion for it."""

    row: ScoringRow
    suggestion: str


def top_gaps(
    rows: Sequence[ScoringRow],
    previous: dict[str, int] | None,
    minimum: int,
    count: int = PLAN_PREFILLED,
    covered: frozenset[str] = frozenset(),
) -> list[ScoringRow]:
    """The competencies to prefill, largest gap to the target first (ties: sheet order).

    With last cycle's scores: the gap from each score to the target's expectation; competencies
    with no score then come after, by how much the target asks above the current level (what an
    unscored competency is first judged by). A track's first level has no expectation "now":
    it counts from the scale's minimum. ``covered`` competencies are passed over (an earlier
    action on them is still open, or their suggestion was agreed before).
    """
    ranked: list[tuple[int, int, int, ScoringRow]] = []
    for order, row in enumerate(rows):
        if row.expected_next is None or row.competency_id in covered:
            continue
        step = row.expected_next - (row.expected_now if row.expected_now is not None else minimum)
        last = previous.get(row.competency_id) if previous else None
        if last is not None:
            gap = row.expected_next - last
            if gap > 0:
                ranked.append((0, -gap, order, row))
        elif step > 0:
            ranked.append((1, -step, order, row))
    return [row for *_, row in sorted(ranked, key=lambda r: r[:3])][:count]


class PlanWriter:
    """Writes the blocks of one person's sheet, under the score table."""

    def __init__(
        self,
        sheet: Worksheet,
        styles: Styles,
        widths: Sequence[int],
        *,
        key_col: int,
        suggestion_col: int,
        gap_col: int,
        table_rows: tuple[int, int],
        first_page_col: int,
    ) -> None:
        self.sheet = sheet
        self.styles = styles
        self.widths = widths
        self.key_col = key_col  # hidden: the review block's action keys
        first, last = table_rows  # the score table's first and last rows (0-based)
        self.names = column_range(COL_NAME, first, last)
        self.gaps = column_range(gap_col, first, last)  # the score table's Gap next
        self.suggestions = column_range(suggestion_col, first, last)  # hidden, per score row
        self.plan_rows: tuple[int, int] | None = None  # where the blocks' inputs are (cover)
        self.review_rows: tuple[int, int] | None = None
        # notes are merged over the first printed page only: a merged cell is cut at a page edge
        self.note_last_col = min(LAST_COL, first_page_col)
        self.date = styles.custom("input_center", num_format=DATE_FORMAT)
        # a conditional format's font (Styles caches it: one per workbook, not per sheet)
        self.suggested = styles.custom("text", italic=True, font_color=PALETTE["muted"])

    def width(self, first: int, last: int) -> int:
        return sum(self.widths[first : last + 1])

    def title(self, row: int, text: str, note: str) -> int:
        """A block's title and its note; returns the header row."""
        write_text(self.sheet, row, 0, text, self.styles["h2"])
        self.sheet.merge_range(row + 1, 0, row + 1, self.note_last_col, note, self.styles["note"])
        height = row_height([(note, self.width(0, self.note_last_col))])
        if height is not None:
            self.sheet.set_row(row + 1, height)
        return row + 2

    def headers(self, row: int, headers: Sequence[str]) -> None:
        header = self.styles["header"]
        for col, text in enumerate(headers):
            if not text:
                continue
            last = col
            while last + 1 < len(headers) and not headers[last + 1]:
                last += 1  # "" continues the cell before: merged
            if last > col:
                self.sheet.merge_range(row, col, row, last, text, header)
            else:
                write_text(self.sheet, row, col, text, header)
        self.sheet.set_row(row, 28)  # "Gap to target" on two lines

    def review(self, row: int, actions: Sequence[OpenAction]) -> int:
        """The earlier cycles' open actions with Status and Note inputs; returns the next row."""
        sheet, styles = self.sheet, self.styles
        header = self.title(
            row,
            REVIEW_TITLE,
            "Pick a Status for each action agreed earlier, with a note if useful; move its Due "
            "date if you agree a new one. Done and dropped actions close; the others come back "
            "next cycle.",
        )
        self.headers(header, REVIEW_HEADERS)
        write_text(sheet, header, self.key_col, REVIEW_KEY_HEADER, styles["header"])
        first = header + 1
        self.review_rows = (first, first + len(actions) - 1)
        for offset, action in enumerate(actions):
            at = first + offset
            sheet.write_blank(at, COL_STATUS, None, styles["input_center"])
            self.merged_text(at, COL_REVIEW_ACTION, action.action, styles["cell"])
            self.date_cell(at, action.due_date)
            sheet.write_blank(at, COL_NOTE, None, styles["input"])
            about = f"{action.competency} · {action.agreed_in}" if action.competency else ""
            write_text(sheet, at, COL_ABOUT, about or action.agreed_in, styles["cell"])
            write_text(sheet, at, self.key_col, action.key, styles["text"])
            self.fit(at, action.action)
        last = first + len(actions) - 1
        statuses = ", ".join(ACTION_STATUSES)
        add_validation(
            sheet,
            first,
            COL_STATUS,
            last,
            COL_STATUS,
            {
                "validate": "list",
                "source": list(ACTION_STATUSES),
                "input_title": "Status",
                "input_message": f"Where the action stands: {statuses}.",
                "error_type": "stop",
                "error_title": "Not a status",
                "error_message": f"Pick one from the list: {statuses}.",
            },
        )
        self.date_validation(first, last)
        return last + 2

    def plan(self, row: int, items: Sequence[PlanItem], note: str) -> int:
        """This cycle's plan; returns the row after it."""
        sheet, styles = self.sheet, self.styles
        header = self.title(row, PLAN_TITLE, note)
        self.headers(header, PLAN_HEADERS)
        first = header + 1
        self.plan_rows = (first, first + PLAN_ROWS - 1)
        for offset in range(PLAN_ROWS):
            at = first + offset
            item = items[offset] if offset < len(items) else None
            name = item.row.competency if item else ""
            write_text(sheet, at, COL_COMPETENCY, name, styles["input"])
            self.merged_text(at, COL_AGREED, item.suggestion if item else "", styles["input"])
            self.date_cell(at, None)
            competency = cell_ref(at, COL_COMPETENCY)
            found = f"MATCH({competency},{self.names},0)"
            sheet.write_formula(
                at,
                COL_SUGGESTED,
                f'=IF({competency}="","",IFERROR(INDEX({self.suggestions},{found}),""))',
                styles["cell"],
                item.suggestion if item else "",
            )
            sheet.write_formula(  # cached "": nothing is scored when the workbook is written
                at,
                COL_GAP,
                f'=IF({competency}="","",IFERROR(INDEX({self.gaps},{found}),""))',
                styles["cell_center"],
                "",
            )
            if item:
                self.fit(at, item.suggestion, name)
        last = first + PLAN_ROWS - 1
        add_validation(
            sheet,
            first,
            COL_COMPETENCY,
            last,
            COL_COMPETENCY,
            {
                "validate": "list",
                "source": "=" + self.names,
                "input_title": "Competency",
                "input_message": "The competency this action develops (or leave it blank for "
                "an action about the role as a whole).",
                "error_type": "warning",  # an action may be about something else
                "error_title": "Not one of this person's competencies",
                "error_message": "Keep it anyway? The action is recorded without a competency.",
            },
        )
        self.date_validation(first, last)
        # a suggestion is agreed once dated: until then its text is grey and italic
        action, due = cell_ref(first, COL_AGREED), cell_ref(first, COL_DUE)  # relative
        sheet.conditional_format(
            first,
            COL_AGREED,
            last,
            COL_AGREED_END,
            {
                "type": "formula",
                "criteria": f'=AND({action}<>"",{due}="")',
                "format": self.suggested,
            },
        )
        return last + 1

    def date_validation(self, first: int, last: int) -> None:
        add_validation(
            self.sheet,
            first,
            COL_DUE,
            last,
            COL_DUE,
            {
                "validate": "date",
                "criteria": "between",
                "minimum": _EARLIEST,
                "maximum": _LATEST,
                "input_title": "Due date",
                "input_message": "When the action should be done, e.g. 2027-03-31.",
                "error_type": "stop",
                "error_title": "Not a date",
                "error_message": "Type a date, e.g. 2027-03-31.",
            },
        )

    def merged_text(self, row: int, col: int, text: str, fmt: object) -> None:
        """Text over the action's columns (C:E)."""
        self.sheet.merge_range(row, col, row, COL_AGREED_END, "", fmt)
        write_text(self.sheet, row, col, text, fmt)

    def date_cell(self, row: int, iso: str | None) -> None:
        """A due date to type (or move): an ISO date as a real date cell."""
        if iso:
            self.sheet.write_datetime(row, COL_DUE, date.fromisoformat(iso), self.date)
        else:
            self.sheet.write_blank(row, COL_DUE, None, self.date)

    def fit(self, row: int, action: str, competency: str = "") -> None:
        """Tall enough for the wrapped action (two columns wide) and competency."""
        height = row_height(
            [
                (action, self.width(COL_AGREED, COL_AGREED_END)),
                (competency, self.widths[COL_COMPETENCY]),
            ]
        )
        if height is not None:
            self.sheet.set_row(row, height)
