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
"""

from __future__ import annotations

import html
import io
import mmap
import os
import re
import struct
import zipfile
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import BinaryIO, NoReturn
from xml.etree.ElementTree import Element, ParseError

import python_calamine
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from .errors import WorkbookError
from .issues import Issue, Severity
from .workbook import cell_ref, col_letter

MIB = 2**20

# Issue codes: stable, documented in the README.
NOT_A_SPREADSHEET = "not-a-spreadsheet"
EMPTY_FILE = "empty-file"
UNREADABLE_FILE = "unreadable-file"
CORRUPT_ZIP = "corrupt-zip"
CORRUPT_WORKBOOK = "corrupt-workbook"
TOO_LARGE = "too-large"
ZIP_BOMB = "zip-bomb"
XML_ENTITIES = "xml-entities"
ENCRYPTED = "encrypted"
LEGACY_XLS = "legacy-xls"
CSV_NOT_WORKBOOK = "csv-not-workbook"
TOO_MANY_SHEETS = "too-many-sheets"
SHEET_TOO_LARGE = "sheet-too-large"
SHEET_UNREADABLE = "sheet-unreadable"
MACRO_ENABLED = "macro-enabled"
EXTERNAL_LINKS = "external-links"
LONG_CELL = "long-cell"
TOO_MANY_FORMULAS = "too-many-formulas"
READ_BY_FALLBACK = "read-by-fallback"


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 50 * MIB  # on disk
    max_uncompressed_bytes: int = 50 * MIB  # per workbook, sum of zip parts (declared AND actual)
    max_compression_ratio: float = 200.0  # per part, for parts > 1 MiB
    max_rows: int = 20_000  # per sheet: furthest row holding a value
    max_columns: int = 200  # per sheet: furthest column holding a value
    max_sheets: int = 500
    max_text_chars: int = 10_000  # per cell kept in full; longer cells are reported, never cut
    max_zip_entries: int = 10_000  # parts in the archive (a workbook has a few dozen)
    max_cells: int = 4_000_000  # per workbook: sum over sheets of used rows × used columns
    max_formulas: int = 200_000  # formula cells recorded per workbook; more are counted only
    # Text once every cell is expanded: a shared string read by many cells, an .ods repeat.
    max_text_bytes: int = 100 * MIB


@dataclass(frozen=True)
class SheetData:
    name: str
    visible: bool  # False for hidden / very hidden
    # Cell values as calamine gives them (str, float, int, bool, date/datetime/time/timedelta),
    # None for blank; rows[0] is row 1 and col 0 is A, whatever the sheet's used area.
    rows: list[list[object]]
    # (row0, col0) -> formula text with a leading "=" as typed: "=B2*2" (xlsx, shared formulas
    # expanded to each cell) or "=[.B2]*2" (ods, OpenFormula). Values above are cached results.
    # A read-only mapping; the text of the usual plain formulas is decoded only when asked for.
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkbookData:
    path: Path
    kind: str  # "xlsx" | "xlsm" | "ods"
    sheets: list[SheetData]  # in workbook order; sheets that could not be read are left out
    notes: list[Issue]  # non-fatal findings, including errors for sheets that were left out

    def sheet(self, name: str) -> SheetData | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


class UnreadableWorkbook(WorkbookError):
    """The file must be skipped; ``issue`` (severity error, file set) says why."""

    def __init__(self, issue: Issue):
        super().__init__(str(issue))
        self.issue = issue


# --- kind by content ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a part, or an empty archive
_ODS_MIMETYPES = (
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.spreadsheet-template",
)
_SNIFF_TEXT_BYTES = 64 * 1024
_SMALL_PART_BYTES = MIB  # what we read of a part just to tell the kind


def _utf16le(text: str) -> bytes:
    return text.encode("utf-16-le")


def sniff_kind(path: Path) -> str:
    """The kind of file by content, whatever its name says.

    One of "xlsx", "xlsm", "ods", "xls", "encrypted", "csv", "pdf", "empty", "zip" (an archive
    that is not a workbook, or a damaged one) and "unknown".
    """
    with open(path, "rb") as handle:
        try:
            view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # mmap refuses empty files
            return "empty"
        except OSError:  # not mappable (a pipe, some network file systems)
            return _sniff(handle.read())
        with view:
            return _sniff(view, handle)


def _sniff(buf: bytes | mmap.mmap, stream: BinaryIO | None = None) -> str:
    """The kind of ``buf``; zip archives are listed through ``stream`` (default: ``buf``)."""
    if len(buf) == 0:
        return "empty"
    head = bytes(buf[:8])
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(buf)
    if head.startswith(_ZIP_MAGICS):
        if _declared_entry_count(buf) > 100_000:
            return "zip"  # too many parts to even list safely
        try:
            with zipfile.ZipFile(stream or io.BytesIO(buf)) as archive:
                return _zip_kind(archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            return "zip"
    text = _text_kind(bytes(buf[:_SNIFF_TEXT_BYTES]))
    return "csv" if text == "csv" else "unknown"


def _ole_kind(buf: bytes | mmap.mmap) -> str:
    # An OLE compound file: encrypted OOXML (Office "password to open") or a legacy .xls. The
    # stream names live in directory sectors, UTF-16LE, anywhere in the file: a byte search is
    # enough to tell, and cheaper and safer than parsing the sector chains.
    if buf.find(_utf16le("EncryptionInfo")) >= 0 or buf.find(_utf16le("EncryptedPackage")) >= 0:
        return "encrypted"
    if buf.find(_utf16le("Workbook")) >= 0 or buf.find(_utf16le("Book\0")) >= 0:
        return "xls"
    return "unknown"


def _zip_kind(archive: zipfile.ZipFile) -> str:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if any(info.flag_bits & 0x1 for info in infos):
        return "encrypted"
    try:
        if "mimetype" in names:
            mimetype = _read_small(archive, "mimetype").strip()
            if mimetype in _ODS_MIMETYPES:
                manifest = _read_small(archive, "META-INF/manifest.xml")
                return "encrypted" if b"encryption-data" in manifest else "ods"
        if "[Content_Types].xml" in names:
            content_types = _read_small(archive, "[Content_Types].xml")
            if b"ms-excel.sheet.macroEnabled.main+xml" in content_types or (
                b"ms-excel.template.macroEnabled.main+xml" in content_types
            ):
                return "xlsm"
            if b"spreadsheetml.sheet.main+xml" in content_types or (
                b"spreadsheetml.template.main+xml" in content_types
            ):
                return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
        if "xl/workbook.xml" in names:  # content types missing or odd: the workbook decides
            return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error):
        return "zip"
    return "zip"


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    if name not in archive.NameToInfo:
        return b""
    with archive.open(name) as part:
        return part.read(_SMALL_PART_BYTES)  # inflates at most this much


def _text_kind(head: bytes) -> str | None:
    """Tell delimited text ("csv") from other text ("text") and from binary data (None)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif b"\0" in head:
        return None
    else:
        text = head.decode("utf-8", errors="replace")
        if text.count("\ufffd") > len(text) // 20:
            return None
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines or lines[0].lstrip().startswith("<"):
        return "text"
    return "csv" if any(sep in lines[0] for sep in (",", ";", "\t", "|")) else "text"


def _describe(data: bytes, kind: str, archive: zipfile.ZipFile | None) -> str:
    """What a file that is not a workbook looks like, for the person who sent it."""
    if kind == "pdf":
        return "a PDF document"
    if kind == "xls":
        return "a legacy Excel 97-2003 workbook (.xls)"
    if kind == "csv":
        return "a CSV text file"
    if data.startswith(_OLE_MAGIC):
        return "an old-style Office document that is not a spreadsheet"
    if archive is not None:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "a Word document"
        if "ppt/presentation.xml" in names:
            return "a PowerPoint presentation"
        if "xl/workbook.bin" in names:
            return "an Excel binary workbook (.xlsb)"
        if "mimetype" in names:
            return "an OpenDocument file that is not a spreadsheet"
        return "a ZIP archive, not a workbook"
    if data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8\xff") or data[:4] == b"GIF8":
        return "an image"
    text = _text_kind(data[:_SNIFF_TEXT_BYTES])
    if text is None:
        return "binary data of an unknown kind"
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        return "a web page (HTML), as some systems export 'Excel' files"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
        return "an Excel 2003 XML spreadsheet"
    if start.startswith(b"<?xml"):
        return "an XML file"
    return "plain text"


# --- the door -------------------------------------------------------------------------------


READERS = ("auto", "fast", "second")


def read_workbook(
    path: Path, limits: ReadLimits = ReadLimits(), *, reader: str = "auto"
) -> WorkbookData:
    """Check a returned workbook and read its values; raise ``UnreadableWorkbook`` if it must
    be skipped. Never lets calamine see a file that could take the process down.

    ``reader``: "auto" reads with calamine and, where it fails on the file or a sheet, with
    the second reader (an info ``read-by-fallback`` says so); "fast" is calamine alone and
    "second" the second reader alone (both for comparing the two).
    """
    if reader not in READERS:
        raise ValueError(f"reader must be one of {READERS}, not {reader!r}")
    return _Door(Path(path), limits, reader).read()


@dataclass
class _SheetScan:
    """What the pre-scan learned about one sheet (or one worksheet part)."""

    rows: int = 0  # furthest row holding a value, 1-based (0: none)
    columns: int = 0  # furthest column holding a value, 1-based (0: none)
    formulas: dict[tuple[int, int], str] | _PlainFormulas = field(default_factory=dict)
    formula_count: int = 0  # including those not recorded beyond max_formulas
    exact: bool = True  # rows/columns known before reading (else counted while reading)
    # (row0, col0) -> cached error value ("#DIV/0!"): calamine reads the ones it knows as
    # blank, so they are put back; an error value it does not know fails the sheet instead.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def beyond(self, limits: ReadLimits) -> bool:
        return self.rows > limits.max_rows or self.columns > limits.max_columns


@dataclass
class _Layout:
    """Sheets in workbook order, each with the scan of the part calamine will read for it."""

    sheets: list[tuple[str, _SheetScan | None]]  # None: no part found (calamine will fail)
    # For the second reader (xlsx): each sheet's part key and visibility, the workbook folder.
    parts: dict[str, str] = field(default_factory=dict)
    visible: dict[str, bool] = field(default_factory=dict)
    xl_path: str = "xl/"


class _Door:
    def __init__(self, path: Path, limits: ReadLimits, reader: str = "auto"):
        self.path = path
        self.limits = limits
        self.reader = reader
        self.where = path.name
        self.notes: list[Issue] = []
        self.formulas_recorded = 0
        self.expanded_text = 0  # bytes of .ods rows once their repeats are expanded

    # -- reporting

    def refuse(self, code: str, message: str, sheet: str = "") -> NoReturn:
        raise UnreadableWorkbook(Issue(Severity.ERROR, code, message, file=self.where, sheet=sheet))

    def note(
        self, severity: Severity, code: str, message: str, sheet: str = "", cell: str = ""
    ) -> None:
        self.notes.append(Issue(severity, code, message, file=self.where, sheet=sheet, cell=cell))

    # -- steps

    def read(self) -> WorkbookData:
        data = self._read_bytes()
        kind, archive = self._kind(data)
        self._check_central_directory(archive)
        parts = self._inflate_all(data, archive)
        del data, archive
        by_key = {_part_key(name): content for name, content in parts.items()}
        layout = self._scan_ods(by_key) if kind == "ods" else self._scan_xlsx(by_key, kind)
        self._check_total_cells(layout)
        # calamine reads an archive we wrote from the checked bytes: no second opinion on the
        # zip structure, nothing unchecked inside, and binary parts (macros, pictures) left out.
        canonical = _canonical_archive(parts)
        del parts, by_key
        sheets = self._read_values(canonical, kind, layout)
        return WorkbookData(self.path, kind, sheets, self.notes)

    def _read_bytes(self) -> bytes:
        limit = self.limits.max_file_bytes
        try:
            with open(self.path, "rb") as handle:
                # Never more than the limit, and no limit-sized buffer for a small file.
                size = os.fstat(handle.fileno()).st_size
                data = handle.read(min(size, limit) + 1)
        except IsADirectoryError:
            self.refuse(UNREADABLE_FILE, "This is a folder, not a file.")
        except OSError as error:
            self.refuse(UNREADABLE_FILE, f"The file cannot be opened: {error.strerror or error}.")
        if not data:
            self.refuse(
                EMPTY_FILE,
                "The file is empty (0 bytes): it was probably not saved completely. "
                "Save the workbook again and send it again.",
            )
        if len(data) > limit:
            self.refuse(
                TOO_LARGE,
                f"The file is larger than the {_size(limit)} limit for a returned workbook "
                "(read limit max_file_bytes). Remove pictures or extra sheets and save again; "
                "if the file is genuine, raise the limit.",
            )
        return data

    def _kind(self, data: bytes) -> tuple[str, zipfile.ZipFile]:
        archive = None
        if data.startswith(_ZIP_MAGICS):
            archive = self._open_archive(data)
            kind = _zip_kind(archive)
        else:
            kind = _sniff(data)
        if kind in ("xlsx", "xlsm", "ods") and archive is not None:
            return kind, archive
        fix = "Open it in Excel or LibreOffice and save it as .xlsx, then send it again."
        if kind == "encrypted":
            self.refuse(
                ENCRYPTED,
                "The workbook is protected with a password to open, so it cannot be read. "
                "Save it without a password and send it again (sheet protection is fine).",
            )
        if kind == "xls":
            self.refuse(
                LEGACY_XLS,
                "This is a legacy Excel 97-2003 workbook (.xls), which is not accepted. " + fix,
            )
        if kind == "csv":
            self.refuse(
                CSV_NOT_WORKBOOK,
                "This is a CSV text file, not a workbook: saving as CSV drops every sheet but "
                "one and the layout the scores are read from. Fill in the workbook you were "
                "sent and save it as .xlsx.",
            )
        if kind == "zip" and archive is None:
            self.refuse(CORRUPT_ZIP, "The workbook is damaged (it is not a complete ZIP file).")
        self.refuse(
            NOT_A_SPREADSHEET,
            f"This file is {_describe(data, kind, archive)}, not a spreadsheet, whatever its "
            "name says. Send the filled-in scoring workbook as .xlsx (or .ods).",
        )

    def _open_archive(self, data: bytes) -> zipfile.ZipFile:
        # Bound the parts from the end-of-archive record before zipfile lists them: listing a
        # million tiny entries (a few bytes each) would itself exhaust memory.
        entries = _declared_entry_count(data)
        if entries > self.limits.max_zip_entries:
            self.refuse(
                ZIP_BOMB,
                f"The archive lists up to {entries:,} parts; a workbook has a few dozen "
                f"(limit {self.limits.max_zip_entries:,}, read limit max_zip_entries).",
            )
        try:
            return zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
            self.refuse(
                CORRUPT_ZIP,
                f"The workbook is damaged or truncated ({error}). Save it again and send it "
                "again; if it came by e-mail, check the attachment downloaded completely.",
            )

    def _check_central_directory(self, archive: zipfile.ZipFile) -> None:
        limits = self.limits
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            self.refuse(ZIP_BOMB, f"The archive holds {len(infos):,} parts; a workbook has a few.")
        seen: set[str] = set()
        declared = 0
        for info in infos:
            # calamine looks parts up case-insensitively with "\" as "/": two names equal that
            # way would let the checked part and the read part differ.
            key = _part_key(info.filename)
            if key in seen:
                self.refuse(CORRUPT_ZIP, f"The archive holds part {info.filename!r} twice.")
            seen.add(key)
            if info.flag_bits & 0x1:
                self.refuse(ENCRYPTED, "The workbook is encrypted. Save it without a password.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.refuse(
                    CORRUPT_ZIP,
                    f"Part {info.filename!r} uses a compression method ({info.compress_type}) "
                    "that spreadsheet programs do not write. Open and save the file again.",
                )
            declared += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MIB and ratio > limits.max_compression_ratio:
                self.refuse(
                    ZIP_BOMB,
                    f"Part {info.filename!r} would inflate {ratio:,.0f}× "
                    f"(limit {limits.max_compression_ratio:,.0f}×): this is how zip bombs "
                    "are built. The file was not read.",
                )
        if declared > limits.max_uncompressed_bytes:
            self.refuse(
                TOO_LARGE,
                f"The workbook inflates to {_size(declared)}, over the "
                f"{_size(limits.max_uncompressed_bytes)} limit (read limit "
                "max_uncompressed_bytes). Remove pictures or extra sheets and save again.",
            )

    def _inflate_all(self, data: bytes, archive: zipfile.ZipFile) -> dict[str, bytes]:
        """Every part by name, inflated by us from the raw bytes with caps and CRC.

        Declared sizes were checked; here the *actual* output must equal them, which caps the
        total at max_uncompressed_bytes whatever the compressed streams really hold.
        """
        parts: dict[str, bytes] = {}
        actual_total = 0
        for info in archive.infolist():
            if info.is_dir():
                continue
            raw = self._raw_part(data, info)
            if info.compress_type == zipfile.ZIP_STORED:
                content = bytes(raw)
            else:
                inflater = zlib.decompressobj(-15)
                try:
                    # One byte more than declared: producing it proves the size lied.
                    content = inflater.decompress(raw, info.file_size + 1)
                except zlib.error as error:
                    self.refuse(CORRUPT_ZIP, f"Part {info.filename!r} is damaged ({error}).")
                if len(content) > info.file_size:
                    self.refuse(
                        ZIP_BOMB,
                        f"Part {info.filename!r} declares {_size(info.file_size)} but inflates "
                        "to more: the archive lies about its sizes. The file was not read.",
                    )
                if not inflater.eof:
                    self.refuse(CORRUPT_ZIP, f"Part {info.filename!r} is truncated.")
            if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
                self.refuse(
                    CORRUPT_ZIP,
                    f"Part {info.filename!r} does not match its checksum: the file is damaged.",
                )
            actual_total += len(content)
            if actual_total > self.limits.max_uncompressed_bytes:  # cannot happen after checks
                self.refuse(TOO_LARGE, "The workbook inflates to more than the limit.")
            if _looks_like_xml(content):
                self._check_xml(info.filename, content)
            parts[info.filename] = content
        return parts

    def _raw_part(self, data: bytes, info: zipfile.ZipInfo) -> memoryview:
        offset = info.header_offset
        header = data[offset : offset + 30]
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            self.refuse(CORRUPT_ZIP, f"Part {info.filename!r} is missing: the file is damaged.")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_length + extra_length
        end = start + info.compress_size
        if end > len(data):
            self.refuse(CORRUPT_ZIP, "The workbook is truncated: it was not saved completely.")
        return memoryview(data)[start:end]

    def _check_xml(self, name: str, content: bytes) -> None:
        # Only UTF-8 (or ASCII) XML: in UTF-16 a DOCTYPE would hide from the byte scan below.
        if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in content[:4]:
            self.refuse(CORRUPT_WORKBOOK, f"Part {name!r} is not UTF-8 XML. Save the file again.")
        declaration = _XML_DECLARED_ENCODING.match(content)
        if declaration and declaration.group(1).lower() not in _UTF8_NAMES:
            self.refuse(CORRUPT_WORKBOOK, f"Part {name!r} is not UTF-8 XML. Save the file again.")
        if b"<!" in content and _DTD_OR_ENTITY.search(content):
            self.refuse(
                XML_ENTITIES,
                f"Part {name!r} declares a DOCTYPE or XML entities. Spreadsheet programs never "
                "write these; they are used to attack XML readers. The file was not read.",
            )

    # -- xlsx

    def _scan_xlsx(self, parts: dict[str, bytes], kind: str) -> _Layout:
        """Check every part that can hold cells and map sheets to them; ``parts`` by key."""
        # Every part that can hold cells is scanned, whichever sheet (if any) it belongs to:
        # then no mapping mistake can let calamine read an unchecked part.
        scans = {
            key: self._scan_sheet_part(content)
            for key, content in parts.items()
            if b"sheetData" in content
        }
        for key, content in parts.items():
            if b"uniqueCount" in content:
                self._check_string_count(key, content)
        # Mirror calamine: the workbook folder comes from the root relationships; parts are
        # found case-insensitively; sheet targets are relative to that folder or absolute.
        root_rels = self._parse_xml(parts, "_rels/.rels")
        xl_path = "xl/"
        if root_rels is not None:
            for rel in _children(root_rels, "Relationship"):  # the last one wins, as there
                if rel.get("Type", "").endswith("/relationships/officeDocument"):
                    target = rel.get("Target", "")
                    cut = target.rfind("/")
                    xl_path = target[: cut + 1].removeprefix("/") if cut >= 0 else ""
        rels = self._parse_xml(parts, xl_path + "_rels/workbook.xml.rels")
        workbook = self._parse_xml(parts, xl_path + "workbook.xml")
        if rels is None or workbook is None:
            self.refuse(CORRUPT_WORKBOOK, "The workbook has no sheet list: it is damaged.")
        targets: dict[str, tuple[str, str, str]] = {}
        for rel in _children(rels, "Relationship"):
            targets[rel.get("Id", "")] = (
                rel.get("Type", ""),
                rel.get("Target", ""),
                rel.get("TargetMode", ""),
            )
        sheet_elements = [e for e in workbook.iter() if _local(e.tag) == "sheet"]
        if len(sheet_elements) > self.limits.max_sheets:
            self._refuse_sheet_count(len(sheet_elements))
        sheets: list[tuple[str, _SheetScan | None]] = []
        seen: set[str] = set()
        owned: set[str] = set()
        parts_of: dict[str, str] = {}
        visible: dict[str, bool] = {}
        for element in sheet_elements:
            name = element.get("name", "")
            if name in seen:
                self.refuse(CORRUPT_WORKBOOK, f"Two sheets are named {name!r}: it is damaged.")
            seen.add(name)
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            _, target, _ = targets.get(rel_id, ("", "", ""))
            key = _part_key(target[1:] if target.startswith("/") else xl_path + target)
            if key in owned and key in scans:  # each read would parse the same part again
                self.refuse(CORRUPT_WORKBOOK, "Two sheets share one part: it is damaged.")
            owned.add(key)
            sheets.append((name, scans.get(key)))
            parts_of[name] = key
            visible[name] = element.get("state", "visible") not in ("hidden", "veryHidden")
        for key, scan in scans.items():
            if key not in owned and scan.beyond(self.limits):
                self.refuse(
                    SHEET_TOO_LARGE,
                    f"Part {key!r} holds cells beyond the limits and belongs to no sheet: the "
                    "workbook is damaged or crafted.",
                )
        strings = parts.get(_part_key(xl_path + "sharedStrings.xml"), b"")
        read = [parts[key] for key in owned if key in scans and not scans[key].beyond(self.limits)]
        self._check_shared_text(strings, read)
        self._xlsx_notes(parts, targets, kind)
        return _Layout(sheets, parts_of, visible, xl_path)

    def _check_shared_text(self, strings: bytes, sheets: list[bytes]) -> None:
        """Bound the text calamine copies out of the shared strings, once per cell.

        A few bytes per cell can point at one long shared string; calamine and Python copy it
        for every such cell, so 50 MiB of cells referencing a 1 MiB string would exhaust any
        memory. Bounded first by (cells) × (longest string), exactly only if that is too much.
        """
        if not strings or not sheets:
            return
        pattern = _SHARED_STRING_ANY if b":si" in strings else _SHARED_STRING_PLAIN
        starts = [match.start() for match in pattern.finditer(strings)]
        starts.append(len(strings))
        lengths = list(map(int.__sub__, starts[1:], starts))  # bytes >= characters
        longest = max(lengths, default=0)
        regions = [part[part.find(b"sheetData") : part.rfind(b"sheetData")] for part in sheets]
        total = sum((r.count(b"<c") + r.count(b":c")) * longest for r in regions)
        if total <= self.limits.max_text_bytes:
            return
        total = 0
        for region in regions:
            values = _PLAIN_VALUE.findall(region)
            elements = region.count(b"<v") + region.count(b":v")  # any value element, any syntax
            indices = filter(len(lengths).__gt__, map(int, values))
            total += sum(map(lengths.__getitem__, indices)) + (elements - len(values)) * longest
        if total > self.limits.max_text_bytes:
            self.refuse(
                TOO_LARGE,
                f"The cells repeat long shared texts: reading them would take {_size(total)} "
                f"of text, over the {_size(self.limits.max_text_bytes)} limit (read limit "
                "max_text_bytes). The file was not read.",
            )

    def _xlsx_notes(
        self, parts: dict[str, bytes], targets: dict[str, tuple[str, str, str]], kind: str
    ) -> None:
        keys = set(parts)
        if kind == "xlsm" or any(key.endswith("vbaproject.bin") for key in keys):
            self.note(
                Severity.WARNING,
                MACRO_ENABLED,
                "The workbook contains macros (.xlsm). Its values were read; the macros were "
                "never run nor kept. Save it as .xlsx next time.",
            )
        links = sorted(k for k in keys if k.startswith("xl/externallinks/") and k.endswith(".xml"))
        link_types = [t for t, _, _ in targets.values() if t.endswith("/externalLink")]
        if links or link_types:
            files = sorted(
                {
                    m.decode("utf-8", "replace")
                    for key in keys
                    if key.startswith("xl/externallinks/_rels/")
                    for m in _EXTERNAL_TARGET.findall(parts.get(key, b""))
                }
            )
            shown = ", ".join(f[:120] for f in files[:5]) or "unnamed"
            self.note(
                Severity.WARNING,
                EXTERNAL_LINKS,
                f"The workbook links to {max(len(links), len(link_types))} other file(s) "
                f"({shown}). Values were read as last saved in this file; links are never "
                "followed or refreshed. Check that the scores were typed, not linked.",
            )
        if "xl/connections.xml" in keys:
            self.note(
                Severity.WARNING,
                EXTERNAL_LINKS,
                "The workbook has external data connections (queries). Values were read as "
                "last saved; the connections are never run.",
            )

    def _check_string_count(self, name: str, content: bytes) -> None:
        # calamine reserves memory for the declared count before reading one string: a huge
        # uniqueCount aborts the process (found while building this door), so it must be true.
        # Each string takes at least 9 bytes (<si></si>), so an honest count is below a ninth
        # of the part's size; bounding it by an eighth bounds what calamine reserves.
        declared = max((int(v) for v in _UNIQUE_COUNT.findall(content)), default=0)
        if declared > len(content) // 8 + 1_000:
            self.refuse(
                CORRUPT_WORKBOOK,
                f"Part {name!r} declares {declared:,} shared strings, more than its "
                f"{_size(len(content))} can hold: the workbook is damaged or crafted. "
                "The file was not read.",
            )

    def _parse_xml(self, parts: dict[str, bytes], name: str) -> Element | None:
        content = parts.get(_part_key(name))
        if content is None:
            return None
        try:
            return SafeElementTree.fromstring(content, forbid_dtd=True)
        except DefusedXmlException:
            self.refuse(XML_ENTITIES, f"Part {name!r} declares a DOCTYPE or XML entities.")
        except ParseError as error:
            self.refuse(CORRUPT_WORKBOOK, f"Part {name!r} is not well-formed XML ({error}).")

    def _scan_sheet_part(self, part: bytes) -> _SheetScan:
        scan = _SheetScan()
        # calamine reads cells between the sheetData start and end tags only; both are
        # occurrences of these bytes, so this slice holds every cell it can read.
        content = part[part.find(b"sheetData") : part.rfind(b"sheetData")]
        has_formulas = b"<f" in content or b":f" in content
        if _cells_all_standard(content) and not _beyond_pattern(self.limits).search(content):
            # Every cell is a plain <c r="..."> and no r value anywhere, in any syntax, is
            # beyond the limits: each value sits at its own reference, so the sheet is safe.
            # Its exact extent is left to the cell budget, counted as the values are read.
            scan.exact = False
            if has_formulas and not self._collect_plain_formulas(content, scan):
                self._collect_formulas(content, _owner_from_ref, scan)
            if (b'"e"' in content or b"'e'" in content) and _ERROR_TYPE.search(content):
                scan.errors = _error_cells(content, _owner_from_ref)
            return scan
        starts, positions, scan.rows, scan.columns = _walk_cells(content, self.limits)
        if scan.beyond(self.limits):
            return scan  # skipped or refused: its formulas do not matter

        def owner(data: bytes, offset: int) -> tuple[int, int] | None:
            index = bisect_right(starts, offset) - 1
            return positions[index] if index >= 0 else None

        if has_formulas:
            self._collect_formulas(content, owner, scan)
        if _ERROR_TYPE.search(content):
            scan.errors = _error_cells(content, owner)
        return scan

    def _collect_plain_formulas(self, content: bytes, scan: _SheetScan) -> bool:
        """The usual case in one C-speed pass: only ``<c r="..."><f>text</f>`` formulas.

        False (nothing recorded) when some formula has attributes (shared, array) or another
        shape: ``_collect_formulas`` then takes them one by one.
        """
        if b":f" in content:  # a namespace prefix on some formula
            return False
        found = _PLAIN_FORMULA_CELL.findall(content)
        if len(found) != len(_FORMULA_TAG.findall(content)):  # <f t="shared" ...>, <f/>, ...
            return False
        # Each reference is canonical (what the pattern allows), so it names its cell exactly;
        # a repeated reference keeps its last formula, as a dict by position would.
        raw = dict(found)
        scan.formula_count += len(raw)
        room = max(self.limits.max_formulas - self.formulas_recorded, 0)
        if len(raw) > room:
            raw = dict(list(raw.items())[:room])
        if scan.formulas:  # not the case for a fresh scan; kept exact all the same
            scan.formulas.update(_PlainFormulas(raw))
        else:
            scan.formulas = _PlainFormulas(raw)
        self.formulas_recorded += len(raw)
        return True

    def _collect_formulas(self, content: bytes, owner: _Owner, scan: _SheetScan) -> None:
        """Every formula element, at the position of the cell that holds it.

        Excel writes a formula filled down once ("shared"), in its first cell; the others get
        its text shifted to their own position, as Excel shows them.
        """
        prefixed = b":f" in content
        pattern = _FORMULA_ANY if prefixed else _FORMULA_PLAIN
        shared: dict[bytes, tuple[tuple[int, int], str]] = {}
        found: dict[tuple[int, int], str] = {}
        for match in pattern.finditer(content):
            position = owner(content, match.start())
            if position is None:
                continue
            attributes = match.group(1)
            raw = b""
            if not attributes.endswith(b"/"):
                if prefixed:
                    end = _FORMULA_END.search(content, match.end())
                    stop = end.start() if end is not None else match.end()
                else:
                    stop = max(content.find(b"</f>", match.end()), match.end())
                raw = content[match.end() : stop]
            text = _xml_text(raw) if b"&" in raw or b"<" in raw else raw.decode("utf-8", "replace")
            if b"shared" in attributes and _attribute(attributes, b"t") == b"shared":
                index = _attribute(attributes, b"si") or b""
                if text:
                    shared[index] = (position, text)
                elif index in shared:
                    text = _shift_formula(*shared[index], position)
            found[position] = "=" + text
        self._record_formulas(scan, found)

    def _record_formulas(self, scan: _SheetScan, formulas: dict[tuple[int, int], str]) -> None:
        scan.formula_count += len(formulas)
        room = self.limits.max_formulas - self.formulas_recorded
        if len(formulas) > room:
            formulas = dict(list(formulas.items())[: max(room, 0)])
        scan.formulas.update(formulas)
        self.formulas_recorded += len(formulas)

    def _record_block(
        self, scan: _SheetScan, row: int, column: int, rows: int, columns: int, raw: bytes
    ) -> None:
        """One ODS formula repeated over a block: record up to the cap, count the rest."""
        text = _ods_formula(raw)
        room = max(0, self.limits.max_formulas - self.formulas_recorded)
        for index in range(min(rows * columns, room)):
            scan.formulas[(row + index // columns, column + index % columns)] = text
        self.formulas_recorded += min(rows * columns, room)
        scan.formula_count += rows * columns

    # -- ods

    def _scan_ods(self, parts: dict[str, bytes]) -> _Layout:
        """Check content.xml table by table; ``parts`` by key."""
        content = parts.get("content.xml")
        if content is None:
            self.refuse(CORRUPT_WORKBOOK, "The OpenDocument file has no content: it is damaged.")
        starts = list(_ODS_TABLE.finditer(content))
        if len(starts) > self.limits.max_sheets:
            self._refuse_sheet_count(len(starts))
        sheets: list[tuple[str, _SheetScan | None]] = []
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(content)
            name_bytes = _attribute(match.group(1), b"table:name") or b""
            name = _unescape(name_bytes.decode("utf-8", "replace"))
            scan = self._scan_ods_table(content, match.end(), end)
            if scan.beyond(self.limits):
                # calamine parses every table of an .ods when it opens it, so one oversized
                # table cannot be skipped: the whole file is refused, naming the sheet.
                self._refuse_sheet_too_large(name, scan)
            sheets.append((name, scan))
        if self.expanded_text > self.limits.max_text_bytes:
            self.refuse(
                TOO_LARGE,
                f"Repeated rows and cells expand to {_size(self.expanded_text)} of cells, over "
                f"the {_size(self.limits.max_text_bytes)} limit (read limit max_text_bytes). "
                "The file was not read.",
            )
        if any(key.startswith(("basic/", "scripts/")) for key in parts) or (
            b"script:event-listener" in content
        ):
            self.note(
                Severity.WARNING,
                MACRO_ENABLED,
                "The spreadsheet contains macros. Its values were read; the macros were never "
                "run nor kept.",
            )
        if b"table:table-source" in content or b"table:dde-link" in content:
            self.note(
                Severity.WARNING,
                EXTERNAL_LINKS,
                "The spreadsheet links to other files or data sources. Values were read as "
                "last saved; links are never followed or refreshed.",
            )
        return _Layout(sheets)

    def _scan_ods_table(self, content: bytes, start: int, end: int) -> _SheetScan:
        """Extent of the *non-empty* cells of one table, following repeats like calamine.

        LibreOffice ends every row with a huge repeat of empty cells and every table with a
        huge repeat of empty rows: harmless, as calamine keeps only what precedes the last
        value; only repeats of values count.
        """
        scan = _SheetScan()
        table = content[start:end]
        rows = list(_ODS_ROW.finditer(table))
        row = 0
        for index, match in enumerate(rows):
            attributes = match.group(1)
            repeat = _repeat(attributes, b"table:number-rows-repeated")
            if not attributes.endswith(b"/"):
                body_end = rows[index + 1].start() if index + 1 < len(rows) else len(table)
                body = table[match.end() : body_end]
                if _ods_row_may_hold_values(body):
                    columns, formulas, repeated = _ods_row_extent(body)
                    if columns:
                        scan.rows = max(scan.rows, row + repeat)
                        scan.columns = max(scan.columns, columns)
                        self.expanded_text += (len(body) + repeated) * repeat
                    if not scan.beyond(self.limits):
                        for column, span, raw in formulas:
                            self._record_block(scan, row, column, repeat, span, raw)
            row += repeat
        return scan

    # -- shared

    def _refuse_sheet_count(self, count: int) -> NoReturn:
        self.refuse(
            TOO_MANY_SHEETS,
            f"The workbook has {count:,} sheets; the limit is {self.limits.max_sheets:,} "
            "(read limit max_sheets). Delete the sheets you added and send it again.",
        )

    def _sheet_too_large_message(self, scan: _SheetScan) -> str:
        limits = self.limits
        return (
            f"The sheet has values down to row {scan.rows:,} and across to column "
            f"{col_letter(scan.columns - 1)}; the limit is {limits.max_rows:,} rows and "
            f"{limits.max_columns:,} columns (up to {col_letter(limits.max_columns - 1)}; read "
            "limits max_rows, max_columns). Delete what lies beyond the scoring table and save "
            "again."
        )

    def _refuse_sheet_too_large(self, name: str, scan: _SheetScan) -> NoReturn:
        self.refuse(SHEET_TOO_LARGE, self._sheet_too_large_message(scan), sheet=name)

    def _check_total_cells(self, layout: _Layout) -> None:
        """The cell budget, for the sheets whose extent the scan measured."""
        self._check_cell_budget(
            sum(
                scan.rows * scan.columns
                for _, scan in layout.sheets
                if scan is not None and scan.exact and not scan.beyond(self.limits)
            )
        )
        skipped = sum(scan.formula_count for _, scan in layout.sheets if scan) - (
            self.formulas_recorded
        )
        if skipped > 0:
            self.note(
                Severity.WARNING,
                TOO_MANY_FORMULAS,
                f"The workbook has {skipped + self.formulas_recorded:,} formula cells; only "
                f"the first {self.formulas_recorded:,} are listed (read limit max_formulas).",
            )

    def _check_cell_budget(self, total: int) -> None:
        if total > self.limits.max_cells:
            self.refuse(
                TOO_LARGE,
                f"The sheets span {total:,} cells in all (rows × columns used); the limit is "
                f"{self.limits.max_cells:,} (read limit max_cells). Delete the sheets or "
                "ranges you added and send it again.",
            )

    def _read_values(self, archive: bytes, kind: str, layout: _Layout) -> list[SheetData]:
        if self.reader == "second":
            return self._read_all_by_second_reader(archive, kind, layout, None)
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(archive))
            metadata = book.sheets_metadata
        except BaseException as error:
            if not _is_reader_failure(error):
                raise
            if self.reader == "fast":
                self.refuse(
                    CORRUPT_WORKBOOK,
                    f"The workbook cannot be read ({_one_line(error)}). Open it in Excel or "
                    "LibreOffice, save it again and send it again.",
                )
            return self._read_all_by_second_reader(archive, kind, layout, error)
        second: _SecondReader | None = None
        scans = dict(layout.sheets)
        if [meta.name for meta in metadata] != [name for name, _ in layout.sheets]:
            # The pre-scan and calamine must agree on the sheets, or the checks prove nothing.
            self.refuse(CORRUPT_WORKBOOK, "The workbook's sheet list is inconsistent.")
        sheets = []
        cells = 0
        for meta in metadata:
            scan = scans[meta.name]
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # chart and dialog sheets hold no cells
            if scan is not None and scan.beyond(self.limits):
                self.note(
                    Severity.ERROR,
                    SHEET_TOO_LARGE,
                    "This sheet was not read. " + self._sheet_too_large_message(scan),
                    sheet=meta.name,
                )
                continue
            try:
                values = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                rows = [list(map(_BLANK_AS_NONE.get, row, row)) for row in values]
            except BaseException as error:
                if not _is_reader_failure(error):
                    raise
                if self.reader == "fast":
                    self.note(
                        Severity.ERROR,
                        SHEET_UNREADABLE,
                        f"This sheet cannot be read ({_one_line(error)}); the other sheets were.",
                        sheet=meta.name,
                    )
                    continue
                # calamine gave up on this sheet (an error value it does not know, XML
                # it does not expect): the second reader reads it before anything is lost.
                second = second or _SecondReader(archive, kind, layout, self.limits)
                try:
                    rows = second.rows(meta.name)
                except _SecondReaderFailure as failure:
                    self.note(
                        Severity.ERROR,
                        SHEET_UNREADABLE,
                        f"This sheet cannot be read ({_one_line(error)}; {failure}); the other "
                        "sheets were.",
                        sheet=meta.name,
                    )
                    continue
                self._note_second_reader(_one_line(error), meta.name)
            else:
                if scan is not None and scan.errors:
                    _put_errors(rows, scan.errors)
            # Each sheet is within max_rows × max_columns; the running total bounds the rest.
            cells += len(rows) * max(map(len, rows), default=0)
            self._check_cell_budget(cells)
            self._note_long_cells(meta.name, rows)
            visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
            formulas = scan.formulas if scan is not None else {}
            sheets.append(SheetData(meta.name, visible, rows, formulas))
        return sheets

    def _read_all_by_second_reader(
        self, archive: bytes, kind: str, layout: _Layout, error: BaseException | None
    ) -> list[SheetData]:
        """calamine could not open the workbook at all: every sheet by the second reader."""
        second = _SecondReader(archive, kind, layout, self.limits)
        sheets = []
        cells = 0
        try:
            visible = second.visibility()
            for name, scan in layout.sheets:
                if scan is None:
                    continue  # no cells part (a chart sheet)
                if scan.beyond(self.limits):  # an .ods was refused before; an .xlsx skips it
                    self.note(
                        Severity.ERROR,
                        SHEET_TOO_LARGE,
                        "This sheet was not read. " + self._sheet_too_large_message(scan),
                        sheet=name,
                    )
                    continue
                rows = second.rows(name)
                cells += len(rows) * max(map(len, rows), default=0)
                self._check_cell_budget(cells)
                self._note_long_cells(name, rows)
                sheets.append(SheetData(name, visible.get(name, True), rows, scan.formulas))
        except _SecondReaderFailure as failure:
            why = f"{_one_line(error)}; {failure}" if error is not None else str(failure)
            self.refuse(
                CORRUPT_WORKBOOK,
                f"The workbook cannot be read ({why}). Open it in Excel or LibreOffice, save "
                "it again and send it again.",
            )
        if error is not None:
            self._note_second_reader(_one_line(error))
        return sheets

    def _note_second_reader(self, reason: str, sheet: str = "") -> None:
        what = "This sheet" if sheet else "This workbook"
        self.note(
            Severity.INFO,
            READ_BY_FALLBACK,
            f"{what} was read by laddersheet's second reader: the fast reader does not accept "
            f"how this spreadsheet program writes files ({reason}). Nothing to do; every cell "
            "was read.",
            sheet=sheet,
        )

    def _note_long_cells(self, sheet: str, rows: list[list[object]]) -> None:
        limit = self.limits.max_text_chars
        texts = filter(str.__instancecheck__, chain.from_iterable(rows))
        if max(map(len, texts), default=0) <= limit:  # C-speed: the usual case ends here
            return
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and len(value) > limit:
                    self.note(
                        Severity.WARNING,
                        LONG_CELL,
                        f"The cell holds {len(value):,} characters (over {limit:,}); it was "
                        "kept in full. Check it is not pasted by mistake.",
                        sheet=sheet,
                        cell=cell_ref(r, c),
                    )


# --- helpers: zip ---------------------------------------------------------------------------


def _declared_entry_count(buf: bytes | mmap.mmap) -> int:
    """How many parts zipfile would list, at most, found the way zipfile finds them.

    zipfile reads the end-of-archive record (and a ZIP64 record just before it, if any),
    then parses central-directory entries until the declared directory *size* is used up,
    whatever the declared count says; each entry takes at least 46 bytes. 0 if no record.
    """
    tail_start = max(0, len(buf) - (22 + 65_535))
    tail = bytes(buf[tail_start:])
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return 0
    count, size = struct.unpack("<HI", tail[at + 10 : at + 16])
    record_at = tail_start + at - 20 - 56  # ZIP64 end record, then its locator, then ours
    if record_at >= 0 and bytes(buf[tail_start + at - 20 : tail_start + at - 16]) == (
        b"PK\x06\x07"
    ):
        record = bytes(buf[record_at : record_at + 56])
        if record.startswith(b"PK\x06\x06"):
            count, size = struct.unpack("<QQ", record[32:48])
    return max(count, size // 46)


def _canonical_archive(parts: dict[str, bytes]) -> bytes:
    """A plain (stored, UTF-8 names) zip of the checked XML parts, in their original order.

    Written directly: zipfile's writer costs more than calamine saves by not inflating.
    """
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, content in parts.items():
        if name != "mimetype" and not _looks_like_xml(content):
            continue
        encoded = name.encode("utf-8")
        crc, size = zlib.crc32(content), len(content)
        fields = (_UTF8_NAMES_FLAG, 0, 0, _DOS_DATE_1980, crc, size, size, len(encoded), 0)
        header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, *fields)
        directory.append(
            struct.pack("<4sHH", b"PK\x01\x02", 20, 20)
            + header[6:]
            + struct.pack("<HHHII", 0, 0, 0, 0, offset)
            + encoded
        )
        chunks += (header, encoded, content)
        offset += len(header) + len(encoded) + size
    central = b"".join(directory)
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), offset, 0
    )
    return b"".join([*chunks, central, end])


def _part_key(name: str) -> str:
    return name.replace("\\", "/").lower()


def _size(count: int) -> str:
    if count < 10_000:
        return f"{count:,} bytes"
    return f"{count / MIB:,.1f} MiB" if count >= MIB else f"{count / 1024:,.0f} KiB"


# --- helpers: XML ---------------------------------------------------------------------------

_XML_DECLARED_ENCODING = re.compile(
    rb'\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']'
)
_UNIQUE_COUNT = re.compile(rb"""uniqueCount\s*=\s*["']([0-9]+)""")
_UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_DTD_OR_ENTITY = re.compile(rb"<!(?i:doctype|entity)")


def _looks_like_xml(content: bytes) -> bool:
    start = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<") or content.startswith((b"\xff\xfe", b"\xfe\xff"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(root: Element, local_name: str) -> list[Element]:
    return [element for element in root.iter() if _local(element.tag) == local_name]


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "<![CDATA[" in text:
        text = re.sub(r"<!\[CDATA\[(.*?)\]\]>", lambda m: m.group(1).replace("&", "&amp;"), text)
    return _unescape(text)


def _unescape(text: str) -> str:
    """XML's five entities and character references (html.unescape is slow for the rest)."""
    if "&" not in text:
        return text
    if "&#" in text:
        return html.unescape(text)
    for entity, char in _XML_ENTITIES:
        text = text.replace(entity, char)
    return text


_XML_ENTITIES = (("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


_ATTRIBUTE_VALUE = rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')"""
_ATTRIBUTE_PATTERNS: dict[bytes, re.Pattern[bytes]] = {}


def _attribute(attributes: bytes, name: bytes) -> bytes | None:
    """The value of attribute ``name`` in a tag's attribute text (quick-xml syntax)."""
    pattern = _ATTRIBUTE_PATTERNS.get(name)
    if pattern is None:
        pattern = re.compile(rb"(?:^|[\s\"'])" + re.escape(name) + _ATTRIBUTE_VALUE)
        _ATTRIBUTE_PATTERNS[name] = pattern
    match = pattern.search(attributes)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


_EXTERNAL_TARGET = re.compile(rb'Target\s*=\s*"([^"]*)"[^>]*TargetMode\s*=\s*"External"')


def _is_reader_failure(error: BaseException) -> bool:
    # A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException.
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


# --- helpers: xlsx cells --------------------------------------------------------------------

# A tag's attributes, quotes respected (a ">" inside quotes does not end the tag).
_ATTRS = rb"""((?:[^>"']++|"[^"]*+"|'[^']*+')*+)"""  # possessive: linear, never backtracks
_CELL_OR_ROW = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])" + _ATTRS + rb">")
_R_VALUES = re.compile(rb"(?:^|[\s\"'])r" + _ATTRIBUTE_VALUE)
_ODD_PLAIN_C = re.compile(rb'<c(?=[\s/>])(?! r=")')
_PREFIXED_C = re.compile(rb":c[\s/>]")
_SHARED_STRING_PLAIN = re.compile(rb"<si[\s/>]")
_SHARED_STRING_ANY = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_PLAIN_VALUE = re.compile(rb"<v>([0-9]+)</v>")
# Only canonical references (upper-case letters, no leading zero): anything else makes the
# formula count disagree and the general path (which parses references like calamine) take over.
_PLAIN_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[1-9][0-9]*)"[^>]*>\s*<f>([^<]*)</f>')
_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_BLANK_AS_NONE: dict[object, object] = {"": None}
_UTF8_NAMES_FLAG = 0x800
_DOS_DATE_1980 = (1 << 5) | 1  # 1980-01-01: the date is not information worth keeping
_FORMULA_PLAIN = re.compile(rb"<f(?=[\s/>])" + _ATTRS + rb">")
_FORMULA_ANY = re.compile(rb"<(?:[\w.-]+:)?f(?=[\s/>])" + _ATTRS + rb">")
_FORMULA_END = re.compile(rb"</(?:[\w.-]+:)?f\s*>")
_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")
_BEYOND_CACHE: dict[tuple[int, int], re.Pattern[bytes]] = {}
_Owner = Callable[[bytes, int], "tuple[int, int] | None"]  # formula offset -> its cell


def _cells_all_standard(content: bytes) -> bool:
    """True if every cell tag is a plain ``<c r="...`` (what spreadsheet programs write).

    Then each value's position is its own reference; otherwise (no ``r``, a namespace prefix,
    odd spacing) positions depend on the order of rows and cells and ``_walk_cells`` follows
    them. Two C-speed searches: ``<c`` as a whole tag name not followed by exactly `` r="``,
    and any prefixed ``:c``.
    """
    return _ODD_PLAIN_C.search(content) is None and _PREFIXED_C.search(content) is None


def _beyond_pattern(limits: ReadLimits) -> re.Pattern[bytes]:
    """Matches any ``r="..."`` attribute whose row or column is beyond the limits."""
    key = (limits.max_rows, limits.max_columns)
    if key not in _BEYOND_CACHE:
        letters = _greater_than(col_letter(limits.max_columns - 1).encode(), b"A", b"Z")
        digits = _greater_than(str(limits.max_rows).encode(), b"0", b"9")
        # Any syntax quick-xml accepts: no space before r, spaces around "=", either quote;
        # a reference needs digits (without, calamine fails rather than allocates).
        value = rb"(?i:" + letters + rb")[0-9]+|[A-Za-z]*(?:" + digits + rb")"
        _BEYOND_CACHE[key] = re.compile(rb"r\s*=\s*[\"'](?:" + value + rb")[\"']")
    return _BEYOND_CACHE[key]


def _greater_than(limit: bytes, low: bytes, high: bytes) -> bytes:
    """A regex for strings over [low-high] that are greater than ``limit`` as numerals.

    Longer strings are always greater (leading zeros only make a value look larger, which
    errs on the safe side); for the same length, compare position by position.
    """
    any_char = b"[" + low + b"-" + high + b"]"
    alternatives = [any_char + b"{%d,}" % (len(limit) + 1)]
    for index in range(len(limit)):
        digit = limit[index : index + 1]
        if digit < high:
            following = len(limit) - index - 1
            bigger = b"[" + bytes([digit[0] + 1]) + b"-" + high + b"]"
            alternatives.append(limit[:index] + bigger + any_char + b"{%d}" % following)
    return b"|".join(alternatives)


def _parse_ref(value: bytes) -> tuple[int, int | None] | None:
    """(row0, col0 or None) like calamine's reader; None where calamine would fail."""
    match = _REF.fullmatch(value)
    if match is None:
        return None
    row = int(match.group(2)) - 1
    if row < 0:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + letter - 64
    return row, (column - 1 if column else None)


def _walk_cells(
    content: bytes, limits: ReadLimits
) -> tuple[list[int], list[tuple[int, int]], int, int]:
    """Follow rows and cells in order, exactly as calamine positions them.

    calamine expands empty elements, so ``<row r="5"/>`` sets the row and then ends it; a cell
    without ``r`` takes the current row and the column after the previous cell. Only cells
    with content count for the extent (calamine drops empty ones). Returns the start offset
    and position of every cell, and the extent (1-based) of cells with content; stops at the
    first cell with content beyond the limits (a crafted sheet must not cost a full walk).
    """
    starts: list[int] = []
    positions: list[tuple[int, int]] = []
    row_index = column_index = 0
    max_row = max_column = 0
    for match in _CELL_OR_ROW.finditer(content):
        closing, name, attributes = match.groups()
        self_closing = attributes.endswith(b"/")
        refs = [_parse_ref(a or b) for a, b in _R_VALUES.findall(attributes)]
        if name == b"row":
            if closing:
                row_index, column_index = row_index + 1, 0
                continue
            rows = [ref[0] for ref in refs if ref is not None]
            if rows:
                row_index = max(rows)
            if self_closing:
                row_index, column_index = row_index + 1, 0
            continue
        if closing:
            continue
        cells = [(ref[0], ref[1]) for ref in refs if ref is not None and ref[1] is not None]
        if cells:  # several r attributes only in crafted files: take the furthest
            row = max(r for r, _ in cells)
            column = max(c for _, c in cells)
            column_index = column
        else:
            row, column = row_index, column_index
        column_index += 1
        starts.append(match.start())
        positions.append((row, column))
        if not self_closing:
            max_row = max(max_row, row + 1)
            max_column = max(max_column, column + 1)
            if max_row > limits.max_rows or max_column > limits.max_columns:
                break
    return starts, positions, max_row, max_column


class _PlainFormulas(Mapping[tuple[int, int], str]):
    """The plain formulas of one sheet: canonical reference -> raw XML text, as found.

    Positions and text are worked out only for what is asked for: a reader wants the formulas
    of a few cells (ingest: the Score column), while every sheet of a returned workbook holds
    formulas. Iteration, ``len`` and equality behave as the dict by position would.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[bytes, bytes]):
        self._raw = raw

    def __getitem__(self, key: tuple[int, int]) -> str:
        raw = self._raw.get(_canonical_ref(key))
        if raw is None:
            raise KeyError(key)
        return _plain_formula_text(raw)

    def get(self, key: object, default: str | None = None) -> str | None:  # type: ignore[override]
        raw = self._raw.get(_canonical_ref(key))
        return default if raw is None else _plain_formula_text(raw)

    def __contains__(self, key: object) -> bool:
        return _canonical_ref(key) in self._raw

    def __len__(self) -> int:
        return len(self._raw)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for ref in self._raw:
            position = _parse_ref(ref)
            if position is not None and position[1] is not None:  # always, for these refs
                yield position[0], position[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


def _canonical_ref(key: object) -> bytes:
    """b"H19" for (18, 7); b"" (in no sheet) for anything that is not a cell position."""
    if type(key) is not tuple or len(key) != 2:
        return b""
    row, column = key
    if not (isinstance(row, int) and isinstance(column, int)) or row < 0 or column < 0:
        return b""
    letters = _COLUMN_LETTERS.get(column)
    if letters is None:
        letters = _COLUMN_LETTERS.setdefault(column, col_letter(column).encode())
    return letters + b"%d" % (row + 1)


_COLUMN_LETTERS: dict[int, bytes] = {}


def _plain_formula_text(raw: bytes) -> str:
    return "=" + (_xml_text(raw) if b"&" in raw else raw.decode("utf-8", "replace"))


def _owner_from_ref(content: bytes, offset: int) -> tuple[int, int] | None:
    start = content.rfind(b'<c r="', 0, offset)
    if start < 0:
        return None
    end = content.find(b'"', start + 6)
    ref = _parse_ref(content[start + 6 : end])
    if ref is None or ref[1] is None:
        return None
    return ref[0], ref[1]


def _shift_formula(master: tuple[int, int], text: str, position: tuple[int, int]) -> str:
    """The text of a shared formula as it reads in ``position`` (Excel stores it once)."""
    from openpyxl.formula.translate import Translator, TranslatorError  # only when needed

    try:
        shifted = Translator("=" + text, origin=cell_ref(*master)).translate_formula(
            cell_ref(*position)
        )
    except (TranslatorError, ValueError):
        return text
    return shifted[1:]


# --- helpers: ods ---------------------------------------------------------------------------

_ODS_TABLE = re.compile(rb"<table:table(?=[\s/>])" + _ATTRS + rb">")
_ODS_ROW = re.compile(rb"<table:table-row(?=[\s/>])" + _ATTRS + rb">")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s/>])" + _ATTRS + rb">")


def _repeat(attributes: bytes, name: bytes) -> int:
    value = _attribute(attributes, name) if name in attributes else None
    return int(value) if value is not None and value.isdigit() and int(value) > 0 else 1


_ODS_COLUMNS_REPEATED = re.compile(rb"""table:number-columns-repeated\s*=\s*["']([0-9]+)""")
_ODS_FORMULA = re.compile(rb"""table:formula\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_OdsFormula = tuple[int, int, bytes]  # column0, columns it repeats over, raw formula


def _ods_spans(cells: bytes) -> int:
    """Columns covered by the cells in ``cells`` (a row's beginning), repeats included."""
    repeats = _ODS_COLUMNS_REPEATED.findall(cells)
    tags = cells.count(b"<table:table-cell") + cells.count(b"<table:covered-table-cell")
    return tags + sum(max(int(value), 1) - 1 for value in repeats)


def _ods_cell_at(body: bytes, offset: int) -> int:
    """Start of the cell tag that holds ``offset``."""
    return max(
        body.rfind(b"<table:table-cell", 0, offset),
        body.rfind(b"<table:covered-table-cell", 0, offset),
    )


def _ods_row_extent(body: bytes) -> tuple[int, list[_OdsFormula], int]:
    """Columns up to the last non-empty cell, the formulas, and the bytes that column
    repeats of non-empty cells add when expanded; C-speed counts per row.

    ``body`` runs to the next row, so after a table's last row it also holds what follows
    the rows (conditional formats, named ranges): only cell tags count. calamine keeps a
    cell with content (not self-closing) or with a value or formula attribute (every such
    attribute name says "value" or "formula"); the last cell is found walking back from
    the end, which for LibreOffice is one step past the trailing run of empty cells.
    """
    columns = 0
    end, trailing = len(body), 0  # columns of the empty cells after the last filled one
    while (cell := _ods_cell_at(body, end)) >= 0:
        tag = _ODS_CELL.match(body, cell)
        attributes = tag.group(1) if tag is not None else b""  # unparsable: count it
        if tag is None or _ods_filled(attributes):
            columns = _ods_spans(body) - trailing
            break
        trailing += _repeat(attributes, b"table:number-columns-repeated")
        end = cell
    formulas = []
    position = scanned = 0  # columns before offset ``scanned``, counted once, left to right
    for match in _ODS_FORMULA.finditer(body):
        cell = _ods_cell_at(body, match.start())
        tag = _ODS_CELL.match(body, cell) if cell >= scanned else None
        if tag is None or match.start() >= tag.end():  # not an attribute of a cell tag
            continue
        position += _ods_spans(body[scanned:cell])
        scanned = cell
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        formulas.append((position, _repeat(tag.group(1), b"table:number-columns-repeated"), raw))
    return columns, formulas, _ods_repeated_bytes(body)


def _ods_filled(attributes: bytes) -> bool:
    """Whether calamine keeps a cell with these attributes (erring towards yes)."""
    return not attributes.endswith(b"/") or b"value" in attributes or b"formula" in attributes


def _ods_repeated_bytes(body: bytes) -> int:
    """Bytes that repeated *non-empty* cells add once expanded (calamine copies each)."""
    added = 0
    for match in _ODS_COLUMNS_REPEATED.finditer(body):
        cell = _ods_cell_at(body, match.start())
        tag = _ODS_CELL.match(body, cell) if cell >= 0 else None
        if tag is None:
            continue
        attributes = tag.group(1)
        if not _ods_filled(attributes):
            continue  # an empty run, as LibreOffice ends every row with
        following = [body.find(b"<table:table-cell", tag.end())]
        following.append(body.find(b"<table:covered-table-cell", tag.end()))
        end = min((offset for offset in following if offset >= 0), default=len(body))
        added += (end - cell) * (_repeat(attributes, b"table:number-columns-repeated") - 1)
    return added


def _ods_row_may_hold_values(body: bytes) -> bool:
    return (
        b"value" in body
        or b"formula" in body
        or b"</table:table-cell" in body
        or b"</table:covered-table-cell" in body
    )


def _ods_formula(raw: bytes) -> str:
    text = _unescape(raw.decode("utf-8", "replace"))
    namespace, colon, rest = text.partition(":")
    if colon and namespace.isalpha() and rest.startswith("="):
        return rest  # "of:=[.B2]*2" -> "=[.B2]*2"
    return text if text.startswith("=") else "=" + text


# --- helpers: error values ------------------------------------------------------------------

_ERROR_TYPE = re.compile(rb"""(?:^|[\s"'])t\s*=\s*["']e["']""")
_TAG_END = re.compile(rb"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c\s*>")
_VALUE_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)</(?:[\w.-]+:)?v\s*>")


def _error_cells(content: bytes, owner: _Owner) -> dict[tuple[int, int], str]:
    """Every cell of type ``e`` with its cached error value, by position (``owner``)."""
    found: dict[tuple[int, int], str] = {}
    for match in _ERROR_TYPE.finditer(content):
        tag_end = _TAG_END.match(content, match.end())
        if tag_end is None or content[tag_end.end() - 2 : tag_end.end() - 1] == b"/":
            continue  # no value
        end = _CELL_END.search(content, tag_end.end())
        stop = end.start() if end is not None else len(content)
        value = _VALUE_ELEMENT.search(content, tag_end.end(), stop)
        position = owner(content, match.start())
        if value is not None and position is not None:
            text = _xml_text(value.group(1)).strip()
            if text:
                found[position] = text
    return found


def _put_errors(rows: list[list[object]], errors: Mapping[tuple[int, int], str]) -> None:
    for (row, column), text in errors.items():
        if row < len(rows) and column < len(rows[row]) and rows[row][column] is None:
            rows[row][column] = text


# --- the second reader ----------------------------------------------------------------------


class _SecondReaderFailure(Exception):
    """The second reader could not read a part either; the message says why."""


_SECOND_EVENTS = ("start", "end")
_BOOLEANS = {"1": True, "true": True, "0": False, "false": False}
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(45, 48)])
_BUILTIN_DURATION_FORMATS = frozenset([46])
_DATE_KIND, _DURATION_KIND = 1, 2
_EXCEL_1900 = datetime(1899, 12, 30)
_EXCEL_1900_EARLY = datetime(1899, 12, 31)  # before the phantom 1900-02-29
_EXCEL_1904 = datetime(1904, 1, 1)
_ISO_DURATION = re.compile(
    r"-?P(?:([0-9.]+)D)?T?(?:([0-9.]+)H)?(?:([0-9.]+)M)?(?:([0-9.]+)S)?", re.IGNORECASE
)


class _SecondReader:
    """An independent reader of the checked parts, for what calamine refuses.

    Written on defusedxml's ``iterparse`` (no DTD, no entities; the pre-scan already refused
    both) and streaming: rows are read and dropped one by one, so memory is the values kept,
    whose extent the pre-scan bounded. It reads what spreadsheet programs write, whatever the
    namespace prefixes and whitespace: for .xlsx shared strings (rich text runs included, the
    phonetic hints left out), inline strings, numbers, booleans, error values as their text,
    dates by the cell's number format and the workbook's 1904 flag; for .ods the content.xml
    tables with their row and column repeats, covered cells, paragraphs, spans and spaces, by
    ``office:value-type``. Values come out as calamine gives them, so either reader may read a
    file; an error value (``#N/A``, or one no reader knows) is kept as its text.
    """

    def __init__(self, archive: bytes, kind: str, layout: _Layout, limits: ReadLimits):
        self.archive = zipfile.ZipFile(io.BytesIO(archive))
        self.names = {_part_key(name): name for name in self.archive.namelist()}
        self.kind = kind
        self.layout = layout
        self.limits = limits
        self._strings: list[str] | None = None
        self._styles: dict[int, int] | None = None
        self._date1904: bool | None = None
        self._ods: dict[str, tuple[bool, list[list[object]]]] | None = None

    # -- public

    def visibility(self) -> dict[str, bool]:
        if self.kind == "ods":
            return {name: visible for name, (visible, _) in self._read_ods().items()}
        return dict(self.layout.visible)

    def rows(self, name: str) -> list[list[object]]:
        try:
            if self.kind == "ods":
                found = self._read_ods().get(name)
                if found is None:
                    raise _SecondReaderFailure(f"no table named {name!r} in content.xml")
                return found[1]
            key = self.layout.parts.get(name, "")
            return self._xlsx_rows(self._part(key))
        except (ParseError, DefusedXmlException) as error:
            raise _SecondReaderFailure(f"second reader: {_one_line(error)}") from None

    # -- parts

    def _part(self, key: str) -> bytes:
        name = self.names.get(key)
        if name is None:
            raise _SecondReaderFailure(f"second reader: part {key!r} is missing")
        return self.archive.read(name)

    def _optional_part(self, key: str) -> bytes | None:
        return self._part(key) if key in self.names else None

    def _events(self, content: bytes) -> Iterator[tuple[str, Element]]:
        return SafeElementTree.iterparse(
            io.BytesIO(content), events=_SECOND_EVENTS, forbid_dtd=True
        )

    # -- xlsx

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            strings: list[str] = []
            content = self._optional_part(_part_key(self.layout.xl_path + "sharedStrings.xml"))
            if content is not None:
                root = None
                for event, element in self._events(content):
                    if root is None:
                        root = element
                    if event == "end" and _local(element.tag) == "si":
                        strings.append(_rich_text(element))
                        root.clear()
            self._strings = strings
        return self._strings

    def _number_kinds(self) -> dict[int, int]:
        """Cell style index -> date or duration kind, for the styles with such a format."""
        if self._styles is None:
            kinds: dict[int, int] = {}
            content = self._optional_part(_part_key(self.layout.xl_path + "styles.xml"))
            if content is not None:
                root = SafeElementTree.fromstring(content, forbid_dtd=True)
                custom = {
                    _int(element.get("numFmtId")): element.get("formatCode", "")
                    for element in root.iter()
                    if _local(element.tag) == "numFmt"
                }
                cell_xfs = next((e for e in root.iter() if _local(e.tag) == "cellXfs"), None)
                xfs = [e for e in cell_xfs or () if _local(e.tag) == "xf"]
                for index, xf in enumerate(xfs):
                    number_format = _int(xf.get("numFmtId"))
                    if number_format in custom:
                        kind = _custom_format_kind(custom[number_format])
                    elif number_format in _BUILTIN_DURATION_FORMATS:
                        kind = _DURATION_KIND
                    else:
                        kind = _DATE_KIND if number_format in _BUILTIN_DATE_FORMATS else 0
                    if kind:
                        kinds[index] = kind
            self._styles = kinds
        return self._styles

    def _is_1904(self) -> bool:
        if self._date1904 is None:
            content = self._optional_part(_part_key(self.layout.xl_path + "workbook.xml"))
            root = SafeElementTree.fromstring(content, forbid_dtd=True) if content else None
            flag = next(
                (
                    e.get("date1904", "")
                    for e in (root.iter() if root is not None else ())
                    if _local(e.tag) == "workbookPr"
                ),
                "",
            )
            self._date1904 = flag.strip().lower() in ("1", "true")
        return self._date1904

    def _xlsx_rows(self, content: bytes) -> list[list[object]]:
        cells: dict[tuple[int, int], object] = {}
        row_index = column_index = 0
        in_data = False
        holder: Element | None = None  # sheetData: rows are dropped from it once read
        for event, element in self._events(content):
            name = _local(element.tag)
            if name == "sheetData":
                in_data = event == "start"
                holder = element if in_data else None
                continue
            if not in_data:
                continue
            if name == "row":
                if event == "start":
                    row = _parse_ref(element.get("r", "").encode())
                    if row is not None:
                        row_index = row[0]
                    column_index = 0
                else:
                    row_index, column_index = row_index + 1, 0
                    if holder is not None:
                        holder.clear()
                continue
            if name != "c" or event != "end":
                continue
            ref = _parse_ref(element.get("r", "").encode()) if element.get("r") else None
            if ref is not None and ref[1] is not None:
                row, column = ref[0], ref[1]
            else:
                row, column = (ref[0] if ref else row_index), column_index
            column_index = column + 1
            found, value = self._xlsx_value(element)
            if found:
                self._check_position(row, column)
                cells[(row, column)] = value
        return _grid(cells)

    def _xlsx_value(self, cell: Element) -> tuple[bool, object]:
        """(stored, value) for one ``c`` element, as calamine stores it."""
        kind = cell.get("t", "n")
        value_element = inline = None
        for child in cell:
            local = _local(child.tag)
            if local == "v":
                value_element = child
            elif local == "is":
                inline = child
        if kind == "inlineStr":
            if inline is not None:
                return True, _rich_text(inline)
            kind = "str"  # an inline string written as a value, as some writers do
        if value_element is None:
            return False, None
        text = value_element.text or ""
        if kind == "s":
            index = _int(text.strip(), -1)
            strings = self._shared_strings()
            if not 0 <= index < len(strings):
                raise _SecondReaderFailure(f"second reader: no shared string {text.strip()!r}")
            return True, strings[index]
        if kind == "str":
            return True, text
        if kind == "b":
            flag = _BOOLEANS.get(text.strip().lower())
            return True, text if flag is None else flag
        if kind == "e":
            return True, text.strip()
        if kind == "d":
            return True, _iso_datetime(text.strip())
        stripped = text.strip()
        if not stripped:
            return False, None
        try:
            number = float(stripped)
        except ValueError:
            return True, text  # not a number: calamine keeps the text as written
        style = self._number_kinds().get(_int(cell.get("s"), -1), 0)
        if style:
            return True, _excel_date(number, self._is_1904(), style == _DURATION_KIND)
        return True, number

    def _check_position(self, row: int, column: int) -> None:
        # The pre-scan placed every valued cell within the limits the same way; this only
        # keeps the promise if the two ever disagree.
        if row >= self.limits.max_rows or column >= self.limits.max_columns:
            raise _SecondReaderFailure("second reader: a value lies beyond the sheet limits")

    # -- ods

    def _read_ods(self) -> dict[str, tuple[bool, list[list[object]]]]:
        if self._ods is None:
            try:
                self._ods = self._ods_tables(self._part("content.xml"))
            except (ParseError, DefusedXmlException) as error:
                raise _SecondReaderFailure(f"second reader: {_one_line(error)}") from None
        return self._ods

    def _ods_tables(self, content: bytes) -> dict[str, tuple[bool, list[list[object]]]]:
        hidden_styles: set[str] = set()
        tables: dict[str, tuple[bool, list[list[object]]]] = {}
        style_name = ""
        depth = 0  # tables inside cells (sub-tables) are not sheets
        table_name, table_style = "", ""
        cells: dict[tuple[int, int], object] = {}
        row_index = column_index = 0
        row_cells: dict[int, object] = {}
        row_repeat = 1
        for event, element in self._events(content):
            name = _local(element.tag)
            if name == "style" and event == "start":
                style_name = _attr(element, "name")
            elif name == "table-properties" and event == "start":
                if _attr(element, "display").strip().lower() == "false":
                    hidden_styles.add(style_name)
            elif name == "table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        table_name = _attr(element, "name")
                        table_style = _attr(element, "style-name")
                        cells, row_index = {}, 0
                    continue
                depth -= 1
                if depth == 0:
                    tables[table_name] = (table_style not in hidden_styles, _grid(cells))
                    element.clear()
            elif depth != 1:
                continue
            elif name == "table-row":
                if event == "start":
                    row_cells, column_index = {}, 0
                    row_repeat = max(_int(_attr(element, "number-rows-repeated"), 1), 1)
                    continue
                if row_cells:
                    for offset in range(row_repeat):
                        self._check_position(row_index + offset, max(row_cells))
                        for column, value in row_cells.items():
                            cells[(row_index + offset, column)] = value
                row_index += row_repeat
                element.clear()
            elif name in ("table-cell", "covered-table-cell") and event == "end":
                repeat = max(_int(_attr(element, "number-columns-repeated"), 1), 1)
                found, value = _ods_value(element)
                if found:
                    self._check_position(row_index, column_index + repeat - 1)
                    for offset in range(repeat):
                        row_cells[column_index + offset] = value
                column_index += repeat
                element.clear()
        return tables


def _grid(cells: Mapping[tuple[int, int], object]) -> list[list[object]]:
    """Rows from A1 to the furthest stored cell, blank as None (calamine's shape)."""
    if not cells:
        return []
    height = max(row for row, _ in cells) + 1
    width = max(column for _, column in cells) + 1
    rows: list[list[object]] = [[None] * width for _ in range(height)]
    for (row, column), value in cells.items():
        rows[row][column] = None if value == "" else value
    return rows


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def _attr(element: Element, local_name: str) -> str:
    """An attribute by its local name, whatever the namespace prefix the file chose."""
    for key, value in element.attrib.items():
        if _local(key) == local_name:
            return value
    return ""


def _rich_text(element: Element) -> str:
    """The text of a shared or inline string: every ``t`` outside phonetic runs."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        for child in node:
            local = _local(child.tag)
            if local == "t":
                parts.append(_t_text(child))
            elif local in ("r", "is", "si"):
                walk(child)  # rich text runs; rPh (phonetic hints) and rPr are left out

    if _local(element.tag) == "t":
        return _t_text(element)
    walk(element)
    return "".join(parts)


_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _t_text(element: Element) -> str:
    """A ``t`` element's text: trimmed unless it says xml:space="preserve" (as calamine,
    and Excel, read it; programs that pretty-print write the spaces they mean as preserved)."""
    text = element.text or ""
    return text if element.get(_XML_SPACE) == "preserve" else text.strip(" \t\r\n")


def _custom_format_kind(code: str) -> int:
    """Date, duration or neither, for a custom number format: its first section's letters
    outside quotes, escapes and brackets decide; [h], [mm], [ss] make a duration."""
    quoted = escaped = False
    bracket = ""
    in_bracket = False
    for char in code:
        if escaped:
            escaped = False
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char in "\\_*":
            escaped = True
        elif in_bracket:
            if char == "]":
                in_bracket = False
                if bracket and set(bracket.lower()) <= set("hms") and len(set(bracket)) == 1:
                    return _DURATION_KIND
            else:
                bracket += char
        elif char == "[":
            in_bracket, bracket = True, ""
        elif char == ";":
            return 0
        elif char in "dmyhsDMYHS":
            return _DATE_KIND
    return 0


def _excel_date(number: float, date1904: bool, duration: bool) -> object:
    """A serial date as python-calamine gives it: date, datetime, time or timedelta."""
    milliseconds = round(number * 86_400_000)
    if duration:
        return timedelta(milliseconds=milliseconds)
    if 0 <= number < 1:
        return (datetime.min + timedelta(milliseconds=milliseconds)).time()
    base = _EXCEL_1904 if date1904 else _EXCEL_1900_EARLY if number < 60 else _EXCEL_1900
    try:
        moment = base + timedelta(milliseconds=milliseconds)
    except OverflowError:
        return number
    return moment.date() if moment.time() == datetime.min.time() else moment


def _iso_datetime(text: str) -> object:
    try:
        moment = datetime.fromisoformat(text.rstrip("Zz"))
    except ValueError:
        return text
    if "T" not in text and " " not in text.strip():
        return moment.date()
    return moment


def _iso_duration(text: str) -> object:
    match = _ISO_DURATION.fullmatch(text.strip())
    if match is None or not any(match.groups()):
        return text
    days, hours, minutes, seconds = (float(group or 0) for group in match.groups())
    span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return -span if text.strip().startswith("-") else span


def _ods_value(cell: Element) -> tuple[bool, object]:
    """(stored, value) for one ods cell, by its office:value-type (calamine's rules)."""
    types = {key: value for key, value in cell.attrib.items() if _local(key) == "value-type"}
    extended = next((v for k, v in types.items() if "calcext" in k), "")
    kind = next((v for k, v in types.items() if "calcext" not in k), extended)
    if extended == "error":  # LibreOffice's cached error beside a float: keep its text
        return True, _ods_text(cell).strip()
    if kind in ("float", "percentage", "currency"):
        try:
            return True, float(_attr(cell, "value"))
        except ValueError:
            return True, _ods_text(cell)
    if kind == "boolean":
        return True, _attr(cell, "boolean-value").strip().lower() == "true"
    if kind == "date":
        return True, _iso_datetime(_attr(cell, "date-value"))
    if kind == "time":  # a time of day; a longer duration stays as written, as calamine has it
        text = _attr(cell, "time-value")
        span = _iso_duration(text)
        if isinstance(span, timedelta) and timedelta(0) <= span < timedelta(days=1):
            return True, (datetime.min + span).time()
        return True, text
    if kind == "string":
        string_value = next(
            (v for k, v in cell.attrib.items() if _local(k) == "string-value"), None
        )
        return True, string_value if string_value is not None else _ods_text(cell)
    text = _ods_text(cell)
    return (True, text) if text else (False, None)


def _ods_text(cell: Element) -> str:
    """The paragraphs of a cell joined by line breaks; spans, links, spaces and tabs kept,
    comments (office:annotation) left out."""
    paragraphs: list[str] = []

    def inline(node: Element, parts: list[str]) -> None:
        for child in node:
            local = _local(child.tag)
            if local == "s":
                parts.append(" " * max(_int(_attr(child, "c"), 1), 1))
            elif local == "tab":
                parts.append("\t")
            elif local == "line-break":
                parts.append("\n")
            elif local != "annotation":
                parts.append(child.text or "")
                inline(child, parts)
            parts.append(child.tail or "")

    for child in cell:
        if _local(child.tag) in ("p", "h"):
            parts = [child.text or ""]
            inline(child, parts)
            paragraphs.append("".join(parts))
    return "\n".join(paragraphs)
