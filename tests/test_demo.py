"""`laddersheet demo`: a complete, reproducible cycle that adds up."""

import json
from pathlib import Path

import pytest
import python_calamine
from click.testing import CliRunner

from laddersheet.cli import cli
from laddersheet.settings import default_settings_text

PROMISED = [
    "laddersheet.toml",
    "master_template.xlsx",
    "roster.csv",
    "README.txt",
    "report/report.xlsx",
    "report/gaps.json",
    "report/csv/gaps.csv",
    "report/csv/employees.csv",
    "report/csv/progress.csv",
    "report/csv/actions.csv",
    "report/csv/progress_groups.csv",
    "report/csv/earlier_actions.csv",
    "laddersheet.db",
    "earlier/master_template.xlsx",
    "earlier/report/report.xlsx",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo") / "out"
    result = CliRunner().invoke(cli, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def count_scores(folder: Path) -> tuple[int, int]:
    """Non-empty and empty Score cells in the returned files, read independently of ingest
    (the demo's managers insert no blank rows into the table)."""
    filled = blank = 0
    for path in sorted(folder.glob("*.xlsx")):
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            header = next((i for i, r in enumerate(rows) if "Competency ID" in r), None)
            if header is None or name.startswith("_"):
                continue
            ids, score = rows[header].index("Competency ID"), rows[header].index("Score")
            for row in rows[header + 1 :]:
                if len(row) <= ids or not str(row[ids]).strip():
                    break  # the table ends at its first blank row; the plan blocks follow
                if str(row[score]).strip():
                    filled += 1
                else:
                    blank += 1
    return filled, blank


def test_every_promised_file_exists(demo):
    folder, _ = demo
    for name in PROMISED:
        assert (folder / name).is_file(), name
    managers = len(list((folder / "scoring").glob("*.xlsx")))
    assert managers >= 8
    assert len(list((folder / "returned").glob("*.xlsx"))) == managers


def test_account_line_matches_the_filled_files(demo):
    folder, output = demo
    filled, blank = count_scores(folder / "returned")
    data = json.loads((folder / "report" / "gaps.json").read_text(encoding="utf-8"))
    counts = data["summary"]["counts"]
    assert counts["accepted"] + counts["rejected"] == filled
    assert counts["missing"] == blank
    assert counts["rejected"] >= 1  # the planted typo
    assert any(i["code"] == "score-invalid" for i in data["issues"])
    assert data["summary"]["account"] in output


def test_tour_names_people_and_a_gap(demo):
    _, output = demo
    assert "Closest to promotion" in output and "Biggest company-wide gap" in output
    assert len([line for line in output.splitlines() if " → " in line]) == 3


def test_roster_covers_the_promised_shape(demo):
    folder, _ = demo
    import csv

    with (folder / "roster.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert 60 <= len(rows) <= 80
    assert len({r["family_id"] for r in rows}) >= 6
    assert {"customer_success", "software_engineering"} <= {r["family_id"] for r in rows}
    assert {f"L{i}" for i in range(1, 6)} | {"M1", "M2", "M3"} <= {r["level"] for r in rows}
    other_track = [r for r in rows if r["target_level"] and r["target_level"][0] != r["level"][0]]
    assert len(other_track) >= 2


def test_reproducible(demo, tmp_path: Path):
    folder, _ = demo
    again = tmp_path / "again"
    assert CliRunner().invoke(cli, ["demo", str(again)]).exit_code == 0
    first = json.loads((folder / "report" / "gaps.json").read_text(encoding="utf-8"))
    second = json.loads((again / "report" / "gaps.json").read_text(encoding="utf-8"))
    # file paths differ between the two folders; everything else must not
    dump = json.dumps(first).replace(str(folder), "<demo>")
    assert dump == json.dumps(second).replace(str(again), "<demo>")


def test_refuses_a_non_empty_folder(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not empty: choose another folder or pass --force" in result.output
    assert (tmp_path / "keep.txt").exists()


def test_returned_workbooks_against_another_master_stop_with_exit_2(demo, tmp_path: Path):
    """Not a report of zero scores: the run stops and says which master to pass."""
    folder, _ = demo
    other = tmp_path / "other_master.xlsx"  # another ladder: one family, another digest
    settings = tmp_path / "other.toml"
    settings.write_text(
        default_settings_text().replace('families = "all"', 'families = ["sales"]', 1)
    )
    result = CliRunner().invoke(cli, ["generate", "--settings", str(settings), "--out", str(other)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(folder / "returned"),
            "--master",
            str(other),
            "--out",
            str(tmp_path / "r.xlsx"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "were made from another master than" in result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_the_second_cycle_shows_progress_since_the_first(demo):
    from laddersheet.demo import EARLIER_CYCLE, LEAVER, NEW_HIRE, PROMOTED_SINCE
    from laddersheet.history import cycles

    folder, output = demo
    assert [c.name for c in cycles(folder / "laddersheet.db")] == [EARLIER_CYCLE, "2026 H2 Review"]
    progress = json.loads((folder / "report" / "gaps.json").read_text(encoding="utf-8"))["progress"]
    assert progress["previous_cycle"] == EARLIER_CYCLE
    assert progress["new"] == [NEW_HIRE] and progress["left"] == [LEAVER["employee_id"]]
    changed = sorted(p["employee_id"] for p in progress["people"] if p["level_changed"])
    assert changed == sorted(PROMOTED_SINCE)
    # the earlier cycle's scores were centred half a point lower: more gaps closed than opened
    assert progress["closed"] > progress["opened"]
    assert f"Since {EARLIER_CYCLE}" in output


def test_the_second_cycle_follows_up_the_actions_agreed_in_the_first(demo):
    """The demo's managers agree plans in 2026 H1 and report on them in H2: done and not."""
    folder, output = demo
    data = json.loads((folder / "report" / "gaps.json").read_text(encoding="utf-8"))
    earlier = json.loads((folder / "earlier" / "report" / "gaps.json").read_text("utf-8"))
    assert len(earlier["actions"]) >= 60  # most people agreed actions in H1
    statuses = [a["status"] for a in data["progress"]["earlier_actions"]]
    assert {"done", "in progress", "not started", "dropped", None} <= set(statuses)
    company = data["progress"]["groups"][0]
    assert company["done"] == statuses.count("done") and company["overdue"] >= 1
    assert f"Earlier actions: {company['done']} of {company['actions_reviewed']} done" in output
    assert len(data["actions"]) >= 60  # and agreed new ones in H2
