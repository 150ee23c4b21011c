"""One fix list per returned workbook: what its manager must correct, in their own words.

HR sends each manager the list for their file instead of the whole Issues sheet. Errors come
first ("must fix": the score was not used), then warnings ("please check"); information notes
are left out. Files are plain UTF-8 text, named after the workbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .issues import Issue, Severity
from .layout import SCORING_FILE_PREFIX
from .workbook import atomic_output

FIX_LIST_PREFIX = "Fixes - "
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def fix_list_name(workbook: str) -> str:
    """``Scoring - Dana Whitfield.xlsx`` → ``Fixes - Dana Whitfield.txt`` (always a safe name)."""
    stem = Path(workbook).stem
    stem = stem[len(SCORING_FILE_PREFIX) :] if stem.startswith(SCORING_FILE_PREFIX) else stem
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "workbook"
    return f"{FIX_LIST_PREFIX}{stem[:120]}.txt"


def fix_list_text(workbook: str, issues: Iterable[Issue]) -> str:
    """The text of one workbook's fix list ("" when there is nothing to fix)."""
    ordered = sorted(
        (i for i in issues if i.severity is not Severity.INFO),
        key=lambda i: (i.severity is not Severity.ERROR, i.sheet, _cell_order(i.cell), i.code),
    )
    if not ordered:
        return ""
    lines = [f"Things to fix in {Path(workbook).name}", ""]
    for severity, heading in (
        (Severity.ERROR, "Must fix (these scores were not used):"),
        (Severity.WARNING, "Please check:"),
    ):
        found = [i for i in ordered if i.severity is severity]
        if not found:
            continue
        lines.append(heading)
        for number, issue in enumerate(found, start=1):
            where = ", ".join(
                part
                for part in (
                    f"sheet '{issue.sheet}'" if issue.sheet else "",
                    f"cell {issue.cell}" if issue.cell else "",
                )
                if part
            )
            lines.append(f"{number}. {where + ': ' if where else ''}{issue.message}")
        lines.append("")
    lines.append("Correct the cells in the workbook, save it and send it back.")
    return "\n".join(lines) + "\n"


def write_fix_lists(issues: Iterable[Issue], out_dir: Path) -> list[Path]:
    """One text file per returned workbook that has errors or warnings; returns the paths."""
    by_file: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.file:
            by_file.setdefault(issue.file, []).append(issue)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    used: set[str] = set()
    for workbook in sorted(by_file):
        text = fix_list_text(workbook, by_file[workbook])
        if not text:
            continue
        name = fix_list_name(workbook)
        while name.casefold() in used:  # two workbooks with the same name in different folders
            name = name.removesuffix(".txt") + " (2).txt"
        used.add(name.casefold())
        path = out_dir / name
        with atomic_output(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _cell_order(cell: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, cell)
