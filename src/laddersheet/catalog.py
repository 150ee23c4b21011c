"""Load the curated O*NET® extract (``seeds/onet/``) into frozen, typed objects.

The seeds are built by ``laddersheet onet build`` (see ``onet.py``); this module only reads
them. Every problem with a seed file is a ``CatalogError`` naming the file, because a broken
catalog means a broken install or checkout, not bad user input.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

from .errors import CatalogError

T = TypeVar("T")

CATEGORIES = frozenset({"skill", "knowledge", "work_style", "work_activity"})


@dataclass(frozen=True, slots=True)
class Family:
    family_id: str
    name: str  # function name for manager titles, e.g. "Customer Success"
    title_noun: str  # IC title noun, e.g. "Customer Success Manager"
    ic_codes: tuple[str, ...]
    manager_codes: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class Element:
    element_id: str
    name: str
    description: str
    category: str  # "skill" | "knowledge" | "work_style" | "work_activity"


@dataclass(frozen=True, slots=True)
class Rating:
    onetsoc_code: str
    element_id: str
    scale_id: str  # "IM" (importance, 1-5) or "LV" (level, 0-7)
    data_value: float
    n: int | None
    recommend_suppress: bool
    not_relevant: bool


@dataclass(frozen=True, slots=True)
class Anchor:
    element_id: str
    scale_id: str
    anchor_value: float
    anchor_description: str


@dataclass(frozen=True, slots=True)
class Occupation:
    onetsoc_code: str
    title: str
    description: str
    job_zone: int | None


@dataclass(frozen=True, slots=True)
class Task:
    onetsoc_code: str
    task_id: str
    task: str
    task_type: str  # "Core", "Supplemental" or "" (not rated)
    activity_element_ids: tuple[str, ...]  # GWA ids linked via DWAs


@dataclass(frozen=True)
class Catalog:
    families: dict[str, Family]  # in families.csv order
    elements: dict[str, Element]
    occupations: dict[str, Occupation]
    ratings: dict[str, tuple[Rating, ...]]  # by onetsoc_code
    anchors: dict[str, tuple[Anchor, ...]]  # by element_id, sorted by anchor_value
    tasks: dict[str, tuple[Task, ...]]  # by onetsoc_code, in task_id order
    skill_activities: dict[str, tuple[str, ...]]  # skill element id -> GWA ids
    releases: tuple[str, ...]
    attribution: str
    root: str = ""  # the seeds folder it was read from (for occupations outside the families)
    _rating_index: dict[tuple[str, str, str], Rating] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {
            (r.onetsoc_code, r.element_id, r.scale_id): r
            for rows in self.ratings.values()
            for r in rows
        }
        object.__setattr__(self, "_rating_index", index)

    def rating(self, code: str, element_id: str, scale_id: str) -> Rating | None:
        return self._rating_index.get((code, element_id, scale_id))

    def family(self, family_id: str) -> Family:
        try:
            return self.families[family_id]
        except KeyError:
            valid = ", ".join(self.families)
            raise CatalogError(
                f"Unknown job family {family_id!r}. Valid family ids: {valid}."
            ) from None

    def candidate_elements(self, family_id: str) -> tuple[str, ...]:
        """Elements rated important enough to use for any of the family's codes (either track).

        Rows O*NET flags Recommend Suppress or Not Relevant are not candidates.
        """
        family = self.family(family_id)
        found = {
            r.element_id
            for code in dict.fromkeys(family.ic_codes + family.manager_codes)
            for r in self.ratings.get(code, ())
            if r.scale_id == "IM" and not r.recommend_suppress and not r.not_relevant
        }
        return tuple(sorted(found, key=_element_sort_key))


def seeds_dir() -> Path:
    """The packaged seeds (wheel install) or, in a source checkout, ``<repo>/seeds/onet``."""
    packaged = resources.files("laddersheet") / "_seeds" / "onet"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "seeds" / "onet"


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the seeds in ``path`` (default: ``seeds_dir()``, loaded once per process)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalog:
    return _load(seeds_dir())


# --- reading ----------------------------------------------------------------------------------


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for a seed CSV, checking its header."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                raise CatalogError(
                    f"{path}: missing column(s) {', '.join(missing)}. The O*NET seeds are "
                    "broken: rebuild them with 'laddersheet onet build'."
                )
            for row in reader:
                yield reader.line_num, row
    except FileNotFoundError:
        raise CatalogError(
            f"{path}: seed file not found. Reinstall laddersheet, or rebuild the seeds with "
            "'laddersheet onet build'."
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CatalogError(f"{path}: cannot read the seed file ({e}).") from e


def _parse(path: Path, line: int, convert: Callable[[], T]) -> T:
    try:
        return convert()
    except (ValueError, KeyError, TypeError) as e:
        raise CatalogError(
            f"{path}, line {line}: bad value ({e}). Rebuild the seeds with "
            "'laddersheet onet build'."
        ) from e


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(c for c in value.split(";") if c)
    if not codes:
        raise ValueError("no O*NET-SOC codes")
    return codes


def _optional_int(value: str) -> int | None:
    return int(value) if value else None


def _flag(value: str) -> bool:
    if value not in ("Y", "N", ""):
        raise ValueError(f"flag {value!r} is not Y, N or empty")
    return value == "Y"


def _element_sort_key(element_id: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in element_id.split("."))


def _load(root: Path) -> Catalog:
    if not root.is_dir():
        raise CatalogError(
            f"{root}: O*NET seeds folder not found. Reinstall laddersheet, or build the seeds "
            "with 'laddersheet onet build'."
        )

    path = root / "families.csv"
    families: dict[str, Family] = {}
    cols = ("family_id", "name", "title_noun", "ic_codes", "manager_codes", "description")
    for line, r in _rows(path, cols):
        families[r["family_id"]] = _parse(
            path,
            line,
            lambda r=r: Family(
                family_id=r["family_id"],
                name=r["name"],
                title_noun=r["title_noun"],
                ic_codes=_codes(r["ic_codes"]),
                manager_codes=_codes(r["manager_codes"]),
                description=r["description"],
            ),
        )

    path = root / "elements.csv"
    elements: dict[str, Element] = {}
    for line, r in _rows(path, ("element_id", "name", "description", "category")):
        if r["category"] not in CATEGORIES:
            raise CatalogError(f"{path}, line {line}: unknown category {r['category']!r}.")
        elements[r["element_id"]] = Element(
            r["element_id"], r["name"], r["description"], r["category"]
        )

    path = root / "occupations.csv"
    occupations: dict[str, Occupation] = {}
    for line, r in _rows(path, ("onetsoc_code", "title", "description", "job_zone")):
        occupations[r["onetsoc_code"]] = _parse(
            path,
            line,
            lambda r=r: Occupation(
                r["onetsoc_code"], r["title"], r["description"], _optional_int(r["job_zone"])
            ),
        )

    path = root / "ratings.csv"
    ratings: dict[str, list[Rating]] = defaultdict(list)
    cols = ("onetsoc_code", "element_id", "scale_id", "data_value", "n")
    for line, r in _rows(path, (*cols, "recommend_suppress", "not_relevant")):
        rating = _parse(
            path,
            line,
            lambda r=r: Rating(
                onetsoc_code=r["onetsoc_code"],
                element_id=r["element_id"],
                scale_id=r["scale_id"],
                data_value=float(r["data_value"]),
                n=_optional_int(r["n"]),
                recommend_suppress=_flag(r["recommend_suppress"]),
                not_relevant=_flag(r["not_relevant"]),
            ),
        )
        if rating.element_id not in elements:
            raise CatalogError(
                f"{path}, line {line}: element {rating.element_id} is not in elements.csv."
            )
        ratings[rating.onetsoc_code].append(rating)

    path = root / "anchors.csv"
    anchors: dict[str, list[Anchor]] = defaultdict(list)
    for line, r in _rows(path, ("element_id", "scale_id", "anchor_value", "anchor_description")):
        anchors[r["element_id"]].append(
            _parse(
                path,
                line,
                lambda r=r: Anchor(
                    element_id=r["element_id"],
                    scale_id=r["scale_id"],
                    anchor_value=float(r["anchor_value"]),
                    anchor_description=r["anchor_description"],
                ),
            )
        )

    path = root / "task_activities.csv"
    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    cols = ("onetsoc_code", "task_id", "dwa_id", "dwa_title", "activity_element_id")
    for _line, r in _rows(path, cols):
        links[(r["onetsoc_code"], r["task_id"])].add(r["activity_element_id"])

    path = root / "tasks.csv"
    tasks: dict[str, list[Task]] = defaultdict(list)
    for _line, r in _rows(path, ("onetsoc_code", "task_id", "task", "task_type")):
        key = (r["onetsoc_code"], r["task_id"])
        gwas = tuple(sorted(links.get(key, ()), key=_element_sort_key))
        tasks[r["onetsoc_code"]].append(Task(*key, r["task"], r["task_type"], gwas))

    path = root / "skill_activities.csv"
    skill_activities: dict[str, list[str]] = defaultdict(list)
    for _line, r in _rows(path, ("skill_element_id", "activity_element_id")):
        skill_activities[r["skill_element_id"]].append(r["activity_element_id"])

    path = root / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        releases = tuple(str(r) for r in manifest["releases"])
        attribution = str(manifest["attribution"])
    except FileNotFoundError:
        raise CatalogError(f"{path}: seed file not found; rebuild the seeds.") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CatalogError(f"{path}: not a valid seeds manifest ({e}).") from e

    unknown = sorted(
        {c for f in families.values() for c in f.ic_codes + f.manager_codes} - occupations.keys()
    )
    if unknown:
        raise CatalogError(
            f"{root / 'families.csv'}: code(s) {', '.join(unknown)} are not in occupations.csv."
        )

    return Catalog(
        families=families,
        elements=elements,
        occupations=occupations,
        ratings={c: tuple(rs) for c, rs in ratings.items()},
        anchors={
            e: tuple(sorted(a, key=lambda x: (x.anchor_value, x.scale_id)))
            for e, a in anchors.items()
        },
        tasks={c: tuple(sorted(ts, key=lambda t: int(t.task_id))) for c, ts in tasks.items()},
        skill_activities={s: tuple(a) for s, a in skill_activities.items()},
        releases=releases,
        attribution=attribution,
        root=str(root),
    )


# --- every rated occupation, for families a company adds --------------------------------------


@dataclass(frozen=True, slots=True)
class OccupationRef:
    code: str
    title: str
    job_zone: int | None
    rated: bool  # has Skills, Knowledge and Work Styles ratings


@functools.lru_cache(maxsize=4)
def all_occupations(root: str) -> dict[str, OccupationRef]:
    """Every occupation of the release (``occupations_all.csv``), by code."""
    path = Path(root) / "occupations_all.csv"
    found = {}
    for line, r in _rows(path, ("onetsoc_code", "title", "job_zone", "rated")):
        found[r["onetsoc_code"]] = _parse(
            path,
            line,
            lambda r=r: OccupationRef(
                r["onetsoc_code"], r["title"], _optional_int(r["job_zone"]), _flag(r["rated"])
            ),
        )
    return found


def code_problems(catalog: Catalog, codes: Iterable[str]) -> dict[str, str]:
    """Why each unusable code cannot be used, naming the closest codes that have ratings."""
    known = all_occupations(catalog.root)
    problems = {}
    for code in dict.fromkeys(codes):
        ref = known.get(code)
        if ref is not None and ref.rated:
            continue
        what = (
            f"{code} ({ref.title}) has tasks but no Skills, Knowledge and Work Styles ratings"
            if ref is not None
            else f"{code} is not an O*NET-SOC code of release {', '.join(catalog.releases)}"
        )
        near = closest_rated(known, code)
        hint = "; ".join(f"{r.code} {r.title}" for r in near)
        problems[code] = f"{what}. Closest codes with ratings: {hint}" if near else what
    return problems


def closest_rated(
    known: dict[str, OccupationRef], code: str, count: int = 3
) -> list[OccupationRef]:
    """Rated codes of the same SOC group, nearest by number (the same minor group first)."""
    digits = code.replace("-", "").replace(".", "")

    def distance(ref: OccupationRef) -> tuple[int, int]:
        other = ref.code.replace("-", "").replace(".", "")
        shared = next((i for i, (a, b) in enumerate(zip(digits, other, strict=False)) if a != b), 8)
        gap = abs(int(other) - int(digits)) if other.isdigit() and digits.isdigit() else 10**9
        return (-shared, gap)

    rated = [r for r in known.values() if r.rated and r.code != code]
    same_group = [r for r in rated if r.code[:2] == code[:2]] or rated
    return sorted(same_group, key=lambda r: (distance(r), r.code))[:count]


def with_codes(catalog: Catalog, codes: Iterable[str]) -> Catalog:
    """The catalog plus the ratings, occupation and reference tasks of ``codes``.

    Every code must be rated (``code_problems`` says why one is not).
    """
    wanted = [c for c in dict.fromkeys(codes) if c not in catalog.ratings]
    if not wanted:
        return catalog
    root = Path(catalog.root)
    known = all_occupations(catalog.root)
    ratings = dict(catalog.ratings)
    path = root / "ratings_all.csv"
    for line, r in _rows(path, ("onetsoc_code",)):
        code = r["onetsoc_code"]
        if code not in wanted:
            continue
        found = []
        for column, value in r.items():
            if column == "onetsoc_code" or not value:
                continue
            element_id, scale = column.rsplit(" ", 1)
            found.append(
                _parse(
                    path,
                    line,
                    lambda c=code, e=element_id, s=scale, v=value: Rating(
                        c, e, s, float(v), None, False, False
                    ),
                )
            )
        ratings[code] = tuple(found)
    tasks = dict(catalog.tasks)
    path = root / "tasks_all.csv"
    for _line, r in _rows(path, ("onetsoc_code", "task_id", "task")):
        if r["onetsoc_code"] in wanted:
            task = Task(r["onetsoc_code"], r["task_id"], r["task"], "Core", ())
            tasks[task.onetsoc_code] = (*tasks.get(task.onetsoc_code, ()), task)
    occupations = dict(catalog.occupations)
    for code in wanted:
        ref = known[code]
        occupations[code] = Occupation(code, ref.title, "", ref.job_zone)
    return dataclasses.replace(catalog, ratings=ratings, tasks=tasks, occupations=occupations)
