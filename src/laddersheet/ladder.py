"""The ladder model: what the master workbook holds, independent of any spreadsheet code.

The long table of ``Expectation`` rows is the canonical form: it is what the master's
Expectations sheet stores and what laddersheet reads back after HR edits, so every later stage
(scoring sheets, gaps, reports) works from it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cached_property

from . import expected
from .catalog import Catalog, code_problems, with_codes
from .catalog import Family as CatalogFamily
from .content import (
    CONTENT_BANDS,
    CONTENT_LEVELS,
    LIBRARY_FILE,
    PEOPLE_LEADERSHIP,
    CompetencyText,
    FamilyContent,
    Library,
    load_library,
)
from .errors import CatalogError, SettingsError
from .layout import LIST_SEPARATOR
from .settings import (
    TRACK_IC,
    TRACK_MANAGER,
    CustomFamily,
    LevelSpec,
    Settings,
    check_family_ids,
    default_settings,
)

REFERENCE_TASKS = 12  # O*NET tasks shown on a draft family's sheet


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
    reference_tasks: tuple[str, ...] = ()  # a draft's O*NET tasks: reference, never statements


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
    def _track_competencies(self) -> dict[tuple[str, str], tuple[str, ...]]:
        seen: dict[tuple[str, str], dict[str, None]] = {}
        for row in self.expectations:
            seen.setdefault((row.family_id, row.track), {}).setdefault(row.competency_id, None)
        return {key: tuple(ids) for key, ids in seen.items()}

    @cached_property
    def _row_index(self) -> dict[tuple[str, str, str, str], Expectation]:
        return {(r.family_id, r.track, r.level, r.competency_id): r for r in self.expectations}

    @cached_property
    def _actions_index(self) -> dict[str, list[DevelopmentAction]]:
        """Actions by competency, in ``actions`` order (gaps asks for one per priority)."""
        index: dict[str, list[DevelopmentAction]] = {}
        for action in self.actions:
            index.setdefault(action.competency_id, []).append(action)
        return index

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
        return list(self._track_competencies.get((family_id, track), ()))

    def action_for(
        self, competency_id: str, target_level: str, family_id: str = ""
    ) -> DevelopmentAction | None:
        """The family's own action for a competency and target level, else a shared one."""
        shared = None
        for action in self._actions_index.get(competency_id, ()):
            if target_level in action.levels:
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
        Worked out once per ladder (it is frozen): a run asks for it from several places.
        """
        return self._content_digest

    @cached_property
    def _content_digest(self) -> str:
        rows = sorted(
            (r.family_id, r.track, r.level, r.competency_id, r.expected, r.statement)
            for r in self.expectations
        )
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


# --- building the ladder ----------------------------------------------------------------------
#
# Words come from the content library: a family's own file when it has one (curated), else the
# cross-family library (a draft, chosen by O*NET importance and marked as such). O*NET orders the
# competencies and shapes the expected scores (``expected.py``); the people-leadership core is on
# every manager track.


def build_ladder(settings: Settings, catalog: Catalog, library: Library | None = None) -> Ladder:
    """The ladder for every family the settings ask for, catalog and custom ones.

    Deterministic: the same settings, catalog and content always give an identical ``Ladder``.
    """
    library = library if library is not None else load_library()
    check_family_ids(settings, list(catalog.families))
    catalog = _with_custom_codes(settings, catalog)
    sources = {
        **catalog.families,
        **{f.family_id: _custom_source(f) for f in settings.custom_families},
    }
    family_ids = settings.families if settings.families is not None else tuple(sources)
    families: list[LadderFamily] = []
    expectations: list[Expectation] = []
    competencies: dict[str, Competency] = {}
    actions: list[DevelopmentAction] = []
    for family_id in dict.fromkeys(family_ids):
        source = sources[family_id]
        content = library.families.get(family_id) or _draft(settings, catalog, source, library)
        builder = _FamilyBuilder(
            settings,
            catalog,
            source,
            content,
            library.people,
            curated=family_id in library.families,
        )
        families.append(builder.family())
        rows = builder.rows(TRACK_IC) + builder.rows(TRACK_MANAGER)
        expectations.extend(_level_order(settings, rows))
        actions.extend(builder.actions())
        for competency in builder.competencies(rows):
            competencies.setdefault(competency.competency_id, competency)
    actions.extend(_people_actions(settings, library.people))
    return Ladder(
        settings=settings,
        families=tuple(families),
        competencies=tuple(competencies.values()),
        expectations=tuple(expectations),
        actions=tuple(_unique(actions)),
        releases=catalog.releases,
        attribution=catalog.attribution,
    )


def _unique(actions: list[DevelopmentAction]) -> list[DevelopmentAction]:
    return list(dict.fromkeys(actions))


def _custom_source(family: CustomFamily) -> CatalogFamily:
    return CatalogFamily(
        family_id=family.family_id,
        name=family.name,
        title_noun=family.title_noun,
        ic_codes=family.ic_codes,
        manager_codes=family.manager_codes,
        description=family.description,
    )


def _with_custom_codes(settings: Settings, catalog: Catalog) -> Catalog:
    """The catalog with the ratings of the custom families' codes; names unusable codes."""
    problems = []
    for i, family in enumerate(settings.custom_families):
        for key in ("ic_codes", "manager_codes"):
            for why in code_problems(catalog, getattr(family, key)).values():
                problems.append(f"custom_families[{i}].{key}: {why}")
    if problems:
        raise SettingsError(settings.source, problems)
    codes = [c for f in settings.custom_families for c in f.ic_codes + f.manager_codes]
    return with_codes(catalog, codes)


def _importance(
    catalog: Catalog, codes: tuple[str, ...], element_ids: tuple[str, ...], scale: str = "IM"
) -> float | None:
    """Mean over the rated anchors of their mean rating over the codes."""
    means = []
    for element_id in element_ids:
        found = [
            r.data_value
            for code in codes
            if (r := catalog.rating(code, element_id, scale)) is not None
            and not (r.recommend_suppress or r.not_relevant)
        ]
        if found:
            means.append(sum(found) / len(found))
    return sum(means) / len(means) if means else None


def _draft(
    settings: Settings, catalog: Catalog, source: CatalogFamily, library: Library
) -> FamilyContent:
    """A family without content of its own: the cross-family library's most important
    competencies for its O*NET codes (``competencies_min`` of them, at most three per domain,
    and two management competencies)."""
    if not library.drafts:
        raise CatalogError(
            f"No content for family '{source.family_id}' and no cross-family library "
            f"(data/content/{LIBRARY_FILE}) to draft it from: reinstall laddersheet."
        )
    chosen: list[CompetencyText] = []
    for track, codes, wanted in (
        (TRACK_IC, source.ic_codes, settings.competencies_min),
        (TRACK_MANAGER, source.manager_codes, 2),
    ):
        pool = [c for c in library.drafts if c.track == track]
        ranked = sorted(pool, key=lambda c: -(_importance(catalog, codes, c.onet) or 0.0))
        per_domain: dict[str, int] = {}
        for c in ranked:
            if len([x for x in chosen if x.track == track]) >= wanted:
                break
            if per_domain.get(c.domain, 0) < 3:
                chosen.append(c)
                per_domain[c.domain] = per_domain.get(c.domain, 0) + 1
    domains = tuple(d for d in library.draft_domains if any(c.domain == d for c in chosen))
    return FamilyContent(
        family_id=source.family_id,
        name=source.name,
        purpose=source.description,
        domains=domains,
        levels={},
        competencies=tuple(chosen),
        source=LIBRARY_FILE,
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


class _FamilyBuilder:
    """One family's rows, competencies and actions from its content (curated or drafted)."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        source: CatalogFamily,
        content: FamilyContent,
        people: tuple[CompetencyText, ...],
        *,
        curated: bool,
    ):
        self.settings = settings
        self.catalog = catalog
        self.source = source
        self.content = content
        self.curated = curated
        self.people = people
        self.people_ids = {c.competency_id for c in people}
        zones = [
            z
            for code in source.ic_codes
            if (occupation := catalog.occupations.get(code)) and (z := occupation.job_zone)
        ]
        self.senior = bool(zones) and sum(zones) / len(zones) >= expected.SENIOR_JOB_ZONE

    def family(self) -> LadderFamily:
        s, source, content = self.settings, self.source, self.content
        if not self.curated:  # a draft: the company's level patterns, O*NET tasks as reference
            tasks = [t.task for code in source.ic_codes for t in self.catalog.tasks.get(code, ())]
            return LadderFamily(
                family_id=source.family_id,
                name=source.name,
                title_noun=s.title_nouns.get(source.family_id, source.title_noun),
                description=source.description,
                ic_codes=source.ic_codes,
                manager_codes=source.manager_codes,
                reference_tasks=tuple(dict.fromkeys(tasks))[:REFERENCE_TASKS],
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

    def _texts(self, track: str) -> list[CompetencyText]:
        """The track's competencies: the family's own (at most ``competencies_max``, the most
        important kept), after the people-leadership core on the manager track."""
        own = list(self.content.track(track))
        core = list(self.people) if track == TRACK_MANAGER else []
        room = max(0, self.settings.competencies_max - len(core))
        if len(own) > room:
            codes = self.source.ic_codes if track == TRACK_IC else self.source.manager_codes
            ranked = sorted(
                own, key=lambda c: -(_importance(self.catalog, codes, c.onet) or 0.0)
            )  # stable: content order breaks ties
            keep = {c.competency_id for c in ranked[:room]}
            own = [c for c in own if c.competency_id in keep]
        return core + own

    def rows(self, track: str) -> list[Expectation]:
        texts = self._texts(track)
        if not texts:
            return []
        codes = self.source.ic_codes if track == TRACK_IC else self.source.manager_codes
        other = self.source.manager_codes if track == TRACK_IC else self.source.ic_codes
        rated = []
        for position, text in enumerate(texts):
            im = _importance(self.catalog, codes, text.onet) or _importance(
                self.catalog, other, text.onet
            )
            lv = _importance(self.catalog, codes, text.onet, "LV") or _importance(
                self.catalog, other, text.onet, "LV"
            )
            rated.append((text, im, lv, position))
        by_importance = sorted(rated, key=lambda r: (-(r[1] or 0.0), r[3]))
        values = self.values(track, [(r[0].competency_id, r[2]) for r in by_importance], {})
        # sheet order: the people-leadership core first, then the family's domains in the
        # content's order; within a domain, the most important first
        domains = [PEOPLE_LEADERSHIP, *self.content.domains]
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

    def competencies(self, rows: list[Expectation]) -> list[Competency]:
        used = {r.competency_id for r in rows}
        found = []
        for text in (*self.people, *self.content.competencies):
            if text.competency_id in used:
                shared = text.competency_id in self.people_ids or not self.curated
                category = (
                    "people_leadership"
                    if text.competency_id in self.people_ids
                    else "curated"
                    if self.curated
                    else "library"
                )
                found.append(
                    Competency(
                        competency_id=text.competency_id,
                        name=text.name,
                        domain=text.domain,
                        description=text.description,
                        onet_element_id=LIST_SEPARATOR.join(text.onet),
                        category=category,
                        family_id="" if shared else self.source.family_id,
                    )
                )
        return found

    def actions(self) -> list[DevelopmentAction]:
        """The family's own actions (a draft's library actions are shared: no family id)."""
        family_id = self.source.family_id if self.curated else ""
        found = []
        for text in self.content.competencies:
            for band, levels in level_bands(self.settings, text.track):
                action = text.actions[content_band(self.settings, text.track, levels)]
                found.append(DevelopmentAction(text.competency_id, band, levels, action, family_id))
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


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)
