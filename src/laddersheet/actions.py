"""Development actions: what a plan block agrees, what a later cycle says of it.

The vocabulary shared by ingest (which reads them from the scoring workbooks), the history
store (which keeps them across cycles) and the report (which counts them). An action is agreed
in one cycle; each later cycle's workbook carries it, while it is open, with a Status to pick.
Done and dropped close it; in progress, not started and no status at all keep it open. An open
action whose due date is before the report's date is **overdue**.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .layout import (
    ACTION_CLOSED,
    ACTION_DONE,
    ACTION_DROPPED,
    ACTION_IN_PROGRESS,
    ACTION_NOT_STARTED,
    ACTION_STATUSES,
)


@dataclass(frozen=True)
class AgreedAction:
    """A development action agreed for a person (a row of the scoring workbook's plan block)."""

    employee_id: str
    position: int  # its row among the person's agreed actions, 1 first
    action: str
    competency_id: str | None = None
    suggested: str | None = None  # the master's suggestion for that competency, if any
    due_date: str | None = None  # ISO date; a later review may have moved it
    status: str | None = None  # the latest review's (one of ACTION_STATUSES), None: none yet
    note: str = ""  # the latest review's note
    file: str = ""  # where it was agreed
    sheet: str = ""
    cell: str = ""  # the Agreed action cell
    action_id: int | None = None  # the history's id, once recorded
    cycle: str = ""  # the cycle that agreed it, once recorded
    status_cycle: str = ""  # the cycle whose workbook gave the status

    @property
    def closed(self) -> bool:
        return self.status in ACTION_CLOSED

    def competency_name(self, names: dict[str, str]) -> str:
        """The competency it develops, by name from ``names`` (id → name), else its id; ""
        when the action names none."""
        if not self.competency_id:
            return ""
        return names.get(self.competency_id, self.competency_id)

    def overdue(self, on: str) -> bool:
        """Open and due before ``on`` (ISO date)."""
        return not self.closed and self.due_date is not None and self.due_date < on


@dataclass(frozen=True)
class ActionReview:
    """A later cycle's word on an earlier action: a row of the "Actions agreed earlier" block."""

    employee_id: str
    key: str  # the history's id of the action, as the hidden cell holds it
    action: str  # the action's text as the sheet shows it (to match when the key is lost)
    status: str | None  # one of ACTION_STATUSES; None: left blank
    note: str
    file: str
    sheet: str
    cell: str  # the Status cell
    action_id: int | None = None  # set once matched to a recorded action
    due_date: str | None = None  # the Due date as the sheet gives it now (ISO; may be moved)


# What people write for each status (after lower-casing and collapsing spaces and punctuation).
# Words that could mean more than one thing ("yes", "no", "open", "n/a") are not guessed.
_STATUS_WORDS = {
    ACTION_DONE: ("done", "complete", "completed", "finished", "achieved"),
    ACTION_IN_PROGRESS: (
        "in progress",
        "inprogress",
        "ongoing",
        "on going",
        "started",
        "underway",
        "under way",
        "wip",
        "partly done",
        "partially done",
    ),
    ACTION_NOT_STARTED: ("not started", "notstarted", "not yet started", "to do", "todo"),
    ACTION_DROPPED: ("dropped", "cancelled", "canceled", "abandoned", "no longer relevant"),
}
_STATUS_OF = {word: status for status, words in _STATUS_WORDS.items() for word in words}
_LONGEST_FIRST = sorted(_STATUS_OF, key=len, reverse=True)
assert set(_STATUS_WORDS) == set(ACTION_STATUSES)


def parse_status(text: str) -> str | None:
    """The status a cell names (``ACTION_STATUSES``), or None when it names none.

    Case, spaces, hyphens and punctuation do not matter; common words for each status are
    understood ("completed", "ongoing", "cancelled", "to do" …), also when a comment follows
    ("Done - shipped in October").
    """
    found = _STATUS_OF.get(_words(text))
    if found is None:  # "Done - shipped in October": the words before a separator
        head = _SEPARATOR.split(text, maxsplit=1)[0]
        found = _STATUS_OF.get(_words(head)) if head != text else None
    return found


_SEPARATOR = re.compile(r"\s[-–—]\s|[:;,(/]")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def match_reviews(
    reviews: Iterable[ActionReview], open_actions: Sequence[AgreedAction]
) -> tuple[list[ActionReview], list[ActionReview]]:
    """Reviews matched to the recorded open actions (``action_id`` set), and those unmatched.

    By the hidden key first (the same person's action), then, for a lost or damaged key, by the
    action's text among that person's open actions. Each action takes one review: the first. A
    matched review keeps its ``due_date`` only where it moved the action's date.
    """
    by_id = {a.action_id: a for a in open_actions if a.action_id is not None}
    by_text: dict[tuple[str, str], list[AgreedAction]] = {}
    for action in open_actions:
        by_text.setdefault((action.employee_id, text_key(action.action)), []).append(action)
    matched: list[ActionReview] = []
    unmatched: list[ActionReview] = []
    taken: set[int] = set()
    for review in reviews:
        found = None
        key = review.key.strip()
        number = int(float(key)) if re.fullmatch(r"\d+(\.0+)?", key) else None
        candidate = by_id.get(number) if number is not None else None
        if candidate is not None and candidate.employee_id == review.employee_id:
            found = candidate
        else:
            same = by_text.get((review.employee_id, text_key(review.action)), [])
            found = next((a for a in same if a.action_id not in taken), None)
        if found is None or found.action_id in taken:
            unmatched.append(review)
            continue
        taken.add(found.action_id)  # type: ignore[arg-type]
        moved = review.due_date if review.due_date != found.due_date else None
        matched.append(replace(review, action_id=found.action_id, due_date=moved))
    return matched, unmatched


def text_key(text: str) -> str:
    """An action's text as compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()
