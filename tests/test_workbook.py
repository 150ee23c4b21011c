"""The shared spreadsheet toolkit: names, escaping and atomic writes."""

import os
import stat
from pathlib import Path

import pytest

from laddersheet.errors import InputError
from laddersheet.workbook import (
    EXCEL_MAX_SHEET_NAME,
    atomic_output,
    cell_ref,
    csv_safe,
    safe_file_stem,
    sheet_name,
)


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    long = "A very long employee name that Excel would refuse"
    names = [sheet_name(n, taken) for n in [long, long, "a/b:c*d?", "Ctrl\x01Char", "history"]]
    assert all(len(n) <= EXCEL_MAX_SHEET_NAME for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[2] == "a-b-c-d-" and names[3] == "Ctrl-Char"
    assert names[1].endswith("(2)") and names[4] == "history (2)"


def test_file_stems_are_safe_everywhere():
    taken: set[str] = set()
    assert safe_file_stem('Jo: "the boss" / CEO?', taken) == "Jo the boss CEO"
    assert safe_file_stem("CON", taken) == "_CON"
    assert safe_file_stem("jo the boss ceo", taken) == "jo the boss ceo (2)"


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"])
def test_csv_formula_triggers_are_escaped(text):
    assert csv_safe(text) == "'" + text


def test_csv_leaves_plain_values_alone():
    assert csv_safe("Ann") == "Ann" and csv_safe(3) == 3 and csv_safe(-2) == -2


def test_cell_refs():
    assert [cell_ref(0, 0), cell_ref(9, 25), cell_ref(0, 26), cell_ref(2, 702)] == [
        "A1",
        "Z10",
        "AA1",
        "AAA3",
    ]


def test_atomic_output_leaves_nothing_on_failure(tmp_path: Path):
    target = tmp_path / "report.xlsx"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_atomic_output_respects_the_umask(tmp_path: Path):
    old = os.umask(0o022)
    try:
        with atomic_output(tmp_path / "out.xlsx") as tmp:
            tmp.write_text("done")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "out.xlsx").stat().st_mode)
    assert mode == 0o644


def test_atomic_output_needs_an_existing_folder(tmp_path: Path):
    with (
        pytest.raises(InputError, match=r"folder .*missing does not exist"),
        atomic_output(tmp_path / "missing" / "x.xlsx"),
    ):
        pass
