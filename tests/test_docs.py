"""The README is part of the product: it must match the CLI and CI."""

import re
from pathlib import Path

import click
import pytest
from cogapp import Cog

from laddersheet.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        names.append(full)
        if isinstance(command, click.Group):
            names.extend(all_commands(command, f"{full} "))
    return names


@pytest.mark.parametrize("command", all_commands(cli))
def test_every_command_is_documented(command):
    assert f"### `laddersheet {command}`" in README, f"document `laddersheet {command}` in README"


def test_cli_reference_is_up_to_date():
    """The reference is generated from --help by cog: `cog -r README.md` refreshes it."""
    status = Cog().main(["cog", "--check", "-U", str(REPO / "README.md")])
    assert status == 0, "the CLI reference is stale: run `cog -r -U README.md`"


def test_setup_commands_are_what_ci_runs():
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 -m venv .*)$", setup, flags=re.M)
    assert len(commands) == 2, "the README's set-up is two commands"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci, f".ci/run must run the README command verbatim: {command}"
