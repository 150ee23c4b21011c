"""Fill scoring workbooks the way managers return them: for the demo and for tests.

Seeded, so the demo is reproducible; realistic, so the report has something to say: scores
scatter around each person's expected level, a few are blank, a few are typed as labels, the
evidence varies, and one file carries a typo the ingest must report.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl

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


def fill_returned_workbooks(
    paths: list[Path],
    out_dir: Path,
    scale: Scale,
    *,
    seed: int = 7,
    typo_file: int = 0,
    shift: float = 0.0,
) -> FillStats:
    """Write a filled copy of each scoring workbook into ``out_dir`` (same file names).

    ``typo_file`` is the index of the file that gets one unreadable score ("Profficient");
    ``shift`` moves every score's centre (an earlier cycle: lower).
    """
    rng = random.Random(seed)
    scores = blanks = labels = typos = 0
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
                if not sheet.cell(row, cols[HEADER_ID]).value:
                    continue
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
        book.save(out_dir / path.name)
    return FillStats(len(paths), scores, blanks, labels, typos)


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
