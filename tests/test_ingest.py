import datetime as dt
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laddersheet.errors import InputError
from laddersheet.ingest import (
    ACCEPTED,
    MISSING,
    REJECTED,
    SCORE_CELL_CODES,
    IngestResult,
    ingest_files,
    parse_score,
)
from laddersheet.issues import Severity
from laddersheet.layout import META_SHEET, SCORING_HEADERS
from laddersheet.roster import Employee
from laddersheet.scoring import write_scoring_workbooks
from tests.factories import HEAD, JANE, JO, PAT, person, small_ladder

LADDER = small_ladder()
SCALE = LADDER.settings.scale


TEAM = [HEAD, JANE, JO, PAT]
ROWS = {"E1": 8, "E2": 9, "E3": 8}  # competency rows per sheet (Jo: IC + coaching for M1)
IDS = LADDER.competency_ids("family_1", "IC")  # Jane's rows, in order


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> dict[str, Path]:
    """Unfilled workbooks: Hana's (Jane, Jo, Pat) and one from another manager with Jane."""
    out = tmp_path_factory.mktemp("blank")
    [hana] = write_scoring_workbooks(LADDER, TEAM, out / "hana")
    moved = replace(JANE, manager_id="X9", manager_name="Xavier Nine")
    [xavier] = write_scoring_workbooks(LADDER, [moved], out / "xavier")
    return {"hana": hana, "xavier": xavier}


def table_of(sheet) -> tuple[int, dict[str, int]]:
    """1-based header row and header → 1-based column, found by content like ingest does."""
    for row in sheet.iter_rows():
        names = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "Competency ID" in names:
            return row[0].row, names
    raise AssertionError(f"no table on {sheet.title}")


def fill(
    src: Path,
    dst: Path,
    scores: dict[str, dict[str, object]] | None = None,
    evidence: dict[str, dict[str, str]] | None = None,
    edit: Callable[[openpyxl.Workbook], None] | None = None,
) -> Path:
    """A returned copy of ``src``: scores and evidence by sheet → competency id."""
    book = openpyxl.load_workbook(src)
    for part, column in ((scores or {}, "Score"), (evidence or {}, "Evidence")):
        for sheet_title, values in part.items():
            sheet = book[sheet_title]
            header, cols = table_of(sheet)
            rows = {
                sheet.cell(r, cols["Competency ID"]).value: r
                for r in range(header + 1, sheet.max_row + 1)
            }
            for competency_id, value in values.items():
                sheet.cell(rows[competency_id], cols[column]).value = value
    if edit is not None:
        edit(book)
    dst.parent.mkdir(parents=True, exist_ok=True)
    book.save(dst)
    return dst


def ingest(*paths: Path, roster: list[Employee] | None = TEAM, **options) -> IngestResult:
    return ingest_files(list(paths), LADDER, roster=roster, **options)


def by_key(result: IngestResult, status: str | None = None) -> dict[tuple[str, str], object]:
    return {
        (r.employee_id, r.competency_id): r.score
        for r in result.records
        if status is None or r.status == status
    }


def codes(result: IngestResult, severity: Severity | None = None) -> list[str]:
    return [i.code for i in result.issues if severity is None or i.severity is severity]


def issue(result: IngestResult, code: str):
    [found] = [i for i in result.issues if i.code == code]
    return found


def assert_adds_up(result: IngestResult, rows: int) -> None:
    account = result.account
    assert account.accepted + account.rejected + account.missing == rows
    score_errors = [i for i in result.issues.errors if i.code in SCORE_CELL_CODES]
    assert account.rejected == len(score_errors)


# --- parse_score ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        3,
        3.0,
        " 3 ",
        "3",
        '"3"',
        "“3”",
        "3.0",
        "3,0",
        "3 - Proficient",
        "3 – Proficient",
        "3 — proficient",
        "3-Proficient",
        "3: Proficient",
        "3 Proficient",
        "3 (Proficient)",
        "Proficient",
        "  PROFICIENT ",
    ],
)
def test_accepted_score_forms(value):
    assert parse_score(value, None, SCALE).score == 3
    assert parse_score(value, None, SCALE).status == ACCEPTED


@pytest.mark.parametrize(
    ("value", "formula", "code", "message"),
    [
        (
            7,
            None,
            "score-out-of-range",
            r"^7 is off the scale; allowed: a whole number from 1 to 5",
        ),
        (0, None, "score-out-of-range", r"^0 is off the scale"),
        ("-1", None, "score-out-of-range", r"^-1 is off the scale"),
        (2.5, None, "score-not-whole", r"^2.5 is not a whole number; allowed:"),
        ("2.5", None, "score-not-whole", r"^2.5 is not a whole number"),
        ("three", None, "score-invalid", r"^'three' is not a score; allowed: .*'3 - Proficient'"),
        ("Profficient", None, "score-invalid", r"^'Profficient' is not a score"),
        ("3 - Advanced", None, "score-invalid", r"the number and the label disagree \(3 is"),
        ("9 - Proficient", None, "score-out-of-range", r"^'9 - Proficient' is not on the scale"),
        ("3 apples", None, "score-invalid", r"^'3 apples' is not a score"),
        ('""', None, "score-invalid", r"is not a score"),
        (True, None, "score-invalid", r"^found TRUE/FALSE \(TRUE\)"),
        (dt.datetime(2026, 3, 3), None, "score-invalid", r"^found a date or time \(2026-03-03"),
        (dt.date(2026, 3, 3), None, "score-invalid", r"^found a date or time"),
        (3, "=1+2", "formula-in-score", r"holds a formula \(=1\+2\); formulas are never evaluated"),
        (None, "SUM(A1)", "formula-in-score", r"holds a formula \(=SUM\(A1\)\)"),
    ],
)
def test_rejected_score_forms(value, formula, code, message):
    parsed = parse_score(value, formula, SCALE)
    assert (parsed.score, parsed.status, parsed.code) == (None, REJECTED, code)
    assert re.search(message, parsed.message), parsed.message


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0"])
def test_blank_is_missing_not_zero(value):
    assert parse_score(value, None, SCALE) == parse_score(None, None, SCALE)
    assert parse_score(value, None, SCALE).status == MISSING


# --- whole workbooks -----------------------------------------------------------------------


def test_messy_scores_in_a_returned_workbook(blank, tmp_path):
    values = [3, 3.0, " 3 ", '"3"', "3 - Proficient", "Proficient", "7", "=H19+1"]
    path = fill(
        blank["hana"],
        tmp_path / "returned.xlsx",
        scores={"Jane Doe": dict(zip(IDS, values, strict=True))},
        evidence={"Jane Doe": {"comp-1": "Led the launch. " * 400}},
    )
    result = ingest(path)
    jane = [r for r in result.records if r.employee_id == "E1"]
    assert [r.competency_id for r in jane] == IDS
    assert [r.score for r in jane] == [3] * 6 + [None, None]
    assert [r.status for r in jane] == [ACCEPTED] * 6 + [REJECTED] * 2
    raw = ["3", "3", " 3 ", '"3"', "3 - Proficient", "Proficient", "7", "=H19+1"]
    assert [r.raw for r in jane] == raw
    assert jane[0].evidence == ("Led the launch. " * 400).strip()  # in full, never cut
    assert (jane[0].file, jane[0].sheet, jane[0].cell) == (str(path), "Jane Doe", "H19")
    out_of_range = issue(result, "score-out-of-range")
    assert (out_of_range.sheet, out_of_range.cell) == ("Jane Doe", "H25")
    # the message names the person and the competency, then what is wrong and what is allowed
    assert re.search(
        r"^Jane Doe \(E1\), Competency 7: 7 is off the scale; allowed: a whole number",
        out_of_range.message,
    )
    formula = issue(result, "formula-in-score")
    assert (formula.cell, formula.severity) == ("H26", Severity.ERROR)
    assert result.account.line() == (
        "1 files, 3 employees, 6 scores accepted, 2 rejected, 17 missing"
    )
    assert_adds_up(result, sum(ROWS.values()))
    assert [e.employee_id for e in result.employees] == ["E1", "E2", "E3"]
    assert result.not_returned == []  # the head has no manager: never expected back


def test_unfilled_workbook_is_all_missing(blank):
    result = ingest(blank["hana"])
    assert result.account.missing == sum(ROWS.values())
    assert list(result.issues) == []


def test_sorted_rows_are_matched_by_competency_id(blank, tmp_path):
    def reverse_table(book):
        sheet = book["Jane Doe"]
        header, _ = table_of(sheet)
        rows = list(range(header + 1, header + 9))
        values = [[sheet.cell(r, c).value for c in range(1, 12)] for r in rows]
        for r, row in zip(rows, reversed(values), strict=True):
            for c, value in enumerate(row, start=1):
                sheet.cell(r, c).value = value

    path = fill(
        blank["hana"],
        tmp_path / "sorted.xlsx",
        scores={"Jane Doe": {"comp-1": 1, "comp-8": 5}},
        edit=reverse_table,
    )
    result = ingest(path)
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 1, ("E1", "comp-8"): 5}
    cells = {r.competency_id: r.cell for r in result.records if r.employee_id == "E1"}
    assert (cells["comp-1"], cells["comp-8"]) == ("H26", "H19")
    assert [r.competency_id for r in result.records[:8]] == IDS  # ladder order, not sheet order
    assert list(result.issues) == []


def test_inserted_blank_rows_above_and_inside_the_table(blank, tmp_path):
    def insert_rows(book):
        sheet = book["Jane Doe"]
        sheet.insert_rows(22)  # inside the table
        sheet.insert_rows(3, amount=2)  # inside the header block

    path = fill(
        blank["hana"],
        tmp_path / "inserted.xlsx",
        scores={"Jane Doe": {"comp-1": 2, "comp-8": 4}},
        edit=insert_rows,
    )
    result = ingest(path)
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 2, ("E1", "comp-8"): 4}
    cells = {r.competency_id: r.cell for r in result.records if r.employee_id == "E1"}
    assert (cells["comp-1"], cells["comp-8"]) == ("H21", "H29")
    assert list(result.issues) == []


def test_renamed_sheet_is_found_by_its_header(blank, tmp_path):
    def rename(book):
        book["Jane Doe"].title = "Jane (done)"

    path = fill(blank["hana"], tmp_path / "renamed.xlsx", {"Jane Doe": {"comp-1": 4}}, edit=rename)
    result = ingest(path)
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 4}
    renamed = issue(result, "sheet-renamed")
    assert renamed.severity is Severity.INFO and renamed.sheet == "Jane (done)"
    assert "was 'Jane Doe' and is now 'Jane (done)'" in renamed.message


def test_added_notes_sheet_is_ignored(blank, tmp_path):
    def add_notes(book):
        book.create_sheet("My notes")["A1"] = "Talk to Jane about the launch"

    path = fill(blank["hana"], tmp_path / "notes.xlsx", {"Jane Doe": {"comp-1": 4}}, edit=add_notes)
    result = ingest(path)
    assert result.issues.flatten() == [["info", "extra-sheet", "My notes", ""]]
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 4}


def test_same_file_twice_counts_once(blank, tmp_path):
    first = fill(blank["hana"], tmp_path / "a" / "returned.xlsx", {"Jane Doe": {"comp-1": 4}})
    second = tmp_path / "b" / "returned copy.xlsx"
    second.parent.mkdir()
    shutil.copy(first, second)
    result = ingest(first, second)
    assert codes(result) == ["duplicate-sheet"] * 3
    assert not result.issues.has_errors
    assert str(first) in issue_messages(result, "duplicate-sheet")[0]
    assert (
        result.account.line() == "2 files, 3 employees, 1 scores accepted, 0 rejected, 24 missing"
    )


def issue_messages(result: IngestResult, code: str) -> list[str]:
    return [i.message for i in result.issues if i.code == code]


def test_two_conflicting_versions(blank, tmp_path):
    older = fill(blank["hana"], tmp_path / "v1.xlsx", {"Jane Doe": {"comp-1": 3, "comp-3": 2}})
    newer = fill(
        blank["hana"], tmp_path / "v2.xlsx", {"Jane Doe": {"comp-1": 4, "comp-2": 2, "comp-3": 2}}
    )
    result = ingest(newer, older)  # argument order does not matter: sorted by path
    assert result.files == [str(older), str(newer)]
    conflict = issue(result, "conflicting-scores")
    assert conflict.severity is Severity.ERROR
    assert (conflict.file, conflict.sheet, conflict.cell) == (str(newer), "Jane Doe", "H19")
    assert re.search(
        rf"E1 comp-1: score 4 here, but 3 in {re.escape(str(older))}", conflict.message
    )
    # first file wins comp-1; comp-2 only in v2; comp-3 agrees
    assert by_key(result, ACCEPTED) == {
        ("E1", "comp-1"): 3,
        ("E1", "comp-2"): 2,
        ("E1", "comp-3"): 2,
    }
    [rejected] = [r for r in result.records if r.status == REJECTED]
    assert (rejected.competency_id, rejected.raw, rejected.file) == ("comp-1", "4", str(newer))
    assert (
        codes(result, Severity.WARNING) == ["employee-in-two-files"] * 1 + ["duplicate-sheet"] * 2
    )  # Jane differs; Jo and Pat are identical blanks
    assert_adds_up(result, sum(ROWS.values()) + 1)


def test_person_in_two_files(blank, tmp_path):
    hana = fill(blank["hana"], tmp_path / "hana.xlsx", {"Jane Doe": {"comp-1": 3}})
    xavier = fill(blank["xavier"], tmp_path / "xavier.xlsx", {"Jane Doe": {"comp-2": 4}})
    result = ingest(hana, xavier)
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 3, ("E1", "comp-2"): 4}
    moved = issue(result, "employee-in-two-files")
    assert moved.file == str(xavier) and str(hana) in moved.message
    assert [e.employee_id for e in result.employees] == ["E1", "E2", "E3"]
    assert len([r for r in result.records if r.employee_id == "E1"]) == ROWS["E1"]


def test_google_sheets_export_without_meta(blank, tmp_path):
    def drop_meta(book):
        del book[META_SHEET]
        book["Pat Top"].title = "Pat"

    path = fill(
        blank["hana"],
        tmp_path / "google.xlsx",
        {"Jane Doe": {"comp-1": 4}, "Pat Top": {"comp-2": 5}},
        edit=drop_meta,
    )
    result = ingest(path)
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 4, ("E3", "comp-2"): 5}
    assert result.issues.flatten() == [["warning", "no-meta", "", ""]]
    assert "matched by the Employee ID" in issue(result, "no-meta").message
    # without a roster, people are rebuilt from each sheet's header block
    alone = ingest(path, roster=None)
    jo = next(e for e in alone.employees if e.employee_id == "E2")
    assert (jo.family_id, jo.track, jo.level, jo.target_level) == ("family_2", "IC", "L4", "M1")
    assert jo.manager_id == ""  # only _meta knew the manager


def test_without_roster_people_come_from_meta(blank):
    result = ingest(blank["hana"], roster=None)
    assert [e.employee_id for e in result.employees] == ["E1", "E2", "E3"]
    jane = result.employees[0]
    assert (jane.name, jane.manager_id, jane.manager_name) == ("Jane Doe", "H1", "Hana Head")
    assert (jane.level, jane.target_level) == ("L3", "L4")
    assert result.employees[2].target_level is None
    assert result.not_returned == []


def test_version_mismatch(blank, tmp_path):
    path = fill(blank["hana"], tmp_path / "old.xlsx", {"Jane Doe": {"comp-1": 4, "comp-2": "x"}})
    changed = replace(
        LADDER,
        expectations=tuple(
            replace(e, expected=e.expected + 1) if e.level == "L3" and e.expected < 5 else e
            for e in LADDER.expectations
        ),
    )
    assert changed.content_digest() != LADDER.content_digest()
    strict = ingest_files([path], changed, roster=TEAM)
    mismatch = issue(strict, "version-mismatch")
    assert mismatch.severity is Severity.ERROR and mismatch.file == str(path)
    assert re.search(
        r"another version of the master .* all its scores are rejected", mismatch.message
    )
    assert strict.account.accepted == 0 and strict.account.rejected == 2
    lenient = ingest_files([path], changed, roster=TEAM, allow_version_mismatch=True)
    assert issue(lenient, "version-mismatch").severity is Severity.WARNING
    assert by_key(lenient, ACCEPTED) == {("E1", "comp-1"): 4}


def test_roster_differences(blank):
    roster = [HEAD, replace(JANE, level="L4"), JO, person("E9", "New Hire", "H1", "L1")]
    result = ingest(blank["hana"], roster=roster)
    assert [e.employee_id for e in result.not_returned] == ["E9"]
    assert issue(result, "not-in-roster").sheet == "Pat Top"  # kept, with a warning
    assert [e.employee_id for e in result.employees] == ["E1", "E2", "E3"]
    changed = issue(result, "roster-changed")
    assert "made for family_1 IC L3, the roster now says family_1 IC L4" in changed.message
    assert result.employees[0].level == "L4"  # the roster wins


def test_unknown_and_duplicate_competency_rows(blank, tmp_path):
    def tamper(book):
        sheet = book["Jane Doe"]
        header, cols = table_of(sheet)
        sheet.cell(header + 1, cols["Competency ID"]).value = "comp-99"  # was comp-1
        sheet.cell(header + 1, cols["Score"]).value = 3
        sheet.cell(header + 3, cols["Competency ID"]).value = "comp-2"  # was comp-3: a twin
        sheet.cell(header + 3, cols["Score"]).value = 4
        sheet.cell(header + 9, cols["Score"]).value = 2  # below the table, no id
        sheet.cell(header + 9, cols["Evidence"]).value = "a note, not a score"
        sheet.cell(header + 14, cols["Score"]).value = 4  # beside the development plan

    path = fill(blank["hana"], tmp_path / "tampered.xlsx", {"Jane Doe": {"comp-2": 2}}, edit=tamper)
    result = ingest(path)
    assert result.issues.flatten() == [
        ["error", "unknown-competency", "Jane Doe", "H19"],
        ["error", "duplicate-row", "Jane Doe", "H21"],
        ["error", "score-without-competency", "Jane Doe", "H27"],
        ["error", "score-without-competency", "Jane Doe", "H32"],
        ["warning", "row-missing", "Jane Doe", ""],
        ["warning", "row-missing", "Jane Doe", ""],
    ]
    assert "unknown Competency ID 'comp-99'" in result.issues.issues[0].message
    assert "beside the development plan" in result.issues.issues[3].message
    assert by_key(result, ACCEPTED) == {("E1", "comp-2"): 2}
    assert result.account.rejected == 4
    assert_adds_up(result, sum(ROWS.values()) + 4)


def test_folders_lock_files_and_unreadable_files(blank, tmp_path):
    folder = tmp_path / "returned"
    nested = folder / "team b"
    fill(blank["hana"], nested / "hana.xlsx", {"Jane Doe": {"comp-1": 4}})
    (folder / "~$hana.xlsx").write_bytes(b"lock")  # Excel's lock file: skipped silently
    (folder / ".~lock.hana.xlsx#").write_bytes(b"lock")  # LibreOffice's
    (folder / "read me.txt").write_text("hello")
    (folder / "broken.xlsx").write_bytes(b"this is not a zip")
    seen: list[Path] = []
    result = ingest(folder, on_progress=seen.append)
    assert result.files == [str(folder / "broken.xlsx"), str(nested / "hana.xlsx")]
    assert seen == [folder / "broken.xlsx", nested / "hana.xlsx"]
    assert [(i.severity.value, i.code, Path(i.file).name) for i in result.issues] == [
        ("info", "ignored-file", "read me.txt"),
        ("error", "not-a-spreadsheet", "broken.xlsx"),
    ]
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 4}
    with pytest.raises(InputError, match=r"nowhere.xlsx: no such file or folder"):
        ingest(tmp_path / "nowhere.xlsx")


def test_master_or_foreign_workbook_is_refused(tmp_path):
    master = openpyxl.Workbook()
    master.active.title = "Start here"
    meta = master.create_sheet(META_SHEET)
    meta.append(["key", "value"])
    meta.append(["kind", "master"])
    master.save(tmp_path / "master.xlsx")
    foreign = openpyxl.Workbook()
    foreign.active["A1"] = "Quarterly budget"
    foreign.save(tmp_path / "budget.xlsx")
    result = ingest(tmp_path / "master.xlsx", tmp_path / "budget.xlsx")
    assert codes(result) == ["not-a-scoring-workbook"] * 2
    assert "this is a master workbook, not a scoring workbook" in result.issues.issues[1].message
    assert result.records == [] and result.employees == []


def test_newer_layout_is_refused(blank, tmp_path):
    def bump(book):
        meta = book[META_SHEET]
        for row in meta.iter_rows():
            if row[0].value == "schema_version":
                row[1].value = "99"

    path = fill(blank["hana"], tmp_path / "future.xlsx", edit=bump)
    result = ingest(path)
    assert codes(result) == ["schema-too-new"]
    assert "made with layout version 99" in result.issues.issues[0].message


def test_deleted_sheet_means_not_returned(blank, tmp_path):
    def delete(book):
        del book["Pat Top"]

    path = fill(blank["hana"], tmp_path / "deleted.xlsx", edit=delete)
    result = ingest(path)
    assert issue(result, "sheet-missing").sheet == "Pat Top"
    assert [e.employee_id for e in result.not_returned] == ["E3"]


def test_copied_sheet_in_the_same_file(blank, tmp_path):
    def copy_jane(book):
        copy = book.copy_worksheet(book["Jane Doe"])
        header, cols = table_of(copy)
        copy.cell(header + 1, cols["Score"]).value = 5  # disagrees with the original's 2

    path = fill(blank["hana"], tmp_path / "copy.xlsx", {"Jane Doe": {"comp-1": 2}}, edit=copy_jane)
    result = ingest(path)
    conflict = issue(result, "conflicting-scores")
    assert (conflict.sheet, conflict.cell) == ("Jane Doe Copy", "H19")
    assert by_key(result, ACCEPTED) == {("E1", "comp-1"): 2}
    assert_adds_up(result, sum(ROWS.values()) + 1)


def test_table_without_anything_naming_its_employee(blank, tmp_path):
    def strip(book):
        del book[META_SHEET]
        book["Jane Doe"].delete_rows(1, 17)  # the header block with the Employee ID

    path = fill(blank["hana"], tmp_path / "stripped.xlsx", {"Jane Doe": {"comp-1": 2}}, edit=strip)
    result = ingest(path)
    unidentified = issue(result, "unidentified-sheet")
    assert unidentified.severity is Severity.ERROR and unidentified.sheet == "Jane Doe"
    assert [r.status for r in result.records if r.employee_id == ""] == [REJECTED]
    assert [e.employee_id for e in result.employees] == ["E2", "E3"]
    assert [e.employee_id for e in result.not_returned] == ["E1"]


def test_renamed_score_header_and_moved_competency(blank, tmp_path):
    def tamper(book):
        header, cols = table_of(book["Pat Top"])
        book["Pat Top"].cell(header, cols["Score"]).value = "Rating"
        header, cols = table_of(book["Jane Doe"])
        book["Jane Doe"].cell(header + 8, cols["Competency ID"]).value = "coaching"  # was comp-8
        book["Jane Doe"].cell(header + 8, cols["Score"]).value = 4

    path = fill(blank["hana"], tmp_path / "tampered.xlsx", edit=tamper)
    result = ingest(path)
    assert result.issues.flatten() == [
        ["warning", "competency-not-expected", "Jane Doe", "H26"],
        ["warning", "row-missing", "Jane Doe", ""],
        ["error", "missing-column", "Pat Top", "A18"],
    ]
    assert by_key(result, ACCEPTED) == {("E1", "coaching"): 4}  # kept: a real competency
    assert "no 'Score' column" in issue(result, "missing-column").message
    assert {r.status for r in result.records if r.employee_id == "E3"} == {MISSING}
    assert_adds_up(result, sum(ROWS.values()) + 1)  # Jane: 8 rows + the kept "coaching"


# --- the account always adds up ------------------------------------------------------------

_labels = [p.label for p in SCALE.points]
SCORE_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-3, max_value=12),
    st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False),
    st.sampled_from(_labels),
    st.sampled_from([f"{p.value} - {p.label}" for p in SCALE.points] + ["3 - Advanced"]),
    st.sampled_from(["", "   ", "three", "N/A", "=1+2", '"4"', " 2 ", "2.0", "4,0"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(SCORE_VALUES, min_size=ROWS["E1"], max_size=ROWS["E1"]))
def test_account_adds_up_for_any_scores(blank, values):
    with tempfile.TemporaryDirectory() as folder:
        path = fill(
            blank["hana"],
            Path(folder) / "random.xlsx",
            {"Jane Doe": dict(zip(IDS, values, strict=True))},
        )
        result = ingest(path)
    assert_adds_up(result, sum(ROWS.values()))
    jane = [r for r in result.records if r.employee_id == "E1"]
    assert len(jane) == ROWS["E1"]
    for record in jane:
        assert (record.score is not None) == (record.status == ACCEPTED)
        if record.status == ACCEPTED:
            assert record.score in SCALE.values


# --- LibreOffice round trip ----------------------------------------------------------------

LO_SCORES = {
    "Jane Doe": dict(zip(IDS, [1, 2, 3, 4, 5, "3 - Proficient", "Advanced", None], strict=True)),
    "Jo O'Brien": {"comp-1": 5, "comp-4": 1, "coaching": 2},
    "Pat Top": {"comp-1": 2, "comp-2": 7},
}
LO_EVIDENCE = {"Jane Doe": {c: f"Evidence for {c}: ünïcødé, “quotes”, 50%" for c in IDS}}


def _soffice(source: Path, target_format: str, out_dir: Path) -> Path:
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target_format,
                "--outdir",
                str(out_dir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    converted = out_dir / f"{source.stem}.{target_format}"
    assert converted.exists(), f"LibreOffice wrote no {converted}"
    return converted


@pytest.fixture(scope="module")
def libreoffice_files(blank, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("libreoffice")
    filled = fill(blank["hana"], folder / "filled" / "returned.xlsx", LO_SCORES, LO_EVIDENCE)
    return {
        "openpyxl": filled,
        "xlsx": _soffice(filled, "xlsx", folder / "xlsx"),
        "ods": _soffice(filled, "ods", folder / "ods"),
    }


def _records(result: IngestResult) -> list[tuple]:
    return [(r.employee_id, r.competency_id, r.score, r.status, r.evidence) for r in result.records]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_libreoffice_round_trip_keeps_every_record(libreoffice_files, kind):
    original = ingest(libreoffice_files["openpyxl"])
    converted = ingest(libreoffice_files[kind])
    assert _records(converted) == _records(original)
    assert converted.account == replace(original.account)
    assert [i.code for i in converted.issues] == [i.code for i in original.issues]
    assert codes(original) == ["score-out-of-range"]  # Pat's 7


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_libreoffice_recalculates_gaps(libreoffice_files, kind):
    """The sheet's live gaps give ingest's verdict: a number, blank, or "invalid"."""
    book = python_calamine.CalamineWorkbook.from_path(str(libreoffice_files[kind]))
    scale = SCALE
    checked = invalid = 0
    for name in ("Jane Doe", "Jo O'Brien", "Pat Top"):
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header = next(i for i, row in enumerate(rows) if row[0] == "Competency ID")
        col = {h: rows[header].index(h) for h in SCORING_HEADERS}
        for row in rows[header + 1 :]:
            if not row[0]:
                continue
            parsed = parse_score(row[col["Score"]], None, scale)
            for gap, expected in (("Gap now", "Expected now"), ("Gap next", "Expected next")):
                value, target = row[col[gap]], row[col[expected]]
                if parsed.status == REJECTED:
                    assert value == "invalid", (name, row[0], gap)
                    invalid += 1
                elif parsed.score is None or target in ("", None):
                    assert value in ("", None), (name, row[0], gap)
                else:
                    assert value == max(0, target - parsed.score), (name, row[0], gap)
                    checked += 1
    assert checked >= 15 and invalid >= 1
    cover = book.get_sheet_by_name("Cover").to_python(skip_empty_area=False)
    jane = next(row for row in cover if row[0] == "Jane Doe")
    assert jane[4:6] == ["In progress", 7 / 8]  # labels count as scored, as ingest reads them


def test_not_applicable_gets_a_hint_to_leave_the_cell_blank():
    from laddersheet.ingest.cells import not_applicable_hint

    for typed in ("N/A", " n/a ", "-", "TBD", "not applicable"):
        assert "leave the cell blank" in not_applicable_hint(typed), typed
    for typed in ("three", "7", "Prof"):
        assert not_applicable_hint(typed) == "", typed


def test_an_older_workbooks_table_of_everyone_sent_is_not_read(blank, tmp_path):
    """Layout 2 listed everyone the run sent a sheet to in every _meta; it is ignored now."""
    from laddersheet.layout import SCORING_META_SENT_HEADERS

    def add_table(book):
        meta = book[META_SHEET]
        row = meta.max_row + 2
        for col, header in enumerate(SCORING_META_SENT_HEADERS, start=1):
            meta.cell(row, col).value = header
        for col, value in enumerate(("E99", "Someone Else", "H9", "Other Boss"), start=1):
            meta.cell(row + 1, col).value = value

    plain = ingest(fill(blank["hana"], tmp_path / "plain.xlsx", {"Jane Doe": {"comp-1": 4}}))
    older = ingest(
        fill(blank["hana"], tmp_path / "older.xlsx", {"Jane Doe": {"comp-1": 4}}, edit=add_table)
    )
    assert older.not_returned == plain.not_returned == []
    assert _records(older) == _records(plain) and codes(older) == codes(plain)
