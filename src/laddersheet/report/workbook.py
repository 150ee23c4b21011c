"""The report workbook for HR: summary, employees, gaps, heatmap, teams, calibration, plan."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from ..gaps import (
    COVERAGE_MIN,
    SELF_DIFFERENCE,
    CompetencyStats,
    EmployeeGaps,
    GapReport,
    GroupStats,
)
from ..issues import Severity
from ..progress import Progress
from ..workbook import (
    DEFAULT_ROW_HEIGHT,
    PALETTE,
    atomic_output,
    col_letter,
    new_workbook,
    page_breaks,
    print_first_page,
    print_setup,
    printable_size,
    row_height,
    write_text,
    write_value,
)
from .base import (
    HEADER_ROW,
    Col,
    created_at,
    cut_text,
    yes_no,
)
from .data import _counts, _ordered_issues
from .progress_sheets import (
    TREND_MIN_CYCLES,
    ProgressSheets,
)

HEATMAP_RED_AT = 2.0  # mean gap (scale points) shown fully red; 0 is green, half-way yellow
# Heatmap columns: the table prints at full size on a portrait A4 or Letter page.
HEATMAP_WIDTHS = (26, 16, 6, 7, 7, 7)
_HEATMAP_HEADER_HEIGHT = 30.0  # the header row, repeated on every page
# Default-height rows under the repeated header on a portrait page, for placing charts.
PORTRAIT_PAGE_ROWS = int((printable_size(landscape=False)[1] - _HEATMAP_HEADER_HEIGHT) // 15)
HEATMAP_CHART_FONT = 10  # points, like the body text
# Self and manager scores 2+ points apart: lavender, neither good nor bad (a topic to talk about)
SELF_DIFFERENCE_FILL = "#DCD3F0"
# Up to this many people the report's parts are assembled in memory (~5 % faster than through
# temporary files); a larger report's sheets would hold hundreds of MB of XML at once.
IN_MEMORY_EMPLOYEES = 2_000

SHEETS = (
    "Summary",
    "Employees",
    "Gaps",
    "Heatmap",
    "Teams",
    "Calibration",
    "Development plan",
    "Missing",
    "Issues",
)


_SUMMARY_LABEL_WIDTH, _SUMMARY_VALUE_WIDTH = 30, 9  # portrait, at 86 % or more


# --------------------------------------------------------------------------- workbook


def write_report(report: GapReport, path: Path, progress: Progress | None = None) -> Path:
    """The HR workbook: one sheet per view (``SHEETS``; with progress since an earlier cycle,
    ``PROGRESS_SHEET``, ``PROGRESS_GROUPS_SHEET``, ``EARLIER_ACTIONS_SHEET`` and from three
    cycles on ``TREND_SHEET`` after Teams), print-ready, values only."""
    path = Path(path)
    with atomic_output(path) as tmp:
        # in memory (no temporary file per part) up to the size whose parts memory easily holds
        book = new_workbook(tmp, in_memory=len(report.employees) <= IN_MEMORY_EMPLOYEES)
        book.set_properties(
            {
                "title": f"Gap report: {report.company}, {report.cycle}",
                "company": report.company,
                "created": created_at(report.created),
                "comments": "Written by laddersheet.",
            }
        )
        writer = _ReportWriter(book, report)
        writer.summary()
        writer.employees()
        writer.gaps()
        writer.heatmap()
        writer.teams()
        if progress is not None:
            writer.progress(progress)
            writer.progress_groups(progress)
            writer.earlier_actions(progress)
            if len(progress.trend) >= TREND_MIN_CYCLES:
                writer.trend(progress)
        writer.calibration()
        writer.development_plan(progress)
        writer.missing()
        writer.issues()
        book.close()
    return path


class _ReportWriter(ProgressSheets):
    """Every sheet of the report workbook (the progress sheets come from ``ProgressSheets``)."""

    # ---- Summary

    def summary(self) -> None:
        report, styles = self.report, self.styles
        sheet = self.book.add_worksheet("Summary")
        self.widths["Summary"] = _SUMMARY_LABEL_WIDTH + 6 * _SUMMARY_VALUE_WIDTH
        sheet.set_column(0, 0, _SUMMARY_LABEL_WIDTH)
        sheet.set_column(1, 6, _SUMMARY_VALUE_WIDTH)
        write_text(sheet, 0, 0, f"Gap report: {report.company}", styles["title"])
        write_text(sheet, 1, 0, f"{report.cycle} · as of {report.created}", styles["subtitle"])
        self.note(sheet, 2, report.account_line, 6)
        sheet.set_row(0, 24)

        counts = _counts(report)
        company = report.company_stats
        evaluated = report.account.employees
        low, high = report.scale_values[0], report.scale_values[-1]
        headline: list[tuple[str, object, str]] = [
            ("Employees evaluated", evaluated, f"{counts['files']} files read"),
            ("Roster members not returned", counts["not_returned"], "see Missing"),
            ("Scores accepted", counts["accepted"], ""),
            ("Scores rejected", counts["rejected"], "see Issues"),
            ("Scores missing (blank)", counts["missing"], "see Missing"),
            ("Mean score", company.mean_score, f"scale {low}-{high}"),
            ("Mean gap to current level", company.mean_gap_now, "scale points"),
            ("Mean gap to next level", company.mean_gap_next, "scale points"),
            ("Meeting their current level", company.meets_level, f"of {evaluated}"),
            ("Ready for the next level", company.ready_next, f"of {evaluated}"),
            (
                "With a development plan agreed",
                counts["with_plan"],
                f"of {evaluated}; {counts['actions_agreed']} actions (see Development plan)",
            ),
            (
                "Incomplete (too few scores)",
                company.incomplete,
                f"under {COVERAGE_MIN:.0%} scored: no verdict",
            ),
            (
                "Managers flagged for calibration",
                counts["flagged_managers"],
                f"of {counts['managers']}; threshold ±{report.calibration_threshold:g}",
            ),
            ("Issues: errors", counts["errors"], "see Issues"),
            ("Issues: warnings", counts["warnings"], "see Issues"),
        ]
        detail_format = styles.custom("note", text_wrap=False, indent=1)
        row = 4
        write_text(sheet, row, 0, "Headline", styles["h2"])
        row += 1
        # counts that ask HR to act are coloured when non-zero
        attention = {
            "Roster members not returned": "warn",
            "Scores rejected": "warn",
            "Managers flagged for calibration": "bad",
            "Issues: errors": "bad",
        }
        for label, value, detail in headline:
            write_text(sheet, row, 0, label, styles["cell"])
            fmt = styles["number"] if isinstance(value, float) else styles["integer"]
            if value and label in attention:
                fmt = styles.custom("integer", bg_color=PALETTE[attention[label]], bold=True)
            write_value(sheet, row, 1, value, fmt)
            write_text(sheet, row, 2, detail, detail_format)
            row += 1

        columns = [
            Col("", _SUMMARY_LABEL_WIDTH),
            *[
                Col(header, _SUMMARY_VALUE_WIDTH, kind)
                for header, kind in (
                    ("Employees", "int"),
                    ("Mean score", "num"),
                    ("Gap now", "num"),
                    ("Gap next", "num"),
                    ("Meets level", "int"),
                    ("Ready next", "int"),
                )
            ],
        ]
        for title, groups in (("By family", report.families), ("By domain", report.domains)):
            row += 1
            write_text(sheet, row, 0, title, styles["h2"])
            row += 1
            for col, column in enumerate(columns):
                write_text(sheet, row, col, column.header or title[3:].title(), styles["header"])
            sheet.set_row(row, 30)  # two-line headers in the narrow value columns
            row += 1
            row += self.rows(sheet, row, columns, (_group_cells(g) for g in groups))

        row += 1
        write_text(sheet, row, 0, "Score distribution", styles["h2"])
        row += 1
        for col, header in enumerate(("Scale point", "Scores", "Share")):
            write_text(sheet, row, col, header, styles["header"])
        row += 1
        total = company.scores
        for value, label in zip(report.scale_values, report.scale_labels, strict=True):
            count = company.distribution.get(str(value), 0)
            write_text(sheet, row, 0, f"{value} · {label}", styles["cell"])
            write_value(sheet, row, 1, count, styles["integer"])
            write_value(sheet, row, 2, count / total if total else None, styles["percent"])
            row += 1
        sheet.conditional_format(
            row - len(report.scale_values),
            2,
            row - 1,
            2,
            {
                "type": "data_bar",
                "bar_color": "#7EA6D8",
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
                "bar_solid": True,
            },
        )

        row += 1
        definitions = (
            "Gap = expected level minus score, never below 0 (blank when the score is missing "
            "or rejected). A verdict needs at least "
            f"{COVERAGE_MIN:.0%} of a person's competencies scored; below that they are "
            "incomplete. Meets level: no scored competency below the current level. "
            "Readiness: share of scored competencies at or above the target level (the next "
            "level unless the roster names one); ready = meets the current level and 100% "
            "readiness. Weighted readiness weights each competency by its O*NET importance."
        )
        self.note(sheet, row, definitions, 6)
        # One printed page when it fits at a readable scale (a small company); else one page
        # wide, as long as it takes.
        width = self.widths["Summary"]
        notes = sum(
            (row_height([(text, width)]) or 15) - 15 for text in (report.account_line, definitions)
        )
        print_setup(
            sheet,
            landscape=False,
            header=self.header_text,
            widths=[_SUMMARY_LABEL_WIDTH] + [_SUMMARY_VALUE_WIDTH] * 6,
            height=15 * (row + 1) + 9 + 2 * 15 + notes,  # title +9, two 30 pt header rows
        )

    # ---- Employees

    def employees(self) -> None:
        report = self.report
        columns = [
            Col("Name", 20),
            Col("Employee id", 10),
            Col("Manager", 16),
            Col("Family", 14),
            Col("Track", 5, "center"),
            Col("Level", 5, "center"),
            Col("Title", 20),
            Col("Target", 6, "center"),
            Col("Target title", 20),
            Col("Scored", 7, "int"),
            Col("Missing", 7, "int"),
            Col("Rejected", 8, "int"),
            Col("Coverage", 8, "pct"),
            Col("Meets level", 9, "center"),
            Col("Readiness next", 9, "pct"),
            Col("Weighted readiness", 9, "pct"),
            Col("Top priorities", 36, "wrap"),
            Col("Self-assessed", 9, "center"),
            Col("Self coverage", 8, "pct"),
            Col("Self vs manager 2+ apart", 10, "int"),
        ]
        sheet = self.sheet(
            "Employees",
            "Employees",
            "One row per employee with a returned sheet. Coverage: share of their competencies "
            f"scored; under {COVERAGE_MIN:.0%} the person is incomplete and no verdict is "
            "given. Readiness: share of scored competencies at or above the target level "
            "(blank at the top of a track); weighted by O*NET importance in the next column. "
            "Self coverage: share they scored in their self-assessment; 2+ apart: competencies "
            "where they and their manager differ by two points or more (topics to talk about). "
            "“No manager sheet”: a self-assessment only, without gaps or a verdict.",
            columns,
            freeze_col=1,
        )
        count = self.rows(
            sheet,
            HEADER_ROW + 1,
            columns,
            (
                [
                    e.name,
                    e.employee_id,
                    e.manager_name or e.manager_id,
                    e.family,
                    e.track,
                    e.level,
                    e.title,
                    e.target_level or "",
                    e.target_title if e.target_level else "Top of track",
                    e.scored,
                    e.missing,
                    e.rejected,
                    e.coverage,
                    _meets_cell(e),
                    e.readiness_next,
                    e.readiness_next_weighted,
                    "; ".join(f"{p.competency} (gap {p.gap_next})" for p in e.priorities),
                    yes_no(e.self_assessed),
                    e.self_coverage,
                    e.self_differences if e.self_assessed and e.manager_returned else None,
                ]
                for e in report.assessed()
            ),
        )
        self.autofilter(sheet, count, columns)
        first, last = HEADER_ROW + 1, HEADER_ROW + max(count, 1)
        for col in (14, 15):
            sheet.conditional_format(
                first,
                col,
                last,
                col,
                {
                    "type": "data_bar",
                    "bar_color": "#63BE7B",
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                    "bar_solid": True,
                },
            )
        self.yes_no_colours(sheet, first, last, 13)  # Meets level
        sheet.conditional_format(  # self vs manager differences: worth a conversation
            first,
            19,
            last,
            19,
            {
                "type": "cell",
                "criteria": ">",
                "value": 0,
                "format": self.styles.custom("integer", bg_color=SELF_DIFFERENCE_FILL, bold=True),
            },
        )

    # ---- Gaps

    def gaps(self) -> None:
        report = self.report
        columns = [
            Col("Employee id", 10),
            Col("Name", 18),
            Col("Manager", 16),
            Col("Family", 14),
            Col("Level", 5, "center"),
            Col("Target", 6, "center"),
            Col("Competency", 22),
            Col("Domain", 16),
            Col("Scope", 7, "center"),
            Col("Status", 9, "center"),
            Col("Score", 6, "int"),
            Col("Self", 6, "int"),
            Col("Expected now", 8, "int"),
            Col("Expected next", 8, "int"),
            Col("Gap now", 6, "int"),
            Col("Gap next", 6, "int"),
            Col("Surplus", 7, "int"),
            Col("Evidence", 40, "wrap"),
            Col("File", 20),
            Col("Sheet", 14),
            Col("Cell", 5, "center"),
        ]
        sheet = self.sheet(
            "Gaps",
            "Gaps: one row per employee and competency",
            "Gap now/next = expected at the current/target level minus the score, never below "
            "0. Scope “target”: a competency of the target track only (a move between tracks). "
            "Blank gaps: score missing or rejected, or no expectation. Score: the manager's, "
            "the only one gaps use; Self: the employee's self-assessment, both in lavender where "
            "they are 2+ points apart (a topic for the conversation, not an error).",
            columns,
            freeze_col=2,
        )
        cut = 0

        def rows() -> Iterable[list[object]]:
            nonlocal cut
            for e in report.assessed():
                for r in e.competencies:
                    evidence, was_cut = cut_text(r.evidence)
                    cut += was_cut
                    yield [
                        e.employee_id,
                        e.name,
                        e.manager_name or e.manager_id,
                        e.family,
                        e.level,
                        e.target_level or "",
                        r.competency,
                        r.domain,
                        r.scope,
                        r.status,
                        r.score,
                        r.self_score,
                        r.expected_now,
                        r.expected_next,
                        r.gap_now,
                        r.gap_next,
                        r.surplus,
                        evidence,
                        r.file,
                        r.sheet,
                        r.cell,
                    ]

        count = self.rows(sheet, HEADER_ROW + 1, columns, rows())
        self.autofilter(sheet, count, columns)
        # The long table is for filtering on screen (and is in gaps.csv): printed in full it
        # runs to a hundred pages, so only its first page prints unless HR clears the area.
        print_first_page(
            sheet,
            self.print_plans[sheet.name],
            header_row=HEADER_ROW,
            count=count,
            last_col=len(columns) - 1,
            heights=self.row_heights.get(sheet.name, {}),
        )
        self.cut_note(sheet, cut, len(columns) - 1)
        first, last = HEADER_ROW + 1, HEADER_ROW + max(count, 1)
        # Score and Self two or more points apart: both cells stand out (the same rule as
        # GapRow.self_differs)
        score, own = _cell_name(first, 10), _cell_name(first, 11)
        sheet.conditional_format(
            first,
            10,
            last,
            11,
            {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER({score}),ISNUMBER({own}),"
                f"ABS({own}-{score})>={SELF_DIFFERENCE})",
                "format": self.styles.custom("integer", bg_color=SELF_DIFFERENCE_FILL, bold=True),
            },
        )
        for col, style in ((14, "bad"), (15, "warn"), (16, "good")):
            sheet.conditional_format(
                first,
                col,
                last,
                col,
                {"type": "cell", "criteria": ">", "value": 0, "format": self.styles[style]},
            )
        for status, style in (("rejected", "bad"), ("missing", "warn")):
            sheet.conditional_format(
                first,
                9,
                last,
                9,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{status}"',
                    "format": self.styles[style],
                },
            )

    # ---- Heatmap

    def heatmap(self) -> None:
        """Family by family, each competency's mean gaps, coloured: one readable A4 column.

        Families have competencies of their own, so a family × competency grid would be mostly
        blank; a long table of family blocks prints on portrait pages at full size and reads top
        to bottom, a family never split across two pages when it fits on one.
        """
        report, styles = self.report, self.styles
        sheet = self.book.add_worksheet("Heatmap")
        headers = ("Competency", "Domain", "Scored", "Mean score", "Mean gap now", "Mean gap next")
        widths = HEATMAP_WIDTHS
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.widths["Heatmap"] = sum(widths)
        print_setup(
            sheet, landscape=False, repeat_rows=(2, 2), header=self.header_text, widths=widths
        )
        write_text(sheet, 0, 0, "Heatmap: mean gaps by family and competency", styles["h2"])
        self.note(
            sheet,
            1,
            f"Mean gap per competency of each family, in scale points: green 0, yellow "
            f"{HEATMAP_RED_AT / 2:g}, red {HEATMAP_RED_AT:g} or more. Blank: nobody below the "
            "top of a track was scored on it.",
            len(headers) - 1,
        )
        header = styles.custom("header", valign="bottom")
        for col, text in enumerate(headers):
            write_text(sheet, 2, col, text, header)
        sheet.set_row(2, _HEATMAP_HEADER_HEIGHT)
        sheet.freeze_panes(3, 1)
        by_family: dict[str, list[CompetencyStats]] = {}
        for cell in report.competencies:
            by_family.setdefault(cell.family_id, []).append(cell)
        band = styles.custom("band", bold=True)
        number = styles.custom("number", align="center")
        bold_number = styles.custom("number", align="center", bold=True)
        row = 3
        first_value_row = row
        blocks: dict[str, tuple[int, int]] = {}  # family -> first and last competency row
        units: list[tuple[int, float]] = []  # (first row, height): a family block per page
        for family in report.families:
            block_start, block_height = row, DEFAULT_ROW_HEIGHT
            write_text(sheet, row, 0, family.label, band)
            for col in range(1, len(headers)):
                write_text(sheet, row, col, "", band)
            for col, value in ((4, family.mean_gap_now), (5, family.mean_gap_next)):
                write_value(sheet, row, col, value, bold_number)
            row += 1
            cells = by_family.get(family.key, [])
            if any(c.mean_gap_next is not None or c.mean_gap_now is not None for c in cells):
                blocks[family.key] = (row, row + len(cells) - 1)
            for cell in cells:
                write_text(sheet, row, 0, cell.competency, styles["cell"])
                write_text(sheet, row, 1, cell.domain, styles["cell"])
                height = row_height([(cell.competency, widths[0]), (cell.domain, widths[1])])
                if height:
                    sheet.set_row(row, height)
                block_height += height or DEFAULT_ROW_HEIGHT
                write_value(sheet, row, 2, cell.scores, styles.custom("integer", align="center"))
                write_value(sheet, row, 3, cell.mean_score, number)
                write_value(sheet, row, 4, cell.mean_gap_now, number)
                write_value(sheet, row, 5, cell.mean_gap_next, number)
                row += 1
            units.append((block_start, block_height))
        if row > first_value_row:
            sheet.conditional_format(
                first_value_row,
                4,
                row - 1,
                5,
                {
                    "type": "3_color_scale",
                    "min_type": "num",
                    "min_value": 0,
                    "mid_type": "num",
                    "mid_value": HEATMAP_RED_AT / 2,
                    "max_type": "num",
                    "max_value": HEATMAP_RED_AT,
                    "min_color": "#63BE7B",
                    "mid_color": "#FFEB84",
                    "max_color": "#F8696B",
                },
            )
        repeated = _HEATMAP_HEADER_HEIGHT
        breaks = page_breaks(units, widths, repeated, landscape=False)
        self.family_charts(sheet, row + 2, blocks, breaks)

    def family_charts(
        self,
        sheet: Worksheet,
        row: int,
        blocks: dict[str, tuple[int, int]],
        breaks: list[int],
    ) -> None:
        """A bar chart of each family's mean gaps (from its block of the table above), below it.

        Charts start on a new page, are as wide as the printed table and never split across a
        page: a page holds ``PORTRAIT_PAGE_ROWS`` default rows under the repeated header row.
        """
        report = self.report
        breaks = [*breaks, row]
        used = 0
        # As wide as the table's columns in Excel (7 px a character + 5): LibreOffice anchors
        # a chart to the cells it covers, so a chart wider than the table would widen the
        # printed area there (and shrink the page).
        width_px = sum(int(7 * w + 0.5) + 5 for w in HEATMAP_WIDTHS) - 8
        most = (PORTRAIT_PAGE_ROWS - 1) * 20  # pixels: a default row is 20 px high
        for family in report.families:
            if family.key not in blocks:
                continue
            first, last = blocks[family.key]
            count = last - first + 1
            chart = self.book.add_chart({"type": "bar"})
            for col, name, colour in ((4, "Gap now", "#F4A6A6"), (5, "Gap next", "#1F4E79")):
                chart.add_series(
                    {
                        "name": name,
                        "categories": ["Heatmap", first, 0, last, 0],
                        "values": ["Heatmap", first, col, last, col],
                        "fill": {"color": colour},
                        "gap": 60,
                    }
                )
            font = {"size": HEATMAP_CHART_FONT}
            chart.set_title({"name": family.label, "name_font": {"size": 12}})
            chart.set_x_axis(
                {
                    "min": 0,
                    "name": "scale points",
                    "name_font": font,
                    "num_font": font,
                    "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}},
                }
            )
            chart.set_y_axis({"reverse": True, "num_font": font})  # as in the table
            chart.set_legend({"position": "bottom", "font": font})
            height = min(most, max(260, 26 * count + 120))
            rows = math.ceil(height / 20) + 1
            if used and used + rows > PORTRAIT_PAGE_ROWS:
                breaks.append(row)
                used = 0
            chart.set_size({"width": width_px, "height": height})
            sheet.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4})
            row += rows
            used += rows
        sheet.set_h_pagebreaks(sorted(set(breaks)))

    # ---- Teams

    def teams(self) -> None:
        report = self.report
        labels = [
            f"{v} {label}"
            for v, label in zip(report.scale_values, report.scale_labels, strict=True)
        ]
        columns = [
            Col("Group", 9),
            Col("Name", 26),
            Col("Id", 14),
            Col("Employees", 10, "int"),
            Col("Scores", 8, "int"),
            Col("Mean score", 9, "num"),
            Col("Mean gap now", 9, "num"),
            Col("Mean gap next", 9, "num"),
            Col("Meets level", 9, "int"),
            Col("Ready next", 9, "int"),
            *[Col(label, 10, "int") for label in labels],
        ]
        sheet = self.sheet(
            "Teams",
            "Teams, families and domains",
            "Means over scored rows; score columns count scores per scale point. Ready next: "
            "every scored competency at or above the target level (for a domain: its "
            "competencies only). Filter the Group column to compare like with like.",
            columns,
            freeze_col=2,
        )
        groups: list[tuple[str, GroupStats]] = [("Company", report.company_stats)]
        groups += [("Team", g) for g in report.teams]
        groups += [("Family", g) for g in report.families]
        groups += [("Domain", g) for g in report.domains]
        plain = self.formats(columns)
        bold = self.formats(columns, bold=True, bg_color=PALETTE["band"])
        row = HEADER_ROW + 1
        for kind, group in groups:
            values = [
                kind,
                group.label,
                group.key,
                group.employees,
                group.scores,
                group.mean_score,
                group.mean_gap_now,
                group.mean_gap_next,
                group.meets_level,
                group.ready_next,
                *[group.distribution.get(str(v), 0) for v in report.scale_values],
            ]
            self.rows(sheet, row, columns, [values], bold if kind == "Company" else plain)
            row += 1
        self.autofilter(sheet, len(groups), columns)

    # ---- Calibration

    def calibration(self) -> None:
        report = self.report
        threshold = report.calibration_threshold
        columns = [
            Col("Manager", 20),
            Col("Manager id", 10),
            Col("Employees", 9, "int"),
            Col("Scores", 8, "int"),
            Col("Mean score", 9, "num"),
            Col("Spread (SD)", 9, "num"),
            Col("Share at top", 9, "pct"),
            Col("Compared scores", 10, "int"),
            Col("Raw difference", 10, "num"),
            Col("Gap-adjusted difference", 11, "num"),
            Col("Flag", 10, "center"),
        ]
        sheet = self.sheet(
            "Calibration",
            "Calibration: how each manager scores compared with the others",
            f"Threshold: a manager is flagged when the gap-adjusted difference is more than "
            f"±{threshold:g} scale points, over at least {report.calibration_min_scores} "
            "compared scores. Gap-adjusted difference: mean of (score − expected at the "
            "person's level) minus the same for every other manager on the same family and "
            "competency; positive = more lenient. Raw difference compares scores alone (a "
            "team of seniors scores high without being lenient) and is shown for context.",
            columns,
        )
        plain = self.formats(columns)
        flagged = self.formats(columns, bg_color=PALETTE["bad"], bold=True)
        row = HEADER_ROW + 1
        for manager in report.calibration:
            values = [
                manager.manager_name,
                manager.manager_id,
                manager.employees,
                manager.scores,
                manager.mean_score,
                manager.spread,
                manager.share_top,
                manager.compared,
                manager.raw_offset,
                manager.adjusted_offset,
                manager.direction.capitalize() if manager.flagged else "",
            ]
            self.rows(sheet, row, columns, [values], flagged if manager.flagged else plain)
            row += 1
        self.autofilter(sheet, len(report.calibration), columns)

    # ---- Development plan

    def development_plan(self, progress: Progress | None = None) -> None:
        report = self.report
        columns = [
            Col("Employee", 18),
            Col("Employee id", 10),
            Col("Manager", 14),
            Col("Level → target", 9, "center"),
            Col("#", 3, "center"),
            Col("Competency", 18, "wrap"),
            Col("Gap next", 5, "int"),
            Col("Agreed action", 36, "wrap"),
            Col("Due date", 10, "center"),
            Col("Suggested action", 36, "wrap"),
            Col("Evidence", 36, "wrap"),
        ]
        sheet = self.sheet(
            "Development plan",
            "Development plan",
            "Per employee: the actions agreed in the scoring workbooks' plan blocks (with due "
            "dates); the actions agreed earlier and still open (in brackets: when, and their "
            "status); then any of the top three gaps to the target level (largest first; ties: "
            "the more important competency) that none of these covers, with the master's "
            "suggested action. No Agreed action: nothing was agreed for that gap.",
            columns,
            freeze_col=1,
        )
        formats = self.formats(columns)
        cut = 0
        rows: list[list[object]] = []
        for e in report.employees:
            move = f"{e.level} → {e.target_level}" if e.target_level else f"{e.level} (top)"
            person_cells = [e.name, e.employee_id, e.manager_name or e.manager_id, move]
            agreed = report.actions_of(e.employee_id)
            gaps = {r.competency_id: r for r in e.competencies}
            evidence_of = {p.competency_id: p.evidence for p in e.priorities}
            n = 0
            for a in agreed:
                n += 1
                row = gaps.get(a.competency_id) if a.competency_id else None
                evidence, was_cut = cut_text(row.evidence if row else "")
                cut += was_cut
                rows.append(
                    [
                        *person_cells,
                        str(n),
                        row.competency if row else "",
                        row.gap_next if row else None,
                        a.action,
                        a.due_date or "",
                        a.suggested or "",
                        evidence,
                    ]
                )
            then = progress.person(e.employee_id) if progress else None
            still_open = then.still_open if then else ()
            for a in still_open:
                n += 1
                row = gaps.get(a.competency_id) if a.competency_id else None
                said = a.status or "no status given"
                rows.append(
                    [
                        *person_cells,
                        str(n),
                        row.competency if row else "",
                        row.gap_next if row else None,
                        f"{a.action} (agreed in {a.cycle}; {said})",
                        a.due_date or "",
                        a.suggested or "",
                        "",
                    ]
                )
            covered = {a.competency_id for a in (*agreed, *still_open)}
            open_priorities = [p for p in e.priorities if p.competency_id not in covered]
            if not agreed and not still_open and not open_priorities:
                rows.append([*person_cells, "", "", None, "", "", _no_priority_reason(e), ""])
                continue
            for p in open_priorities:
                n += 1
                evidence, was_cut = cut_text(evidence_of.get(p.competency_id, ""))
                cut += was_cut
                action = p.action or "No development action in the master for this level."
                done_in = then.done_in(p.action) if then else ""
                if done_in:  # agreed earlier and done: not offered again as new
                    action = f"Done: agreed in {done_in} ({p.action}). Agree a next step."
                rows.append(
                    [*person_cells, str(n), p.competency, p.gap_next, "", "", action, evidence]
                )
        count = self.rows(sheet, HEADER_ROW + 1, columns, rows, formats)
        self.autofilter(sheet, count, columns)
        self.cut_note(sheet, cut, len(columns) - 1)

    # ---- Missing

    def missing(self) -> None:
        report = self.report
        columns = [
            Col("Status", 12),
            Col("Employee", 18),
            Col("Employee id", 10),
            Col("Manager", 16),
            Col("Family", 14),
            Col("Level", 5, "center"),
            Col("Not scored", 7, "int"),
            Col("Rejected", 8, "int"),
            Col("Competencies not scored", 26, "wrap"),
        ]
        sheet = self.sheet(
            "Missing",
            "Missing",
            "Roster members whose sheet did not come back, then employees with blank or "
            "rejected scores (see Issues for why a score was rejected).",
            columns,
            freeze_col=2,
        )
        families = {g.key: g.label for g in report.families}
        rows: list[list[object]] = [
            [
                "Not returned",
                e.name,
                e.employee_id,
                e.manager_name or e.manager_id,
                families.get(e.family_id, e.family_id),
                e.level,
                None,
                None,
                "",
            ]
            for e in report.not_returned
        ]
        for e in report.employees:
            if not (e.missing or e.rejected):
                continue
            names = [r.competency for r in e.competencies if r.score is None]
            status = (
                "Nothing scored"
                if not e.scored
                else "Incomplete"
                if not e.complete
                else "Scores missing"
            )
            rows.append(
                [
                    status,
                    e.name,
                    e.employee_id,
                    e.manager_name or e.manager_id,
                    e.family,
                    e.level,
                    e.missing,
                    e.rejected,
                    "; ".join(names),
                ]
            )
        count = self.rows(sheet, HEADER_ROW + 1, columns, rows)
        self.autofilter(sheet, count, columns)

    # ---- Issues

    def issues(self) -> None:
        columns = [
            Col("Severity", 8, "center"),
            Col("Code", 18),
            Col("File", 20),
            Col("Sheet", 14),
            Col("Cell", 6, "center"),
            Col("Message", 52, "wrap"),
        ]
        sheet = self.sheet(
            "Issues",
            "Issues",
            "Everything ingest and the gap engine noticed, errors first. Errors: a value could "
            "not be used. Warnings: used, but worth a look. Info: how something was read.",
            columns,
        )
        plain = self.formats(columns)
        row = HEADER_ROW + 1
        for issue in _ordered_issues(self.report.issues):
            formats = list(plain)
            if issue.severity is Severity.ERROR:
                formats[0] = self.styles.custom("cell_center", bg_color=PALETTE["bad"], bold=True)
            elif issue.severity is Severity.WARNING:
                formats[0] = self.styles.custom("cell_center", bg_color=PALETTE["warn"])
            values = [
                issue.severity.value,
                issue.code,
                issue.file,
                issue.sheet,
                issue.cell,
                issue.message,
            ]
            self.rows(sheet, row, columns, [values], formats)
            row += 1
        self.autofilter(sheet, len(self.report.issues), columns)


def _group_cells(group: GroupStats) -> list[object]:
    return [
        group.label,
        group.employees,
        group.mean_score,
        group.mean_gap_now,
        group.mean_gap_next,
        group.meets_level,
        group.ready_next,
    ]


def _meets_cell(employee: EmployeeGaps) -> str:
    """The Employees sheet's "Meets level" cell."""
    if not employee.manager_returned:
        return "No manager sheet"
    return yes_no(employee.meets_level) if employee.complete else "Incomplete"


def _cell_name(row: int, col: int) -> str:
    """``$K5``: the column fixed, the row relative, for a formula rule over a range."""
    return f"${col_letter(col)}{row + 1}"


def _no_priority_reason(employee: EmployeeGaps) -> str:
    if not employee.target_level:
        return "Top of the track: no next level to prepare for."
    if employee.readiness_next is None:
        return "No scores to plan from."
    return "No gap to the target level on scored competencies."
