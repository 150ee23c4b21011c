"""The JSON, CSV and workbook outputs of the gap report."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from laddersheet.actions import AgreedAction
from laddersheet.errors import InputError
from laddersheet.gaps import GapReport, compute_gaps
from laddersheet.report import (
    ACTIONS_CSV,
    CUT_MARK,
    EMPLOYEES_CSV,
    EVIDENCE_CELL_LIMIT,
    GAPS_CSV,
    SHEETS,
    json_document,
    write_csv,
    write_json,
    write_report,
)
from tests.gap_fixtures import INJECTION, LONG_EVIDENCE, build_result

EMPLOYEE_KEYS = [
    "employee_id",
    "name",
    "manager_id",
    "family_id",
    "track",
    "level",
    "target_level",
    "coverage",
    "complete",
    "meets_level",
    "readiness_next",
    "readiness_next_weighted",
    "manager_returned",
    "self_assessed",
    "self_coverage",
    "priorities",
    "competencies",
]
COMPETENCY_KEYS = [
    "competency_id",
    "score",
    "self_score",
    "self_differs",
    "expected_now",
    "expected_next",
    "gap_now",
    "gap_next",
    "evidence",
    "source",
]
PRIORITY_KEYS = ["competency_id", "competency", "gap_next", "action"]
ISSUE_KEYS = ["severity", "code", "file", "sheet", "cell", "message"]


@pytest.fixture(scope="module")
def report() -> GapReport:
    ladder, result = build_result()
    return compute_gaps(ladder, result)


@pytest.fixture(scope="module")
def workbook_path(report: GapReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(report, tmp_path_factory.mktemp("report") / "gap-report.xlsx")


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():  # openpyxl does not know data-bar extensions; harmless
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path)


def find_row(sheet, column: int, value: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, column).value == value:
            return row
    raise AssertionError(f"{value!r} not in column {column} of {sheet.title}")


# ---- JSON


def test_json_has_the_documented_shape(report, tmp_path):
    path = write_json(report, tmp_path / "gaps.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["summary", "employees", "actions", "issues"]
    summary = data["summary"]
    assert summary["account"] == report.account.line()
    assert summary["company"] == "Example Company"
    assert summary["counts"]["not_returned"] == 2
    assert summary["counts"]["flagged_managers"] == 1
    assert summary["calibration"]["threshold"] == 0.5
    assert [e["employee_id"] for e in data["employees"]] == [
        e.employee_id for e in report.employees
    ]
    for employee in data["employees"]:
        assert list(employee) == EMPLOYEE_KEYS
        for priority in employee["priorities"]:
            assert list(priority) == PRIORITY_KEYS
        for competency in employee["competencies"]:
            assert list(competency) == COMPETENCY_KEYS
            assert list(competency["source"]) == ["file", "sheet", "cell"]
    for issue in data["issues"]:
        assert list(issue) == ISSUE_KEYS
    assert data["issues"][0]["severity"] == "error"
    top = next(e for e in data["employees"] if e["employee_id"] == "E202")
    assert top["target_level"] is None and top["readiness_next"] is None
    lea = next(e for e in data["employees"] if e["employee_id"] == "E402")
    # 5 of 8 scored: incomplete, so no verdict is claimed, but priorities still come
    assert (lea["coverage"], lea["complete"]) == (0.625, False)
    assert lea["readiness_next"] is None and lea["meets_level"] is None
    assert data["summary"]["counts"]["incomplete"] == report.company_stats.incomplete == 2
    assert lea["priorities"][0] == {
        "competency_id": "comp-5",
        "competency": "Competency 5",
        "gap_next": 2,
        "action": "Action for Competency 5 towards L3-L5.",
    }
    assert lea["competencies"][0]["source"] == {
        "file": "Theo Two.xlsx",
        "sheet": "-Léa Dash",
        "cell": "D6",
    }


def test_json_keeps_long_evidence_in_full_and_accents_as_is(report, tmp_path):
    path = write_json(report, tmp_path / "gaps.json")
    text = path.read_text(encoding="utf-8")
    assert "Ana Ábalos" in text  # ensure_ascii=False
    data = json.loads(text)
    nia = next(e for e in data["employees"] if e["employee_id"] == "E404")
    evidence = {c["competency_id"]: c["evidence"] for c in nia["competencies"]}
    assert len(LONG_EVIDENCE) > EVIDENCE_CELL_LIMIT
    assert evidence["comp-4"] == LONG_EVIDENCE
    assert evidence["comp-2"] == INJECTION


def test_json_is_deterministic(report, tmp_path):
    first = write_json(report, tmp_path / "a.json").read_bytes()
    second = write_json(report, tmp_path / "b.json").read_bytes()
    assert first == second
    assert json_document(report) == json.loads(first)


def test_outputs_need_an_existing_folder(report, tmp_path):
    with pytest.raises(InputError):
        write_json(report, tmp_path / "nope" / "gaps.json")
    assert not (tmp_path / "nope").exists()


# ---- CSV


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_escapes_formula_injection_and_keeps_numbers(report, tmp_path):
    paths = write_csv(report, tmp_path)
    assert [p.name for p in paths] == [GAPS_CSV, EMPLOYEES_CSV, ACTIONS_CSV]
    for path in paths:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    gaps = read_csv(tmp_path / GAPS_CSV)
    nia = {r["competency_id"]: r for r in gaps if r["employee_id"] == "E404"}
    assert nia["comp-2"]["evidence"] == "'" + INJECTION
    assert nia["comp-3"]["evidence"] == "'+1 from the whole team"
    assert nia["comp-1"]["evidence"] == "'-2 incidents this quarter"
    assert nia["comp-5"]["evidence"] == "'@channel praised the runbook"
    assert nia["comp-4"]["evidence"] == LONG_EVIDENCE  # in full
    assert nia["comp-1"]["name"] == "'=Nia Formula"
    assert nia["comp-1"]["score"] == "1" and nia["comp-1"]["gap_next"] == "1"
    lea = [r for r in gaps if r["employee_id"] == "E402"]
    assert lea[0]["name"] == "'-Léa Dash" and lea[0]["sheet"] == "'-Léa Dash"
    assert lea[1]["score"] == "" and lea[1]["status"] == "missing"
    assert len(gaps) == sum(len(e.competencies) for e in report.employees)
    for row in gaps:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")), value
            assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit()
    employees = read_csv(tmp_path / EMPLOYEES_CSV)
    by_id = {r["employee_id"]: r for r in employees}
    assert by_id["E404"]["name"] == "'=Nia Formula"
    assert by_id["E402"]["meets_level"] == ""  # incomplete: no verdict
    assert by_id["E402"]["coverage"] == "0.625"
    assert by_id["E201"]["meets_level"] == "false"
    assert by_id["E403"]["meets_level"] == ""
    assert by_id["E202"]["readiness_next"] == ""
    assert by_id["E402"]["priority_1"] == "Competency 5"
    assert "Ábalos" in by_id["E101"]["name"]


# ---- workbook


def test_workbook_has_every_sheet(workbook_path):
    book = load(workbook_path)
    assert book.sheetnames == list(SHEETS)
    with zipfile.ZipFile(workbook_path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # one bar chart per family with scores


def test_workbook_text_that_looks_like_a_formula_stays_text(workbook_path):
    book = load(workbook_path)
    employees = book["Employees"]
    row = find_row(employees, 2, "E404")
    name = employees.cell(row, 1)
    assert name.value == "=Nia Formula" and name.data_type == "s"
    dash = employees.cell(find_row(employees, 2, "E402"), 1)
    assert dash.value == "-Léa Dash" and dash.data_type == "s"
    gaps = book["Gaps"]
    injected = [cell for row in gaps.iter_rows() for cell in row if cell.value == INJECTION]
    assert injected and all(cell.data_type == "s" for cell in injected)


def test_workbook_cuts_long_evidence_and_says_so(workbook_path):
    book = load(workbook_path)
    for sheet_name, column in (("Gaps", 18), ("Development plan", 11)):
        sheet = book[sheet_name]
        cut = [
            sheet.cell(row, column).value
            for row in range(5, sheet.max_row + 1)
            if str(sheet.cell(row, column).value or "").endswith(CUT_MARK)
        ]
        assert len(cut) == 1, sheet_name
        assert len(cut[0]) <= EVIDENCE_CELL_LIMIT
        assert LONG_EVIDENCE.startswith(cut[0][: -len(CUT_MARK)])
        note = sheet["A3"].value
        assert "evidence-cut" in note and "2,000" in note and "JSON" in note


def test_workbook_views_hold_the_engines_figures(report, workbook_path):
    book = load(workbook_path)
    summary = book["Summary"]
    assert summary["A1"].value == "Gap report: Example Company"
    assert summary["A3"].value == report.account.line()
    employees = book["Employees"]
    assert [c.value for c in employees[5]][:4] == [
        "Ana Ábalos",
        "E101",
        "Lena Lenient",
        "Function 1",
    ]
    lea = find_row(employees, 2, "E402")
    assert employees.cell(lea, 13).value == pytest.approx(0.625)  # coverage
    assert employees.cell(lea, 14).value == "Incomplete"
    assert employees.cell(lea, 15).value is None  # no readiness claimed
    cleo = find_row(employees, 2, "E201")
    assert employees.cell(cleo, 14).value == "No"
    assert employees.cell(cleo, 15).value == pytest.approx(0.125)
    top = find_row(employees, 2, "E202")
    assert employees.cell(top, 9).value == "Top of track"
    assert employees.cell(top, 15).value is None
    assert employees.freeze_panes == "B5"
    assert employees.auto_filter.ref.startswith("A4")
    gaps = book["Gaps"]
    assert gaps.max_row == 4 + sum(len(e.competencies) for e in report.employees)
    heatmap = book["Heatmap"]
    column = [heatmap.cell(r, 1).value for r in range(1, heatmap.max_row + 1)]
    families = [f.label for f in report.families]
    assert families == ["Function 1", "Function 2"]
    first, second = column.index("Function 1"), column.index("Function 2")
    cells = [c for c in report.competencies if c.family_id == report.families[0].key]
    assert column[first + 1 : second] == [c.competency for c in cells]
    gaps = [heatmap.cell(first + 2 + n, 6).value for n in range(len(cells))]
    assert gaps == [c.mean_gap_next for c in cells]
    rules = [r for cf in heatmap.conditional_formatting for r in cf.rules]
    assert any(r.type == "colorScale" for r in rules)
    teams = book["Teams"]
    assert [teams.cell(r, 1).value for r in range(5, 7)] == ["Company", "Team"]
    missing = book["Missing"]
    assert [missing.cell(r, 3).value for r in range(5, 9)] == ["E501", "E502", "E402", "E403"]
    assert missing.cell(5, 1).value == "Not returned"
    issues = book["Issues"]
    assert issues["A5"].value == "error" and issues["B5"].value == "score-out-of-range"
    assert [issues.cell(r, 1).value for r in range(5, issues.max_row + 1)][-1] == "info"


def test_calibration_sheet_states_the_threshold_and_flags_the_lenient_manager(workbook_path):
    sheet = load(workbook_path)["Calibration"]
    assert "±0.5 scale points" in sheet["A2"].value
    assert "at least 10 compared scores" in sheet["A2"].value
    lena = find_row(sheet, 2, "M-LEN")
    assert sheet.cell(lena, 11).value == "Lenient"
    assert sheet.cell(lena, 1).fill.fgColor.rgb.endswith("FFC7CE")
    sam = find_row(sheet, 2, "M-SEN")
    assert sheet.cell(sam, 11).value is None


def test_development_plan_shows_agreed_actions_then_the_gaps_none_covers(report, tmp_path):
    sheet = load(write_report(report, tmp_path / "none.xlsx"))["Development plan"]
    row = find_row(sheet, 2, "E402")
    assert sheet.cell(row, 6).value == "Competency 5"
    assert sheet.cell(row, 10).value == "Action for Competency 5 towards L3-L5."  # suggested
    assert sheet.cell(row, 8).value is None  # nothing agreed
    top = find_row(sheet, 2, "E402")
    first_gap = sheet.cell(top, 6).value
    agreed = (
        AgreedAction("E402", 1, "Pair with Ana on two cases", "comp-5", due_date="2027-03-31"),
        AgreedAction("E402", 2, "Read the handbook"),
    )
    with_plan = dataclasses.replace(report, actions=agreed)
    sheet = load(write_report(with_plan, tmp_path / "plan.xlsx"))["Development plan"]
    rows = [
        [sheet.cell(r, c).value for c in (5, 6, 8, 9)]
        for r in range(5, sheet.max_row + 1)
        if sheet.cell(r, 2).value == "E402"
    ]
    assert rows[0] == ["1", "Competency 5", "Pair with Ana on two cases", "2027-03-31"]
    assert rows[1] == ["2", None, "Read the handbook", None]
    shown = [r[1] for r in rows[2:]]
    assert "Competency 5" not in shown and all(r[2] is None for r in rows[2:])  # gaps left
    assert first_gap == "Competency 5"


def test_workbook_is_deterministic(report, workbook_path, tmp_path):
    again = write_report(report, tmp_path / "again.xlsx")
    first, second = load(workbook_path), load(again)
    assert first.sheetnames == second.sheetnames
    for name in first.sheetnames:
        a = [[c.value for c in row] for row in first[name].iter_rows()]
        b = [[c.value for c in row] for row in second[name].iter_rows()]
        assert a == b, name
    assert workbook_path.read_bytes() == again.read_bytes()  # fixed dates: byte-identical


@pytest.mark.libreoffice
def test_summary_prints_on_one_page(workbook_path, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice
    subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook_path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / "gap-report.pdf"
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler) is not installed")
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "2", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    first = " ".join(first.split())  # words wrap differently with every text change
    assert "Gap report: Example Company" in first
    # the whole Summary within its first two pages (at >= 8 pt: tests/test_printing.py)
    assert "Score distribution" in first and "O*NET importance" in first
