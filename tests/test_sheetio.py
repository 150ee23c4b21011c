"""The safe door for returned workbooks: every hostile case has its issue code, and nothing
reaches calamine that could take the process down or make a parser expand entities."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from laddersheet.errors import WorkbookError
from laddersheet.issues import Severity
from laddersheet.sheetio import (
    ReadLimits,
    UnreadableWorkbook,
    WorkbookData,
    read_workbook,
    sniff_kind,
)
from tests import hostile

DEFAULT_LIMITS = ReadLimits()


def refused(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """The issue code a file is refused with (and checks the issue is well formed)."""
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path, limits)
    issue = caught.value.issue
    assert issue.severity is Severity.ERROR
    assert issue.file == path.name
    assert issue.message and issue.code in str(caught.value)
    return issue.code


def codes(book: WorkbookData) -> list[str]:
    return [note.code for note in book.notes]


# --- good files -----------------------------------------------------------------------------


def test_good_xlsx_values_types_and_visibility(tmp_path):
    book = read_workbook(hostile.make_good_xlsx(tmp_path))
    assert book.kind == "xlsx" and book.notes == []
    assert [(s.name, s.visible) for s in book.sheets] == [
        ("Scores", True),
        ("Notes", False),
        ("Vault", False),
    ]
    scores = book.sheet("Scores")
    assert scores is not None
    assert scores.rows == [
        ["Name", "Score", None, None, None],
        ["Ada", 3.0, True, hostile.GOOD_DATE.date(), 6.0],
        [None, None, None, None, None],
        ["Bo", 2.5, None, None, None],
    ]
    assert scores.formulas == {(1, 4): "=B2*2"}
    assert book.sheet("Notes").rows == [["hidden note"]]  # type: ignore[union-attr]
    assert book.sheet("Missing") is None


def test_handmade_ods_with_libreoffice_style_trailing_repeats(tmp_path):
    book = read_workbook(hostile.make_ods(tmp_path))
    assert book.kind == "ods" and book.notes == []
    assert [(s.name, s.visible) for s in book.sheets] == [("Scores", True), ("Hidden", False)]
    scores = book.sheet("Scores")
    assert scores.rows == [["Name", "Score", None], ["Ada", 3.0, 6.0]]  # type: ignore[union-attr]
    assert scores.formulas == {(1, 2): "=[.B2]*2"}  # type: ignore[union-attr]


@pytest.mark.libreoffice
def test_ods_saved_by_libreoffice(tmp_path):
    book = read_workbook(hostile.make_ods_with_libreoffice(tmp_path))
    assert book.kind == "ods"
    assert [(s.name, s.visible) for s in book.sheets] == [
        ("Scores", True),
        ("Notes", False),
        ("Vault", False),
    ]
    scores = book.sheet("Scores")
    assert scores.rows[0] == ["Name", "Score", None, None, None]  # type: ignore[union-attr]
    assert scores.rows[1][:2] == ["Ada", 3.0]  # type: ignore[union-attr]
    assert scores.rows[3][:2] == ["Bo", 2.5]  # type: ignore[union-attr]
    assert scores.formulas[(1, 4)] == "=[.B2]*2"  # type: ignore[union-attr]


# --- kind by content ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "kind"),
    [
        (hostile.make_good_xlsx, "xlsx"),
        (hostile.make_xlsm, "xlsm"),
        (hostile.make_ods, "ods"),
        (hostile.make_legacy_xls, "xls"),
        (hostile.make_encrypted, "encrypted"),
        (hostile.make_encrypted_zip, "encrypted"),
        (hostile.make_csv_as_xlsx, "csv"),
        (hostile.make_pdf_as_xlsx, "pdf"),
        (hostile.make_empty, "empty"),
        (hostile.make_truncated, "zip"),
        (hostile.make_docx_as_xlsx, "zip"),
        (hostile.make_html_as_xlsx, "unknown"),
    ],
)
def test_sniff_kind_by_content_whatever_the_name(tmp_path, builder, kind):
    path = builder(tmp_path)
    assert sniff_kind(path) == kind
    renamed = path.rename(tmp_path / "renamed.dat")
    assert sniff_kind(renamed) == kind


# --- refused files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "code"),
    [
        (hostile.make_empty, "empty-file"),
        (hostile.make_pdf_as_xlsx, "not-a-spreadsheet"),
        (hostile.make_html_as_xlsx, "not-a-spreadsheet"),
        (hostile.make_docx_as_xlsx, "not-a-spreadsheet"),
        (hostile.make_csv_as_xlsx, "csv-not-workbook"),
        (hostile.make_truncated, "corrupt-zip"),
        (hostile.make_encrypted, "encrypted"),
        (hostile.make_encrypted_zip, "encrypted"),
        (hostile.make_legacy_xls, "legacy-xls"),
        (hostile.make_zip_bomb, "zip-bomb"),
        (hostile.make_lying_sizes, "zip-bomb"),
        (hostile.make_billion_laughs, "xml-entities"),
        (hostile.make_utf16_part, "corrupt-workbook"),
        (hostile.make_lying_shared_strings, "corrupt-workbook"),
        (hostile.make_ods_huge_repeat, "sheet-too-large"),
        (hostile.make_repeated_shared_string, "too-large"),
        (hostile.make_ods_repeated_text, "too-large"),
    ],
)
def test_refused_with_its_code(tmp_path, builder, code):
    assert refused(builder(tmp_path)) == code


def test_shared_text_is_bounded_however_tightly_the_cells_are_written(tmp_path):
    """110 cells of the shortest syntax read 110 MiB: over the 100 MiB limit, found although
    the quick bound (cell bytes / 16 × longest string) is not measured cell by cell."""
    assert refused(hostile.make_repeated_shared_string(tmp_path, 110, compact=True)) == "too-large"
    book = read_workbook(hostile.make_repeated_shared_string(tmp_path, 90, compact=True))
    assert len(book.sheet("Scores").rows[0]) == 90  # type: ignore[union-attr]


def test_refusal_messages_say_what_it_is_and_what_to_do(tmp_path):
    with pytest.raises(UnreadableWorkbook) as pdf:
        read_workbook(hostile.make_pdf_as_xlsx(tmp_path))
    assert "PDF" in pdf.value.issue.message and ".xlsx" in pdf.value.issue.message
    with pytest.raises(UnreadableWorkbook) as locked:
        read_workbook(hostile.make_encrypted(tmp_path))
    assert "without a password" in locked.value.issue.message
    with pytest.raises(UnreadableWorkbook) as legacy:
        read_workbook(hostile.make_legacy_xls(tmp_path))
    assert "save it as .xlsx" in legacy.value.issue.message
    assert isinstance(legacy.value, WorkbookError)  # the CLI's user-fixable kind


def test_missing_file_and_folder_are_unreadable(tmp_path):
    assert refused(tmp_path / "absent.xlsx") == "unreadable-file"
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(tmp_path)
    assert caught.value.issue.code == "unreadable-file"


# --- XML entities are never expanded nor resolved -------------------------------------------


@pytest.mark.parametrize("part", [hostile.SHARED_STRINGS, hostile.WORKBOOK, hostile.SHEET1])
def test_billion_laughs_is_refused_fast_with_bounded_memory(tmp_path, part):
    path = hostile.make_billion_laughs(tmp_path, part)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert refused(path) == "xml-entities"
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Expanded, lol9 is 10^9 "lol"s (3 GB): any expansion would blow both bounds.
    assert elapsed < 2.0
    assert peak < 20 * 2**20


_OPENED: list[str] = []
_WATCHED: set[str] = set()


def _watch_opens(event: str, args: tuple) -> None:
    if event == "open" and args and str(args[0]) in _WATCHED:
        _OPENED.append(str(args[0]))


sys.addaudithook(_watch_opens)  # audit hooks cannot be removed: this one only reads a set


@pytest.mark.parametrize("part", [hostile.SHARED_STRINGS, hostile.WORKBOOK])
def test_external_entity_is_never_resolved(tmp_path, part):
    secret = "SENTINEL-7f3a-never-read"
    sentinel = tmp_path / "secret.txt"
    sentinel.write_text(secret)
    path = hostile.make_external_entity(tmp_path, sentinel, part)
    _WATCHED.add(str(sentinel))
    try:
        with pytest.raises(UnreadableWorkbook) as caught:
            read_workbook(path)
    finally:
        _WATCHED.discard(str(sentinel))
    assert caught.value.issue.code == "xml-entities"
    assert secret not in repr(caught.value.issue)
    assert _OPENED == []  # the sentinel file was never even opened


# --- sizes: the process survives, other sheets are read ------------------------------------


@pytest.mark.parametrize(
    "builder",
    [
        hostile.make_huge_dimension,
        hostile.make_huge_lowercase_ref,
        hostile.make_cells_without_refs,
    ],
)
def test_cell_at_xfd1048576_skips_only_that_sheet(tmp_path, builder):
    book = read_workbook(builder(tmp_path))  # bare calamine would abort the interpreter here
    assert [s.name for s in book.sheets] == ["Notes", "Vault"]
    [note] = book.notes
    assert (note.code, note.severity, note.sheet) == ("sheet-too-large", Severity.ERROR, "Scores")
    assert "row 1,048,576" in note.message
    assert "20,000 rows" in note.message and "max_rows" in note.message


@pytest.mark.parametrize("variant", sorted(hostile.ODD_REFERENCE_CELLS))
def test_far_reference_in_any_attribute_syntax_is_caught(tmp_path, variant):
    book = read_workbook(hostile.make_odd_reference(tmp_path, variant))
    assert [s.name for s in book.sheets] == ["Notes", "Vault"]
    assert codes(book) == ["sheet-too-large"]


def test_bare_calamine_really_aborts_on_that_file(tmp_path):
    """Why the door exists: calamine takes the whole process down (tafia/calamine#693)."""
    path = hostile.make_huge_dimension(tmp_path)
    script = (
        "import python_calamine, sys\n"
        "book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
        "book.get_sheet_by_name('Scores').to_python()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, timeout=60
    )
    if result.returncode == 0:
        pytest.skip("calamine no longer aborts on XFD1048576; the pre-scan stays as a guard")
    assert result.returncode < 0 or result.returncode == 134  # killed by SIGABRT


def test_styled_cells_far_away_are_harmless_and_read(tmp_path):
    # Formatting (no values) down to Z50000 and a lying dimension: calamine never
    # materialises empty cells, so the sheet is read rather than skipped.
    book = read_workbook(hostile.make_styled_far_cells(tmp_path))
    assert book.notes == []
    assert book.sheet("Scores").rows == [[7.0]]  # type: ignore[union-attr]


def test_row_limit_is_exact(tmp_path):
    limits = ReadLimits(max_rows=50)
    at_limit = read_workbook(hostile.make_many_rows(tmp_path, 50), limits)
    assert len(at_limit.sheets[0].rows) == 50 and at_limit.notes == []
    over = read_workbook(hostile.make_many_rows(tmp_path, 51), limits)
    assert over.sheets == [] and codes(over) == ["sheet-too-large"]


def test_default_row_limit(tmp_path):
    over = read_workbook(hostile.make_many_rows(tmp_path, 20_001))
    assert over.sheets == [] and codes(over) == ["sheet-too-large"]
    assert "row 20,001 and across to column A;" in over.notes[0].message


def test_column_limit(tmp_path):
    book = read_workbook(hostile.make_many_rows(tmp_path, 2, columns=8), ReadLimits(max_columns=7))
    assert codes(book) == ["sheet-too-large"]


def test_other_limits_are_configurable(tmp_path):
    good = hostile.make_good_xlsx(tmp_path)
    assert refused(good, ReadLimits(max_file_bytes=1_000)) == "too-large"
    assert refused(good, ReadLimits(max_uncompressed_bytes=10_000)) == "too-large"
    assert refused(good, ReadLimits(max_sheets=2)) == "too-many-sheets"
    assert refused(good, ReadLimits(max_zip_entries=5)) == "zip-bomb"
    assert refused(good, ReadLimits(max_cells=10)) == "too-large"
    assert refused(hostile.make_ods(tmp_path), ReadLimits(max_cells=2)) == "too-large"


def test_shared_strings_read_by_many_cells_within_the_text_budget(tmp_path):
    book = read_workbook(hostile.make_repeated_shared_string(tmp_path, cells=20))
    rows = book.sheet("Scores").rows  # type: ignore[union-attr]
    assert len(rows) == 20 and len(rows[19][0]) == 2**20  # type: ignore[arg-type]
    assert codes(book) == ["long-cell"] * 20


def test_too_many_sheets_by_default(tmp_path):
    assert refused(hostile.make_many_sheets(tmp_path, 501)) == "too-many-sheets"


# --- features read with notes ---------------------------------------------------------------


def test_formula_cells_are_reported_with_their_positions(tmp_path):
    book = read_workbook(hostile.make_formula_cells(tmp_path))
    scores = book.sheet("Scores")
    assert scores is not None
    expected = dict(hostile.FORMULA_CELLS)
    expected.update({(0, 2): "=A1*2", (1, 2): "=A2*2", (2, 2): "=A3*2"})  # shared, expanded
    assert scores.formulas == expected
    assert scores.rows[0][0] == 5.0  # values are the cached results; nothing is computed
    assert scores.rows[3][0] == "high"


def test_positions_of_cells_without_references_follow_calamine(tmp_path):
    # No r attributes: the walk must place cells (and formulas) where calamine puts values.
    rows = (
        b'<row r="2"><c><v>1</v></c><c><f>A2*2</f><v>2</v></c></row><row><c/><c><v>7</v></c></row>'
    )
    path = hostile._with_parts(
        hostile.make_good_xlsx(tmp_path, "base.xlsx"),
        tmp_path / "implicit.xlsx",
        {hostile.SHEET1: hostile._sheet_xml(rows)},
    )
    scores = read_workbook(path).sheet("Scores")
    assert scores.rows == [[None, None], [1.0, 2.0], [None, 7.0]]  # type: ignore[union-attr]
    assert scores.formulas == {(1, 1): "=A2*2"}  # type: ignore[union-attr]


def test_macro_enabled_is_read_with_a_warning(tmp_path):
    book = read_workbook(hostile.make_xlsm(tmp_path))
    assert book.kind == "xlsm"
    assert book.sheet("Scores").rows == [["Ada"]]  # type: ignore[union-attr]
    [note] = book.notes
    assert (note.code, note.severity) == ("macro-enabled", Severity.WARNING)


def test_macros_never_reach_the_reader(tmp_path):
    # The VBA project is left out of the archive calamine reads.
    from laddersheet.sheetio.scan import _canonical_archive

    with zipfile.ZipFile(hostile.make_xlsm(tmp_path)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    assert "xl/vbaProject.bin" in parts
    canonical = zipfile.ZipFile(io.BytesIO(_canonical_archive(parts)))
    assert "xl/vbaProject.bin" not in canonical.namelist()
    assert canonical.testzip() is None


def test_external_links_are_read_with_a_warning(tmp_path):
    book = read_workbook(hostile.make_external_link(tmp_path))
    [note] = book.notes
    assert (note.code, note.severity) == ("external-links", Severity.WARNING)
    assert "other.xlsx" in note.message
    assert book.sheet("Scores").formulas[(1, 1)] == "=[1]Sheet1!A1"  # type: ignore[union-attr]
    assert book.sheet("Scores").rows[1][1] == 3.0  # type: ignore[union-attr]


def test_long_text_is_kept_in_full_and_reported(tmp_path):
    book = read_workbook(hostile.make_long_text(tmp_path))
    rows = book.sheet("Scores").rows  # type: ignore[union-attr]
    assert len(rows[1][1]) == hostile.LONG_TEXT_CHARS  # type: ignore[arg-type]
    assert len(rows[2][1]) == 9_000  # type: ignore[arg-type]
    [note] = book.notes
    assert (note.code, note.sheet, note.cell) == ("long-cell", "Scores", "B2")
    quiet = read_workbook(hostile.make_long_text(tmp_path), ReadLimits(max_text_chars=20_000))
    assert quiet.notes == []


def test_every_builder_makes_a_file_the_door_survives(tmp_path):
    """Each crafted file is either read or refused; none raises anything else."""
    builders: list[Callable[[Path], Path]] = [
        getattr(hostile, name)
        for name in dir(hostile)
        if name.startswith("make_") and name not in {"make_ods_with_libreoffice"}
    ]
    for index, builder in enumerate(builders):
        folder = tmp_path / str(index)
        folder.mkdir()
        if builder is hostile.make_external_entity:
            path = builder(folder, folder / "sentinel.txt")
        elif builder in (hostile.make_many_rows, hostile.make_many_sheets):
            path = builder(folder, 3)
        elif builder is hostile.make_odd_reference:
            path = builder(folder, "duplicate-r")
        else:
            path = builder(folder)
        with contextlib.suppress(UnreadableWorkbook):
            read_workbook(path)


# --- the second reader ----------------------------------------------------------------------

# Paragraphs, spans, runs of spaces, a merged cell and its covered cell, every value type,
# column and row repeats of values, LibreOffice's empty tails, and a hidden table.
RICH_ODS_TABLES = (
    '<table:table table:name="Scores" table:style-name="ta1"><table:table-row>'
    '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b '
    '<text:span text:style-name="T1">bold</text:span></text:p><text:p>two</text:p>'
    "</table:table-cell>"
    '<table:table-cell table:number-columns-spanned="2" office:value-type="float" '
    'office:value="3"><text:p>3</text:p></table:table-cell><table:covered-table-cell/>'
    '<table:table-cell office:value-type="boolean" office:boolean-value="true">'
    "<text:p>TRUE</text:p></table:table-cell>"
    '<table:table-cell office:value-type="date" office:date-value="2024-02-29">'
    "<text:p>29/02/24</text:p></table:table-cell>"
    '<table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p>'
    '</table:table-cell><table:table-cell office:value-type="time" '
    'office:time-value="PT06H15M00S"><text:p>06:15</text:p></table:table-cell>'
    "</table:table-row>"
    '<table:table-row table:number-rows-repeated="2"><table:table-cell '
    'table:number-columns-repeated="2" office:value-type="float" office:value="2">'
    '<text:p>2</text:p></table:table-cell><table:table-cell table:number-columns-repeated="99"/>'
    '</table:table-row><table:table-row table:number-rows-repeated="1000">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>'
    '<table:table table:name="Hidden" table:style-name="ta2"><table:table-row>'
    '<table:table-cell office:value-type="string"><text:p>note</text:p></table:table-cell>'
    "</table:table-row></table:table>"
)


def _pretty(tables: str) -> str:
    """Whitespace between tables, rows and cells, as Gnumeric and XML tools write it."""
    return re.sub(r"><(?=/?table:)", ">\n    <", tables)


def test_second_reader_reads_what_calamine_reads(tmp_path):
    for path in (
        hostile.make_good_xlsx(tmp_path),
        hostile.make_ods(tmp_path),
        hostile._write_ods(tmp_path / "rich.ods", RICH_ODS_TABLES),
    ):
        fast, second = (read_workbook(path, reader=r) for r in ("fast", "second"))
        assert [(s.name, s.visible, s.rows, dict(s.formulas)) for s in second.sheets] == [
            (s.name, s.visible, s.rows, dict(s.formulas)) for s in fast.sheets
        ], path.name
        assert fast.notes == second.notes == []


def test_pretty_printed_ods_is_read_by_the_second_reader(tmp_path):
    plain = read_workbook(hostile._write_ods(tmp_path / "plain.ods", RICH_ODS_TABLES))
    path = hostile._write_ods(tmp_path / "pretty.ods", _pretty(RICH_ODS_TABLES))
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path, reader="fast")
    assert caught.value.issue.code == "corrupt-workbook"  # what a user got before
    book = read_workbook(path)
    assert [(s.name, s.visible, s.rows) for s in book.sheets] == [
        (s.name, s.visible, s.rows) for s in plain.sheets
    ]
    assert book.sheets[0].rows[0] == [
        "a   b bold\ntwo",
        3.0,
        None,
        True,
        dt.date(2024, 2, 29),
        0.5,
        dt.time(6, 15),
    ]
    assert book.sheets[0].rows[1:] == [[2.0, 2.0, *[None] * 5]] * 2
    [note] = book.notes
    assert (note.severity, note.code, note.file) == (Severity.INFO, "read-by-fallback", path.name)
    assert "Nothing to do" in note.message


def _sheet_xml(cells: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData><row r="1">{cells}</row></sheetData>'
        "</worksheet>"
    )


def _with_sheet(source: Path, target: Path, sheet_xml: str) -> Path:
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = sheet_xml.encode()
            out.writestr(info.filename, content)
    return target


def test_error_values_are_kept_as_their_text_in_their_cell(tmp_path):
    cells = (
        '<c r="A1" t="e"><v>#N/A</v></c><c r="B1" t="e"><v>#BOGUS!</v></c>'
        '<c r="C1"><v>3</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )
    path = _with_sheet(hostile.make_good_xlsx(tmp_path), tmp_path / "e.xlsx", _sheet_xml(cells))
    fast = read_workbook(path, reader="fast")
    assert [n.code for n in fast.notes] == ["sheet-unreadable"]  # calamine: the sheet is lost
    book = read_workbook(path)
    assert book.sheet("Scores").rows == [["#N/A", "#BOGUS!", 3.0, "#DIV/0!"]]  # type: ignore[union-attr]
    assert book.sheet("Scores").formulas == {(0, 3): "=1/0"}  # type: ignore[union-attr]
    assert [(n.code, n.sheet, n.severity) for n in book.notes] == [
        ("read-by-fallback", "Scores", Severity.INFO)
    ]
    known = _sheet_xml('<c r="A1" t="e"><v>#N/A</v></c><c r="B1"><v>3</v></c>')
    path = _with_sheet(hostile.make_good_xlsx(tmp_path), tmp_path / "k.xlsx", known)
    for reader in ("fast", "auto", "second"):  # calamine reads #N/A as blank: put back
        assert read_workbook(path, reader=reader).sheet("Scores").rows == [["#N/A", 3.0]]  # type: ignore[union-attr]


def test_a_sheet_neither_reader_can_read_is_reported_with_both_reasons(tmp_path):
    broken = _sheet_xml('<c r="A1" t="s"><v>99</v></c>')  # no 100th shared string
    path = _with_sheet(hostile.make_good_xlsx(tmp_path), tmp_path / "b.xlsx", broken)
    book = read_workbook(path)
    [note] = book.notes
    assert (note.code, note.sheet, note.severity) == ("sheet-unreadable", "Scores", Severity.ERROR)
    assert "second reader" in note.message and "no shared string '99'" in note.message
    assert [s.name for s in book.sheets] == ["Notes", "Vault"]


def test_reader_must_be_known(tmp_path):
    with pytest.raises(ValueError, match="reader must be one of"):
        read_workbook(hostile.make_good_xlsx(tmp_path), reader="pandas")
