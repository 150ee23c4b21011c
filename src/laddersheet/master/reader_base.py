"""What reading any sheet of a master needs: cell values as text, tables found by their
headers, the sheets read once, problems reported with their sheet and cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from ..issues import IssueLog
from ..workbook import cell_ref


@dataclass
class _Table:
    """A table found by its header row: data rows keep their sheet row index for A1 refs."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # header name -> 0-based column, for the headers present
    rows: list[tuple[int, list[object]]]

    def raw(self, cells: list[object], name: str) -> object:
        col = self.columns.get(name)
        return cells[col] if col is not None and col < len(cells) else ""

    def text(self, cells: list[object], name: str) -> str:
        return _text(self.raw(cells, name))

    def ident(self, cells: list[object], name: str) -> str:
        return _ident(self.raw(cells, name))

    def ref(self, row: int, name: str) -> str:
        return cell_ref(row, self.columns.get(name, 0))


def _find_table(
    sheet: str, grid: list[list[object]], required: Sequence[str], *, until_blank: bool
) -> _Table | None:
    """The first row holding every ``required`` header, and the non-blank rows under it.

    ``until_blank`` ends the table at its first blank row (for sheets holding several tables).
    """
    wanted = set(required)
    for index, cells in enumerate(grid):
        names: dict[str, int] = {}
        for col, value in enumerate(cells):
            if header := _header(value):
                names.setdefault(header, col)  # a repeated header: the first one counts
        if not wanted <= names.keys():
            continue
        rows: list[tuple[int, list[object]]] = []
        for row_index in range(index + 1, len(grid)):
            row = grid[row_index]
            if all(_text(value) == "" for value in row):
                if until_blank:
                    break
                continue
            rows.append((row_index, row))
        return _Table(sheet, index, names, rows)
    return None


class SheetReader:
    """The master being read: its sheets, the issues found, what one part of the reading
    leaves for another (the Expectations rows read, for the ladder sheets)."""

    def __init__(self, path: Path, book: python_calamine.CalamineWorkbook):
        self.path = path
        self.book = book
        self.issues = IssueLog()
        # Sheet names matched case-insensitively: renaming "Roster" to "roster" is harmless.
        self.sheet_names = {name.casefold(): name for name in book.sheet_names}
        self.reported_sheets: set[str] = set()  # a missing sheet is reported once, not per table
        self.grids: dict[str, list[list[object]] | None] = {}
        self.ladder_sheets: dict[str, str] = {}  # family id -> its ladder sheet's name
        # (family, track, level, competency) -> the Expectations row read for it, its digest as
        # generated; the expected column's A1 reference is made only for a message
        self.expectation_rows: dict[tuple[str, str, str, str], int] = {}
        self.expected_col = 0
        self.generated: dict[tuple[str, str, str, str], str] = {}

    # ----------------------------------------------------------------------------- helpers

    def grid(self, name: str) -> list[list[object]] | None:
        """The sheet's cell values (None if there is no such sheet), read once."""
        if name not in self.grids:
            actual = self.sheet_names.get(name.casefold())
            sheet = self.book.get_sheet_by_name(actual) if actual is not None else None
            # skip_empty_area=False keeps row/column indexes absolute, so A1 references are true.
            self.grids[name] = sheet.to_python(skip_empty_area=False) if sheet else None
        return self.grids[name]

    def error(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.issues.error(code, message, file=str(self.path), sheet=sheet, cell=cell)

    def warning(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.issues.warning(code, message, file=str(self.path), sheet=sheet, cell=cell)

    def info(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.issues.info(code, message, file=str(self.path), sheet=sheet, cell=cell)

    def table(self, sheet: str, required: Sequence[str], *, until_blank: bool) -> _Table | None:
        grid = self.grid(sheet)
        if grid is None:
            if sheet not in self.reported_sheets:
                self.reported_sheets.add(sheet)
                self.error(
                    "sheet-missing",
                    f"The {sheet} sheet is missing, so what it holds could not be read (defaults "
                    "were used where there are any). Restore it from the generated master.",
                    sheet=sheet,
                )
            return None
        table = _find_table(sheet, grid, required, until_blank=until_blank)
        if table is None:
            self.error(
                "headers-missing",
                f"The {sheet} sheet has no header row with {', '.join(required)}, so that table "
                "could not be read (defaults were used where there are any). Restore the "
                "headers from the generated master.",
                sheet=sheet,
            )
        return table

    def expected_cell(self, key: tuple[str, str, str, str]) -> str:
        """The A1 reference of the expected cell of the Expectations row read for ``key``."""
        row = self.expectation_rows.get(key)
        return cell_ref(row, self.expected_col) if row is not None else ""


# -------------------------------------------------------------------------- cell values


def _text(value: object) -> str:
    """A cell as clean text: whole floats lose their ".0", dates become ISO, ends are trimmed."""
    if value.__class__ is str:  # most cells, and every blank one (""): the quick way
        if "\r" in value or "\xa0" in value:
            value = value.replace("\r\n", "\n").replace("\xa0", " ")
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\xa0", " ").strip()


def _ident(value: object) -> str:
    """An id or code: text with inner runs of whitespace collapsed."""
    return " ".join(_text(value).split())


def _header(value: object) -> str:
    return _ident(value).casefold()


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value).replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if number == number and abs(number) != float("inf") else None


def _whole(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _split(text: str) -> list[str]:
    """A list written in one cell: separated by commas or semicolons."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
