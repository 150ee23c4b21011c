"""The company settings file (TOML): frozen, typed, validated with every problem at once.

The commented default file in ``data/default_settings.toml`` is the single source of the
defaults: ``default_settings()`` parses it, and ``laddersheet init`` copies it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from .errors import SettingsError

TRACK_IC = "IC"
TRACK_MANAGER = "M"
TRACKS = (TRACK_IC, TRACK_MANAGER)

_PLACEHOLDERS = {"noun", "function"}
_LEVEL_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,5}$")


@dataclass(frozen=True, slots=True)
class ScalePoint:
    value: int
    label: str
    meaning: str


@dataclass(frozen=True, slots=True)
class Scale:
    points: tuple[ScalePoint, ...]

    @property
    def minimum(self) -> int:
        return self.points[0].value

    @property
    def maximum(self) -> int:
        return self.points[-1].value

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)

    def label(self, value: int) -> str:
        return self.points[value - self.minimum].label

    def clamp(self, value: float) -> int:
        return int(min(self.maximum, max(self.minimum, round(value))))


@dataclass(frozen=True, slots=True)
class LevelSpec:
    code: str
    track: str  # TRACK_IC or TRACK_MANAGER
    title: str  # pattern with {noun} and/or {function}
    scope: str
    autonomy: str
    years: str
    ic_equivalent: str | None = None  # manager levels only

    def title_for(self, noun: str, function: str) -> str:
        return self.title.format(noun=noun, function=function)


@dataclass(frozen=True, slots=True)
class CustomFamily:
    """A family the company adds from O*NET codes; drafted from the cross-family library."""

    family_id: str
    name: str
    title_noun: str
    description: str
    ic_codes: tuple[str, ...]
    manager_codes: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    company: str
    cycle: str
    created: str  # ISO date, stamped into workbooks so generation is reproducible
    scale: Scale
    ic_levels: tuple[LevelSpec, ...]
    manager_levels: tuple[LevelSpec, ...]
    branch_level: str
    families: tuple[str, ...] | None  # None = every family in the catalog
    competencies_min: int
    competencies_max: int
    title_nouns: dict[str, str] = field(default_factory=dict)
    custom_families: tuple[CustomFamily, ...] = ()
    source: str = "<defaults>"
    digest: str = ""  # sha256 of the file's text: binds generated workbooks to their settings

    def track_levels(self, track: str) -> tuple[LevelSpec, ...]:
        return self.ic_levels if track == TRACK_IC else self.manager_levels

    @property
    def levels(self) -> tuple[LevelSpec, ...]:
        return self.ic_levels + self.manager_levels

    def level(self, code: str) -> LevelSpec | None:
        return next((lv for lv in self.levels if lv.code == code), None)

    def next_level(self, code: str) -> LevelSpec | None:
        """The next level up the same track, or None at the top of a track."""
        spec = self.level(code)
        if spec is None:
            return None
        track = self.track_levels(spec.track)
        index = track.index(spec)
        return track[index + 1] if index + 1 < len(track) else None


def default_settings_text() -> str:
    return (files("laddersheet") / "data" / "default_settings.toml").read_text(encoding="utf-8")


def default_settings() -> Settings:
    return parse_settings(default_settings_text(), source="<defaults>")


def load_settings(path: Path | None, known_families: Sequence[str] | None = None) -> Settings:
    """Settings from ``path``, or the defaults when ``path`` is None.

    With ``known_families`` (the catalog's ids), family ids are checked with every other
    problem, so one run lists them all, each with its line.
    """
    if path is None:
        return default_settings()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(
            str(path), ["file not found: run `laddersheet init` to create one"]
        ) from None
    except UnicodeDecodeError:
        raise SettingsError(str(path), ["not UTF-8 text: save it as UTF-8 and try again"]) from None
    return parse_settings(text, source=str(path), known_families=known_families)


def parse_settings(
    text: str, source: str = "<string>", known_families: Sequence[str] | None = None
) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(source, [f"not valid TOML: {exc}"]) from None
    checker = _Checker(source, _LineIndex(text))
    checker.known_families = None if known_families is None else list(known_families)
    settings = checker.settings(data)
    if checker.problems:
        raise SettingsError(source, checker.problems)
    assert settings is not None
    return settings


def write_default_settings(path: Path, *, force: bool = False) -> Path:
    from .errors import InputError

    if path.exists() and not force:
        raise InputError(f"{path} already exists: pass --force to overwrite it.")
    path.write_text(default_settings_text(), encoding="utf-8")
    return path


class _LineIndex:
    """Maps dotted key paths to line numbers, so errors can say where to look.

    tomllib keeps no positions; settings files are small and hand-written, so scanning headers
    and ``key =`` lines finds the line a person would point at.
    """

    _header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?")
    _key = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=")
    _inline_value = re.compile(r"\bvalue\s*=")

    def __init__(self, text: str):
        self.lines: dict[str, int] = {}
        table = ""
        counts: dict[str, int] = {}
        inline_counts: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if (match := self._header.match(line)) and not line.lstrip().startswith("#"):
                name = match.group(1).replace('"', "")
                if line.lstrip().startswith("[["):
                    table = f"{name}[{counts.get(name, 0)}]"
                    counts[name] = counts.get(name, 0) + 1
                else:
                    table = name
                self.lines.setdefault(table, number)
                continue
            if match := self._key.match(line):
                key = match.group(1).replace('"', "")
                self.lines.setdefault(f"{table}.{key}" if table else key, number)
            if self._inline_value.search(line) and line.lstrip().startswith("{"):
                # one inline table per line in arrays such as scale.points
                index = inline_counts.get(table, 0)
                inline_counts[table] = index + 1
                self.lines.setdefault(f"{table}.points[{index}]", number)

    def find(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


class _Checker:
    known_families: list[str] | None = None  # the catalog's ids, when family ids are checked

    def __init__(self, source: str, index: _LineIndex):
        self.source = source
        self.index = index
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        line = self.index.find(path)
        where = f"line {line}, " if line else ""
        self.problems.append(f"{where}{path}: {message}")

    def table(self, data: dict[str, Any], path: str, allowed: set[str]) -> dict[str, Any]:
        value = data.get(path.rsplit(".", 1)[-1], {})
        if not isinstance(value, dict):
            self.problem(path, f"must be a table ([{path}]), got {_kind(value)}")
            return {}
        self.unknown(value, path, allowed)
        return value

    def unknown(self, data: dict[str, Any], path: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.problem(f"{path}.{key}" if path else key, f"unknown key (allowed: {hint})")

    def text(self, data: dict[str, Any], key: str, path: str, default: str | None = None) -> str:
        if key not in data:
            if default is None:
                self.problem(path, f"missing required key '{key}'")
                return ""
            return default
        value = data[key]
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", f"must be text in double quotes, got {_kind(value)}")
            return ""
        if not value.strip():
            self.problem(f"{path}.{key}", "must not be empty")
        return value.strip()

    def integer(self, data: dict[str, Any], key: str, path: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{path}.{key}", f"must be a whole number, got {_kind(value)}")
            return default
        return value

    def settings(self, data: dict[str, Any]) -> Settings | None:
        self.unknown(
            data,
            "",
            {
                "company",
                "scale",
                "ladder",
                "title_nouns",
                "ic_levels",
                "manager_levels",
                "custom_families",
            },
        )
        company = self.table(data, "company", {"name", "cycle", "created"})
        name = self.text(company, "name", "company", default="Example Company")
        cycle = self.text(company, "cycle", "company", default="Review Cycle")
        created = self.created(company.get("created", "2026-01-01"))
        # every key is optional: a part left out takes the default file's
        scale = self.scale(data["scale"]) if "scale" in data else default_settings().scale
        ic_levels = (
            self.levels(data, "ic_levels", TRACK_IC)
            if "ic_levels" in data
            else default_settings().ic_levels
        )
        manager_levels = (
            self.levels(data, "manager_levels", TRACK_MANAGER)
            if "manager_levels" in data
            else default_settings().manager_levels
        )
        ladder = self.table(
            data, "ladder", {"families", "competencies_min", "competencies_max", "branch_level"}
        )
        families = self.families(ladder.get("families", "all"))
        low = self.integer(ladder, "competencies_min", "ladder", 8)
        high = self.integer(ladder, "competencies_max", "ladder", 12)
        if not 3 <= low <= high <= 20:
            self.problem(
                "ladder.competencies_min",
                f"need 3 <= competencies_min <= competencies_max <= 20, got {low} and {high}",
            )
        ic_codes = [lv.code for lv in ic_levels]
        branch = self.text(
            ladder, "branch_level", "ladder", default=ic_codes[0] if ic_codes else ""
        )
        if ic_codes and branch not in ic_codes:
            self.problem(
                "ladder.branch_level", f"'{branch}' is not an IC level ({_list(ic_codes)})"
            )
        for i, level in enumerate(manager_levels):
            if level.ic_equivalent is not None and level.ic_equivalent not in ic_codes:
                self.problem(
                    f"manager_levels[{i}].ic_equivalent",
                    f"{level.code} is equivalent to '{level.ic_equivalent}', which is not an IC "
                    f"level ({_list(ic_codes)})",
                )
        self.level_order(manager_levels, ic_codes)
        codes = ic_codes + [lv.code for lv in manager_levels]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            self.problem("manager_levels", f"level code '{code}' is used more than once")
        title_nouns = self.title_nouns(data.get("title_nouns", {}))
        custom = self.custom_families(data.get("custom_families", []))
        settings = Settings(
            company=name,
            cycle=cycle,
            created=created,
            scale=scale,
            ic_levels=ic_levels,
            manager_levels=manager_levels,
            branch_level=branch,
            families=families,
            competencies_min=low,
            competencies_max=high,
            title_nouns=title_nouns,
            custom_families=custom,
            source=self.source,
            digest=hashlib.sha256(_canonical(data).encode()).hexdigest(),
        )
        if self.known_families is not None:  # reported with everything else, each with its line
            for problem in family_id_problems(settings, self.known_families):
                key, _, message = problem.partition(": ")
                self.problem(key, message)
        return None if self.problems else settings

    def created(self, value: Any) -> str:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        self.problem("company.created", f'must be a date like "2026-01-01", got {value!r}')
        return "2026-01-01"

    def scale(self, value: Any) -> Scale:
        fallback = Scale((ScalePoint(1, "Low", ""), ScalePoint(2, "High", "")))
        if not isinstance(value, dict):
            self.problem("scale", f"must be a table ([scale]), got {_kind(value)}")
            return fallback
        self.unknown(value, "scale", {"points"})
        points = value.get("points")
        if not isinstance(points, list) or not points:
            self.problem("scale.points", 'must be a list of points: { value = 1, label = "..." }')
            return fallback
        parsed: list[ScalePoint] = []
        for i, point in enumerate(points):
            path = f"scale.points[{i}]"
            if not isinstance(point, dict):
                self.problem(path, f"must be {{ value = ..., label = ... }}, got {_kind(point)}")
                continue
            self.unknown(point, path, {"value", "label", "meaning"})
            number = point.get("value")
            if isinstance(number, bool) or not isinstance(number, int):
                self.problem(path, f"value must be a whole number, got {number!r}")
                continue
            label = self.text(point, "label", path)
            meaning = self.text(point, "meaning", path, default="")
            parsed.append(ScalePoint(number, label, meaning))
        if len(points) < 2:
            self.problem("scale.points", "a scale needs at least 2 points (e.g. 1-4 or 1-5)")
        if len(points) > 10:
            self.problem("scale.points", f"a scale has at most 10 points, got {len(points)}")
        values = [p.value for p in parsed]
        if values and values != list(range(values[0], values[0] + len(values))):
            self.problem(
                "scale.points",
                f"values must be whole numbers counting up by 1 (e.g. 1,2,3,4,5), got {values}",
            )
        if values and (values[0] < 0 or values[-1] > 10):
            self.problem("scale.points", f"values must lie between 0 and 10, got {values}")
        labels = [p.label.casefold() for p in parsed]
        for label in sorted({x for x in labels if labels.count(x) > 1}):
            self.problem("scale.points", f"label '{label}' is used for more than one point")
        for point in parsed:
            if point.label.strip().isdigit():
                self.problem("scale.points", f"label '{point.label}' must be words, not a number")
        return Scale(tuple(parsed)) if len(parsed) >= 2 else fallback

    def levels(self, data: dict[str, Any], key: str, track: str) -> tuple[LevelSpec, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.problem(key, f"must list at least one level as [[{key}]] tables")
            return ()
        minimum = 2 if track == TRACK_IC else 1
        if len(value) < minimum or len(value) > 10:
            self.problem(key, f"needs between {minimum} and 10 levels, got {len(value)}")
        allowed = {"code", "title", "scope", "autonomy", "years"}
        if track == TRACK_MANAGER:
            allowed.add("ic_equivalent")
        levels = []
        for i, item in enumerate(value):
            path = f"{key}[{i}]"
            if not isinstance(item, dict):
                self.problem(path, f"must be a [[{key}]] table, got {_kind(item)}")
                continue
            self.unknown(item, path, allowed)
            code = self.text(item, "code", path)
            if code and not _LEVEL_CODE.match(code):
                self.problem(
                    f"{path}.code", f"'{code}' must be a short code of letters and digits, like L3"
                )
            title = self.text(item, "title", path)
            self.title_pattern(title, f"{path}.title")
            equivalent = item.get("ic_equivalent")
            if equivalent is not None and not isinstance(equivalent, str):
                self.problem(
                    f"{path}.ic_equivalent", f"must be a level code, got {_kind(equivalent)}"
                )
                equivalent = None
            levels.append(
                LevelSpec(
                    code=code,
                    track=track,
                    title=title,
                    scope=self.text(item, "scope", path),
                    autonomy=self.text(item, "autonomy", path),
                    years=self.text(item, "years", path, default=""),
                    ic_equivalent=equivalent.strip() if equivalent else None,
                )
            )
        return tuple(levels)

    def title_pattern(self, title: str, path: str) -> None:
        names = set(re.findall(r"{([^{}]*)}", title))
        if unknown := names - _PLACEHOLDERS:
            self.problem(
                path,
                f"unknown placeholder {{{sorted(unknown)[0]}}}: use {{noun}} or {{function}}",
            )
        elif title and not names:
            self.problem(path, 'must contain {noun} or {function}, e.g. "Senior {noun}"')

    def level_order(self, manager_levels: tuple[LevelSpec, ...], ic_codes: list[str]) -> None:
        ranks = [
            ic_codes.index(lv.ic_equivalent)
            for lv in manager_levels
            if lv.ic_equivalent in ic_codes
        ]
        if ranks != sorted(ranks):
            self.problem(
                "manager_levels",
                "ic_equivalent must not go down as manager levels go up",
            )

    def families(self, value: Any) -> tuple[str, ...] | None:
        if value == "all":
            return None
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value)
        self.problem("ladder.families", f'must be "all" or a list of family ids, got {value!r}')
        return None

    def title_nouns(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            self.problem("title_nouns", f"must be a table ([title_nouns]), got {_kind(value)}")
            return {}
        nouns = {}
        for key, noun in value.items():
            if not isinstance(noun, str) or not noun.strip():
                self.problem(f"title_nouns.{key}", "must be non-empty text in double quotes")
                continue
            nouns[key] = noun.strip()
        return nouns

    def custom_families(self, value: Any) -> tuple[CustomFamily, ...]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem("custom_families", "write each family as a [[custom_families]] table")
            return ()
        found = []
        allowed = {"family_id", "name", "title_noun", "description", "ic_codes", "manager_codes"}
        for i, entry in enumerate(value):
            key = f"custom_families[{i}]"
            self.unknown(entry, key, allowed)
            family_id = self.text(entry, "family_id", key)
            if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", family_id):
                self.problem(
                    f"{key}.family_id",
                    f"'{family_id}' must be lower-case words joined by _ "
                    "(e.g. hardware_engineering)",
                )
            name = self.text(entry, "name", key)
            codes = {}
            for track_key in ("ic_codes", "manager_codes"):
                codes[track_key] = self.soc_codes(entry.get(track_key), f"{key}.{track_key}")
            found.append(
                CustomFamily(
                    family_id=family_id,
                    name=name,
                    title_noun=self.text(entry, "title_noun", key, default=name),
                    description=self.text(entry, "description", key, default=""),
                    ic_codes=codes["ic_codes"],
                    manager_codes=codes["manager_codes"],
                )
            )
        ids = [f.family_id for f in found]
        for family_id in sorted({i for i in ids if ids.count(i) > 1}):
            self.problem("custom_families", f"family_id '{family_id}' is used more than once")
        return tuple(found)

    def soc_codes(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem(path, 'write a list of O*NET-SOC codes, e.g. ["17-2061.00"]')
            return ()
        codes = tuple(v.strip() for v in value)
        for code in codes:
            if not re.fullmatch(r"\d{2}-\d{4}\.\d{2}", code):
                self.problem(path, f"'{code}' is not an O*NET-SOC code like 17-2061.00")
        return codes


def check_family_ids(settings: Settings, known: list[str]) -> None:
    """Reject family ids in the settings that the catalog does not have (names the key)."""
    problems = family_id_problems(settings, known)
    if problems:
        raise SettingsError(settings.source, problems)


def family_id_problems(settings: Settings, known: list[str]) -> list[str]:
    """``key: message`` for every family id the catalog (plus custom families) lacks."""
    problems = []
    known = known + [f.family_id for f in settings.custom_families]
    for family in settings.custom_families:
        if known.count(family.family_id) > 1:
            problems.append(
                f"custom_families: '{family.family_id}' is already a family of the catalog; "
                "choose another id"
            )
    for family_id in settings.families or ():
        if family_id not in known:
            problems.append(
                f"ladder.families: unknown family '{family_id}' (see `laddersheet families`)"
            )
    for family_id in settings.title_nouns:
        if family_id not in known:
            problems.append(f"title_nouns.{family_id}: unknown family (see `laddersheet families`)")
    return problems


def _kind(value: Any) -> str:
    names = {str: "text", int: "a number", float: "a decimal number", bool: "true/false"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _list(codes: list[str]) -> str:
    return ", ".join(codes) if codes else "none defined"


def _canonical(data: Any) -> str:
    import json

    return json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
