"""Which returned files a run reads, and whether they are few enough for one process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..issues import IssueLog
from ..parallel import start_method

# Reading takes ~0.15 s of CPU per MB of returned workbooks. Under this many bytes in all, one
# process is done first, so without an explicit ``jobs`` the files are read here: forked
# workers start in milliseconds (a pool pays from ~8 files of ~70 KB), spawned ones need
# ~0.5 s (it pays from about a second of reading).
POOL_MIN_BYTES = {"fork": 512 * 2**10, "spawn": 6 * 2**20}


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def collect_workbook_paths(paths: Sequence[Path], issues: IssueLog) -> list[Path]:
    """Files as given, folders searched recursively; unique and sorted, so runs are repeatable.

    Lock files (``~$name.xlsx`` from Excel, ``.~lock.name#`` from LibreOffice) and hidden files
    are skipped silently; any other non-workbook file in a folder gets an info issue.
    """
    found: dict[Path, Path] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file() or child.name.startswith(("~$", ".")):
                    continue
                if child.suffix.lower() in WORKBOOK_SUFFIXES:
                    found.setdefault(child.resolve(), child)
                else:
                    issues.info(
                        "ignored-file",
                        f"not a workbook ({', '.join(WORKBOOK_SUFFIXES)}): ignored",
                        file=str(child),
                    )
        elif path.is_file():
            found.setdefault(path.resolve(), path)
        else:
            raise InputError(f"{path}: no such file or folder.")
    return sorted(found.values(), key=lambda p: p.as_posix())


def read_here(files: Sequence[Path], jobs: int | None) -> bool:
    """True when ``files`` are read in this process: one job asked for, or, with the default
    number, so few bytes that one process is done before workers would be."""
    return jobs == 1 or (jobs is None and _total_size(files) < POOL_MIN_BYTES[start_method()])


def _total_size(files: Sequence[Path]) -> int:
    """Bytes of the files on disk (one that cannot be looked at counts 0: reading reports it)."""
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total
