"""The door: every check before a parser sees a byte, then calamine or the second reader."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from bisect import bisect_right
from itertools import chain
from pathlib import Path
from typing import NoReturn
from xml.etree.ElementTree import Element, ParseError

import python_calamine
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from ..issues import Issue, Severity
from ..workbook import cell_ref, col_letter
from .model import (
    CORRUPT_WORKBOOK,
    CORRUPT_ZIP,
    CSV_NOT_WORKBOOK,
    DEFAULT_LIMITS,
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
from .scan import (
    _BLANK_AS_NONE,
    _DTD_OR_ENTITY,
    _ERROR_TYPE,
    _ERROR_TYPE_QUICK,
    _EXTERNAL_TARGET,
    _FORMULA_ANY,
    _FORMULA_END,
    _FORMULA_PLAIN,
    _FORMULA_TAG,
    _ODS_ROW,
    _ODS_TABLE,
    _PLAIN_FORMULA_CELL,
    _PLAIN_VALUE,
    _PREFIXED_F,
    _SHARED_STRING_ANY,
    _SHARED_STRING_PLAIN,
    _UNIQUE_COUNT,
    _UTF8_NAMES,
    _XML_DECLARED_ENCODING,
    _attribute,
    _beyond_pattern,
    _canonical_archive,
    _cells_all_standard,
    _children,
    _declared_entry_count,
    _error_cells,
    _is_reader_failure,
    _Layout,
    _local,
    _looks_like_xml,
    _ods_formula,
    _ods_row_extent,
    _ods_row_may_hold_values,
    _one_line,
    _Owner,
    _owner_from_ref,
    _part_key,
    _PlainFormulas,
    _put_errors,
    _repeat,
    _SheetScan,
    _shift_formula,
    _size,
    _unescape,
    _walk_cells,
    _xml_text,
)
from .second import _SecondReader, _SecondReaderFailure
from .sniff import _ZIP_MAGICS, _describe, _sniff, _zip_kind

# --- the door -------------------------------------------------------------------------------


READERS = ("auto", "fast", "second")
# The fewest bytes a cell reading a shared string takes between the sheetData tags, in any
# syntax: ``<c t="s"><v>0</v>`` is 17 (its end tag aside); fewer assumed, so more cells.
_SHARED_CELL_MIN_BYTES = 16


def read_workbook(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, reader: str = "auto"
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
        checksums = {info.filename: info.CRC for info in archive.infolist()}  # verified
        del data, archive
        by_key = {_part_key(name): content for name, content in parts.items()}
        layout = self._scan_ods(by_key) if kind == "ods" else self._scan_xlsx(by_key, kind)
        self._check_total_cells(layout)
        # calamine reads an archive we wrote from the checked bytes: no second opinion on the
        # zip structure, nothing unchecked inside, and binary parts (macros, pictures) left out.
        canonical = _canonical_archive(parts, checksums)
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
        # No "!" at all is the usual case, found at memchr speed ("<" is everywhere in XML).
        if b"!" in content and _DTD_OR_ENTITY.search(content):
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
        memory. Bounded first by (most cells the cell data can hold) × (longest string), then
        by (cell tags) × (longest), exactly only if both are too much.
        """
        if not strings or not sheets:
            return
        pattern = _SHARED_STRING_ANY if b":si" in strings else _SHARED_STRING_PLAIN
        starts = [match.start() for match in pattern.finditer(strings)]
        starts.append(len(strings))
        lengths = list(map(int.__sub__, starts[1:], starts))  # bytes >= characters
        longest = max(lengths, default=0)
        spans = [max(0, part.rfind(b"sheetData") - part.find(b"sheetData")) for part in sheets]
        if sum(spans) // _SHARED_CELL_MIN_BYTES * longest <= self.limits.max_text_bytes:
            return  # the usual case, without a pass over the cells
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
        has_formulas = b"<f" in content or _PREFIXED_F.search(content) is not None
        if _cells_all_standard(content) and not _beyond_pattern(self.limits).search(content):
            # Every cell is a plain <c r="..."> and no r value anywhere, in any syntax, is
            # beyond the limits: each value sits at its own reference, so the sheet is safe.
            # Its exact extent is left to the cell budget, counted as the values are read.
            scan.exact = False
            if has_formulas and not self._collect_plain_formulas(content, scan):
                self._collect_formulas(content, _owner_from_ref, scan)
            if _ERROR_TYPE_QUICK.search(content) and _ERROR_TYPE.search(content):
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
        if _ERROR_TYPE_QUICK.search(content) and _ERROR_TYPE.search(content):
            scan.errors = _error_cells(content, owner)
        return scan

    def _collect_plain_formulas(self, content: bytes, scan: _SheetScan) -> bool:
        """The usual case in one C-speed pass: only ``<c r="..."><f>text</f>`` formulas.

        False (nothing recorded) when some formula has attributes (shared, array) or another
        shape: ``_collect_formulas`` then takes them one by one.
        """
        if _PREFIXED_F.search(content):  # a namespace prefix on some formula
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
        prefixed = _PREFIXED_F.search(content) is not None
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
