"""Shared spreadsheet craft for every workbook laddersheet writes (master, scoring, report).

One place for: text that can never become a formula, Excel's limits, sheet names, a coherent
set of styles, print set-up, and writing to a temporary file that is renamed into place so an
interrupted run never leaves half a workbook.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .errors import InputError
from .fastsheet import FastWorkbook

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
    book = FastWorkbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": False,
            "in_memory": in_memory,
        },
    )
    return book


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


def csv_cell(value: object) -> object:
    """A value as a CSV cell: nulls empty, booleans true/false, text safe from formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_safe(value)


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


# ----------------------------------------------------------------------------- printing
#
# Printed text must stay readable: body text is 10 pt, so a sheet is never shrunk below
# MIN_PRINT_SCALE (8 pt and more on paper). A sheet that fits one page wide at that scale is
# fitted to the page width; a wider one is fitted to as few pages across as keep the scale, its
# identifying columns repeated on every page and pages numbered across before down. No paper
# size is set (the printer's own, A4 or Letter, is used): plans hold for the smaller of both.

MIN_PRINT_SCALE = 0.85  # 10 pt body text prints at 8.5 pt or more (8 pt after rounding)
PAGE_MARGIN_X = 0.4 * 72  # points, left and right
PAGE_MARGIN_Y = 0.6 * 72  # points, top and bottom (the page header and footer sit in them)
_A4, _LETTER = (595.0, 842.0), (612.0, 792.0)  # portrait width, height in points


def printable_size(landscape: bool) -> tuple[float, float]:
    """(width, height) in points of the page body on both A4 and Letter, margins taken off."""
    short = min(_A4[0], _LETTER[0])
    long = min(_A4[1], _LETTER[1])
    width, height = (long, short) if landscape else (short, long)
    return width - 2 * PAGE_MARGIN_X, height - 2 * PAGE_MARGIN_Y


def printed_width(width: float) -> float:
    """Points a column ``width`` characters wide may take on paper at 100 %, at most.

    Excel gives a character of its default font (Calibri 11) 7 pixels, 5.25 pt; LibreOffice
    without Calibri or Carlito measures columns with a wider fallback font (DejaVu Sans), about
    7 pt a character plus 5 pt of padding. Plans use the wider measure, so they hold for both.
    """
    return 7.0 * width + 5.0


@dataclass(frozen=True, slots=True)
class PrintPlan:
    """How a sheet is laid across the page: ``pages`` wide at (at least) ``scale``, the first
    ``repeat_cols`` columns printed on every page."""

    pages: int
    scale: float
    repeat_cols: int = 0
    breaks: tuple[int, ...] = ()  # the first column of every page after the first

    @property
    def first_page_columns(self) -> int | None:
        """How many columns the first page holds (None: all of them)."""
        return self.breaks[0] if self.breaks else None


def plan_print(
    widths: Sequence[float],
    *,
    landscape: bool = True,
    repeat_cols: int = 0,
    min_scale: float = MIN_PRINT_SCALE,
    repeat_share: float = 1 / 3,
) -> PrintPlan:
    """The fewest pages across that keep the scale at ``min_scale`` or more, and that scale.

    Columns are never split; the first ``repeat_cols`` columns are printed again on every page
    after the first, as many of them as take at most ``repeat_share`` of a page. Among plans with
    the fewest pages, the largest scale (at most 100 %). The plan's ``breaks`` are where pages
    end.
    """
    available = printable_size(landscape)[0]
    points = [printed_width(w) for w in widths]
    total = sum(points) or 1.0
    if total * min_scale <= available:
        return PrintPlan(1, min(1.0, available / total))
    while repeat_cols and sum(points[:repeat_cols]) > available / min_scale * repeat_share:
        repeat_cols -= 1
    best: PrintPlan | None = None
    while best is None:
        repeated = sum(points[:repeat_cols])
        widest = max(points[repeat_cols:], default=0.0)
        for percent in range(100, int(min_scale * 100) - 1, -1):
            scale = percent / 100
            capacity = available / scale
            if repeat_cols and repeated + widest > capacity:
                continue  # a page of the repeated columns and one more would overflow
            breaks: list[int] = []
            used = 0.0
            for col, point in enumerate(points):
                if used and used + point > capacity:
                    breaks.append(col)
                    used = repeated
                used += point
            if best is None or len(breaks) + 1 < best.pages:
                best = PrintPlan(len(breaks) + 1, scale, repeat_cols, tuple(breaks))
        if best is None:  # no room to repeat that many columns beside the widest
            repeat_cols -= 1
    assert best is not None
    return best


def print_setup(
    sheet: Worksheet,
    *,
    landscape: bool = True,
    repeat_rows: tuple[int, int] | None = None,
    header: str = "",
    widths: Sequence[float] | None = None,
    repeat_cols: int = 0,
    height: float | None = None,
    repeat_share: float = 1 / 3,
) -> PrintPlan:
    """Orientation, margins, repeated header rows, page numbers; the width as ``plan_print``.

    Without ``widths`` the sheet is fitted one page wide whatever the scale (for sheets known
    to be narrow). A sheet one page wide is fitted to the page width; a wider one is printed
    at the plan's fixed scale, broken between the planned columns. ``height``: the sheet's
    estimated height in points; if the whole sheet then fits one page at a readable scale, it
    is fitted to one page.
    """
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    plan = PrintPlan(1, 1.0)
    if widths is not None:
        plan = plan_print(
            widths, landscape=landscape, repeat_cols=repeat_cols, repeat_share=repeat_share
        )
    tall = 0
    if height is not None and plan.pages == 1:
        page_height = printable_size(landscape)[1]
        if min(plan.scale, page_height / max(height, 1.0)) >= MIN_PRINT_SCALE:
            tall = 1
    if plan.pages == 1:
        sheet.fit_to_pages(1, tall)
    else:
        # A fixed scale and planned column breaks: applications fitting a sheet to N pages
        # wide do not all count repeated columns, and LibreOffice then prints past the edge.
        sheet.set_print_scale(int(plan.scale * 100))
        sheet.set_v_pagebreaks(list(plan.breaks))
        sheet.print_across()  # a row's pages follow each other
        if plan.repeat_cols:
            sheet.repeat_columns(0, plan.repeat_cols - 1)
    sheet.set_margins(
        left=PAGE_MARGIN_X / 72,
        right=PAGE_MARGIN_X / 72,
        top=PAGE_MARGIN_Y / 72,
        bottom=PAGE_MARGIN_Y / 72,
    )
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    if header:
        sheet.set_header(f"&L&9{_escape_header(header)}&R&9&A")
    sheet.set_footer("&C&9Page &P of &N")
    return plan


def print_first_page(
    sheet: Worksheet,
    plan: PrintPlan,
    *,
    header_row: int,
    count: int,
    last_col: int,
    heights: Mapping[int, float],
    noun: str = "rows",
    landscape: bool = True,
) -> int:
    """Limit a long table's print area to the rows that fit its first page; say so in the footer.

    ``header_row`` is the table's header row (repeated on every page), ``count`` its data rows,
    ``heights`` the row heights set on the sheet (others are DEFAULT_ROW_HEIGHT). Returns the
    number of data rows printed. Clearing the print area prints the whole table.
    """

    def height(row: int) -> float:
        return heights.get(row, DEFAULT_ROW_HEIGHT)

    above = sum(height(r) for r in range(header_row + 1))  # title, notes and the header row
    capacity = 0.95 * printable_size(landscape)[1] / plan.scale - above
    shown, used = 0, 0.0
    while shown < count:
        row_points = height(header_row + 1 + shown)
        if shown and used + row_points > capacity:
            break
        used += row_points
        shown += 1
    sheet.print_area(0, 0, header_row + max(shown, 1), last_col)
    if shown < count:
        sheet.set_footer(
            f"&L&9Printed: the first {shown} of {count:,} {noun}. To print them all, clear "
            "the print area (Page Layout › Print Area).&R&9Page &P of &N"
        )
    return shown


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


@lru_cache(maxsize=2**16)  # a report measures the same names and actions row after row
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
# The body of a landscape page print_setup lays out (A4 or Letter, the smaller), in points.
PRINTABLE_WIDTH, PRINTABLE_HEIGHT = printable_size(landscape=True)


def column_points(width: float) -> float:
    """Printed width of a column ``width`` characters wide in Excel (7 px a character + 5)."""
    return (int(width * 7 + 0.5) + 5) * 0.75


def page_breaks(
    units: Sequence[tuple[int, float]],
    column_widths: Sequence[float],
    repeated_height: float,
    *,
    new_page_rows: Collection[int] = (),
    slack: float = 1.0,
    landscape: bool = True,
) -> list[int]:
    """Rows to break pages before, for a sheet printed one page wide by ``print_setup``.

    ``units`` are (first row, height in points) of runs of rows that belong on one page, such
    as a heading and the first row under it, in row order; ``new_page_rows`` always start a
    page. Applications only break where a page overflows, which can strand a heading at the
    foot of a page. Pages are planned at the largest scale an application may print at
    (Excel's, whose columns are the narrowest), so a smaller scale only leaves room to spare
    and the application never needs a break of its own between two of these; ``slack``
    shrinks the plan further against font differences.
    """
    width, height = printable_size(landscape)
    sheet_width = sum(column_points(w) for w in column_widths) or 1.0
    scale = min(1.0, width / sheet_width)
    capacity = height / scale * slack - repeated_height
    breaks: list[int] = []
    used = 0.0
    for first_row, unit_height in units:
        if used and (first_row in new_page_rows or used + unit_height > capacity):
            breaks.append(first_row)
            used = 0.0
        used += unit_height
    return breaks
