"""The second reader: an independent streaming reader on defusedxml, for what calamine cannot
read."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from .model import ReadLimits
from .scan import _Layout, _local, _one_line, _parse_ref, _part_key

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
