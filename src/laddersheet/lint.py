"""The content linter: the measurable part of "a ladder people keep".

Rules (documented in ``docs/content-format.md``): five-word openings, sentences shared between
families, adjacent levels that barely differ, long statements, banned phrases, O*NET anchors
that the family's occupations do not have, and the shape of the expected scores on a generated
ladder. Problems are ``Issue`` values; the CLI and the tests decide what to do with them.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING

from . import expected
from .content import CONTENT_LEVELS, LIBRARY_FILE, CompetencyText, FamilyContent, Library
from .issues import IssueLog

if TYPE_CHECKING:
    from .catalog import Catalog
    from .ladder import Ladder

MAX_STATEMENT_WORDS = 40
MAX_EVIDENCE_WORDS = 30
MAX_ACTION_WORDS = 70
OPENING_WORDS = 5
OPENING_SHARE = 0.15
SHARED_SENTENCE_WORDS = 6
SIMILAR_LEVELS = 0.8  # word-sequence similarity of adjacent levels at or above this: too alike
FLAT_SHARE = 0.25
DRAFTS = "(library)"  # the family id the cross-family library's texts are checked under

_BANNED = (
    r"demonstrates? (?:the |an )?ability",
    r"(?:has|have|shows?) the ability to",
    r"\bis able to",
    r"\bexcellent",
    r"\bexceptional",
    r"\boutstanding",
    r"\bvery good\b",
    r"\bworld[- ]class",
    r"\bpassionate",
    r"\b(?:strong|good|solid|deep) understanding",
    r"\bbest[- ]in[- ]class",
    r"\brock ?star",
    r"\bninja",
    r"\bsynergy",
)
_BANNED_RE = re.compile("|".join(f"(?:{b})" for b in _BANNED), re.IGNORECASE)
_INNER_STATE = re.compile(r"\b(?:understands|knows|is aware|appreciates|believes)\b", re.I)
_QUALITY = frozenset(
    [
        "basic",
        "adequate",
        "good",
        "solid",
        "strong",
        "very",
        "excellent",
        "exceptional",
        "outstanding",
        "superior",
        "expert",
        "advanced",
        "deep",
        "deeper",
        "deepest",
        "greater",
        "great",
        "high",
        "higher",
        "highest",
        "some",
        "more",
        "most",
    ]
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True, slots=True)
class Text:
    """One piece of ladder text with where it came from."""

    family_id: str
    competency_id: str  # "" for level texts
    track: str
    level: str  # "" for actions
    kind: str  # statement | evidence | action | summary | scope
    text: str
    file: str
    where: str  # the key in the file, or the sheet in a workbook


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


# --- content files --------------------------------------------------------------------------


def lint_library(library: Library, catalog: Catalog, root: Path | None = None) -> IssueLog:
    """Every rule that can be checked on the content files alone (structure is ``content.py``'s)."""
    log = IssueLog()
    texts: list[Text] = []
    ids: dict[str, str] = {c.competency_id: "people_leadership.toml" for c in library.people}
    for family in library.families.values():
        file = _relative(family.source, root)
        for competency in family.competencies:
            if competency.competency_id in ids:
                log.error(
                    "duplicate-id",
                    f"competency id {competency.competency_id!r} is also used in "
                    f"{ids[competency.competency_id]}; ids must be unique across families",
                    file=file,
                    sheet=f"competency {competency.competency_id}",
                )
            ids[competency.competency_id] = file
        texts.extend(family_texts(family, file))
        if family.family_id in catalog.families:
            check_anchors(family, catalog, log, file)
        else:
            log.error(
                "unknown-family",
                f"{family.family_id!r} is not a family of the catalog (`laddersheet families`)",
                file=file,
            )
    people_file = "people_leadership.toml"
    people = [t for c in library.people for t in _competency_texts("", c, people_file)]
    # the cross-family library is checked like a family: drafts sit beside curated families
    texts += [t for c in library.drafts for t in _competency_texts(DRAFTS, c, LIBRARY_FILE)]
    for competency in library.drafts:
        for element_id in competency.onet:
            if element_id not in catalog.elements:
                log.error(
                    "unknown-anchor",
                    f"O*NET element {element_id!r} is not in seeds/onet/elements.csv",
                    file=LIBRARY_FILE,
                    sheet=f"competency {competency.competency_id}.onet",
                )
        if ids.get(competency.competency_id) is not None:
            log.error(
                "duplicate-id",
                f"competency id {competency.competency_id!r} is also used in "
                f"{ids[competency.competency_id]}",
                file=LIBRARY_FILE,
                sheet=f"competency {competency.competency_id}",
            )
    lint_texts(texts, log)
    lint_texts(people, log, cross_family=False)
    return log


def family_texts(family: FamilyContent, file: str) -> list[Text]:
    texts = []
    for level in family.levels.values():
        where = f"levels.{level.code}"
        track = "IC" if level.code in CONTENT_LEVELS["IC"] else "M"
        for kind in ("summary", "scope"):
            text = getattr(level, kind)
            texts.append(Text(family.family_id, "", track, level.code, kind, text, file, where))
    for competency in family.competencies:
        texts.extend(_competency_texts(family.family_id, competency, file))
    return texts


def _competency_texts(family_id: str, c: CompetencyText, file: str) -> list[Text]:
    key = f"competency {c.competency_id}"
    texts = []
    for level, cell in c.cells.items():
        where = f"{key}.{level}"
        cid, track = c.competency_id, c.track
        texts.append(Text(family_id, cid, track, level, "statement", cell.statement, file, where))
        for example in cell.evidence:
            texts.append(Text(family_id, cid, track, level, "evidence", example, file, where))
    for band, action in c.actions.items():
        where = f"{key}.actions.{band}"
        texts.append(Text(family_id, c.competency_id, c.track, "", "action", action, file, where))
    return texts


def check_anchors(family: FamilyContent, catalog: Catalog, log: IssueLog, file: str) -> None:
    source = catalog.families[family.family_id]
    codes = tuple(dict.fromkeys(source.ic_codes + source.manager_codes))
    for competency in family.competencies:
        rated = 0
        for element_id in competency.onet:
            status = anchor_status(catalog, codes, element_id)
            if status == "rated":
                rated += 1
            elif status != "linked":
                log.error(
                    "unknown-anchor",
                    f"O*NET element {element_id!r} {status} for {family.family_id}'s codes "
                    f"({', '.join(codes)}); `laddersheet content anchors {family.family_id}` "
                    "lists the ones that are",
                    file=file,
                    sheet=f"competency {competency.competency_id}.onet",
                )
        if not rated:
            log.error(
                "no-rated-anchor",
                "name at least one O*NET Skill, Knowledge or Work Style element rated for the "
                "family: its importance orders the competency",
                file=file,
                sheet=f"competency {competency.competency_id}.onet",
            )


def anchor_status(catalog: Catalog, codes: Iterable[str], element_id: str) -> str:
    """ "rated", "linked" (a work activity tied to the codes' tasks), or why it is neither."""
    element = catalog.elements.get(element_id)
    if element is None:
        return "is not in seeds/onet/elements.csv"
    codes = tuple(codes)
    if element.category == "work_activity":
        linked = any(
            element_id in task.activity_element_ids
            for code in codes
            for task in catalog.tasks.get(code, ())
        )
        return "linked" if linked else "is linked to no task"
    for code in codes:
        rating = catalog.rating(code, element_id, "IM")
        if rating is not None and not (rating.recommend_suppress or rating.not_relevant):
            return "rated"
    return "has no usable importance rating"


# --- text rules (content files and generated masters alike) ---------------------------------


def lint_texts(texts: list[Text], log: IssueLog, *, cross_family: bool = True) -> IssueLog:
    by_family: dict[str, list[Text]] = defaultdict(list)
    for text in texts:
        by_family[text.family_id].append(text)
        _single(text, log)
    for family_texts_ in by_family.values():
        _openings(family_texts_, log)
        _adjacent(family_texts_, log)
        _repeats(family_texts_, log)
    if cross_family:
        _shared(texts, log)
    return log


def _single(text: Text, log: IssueLog) -> None:
    limit = {"statement": MAX_STATEMENT_WORDS, "evidence": MAX_EVIDENCE_WORDS}.get(
        text.kind, MAX_ACTION_WORDS
    )
    count = len(words(text.text))
    if count > limit:
        log.error(
            f"{text.kind}-too-long",
            f"{count} words; keep a {text.kind} to {limit} words or fewer",
            file=text.file,
            sheet=text.where,
        )
    if match := _BANNED_RE.search(text.text):
        log.error(
            "banned-phrase",
            f"{match.group(0)!r}: say what the person observably does instead",
            file=text.file,
            sheet=text.where,
        )
    if text.kind == "statement" and (match := _INNER_STATE.search(text.text)):
        log.warning(
            "unobservable",
            f"{match.group(0)!r} is an inner state: name what shows it",
            file=text.file,
            sheet=text.where,
        )


def _openings(texts: list[Text], log: IssueLog) -> None:
    statements = [t for t in texts if t.kind == "statement"]
    if not statements:
        return
    openings = Counter(tuple(words(t.text)[:OPENING_WORDS]) for t in statements)
    for opening, count in openings.items():
        if len(opening) == OPENING_WORDS and count > OPENING_SHARE * len(statements):
            first = next(t for t in statements if tuple(words(t.text)[:OPENING_WORDS]) == opening)
            log.error(
                "repeated-opening",
                f"{count} of {len(statements)} statements open with {' '.join(opening)!r} "
                f"(at most {OPENING_SHARE:.0%}); vary how they start",
                file=first.file,
                sheet=first.where,
            )


def _adjacent(texts: list[Text], log: IssueLog) -> None:
    """Each statement against the one of the level below (texts come in level order)."""
    by_competency: dict[tuple[str, str], list[Text]] = defaultdict(list)
    for t in texts:
        if t.kind == "statement":
            by_competency[(t.competency_id, t.track)].append(t)
    for cells in by_competency.values():
        for lower, upper in itertools.pairwise(cells):
            _compare(lower, upper, log)


def _compare(lower: Text, upper: Text, log: IssueLog) -> None:
    a, b = words(lower.text), words(upper.text)
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    stripped = SequenceMatcher(
        None,
        [w for w in a if w not in _QUALITY],
        [w for w in b if w not in _QUALITY],
        autojunk=False,
    ).ratio()
    if stripped >= 0.95 and ratio < 1:
        log.error(
            "adjective-ladder",
            f"{upper.level} differs from {lower.level} only by adjectives; name what changes "
            "(scope, autonomy, complexity, influence or time horizon)",
            file=upper.file,
            sheet=upper.where,
        )
    elif ratio >= SIMILAR_LEVELS:
        log.error(
            "levels-too-similar",
            f"{upper.level} repeats {lower.level} with few words changed ({ratio:.0%} alike); "
            "name what changes at this level",
            file=upper.file,
            sheet=upper.where,
        )


def _repeats(texts: list[Text], log: IssueLog) -> None:
    seen: dict[tuple[str, ...], Text] = {}
    for t in texts:
        if t.kind not in ("statement", "evidence"):
            continue
        for sentence in sentences(t.text):
            key = tuple(words(sentence))
            if len(key) < SHARED_SENTENCE_WORDS:
                continue
            if key in seen and seen[key].where != t.where:
                log.error(
                    "repeated-sentence",
                    f"{sentence!r} is also in {seen[key].where}; say what is particular here",
                    file=t.file,
                    sheet=t.where,
                )
            seen.setdefault(key, t)


def _shared(texts: list[Text], log: IssueLog) -> None:
    families: dict[tuple[str, ...], dict[str, Text]] = defaultdict(dict)
    for t in texts:
        for sentence in sentences(t.text):
            key = tuple(words(sentence))
            if len(key) >= SHARED_SENTENCE_WORDS:
                families[key].setdefault(t.family_id, t)
    for key, found in families.items():
        if len(found) > 1:
            for t in found.values():
                others = ", ".join(
                    f"{o.family_id} ({o.where})" for o in found.values() if o is not t
                )
                log.error(
                    "shared-sentence",
                    f"{' '.join(key)!r} is also in {others}; write it for this family",
                    file=t.file,
                    sheet=t.where,
                )


# --- expected scores on a generated ladder ---------------------------------------------------


def lint_expectations(ladder: Ladder, file: str = "", families: Iterable[str] = ()) -> IssueLog:
    """The shape rules of expected scores, family by family and track by track."""
    log = IssueLog()
    settings = ladder.settings
    lo, hi = settings.scale.minimum, settings.scale.maximum
    floor = expected.middle(lo, hi)
    wanted = set(families)
    for family in ladder.families:
        fid = family.family_id
        if wanted and fid not in wanted:
            continue
        branch = {
            r.competency_id: r.expected for r in ladder.rows(fid, "IC", settings.branch_level)
        }
        for track in ("IC", "M"):
            levels = [lv.code for lv in settings.track_levels(track)]
            series: list[list[int]] = []
            roles: list[str] = []
            floors: list[int | None] = []
            early_top = 0
            for cid in ladder.competency_ids(fid, track):
                values = [
                    row.expected
                    for lv in levels
                    if (row := ladder.expectation(fid, track, lv, cid)) is not None
                ]
                competency = ladder.competency(cid)
                people = competency is not None and competency.category == "people_leadership"
                roles.append(
                    expected.ROLE_PEOPLE
                    if people
                    else expected.ROLE_IC
                    if track == "IC"
                    else expected.ROLE_MANAGER
                )
                series.append(values)
                floors.append(branch.get(cid) if track == "M" else None)
                where = f"{fid} {track} {cid}"
                if any(b < a for a, b in itertools.pairwise(values)):
                    log.error(
                        "not-monotonic", f"expectations go down: {values}", file=file, sheet=where
                    )
                if track == "IC" and len(values) > 2 and values[-2] == hi:
                    early_top += 1
                if people and values and values[0] < floor:
                    log.error(
                        "people-core-low",
                        f"{levels[0]} is expected {values[0]} on {competency.name}; a new "
                        f"manager is expected at least {floor}",
                        file=file,
                        sheet=where,
                    )
                if people and values and values[-1] < hi:
                    log.error(
                        "people-core-not-top",
                        f"{competency.name} never reaches {hi} on the manager track",
                        file=file,
                        sheet=where,
                    )
                if track == "M" and cid in branch and values and min(values) < branch[cid]:
                    log.error(
                        "below-branch",
                        f"the manager track expects {min(values)} but {settings.branch_level} "
                        f"already expects {branch[cid]}",
                        file=file,
                        sheet=where,
                    )
            flat = expected.flat_steps(series)
            allowed = expected.allowed_flat_steps(roles, len(levels), lo, hi, floors)
            if flat > allowed:
                steps = sum(max(0, len(v) - 1) for v in series)
                log.error(
                    "too-flat",
                    f"{flat} of {steps} level steps are flat (at most {allowed:g})",
                    file=file,
                    sheet=f"{fid} {track}",
                )
            if series and track == "IC" and early_top > FLAT_SHARE * len(series):
                log.error(
                    "top-too-early",
                    f"{early_top} of {len(series)} competencies reach {hi} before the top "
                    "level; keep the top of the scale for the top level",
                    file=file,
                    sheet=f"{fid} {track}",
                )
    return log


def ladder_texts(ladder: Ladder, file: str = "") -> list[Text]:
    """The statements of a generated ladder, people-leadership core left out (shared on purpose)."""
    texts = []
    for row in ladder.expectations:
        competency = ladder.competency(row.competency_id)
        if competency is not None and competency.category == "people_leadership":
            continue
        texts.append(
            Text(
                row.family_id,
                row.competency_id,
                row.track,
                row.level,
                "statement",
                row.statement,
                file,
                f"{row.family_id} {row.level} {row.competency_id}",
            )
        )
    return texts


def _relative(path: str, root: Path | None) -> str:
    if root is None:
        return Path(path).name
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return path


# --- what a writer may anchor on -------------------------------------------------------------


def anchor_report(catalog: Catalog, family_id: str) -> str:
    """The O*NET facts a content writer works from: codes, rated elements, linked activities.

    Tasks are listed as reference for the field's facts, never to be pasted into statements.
    """
    family = catalog.family(family_id)
    lines = [f"{family.name} ({family_id})", ""]
    for track, codes in (("IC", family.ic_codes), ("Manager", family.manager_codes)):
        for code in codes:
            occupation = catalog.occupations.get(code)
            title = occupation.title if occupation else "?"
            zone = occupation.job_zone if occupation else None
            lines.append(f"{track} code {code} {title} (Job Zone {zone})")
    lines += ["", "Rated elements (mean over the family's codes; IM 1-5, LV 0-7):"]
    codes = tuple(dict.fromkeys(family.ic_codes + family.manager_codes))
    rated = []
    for element_id, element in catalog.elements.items():
        if anchor_status(catalog, codes, element_id) != "rated":
            continue
        values = {}
        for scale in ("IM", "LV"):
            found = [
                r.data_value
                for code in codes
                if (r := catalog.rating(code, element_id, scale)) is not None
                and not (r.recommend_suppress or r.not_relevant)
            ]
            values[scale] = sum(found) / len(found) if found else None
        rated.append((values["IM"] or 0, element_id, element, values["LV"]))
    for im, element_id, element, lv in sorted(rated, key=lambda r: (-r[0], r[1])):
        level = f"{lv:.2f}" if lv is not None else "  - "
        lines.append(
            f"  {element_id:<10} IM {im:.2f}  LV {level}  {element.name} ({element.category})"
        )
    lines += ["", "Work activities linked to the family's tasks:"]
    for element_id, element in catalog.elements.items():
        if (
            element.category == "work_activity"
            and anchor_status(catalog, codes, element_id) == "linked"
        ):
            lines.append(f"  {element_id:<10} {element.name}")
    lines += ["", "O*NET tasks (facts of the field, never sentences to copy):"]
    for code in codes:
        for task in catalog.tasks.get(code, ()):
            lines.append(f"  [{code}] {task.task}")
    return "\n".join(lines)
