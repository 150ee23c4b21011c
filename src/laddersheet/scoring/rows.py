"""The rows and columns of an employee's scoring sheet: which competencies, in which order."""

from __future__ import annotations

from dataclasses import dataclass

from ..ladder import Ladder
from ..roster import Employee
from ..settings import LevelSpec

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

# employee id -> competency id -> the score accepted last cycle (``sheets --history``)
PreviousScores = dict[str, dict[str, int]]


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
    """``scoring_rows`` for many employees of one ladder."""

    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder

    def rows(self, employee: Employee) -> list[ScoringRow]:
        ladder = self.ladder
        target = target_level(ladder, employee)
        family, track, level = employee.family_id, employee.track, employee.level
        ids = list(ladder.competency_ids(family, track))
        if target is not None and target.track != track:
            ids += [c for c in ladder.competency_ids(family, target.track) if c not in ids]
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
