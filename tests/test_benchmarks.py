"""Smoke test of benchmarks/run.py: the whole harness at a tiny size, no timing assertions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.mark.slow
def test_benchmark_script_runs_every_step_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text(
        "old\n<!-- findings:start -->\nkept by hand\n<!-- findings:end -->\n", encoding="utf-8"
    )
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--sizes",
            "12",
            "--repeat",
            "1",
            "--no-profile",
            "--out",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Results", "## Targets", "## Findings"):
        assert heading in text
    header = next(line for line in text.splitlines() if line.startswith("| step |"))
    assert "ratio wall" in header and "baseline wall s" in header
    rows = {
        line.split("|")[1].strip(): line
        for line in text.splitlines()
        if re.match(r"\| (master|sheets|ingest)", line)
    }
    for step in ("master", "sheets", "sheets (write only)", "ingest"):
        assert step in rows, f"no row for {step}"
        assert "failed" not in rows[step]
        assert re.search(r"\d+\.\d\d×", rows[step]), f"no ratio for {step}: {rows[step]}"
    assert "phases at 12: not measured" not in done.stdout  # ingest phases (internal API)
    assert "kept by hand" in text  # the hand-written findings survive a rerun
    assert "python-calamine" in text and "xlsxwriter" in text  # library versions
    # the files the harness made: laddersheet's and the plain baselines'
    work = tmp_path / "work"
    assert (work / "master_template.xlsx").is_file()
    assert list((work / "n12" / "returned").glob("*.xlsx"))
    assert (work / "n12" / "report" / "gaps.json").is_file()
    assert (work / "n12" / "plain" / "report" / "gaps.json").is_file()
