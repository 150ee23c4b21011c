"""Scoring workbooks saved by every spreadsheet program we can install, and their quirks.

The corpus is made in the test from a real scoring workbook: laddersheet writes it, openpyxl
types the scores a manager would, then LibreOffice and Gnumeric each save it in every format
they write; crafted variants rewrite the XML of a real file the way other programs write it
(prefixes, whitespace, inline strings, shared formulas, 1904 dates, error values, rich text,
sheets reordered and renamed). Every score must come back as typed, and where both readers
read a file, calamine and the second reader must agree cell for cell.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
import re
import shutil
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.formula.translate import Translator

from laddersheet.ingest import ACCEPTED, REJECTED, IngestResult, ingest_files
from laddersheet.issues import Severity
from laddersheet.roster import Employee
from laddersheet.scoring import write_scoring_workbooks
from laddersheet.sheetio import (
    READ_BY_FALLBACK,
    SHEET_UNREADABLE,
    UnreadableWorkbook,
    WorkbookData,
    read_workbook,
)
from tests.factories import small_ladder

LADDER = small_ladder()


def _person(employee_id: str, name: str, manager: str, level: str, family: str) -> Employee:
    track = "M" if level.startswith("M") else "IC"
    return Employee(employee_id, name, "", manager, "", family, track, level, None)


HEAD = _person("H1", "Hana Head", "", "M3", "family_1")
JANE = _person("E1", "Jane Doe", "H1", "L3", "family_1")
JO = _person("E2", "Jo O'Brien", "H1", "L2", "family_2")
TEAM = [HEAD, JANE, JO]
IDS = LADDER.competency_ids("family_1", "IC")

# What the manager typed, by sheet and competency, and the score each must read as.
TYPED: dict[str, dict[str, object]] = {
    "Jane Doe": dict(zip(IDS, [1, 2, 3, 4, 5, "3 - Proficient", "Advanced", " 2 "], strict=True)),
    "Jo O'Brien": {"comp-1": 5, "comp-3": "4", "comp-5": 1},
}
EXPECTED = {
    ("E1", IDS[0]): 1,
    ("E1", IDS[1]): 2,
    ("E1", IDS[2]): 3,
    ("E1", IDS[3]): 4,
    ("E1", IDS[4]): 5,
    ("E1", IDS[5]): 3,
    ("E1", IDS[6]): 4,
    ("E1", IDS[7]): 2,
    ("E2", "comp-1"): 5,
    ("E2", "comp-3"): 4,
    ("E2", "comp-5"): 1,
}
EVIDENCE = {"Jane Doe": {IDS[0]: "Led the  migration; “quotes” & ünïcødé", IDS[1]: "Two\nlines"}}


def table_rows(sheet) -> tuple[int, dict[str, int], dict[str, int]]:
    """Header row, header -> column and competency id -> row (1-based), found by content."""
    for row in sheet.iter_rows():
        names = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "Competency ID" in names:
            header = row[0].row
            rows = {
                sheet.cell(r, names["Competency ID"]).value: r
                for r in range(header + 1, sheet.max_row + 1)
            }
            return header, names, rows
    raise AssertionError(f"no table on {sheet.title}")


def fill(
    blank: Path, out: Path, typed=TYPED, evidence=EVIDENCE, edit: Callable | None = None
) -> Path:
    book = openpyxl.load_workbook(blank)
    for column, values in (("Score", typed), ("Evidence", evidence)):
        for title, by_id in values.items():
            sheet = book[title]
            _, names, rows = table_rows(sheet)
            for competency_id, value in by_id.items():
                sheet.cell(rows[competency_id], names[column]).value = value
    if edit is not None:
        edit(book)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def ingest(path: Path) -> IngestResult:
    return ingest_files([path], LADDER, roster=TEAM)


def accepted(result: IngestResult) -> dict[tuple[str, str], int | None]:
    return {
        (r.employee_id, r.competency_id): r.score for r in result.records if r.status == ACCEPTED
    }


def assert_every_score_as_typed(result: IngestResult) -> None:
    assert accepted(result) == EXPECTED
    assert not result.issues.errors, [str(i) for i in result.issues.errors]
    evidence = {(r.employee_id, r.competency_id): r.evidence for r in result.records}
    assert evidence[("E1", IDS[0])] == EVIDENCE["Jane Doe"][IDS[0]]
    assert evidence[("E1", IDS[1])] == "Two\nlines"


def assert_readers_agree(path: Path) -> WorkbookData:
    """Where calamine reads a sheet, the second reader reads the very same values."""
    second = read_workbook(path, reader="second")
    try:
        fast = read_workbook(path, reader="fast")
    except UnreadableWorkbook:
        return second  # calamine cannot read this file at all: nothing to compare
    unreadable = {n.sheet for n in fast.notes if n.code == SHEET_UNREADABLE}
    by_name = {s.name: s for s in second.sheets}
    assert [s.name for s in second.sheets if s.name not in unreadable] == [
        s.name for s in fast.sheets
    ]
    compared = 0
    for sheet in fast.sheets:
        other = by_name[sheet.name]
        assert other.visible == sheet.visible, sheet.name
        assert other.rows == sheet.rows, sheet.name
        assert dict(other.formulas) == dict(sheet.formulas), sheet.name
        compared += 1
    assert compared or unreadable
    return second


# --- the real workbook and the programs -----------------------------------------------------


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> Path:
    """The scoring workbook as laddersheet wrote it, filled in with openpyxl."""
    folder = tmp_path_factory.mktemp("returned")
    [blank] = write_scoring_workbooks(LADDER, TEAM, folder / "blank")
    return fill(blank, folder / "Scoring - Hana Head.xlsx")


def test_the_filled_workbook_reads_as_typed_by_both_readers(returned):
    assert_every_score_as_typed(ingest(returned))
    assert_readers_agree(returned)


def _run(command: list[str], produced: Path) -> Path:
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    assert produced.exists() and produced.stat().st_size > 0, f"{command[0]} wrote nothing"
    return produced


def _soffice(source: Path, extension: str, out_dir: Path, filter_name: str = "") -> Path:
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    target = f"{extension}:{filter_name}" if filter_name else extension
    try:
        return _run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(out_dir),
                str(source),
            ],
            out_dir / f"{source.stem}.{extension}",
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _ssconvert(source: Path, exporter: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return _run(["ssconvert", "-T", exporter, str(source), str(target)], target)


LIBREOFFICE = {
    "libreoffice-xlsx": ("xlsx", "Calc Office Open XML"),
    "libreoffice-xlsx-2007": ("xlsx", "Calc MS Excel 2007 XML"),
    "libreoffice-ods": ("ods", ""),
}
GNUMERIC = {
    "gnumeric-xlsx-2010": ("xlsx", "Gnumeric_Excel:xlsx2"),
    "gnumeric-xlsx-2007": ("xlsx", "Gnumeric_Excel:xlsx"),
    "gnumeric-ods": ("ods", "Gnumeric_OpenCalc:odf"),
    "gnumeric-ods-strict": ("ods", "Gnumeric_OpenCalc:openoffice"),
}


@pytest.fixture(scope="module")
def saved_by(returned, tmp_path_factory) -> Callable[[str], Path]:
    """The returned workbook opened and saved again by a program, made once per program."""
    made: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("programs")

    def make(program: str) -> Path:
        if program not in made:
            if program in LIBREOFFICE:
                extension, filter_name = LIBREOFFICE[program]
                made[program] = _soffice(returned, extension, folder / program, filter_name)
            else:
                extension, exporter = GNUMERIC[program]
                target = folder / program / f"{returned.stem}.{extension}"
                made[program] = _ssconvert(returned, exporter, target)
        return made[program]

    return make


@pytest.mark.libreoffice
@pytest.mark.parametrize("program", sorted(LIBREOFFICE))
def test_libreoffice_files_read_as_typed(saved_by, program):
    path = saved_by(program)
    assert_every_score_as_typed(ingest(path))
    assert_readers_agree(path)


@pytest.mark.gnumeric
@pytest.mark.parametrize("program", sorted(GNUMERIC))
def test_gnumeric_files_read_as_typed(saved_by, program):
    """Gnumeric writes pretty-printed XML and error values calamine does not know (for
    formulas it cannot compute): calamine refuses its .ods and the sheets of its .xlsx."""
    path = saved_by(program)
    result = ingest(path)
    assert_every_score_as_typed(result)
    assert READ_BY_FALLBACK in [i.code for i in result.issues if i.severity is Severity.INFO]
    assert_readers_agree(path)


@pytest.mark.libreoffice
def test_pretty_printed_ods_is_read_not_corrupt(saved_by, tmp_path):
    """The issue's case: whitespace between cells, which calamine takes for text."""
    original = saved_by("libreoffice-ods")
    path = rewrite(original, tmp_path / "pretty.ods", {"content.xml": pretty_ods})
    with pytest.raises(UnreadableWorkbook):
        read_workbook(path, reader="fast")  # what happened before: corrupt-workbook
    result = ingest(path)
    assert_every_score_as_typed(result)
    [note] = [i for i in result.issues if i.code == READ_BY_FALLBACK]
    assert note.severity is Severity.INFO and note.file == path.name
    pretty = read_workbook(path)
    plain = read_workbook(original)
    assert [(s.name, s.visible, s.rows) for s in pretty.sheets] == [
        (s.name, s.visible, s.rows) for s in plain.sheets
    ]


# --- crafted variants of real files ---------------------------------------------------------


def rewrite(source: Path, target: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """A copy of ``source`` whose parts matching a key (a regex) are rewritten as text."""
    with zipfile.ZipFile(source) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    changed = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in parts:
            for pattern, edit in edits.items():
                if re.fullmatch(pattern, info.filename):
                    new = edit(content.decode("utf-8")).encode("utf-8")
                    changed += new != content
                    content = new
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info.filename, content, compress_type=kind)
    assert changed, f"no part of {source.name} was changed"
    target.write_bytes(out.getvalue())
    return target


SHEETS = r"xl/worksheets/sheet\d+\.xml"
MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def prefix_main_namespace(xml: str) -> str:
    """``<x:c>`` for ``<c>``: the main namespace bound to a prefix, as some writers do."""
    if MAIN_NS not in xml:
        return xml
    xml = xml.replace(MAIN_NS, MAIN_NS.replace("xmlns=", "xmlns:x="), 1)
    return re.sub(r"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])", r"<\1x:\2", xml)


def pretty_xlsx(xml: str) -> str:
    """Line breaks and indents between rows, cells and their children (never inside text)."""
    return re.sub(r">\s*<(?=(?:/?(?:row|c|is|sheetData)|v|f)[\s/>])", ">\n    <", xml)


def pretty_ods(xml: str) -> str:
    """Line breaks and indents between tables, rows and cells."""
    return re.sub(
        r">\s*<(?=/?table:(?:table|table-row|table-cell|covered-table-cell|table-column)[\s/>])",
        ">\n      <",
        xml,
    )


def inline_strings(path: Path) -> Callable[[str], str]:
    """Shared-string cells rewritten as inline strings (what streaming writers produce)."""
    with zipfile.ZipFile(path) as archive:
        shared = archive.read("xl/sharedStrings.xml").decode("utf-8")
    strings = [
        "".join(re.findall(r"<t(?:\s[^>]*)?>(.*?)</t>", si, re.S))
        for si in re.findall(r"<si>(.*?)</si>", shared, re.S)
    ]

    def edit(xml: str) -> str:
        def one(match: re.Match[str]) -> str:
            text = strings[int(match.group(2))]
            return f'{match.group(1)}t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

        return re.sub(r'(<c [^>]*?)t="s"[^>]*><v>(\d+)</v></c>', one, xml)

    return edit


def shared_formulas(xml: str) -> str:
    """Formulas filled down stored once, as Excel does: the first cell of a run holds the
    text (``t="shared"``), the cells below whose formula is that text shifted hold none."""
    masters: dict[str, tuple[str, str, int]] = {}  # column -> (ref, text, shared index)
    counter = itertools.count()

    def one(match: re.Match[str]) -> str:
        column, row, attributes, text = match.groups()
        ref = f"{column}{row}"
        master = masters.get(column)
        if master is not None:
            shifted = Translator("=" + html.unescape(master[1]), origin=master[0])
            if shifted.translate_formula(ref) == "=" + html.unescape(text):
                return f'<c r="{ref}"{attributes}><f t="shared" si="{master[2]}"/>'
        index = next(counter)
        masters[column] = (ref, text, index)
        return f'<c r="{ref}"{attributes}><f t="shared" ref="{ref}" si="{index}">{text}</f>'

    return re.sub(r'<c r="([A-Z]+)(\d+)"([^>]*)><f>([^<]*)</f>', one, xml)


def reorder_and_rename(book: openpyxl.Workbook) -> None:
    jane, jo = book["Jane Doe"], book["Jo O'Brien"]
    book.move_sheet(jo, offset=-book.index(jo))  # first
    jane.title = "Jane (done)"
    jo.title = "Jo - draft 2"


def with_1904_dates(book: openpyxl.Workbook) -> None:
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book["Jo O'Brien"]
    _, names, rows = table_rows(sheet)
    sheet.cell(rows["comp-2"], names["Evidence"]).value = dt.date(2024, 2, 29)


def rich_text_runs(book: openpyxl.Workbook) -> None:
    sheet = book["Jane Doe"]
    _, names, rows = table_rows(sheet)
    bold = InlineFont(b=True)
    sheet.cell(rows[IDS[5]], names["Score"]).value = CellRichText(
        [TextBlock(bold, "3"), " - ", TextBlock(InlineFont(i=True), "Proficient")]
    )
    sheet.cell(rows[IDS[0]], names["Evidence"]).value = CellRichText(
        [TextBlock(bold, "Led the "), " migration; “quotes” & ", TextBlock(bold, "ünïcødé")]
    )


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("blank")
    [path] = write_scoring_workbooks(LADDER, TEAM, folder)
    return path


XLSX_VARIANTS: dict[str, dict[str, Callable[[str], str]]] = {
    "prefixed-namespace": {
        SHEETS: prefix_main_namespace,
        "xl/workbook.xml": prefix_main_namespace,
        "xl/sharedStrings.xml": prefix_main_namespace,
        "xl/styles.xml": prefix_main_namespace,
    },
    "pretty-printed": {SHEETS: pretty_xlsx, "xl/sharedStrings.xml": pretty_xlsx},
    "pretty-printed-and-prefixed": {
        SHEETS: lambda xml: pretty_xlsx(prefix_main_namespace(xml)),
        "xl/workbook.xml": prefix_main_namespace,
    },
    "shared-formulas": {SHEETS: shared_formulas},
}


@pytest.mark.parametrize("variant", sorted(XLSX_VARIANTS))
def test_xlsx_variants_read_as_typed(returned, tmp_path, variant):
    path = rewrite(returned, tmp_path / f"{variant}.xlsx", XLSX_VARIANTS[variant])
    assert_every_score_as_typed(ingest(path))
    assert_readers_agree(path)


@pytest.mark.libreoffice
def test_inline_strings_read_as_typed(saved_by, tmp_path):
    """LibreOffice's shared strings rewritten inline (openpyxl already writes them inline)."""
    source = saved_by("libreoffice-xlsx")
    path = rewrite(source, tmp_path / "inline.xlsx", {SHEETS: inline_strings(source)})
    assert 't="inlineStr"' in zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
    assert_every_score_as_typed(ingest(path))
    assert_readers_agree(path)


def test_shared_formulas_are_expanded_alike_by_both_readers(returned, tmp_path):
    path = rewrite(returned, tmp_path / "shared.xlsx", {SHEETS: shared_formulas})
    jane = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")
    assert jane.count(b'<f t="shared" si=') > 10  # filled-down formulas stored once
    plain = read_workbook(returned).sheet("Jane Doe")
    for reader in ("fast", "second"):
        sheet = read_workbook(path, reader=reader).sheet("Jane Doe")
        assert sheet is not None and plain is not None
        assert dict(sheet.formulas) == dict(plain.formulas)  # each cell its own text


@pytest.mark.parametrize(
    ("name", "edit"),
    [("reordered-renamed", reorder_and_rename), ("rich-text", rich_text_runs)],
)
def test_openpyxl_made_variants_read_as_typed(blank, tmp_path, name, edit):
    evidence = EVIDENCE if name != "rich-text" else {"Jane Doe": {IDS[1]: "Two\nlines"}}
    path = fill(blank, tmp_path / f"{name}.xlsx", evidence=evidence, edit=edit)
    if name == "rich-text":
        assert b"<r>" in zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")
    result = ingest(path)
    assert accepted(result) == EXPECTED
    assert not result.issues.errors
    evidence_read = {(r.employee_id, r.competency_id): r.evidence for r in result.records}
    assert evidence_read[("E1", IDS[0])] == EVIDENCE["Jane Doe"][IDS[0]]
    assert_readers_agree(path)


def test_1904_dates_read_as_typed_by_both_readers(blank, tmp_path):
    path = fill(blank, tmp_path / "mac.xlsx", edit=with_1904_dates)
    assert b'date1904="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")
    result = ingest(path)
    assert_every_score_as_typed(result)
    evidence = {(r.employee_id, r.competency_id): r.evidence for r in result.records}
    assert evidence[("E2", "comp-2")] == "2024-02-29"
    second = assert_readers_agree(path)
    jo = second.sheet("Jo O'Brien")
    assert jo is not None and dt.date(2024, 2, 29) in [v for row in jo.rows for v in row]


# --- error values ---------------------------------------------------------------------------


def _score_cells_as_errors(returned: Path, errors: dict[str, str]) -> Callable[[str], str]:
    """Jane's Score cells (by competency id) holding cached error values instead of scores."""
    book = openpyxl.load_workbook(returned)
    sheet = book["Jane Doe"]
    _, names, rows = table_rows(sheet)
    letter = openpyxl.utils.get_column_letter(names["Score"])
    refs = {f"{letter}{rows[cid]}": value for cid, value in errors.items()}

    def edit(xml: str) -> str:
        if "Jane Doe" not in xml and not any(f'r="{ref}"' in xml for ref in refs):
            return xml
        for ref, value in refs.items():
            cell = re.search(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', xml, re.S)
            assert cell is not None, ref
            attributes = re.sub(r'\s+t="\w+"', "", cell.group(1))
            replacement = f'<c r="{ref}"{attributes} t="e"><v>{value}</v></c>'
            xml = xml[: cell.start()] + replacement + xml[cell.end() :]
        return xml

    return edit


def test_unknown_error_value_rejects_one_score_not_the_sheet(returned, tmp_path):
    errors = {IDS[2]: "#BOGUS!", IDS[3]: "#N/A", IDS[4]: "#GETTING_DATA"}
    path = rewrite(
        returned,
        tmp_path / "errors.xlsx",
        {r"xl/worksheets/sheet2\.xml": _score_cells_as_errors(returned, errors)},
    )
    fast = read_workbook(path, reader="fast")  # calamine alone gives up on the whole sheet
    assert [(n.code, n.sheet) for n in fast.notes] == [(SHEET_UNREADABLE, "Jane Doe")]
    result = ingest(path)
    expected = {k: v for k, v in EXPECTED.items() if k[1] not in errors or k[0] != "E1"}
    assert accepted(result) == expected  # every other score of the sheet is read
    rejected = {
        r.competency_id: r.raw
        for r in result.records
        if r.status == REJECTED and r.employee_id == "E1"
    }
    assert rejected == errors  # each error value rejected in its own cell, shown as found
    assert SHEET_UNREADABLE not in [i.code for i in result.issues]
    assert [i.code for i in result.issues.errors] == ["score-invalid"] * 3


def test_known_error_value_is_an_error_not_a_blank(returned, tmp_path):
    """calamine reads "#N/A" as an empty cell; the door puts the error value back, so a
    Score cell holding one is a rejected score, not a silently missing one."""
    errors = {IDS[3]: "#N/A", IDS[4]: "#DIV/0!"}
    path = rewrite(
        returned,
        tmp_path / "known.xlsx",
        {r"xl/worksheets/sheet2\.xml": _score_cells_as_errors(returned, errors)},
    )
    book = read_workbook(path)
    assert READ_BY_FALLBACK not in [n.code for n in book.notes]  # calamine read it
    result = ingest(path)
    rejected = {
        r.competency_id: r.raw
        for r in result.records
        if r.status == REJECTED and r.employee_id == "E1"
    }
    assert rejected == errors
    assert_readers_agree(path)
