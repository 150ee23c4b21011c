"""The installed package carries what it needs: content, every rated occupation, the template."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CUSTOM = """
[[custom_families]]
family_id = "hardware_engineering"
name = "Hardware Engineering"
ic_codes = ["17-2061.00"]
manager_codes = ["11-9041.00"]
"""


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("laddersheet-*.whl")
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


@pytest.mark.slow
def test_the_wheel_carries_the_packages_own_version(unpacked_wheel: Path) -> None:
    import laddersheet

    (metadata,) = unpacked_wheel.glob("laddersheet-*.dist-info/METADATA")
    assert f"Version: {laddersheet.__version__}\n" in metadata.read_text()


@pytest.mark.slow
def test_a_custom_family_works_from_the_installed_package(
    unpacked_wheel: Path, tmp_path: Path
) -> None:
    package = unpacked_wheel / "laddersheet"
    assert (package / "_seeds" / "onet" / "ratings_all.csv").is_file()
    assert (package / "data" / "content" / "library.toml").is_file()
    assert len(list((package / "data" / "content" / "families").glob("*.toml"))) == 30
    settings = tmp_path / "acme.toml"
    settings.write_text((REPO / "src/laddersheet/data/default_settings.toml").read_text() + CUSTOM)
    result = subprocess.run(
        [sys.executable, "-m", "laddersheet", "families", "--settings", str(settings), "--json"],
        cwd=tmp_path,  # not the repository: only the unpacked package is importable
        env={"PYTHONPATH": str(unpacked_wheel), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert '"family_id": "hardware_engineering"' in result.stdout
    assert '"content": "draft"' in result.stdout
