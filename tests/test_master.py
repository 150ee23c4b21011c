"""The master-template workbook: written, edited (openpyxl, LibreOffice), read back."""

import dataclasses
import functools
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from laddersheet import layout
from laddersheet.errors import WorkbookError
from laddersheet.ladder import Ladder, LadderFamily
from laddersheet.master import read_master, write_master
from laddersheet.roster import ROSTER_COLUMNS
from laddersheet.settings import Scale, ScalePoint
from laddersheet.workbook import EXCEL_MAX_SHEET_NAME
from tests.factories import small_ladder

EXPECTATIONS = layout.EXPECTATIONS_SHEET
COLUMN = {
    name: openpyxl.utils.get_column_letter(i + 1)
    for i, name in enumerate(layout.EXPECTATION_HEADERS)
}
CONTENT_DIGEST_CELL = f"B{layout.META_MASTER_KEYS.index('content_digest') + 2}"
EDITED = ["info", "content-edited", layout.META_SHEET, CONTENT_DIGEST_CELL]


@pytest.fixture(scope="module")
def ladder() -> Ladder:
    return small_ladder()


@pytest.fixture(scope="module")
def master(ladder: Ladder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_master(ladder, tmp_path_factory.mktemp("master") / "master.xlsx")


def rows_by_key(sheet) -> dict[tuple[str, str, str, str], int]:
    """(family_id, track, level, competency_id) -> 1-based row of the Expectations sheet."""
    return {
        tuple(row[:4]): number
        for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2)
        if row[0]
    }


def edited_copy(master: Path, tmp_path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(master)
    edit(book)
    out = tmp_path / "edited.xlsx"
    book.save(out)
    return out


def set_cell(key: tuple[str, str, str, str], column: str, value: object):
    def edit(book: openpyxl.Workbook) -> None:
        sheet = book[EXPECTATIONS]
        sheet[f"{COLUMN[column]}{rows_by_key(sheet)[key]}"] = value

    return edit


def append_row(*values: object):
    def edit(book: openpyxl.Workbook) -> None:
        book[EXPECTATIONS].append(list(values))

    return edit


@functools.cache
def master_rows(master: Path) -> tuple[dict[tuple[str, str, str, str], int], int]:
    """The generated master's Expectations rows by key, and its last row (read once)."""
    sheet = openpyxl.load_workbook(master, read_only=True)[EXPECTATIONS]
    rows = rows_by_key(sheet)
    return rows, max(rows.values())


def cell_of(master: Path, key: tuple[str, str, str, str], column: str) -> str:
    return f"{COLUMN[column]}{master_rows(master)[0][key]}"


def new_row_cell(master: Path, column: str) -> str:
    """Where a row appended below the table lands."""
    return f"{COLUMN[column]}{master_rows(master)[1] + 1}"


def assert_same_ladder(read: Ladder, written: Ladder) -> None:
    assert read.expectations == written.expectations
    assert read.competencies == written.competencies
    assert read.actions == written.actions
    assert read.families == written.families
    assert read.settings == written.settings  # every field, digest included
    assert read.releases == written.releases
    assert read.attribution == written.attribution


# ------------------------------------------------------------------------------- round trip


def test_write_then_read_gives_the_same_ladder(master: Path, ladder: Ladder) -> None:
    result = read_master(master)
    assert_same_ladder(result.ladder, ladder)
    assert result.issues.flatten() == []
    assert result.ladder.meta[layout.META_KIND] == layout.KIND_MASTER
    assert result.ladder.meta["content_digest"] == ladder.content_digest()


def test_text_that_looks_like_a_formula_stays_text(ladder: Ladder, tmp_path: Path) -> None:
    tricky = ("=SUM(A1:A9)", "+1 555 0100", "-minus", "@mention", '=HYPERLINK("http://x")')
    rows = list(ladder.expectations)
    for i, text in enumerate(tricky):
        rows[i] = dataclasses.replace(rows[i], statement=text)
    strange = dataclasses.replace(ladder, expectations=tuple(rows))
    read = read_master(write_master(strange, tmp_path / "m.xlsx"))
    assert read.ladder.expectations == strange.expectations
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")[EXPECTATIONS]
    assert sheet[f"{COLUMN['statement']}2"].data_type == "s"


def test_writing_twice_gives_identical_bytes(ladder: Ladder, tmp_path: Path) -> None:
    first = write_master(ladder, tmp_path / "a.xlsx").read_bytes()
    second = write_master(ladder, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_write_leaves_no_temporary_files(ladder: Ladder, tmp_path: Path) -> None:
    write_master(ladder, tmp_path / "m.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["m.xlsx"]


# ---------------------------------------------------------------------------------- layout


def test_sheets_in_order_with_hidden_helpers(master: Path) -> None:
    book = openpyxl.load_workbook(master)
    assert book.sheetnames == [
        "Start here",
        "Settings",
        "Levels",
        "Families",
        "Family levels",
        "Expectations",
        "Competencies",
        "Development actions",
        "Roster",
        "Function 1",
        "Function 2",
        "_lists",
        "_meta",
    ]
    hidden = [ws.title for ws in book.worksheets if ws.sheet_state == "hidden"]
    assert hidden == ["_lists", "_meta"]


def test_expectations_sheet_is_a_clean_machine_table(master: Path) -> None:
    book = openpyxl.load_workbook(master)
    sheet = book[EXPECTATIONS]
    headers = [c.value for c in sheet[1]]
    assert headers == list(layout.EXPECTATION_HEADERS)
    assert {"family_id", "track", "level", "competency_id", "competency", "domain"} <= set(headers)
    assert {"expected", "statement", "onet_element_id", "onet_im", "onet_lv"} <= set(headers)
    assert not sheet.merged_cells.ranges
    assert sheet.freeze_panes == "F2"
    assert list(sheet.tables) == ["tbl_expectations"]
    assert book.defined_names[layout.NAME_EXPECTATIONS].attr_text == (
        f"'Expectations'!$A$1:$N${sheet.max_row}"
    )
    (expected,) = [
        dv for dv in sheet.data_validations.dataValidation if COLUMN["expected"] in str(dv.sqref)
    ]
    # "between" is the default operator, so it is left out of the file.
    assert (expected.type, expected.operator, expected.formula1, expected.formula2) == (
        "whole",
        None,
        "1",
        "5",
    )


def test_roster_is_ready_for_input(master: Path) -> None:
    sheet = openpyxl.load_workbook(master)[layout.ROSTER_SHEET]
    header = layout.ROSTER_HEADER_ROW + 1
    assert [c.value for c in sheet[header]] == list(ROSTER_COLUMNS)
    assert all(c.value for c in sheet[layout.ROSTER_NOTES_ROW + 1])  # a note for every column
    validations = {
        str(dv.sqref).split(":")[0][:1]: dv for dv in sheet.data_validations.dataValidation
    }
    assert len(validations) == len(ROSTER_COLUMNS)  # every input column is checked
    last = header + layout.ROSTER_PREPARED_ROWS
    family = validations["F"]
    assert (family.type, family.formula1, str(family.sqref)) == (
        "list",
        layout.NAME_LIST_FAMILY_IDS,
        f"F{header + 1}:F{last}",
    )
    assert validations["G"].formula1 == '"IC,M"'
    assert validations["H"].formula1 == validations["I"].formula1 == layout.NAME_LIST_LEVEL_CODES


def test_every_sheet_prints_landscape_with_repeated_headers(master: Path) -> None:
    """Fitted one page wide where that stays readable, else at a fixed scale of 85 % or more
    (tests/test_printing.py measures the printed text)."""
    book = openpyxl.load_workbook(master)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.print_title_rows, sheet.title
        if sheet.sheet_properties.pageSetUpPr.fitToPage:
            assert sheet.page_setup.fitToHeight == 0, sheet.title  # one page wide, any length
        else:
            assert sheet.page_setup.scale >= 85, sheet.title


def test_excel_limits_are_respected(master: Path) -> None:
    book = openpyxl.load_workbook(master)
    for sheet in book.worksheets:
        assert len(sheet.title) <= EXCEL_MAX_SHEET_NAME
        for dv in sheet.data_validations.dataValidation:
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
            if dv.type == "list":
                assert len(dv.formula1) <= 255
        for row in sheet.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("="))


def test_family_sheets_get_valid_unique_names(ladder: Ladder, tmp_path: Path) -> None:
    families = (
        LadderFamily("a", "Research & Development: Platform/Infrastructure [core]", "Engineer", ""),
        LadderFamily("b", "Research & Development: Platform/Infrastructure [edge]", "Engineer", ""),
        LadderFamily("c", "Roster", "Clerk", ""),
    )
    rows = [
        dataclasses.replace(e, family_id=f.family_id)
        for f in families
        for e in ladder.expectations
        if e.family_id == "family_1"
    ]
    odd = dataclasses.replace(ladder, families=families, expectations=tuple(rows))
    book = openpyxl.load_workbook(write_master(odd, tmp_path / "m.xlsx"))
    names = book.sheetnames[9:12]
    assert names == [
        "Research & Development- Platfor",
        "Research & Development- Pla (2)",
        "Roster (2)",
    ]
    links = [c.hyperlink.location for c in book[layout.FAMILIES_SHEET]["H"][1:]]
    assert links == [f"'{name}'!A1" for name in names]
    assert read_master(tmp_path / "m.xlsx").ladder.families == families


def test_family_sheet_shows_titles_and_statements(master: Path, ladder: Ladder) -> None:
    sheet = openpyxl.load_workbook(master)["Function 1"]
    assert sheet["A1"].value == "Function 1: career ladder"
    assert sheet["B4"].value == "L1 · Associate Specialist 1"
    assert sheet["B5"].value == "M1 · Team Lead, Function 1"
    assert sheet.print_title_rows == "$1:$5"
    assert sheet.freeze_panes == "B6"
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    statement = ladder.expectation("family_1", "IC", "L3", "comp-2").statement
    assert f"L3 · 3 Proficient\n{statement}" in texts


def assert_pages_planned(sheet) -> None:
    """The manager block starts a page, and no page ends on a heading row."""
    breaks = [brk.id for brk in sheet.row_breaks.brk]  # id: the last row above the break
    first_column = [c.value for c in sheet["A"]]
    manager_band = first_column.index("Manager (M) track") + 1  # 1-based row
    assert manager_band - 1 in breaks
    for last_row in breaks:
        # Headings: track and domain bands (text in A only) and the scope row.
        heading = sheet.cell(last_row, 2).value is None or (
            first_column[last_row - 1] in ("Scope and autonomy", "What the level is, and its scope")
        )
        assert not heading, f"{sheet.title}: page ends on heading row {last_row}"


def test_family_sheet_pages_are_planned(master: Path) -> None:
    sheet = openpyxl.load_workbook(master)["Function 1"]
    assert_pages_planned(sheet)


def test_long_text_stays_whole_and_rows_stay_within_excel_limits(
    ladder: Ladder, tmp_path: Path
) -> None:
    essay = " ".join(f"Sentence {i} about what good looks like at this level." for i in range(200))
    rows = list(ladder.expectations)
    rows[0] = dataclasses.replace(rows[0], statement=essay[:3990])
    long = dataclasses.replace(ladder, expectations=tuple(rows))
    path = write_master(long, tmp_path / "m.xlsx")
    assert read_master(path).ladder.expectations[0].statement == essay[:3990]
    for sheet in openpyxl.load_workbook(path).worksheets:
        heights = [d.height for d in sheet.row_dimensions.values() if d.height]
        assert max(heights, default=0) <= 409, sheet.title


# ------------------------------------------------------------------------------ HR's edits


def test_openpyxl_edit_is_read_back(master: Path, tmp_path: Path) -> None:
    key = ("family_1", "IC", "L2", "comp-3")
    path = edited_copy(
        master,
        tmp_path,
        lambda book: (
            set_cell(key, "statement", "  Writes the runbook others follow.  ")(book),
            set_cell(key, "expected", 3)(book),
        ),
    )
    result = read_master(path)
    row = result.ladder.expectation(*key)
    assert (row.expected, row.statement) == (3, "Writes the runbook others follow.")
    assert result.issues.flatten() == [EDITED]


def test_reordered_rows_and_columns_blank_rows_floats_and_spaces_read_the_same(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    def shuffle(book: openpyxl.Workbook) -> None:
        sheet = book[EXPECTATIONS]
        header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        sheet.delete_rows(1, sheet.max_row)
        sheet.append([None, None])  # a row inserted above the header
        sheet.append(list(reversed(header)))  # columns in another order
        for i, row in enumerate(reversed(rows)):
            row[0] = f"  {row[0]} "  # stray spaces around an id
            row[6] = float(row[6])  # 3 typed back as 3.0
            if i % 7 == 0:
                sheet.append([])  # blank rows between
            sheet.append(list(reversed(row)))

    result = read_master(edited_copy(master, tmp_path, shuffle))
    assert result.issues.flatten() == []
    assert result.ladder.expectations == tuple(reversed(ladder.expectations))


def test_other_settings_round_trip(ladder: Ladder, tmp_path: Path) -> None:
    scale = Scale(
        (
            ScalePoint(0, "Not yet", "Has not shown it."),
            ScalePoint(1, "Partly", ""),
            ScalePoint(2, "Fully", "Shows it every time."),
            ScalePoint(3, "Beyond", "Teaches it."),
        )
    )
    settings = dataclasses.replace(
        ladder.settings,
        company="Acme & Sons <Ltd>",
        scale=scale,
        families=("family_1", "family_2"),
        title_nouns={"family_1": "Wizard"},
        branch_level="L2",
        source="acme.toml",
        digest="0" * 64,
    )
    custom = small_ladder(settings)
    path = write_master(custom, tmp_path / "m.xlsx")
    result = read_master(path)
    assert_same_ladder(result.ladder, custom)
    assert result.issues.flatten() == []
    sheet = openpyxl.load_workbook(path)[EXPECTATIONS]
    (expected,) = [
        dv for dv in sheet.data_validations.dataValidation if COLUMN["expected"] in str(dv.sqref)
    ]
    assert (expected.formula1, expected.formula2) == ("0", "3")


def test_new_competency_row_becomes_a_custom_competency(master: Path, tmp_path: Path) -> None:
    row = ("family_2", "IC", "L1", "negotiation", "Negotiation", "Craft", 2, "Haggles.")
    result = read_master(edited_copy(master, tmp_path, append_row(*row)))
    competency = result.ladder.competency("negotiation")
    assert competency is not None
    assert (competency.name, competency.domain, competency.category) == (
        "Negotiation",
        "Craft",
        "custom",
    )
    assert result.ladder.expectation("family_2", "IC", "L1", "negotiation").expected == 2
    cell = new_row_cell(master, "competency_id")
    assert result.issues.flatten() == [
        ["info", "competency-added", EXPECTATIONS, cell],
        ["warning", "competency-incomplete", EXPECTATIONS, new_row_cell(master, "expected")],
        EDITED,
    ]


@pytest.mark.parametrize("how", ["delete-row", "clear-inputs"])
def test_deleted_row_is_gone_with_a_warning(master: Path, tmp_path: Path, how: str) -> None:
    key = ("family_1", "M", "M2", "coaching")

    def delete(book: openpyxl.Workbook) -> None:
        sheet = book[EXPECTATIONS]
        row = rows_by_key(sheet)[key]
        if how == "delete-row":
            sheet.delete_rows(row)
        else:  # contents deleted: level_title and the O*NET columns are left behind
            for column in "ABCDEFGH":
                sheet[f"{column}{row}"] = None

    result = read_master(edited_copy(master, tmp_path, delete))
    assert result.ladder.expectation(*key) is None
    m1 = cell_of(master, ("family_1", "M", "M1", "coaching"), "expected")
    assert result.issues.flatten() == [
        ["warning", "competency-incomplete", EXPECTATIONS, m1],
        EDITED,
    ]


# ---------------------------------------------------------------------------------- issues

TOP = ("family_1", "IC", "L5", "comp-1")  # expects 5, the top of the scale
MIDDLE = ("family_1", "IC", "L3", "comp-1")  # expects 3, between 2 at L2 and 4 at L4
BOTTOM = ("family_1", "IC", "L1", "comp-1")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            set_cell(TOP, "expected", 9),
            [["error", "expected-out-of-range", EXPECTATIONS, ("expected", TOP)]],
            id="out-of-range",
        ),
        pytest.param(
            set_cell(TOP, "expected", 4.6),
            [["error", "expected-not-whole", EXPECTATIONS, ("expected", TOP)]],
            id="not-whole",
        ),
        pytest.param(
            set_cell(TOP, "expected", "high"),
            [
                ["error", "expected-not-number", EXPECTATIONS, ("expected", TOP)],
                [
                    "warning",
                    "competency-incomplete",
                    EXPECTATIONS,
                    ("expected", BOTTOM),
                ],
                EDITED,
            ],
            id="not-a-number",
        ),
        pytest.param(
            set_cell(TOP, "expected", None),
            [
                ["error", "expected-missing", EXPECTATIONS, ("expected", TOP)],
                [
                    "warning",
                    "competency-incomplete",
                    EXPECTATIONS,
                    ("expected", BOTTOM),
                ],
                EDITED,
            ],
            id="missing",
        ),
        pytest.param(
            set_cell(MIDDLE, "expected", 1),
            [
                ["warning", "not-monotonic", EXPECTATIONS, ("expected", MIDDLE)],
                EDITED,
            ],
            id="not-monotonic",
        ),
        pytest.param(
            set_cell(MIDDLE, "statement", "   "),
            [["warning", "statement-empty", EXPECTATIONS, ("statement", MIDDLE)], EDITED],
            id="statement-empty",
        ),
        pytest.param(
            set_cell(MIDDLE, "track", "M"),
            [["error", "track-mismatch", EXPECTATIONS, ("track", MIDDLE)]],
            id="track-mismatch",
        ),
        pytest.param(
            append_row("family_9", "IC", "L1", "comp-1", "C", "D", 1, "S"),
            [["error", "unknown-family", EXPECTATIONS, ("family_id", None)]],
            id="unknown-family",
        ),
        pytest.param(
            append_row("family_1", "IC", "L9", "comp-1", "C", "D", 1, "S"),
            [["error", "unknown-level", EXPECTATIONS, ("level", None)]],
            id="unknown-level",
        ),
        pytest.param(
            append_row("family_1", "IC", "L3", "comp-1", "C", "D", 3, "Again"),
            [["error", "duplicate-row", EXPECTATIONS, ("competency_id", None)]],
            id="duplicate-row",
        ),
        pytest.param(
            append_row("family_1", "IC", "L3", None, "C", "D", 3, "No id"),
            [["error", "competency-id-missing", EXPECTATIONS, ("competency_id", None)]],
            id="competency-id-missing",
        ),
    ],
)
def test_expectation_issues_name_code_and_cell(
    master: Path, tmp_path: Path, edit, expected: list[list]
) -> None:
    result = read_master(edited_copy(master, tmp_path, edit))

    def a1(where: object) -> object:  # (column, key) -> A1; key None: the appended row
        if not isinstance(where, tuple):
            return where
        column, key = where
        return new_row_cell(master, column) if key is None else cell_of(master, key, column)

    assert result.issues.flatten() == [[*issue[:3], a1(issue[3])] for issue in expected]
    assert all(i.file == str(tmp_path / "edited.xlsx") and i.message for i in result.issues)


def append_to(sheet_name: str, *values: object):
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet_name].append(list(values))

    return edit


def set_setting(key: str, value: object):
    def edit(book: openpyxl.Workbook) -> None:
        sheet = book[layout.SETTINGS_SHEET]
        row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
        sheet.cell(row, 2, value)

    return edit


def set_in(sheet_name: str, cell: str, value: object):
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet_name][cell] = value

    return edit


FAMILIES, COMPETENCIES, ACTIONS = (
    layout.FAMILIES_SHEET,
    layout.COMPETENCIES_SHEET,
    layout.ACTIONS_SHEET,
)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            append_to(FAMILIES, "family_1", "Again"),
            [["error", "duplicate-family", FAMILIES, "A4"]],
            id="duplicate-family",
        ),
        pytest.param(
            append_to(COMPETENCIES, "comp-1", "Again"),
            [["error", "duplicate-competency", COMPETENCIES, "A11"]],
            id="duplicate-competency",
        ),
        pytest.param(
            append_to(ACTIONS, "", "ghost", "", "L1-L2", "L1, L2", "Haunt."),
            [["warning", "action-unknown-competency", ACTIONS, "B29"]],
            id="action-unknown-competency",
        ),
        pytest.param(
            append_to(ACTIONS, "", "comp-1", "", "L9", "L9", "Go up."),
            [["warning", "action-unknown-level", ACTIONS, "E29"]],
            id="action-unknown-level",
        ),
        pytest.param(
            set_in(ACTIONS, "F2", None),
            [["warning", "action-empty", ACTIONS, "F2"]],
            id="action-empty",
        ),
        pytest.param(
            set_in(ACTIONS, "F1", None),
            [["error", "headers-missing", ACTIONS, ""]],
            id="headers-missing",
        ),
        pytest.param(
            set_setting(layout.SETTING_COMPETENCIES_MIN, "many"),
            [["error", "settings-invalid", layout.SETTINGS_SHEET, "B11"]],
            id="settings-invalid",
        ),
        pytest.param(
            set_in(layout.META_SHEET, "B2", "report"),
            [["error", "meta-broken", layout.META_SHEET, "B2"]],
            id="meta-kind",
        ),
    ],
)
def test_other_sheet_issues_name_code_and_cell(
    master: Path, tmp_path: Path, edit, expected: list[list[str]]
) -> None:
    assert read_master(edited_copy(master, tmp_path, edit)).issues.flatten() == expected


def test_out_of_range_is_read_as_the_nearest_point(master: Path, tmp_path: Path) -> None:
    result = read_master(edited_copy(master, tmp_path, set_cell(MIDDLE, "expected", -2)))
    assert result.ladder.expectation(*MIDDLE).expected == 1
    assert "outside the scale: enter a whole number from 1 to 5" in result.issues.issues[0].message


def test_broken_meta_is_an_error_but_the_ladder_is_read(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    def break_meta(book: openpyxl.Workbook) -> None:
        book[layout.META_SHEET]["A3"] = None  # schema_version's key gone
        book[layout.META_SHEET]["A4"] = "generated_by"

    result = read_master(edited_copy(master, tmp_path, break_meta))
    assert result.issues.flatten() == [["error", "meta-broken", layout.META_SHEET, ""]]
    assert "schema_version, generator" in result.issues.issues[0].message
    assert result.ladder.expectations == ladder.expectations


def test_missing_meta_is_an_error_but_the_ladder_is_read(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    result = read_master(edited_copy(master, tmp_path, lambda b: b.remove(b[layout.META_SHEET])))
    assert result.issues.flatten() == [["error", "meta-missing", layout.META_SHEET, ""]]
    assert result.ladder.expectations == ladder.expectations
    assert result.ladder.settings.digest == ""


def test_newer_schema_version_is_an_error(master: Path, tmp_path: Path) -> None:
    def bump(book: openpyxl.Workbook) -> None:
        book[layout.META_SHEET]["B3"] = layout.SCHEMA_VERSION + 1

    result = read_master(edited_copy(master, tmp_path, bump))
    assert result.issues.flatten() == [["error", "schema-version", layout.META_SHEET, "B3"]]


def test_missing_settings_sheet_falls_back_to_defaults(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    result = read_master(
        edited_copy(master, tmp_path, lambda b: b.remove(b[layout.SETTINGS_SHEET]))
    )
    assert result.issues.flatten() == [["error", "sheet-missing", layout.SETTINGS_SHEET, ""]]
    assert result.ladder.settings.scale == ladder.settings.scale  # the defaults, here the same


def test_scale_edited_in_settings_is_used(master: Path, tmp_path: Path) -> None:
    def relabel(book: openpyxl.Workbook) -> None:
        sheet = book[layout.SETTINGS_SHEET]
        cell = next(c for row in sheet.iter_rows() for c in row if c.value == "Proficient")
        cell.value = "Solid"

    result = read_master(edited_copy(master, tmp_path, relabel))
    assert result.ladder.settings.scale.label(3) == "Solid"
    assert result.issues.flatten() == []


# ---------------------------------------------------------------------- not a master at all


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"nope\.xlsx: file not found\. Pass the master"):
        read_master(tmp_path / "nope.xlsx")


def test_not_a_spreadsheet_raises(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("just text")
    with pytest.raises(WorkbookError, match=r"notes\.xlsx: cannot be read as a spreadsheet"):
        read_master(path)


def test_workbook_without_expectations_raises(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Budget").write(0, 0, "hello")
    book.close()
    with pytest.raises(
        WorkbookError, match=r"other\.xlsx: has no Expectations sheet, so it is not"
    ):
        read_master(path)


def test_expectations_without_headers_raises(master: Path, tmp_path: Path) -> None:
    path = edited_copy(master, tmp_path, lambda b: b[EXPECTATIONS].delete_rows(1))
    with pytest.raises(WorkbookError, match=r"Expectations sheet has no header row with family_id"):
        read_master(path)


def test_scoring_workbook_passed_as_master_raises(tmp_path: Path) -> None:
    path = tmp_path / "scores_ana.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Jane Doe").write(0, 0, "Score")
    meta = book.add_worksheet(layout.META_SHEET)
    meta.write_row(0, 0, layout.META_HEADERS)
    meta.write_row(1, 0, (layout.META_KIND, layout.KIND_SCORING))
    meta.hide()
    book.close()
    with pytest.raises(
        WorkbookError, match=r"scores_ana\.xlsx: this looks like a scoring workbook"
    ):
        read_master(path)


def test_real_scoring_workbook_passed_as_master_raises(ladder: Ladder, tmp_path: Path) -> None:
    from laddersheet.roster import Employee
    from laddersheet.scoring import write_scoring_workbooks

    person = Employee("E2", "Jane Doe", "", "H1", "Hana Head", "family_1", "IC", "L2", None)
    (path,) = write_scoring_workbooks(ladder, [person], tmp_path)
    with pytest.raises(WorkbookError, match="this looks like a scoring workbook"):
        read_master(path)


# ---------------------------------------------------------------------------- LibreOffice


def soffice(source: Path, fmt: str, out_dir: Path, profile: Path) -> Path:
    """Convert ``source`` with LibreOffice (headless, a private profile) and return the output."""
    binary = shutil.which("soffice")
    assert binary
    subprocess.run(
        [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = out_dir / f"{source.stem}.{fmt}"
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


LO_EDIT_KEY = ("family_2", "M", "M3", "comp-4")


@pytest.fixture(scope="module")
def libreoffice_files(master: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The master edited, then saved by LibreOffice as .xlsx and as .ods, and printed to PDF.

    Module-scoped: every soffice start costs seconds.
    """
    work = tmp_path_factory.mktemp("libreoffice")
    profile = Path(f"/tmp/lo-profile-{uuid.uuid4().hex}")
    edited = edited_copy(
        master,
        work,
        lambda book: (
            set_cell(LO_EDIT_KEY, "statement", "Edited, then saved by LibreOffice.")(book),
            set_cell(LO_EDIT_KEY, "expected", 5)(book),
        ),
    )
    try:
        return {
            "xlsx": soffice(edited, "xlsx", work / "xlsx", profile),
            "ods": soffice(edited, "ods", work / "ods", profile),
            "pdf": soffice(master, "pdf", work / "pdf", profile),
        }
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_edit_survives_a_libreoffice_save(
    libreoffice_files: dict[str, Path], ladder: Ladder, fmt: str
) -> None:
    result = read_master(libreoffice_files[fmt])
    row = result.ladder.expectation(*LO_EDIT_KEY)
    assert (row.expected, row.statement) == (5, "Edited, then saved by LibreOffice.")
    assert result.issues.flatten() == [EDITED]
    assert [e for e in result.ladder.expectations if e != row] == [
        e for e in ladder.expectations if e != ladder.expectation(*LO_EDIT_KEY)
    ]
    assert result.ladder.settings == ladder.settings
    assert result.ladder.competencies == ladder.competencies
    assert result.ladder.actions == ladder.actions


@pytest.mark.libreoffice
def test_libreoffice_keeps_validation_and_hidden_sheets(libreoffice_files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(libreoffice_files["xlsx"])
    assert [ws.title for ws in book.worksheets if ws.sheet_state != "visible"] == [
        "_lists",
        "_meta",
    ]
    types = {dv.type for dv in book[EXPECTATIONS].data_validations.dataValidation}
    assert {"whole", "list"} <= types


@pytest.mark.libreoffice
def test_libreoffice_prints_the_workbook(
    libreoffice_files: dict[str, Path], tmp_path: Path
) -> None:
    pdf = libreoffice_files["pdf"]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    # Start here, Settings, Levels, ... and two pages (IC, manager) per family at least.
    assert pages >= 8
    if shutil.which("pdftoppm"):
        # The last page is the last family's manager block: render it (to look at by hand).
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(pages),
                "-l",
                str(pages),
                str(pdf),
                str(tmp_path / "family"),
            ],
            check=True,
            timeout=60,
        )
        assert list(tmp_path.glob("family*.png"))


# ------------------------------------------------------------------------------ full ladder


@pytest.fixture(scope="module")
def full_ladder() -> Ladder:
    ladder_module = pytest.importorskip("laddersheet.ladder")
    if not hasattr(ladder_module, "build_ladder"):
        pytest.skip("build_ladder is not written yet")
    from laddersheet.catalog import load_catalog
    from laddersheet.settings import default_settings

    return ladder_module.build_ladder(default_settings(), load_catalog())


@pytest.mark.slow
def test_full_ladder_round_trip(full_ladder: Ladder, tmp_path: Path) -> None:
    path = write_master(full_ladder, tmp_path / "full.xlsx")
    result = read_master(path)
    assert_same_ladder(result.ladder, full_ladder)
    assert result.issues.flatten() == []
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == len(set(n.casefold() for n in book.sheetnames))
    assert all(len(n) <= EXCEL_MAX_SHEET_NAME for n in book.sheetnames)
    for family in full_ladder.families[:3]:
        assert_pages_planned(book[book.sheetnames[9 + full_ladder.families.index(family)]])


# --- edits on the family ladder sheets ------------------------------------------------------

LADDER_EDIT_KEY = ("family_1", "IC", "L3", "comp-2")


def ladder_cell(book: openpyxl.Workbook, ladder: Ladder, key: tuple[str, str, str, str]):
    """The family ladder sheet's cell showing ``key``'s expectation."""
    row = ladder.expectation(*key)
    sheet = book[ladder.family(key[0]).name]
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and row.statement in cell.value:
                return cell
    raise AssertionError(f"no ladder cell for {key}")


def edit_ladder_cell(ladder: Ladder, key, expected: object, statement: str):
    def edit(book: openpyxl.Workbook) -> None:
        cell = ladder_cell(book, ladder, key)
        scale = ladder.settings.scale
        label = scale.label(expected) if expected in scale.values else ""
        cell.value = f"{key[2]} · {expected} {label}\n{statement}"

    return edit


def test_an_edit_on_the_ladder_sheet_is_read_back(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    path = edited_copy(
        master, tmp_path, edit_ladder_cell(ladder, LADDER_EDIT_KEY, 4, "Edited here.")
    )
    result = read_master(path)
    row = result.ladder.expectation(*LADDER_EDIT_KEY)
    assert (row.expected, row.statement) == (4, "Edited here.")
    cell = ladder_cell(openpyxl.load_workbook(master), ladder, LADDER_EDIT_KEY).coordinate
    assert result.issues.flatten() == [
        ["info", "ladder-sheet-edited", "Function 1", cell],
        EDITED,
    ]
    others = [e for e in result.ladder.expectations if e != row]
    assert others == [e for e in ladder.expectations if e != ladder.expectation(*LADDER_EDIT_KEY)]


def test_different_edits_in_both_places_name_both_cells(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    def edit(book: openpyxl.Workbook) -> None:
        edit_ladder_cell(ladder, LADDER_EDIT_KEY, 5, "Edited on the ladder sheet.")(book)
        set_cell(LADDER_EDIT_KEY, "statement", "Edited on Expectations.")(book)

    result = read_master(edited_copy(master, tmp_path, edit))
    row = result.ladder.expectation(*LADDER_EDIT_KEY)
    assert row.statement == "Edited on Expectations."  # kept until HR makes them agree
    (problem,) = [i for i in result.issues if i.code == "edits-disagree"]
    cell = ladder_cell(openpyxl.load_workbook(master), ladder, LADDER_EDIT_KEY).coordinate
    assert problem.severity == "error" and problem.sheet == EXPECTATIONS
    assert (
        f"Function 1!{cell}" in problem.message and "Edited on the ladder sheet" in problem.message
    )


def test_an_edit_on_the_expectations_sheet_still_wins_quietly(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    path = edited_copy(master, tmp_path, set_cell(LADDER_EDIT_KEY, "statement", "Typed here."))
    result = read_master(path)
    assert result.ladder.expectation(*LADDER_EDIT_KEY).statement == "Typed here."
    assert result.issues.flatten() == [EDITED]


def test_a_ladder_sheet_score_off_the_scale_is_reported(
    master: Path, ladder: Ladder, tmp_path: Path
) -> None:
    path = edited_copy(master, tmp_path, edit_ladder_cell(ladder, LADDER_EDIT_KEY, 9, "Too high."))
    result = read_master(path)
    assert result.ladder.expectation(*LADDER_EDIT_KEY) == ladder.expectation(*LADDER_EDIT_KEY)
    cell = ladder_cell(openpyxl.load_workbook(master), ladder, LADDER_EDIT_KEY).coordinate
    assert ["error", "expected-out-of-range", "Function 1", cell] in result.issues.flatten()


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_ladder_sheet_edit_survives_a_libreoffice_save(
    master: Path, ladder: Ladder, tmp_path: Path, fmt: str
) -> None:
    profile = Path(f"/tmp/lo-profile-{uuid.uuid4().hex}")
    edited = edited_copy(
        master, tmp_path, edit_ladder_cell(ladder, LADDER_EDIT_KEY, 4, "Saved by LibreOffice.")
    )
    try:
        saved = soffice(edited, fmt, tmp_path / fmt, profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result = read_master(saved)
    row = result.ladder.expectation(*LADDER_EDIT_KEY)
    assert (row.expected, row.statement) == (4, "Saved by LibreOffice.")
    assert [i.code for i in result.issues] == ["ladder-sheet-edited", "content-edited"]
