"""The family ladder sheets read back: HR's edits there reconciled with the Expectations
sheet, the documented place, by each row's digest as generated."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .. import layout
from ..ladder import Expectation, LadderFamily
from ..settings import TRACKS, Scale, Settings
from ..workbook import cell_ref
from .common import TRACK_NAMES, TRACK_SHORT_NAMES
from .reader_base import SheetReader, _number, _text


class FamilySheetsReader(SheetReader):
    """Reading and reconciling the family ladder sheets (one per family, where people read
    the ladder)."""

    def reconcile(
        self,
        expectations: list[Expectation],
        families: dict[str, LadderFamily],
        settings: Settings,
    ) -> list[Expectation]:
        """Take HR's edits on the family ladder sheets, where people read the ladder.

        Each row's generated digest (the Expectations sheet's hidden column) tells which place
        was edited: an edit in one place wins; different edits in both are an error naming both
        cells, the Expectations value kept until HR makes them agree.
        """
        by_key = {(e.family_id, e.track, e.level, e.competency_id): e for e in expectations}
        for family in families.values():
            for key, cell in self.ladder_cells(family, by_key, settings).items():
                current = by_key.get(key)
                if current is None:
                    continue
                by_key[key] = self.merge(current, cell, settings.scale)
        return list(by_key.values())

    def ladder_cells(
        self,
        family: LadderFamily,
        by_key: dict[tuple[str, str, str, str], Expectation],
        settings: Settings,
    ) -> dict[tuple[str, str, str, str], _LadderCell]:
        """Every expectation cell of a family's ladder sheet, keyed like the Expectations rows."""
        name = self.ladder_sheets.get(family.family_id, "")
        grid = self.grid(name) if name else None
        if grid is None:
            return {}
        names: dict[tuple[str, str], str] = {}  # (track, competency name) -> id
        for family_id, track, _level, competency_id in by_key:
            if family_id == family.family_id:
                names.setdefault(
                    (
                        track,
                        by_key[(family_id, track, _level, competency_id)].competency.casefold(),
                    ),
                    competency_id,
                )
        headers = {TRACK_SHORT_NAMES[t].casefold(): t for t in TRACKS}
        bands = {f"{TRACK_NAMES[t]} track".casefold(): t for t in TRACKS}
        columns: dict[str, dict[int, str]] = {}  # track -> column -> level code
        track = ""
        found: dict[tuple[str, str, str, str], _LadderCell] = {}
        for row, values in enumerate(grid):
            first = _text(values[0]).casefold() if values else ""
            if first in headers:
                columns[headers[first]] = {
                    col: code
                    for col, value in enumerate(values[1:], start=1)
                    if (code := _text(value).split("·")[0].strip())
                    and settings.level(code) is not None
                }
                continue
            if first in bands:
                track = bands[first]
                continue
            competency_id = names.get((track, first.split("\n")[0].strip()))
            if not track or competency_id is None:
                continue
            for col, level in columns.get(track, {}).items():
                text = _text(values[col]) if col < len(values) else ""
                cell = _parse_ladder_cell(text, name, row, col)
                if cell is not None:
                    found[(family.family_id, track, level, competency_id)] = cell
        return found

    def merge(self, row: Expectation, cell: _LadderCell, scale: Scale) -> Expectation:
        key = (row.family_id, row.track, row.level, row.competency_id)
        mine_text = layout.row_text(row.expected, row.statement, layout.evidence_line(row.evidence))
        theirs_text = layout.row_text(cell.expected, cell.statement, cell.evidence_line)
        if mine_text == theirs_text:  # the usual case: no digest needed
            return row
        mine, theirs = layout.digest(mine_text), layout.digest(theirs_text)
        expected_ref, generated = self.expected_cell(key), self.generated.get(key, "")
        where = f"{cell.sheet}!{cell.cell}"
        both = (
            f"{layout.EXPECTATIONS_SHEET}!{expected_ref} (expected {row.expected}, "
            f'"{_clip(row.statement)}") and {where} (expected {cell.expected}, '
            f'"{_clip(cell.statement)}")'
        )
        what = f"{row.competency} at {row.family_id} {row.level}"
        if generated and mine == generated:  # only the ladder sheet was edited
            if (
                not isinstance(cell.expected, int)
                or not scale.minimum <= cell.expected <= scale.maximum
            ):
                self.error(
                    "expected-out-of-range",
                    f"{what}: the ladder sheet says '{cell.expected}'; enter a whole number from "
                    f"{scale.minimum} to {scale.maximum} after the level code (e.g. "
                    f"'{row.level} · {scale.minimum}'). The Expectations value "
                    f"{row.expected} is used for now.",
                    sheet=cell.sheet,
                    cell=cell.cell,
                )
                return row
            self.info(
                "ladder-sheet-edited",
                f"{what} was edited on the ladder sheet; that edit is used (the Expectations "
                f"sheet still shows the old text at {expected_ref}).",
                sheet=cell.sheet,
                cell=cell.cell,
            )
            evidence = cell.evidence_line.removeprefix(layout.EVIDENCE_PREFIX)
            return dataclasses.replace(
                row,
                expected=cell.expected,
                statement=cell.statement,
                evidence="\n".join(e.strip() for e in evidence.split(";") if e.strip()),
            )
        if generated and theirs == generated:
            return row  # only the Expectations sheet was edited: the documented place
        self.error(
            "edits-disagree",
            f"{what} differs between {both}: both were changed. Make the two the same; the "
            f"{layout.EXPECTATIONS_SHEET} value is used until then.",
            sheet=layout.EXPECTATIONS_SHEET,
            cell=expected_ref,
        )
        return row


_LADDER_SCORE = re.compile(r"^\s*(\S+)\s*·\s*([^\s]+)")


@dataclass(frozen=True, slots=True)
class _LadderCell:
    """One expectation cell of a family's ladder sheet, as HR left it."""

    expected: int | str  # the score after the level code; text when it is not a whole number
    statement: str
    evidence_line: str  # "Evidence: a; b", or ""
    sheet: str
    row: int  # 0-based, as in the grid
    col: int

    @property
    def cell(self) -> str:
        return cell_ref(self.row, self.col)


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _parse_ladder_cell(text: str, sheet: str, row: int, col: int) -> _LadderCell | None:
    """ "L3 · 3 Proficient", the statement, then "Evidence: ..." (None for blank or "—")."""
    lines = [line.strip() for line in text.splitlines()]
    if not lines or not (match := _LADDER_SCORE.match(lines[0])):
        return None
    raw = match.group(2)
    number = _number(raw)
    expected: int | str = int(number) if number is not None and number.is_integer() else raw
    rest = [line for line in lines[1:] if line]
    evidence = ""
    if rest and rest[-1].startswith(layout.EVIDENCE_PREFIX.strip()):
        evidence = rest.pop()
    return _LadderCell(expected, " ".join(rest), evidence, sheet, row, col)
