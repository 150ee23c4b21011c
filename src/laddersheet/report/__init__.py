"""The gap report in three forms: JSON (complete), CSV (flat tables) and a workbook for HR.

All three are written atomically (temporary file renamed into place) and deterministically:
the same ``GapReport`` gives the same content. Text that came from returned workbooks (names,
evidence) is always written as text: never a formula in the workbook, escaped against formula
injection in the CSV (``workbook.csv_safe``). JSON keeps evidence in full; the workbook cuts
evidence over ``EVIDENCE_CELL_LIMIT`` characters and says so on the sheet.

Modules: ``data`` (JSON and CSV); ``base`` (what every sheet of the workbook shares),
``progress_sheets`` (the sheets about progress since the last cycle) and ``workbook`` (the
workbook and its other sheets), which read ``data``'s helpers, never the other way round.
"""

from .base import CUT_MARK, EVIDENCE_CELL_LIMIT
from .data import (
    ACTIONS_CSV,
    EARLIER_ACTIONS_CSV,
    EMPLOYEES_CSV,
    GAPS_CSV,
    PROGRESS_CSV,
    PROGRESS_GROUPS_CSV,
    TREND_CSV,
    json_document,
    write_csv,
    write_json,
)
from .progress_sheets import (
    EARLIER_ACTIONS_SHEET,
    PROGRESS_GROUPS_SHEET,
    PROGRESS_SHEET,
    TREND_SHEET,
)
from .workbook import SHEETS, write_report

__all__ = [
    "ACTIONS_CSV",
    "CUT_MARK",
    "EARLIER_ACTIONS_CSV",
    "EARLIER_ACTIONS_SHEET",
    "EMPLOYEES_CSV",
    "EVIDENCE_CELL_LIMIT",
    "GAPS_CSV",
    "PROGRESS_CSV",
    "PROGRESS_GROUPS_CSV",
    "PROGRESS_GROUPS_SHEET",
    "PROGRESS_SHEET",
    "SHEETS",
    "TREND_CSV",
    "TREND_SHEET",
    "json_document",
    "write_csv",
    "write_json",
    "write_report",
]
