"""``python -m laddersheet``: the same command line as ``laddersheet``."""

from laddersheet.cli import cli

if __name__ == "__main__":
    cli(prog_name="laddersheet")
