"""What every sheet of the report workbook shares: columns, the sheet frame, rows, notes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..fastsheet import FastWorksheet
from ..gaps import GapReport
from ..workbook import (
    PALETTE,
    PrintPlan,
    Styles,
    print_setup,
    row_height,
    write_text,
    write_value,
)

EVIDENCE_CELL_LIMIT = 2_000  # characters of evidence per workbook cell; JSON keeps it all
CUT_MARK = " … [cut: full text in the JSON report]"
HEADER_ROW = 3  # data sheets: title, note, a warning line (usually empty), the header row
WARNING_ROW = 2
_MAX_ROW_HEIGHT = 409  # Excel's limit


@dataclass(frozen=True, slots=True)
class Col:
    header: str
    width: float
    kind: str = "text"  # text | wrap | center | int | num | pct


def created_at(iso_date: str) -> datetime:
    # the settings' date, not now: the same report gives the same file properties
    try:
        return datetime.fromisoformat(iso_date)
    except ValueError:
        return datetime(2026, 1, 1)


def cut_text(text: str) -> tuple[str, bool]:
    if len(text) <= EVIDENCE_CELL_LIMIT:
        return text, False
    return text[: EVIDENCE_CELL_LIMIT - len(CUT_MARK)].rstrip() + CUT_MARK, True


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


class SheetWriter:
    """The report's sheets' common frame: a titled sheet, its note, typed rows, filters."""

    def __init__(self, book: xlsxwriter.Workbook, report: GapReport):
        self.book = book
        self.report = report
        self.styles = Styles(book)
        self.header_text = f"{report.company} · {report.cycle} · Gap report"
        self.widths: dict[str, float] = {}  # sheet → width of its notes (character units)
        self.row_heights: dict[str, dict[int, float]] = {}  # sheet → row → points, if set
        self.print_plans: dict[str, PrintPlan] = {}
        self.column_widths: dict[str, list[float]] = {}

    def sheet(
        self,
        name: str,
        title: str,
        note: str,
        columns: Sequence[Col],
        *,
        freeze_col: int = 0,
        landscape: bool = True,
    ) -> Worksheet:
        """A data sheet: title, a note, a frozen header row, widths and print set-up."""
        sheet = self.book.add_worksheet(name)
        self.print_plans[name] = print_setup(
            sheet,
            landscape=landscape,
            repeat_rows=(HEADER_ROW, HEADER_ROW),
            header=self.header_text,
            widths=[c.width for c in columns],
            repeat_cols=freeze_col,  # the columns that name the row, on every page across
        )
        styles = self.styles
        write_text(sheet, 0, 0, title, styles["h2"])
        self.widths[name] = sum(c.width for c in columns)
        self.column_widths[name] = [c.width for c in columns]
        self.note(sheet, 1, note, len(columns) - 1)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            write_text(sheet, HEADER_ROW, col, column.header, styles["header"])
        # Room for every header label (bold text is wider): narrow columns wrap it.
        labels = row_height((c.header, c.width * 0.9) for c in columns) or 0
        sheet.set_row(HEADER_ROW, max(30, labels))
        sheet.freeze_panes(HEADER_ROW + 1, freeze_col)
        return sheet

    def note(
        self, sheet: Worksheet, row: int, text: str, last_col: int, fmt: Format | None = None
    ) -> None:
        """A wrapped note merged across the sheet's columns, its row as tall as the text."""
        fmt = fmt or self.styles["note"]
        width = self.widths.get(sheet.name, 100)
        plan = self.print_plans.get(sheet.name)
        if plan is not None and plan.first_page_columns is not None:
            # a note across a page break would be cut in print: it stays on the first page
            last_col = min(last_col, plan.first_page_columns - 1)
            width = sum(self.column_widths.get(sheet.name, ())[: last_col + 1]) or width
        if last_col > 0:
            sheet.merge_range(row, 0, row, last_col, "", fmt)
        write_text(sheet, row, 0, text, fmt)
        sheet.set_row(row, row_height([(text, width)]) or 15)

    def cut_note(self, sheet: Worksheet, cut: int, last_col: int) -> None:
        """An issue-like warning on the sheet itself when evidence had to be shortened."""
        if not cut:
            return
        noun = "text was" if cut == 1 else "texts were"
        self.note(
            sheet,
            WARNING_ROW,
            f"warning · evidence-cut: {cut} evidence {noun} longer than "
            f"{EVIDENCE_CELL_LIMIT:,} characters and cut on this sheet (marked “[cut …]”); "
            "the full text is in the JSON report.",
            last_col,
            self.styles.custom("note", bg_color=PALETTE["warn"], italic=False, bold=True),
        )

    def formats(self, columns: Sequence[Col], **extra: Any) -> list[Format]:
        base = {
            "text": "cell",
            "wrap": "cell",
            "center": "cell_center",
            "int": "integer",
            "num": "number",
            "pct": "percent",
        }
        # Text columns wrap too: a name, title or file name cut off by its neighbour cannot be
        # read on paper. Their rows get the height the text needs (``rows``).
        return [self.styles.custom(base[column.kind], **extra) for column in columns]

    def rows(
        self,
        sheet: Worksheet,
        first_row: int,
        columns: Sequence[Col],
        rows: Iterable[Sequence[object]],
        formats: list[Format] | None = None,
    ) -> int:
        """Write rows under a header; returns the number written."""
        formats = formats or self.formats(columns)
        # Wrapped columns with the characters they show on one line (as text_lines counts
        # them): a row whose wrapped texts are all this short, without a line break, needs no
        # height of its own.
        wrapped = [
            (col, c.width, max(1, int(c.width * 1.25) - 1))
            for col, c in enumerate(columns)
            if c.kind in ("text", "wrap")
        ]
        count = 0
        for count, values in enumerate(rows, start=1):
            row = first_row + count - 1
            # texts, numbers and blanks a row at a time (tens of thousands of rows); the rest,
            # and every cell of a sheet that is not a FastWorksheet, via the toolkit
            left = (
                sheet.write_plain_row(row, values, formats)
                if isinstance(sheet, FastWorksheet)
                else range(len(values))
            )
            for col in left:
                write_value(sheet, row, col, values[col], formats[col])
            # Only the texts that may not fit one line are measured: the others count one line,
            # which never sets a row's height (row_height takes the most lines of its cells).
            longer = [
                (text, width)
                for col, width, fit in wrapped
                if (text := values[col])
                and not (type(text) is str and len(text) <= fit and "\n" not in text)
            ]
            if not longer:
                continue  # every wrapped text fits one line: the default height
            height = row_height(longer)
            if height:  # explicit: neither Excel nor LibreOffice grows wrapped rows on open
                sheet.set_row(row, min(_MAX_ROW_HEIGHT, height))
                self.row_heights.setdefault(sheet.name, {})[row] = min(_MAX_ROW_HEIGHT, height)
        return count

    def autofilter(self, sheet: Worksheet, count: int, columns: Sequence[Col]) -> None:
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(count, 1), len(columns) - 1)

    def yes_no_colours(self, sheet: Worksheet, first: int, last: int, col: int) -> None:
        for value, style in (("Yes", "good"), ("No", "bad")):
            sheet.conditional_format(
                first,
                col,
                last,
                col,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{value}"',
                    "format": self.styles[style],
                },
            )
