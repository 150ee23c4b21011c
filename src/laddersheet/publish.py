"""The ladder as a static website employees can read: an index of families and a page per family.

``build_site`` turns a ``Ladder`` into files (relative path → bytes): plain HTML with the
stylesheet and script inline, no external requests, relative links only, so the folder works
from a file share, an intranet or a laptop. Templates live in ``data/site/`` (Jinja2 with
autoescaping: everything HR typed is text, never markup). ``write_site`` replaces the output
folder as a whole, atomically, and refuses a folder that holds anything but an earlier site
unless forced. The same ladder always gives the same bytes.

The "what changes" view compares two levels of a family competency by competency: a competency
differs when it is on one level only, or when its expected score or statement changed. Every
step up a track (and the branch onto the manager track) is rendered in the HTML; with
JavaScript on, two selects compare any two levels (``#diff=L2..L3`` in the address picks them).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import __version__
from .errors import InputError
from .ladder import Expectation, Ladder, LadderFamily
from .settings import TRACK_IC, TRACK_MANAGER, LevelSpec

SITE_MARKER = ".laddersheet-site"  # lists the files of a site laddersheet wrote
INDEX = "index.html"
FAMILY_DIR = "families"
TRACK_NAMES = {TRACK_IC: "Individual contributor (IC) track", TRACK_MANAGER: "Manager track"}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10))} | {
    f"lpt{i}" for i in range(10)
}

Progress = Callable[[Path], None]


@dataclass(frozen=True)
class DiffRow:
    """One competency that differs between two levels (``before``/``after`` None: absent)."""

    competency_id: str
    competency: str
    domain: str
    before: Expectation | None
    after: Expectation | None


@dataclass(frozen=True)
class PublishResult:
    out_dir: Path
    pages: list[Path]
    families: int
    drafts: list[str]  # names of families whose content is a draft (marked on the site)


def site_dir() -> Path:
    return Path(str(resources.files("laddersheet") / "data" / "site"))


def level_diff(ladder: Ladder, family_id: str, before: str, after: str) -> list[DiffRow]:
    """The competencies that differ between two levels of a family, in sheet order.

    The rule the page's script applies too: on one level only, or another expected score, or
    another statement. Order: the first level's rows, then the rows new at the second.
    """
    first = {r.competency_id: r for r in _rows(ladder, family_id, before)}
    second = {r.competency_id: r for r in _rows(ladder, family_id, after)}
    order = list(first) + [cid for cid in second if cid not in first]
    diff = []
    for cid in order:
        a, b = first.get(cid), second.get(cid)
        if a and b and a.expected == b.expected and a.statement == b.statement:
            continue
        row = a or b
        assert row is not None
        diff.append(DiffRow(cid, row.competency, row.domain, a, b))
    return diff


def step_pairs(ladder: Ladder) -> list[tuple[str, str]]:
    """Every step up each track, and the branch level to the first manager level."""
    pairs = []
    for track in (TRACK_IC, TRACK_MANAGER):
        codes = [lv.code for lv in ladder.settings.track_levels(track)]
        if track == TRACK_MANAGER and codes and ladder.settings.level(ladder.settings.branch_level):
            pairs.append((ladder.settings.branch_level, codes[0]))
        pairs.extend(itertools.pairwise(codes))
    return pairs


def family_page_names(families: tuple[LadderFamily, ...]) -> dict[str, str]:
    """A safe, unique file name per family id: lower-case ASCII letters, digits, - and _."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for family in families:
        stem = re.sub(r"[^a-z0-9_-]+", "-", family.family_id.lower()).strip("-_.")[:80] or "family"
        if stem in _WINDOWS_RESERVED or stem == "index":
            stem += "-family"
        candidate, n = stem, 2
        while candidate in taken:
            candidate, n = f"{stem}-{n}", n + 1
        taken.add(candidate)
        names[family.family_id] = f"{FAMILY_DIR}/{candidate}.html"
    return names


def build_site(ladder: Ladder, source_name: str = "") -> dict[str, bytes]:
    """The website's files, relative path → bytes (deterministic)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(site_dir()),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    pages = family_page_names(ladder.families)
    common = {
        "css": (site_dir() / "site.css").read_text(encoding="utf-8"),
        "company": ladder.settings.company,
        "cycle": ladder.settings.cycle,
        "scale": ladder.settings.scale.points,
        "shade": _shades(ladder),
        "attribution": ladder.attribution,
        "provenance": _provenance(ladder, source_name),
        "families": [_family_card(ladder, f, pages[f.family_id]) for f in ladder.families],
    }
    files = {
        INDEX: env.get_template("index.html.j2").render(**common, root="", levels=_levels(ladder))
    }
    script = (site_dir() / "site.js").read_text(encoding="utf-8")
    for family in ladder.families:
        context = _family_context(ladder, family)
        html = env.get_template("family.html.j2").render(**common, **context, root="../", js=script)
        files[pages[family.family_id]] = html
    out = {path: text.encode("utf-8") for path, text in files.items()}
    marker = {"generator": f"laddersheet {__version__}", "files": sorted(out)}
    out[SITE_MARKER] = (json.dumps(marker, indent=1) + "\n").encode("utf-8")
    return out


def publish_ladder(
    ladder: Ladder,
    out_dir: Path,
    *,
    source_name: str = "",
    force: bool = False,
    keep_out: tuple[Path, ...] = (),
    on_progress: Progress | None = None,
) -> PublishResult:
    """Write the site for ``ladder`` into ``out_dir`` (see ``write_site``)."""
    files = build_site(ladder, source_name)
    paths = write_site(files, out_dir, force=force, keep_out=keep_out, on_progress=on_progress)
    drafts = [f.name for f in ladder.families if not f.curated]
    pages = [p for p in paths if p.suffix == ".html"]
    return PublishResult(out_dir, pages, len(ladder.families), drafts)


def write_site(
    files: dict[str, bytes],
    out_dir: Path,
    *,
    force: bool = False,
    keep_out: tuple[Path, ...] = (),
    on_progress: Progress | None = None,
) -> list[Path]:
    """Replace ``out_dir`` by a folder holding exactly ``files``, in one rename.

    The files are written into a hidden sibling folder first; the old folder is swapped out only
    when they all are. ``out_dir`` must be new, empty, or an earlier laddersheet site (its
    marker lists every file in it), unless ``force``. ``keep_out``: paths (the master) that must
    not be inside the folder, since it is replaced.
    """
    target = out_dir.resolve()
    _check_target(out_dir, target, force, keep_out)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.publishing-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for rel, data in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if on_progress:
                on_progress(out_dir / rel)
        if target.exists():
            old = target.parent / f".{target.name}.replaced-{os.getpid()}"
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return [out_dir / rel for rel in files]


def _check_target(out_dir: Path, target: Path, force: bool, keep_out: tuple[Path, ...]) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(f"{out_dir} is a file; give a folder for the website (--out).")
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents or target.parent == target:
        raise InputError(
            f"{out_dir}: the website replaces its folder as a whole; give a new subfolder "
            "(e.g. --out site), not the current folder or one of its parents."
        )
    for keep in keep_out:
        if target in keep.resolve().parents:
            raise InputError(
                f"{out_dir}: {keep} is inside it and the folder is replaced as a whole; "
                "choose an output folder that does not hold the master."
            )
    if not target.exists() or force:
        return
    present = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    if not present:
        return
    listed = _marker_files(target / SITE_MARKER)
    if listed is None:
        raise InputError(
            f"{out_dir} is not empty and is not a website laddersheet wrote: choose another "
            "folder, or pass --force to replace everything in it."
        )
    others = [p for p in present if p not in listed and p != SITE_MARKER]
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise InputError(
            f"{out_dir} holds an earlier website and files laddersheet did not write ({shown}); "
            "move them out, or pass --force to replace the folder and lose them."
        )


def _marker_files(path: Path) -> set[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not str(data.get("generator", "")).startswith("laddersheet"):
        return None
    return {str(f) for f in files} if isinstance(files, list) else None


# --- template contexts ------------------------------------------------------------------------


def _rows(ladder: Ladder, family_id: str, level: str) -> list[Expectation]:
    spec = ladder.settings.level(level)
    return ladder.rows(family_id, spec.track, level) if spec else []


def _provenance(ladder: Ladder, source_name: str) -> dict[str, str]:
    return {
        "source": source_name,
        "generator": f"laddersheet {__version__}",
        "releases": ", ".join(ladder.releases),
        "digest": ladder.content_digest()[:12],
        "created": ladder.meta.get("created", ladder.settings.created),
    }


def _family_card(ladder: Ladder, family: LadderFamily, page: str) -> dict[str, object]:
    return {
        "family_id": family.family_id,
        "name": family.name,
        "description": family.description,
        "curated": family.curated,
        "page": page,
        "tracks": [
            {
                "name": TRACK_NAMES[track],
                "short": "IC" if track == TRACK_IC else "Manager",
                "titles": [
                    (lv.code, ladder.title(family.family_id, lv.code))
                    for lv in ladder.settings.track_levels(track)
                ],
            }
            for track in (TRACK_IC, TRACK_MANAGER)
        ],
    }


def _shades(ladder: Ladder) -> dict[int, int]:
    """Scale value → a shade 1 (lowest) to 5 (highest), whatever the scale's length."""
    values = ladder.settings.scale.values
    span = max(1, len(values) - 1)
    return {v: 1 + math.floor(4 * i / span + 0.5) for i, v in enumerate(values)}


def _levels(ladder: Ladder) -> list[dict[str, object]]:
    return [
        {"track": TRACK_NAMES[track], "levels": ladder.settings.track_levels(track)}
        for track in (TRACK_IC, TRACK_MANAGER)
    ]


def _level_keys(levels: tuple[LevelSpec, ...]) -> dict[str, str]:
    """Level code → a string safe in an HTML id and a URL fragment."""
    keys: dict[str, str] = {}
    for spec in levels:
        key = re.sub(r"[^A-Za-z0-9_-]+", "_", spec.code) or "level"
        while key in keys.values():
            key += "_"
        keys[spec.code] = key
    return keys


def _family_context(ladder: Ladder, family: LadderFamily) -> dict[str, object]:
    settings = ladder.settings
    keys = _level_keys(settings.levels)
    scale = {p.value: p.label for p in settings.scale.points}
    tracks = []
    for track in (TRACK_IC, TRACK_MANAGER):
        levels = []
        for spec in settings.track_levels(track):
            rows = ladder.rows(family.family_id, track, spec.code)
            domains: dict[str, list[Expectation]] = {}
            for row in rows:
                domains.setdefault(row.domain, []).append(row)
            levels.append(
                {
                    "code": spec.code,
                    "key": keys[spec.code],
                    "title": ladder.title(family.family_id, spec.code),
                    "summary": family.summaries.get(spec.code, ""),
                    "scope": family.scopes.get(spec.code) or spec.scope,
                    "autonomy": spec.autonomy,
                    "years": spec.years,
                    "ic_equivalent": spec.ic_equivalent or "",
                    "domains": list(domains.items()),
                    "count": len(rows),
                }
            )
        first: dict[str, Expectation] = {}
        for level in levels:
            for _domain, rows in level["domains"]:
                for row in rows:
                    first.setdefault(row.competency_id, row)
        competencies = []
        for cid, row in first.items():
            comp = ladder.competency(cid)
            competencies.append(
                {
                    "name": row.competency,
                    "domain": row.domain,
                    "description": comp.description if comp else "",
                }
            )
        tracks.append(
            {
                "code": track,
                "name": TRACK_NAMES[track],
                "levels": levels,
                "competencies": competencies,
            }
        )
    pairs: list[dict] = []
    for before, after in step_pairs(ladder):
        rows = level_diff(ladder, family.family_id, before, after)
        pairs.append(
            {
                "before": before,
                "after": after,
                "key": f"{keys[before]}-{keys[after]}",
                "before_title": ladder.title(family.family_id, before),
                "after_title": ladder.title(family.family_id, after),
                "rows": rows,
                "total": len(
                    {r.competency_id for r in _rows(ladder, family.family_id, before)}
                    | {r.competency_id for r in _rows(ladder, family.family_id, after)}
                ),
            }
        )
    data = {
        "scale": {str(value): label for value, label in scale.items()},
        "levels": [
            {
                "code": spec.code,
                "key": keys[spec.code],
                "title": ladder.title(family.family_id, spec.code),
                "track": spec.track,
            }
            for spec in settings.levels
        ],
        "rows": {
            spec.code: [
                {
                    "id": r.competency_id,
                    "name": r.competency,
                    "domain": r.domain,
                    "expected": r.expected,
                    "statement": r.statement,
                }
                for r in ladder.rows(family.family_id, spec.track, spec.code)
            ]
            for spec in settings.levels
        },
        "pairs": [[p["before"], p["after"]] for p in pairs],
    }
    return {
        "family": family,
        "tracks": tracks,
        "pairs": pairs,
        "scale_labels": scale,
        "data": data,
        "select_levels": data["levels"],
        "default_pair": pairs[0] if pairs else None,
    }
