"""The stage runner: the master's own Roster sheet drives sheets and ingest."""

import gc
from pathlib import Path

import openpyxl
import pytest

from laddersheet.demo_company import roster_rows
from laddersheet.errors import InputError
from laddersheet.main import BATCH_GC_THRESHOLD, generate, ingest, make_sheets
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


def test_sheets_refuses_to_mix_with_an_earlier_run_unless_forced(tmp_path: Path):
    import pytest

    from laddersheet.errors import InputError

    master = generate(None, tmp_path / "master.xlsx")
    fill_roster_sheet(master, roster_rows()[:12])
    out = tmp_path / "scoring"
    first = make_sheets(master, out)
    stale = out / "Scoring - Someone Who Left.xlsx"  # a workbook of a manager since removed
    stale.write_bytes(first.paths[0].read_bytes())
    with pytest.raises(InputError, match=r"already holds \d+ scoring workbook\(s\).*--force"):
        make_sheets(master, out)
    again = make_sheets(master, out, force=True)
    assert not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in again.paths)


def test_ingest_writes_a_fix_list_per_manager_and_dates_the_report(tmp_path: Path):
    master = generate(None, tmp_path / "master.xlsx")
    fill_roster_sheet(master, roster_rows()[:12])
    sheets = make_sheets(master, tmp_path / "scoring")
    returned = tmp_path / "returned"
    returned.mkdir()
    path = returned / sorted(sheets.paths)[0].name
    book = openpyxl.load_workbook(sorted(sheets.paths)[0])
    sheet = next(
        ws for ws in book.worksheets if ws.sheet_state == "visible" and ws.title != "Cover"
    )
    score_cell = next(c for row in sheet.iter_rows() for c in row if c.value == "Score").offset(
        row=1
    )
    score_cell.value = "N/A"
    book.save(path)
    run = ingest(
        [returned],
        master,
        tmp_path / "report.xlsx",
        fix_list_dir=tmp_path / "fixes",
        as_of="2026-11-30",
    )
    assert run.report.created == "2026-11-30"
    (fixes,) = (tmp_path / "fixes").iterdir()
    assert fixes.name == path.name.replace("Scoring - ", "Fixes - ").replace(".xlsx", ".txt")
    text = fixes.read_text(encoding="utf-8")
    assert f"sheet '{sheet.title}', cell {score_cell.coordinate}" in text
    assert "leave the cell blank" in text and "Must fix" in text


def test_ingest_knows_who_was_sent_without_a_roster(tmp_path: Path):
    """The README's own commands: the roster as a file to sheets, the history to both."""
    master = generate(None, tmp_path / "master.xlsx")
    roster = tmp_path / "roster.csv"
    rows = roster_rows()[:12]
    lines = [",".join(ROSTER_COLUMNS)] + [",".join(r[k] for k in ROSTER_COLUMNS) for r in rows]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "laddersheet.db"
    sheets = make_sheets(master, tmp_path / "scoring", roster, history_path=db)
    assert "history-created" in [i.code for i in sheets.master_issues]
    returned = tmp_path / "returned"
    returned.mkdir()
    kept = sorted(sheets.paths)[:2]
    for path in kept:
        (returned / path.name).write_bytes(path.read_bytes())
    run = ingest([returned], master, tmp_path / "report.xlsx", history_path=db)
    in_files = {e.employee_id for e in run.report.employees}
    missing = {e.employee_id for e in run.report.not_returned}
    scored = {r["employee_id"] for r in rows if r["manager_id"]}
    assert missing and in_files and in_files | missing == scored and not in_files & missing
    assert run.account_line.endswith(f", {len(missing)} not returned")
    assert "no-roster" not in [i.code for i in run.issues]
    # with neither a roster nor the history, ingest says it cannot know who did not return
    blind = ingest([returned], master, tmp_path / "blind.xlsx")
    assert blind.report.not_returned == ()
    (warning,) = [i for i in blind.issues if i.code == "no-roster"]
    assert "--roster" in warning.message and "--history" in warning.message


def test_batch_stages_tune_the_collector_and_put_it_back(tmp_path: Path):
    """sheets and ingest collect cycles less often while they run (far fewer passes over the
    objects they build), and leave the collector as they found it, errors included."""
    master = generate(None, tmp_path / "master.xlsx")
    fill_roster_sheet(master, roster_rows()[:12])
    seen: list[tuple[int, int, int]] = []

    def record(_path: Path) -> None:
        seen.append(gc.get_threshold())

    before = gc.get_threshold()
    sheets = make_sheets(master, tmp_path / "scoring", on_progress=record)
    assert gc.get_threshold() == before
    ingest([tmp_path / "scoring"], master, tmp_path / "report.xlsx", on_progress=record, jobs=1)
    assert gc.get_threshold() == before
    assert len(seen) >= 2 * len(sheets.paths)
    assert set(seen) == {BATCH_GC_THRESHOLD} != {before}
    with pytest.raises(InputError):
        ingest([tmp_path / "nowhere"], master, tmp_path / "report.xlsx")
    assert gc.get_threshold() == before
