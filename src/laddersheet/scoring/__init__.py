"""Scoring workbooks: one per manager, one protected sheet per direct report.

``rows``: which competencies a person's sheet holds, in order, and the sheet's columns;
``formulas``: the hidden helper formulas that read a Score cell as ingest does; ``plan``: the
development-plan block under the scores; ``writer``: the workbooks themselves.
"""

from __future__ import annotations

from .formulas import (
    COL_SCORE_READ,
    HELPER_FIRST_COL,
    INVALID,
    score_reading_formulas,
    write_classic_formula,
)
from .plan import LastCycle, OpenAction
from .rows import (
    COL_DOMAIN,
    COL_EVIDENCE,
    COL_EXPECTED_NEXT,
    COL_EXPECTED_NOW,
    COL_GAP_NEXT,
    COL_GAP_NOW,
    COL_ID,
    COL_LAST_CYCLE,
    COL_NAME,
    COL_SCORE,
    COL_STATEMENT_NEXT,
    COL_STATEMENT_NOW,
    LAST_CYCLE_HEADER,
    PreviousScores,
    ScoringRow,
    ScoringRowBuilder,
    scoring_rows,
    target_level,
)
from .writer import (
    score_column_width,
    score_input_message,
    scoring_file_name,
    self_assessment_file_name,
    write_scoring_workbooks,
    write_self_assessment_workbooks,
)

__all__ = [
    "COL_DOMAIN",
    "COL_EVIDENCE",
    "COL_EXPECTED_NEXT",
    "COL_EXPECTED_NOW",
    "COL_GAP_NEXT",
    "COL_GAP_NOW",
    "COL_ID",
    "COL_LAST_CYCLE",
    "COL_NAME",
    "COL_SCORE",
    "COL_SCORE_READ",
    "COL_STATEMENT_NEXT",
    "COL_STATEMENT_NOW",
    "HELPER_FIRST_COL",
    "INVALID",
    "LAST_CYCLE_HEADER",
    "LastCycle",
    "OpenAction",
    "PreviousScores",
    "ScoringRow",
    "ScoringRowBuilder",
    "score_column_width",
    "score_input_message",
    "score_reading_formulas",
    "scoring_file_name",
    "scoring_rows",
    "self_assessment_file_name",
    "target_level",
    "write_classic_formula",
    "write_scoring_workbooks",
    "write_self_assessment_workbooks",
]
