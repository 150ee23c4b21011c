"""The one safe door through which every returned workbook is read.

Returned workbooks are untrusted: a file may be a renamed PDF, a zip bomb, XML with entity
declarations, or hold a value at XFD1048576, which makes calamine *abort the whole process*
instead of raising (tafia/calamine#693). So ``read_workbook`` checks, before any parser sees a
byte, and in this order:

1. the size on disk, then the kind by content (magic bytes), never by the file name;
2. the zip central directory: number of parts, duplicate names, compression methods,
   encryption flags, declared sizes and compression ratios;
3. every part, inflated by us with a hard cap on the bytes actually produced (declared sizes
   can lie) and checked against its CRC; XML parts must be UTF-8 and declare no DTD or entity;
4. every worksheet's furthest *valued* cell, with compiled bytes regexes (C speed, no DOM):
   positions are computed the way calamine computes them; the same pass collects formulas;
5. only then calamine, reading a plain archive rebuilt from the very parts that were checked
   (the path is read once; binary parts such as a VBA project never reach it).
6. where calamine fails on that archive or on one sheet (XML it does not expect, such as
   Gnumeric's pretty-printed .ods; an error value it does not know), ``_SecondReader``, an
   independent streaming reader on defusedxml, reads the same checked parts before anything
   is reported; an info ``read-by-fallback`` says so.

Error values are read as their text ("#N/A") in their own cell by both readers (calamine's
reading of the ones it knows as blank is corrected from the pre-scan).

The ``<dimension ref>`` and formatted-but-empty cells are not held to the limits: calamine
reserves at most 100,000 cells from the dimension and never stores empty cells, so a sheet
with stray formatting far below its table is read, not skipped. A sharedStrings
``uniqueCount`` is held to the part's size: calamine reserves memory for it up front.

Problems in a file are values: a file that cannot be read raises ``UnreadableWorkbook`` whose
``issue`` says why; everything else found (macros, external links, a skipped sheet, very long
cells) is returned in ``WorkbookData.notes``.

Modules: ``model`` (what a read returns), ``sniff`` (kind by content), ``door`` (the checks,
in order, and the choice of reader), ``scan`` (the pre-scan's bytes regexes), ``second`` (the
second reader).
"""

from .door import READERS, read_workbook
from .model import (
    CORRUPT_WORKBOOK,
    CORRUPT_ZIP,
    CSV_NOT_WORKBOOK,
    EMPTY_FILE,
    ENCRYPTED,
    EXTERNAL_LINKS,
    LEGACY_XLS,
    LONG_CELL,
    MACRO_ENABLED,
    MIB,
    NOT_A_SPREADSHEET,
    READ_BY_FALLBACK,
    SHEET_TOO_LARGE,
    SHEET_UNREADABLE,
    TOO_LARGE,
    TOO_MANY_FORMULAS,
    TOO_MANY_SHEETS,
    UNREADABLE_FILE,
    XML_ENTITIES,
    ZIP_BOMB,
    ReadLimits,
    SheetData,
    UnreadableWorkbook,
    WorkbookData,
)
from .sniff import sniff_kind

__all__ = [
    "CORRUPT_WORKBOOK",
    "CORRUPT_ZIP",
    "CSV_NOT_WORKBOOK",
    "EMPTY_FILE",
    "ENCRYPTED",
    "EXTERNAL_LINKS",
    "LEGACY_XLS",
    "LONG_CELL",
    "MACRO_ENABLED",
    "MIB",
    "NOT_A_SPREADSHEET",
    "READERS",
    "READ_BY_FALLBACK",
    "SHEET_TOO_LARGE",
    "SHEET_UNREADABLE",
    "TOO_LARGE",
    "TOO_MANY_FORMULAS",
    "TOO_MANY_SHEETS",
    "UNREADABLE_FILE",
    "XML_ENTITIES",
    "ZIP_BOMB",
    "ReadLimits",
    "SheetData",
    "UnreadableWorkbook",
    "WorkbookData",
    "read_workbook",
    "sniff_kind",
]
