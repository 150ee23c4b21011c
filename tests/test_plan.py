"""The development plan: written under the scores, read back forgivingly, kept across cycles.

Workbooks are made and read through the command line, filled with openpyxl as a manager would
(dates, edited texts, untouched suggestions, statuses in other words), and the expected actions
and statuses are worked out here from what was typed, not from laddersheet's own code.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from laddersheet.actions import ActionReview, AgreedAction, match_reviews, parse_status
from laddersheet.cli import cli
from laddersheet.history import open_actions, trend
from laddersheet.ingest.cells import parse_due_date
from laddersheet.layout import (
    PLAN_AGREED_HEADER,
    PLAN_COMPETENCY_HEADER,
    PLAN_DUE_HEADER,
    PLAN_SUGGESTED_HEADER,
    PLAN_TITLE,
    REVIEW_ACTION_HEADER,
    REVIEW_KEY_HEADER,
    REVIEW_NOTE_HEADER,
    REVIEW_STATUS_HEADER,
    SCORING_ID_HEADER,
    SCORING_LABEL_EMPLOYEE_ID,
    SCORING_SCORE_HEADER,
)
from laddersheet.report import TREND_SHEET
from tests.test_sheets_history import _master, _roster

CYCLES = (
    ("2026 H1 Review", "2026-05-29"),
    ("2026 H2 Review", "2026-11-27"),
    ("2027 H1", "2027-05-28"),
)


# --- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("done", "done"),
        (" Completed. ", "done"),
        ("In-Progress", "in progress"),
        ("ongoing", "in progress"),
        ("NOT STARTED", "not started"),
        ("to do", "not started"),
        ("Cancelled", "dropped"),
        ("Done - shipped in October", "done"),
        ("Not started: waiting for budget", "not started"),
        ("maybe", None),
        ("yes", None),  # done? agreed? not guessed
        ("open", None),
        ("n/a", None),
    ],
)
def test_statuses_are_read_in_the_words_people_use(typed, status):
    assert parse_status(typed) == status


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("2027-03-31", "2027-03-31"),
        ("31.03.2027", "2027-03-31"),
        ("31/03/2027", "2027-03-31"),
        ("03/31/2027", "2027-03-31"),
        ("March 31, 2027", "2027-03-31"),
        ("by end of June 2027", "2027-06-30"),
        ("Q1 2027", "2027-03-31"),
        (46477, "2027-03-31"),  # an Excel date serial left as a number
        (date(2027, 1, 5), "2027-01-05"),
    ],
)
def test_due_dates_are_read_as_typed_in_any_common_form(typed, iso):
    assert parse_due_date(typed) == (iso, "")


@pytest.mark.parametrize(
    ("typed", "says"),
    [("03/04/2027", "could be 3 April or March 4"), ("soon", "is not a date"), (5, "1900")],
)
def test_a_due_date_that_is_not_one_says_why(typed, says):
    iso, problem = parse_due_date(typed)
    assert iso is None and says in problem


def test_reviews_match_by_key_then_by_text_and_never_someone_elses():
    ana = AgreedAction("E1", 1, "Lead the Q3 review", action_id=7)
    bo = AgreedAction("E2", 1, "Write the runbook", action_id=8)

    def review(employee: str, key: str, text: str) -> ActionReview:
        return ActionReview(employee, key, text, "done", "", "f.xlsx", "S", "A40")

    matched, unmatched = match_reviews(
        [
            review("E1", "7", "Lead the Q3 review"),
            review("E2", "", "  write the RUNBOOK "),  # key lost (pasted values): by text
            review("E2", "7", "Lead the Q3 review"),  # Ana's key on Bo's sheet: not Ana's
        ],
        [ana, bo],
    )
    assert [(r.employee_id, r.action_id) for r in matched] == [("E1", 7), ("E2", 8)]
    assert [r.employee_id for r in unmatched] == ["E2"]


# --- three cycles through the command line ------------------------------------------------------


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output  # 1: problems a manager must fix
    return result.output


def _blocks(sheet) -> dict[str, tuple[int, dict[str, int]]]:
    """Header row and columns of each block on a person's sheet, found by their headers."""
    found = {}
    for row in sheet.iter_rows():
        names = {str(c.value): c.column for c in row if isinstance(c.value, str)}
        if PLAN_AGREED_HEADER in names and PLAN_DUE_HEADER in names:
            found["plan"] = (row[0].row, names)
        elif REVIEW_STATUS_HEADER in names and REVIEW_ACTION_HEADER in names:
            found["review"] = (row[0].row, names)
    return found


def _people(book) -> dict[str, object]:
    people = {}
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        for row in sheet.iter_rows(max_row=20):
            if row[0].value == SCORING_LABEL_EMPLOYEE_ID:
                people[row[1].value] = sheet
    return people


def _score_everything(sheet) -> None:
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == SCORING_ID_HEADER)
    names = {c.value: c.column for c in sheet[header]}
    row = header + 1
    while sheet.cell(row, 1).value:
        sheet.cell(row, names[SCORING_SCORE_HEADER]).value = 3
        row += 1


def _cycle(tmp: Path, n: int, fill) -> tuple[dict, Path]:
    """Master, sheets (with the history from the second cycle), filled returns, ingest."""
    name, as_of = CYCLES[n]
    folder = tmp / f"c{n}"
    master = _master(folder, name)
    roster = _roster(folder / "roster.csv")
    db = tmp / "history.db"
    _run(
        "sheets", str(master), "--roster", str(roster), "--out", str(folder / "out"),
        *(["--history", str(db)] if db.exists() else []),
    )  # fmt: skip
    returned = folder / "returned"
    returned.mkdir()
    for path in sorted((folder / "out").glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        fill(_people(book))
        book.save(returned / path.name)
    _run(
        "ingest", str(returned), "--master", str(master), "--roster", str(roster),
        "--out", str(folder / "report.xlsx"), "--json", str(folder / "gaps.json"),
        "--history", str(db), "--as-of", as_of,
    )  # fmt: skip
    return json.loads((folder / "gaps.json").read_text(encoding="utf-8")), db


def test_plans_are_agreed_reviewed_and_carried_across_three_cycles(tmp_path: Path):
    typed: dict[str, list[tuple[str, str | None]]] = {}  # employee -> (action, due) agreed

    def first(people) -> None:
        for n, (employee_id, sheet) in enumerate(sorted(people.items())):
            _score_everything(sheet)
            row0, cols = _blocks(sheet)["plan"]
            agreed = sheet.cell(row0 + 1, cols[PLAN_AGREED_HEADER])
            if not agreed.value:
                continue  # top of the track, or no step up the ladder: nothing prefilled
            suggested = sheet.cell(row0 + 1, cols[PLAN_SUGGESTED_HEADER]).value
            assert suggested.startswith("=") and f"MATCH(A{row0 + 1}," in suggested  # live
            if n % 4 == 3:
                continue  # not discussed: every suggestion left as prefilled, no date
            agreed.value = f"{agreed.value} Review monthly."
            sheet.cell(row0 + 1, cols[PLAN_DUE_HEADER]).value = date(2026, 9, 30)
            sheet.cell(row0 + 2, cols[PLAN_DUE_HEADER]).value = "31/12/2026"  # typed as text
            second = sheet.cell(row0 + 2, cols[PLAN_AGREED_HEADER]).value
            sheet.cell(row0 + 6, cols[PLAN_COMPETENCY_HEADER]).value = ""  # a free-form action
            sheet.cell(row0 + 5, cols[PLAN_AGREED_HEADER]).value = "Shadow the on-call lead"
            typed[employee_id] = [
                (agreed.value, "2026-09-30"),
                (second, "2026-12-31"),
                ("Shadow the on-call lead", None),  # no due date: kept, with a warning
            ]

    data, db = _cycle(tmp_path, 0, first)
    assert len(typed) >= 6  # most people have top gaps prefilled with a suggestion
    got: dict[str, list[tuple[str, str | None]]] = {}
    for action in data["actions"]:
        got.setdefault(action["employee_id"], []).append((action["action"], action["due_date"]))
    assert got == typed
    codes = [i["code"] for i in data["issues"]]
    assert codes.count("plan-no-due-date") == len(typed)
    assert "plan-suggestions-left" in codes  # the undiscussed plans, said once per file
    assert not any(c.startswith("unknown-competency") for c in codes)  # plan rows are no scores

    # Second cycle: each earlier action comes back with a Status to pick.
    statuses = ("Done", "in progress", "", "dropped")  # in this order, person by person
    said: dict[int, str | None] = {}
    due: dict[int, str | None] = {}

    def second(people) -> None:
        for n, (employee_id, sheet) in enumerate(sorted(people.items())):
            _score_everything(sheet)
            blocks = _blocks(sheet)
            if employee_id not in typed:
                assert "review" not in blocks  # nothing was agreed for them
                continue
            row0, cols = blocks["review"]
            plan0, plan_cols = blocks["plan"]
            prefilled = {
                sheet.cell(plan0 + k, plan_cols[PLAN_AGREED_HEADER]).value for k in (1, 2, 3)
            }
            earlier_texts = {a for a, _ in typed[employee_id]}
            assert not prefilled & earlier_texts  # what is open is not suggested again
            shown = []
            for offset in range(1, 4):
                key = sheet.cell(row0 + offset, cols[REVIEW_KEY_HEADER]).value
                text = sheet.cell(row0 + offset, cols[REVIEW_ACTION_HEADER]).value
                status = statuses[(n + offset) % len(statuses)]
                sheet.cell(row0 + offset, cols[REVIEW_STATUS_HEADER]).value = status or None
                sheet.cell(row0 + offset, cols[REVIEW_NOTE_HEADER]).value = f"note {offset}"
                said[int(key)] = parse_status(status) if status else None
                due[int(key)] = typed[employee_id][offset - 1][1]
                if offset == 1 and status == "in progress":  # a new date agreed for it
                    moved_cell = sheet.cell(row0 + offset, cols[PLAN_DUE_HEADER])
                    assert moved_cell.value.date() == date(2026, 9, 30)  # shown as recorded
                    moved_cell.value = date(2027, 1, 31)
                    due[int(key)] = "2027-01-31"
                shown.append(text)
            assert shown == [a for a, _ in typed[employee_id]]

    data, db = _cycle(tmp_path, 1, second)
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT action_id, status FROM action_reviews"))
    assert stored == said  # a blank status with a note is kept as no status
    progress = data["progress"]
    company = progress["groups"][0]
    assert company["kind"] == "company"
    assert company["actions_reviewed"] == len(said)
    assert company["done"] == sum(s == "done" for s in said.values())
    overdue = {a["action_id"] for a in progress["earlier_actions"] if a["overdue"]}
    # open (not done or dropped) and due before the report's date, 2026-11-27
    assert overdue == {
        k
        for k, s in said.items()
        if s not in ("done", "dropped") and (due[k] or "9") < CYCLES[1][1]
    }
    assert overdue  # some of the 2026-09-30 ones are still in progress or have no status
    assert "2027-01-31" in {a["due_date"] for a in progress["earlier_actions"]}  # moved
    # a gap whose suggested action was agreed and is now done is not offered again as new
    plan_sheet = openpyxl.load_workbook(tmp_path / "c1" / "report.xlsx")["Development plan"]
    shown = [str(v) for row in plan_sheet.iter_rows(values_only=True) for v in row if v]
    assert any(v.startswith(f"Done: agreed in {CYCLES[0][0]}") for v in shown)
    blank_people = {k for k, s in said.items() if s is None}
    missing = [i for i in data["issues"] if i["code"] == "action-status-missing"]
    assert missing and company["no_status"] == len(blank_people)

    # Third cycle: only the actions still open come back.
    still_open = {k for k, s in said.items() if s not in ("done", "dropped")}
    assert {a.action_id for a in open_actions(db, CYCLES[2][0])} == still_open

    keys: set[int] = set()

    def third(people) -> None:
        for _, sheet in sorted(people.items()):
            blocks = _blocks(sheet)
            if "review" in blocks:
                row0, cols = blocks["review"]
                row = row0 + 1
                while sheet.cell(row, cols[REVIEW_KEY_HEADER]).value:
                    keys.add(int(sheet.cell(row, cols[REVIEW_KEY_HEADER]).value))
                    row += 1

    data, db = _cycle(tmp_path, 2, third)
    assert keys == still_open

    # From the third cycle on, the report has the trend: recorded cycles, this one last.
    points = data["progress"]["trend"]
    assert [p["cycle"] for p in points] == [name for name, _ in CYCLES]
    assert points[1]["actions_reviewed"] == len(said)
    assert points[1]["actions_done"] == sum(s == "done" for s in said.values())
    assert points[2]["actions_reviewed"] == len(still_open)
    assert points[0]["actions_agreed"] == sum(len(v) for v in typed.values())
    recorded = trend(db)[-1]  # this cycle as the history reads it back, once recorded
    assert points[2] == {
        **points[2],
        "people": recorded.people,
        "open_gaps": recorded.open_gaps,
        "actions_agreed": recorded.actions_agreed,
        "actions_reviewed": recorded.actions_reviewed,
        "actions_done": recorded.actions_done,
        "meets_level": pytest.approx(recorded.meets_level, abs=1e-4),
        "readiness": pytest.approx(recorded.readiness, abs=1e-4),
    }
    report = tmp_path / "c2" / "report.xlsx"
    assert TREND_SHEET in openpyxl.load_workbook(report, read_only=True).sheetnames
    with zipfile.ZipFile(report) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert any(f"{TREND_SHEET}!" in archive.read(n).decode() for n in charts)


def test_recording_a_cycle_again_replaces_its_statuses(tmp_path: Path):
    agreed: list[str] = []

    def agree(people) -> None:
        for employee_id, sheet in people.items():
            row0, cols = _blocks(sheet)["plan"]
            if sheet.cell(row0 + 1, cols[PLAN_AGREED_HEADER]).value:
                when = date(2025, 9, 30) if not agreed else date(2026, 9, 30)  # a year off
                sheet.cell(row0 + 1, cols[PLAN_DUE_HEADER]).value = when
                agreed.append(employee_id)

    data, _ = _cycle(tmp_path, 0, agree)
    (unlikely,) = [i for i in data["issues"] if i["code"] == "plan-due-date-unlikely"]
    assert "2025-09-30" in unlikely["message"] and unlikely["cell"]

    def review(status: str | None):
        def fill(people) -> None:
            for employee_id, sheet in people.items():
                blocks = _blocks(sheet)
                assert ("review" in blocks) == (employee_id in agreed)
                if "review" in blocks:
                    row0, cols = blocks["review"]
                    sheet.cell(row0 + 1, cols[REVIEW_STATUS_HEADER]).value = status

        return fill

    _, db = _cycle(tmp_path, 1, review("done"))
    assert open_actions(db, CYCLES[2][0]) == ()
    import shutil

    shutil.rmtree(tmp_path / "c1")
    _, db = _cycle(tmp_path, 1, review(None))  # the same cycle again: nothing said this time
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM action_reviews").fetchone() == (0,)
    assert len(open_actions(db, CYCLES[2][0])) == len(agreed) >= 6  # open again


def test_a_google_sheets_export_of_the_plan_is_read(tmp_path: Path):
    """No _meta (hidden sheets dropped), no validation, dates and statuses typed as text."""

    full: set[str] = set()  # people with three prefilled rows

    def exported(people) -> None:
        for employee_id, sheet in people.items():
            _score_everything(sheet)
            row0, cols = _blocks(sheet)["plan"]
            sheet.data_validations.dataValidation = []
            if not sheet.cell(row0 + 3, cols[PLAN_AGREED_HEADER]).value:
                continue
            full.add(employee_id)
            sheet.cell(row0 + 1, cols[PLAN_DUE_HEADER]).value = "2027-02-28"
            sheet.cell(row0 + 2, cols[PLAN_DUE_HEADER]).value = "03/04/2027"  # ambiguous
            sheet.cell(row0 + 3, cols[PLAN_COMPETENCY_HEADER]).value = "Juggling"
            sheet.cell(row0 + 3, cols[PLAN_DUE_HEADER]).value = "Q2 2027"
        book = next(iter(people.values())).parent
        del book["_meta"]

    data, _ = _cycle(tmp_path, 0, exported)
    by_person: dict[str, list[dict]] = {}
    for action in data["actions"]:
        by_person.setdefault(action["employee_id"], []).append(action)
    assert set(by_person) == full and len(full) >= 6
    for actions in by_person.values():
        assert [a["due_date"] for a in actions] == ["2027-02-28", None, "2027-06-30"]
        assert actions[2]["competency_id"] is None  # "Juggling" is none of theirs
    codes = [i["code"] for i in data["issues"]]
    assert codes.count("plan-due-date") == codes.count("plan-unknown-competency") == len(full)
    problem = next(i for i in data["issues"] if i["code"] == "plan-due-date")
    assert problem["cell"] and problem["sheet"] and problem["file"].endswith(".xlsx")
    assert "2027-04-03 or 2027-03-04" in problem["message"]


def test_the_plan_block_is_the_only_place_managers_type_under_the_scores(tmp_path: Path):
    master = _master(tmp_path, CYCLES[0][0])
    roster = _roster(tmp_path / "roster.csv")
    _run("sheets", str(master), "--roster", str(roster), "--out", str(tmp_path / "out"))
    book = openpyxl.load_workbook(next((tmp_path / "out").glob("*.xlsx")))
    sheet = next(iter(_people(book).values()))
    assert sheet.protection.sheet
    row0, cols = _blocks(sheet)["plan"]
    assert sheet.cell(row0 - 2, 1).value == PLAN_TITLE
    action = cols[PLAN_AGREED_HEADER]
    typing = {cols[PLAN_COMPETENCY_HEADER], cols[PLAN_DUE_HEADER], action, action + 1, action + 2}
    assert typing == {1, 2, 3, 4, 5}  # the action is three columns wide (C:E), merged
    for row in range(row0, row0 + 6):
        for col in range(1, 8):
            unlocked = not sheet.cell(row, col).protection.locked
            assert unlocked == (row > row0 and col in typing), (row, col)
    ranges = {str(v.sqref): v.type for v in sheet.data_validations.dataValidation}
    due = f"{openpyxl.utils.get_column_letter(cols[PLAN_DUE_HEADER])}{row0 + 1}"
    assert any(due in ref and kind == "date" for ref, kind in ranges.items())


@pytest.mark.libreoffice
def test_the_plan_reads_the_same_after_libreoffice_saves_it_as_xlsx_and_ods(tmp_path: Path):
    from laddersheet.ingest import ingest_files
    from laddersheet.master import read_master
    from tests.test_ingest import _soffice

    master = _master(tmp_path, CYCLES[0][0])
    roster = _roster(tmp_path / "roster.csv")
    _run("sheets", str(master), "--roster", str(roster), "--out", str(tmp_path / "out"))
    source = max((tmp_path / "out").glob("*.xlsx"), key=lambda p: p.stat().st_size)
    book = openpyxl.load_workbook(source)
    for n, sheet in enumerate(_people(book).values()):
        _score_everything(sheet)
        row0, cols = _blocks(sheet)["plan"]
        sheet.cell(row0 + 1, cols[PLAN_DUE_HEADER]).value = date(2027, 1, 31 - n)
        sheet.cell(row0 + 1, cols[PLAN_DUE_HEADER]).number_format = "yyyy-mm-dd"
        sheet.cell(row0 + 2, cols[PLAN_DUE_HEADER]).value = "Q3 2027"
        sheet.cell(row0 + 4, cols[PLAN_AGREED_HEADER]).value = f"Lead retro number {n}"
    filled = tmp_path / "filled" / "returned.xlsx"
    filled.parent.mkdir()
    book.save(filled)
    ladder = read_master(master).ladder

    def actions(path: Path) -> list[tuple]:
        result = ingest_files([path], ladder, jobs=1)
        return [(a.employee_id, a.competency_id, a.action, a.due_date) for a in result.actions]

    original = actions(filled)
    assert len(original) >= 2 * len(_people(book))
    for kind in ("xlsx", "ods"):
        assert actions(_soffice(filled, kind, tmp_path / kind)) == original, kind
    # the cover, recalculated by LibreOffice, says how many actions each person has agreed
    cover = openpyxl.load_workbook(tmp_path / "xlsx" / "returned.xlsx", data_only=True)["Cover"]
    header = next(r for r in cover.iter_rows() if r[-1].value == "Development plan")
    said = [r[len(header) - 1].value for r in cover.iter_rows(min_row=header[0].row + 1)]
    people = len(_people(book))  # each with two dated actions (rows 1 and 2)
    assert said[:people] == ["2 agreed"] * people
