"""The ladder's words: one curated data file per job family, read into frozen values.

The format is documented in ``docs/content-format.md``. This module only reads and checks the
*structure* of the files (every problem of a file reported at once, with its key); whether the
words are good is ``lint.py``'s business. No sentence of a ladder lives in Python.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ContentError

TRACK_IC = "IC"
TRACK_MANAGER = "M"
# The levels content is written for: the default ladder's. Other level counts in the settings
# take the content of the level at the same relative height (see ``content_level``).
CONTENT_LEVELS = {TRACK_IC: ("L1", "L2", "L3", "L4", "L5"), TRACK_MANAGER: ("M1", "M2", "M3", "M4")}
# Development-action bands: below the branch level, the branch level, above it; the two halves
# of the manager track. ``ladder.level_bands`` maps the settings' levels onto these kinds.
CONTENT_BANDS = {TRACK_IC: ("L1-L2", "L3", "L4-L5"), TRACK_MANAGER: ("M1-M2", "M3-M4")}
PEOPLE_LEADERSHIP = "People leadership"

IC_COMPETENCIES = (7, 10)
MANAGER_COMPETENCIES = (2, 4)
DOMAINS = (3, 5)
EVIDENCE = (1, 2)


@dataclass(frozen=True, slots=True)
class LevelText:
    code: str
    title: str
    summary: str
    scope: str


@dataclass(frozen=True, slots=True)
class Cell:
    statement: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompetencyText:
    competency_id: str
    name: str
    domain: str
    track: str
    description: str
    onet: tuple[str, ...]
    cells: dict[str, Cell]  # content level code -> cell
    actions: dict[str, str]  # content band -> action


@dataclass(frozen=True, slots=True)
class FamilyContent:
    family_id: str
    name: str
    purpose: str
    domains: tuple[str, ...]
    levels: dict[str, LevelText]  # content level code -> text
    competencies: tuple[CompetencyText, ...]
    source: str  # the file it was read from, for messages

    def track(self, track: str) -> tuple[CompetencyText, ...]:
        return tuple(c for c in self.competencies if c.track == track)


@dataclass(frozen=True, slots=True)
class Library:
    """Every curated family, the shared people-leadership core, and the cross-family library
    drafts are chosen from (a family with no content file of its own)."""

    families: dict[str, FamilyContent]
    people: tuple[CompetencyText, ...]
    drafts: tuple[CompetencyText, ...] = ()
    draft_domains: tuple[str, ...] = ()


def content_dir() -> Path:
    return Path(str(resources.files("laddersheet") / "data" / "content"))


@functools.lru_cache(maxsize=1)
def load_library() -> Library:
    """The packaged content (read once per process)."""
    return read_library(content_dir())


LIBRARY_FILE = "library.toml"


def read_library(folder: Path) -> Library:
    families = {}
    for path in sorted((folder / "families").glob("*.toml")):
        family = read_family(path)
        families[family.family_id] = family
    domains, drafts = read_drafts(folder / LIBRARY_FILE)
    return Library(
        families=families,
        people=read_people(folder / "people_leadership.toml"),
        drafts=drafts,
        draft_domains=domains,
    )


def read_drafts(path: Path) -> tuple[tuple[str, ...], tuple[CompetencyText, ...]]:
    """The cross-family library: its domains and competencies (IC and manager)."""
    data = _load(path)
    reader = _Reader(path)
    reader.unknown(data, "", {"domains", "competency"})
    domains = tuple(reader.texts(data, "domains", ""))
    competencies = reader.competencies(data, domains=domains)
    reader.finish()
    return domains, competencies


def read_people(path: Path) -> tuple[CompetencyText, ...]:
    data = _load(path)
    reader = _Reader(path)
    reader.unknown(data, "", {"competency"})
    competencies = reader.competencies(data, domains=(PEOPLE_LEADERSHIP,))
    for c in competencies:
        if c.track != TRACK_MANAGER:
            reader.problem(f"competency {c.competency_id}", 'track must be "M" in this file')
    reader.finish()
    return competencies


def read_family(path: Path) -> FamilyContent:
    data = _load(path)
    reader = _Reader(path)
    reader.unknown(data, "", {"family_id", "name", "purpose", "domains", "levels", "competency"})
    family_id = reader.text(data, "family_id", "")
    if family_id and family_id != path.stem:
        reader.problem("family_id", f"is {family_id!r} but the file is named {path.name}")
    domains = tuple(reader.texts(data, "domains", ""))
    if not DOMAINS[0] <= len(domains) <= DOMAINS[1]:
        reader.problem("domains", f"has {len(domains)}; write {DOMAINS[0]} to {DOMAINS[1]}")
    levels = reader.levels(data.get("levels"))
    competencies = reader.competencies(data, domains=domains)
    for track, (low, high) in ((TRACK_IC, IC_COMPETENCIES), (TRACK_MANAGER, MANAGER_COMPETENCIES)):
        count = sum(1 for c in competencies if c.track == track)
        if not low <= count <= high:
            reader.problem("competency", f"{count} with track {track!r}; write {low} to {high}")
    used = {c.domain for c in competencies}
    for domain in domains:
        if domain not in used:
            reader.problem("domains", f"{domain!r} has no competency")
    reader.finish()
    return FamilyContent(
        family_id=family_id,
        name=reader.text(data, "name", ""),
        purpose=reader.text(data, "purpose", ""),
        domains=domains,
        levels=levels,
        competencies=competencies,
        source=str(path),
    )


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(str(path), ["the file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(str(path), [f"cannot be read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(str(path), [f"is not valid TOML: {error}"]) from None


class _Reader:
    """Collects every structural problem of one file, then raises them together."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}" if key else message)

    def finish(self) -> None:
        if self.problems:
            raise ContentError(str(self.path), self.problems)

    def unknown(self, data: dict[str, Any], key: str, allowed: set[str]) -> None:
        for name in data:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                self.problem(where, f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def text(self, data: dict[str, Any], name: str, key: str) -> str:
        where = f"{key}.{name}" if key else name
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "missing: write it as text in double quotes")
            return ""
        return " ".join(value.split())

    def texts(self, data: dict[str, Any], name: str, key: str) -> list[str]:
        where = f"{key}.{name}" if key else name
        value = data.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(where, 'missing: write a list of texts, e.g. ["one", "two"]')
            return []
        return [" ".join(v.split()) for v in value]

    def table(self, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem(key, "missing: write it as a [table]")
            return {}
        return data

    def levels(self, data: Any) -> dict[str, LevelText]:
        table = self.table(data, "levels")
        wanted = CONTENT_LEVELS[TRACK_IC] + CONTENT_LEVELS[TRACK_MANAGER]
        self.unknown(table, "levels", set(wanted))
        levels = {}
        for code in wanted:
            key = f"levels.{code}"
            entry = self.table(table.get(code), key)
            self.unknown(entry, key, {"title", "summary", "scope"})
            levels[code] = LevelText(
                code,
                self.text(entry, "title", key),
                self.text(entry, "summary", key),
                self.text(entry, "scope", key),
            )
        titles = [lv.title for lv in levels.values() if lv.title]
        for title in {t for t in titles if titles.count(t) > 1}:
            self.problem("levels", f"the title {title!r} is used for two levels")
        return levels

    def competencies(
        self, data: dict[str, Any], domains: tuple[str, ...]
    ) -> tuple[CompetencyText, ...]:
        entries = data.get("competency")
        if not isinstance(entries, list) or not entries:
            self.problem("competency", "missing: write [[competency]] tables")
            return ()
        found: list[CompetencyText] = []
        seen: set[str] = set()
        for number, entry in enumerate(entries, start=1):
            competency = self.competency(entry, number, domains)
            if competency.competency_id in seen:
                self.problem(f"competency {competency.competency_id}", "id used twice")
            seen.add(competency.competency_id)
            found.append(competency)
        return tuple(found)

    def competency(
        self, entry: dict[str, Any], number: int, domains: tuple[str, ...]
    ) -> CompetencyText:
        cid = entry.get("id") if isinstance(entry.get("id"), str) else ""
        key = f"competency {cid}" if cid else f"competency #{number}"
        if not cid or cid != cid.strip().lower() or " " in cid:
            self.problem(key, 'id: write a lower-case id without spaces, e.g. "cs-onboarding"')
        track = entry.get("track")
        if track not in CONTENT_LEVELS:
            self.problem(key, 'track: write "IC" or "M"')
            track = TRACK_IC
        levels = CONTENT_LEVELS[track]
        bands = CONTENT_BANDS[track]
        self.unknown(
            entry,
            key,
            {"id", "name", "domain", "track", "description", "onet", "actions", *levels},
        )
        domain = self.text(entry, "domain", key)
        if domain and domain not in domains:
            self.problem(f"{key}.domain", f"{domain!r} is not one of {', '.join(domains)}")
        onet = self.texts(entry, "onet", key)
        cells = {}
        for code in levels:
            where = f"{key}.{code}"
            cell = self.table(entry.get(code), where)
            self.unknown(cell, where, {"statement", "evidence"})
            evidence = tuple(self.texts(cell, "evidence", where))
            if evidence and not EVIDENCE[0] <= len(evidence) <= EVIDENCE[1]:
                self.problem(f"{where}.evidence", f"has {len(evidence)}; write 1 or 2")
            cells[code] = Cell(self.text(cell, "statement", where), evidence)
        actions_table = self.table(entry.get("actions"), f"{key}.actions")
        self.unknown(actions_table, f"{key}.actions", set(bands))
        actions = {band: self.text(actions_table, band, f"{key}.actions") for band in bands}
        return CompetencyText(
            competency_id=cid,
            name=self.text(entry, "name", key),
            domain=domain,
            track=track,
            description=self.text(entry, "description", key),
            onet=tuple(onet),
            cells=cells,
            actions=actions,
        )
