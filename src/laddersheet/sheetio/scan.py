"""The pre-scan's helpers: zip, XML, xlsx cells, .ods rows, error values (bytes regexes, no DOM)."""

from __future__ import annotations

import html
import mmap
import re
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from ..workbook import cell_ref, col_letter
from .model import MIB, ReadLimits


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


def _canonical_archive(
    parts: dict[str, bytes], checksums: Mapping[str, int] | None = None
) -> bytes:
    """A plain (stored, UTF-8 names) zip of the checked XML parts, in their original order.

    Written directly: zipfile's writer costs more than calamine saves by not inflating.
    ``checksums``: the CRC-32 of parts already verified against it (the others are computed).
    """
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, content in parts.items():
        if name != "mimetype" and not _looks_like_xml(content):
            continue
        encoded = name.encode("utf-8")
        crc = checksums[name] if checksums and name in checksums else zlib.crc32(content)
        size = len(content)
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
# What every match of _ERROR_TYPE holds, found ~40x faster (a pattern starting with a literal
# is searched for that literal; one starting with a choice is tried at every byte). Likewise
# a regex finds ":f" faster than ``in`` does in XML, where ":" and "f" are everywhere.
_ERROR_TYPE_QUICK = re.compile(rb"""t\s*=\s*["']e["']""")
_PREFIXED_F = re.compile(rb":f")
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
