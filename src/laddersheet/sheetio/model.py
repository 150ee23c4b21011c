"""What a read gives back: codes of the issues the door raises, limits, sheets and workbooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorkbookError
from ..issues import Issue

MIB = 2**20

# Issue codes: stable, documented in the README.
NOT_A_SPREADSHEET = "not-a-spreadsheet"
EMPTY_FILE = "empty-file"
UNREADABLE_FILE = "unreadable-file"
CORRUPT_ZIP = "corrupt-zip"
CORRUPT_WORKBOOK = "corrupt-workbook"
TOO_LARGE = "too-large"
ZIP_BOMB = "zip-bomb"
XML_ENTITIES = "xml-entities"
ENCRYPTED = "encrypted"
LEGACY_XLS = "legacy-xls"
CSV_NOT_WORKBOOK = "csv-not-workbook"
TOO_MANY_SHEETS = "too-many-sheets"
SHEET_TOO_LARGE = "sheet-too-large"
SHEET_UNREADABLE = "sheet-unreadable"
MACRO_ENABLED = "macro-enabled"
EXTERNAL_LINKS = "external-links"
LONG_CELL = "long-cell"
TOO_MANY_FORMULAS = "too-many-formulas"
READ_BY_FALLBACK = "read-by-fallback"


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 50 * MIB  # on disk
    max_uncompressed_bytes: int = 50 * MIB  # per workbook, sum of zip parts (declared AND actual)
    max_compression_ratio: float = 200.0  # per part, for parts > 1 MiB
    max_rows: int = 20_000  # per sheet: furthest row holding a value
    max_columns: int = 200  # per sheet: furthest column holding a value
    max_sheets: int = 500
    max_text_chars: int = 10_000  # per cell kept in full; longer cells are reported, never cut
    max_zip_entries: int = 10_000  # parts in the archive (a workbook has a few dozen)
    max_cells: int = 4_000_000  # per workbook: sum over sheets of used rows × used columns
    max_formulas: int = 200_000  # formula cells recorded per workbook; more are counted only
    # Text once every cell is expanded: a shared string read by many cells, an .ods repeat.
    max_text_bytes: int = 100 * MIB


DEFAULT_LIMITS = ReadLimits()


@dataclass(frozen=True)
class SheetData:
    name: str
    visible: bool  # False for hidden / very hidden
    # Cell values as calamine gives them (str, float, int, bool, date/datetime/time/timedelta),
    # None for blank; rows[0] is row 1 and col 0 is A, whatever the sheet's used area.
    rows: list[list[object]]
    # (row0, col0) -> formula text with a leading "=" as typed: "=B2*2" (xlsx, shared formulas
    # expanded to each cell) or "=[.B2]*2" (ods, OpenFormula). Values above are cached results.
    # A read-only mapping; the text of the usual plain formulas is decoded only when asked for.
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkbookData:
    path: Path
    kind: str  # "xlsx" | "xlsm" | "ods"
    sheets: list[SheetData]  # in workbook order; sheets that could not be read are left out
    notes: list[Issue]  # non-fatal findings, including errors for sheets that were left out

    def sheet(self, name: str) -> SheetData | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


class UnreadableWorkbook(WorkbookError):
    """The file must be skipped; ``issue`` (severity error, file set) says why."""

    def __init__(self, issue: Issue):
        super().__init__(str(issue))
        self.issue = issue
