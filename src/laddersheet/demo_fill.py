"""Fill scoring workbooks the way managers return them: for the demo and for tests.

Seeded, so the demo is reproducible; realistic, so the report has something to say: scores
scatter around each person's expected level, a few are blank, a few are typed as labels, the
evidence varies, and one file carries a typo the ingest must report. Under the scores, the
development plan is agreed for most people (due dates given, some texts edited, one date typed
as text), left as prefilled for a few, and earlier actions get a status (most done or under
way, some not started or dropped, a few left blank) and, for some under way, a new due date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from .layout import (
    PLAN_AGREED_HEADER,
    PLAN_DUE_HEADER,
    REVIEW_ACTION_HEADER,
    REVIEW_NOTE_HEADER,
    REVIEW_STATUS_HEADER,
    REVIEW_TITLE,
)
from .layout import PLAN_TITLE as _PLAN_TITLE
from .settings import Scale

HEADER_ID = "Competency ID"

_OPENERS = [
    "In the {month} {thing}, {first}",
    "During {thing} this cycle, {first}",
    "Per the {month} retro, {first}",
    "On the {thing}, {first}",
    "Feedback from two peers: {first}",
]
_ABOVE = [
    "went well beyond what the level asks on {competency}, and others now copy the approach.",
    "set the bar for {competency} on the team; I would use it as the example for others.",
    "handled the hardest {competency} cases without help and coached a colleague through one.",
]
_AT = [
    "was reliable on {competency} and needed no reminders.",
    "handled {competency} well, including one unusual case, with a short check-in.",
    "did what we expect at this level on {competency}; nothing to flag.",
]
_BELOW = [
    "still needs help with {competency}; we agreed to pair on the next one.",
    "missed two follow-ups related to {competency}; we discussed a checklist.",
    "is building {competency}: fine on routine work, unsure when things get unusual.",
]
_THINGS = ["launch", "quarterly plan", "customer escalation", "migration", "hiring push", "audit"]
_MONTHS = ["January", "March", "May", "July", "September", "October"]


@dataclass(frozen=True)
class FillStats:
    files: int
    scores: int
    blanks: int
    labels: int
    typos: int
    actions: int = 0  # plan rows given a due date (agreed)
    statuses: int = 0  # earlier actions given a status


def fill_returned_workbooks(
    paths: list[Path],
    out_dir: Path,
    scale: Scale,
    *,
    seed: int = 7,
    typo_file: int = 0,
    shift: float = 0.0,
    cycle_date: date | None = None,
) -> FillStats:
    """Write a filled copy of each scoring workbook into ``out_dir`` (same file names).

    ``typo_file`` is the index of the file that gets one unreadable score ("Profficient");
    ``shift`` moves every score's centre (an earlier cycle: lower). ``cycle_date``: when the
    plans are agreed (due dates fall two to seven months after); None leaves the plans alone.
    """
    rng = random.Random(seed)
    scores = blanks = labels = typos = 0
    plans = _PlanFiller(random.Random(seed + 1), cycle_date) if cycle_date else None
    for index, path in enumerate(sorted(paths)):
        book = openpyxl.load_workbook(path)
        typo_left = index == typo_file
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            header = _find_header(sheet)
            if header is None:
                continue
            row0, cols = header
            first = _first_name(sheet, row0)
            for row in range(row0 + 1, sheet.max_row + 1):
                marker = sheet.cell(row, cols[HEADER_ID]).value
                if not marker:
                    continue
                if marker in (_PLAN_TITLE, REVIEW_TITLE):
                    break  # the development plan: filled below
                expected = sheet.cell(row, cols["Expected now"]).value
                target = expected if isinstance(expected, int | float) else scale.minimum + 1
                score_cell = sheet.cell(row, cols["Score"])
                evidence_cell = sheet.cell(row, cols["Evidence"])
                draw = rng.random()
                if draw < 0.04:
                    blanks += 1
                    continue
                value = scale.clamp(
                    target + shift + rng.choice([-1, 0, 0, 0, 0, 1, 1]) + rng.gauss(0, 0.3)
                )
                if typo_left:
                    score_cell.value = f"{scale.label(value)[:1]}{scale.label(value)}"
                    typo_left = False
                    typos += 1
                elif draw < 0.09:
                    score_cell.value = f"{value} - {scale.label(value)}"
                    labels += 1
                elif draw < 0.12:
                    score_cell.value = scale.label(value)
                    labels += 1
                else:
                    score_cell.value = value
                scores += 1
                if rng.random() < 0.7:
                    name = str(sheet.cell(row, cols["Competency"]).value or "this").lower()
                    evidence_cell.value = _evidence(rng, first, name, value - target)
            if plans is not None:
                plans.fill(sheet, row0)
        book.save(out_dir / path.name)
    actions, statuses = (plans.actions, plans.statuses) if plans else (0, 0)
    return FillStats(len(paths), scores, blanks, labels, typos, actions, statuses)


_STATUS_DRAW = (  # (cumulative chance, what the manager picks)
    (0.45, "done"),
    (0.70, "in progress"),
    (0.82, "not started"),
    (0.87, "dropped"),
    (0.90, "Completed"),  # typed, not picked: ingest understands it
)
_NOTES = {  # a manager's note, in keeping with the status picked
    "done": ("Finished ahead of the date; shared the write-up with the team.",),
    "Completed": ("Done in October; the team uses the checklist now.",),
    "in progress": ("Half done: the second part moved to next quarter.",),
    "not started": ("Blocked by the reorganisation; still worth doing.",),
    "dropped": ("No longer relevant after the team change.",),
}
_EDITS = (" Check in monthly.", " Pair with a senior colleague on the first one.")


class _PlanFiller:
    """Agrees the plan under the scores and reports on earlier actions, as managers do."""

    def __init__(self, rng: random.Random, cycle_date: date) -> None:
        self.rng = rng
        self.cycle_date = cycle_date
        self.actions = self.statuses = 0
        self.text_date_left = True  # one due date typed as text, as pasted from an email

    def fill(self, sheet, after: int) -> None:
        for row in range(after + 1, sheet.max_row + 1):
            names = {str(c.value).strip(): c.column for c in sheet[row] if isinstance(c.value, str)}
            if PLAN_AGREED_HEADER in names and PLAN_DUE_HEADER in names:
                self.plan(sheet, row, names)
            elif REVIEW_STATUS_HEADER in names and REVIEW_ACTION_HEADER in names:
                self.review(sheet, row, names)

    def plan(self, sheet, header: int, cols: dict[str, int]) -> None:
        rng = self.rng
        if rng.random() < 0.15:
            return  # not discussed: the suggestions stay as prefilled, no dates
        for row in range(header + 1, header + 6):
            action = sheet.cell(row, cols[PLAN_AGREED_HEADER])
            if not action.value:
                continue
            if rng.random() < 0.2:
                continue  # this one not agreed
            if rng.random() < 0.3:
                action.value = str(action.value) + rng.choice(_EDITS)
            due = self.cycle_date + timedelta(days=rng.choice((61, 92, 123, 153, 184, 214)))
            cell = sheet.cell(row, cols[PLAN_DUE_HEADER])
            if self.text_date_left:
                cell.value = due.strftime("%d/%m/%Y").replace("/0", "/")  # e.g. 31/8/2026
                if due.day <= 12:  # ambiguous as d/m or m/d: make it plain
                    cell.value = due.isoformat()
                self.text_date_left = False
            else:
                cell.value = due
                cell.number_format = "yyyy-mm-dd"
            self.actions += 1

    def review(self, sheet, header: int, cols: dict[str, int]) -> None:
        rng = self.rng
        for row in range(header + 1, sheet.max_row + 1):
            if not sheet.cell(row, cols[REVIEW_ACTION_HEADER]).value:
                break
            draw = rng.random()
            status = next((s for chance, s in _STATUS_DRAW if draw < chance), None)
            if status is None:
                continue  # left blank: stays open
            sheet.cell(row, cols[REVIEW_STATUS_HEADER]).value = status
            if status == "in progress" and rng.random() < 0.4:  # a new date agreed
                moved = sheet.cell(row, cols[PLAN_DUE_HEADER])
                moved.value = self.cycle_date + timedelta(days=92)
                moved.number_format = "yyyy-mm-dd"
            if rng.random() < 0.3:
                sheet.cell(row, cols[REVIEW_NOTE_HEADER]).value = rng.choice(_NOTES[status])
            self.statuses += 1


def _find_header(sheet) -> tuple[int, dict[str, int]] | None:
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 40)):
        names = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if HEADER_ID in names and "Score" in names:
            return row[0].row, names
    return None


def _first_name(sheet, header_row: int) -> str:
    """The employee's first name from the header block (the cell after a "Name" label)."""
    for row in sheet.iter_rows(min_row=1, max_row=header_row - 1):
        for cell in row:
            if str(cell.value or "").strip().rstrip(":") in {"Name", "Employee"}:
                value = sheet.cell(cell.row, cell.column + 1).value
                if value:
                    return str(value).split()[0]
    return "They"


def _evidence(rng: random.Random, first: str, competency: str, delta: float) -> str:
    opener = rng.choice(_OPENERS).format(
        month=rng.choice(_MONTHS), thing=rng.choice(_THINGS), first=first
    )
    pool = _ABOVE if delta >= 1 else _BELOW if delta <= -1 else _AT
    return f"{opener} {rng.choice(pool).format(competency=competency)}"
