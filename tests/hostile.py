"""Builders for crafted ("hostile") returned workbooks: one small function per case.

Each ``make_*`` writes one file into ``folder`` and returns its path. Nothing binary is
committed: good files come from xlsxwriter, then parts are replaced or bytes patched. The
names say what a file *is*; the extension is what a manager's e-mail would claim
(``.xlsx`` for a PDF on purpose). Reused by the ingest and end-to-end tests.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import xlsxwriter

from laddersheet.workbook import new_workbook

SHEET1 = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# What make_good_xlsx writes, for assertions.
GOOD_SHEETS = ("Scores", "Notes", "Vault")  # visible, hidden, very hidden
GOOD_DATE = dt.datetime(2024, 3, 1)


# --- good bases -----------------------------------------------------------------------------


def make_good_xlsx(folder: Path, name: str = "good.xlsx") -> Path:
    """Three sheets (visible, hidden, very hidden) with text, numbers, a bool, a date, a blank.

    Scores: A1 "Name", B1 "Score"; A2 "Ada", B2 3, C2 True, D2 2024-03-01, E2 "=B2*2" (6);
    A4 "Bo" (row 3 blank), B4 2.5. Notes: A1 "hidden note". Vault: A1 "very hidden".
    """
    path = folder / name
    book = new_workbook(path)
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    scores = book.add_worksheet("Scores")
    scores.write_row(0, 0, ["Name", "Score"])
    scores.write_string(1, 0, "Ada")
    scores.write_number(1, 1, 3)
    scores.write_boolean(1, 2, True)
    scores.write_datetime(1, 3, GOOD_DATE, dates)
    scores.write_formula(1, 4, "=B2*2", None, 6)
    scores.write_string(3, 0, "Bo")
    scores.write_number(3, 1, 2.5)
    notes = book.add_worksheet("Notes")
    notes.write_string(0, 0, "hidden note")
    notes.hide()
    vault = book.add_worksheet("Vault")
    vault.write_string(0, 0, "very hidden")
    vault.very_hidden()
    book.close()
    return path


def make_ods(folder: Path, name: str = "good.ods") -> Path:
    """A hand-built OpenDocument spreadsheet shaped like LibreOffice's own output.

    "Scores" (visible): A1 "Name", B1 "Score", A2 "Ada", B2 3, C2 formula "of:=[.B2]*2" (6),
    then LibreOffice's trailing repeats (16,380 empty cells per row, 1,048,570 empty rows)
    and a conditional format after the rows.
    "Hidden" (table:display false): A1 "hidden note".
    """
    empty_tail = '<table:table-cell table:number-columns-repeated="16380"/>'
    scores = (
        '<table:table table:name="Scores" table:style-name="ta1">'
        '<table:table-column table:number-columns-repeated="16384"/>'
        "<table:table-row>"
        + _ods_text("Name")
        + _ods_text("Score")
        + empty_tail
        + "</table:table-row><table:table-row>"
        + _ods_text("Ada")
        + '<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p>'
        "</table:table-cell>"
        '<table:table-cell table:formula="of:=[.B2]*2" office:value-type="float" '
        'office:value="6"><text:p>6</text:p></table:table-cell>'
        + empty_tail
        + '</table:table-row><table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        # LibreOffice writes conditional formats after the rows, with "value" attributes.
        "<calcext:conditional-formats><calcext:conditional-format "
        'calcext:target-range-address="Scores.B2:Scores.B2"><calcext:condition '
        'calcext:apply-style-name="Bad" calcext:value="between(1,2)" '
        'calcext:base-cell-address="Scores.B2"/></calcext:conditional-format>'
        "</calcext:conditional-formats></table:table>"
    )
    hidden = (
        '<table:table table:name="Hidden" table:style-name="ta2"><table:table-row>'
        + _ods_text("hidden note")
        + "</table:table-row></table:table>"
    )
    return _write_ods(folder / name, scores + hidden)


def make_ods_with_libreoffice(folder: Path) -> Path:
    """The good xlsx converted by LibreOffice itself (needs ``soffice``; ~2 s)."""
    source = make_good_xlsx(folder, "for-libreoffice.xlsx")
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("soffice (LibreOffice) is not installed")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "ods", "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / "for-libreoffice.ods"


# --- not workbooks --------------------------------------------------------------------------


def make_empty(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def make_csv_as_xlsx(folder: Path) -> Path:
    path = folder / "scores.xlsx"
    path.write_text("Name,Competency,Score\nAda,Coaching,3\n", encoding="utf-8")
    return path


def make_pdf_as_xlsx(folder: Path) -> Path:
    path = folder / "scores.xlsx"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    return path


def make_html_as_xlsx(folder: Path) -> Path:
    path = folder / "export.xlsx"
    path.write_text("<html><body><table><tr><td>Ada</td><td>3</td></tr></table></body></html>")
    return path


def make_docx_as_xlsx(folder: Path) -> Path:
    path = folder / "scores.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def make_truncated(folder: Path) -> Path:
    """A good workbook cut in half, as an interrupted download leaves it."""
    data = make_good_xlsx(folder, "whole.xlsx").read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def make_encrypted(folder: Path) -> Path:
    """An OLE compound file shaped like Excel's "password to open" output (enough to sniff)."""
    return _write_ole(folder / "locked.xlsx", ["EncryptionInfo", "EncryptedPackage"])


def make_legacy_xls(folder: Path) -> Path:
    """An OLE compound file with a "Workbook" stream, as Excel 97-2003 writes."""
    return _write_ole(folder / "old.xls", ["Workbook", "\x05SummaryInformation"])


def make_encrypted_zip(folder: Path) -> Path:
    """A good workbook whose zip entries carry the "encrypted" flag (zip-level password)."""
    path = folder / "zip-locked.xlsx"
    data = bytearray(make_good_xlsx(folder, "plain.xlsx").read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flag_offset] |= 0x1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


# --- sizes and bombs ------------------------------------------------------------------------


def make_zip_bomb(folder: Path, inflated_mib: int = 20) -> Path:
    """A worksheet part that inflates ~1000× (whitespace is legal XML, and compresses well)."""
    padding = b" " * (inflated_mib * 2**20)
    sheet = _sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b"<sheetData>", b"<sheetData>" + padding
    )
    return _with_parts(make_good_xlsx(folder, "base.xlsx"), folder / "bomb.xlsx", {SHEET1: sheet})


def make_lying_sizes(folder: Path) -> Path:
    """A part whose directory entries declare far fewer bytes than its data inflates to."""
    path = make_good_xlsx(folder, "lying-sizes.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET1)
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: uncompressed
    name = SHEET1.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        if data[at + 46 : at + 46 + len(name)] == name:
            struct.pack_into("<I", data, at + 24, 10)  # central directory: uncompressed
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def make_many_rows(folder: Path, n: int, columns: int = 1) -> Path:
    """One sheet with values in rows 1..n (and columns A.. for ``columns``)."""
    path = folder / f"rows-{n}.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Scores")
    for row in range(n):
        for column in range(columns):
            sheet.write_number(row, column, row)
    book.close()
    return path


def make_many_sheets(folder: Path, n: int) -> Path:
    path = folder / f"sheets-{n}.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for index in range(n):
        book.add_worksheet(f"S{index}").write_number(0, 0, index)
    book.close()
    return path


def make_huge_dimension(folder: Path) -> Path:
    """Sheet "Scores" declares A1:XFD1048576 and holds a value at XFD1048576.

    Bare calamine aborts the whole process on this file (tafia/calamine#693). The other
    sheets are the good ones.
    """
    sheet = _sheet_xml(
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        dimension=b"A1:XFD1048576",
    )
    return _with_parts(make_good_xlsx(folder, "base.xlsx"), folder / "huge.xlsx", {SHEET1: sheet})


def make_huge_lowercase_ref(folder: Path) -> Path:
    """Like make_huge_dimension with a lower-case reference, which calamine also accepts."""
    sheet = _sheet_xml(b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>')
    return _with_parts(make_good_xlsx(folder, "base.xlsx"), folder / "lower.xlsx", {SHEET1: sheet})


def make_cells_without_refs(folder: Path) -> Path:
    """Cells with no ``r``: calamine places them by row number and order, here row 1,048,576."""
    sheet = _sheet_xml(b'<row r="1"><c><v>1</v></c></row><row r="1048576"><c><v>1</v></c></row>')
    return _with_parts(
        make_good_xlsx(folder, "base.xlsx"), folder / "no-refs.xlsx", {SHEET1: sheet}
    )


# A value at XFD1048576 in every attribute syntax quick-xml (calamine's parser) accepts;
# bare calamine aborts on each of them.
ODD_REFERENCE_CELLS = {
    "no-space-before-r": b'<c s="0"r="XFD1048576"><v>1</v></c>',
    "spaces-around-equals": b'<c r = "XFD1048576"><v>1</v></c>',
    "tab-before-r": b'<c\tr="XFD1048576"><v>1</v></c>',
    "single-quotes": b"<c r='XFD1048576'><v>1</v></c>",
    "namespace-prefix": b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    b' r="XFD1048576"><v>1</v></x:c>',
    "duplicate-r": b'<c r="A1" r="XFD1048576"><v>1</v></c>',
    "gt-in-attribute": b'<c foo=">" r="XFD1048576"><v>1</v></c>',
    "lt-in-attribute": b'<c foo="<" r="XFD1048576"><v>1</v></c>',
}


def make_odd_reference(folder: Path, variant: str) -> Path:
    """Sheet "Scores" has one cell of ODD_REFERENCE_CELLS[variant], in row 1."""
    sheet = _sheet_xml(b'<row r="1">' + ODD_REFERENCE_CELLS[variant] + b"</row>")
    base = make_good_xlsx(folder, "base.xlsx")
    return _with_parts(base, folder / f"odd-{variant}.xlsx", {SHEET1: sheet})


def make_styled_far_cells(folder: Path) -> Path:
    """Formatting (no values) down to Z50000 and a lying dimension: harmless, must read."""
    styled = b"".join(b'<row r="%d"><c r="Z%d" s="0"/></row>' % (r, r) for r in (30000, 50000))
    sheet = _sheet_xml(
        b'<row r="1"><c r="A1"><v>7</v></c></row>' + styled, dimension=b"A1:XFD1048576"
    )
    return _with_parts(make_good_xlsx(folder, "base.xlsx"), folder / "styled.xlsx", {SHEET1: sheet})


def make_lying_shared_strings(folder: Path) -> Path:
    """sharedStrings declares four billion strings: calamine reserves memory for them first."""
    path = make_good_xlsx(folder, "base.xlsx")
    with zipfile.ZipFile(path) as archive:
        strings = archive.read(SHARED_STRINGS)
    start = strings.index(b"<sst ")
    end = strings.index(b">", start)
    head = strings[start:end].split(b" count=")[0]
    strings = strings[:start] + head + b' count="1" uniqueCount="4000000000"' + strings[end:]
    return _with_parts(path, folder / "lying-strings.xlsx", {SHARED_STRINGS: strings})


def make_repeated_shared_string(folder: Path, cells: int = 150, *, compact: bool = False) -> Path:
    """One 1 MiB shared string read by ``cells`` cells: a 0.6 MiB file that would make
    calamine and Python copy 150 MiB of text (random hex, so no zip-bomb ratio).
    ``compact``: the cells in the fewest bytes calamine reads (no references, one row)."""
    text = os.urandom(2**19).hex().encode()
    strings = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    )
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (r, r) for r in range(1, cells + 1)
    )
    if compact:
        rows = b"<row>" + b'<c t="s"><v>0</v></c>' * cells + b"</row>"
    return _with_parts(
        _one_sheet_base(folder),
        folder / "repeated-string.xlsx",
        {SHARED_STRINGS: strings, SHEET1: _sheet_xml(rows)},
    )


def make_ods_repeated_text(folder: Path) -> Path:
    """A 100 KiB text cell repeated over 200 columns and 10 rows: 200 MiB once expanded."""
    text = os.urandom(50 * 1024).hex()
    table = (
        '<table:table table:name="Scores"><table:table-row table:number-rows-repeated="10">'
        '<table:table-cell table:number-columns-repeated="200" office:value-type="string">'
        f"<text:p>{text}</text:p></table:table-cell></table:table-row></table:table>"
    )
    return _write_ods(folder / "repeated-text.ods", table)


def make_ods_huge_repeat(folder: Path) -> Path:
    """One value repeated over a million rows: a few bytes that expand to a million cells."""
    table = (
        '<table:table table:name="Scores"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    return _write_ods(folder / "repeat.ods", table)


# --- XML attacks ----------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def make_billion_laughs(folder: Path, part: str = SHARED_STRINGS) -> Path:
    """Nine levels of entities that expand to 10^9 "lol"s if any parser expands them."""
    body = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return _with_parts(
        make_good_xlsx(folder, "base.xlsx"), folder / "laughs.xlsx", {part: BILLION_LAUGHS + body}
    )


def make_external_entity(folder: Path, sentinel_path: Path, part: str = SHARED_STRINGS) -> Path:
    """An entity pointing at a local file: its content would appear in a cell if resolved."""
    path = make_good_xlsx(folder, "base.xlsx")
    with zipfile.ZipFile(path) as archive:
        original = archive.read(part)
    declaration = b'<!DOCTYPE x [<!ENTITY leak SYSTEM "%s">]>\n' % sentinel_path.as_uri().encode()
    root_at = original.index(b"?>") + 2
    content = original[:root_at] + b"\n" + declaration + original[root_at:]
    if part == SHARED_STRINGS:
        content = content.replace(b"<t>Ada</t>", b"<t>&leak;</t>")
    else:  # put the reference in an attribute every reader looks at
        content = content.replace(b'name="Scores"', b'name="&leak;"')
    return _with_parts(path, folder / "entity.xlsx", {part: content})


def make_utf16_part(folder: Path) -> Path:
    """A worksheet in UTF-16, where a byte scan for <!DOCTYPE would not see one."""
    sheet = _sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>')
    sheet = sheet.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
    return _with_parts(make_good_xlsx(folder, "base.xlsx"), folder / "utf16.xlsx", {SHEET1: sheet})


# --- features that are read, with notes -----------------------------------------------------


def make_xlsm(folder: Path) -> Path:
    """A macro-enabled workbook (the VBA project is a stub: it is never run nor parsed)."""
    stub = folder / "vbaProject.bin"
    stub.write_bytes(OLE_MAGIC + b"\0" * 504)
    path = folder / "macros.xlsm"
    book = new_workbook(path)
    book.add_worksheet("Scores").write_string(0, 0, "Ada")
    book.add_vba_project(str(stub))
    book.close()
    return path


def make_external_link(folder: Path) -> Path:
    """A workbook whose B2 is ``=[1]Sheet1!A1``, linked to \\\\server\\share\\other.xlsx."""
    path = make_good_xlsx(folder, "base.xlsx")
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read(WORKBOOK)
        rels = archive.read("xl/_rels/workbook.xml.rels")
        types = archive.read("[Content_Types].xml")
        sheet = archive.read(SHEET1)
    link_type = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="' + link_type + b'" '
        b'Target="externalLinks/externalLink1.xml"/></Relationships>',
    )
    workbook = workbook.replace(
        b"</sheets>",
        b'</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>',
    )
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
    )
    sheet = sheet.replace(b'<c r="B2"><v>3</v></c>', b'<c r="B2"><f>[1]Sheet1!A1</f><v>3</v></c>')
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        b"</externalBook></externalLink>"
    )
    link_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLinkPath" Target="file:///\\\\server\\share\\other.xlsx" '
        b'TargetMode="External"/></Relationships>'
    )
    return _with_parts(
        path,
        folder / "linked.xlsx",
        {
            WORKBOOK: workbook,
            "xl/_rels/workbook.xml.rels": rels,
            "[Content_Types].xml": types,
            SHEET1: sheet,
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        },
    )


FORMULA_CELLS = {
    (0, 0): "=5",
    (1, 0): "=A1",
    (2, 0): '=WEBSERVICE("http://example.invalid")',
    (3, 0): '=IF(A1<3,"low & ""quoted""","high")',
}


def make_formula_cells(folder: Path) -> Path:
    """Sheet "Scores" holds FORMULA_CELLS (A1..A4, with cached values) and, in C1:C3, one
    shared formula as Excel stores it: written once in C1 (``=A1*2``), referenced by C2 and
    C3, which read ``=A2*2`` and ``=A3*2``."""
    cells = {
        1: b'<c r="A1"><f>5</f><v>5</v></c><c r="C1"><f t="shared" ref="C1:C3" si="0">A1*2</f>'
        b"<v>10</v></c>",
        2: b'<c r="A2"><f>A1</f><v>5</v></c><c r="C2"><f t="shared" si="0"/><v>10</v></c>',
        3: b'<c r="A3" t="e"><f>' + _escape(FORMULA_CELLS[(2, 0)][1:]) + b"</f><v>#NAME?</v></c>"
        b'<c r="C3"><f t="shared" si="0"/><v>0</v></c>',
        4: b'<c r="A4" t="str"><f>' + _escape(FORMULA_CELLS[(3, 0)][1:]) + b"</f><v>high</v></c>",
    }
    rows = b"".join(b'<row r="%d">%s</row>' % (r, xml) for r, xml in cells.items())
    sheet = _sheet_xml(rows, dimension=b"A1:C4")
    base = make_good_xlsx(folder, "base.xlsx")
    return _with_parts(base, folder / "formula-cells.xlsx", {SHEET1: sheet})


LONG_TEXT_CHARS = 12_000


def make_long_text(folder: Path) -> Path:
    """B2 holds 12,000 characters of evidence (over the 10,000 limit); B3 holds 9,000."""
    path = folder / "long.xlsx"
    book = new_workbook(path)
    sheet = book.add_worksheet("Scores")
    sheet.write_string(1, 1, "é" + "x" * (LONG_TEXT_CHARS - 2) + "!")
    sheet.write_string(2, 1, "y" * 9_000)
    book.close()
    return path


# --- plumbing -------------------------------------------------------------------------------


def _with_parts(source: Path, target: Path, replacements: dict[str, bytes]) -> Path:
    """Copy ``source`` to ``target`` with some parts replaced or added."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = replacements.get(info.filename, original.read(info.filename))
            copy.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in replacements.items():
            if name not in original.NameToInfo:
                copy.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def _one_sheet_base(folder: Path) -> Path:
    """A workbook with one sheet, "Scores", and a shared-strings part."""
    path = folder / "one-sheet.xlsx"
    book = new_workbook(path)
    book.add_worksheet("Scores").write_string(0, 0, "x")
    book.close()
    return path


def _sheet_xml(rows: bytes, dimension: bytes = b"A1") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<dimension ref="' + dimension + b'"/><sheetData>' + rows + b"</sheetData></worksheet>"
    )


def _escape(text: str) -> bytes:
    return xml_escape(text, {'"': "&quot;"}).encode()


def _write_ole(path: Path, stream_names: list[str]) -> Path:
    """A compound-file header and one directory sector naming ``stream_names``."""
    header = OLE_MAGIC + b"\0" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE) + struct.pack("<H", 9)
    header = header.ljust(512, b"\0")
    directory = b""
    for name in ["Root Entry", *stream_names]:
        encoded = (name + "\0").encode("utf-16-le")
        entry = encoded.ljust(64, b"\0") + struct.pack("<H", len(encoded))
        directory += entry.ljust(128, b"\0")
    path.write_bytes(header + directory.ljust(512, b"\0") + b"\0" * 1024)
    return path


def _ods_text(text: str) -> str:
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'office:version="1.3"'
)


def _write_ods(path: Path, tables: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-content {_ODS_NAMESPACES}><office:automatic-styles>"
        '<style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
        "</office:automatic-styles><office:body><office:spreadsheet>"
        f"{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path
