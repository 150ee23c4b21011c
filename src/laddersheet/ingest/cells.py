"""Reading one cell of a returned workbook: a score, as typed, pasted or exported."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

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
    """A label as compared: spaces collapsed, no trailing colon, case folded."""
    return _text_key(value if type(value) is str else cell_text(value))


@lru_cache(maxsize=2**14)  # a workbook repeats its labels and names on every sheet
def _text_key(text: str) -> str:
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


# --- Due dates (the development plan) ------------------------------------------------------------

_EARLIEST_DUE, _LATEST_DUE = date(2000, 1, 1), date(2100, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 system, leap bug kept)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(\d{4}|\d{2})"
_DUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?", "ymd"),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})", "dmy"),  # dots: day first, as written where used
        (r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})", "either"),
        (rf"(\d{{1,2}})(?:st|nd|rd|th)? {_MONTH},? {_YEAR}", "d month y"),
        (rf"{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?,? {_YEAR}", "month d y"),
        (rf"{_MONTH},? {_YEAR}", "month y"),
        (r"(\d{4})[-/](\d{1,2})", "y m"),
        (r"q([1-4])[ /-]?(\d{4}|\d{2})", "q y"),
        (r"(\d{4})[ /-]?q([1-4])", "y q"),
        (r"(?:h|half )([12])[ /-]?(\d{4}|\d{2})", "h y"),
    )
)


def parse_due_date(value: object) -> tuple[str | None, str]:
    """A Due date cell → (ISO date or None, "" or why it is not a date).

    Real date cells, Excel date serial numbers and dates typed as text (where validation did
    not stop it: pasted, Google Sheets, LibreOffice) are read: ``2027-03-31``, ``31.03.2027``,
    ``31/03/2027`` or ``03/31/2027`` when the day is past 12 (else ambiguous: refused),
    ``31 March 2027``, ``March 31, 2027``; a month (``March 2027``, ``2027-03``), quarter
    (``Q1 2027``) or half-year (``H1 2027``) means its last day; "by" and "end of" are ignored.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, f"{cell_text(value)} is not a date"
    if isinstance(value, datetime):
        return _checked(value.date(), cell_text(value))
    if isinstance(value, date):
        return _checked(value, cell_text(value))
    if isinstance(value, int | float):
        if math.isfinite(value) and 1 <= value < 2958466:
            return _checked(_EXCEL_EPOCH + timedelta(days=int(value)), cell_text(value))
        return None, f"{cell_text(value)} is not a date"
    text = " ".join(str(value).split())
    key = re.sub(r"^(?:by|due|before|end of|end|until)\s+", "", text.casefold()).strip(" .")
    key = re.sub(r"^(?:the )?end of ", "", key)
    for pattern, kind in _DUE_PATTERNS:
        match = pattern.fullmatch(key)
        if match:
            try:
                found = _date_of(kind, match.groups())
            except ValueError:
                return None, f"'{short(text)}' is not a date"
            if isinstance(found, str):  # ambiguous
                return None, found.format(text=short(text))
            return _checked(found, text)
    return None, f"'{short(text)}' is not a date"


def _date_of(kind: str, groups: tuple[str, ...]) -> date | str:
    def year(text: str) -> int:
        return int(text) + (2000 if len(text) == 2 else 0)

    if kind == "ymd":
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "dmy":
        return date(year(groups[2]), int(groups[1]), int(groups[0]))
    if kind == "either":
        first, second, y = int(groups[0]), int(groups[1]), year(groups[2])
        if first > 12 or first == second:
            return date(y, second, first)
        if second > 12:
            return date(y, first, second)
        return (
            f"'{{text}}' could be {first} {_month_name(second)} or {_month_name(first)} "
            f"{second}: write it as {y}-{second:02d}-{first:02d} or {y}-{first:02d}-{second:02d}"
        )
    if kind == "d month y":
        return date(year(groups[2]), _MONTHS[groups[1]], int(groups[0]))
    if kind == "month d y":
        return date(year(groups[2]), _MONTHS[groups[0]], int(groups[1]))
    if kind == "month y":
        return _month_end(year(groups[1]), _MONTHS[groups[0]])
    if kind == "y m":
        return _month_end(int(groups[0]), int(groups[1]))
    if kind == "q y":
        return _month_end(year(groups[1]), 3 * int(groups[0]))
    if kind == "y q":
        return _month_end(int(groups[0]), 3 * int(groups[1]))
    return _month_end(year(groups[1]), 6 * int(groups[0]))  # "h y"


def _month_end(y: int, month: int) -> date:
    first_of_next = date(y + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _month_name(month: int) -> str:
    return date(2000, month, 1).strftime("%B")


def _checked(found: date, shown: str) -> tuple[str | None, str]:
    if not _EARLIEST_DUE <= found <= _LATEST_DUE:
        return None, f"{short(shown)} is not a due date (read as {found.isoformat()})"
    return found.isoformat(), ""
