"""`sheets --history`: last cycle's accepted scores beside the Score column, read-only."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from laddersheet.cli import cli
from laddersheet.history import previous_cycle, record_report, scores_for
from laddersheet.ingest import ACCEPTED, IngestResult, ingest_files
from laddersheet.layout import (
    SCORING_EVIDENCE_HEADER,
    SCORING_ID_HEADER,
    SCORING_LABEL_AT_LEVEL,
    SCORING_LABEL_EMPLOYEE_ID,
    SCORING_LABEL_READINESS,
    SCORING_LABEL_SCORED,
    SCORING_SCORE_HEADER,
)
from laddersheet.scoring import LAST_CYCLE_HEADER
from laddersheet.settings import default_settings_text
from tests.test_history import other_sqlite

FIRST, SECOND = "2026 H1 Review", "2026 H2 Review"
LIVE_LABELS = (SCORING_LABEL_SCORED, SCORING_LABEL_AT_LEVEL, SCORING_LABEL_READINESS)


def _master(folder: Path, cycle: str) -> Path:
    from laddersheet.main import generate

    folder.mkdir(parents=True, exist_ok=True)
    text = default_settings_text()
    assert 'cycle = "2026 Review Cycle"' in text
    settings = folder / "laddersheet.toml"
    settings.write_text(text.replace('cycle = "2026 Review Cycle"', f'cycle = "{cycle}"', 1))
    return generate(settings, folder / "master.xlsx")


def _roster(path: Path) -> Path:
    from laddersheet.demo_company import roster_rows
    from laddersheet.roster import ROSTER_COLUMNS

    lines = [",".join(ROSTER_COLUMNS)]
    lines += [",".join(r[k] for k in ROSTER_COLUMNS) for r in roster_rows()[:12]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sheets(master: Path, roster: Path, out: Path, *extra: str) -> None:
    args = ["sheets", str(master), "--roster", str(roster), "--out", str(out), *extra]
    result = CliRunner().invoke(cli, [*args, "--jobs", "1"])
    assert result.exit_code == 0, result.output


def _tables(path: Path) -> dict[str, tuple[list, list]]:
    """Each employee sheet's table (header, rows), read independently with openpyxl."""
    book = openpyxl.load_workbook(path)
    tables = {}
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        rows = list(sheet.iter_rows())
        header = next((i for i, row in enumerate(rows) if row[0].value == SCORING_ID_HEADER), None)
        if header is None:
            continue
        employee_id = next(
            r[1].value for r in rows[:header] if r[0].value == SCORING_LABEL_EMPLOYEE_ID
        )
        names = [c.value for c in rows[header]]
        tables[employee_id] = (names, rows[header + 1 :])
    return tables


def _records(result: IngestResult) -> list[tuple]:
    """The records as ingest reads them, whatever folder the files were in."""
    return sorted(
        dataclasses.astuple(dataclasses.replace(r, file=Path(r.file).name)) for r in result.records
    )


@pytest.fixture(scope="module")
def cycles(tmp_path_factory) -> dict[str, Path]:
    """Cycle one scored, ingested and recorded; cycle two's sheets with and without --history."""
    from laddersheet.main import ingest

    tmp = tmp_path_factory.mktemp("cycles")
    roster = _roster(tmp / "roster.csv")
    first = _master(tmp / "first", FIRST)
    second = _master(tmp / "second", SECOND)
    _sheets(first, roster, tmp / "first" / "scoring")
    (tmp / "first" / "returned").mkdir()
    from laddersheet.demo_fill import fill_returned_workbooks
    from laddersheet.master import read_master

    fill_returned_workbooks(
        sorted((tmp / "first" / "scoring").glob("*.xlsx")),
        tmp / "first" / "returned",
        read_master(first).ladder.settings.scale,
    )
    db = tmp / "laddersheet.db"
    run = ingest(
        [tmp / "first" / "returned"], first, tmp / "first" / "report.xlsx", history_path=db
    )
    assert run.report.cycle == FIRST
    # a history holding only the cycle the sheets are for: no earlier cycle to show
    only = tmp / "only-this-cycle.db"
    record_report(only, dataclasses.replace(run.report, cycle=SECOND), master_digest="d")
    _sheets(second, roster, tmp / "plain", "--history", str(only))
    _sheets(second, roster, tmp / "with", "--history", str(db))
    _sheets(second, roster, tmp / "without")
    _sheets(second, roster, tmp / "self", "--history", str(db), "--self")
    return {"tmp": tmp, "db": db, "first": first, "second": second, "roster": roster}


def test_last_cycle_scores_are_shown_beside_the_score_column(cycles):
    tmp, db = cycles["tmp"], cycles["db"]
    earlier = previous_cycle(db, SECOND)
    assert earlier is not None and earlier.name == FIRST
    accepted = {
        (s.employee_id, s.competency_id): s.score
        for s in scores_for(db, earlier)
        if s.status == ACCEPTED
    }
    assert accepted
    shown = 0
    files = sorted((tmp / "with").glob("*.xlsx"))
    assert [p.name for p in files] == [p.name for p in sorted((tmp / "without").glob("*.xlsx"))]
    for path in files:
        for employee_id, (names, rows) in _tables(path).items():
            header = f"{LAST_CYCLE_HEADER} ({FIRST})"
            assert names.index(header) == names.index(SCORING_SCORE_HEADER) + 1
            last = names.index(header)
            for row in rows:
                competency_id = row[0].value
                if not competency_id:
                    continue
                cell = row[last]
                assert cell.value == accepted.get((employee_id, competency_id))
                assert cell.protection.locked  # read-only: only Score and Evidence are open
                shown += cell.value is not None
    assert shown == len(accepted)  # everyone sent a sheet again: every accepted score shown


def test_the_workbooks_hold_no_last_cycle_column_without_an_earlier_cycle(cycles):
    tmp = cycles["tmp"]
    for folder in ("without", "plain", "self"):
        for path in sorted((tmp / folder).glob("*.xlsx")):
            for names, _ in _tables(path).values():
                assert not any(str(n).startswith(LAST_CYCLE_HEADER) for n in names if n)
    # an empty history and no history give the same bytes
    for path in sorted((tmp / "without").glob("*.xlsx")):
        assert (tmp / "plain" / path.name).read_bytes() == path.read_bytes()


def test_the_sheet_is_protected_and_the_other_columns_keep_their_headers(cycles):
    tmp = cycles["tmp"]
    path = sorted((tmp / "with").glob("*.xlsx"))[0]
    plain = tmp / "without" / path.name
    with_book, plain_book = openpyxl.load_workbook(path), openpyxl.load_workbook(plain)
    for employee_id, (names, _) in _tables(path).items():
        plain_names = _tables(plain)[employee_id][0]
        assert [n for n in names if not str(n or "").startswith(LAST_CYCLE_HEADER)] == plain_names
    for name in with_book.sheetnames:
        assert with_book[name].protection.sheet == plain_book[name].protection.sheet
    cover = " ".join(str(c.value) for row in with_book.worksheets[0].iter_rows() for c in row)
    assert f"{LAST_CYCLE_HEADER}: the score the person was given last cycle ({FIRST})" in cover
    plain_cover = " ".join(str(c.value) for r in plain_book.worksheets[0].iter_rows() for c in r)
    assert LAST_CYCLE_HEADER not in plain_cover


def test_filled_sheets_with_the_column_are_read_as_without_it(cycles, tmp_path):
    from laddersheet.master import read_master

    tmp = cycles["tmp"]
    ladder = read_master(cycles["second"]).ladder
    scale = ladder.settings.scale
    from laddersheet.demo_fill import fill_returned_workbooks

    results = {}
    for folder in ("with", "without"):
        out = tmp_path / folder
        out.mkdir()
        fill_returned_workbooks(sorted((tmp / folder).glob("*.xlsx")), out, scale)
        results[folder] = ingest_files([out], ladder, jobs=1)
    with_records, plain_records = _records(results["with"]), _records(results["without"])
    assert with_records == plain_records
    assert any(r.status == ACCEPTED for r in results["with"].records)
    assert [i.code for i in results["with"].issues] == [i.code for i in results["without"].issues]


@pytest.mark.libreoffice
def test_the_live_gaps_and_ingest_agree_after_a_libreoffice_round_trip(cycles, tmp_path):
    """The columns right of Last cycle move; the recalculated gap formulas still follow Score."""
    from laddersheet.demo_fill import fill_returned_workbooks
    from laddersheet.master import read_master
    from tests.test_scoring_formulas import _soffice_xlsx

    tmp = cycles["tmp"]
    ladder = read_master(cycles["second"]).ladder
    name = sorted((tmp / "with").glob("*.xlsx"))[0].name
    converted = {}
    for folder in ("with", "without"):
        filled = tmp_path / folder / "filled"
        filled.mkdir(parents=True)
        shutil.copy(tmp / folder / name, tmp_path / folder / name)
        fill_returned_workbooks([tmp_path / folder / name], filled, ladder.settings.scale)
        out = tmp_path / folder / "lo"
        out.mkdir()
        converted[folder] = _soffice_xlsx(filled / name, out)
    results = {f: ingest_files([p], ladder, jobs=1) for f, p in converted.items()}
    assert _records(results["with"]) == _records(results["without"])

    def gaps(path: Path) -> dict[str, list[tuple]]:
        book = openpyxl.load_workbook(path, data_only=True)
        found = {}
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            rows = [[c.value for c in row] for row in sheet.iter_rows()]
            at = next((i for i, r in enumerate(rows) if r and r[0] == SCORING_ID_HEADER), None)
            if at is None:
                continue
            names = rows[at]
            cols = [names.index(h) for h in (SCORING_ID_HEADER, "Gap now", "Gap next")]
            cols.append(names.index(SCORING_EVIDENCE_HEADER))
            table = [r for r in rows[at + 1 :]]
            end = next((i for i, r in enumerate(table) if not r or r[0] in ("", None)), len(table))
            found[sheet.title] = [tuple(r[c] for c in cols) for r in table[:end]]
            top = [r[1] for r in rows[:at] if r and r[0] in LIVE_LABELS]
            found[sheet.title].append(tuple(top))
        return found

    with_gaps, plain_gaps = gaps(converted["with"]), gaps(converted["without"])
    assert with_gaps == plain_gaps
    assert any(isinstance(row[1], int | float) for rows in with_gaps.values() for row in rows[:-1])


def test_a_foreign_history_file_stops_sheets_before_any_workbook(cycles, tmp_path):
    foreign = other_sqlite(tmp_path / "accounts.db")
    before = foreign.read_bytes()
    out = tmp_path / "scoring"
    args = ["sheets", str(cycles["second"]), "--roster", str(cycles["roster"])]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "--history", str(foreign)])
    assert result.exit_code == 2, result.output
    assert "not a laddersheet history file" in result.output
    assert not out.exists() or not any(out.iterdir())
    assert foreign.read_bytes() == before


def test_a_history_file_not_there_yet_is_created_and_the_sheets_are_as_without(cycles, tmp_path):
    """The first cycle's `sheets --history` (the README's commands): no earlier cycle yet."""
    args = ["sheets", str(cycles["second"]), "--roster", str(cycles["roster"]), "--jobs", "1"]
    missing = tmp_path / "nope.db"
    with_it = CliRunner().invoke(
        cli, [*args, "--out", str(tmp_path / "s"), "--history", str(missing)]
    )
    assert with_it.exit_code == 0, with_it.output
    assert missing.exists()  # it now keeps who was sent a sheet this cycle
    without = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "plain")])
    assert without.exit_code == 0, without.output
    made = sorted(p.name for p in (tmp_path / "s").glob("*.xlsx"))
    assert made == sorted(p.name for p in (tmp_path / "plain").glob("*.xlsx"))
    for name in made:
        assert (tmp_path / "s" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
