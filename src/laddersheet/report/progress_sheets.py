"""The report's sheets about progress since the last cycle: people, groups, earlier actions,
the trend."""

from __future__ import annotations

from ..progress import Progress
from .base import HEADER_ROW, Col, SheetWriter, yes_no
from .data import competency_names

PROGRESS_SHEET = "Progress"  # after Teams, when the history holds an earlier cycle
PROGRESS_GROUPS_SHEET = "Progress by group"  # then: the company, each team and family
EARLIER_ACTIONS_SHEET = "Earlier actions"  # then: actions agreed earlier, with their status
TREND_SHEET = "Trend"  # then, from TREND_MIN_CYCLES recorded cycles: the company's figures
TREND_MIN_CYCLES = 3


class ProgressSheets(SheetWriter):
    """Progress, Progress by group, Earlier actions and Trend (with a history)."""

    def progress(self, progress: Progress) -> None:
        columns = [
            Col("Employee", 22),
            Col("Id", 10),
            Col("Manager", 16),
            Col("Family", 16, "wrap"),
            Col("Level then", 8),
            Col("Level now", 8),
            Col("Compared", 9, "int"),
            Col("Score change", 8, "int"),
            Col("Up", 6, "int"),
            Col("Down", 6, "int"),
            Col("Gaps closed", 8, "int"),
            Col("Gaps opened", 8, "int"),
            Col("Met level then", 8, "center"),
            Col("Meets level now", 8, "center"),
            Col("Ready next then", 9, "pct"),
            Col("Ready next now", 9, "pct"),
            Col("Earlier actions", 8, "int"),
            Col("Done", 6, "int"),
            Col("Dropped", 7, "int"),
            Col("Overdue", 7, "int"),
            Col("No status", 7, "int"),
            Col("Agreed now", 7, "int"),
        ]
        previous = progress.previous
        new = ", ".join(progress.new) or "none"
        left = ", ".join(progress.left) or "none"
        sheet = self.sheet(
            PROGRESS_SHEET,
            f"Progress since {previous.name} ({previous.date})",
            f"{progress.closed} gaps closed and {progress.opened} opened; "
            f"{progress.level_changes} people changed level. Compared: competencies scored in "
            "both cycles; a gap is against the level held in that cycle, so after a promotion a "
            f"gap can open while the score rose. New since then: {new}. Left: {left}.",
            columns,
            freeze_col=2,
        )
        rows = [
            [
                p.name,
                p.employee_id,
                progress.manager_names.get(p.manager_id) or p.manager_id,
                progress.family_names.get(p.family_id) or p.family_id,
                p.previous_level,
                p.level + (" ↑" if p.level_changed else ""),
                p.compared,
                p.score_change,
                p.improved,
                p.declined,
                p.closed,
                p.opened,
                yes_no(p.met_before),
                yes_no(p.meets_now),
                p.readiness_before,
                p.readiness_now,
                len(p.actions),
                p.done,
                p.dropped,
                p.overdue,
                p.no_status,
                p.agreed,
            ]
            for p in progress.people
        ]
        count = self.rows(sheet, HEADER_ROW + 1, columns, rows)
        self.autofilter(sheet, count, columns)

    def progress_groups(self, progress: Progress) -> None:
        columns = [
            Col("Group", 10),
            Col("Name", 24),
            Col("People", 8, "int"),
            Col("Gaps closed", 9, "int"),
            Col("Gaps opened", 9, "int"),
            Col("Changed level", 9, "int"),
            Col("Earlier actions", 9, "int"),
            Col("Done", 7, "int"),
            Col("Dropped", 8, "int"),
            Col("Overdue", 8, "int"),
            Col("No status", 8, "int"),
            Col("Completion", 10, "pct"),
        ]
        sheet = self.sheet(
            PROGRESS_GROUPS_SHEET,
            f"Progress since {progress.previous.name}, by team and family",
            "People recorded in both cycles, added up: the company, each team (the manager's "
            "reports this cycle) and each family. Earlier actions: agreed in an earlier cycle "
            "and still open before this one; completion = done ÷ earlier actions; overdue = "
            f"not done or dropped and due before {self.report.created}.",
            columns,
            freeze_col=2,
        )
        plain, bold = self.formats(columns), self.formats(columns, bold=True)
        row = HEADER_ROW + 1
        for group in progress.groups:
            values = [
                group.kind.capitalize(),
                group.label,
                group.people,
                group.closed,
                group.opened,
                group.level_changes,
                group.actions,
                group.done,
                group.dropped,
                group.overdue,
                group.no_status,
                group.completion,
            ]
            self.rows(sheet, row, columns, [values], bold if group.kind == "company" else plain)
            row += 1
        self.autofilter(sheet, len(progress.groups), columns)

    def earlier_actions(self, progress: Progress) -> None:
        on = self.report.created
        columns = [  # what HR chases prints on the first page; the context on the next
            Col("Employee", 16),
            Col("Employee id", 8),
            Col("Manager", 14),
            Col("Status", 10, "center"),
            Col("Due date", 10, "center"),
            Col("Overdue", 7, "center"),
            Col("Action", 36, "wrap"),
            Col("Agreed in", 10),
            Col("Competency", 18, "wrap"),
            Col("Note", 30, "wrap"),
        ]
        sheet = self.sheet(
            EARLIER_ACTIONS_SHEET,
            "Actions agreed earlier, and where they stand",
            "Each open action from earlier cycles, with the status this cycle's workbooks gave "
            "it (blank: none given, so it stays open). Done and dropped actions close; the "
            "others come back in the next cycle's workbooks. Overdue: open and due before "
            f"{on}. Filter by Manager to chase a team's.",
            columns,
            freeze_col=2,
        )
        competencies = competency_names(self.report)
        rows = []
        for person in progress.people:
            manager = progress.manager_names.get(person.manager_id) or person.manager_id
            for a in person.actions:
                rows.append(
                    [
                        person.name,
                        a.employee_id,
                        manager,
                        a.status or "",
                        a.due_date or "",
                        yes_no(a.overdue(on)),
                        a.action,
                        a.cycle,
                        a.competency_name(competencies),
                        a.note,
                    ]
                )
        count = self.rows(sheet, HEADER_ROW + 1, columns, rows)
        self.autofilter(sheet, count, columns)
        if count:  # overdue in red
            first, last = HEADER_ROW + 1, HEADER_ROW + count
            sheet.conditional_format(
                first,
                5,
                last,
                5,
                {"type": "cell", "criteria": "==", "value": '"Yes"', "format": self.styles["bad"]},
            )

    def trend(self, progress: Progress) -> None:
        """The company's figures cycle by cycle, with a line chart of the shares."""
        columns = [
            Col("Cycle", 18),
            Col("Date", 11, "center"),
            Col("People scored", 9, "int"),
            Col("Meet their level", 9, "pct"),
            Col("Mean readiness", 9, "pct"),
            Col("Gaps to level", 9, "int"),
            Col("Actions agreed", 9, "int"),
            Col("Earlier actions", 9, "int"),
            Col("Done", 7, "int"),
            Col("Completion", 10, "pct"),
        ]
        sheet = self.sheet(
            TREND_SHEET,
            "Trend over the cycles",
            "One row per recorded cycle, this one last. Meet their level: share of the people "
            "scored who meet it (as on the Summary); mean readiness for the next level; gaps "
            "to level: scores below their level's expectation; earlier actions: still open "
            "before the cycle; completion: done ÷ earlier actions.",
            columns,
            freeze_col=1,
        )
        rows = [
            [
                f.cycle,
                f.date,
                f.people,
                f.meets_level,
                f.readiness,
                f.open_gaps,
                f.actions_agreed,
                f.actions_reviewed,
                f.actions_done,
                f.completion,
            ]
            for f in progress.trend
        ]
        count = self.rows(sheet, HEADER_ROW + 1, columns, rows)
        first, last = HEADER_ROW + 1, HEADER_ROW + count
        chart = self.book.add_chart({"type": "line"})
        for col, colour in ((3, "#1F4E79"), (4, "#70AD47"), (9, "#C55A11")):
            chart.add_series(
                {
                    "name": [TREND_SHEET, HEADER_ROW, col],
                    "categories": [TREND_SHEET, first, 0, last, 0],
                    "values": [TREND_SHEET, first, col, last, col],
                    "line": {"color": colour, "width": 2.25},
                    "marker": {"type": "circle", "size": 6, "fill": {"color": colour}},
                }
            )
        font = {"size": 9}
        chart.set_title(
            {"name": "Level met, readiness and actions done", "name_font": {"size": 11}}
        )
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": font})
        chart.set_x_axis({"num_font": font})
        chart.set_legend({"position": "bottom", "font": font})
        width_px = sum(int(7 * c.width + 0.5) + 5 for c in columns) - 8
        chart.set_size({"width": width_px, "height": 300})
        sheet.insert_chart(last + 2, 0, chart, {"x_offset": 4, "y_offset": 4})
