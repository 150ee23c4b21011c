"""Self-assessment: `sheets --self` workbooks, and ingest reading them beside the managers'."""

from __future__ import annotations

import csv
import json
import shutil
import unicodedata
import warnings
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from laddersheet.cli import cli
from laddersheet.demo_company import roster_rows
from laddersheet.gaps import SELF_DIFFERENCE, GapReport, compute_gaps
from laddersheet.ingest import ACCEPTED, REJECTED, SCORE_CELL_CODES, IngestResult, ingest_files
from laddersheet.issues import Severity
from laddersheet.layout import (
    ASSESSMENT_SELF,
    KIND_SELF_ASSESSMENT,
    META_SELF_EMPLOYEE,
    META_SHEET,
    SCORING_COVER_SHEET,
    SCORING_LABEL_ASSESSMENT,
    SELF_FILE_PREFIX,
)
from laddersheet.main import generate
from laddersheet.report import GAPS_CSV, write_csv, write_json, write_report
from laddersheet.roster import ROSTER_COLUMNS
from laddersheet.scoring import (
    COL_SCORE_READ,
    scoring_rows,
    write_scoring_workbooks,
    write_self_assessment_workbooks,
)
from tests.factories import HEAD, JANE, JO, PAT, person, small_ladder

LADDER = small_ladder()


SAM = person("E4", "Sam Solo", "X9", "L2", manager_name="Xavier Nine")
XAV = person("X9", "Xavier Nine", "H1", "M1")
TEAM = [HEAD, JANE, JO, PAT, SAM, XAV]
IDS = {e.employee_id: [r.competency_id for r in scoring_rows(LADDER, e)] for e in TEAM}

# Who scored whom. Hana returns her workbook (Jane, Jo, Pat, Xavier); Xavier does not return his
# (Sam). Jane and Jo assess themselves (manager + self), Sam only himself (self only), Pat does
# not (manager only).
MANAGER_SCORES = {
    "E1": dict(zip(IDS["E1"], (3, 3, 2, 4, 3, 1, 3, 3), strict=True)),
    "E2": dict(zip(IDS["E2"], (4, 4, 3, None, 4, 4, 2, 4, 3), strict=True)),  # one left blank
    "E3": dict(zip(IDS["E3"], (5, 5, 4, 5, 5, 5, 4, 5), strict=True)),
}
SELF_SCORES = {
    "E1": dict(zip(IDS["E1"], (5, 3, 4, 3, None, 3, 1, 3), strict=True)),  # 4 rows 2+ apart
    "E2": dict(zip(IDS["E2"], (4, 2, 3, 5, 4, 4, 4, 4, 3), strict=True)),  # 2 rows 2+ apart
    "E4": dict(zip(IDS["E4"], (2, 3, 2, 2, 3, 1, 2, 2), strict=True)),
}


def table_of(sheet) -> tuple[int, dict[str, int]]:
    """1-based header row and header → 1-based column, found by content like ingest does."""
    for row in sheet.iter_rows():
        names = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "Competency ID" in names:
            return row[0].row, names
    raise AssertionError(f"no table on {sheet.title}")


def sheet_of(book: openpyxl.Workbook, employee_id: str):
    """The visible sheet whose header block names ``employee_id``."""
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible" or sheet.title == SCORING_COVER_SHEET:
            continue
        header, _ = table_of(sheet)
        for row in sheet.iter_rows(max_row=header, max_col=2, values_only=True):
            if row[0] == "Employee ID" and row[1] == employee_id:
                return sheet
    raise AssertionError(f"no sheet for {employee_id}")


def fill(src: Path, dst: Path, scores: dict[str, dict[str, object]]) -> Path:
    """A returned copy of ``src``: scores by employee id → competency id (None stays blank)."""
    book = openpyxl.load_workbook(src)
    for employee_id, values in scores.items():
        sheet = sheet_of(book, employee_id)
        header, cols = table_of(sheet)
        rows = {
            sheet.cell(r, cols["Competency ID"]).value: r
            for r in range(header + 1, sheet.max_row + 1)
        }
        for competency_id, value in values.items():
            sheet.cell(rows[competency_id], cols["Score"]).value = value
            if value is not None:
                sheet.cell(rows[competency_id], cols["Evidence"]).value = f"{employee_id} says"
    dst.parent.mkdir(parents=True, exist_ok=True)
    book.save(dst)
    return dst


def folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def every_text(path: Path) -> str:
    """Every cell value and sheet name of a workbook, as one string (formulas included)."""
    book = openpyxl.load_workbook(path)
    parts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("blank")
    manager = {p.name: p for p in write_scoring_workbooks(LADDER, TEAM, out / "managers")}
    own = write_self_assessment_workbooks(LADDER, TEAM, out / "self")
    by_id = {}
    for path in own:
        meta = openpyxl.load_workbook(path)[META_SHEET]
        values = {r[0]: r[1] for r in meta.iter_rows(values_only=True) if r[0]}
        by_id[values[META_SELF_EMPLOYEE]] = path
    return {"hana": manager["Scoring - Hana Head.xlsx"], **by_id}


@pytest.fixture(scope="module")
def returned(blank, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("returned")
    files = {"hana": fill(blank["hana"], out / "Scoring - Hana Head.xlsx", MANAGER_SCORES)}
    for employee_id, scores in SELF_SCORES.items():
        files[employee_id] = fill(
            blank[employee_id], out / blank[employee_id].name, {employee_id: scores}
        )
    return files


def ingest(*paths: Path) -> IngestResult:
    return ingest_files(list(paths), LADDER, roster=TEAM)


@pytest.fixture(scope="module")
def mixed(returned) -> tuple[IngestResult, GapReport]:
    result = ingest(*returned.values())
    return result, compute_gaps(LADDER, result)


@pytest.fixture(scope="module")
def managers_only(returned) -> tuple[IngestResult, GapReport]:
    result = ingest(returned["hana"])
    return result, compute_gaps(LADDER, result)


# --- the workbooks -------------------------------------------------------------------------


def test_one_self_assessment_per_scored_employee_with_only_their_data(blank):
    own = sorted(blank[i].name for i in ("E1", "E2", "E3", "E4", "X9"))
    assert own == sorted(
        f"{SELF_FILE_PREFIX}{e.name}.xlsx" for e in TEAM if e.manager_id
    )  # Hana, at the top, is not scored this cycle: no self-assessment either
    assert "H1" not in blank
    for employee in TEAM[1:]:
        path = blank[employee.employee_id]
        text = every_text(path)
        assert employee.name in text and employee.employee_id in text
        for other in TEAM:
            if other is employee:
                continue
            assert other.name not in text, (employee.name, other.name)
            assert f"\n{other.employee_id}\n" not in f"\n{text}\n", (employee.name, other)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == [SCORING_COVER_SHEET, employee.name, META_SHEET]
        assert book[META_SHEET].sheet_state == "hidden"
        meta = {r[0]: r[1] for r in book[META_SHEET].iter_rows(values_only=True) if r[0]}
        assert meta["kind"] == KIND_SELF_ASSESSMENT
        assert meta[META_SELF_EMPLOYEE] == employee.employee_id
        assert "manager_id" not in meta and "sent_employee_id" not in meta
        sheet = book[employee.name]
        assert sheet["A1"].value == f"{employee.name}: self-assessment"
        assert (sheet["A3"].value, sheet["B3"].value) == (SCORING_LABEL_ASSESSMENT, ASSESSMENT_SELF)


def test_self_sheet_is_the_manager_sheet_table_formulas_dropdown_and_protection(blank):
    """The same writer: the person's table is cell for cell the one their manager gets."""
    manager_book = openpyxl.load_workbook(blank["hana"])
    for employee in (JANE, JO, PAT):
        theirs = sheet_of(manager_book, employee.employee_id)
        mine = openpyxl.load_workbook(blank[employee.employee_id])[employee.name]
        header, cols = table_of(mine)
        assert table_of(theirs) == (header, cols)
        last = header + len(IDS[employee.employee_id])
        for row in range(header, last + 1):
            for col in range(1, COL_SCORE_READ + 2):
                assert mine.cell(row, col).value == theirs.cell(row, col).value, (row, col)
                assert (
                    mine.cell(row, col).protection.locked == theirs.cell(row, col).protection.locked
                )
        unlocked = {
            cell.column
            for row in mine.iter_rows(min_row=header + 1, max_row=last)
            for cell in row
            if not cell.protection.locked
        }
        assert unlocked == {cols["Score"], cols["Evidence"]}
        assert mine.protection.sheet and mine.protection.password is None
        validations = [
            (str(v.sqref), v.formula1, v.errorStyle) for v in mine.data_validations.dataValidation
        ]
        assert validations == [  # the manager's sheet adds the plan's below the scores
            (str(v.sqref), v.formula1, v.errorStyle)
            for v in theirs.data_validations.dataValidation
            if str(v.sqref).startswith("H")
        ]
        assert validations and validations[0][1] == '"1,2,3,4,5"'
        rules = [(str(r.sqref), [x.formula for x in r.rules]) for r in mine.conditional_formatting]
        last_score_row = max(int(ref.split(":")[-1][1:]) for ref, _ in rules)
        assert (
            rules
            == [  # the manager's plan below the scores has one more
                (str(r.sqref), [x.formula for x in r.rules])
                for r in theirs.conditional_formatting
                if int(str(r.sqref).split(":")[0][1:]) <= last_score_row
            ]
        )
        # the live figures of the header block: the same formulas
        for row in range(4, header):
            assert mine.cell(row, 2).value == theirs.cell(row, 2).value


@pytest.mark.parametrize(
    "names",
    [
        ['Ana/Bé: "Q" <x>', "محمد الأحمد", "x\u202egpj.xlsx", "CON", "...", "Jane Doe"],
        ["Jane Doe", "jane doe", "Zoë Ünal", "Zoe\u0308 Ünal", "日本語の名前" * 20],
    ],
)
def test_file_names_are_safe_and_unique_for_any_name(names, tmp_path):
    people = [person(f"E{n}", name, "H1", "L2") for n, name in enumerate(names, start=1)]
    paths = write_self_assessment_workbooks(LADDER, [HEAD, *people], tmp_path)
    assert len(paths) == len(people)
    assert len({p.name.casefold() for p in paths}) == len(paths)
    for path in paths:
        assert path.exists() and path.parent == tmp_path
        assert path.name.startswith(SELF_FILE_PREFIX) and path.name.endswith(".xlsx")
        assert len(path.name.encode()) <= 255
        assert not set(path.name) & set('/\\:*?"<>|\u202e')
    names_on_disk = {p.name for p in paths}
    if "محمد الأحمد" in names:  # right-to-left letters kept as they are
        assert f"{SELF_FILE_PREFIX}محمد الأحمد.xlsx" in names_on_disk
    for path in paths:  # each file names its own person
        meta = openpyxl.load_workbook(path)[META_SHEET]
        values = {r[0]: r[1] for r in meta.iter_rows(values_only=True) if r[0]}
        owner = next(p for p in people if p.employee_id == values[META_SELF_EMPLOYEE])
        if sum(folded(p.name) == folded(owner.name) for p in people) > 1:
            assert f"({owner.employee_id})" in path.name  # people sharing a name


# --- ingest: both kinds together ------------------------------------------------------------


def test_gaps_come_from_the_manager_scores_only(mixed, managers_only):
    result, report = mixed
    alone_result, alone = managers_only
    # the managers' records are exactly those of the managers' files read alone
    assert result.records == alone_result.records
    assert [e.employee_id for e in report.employees] == ["E1", "E2", "E3", "X9"]
    without_self = [
        replace(
            e,
            competencies=tuple(replace(r, self_score=None) for r in e.competencies),
            self_assessed=False,
            self_coverage=None,
            self_differences=0,
        )
        for e in report.employees
    ]
    assert without_self == list(alone.employees)
    assert report.company_stats == alone.company_stats
    assert report.teams == alone.teams and report.families == alone.families
    assert report.competencies == alone.competencies
    assert report.calibration == alone.calibration
    # Jo scored himself where his manager left the cell blank: still no score, no gap
    jo = next(e for e in report.employees if e.employee_id == "E2")
    [blank_row] = [r for r in jo.competencies if r.competency_id == IDS["E2"][3]]
    assert (blank_row.score, blank_row.gap_now, blank_row.self_score) == (None, None, 5)


def test_self_scores_are_kept_beside_the_manager_scores(mixed):
    _, report = mixed
    for employee in report.employees:
        own = SELF_SCORES.get(employee.employee_id)
        assert employee.self_assessed is (own is not None)
        for row in employee.competencies:
            assert row.self_score == (own or {}).get(row.competency_id)
            assert row.score == MANAGER_SCORES.get(employee.employee_id, {}).get(row.competency_id)
    jane = next(e for e in report.employees if e.employee_id == "E1")
    assert jane.self_coverage == pytest.approx(7 / 8)
    pat = next(e for e in report.employees if e.employee_id == "E3")
    assert (pat.self_assessed, pat.self_coverage) == (False, None)


def test_large_differences_are_flagged_as_computed_here(mixed):
    _, report = mixed
    expected = {
        (employee_id, competency_id)
        for employee_id, own in SELF_SCORES.items()
        for competency_id, mine in own.items()
        if mine is not None
        and MANAGER_SCORES.get(employee_id, {}).get(competency_id) is not None
        and abs(mine - MANAGER_SCORES[employee_id][competency_id]) >= SELF_DIFFERENCE
    }
    assert len(expected) == 6  # the fixture's deliberate differences: 4 for Jane, 2 for Jo
    flagged = {
        (e.employee_id, r.competency_id)
        for e in report.assessed()
        for r in e.competencies
        if r.self_differs
    }
    assert flagged == expected
    counts = {e.employee_id: e.self_differences for e in report.employees}
    assert counts == {"E1": 4, "E2": 2, "E3": 0, "X9": 0}
    # flags are topics for the conversation, not errors
    assert not [i for i in report.issues if i.severity is Severity.ERROR]


def test_a_self_assessment_without_the_managers_sheet_gives_no_gaps(mixed):
    result, report = mixed
    assert "E4" not in {e.employee_id for e in report.employees}
    [sam] = report.self_only
    assert (sam.employee_id, sam.manager_returned, sam.self_assessed) == ("E4", False, True)
    assert all(
        r.score is None and r.gap_now is None and r.gap_next is None for r in sam.competencies
    )
    assert {r.competency_id: r.self_score for r in sam.competencies} == SELF_SCORES["E4"]
    assert sam.meets_level is None and sam.readiness_next is None and not sam.priorities
    [note] = [i for i in result.issues if i.code == "self-assessment-only"]
    assert note.severity is Severity.INFO
    assert "Sam Solo (E4)" in note.message and "no gaps" in note.message
    assert note.file.endswith(f"{SELF_FILE_PREFIX}Sam Solo.xlsx")
    # Sam's manager sheet did not come back: listed as such, not counted as evaluated
    assert [e.employee_id for e in report.not_returned] == ["E4"]
    assert report.account.employees == 4
    assert [e.employee_id for e in report.assessed()] == ["E1", "E2", "E3", "E4", "X9"]


def test_account_counts_manager_and_self_scores_apart(mixed, managers_only):
    result, _ = mixed
    alone, _ = managers_only
    own = sum(v is not None for scores in SELF_SCORES.values() for v in scores.values())
    assert result.account.self_accepted == own == 24
    assert (result.account.files, alone.account.files) == (4, 1)
    assert result.account.line() == (
        alone.account.line().replace("1 files", "4 files") + f", {own} self-assessment scores"
    )
    assert "self-assessment" not in alone.account.line()


def test_any_order_and_kinds_told_by_content_not_name(returned, mixed, tmp_path):
    """File names swapped between a manager's and an employee's workbook; one self-assessment
    returned into the managers' folder; one with its hidden _meta stripped (Google Sheets)."""
    result, _ = mixed
    managers, selves = tmp_path / "a-managers", tmp_path / "0-self"
    managers.mkdir()
    selves.mkdir()
    shutil.copy(returned["hana"], selves / returned["E1"].name)  # named as Jane's
    shutil.copy(returned["E1"], managers / returned["hana"].name)  # named as Hana's
    shutil.copy(returned["E2"], managers / "scores.xlsx")  # the wrong folder
    book = openpyxl.load_workbook(returned["E4"])
    del book[META_SHEET]
    book.save(selves / "Sam.xlsx")
    again = ingest(selves, managers)

    def key(records):
        return sorted((r.employee_id, r.competency_id, r.status, r.score) for r in records)

    assert key(again.records) == key(result.records)
    assert key(again.self_records) == key(result.self_records)
    assert [e.employee_id for e in again.employees] == [e.employee_id for e in result.employees]
    assert "no-meta" in [i.code for i in again.issues if i.file.endswith("Sam.xlsx")]
    assert "employee-in-two-files" not in [i.code for i in again.issues]


def test_json_csv_and_report_show_the_self_scores(mixed, tmp_path):
    _, report = mixed
    data = json.loads(write_json(report, tmp_path / "gaps.json").read_text(encoding="utf-8"))
    people = {e["employee_id"]: e for e in data["employees"]}
    assert list(people) == ["E1", "E2", "E3", "E4", "X9"]
    assert {i: e["self_assessed"] for i, e in people.items()} == {
        "E1": True,
        "E2": True,
        "E3": False,
        "E4": True,
        "X9": False,
    }
    assert people["E4"]["manager_returned"] is False and people["E1"]["manager_returned"]
    for employee_id, employee in people.items():
        own = SELF_SCORES.get(employee_id, {})
        for competency in employee["competencies"]:
            assert competency["self_score"] == own.get(competency["competency_id"])
            assert list(competency)[1:3] == ["score", "self_score"]
    jane = {c["competency_id"]: c for c in people["E1"]["competencies"]}
    assert jane[IDS["E1"][0]]["self_differs"] is True  # manager 3, self 5
    assert jane[IDS["E1"][1]]["self_differs"] is False
    counts = data["summary"]["counts"]
    assert (counts["self_assessed"], counts["self_accepted"], counts["self_only"]) == (3, 24, 1)
    assert counts["employees"] == 4 and data["summary"]["account"].endswith(
        ", 24 self-assessment scores"
    )

    (tmp_path / "csv").mkdir()
    gaps_csv, *_ = write_csv(report, tmp_path / "csv")
    assert gaps_csv.name == GAPS_CSV
    with gaps_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        own = SELF_SCORES.get(row["employee_id"], {}).get(row["competency_id"])
        assert row["self_score"] == ("" if own is None else str(own))
    assert sum(r["self_differs"] == "true" for r in rows) == 6

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(write_report(report, tmp_path / "report.xlsx"))
    gaps = book["Gaps"]
    headers = [c.value for c in gaps[4]]
    score, own = headers.index("Score") + 1, headers.index("Self") + 1
    assert own == score + 1
    cells = {
        (gaps.cell(r, 1).value, gaps.cell(r, 7).value): (
            gaps.cell(r, score).value,
            gaps.cell(r, own).value,
        )
        for r in range(5, gaps.max_row + 1)
    }
    jane_rows = [r for r in report.employees[0].competencies]
    for row in jane_rows:
        assert cells[("E1", row.competency)] == (row.score, row.self_score)
    assert gaps.max_row == 4 + sum(len(e.competencies) for e in report.assessed())
    rules = [
        (str(cf.sqref), rule.formula[0])
        for cf in gaps.conditional_formatting
        for rule in cf.rules
        if rule.type == "expression"
    ]
    letters = openpyxl.utils.get_column_letter
    [(where, formula)] = [r for r in rules if "ABS" in r[1]]
    assert where.startswith(f"{letters(score)}5:{letters(own)}")
    assert f">={SELF_DIFFERENCE}" in formula
    employees = book["Employees"]
    headers = [c.value for c in employees[4]]
    assessed = headers.index("Self-assessed") + 1
    coverage = headers.index("Self coverage") + 1
    apart = headers.index("Self vs manager 2+ apart") + 1
    meets = headers.index("Meets level") + 1
    sheet_rows = {
        employees.cell(r, 2).value: (
            employees.cell(r, assessed).value,
            employees.cell(r, coverage).value,
            employees.cell(r, apart).value,
            employees.cell(r, meets).value,
        )
        for r in range(5, employees.max_row + 1)
    }
    assert sheet_rows["E1"][:3] == ("Yes", pytest.approx(7 / 8), 4)
    assert sheet_rows["E3"][:3] == ("No", None, None)
    assert sheet_rows["E4"] == ("Yes", pytest.approx(1.0), None, "No manager sheet")


def test_an_invalid_self_score_is_reported_like_a_managers(blank, returned, tmp_path):
    competency = IDS["E1"][2]
    bad_self = fill(blank["E1"], tmp_path / "self" / "Self.xlsx", {"E1": {competency: 7}})
    bad_manager = fill(blank["hana"], tmp_path / "mgr" / "Mgr.xlsx", {"E1": {competency: 7}})
    result = ingest(bad_self, returned["hana"])
    manager = ingest(bad_manager)
    [error] = [i for i in result.issues.errors]
    [expected] = [i for i in manager.issues.errors]
    assert error.code == expected.code == "score-out-of-range"
    assert (error.file, error.sheet) == (str(bad_self), "Jane Doe")
    assert error.cell == expected.cell and error.cell.startswith("H")
    assert error.message == expected.message
    assert "Jane Doe (E1)" in error.message and LADDER.competency(competency).name in error.message
    assert result.account.self_rejected == 1 and result.account.rejected == 0
    assert result.account.line().endswith(", 0 self-assessment scores (1 rejected)")
    errors = [i for i in result.issues.errors if i.code in SCORE_CELL_CODES]
    assert result.account.rejected + result.account.self_rejected == len(errors)
    [record] = [r for r in result.self_records if r.status == REJECTED]
    assert (record.employee_id, record.competency_id, record.raw) == ("E1", competency, "7")
    report = compute_gaps(LADDER, result)
    jane = next(e for e in report.employees if e.employee_id == "E1")
    row = next(r for r in jane.competencies if r.competency_id == competency)
    assert row.self_score is None and row.score == MANAGER_SCORES["E1"][competency]
    assert row.status == ACCEPTED  # the manager's score, untouched


# --- the command line ----------------------------------------------------------------------


def test_sheets_self_and_ingest_from_the_command_line(tmp_path):
    master = generate(None, tmp_path / "master.xlsx")
    rows = roster_rows()[:8]
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROSTER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    runner = CliRunner()
    base = ["sheets", str(master), "--roster", str(roster), "-q"]
    done = runner.invoke(cli, [*base, "--out", str(tmp_path / "scoring")])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, [*base, "--self", "--out", str(tmp_path / "self")])
    assert done.exit_code == 0, done.output
    own = sorted((tmp_path / "self").iterdir())
    assert f"Wrote {len(own)} self-assessment workbooks" in done.output
    assert len(own) == sum(1 for r in rows if r["manager_id"]) and all(
        p.name.startswith(SELF_FILE_PREFIX) for p in own
    )
    again = runner.invoke(cli, [*base, "--self", "--out", str(tmp_path / "self")])
    assert again.exit_code == 2 and "--force" in again.output
    # one employee fills in their self-assessment; it goes back with the managers' workbooks
    returned = tmp_path / "returned"
    shutil.copytree(tmp_path / "scoring", returned)
    book = openpyxl.load_workbook(own[0])
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible" and s.title != "Cover")
    header, cols = table_of(sheet)
    sheet.cell(header + 1, cols["Score"]).value = 3
    book.save(returned / own[0].name)
    done = runner.invoke(
        cli,
        [
            "ingest",
            str(returned),
            "--master",
            str(master),
            "--roster",
            str(roster),
            "--out",
            str(tmp_path / "report.xlsx"),
            "--json",
            str(tmp_path / "gaps.json"),
            "-q",
        ],
    )
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0].endswith(", 1 self-assessment scores")
    data = json.loads((tmp_path / "gaps.json").read_text(encoding="utf-8"))
    assessed = [e for e in data["employees"] if e["self_assessed"]]
    assert len(assessed) == 1
    assert [c["self_score"] for c in assessed[0]["competencies"] if c["self_score"]] == [3]
