"""What writing any sheet of the master needs: its styles, tables with defined names,
widths and heights kept for page planning, print set-up, dropdowns and links."""

from __future__ import annotations

from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import layout
from ..ladder import Expectation, Ladder
from ..workbook import (
    DEFAULT_ROW_HEIGHT,
    PrintPlan,
    Styles,
    add_validation,
    col_letter,
    print_first_page,
    print_setup,
    row_height,
    sheet_name,
    sheet_ref,
    write_text,
    write_value,
)
from .common import BOLD_WIDTH


class SheetWriter:
    """The master being written: the ladder, the workbook, its styles and what the sheets
    share (widths, heights, print plans, the family sheets' names)."""

    def __init__(self, ladder: Ladder, book: xlsxwriter.Workbook):
        self.ladder = ladder
        self.settings = ladder.settings
        self.book = book
        self.styles = Styles(book)
        self.header_text = f"{self.settings.company} · {self.settings.cycle}"
        self.column_widths: dict[str, list[float]] = {}
        self.row_heights: dict[str, dict[int, float]] = {}  # set heights, for page planning
        self.print_plans: dict[str, PrintPlan] = {}
        # The first row of each competency in a family's track names it and its domain.
        self.first_rows: dict[tuple[str, str, str], Expectation] = {}
        for e in ladder.expectations:
            self.first_rows.setdefault((e.family_id, e.track, e.competency_id), e)
        taken = set(layout.RESERVED_SHEETS)
        # Family sheets are named before anything is written, so every link can point at them.
        self.family_sheets = {
            family.family_id: sheet_name(family.name, taken) for family in ladder.families
        }

    # ----------------------------------------------------------------------------- helpers

    def table(
        self,
        sheet: Worksheet,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        name: str,
        formats: Sequence[str],
    ) -> int:
        """An Excel table at A1 (header, filters, banding) with a defined name; returns last row.

        A table always has at least one (blank) data row: Excel rejects header-only tables.
        """
        last_row = max(1, len(rows))
        sheet.add_table(
            0,
            0,
            last_row,
            len(headers) - 1,
            {
                "name": "tbl_" + name.removeprefix("ls_"),
                "style": "Table Style Light 1",
                "columns": [
                    {"header": header, "header_format": self.styles["header"]} for header in headers
                ],
            },
        )
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                write_value(sheet, r, c, value, self.styles[formats[c]])
            self.fit(sheet, r, row)
        self.define(name, sheet.name, 0, 0, last_row, len(headers) - 1)
        return last_row

    def define(
        self, name: str, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int
    ) -> None:
        first = f"${col_letter(first_col)}${first_row + 1}"
        last = f"${col_letter(last_col)}${last_row + 1}"
        self.book.define_name(name, f"={sheet_ref(sheet)}!{first}:{last}")

    def widths(self, sheet: Worksheet, widths: Sequence[float]) -> None:
        """Set column widths (call before writing: row heights are fitted to them)."""
        self.column_widths[sheet.name] = list(widths)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)

    def fit(
        self, sheet: Worksheet, row: int, values: Sequence[object], *, bold: bool = False
    ) -> None:
        """Give ``row`` the height its wrapped text needs (applications do not do it reliably)."""
        # Bold text is wider: fewer characters fit on a line.
        widths = [w * (BOLD_WIDTH if bold else 1) for w in self.column_widths.get(sheet.name, [])]
        texts = [value if isinstance(value, str) else "" for value in values]
        height = row_height(zip(texts, widths, strict=False))
        if height is not None:
            self.set_height(sheet, row, height)

    def set_height(self, sheet: Worksheet, row: int, height: float) -> None:
        sheet.set_row(row, height)
        self.row_heights.setdefault(sheet.name, {})[row] = height

    def height(self, sheet: Worksheet, row: int) -> float:
        return self.row_heights.get(sheet.name, {}).get(row, DEFAULT_ROW_HEIGHT)

    def print_setup(
        self, sheet: Worksheet, repeat_rows: tuple[int, int], *, repeat_cols: int = 0
    ) -> None:
        """Landscape, header rows (and naming columns) repeated, at a readable scale."""
        self.print_plans[sheet.name] = print_setup(
            sheet,
            repeat_rows=repeat_rows,
            header=self.header_text,
            widths=self.column_widths.get(sheet.name),
            repeat_cols=repeat_cols,
        )

    def print_first_page(
        self, sheet: Worksheet, count: int, *, header: int = 0, noun: str = "rows"
    ) -> None:
        """Print a long table's first page only, saying so in the footer.

        The long tables (Expectations, Competencies, Development actions, Family levels, the
        Roster's prepared rows) are for laddersheet and for editing on screen: printed in full
        they would bury the ladder sheets under hundreds of pages (LibreOffice prints every
        visible sheet, and so does Excel's "Print Entire Workbook").
        """
        print_first_page(
            sheet,
            self.print_plans[sheet.name],
            header_row=header,
            count=count,
            last_col=len(self.column_widths[sheet.name]) - 1,
            heights=self.row_heights.get(sheet.name, {}),
            noun=noun,
        )

    def validate_list(
        self,
        sheet: Worksheet,
        col: int,
        first_row: int,
        last_row: int,
        source: str | list[str],
        title: str,
        message: str,
    ) -> None:
        add_validation(
            sheet,
            first_row,
            col,
            last_row,
            col,
            {
                "validate": "list",
                "source": source,
                "input_title": title,
                "input_message": message,
                "error_title": f"Not a valid {title.lower()}",
                "error_message": f"Pick a value from the list. {message}",
            },
        )

    def validate_length(
        self,
        sheet: Worksheet,
        col: int,
        first_row: int,
        last_row: int,
        maximum: int,
        title: str,
        message: str,
    ) -> None:
        add_validation(
            sheet,
            first_row,
            col,
            last_row,
            col,
            {
                "validate": "length",
                "criteria": "between",
                "minimum": 1,
                "maximum": maximum,
                "input_title": title,
                "input_message": message,
                "error_title": "Text too long",
                "error_message": f"Keep this under {maximum} characters. {message}",
            },
        )

    def validate_expected(self, sheet: Worksheet, col: int, first_row: int, last_row: int) -> None:
        scale = self.settings.scale
        add_validation(
            sheet,
            first_row,
            col,
            last_row,
            col,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": scale.minimum,
                "maximum": scale.maximum,
                "input_title": "Expected score",
                "input_message": f"A whole number from {scale.minimum} to {scale.maximum}: "
                + self.scale_summary(),
                "error_title": "Not on the scale",
                "error_message": f"Enter a whole number from {scale.minimum} to {scale.maximum} "
                f"({self.scale_summary()}).",
            },
        )

    def scale_summary(self) -> str:
        return ", ".join(f"{p.value} {p.label}" for p in self.settings.scale.points)

    def link(self, sheet: Worksheet, row: int, col: int, target: str, fmt: str = "text") -> None:
        sheet.write_url(
            row,
            col,
            f"internal:{sheet_ref(target)}!A1",
            self.styles.custom(fmt, font_color="#0563C1", underline=1),
            string=target,
        )

    def subtitle(self, sheet: Worksheet, row: int, text: str) -> None:
        """A line under the title, wrapped across the sheet's columns: never cut off in print."""
        widths = self.column_widths[sheet.name]
        style = self.styles.custom("subtitle", text_wrap=True)
        if len(widths) > 1:
            sheet.merge_range(row, 0, row, len(widths) - 1, "", style)
        write_text(sheet, row, 0, text, style)
        height = row_height([(text, sum(widths))])
        if height is not None:
            self.set_height(sheet, row, height)

    def title(self, sheet: Worksheet, text: str) -> None:
        write_text(sheet, 0, 0, text, self.styles["title"])
        self.set_height(sheet, 0, 24)  # room for the 16pt title

    def level_title(self, family_id: str, level: str) -> str:
        return self.ladder.title(family_id, level)
