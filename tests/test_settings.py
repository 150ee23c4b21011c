from pathlib import Path

import pytest

from laddersheet.errors import InputError, SettingsError
from laddersheet.settings import (
    TRACK_IC,
    TRACK_MANAGER,
    check_family_ids,
    default_settings,
    default_settings_text,
    load_settings,
    parse_settings,
    write_default_settings,
)


def edited(old: str, new: str) -> str:
    text = default_settings_text()
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_defaults_fit_a_small_company():
    s = default_settings()
    assert s.scale.values == (1, 2, 3, 4, 5)
    assert [p.label for p in s.scale.points][:1] == ["Learning"]
    assert s.scale.label(5) == "Role model"
    assert [lv.code for lv in s.ic_levels] == ["L1", "L2", "L3", "L4", "L5"]
    assert [lv.code for lv in s.manager_levels] == ["M1", "M2", "M3", "M4"]
    assert s.level("M1").ic_equivalent == "L4"
    assert s.branch_level == "L3"
    assert s.families is None
    assert (s.competencies_min, s.competencies_max) == (8, 12)
    assert s.next_level("L2").code == "L3"
    assert s.next_level("L5") is None
    assert s.level("L3").track == TRACK_IC and s.level("M2").track == TRACK_MANAGER
    assert s.ic_levels[2].title_for("Software Engineer", "Software Engineering") == (
        "Senior Software Engineer"
    )
    assert s.manager_levels[2].title_for("x", "Customer Success") == "Director of Customer Success"


def test_settings_are_frozen():
    s = default_settings()
    with pytest.raises(AttributeError):
        s.company = "Other"  # type: ignore[misc]


def test_digest_changes_with_content():
    a = default_settings()
    b = parse_settings(edited('name = "Example Company"', 'name = "Acme"'))
    assert a.digest != b.digest and b.company == "Acme"
    assert parse_settings(default_settings_text()).digest == a.digest


@pytest.mark.parametrize(
    ("first", "values"),
    [(1, (1, 2, 3, 4)), (0, (0, 1, 2, 3, 4))],
)
def test_other_scales_work(first, values):
    points = ",\n".join(f'{{ value = {v}, label = "P{v}", meaning = "m{v}" }}' for v in values)
    text = default_settings_text()
    start = text.index("points = [")
    end = text.index("]\n", start) + 2
    s = parse_settings(text[:start] + f"points = [\n{points}\n]\n" + text[end:])
    assert s.scale.values == values and s.scale.minimum == first


def test_unknown_key_names_key_and_line():
    text = edited("cycle = ", 'colour = "blue"\ncycle = ')
    line = line_of(text, "colour =")
    with pytest.raises(SettingsError, match=rf"line {line}, company\.colour: unknown key"):
        parse_settings(text, source="acme.toml")


def test_wrong_type_names_key_and_line():
    text = edited("competencies_min = 8", 'competencies_min = "eight"')
    line = line_of(text, "competencies_min =")
    with pytest.raises(
        SettingsError, match=rf"line {line}, ladder\.competencies_min: must be a whole number"
    ):
        parse_settings(text)


def test_scale_with_one_point_is_rejected():
    text = default_settings_text()
    start = text.index("points = [")
    end = text.index("]\n", start) + 2
    one = 'points = [\n  { value = 1, label = "Only", meaning = "x" },\n]\n'
    with pytest.raises(SettingsError, match=r"scale\.points: a scale needs at least 2 points"):
        parse_settings(text[:start] + one + text[end:])


def test_scale_with_gaps_is_rejected():
    text = edited("{ value = 3,", "{ value = 7,")
    with pytest.raises(SettingsError, match=r"counting up by 1 .* got \[1, 2, 7, 4, 5\]"):
        parse_settings(text)


def test_manager_level_equivalent_to_missing_ic_level():
    text = edited('ic_equivalent = "L4"', 'ic_equivalent = "L9"')
    line = line_of(text, 'ic_equivalent = "L9"')
    with pytest.raises(
        SettingsError,
        match=rf"line {line}, manager_levels\[0\]\.ic_equivalent: M1 is equivalent to 'L9', "
        r"which is not an IC level \(L1, L2, L3, L4, L5\)",
    ):
        parse_settings(text)


def test_unknown_title_placeholder():
    text = edited('title = "Senior {noun}"', 'title = "Senior {role}"')
    with pytest.raises(SettingsError, match=r"ic_levels\[2\]\.title: unknown placeholder \{role\}"):
        parse_settings(text)


def test_branch_level_must_exist():
    with pytest.raises(SettingsError, match=r"ladder\.branch_level: 'L7' is not an IC level"):
        parse_settings(edited('branch_level = "L3"', 'branch_level = "L7"'))


def test_duplicate_level_codes():
    with pytest.raises(SettingsError, match=r"level code 'L2' is used more than once"):
        parse_settings(edited('code = "L3"', 'code = "L2"'))


def test_bad_date_and_bad_toml():
    with pytest.raises(SettingsError, match=r"company\.created: must be a date"):
        parse_settings(edited('created = "2026-01-01"', 'created = "soon"'))
    with pytest.raises(SettingsError, match=r"acme\.toml: 1 settings problem:\n  - not valid TOML"):
        parse_settings("[company\nname=", source="acme.toml")


def test_all_problems_reported_at_once():
    text = edited("competencies_min = 8", "competencies_min = 30")
    text = text.replace('branch_level = "L3"', 'branch_level = "X9"')
    with pytest.raises(SettingsError, match=r"2 settings problems") as info:
        parse_settings(text)
    assert len(info.value.problems) == 2


def test_family_ids_checked_against_catalog():
    s = parse_settings(edited('families = "all"', 'families = ["sales", "nope"]'))
    assert s.families == ("sales", "nope")
    with pytest.raises(SettingsError, match=r"ladder\.families: unknown family 'nope'"):
        check_family_ids(s, ["sales"])


def test_load_and_init(tmp_path: Path):
    path = tmp_path / "laddersheet.toml"
    write_default_settings(path)
    assert load_settings(path).company == "Example Company"
    with pytest.raises(InputError, match=r"already exists: pass --force"):
        write_default_settings(path)
    with pytest.raises(SettingsError, match=r"file not found: run `laddersheet init`"):
        load_settings(tmp_path / "missing.toml")
    assert load_settings(None) == default_settings()


def test_every_problem_at_once_family_ids_included(tmp_path):
    from laddersheet.catalog import load_catalog
    from laddersheet.settings import load_settings

    path = tmp_path / "acme.toml"
    path.write_text(
        '[company]\nname = 5\n[ladder]\nfamilies = ["sales", "astronaut"]\n'
        'branch_level = "L9"\n[title_nouns]\nfoo = "Bar"\n'
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(path, known_families=list(load_catalog().families))
    assert list(caught.value.problems) == [
        "line 2, company.name: must be text in double quotes, got a number",
        "line 5, ladder.branch_level: 'L9' is not an IC level (L1, L2, L3, L4, L5)",
        "line 4, ladder.families: unknown family 'astronaut' (see `laddersheet families`)",
        "line 7, title_nouns.foo: unknown family (see `laddersheet families`)",
    ]


def test_a_file_with_only_some_keys_takes_the_rest_from_the_defaults():
    settings = parse_settings('[company]\nname = "Acme"\n', source="acme.toml")
    defaults = parse_settings(default_settings_text())
    assert settings.company == "Acme"
    assert (settings.scale, settings.ic_levels, settings.manager_levels) == (
        defaults.scale,
        defaults.ic_levels,
        defaults.manager_levels,
    )
