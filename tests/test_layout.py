"""The layout shared by the master writer and reader: names Excel accepts, headers that agree."""

import re

import pytest

from laddersheet import layout
from laddersheet.roster import ROSTER_COLUMNS
from laddersheet.workbook import EXCEL_MAX_SHEET_NAME, sheet_name

TABLES = {
    "settings": (layout.SETTINGS_HEADERS, layout.SETTINGS_HEADERS[:2]),
    "scale": (layout.SCALE_HEADERS, layout.SCALE_HEADERS[:2]),
    "title nouns": (layout.TITLE_NOUN_HEADERS, layout.TITLE_NOUN_HEADERS),
    "levels": (layout.LEVEL_HEADERS, layout.LEVEL_HEADERS[:3]),
    "families": (layout.FAMILY_HEADERS, layout.FAMILY_REQUIRED),
    "expectations": (layout.EXPECTATION_HEADERS, layout.EXPECTATION_REQUIRED),
    "competencies": (layout.COMPETENCY_HEADERS, layout.COMPETENCY_REQUIRED),
    "actions": (layout.ACTION_HEADERS, layout.ACTION_REQUIRED),
}


def test_sheet_names_are_valid_excel_names() -> None:
    names = layout.RESERVED_SHEETS
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert len(name) <= EXCEL_MAX_SHEET_NAME
        assert sheet_name(name, set()) == name  # nothing to clean up


@pytest.mark.parametrize("table", TABLES)
def test_headers_are_unique_and_include_the_required(table: str) -> None:
    headers, required = TABLES[table]
    assert len(set(headers)) == len(headers)
    assert set(required) <= set(headers)
    assert all(h == h.strip().casefold() for h in headers)  # the reader compares casefolded


def test_tables_sharing_the_settings_sheet_cannot_be_mistaken_for_each_other() -> None:
    settings, scale, nouns = (TABLES[t][0] for t in ("settings", "scale", "title nouns"))
    for headers, others in ((settings, (scale, nouns)), (scale, (settings, nouns))):
        required = set(headers[:2])
        assert not any(required <= set(other) for other in others)


def test_expectations_have_the_documented_columns() -> None:
    documented = [
        "family_id",
        "track",
        "level",
        "competency_id",
        "competency",
        "domain",
        "expected",
        "statement",
        "evidence",
        "onet_element_id",
        "onet_im",
        "onet_lv",
    ]
    assert list(layout.EXPECTATION_HEADERS[: len(documented)]) == documented


def test_defined_names_are_names_not_cell_references() -> None:
    names = [value for key, value in vars(layout).items() if key.startswith("NAME_")]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,254}", name)
        assert not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name)  # would be read as a cell
        assert not re.fullmatch(r"[RrCc][0-9]*", name)  # R1C1 style


def test_meta_keys_cover_what_a_master_records() -> None:
    assert layout.META_MASTER_KEYS[0] == layout.META_KIND
    assert {
        "schema_version",
        "generator",
        "settings_digest",
        "content_digest",
        "created",
        "company",
        "cycle",
        "families",
        "releases",
    } <= set(layout.META_MASTER_KEYS)


def test_roster_header_sits_below_its_notes() -> None:
    assert layout.ROSTER_NOTES_ROW < layout.ROSTER_HEADER_ROW
    assert len(ROSTER_COLUMNS) == len(set(ROSTER_COLUMNS))
