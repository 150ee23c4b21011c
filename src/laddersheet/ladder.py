"""The ladder model: what the master workbook holds, independent of any spreadsheet code.

The long table of ``Expectation`` rows is the canonical form: it is what the master's
Expectations sheet stores and what laddersheet reads back after HR edits, so every later stage
(scoring sheets, gaps, reports) works from it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from . import expected, statements
from .content import (
    CONTENT_BANDS,
    CONTENT_LEVELS,
    PEOPLE_LEADERSHIP,
    CompetencyText,
    FamilyContent,
    Library,
    load_library,
)
from .layout import LIST_SEPARATOR
from .settings import (
    TRACK_IC,
    TRACK_MANAGER,
    LevelSpec,
    Settings,
    check_family_ids,
    default_settings,
)

if TYPE_CHECKING:
    from .catalog import Catalog, Task
    from .catalog import Family as CatalogFamily


@dataclass(frozen=True, slots=True)
class Competency:
    competency_id: str  # stable slug shared across families, e.g. "critical-thinking"
    name: str
    domain: str  # e.g. "Craft & technical"
    description: str
    onet_element_id: str  # the O*NET element ids it draws on, ", "-separated; "" when HR added it
    category: str  # curated | people_leadership | custom | (drafts) an O*NET category
    family_id: str = ""  # the family whose content defines it; "" when shared


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
    evidence: str = ""  # examples a manager can point at, one per line


@dataclass(frozen=True, slots=True)
class DevelopmentAction:
    competency_id: str
    band: str  # a readable name for the levels, e.g. "L1-L2"
    levels: tuple[str, ...]  # the level codes whose gaps this action closes (the target levels)
    action: str
    family_id: str = ""  # "" = for every family (the shared people-leadership core, drafts)


@dataclass(frozen=True, slots=True)
class LadderFamily:
    family_id: str
    name: str  # function name, used in manager titles ("Customer Success")
    title_noun: str  # IC title noun ("Customer Success Manager")
    description: str
    ic_codes: tuple[str, ...] = ()
    manager_codes: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)  # level code -> the field's own title
    summaries: dict[str, str] = field(default_factory=dict)  # level code -> one-line summary
    scopes: dict[str, str] = field(default_factory=dict)  # level code -> scope in its own terms
    curated: bool = False  # False: a draft chosen from O*NET, to be rewritten by HR


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

    def action_for(
        self, competency_id: str, target_level: str, family_id: str = ""
    ) -> DevelopmentAction | None:
        """The family's own action for a competency and target level, else a shared one."""
        shared = None
        for action in self.actions:
            if action.competency_id == competency_id and target_level in action.levels:
                if action.family_id == family_id:
                    return action
                if not action.family_id and shared is None:
                    shared = action
        return shared

    def title(self, family_id: str, level: str) -> str:
        family = self.family(family_id)
        spec = self.settings.level(level)
        if family is None or spec is None:
            return ""
        return family.titles.get(level) or spec.title_for(family.title_noun, family.name)

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


# --- building the ladder from O*NET® data ------------------------------------------------------
#
# The drafting method for families without curated content (README, "Drafted families"):
# 1. Score every library competency for a family's track from the track's O*NET codes:
#    importance (IM, averaged over the codes, suppressed / not-relevant rows dropped) as half a
#    z-score within its O*NET category (Work Styles are rated high everywhere) and half a z-score
#    against the same element in other occupations (what is special about this job). Work
#    activities have no ratings here: they score by the share of the codes' tasks linked to
#    them, capped so a task-link count cannot outshout a rating.
# 2. Pick between competencies_min and competencies_max: one per domain first (breadth), then
#    by score with a cap per domain; a near-duplicate of a competency already picked (Speaking /
#    Listening, the reasoning trio) is pushed down the ranking, so it only gets in when nothing
#    else is left - "keep both only if they would not crowd".
# 3. Expected proficiency: levels spread evenly over the scale; the level where the occupation's
#    typical worker sits (Job Zone) moves with the O*NET level (LV 4 = no move); each level away
#    steps by about one even step, faster for more important competencies; rounded and clamped
#    to the scale, so values never go down a track.

_MIN_CANDIDATE_SCORE = 1.0  # a competency rated clearly above its category's average
_ACTIVITY_CAP = 1.5  # task-link evidence counts, but never more than a strong rating
_SUPPORT_DISCOUNT = 0.3  # a folded-in element speaks for the competency, a little less loudly
_NEAR_DUPLICATE_PENALTY = 1.0
_NEAR_DUPLICATES: tuple[frozenset[str], ...] = (
    frozenset({"speaking", "listening"}),
    frozenset({"critical-thinking", "problem-solving", "decision-making", "systems-thinking"}),
    frozenset({"persuasion", "sales-and-marketing", "negotiation"}),
    frozenset({"coaching", "teaching-others"}),
    frozenset({"technology", "engineering"}),
    frozenset({"monitoring-results", "attention-to-detail"}),
    frozenset({"business-planning", "planning"}),
    frozenset({"reliability", "initiative"}),
)
_PEOPLE_LV_ELEMENT = "2.B.5.d"  # Management of Personnel Resources: the rated people element
_DEFAULT_LV = 4.0  # O*NET's "intermediate" anchor, used only when a track has no LV at all
_DEFAULT_JOB_ZONE = 4.0


@dataclass(frozen=True, slots=True)
class _Scored:
    definition: statements.CompetencyDef
    score: float
    im: float | None
    lv: float | None


@dataclass(frozen=True)
class _CatalogStats:
    """Catalog-wide numbers the scores are relative to (computed once per build)."""

    category_im: dict[str, tuple[float, float]]  # category -> (mean, sd) of IM
    element_im: dict[str, tuple[float, float]]  # element -> (mean, sd) of IM across occupations
    activity_share: tuple[float, float]  # (mean, sd) of an occupation's task share per GWA
    verbs: frozenset[str]  # words O*NET tasks start with: the verb lexicon for rewriting


def build_ladder(settings: Settings, catalog: Catalog, library: Library | None = None) -> Ladder:
    """The ladder for every family the settings ask for.

    A family with a curated content file (``data/content/families/``) takes its words from it
    and its order and expected scores from O*NET; a family without one is drafted from O*NET by
    the older generator. Every manager track gets the shared people-leadership core.
    Deterministic: the same settings, catalog and content always give an identical ``Ladder``.
    """
    library = library if library is not None else load_library()
    check_family_ids(settings, list(catalog.families))
    family_ids = settings.families if settings.families is not None else tuple(catalog.families)
    stats: _CatalogStats | None = None
    families: list[LadderFamily] = []
    expectations: list[Expectation] = []
    competencies: dict[str, Competency] = {}
    actions: list[DevelopmentAction] = []
    drafted: dict[str, set[str]] = {TRACK_IC: set(), TRACK_MANAGER: set()}
    for family_id in dict.fromkeys(family_ids):
        source = catalog.families[family_id]
        content = library.families.get(family_id)
        curated = _Curated(settings, catalog, source, content, library.people)
        family = curated.family()
        families.append(family)
        if content is not None:
            rows = curated.rows(TRACK_IC) + curated.rows(TRACK_MANAGER)
            actions.extend(curated.actions())
        else:
            stats = stats or _catalog_stats(catalog)
            builder = _FamilyBuilder(settings, catalog, stats, family)
            ic_rows = builder.track_rows(TRACK_IC, branch_values={})
            branch = {
                r.competency_id: r.expected for r in ic_rows if r.level == settings.branch_level
            }
            rows = ic_rows + curated.rows(TRACK_MANAGER, people_only=True)
            rows += builder.track_rows(TRACK_MANAGER, branch_values=branch)
            rows = curated.reshape(rows)
            for row in rows:
                if not curated.is_people(row.competency_id):
                    drafted[row.track].add(row.competency_id)
        expectations.extend(_level_order(settings, rows))
        for competency in curated.competencies(rows):
            competencies.setdefault(competency.competency_id, competency)
    for definition in statements.LIBRARY:
        if definition.competency_id in drafted[TRACK_IC] | drafted[TRACK_MANAGER]:
            competencies.setdefault(
                definition.competency_id,
                Competency(
                    competency_id=definition.competency_id,
                    name=definition.name,
                    domain=definition.domain,
                    description=definition.description,
                    onet_element_id=definition.element_id,
                    category=catalog.elements[definition.element_id].category,
                ),
            )
    actions.extend(_people_actions(settings, library.people))
    actions.extend(_development_actions(settings, drafted))
    return Ladder(
        settings=settings,
        families=tuple(families),
        competencies=tuple(competencies.values()),
        expectations=tuple(expectations),
        actions=tuple(actions),
        releases=catalog.releases,
        attribution=catalog.attribution,
    )


def _level_order(settings: Settings, rows: list[Expectation]) -> list[Expectation]:
    """A family's rows grouped by track, then level, so a sheet reads one level at a time."""
    order = {lv.code: i for i, lv in enumerate(settings.levels)}
    return sorted(rows, key=lambda r: (r.track != TRACK_IC, order[r.level]))


def content_level(settings: Settings, track: str, code: str) -> str:
    """The content level a settings level takes its words from: the one at the same height."""
    levels = [lv.code for lv in settings.track_levels(track)]
    written = CONTENT_LEVELS[track]
    index = levels.index(code)
    if len(levels) == 1:
        return written[-1]
    return written[_round_half_up(index * (len(written) - 1) / (len(levels) - 1))]


def content_band(settings: Settings, track: str, levels: tuple[str, ...]) -> str:
    """The content band whose action serves a settings band (by its place around the branch)."""
    bands = CONTENT_BANDS[track]
    codes = [lv.code for lv in settings.track_levels(track)]
    first = codes.index(levels[0])
    if track == TRACK_IC:
        branch = codes.index(settings.branch_level)
        return bands[0 if first < branch else 1 if first == branch else 2]
    return bands[0 if first < (len(codes) + 1) // 2 else 1]


def _people_actions(
    settings: Settings, people: tuple[CompetencyText, ...]
) -> list[DevelopmentAction]:
    bands = level_bands(settings, TRACK_MANAGER)
    return [
        DevelopmentAction(
            c.competency_id, band, levels, c.actions[content_band(settings, TRACK_MANAGER, levels)]
        )
        for c in people
        for band, levels in bands
    ]


class _Curated:
    """One family's ladder from its content file (or only its people-leadership core)."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        source: CatalogFamily,
        content: FamilyContent | None,
        people: tuple[CompetencyText, ...],
    ):
        self.settings = settings
        self.catalog = catalog
        self.source = source
        self.content = content
        self.people = people
        self.people_ids = {c.competency_id for c in people}
        zones = [
            z
            for code in source.ic_codes
            if (occupation := catalog.occupations.get(code)) and (z := occupation.job_zone)
        ]
        self.senior = bool(zones) and sum(zones) / len(zones) >= expected.SENIOR_JOB_ZONE

    def is_people(self, competency_id: str) -> bool:
        return competency_id in self.people_ids

    def family(self) -> LadderFamily:
        s, source, content = self.settings, self.source, self.content
        if content is None:
            return LadderFamily(
                family_id=source.family_id,
                name=source.name,
                title_noun=s.title_nouns.get(source.family_id, source.title_noun),
                description=source.description,
                ic_codes=source.ic_codes,
                manager_codes=source.manager_codes,
            )
        texts = {lv.code: content.levels[content_level(s, lv.track, lv.code)] for lv in s.levels}
        return LadderFamily(
            family_id=source.family_id,
            name=content.name,
            title_noun=s.title_nouns.get(source.family_id, content.levels["L2"].title),
            description=content.purpose,
            ic_codes=source.ic_codes,
            manager_codes=source.manager_codes,
            titles=self._titles(),
            summaries={code: text.summary for code, text in texts.items()},
            scopes={code: text.scope for code, text in texts.items()},
            curated=True,
        )

    def _titles(self) -> dict[str, str]:
        """The field's titles, for every level whose title pattern is still the default one.

        A title noun in the settings, or a level count other than the content's, means the
        company names its levels itself: its patterns are used instead.
        """
        assert self.content is not None
        if self.source.family_id in self.settings.title_nouns:
            return {}
        defaults = default_settings()
        titles = {}
        for track in (TRACK_IC, TRACK_MANAGER):
            levels = self.settings.track_levels(track)
            written = CONTENT_LEVELS[track]
            default = defaults.track_levels(track)
            if len(levels) != len(written) or len(default) != len(written):
                continue
            noun = self.content.levels["L2"].title
            for level, code, pattern in zip(levels, written, default, strict=True):
                title = self.content.levels[code].title
                # kept only where it differs from what the pattern gives anyway
                if level.title == pattern.title and title != level.title_for(
                    noun, self.content.name
                ):
                    titles[level.code] = title
        return titles

    def _texts(self, track: str, people_only: bool) -> list[CompetencyText]:
        """The track's competencies: the family's own (at most ``competencies_max``, the most
        important kept), after the people-leadership core on the manager track."""
        own = [] if self.content is None or people_only else list(self.content.track(track))
        core = list(self.people) if track == TRACK_MANAGER else []
        room = max(0, self.settings.competencies_max - len(core))
        if len(own) > room:
            codes = self.source.ic_codes if track == TRACK_IC else self.source.manager_codes
            ranked = sorted(
                own, key=lambda c: -(self._rating(codes, c.onet, "IM") or 0.0)
            )  # stable: content order breaks ties
            keep = {c.competency_id for c in ranked[:room]}
            own = [c for c in own if c.competency_id in keep]
        return core + own

    def _rating(
        self, codes: tuple[str, ...], element_ids: tuple[str, ...], scale: str
    ) -> float | None:
        """Mean over the rated anchors of their mean rating over the codes."""
        means = []
        for element_id in element_ids:
            found = [
                r.data_value
                for code in codes
                if (r := self.catalog.rating(code, element_id, scale)) is not None
                and not (r.recommend_suppress or r.not_relevant)
            ]
            if found:
                means.append(sum(found) / len(found))
        return sum(means) / len(means) if means else None

    def rows(self, track: str, *, people_only: bool = False) -> list[Expectation]:
        texts = self._texts(track, people_only)
        if not texts:
            return []
        codes = self.source.ic_codes if track == TRACK_IC else self.source.manager_codes
        other = self.source.manager_codes if track == TRACK_IC else self.source.ic_codes
        rated = []
        for position, text in enumerate(texts):
            im = self._rating(codes, text.onet, "IM") or self._rating(other, text.onet, "IM")
            lv = self._rating(codes, text.onet, "LV") or self._rating(other, text.onet, "LV")
            rated.append((text, im, lv, position))
        by_importance = sorted(rated, key=lambda r: (-(r[1] or 0.0), r[3]))
        values = self.values(track, [(r[0].competency_id, r[2]) for r in by_importance], {})
        # sheet order: the people-leadership core first, then the family's domains in the
        # content's order; within a domain, the most important first
        domains = [PEOPLE_LEADERSHIP, *(self.content.domains if self.content else ())]
        rank_of = {r[0].competency_id: i for i, r in enumerate(by_importance)}
        ordered = sorted(
            rated, key=lambda r: (domains.index(r[0].domain), rank_of[r[0].competency_id])
        )
        rows = []
        levels = self.settings.track_levels(track)
        for text, im, lv, _position in ordered:
            for index, level in enumerate(levels):
                cell = text.cells[content_level(self.settings, track, level.code)]
                rows.append(
                    Expectation(
                        family_id=self.source.family_id,
                        track=track,
                        level=level.code,
                        competency_id=text.competency_id,
                        competency=text.name,
                        domain=text.domain,
                        expected=values[text.competency_id][index],
                        statement=cell.statement,
                        onet_element_id=LIST_SEPARATOR.join(text.onet),
                        onet_im=None if im is None else round(im, 2),
                        onet_lv=None if lv is None else round(lv, 2),
                        evidence="\n".join(cell.evidence),
                    )
                )
        return rows

    def values(
        self, track: str, ranked: list[tuple[str, float | None]], branch: dict[str, int]
    ) -> dict[str, list[int]]:
        """Expected scores per competency (``ranked``: id and O*NET level, most important first).

        The rules are ``expected.py``'s; ``branch`` holds what the branch level expects of
        competencies that are on both tracks.
        """
        central = math.ceil(len(ranked) / 2)
        shapes = []
        for rank, (competency_id, lv) in enumerate(ranked):
            if competency_id in self.people_ids:
                shapes.append(expected.Shape(expected.ROLE_PEOPLE))
            elif track == TRACK_MANAGER:
                shapes.append(
                    expected.Shape(expected.ROLE_MANAGER, floor=branch.get(competency_id))
                )
            else:
                bump = self.senior and lv is not None and lv >= expected.HIGH_LEVEL
                shapes.append(expected.Shape(expected.ROLE_IC, rank < central, bump))
        scale = self.settings.scale
        count = len(self.settings.track_levels(track))
        curves = expected.track_values(shapes, count, scale.minimum, scale.maximum)
        return {cid: curve for (cid, _lv), curve in zip(ranked, curves, strict=True)}

    def reshape(self, rows: list[Expectation]) -> list[Expectation]:
        """A drafted family's rows with expected scores by the same rules as curated ones."""
        result: list[Expectation] = []
        branch: dict[str, int] = {}
        for track in (TRACK_IC, TRACK_MANAGER):
            levels = [lv.code for lv in self.settings.track_levels(track)]
            mine = [r for r in rows if r.track == track]
            first = {r.competency_id: r for r in mine}  # one row per competency, sheet order
            ranked = sorted(first.values(), key=lambda r: -(r.onet_im or 0.0))
            values = self.values(track, [(r.competency_id, r.onet_lv) for r in ranked], branch)
            result += [
                dataclasses.replace(r, expected=values[r.competency_id][levels.index(r.level)])
                for r in mine
            ]
            level = self.settings.branch_level
            branch = {r.competency_id: r.expected for r in result if r.level == level}
        return result

    def competencies(self, rows: list[Expectation]) -> list[Competency]:
        used = {r.competency_id for r in rows}
        own = self.content.competencies if self.content is not None else ()
        found = []
        for text in (*self.people, *own):
            if text.competency_id in used:
                people = text.competency_id in self.people_ids
                found.append(
                    Competency(
                        competency_id=text.competency_id,
                        name=text.name,
                        domain=text.domain,
                        description=text.description,
                        onet_element_id=LIST_SEPARATOR.join(text.onet),
                        category="people_leadership" if people else "curated",
                        family_id="" if people else self.source.family_id,
                    )
                )
        return found

    def actions(self) -> list[DevelopmentAction]:
        assert self.content is not None
        found = []
        for text in self.content.competencies:
            for band, levels in level_bands(self.settings, text.track):
                action = text.actions[content_band(self.settings, text.track, levels)]
                found.append(
                    DevelopmentAction(
                        text.competency_id, band, levels, action, self.source.family_id
                    )
                )
        return found


def level_bands(settings: Settings, track: str) -> list[tuple[str, tuple[str, ...]]]:
    """Development-action bands of a track, derived from the settings' levels.

    IC: the levels below the branch level, the branch level itself, the levels above it
    ("L1-L2", "L3", "L4-L5" with the defaults). Manager: the first and second half of the track
    ("M1-M2", "M3-M4").
    """
    levels = [lv.code for lv in settings.track_levels(track)]
    if track == TRACK_IC:
        branch = levels.index(settings.branch_level)
        groups = [levels[:branch], levels[branch : branch + 1], levels[branch + 1 :]]
    else:
        half = (len(levels) + 1) // 2
        groups = [levels[:half], levels[half:]]
    return [(_band_name(g), tuple(g)) for g in groups if g]


def _band_name(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{codes[0]}-{codes[-1]}"


def _development_actions(
    settings: Settings, track_members: dict[str, set[str]]
) -> tuple[DevelopmentAction, ...]:
    ic_bands = level_bands(settings, TRACK_IC)
    ic_levels = [lv.code for lv in settings.ic_levels]
    branch = ic_levels.index(settings.branch_level)
    manager_bands = level_bands(settings, TRACK_MANAGER)
    actions: list[DevelopmentAction] = []
    for definition in statements.LIBRARY:
        cid = definition.competency_id
        if cid in track_members[TRACK_IC] and not definition.people_leadership:
            for band, levels in ic_bands:
                first = ic_levels.index(levels[0])
                kind = 0 if first < branch else 1 if first == branch else 2
                actions.append(DevelopmentAction(cid, band, levels, definition.actions[kind]))
        if cid in track_members[TRACK_MANAGER]:
            texts = (
                definition.actions
                if definition.people_leadership
                else statements.manager_actions(definition)
            )
            for index, (band, levels) in enumerate(manager_bands):
                actions.append(DevelopmentAction(cid, band, levels, texts[min(index, 1)]))
    return tuple(actions)


def _catalog_stats(catalog: Catalog) -> _CatalogStats:
    by_category: dict[str, list[float]] = {}
    by_element: dict[str, list[float]] = {}
    for rows in catalog.ratings.values():
        for r in rows:
            if r.scale_id == "IM" and not (r.recommend_suppress or r.not_relevant):
                element = catalog.elements.get(r.element_id)
                if element is not None:
                    by_category.setdefault(element.category, []).append(r.data_value)
                    by_element.setdefault(r.element_id, []).append(r.data_value)
    category_im = {cat: _mean_sd(values) for cat, values in sorted(by_category.items())}
    element_im = {e: _mean_sd(values) for e, values in sorted(by_element.items())}
    activities = sorted(e for e, el in catalog.elements.items() if el.category == "work_activity")
    shares = []
    for code in sorted(catalog.tasks):
        tasks = catalog.tasks[code]
        counts = _activity_counts(tasks)
        shares.extend(counts.get(a, 0) / len(tasks) for a in activities)
    verbs = frozenset(
        statements.first_word(t.task) for tasks in catalog.tasks.values() for t in tasks
    )
    return _CatalogStats(category_im, element_im, _mean_sd(shares), verbs)


def _mean_sd(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 1.0
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return mean, sd or 1.0


def _activity_counts(tasks: Iterable[Task]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for task in tasks:
        for activity in task.activity_element_ids:
            counts[activity] = counts.get(activity, 0) + 1
    return counts


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


class _FamilyBuilder:
    """Builds one family's rows, track by track; holds what the two tracks share."""

    def __init__(
        self, settings: Settings, catalog: Catalog, stats: _CatalogStats, family: LadderFamily
    ):
        self.settings = settings
        self.catalog = catalog
        self.stats = stats
        self.family = family
        words = f"{family.name} {family.title_noun} {family.description}".casefold()
        # five-letter stems, so "customers" in a task matches "Customer Success"
        self.family_words = frozenset(w[:5] for w in re.findall(r"[a-z]{4,}", words))
        ic_tasks = [t for code in family.ic_codes for t in catalog.tasks.get(code, ())]
        # the team's work: the IC codes' tasks without the supervising ones
        self.team_tasks = [t for t in ic_tasks if not statements.is_people_task(t.task)]
        self.manager_tasks = [
            t for code in family.manager_codes for t in catalog.tasks.get(code, ())
        ]
        # parsed once per family: the candidates every competency of a track chooses from
        self.team_candidates = self._candidates(self.team_tasks)
        self.people_candidates = self._candidates(
            [t for t in self.manager_tasks if _is_people_work(t)]
        )
        self.activities = [
            e for e, el in catalog.elements.items() if el.category == "work_activity"
        ]

    # -- scoring ----------------------------------------------------------------------------

    def _mean_rating(self, codes: tuple[str, ...], element_id: str, scale: str) -> float | None:
        values = [
            r.data_value
            for code in codes
            if (r := self.catalog.rating(code, element_id, scale)) is not None
            and not (r.recommend_suppress or r.not_relevant)
        ]
        return sum(values) / len(values) if values else None

    def _evidence(
        self, codes: tuple[str, ...], element_id: str, shares: dict[str, float]
    ) -> float | None:
        element = self.catalog.elements.get(element_id)
        if element is None:
            return None
        if element.category == "work_activity":
            if element_id not in shares:
                return None
            mean, sd = self.stats.activity_share
            return min(_ACTIVITY_CAP, (shares[element_id] - mean) / sd)
        im = self._mean_rating(codes, element_id, "IM")
        if im is None:
            return None
        # Half "how important within its category" (Work Styles are rated high everywhere),
        # half "how much more important here than in the other occupations" (so a customer
        # success ladder leads with customer service and an engineering ladder does not).
        mean, sd = self.stats.category_im[element.category]
        element_mean, element_sd = self.stats.element_im[element_id]
        return 0.5 * (im - mean) / sd + 0.5 * (im - element_mean) / element_sd

    def _scored(self, track: str) -> list[_Scored]:
        codes = self.family.ic_codes if track == TRACK_IC else self.family.manager_codes
        tasks = self.team_tasks if track == TRACK_IC else self.manager_tasks
        counts = _activity_counts(tasks)
        shares = {a: counts.get(a, 0) / len(tasks) for a in self.activities} if tasks else {}
        scored = []
        for definition in statements.LIBRARY:
            if definition.people_leadership:  # the shared core comes from the content library
                continue
            evidence = [self._evidence(codes, definition.element_id, shares)]
            evidence += [
                None if (z := self._evidence(codes, s, shares)) is None else z - _SUPPORT_DISCOUNT
                for s in definition.supports
            ]
            values = [z for z in evidence if z is not None]
            if not values:
                continue
            scored.append(
                _Scored(
                    definition,
                    round(max(values), 6),  # rounded: identical inputs, identical ranking
                    self._mean_rating(codes, definition.element_id, "IM"),
                    self._mean_rating(codes, definition.element_id, "LV"),
                )
            )
        scored.sort(key=lambda s: (-s.score, s.definition.competency_id))
        return scored

    # -- selection --------------------------------------------------------------------------

    def _select(self, track: str, scored: list[_Scored]) -> list[_Scored]:
        low, high = self.settings.competencies_min, self.settings.competencies_max
        strong = sum(1 for s in scored if s.score >= _MIN_CANDIDATE_SCORE)
        total = max(low, min(high, strong, len(scored)))
        if track == TRACK_MANAGER:  # beside the four rows of the people-leadership core
            total = max(2, total - 4)
        chosen: list[_Scored] = []
        others = scored
        # breadth: the best competency of each domain, strongest domains first
        best_by_domain: dict[str, _Scored] = {}
        for s in others:
            best_by_domain.setdefault(s.definition.domain, s)
        for s in sorted(best_by_domain.values(), key=lambda s: -s.score):
            if len(chosen) < total:
                chosen.append(s)
        cap = max(2, math.ceil(0.3 * total))
        for capped in (True, False):  # relax the domain cap only if candidates run out
            while len(chosen) < total:
                pick = self._next_pick(others, chosen, cap if capped else None)
                if pick is None:
                    break
                chosen.append(pick)
        return chosen

    @staticmethod
    def _next_pick(
        candidates: list[_Scored], chosen: list[_Scored], cap: int | None
    ) -> _Scored | None:
        """The best remaining candidate, near-duplicates of chosen ones pushed down."""
        taken = {s.definition.competency_id for s in chosen}
        per_domain: dict[str, int] = {}
        for s in chosen:
            per_domain[s.definition.domain] = per_domain.get(s.definition.domain, 0) + 1
        options = []
        for s in candidates:
            cid = s.definition.competency_id
            if cid in taken or (cap is not None and per_domain.get(s.definition.domain, 0) >= cap):
                continue
            crowding = sum(len(group & taken) for group in _NEAR_DUPLICATES if cid in group)
            options.append((s.score - _NEAR_DUPLICATE_PENALTY * crowding, cid, s))
        if not options:
            return None
        return min(options, key=lambda o: (-o[0], o[1]))[2]

    # -- rows -------------------------------------------------------------------------------

    def track_rows(self, track: str, branch_values: dict[str, int]) -> list[Expectation]:
        levels = self.settings.track_levels(track)
        chosen = self._select(track, self._scored(track))
        by_score = sorted(chosen, key=lambda s: (-s.score, s.definition.competency_id))
        rank = {s.definition.competency_id: i for i, s in enumerate(by_score)}
        domain_order = list(statements.DOMAINS)
        if track == TRACK_MANAGER:  # the manager track leads with what makes it a different job
            domain_order.remove(statements.PEOPLE_LEADERSHIP)
            domain_order.insert(0, statements.PEOPLE_LEADERSHIP)
        ordered = sorted(
            chosen,
            key=lambda s: (
                domain_order.index(s.definition.domain),
                rank[s.definition.competency_id],
            ),
        )
        codes = self.family.ic_codes if track == TRACK_IC else self.family.manager_codes
        rated_lvs = [s.lv for s in chosen if s.lv is not None]
        track_lv = sum(rated_lvs) / len(rated_lvs) if rated_lvs else _DEFAULT_LV
        people_lv = self._mean_rating(codes, _PEOPLE_LV_ELEMENT, "LV") or track_lv
        anchor = self._anchor_index(track, codes, len(levels))
        stages = statements.level_stages(levels, track)
        used_tasks: dict[str, int] = {}
        rows: list[Expectation] = []
        cells: dict[str, list[str]] = {}
        values: dict[str, list[int]] = {}
        for s in ordered:
            d = s.definition
            lv = s.lv if s.lv is not None else people_lv if d.people_leadership else track_lv
            # people leadership is the manager job itself: it grows at the fastest pace
            weight = (
                1.0 if d.people_leadership else 1 - rank[d.competency_id] / max(1, len(chosen) - 1)
            )
            curve = self._curve(lv, weight, anchor, len(levels))
            expected = [self.settings.scale.clamp(_round_half_up(x)) for x in curve]
            if d.competency_id in branch_values:
                # someone who branches into management keeps what the branch level expected
                expected = [max(v, branch_values[d.competency_id]) for v in expected]
            values[d.competency_id] = expected
            tiers = [self._tier(d.element_id, x) for x in curve]
            cells[d.competency_id] = self._statements(track, d, stages, tiers, used_tasks)
        for s in ordered:
            d = s.definition
            texts = statements.distinct(cells[d.competency_id], levels)
            for index, level in enumerate(levels):
                rows.append(
                    Expectation(
                        family_id=self.family.family_id,
                        track=track,
                        level=level.code,
                        competency_id=d.competency_id,
                        competency=d.name,
                        domain=d.domain,
                        expected=values[d.competency_id][index],
                        statement=texts[index],
                        onet_element_id=d.element_id,
                        onet_im=None if s.im is None else round(s.im, 2),
                        onet_lv=None if s.lv is None else round(s.lv, 2),
                    )
                )
        # rows are grouped by level so the sheet reads one level at a time
        order = {lv.code: i for i, lv in enumerate(levels)}
        return sorted(rows, key=lambda r: order[r.level])

    def _anchor_index(self, track: str, codes: tuple[str, ...], count: int) -> int:
        """The level the occupation's typical worker sits at, from the codes' Job Zones.

        IC: Job Zone 4-5 (a degree and several years) sits mid-track (L3 of 5); Job Zone 1-3
        a quarter of the way up (L2 of 5). Manager: Job Zone 4-5 managers sit a third of the way
        up (M2 of 4); first-line supervisors (Job Zone 3) at the first manager level.
        """
        zones = [
            z
            for code in codes
            if (occ := self.catalog.occupations.get(code)) and (z := occ.job_zone) is not None
        ]
        zone = sum(zones) / len(zones) if zones else _DEFAULT_JOB_ZONE
        senior = zone >= 3.5
        ic_fraction, manager_fraction = (0.5, 1 / 3) if senior else (0.25, 0.0)
        fraction = ic_fraction if track == TRACK_IC else manager_fraction
        return _round_half_up(fraction * (count - 1))

    def _curve(self, lv: float, weight: float, anchor: int, count: int) -> list[float]:
        """Unrounded expected proficiency per level of a track.

        A track spreads its levels evenly over the scale (L1 at the bottom, the top level at the
        top). The anchor level - where the occupation's typical worker sits - moves up or down
        from its even-spread point by the O*NET level: LV 4 (O*NET's "intermediate" anchor)
        leaves it there, each LV point above or below moves it by 1/6 of the scale (at most a
        quarter of the scale either way). From the
        anchor each level steps by 0.75-1.25 times the even spread, more important competencies
        stepping faster.
        """
        scale = self.settings.scale
        span = scale.maximum - scale.minimum
        spread = span / max(1, count - 1)
        # capped at a quarter of the scale (one point of 1-5): O*NET's extreme LVs (6+) would
        # otherwise put "role model" at the typical worker's level
        shift = (min(7.0, max(1.0, lv)) - _DEFAULT_LV) / 6 * span
        at_anchor = scale.minimum + anchor * spread + max(-span / 4, min(span / 4, shift))
        step = spread * (0.75 + 0.5 * weight)
        return [
            min(float(scale.maximum), max(float(scale.minimum), at_anchor + (i - anchor) * step))
            for i in range(count)
        ]

    def _tier(self, element_id: str, value: float) -> int:
        """Which O*NET level anchor (LV ~2 / 4 / 6) the level's target is nearest to."""
        scale = self.settings.scale
        span = max(1, scale.maximum - scale.minimum)
        target_lv = 1 + (value - scale.minimum) / span * 6
        anchors = sorted(
            a.anchor_value for a in self.catalog.anchors.get(element_id, ()) if a.scale_id == "LV"
        ) or [2.0, 4.0, 6.0]
        nearest = min(range(len(anchors)), key=lambda i: (abs(anchors[i] - target_lv), i))
        return min(2, round(nearest * 2 / max(1, len(anchors) - 1)))

    def _statements(
        self,
        track: str,
        definition: statements.CompetencyDef,
        stages: list[int],
        tiers: list[int],
        used_tasks: dict[str, int],
    ) -> list[str]:
        pool = self.people_candidates if definition.people_leadership else self.team_candidates
        tasks = statements.pick_tasks(
            definition,
            pool,
            self.catalog.skill_activities.get(definition.element_id, ()),
            self.family_words,
            used_tasks,
        )
        split = 3 if track == TRACK_IC else 2  # upper stages use the "shaping" task

        def task_for(stage: int) -> statements.TaskPhrase | None:
            if not tasks:
                return None
            return tasks[-1] if stage >= split else tasks[0]

        name = self.family.name
        if track == TRACK_IC:
            return [
                statements.ic_statement(definition, stage, tier, task_for(stage), name)
                for stage, tier in zip(stages, tiers, strict=True)
            ]
        if definition.people_leadership:
            return [
                statements.people_statement(definition, stage, task_for(stage), name)
                for stage in stages
            ]
        return [
            statements.manager_statement(definition, stage, task_for(stage), name)
            for stage in stages
        ]

    def _candidates(self, tasks: list[Task]) -> list[statements.TaskCandidate]:
        candidates = []
        for task in tasks:
            phrase = statements.parse_task(
                task.task, self.stats.verbs, core=task.task_type == "Core"
            )
            if phrase is not None:
                candidates.append(
                    statements.TaskCandidate(
                        phrase, task.task.casefold(), frozenset(task.activity_element_ids)
                    )
                )
        return candidates


def _is_people_work(task: Task) -> bool:
    return statements.is_people_task(task.task) or bool(
        set(task.activity_element_ids) & statements.PEOPLE_ACTIVITIES
    )
