"""Names and values shared by the master's writer and reader."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..issues import IssueLog
from ..ladder import Ladder
from ..settings import TRACK_IC, TRACK_MANAGER

CATEGORIES = (
    "curated",
    "library",
    "people_leadership",
    "custom",
    "skill",
    "knowledge",
    "work_style",
    "work_activity",
)
TRACK_NAMES = {TRACK_IC: "Individual contributor (IC)", TRACK_MANAGER: "Manager (M)"}
TRACK_SHORT_NAMES = {TRACK_IC: "IC track", TRACK_MANAGER: "Manager track"}
FAMILY_TAB_COLOR = "#9DB9D5"
INPUT_TAB_COLOR = "#F2C94C"  # the sheets HR fills in
MANAGER_HEADER_COLOR = "#2E5E4E"  # the manager track's colour, distinct from the IC blue
MANAGER_BAND_COLOR = "#E4F0EB"
# Cell shades by expected score, light to darker, so the rise up a ladder shows on paper too.
SHADE_LIGHT = (0xF7, 0xFA, 0xFD)
SHADE_DARK = (0xC3, 0xD7, 0xEA)
BOLD_WIDTH = 0.85  # a line holds about 15% fewer bold characters than regular ones
MAX_STATEMENT = 4000  # a statement longer than this is a paste accident, not a description


@dataclass(frozen=True)
class MasterRead:
    ladder: Ladder
    issues: IssueLog = field(default_factory=IssueLog)
