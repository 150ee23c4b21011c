"""Reading one cell of a returned workbook: a score, as typed, pasted or exported."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..settings import Scale

ACCEPTED = "accepted"
REJECTED = "rejected"
MISSING = "missing"


# Error codes that each stand for exactly one rejected record (one Score cell), so that
# ``rejected + self_rejected == number of errors with these codes`` for files of the current
# master version.
SCORE_CELL_CODES = frozenset(
    {
        "score-out-of-range",
        "score-not-whole",
        "score-invalid",
        "formula-in-score",
        "score-without-competency",
        "unknown-competency",
        "duplicate-row",
        "conflicting-scores",
    }
)

QUOTES = "\"'“”‘’„«»"
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_NUMBER_AND_LABEL = re.compile(r"([0-9]+)\s*(?:[-–—:.)=/]|\s)\s*\(?(.+?)\)?")


@dataclass(frozen=True, slots=True)
class ParsedScore:
    score: int | None  # set when accepted
    status: str
    code: str = ""  # the issue code when rejected
    message: str = ""


def parse_score(value: object, formula: str | None, scale: Scale) -> ParsedScore:
    """Read one Score cell. Formulas are never evaluated; blank (or only spaces) is missing.

    Accepted: ``3``, ``3.0``, ``" 3 "``, ``"3"`` in quotes, ``3 - Proficient`` (any dash,
    colon or just a space between), ``Proficient`` (the label alone, any case).
    """
    if formula:
        shown = formula_text(formula)
        return _rejected(
            "formula-in-score",
            f"the Score cell holds a formula ({short(shown)}); formulas are never evaluated. "
            f"Type the score itself: {_allowed(scale)}.",
        )
    if value is None:
        return _MISSING_SCORE
    kind = type(value)
    if kind is float or kind is int:  # the usual case first: a number typed in the cell
        return _number(float(value), value, scale)
    if isinstance(value, str) and not value.strip():
        return _MISSING_SCORE
    allowed = _allowed(scale)
    if isinstance(value, bool):
        return _rejected(
            "score-invalid", f"found TRUE/FALSE ({cell_text(value)}); allowed: {allowed}."
        )
    if isinstance(value, datetime | date | time | timedelta):
        return _rejected(
            "score-invalid",
            f"found a date or time ({cell_text(value)}), probably a number the spreadsheet "
            f"turned into a date; allowed: {allowed}.",
        )
    if isinstance(value, int | float):
        return _number(float(value), value, scale)
    text = " ".join(str(value).split()).strip(QUOTES).strip()
    if _NUMBER.fullmatch(text):
        return _number(float(text.replace(",", ".")), text, scale)
    labels = {" ".join(p.label.split()).casefold(): p.value for p in scale.points}
    if text.casefold() in labels:
        return ParsedScore(labels[text.casefold()], ACCEPTED)
    match = _NUMBER_AND_LABEL.fullmatch(text)
    if match:
        number, label = int(match.group(1)), " ".join(match.group(2).split()).casefold()
        if label in labels:
            if number not in scale.values:
                return _rejected(
                    "score-out-of-range",
                    f"'{short(text)}' is not on the scale; allowed: {allowed}.",
                )
            if labels[label] != number:
                return _rejected(
                    "score-invalid",
                    f"'{short(text)}': the number and the label disagree ({number} is "
                    f"'{scale.label(number)}', '{match.group(2).strip()}' is {labels[label]}); "
                    f"allowed: {allowed}.",
                )
            return ParsedScore(number, ACCEPTED)
    return _rejected("score-invalid", f"'{short(text)}' is not a score; allowed: {allowed}.")


def _number(number: float, typed: object, scale: Scale) -> ParsedScore:
    """``typed`` is the cell (a number) or the text the number was read from: the messages
    show it as found."""
    if not math.isfinite(number) or number < scale.minimum or number > scale.maximum:
        return _rejected(
            "score-out-of-range",
            f"{cell_text(typed)} is off the scale; allowed: {_allowed(scale)}.",
        )
    if not number.is_integer():
        return _rejected(
            "score-not-whole",
            f"{cell_text(typed)} is not a whole number; allowed: {_allowed(scale)}.",
        )
    return ParsedScore(int(number), ACCEPTED)


_MISSING_SCORE = ParsedScore(None, MISSING)


def _rejected(code: str, message: str) -> ParsedScore:
    return ParsedScore(None, REJECTED, code, message)


def _allowed(scale: Scale) -> str:
    middle = scale.points[len(scale.points) // 2]
    return (
        f"a whole number from {scale.minimum} to {scale.maximum}, the number with its label "
        f"('{middle.value} - {middle.label}') or the label alone ('{middle.label}')"
    )


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell_text(value: object) -> str:
    """A cell as text, the way a person would read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def label_key(value: object) -> str:
    text = value if type(value) is str else cell_text(value)
    return " ".join(text.split()).rstrip(":").casefold()


def formula_text(formula: str) -> str:
    return formula if formula.startswith("=") else f"={formula}"


_NOT_APPLICABLE = frozenset(
    {"n/a", "na", "n.a.", "n.a", "-", "--", "none", "not applicable", "tbd", "?", "x", "nil"}
)


def not_applicable_hint(raw: str) -> str:
    """A hint for a manager who wrote "N/A": a blank cell is how to say it."""
    if raw.strip().casefold() in _NOT_APPLICABLE:
        return ". If the competency does not apply yet, leave the cell blank (not scored)"
    return ""
