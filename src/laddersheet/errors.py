"""One exception hierarchy for every user-facing failure.

A ``LaddersheetError`` is a problem the user can fix (bad settings, a missing file, a workbook
that is not ours); anything else escaping the library is a bug. ``cli.py`` is the single place
that turns these into messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable

# Exit codes, shared by every command.
EXIT_OK = 0
EXIT_DATA_ISSUES = 1  # the run finished, but the data had issues of severity "error"
EXIT_USAGE = 2  # the run could not start or finish: fix the input and run again


class LaddersheetError(Exception):
    """A problem the user can fix. ``str(error)`` is the complete message for the terminal."""

    exit_code = EXIT_USAGE


class _ProblemsError(LaddersheetError):
    """Every problem found in one file, collected so they can be fixed in one go."""

    kind = ""  # "settings", "content": how the message names the problems

    def __init__(self, path: str, problems: Iterable[str]):
        self.path = path
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{path}: {len(self.problems)} {self.kind} {noun}:\n{lines}")


class SettingsError(_ProblemsError):
    """Every problem found in a settings file, each with its line."""

    kind = "settings"


class ContentError(_ProblemsError):
    """A ladder content file cannot be used; every problem is listed with its key."""

    kind = "content"


class OnetError(LaddersheetError):
    """The O*NET release folder (or a file in it) cannot be used to build the seeds."""


class CatalogError(LaddersheetError):
    """The curated O*NET seeds are missing, broken, or do not have what was asked for."""


class WorkbookError(LaddersheetError):
    """A workbook cannot be used at all (not ours, wrong kind, unreadable, broken structure)."""


class RosterError(LaddersheetError):
    """The roster cannot be used; the message lists every row that needs fixing."""


class EmptyRosterError(RosterError):
    """The roster has its header but no one in it (e.g. the master's untouched Roster sheet)."""


class InputError(LaddersheetError):
    """A path or option given on the command line cannot be used."""


class HistoryError(LaddersheetError):
    """The history file cannot be used (not ours, newer, damaged, locked); it was left as it was."""
