"""build_ladder: curated content for its words, O*NET for order and expected scores."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from laddersheet.catalog import Catalog, load_catalog
from laddersheet.content import CONTENT_LEVELS, PEOPLE_LEADERSHIP, Library, load_library
from laddersheet.errors import SettingsError
from laddersheet.issues import IssueLog
from laddersheet.ladder import Expectation, Ladder, build_ladder, content_level, level_bands
from laddersheet.lint import ladder_texts, lint_expectations, lint_texts, words
from laddersheet.settings import (
    TRACK_IC,
    TRACK_MANAGER,
    Settings,
    default_settings,
    default_settings_text,
    parse_settings,
)

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
    return settings_with((text[start:end], points))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture(scope="module")
def ladder(catalog: Catalog) -> Ladder:
    return build_ladder(default_settings(), catalog)


@pytest.fixture(scope="module")
def curated(ladder: Ladder) -> list[str]:
    ids = [f.family_id for f in ladder.families if f.curated]
    assert len(ids) >= 8
    return ids


def rows_by_competency(ladder: Ladder) -> dict[tuple[str, str, str], list[Expectation]]:
    """(family, track, competency) -> rows in level order."""
    grouped: dict[tuple[str, str, str], list[Expectation]] = defaultdict(list)
    for row in ladder.expectations:
        grouped[(row.family_id, row.track, row.competency_id)].append(row)
    return grouped


def test_every_family_and_track_is_built(ladder: Ladder, catalog: Catalog) -> None:
    assert [f.family_id for f in ladder.families] == list(catalog.families)
    for family in ladder.families:
        for track in (TRACK_IC, TRACK_MANAGER):
            ids = ladder.competency_ids(family.family_id, track)
            assert ids, (family.family_id, track)
            for level in ladder.settings.track_levels(track):
                rows = ladder.rows(family.family_id, track, level.code)
                assert [r.competency_id for r in rows] == ids


def test_curated_families_take_their_words_from_the_content(
    ladder: Ladder, library: Library, curated: list[str]
) -> None:
    settings = ladder.settings
    for family_id in curated:
        content = library.families[family_id]
        family = ladder.family(family_id)
        assert family.name == content.name and family.description == content.purpose
        for track in (TRACK_IC, TRACK_MANAGER):
            own = {c.competency_id: c for c in content.track(track)}
            ids = ladder.competency_ids(family_id, track)
            people = [c.competency_id for c in library.people]
            assert set(ids) == set(own) | (set(people) if track == TRACK_MANAGER else set())
            for level in settings.track_levels(track):
                for row in ladder.rows(family_id, track, level.code):
                    text = own.get(row.competency_id) or next(
                        c for c in library.people if c.competency_id == row.competency_id
                    )
                    cell = text.cells[level.code]
                    assert row.statement == cell.statement
                    assert row.evidence.splitlines() == list(cell.evidence)
                    assert row.competency == text.name and row.domain == text.domain
            assert ladder.title(family_id, "L1") == content.levels["L1"].title
            assert family.scopes["M3"] == content.levels["M3"].scope


def test_sheet_order_is_domains_then_importance(
    ladder: Ladder, library: Library, curated: list[str]
) -> None:
    for family_id in curated:
        content = library.families[family_id]
        ic = [
            ladder.expectation(family_id, TRACK_IC, "L1", c)
            for c in ladder.competency_ids(family_id, TRACK_IC)
        ]
        order = [content.domains.index(r.domain) for r in ic]
        assert order == sorted(order), family_id
        for domain in content.domains:
            ims = [r.onet_im or 0 for r in ic if r.domain == domain]
            assert ims == sorted(ims, reverse=True), (family_id, domain)
        manager = ladder.competency_ids(family_id, TRACK_MANAGER)
        people = [ladder.competency(c).domain == PEOPLE_LEADERSHIP for c in manager]
        assert people == sorted(people, reverse=True)  # the core leads the manager track


def test_no_onet_task_text_in_curated_statements(
    ladder: Ladder, catalog: Catalog, curated: list[str]
) -> None:
    """O*NET tasks are facts of the field, never sentences pasted into a statement."""
    for family_id in curated:
        family = ladder.family(family_id)
        runs = set()
        for code in family.ic_codes + family.manager_codes:
            for task in catalog.tasks.get(code, ()):
                w = words(task.task)
                runs |= {tuple(w[i : i + 6]) for i in range(len(w) - 5)}
        for row in ladder.expectations:
            if row.family_id == family_id:
                w = words(row.statement)
                shared = [run for i in range(len(w) - 5) if (run := tuple(w[i : i + 6])) in runs]
                assert not shared, (family_id, row.competency_id, row.level, shared[:1])


def test_expectation_rules_hold(ladder: Ladder) -> None:
    assert not lint_expectations(ladder).flatten()


@pytest.mark.parametrize(("points", "low", "high"), [(ONE_TO_FOUR, 1, 4), (ZERO_TO_FOUR, 0, 4)])
def test_expectation_rules_hold_on_other_scales(
    catalog: Catalog, points: str, low: int, high: int
) -> None:
    settings = with_scale(points)
    assert (settings.scale.minimum, settings.scale.maximum) == (low, high)
    ladder = build_ladder(settings, catalog)
    assert not lint_expectations(ladder).flatten()
    values = [r.expected for r in ladder.expectations]
    assert min(values) == low and max(values) == high


def test_a_new_team_lead_is_expected_mid_scale_on_people_leadership(ladder: Ladder) -> None:
    for family in ladder.families:
        for cid in ladder.competency_ids(family.family_id, TRACK_MANAGER):
            if ladder.competency(cid).category == "people_leadership":
                values = [
                    ladder.expectation(family.family_id, TRACK_MANAGER, lv, cid).expected
                    for lv in ("M1", "M2", "M3", "M4")
                ]
                assert values == [3, 4, 5, 5], (family.family_id, cid)


def test_top_of_the_scale_is_for_the_top_level(ladder: Ladder, curated: list[str]) -> None:
    for family_id in curated:
        ids = ladder.competency_ids(family_id, TRACK_IC)
        at_l4 = [ladder.expectation(family_id, TRACK_IC, "L4", c).expected for c in ids]
        at_l5 = [ladder.expectation(family_id, TRACK_IC, "L5", c).expected for c in ids]
        assert 5 not in at_l4
        # the more important half reaches the top; the rest stops one below it
        assert at_l5.count(5) == -(-len(ids) // 2), family_id
        assert set(at_l5) <= {4, 5}


def test_ic_statements_never_describe_supervising(ladder: Ladder) -> None:
    for row in ladder.expectations:
        if row.track == TRACK_IC:
            assert not re.search(
                r"\bsubordinates?\b|\bsupervis(?:es|ing)\b", row.statement, re.I
            ), row


def test_rows_keep_their_onet_provenance(ladder: Ladder, catalog: Catalog) -> None:
    for row in ladder.expectations:
        competency = ladder.competency(row.competency_id)
        assert row.onet_element_id == competency.onet_element_id
        ids = [e.strip() for e in row.onet_element_id.split(",")]
        assert all(e in catalog.elements for e in ids), row
        if row.onet_im is not None:
            assert 1 <= row.onet_im <= 5
        if row.onet_lv is not None:
            assert 0 <= row.onet_lv <= 7
    assert all(
        r.onet_im is not None for r in ladder.expectations if ladder.family(r.family_id).curated
    )


def test_competency_ids_are_unique_slugs(ladder: Ladder) -> None:
    ids = [c.competency_id for c in ladder.competencies]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", cid) for cid in ids)
    assert {r.competency_id for r in ladder.expectations} == set(ids)


def test_development_actions_are_the_familys_own(ladder: Ladder) -> None:
    settings = ladder.settings
    for family in ladder.families:
        for track in (TRACK_IC, TRACK_MANAGER):
            for cid in ladder.competency_ids(family.family_id, track):
                for band, levels in level_bands(settings, track):
                    action = ladder.action_for(cid, levels[0], family.family_id)
                    assert action is not None, (family.family_id, cid, band)
                    assert action.band == band and action.levels == levels
                    people = ladder.competency(cid).category == "people_leadership"
                    if family.curated and not people:
                        assert action.family_id == family.family_id
                    if people:
                        assert action.family_id == ""


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


def test_settings_title_noun_or_pattern_replaces_the_fields_titles(
    catalog: Catalog, library: Library
) -> None:
    settings = settings_with(
        ('families = "all"', 'families = ["customer_success", "sales"]'),
        ("[title_nouns]\n", '[title_nouns]\ncustomer_success = "Client Partner"\n'),
        ('title = "Staff {noun}"', 'title = "Lead {noun}"'),
    )
    ladder = build_ladder(settings, catalog)
    assert ladder.title("customer_success", "L3") == "Senior Client Partner"
    assert ladder.title("customer_success", "M3") == "Director of Customer Success"
    sales = library.families["sales"].levels
    assert ladder.title("sales", "L3") == sales["L3"].title  # untouched pattern: the field's
    assert ladder.title("sales", "L4") == f"Lead {sales['L2'].title}"  # the company's pattern
    assert ladder.releases == catalog.releases and ladder.releases
    assert ladder.attribution == catalog.attribution and "O*NET" in ladder.attribution


def test_competencies_max_keeps_the_most_important(catalog: Catalog) -> None:
    settings = settings_with(
        ('families = "all"', 'families = ["customer_success"]'),
        ("competencies_min = 8", "competencies_min = 3"),
        ("competencies_max = 12", "competencies_max = 6"),
    )
    ladder = build_ladder(settings, catalog)
    full = build_ladder(default_settings(), catalog)
    ic = ladder.competency_ids("customer_success", TRACK_IC)
    assert len(ic) == 6
    kept = [full.expectation("customer_success", TRACK_IC, "L1", c).onet_im for c in ic]
    dropped = [
        full.expectation("customer_success", TRACK_IC, "L1", c).onet_im
        for c in full.competency_ids("customer_success", TRACK_IC)
        if c not in ic
    ]
    assert min(kept) >= max(dropped)
    manager = ladder.competency_ids("customer_success", TRACK_MANAGER)
    assert len([c for c in manager if ladder.competency(c).category == "people_leadership"]) == 4


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


def test_other_level_counts_take_the_content_at_the_same_height(catalog: Catalog) -> None:
    extra = (
        '[[ic_levels]]\ncode = "L6"\ntitle = "Distinguished {noun}"\n'
        'scope = "The company and its industry"\nautonomy = "Sets direction for the company"\n'
        'years = "15+"\n\n[[manager_levels]]'
    )
    settings = settings_with(
        ('families = "all"', 'families = ["customer_success"]'),
        ("[[manager_levels]]", extra),
    )
    assert [content_level(settings, TRACK_IC, f"L{i}") for i in range(1, 7)] == [
        "L1",
        "L2",
        "L3",
        "L3",
        "L4",
        "L5",
    ]
    ladder = build_ladder(settings, catalog)
    assert not lint_expectations(ladder).flatten()
    for rows in rows_by_competency(ladder).values():
        assert rows[0].statement != rows[-1].statement
    # six levels: the company names them with its own patterns
    assert ladder.title("customer_success", "L6").startswith("Distinguished ")
    assert CONTENT_LEVELS[TRACK_IC] == ("L1", "L2", "L3", "L4", "L5")


# --- families a company adds from O*NET codes ------------------------------------------------

CUSTOM = """
[[custom_families]]
family_id = "hardware_engineering"
name = "Hardware Engineering"
title_noun = "Hardware Engineer"
description = "Designs and tests the electronics in the company's devices."
ic_codes = ["17-2061.00", "17-2072.00"]
manager_codes = ["11-9041.00"]
"""


def test_a_custom_family_is_drafted_from_the_library(catalog: Catalog, library: Library) -> None:
    settings = parse_settings(
        default_settings_text().replace(
            'families = "all"', 'families = ["sales", "hardware_engineering"]'
        )
        + CUSTOM,
        source="test.toml",
    )
    ladder = build_ladder(settings, catalog)
    family = ladder.family("hardware_engineering")
    assert family is not None and not family.curated
    assert ladder.title("hardware_engineering", "L3") == "Senior Hardware Engineer"
    ic = ladder.competency_ids("hardware_engineering", TRACK_IC)
    drafts = {c.competency_id for c in library.drafts}
    assert len(ic) == settings.competencies_min and set(ic) <= drafts
    assert all(ladder.competency(c).category == "library" for c in ic)
    # chosen by the occupations' O*NET importance: nothing left out rates higher
    ims = {r.competency_id: r.onet_im for r in ladder.rows("hardware_engineering", TRACK_IC, "L1")}
    assert len(set(ims.values())) > 1
    # the draft keeps the rules and the words pass the linter
    assert not lint_expectations(ladder).flatten()
    texts = [t for t in ladder_texts(ladder) if t.family_id == "hardware_engineering"]
    assert texts and not lint_texts(texts, IssueLog()).flatten()
    # O*NET tasks are there to rewrite from, never in the statements
    assert family.reference_tasks
    statements = " ".join(r.statement for r in ladder.expectations)
    assert not any(task in statements for task in family.reference_tasks)
    manager = ladder.competency_ids("hardware_engineering", TRACK_MANAGER)
    assert {"coaching", "hiring"} <= set(manager)


def test_a_custom_family_code_without_ratings_names_the_closest(catalog: Catalog) -> None:
    text = default_settings_text() + CUSTOM.replace('"17-2072.00"', '"15-1252.00"')
    with pytest.raises(SettingsError) as caught:
        build_ladder(parse_settings(text, source="acme.toml"), catalog)
    message = str(caught.value)
    assert (
        "custom_families[0].ic_codes: 15-1252.00 (Software Developers) has tasks but no" in message
    )
    assert "Closest codes with ratings: 15-1251.00 Computer Programmers" in message


def test_a_custom_family_cannot_reuse_a_catalog_id(catalog: Catalog) -> None:
    text = default_settings_text() + CUSTOM.replace('"hardware_engineering"', '"sales"')
    with pytest.raises(SettingsError, match="'sales' is already a family of the catalog"):
        build_ladder(parse_settings(text, source="acme.toml"), catalog)


def test_custom_family_settings_are_checked_with_their_lines() -> None:
    bad = CUSTOM.replace('"17-2061.00", ', '"17-2061", ').replace(
        'family_id = "hardware_engineering"', 'family_id = "Hardware Engineering"'
    )
    with pytest.raises(SettingsError) as caught:
        parse_settings(default_settings_text() + bad, source="acme.toml")
    message = str(caught.value)
    assert "custom_families[0].family_id: 'Hardware Engineering' must be lower-case" in message
    assert "'17-2061' is not an O*NET-SOC code like 17-2061.00" in message
