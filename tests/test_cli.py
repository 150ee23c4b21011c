"""The command line: help everywhere, friendly errors for the usual slips, exit codes."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from laddersheet.cli import cli
from laddersheet.demo_company import roster_rows
from laddersheet.roster import ROSTER_COLUMNS
from tests.test_docs import all_commands


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["", *all_commands(cli)])
def test_help_shows_an_example(command):
    code, output = run(*command.split(), "--help")
    assert code == 0
    assert "Example" in output and "laddersheet" in output


def test_version():
    code, output = run("--version")
    assert code == 0 and output.startswith("laddersheet, version ")


def test_families_lists_at_least_25():
    code, output = run("families", "--json")
    families = json.loads(output)
    assert code == 0 and len(families) >= 25
    assert {"software_engineering", "customer_success"} <= {f["family_id"] for f in families}
    assert all(f["ic_codes"] and f["manager_codes"] for f in families)
    code, output = run("families")
    assert output.strip().endswith(f"{len(families)} families")


def test_init_writes_settings_and_refuses_to_overwrite(tmp_path: Path):
    path = tmp_path / "acme.toml"
    assert run("init", path)[0] == 0 and path.read_text().startswith("# laddersheet settings")
    code, output = run("init", path)
    assert code == 2 and f"Error: {path} already exists: pass --force" in output


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> dict[str, Path]:
    """A master, a roster and scoring workbooks, shared by the error tests below."""
    root = tmp_path_factory.mktemp("cycle")
    master = root / "master.xlsx"
    assert run("generate", "--out", master)[0] == 0
    roster = root / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ROSTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(roster_rows()[:12])
    code, output = run("sheets", master, "--roster", roster, "--out", root / "scoring", "-q")
    assert code == 0, output
    return {"root": root, "master": master, "roster": roster, "scoring": root / "scoring"}


def test_missing_path(cycle):
    code, output = run("ingest", cycle["root"] / "nope", "--master", cycle["master"])
    assert code == 2 and f"Error: {cycle['root'] / 'nope'}: no such file or folder." in output
    code, output = run("sheets", cycle["root"] / "missing.xlsx")
    assert code == 2 and "missing.xlsx: no such file (expected the master workbook)." in output


def test_scoring_workbook_passed_as_master(cycle):
    scoring = sorted(cycle["scoring"].glob("*.xlsx"))[0]
    code, output = run("sheets", scoring, "--roster", cycle["roster"], "--out", cycle["root"] / "x")
    assert code == 2
    assert "looks like a scoring workbook" in output


def test_master_passed_as_a_returned_workbook(cycle, tmp_path: Path):
    code, output = run(
        "ingest", cycle["master"], "--master", cycle["master"], "--out", tmp_path / "r.xlsx"
    )
    assert code == 1
    assert "[not-a-scoring-workbook]" in output


def test_roster_with_wrong_headers(cycle, tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,full name,team\n1,Ann,x\n", encoding="utf-8")
    code, output = run("sheets", cycle["master"], "--roster", roster, "--out", tmp_path / "s")
    assert code == 2
    assert "employee_id" in output and "manager_id" in output and "family_id" in output


def test_output_inside_the_input_folder(cycle):
    report = cycle["scoring"] / "report.xlsx"
    code, output = run("ingest", cycle["scoring"], "--master", cycle["master"], "--out", report)
    assert code == 2
    assert "the output would be written inside the input" in output
    assert not report.exists()


def test_lock_files_are_skipped_silently(cycle, tmp_path: Path):
    returned = tmp_path / "returned"
    shutil.copytree(cycle["scoring"], returned)
    (returned / "~$Scoring - someone.xlsx").write_bytes(b"lock")
    code, output = run(
        "ingest", returned, "--master", cycle["master"], "--out", tmp_path / "r.xlsx", "-v"
    )
    assert code == 0, output
    assert "~$" not in output
    assert f"{len(list(cycle['scoring'].glob('*.xlsx')))} files" in output


def test_debug_shows_traceback_only_when_asked(cycle, tmp_path: Path):
    args = ["sheets", cycle["root"] / "missing.xlsx"]
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output and result.exit_code == 2
    result = CliRunner().invoke(cli, ["--debug", *[str(a) for a in args]])
    assert result.exception is not None and type(result.exception).__name__ == "InputError"
