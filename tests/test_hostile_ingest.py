"""Hostile and broken returns, end to end: each is reported, the good files are read in full."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from laddersheet.demo_company import roster_rows
from laddersheet.demo_fill import fill_returned_workbooks
from laddersheet.errors import InputError
from laddersheet.main import generate, ingest, make_sheets
from laddersheet.roster import ROSTER_COLUMNS
from laddersheet.settings import default_settings
from tests import hostile

# Names a careless or malicious roster may hold: formula triggers, RTL, emoji, control chars.
TRICKY_NAMES = [
    '=HYPERLINK("http://x")',
    "+Plus Person",
    "-Dash",
    "@At Sign",
    "عائشة 🌟 Noor",
    "Ctrl\x01Char Bell\x07",
]

# Control characters are dropped when the roster is read (invalid in sheet names and XML).
EXPECTED_NAMES = [re.sub(r"[\x00-\x1f]", "", name) for name in TRICKY_NAMES]


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    master = generate(None, root / "master.xlsx")
    rows = roster_rows()[:8]
    for row, name in zip(rows[2:], TRICKY_NAMES, strict=False):
        row["name"] = name
    roster = root / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ROSTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    sheets = make_sheets(master, root / "scoring", roster)
    good = root / "good"
    good.mkdir()
    fill_returned_workbooks(sheets.paths, good, default_settings().scale, typo_file=-1)
    return {"root": root, "master": master, "roster": roster, "good": good}


def run(returned: dict[str, Path], folder: Path, tmp_path: Path):
    out = tmp_path / "report.xlsx"
    result = ingest(
        [folder],
        returned["master"],
        out,
        json_path=tmp_path / "gaps.json",
        csv_dir=tmp_path / "csv",
        roster_path=returned["roster"],
    )
    return result, json.loads((tmp_path / "gaps.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clean_counts(returned, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    result, data = run(returned, returned["good"], tmp)
    assert result.clean, [str(i) for i in result.issues.errors]
    return data["summary"]["counts"]


HOSTILE = {
    "not-a-spreadsheet": hostile.make_pdf_as_xlsx,
    "empty-file": hostile.make_empty,
    "corrupt-zip": hostile.make_truncated,
    "zip-bomb": hostile.make_zip_bomb,
    "xml-entities": hostile.make_billion_laughs,
    "encrypted": hostile.make_encrypted,
    "legacy-xls": hostile.make_legacy_xls,
    "csv-not-workbook": hostile.make_csv_as_xlsx,
    "sheet-too-large": hostile.make_huge_dimension,
}


@pytest.mark.parametrize("code", sorted(HOSTILE))
def test_bad_file_is_reported_and_good_files_are_read_in_full(
    code, returned, clean_counts, tmp_path
):
    folder = tmp_path / "in"
    shutil.copytree(returned["good"], folder)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = HOSTILE[code](bad_dir)
    shutil.copy(bad, folder / f"zz-{code}{bad.suffix if bad.suffix != '.xls' else '.xlsx'}")
    _, data = run(returned, folder, tmp_path / "out")
    codes = {(i["code"], Path(i["file"]).name) for i in data["issues"]}
    assert any(c == code and name.startswith("zz-") for c, name in codes), codes
    counts = data["summary"]["counts"]
    for key in ("accepted", "rejected", "missing", "employees"):
        assert counts[key] == clean_counts[key], key
    assert counts["files"] == clean_counts["files"] + 1


def test_entity_expansion_never_reads_the_sentinel(returned, tmp_path):
    sentinel = tmp_path / "secret.txt"
    sentinel.write_text("TOP-SECRET-SENTINEL", encoding="utf-8")
    folder = tmp_path / "in"
    shutil.copytree(returned["good"], folder)
    hostile.make_external_entity(folder, sentinel)
    _, data = run(returned, folder, tmp_path / "out")
    assert any(i["code"] == "xml-entities" for i in data["issues"])
    assert "TOP-SECRET-SENTINEL" not in (tmp_path / "out" / "gaps.json").read_text()


def first_score_table(returned, tmp_path: Path, column: str):
    """A copy of the good returns and, in its first file, the first employee sheet's table:
    (folder, path, book, sheet, header row, column index of ``column``)."""
    folder = tmp_path / "in"
    shutil.copytree(returned["good"], folder)
    path = sorted(folder.glob("*.xlsx"))[0]
    book = openpyxl.load_workbook(path)
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible" and s.title != "Cover")
    header = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "Competency ID")
    col = next(c for c in range(1, 20) if sheet.cell(header, c).value == column)
    return folder, path, book, sheet, header, col


def test_formula_in_score_is_reported_never_evaluated(returned, tmp_path):
    folder, path, book, sheet, header, score_col = first_score_table(returned, tmp_path, "Score")
    formulas = ["=5", "=A1", '=WEBSERVICE("http://example.invalid")']
    cells = []
    for offset, formula in enumerate(formulas, start=1):
        cell = sheet.cell(header + offset, score_col)
        cell.value = formula
        cells.append(cell.coordinate)
    book.save(path)
    result, data = run(returned, folder, tmp_path / "out")
    found = {i["cell"] for i in data["issues"] if i["code"] == "formula-in-score"}
    assert found == set(cells)
    assert not result.clean


def test_long_evidence_is_cut_in_the_workbook_and_whole_in_json(returned, tmp_path):
    folder, path, book, sheet, header, evidence_col = first_score_table(
        returned, tmp_path, "Evidence"
    )
    long_text = "Evidence " + "x" * 6000 + " END"
    sheet.cell(header + 1, evidence_col).value = long_text
    injected = sheet.cell(header + 2, evidence_col)
    injected.value = '=HYPERLINK("http://evil.example","click")'
    injected.data_type = "s"  # typed as text by the manager, not a formula
    book.save(path)
    _, data = run(returned, folder, tmp_path / "out")
    evidence = [c["evidence"] for e in data["employees"] for c in e["competencies"]]
    assert long_text in evidence
    report = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")
    texts = [
        cell
        for row in report["Gaps"].iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(("Evidence x", "=HYPERLINK"))
    ]
    assert texts and all(cell.data_type == "s" for cell in texts)
    assert max(len(cell.value) for cell in texts) < len(long_text)
    gaps_csv = (tmp_path / "out" / "csv" / "gaps.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in gaps_csv and "\n=HYPERLINK" not in gaps_csv


def test_tricky_names_are_text_everywhere(returned, tmp_path):
    _, data = run(returned, returned["good"], tmp_path)
    names = {e["name"] for e in data["employees"]}
    assert set(EXPECTED_NAMES) <= names
    report = openpyxl.load_workbook(tmp_path / "report.xlsx")
    cells = [
        cell
        for row in report["Employees"].iter_rows()
        for cell in row
        if cell.value in EXPECTED_NAMES
    ]
    assert {c.value for c in cells} == set(EXPECTED_NAMES)
    assert all(cell.data_type == "s" for cell in cells)
    employees_csv = (tmp_path / "csv" / "employees.csv").read_text(encoding="utf-8-sig")
    for name in TRICKY_NAMES[:4]:
        assert f"'{name[:5]}" in employees_csv.replace('""', '"')


def test_inputs_are_never_modified_and_output_cannot_be_an_input(returned, tmp_path):
    before = {p.name: p.read_bytes() for p in returned["good"].glob("*.xlsx")}
    run(returned, returned["good"], tmp_path)
    assert before == {p.name: p.read_bytes() for p in returned["good"].glob("*.xlsx")}
    target = sorted(returned["good"].glob("*.xlsx"))[0]
    with pytest.raises(InputError, match=r"the output would be written inside the input"):
        ingest([target], returned["master"], target)
    master_bytes = returned["master"].read_bytes()
    with pytest.raises(InputError, match=r"the output would be written inside the input"):
        ingest([returned["good"]], returned["master"], returned["master"])
    assert returned["master"].read_bytes() == master_bytes


def test_rerun_gives_the_same_report(returned, tmp_path):
    _, first = run(returned, returned["good"], tmp_path / "a")
    _, second = run(returned, returned["good"], tmp_path / "b")
    assert first == second
