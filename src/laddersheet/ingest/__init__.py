"""Ingest: read the scoring workbooks managers return, validate every cell, keep every score.

``files``: which returned files a run reads; ``cells``: one cell's value read as a score
(typed, pasted, exported); ``model``: what a run gives (records, result, account);
``reader``: the files, their sheets and tables, merged into one ``IngestResult``; ``plan``:
the development-plan block under the scores (agreed actions, due dates, last cycle's actions'
status); ``prefetch``: the safe read of the first files in a forked process while the master
is read.
"""

from __future__ import annotations

from .cells import ACCEPTED, MISSING, REJECTED, SCORE_CELL_CODES, ParsedScore, parse_score
from .files import WORKBOOK_SUFFIXES, collect_workbook_paths
from .model import Account, IngestResult, ScoreRecord
from .reader import ingest_files, start_prefetch

__all__ = [
    "ACCEPTED",
    "MISSING",
    "REJECTED",
    "SCORE_CELL_CODES",
    "WORKBOOK_SUFFIXES",
    "Account",
    "IngestResult",
    "ParsedScore",
    "ScoreRecord",
    "collect_workbook_paths",
    "ingest_files",
    "parse_score",
    "start_prefetch",
]
