"""build_ladder: competencies, expected proficiency, statements and actions from the O*NET seeds."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from laddersheet.catalog import Catalog, load_catalog
from laddersheet.errors import SettingsError
from laddersheet.ladder import Expectation, Ladder, build_ladder, level_bands
from laddersheet.settings import (
    TRACK_IC,
    TRACK_MANAGER,
    Settings,
    default_settings,
    default_settings_text,
    parse_settings,
)
from laddersheet.statements import PEOPLE_LEADERSHIP

ONE_TO_FOUR = """points = [
  { value = 1, label = "Learning" },
  { value = 2, label = "Developing" },
  { value = 3, label = "Proficient" },
  { value = 4, label = "Advanced" },
]"""
ZERO_TO_FOUR = """points = [
  { value = 0, label = "Not yet" },
  { value = 1, label = "Learning" },
  { value = 2, label = "Developing" },
  { value = 3, label = "Proficient" },
  { value = 4, label = "Advanced" },
]"""
SAMPLE_FAMILIES = '["customer_success", "software_engineering", "recruiting"]'


def settings_with(*edits: tuple[str, str]) -> Settings:
    text = default_settings_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_settings(text, source="test.toml")


def with_scale(points: str) -> Settings:
    text = default_settings_text()
    start = text.index("points = [")
    end = text.index("]", start) + 1
    return settings_with(
        (text[start:end], points), ('families = "all"', f"families = {SAMPLE_FAMILIES}")
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def ladder(catalog: Catalog) -> Ladder:
    return build_ladder(default_settings(), catalog)


def rows_by_competency(ladder: Ladder) -> dict[tuple[str, str, str], list[Expectation]]:
    """(family, track, competency) -> rows in level order."""
    grouped: dict[tuple[str, str, str], list[Expectation]] = defaultdict(list)
    for row in ladder.expectations:
        grouped[(row.family_id, row.track, row.competency_id)].append(row)
    return grouped


def test_every_family_and_track_is_built(ladder: Ladder, catalog: Catalog) -> None:
    assert [f.family_id for f in ladder.families] == list(catalog.families)
    settings = ladder.settings
    for family in ladder.families:
        for track in (TRACK_IC, TRACK_MANAGER):
            ids = ladder.competency_ids(family.family_id, track)
            assert settings.competencies_min <= len(ids) <= settings.competencies_max, (
                family.family_id,
                track,
            )
            for level in settings.track_levels(track):
                assert [
                    r.competency_id for r in ladder.rows(family.family_id, track, level.code)
                ] == ids


def test_domains_are_few_and_readable(ladder: Ladder) -> None:
    for family in ladder.families:
        for track in (TRACK_IC, TRACK_MANAGER):
            domains = {
                ladder.competency(cid).domain
                for cid in ladder.competency_ids(family.family_id, track)
            }
            assert 3 <= len(domains) <= 6, (family.family_id, track, domains)


def test_expectations_are_on_the_scale_and_rise_up_each_track(ladder: Ladder) -> None:
    scale = ladder.settings.scale
    for key, rows in rows_by_competency(ladder).items():
        values = [r.expected for r in rows]
        assert all(scale.minimum <= v <= scale.maximum for v in values), key
        assert values == sorted(values), key
        assert values[-1] > values[0], key  # every row shows some growth up the track


def test_ic_track_spreads_over_the_scale(ladder: Ladder) -> None:
    first = [r.expected for r in ladder.expectations if r.level == "L1"]
    last = [r.expected for r in ladder.expectations if r.level == "L5"]
    assert sum(first) / len(first) < 2.5 < 4 < sum(last) / len(last)


def test_manager_track_has_people_leadership_and_ic_track_has_none(ladder: Ladder) -> None:
    for family in ladder.families:
        ic = [ladder.competency(c) for c in ladder.competency_ids(family.family_id, TRACK_IC)]
        manager = [
            ladder.competency(c) for c in ladder.competency_ids(family.family_id, TRACK_MANAGER)
        ]
        assert not [
            c for c in ic if c.domain == PEOPLE_LEADERSHIP or c.category == "people_leadership"
        ]
        people = [c for c in manager if c.domain == PEOPLE_LEADERSHIP]
        assert len(people) >= 2, family.family_id
        assert all(c.category == "people_leadership" for c in people)
        # the manager track leads with its own job
        assert manager[0].domain == PEOPLE_LEADERSHIP


def test_ic_statements_never_describe_supervising(ladder: Ladder) -> None:
    for row in ladder.expectations:
        if row.track == TRACK_IC:
            assert not re.search(r"subordinat|supervis", row.statement, re.IGNORECASE), row


def test_statements_differ_between_levels_and_are_never_empty(ladder: Ladder) -> None:
    for key, rows in rows_by_competency(ladder).items():
        statements = [r.statement for r in rows]
        assert all(s.strip() for s in statements), key
        assert len(set(statements)) == len(statements), key
        sentences = [s for text in statements for s in re.split(r"(?<=[.!?])\s+", text)]
        assert len(set(sentences)) == len(sentences), key  # no sentence repeats within a row


def test_statements_read_like_a_ladder(ladder: Ladder) -> None:
    banned = re.compile(
        r"demonstrates the ability|\b(very good|excellent|good)\b|\bunderstands\b|passionate",
        re.IGNORECASE,
    )
    for row in ladder.expectations:
        assert not banned.search(row.statement), row.statement
        assert len(row.statement) <= 350, row.statement
        assert row.statement[0].isupper() and row.statement.endswith("."), row.statement
        assert 1 <= len(re.split(r"(?<=\.)\s+", row.statement)) <= 3, row.statement


def test_statements_differ_between_families(ladder: Ladder) -> None:
    cs = set(ladder.competency_ids("customer_success", TRACK_IC))
    se = set(ladder.competency_ids("software_engineering", TRACK_IC))
    shared = sorted(cs & se)
    assert shared
    for cid in shared:
        for level in ("L1", "L3", "L5"):
            a = ladder.expectation("customer_success", TRACK_IC, level, cid)
            b = ladder.expectation("software_engineering", TRACK_IC, level, cid)
            assert a.statement != b.statement, (cid, level)


def test_rows_keep_their_onet_evidence(ladder: Ladder, catalog: Catalog) -> None:
    for row in ladder.expectations:
        competency = ladder.competency(row.competency_id)
        assert row.onet_element_id == competency.onet_element_id
        element = catalog.elements[row.onet_element_id]
        if element.category in ("work_style", "work_activity"):
            assert row.onet_lv is None
        if element.category == "work_activity":
            assert row.onet_im is None
        if row.onet_im is not None:
            assert 1 <= row.onet_im <= 5
        if row.onet_lv is not None:
            assert 0 <= row.onet_lv <= 7
    rated = [r for r in ladder.expectations if r.onet_lv is not None]
    assert len(rated) > len(ladder.expectations) / 3


def test_competencies_are_shared_slugs(ladder: Ladder) -> None:
    ids = [c.competency_id for c in ladder.competencies]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", cid) for cid in ids)
    assert {r.competency_id for r in ladder.expectations} == set(ids)


def test_development_actions_cover_every_competency_and_band(ladder: Ladder) -> None:
    settings = ladder.settings
    for track in (TRACK_IC, TRACK_MANAGER):
        used = {r.competency_id for r in ladder.expectations if r.track == track}
        for cid in used:
            for band, levels in level_bands(settings, track):
                action = ladder.action_for(cid, levels[0])
                assert action is not None, (cid, band)
                assert action.band == band and action.levels == levels
                # assignable: a time frame and a place to bring the evidence
                assert re.search(r"month|quarter|half-year|week", action.action), action.action
                assert re.search(r"1:1|review", action.action), action.action
    for track_band in [b for t in (TRACK_IC, TRACK_MANAGER) for b, _ in level_bands(settings, t)]:
        assert any(a.band == track_band for a in ladder.actions)


def test_level_bands_follow_the_settings() -> None:
    settings = default_settings()
    assert level_bands(settings, TRACK_IC) == [
        ("L1-L2", ("L1", "L2")),
        ("L3", ("L3",)),
        ("L4-L5", ("L4", "L5")),
    ]
    assert level_bands(settings, TRACK_MANAGER) == [
        ("M1-M2", ("M1", "M2")),
        ("M3-M4", ("M3", "M4")),
    ]
    early_branch = settings_with(('branch_level = "L3"', 'branch_level = "L1"'))
    assert [b for b, _ in level_bands(early_branch, TRACK_IC)] == ["L1", "L2-L5"]


def test_titles_use_the_title_noun_overrides(catalog: Catalog) -> None:
    settings = settings_with(
        ('families = "all"', f"families = {SAMPLE_FAMILIES}"),
        ("[title_nouns]\n", '[title_nouns]\ncustomer_success = "Customer Success Lead"\n'),
    )
    ladder = build_ladder(settings, catalog)
    assert [f.family_id for f in ladder.families] == [
        "customer_success",
        "software_engineering",
        "recruiting",
    ]
    assert ladder.title("customer_success", "L3") == "Senior Customer Success Lead"
    assert ladder.title("software_engineering", "L1") == "Associate Software Engineer"
    assert ladder.title("recruiting", "M3") == f"Director of {catalog.families['recruiting'].name}"
    assert ladder.releases == catalog.releases and ladder.releases
    assert ladder.attribution == catalog.attribution and "O*NET" in ladder.attribution


@pytest.mark.parametrize(("points", "low", "high"), [(ONE_TO_FOUR, 1, 4), (ZERO_TO_FOUR, 0, 4)])
def test_other_scales(catalog: Catalog, points: str, low: int, high: int) -> None:
    settings = with_scale(points)
    assert (settings.scale.minimum, settings.scale.maximum) == (low, high)
    ladder = build_ladder(settings, catalog)
    values = [r.expected for r in ladder.expectations]
    assert min(values) == low and max(values) == high
    for key, rows in rows_by_competency(ladder).items():
        expected = [r.expected for r in rows]
        assert all(low <= v <= high for v in expected), key
        assert expected == sorted(expected), key


@pytest.mark.parametrize(("low", "high"), [(3, 3), (5, 6), (10, 12), (14, 16)])
def test_competency_bounds_are_respected(catalog: Catalog, low: int, high: int) -> None:
    settings = settings_with(
        ('families = "all"', f"families = {SAMPLE_FAMILIES}"),
        ("competencies_min = 8", f"competencies_min = {low}"),
        ("competencies_max = 12", f"competencies_max = {high}"),
    )
    ladder = build_ladder(settings, catalog)
    for family in ladder.families:
        for track in (TRACK_IC, TRACK_MANAGER):
            ids = ladder.competency_ids(family.family_id, track)
            assert low <= len(ids) <= high, (family.family_id, track, len(ids))
            domains = {ladder.competency(c).domain for c in ids}
            assert len(domains) >= min(3, len(ids))
        people = [
            c
            for c in ladder.competency_ids(family.family_id, TRACK_MANAGER)
            if ladder.competency(c).domain == PEOPLE_LEADERSHIP
        ]
        assert people


def test_unknown_family_is_a_settings_error(catalog: Catalog) -> None:
    settings = settings_with(('families = "all"', 'families = ["customer_success", "astronauts"]'))
    with pytest.raises(SettingsError, match=r"ladder\.families: unknown family 'astronauts'"):
        build_ladder(settings, catalog)


def test_unknown_title_noun_family_is_a_settings_error(catalog: Catalog) -> None:
    settings = settings_with(("[title_nouns]\n", '[title_nouns]\nastronauts = "Astronaut"\n'))
    with pytest.raises(SettingsError, match=r"title_nouns\.astronauts: unknown family"):
        build_ladder(settings, catalog)


def test_deterministic(catalog: Catalog, ladder: Ladder) -> None:
    again = build_ladder(default_settings(), catalog)
    assert again.expectations == ladder.expectations
    assert again.competencies == ladder.competencies
    assert again.actions == ladder.actions
    assert again.families == ladder.families
    assert again.content_digest() == ladder.content_digest()


def test_more_levels_than_stages_still_give_distinct_statements(catalog: Catalog) -> None:
    extra = (
        '[[ic_levels]]\ncode = "L6"\ntitle = "Distinguished {noun}"\n'
        'scope = "The company and its industry"\nautonomy = "Sets direction for the company"\n'
        'years = "15+"\n\n[[manager_levels]]'
    )
    settings = settings_with(
        ('families = "all"', 'families = ["customer_success"]'),
        ("[[manager_levels]]", extra),
    )
    ladder = build_ladder(settings, catalog)
    for key, rows in rows_by_competency(ladder).items():
        assert len({r.statement for r in rows}) == len(rows), key
        values = [r.expected for r in rows]
        assert values == sorted(values), key
