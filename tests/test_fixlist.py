"""Fix lists: one per returned workbook, errors first, in the manager's terms."""

from __future__ import annotations

from pathlib import Path

from laddersheet.fixlist import fix_list_name, fix_list_text, write_fix_lists
from laddersheet.issues import IssueLog


def issues() -> IssueLog:
    log = IssueLog()
    dana = "returned/Scoring - Dana Whitfield.xlsx"
    log.warning("row-missing", "Ana (E1), Negotiation: the row is missing", file=dana, sheet="Ana")
    log.error(
        "score-out-of-range",
        "Ana (E1), Writing: 7 is off the scale",
        file=dana,
        sheet="Ana",
        cell="H21",
    )
    log.error(
        "score-invalid",
        "Ana (E1), Coaching: 'N/A' is not a score",
        file=dana,
        sheet="Ana",
        cell="H9",
    )
    log.info("sheet-renamed", "found by its header", file=dana, sheet="Ana")
    log.info("no-meta", "read by content", file="returned/Scoring - Sam Lee.xlsx")
    log.error("corrupt-zip", "truncated", file="returned/odd: name?.xlsx")
    return log


def test_one_list_per_workbook_with_something_to_fix(tmp_path: Path) -> None:
    paths = write_fix_lists(issues(), tmp_path / "fixes")
    # Sam Lee's file had only an information note: nothing to send him
    assert sorted(p.name for p in paths) == ["Fixes - Dana Whitfield.txt", "Fixes - odd_ name.txt"]
    text = (tmp_path / "fixes" / "Fixes - Dana Whitfield.txt").read_text(encoding="utf-8")
    must, check = text.index("Must fix"), text.index("Please check")
    assert must < text.index("cell H9") < text.index("cell H21") < check
    assert text.index("the row is missing") > check
    assert "found by its header" not in text  # information notes are not chores


def test_names_are_safe_and_texts_empty_when_nothing_to_fix() -> None:
    assert fix_list_name("x/Scoring - Zoë O'Brien.xlsx") == "Fixes - Zoë O'Brien.txt"
    assert fix_list_name("../evil/..\\a:b*.xlsx").startswith("Fixes - ")
    assert "/" not in fix_list_name("a/b.xlsx")[len("Fixes - ") :]
    log = IssueLog()
    log.info("ignored-file", "a note", file="notes.txt")
    assert fix_list_text("notes.txt", log) == ""
