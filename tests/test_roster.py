from pathlib import Path

import openpyxl
import pytest

from laddersheet.errors import InputError, RosterError
from laddersheet.roster import ROSTER_COLUMNS, Employee, read_roster
from tests.factories import small_ladder

FIXTURES = Path(__file__).parent / "fixtures" / "roster"


@pytest.fixture(scope="module")
def ladder():
    return small_ladder()


def read(name: str, ladder) -> list[Employee]:
    return read_roster(FIXTURES / name, ladder)


def test_valid_roster_is_normalised(ladder):
    people = read("valid.csv", ladder)
    assert [e.employee_id for e in people] == ["H1", "E1", "E2", "E3"]  # blank row skipped
    head, jane, jo, sam = people
    assert head.name == "Hana Head"  # runs of spaces collapsed
    assert head.manager_id == "" and head.target_level is None
    assert (jane.name, jane.track, jane.level) == ("Jane Doe", "IC", "L3")  # "ic", " l3 "
    assert jane.manager_name == "Hana Head"  # filled in from the manager's own row
    assert jane.source == "valid.csv row 3"
    assert (jo.level, jo.target_level) == ("L4", "M1")  # a move to the manager track
    assert (sam.manager_id, sam.manager_name) == ("X9", "Xavier Nine")  # manager not listed


def test_semicolon_and_bom(ladder):
    people = read("semicolon_bom.csv", ladder)
    assert [(e.employee_id, e.level) for e in people] == [("H1", "M3"), ("E1", "L2")]


def test_headers_are_case_space_and_hyphen_insensitive(ladder):
    people = read("header_case_and_spaces.csv", ladder)
    assert people[1].email == "jane@example.com"
    assert people[1].family_id == "family_1"  # family ids are matched case-insensitively too


def test_missing_headers_list_the_expected_ones(ladder):
    with pytest.raises(
        RosterError,
        match=r"missing_headers.csv row 1: missing column\(s\) family_id, level\. Expected "
        r"headers: employee_id, name, .* \(target_level is optional\); unrecognised: famliy",
    ):
        read("missing_headers.csv", ladder)


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "unknown_family.csv",
            r"unknown_family.csv row 3: unknown family 'famly_1' \(did you mean 'family_1'\? "
            r"known: family_1, family_2\)",
        ),
        (
            "unknown_level.csv",
            r"unknown_level.csv row 3: unknown level 'L9' \(known: L1, L2, L3, L4, L5, M1, M2, "
            r"M3, M4\)",
        ),
        ("bad_track.csv", r"bad_track.csv row 3: track must be IC or M, got 'Engineer'"),
        (
            "track_mismatch.csv",
            r"track_mismatch.csv row 2: track IC does not match level M3 \(a M level\)",
        ),
        (
            "duplicate_ids.csv",
            r"duplicate_ids.csv row 4: duplicate employee_id 'E1' \(first on row 3\)",
        ),
        (
            "manager_cycle.csv",
            r"manager_cycle.csv rows 2, 3: manager cycle A1 → B1 → A1",
        ),
        ("self_manager.csv", r"self_manager.csv row 2: 'H1' is their own manager"),
        (
            "blank_manager.csv",
            r"blank_manager.csv row 4: manager_id is blank: only the top of the roster",
        ),
        (
            "manager_name_missing.csv",
            r"row 2: manager_name is blank and manager 'X9' is not in the roster",
        ),
        (
            "unknown_target.csv",
            r"unknown_target.csv row 3: unknown target_level 'L7' \(known: L1,",
        ),
        (
            "target_not_above.csv",
            r"target_not_above.csv row 3: target_level L2 is not above level L3",
        ),
        ("not_utf8.csv", r"not_utf8.csv: not UTF-8 text"),
        ("empty.csv", r"empty.csv: the roster is empty"),
        ("header_only.csv", r"header_only.csv: the roster has a header row but no employees"),
    ],
)
def test_each_problem_names_file_and_row(ladder, fixture, message):
    with pytest.raises(RosterError, match=message):
        read(fixture, ladder)


def test_every_problem_is_reported_at_once(ladder):
    with pytest.raises(RosterError) as caught:
        read("many_problems.csv", ladder)
    message = str(caught.value)
    assert message.startswith("many_problems.csv: 4 roster problems:\n")
    assert "row 3: unknown family 'sales_eng'" in message
    assert "row 4: employee_id is blank" in message
    assert "row 5: unknown level 'L42'" in message
    assert "row 6: unknown target_level 'Q1'" in message
    with pytest.raises(RosterError, match=r"4 roster problems"):
        read("many_problems.csv", ladder)


def test_no_knock_on_problems_from_a_bad_manager_row(ladder, tmp_path):
    # The head's row is bad; their reports must not also be told "manager not in roster".
    path = tmp_path / "roster.csv"
    path.write_text(
        "employee_id,name,email,manager_id,manager_name,family_id,track,level\n"
        "H1,Hana Head,,,,family_1,M,M9\n"
        "E1,Jane Doe,,H1,,family_1,IC,L2\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError, match=r"1 roster problem:\n  - roster.csv row 2: unknown"):
        read_roster(path, ladder)


def test_xlsx_roster_sheet_with_a_title_row(ladder, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Start here"
    book.active["A1"] = "not the roster"
    sheet = book.create_sheet("Roster")
    sheet.append(["Company roster"])  # a title above the header, as in the master
    sheet.append([c.replace("_", " ").title() for c in ROSTER_COLUMNS])
    sheet.append([1001, "Hana Head", "", None, None, "family_1", "M", "M3", None])
    sheet.append([1002, "Jane Doe", "", 1001, "Hana Head", "family_1", "IC", "L2", "L3"])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    people = read_roster(path, ladder)
    assert [(e.employee_id, e.manager_id, e.target_level) for e in people] == [
        ("1001", "", None),
        ("1002", "1001", "L3"),  # numbers typed as ids come back without ".0"
    ]
    assert people[1].source == "roster.xlsx › Roster row 4"


def test_xlsx_without_roster_sheet_uses_the_first(ladder, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(list(ROSTER_COLUMNS[:-1]))
    book.active.append(["E1", "Jane Doe", "", "X9", "Xavier", "family_2", "IC", "L1"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    assert read_roster(path, ladder)[0].family_id == "family_2"


def test_unsupported_and_missing_files(ladder, tmp_path):
    other = tmp_path / "roster.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(RosterError, match=r"roster.pdf: a roster must be a .csv, .xlsx"):
        read_roster(other, ladder)
    with pytest.raises(InputError, match=r"Roster .*nowhere.csv not found"):
        read_roster(tmp_path / "nowhere.csv", ladder)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(RosterError, match=r"broken.xlsx: cannot read the roster"):
        read_roster(broken, ladder)


def test_unparseable_csv(ladder, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("employee_id,name\nE1," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"huge.csv row \d+: not readable as CSV \(field larger"):
        read_roster(path, ladder)
