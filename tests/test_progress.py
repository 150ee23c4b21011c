"""Progress since the last cycle: counts computed here from both reports; the CLI output."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from laddersheet.cli import cli
from laddersheet.gaps import GapReport
from laddersheet.history import record_report
from laddersheet.progress import progress_since_last
from laddersheet.report import PROGRESS_CSV, PROGRESS_SHEET
from tests.test_history import report_for


def expected_counts(before: GapReport, after: GapReport, employee_id: str) -> dict[str, int]:
    """Closed / opened / change for one person, straight from the two reports' rows."""
    then = next(e for e in before.employees if e.employee_id == employee_id)
    now = next(e for e in after.employees if e.employee_id == employee_id)
    old = {r.competency_id: r for r in then.competencies if r.status == "accepted"}
    pairs = [
        (old[r.competency_id], r)
        for r in now.competencies
        if r.status == "accepted" and r.competency_id in old
    ]
    return {
        "compared": len(pairs),
        "closed": sum((a.gap_now or 0) > 0 and b.gap_now == 0 for a, b in pairs),
        "opened": sum(a.gap_now == 0 and (b.gap_now or 0) > 0 for a, b in pairs),
        "score_change": sum(b.score - a.score for a, b in pairs),
    }


def test_progress_counts_closed_and_opened_gaps_new_and_left_people(tmp_path: Path):
    db = tmp_path / "h.db"
    before = report_for("2026 H1", "2026-06-30", drop=("E101",))
    after = report_for(
        "2026 H2",
        "2026-12-15",
        changes={"E204": {"level": "L4"}},
        drop=("E102",),
        bump=1,
    )
    record_report(db, before, master_digest="d")

    progress = progress_since_last(db, after)

    assert progress is not None and progress.previous.name == "2026 H1"
    assert "E101" in progress.new and "E102" in progress.left
    people = {p.employee_id: p for p in progress.people}
    assert "E101" not in people and "E102" not in people
    total_closed = total_opened = 0
    for employee_id, person in people.items():
        counts = expected_counts(before, after, employee_id)
        assert (person.compared, person.closed, person.opened) == (
            counts["compared"],
            counts["closed"],
            counts["opened"],
        ), employee_id
        assert person.score_change == (counts["score_change"] if counts["compared"] else None)
        total_closed += counts["closed"]
        total_opened += counts["opened"]
    assert (progress.closed, progress.opened) == (total_closed, total_opened)
    assert total_closed > 0  # every score rose by one: some gaps must have closed
    assert people["E204"].level_changed and people["E204"].previous_level == "L3"
    assert progress.level_changes == 1

    # the same cycle recorded already is compared with the one before it, never with itself
    record_report(db, after, master_digest="d")
    assert progress_since_last(db, after).previous.name == "2026 H1"
    assert progress_since_last(db, before) is None  # nothing before the first cycle


def test_ingest_with_history_shows_progress_in_the_report_json_and_csv(tmp_path: Path):
    from laddersheet.demo_company import roster_rows
    from laddersheet.demo_fill import fill_returned_workbooks
    from laddersheet.main import generate, ingest, make_sheets
    from laddersheet.master import read_master
    from laddersheet.roster import ROSTER_COLUMNS

    master = generate(None, tmp_path / "master.xlsx")
    roster = tmp_path / "roster.csv"
    lines = [",".join(ROSTER_COLUMNS)]
    lines += [",".join(r[k] for k in ROSTER_COLUMNS) for r in roster_rows()[:10]]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sheets = make_sheets(master, tmp_path / "scoring", roster)
    scale = read_master(master).ladder.settings.scale
    (tmp_path / "returned").mkdir()
    fill_returned_workbooks(sheets.paths, tmp_path / "returned", scale)
    # an earlier cycle: this cycle's scores, each one point lower where the scale allows
    first = ingest([tmp_path / "returned"], master, tmp_path / "first.xlsx").report
    lower = [
        dataclasses.replace(
            e,
            competencies=tuple(
                dataclasses.replace(
                    r,
                    score=max(scale.values[0], r.score - 1),
                    gap_now=None
                    if r.expected_now is None
                    else max(0, r.expected_now - r.score + 1),
                )
                if r.score is not None
                else r
                for r in e.competencies
            ),
        )
        for e in first.employees
    ]
    earlier = dataclasses.replace(
        first, cycle="Earlier", created="2025-11-30", employees=tuple(lower)
    )
    db = tmp_path / "laddersheet.db"
    record_report(db, earlier, master_digest="d")

    out = tmp_path / "report.xlsx"
    args = ["ingest", str(tmp_path / "returned"), "--master", str(master), "--out", str(out)]
    args += ["--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "csv")]
    result = CliRunner().invoke(cli, [*args, "--history", str(db), "--as-of", "2026-11-30"])

    assert result.exit_code in (0, 1), result.output
    assert "Since Earlier (2025-11-30):" in result.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["progress"]
    assert data["previous_cycle"] == "Earlier" and data["new"] == [] and data["left"] == []
    expected_change = {
        e.employee_id: sum(
            r.score - max(scale.values[0], r.score - 1)
            for r in e.competencies
            if r.score is not None
        )
        for e in first.employees
    }
    for person in data["people"]:
        if person["compared"]:
            assert person["score_change"] == expected_change[person["employee_id"]]
    assert any(p["closed"] for p in data["people"])
    with (tmp_path / "csv" / PROGRESS_CSV).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["employee_id"] for r in rows] == [p["employee_id"] for p in data["people"]]
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames.index(PROGRESS_SHEET) == book.sheetnames.index("Teams") + 1
    cells = [c.value for row in book[PROGRESS_SHEET].iter_rows(min_row=5) for c in row]
    assert {p["employee_id"] for p in data["people"]} <= set(cells)

    # without --history: no Progress sheet, no progress key
    CliRunner().invoke(cli, args)
    assert PROGRESS_SHEET not in openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "progress" not in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def test_a_review_pack_shows_the_change_since_last_cycle(tmp_path: Path):
    from laddersheet.packs import build_pack, render_html
    from tests import gap_fixtures

    ladder, _ = gap_fixtures.build_result()
    db = tmp_path / "h.db"
    before = report_for("2026 H1", "2026-06-30")
    record_report(db, before, master_digest="d")
    after = report_for("2026 H2", "2026-12-15", changes={"E204": {"level": "L4"}}, bump=1)
    progress = progress_since_last(db, after)
    flo = next(e for e in after.employees if e.employee_id == "E204")

    pack = build_pack(after, ladder, flo, progress)

    then = {
        r.competency_id: r.score
        for e in before.employees
        if e.employee_id == "E204"
        for r in e.competencies
        if r.status == "accepted"
    }
    assert {r.competency_id: r.previous_score for r in pack.rows if r.competency_id in then} == then
    counts = expected_counts(before, after, "E204")
    assert pack.since is not None and pack.since.previous_level == "L3"
    assert (pack.since.closed, pack.since.opened) == (counts["closed"], counts["opened"])
    html = render_html(pack)
    assert "Since 2026 H1" in html and "moved from L3 to L4" in html
    assert ">2026 H1</th>" in html  # the column of last cycle's scores
    # without progress: no such block and no such column
    plain = render_html(build_pack(after, ladder, flo))
    assert "Since 2026 H1" not in plain and ">2026 H1</th>" not in plain
