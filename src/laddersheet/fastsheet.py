"""xlsxwriter's worksheet with its two per-cell loops made cheaper: same cells, same bytes.

The report workbook holds a quarter of a million cells at 1,000 employees, and xlsxwriter
spends most of its time on each of them twice: when it is stored (``write_string`` goes
through a decorator, two checks and a method call per cell) and when the sheet is written at
``close`` (``_write_cell`` builds a list of attribute pairs and runs a regular expression over
each). ``FastWorksheet`` does the same work once per row for the usual cells:

- ``write_plain_row`` stores a row of texts, numbers and blanks exactly as ``write_string``,
  ``write_number`` and ``write_blank`` would, and hands back what it did not store (long
  texts, non-finite numbers, other types) for the caller's usual path;
- ``_write_rows`` writes the ``<row>`` and ``<c>`` elements of shared-string, number, blank
  and formula cells itself, in the order and with the attributes xlsxwriter uses, and every
  other cell through xlsxwriter's own ``_write_cell``; ``_calculate_spans`` works out each
  block's columns from the row's own cells, not from every column of the sheet.

``FastWorkbook`` uses that worksheet and deflates the parts at ``DEFLATE_LEVEL`` (zlib's
quickest) instead of the default: a third of the time for files a quarter larger, a few
hundred KB for a report of 200 people; every program reads any level.

Both rely on xlsxwriter internals: xlsxwriter is pinned (pyproject.toml) and
tests/test_fastsheet.py writes workbooks both ways and compares every part byte for byte.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from math import isfinite

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellDatetimeTuple,
    CellFormulaTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

# A text this long may exceed Excel's 32,767 UTF-16 units: xlsxwriter's own path checks it.
_SURELY_SHORT = 16_383
_ERROR_CODES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))
# zlib's level for every part of the workbooks written (zlib's default is 6): at 1, a report of
# 2.4 MB of XML deflates in 9 ms instead of 30, to 367 KB instead of 280.
DEFLATE_LEVEL = 1


class FastWorksheet(Worksheet):
    """A worksheet that stores and writes plain cells a row at a time (see the module)."""

    def write_plain_row(
        self, row: int, values: Sequence[object], formats: Sequence[Format | None]
    ) -> list[int]:
        """Store ``values`` in ``row`` from column 0, ``formats[col]`` for each.

        Texts as shared strings (an empty text as a blank), ints and finite floats as numbers,
        None as a blank: as the ``write_*`` methods store them (a blank without a format is
        not stored). Returns the columns left for the caller (other types, very long texts,
        NaN and infinities), whose values were not stored.
        """
        if self.constant_memory or not 0 <= row < self.xls_rowmax or len(values) > self.xls_colmax:
            return list(range(len(values)))
        cells = self.table[row]
        shared = self.str_table._get_shared_string_index
        new = tuple.__new__  # the cell namedtuples' own constructor, without its lambda
        left: list[int] = []
        first = last = -1
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if not value:
                    fmt = formats[col]
                    if fmt is None:
                        continue
                    cells[col] = new(CellBlankTuple, (fmt,))
                elif len(value) <= _SURELY_SHORT:
                    cells[col] = new(CellStringTuple, (shared(value), formats[col]))
                else:
                    left.append(col)
                    continue
            elif kind is int or (kind is float and isfinite(value)):
                cells[col] = new(CellNumberTuple, (value, formats[col]))
            elif value is None:
                fmt = formats[col]
                if fmt is None:
                    continue
                cells[col] = new(CellBlankTuple, (fmt,))
            else:
                left.append(col)
                continue
            if first < 0:
                first = col
            last = col
        if first >= 0:  # what _check_dimensions records for each cell stored
            if self.dim_rowmin is None or row < self.dim_rowmin:
                self.dim_rowmin = row
            if self.dim_rowmax is None or row > self.dim_rowmax:
                self.dim_rowmax = row
            if self.dim_colmin is None or first < self.dim_colmin:
                self.dim_colmin = first
            if self.dim_colmax is None or last > self.dim_colmax:
                self.dim_colmax = last
        return left

    def _calculate_spans(self) -> None:
        # The first and last column used in each block of 16 rows (the <row spans="...">
        # attribute), from each row's own columns instead of every column of the sheet.
        spans: dict[int, str] = {}
        low, high = self.dim_colmin, self.dim_colmax
        first = last = -1
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            for source in (self.table, self.comments):
                used = source.get(row_num)  # get: no empty row made in the defaultdict
                if used:
                    columns = [col for col in used if low <= col <= high]
                    if columns:
                        lo, hi = min(columns), max(columns)
                        first = lo if first < 0 else min(first, lo)
                        last = hi if last < 0 else max(last, hi)
            if (row_num + 1) % 16 == 0 or row_num == self.dim_rowmax:
                if first >= 0:
                    spans[row_num // 16] = f"{first + 1}:{last + 1}"
                first = last = -1
        self.row_spans = spans

    def _write_rows(self) -> None:
        if self.constant_memory:  # rows were written as they came
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, comments, col_info = (
            self.table,
            self.row_info,
            self.comments,
            self.col_info,
        )
        write, escape = self.fh.write, self._escape_data
        low, high = self.dim_colmin, self.dim_colmax
        letters = {col: xl_col_to_name(col) for col in range(low, high + 1)}
        style: dict[Format, str] = {}  # format (hashed by identity) -> ' s="n"'

        def s_of(fmt: Format) -> str:
            found = style[fmt] = f' s="{fmt._get_xf_index()}"'
            return found

        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table[row_num]
            info = row_info.get(row_num)
            if not cells:
                if info is not None or row_num in comments:
                    self._write_empty_row(row_num, self.row_spans.get(row_num // 16), info)
                continue
            self._write_row(row_num, self.row_spans.get(row_num // 16), info)
            number = str(row_num + 1)
            row_format = info.row_format if info is not None else None
            out: list[str] = []
            for col_num in sorted(cells):
                if not low <= col_num <= high:
                    continue
                cell = cells[col_num]
                kind = type(cell)
                fmt = cell.format
                if fmt:
                    s = style.get(fmt) or s_of(fmt)
                elif row_format:
                    s = s_of(row_format)
                elif col_num in col_info and col_info[col_num].column_format is not None:
                    s = s_of(col_info[col_num].column_format)
                else:
                    s = ""
                start = f'<c r="{letters[col_num]}{number}"{s}'
                if kind is CellStringTuple:
                    out.append(f'{start} t="s"><v>{cell.string}</v></c>')
                elif kind is CellNumberTuple or kind is CellDatetimeTuple:
                    out.append(f"{start}><v>{cell.number:.16G}</v></c>")
                elif kind is CellBlankTuple:
                    out.append(start + "/>")
                elif kind is CellFormulaTuple:
                    value = cell.value
                    t = ""
                    if isinstance(value, bool):
                        t, value = ' t="b"', int(value)
                    elif isinstance(value, str) and value:
                        t = ' t="e"' if value in _ERROR_CODES else ' t="str"'
                    out.append(
                        f"{start}{t}><f>{escape(cell.formula)}</f><v>{escape(value)}</v></c>"
                    )
                else:
                    write("".join(out))
                    out.clear()
                    self._write_cell(row_num, col_num, cell)
            write("".join(out))
            self._xml_end_tag("row")


class FastWorkbook(xlsxwriter.Workbook):
    """An xlsxwriter workbook of ``FastWorksheet``s whose parts are deflated quickly."""

    worksheet_class = FastWorksheet

    def _store_workbook(self) -> None:
        # xlsxwriter opens the archive as ``ZipFile`` from its module, with no level to pass.
        module = xlsxwriter.workbook
        module.ZipFile, saved = _QuickZip, module.ZipFile  # type: ignore[misc]
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = saved  # type: ignore[misc]


class _QuickZip(zipfile.ZipFile):
    """A zip archive whose deflated entries are written at ``DEFLATE_LEVEL`` by default."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("compresslevel", DEFLATE_LEVEL)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # An entry given as a ZipInfo (xlsxwriter's in-memory parts) ignores the archive's
        # level: pass it explicitly.
        level = self.compresslevel if compresslevel is None else compresslevel
        super().writestr(zinfo_or_arcname, data, compress_type, level)
