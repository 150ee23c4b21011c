"""``laddersheet demo``: a complete worked cycle for a fictional company, from nothing.

Settings → master → roster → scoring workbooks → filled returns → ingest → report, all in one
folder, so a newcomer sees the whole product work before preparing any file of their own.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .demo_company import COMPANY, roster_rows
from .demo_fill import fill_returned_workbooks
from .errors import InputError
from .gaps import EmployeeGaps, GapReport
from .main import IngestRun, Progress, generate, ingest, make_sheets
from .roster import ROSTER_COLUMNS
from .settings import default_settings_text, load_settings

DEMO_CYCLE = "2026 H2 Review"
EARLIER_CYCLE = "2026 H1 Review"  # run first, into earlier/, so this cycle shows progress
EARLIER_DATE = "2026-05-29"
EARLIER_FOLDER = "earlier"
HISTORY_FILE = "laddersheet.db"
PROMOTED_SINCE = ("E005", "E013")  # one level lower in the earlier cycle
NEW_HIRE = "E063"  # not there in the earlier cycle
LEAVER = {  # there in the earlier cycle only
    "employee_id": "E900",
    "name": "Robin Ashdown",
    "email": "robin.ashdown@fernhill.example",
    "manager_id": "E002",
    "manager_name": "Marcus Okafor",
    "family_id": "software_engineering",
    "track": "IC",
    "level": "L2",
    "target_level": "",
}

README_TEXT = """\
laddersheet demo: {company}, {cycle}
{rule}

Two review cycles of a fictional {people}-person company, made by `laddersheet demo`: this
folder is the latest ({cycle}); earlier/ is the one before.

  laddersheet.toml        the company settings (scale, levels, families); edit and re-run
  master_template.xlsx    the career ladder HR edits: one sheet per job family, the
                          Expectations table laddersheet reads back, the Roster
  roster.csv              who is evaluated, by whom, at which level
  scoring/                one scoring workbook per manager, as sent out: under each
                          person's scores, the actions agreed last cycle (pick a Status)
                          and this cycle's development plan, prefilled from the top gaps
  returned/               the same workbooks filled in by the managers (one has a typo)
  report/report.xlsx      the gap report: Summary, Employees, Gaps, Heatmap, Teams,
                          Progress, Progress by group, Earlier actions, Calibration,
                          Development plan, Missing, Issues
  report/gaps.json        the same for machines
  report/csv/             gaps, employees, actions, progress, progress_groups and
                          earlier_actions (.csv)
  laddersheet.db          the history: both cycles, read with `laddersheet history`
  earlier/                the cycle before ({earlier}), made the same way; since then two
                          people were promoted, one joined and one left, most scores rose,
                          and about half the actions agreed then are done: see the
                          Progress and Earlier actions sheets of report/report.xlsx

Try next:
  1. Open master_template.xlsx, change an expected score or a statement on the
     Expectations sheet, save, and run:
       laddersheet sheets master_template.xlsx --roster roster.csv --out scoring
  2. Fix the typo reported in report/report.xlsx (Issues sheet) in returned/, then run:
       laddersheet ingest returned --master master_template.xlsx --out report/report.xlsx \\
         --history laddersheet.db
  3. One person across both cycles:
       laddersheet history laddersheet.db --employee E005
  4. Start your own: laddersheet init my-company.toml
"""


@dataclass
class DemoResult:
    folder: Path
    files: list[Path]
    run: IngestRun
    employees: int
    managers: int

    def tour(self) -> str:
        """What a newcomer should look at first, in a dozen lines."""
        report = self.run.report
        lines = [
            f"Made two review cycles for {COMPANY} in {self.folder}/ ({EARLIER_CYCLE} in "
            f"{EARLIER_FOLDER}/, then {DEMO_CYCLE}: {self.employees} people, {self.managers} "
            f"scoring workbooks, {len(self.files)} files).",
            f"Ingest: {self.run.account_line}.",
            report.plan_line,
        ]
        if self.run.since is not None:
            lines.append(self.run.since.line())
        errors = self.run.issues.errors
        if errors:
            lines.append(f"It found {len(errors)} problem(s) a manager must fix, e.g.:")
            lines.append(f"  {errors[0]}")
        lines.append("Closest to promotion (share of competencies at the next level):")
        for person in closest_to_promotion(report, 3):
            lines.append(
                f"  {person.name}, {person.title} → {person.target_title}: "
                f"{person.readiness_next:.0%}"
            )
        if gap := biggest_gap(report):
            name, mean, people = gap
            lines.append(
                f"Biggest company-wide gap: {name} "
                f"(mean gap to the next level {mean:.2f} points across {people} people)."
            )
        lines.append(f"Open {self.folder}/report/report.xlsx, or read {self.folder}/README.txt.")
        return "\n".join(lines)


def closest_to_promotion(report: GapReport, count: int) -> list[EmployeeGaps]:
    """People with a next level, highest readiness first (weighted readiness breaks ties)."""
    # only people with a verdict who meet their level: "closest to promotion" claims no more
    candidates = [
        e for e in report.employees if e.readiness_next is not None and e.meets_level is True
    ]
    candidates.sort(
        key=lambda e: (-e.readiness_next, -(e.readiness_next_weighted or 0), e.employee_id)
    )
    return candidates[:count]


def biggest_gap(report: GapReport, min_people: int = 5) -> tuple[str, float, int] | None:
    """The competency with the largest mean gap to the next level, among those scored for at
    least ``min_people`` people (one person's gap is not a company-wide finding)."""
    gaps: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for row in report.rows():
        if row.gap_next is not None:
            gaps.setdefault(row.competency_id, []).append(row.gap_next)
            names[row.competency_id] = row.competency
    gaps = {c: values for c, values in gaps.items() if len(values) >= min_people}
    if not gaps:
        return None
    best = max(sorted(gaps), key=lambda c: sum(gaps[c]) / len(gaps[c]))
    return names[best], sum(gaps[best]) / len(gaps[best]), len(gaps[best])


def run_demo(
    folder: Path, *, force: bool = False, on_progress: Progress | None = None
) -> DemoResult:
    """Two cycles of the same company: the earlier one into ``earlier/``, recorded in the
    history file, then this one beside it, whose report shows the progress since."""
    _prepare(folder, force)
    history = folder / HISTORY_FILE
    rows = roster_rows()
    earlier = folder / EARLIER_FOLDER
    earlier.mkdir()
    _cycle(
        earlier,
        EARLIER_CYCLE,
        _earlier_roster(rows),
        history,
        as_of=EARLIER_DATE,
        seed=3,
        shift=-0.5,
        on_progress=on_progress,
    )
    run, managers = _cycle(folder, DEMO_CYCLE, rows, history, on_progress=on_progress)
    readme = folder / "README.txt"
    title = f"laddersheet demo: {COMPANY}, {DEMO_CYCLE}"
    readme.write_text(
        README_TEXT.format(
            company=COMPANY,
            cycle=DEMO_CYCLE,
            rule="=" * len(title),
            people=len(rows),
            earlier=EARLIER_CYCLE,
        ),
        encoding="utf-8",
    )
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return DemoResult(folder, files, run, len(rows), managers)


def _earlier_roster(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The roster half a year before: the promoted one level lower, the new hire not yet
    there, the leaver still there."""
    earlier = []
    for row in rows:
        if row["employee_id"] == NEW_HIRE:
            continue
        if row["employee_id"] in PROMOTED_SINCE:
            level = f"{row['level'][:-1]}{int(row['level'][-1]) - 1}"
            row = {**row, "level": level, "target_level": ""}
        earlier.append(row)
    return [*earlier, LEAVER]


def _cycle(
    folder: Path,
    cycle: str,
    rows: list[dict[str, str]],
    history: Path,
    *,
    as_of: str | None = None,
    seed: int = 7,
    shift: float = 0.0,
    on_progress: Progress | None = None,
) -> tuple[IngestRun, int]:
    """Settings → master → roster → scoring workbooks → filled returns → report, recorded."""
    settings_path = folder / "laddersheet.toml"
    text = default_settings_text()
    text = text.replace('name = "Example Company"', f'name = "{COMPANY}"', 1)
    text = text.replace('cycle = "2026 Review Cycle"', f'cycle = "{cycle}"', 1)
    settings_path.write_text(text, encoding="utf-8")
    settings = load_settings(settings_path)

    master = generate(settings_path, folder / "master_template.xlsx")
    roster_path = folder / "roster.csv"
    with roster_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROSTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    scoring_dir = folder / "scoring"
    sheets = make_sheets(
        master,
        scoring_dir,
        roster_path,
        on_progress=on_progress,
        history_path=history if history.exists() else None,  # last cycle's scores and actions
    )
    returned_dir = folder / "returned"
    returned_dir.mkdir()
    fill_returned_workbooks(
        sheets.paths,
        returned_dir,
        settings.scale,
        seed=seed,
        shift=shift,
        cycle_date=date.fromisoformat(as_of) if as_of else date.today(),
    )

    report_dir = folder / "report"
    report_dir.mkdir()
    run = ingest(
        [returned_dir],
        master,
        report_dir / "report.xlsx",
        json_path=report_dir / "gaps.json",
        csv_dir=report_dir / "csv",
        roster_path=roster_path,
        on_progress=on_progress,
        as_of=as_of,
        history_path=history,
    )
    return run, len(sheets.paths)


def _prepare(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; give a folder for the demo.")
    if folder.exists() and any(folder.iterdir()):
        if not force:
            raise InputError(
                f"{folder} is not empty: choose another folder or pass --force to replace it."
            )
        _clear(folder)
    folder.mkdir(parents=True, exist_ok=True)


def _clear(folder: Path) -> None:
    import shutil

    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
