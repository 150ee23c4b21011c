"""The ladder model: what the master workbook holds, independent of any spreadsheet code.

The long table of ``Expectation`` rows is the canonical form: it is what the master's
Expectations sheet stores and what laddersheet reads back after HR edits, so every later stage
(scoring sheets, gaps, reports) works from it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from .settings import TRACK_IC, LevelSpec, Settings


@dataclass(frozen=True, slots=True)
class Competency:
    competency_id: str  # stable slug shared across families, e.g. "critical-thinking"
    name: str
    domain: str  # e.g. "Craft & technical"
    description: str
    onet_element_id: str  # "" for a competency HR added by hand
    category: str  # skill | knowledge | work_style | work_activity | people_leadership | custom


@dataclass(frozen=True, slots=True)
class Expectation:
    """One row of the Expectations sheet: a competency at one level of one family's track."""

    family_id: str
    track: str  # "IC" | "M"
    level: str
    competency_id: str
    competency: str
    domain: str
    expected: int
    statement: str
    onet_element_id: str = ""
    onet_im: float | None = None  # O*NET importance (1-5) the competency was chosen by
    onet_lv: float | None = None  # O*NET level (0-7) of the family's occupation


@dataclass(frozen=True, slots=True)
class DevelopmentAction:
    competency_id: str
    band: str  # a readable name for the levels, e.g. "L1-L2"
    levels: tuple[str, ...]  # the level codes whose gaps this action closes (the target levels)
    action: str


@dataclass(frozen=True, slots=True)
class LadderFamily:
    family_id: str
    name: str  # function name, used in manager titles ("Customer Success")
    title_noun: str  # IC title noun ("Customer Success Manager")
    description: str
    ic_codes: tuple[str, ...] = ()
    manager_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ladder:
    settings: Settings
    families: tuple[LadderFamily, ...]
    competencies: tuple[Competency, ...]
    expectations: tuple[Expectation, ...]
    actions: tuple[DevelopmentAction, ...]
    releases: tuple[str, ...] = ()
    attribution: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # read back from a master's _meta

    @cached_property
    def _family_index(self) -> dict[str, LadderFamily]:
        return {f.family_id: f for f in self.families}

    @cached_property
    def _competency_index(self) -> dict[str, Competency]:
        return {c.competency_id: c for c in self.competencies}

    @cached_property
    def _rows_index(self) -> dict[tuple[str, str, str], list[Expectation]]:
        index: dict[tuple[str, str, str], list[Expectation]] = {}
        for row in self.expectations:
            index.setdefault((row.family_id, row.track, row.level), []).append(row)
        return index

    @cached_property
    def _row_index(self) -> dict[tuple[str, str, str, str], Expectation]:
        return {(r.family_id, r.track, r.level, r.competency_id): r for r in self.expectations}

    def family(self, family_id: str) -> LadderFamily | None:
        return self._family_index.get(family_id)

    def competency(self, competency_id: str) -> Competency | None:
        return self._competency_index.get(competency_id)

    def rows(self, family_id: str, track: str, level: str) -> list[Expectation]:
        """Expectation rows of one family, track and level, in sheet order."""
        return self._rows_index.get((family_id, track, level), [])

    def expectation(
        self, family_id: str, track: str, level: str, competency_id: str
    ) -> Expectation | None:
        return self._row_index.get((family_id, track, level, competency_id))

    def competency_ids(self, family_id: str, track: str) -> list[str]:
        """The competencies of a family's track, in sheet order (first level's order)."""
        seen: dict[str, None] = {}
        for row in self.expectations:
            if row.family_id == family_id and row.track == track:
                seen.setdefault(row.competency_id, None)
        return list(seen)

    def action_for(self, competency_id: str, target_level: str) -> DevelopmentAction | None:
        for action in self.actions:
            if action.competency_id == competency_id and target_level in action.levels:
                return action
        return None

    def title(self, family_id: str, level: str) -> str:
        family = self.family(family_id)
        spec = self.settings.level(level)
        if family is None or spec is None:
            return ""
        return spec.title_for(family.title_noun, family.name)

    def level_spec(self, level: str) -> LevelSpec | None:
        return self.settings.level(level)

    def track_of(self, level: str) -> str:
        spec = self.settings.level(level)
        return spec.track if spec else TRACK_IC

    def content_digest(self) -> str:
        """Digest of what scoring depends on: the expectation rows, in a canonical order.

        Scoring workbooks carry it, so ingest can tell a file made from another master version.
        """
        rows = sorted(
            (r.family_id, r.track, r.level, r.competency_id, r.expected, r.statement)
            for r in self.expectations
        )
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
