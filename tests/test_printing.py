"""Printed workbooks stay readable: rendered to PDF by LibreOffice, every sheet's text is measured.

One soffice run converts the gap report (on A4 and on Letter), a master of two curated families
and a calibration workbook (10 pt text at 100 %). ``pdftotext -bbox`` gives each word's box in
PDF points; a word's height divided by the calibration word's gives its printed size in points,
whatever fonts LibreOffice substitutes for Calibri. Each page's sheet is named in its header.
"""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import statistics
import subprocess
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
import xlsxwriter

from laddersheet import layout
from laddersheet.catalog import load_catalog
from laddersheet.gaps import compute_gaps
from laddersheet.history import record_report
from laddersheet.ladder import build_ladder
from laddersheet.master.writer import write_master
from laddersheet.progress import progress_since_last
from laddersheet.report import PROGRESS_SHEET, SHEETS, write_report
from laddersheet.settings import default_settings
from laddersheet.workbook import (
    MIN_PRINT_SCALE,
    PAGE_MARGIN_X,
    plan_print,
    printable_size,
    printed_width,
)
from tests.gap_fixtures import build_result
from tests.test_history import report_for

MIN_POINTS = 8.0  # the smallest body text a printed sheet may show
FAMILIES = ("customer_success", "software_engineering")
LONG_TABLES = (
    layout.FAMILY_LEVELS_SHEET,
    layout.EXPECTATIONS_SHEET,
    layout.COMPETENCIES_SHEET,
    layout.ACTIONS_SHEET,
    layout.ROSTER_SHEET,
)
PAPER = {"a4": 9, "letter": 1}  # Excel's paperSize codes

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
_BAND = 30.0  # points from the top / bottom edge where LibreOffice prints header and footer


# ----------------------------------------------------------------------------- the plan


def test_a_narrow_sheet_fits_one_page_at_full_size() -> None:
    plan = plan_print([20, 30, 40])
    assert (plan.pages, plan.scale) == (1, 1.0)


def test_a_wide_sheet_spreads_over_pages_instead_of_shrinking() -> None:
    widths = [24] * 12  # far too wide for one landscape page at a readable scale
    plan = plan_print(widths, repeat_cols=1)
    assert plan.pages > 1 and plan.scale >= MIN_PRINT_SCALE and plan.repeat_cols == 1
    available = printable_size(landscape=True)[0] / plan.scale
    assert sum(map(printed_width, widths)) > available  # one page would have shrunk the text


def test_a_sheet_that_fits_at_a_readable_scale_is_fitted_to_one_page() -> None:
    available = printable_size(landscape=True)[0]
    width = (available / 0.9 - 5) / 7  # one column that needs 90 %
    plan = plan_print([width])
    assert plan.pages == 1 and plan.scale == pytest.approx(0.9)


def test_repeated_columns_never_take_a_page() -> None:
    plan = plan_print([60, 60, 60, 60], repeat_cols=3)
    assert plan.repeat_cols < 3


# ----------------------------------------------------------------------------- rendered


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """PDFs of the report (A4 and Letter), a two-family master and the calibration workbook."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler) is not installed")
    work = tmp_path_factory.mktemp("printing")
    ladder, result = build_result()
    gaps = compute_gaps(ladder, result)
    db = work / "history.db"  # an earlier cycle, so the report has its Progress sheet too
    record_report(db, report_for("Earlier", "2025-11-30", drop=("E101",)), master_digest="d")
    report = write_report(gaps, work / "report.xlsx", progress_since_last(db, gaps))
    settings = dataclasses.replace(default_settings(), families=FAMILIES)
    master = write_master(build_ladder(settings, load_catalog()), work / "master.xlsx")
    sources = {
        "report-a4": with_paper(report, work / "report-a4.xlsx", PAPER["a4"]),
        "report-letter": with_paper(report, work / "report-letter.xlsx", PAPER["letter"]),
        "master": with_paper(master, work / "master-letter.xlsx", PAPER["letter"]),
        "calibration": calibration_workbook(work / "calibration.xlsx"),
        "scoring": with_paper(
            scoring_workbook(ladder, result, work), work / "scoring-a4.xlsx", PAPER["a4"]
        ),
    }
    out = work / "pdf"
    profile = Path(f"/tmp/lo-profile-{uuid.uuid4().hex}")
    try:
        subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                "--headless",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                *map(str, sources.values()),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return {key: out / f"{path.stem}.pdf" for key, path in sources.items()}


def with_paper(source: Path, target: Path, paper: int) -> Path:
    """A copy of ``source`` printing on ``paper`` (laddersheet leaves the printer's own)."""
    with zipfile.ZipFile(source) as book, zipfile.ZipFile(target, "w") as copy:
        for item in book.infolist():
            data = book.read(item.filename)
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", item.filename):
                data = re.sub(rb'\s+paperSize="\d+"', b"", data)
                data = data.replace(b"<pageSetup ", b'<pageSetup paperSize="%d" ' % paper)
            copy.writestr(item, data)
    return target


def scoring_workbook(ladder, result, work: Path) -> Path:
    """One manager's scoring workbook of the gap fixtures' company (a team of several)."""
    from laddersheet.scoring import write_scoring_workbooks

    managers = [e.manager_id for e in result.employees if e.manager_id]
    biggest = max(sorted(set(managers)), key=managers.count)
    team = [e for e in result.employees if e.manager_id == biggest]
    (path,) = write_scoring_workbooks(ladder, team, work / "scoring", jobs=1)
    return path


def calibration_workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Calibration")
    text = book.add_format({"font_name": "Calibri", "font_size": 10})
    for row in range(5):
        sheet.write_string(row, 0, "Calibration text at ten points", text)
    book.close()
    return path


@dataclasses.dataclass
class Printed:
    pages: dict[str, int]  # sheet → pages printed
    sizes: dict[str, list[float]]  # sheet → printed size (points) of every body word
    outside: list[str]  # body words printed outside the page's printable width


def read_pdf(pdf: Path, ten_points: float) -> Printed:
    text = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages: dict[str, int] = defaultdict(int)
    sizes: dict[str, list[float]] = defaultdict(list)
    outside: list[str] = []
    for page in _PAGE.finditer(text):
        width, height = float(page.group(1)), float(page.group(2))
        words = [
            (float(x0), float(y0), float(x1), float(y1), html.unescape(w))
            for x0, y0, x1, y1, w in _WORD.findall(page.group(3))
        ]
        header = [w for w in words if w[1] < _BAND and w[0] > width / 2]
        sheet = " ".join(w[4] for w in header)
        pages[sheet] += 1
        for x0, y0, x1, y1, word in words:
            if y0 >= _BAND and y1 <= height - _BAND:
                sizes[sheet].append((y1 - y0) / ten_points * 10)
                if x0 < PAGE_MARGIN_X - 2 or x1 > width - PAGE_MARGIN_X + 2:
                    outside.append(f"{sheet}: {word}")
    return Printed(dict(pages), dict(sizes), outside)


def ten_point_height(pdf: Path) -> float:
    text = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights = [float(y1) - float(y0) for _, y0, _, y1, _ in _WORD.findall(text)]
    assert heights, "the calibration page has no text"
    return statistics.median(heights)


def tenth_percentile(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 10]


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_report_sheet_prints_at_8_points_or_more(printed: dict[str, Path], paper: str):
    result = read_pdf(printed[f"report-{paper}"], ten_point_height(printed["calibration"]))
    assert {*SHEETS, PROGRESS_SHEET} <= set(result.pages), result.pages
    small = {
        sheet: round(tenth_percentile(sizes), 2)
        for sheet, sizes in result.sizes.items()
        if tenth_percentile(sizes) < MIN_POINTS
    }
    assert not small, f"body text below {MIN_POINTS} pt on {paper}: {small}"
    assert not result.outside, result.outside[:10]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_master_prints_its_ladder_sheets_readably_and_long_tables_briefly(
    printed: dict[str, Path],
) -> None:
    result = read_pdf(printed["master"], ten_point_height(printed["calibration"]))
    ladders = ("Customer Success", "Software Engineering")
    for sheet in (layout.START_SHEET, *ladders):
        assert result.pages.get(sheet), f"{sheet} is not printed: {result.pages}"
    small = {
        sheet: round(tenth_percentile(sizes), 2)
        for sheet, sizes in result.sizes.items()
        if tenth_percentile(sizes) < MIN_POINTS
    }
    assert not small, f"body text below {MIN_POINTS} pt: {small}"
    for sheet in LONG_TABLES:  # their first page, spread across at most a few sheets of paper
        assert result.pages.get(sheet, 0) <= 4, (sheet, result.pages)
    ladder_pages = sum(result.pages[s] for s in ladders)
    assert ladder_pages > sum(result.pages.get(s, 0) for s in LONG_TABLES)
    assert not result.outside, result.outside[:10]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_a_scoring_workbook_prints_at_8_points_or_more(printed: dict[str, Path]) -> None:
    """Managers print their sheets to score on paper: every person's sheet stays readable."""
    result = read_pdf(printed["scoring"], ten_point_height(printed["calibration"]))
    small = {
        sheet: round(tenth_percentile(sizes), 2)
        for sheet, sizes in result.sizes.items()
        if tenth_percentile(sizes) < MIN_POINTS
    }
    assert len(result.pages) >= 3, result.pages  # the cover and a sheet per person
    assert not small, f"body text below {MIN_POINTS} pt: {small}"
    assert not result.outside, result.outside[:10]
