"""The scoring workbook's live formulas read every Score cell as ingest does.

Values a manager may type or paste (numbers on and off the scale, decimals, labels in any case,
number-and-label pairs that agree or not, whitespace and quotes around them, text, dates, times,
TRUE/FALSE, formulas) are written into the Score cells of one real scoring workbook; LibreOffice
recalculates it (one run) and every row's "read as" helper, gap cells and header figures must
give the verdict ingest gives the same file: accepted as the same number, rejected, or blank.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from laddersheet.ingest import ACCEPTED, MISSING, REJECTED, cells, ingest_files, parse_score
from laddersheet.layout import (
    SCORING_COVER_SHEET,
    SCORING_LABEL_AT_LEVEL,
    SCORING_LABEL_READINESS,
    SCORING_LABEL_SCORED,
    SCORING_TABLE_HEADER_ROW,
)
from laddersheet.roster import Employee
from laddersheet.scoring import (
    COL_EXPECTED_NEXT,
    COL_EXPECTED_NOW,
    COL_GAP_NEXT,
    COL_GAP_NOW,
    COL_ID,
    COL_SCORE,
    COL_SCORE_READ,
    HELPER_FIRST_COL,
    INVALID,
    score_reading_formulas,
    write_classic_formula,
    write_scoring_workbooks,
)
from laddersheet.scoring import formulas as scoring
from laddersheet.settings import default_settings_text, parse_settings
from tests.factories import small_ladder

ROW_TOKEN = scoring.ROW_TOKEN  # stands for the row number in a formula template

LADDER = small_ladder()
SCALE = LADDER.settings.scale
ROWS_PER_SHEET = len(LADDER.competency_ids("family_1", "IC"))
GENERATED = 320  # values hypothesis draws, beside the fixed cases below: one LibreOffice run

# The brief's cases and the corners of ingest's parser, always included.
FIXED: list[object] = [
    3,
    3.0,
    7,
    0,
    -1,
    2.5,
    5.000001,
    " 3 ",
    "3",
    '"3"',
    "'3'",
    "“3”",
    "«Proficient»",
    "\"' 3 '\"",
    '" \'3"',
    "+3",
    "-3",
    "03",
    "3,0",
    "3.00",
    "3.",
    ".3",
    "3,5",
    "1e0",
    "３",
    "2 - Developing",
    "3 - Proficient",
    "3 - Advanced",
    "3 - proficient",
    "3-Proficient",
    "3: Proficient",
    "3 – Proficient",
    "3 — Proficient",
    "3.Proficient",
    "3)Proficient",
    "3 (Proficient)",
    "3 - (Proficient)",
    "3 ( Proficient )",
    "3 Proficient)",
    "3(Proficient)",
    "3Proficient",
    "3 -- Proficient",
    "3 - ",
    "3 -",
    "(3) Proficient",
    "003 - Proficient",
    "7 - Proficient",
    "5 = Role model",
    "5 / role  MODEL",
    "5\u00a0-\u00a0Role\u00a0model",
    "5\t-\nRole model",
    "Proficient",
    "PROFICIENT",
    "proficient ",
    "Role model",
    "role\u2003model",
    "Rolemodel",
    "three",
    "N/A",
    "-",
    "x",
    "\u00a0",
    " ",
    "\t\n",
    '""',
    "''",
    "\ue001",
    "3\ue001",
    True,
    False,
    dt.date(1900, 1, 3),
    dt.date(2026, 3, 1),
    dt.datetime(1900, 1, 2, 0, 0),
    dt.datetime(2026, 3, 1, 9, 30),
    dt.time(3, 0),
    dt.time(0, 0),
    dt.timedelta(days=3),
    dt.timedelta(hours=36),
    "=3",
    "=1+2",
    '="3"',
    '="3 - Proficient"',
    None,
]

# Whitespace ingest collapses that an xlsx cell can hold (\x0b, \x0c, \x1c-\x1f cannot).
SPACES = "  \t\n\r\x85\u00a0\u1680\u2002\u2009\u200a\u2028\u202f\u205f\u3000"
QUOTES = "\"'“”‘’„«»"
SEPARATORS = ["-", " - ", ": ", " – ", "—", ".", ") ", " (", " ", "=", " / ", "", " -- ", "_"]
LABELS = [p.label for p in SCALE.points]


def _recase(label: str, how: int) -> str:
    return (label, label.upper(), label.lower(), label.title(), label.swapcase())[how]


def _respaced(text: str, runs: list[str]) -> str:
    """Each space of ``text`` replaced by the next run of other whitespace, while they last."""
    first, *rest = text.split(" ")
    gaps = runs + [" "] * len(rest)
    return first + "".join(gap + part for gap, part in zip(gaps, rest, strict=False))


def _wrapped(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text with whitespace inside and whitespace and quotes around it, as pasted."""
    pads = st.text(alphabet=SPACES + QUOTES, max_size=3)
    runs = st.lists(st.text(alphabet=SPACES, min_size=1, max_size=2), max_size=3)
    return st.tuples(pads, st.builds(_respaced, inner, runs), pads).map("".join)


def _number_text() -> st.SearchStrategy[str]:
    return st.builds(
        lambda sign, zeros, whole, sep, frac: (
            f"{sign}{'0' * zeros}{whole}{sep}{frac if sep else ''}"
        ),
        st.sampled_from(["", "", "+", "-"]),
        st.integers(0, 2),
        st.integers(0, 12),
        st.sampled_from(["", "", ".", ","]),
        st.sampled_from(["0", "00", "5", "50", "01", "000001"]),
    )


def _number_and_label() -> st.SearchStrategy[str]:
    return st.builds(
        lambda number, sep, label, how, parens: (
            f"{number}{sep}{'(' if parens else ''}{_recase(label, how)}{')' if parens else ''}"
        ),
        st.one_of(st.integers(-1, 8).map(str), st.sampled_from(["03", "005", "3.0"])),
        st.sampled_from(SEPARATORS),
        st.sampled_from(LABELS),
        st.integers(0, 4),
        st.booleans(),
    )


def score_values() -> st.SearchStrategy[object]:
    """What a manager types or pastes into a Score cell."""
    texts = st.one_of(
        _number_text(),
        st.builds(_recase, st.sampled_from(LABELS), st.integers(0, 4)),
        _number_and_label(),
        st.text(alphabet="0123456789 .,-+()PpRrOoFfIiCcEeNnTt:–/x", max_size=8),
    )
    pasted = _wrapped(texts)
    return st.one_of(
        pasted,  # text three times over: it has the most ways to go wrong
        pasted,
        pasted,
        st.integers(-2, 9),
        st.integers(-20, 70).map(lambda n: n / 10),
        st.booleans(),
        st.dates(dt.date(1899, 12, 31), dt.date(2030, 12, 31)),
        st.sampled_from([dt.date(1900, 1, d) for d in range(1, 7)]),
        st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 30])),
        st.integers(0, 144).map(lambda h: dt.timedelta(hours=h)),
        st.sampled_from(["=3", "=2+1", '="4"', "=H1", "=NA()"]),
    )


def _soffice_xlsx(source: Path, out_dir: Path) -> Path:
    """LibreOffice opens ``source``, recalculates it and saves it as xlsx (private profile)."""
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out_dir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    converted = out_dir / source.name
    assert converted.exists(), f"LibreOffice wrote no {converted}"
    return converted


def _person(employee_id: str, name: str, manager_id: str, level: str) -> Employee:
    track = "M" if level.startswith("M") else "IC"
    return Employee(employee_id, name, "", manager_id, "", "family_1", track, level, None)


def _team(sheets: int) -> list[Employee]:
    head = _person("H1", "Hana Head", "", "M3")
    return [head] + [_person(f"E{i:03d}", f"Person {i:03d}", "H1", "L2") for i in range(sheets)]


def _expected_share(scores: list[int], expected: list[int]) -> float | str:
    if not scores:
        return ""
    return sum(s >= e for s, e in zip(scores, expected, strict=True)) / len(scores)


def generated_values(count: int) -> list[object]:
    """``count`` values drawn by hypothesis: its own mix of plain and extreme cases.

    Drawn one example at a time and checked as a batch, so that LibreOffice runs once (a
    hypothesis test per value would start it hundreds of times).
    """
    drawn: list[object] = []

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate])
    @given(score_values())
    def draw(value: object) -> None:
        drawn.append(value)

    draw()
    return drawn


@pytest.mark.libreoffice
def test_formulas_read_every_value_as_ingest_does(tmp_path_factory):
    generated = generated_values(GENERATED)
    assert len(generated) == GENERATED
    values = FIXED + generated
    sheets = -(-len(values) // ROWS_PER_SHEET)
    team = _team(sheets)
    folder = tmp_path_factory.mktemp("formulas")
    [blank] = write_scoring_workbooks(LADDER, team, folder / "blank")

    book = openpyxl.load_workbook(blank)
    first = SCORING_TABLE_HEADER_ROW + 2  # 1-based, as openpyxl counts
    placed: dict[tuple[str, str], object] = {}  # (employee id, competency id) -> value
    for i, value in enumerate(values):
        person = team[1 + i // ROWS_PER_SHEET]
        sheet = book[person.name]
        row = first + i % ROWS_PER_SHEET
        sheet.cell(row, COL_SCORE + 1).value = value
        placed[(person.employee_id, sheet.cell(row, COL_ID + 1).value)] = value
    filled = folder / "returned" / blank.name
    filled.parent.mkdir()
    book.save(filled)

    records = ingest_files([filled], LADDER, roster=team).records
    verdicts = {(r.employee_id, r.competency_id): (r.status, r.score) for r in records}
    assert set(placed) <= set(verdicts)
    statuses = {verdicts[key][0] for key in placed}
    assert statuses == {ACCEPTED, REJECTED, MISSING}  # the values reach every verdict

    recalculated = python_calamine.CalamineWorkbook.from_path(
        str(_soffice_xlsx(filled, folder / "libreoffice"))
    )
    mismatches, figures = [], []
    cover = recalculated.get_sheet_by_name(SCORING_COVER_SHEET).to_python(skip_empty_area=False)
    cover_rows = {row[0]: row for row in cover if row}
    for person in team[1:]:
        rows = recalculated.get_sheet_by_name(person.name).to_python(skip_empty_area=False)
        table = rows[first - 1 : first - 1 + ROWS_PER_SHEET]
        accepted_scores, expected_now, expected_next = [], [], []
        invalid = 0
        for row in table:
            key = (person.employee_id, row[COL_ID])
            status, score = verdicts[key]
            read = row[COL_SCORE_READ]
            gaps = (row[COL_GAP_NOW], row[COL_GAP_NEXT])
            if status == ACCEPTED:
                now, after = row[COL_EXPECTED_NOW], row[COL_EXPECTED_NEXT]
                want = (score, (max(0, now - score), max(0, after - score)))
                accepted_scores.append(score)
                expected_now.append(now)
                expected_next.append(after)
            elif status == REJECTED:
                want = (INVALID, (INVALID, INVALID))
                invalid += 1
            else:
                want = ("", ("", ""))
            if (read, gaps) != want:
                mismatches.append((placed.get(key), status, score, read, gaps))
        block = {row[0]: row[1] for row in rows[:first] if row and row[0]}
        counts = (
            block[SCORING_LABEL_SCORED],
            block[SCORING_LABEL_AT_LEVEL],
            block[SCORING_LABEL_READINESS],
        )
        want_counts = (
            len(accepted_scores) / ROWS_PER_SHEET,
            _expected_share(accepted_scores, expected_now),
            _expected_share(accepted_scores, expected_next),
        )
        if counts != pytest.approx(want_counts):
            figures.append(f"  {person.name} header block: {counts}, ingest: {want_counts}")
        status_text, scored = cover_rows[person.name][4:6]
        if scored != pytest.approx(want_counts[0]) or (status_text == "To fix") != bool(invalid):
            figures.append(f"  {person.name} cover: {status_text} {scored}, invalid: {invalid}")
    listing = "\n".join(
        f"  {value!r}: ingest {status} {score}, sheet reads {read!r}, gaps {gaps!r}"
        for value, status, score, read, gaps in mismatches
    )
    assert not mismatches, f"{len(mismatches)} of {len(values)} values read otherwise:\n{listing}"
    assert not figures, "\n".join(figures)


# --- Without LibreOffice: the formulas' building blocks follow the parser ---------------------


def test_reading_constants_follow_the_parser():
    assert scoring._QUOTES == cells.QUOTES
    # every character Python's split() collapses, in CHAR() or literally (CHAR(1): see scoring)
    spaces = {chr(code) for code in scoring._WHITESPACE_CODES} | set(scoring._WHITESPACE_LITERALS)
    python = {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}
    assert spaces | {" "} == python | {"\x01"}
    # a character between number and label is accepted exactly when the formulas accept it
    for code in range(0x20, 0x3000):
        char = chr(code)
        verdict = parse_score(f"3{char}Proficient", None, SCALE)
        expected = char in scoring._SEPARATORS or char.isspace()
        assert (verdict.status == ACCEPTED) == expected, repr(char)


CLASSIC = {  # Excel 2007 and LibreOffice both have these; ISFORMULA is guarded by IFERROR
    "AND", "CELL", "CHAR", "EXACT", "FIND", "IF", "IFERROR", "INT", "ISBLANK", "ISERROR",
    "ISLOGICAL", "ISNUMBER", "ISTEXT", "LEFT", "LEN", "LOWER", "MID", "NOT", "OR", "RIGHT",
    "SUBSTITUTE", "TRIM", "VALUE", "_xlfn.ISFORMULA",
}  # fmt: skip


def test_formulas_use_classic_functions_and_their_own_row_only():
    formulas = score_reading_formulas(SCALE)
    assert list(formulas) == list(range(HELPER_FIRST_COL, COL_SCORE_READ + 1))
    for template in formulas.values():
        formula = template.replace(ROW_TOKEN, "20")
        outside_strings = re.sub(r'"(?:[^"]|"")*"', '""', formula)
        assert set(re.findall(r"([A-Za-z_.]+)\(", outside_strings)) <= CLASSIC, formula
        references = re.findall(r"\$?([A-Z]{1,3})\$?([0-9]+)", outside_strings)
        # their own row, and the blank General cell that tells LibreOffice from Excel
        assert {row for _, row in references} <= {"20", "1"}, formula
        assert len(formula) < 8192  # Excel's limit


def test_a_label_with_quotes_and_a_custom_scale_are_written_into_the_formulas():
    text = default_settings_text().replace('label = "Proficient"', 'label = "Can\'t yet"')
    scale = parse_settings(text).scale
    formulas = score_reading_formulas(scale)
    lookup = formulas[COL_SCORE_READ - 2]  # "lab": the label alone
    assert '"can\'t yet"' in lookup and '"proficient"' not in lookup
    read = formulas[COL_SCORE_READ]
    assert f"<{scale.minimum}," in read and f">{scale.maximum}," in read


def test_classic_formula_cells_are_stored_as_write_formula_stores_them(tmp_path):
    xml = {}
    for way in ("write_formula", "classic"):
        path = tmp_path / f"{way}.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        bold = book.add_format({"bold": True})
        for offset, template in enumerate(score_reading_formulas(SCALE).values()):
            formula, fmt = template.replace(ROW_TOKEN, "7"), bold if offset % 2 else None
            if way == "classic":
                write_classic_formula(sheet, 6, 3 + offset, formula, fmt)
            else:
                sheet.write_formula(6, 3 + offset, formula, fmt, "")
        book.close()
        with zipfile.ZipFile(path) as archive:
            xml[way] = archive.read("xl/worksheets/sheet1.xml")
    assert xml["classic"] == xml["write_formula"]
    assert b"<f>IF(ISTEXT(H7)" in xml["classic"]
