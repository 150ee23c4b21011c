from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from laddersheet.catalog import load_catalog
from laddersheet.errors import InputError, RosterError
from laddersheet.issues import IssueLog
from laddersheet.ladder import build_ladder
from laddersheet.roster import ROSTER_COLUMNS, Employee, parse_column_map, read_roster
from laddersheet.settings import default_settings
from tests.factories import small_ladder

FIXTURES = Path(__file__).parent / "fixtures" / "roster"


@pytest.fixture(scope="module")
def ladder():
    return small_ladder()


@pytest.fixture(scope="module")
def real():
    """The default ladder: its own titles ("Senior Software Engineer") and family names."""
    return build_ladder(default_settings(), load_catalog())


def read(name: str, ladder, log: IssueLog | None = None, **options) -> list[Employee]:
    return read_roster(FIXTURES / name, ladder, issues=log, **options)


def people(employees: list[Employee]) -> list[tuple[str, ...]]:
    return [
        (e.employee_id, e.name, e.manager_id, e.manager_name, e.family_id, e.track, e.level)
        for e in employees
    ]


def codes(log: IssueLog) -> list[str]:
    return [i.code for i in log if i.severity != "info"]


def test_valid_roster_is_normalised(ladder):
    log = IssueLog()
    found = read("valid.csv", ladder, log)
    assert [e.employee_id for e in found] == ["H1", "E1", "E2", "E3"]  # blank row skipped
    head, jane, jo, sam = found
    assert head.name == "Hana Head"  # runs of spaces collapsed
    assert head.manager_id == "" and head.target_level is None
    assert (jane.name, jane.track, jane.level) == ("Jane Doe", "IC", "L3")  # "ic", " l3 "
    assert jane.manager_name == "Hana Head"  # filled in from the manager's own row
    assert jane.source == "valid.csv row 3"
    assert (jo.level, jo.target_level) == ("L4", "M1")  # a move to the manager track
    assert (sam.manager_id, sam.manager_name) == ("X9", "Xavier Nine")  # manager not listed
    # ... which is not silent: Xavier scores without being scored; Hana is not scored at all
    assert codes(log) == ["roster-not-scored", "roster-manager-outside"]
    outside = log.warnings[1].message
    assert outside.startswith("row 6: manager X9 (Xavier Nine) is not in the roster: they get")


def test_semicolon_and_bom(ladder):
    found = read("semicolon_bom.csv", ladder)
    assert [(e.employee_id, e.level) for e in found] == [("H1", "M3"), ("E1", "L2")]


def test_headers_are_case_space_and_hyphen_insensitive(ladder):
    found = read("header_case_and_spaces.csv", ladder)
    assert found[1].email == "jane@example.com"
    assert found[1].family_id == "family_1"  # family ids are matched case-insensitively too


def test_missing_headers_list_the_expected_ones(ladder):
    with pytest.raises(
        RosterError,
        match=r"missing_headers.csv row 1: missing column\(s\) family_id \(or department, or a "
        r"job title of the ladder\); level \(or a job title of the ladder\)\. Expected "
        r"headers: employee_id, name, .* \(target_level is optional; .*\); unrecognised: famliy",
    ):
        read("missing_headers.csv", ladder)


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "unknown_family.csv",
            r"unknown_family.csv row 3: unknown family 'famly_1' in family_id \(closest: "
            r"family_1 \(Function 1\), family_2 \(Function 2\); a family id or name from the "
            r"Families sheet\)",
        ),
        (
            "unknown_level.csv",
            r"unknown_level.csv row 3: unknown level 'L9' \(nothing close; a level code "
            r"L1, L2, L3, L4, L5, M1, M2, M3, M4 or the ladder's title for the family, e\.g\. "
            r"'Senior Specialist 1'\)",
        ),
        (
            "bad_track.csv",
            r"bad_track.csv row 3: track must be IC or M \(or blank: taken from the level\), "
            r"got 'Engineer'",
        ),
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
            r"blank_manager.csv row 4: manager is blank: only the top of the roster",
        ),
        (
            "manager_name_missing.csv",
            r"manager_name_missing.csv row 2: manager_id 'X9' is nobody in the roster \(nothing "
            r"close\): add the manager's row, or fill manager_name if they score without",
        ),
        (
            "unknown_target.csv",
            r"unknown_target.csv row 3: unknown target_level 'L7' \(nothing close; a level",
        ),
        (
            "target_not_above.csv",
            r"target_not_above.csv row 3: target_level L2 is not above level L3",
        ),
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
        "H1,Hana Head,,X9,Xavier Nine,family_1,M,M9\n"
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
    found = read_roster(path, ladder)
    assert [(e.employee_id, e.manager_id, e.target_level) for e in found] == [
        ("1001", "", None),
        ("1002", "1001", "L3"),  # numbers typed as ids come back without ".0"
    ]
    assert found[1].source == "roster.xlsx › Roster row 4"


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


# --- Exports of HR systems, read as they come ----------------------------------------------------
# Each fixture is written by hand in the style of one HRIS, with the column names its
# documentation (or its connectors' documented schemas) gives; the people are invented.


def test_bamboohr_custom_report(real):
    # BambooHR fields as documented for its employee records (Workato's BambooHR connector,
    # docs.workato.com/connectors/bamboo-hr/new-employee-trigger and ".../list-employees-in-
    # directory-action"): "Employee ID", "Employee number", "First name", "Last name",
    # "Preferred name", "Work Email", "Job title", "Department", "Supervisor ID" (the
    # supervisor's Employee ID), "Supervisor E ID" (the supervisor's employee number).
    # UTF-8 with a BOM, as BambooHR's CSV download.
    log = IssueLog()
    found = read("bamboohr_custom_report.csv", real, log)
    assert people(found) == [
        ("101", "Priya Raman", "", "", "software_engineering", "M", "M4"),
        ("102", "Marcus Okafor", "101", "Priya Raman", "software_engineering", "M", "M2"),
        # "Preferred name" Lena is used with the last name
        ("103", "Lena Fischer", "102", "Marcus Okafor", "software_engineering", "IC", "L3"),
        ("104", "Tomás Herrera", "102", "Marcus Okafor", "software_engineering", "IC", "L4"),
        # department "Engineering" is no family; the ladder title "QA Engineer" says which
        ("105", "Daniel Kowalski", "102", "Marcus Okafor", "quality_assurance", "IC", "L2"),
    ]
    assert found[2].email == "lena.fischer@acme.example"
    # of "Supervisor ID" and "Supervisor E ID", the one holding this file's employee ids is used
    assert (
        "'Supervisor ID' → manager_id" in next(i for i in log if i.code == "roster-columns").message
    )
    assert codes(log) == ["roster-not-scored"]  # Priya, at the top, is not scored: said so
    assert log.warnings[0].message.startswith("row 2: Priya Raman (101) has no manager, so no one")


def test_hibob_people_data_xlsx(real):
    # HiBob's employee fields (Fivetran's HiBob schema, fivetran.com/docs/connectors/
    # applications/hibob/connector-schema: employee_id_in_company, display_name, first_name,
    # email, department, reports_to / manager; Kombo's HiBob model: job_title, work_email),
    # with the labels HiBob shows them under: "Employee ID", "Display name", "Reports to".
    # An .xlsx with a title row above the header and a second sheet.
    log = IssueLog()
    found = read("hibob_people_data.xlsx", real, log)
    assert people(found) == [
        # "Manager, Customer Success" is the ladder's M2 title for the family
        ("200", "Olivia Grant", "199", "Dana Whitfield", "customer_success", "M", "M2"),
        ("201", "Samuel Osei", "200", "Olivia Grant", "customer_success", "IC", "L4"),
        ("202", "Chloé Dubois", "200", "Olivia Grant", "customer_success", "IC", "L3"),
        (
            "203",
            "Maya Patel",
            "200",
            "Olivia Grant",
            "customer_success",
            "IC",
            "L2",
        ),  # "Grant, Olivia"
        ("204", "Ben Adler", "200", "Olivia Grant", "customer_support", "IC", "L1"),
    ]
    assert found[0].source == "hibob_people_data.xlsx › People data row 5"
    # The CEO's title is not on the ladder: fine for the person at the top, who is not scored
    assert codes(log) == ["roster-department-differs", "roster-not-scored"]
    differs, top = log.warnings
    assert differs.message == (
        "row 9: department 'Customer Success' is family customer_success but 'Customer Support "
        "Specialist' is a customer_support title: customer_support is used (fill family_id to "
        "choose)"
    )
    assert top.message.startswith("row 4: Dana Whitfield (199) has no manager")
    assert top.message.endswith("unknown job title 'Chief Executive Officer'")


def test_personio_export_semicolons_in_windows_1252(real):
    # Personio's employee attributes (Personio API as documented in Pipedream's Personio
    # actions, pipedream.com/apps/personio/actions/create-employee: email, first name, last
    # name, position, department, supervisor; preferred_name: developer.personio.de changelog
    # "GET Employees endpoint - Addition of 'preferred_name' attribute"), with "ID" for the
    # employee id. Saved by a German Excel: ';'-separated, Windows-1252, CRLF, dd.mm.yyyy.
    log = IssueLog()
    found = read("personio_export.csv", real, log)
    assert people(found) == [
        ("1", "Jürgen Müller", "", "", "sales", "M", "M3"),
        ("2", "Zoë Lindqvist", "1", "Jürgen Müller", "sales", "M", "M2"),  # Supervisor by name
        ("3", "François Lefèvre", "2", "Zoë Lindqvist", "sales", "IC", "L2"),
        ("4", "Anne Schäfer", "2", "Zoë Lindqvist", "sales", "IC", "L3"),  # "Zoe": accents ignored
        ("5", "Björn Öztürk", "2", "Zoë Lindqvist", "sales_development", "IC", "L2"),
    ]
    assert codes(log) == ["roster-encoding", "roster-not-scored"]
    assert "read as Windows-1252" in log.warnings[0].message


def test_rippling_workers_managers_by_email(real):
    # Rippling's worker fields (Kombo's Rippling model, docs.kombo.dev/hris/connectors/
    # rippling: employee_number, first_name, last_name, job_title, work_email, manager_id;
    # Apideck's Rippling employees: title, department), exported with the manager's work email.
    found = read("rippling_workers.csv", real, IssueLog())
    assert people(found) == [
        ("W-01", "Hannah Brooks", "", "", "product_management", "M", "M3"),
        ("W-02", "Omar Haddad", "W-01", "Hannah Brooks", "product_management", "IC", "L3"),
        ("W-03", "Ravi Shankar", "W-01", "Hannah Brooks", "design", "IC", "L2"),  # any case
        ("W-04", "Emily Carter", "W-02", "Omar Haddad", "product_management", "IC", "L1"),
    ]


def test_gusto_export_with_a_column_map(real):
    # Gusto's employee fields (gusto-api Employee struct on docs.rs: first_name, last_name,
    # preferred_first_name, work_email, department, manager_id, jobs[].title). The export has
    # no employee number and keeps levels in a custom "Ladder Level" column: both are mapped.
    # Job titles are the company's own ("Support Hero II"), so the level column decides and
    # the department names the family ("Customer Support", "Finance & Accounting").
    column_map = parse_column_map(["employee_id=Work Email", "level = Ladder Level"])
    assert column_map == {"employee_id": "Work Email", "level": "Ladder Level"}
    found = read("gusto_employees.csv", real, IssueLog(), column_map=column_map)
    ava = "ava.thompson@acme.example"
    assert people(found) == [
        (ava, "Ava Thompson", "", "", "customer_support", "M", "M3"),
        (
            "jack.turner@acme.example",
            "Jack Turner",
            ava,
            "Ava Thompson",
            "customer_support",
            "IC",
            "L2",
        ),
        (
            "ella.novak@acme.example",
            "Ellie Novak",
            ava,
            "Ava Thompson",
            "customer_support",
            "IC",
            "L3",
        ),
        (
            "noah.kim@acme.example",
            "Noah Kim",
            ava,
            "Ava Thompson",
            "finance_accounting",
            "IC",
            "L2",
        ),
    ]
    assert found[1].email == "jack.turner@acme.example"  # the mapped header still gives email
    # without the map, the missing columns are named, with how to map them
    with pytest.raises(RosterError, match=r"missing column\(s\) employee_id.*--map level="):
        read("gusto_employees.csv", real)


def test_the_export_from_the_issue(real, tmp_path):
    # "Employee Number, First Name, Last Name, Job Title, Department, Reports To, Hire Date":
    # reports-to by id or by name; family by name; level by the ladder's own title.
    path = tmp_path / "export.csv"
    path.write_text(
        "Employee Number,First Name,Last Name,Job Title,Department,Reports To,Hire Date\n"
        "1001,Sam,Lee,VP of Customer Success,Customer Success,,2019-01-07\n"
        "1002,Kim,Ng,Senior Software Engineer,Engineering,1001,2021-04-12\n"
        "1003,Ana,Ruiz,Customer Success Manager,Customer Success,Sam Lee,2022-08-01\n",
        encoding="utf-8",
    )
    assert people(read_roster(path, real)) == [
        ("1001", "Sam Lee", "", "", "customer_success", "M", "M4"),
        ("1002", "Kim Ng", "1001", "Sam Lee", "software_engineering", "IC", "L3"),
        ("1003", "Ana Ruiz", "1001", "Sam Lee", "customer_success", "IC", "L2"),
    ]


def test_windows_1252_and_utf16_text(ladder, tmp_path):
    log = IssueLog()
    (renee,) = read("not_utf8.csv", ladder, log)
    assert renee.name == "Renée Dupont"
    assert codes(log) == ["roster-encoding", "roster-manager-outside"]
    # Excel's "Unicode Text": UTF-16 with a BOM, tab-separated
    path = tmp_path / "unicode.txt"
    text = "employee_id\tname\tmanager_id\tmanager_name\tfamily_id\tlevel\n"
    text += "E1\tZoë\tX9\tXi\tfamily_1\tL2\n"
    path.write_bytes(text.encode("utf-16"))
    assert people(read_roster(path, ladder)) == [
        ("E1", "Zoë", "X9", "Xi", "family_1", "IC", "L2")  # track from the level
    ]
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00garbage")
    with pytest.raises(RosterError, match=r"binary.csv: not text"):
        read_roster(binary, ladder)


# --- Family, track and level in the ladder's own words -------------------------------------------

HEAD = "H1,Hana Head,,,,Software Engineering,M,Director of Engineering\n"


def roster_file(tmp_path, *rows: str, header: str = "") -> object:
    path = tmp_path / "roster.csv"
    header = header or "employee_id,name,email,manager_id,manager_name,family_id,track,level\n"
    path.write_text(header + HEAD + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("family", "track", "level", "expected"),
    [
        ("Customer Success", "", "L2", ("customer_success", "IC", "L2")),  # family by name
        ("customer success", "ic", "l3", ("customer_success", "IC", "L3")),
        ("", "", "Senior Software Engineer", ("software_engineering", "IC", "L3")),
        (
            "software_engineering",
            "",
            "senior  software engineer",
            ("software_engineering", "IC", "L3"),
        ),
        ("", "Management", '"Manager, Customer Success"', ("customer_success", "M", "M2")),
        ("", "", "Data Analyst", ("data_analytics", "IC", "L2")),  # half of "A / B" titles
    ],
)
def test_family_track_and_level_by_id_name_or_title(real, tmp_path, family, track, level, expected):
    path = roster_file(tmp_path, f"E1,Jo,,H1,,{family},{track},{level}\n")
    employee = read_roster(path, real)[1]
    assert (employee.family_id, employee.track, employee.level) == expected


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "E1,Jo,,H1,,Custmer Success,,L2",
            r"row 3: unknown family 'Custmer Success' in family_id \(closest: customer_success "
            r"\(Customer Success\)",
        ),
        (
            "E1,Jo,,H1,,,,Senior Sofware Engineer",
            r"row 3: unknown level 'Senior Sofware Engineer' \(closest: Senior Software "
            r"Engineer, .*; a level code L1, .* or the ladder's title for the family",
        ),
        (
            "E1,Jo,,H1,,customer_success,,Senior Software Engineer",
            r"row 3: 'Senior Software Engineer' is a title of software_engineering, not of family "
            r"customer_success: correct the family or the title",
        ),
        (
            "E1,Jo,,H1,,,M,Senior Software Engineer",
            r"row 3: track M does not match level L3 \(a IC level\)",
        ),
        (
            "E1,Jo,,H1,,,,L2",
            r"row 3: no family: family_id is blank and 'L2' is a level code, not a title",
        ),
    ],
)
def test_unknown_or_conflicting_placements_name_row_value_and_closest(real, tmp_path, row, message):
    with pytest.raises(RosterError, match=message):
        read_roster(roster_file(tmp_path, row + "\n"), real)


def test_an_ambiguous_title_is_an_error_naming_the_candidates(ladder, tmp_path):
    # two families with the same title noun share every IC title ("Senior Specialist")
    families = tuple(replace(f, title_noun="Specialist") for f in ladder.families)
    ladder = replace(ladder, families=families)
    first, second = (ladder.title(f.family_id, "L3") for f in ladder.families)
    assert first == second == "Senior Specialist"
    path = tmp_path / "roster.csv"
    path.write_text(
        f"employee_id,name,manager_id,manager_name,job_title\nE1,Jo,X9,Xavier,{first}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        RosterError,
        match=r"row 2: 'Senior Specialist' is ambiguous: it is the title of family_1 L3, "
        r"family_2 L3; "
        r"fill family_id",
    ):
        read_roster(path, ladder)


# --- Column maps -----------------------------------------------------------------------------


def test_a_mapped_header_that_is_not_in_the_file_names_it_and_lists_the_headers(real):
    with pytest.raises(
        RosterError,
        match=r"rippling_workers.csv row 1: --map level='Career Band': no such header in the "
        r"file\. Its headers are: 'Worker ID', 'First name', 'Last name', 'Work email', 'Title', "
        r"'Department', 'Manager email', 'Start date'",
    ):
        read("rippling_workers.csv", real, column_map={"level": "Career Band"})


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("level", r"--map 'level': write it as our_column=Their Header"),
        ("=Level", r"write it as our_column=Their Header"),
        ("levle=Grade", r"'levle' is not a roster column \(did you mean 'level'\? columns: "),
    ],
)
def test_bad_map_options(item, message):
    with pytest.raises(InputError, match=message):
        parse_column_map([item])
    with pytest.raises(InputError, match=r"--map level is given twice"):
        parse_column_map(["level=A", "level=B"])


# --- Manager mistakes: errors or warnings, never silent -------------------------------------------


def test_a_manager_id_that_is_nobody_but_whose_name_is_someone_is_an_error(real, tmp_path):
    # today's phantom: a typo in the id would make a second workbook for "Hana Head"
    path = roster_file(tmp_path, "E1,Jo,,HI,Hana Head,Software Engineering,,L2\n")
    with pytest.raises(
        RosterError,
        match=r"row 3: manager_id 'HI' is nobody in the roster, but manager_name 'Hana Head' is "
        r"H1 \(row 2\): correct manager_id",
    ):
        read_roster(path, real)


def test_a_manager_id_that_is_nobody_without_a_name_is_an_error(real, tmp_path):
    path = roster_file(tmp_path, "E1,Jo,,H11,,Software Engineering,,L2\n")
    with pytest.raises(
        RosterError,
        match=r"row 3: manager_id 'H11' is nobody in the roster \(closest: H1\): add the "
        r"manager's row",
    ):
        read_roster(path, real)


def test_a_manager_name_that_disagrees_with_the_id_is_a_warning(real, tmp_path):
    log = IssueLog()
    path = roster_file(tmp_path, "E1,Jo,,H1,Harry Hill,Software Engineering,,L2\n")
    jo = read_roster(path, real, issues=log)[1]
    assert (jo.manager_id, jo.manager_name) == ("H1", "Hana Head")  # the id wins
    assert [i.message for i in log.warnings if i.code == "roster-manager-name-differs"] == [
        "row 3: manager_name 'Harry Hill' disagrees with manager H1, who is 'Hana Head' (row 2): "
        "H1 is used; correct one of them"
    ]


@pytest.mark.parametrize(
    ("reports_to", "message"),
    [
        ("Hanna Head", r"row 3: manager 'Hanna Head' is nobody in the roster \(closest: Hana Head"),
        ("Jo", r"row 4: manager 'Jo' is ambiguous: 2 people have that name \(E1 \(row 3\), E2 "),
        ("nobody@acme.example", r"row 3: manager email 'nobody@acme.example' is nobody"),
    ],
)
def test_managers_by_name_or_email_that_match_nobody_or_several(
    real, tmp_path, reports_to, message
):
    first, second = ("Hana Head", "Jo") if reports_to == "Jo" else (reports_to, "H1")
    path = tmp_path / "roster.csv"
    path.write_text(
        "Employee ID,Name,Email,Reports To,Job Title\n"
        "H1,Hana Head,hana@acme.example,,Director of Engineering\n"
        f"E1,Jo,jo1@acme.example,{first},Software Engineer\n"
        f"E2,Jo,jo2@acme.example,{second},Software Engineer\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError, match=message):
        read_roster(path, real)


def test_the_person_at_the_top_is_listed_as_not_scored(real, tmp_path):
    log = IssueLog()
    found = read_roster(roster_file(tmp_path, "E1,Jo,,H1,,,,Software Engineer\n"), real, issues=log)
    assert [e.employee_id for e in found] == ["H1", "E1"]
    (warning,) = log.warnings
    assert warning.code == "roster-not-scored"
    assert warning.file == "roster.csv"
    assert warning.message.startswith(
        "row 2: Hana Head (H1) has no manager, so no one gets a scoring sheet for them: they are "
        "not scored in this cycle and not counted in the report. To score them, fill in who "
        "scores them"
    )


def test_employee_numbers_pair_with_supervisor_e_ids(real, tmp_path):
    # the README's BambooHR example: only the company's numbers, no BambooHR ids
    path = tmp_path / "bamboo.csv"
    path.write_text(
        "Employee number,First name,Last name,Job title,Department,Supervisor E ID\n"
        "E-1,Priya,Raman,Director of Engineering,Engineering,\n"
        "E-2,Lena,Fischer,Software Engineer,Engineering,E-1\n",
        encoding="utf-8",
    )
    assert people(read_roster(path, real))[1] == (
        "E-2",
        "Lena Fischer",
        "E-1",
        "Priya Raman",
        "software_engineering",
        "IC",
        "L2",
    )


def test_sheets_command_takes_map_options_and_shows_roster_warnings(tmp_path):
    from click.testing import CliRunner

    from laddersheet.cli import cli
    from laddersheet.main import generate

    master = generate(None, tmp_path / "master.xlsx")
    roster = FIXTURES / "gusto_employees.csv"
    runner = CliRunner()
    args = ["sheets", str(master), "--roster", str(roster), "--out", str(tmp_path / "s")]
    maps = ["--map", "employee_id=Work Email", "--map", "level=Ladder Level"]
    result = runner.invoke(cli, [*args, *maps])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 scoring workbooks for 4 employees" in result.output
    assert "gusto_employees.csv: row 2: Ava Thompson" in result.output  # not scored: said so
    assert "[roster-not-scored]" in result.output
    missing = runner.invoke(cli, [*args, "--map", "level=Career Band"])
    assert missing.exit_code == 2
    assert "--map level='Career Band': no such header in the file" in missing.output
    assert "'Ladder Level'" in missing.output  # the file's headers are listed


def test_messages_name_a_person_with_their_id_or_by_the_id_alone():
    ana = Employee("E101", "Ana Ábalos", "", "M1", "", "eng", "IC", "L2", None)
    assert ana.label == "Ana Ábalos (E101)"
    assert replace(ana, name="").label == "E101"
