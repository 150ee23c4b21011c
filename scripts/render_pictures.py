"""Regenerate the README pictures from the real workbooks of ``laddersheet demo``.

    python scripts/render_pictures.py [--out docs/images]

Runs the demo into a temporary folder, then renders the first printed page of three sheets:

    ladder-sheet.png     master_template.xlsx, the Customer Success ladder sheet
    scoring-sheet.png    a filled scoring workbook from returned/, one employee's sheet
    report-heatmap.png   report/report.xlsx, the Heatmap sheet

Each sheet is printed on its own from a copy of its workbook in which every other sheet is
hidden (LibreOffice does not print hidden sheets) and the page header and footer are dropped.
Both edits are made in the workbook's XML directly, not through openpyxl, so charts,
conditional formats and formulas survive untouched, and the formulas still see the sheets they
refer to; LibreOffice recalculates them on load. The copy goes to PDF with
``soffice --headless``, the first page to PNG with ``pdftoppm``; white margins are cropped by
reading a greyscale render of the page (no Pillow needed).

Resolution: the ladder and scoring pictures are rendered as sharp as fits the whole page width
in MAX_WIDTH pixels (about 127 dpi). The heatmap puts 48 columns on one page width, unreadable
at that size, so it is rendered at HEATMAP_RESOLUTION and cut at a cell border on the right:
the picture shows the left part of the page, the way a screen shows the sheet.

Needs LibreOffice (``soffice``) and poppler (``pdftoppm``) on PATH.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from laddersheet.demo import run_demo
from laddersheet.layout import (
    META_SHEET,
    SCORING_COVER_SHEET,
    SCORING_LABEL_FAMILY,
    SCORING_SCORE_HEADER,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "docs" / "images"

LADDER_FAMILY = "Customer Success"
HEATMAP_SHEET = "Heatmap"
PROBE_RESOLUTION = 80  # pixels per inch: an A4 landscape page is 935 px wide
MAX_RESOLUTION = 160  # a narrow sheet fitted to MAX_WIDTH would otherwise get huge
HEATMAP_RESOLUTION = 170  # the heatmap fits 48 columns on a page: show its left part, readable
MAX_WIDTH = 1400
MARGIN = 12  # white pixels kept around the cropped content
WHITE = 245  # grey levels at or above this count as paper
BORDER_SHARE = 0.7  # a cut on the right goes where a column is printed over this share

SOFFICE_TIMEOUT = 300


@dataclass(frozen=True)
class Picture:
    name: str  # PNG file name
    workbook: Path
    sheet: str
    resolution: int | None = None  # pixels per inch; None: fit the page width in MAX_WIDTH
    page: int = 1  # the printed page shown


def pictures_for(demo: Path) -> list[Picture]:
    """The three pictures, with the sheets they show, for a demo folder."""
    workbook, sheet = pick_scoring_sheet(demo / "returned", LADDER_FAMILY)
    return [
        # page 2: the repeated level headers over the first competencies' statements
        Picture("ladder-sheet.png", demo / "master_template.xlsx", LADDER_FAMILY, page=2),
        Picture("scoring-sheet.png", workbook, sheet),
        Picture(
            "report-heatmap.png",
            demo / "report" / "report.xlsx",
            HEATMAP_SHEET,
            resolution=HEATMAP_RESOLUTION,
        ),
    ]


def pick_scoring_sheet(folder: Path, family: str) -> tuple[Path, str]:
    """A clean example: the first employee of ``family`` whose scores are all whole numbers.

    Falls back to the first employee sheet of the first workbook. The demo is deterministic,
    so the choice is stable from run to run.
    """
    fallback: tuple[Path, str] | None = None
    for path in sorted(folder.glob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            for sheet in book.worksheets:
                if sheet.title in (SCORING_COVER_SHEET, META_SHEET):
                    continue
                fallback = fallback or (path, sheet.title)
                labels, scores = _read_employee_sheet(sheet)
                whole = all(isinstance(s, int) and not isinstance(s, bool) for s in scores)
                if labels.get(SCORING_LABEL_FAMILY) == family and scores and whole:
                    return path, sheet.title
        finally:
            book.close()
    if fallback is None:
        raise SystemExit(f"no employee sheet in any workbook of {folder}")
    return fallback


def _read_employee_sheet(sheet) -> tuple[dict[str, object], list[object]]:
    """The label/value block above the table, and the Score column of the table."""
    labels: dict[str, object] = {}
    scores: list[object] = []
    score_col: int | None = None
    for row in sheet.iter_rows(values_only=True):
        if score_col is None:
            if SCORING_SCORE_HEADER in row:
                score_col = row.index(SCORING_SCORE_HEADER)
            elif len(row) > 1 and isinstance(row[0], str):
                labels.setdefault(row[0], row[1])
        elif score_col < len(row) and any(v is not None for v in row):
            scores.append(row[score_col])
    return labels, scores


# --- one sheet only ---------------------------------------------------------------------

_SHEET_TAG = re.compile(r"<sheet\b[^>]*?/>")
_NAME_ATTR = re.compile(r'\bname="([^"]*)"')
_STATE_ATTR = re.compile(r'\s+state="[^"]*"')
_BOOK_VIEW = re.compile(r"<workbookView\b[^>]*?/?>")
_TAB_ATTRS = re.compile(r'\s+(?:activeTab|firstSheet)="[^"]*"')
# LibreOffice prints a hidden sheet that has a print area: the copy drops every print area
_PRINT_AREA = re.compile(r'<definedName name="_xlnm\.Print_Area"[^>]*>[^<]*</definedName>')


def one_sheet_copy(source: Path, sheet: str, target: Path) -> None:
    """Copy ``source`` to ``target`` with every sheet but ``sheet`` hidden, and it active."""
    with zipfile.ZipFile(source) as book:
        workbook_xml = book.read("xl/workbook.xml").decode("utf-8")
        names = [
            html.unescape(_NAME_ATTR.search(tag).group(1))
            for tag in _SHEET_TAG.findall(workbook_xml)
        ]
        if sheet not in names:
            raise SystemExit(f"{source.name} has no sheet {sheet!r}")
        position = names.index(sheet)
        states = iter(names)

        def hide_others(match: re.Match[str]) -> str:
            tag = _STATE_ATTR.sub("", match.group(0))
            if next(states) == sheet:
                return tag
            return '<sheet state="hidden"' + tag[len("<sheet") :]

        def activate(match: re.Match[str]) -> str:
            tag = _TAB_ATTRS.sub("", match.group(0))
            tabs = f'activeTab="{position}" firstSheet="{position}"'
            return tag.replace("<workbookView", f"<workbookView {tabs}", 1)

        workbook_xml = _SHEET_TAG.sub(hide_others, workbook_xml)
        workbook_xml = _BOOK_VIEW.sub(activate, workbook_xml, count=1)
        workbook_xml = _PRINT_AREA.sub("", workbook_xml)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in book.infolist():
                data = book.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    data = workbook_xml.encode("utf-8")
                elif re.fullmatch(r"xl/worksheets/sheet\d+\.xml", item.filename):
                    data = _for_picture(data)
                copy.writestr(item, data)


_TAB_SELECTED = re.compile(rb'\s+tabSelected="(?:1|true)"')
_HEADER_FOOTER = re.compile(rb"<headerFooter\b[^>]*/>|<headerFooter\b.*?</headerFooter>", re.DOTALL)


def _for_picture(sheet_xml: bytes) -> bytes:
    """No tabSelected (a hidden sheet left selected is the one LibreOffice would show) and no
    page header or footer (print decoration that repeats the title and adds "Page 1 of 7")."""
    return _HEADER_FOOTER.sub(b"", _TAB_SELECTED.sub(b"", sheet_xml))


# --- rendering --------------------------------------------------------------------------


def convert_to_pdf(files: Sequence[Path], outdir: Path) -> None:
    """All files in one LibreOffice start, with a throw-away profile."""
    soffice = _tool("soffice")
    profile = Path(tempfile.gettempdir()) / f"lo-render-{os.getpid()}"
    try:
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=SOFFICE_TIMEOUT,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    for file in files:
        if not (outdir / f"{file.stem}.pdf").is_file():
            raise SystemExit(f"LibreOffice made no PDF of {file.name}")


def render_first_page(
    pdf: Path, png: Path, resolution: int | None = None, page_number: int = 1
) -> tuple[int, int]:
    """A page of ``pdf`` (the first by default) as ``png``, white margins cropped; returns
    (width, height).

    ``resolution`` None: the sharpest that fits the content in MAX_WIDTH pixels. Content
    wider than MAX_WIDTH is cut on the right (at a cell border), as a screen shows the left
    part of a wide sheet.
    """
    if resolution is None:
        probe = Page.render(pdf, PROBE_RESOLUTION, page_number).content_box()
        inches = (probe[2] - 2 * MARGIN) / PROBE_RESOLUTION
        fit = int((MAX_WIDTH - 2 * MARGIN) / inches) - 1
        resolution = min(MAX_RESOLUTION, max(PROBE_RESOLUTION, fit))
    page = Page.render(pdf, resolution, page_number)
    x, y, width, height = page.content_box()
    if width > MAX_WIDTH:
        width = page.last_border_before(x, y, height, x + MAX_WIDTH) - x + 1
    crop = ["-x", str(x), "-y", str(y), "-W", str(width), "-H", str(height)]
    _pdftoppm(
        ["-png", *_one_page(resolution, page_number), *crop, str(pdf), str(png.with_suffix(""))]
    )
    return width, height


def _one_page(resolution: int, page_number: int = 1) -> list[str]:
    return ["-r", str(resolution), "-f", str(page_number), "-l", str(page_number), "-singlefile"]


def _pdftoppm(args: list[str]) -> None:
    subprocess.run([_tool("pdftoppm"), *args], check=True, capture_output=True, timeout=120)


_PAPER = bytes(255 if level >= WHITE else 0 for level in range(256))


@dataclass(frozen=True)
class Page:
    """A page rendered in two tones: 255 for paper, 0 for anything printed."""

    width: int
    height: int
    pixels: bytes

    @classmethod
    def render(cls, pdf: Path, resolution: int, page_number: int = 1) -> Page:
        grey = pdf.with_name(f"{pdf.stem}-grey-{resolution}")
        _pdftoppm(["-gray", *_one_page(resolution, page_number), str(pdf), str(grey)])
        pgm = grey.with_suffix(".pgm")
        try:
            return cls.from_pgm(pgm.read_bytes())
        finally:
            pgm.unlink(missing_ok=True)

    @classmethod
    def from_pgm(cls, pgm: bytes) -> Page:
        fields = re.match(rb"P5\s+(?:#[^\n]*\s+)*(\d+)\s+(\d+)\s+(\d+)\s", pgm)
        if fields is None or int(fields.group(3)) > 255:
            raise ValueError("not an 8-bit binary PGM")
        width, height = int(fields.group(1)), int(fields.group(2))
        pixels = pgm[fields.end() : fields.end() + width * height]
        if len(pixels) != width * height:
            raise ValueError("truncated PGM")
        return cls(width, height, pixels.translate(_PAPER))

    def content_box(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the printed part, plus MARGIN pixels of paper around it."""
        left, right, top, bottom = self.width, 0, None, 0
        for row in range(self.height):
            line = self.pixels[row * self.width : (row + 1) * self.width]
            start = len(line) - len(line.lstrip(b"\xff"))
            if start == self.width:
                continue
            left, right = min(left, start), max(right, len(line.rstrip(b"\xff")))
            top = row if top is None else top
            bottom = row + 1
        if top is None:
            raise SystemExit("the rendered page is blank")
        x0, y0 = max(0, left - MARGIN), max(0, top - MARGIN)
        x1, y1 = min(self.width, right + MARGIN), min(self.height, bottom + MARGIN)
        return x0, y0, x1 - x0, y1 - y0

    def last_border_before(self, x: int, y: int, height: int, limit: int) -> int:
        """The rightmost pixel column left of ``limit`` printed over most of the box height:
        a vertical cell border, so a cut there does not split a cell; ``limit - 1`` if none."""
        rows = range(y, y + height)
        for column in range(min(limit, self.width) - 1, x, -1):
            printed = sum(self.pixels[row * self.width + column] == 0 for row in rows)
            if printed >= BORDER_SHARE * height:
                return column
        return limit - 1


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is not on PATH (install LibreOffice and poppler-utils)")
    return path


# --- main -------------------------------------------------------------------------------


def render(out: Path) -> list[Path]:
    """Run the demo, render the three pictures into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="laddersheet-pictures-") as tmp:
        work = Path(tmp)
        demo = work / "demo"
        run_demo(demo)
        pictures = pictures_for(demo)
        copies = work / "copies"
        pdfs = work / "pdf"
        copies.mkdir()
        pdfs.mkdir()
        sources = []
        for picture in pictures:
            copy = copies / f"{Path(picture.name).stem}.xlsx"
            one_sheet_copy(picture.workbook, picture.sheet, copy)
            sources.append(copy)
        convert_to_pdf(sources, pdfs)
        made = []
        for picture, copy in zip(pictures, sources, strict=True):
            png = out / picture.name
            width, height = render_first_page(
                pdfs / f"{copy.stem}.pdf", png, picture.resolution, picture.page
            )
            where = f"{picture.workbook.relative_to(demo)} › {picture.sheet}"
            print(f"{png}: {width}×{height} px from {where}")
            made.append(png)
        return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for the PNGs (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    render(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
