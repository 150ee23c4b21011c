"""Workbook layouts shared by the code that writes a workbook and the code that reads it back.

Sheet names, column headers, defined names and meta keys live here so a writer and its reader
cannot drift apart. Readers find tables by their header row (not by position), so HR can insert
rows above a table or move its columns without breaking anything.
"""

from __future__ import annotations

import hashlib

# --- Shared by every laddersheet workbook ---

SCHEMA_VERSION = 2  # bump when a reader could misread an older or newer layout

META_SHEET = "_meta"  # hidden key/value sheet: what the workbook is and where it came from
META_HEADERS = ("key", "value")
META_KIND = "kind"
KIND_MASTER = "master"
KIND_SCORING = "scoring"
KIND_SELF_ASSESSMENT = "self_assessment"  # an employee's own scores: kept beside the manager's

# --- Master workbook ---

START_SHEET = "Start here"
SETTINGS_SHEET = "Settings"
LEVELS_SHEET = "Levels"
FAMILIES_SHEET = "Families"
FAMILY_LEVELS_SHEET = "Family levels"
EXPECTATIONS_SHEET = "Expectations"
COMPETENCIES_SHEET = "Competencies"
ACTIONS_SHEET = "Development actions"
ROSTER_SHEET = "Roster"
LISTS_SHEET = "_lists"  # hidden: ranges behind dropdowns (inline lists stop at 255 characters)

# Tab order: these, then one ladder sheet per family, then the hidden _lists and _meta.
MASTER_SHEETS = (
    START_SHEET,
    SETTINGS_SHEET,
    LEVELS_SHEET,
    FAMILIES_SHEET,
    FAMILY_LEVELS_SHEET,
    EXPECTATIONS_SHEET,
    COMPETENCIES_SHEET,
    ACTIONS_SHEET,
    ROSTER_SHEET,
)
RESERVED_SHEETS = (*MASTER_SHEETS, LISTS_SHEET, META_SHEET)  # family sheets must not take these

# Settings sheet: three small tables, each found by its header row.
SETTINGS_HEADERS = ("setting", "value", "about")
SETTING_COMPANY = "company"
SETTING_CYCLE = "cycle"
SETTING_CREATED = "created"
SETTING_BRANCH_LEVEL = "branch_level"
SETTING_FAMILIES = "families"  # "all" or comma-separated family ids
SETTING_COMPETENCIES_MIN = "competencies_min"
SETTING_COMPETENCIES_MAX = "competencies_max"
SETTING_SOURCE = "settings_file"
SCALE_HEADERS = ("value", "label", "meaning")
TITLE_NOUN_HEADERS = ("title_noun_family_id", "title_noun")

# Levels sheet: the level table (read back) and an equivalence matrix (for reading only).
LEVEL_HEADERS = ("track", "code", "title", "scope", "autonomy", "years", "ic_equivalent")

FAMILY_HEADERS = (
    "family_id",
    "name",
    "title_noun",
    "description",
    "ic_codes",
    "manager_codes",
    "content",  # "curated" (written for the field) or "draft" (chosen from O*NET, to rewrite)
    "ladder_sheet",  # the family's sheet: a link for people, read to find the sheet again
    "onet_tasks",  # a draft's O*NET tasks, one per line: reference for rewriting it
)
FAMILY_REQUIRED = FAMILY_HEADERS[:2]
CONTENT_CURATED = "curated"
CONTENT_DRAFT = "draft"

# Family levels: each family's own title, one-line summary and scope per level (curated content).
FAMILY_LEVEL_HEADERS = ("family_id", "track", "level", "title", "summary", "scope")
FAMILY_LEVEL_REQUIRED = ("family_id", "level", "title")

EXPECTATION_HEADERS = (
    "family_id",
    "track",
    "level",
    "competency_id",
    "competency",
    "domain",
    "expected",
    "statement",
    "evidence",  # examples a manager can point at, one per line
    "onet_element_id",  # the O*NET element ids the competency draws on, comma-separated
    "onet_im",
    "onet_lv",
    "level_title",  # written for reading; not read back
    "generated",  # hidden: a digest of the generated row, to tell which of two places HR edited
)
EXPECTATION_REQUIRED = ("family_id", "track", "level", "competency_id", "expected", "statement")

COMPETENCY_HEADERS = (
    "competency_id",
    "competency",
    "domain",
    "description",
    "category",
    "onet_element_id",
    "family_id",  # the family whose content defines it; blank when shared
)
COMPETENCY_REQUIRED = ("competency_id", "competency")

ACTION_HEADERS = ("family_id", "competency_id", "competency", "band", "levels", "action")
ACTION_REQUIRED = ("competency_id", "levels", "action")

LIST_SEPARATOR = ", "  # how lists (level codes, O*NET codes, releases) are written in one cell

# Defined names (workbook-scoped) for the tables laddersheet reads and the dropdown sources.
NAME_SETTINGS = "ls_settings"
NAME_SCALE = "ls_scale"
NAME_LEVELS = "ls_levels"
NAME_FAMILIES = "ls_families"
NAME_FAMILY_LEVELS = "ls_family_levels"
NAME_EXPECTATIONS = "ls_expectations"
NAME_COMPETENCIES = "ls_competencies"
NAME_ACTIONS = "ls_actions"
NAME_ROSTER = "ls_roster"
NAME_LIST_FAMILY_IDS = "ls_family_ids"
NAME_LIST_LEVEL_CODES = "ls_level_codes"
NAME_LIST_TRACKS = "ls_tracks"
NAME_META = "ls_meta"

# Roster: a title row, a row of notes (one per column), then the header (ROSTER_COLUMNS).
ROSTER_NOTES_ROW = 1
ROSTER_HEADER_ROW = 2
ROSTER_PREPARED_ROWS = 500  # rows given dropdowns and checks, ready for HR to fill in

# Rows below the generated Expectations that still get dropdowns and checks, for added rows.
EXPECTATION_SPARE_ROWS = 300

# _meta keys of a master workbook.
META_MASTER_KEYS = (
    META_KIND,
    "schema_version",
    "generator",
    "settings_digest",
    "content_digest",
    "created",
    "company",
    "cycle",
    "families",
    "releases",
    "attribution",
)

# --- Scoring workbook ---
# One workbook per manager: a cover sheet, one sheet per direct report, a hidden _meta sheet.
# Ingest finds the header block by its labels and the table by its "Competency ID" header, so
# rows may be inserted, sorted or reordered by managers without breaking the read-back.

SCORING_COVER_SHEET = "Cover"
SCORING_FILE_PREFIX = "Scoring - "

SCORING_ID_HEADER = "Competency ID"
SCORING_SCORE_HEADER = "Score"
SCORING_EVIDENCE_HEADER = "Evidence"
SCORING_HEADERS = (
    SCORING_ID_HEADER,
    "Competency",
    "Domain",
    "Expected now",
    "Expected next",
    "Statement now",
    "Statement next",
    SCORING_SCORE_HEADER,
    SCORING_EVIDENCE_HEADER,
    "Gap now",
    "Gap next",
)

# Header block of an employee sheet: label in column A, value in column B.
SCORING_LABEL_NAME = "Employee"
SCORING_LABEL_EMPLOYEE_ID = "Employee ID"
SCORING_LABEL_FAMILY = "Family"
SCORING_LABEL_FAMILY_ID = "Family ID"
SCORING_LABEL_TRACK = "Track"
SCORING_LABEL_LEVEL = "Current level"
SCORING_LABEL_TITLE = "Current title"
SCORING_LABEL_TARGET = "Target level"
SCORING_LABEL_TARGET_TITLE = "Target title"
SCORING_LABEL_SCORED = "Scored"
SCORING_LABEL_AT_LEVEL = "At current level"
SCORING_LABEL_READINESS = "Ready for target"
SCORING_HEADER_BLOCK_FIRST_ROW = 3  # 0-based; rows 0-1 hold the title and subtitle
SCORING_TABLE_HEADER_ROW = 17  # 0-based row of SCORING_HEADERS as generated
SCORING_HEADER_SEARCH_ROWS = 60  # how far ingest looks for the header block and table header

# A scoring workbook's own layout version (the master's is SCHEMA_VERSION): 3 added the
# development-plan blocks under the scores, which an older reader would take for competency rows.
SCORING_SCHEMA_VERSION = 3

# Development plan, under the score table of each person's sheet in a manager's workbook (never
# in a self-assessment): first, with ``sheets --history``, the actions agreed in earlier cycles
# and still open, each with a Status to pick and a Note; then this cycle's plan: the top gaps to
# the target with the master's suggested action, the agreed action (prefilled with it) and a due
# date. Ingest finds each block by its header row; the scores end at the first block or title.
PLAN_TITLE = "Development plan"
PLAN_COMPETENCY_HEADER = "Competency"
PLAN_AGREED_HEADER = "Agreed action"
PLAN_DUE_HEADER = "Due date"
PLAN_SUGGESTED_HEADER = "Suggested action"
PLAN_GAP_HEADER = "Gap to target"
# Column by column from A ("" continues the cell before: merged). Competency and due date (A:B)
# repeat on every printed page across; the action (C:E) prints on the first page, whole.
PLAN_HEADERS = (
    PLAN_COMPETENCY_HEADER,
    PLAN_DUE_HEADER,
    PLAN_AGREED_HEADER,
    "",
    "",
    PLAN_SUGGESTED_HEADER,
    PLAN_GAP_HEADER,
)
PLAN_ROWS = 5  # rows of a person's plan; the first PLAN_PREFILLED hold the top gaps
PLAN_PREFILLED = 3
REVIEW_TITLE = "Actions agreed earlier"
REVIEW_STATUS_HEADER = "Status"
REVIEW_ACTION_HEADER = "Action agreed"
REVIEW_NOTE_HEADER = "Note"
REVIEW_ABOUT_HEADER = "Competency · agreed in"
REVIEW_KEY_HEADER = "Action key"  # hidden column: the history's id for the action
REVIEW_HEADERS = (  # the due date may be moved: a new date is recorded with the status
    REVIEW_STATUS_HEADER,
    PLAN_DUE_HEADER,
    REVIEW_ACTION_HEADER,
    "",
    "",
    REVIEW_NOTE_HEADER,
    REVIEW_ABOUT_HEADER,
)
ACTION_DONE, ACTION_IN_PROGRESS, ACTION_NOT_STARTED, ACTION_DROPPED = (
    "done",
    "in progress",
    "not started",
    "dropped",
)
ACTION_STATUSES = (ACTION_DONE, ACTION_IN_PROGRESS, ACTION_NOT_STARTED, ACTION_DROPPED)
ACTION_CLOSED = (ACTION_DONE, ACTION_DROPPED)  # no longer carried to the next cycle

# _meta of a scoring workbook: META_HEADERS key/value rows, then the employee table.
META_SCORING_KEYS = (
    META_KIND,
    "schema_version",
    "generator",
    "content_digest",
    "manager_id",
    "manager_name",
    "company",
    "cycle",
    "created",
)
# Layout 2 (before scoring layout 3) put everyone the run sent a sheet to in every workbook's
# _meta, after the employee table; ingest stops reading _meta at this header. Who was sent now
# lives in the history (``sheets --history``): a workbook names only its own team.
SCORING_META_SENT_HEADERS = (
    "sent_employee_id",
    "name",
    "manager_id",
    "manager_name",
    "family_id",
    "track",
    "level",
    "workbook",
)
SCORING_META_EMPLOYEE_HEADERS = (
    "employee_id",
    "sheet",
    "name",
    "family_id",
    "track",
    "level",
    "target_level",
)

# --- Self-assessment workbook ---
# One per employee, made by the scoring workbook's writer (same cover, table, dropdown, formulas
# and protection) with only that person's sheet. Its _meta says KIND_SELF_ASSESSMENT; its
# employee sheet also carries SCORING_LABEL_ASSESSMENT = ASSESSMENT_SELF just above the header
# block, so ingest tells it from a manager's sheet by content even when _meta is lost.

SELF_FILE_PREFIX = "Self-assessment - "
SCORING_LABEL_ASSESSMENT = "Assessment"
ASSESSMENT_SELF = "Self-assessment"
# Not "employee_id": that key opens the employee table of a scoring _meta.
META_SELF_EMPLOYEE = "assessed_employee_id"
META_SELF_KEYS = (
    META_KIND,
    "schema_version",
    "generator",
    "content_digest",
    META_SELF_EMPLOYEE,
    "company",
    "cycle",
    "created",
)


EVIDENCE_PREFIX = "Evidence: "  # how a ladder sheet cell introduces its evidence examples


def evidence_line(evidence: str) -> str:
    """Evidence examples (one per line) as the last line of a ladder sheet cell ("" if none)."""
    examples = [e.strip() for e in evidence.splitlines() if e.strip()]
    return EVIDENCE_PREFIX + "; ".join(examples) if examples else ""


def row_digest(expected: object, statement: str, evidence_line: str) -> str:
    """A short digest of an expectation row as generated (the Expectations sheet's hidden column).

    Reading an edited master, it tells whether HR changed a row on the Expectations sheet, on the
    family's ladder sheet, or on both.
    """
    return digest(row_text(expected, statement, evidence_line))


def row_text(expected: object, statement: str, evidence_line: str) -> str:
    """What ``row_digest`` digests: two rows with the same text have the same digest."""
    return f"{expected}\x1f{' '.join(statement.split())}\x1f{' '.join(evidence_line.split())}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
