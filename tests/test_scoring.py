from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from laddersheet.layout import (
    META_SHEET,
    SCORING_COVER_SHEET,
    SCORING_HEADERS,
    SCORING_META_EMPLOYEE_HEADERS,
    SCORING_META_SENT_HEADERS,
    SCORING_SCHEMA_VERSION,
    SCORING_TABLE_HEADER_ROW,
)
from laddersheet.roster import Employee
from laddersheet.scoring import (
    COL_EVIDENCE,
    COL_SCORE,
    COL_SCORE_READ,
    HELPER_FIRST_COL,
    score_column_width,
    score_input_message,
    scoring_rows,
    write_scoring_workbooks,
)
from laddersheet.settings import default_settings_text, parse_settings
from tests.factories import small_ladder

HEADER_ROW = SCORING_TABLE_HEADER_ROW + 1  # 1-based, as openpyxl counts
READ_LETTER = get_column_letter(COL_SCORE_READ + 1)
SCORE, EVIDENCE = COL_SCORE + 1, COL_EVIDENCE + 1


def person(employee_id: str, name: str, manager: str, level: str, **extra) -> Employee:
    track = "M" if level.startswith("M") else "IC"
    fields = {
        "email": "",
        "manager_name": "",
        "family_id": "family_1",
        "track": track,
        "target_level": None,
    }
    fields.update(extra)
    return Employee(employee_id, name, manager_id=manager, level=level, **fields)


TEAM = [
    person("H1", "Hana Head", "", "M3"),
    person("E1", "Jane Doe", "H1", "L3"),
    person("E2", "Jo O'Brien", "H1", "L4", family_id="family_2", target_level="M1"),
    person("E3", "Pat Top", "H1", "L5"),  # top of the IC track: no target
    person("E4", '=HYPERLINK("http://x")', "H1", "L1"),  # must stay text
    person("E5", "A Very Long Name That Goes On And On Forever", "H1", "L2"),
    person("E6", "A Very Long Name That Goes On And On Forever", "H1", "L2"),
    person("E7", "Sam Other", "X9", "L2", manager_name="Hana Head"),  # same manager name
]


@pytest.fixture(scope="module")
def ladder():
    return small_ladder()


@pytest.fixture(scope="module")
def written(ladder, tmp_path_factory):
    out = tmp_path_factory.mktemp("scoring")
    seen: list[Path] = []
    paths = write_scoring_workbooks(ladder, TEAM, out, on_progress=seen.append)
    return paths, seen


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written[0][0])


def table(sheet) -> list[tuple]:
    """The score table's rows: down to its first blank row (the development plan follows)."""
    found = []
    for row in sheet.iter_rows(
        min_row=HEADER_ROW + 1, max_col=len(SCORING_HEADERS), values_only=True
    ):
        if row[0] is None:
            break
        found.append(row)
    return found


def header_block(sheet) -> dict[str, object]:
    return {
        row[0]: row[1]
        for row in sheet.iter_rows(min_row=1, max_row=HEADER_ROW - 1, max_col=2, values_only=True)
        if row[0]
    }


def test_one_workbook_per_manager_named_after_them(written):
    paths, seen = written
    # Hana (H1) and the unlisted X9 share a name: unique file names; the head gets no sheet.
    assert [p.name for p in paths] == ["Scoring - Hana Head.xlsx", "Scoring - Hana Head (2).xlsx"]
    assert seen == paths


def test_sheets_cover_reports_and_hidden_meta(book):
    names = book.sheetnames
    assert names[0] == SCORING_COVER_SHEET and names[-1] == META_SHEET
    assert book[META_SHEET].sheet_state == "hidden"
    reports = names[1:-1]
    assert len(reports) == 6 and all(len(n) <= 31 for n in reports)
    assert len({n.casefold() for n in reports}) == 6  # same long name twice: still unique
    assert reports[:3] == ["Jane Doe", "Jo O'Brien", "Pat Top"]
    assert [book[n].sheet_state for n in reports] == ["visible"] * 6


def test_employee_sheet_header_block_and_table(book, ladder):
    sheet = book["Jane Doe"]
    block = header_block(sheet)
    assert block["Employee ID"] == "E1"
    assert block["Family ID"] == "family_1"
    assert (block["Current level"], block["Target level"]) == ("L3", "L4")
    assert block["Current title"] == "Senior Specialist 1"
    assert block["Target title"] == "Staff Specialist 1"
    assert str(block["Ready for target"]).startswith("=IF(COUNT($K$")
    headers = next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    assert headers[: len(SCORING_HEADERS)] == SCORING_HEADERS
    rows = table(sheet)
    assert [r[0] for r in rows] == ladder.competency_ids("family_1", "IC")
    first = rows[0]
    expectation = ladder.expectation("family_1", "IC", "L3", "comp-1")
    target = ladder.expectation("family_1", "IC", "L4", "comp-1")
    assert first[1:7] == (
        "Competency 1",
        "Problem solving",
        expectation.expected,
        target.expected,
        expectation.statement,
        target.statement,
    )
    assert first[7] is None and first[8] is None  # Score and Evidence start blank
    row = HEADER_ROW + 1
    read = f"{READ_LETTER}{row}"  # the score as ingest reads it: blank, a number or "invalid"
    assert first[9] == (
        f'=IF({read}="","",IF(ISNUMBER({read}),IF(D{row}="","",MAX(0,D{row}-{read})),"invalid"))'
    )
    assert first[10] == (
        f'=IF({read}="","",IF(ISNUMBER({read}),IF(E{row}="","",MAX(0,E{row}-{read})),"invalid"))'
    )


def test_move_to_the_manager_track_scores_the_union(book, ladder):
    rows = table(book["Jo O'Brien"])
    ids = [r[0] for r in rows]
    assert ids == [*ladder.competency_ids("family_2", "IC"), "coaching"]
    coaching = rows[-1]
    assert coaching[3] is None and coaching[5] is None  # nothing expected now: IC lacks it
    assert coaching[4] == ladder.expectation("family_2", "M", "M1", "coaching").expected


def test_top_of_track_has_no_target(book):
    sheet = book["Pat Top"]
    assert header_block(sheet)["Target level"] is None
    assert all(r[4] is None and r[6] is None for r in table(sheet))


def test_text_never_becomes_a_formula(book):
    sheet = book[book.sheetnames[4]]
    cell = sheet.cell(4, 2)  # the Employee value of the header block
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_score_dropdown_with_labels(book, ladder):
    sheet = book["Jane Doe"]
    [validation] = [  # the Score column's; the plan's come after
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith("H")
    ]
    count = len(ladder.competency_ids("family_1", "IC"))
    assert str(validation.sqref) == f"H{HEADER_ROW + 1}:H{HEADER_ROW + count}"
    assert validation.type == "list" and validation.formula1 == '"1,2,3,4,5"'
    assert (
        validation.prompt == "1 Learning · 2 Developing · 3 Proficient · 4 Advanced · 5 Role model"
    )
    assert validation.errorStyle in (None, "stop")  # absent means "stop" in OOXML
    assert validation.showErrorMessage and validation.allow_blank


def test_input_message_stays_within_excel_limit():
    long_scale = default_settings_text().replace('label = "Learning"', f'label = "{"L" * 240}"')
    settings = parse_settings(long_scale)
    message = score_input_message(settings.scale)
    assert len(message) <= 255 and message.startswith("1 to 5: see the rubric")


def test_only_score_and_evidence_are_unlocked_in_the_table(book):
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.protection.sheet, name
        assert sheet.protection.password is None, name  # no password: it guards against slips
        unlocked = {
            (cell.row, cell.column)
            for row in sheet.iter_rows()
            for cell in row
            if cell.has_style and not cell.protection.locked
        }
        if name in (SCORING_COVER_SHEET, META_SHEET):
            assert unlocked == set(), name
            continue
        rows = range(HEADER_ROW + 1, HEADER_ROW + 1 + len(table(sheet)))
        above_plan = {(r, c) for r, c in unlocked if r <= rows[-1] + 1}
        assert above_plan == {(r, c) for r in rows for c in (SCORE, EVIDENCE)}, name
        # under it, the plan's inputs (tests/test_plan.py checks them cell by cell), in A:E
        assert {c for r, c in unlocked - above_plan} <= {1, 2, 3, 4, 5}, name


def test_gaps_are_formatted_conditionally(book):
    sheet = book["Jane Doe"]
    first, last = HEADER_ROW + 1, HEADER_ROW + 8
    rules = {str(rng.sqref): rng.rules for rng in sheet.conditional_formatting}
    gap_rules = rules[f"J{first}:K{last}"]
    assert [(r.operator, r.formula) for r in gap_rules] == [
        ("between", ["0.01", "1.99"]),
        ("between", ["2", "1000"]),
        ("between", ["0", "0"]),
    ]
    [invalid] = rules[f"A{first}:K{last}"]  # the whole row turns red
    assert invalid.formula == [f'${READ_LETTER}{first}="invalid"']


def test_cover_lists_reports_with_status_and_rubric(book):
    cover = book[SCORING_COVER_SHEET]
    rows = list(cover.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Name")
    jane = rows[header_at + 1]
    assert jane[:4] == ("Jane Doe", "E1", "L3", "L4")
    read = f"'Jane Doe'!${READ_LETTER}$19:${READ_LETTER}$26"  # scores as ingest reads them
    assert jane[4] == (
        f'=IF(COUNTIF({read},"invalid")>0,"To fix",IF(COUNT({read})=0,"Not started",'
        f'IF(COUNT({read})>=8,"Done","In progress")))'
    )
    assert jane[5] == f"=COUNT({read})/8"
    jo = rows[header_at + 2]  # apostrophe doubled in the reference
    assert jo[5] == f"=COUNT('Jo O''Brien'!${READ_LETTER}$19:${READ_LETTER}$27)/9"
    assert cover.cell(header_at + 2, 1).hyperlink.location == "'Jane Doe'!A1"
    rubric = [r for r in rows if r[0] in (1, 2, 3, 4, 5)]
    assert [r[1] for r in rubric] == [
        "Learning",
        "Developing",
        "Proficient",
        "Advanced",
        "Role model",
    ]
    assert rubric[2][2].startswith("Does the full job")


def test_meta_binds_file_to_master_and_sheets_to_people(book, ladder):
    rows = [r for r in book[META_SHEET].iter_rows(values_only=True) if any(r)]
    employee_header = next(i for i, r in enumerate(rows) if r[0] == "employee_id")
    assert rows[employee_header][:7] == SCORING_META_EMPLOYEE_HEADERS
    values = {r[0]: r[1] for r in rows[:employee_header]}
    assert values["kind"] == "scoring"
    assert values["schema_version"] == str(SCORING_SCHEMA_VERSION)
    assert values["content_digest"] == ladder.content_digest()
    assert (values["manager_id"], values["manager_name"]) == ("H1", "Hana Head")
    table_rows = [r[:7] for r in rows[employee_header + 1 :]]
    assert table_rows[0] == ("E1", "Jane Doe", "Jane Doe", "family_1", "IC", "L3", "L4")
    assert table_rows[2][-1] is None  # Pat Top: no target
    assert [r[1] for r in table_rows] == book.sheetnames[1:-1]


def test_a_managers_workbook_names_no_one_outside_their_team(book):
    """Anyone can unhide _meta: it holds this team only (who else was sent is not theirs)."""
    team = {e.employee_id for e in TEAM if e.manager_id == "H1"} | {"H1"}
    others = {e.employee_id for e in TEAM} - team
    assert others == {"E7"}  # Sam Other: another manager's report, sent a sheet in this run
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert value not in others, (sheet.title, value)
        rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
        assert not any(r[0] == SCORING_META_SENT_HEADERS[0] for r in rows)


def test_print_setup_on_every_sheet(book):
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.oddFooter.center.text == "Page &P of &N", name
    cover = book["Cover"]
    assert cover.sheet_properties.pageSetUpPr.fitToPage and cover.page_setup.fitToHeight == 0
    # a person's sheet is too wide for one page at a readable size: it spreads across three
    # pages at a fixed scale of 85 % or more, its competency id and name repeated on each
    jane = book["Jane Doe"]
    assert not jane.sheet_properties.pageSetUpPr.fitToPage
    assert jane.page_setup.scale >= 85 and jane.print_title_cols == "$A:$B"
    assert len(jane.col_breaks.brk) == 2
    assert jane.page_setup.orientation == "landscape"
    assert jane.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_scoring_rows_for_a_move_and_for_the_top(ladder):
    mover = person("E2", "Jo", "H1", "L4", target_level="M1")
    rows = scoring_rows(ladder, mover)
    assert rows[-1].competency_id == "coaching" and rows[-1].expected_now is None
    top = scoring_rows(ladder, person("E3", "Pat", "H1", "L5"))
    assert all(r.expected_next is None and r.statement_next == "" for r in top)


def test_reproducible_bytes(ladder, tmp_path):
    first = write_scoring_workbooks(ladder, TEAM[:3], tmp_path / "a")
    second = write_scoring_workbooks(ladder, TEAM[:3], tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_score_column_fits_a_label_and_the_reading_helpers_are_hidden(book, ladder):
    sheet = book["Jane Doe"]
    score = sheet.column_dimensions[get_column_letter(SCORE)]
    assert score.width >= len("2 - Developing") + 1  # a pasted label is readable
    assert score_column_width(ladder.settings.scale) == len("5 - Role model") + 2
    hidden = {
        col
        for dimension in sheet.column_dimensions.values()
        if dimension.hidden
        for col in range(dimension.min, dimension.max + 1)
    }
    # 1-based: the reading helpers and the plan's suggested actions, one per score row
    assert hidden == set(range(HELPER_FIRST_COL + 1, COL_SCORE_READ + 3))
    row = HEADER_ROW + 1
    read = sheet[f"{READ_LETTER}{row}"].value
    assert read.startswith(f'=IF(ISERROR(H{row}),"invalid"')
    assert sheet[f"{get_column_letter(HELPER_FIRST_COL + 1)}{row}"].value.startswith(
        f"=IF(ISTEXT(H{row}),TRIM(SUBSTITUTE("
    )


def test_scored_figure_counts_valid_scores_and_says_how_many_are_not(book):
    sheet = book["Jane Doe"]
    rows = {row[0].value: row for row in sheet.iter_rows(max_col=3) if row[0].value}
    read = f"${READ_LETTER}${HEADER_ROW + 1}:${READ_LETTER}${HEADER_ROW + 8}"
    scored = rows["Scored"]
    assert scored[1].value == f"=COUNT({read})/8"
    assert scored[2].value.startswith(f'="of 8 competencies"&IF(COUNTIF({read},"invalid")>0,')


def test_a_row_is_as_tall_as_its_longest_wrapped_text_whatever_column(tmp_path):
    """A long domain (13 characters wide) beside short statements must not be cut."""
    import dataclasses

    from laddersheet.scoring import COL_DOMAIN
    from laddersheet.workbook import row_height

    domain = "Governance, disputes and professional duty"
    ladder = small_ladder()
    short = tuple(
        dataclasses.replace(e, domain=domain, statement="Does it.") for e in ladder.expectations
    )
    ladder = dataclasses.replace(ladder, expectations=short)
    (path,) = write_scoring_workbooks(ladder, TEAM[:2], tmp_path, jobs=1)
    sheet = openpyxl.load_workbook(path)["Jane Doe"]
    first = HEADER_ROW + 1
    width = sheet.column_dimensions[get_column_letter(COL_DOMAIN + 1)].width
    assert sheet.cell(first, COL_DOMAIN + 1).value == domain
    needed = row_height([(domain, int(width))])  # xlsxwriter adds its padding to the width
    assert needed is not None and sheet.row_dimensions[first].height >= needed
