"""Shared spreadsheet craft for every workbook laddersheet writes (master, scoring, report).

One place for: text that can never become a formula, Excel's limits, sheet names, a coherent
set of styles, print set-up, and writing to a temporary file that is renamed into place so an
interrupted run never leaves half a workbook.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .errors import InputError

EXCEL_MAX_CELL_TEXT = 32_767
EXCEL_MAX_SHEET_NAME = 31
EXCEL_MAX_LIST_VALIDATION = 255  # total characters of an inline list validation source
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f-\x9f]")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

PALETTE = {
    "ink": "#1F2933",
    "header": "#1F4E79",
    "header_text": "#FFFFFF",
    "band": "#EAF1F8",
    "input": "#FFF8E1",
    "muted": "#6B7785",
    "good": "#C6EFCE",
    "warn": "#FFEB9C",
    "bad": "#FFC7CE",
    "border": "#B7C4D1",
}


def new_workbook(path: Path | str, *, in_memory: bool = False) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns a string into a formula, number or link.

    ``in_memory`` assembles the parts in memory instead of temporary files: faster for the many
    small workbooks of one run (scoring workbooks), wasteful for one big one.
    """
    return xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": False,
            "in_memory": in_memory,
        },
    )


class Styles:
    """The one set of formats used across laddersheet workbooks (created lazily, cached)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._cache: dict[str, Format] = {}
        base = {
            "font_name": "Calibri",
            "font_size": 10,
            "valign": "top",
            "font_color": PALETTE["ink"],
        }
        self._specs: dict[str, dict[str, Any]] = {
            "title": {**base, "bold": True, "font_size": 16, "font_color": PALETTE["header"]},
            "subtitle": {**base, "italic": True, "font_color": PALETTE["muted"]},
            "h2": {**base, "bold": True, "font_size": 12, "font_color": PALETTE["header"]},
            "header": {
                **base,
                "bold": True,
                "font_color": PALETTE["header_text"],
                "bg_color": PALETTE["header"],
                "text_wrap": True,
                "border": 1,
                "border_color": PALETTE["border"],
            },
            "text": {**base},
            "wrap": {**base, "text_wrap": True},
            "cell": {**base, "text_wrap": True, "border": 1, "border_color": PALETTE["border"]},
            "cell_center": {
                **base,
                "align": "center",
                "border": 1,
                "border_color": PALETTE["border"],
            },
            "band": {
                **base,
                "bold": True,
                "bg_color": PALETTE["band"],
                "border": 1,
                "border_color": PALETTE["border"],
            },
            "label": {**base, "bold": True},
            "note": {**base, "italic": True, "font_color": PALETTE["muted"], "text_wrap": True},
            "input": {
                **base,
                "locked": False,
                "bg_color": PALETTE["input"],
                "border": 1,
                "border_color": PALETTE["border"],
                "text_wrap": True,
            },
            "input_center": {
                **base,
                "locked": False,
                "bg_color": PALETTE["input"],
                "border": 1,
                "border_color": PALETTE["border"],
                "align": "center",
            },
            "number": {
                **base,
                "num_format": "0.00",
                "border": 1,
                "border_color": PALETTE["border"],
            },
            "integer": {**base, "num_format": "0", "border": 1, "border_color": PALETTE["border"]},
            "percent": {**base, "num_format": "0%", "border": 1, "border_color": PALETTE["border"]},
            "good": {"bg_color": PALETTE["good"]},
            "warn": {"bg_color": PALETTE["warn"]},
            "bad": {"bg_color": PALETTE["bad"]},
        }

    def __getitem__(self, name: str) -> Format:
        if name not in self._cache:
            self._cache[name] = self.book.add_format(self._specs[name])
        return self._cache[name]

    def custom(self, name: str, **spec: Any) -> Format:
        """A named variant of a base style, e.g. ``custom("cell", bold=True)``."""
        key = name + repr(sorted(spec.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format({**self._specs[name], **spec})
        return self._cache[key]


def write_text(
    sheet: Worksheet, row: int, col: int, value: object, fmt: Format | None = None
) -> bool:
    """Write ``value`` as literal text (never a formula). Returns False if it had to be cut.

    Excel refuses cells over 32,767 characters; callers that may hit that keep the full text
    elsewhere (JSON) and report the cut.
    """
    text = "" if value is None else str(value)
    cut = len(text) > EXCEL_MAX_CELL_TEXT
    if cut:
        text = text[: EXCEL_MAX_CELL_TEXT - 1] + "…"
    if text == "":
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, text, fmt)
    return not cut


def write_value(
    sheet: Worksheet, row: int, col: int, value: object, fmt: Format | None = None
) -> None:
    """Numbers as numbers, None as blank, everything else as literal text."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        write_text(sheet, row, col, value, fmt)


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name close to ``wanted``; adds it to ``taken``.

    Excel forbids []:*?/\\, names over 31 characters, names starting/ending with an apostrophe
    and duplicates compared case-insensitively.
    """
    base = _SHEET_NAME_BAD.sub("-", wanted).strip().strip("'") or "Sheet"
    base = base[:EXCEL_MAX_SHEET_NAME].strip()
    name, n = base, 2
    lowered = {t.casefold() for t in taken}
    while name.casefold() in lowered or name.casefold() == "history":
        suffix = f" ({n})"
        name = base[: EXCEL_MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(name)
    return name


def safe_file_stem(name: str, taken: set[str] | None = None) -> str:
    """A file name stem safe on Windows, macOS and Linux (and unique within ``taken``)."""
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "", name).strip().strip(".")
    stem = re.sub(r"\s+", " ", stem)[:80].strip() or "unnamed"
    if stem.upper().split(".")[0] in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if taken is not None:
        unique, n = stem, 2
        lowered = {t.casefold() for t in taken}
        while unique.casefold() in lowered:
            unique = f"{stem} ({n})"
            n += 1
        taken.add(unique)
        stem = unique
    return stem


_WINDOWS_RESERVED = (
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formula injection in CSV output (OWASP: prefix with ')."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def col_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based row/column → A1 reference."""
    return f"{col_letter(col)}{row + 1}"


def print_setup(
    sheet: Worksheet,
    *,
    landscape: bool = True,
    repeat_rows: tuple[int, int] | None = None,
    header: str = "",
) -> None:
    """Landscape, one page wide, header rows repeated, page numbers in the footer."""
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4; Letter users get it scaled by the printer driver
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    if header:
        sheet.set_header(f"&L&8{_escape_header(header)}&R&8&A")
    sheet.set_footer("&C&8Page &P of &N")


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")[:200]


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only if the block succeeds."""
    path = Path(path)
    if not path.parent.exists():
        raise InputError(f"Cannot write {path}: folder {path.parent} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600 files; a report on a shared drive must open for colleagues too.
        umask = os.umask(0)
        os.umask(umask)
        tmp_path.chmod(0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


EXCEL_MAX_VALIDATION_TITLE = 32  # input_title / error_title of a data validation
EXCEL_MAX_VALIDATION_MESSAGE = 255  # input_message / error_message of a data validation


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when it had to be cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def add_validation(
    sheet: Worksheet,
    first_row: int,
    first_col: int,
    last_row: int,
    last_col: int,
    options: dict[str, Any],
) -> None:
    """``data_validation`` with Excel's text limits enforced, and failure made loud.

    xlsxwriter only warns and drops a validation that breaks a limit (a too-long message or
    inline list), which would leave an input column silently unchecked; titles and messages are
    cut to fit here, and anything still rejected raises.
    """
    options = dict(options)
    for key, limit in (
        ("input_title", EXCEL_MAX_VALIDATION_TITLE),
        ("error_title", EXCEL_MAX_VALIDATION_TITLE),
        ("input_message", EXCEL_MAX_VALIDATION_MESSAGE),
        ("error_message", EXCEL_MAX_VALIDATION_MESSAGE),
    ):
        if options.get(key):
            options[key] = clip(options[key], limit)
    if sheet.data_validation(first_row, first_col, last_row, last_col, options) != 0:
        raise ValueError(f"data validation rejected on {sheet.name}: {options}")


def sheet_ref(name: str) -> str:
    """A sheet name quoted for formulas and internal links: ``'It''s here'``."""
    return "'" + name.replace("'", "''") + "'"


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` needs when wrapped in a column ``width`` characters wide (an estimate).

    Neither Excel nor LibreOffice reliably grows rows for wrapped text in a file they open, so
    writers set row heights themselves. The estimate wraps word by word and errs generous (a
    little white space beats clipped text), leaving room for wider fallback fonts.
    """
    capacity = max(1, int(width * 1.25) - 1)
    if len(text) <= capacity and "\n" not in text:
        return 1  # the common case (ids, codes, short names), without splitting words
    lines = 0
    for paragraph in text.split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size <= capacity:
                used += 1 + size
                continue
            if used:
                count += 1
            count += (size - 1) // capacity  # a word longer than a line breaks mid-word
            used = (size - 1) % capacity + 1
        lines += count
    return max(1, lines)


EXCEL_MAX_ROW_HEIGHT = 409  # points; taller rows make Excel repair the file


def row_height(cells: Iterable[tuple[object, float]], font_size: float = 10) -> float | None:
    """Points of height for a row of wrapped ``(text, column width)`` cells; None for one line."""
    lines = max((text_lines(str(text), width) for text, width in cells if text), default=1)
    if lines <= 1:
        return None
    return min(EXCEL_MAX_ROW_HEIGHT, round(lines * font_size * 1.3 + 4, 1))


DEFAULT_ROW_HEIGHT = 15.0  # points: Excel's default for 11pt Calibri, and xlsxwriter's
# The body of a page print_setup lays out: A4 landscape less its margins, in points.
PRINTABLE_WIDTH = 842 - 2 * 0.4 * 72
PRINTABLE_HEIGHT = 595 - 2 * 0.6 * 72


def column_points(width: float) -> float:
    """Printed width of a column ``width`` characters wide (Excel: 7 px a character + 5)."""
    return (int(width * 7 + 0.5) + 5) * 0.75


def page_breaks(
    units: Sequence[tuple[int, float]],
    column_widths: Sequence[float],
    repeated_height: float,
    *,
    new_page_rows: Collection[int] = (),
    slack: float = 1.0,
) -> list[int]:
    """Rows to break pages before, for a sheet printed by ``print_setup`` (one page wide).

    ``units`` are (first row, height in points) of runs of rows that belong on one page, such
    as a heading and the first row under it, in row order; ``new_page_rows`` always start a
    page. Applications only break where a page overflows, which can strand a heading at the
    foot of a page. ``slack`` keeps the plan on the safe side of font differences, so the
    application never needs a break of its own between two of these.
    """
    sheet_width = sum(column_points(w) for w in column_widths) or 1.0
    scale = min(1.0, PRINTABLE_WIDTH / sheet_width)
    capacity = PRINTABLE_HEIGHT / scale * slack - repeated_height
    breaks: list[int] = []
    used = 0.0
    for first_row, height in units:
        if used and (first_row in new_page_rows or used + height > capacity):
            breaks.append(first_row)
            used = 0.0
        used += height
    return breaks
