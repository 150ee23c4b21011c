"""FastWorksheet stores and writes exactly what xlsxwriter's own Worksheet does, byte for byte."""

from __future__ import annotations

import struct
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.worksheet import Worksheet

from laddersheet import workbook as toolkit
from laddersheet.fastsheet import DEFLATE_LEVEL, FastWorkbook, FastWorksheet
from laddersheet.gaps import compute_gaps
from laddersheet.report import write_report
from tests.gap_fixtures import build_result

# Every kind of cell and row the toolkit writes, and the corners of write_plain_row's fast path.
ROWS: list[list[object]] = [
    ["plain", "", None, 0, -1, 2.5, 1e-9, 12345678901234567890, 3.0000000000000004],
    ["<&> \"quoted\" 'single'", " spaced ", "line\nbreak", "x" * 16_383, "y" * 16_384],
    [float("nan"), float("inf"), True, False, date(2026, 3, 1), datetime(2026, 3, 1, 9, 30)],
    ["=1+1", "http://example.com", "007", "1e3", "", "é ü 😀 中文"],
    [None, None, None, "last only"],
]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _book(path: Path, worksheet_class: type[Worksheet], **options: object) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "nan_inf_to_errors": True, **options}
    )
    book.worksheet_class = worksheet_class
    book.set_properties({"created": datetime(2026, 1, 1)})  # the same docProps both ways
    return book


def _write_everything(book: xlsxwriter.Workbook, by_rows: bool) -> None:
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "num_format": "0.0"})
    row_fmt = book.add_format({"italic": True})
    col_fmt = book.add_format({"font_color": "#336699"})
    sheet = book.add_worksheet("Cells")
    sheet.set_column(2, 2, 20, col_fmt)  # column format shows on unformatted cells
    sheet.set_row(1, 40, row_fmt)  # so does a row format
    sheet.set_row(12, 30)  # a row with a height and no cells
    sheet.write_comment(14, 1, "a comment on an empty row")
    for offset, values in enumerate(ROWS):
        row = 2 * offset
        formats = [bold if col % 3 == 0 else (wrap if col % 3 == 1 else None) for col in range(10)]
        if by_rows and isinstance(sheet, FastWorksheet):
            left = sheet.write_plain_row(row, values, formats)
        else:
            left = range(len(values))
        for col in left:
            toolkit.write_value(sheet, row, col, values[col], formats[col])
    sheet.write_formula(20, 0, "=SUM(A1:A3)", bold, 7)
    sheet.write_formula(20, 1, '="a"&"b"', None, "ab")
    sheet.write_formula(20, 2, "=1/0", wrap, "#DIV/0!")
    sheet.write_formula(20, 3, "=TRUE()", None, True)
    sheet.write_formula(20, 4, "=A1<B1", None, "")
    sheet.write_array_formula(21, 0, 21, 1, "{=A1:B1*2}", bold, 4)
    sheet.write_rich_string(22, 0, "a ", bold, "bold", " word")
    sheet.write_url(23, 0, "https://example.com/a?b=1&c=2", string="link")
    sheet.merge_range(24, 0, 24, 3, "merged", wrap)
    sheet.write_boolean(25, 5, True, bold)
    sheet.write_datetime(25, 6, datetime(2026, 11, 28, 8, 0), wrap)
    book.add_worksheet("Empty")
    far = book.add_worksheet("Far")
    far.write_string(70_000, 700, "far away")
    far.write_row(70_001, 0, [1, "two", None])  # xlsxwriter's own write_row still works


@pytest.mark.parametrize("by_rows", [False, True])
def test_every_part_is_byte_for_byte_xlsxwriters(tmp_path, by_rows):
    written = {}
    for cls in (Worksheet, FastWorksheet):
        path = tmp_path / f"{cls.__name__}.xlsx"
        book = _book(path, cls)
        _write_everything(book, by_rows)
        book.close()
        written[cls] = _parts(path)
    assert written[FastWorksheet].keys() == written[Worksheet].keys()
    for name, content in written[Worksheet].items():
        assert written[FastWorksheet][name] == content, name
    assert b"far away" in written[Worksheet]["xl/sharedStrings.xml"]


def test_plain_row_leaves_what_it_cannot_store_to_the_caller(tmp_path):
    book = _book(tmp_path / "left.xlsx", FastWorksheet)
    sheet = book.add_worksheet()
    left = sheet.write_plain_row(
        0, ["a", float("nan"), "b" * 20_000, True, date(2026, 1, 1), 4], [None] * 6
    )
    assert left == [1, 2, 3, 4]
    assert set(sheet.table[0]) == {0, 5}
    assert (sheet.dim_colmin, sheet.dim_colmax) == (0, 5)
    assert sheet.write_plain_row(3, [None, "", 1, 2, 3, 4, 5], [None] * 7) == []
    assert (sheet.dim_rowmin, sheet.dim_rowmax, sheet.dim_colmin, sheet.dim_colmax) == (0, 3, 0, 6)
    assert set(sheet.table[3]) == {2, 3, 4, 5, 6}  # blanks without a format are not stored
    assert sheet.write_plain_row(2_000_000, ["beyond the last row"], [None]) == [0]
    book.close()


def test_constant_memory_books_take_xlsxwriters_own_path(tmp_path):
    written = {}
    for cls in (Worksheet, FastWorksheet):
        path = tmp_path / f"{cls.__name__}.xlsx"
        book = _book(path, cls, constant_memory=True)
        sheet = book.add_worksheet()
        for row in range(3):
            left = (
                sheet.write_plain_row(row, ["x", row], [None, None])
                if cls is FastWorksheet
                else [0, 1]
            )
            for col in left:
                toolkit.write_value(sheet, row, col, ["x", row][col])
        book.close()
        written[cls] = _parts(path)
    assert written[FastWorksheet] == written[Worksheet]


def test_the_report_workbook_is_the_same_either_way(tmp_path, monkeypatch):
    ladder, result = build_result()
    report = compute_gaps(ladder, result)
    fast = write_report(report, tmp_path / "fast.xlsx")
    monkeypatch.setattr(FastWorkbook, "worksheet_class", Worksheet)  # new_workbook's class
    stock = write_report(report, tmp_path / "stock.xlsx")
    assert _parts(fast) == _parts(stock)


@pytest.mark.parametrize("in_memory", [False, True])
def test_parts_are_deflated_at_the_quick_level(tmp_path, in_memory):
    path = tmp_path / "book.xlsx"
    book = toolkit.new_workbook(path, in_memory=in_memory)
    sheet = book.add_worksheet("Cells")
    for row in range(200):
        sheet.write_plain_row(row, [f"text {row}", row, row / 7], [None] * 3)
    book.close()
    with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED
            raw.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", raw.read(4))
            raw.seek(info.header_offset + 30 + name_length + extra_length)
            stored = raw.read(info.compress_size)
            quick = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
            assert stored == quick.compress(archive.read(info)) + quick.flush(), info.filename
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # only while the book was stored
