"""The stage runner: the master's own Roster sheet drives sheets and ingest."""

from pathlib import Path

import openpyxl

from laddersheet.demo_company import roster_rows
from laddersheet.main import generate, ingest, make_sheets
from laddersheet.roster import ROSTER_COLUMNS


def fill_roster_sheet(master: Path, rows: list[dict[str, str]]) -> None:
    book = openpyxl.load_workbook(master)
    sheet = book["Roster"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == ROSTER_COLUMNS[0])
    for offset, row in enumerate(rows, start=1):
        for col, key in enumerate(ROSTER_COLUMNS, start=1):
            sheet.cell(header + offset, col).value = row[key] or None
    book.save(master)


def test_roster_sheet_of_the_master_is_used_by_sheets_and_ingest(tmp_path: Path):
    master = generate(None, tmp_path / "master.xlsx")
    rows = roster_rows()[:12]
    fill_roster_sheet(master, rows)
    sheets = make_sheets(master, tmp_path / "scoring")
    assert sheets.employees == len(rows)
    returned = tmp_path / "returned"
    returned.mkdir()
    kept = sorted(sheets.paths)[0]
    (returned / kept.name).write_bytes(kept.read_bytes())
    run = ingest([returned], master, tmp_path / "report.xlsx")
    in_file = {e.employee_id for e in run.report.employees}
    not_returned = {e.employee_id for e in run.report.not_returned}
    assert in_file and not_returned
    # everyone has a manager (the CEO is outside the roster), so everyone has a sheet somewhere
    assert in_file | not_returned == {r["employee_id"] for r in rows}
    assert not in_file & not_returned


def test_an_empty_roster_sheet_is_not_an_error_for_ingest(tmp_path: Path):
    master = generate(None, tmp_path / "master.xlsx")
    roster = tmp_path / "roster.csv"
    lines = [",".join(ROSTER_COLUMNS)]
    lines += [",".join(r[k] for k in ROSTER_COLUMNS) for r in roster_rows()[:5]]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sheets = make_sheets(master, tmp_path / "scoring", roster)
    run = ingest([tmp_path / "scoring"], master, tmp_path / "report.xlsx")
    assert run.report.not_returned == ()
    assert len(run.report.employees) == sheets.employees
