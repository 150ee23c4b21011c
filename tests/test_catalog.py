"""The catalog loader, on the committed seeds and on broken copies of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from laddersheet.catalog import (
    Anchor,
    Catalog,
    Element,
    Family,
    Occupation,
    Rating,
    Task,
    load_catalog,
    seeds_dir,
)
from laddersheet.errors import CatalogError, LaddersheetError

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds" / "onet"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "onet"))


def test_default_seeds_are_the_checkout_and_cached(catalog: Catalog) -> None:
    assert seeds_dir() == SEEDS
    assert load_catalog() is catalog


def test_types(catalog: Catalog) -> None:
    family = next(iter(catalog.families.values()))
    assert isinstance(family, Family)
    assert isinstance(family.ic_codes, tuple) and isinstance(family.manager_codes, tuple)
    assert all(isinstance(e, Element) for e in catalog.elements.values())
    assert {e.category for e in catalog.elements.values()} == {
        "skill",
        "knowledge",
        "work_style",
        "work_activity",
    }
    assert all(isinstance(o, Occupation) for o in catalog.occupations.values())
    assert all(isinstance(o.job_zone, int) for o in catalog.occupations.values())
    rating = catalog.ratings[family.ic_codes[0]][0]
    assert isinstance(rating, Rating)
    assert isinstance(rating.data_value, float) and isinstance(rating.recommend_suppress, bool)
    assert rating.n is None or isinstance(rating.n, int)
    with pytest.raises(AttributeError):
        family.name = "x"  # type: ignore[misc]
    assert catalog.releases == ("29.0", "29.2")
    assert "O*NET 29.0 and 29.2 Databases" in catalog.attribution
    assert "laddersheet has modified" in catalog.attribution


def test_families_cover_the_small_company(catalog: Catalog) -> None:
    assert len(catalog.families) >= 25
    assert list(catalog.families)[:2] == ["software_engineering", "quality_assurance"]
    for family in catalog.families.values():
        assert family.ic_codes and family.manager_codes, family.family_id
        assert family.name and family.title_noun and family.description


def test_every_family_code_is_rated(catalog: Catalog) -> None:
    categories = {"skill": ("IM", "LV"), "knowledge": ("IM", "LV"), "work_style": ("IM",)}
    for family in catalog.families.values():
        for code in family.ic_codes + family.manager_codes:
            assert code in catalog.occupations, code
            assert catalog.tasks.get(code), f"{code} has no tasks"
            for category, scales in categories.items():
                ids = [e.element_id for e in catalog.elements.values() if e.category == category]
                for element_id in ids:
                    for scale in scales:
                        assert catalog.rating(code, element_id, scale), (code, element_id, scale)


def test_rating_lookup(catalog: Catalog) -> None:
    rating = catalog.rating("15-1251.00", "2.A.1.a", "IM")
    assert rating is not None
    assert (rating.onetsoc_code, rating.element_id, rating.scale_id) == (
        "15-1251.00",
        "2.A.1.a",
        "IM",
    )
    assert 1.0 <= rating.data_value <= 5.0
    assert catalog.rating("15-1251.00", "1.C.1.a", "LV") is None  # Work Styles: IM only
    assert catalog.rating("99-9999.00", "2.A.1.a", "IM") is None


def test_family_lookup(catalog: Catalog) -> None:
    assert catalog.family("customer_success").title_noun == "Customer Success Manager"
    with pytest.raises(CatalogError, match=r"Unknown job family 'nope'\. Valid family ids: "):
        catalog.family("nope")
    with pytest.raises(LaddersheetError, match="software_engineering, quality_assurance"):
        catalog.family("nope")


def test_tasks_anchors_and_activity_links(catalog: Catalog) -> None:
    gwas = {e for e, el in catalog.elements.items() if el.category == "work_activity"}
    for code, tasks in catalog.tasks.items():
        assert [int(t.task_id) for t in tasks] == sorted(int(t.task_id) for t in tasks)
        assert all(isinstance(t, Task) and t.onetsoc_code == code for t in tasks)
        assert all(set(t.activity_element_ids) <= gwas for t in tasks)
    assert any(t.activity_element_ids for t in catalog.tasks["15-1251.00"])
    anchors = catalog.anchors["2.A.1.a"]
    assert all(isinstance(a, Anchor) for a in anchors)
    assert [a.anchor_value for a in anchors] == sorted(a.anchor_value for a in anchors)
    assert set(catalog.skill_activities["2.A.1.a"]) <= gwas


def test_explicit_path_is_loaded(seeds_copy: Path, catalog: Catalog) -> None:
    other = load_catalog(seeds_copy)
    assert other is not catalog
    assert other.families == catalog.families
    assert other.rating("11-3021.00", "2.C.3.a", "LV") == catalog.rating(
        "11-3021.00", "2.C.3.a", "LV"
    )


def test_missing_seed_file(seeds_copy: Path) -> None:
    (seeds_copy / "tasks.csv").unlink()
    with pytest.raises(CatalogError, match=r"tasks\.csv: seed file not found"):
        load_catalog(seeds_copy)


def test_missing_seeds_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"nowhere: O\*NET seeds folder not found"):
        load_catalog(tmp_path / "nowhere")


def test_bad_value_names_file_and_line(seeds_copy: Path) -> None:
    path = seeds_copy / "ratings.csv"
    lines = path.read_text().splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[3] = "high"
    lines[1] = ",".join(fields)
    path.write_text("".join(lines))
    with pytest.raises(CatalogError, match=r"ratings\.csv, line 2: bad value"):
        load_catalog(seeds_copy)


def test_missing_column(seeds_copy: Path) -> None:
    path = seeds_copy / "occupations.csv"
    path.write_text(path.read_text().replace("job_zone", "zone", 1))
    with pytest.raises(CatalogError, match=r"occupations\.csv: missing column\(s\) job_zone"):
        load_catalog(seeds_copy)


def test_broken_manifest(seeds_copy: Path) -> None:
    (seeds_copy / "manifest.json").write_text("{")
    with pytest.raises(CatalogError, match=r"manifest\.json: not a valid seeds manifest"):
        load_catalog(seeds_copy)


def test_candidate_elements_skip_suppressed_rows():
    catalog = load_catalog()
    family = catalog.family("software_engineering")
    candidates = catalog.candidate_elements("software_engineering")
    assert len(candidates) >= 20
    codes = family.ic_codes + family.manager_codes
    for element_id in candidates:
        ratings = [catalog.rating(code, element_id, "IM") for code in codes]
        assert any(r and not r.recommend_suppress and not r.not_relevant for r in ratings)
    suppressed = {
        r.element_id
        for code in codes
        for r in catalog.ratings[code]
        if r.scale_id == "IM" and (r.recommend_suppress or r.not_relevant)
    } - {
        r.element_id
        for code in codes
        for r in catalog.ratings[code]
        if r.scale_id == "IM" and not (r.recommend_suppress or r.not_relevant)
    }
    assert not suppressed & set(candidates)
