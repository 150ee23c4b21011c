"""scripts/render_pictures.py: the README pictures, rendered from the demo's real workbooks."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "render_pictures.py"
PICTURES = ("ladder-sheet.png", "scoring-sheet.png", "report-heatmap.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def load_script():
    spec = importlib.util.spec_from_file_location("render_pictures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["render_pictures"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


render_pictures = load_script()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR"), f"{path.name}: first chunk is not IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.libreoffice
@pytest.mark.slow
def test_renders_the_three_pictures(tmp_path, capsys):
    out = tmp_path / "images"
    assert render_pictures.main(["--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(PICTURES)
    for name in PICTURES:
        width, height = png_size(out / name)
        assert 600 <= width <= render_pictures.MAX_WIDTH, (name, width)
        assert 200 <= height <= 2000, (name, height)
        assert (out / name).stat().st_size > 20_000, f"{name} looks blank"
    printed = capsys.readouterr().out
    assert "master_template.xlsx › Customer Success" in printed
    assert "returned/" in printed
    assert "report/report.xlsx › Heatmap" in printed


def test_one_sheet_copy_hides_every_other_sheet(tmp_path):
    source = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(source)
    for name in ("Cover", "A & B", "Other"):
        book.add_worksheet(name).write(0, 0, name)
    book.add_worksheet("_meta").hide()
    book.worksheets()[0].activate()
    book.close()

    copy = tmp_path / "copy.xlsx"
    render_pictures.one_sheet_copy(source, "A & B", copy)
    states = {sheet.title: sheet.sheet_state for sheet in openpyxl.load_workbook(copy)}
    assert states == {"Cover": "hidden", "A & B": "visible", "Other": "hidden", "_meta": "hidden"}
    assert openpyxl.load_workbook(copy).active.title == "A & B"
    with pytest.raises(SystemExit, match="no sheet 'Missing'"):
        render_pictures.one_sheet_copy(source, "Missing", tmp_path / "never.xlsx")


def test_content_box_crops_paper_and_keeps_a_margin():
    width, height = 100, 60
    pixels = bytearray(b"\xff" * width * height)
    for row in range(20, 31):
        for column in range(30, 71):
            pixels[row * width + column] = 40
    page = render_pictures.Page.from_pgm(b"P5\n100 60\n255\n" + bytes(pixels))
    margin = render_pictures.MARGIN
    assert page.content_box() == (30 - margin, 20 - margin, 41 + 2 * margin, 11 + 2 * margin)
    with pytest.raises(SystemExit, match="blank"):
        render_pictures.Page.from_pgm(b"P5 4 4 255 " + b"\xfe" * 16).content_box()
