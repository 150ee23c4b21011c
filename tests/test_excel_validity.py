"""Every workbook laddersheet writes opens in Excel without "repaired content" (openxml-audit)."""

import subprocess
import sys
from pathlib import Path

import pytest

from laddersheet.demo import run_demo

AUDIT = Path(sys.executable).parent / "openxml-audit"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return run_demo(tmp_path_factory.mktemp("audit") / "demo").folder


@pytest.mark.parametrize(
    "relative",
    ["master_template.xlsx", "scoring/Scoring - Olivia Grant.xlsx", "report/report.xlsx"],
)
def test_openxml_audit_finds_nothing(demo: Path, relative: str):
    result = subprocess.run(
        [str(AUDIT), "--policy", "strict", str(demo / relative)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Errors: 0" in result.stdout
