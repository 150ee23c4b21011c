"""Shared spreadsheet craft for every workbook laddersheet writes (master, scoring, report).

One place for: text that can never become a formula, Excel's limits, sheet names, a coherent
set of styles, print set-up, and writing to a temporary file that is renamed into place so an
interrupted run never leaves half a workbook.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
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
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
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


def new_workbook(path: Path | str) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns a string into a formula, number or link."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": False,
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
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
