"""Reading the development-plan blocks under the scores of a person's sheet.

Each block is found by its header row (see ``layout.PLAN_HEADERS`` and ``REVIEW_HEADERS``),
its columns by their headers, so moved or inserted rows and columns are fine. Read as forgivingly
as scores: due dates typed as text in any common form, statuses in other words ("completed",
"ongoing"), files exported by Google Sheets (no validation, dates as text). Every problem names
the file, sheet, cell, person and competency, and what is still recorded.

What counts as agreed: a plan row with an action. A row still holding the suggestion it was
prefilled with and no due date is taken as not discussed, and is not recorded (when others of
the person's rows were agreed, one note per file names them: a date may have been forgotten);
any other action without a due date is recorded, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..actions import ActionReview, AgreedAction, parse_status, text_key
from ..issues import IssueLog
from ..layout import (
    ACTION_STATUSES,
    PLAN_AGREED_HEADER,
    PLAN_COMPETENCY_HEADER,
    PLAN_DUE_HEADER,
    PLAN_HEADERS,
    PLAN_SUGGESTED_HEADER,
    PLAN_TITLE,
    REVIEW_ACTION_HEADER,
    REVIEW_HEADERS,
    REVIEW_KEY_HEADER,
    REVIEW_NOTE_HEADER,
    REVIEW_STATUS_HEADER,
    REVIEW_TITLE,
)
from ..sheetio import SheetData
from ..workbook import cell_ref
from .cells import cell_text, label_key, parse_due_date, short

# What column A (the score table's id column) holds where the blocks start: the scores end there.
BLOCK_MARKS = frozenset(
    label_key(text) for text in (PLAN_TITLE, REVIEW_TITLE, PLAN_HEADERS[0], REVIEW_HEADERS[0])
)
_PLAN_KEYS = {label_key(PLAN_AGREED_HEADER), label_key(PLAN_DUE_HEADER)}
_REVIEW_KEYS = {label_key(REVIEW_STATUS_HEADER), label_key(REVIEW_ACTION_HEADER)}
_HEADER_SCAN_COLS = 12  # block headers sit in the first columns (A:G, and a hidden key column)


@dataclass
class PlanReading:
    """What the blocks of one sheet hold."""

    actions: list[AgreedAction] = field(default_factory=list)
    reviews: list[ActionReview] = field(default_factory=list)
    untouched: int = 0  # suggestions left as prefilled with no due date: not agreed


@dataclass(frozen=True)
class PlanContext:
    """Who the sheet is for and how to name their competencies."""

    employee_id: str
    person: str  # "Ana Ábalos (E101)"
    names: dict[str, str]  # competency name or id (label_key) -> competency id, their sheet's
    suggestion: Callable[[str], str]  # competency id -> the master's suggested action, or ""
    competency_name: Callable[[str], str]


@dataclass(frozen=True)
class _Block:
    """One block of a sheet, found: its rows (header + 1 up to end), columns by header key."""

    sheet: SheetData
    header: int
    end: int
    columns: dict[str, int]
    context: PlanContext
    reading: PlanReading  # what the block adds to
    issues: IssueLog
    where: dict[str, str]  # file and sheet, for every issue


def read_plan(
    sheet: SheetData, start: int, context: PlanContext, file: str, issues: IssueLog
) -> PlanReading:
    """The blocks found from row ``start`` (0-based, where the scores ended) down."""
    reading = PlanReading()
    headers: list[tuple[int, str]] = []
    for index in range(start, len(sheet.rows)):
        keys = {label_key(v) for v in sheet.rows[index][:_HEADER_SCAN_COLS] if type(v) is str and v}
        if keys >= _PLAN_KEYS:
            headers.append((index, "plan"))
        elif keys >= _REVIEW_KEYS:
            headers.append((index, "review"))
    ends = [index for index, _ in headers[1:]] + [len(sheet.rows)]
    where = {"file": file, "sheet": sheet.name}
    for (header, kind), end in zip(headers, ends, strict=True):
        columns = {
            label_key(v): c for c, v in enumerate(sheet.rows[header]) if type(v) is str and v
        }
        block = _Block(sheet, header, end, columns, context, reading, issues, where)
        (_plan if kind == "plan" else _reviews)(block)
    return reading


def _plan(block: _Block) -> None:
    sheet, header, end, columns = block.sheet, block.header, block.end, block.columns
    context, reading, issues, where = block.context, block.reading, block.issues, block.where
    competency_col = columns.get(label_key(PLAN_COMPETENCY_HEADER))
    agreed_col = columns[label_key(PLAN_AGREED_HEADER)]
    due_col = columns[label_key(PLAN_DUE_HEADER)]
    suggested_col = columns.get(label_key(PLAN_SUGGESTED_HEADER))  # as last calculated
    untouched = 0
    for index in range(header + 1, end):
        row = sheet.rows[index]
        competency_text = _text(_at(row, competency_col))
        action = _text(_at(row, agreed_col))
        due_value = _at(row, due_col)
        if not action:
            if cell_text(due_value).strip():
                named = context.names.get(label_key(competency_text)) if competency_text else None
                on = f", {context.competency_name(named)}" if named else ""
                issues.warning(
                    "plan-without-action",
                    f"{context.person}{on}: a due date but no agreed action in this plan row: "
                    "nothing recorded. Write the action beside its date",
                    cell=cell_ref(index, agreed_col),
                    **where,
                )
            continue  # a blank row, or a suggestion the manager cleared: no action agreed
        competency_id = context.names.get(label_key(competency_text)) if competency_text else None
        about = context.person
        if competency_id:
            about += f", {context.competency_name(competency_id)}"
        elif competency_text:
            issues.warning(
                "plan-unknown-competency",
                f"{context.person}: '{short(competency_text)}' is not one of their "
                "competencies: the action is recorded without one. Pick the competency from "
                "the list",
                cell=cell_ref(index, competency_col if competency_col is not None else 0),
                **where,
            )
        suggestion = context.suggestion(competency_id) if competency_id else ""
        shown = _text(_at(row, suggested_col))
        due, problem = parse_due_date(due_value)
        if not due and not problem and any(_same(action, s) for s in (suggestion, shown) if s):
            untouched += 1  # prefilled and never discussed: not an agreement
            continue
        cell = cell_ref(index, agreed_col)
        if problem:
            issues.warning(
                "plan-due-date",
                f"{about}: the due date {problem}; the action is recorded without a due date. "
                "Type a date such as 2027-03-31",
                cell=cell_ref(index, due_col),
                **where,
            )
        elif not due:
            issues.warning(
                "plan-no-due-date",
                f"{about}: agreed action '{short(action)}' has no due date; recorded without "
                "one, so it can never show as overdue. Add the date it should be done by",
                cell=cell_ref(index, due_col),
                **where,
            )
        reading.actions.append(
            AgreedAction(
                employee_id=context.employee_id,
                position=len(reading.actions) + 1,
                action=action,
                competency_id=competency_id,
                suggested=suggestion or None,
                due_date=due,
                file=where["file"],
                sheet=where["sheet"],
                cell=cell,
            )
        )
    reading.untouched += untouched


def _reviews(block: _Block) -> None:
    sheet, header, end, columns = block.sheet, block.header, block.end, block.columns
    context, reading, issues, where = block.context, block.reading, block.issues, block.where
    status_col = columns[label_key(REVIEW_STATUS_HEADER)]
    action_col = columns[label_key(REVIEW_ACTION_HEADER)]
    note_col = columns.get(label_key(REVIEW_NOTE_HEADER))
    key_col = columns.get(label_key(REVIEW_KEY_HEADER))
    due_col = columns.get(label_key(PLAN_DUE_HEADER))
    blank: list[str] = []  # Status cells left empty
    for index in range(header + 1, end):
        row = sheet.rows[index]
        key = _text(_at(row, key_col))
        action = _text(_at(row, action_col))
        if not key and not action:
            continue
        raw = _text(_at(row, status_col))
        status = parse_status(raw) if raw else None
        cell = cell_ref(index, status_col)
        if not raw:
            blank.append(cell)
        elif status is not None and raw.casefold() != status:
            issues.info(
                "action-status-read-as",
                f"{context.person}: status '{short(raw)}' of the earlier action "
                f"'{short(action)}' read as '{status}'",
                cell=cell,
                **where,
            )
        if raw and status is None:
            issues.warning(
                "action-status-invalid",
                f"{context.person}: '{short(raw)}' is not a status for the action "
                f"'{short(action)}'; the action stays open. Pick one of: "
                f"{', '.join(ACTION_STATUSES)}",
                cell=cell,
                **where,
            )
        due, problem = parse_due_date(_at(row, due_col))
        if problem:
            issues.warning(
                "plan-due-date",
                f"{context.person}: the due date of the earlier action '{short(action)}' "
                f"{problem}; its due date is left as it was. Type a date such as 2027-03-31",
                cell=cell_ref(index, due_col if due_col is not None else status_col),
                **where,
            )
        reading.reviews.append(
            ActionReview(
                employee_id=context.employee_id,
                key=key,
                action=action,
                status=status,
                note=_text(_at(row, note_col)),
                file=where["file"],
                sheet=where["sheet"],
                cell=cell,
                due_date=due,
            )
        )
    if blank:
        issues.warning(
            "action-status-missing",
            f"{context.person}: {len(blank)} earlier action(s) have no Status ("
            f"{', '.join(blank)}): they stay open and come back next cycle. Pick one of: "
            f"{', '.join(ACTION_STATUSES)}",
            cell=blank[0],
            **where,
        )


def _at(row: list[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _text(value: object) -> str:
    return " ".join(cell_text(value).split())


def _same(a: str, b: str) -> bool:
    return text_key(a) == text_key(b)
