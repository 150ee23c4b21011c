"""Build the curated O*NET® extract in ``seeds/onet/`` from O*NET release folders.

The raw releases are large and partly incomplete (see ``seeds/onet/SOURCE.md``), so laddersheet
ships a small, committed extract for the mapped job families only. The build is byte-for-byte
reproducible: no timestamps, deterministic sorting, UTF-8 with ``\\n`` line endings.

Each input is found in either official layout (``Name.txt`` tab-delimited or ``Name.xlsx``) in
the newest given release that has it. Files are checked by Element ID prefix, never trusted by
name, and both layouts are normalised to the text release's spelling so they give identical
CSVs.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import python_calamine

from .errors import OnetError

# Where SOURCE.md says the raw release folders live, relative to the repository root. Used
# only to print the rebuild command, so the output does not depend on the caller's paths.
RAW_HINT = "../shared/onet-raw"

SOC_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
FAMILY_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
README_RELEASE = re.compile(r"O\*NET\s+(\d+\.\d+)\s+Database")


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One O*NET file the build reads: its columns and, if it has them, Element ID prefixes."""

    name: str
    columns: tuple[str, ...]
    # column -> allowed Element ID prefixes; catches a file saved under the wrong name.
    prefixes: tuple[tuple[str, tuple[str, ...]], ...] = ()


RATING_COLUMNS = ("O*NET-SOC Code", "Element ID", "Scale ID", "Data Value", "N")
RATING_FLAGS = ("Recommend Suppress", "Not Relevant")

SKILLS = InputSpec("Skills", RATING_COLUMNS + RATING_FLAGS, (("Element ID", ("2.A.", "2.B.")),))
KNOWLEDGE = InputSpec("Knowledge", RATING_COLUMNS + RATING_FLAGS, (("Element ID", ("2.C.",)),))
# 29.x Work Styles (1.C.*, IM scale) has no "Not Relevant" column. The 30.1 file uses a new
# taxonomy (1.D.*, WI/DR scales) and is rejected here by its prefix.
WORK_STYLES = InputSpec(
    "Work Styles", (*RATING_COLUMNS, "Recommend Suppress"), (("Element ID", ("1.C.",)),)
)
OCCUPATIONS = InputSpec("Occupation Data", ("O*NET-SOC Code", "Title", "Description"))
JOB_ZONES = InputSpec("Job Zones", ("O*NET-SOC Code", "Job Zone"))
CONTENT_MODEL = InputSpec("Content Model Reference", ("Element ID", "Element Name", "Description"))
ANCHORS = InputSpec(
    "Level Scale Anchors", ("Element ID", "Scale ID", "Anchor Value", "Anchor Description")
)
TASKS = InputSpec("Task Statements", ("O*NET-SOC Code", "Task ID", "Task", "Task Type"))
TASKS_TO_DWAS = InputSpec(
    "Tasks to DWAs", ("O*NET-SOC Code", "Task ID", "DWA ID"), (("DWA ID", ("4.A.",)),)
)
DWA_REFERENCE = InputSpec(
    "DWA Reference",
    ("Element ID", "DWA ID", "DWA Title"),
    (("Element ID", ("4.A.",)), ("DWA ID", ("4.A.",))),
)
SKILLS_TO_ACTIVITIES = InputSpec(
    "Skills to Work Activities",
    ("Skills Element ID", "Work Activities Element ID"),
    (("Skills Element ID", ("2.A.", "2.B.")), ("Work Activities Element ID", ("4.A.",))),
)
INPUTS = (
    SKILLS,
    KNOWLEDGE,
    WORK_STYLES,
    OCCUPATIONS,
    JOB_ZONES,
    CONTENT_MODEL,
    ANCHORS,
    TASKS,
    TASKS_TO_DWAS,
    DWA_REFERENCE,
    SKILLS_TO_ACTIVITIES,
)

# Which scales each family code must carry, per rating file.
REQUIRED_SCALES = ((SKILLS, ("IM", "LV")), (KNOWLEDGE, ("IM", "LV")), (WORK_STYLES, ("IM",)))

CATEGORIES = (
    (("2.A.", "2.B."), "skill"),
    (("2.C.",), "knowledge"),
    (("1.C.",), "work_style"),
    (("4.A.",), "work_activity"),
)

OUTPUT_FILES = (
    "families.csv",
    "FAMILIES.md",
    "elements.csv",
    "ratings.csv",
    "anchors.csv",
    "occupations.csv",
    "tasks.csv",
    "task_activities.csv",
    "skill_activities.csv",
    "occupations_all.csv",
    "ratings_all.csv",
    "tasks_all.csv",
    "manifest.json",
    "SOURCE.md",
)


@dataclass(frozen=True, slots=True)
class Release:
    folder: Path
    number: str  # "29.2"

    @property
    def key(self) -> tuple[int, ...]:
        return release_key(self.number)


def release_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


@dataclass(frozen=True, slots=True)
class Table:
    """One input file, read and normalised to the text layout's strings."""

    spec: InputSpec
    path: Path
    release: str
    rows: tuple[dict[str, str], ...]

    @property
    def label(self) -> str:
        return f"{self.path.name} (O*NET {self.release}, {self.path.parent})"


@dataclass(frozen=True, slots=True)
class FamilySpec:
    family_id: str
    name: str
    title_noun: str
    ic_codes: tuple[str, ...]
    manager_codes: tuple[str, ...]
    description: str
    rationale: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.ic_codes + self.manager_codes))


@dataclass(frozen=True, slots=True)
class BuildSummary:
    out: Path
    releases: tuple[str, ...]
    families: int
    codes: int
    elements: int
    ratings: int
    tasks: int
    files: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"Wrote {len(self.files)} files to {self.out} from O*NET "
            f"{' and '.join(self.releases)}: {self.families} families, {self.codes} "
            f"occupations, {self.elements} elements, {self.ratings} ratings, "
            f"{self.tasks} tasks."
        )


# --- reading releases -------------------------------------------------------------------------


def read_release(folder: Path) -> Release:
    readme = folder / "Read Me.txt"
    if not readme.is_file():
        raise OnetError(
            f"{folder}: no 'Read Me.txt'. Pass an unmodified O*NET release folder "
            "(e.g. db_29_2_text or db_29_0_excel); its Read Me names the release."
        )
    first = readme.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
    match = README_RELEASE.search(first[0]) if first else None
    if match is None:
        raise OnetError(
            f"{readme}: the first line should name the release, like 'O*NET 29.2 Database'."
        )
    return Release(folder, match.group(1))


def _cell_text(value: object) -> str:
    """Spell an Excel cell the way the text release does (8.0 -> "8")."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return "" if value is None else str(value).strip()


def _read_rows(path: Path) -> list[list[str]]:
    try:
        if path.suffix == ".xlsx":
            sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            return [[_cell_text(v) for v in row] for row in sheet.to_python()]
        with path.open(encoding="utf-8", newline="") as f:
            # O*NET text files are unquoted: a '"' in a task statement is literal.
            return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    except (OSError, UnicodeDecodeError, ValueError, python_calamine.CalamineError) as e:
        raise OnetError(f"{path}: cannot be read as an O*NET file ({e}).") from e


def read_table(spec: InputSpec, path: Path, release: str) -> Table:
    raw = _read_rows(path)
    header = [h.strip() for h in raw[0]] if raw else []
    missing = [c for c in spec.columns if c not in header]
    if missing:
        raise OnetError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; this is not "
            f"the O*NET '{spec.name}' file. Use the unmodified file from an O*NET release."
        )
    index = {c: header.index(c) for c in spec.columns}
    rows = tuple(
        {c: (r[i].strip() if i < len(r) else "") for c, i in index.items()}
        for r in raw[1:]
        if any(cell.strip() for cell in r)
    )
    for column, prefixes in spec.prefixes:
        wrong = next((row[column] for row in rows if not row[column].startswith(prefixes)), None)
        if wrong is not None:
            raise OnetError(
                f"{path}: column '{column}' has {wrong!r}, but the O*NET '{spec.name}' file "
                f"only has IDs starting with {' or '.join(prefixes)}. The file is misnamed or "
                f"from another table: put the real '{spec.name}' file there."
            )
    if not rows:
        raise OnetError(f"{path}: has no data rows; use the complete O*NET '{spec.name}' file.")
    return Table(spec, path, release, rows)


def find_inputs(releases: Sequence[Release]) -> dict[str, Table]:
    """Read every input from the newest release that has it, in either layout.

    For two folders of the same release the one given first wins.
    """
    newest_first = sorted(releases, key=lambda r: r.key, reverse=True)
    tables: dict[str, Table] = {}
    for spec in INPUTS:
        for release in newest_first:
            candidates = [release.folder / f"{spec.name}{ext}" for ext in (".txt", ".xlsx")]
            path = next((p for p in candidates if p.is_file()), None)
            if path is not None:
                tables[spec.name] = read_table(spec, path, release.number)
                break
        else:
            searched = ", ".join(str(r.folder) for r in newest_first)
            raise OnetError(
                f"'{spec.name}' missing in {searched}: expected '{spec.name}.txt' or "
                f"'{spec.name}.xlsx' from an O*NET release. Add --source for a release "
                "folder that has it."
            )
    return tables


# --- family map -------------------------------------------------------------------------------


def default_family_map() -> Path:
    return Path(str(resources.files("laddersheet") / "data" / "families.toml"))


def load_family_map(path: Path) -> tuple[FamilySpec, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise OnetError(f"{path}: cannot read the family map ({e}).") from e
    entries = data.get("family")
    if not isinstance(entries, list) or not entries:
        raise OnetError(f"{path}: no [[family]] entries; see src/laddersheet/data/families.toml.")
    families: list[FamilySpec] = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path}: family #{n} ({entry.get('family_id', '?')!s})"
        texts = ("family_id", "name", "title_noun", "description", "rationale")
        for key in texts:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise OnetError(f"{where}: '{key}' must be a non-empty string.")
        for key in ("ic_codes", "manager_codes"):
            codes = entry.get(key)
            if not isinstance(codes, list) or not codes:
                raise OnetError(f"{where}: '{key}' must list at least one O*NET-SOC code.")
            bad = [c for c in codes if not isinstance(c, str) or not SOC_CODE.match(c)]
            if bad:
                raise OnetError(f"{where}: {key} has {bad!r}; codes look like '15-1251.00'.")
        if not FAMILY_ID.match(entry["family_id"]):
            raise OnetError(f"{where}: family_id must be snake_case, like 'customer_success'.")
        families.append(
            FamilySpec(
                family_id=entry["family_id"],
                name=entry["name"].strip(),
                title_noun=entry["title_noun"].strip(),
                ic_codes=tuple(entry["ic_codes"]),
                manager_codes=tuple(entry["manager_codes"]),
                description=" ".join(entry["description"].split()),
                rationale=" ".join(entry["rationale"].split()),
            )
        )
    ids = [f.family_id for f in families]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise OnetError(f"{path}: duplicate family_id {', '.join(dupes)}.")
    return tuple(families)


# --- normalisation and sorting ----------------------------------------------------------------


def element_key(element_id: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order for Element IDs: 2.B.2 before 2.B.10."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in element_id.split("."))


def _blank_na(value: str) -> str:
    # The text release writes "n/a" where the Excel release leaves the cell empty.
    return "" if value.lower() == "n/a" else value


def _data_value(value: str, label: str) -> str:
    try:
        return f"{float(value):.2f}"
    except ValueError as e:
        raise OnetError(f"{label}: Data Value {value!r} is not a number.") from e


def _count(value: str, label: str) -> str:
    value = _blank_na(value)
    try:
        return str(int(float(value))) if value else ""
    except ValueError as e:
        raise OnetError(f"{label}: N {value!r} is not a number.") from e


def _category(element_id: str) -> str | None:
    return next((cat for pre, cat in CATEGORIES if element_id.startswith(pre)), None)


# --- the build --------------------------------------------------------------------------------


def build_seeds(sources: Sequence[Path], out: Path, family_map: Path | None = None) -> BuildSummary:
    """Build the curated extract in ``out`` from O*NET release folders (text or Excel)."""
    if not sources:
        raise OnetError("No --source given: pass at least one O*NET release folder.")
    releases = [read_release(Path(s)) for s in sources]
    family_path = family_map or default_family_map()
    families = load_family_map(family_path)
    tables = find_inputs(releases)

    codes = sorted({c for f in families for c in f.codes})
    occupations = _occupations(tables, codes, family_path)
    ratings = _ratings(tables, families, family_path)
    rated_ids = {r[1] for r in ratings}
    elements = _elements(tables[CONTENT_MODEL.name], rated_ids)
    element_ids = {e[0] for e in elements}
    tasks = _tasks(tables[TASKS.name], set(codes))
    task_links = _task_activities(tables, {(t[0], t[1]) for t in tasks}, element_ids)
    used = sorted({t.release for t in tables.values()}, key=release_key)

    out.mkdir(parents=True, exist_ok=True)
    _write_csv(
        out / "families.csv",
        ("family_id", "name", "title_noun", "ic_codes", "manager_codes", "description"),
        [
            (
                f.family_id,
                f.name,
                f.title_noun,
                ";".join(f.ic_codes),
                ";".join(f.manager_codes),
                f.description,
            )
            for f in families
        ],
    )
    _write_text(out / "FAMILIES.md", _families_md(families, occupations))
    _write_csv(out / "elements.csv", ("element_id", "name", "description", "category"), elements)
    _write_csv(
        out / "ratings.csv",
        (
            "onetsoc_code",
            "element_id",
            "scale_id",
            "data_value",
            "n",
            "recommend_suppress",
            "not_relevant",
        ),
        ratings,
    )
    _write_csv(
        out / "anchors.csv",
        ("element_id", "scale_id", "anchor_value", "anchor_description"),
        _anchors(tables[ANCHORS.name], element_ids),
    )
    _write_csv(
        out / "occupations.csv",
        ("onetsoc_code", "title", "description", "job_zone"),
        [occupations[c] for c in codes],
    )
    _write_csv(out / "tasks.csv", ("onetsoc_code", "task_id", "task", "task_type"), tasks)
    _write_csv(
        out / "task_activities.csv",
        ("onetsoc_code", "task_id", "dwa_id", "dwa_title", "activity_element_id"),
        task_links,
    )
    _write_csv(
        out / "skill_activities.csv",
        ("skill_element_id", "activity_element_id"),
        _skill_activities(tables[SKILLS_TO_ACTIVITIES.name], element_ids),
    )
    # Every rated occupation, compactly, so a company can add a family from any O*NET code.
    all_codes, wide_header, wide_rows = _all_ratings(tables, [e[0] for e in elements])
    _write_csv(
        out / "occupations_all.csv",
        ("onetsoc_code", "title", "job_zone", "rated"),
        _all_occupations(tables, all_codes),
    )
    _write_csv(out / "ratings_all.csv", wide_header, wide_rows)
    _write_csv(
        out / "tasks_all.csv",
        ("onetsoc_code", "task_id", "task"),
        _reference_tasks(tables[TASKS.name], all_codes),
    )
    inputs = [
        {"file": t.path.name, "release": t.release, "sha256": _sha256(t.path)}
        for t in sorted(tables.values(), key=lambda t: t.path.name)
    ]
    attribution = attribution_text(used)
    manifest = {"attribution": attribution, "inputs": inputs, "releases": used}
    _write_text(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _write_text(out / "SOURCE.md", _source_md(releases, tables, inputs, attribution))
    return BuildSummary(
        out=out,
        releases=tuple(used),
        families=len(families),
        codes=len(codes),
        elements=len(elements),
        ratings=len(ratings),
        tasks=len(tasks),
        files=OUTPUT_FILES,
    )


def _occupations(
    tables: dict[str, Table], codes: Iterable[str], family_path: Path
) -> dict[str, tuple[str, str, str, str]]:
    occ = {r["O*NET-SOC Code"]: r for r in tables[OCCUPATIONS.name].rows}
    zones = {r["O*NET-SOC Code"]: _blank_na(r["Job Zone"]) for r in tables[JOB_ZONES.name].rows}
    unknown = [c for c in codes if c not in occ]
    if unknown:
        raise OnetError(
            f"{family_path}: code(s) {', '.join(unknown)} are not in "
            f"{tables[OCCUPATIONS.name].label}; use current O*NET-SOC codes."
        )
    return {c: (c, occ[c]["Title"], occ[c]["Description"], zones.get(c, "")) for c in codes}


def _ratings(
    tables: dict[str, Table], families: Sequence[FamilySpec], family_path: Path
) -> list[tuple[str, ...]]:
    codes = {c for f in families for c in f.codes}
    rows: list[tuple[str, ...]] = []
    for spec, scales in REQUIRED_SCALES:
        table = tables[spec.name]
        found: dict[str, set[str]] = defaultdict(set)
        for r in table.rows:
            code, scale = r["O*NET-SOC Code"], r["Scale ID"]
            if code not in codes or scale not in scales:
                continue
            found[code].add(scale)
            rows.append(
                (
                    code,
                    r["Element ID"],
                    scale,
                    _data_value(r["Data Value"], table.label),
                    _count(r["N"], table.label),
                    _blank_na(r["Recommend Suppress"]),
                    _blank_na(r.get("Not Relevant", "")),
                )
            )
        for family in families:
            for code in family.codes:
                lacking = [s for s in scales if s not in found[code]]
                if lacking:
                    raise OnetError(
                        f"{family_path}: family '{family.family_id}' uses {code}, which has "
                        f"no {spec.name} ratings ({'/'.join(lacking)}) in {table.label}. "
                        "Several O*NET codes have tasks but no ratings: replace it with a "
                        "rated code (see the comment at the top of the family map)."
                    )
    rows.sort(key=lambda r: (r[0], element_key(r[1]), r[2]))
    return rows


ALL_TASKS_PER_CODE = 8  # core tasks kept per occupation in tasks_all.csv, as reference


def _all_ratings(
    tables: dict[str, Table], element_ids: Sequence[str]
) -> tuple[set[str], tuple[str, ...], list[tuple[str, ...]]]:
    """Every occupation with all required ratings, as one wide row each.

    Columns: the code, then ``<element> <scale>`` for every rated element and scale; a value is
    blank where O*NET has none or flags it Recommend Suppress or Not Relevant.
    """
    values: dict[str, dict[str, str]] = defaultdict(dict)
    present: dict[str, set[str]] = defaultdict(set)
    columns: list[str] = []
    wanted = set(element_ids)
    for spec, scales in REQUIRED_SCALES:
        table = tables[spec.name]
        for r in table.rows:
            code, scale, element = r["O*NET-SOC Code"], r["Scale ID"], r["Element ID"]
            if scale not in scales or element not in wanted:
                continue
            present[code].add(f"{spec.name} {scale}")
            flagged = "Y" in (r["Recommend Suppress"], r.get("Not Relevant", ""))
            values[code][f"{element} {scale}"] = (
                "" if flagged else _data_value(r["Data Value"], table.label)
            )
    required = {f"{spec.name} {scale}" for spec, scales in REQUIRED_SCALES for scale in scales}
    codes = {c for c in values if required <= present[c]}
    for element in sorted(wanted, key=element_key):
        for spec, scales in REQUIRED_SCALES:
            if element.startswith(_prefixes(spec)):
                columns += [f"{element} {scale}" for scale in scales]
    rows = [(c, *(values[c].get(col, "") for col in columns)) for c in sorted(codes)]
    return codes, ("onetsoc_code", *columns), rows


def _prefixes(spec: InputSpec) -> tuple[str, ...]:
    return next(p for column, p in spec.prefixes if column == "Element ID")


def _all_occupations(tables: dict[str, Table], rated: set[str]) -> list[tuple[str, ...]]:
    zones = {r["O*NET-SOC Code"]: _blank_na(r["Job Zone"]) for r in tables[JOB_ZONES.name].rows}
    rows = [
        (code, r["Title"], zones.get(code, ""), "Y" if code in rated else "N")
        for r in tables[OCCUPATIONS.name].rows
        if (code := r["O*NET-SOC Code"])
    ]
    return sorted(rows)


def _reference_tasks(table: Table, codes: set[str]) -> list[tuple[str, str, str]]:
    by_code: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in table.rows:
        code = r["O*NET-SOC Code"]
        if code in codes and _blank_na(r["Task Type"]) == "Core":
            by_code[code].append((code, r["Task ID"], r["Task"]))
    rows = []
    for code in sorted(by_code):
        rows += sorted(by_code[code], key=lambda t: int(t[1]))[:ALL_TASKS_PER_CODE]
    return rows


def _elements(content_model: Table, rated_ids: set[str]) -> list[tuple[str, str, str, str]]:
    ids = [r["Element ID"] for r in content_model.rows]
    # Leaf GWAs: 4.A.* elements with no children in the content model.
    parents = {i.rsplit(".", 1)[0] for i in ids if "." in i}
    wanted = rated_ids | {i for i in ids if i.startswith("4.A.") and i not in parents}
    by_id = {r["Element ID"]: r for r in content_model.rows}
    missing = sorted(wanted - by_id.keys(), key=element_key)
    if missing:
        raise OnetError(
            f"{content_model.label}: rated element(s) {', '.join(missing[:5])} are not in the "
            "content model. Use a Content Model Reference from the same or a newer release."
        )
    rows = []
    for element_id in sorted(wanted, key=element_key):
        category = _category(element_id)
        if category is None:
            continue
        r = by_id[element_id]
        rows.append((element_id, r["Element Name"], r["Description"], category))
    return rows


def _anchors(table: Table, element_ids: set[str]) -> list[tuple[str, str, str, str]]:
    rows = [
        (r["Element ID"], r["Scale ID"], r["Anchor Value"], r["Anchor Description"])
        for r in table.rows
        if r["Element ID"] in element_ids
    ]
    rows.sort(key=lambda r: (element_key(r[0]), r[1], float(r[2])))
    return rows


def _tasks(table: Table, codes: set[str]) -> list[tuple[str, str, str, str]]:
    rows = [
        (r["O*NET-SOC Code"], r["Task ID"], r["Task"], _blank_na(r["Task Type"]))
        for r in table.rows
        if r["O*NET-SOC Code"] in codes
    ]
    rows.sort(key=lambda r: (r[0], int(r[1])))
    return rows


def _task_activities(
    tables: dict[str, Table], task_keys: set[tuple[str, str]], element_ids: set[str]
) -> list[tuple[str, str, str, str, str]]:
    dwas = {r["DWA ID"]: r for r in tables[DWA_REFERENCE.name].rows}
    rows = []
    for r in tables[TASKS_TO_DWAS.name].rows:
        code, task_id, dwa_id = r["O*NET-SOC Code"], r["Task ID"], r["DWA ID"]
        if (code, task_id) not in task_keys:
            continue
        dwa = dwas.get(dwa_id)
        if dwa is None or dwa["Element ID"] not in element_ids:
            raise OnetError(
                f"{tables[TASKS_TO_DWAS.name].label}: DWA {dwa_id} is not in "
                f"{tables[DWA_REFERENCE.name].label} (or its GWA is not a content model leaf). "
                "Use DWA files from the same release."
            )
        rows.append((code, task_id, dwa_id, dwa["DWA Title"], dwa["Element ID"]))
    rows.sort(key=lambda r: (r[0], int(r[1]), element_key(r[2])))
    return rows


def _skill_activities(table: Table, element_ids: set[str]) -> list[tuple[str, str]]:
    pairs = {
        (r["Skills Element ID"], r["Work Activities Element ID"])
        for r in table.rows
        if r["Skills Element ID"] in element_ids and r["Work Activities Element ID"] in element_ids
    }
    return sorted(pairs, key=lambda p: (element_key(p[0]), element_key(p[1])))


# --- output -----------------------------------------------------------------------------------


def attribution_text(releases: Sequence[str]) -> str:
    """O*NET's "modified information" credit line, naming every release used."""
    if len(releases) == 1:
        source = f"the O*NET {releases[0]} Database"
    else:
        source = f"the O*NET {', '.join(releases[:-1])} and {releases[-1]} Databases"
    return (
        f"This page includes information from {source} by the U.S. Department of Labor, "
        "Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. "
        "O*NET® is a trademark of USDOL/ETA. laddersheet has modified all or some of this "
        "information. USDOL/ETA has not approved, endorsed, or tested these modifications."
    )


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _families_md(
    families: Sequence[FamilySpec], occupations: dict[str, tuple[str, str, str, str]]
) -> str:
    lines = [
        "# Job families and their O*NET-SOC codes",
        "",
        "Generated by `laddersheet onet build` from `src/laddersheet/data/families.toml`;",
        "edit that file, not this one. Every code has Skills, Knowledge and Work Styles",
        "ratings in the O*NET® releases used (see SOURCE.md).",
        "",
    ]
    for f in families:
        lines += [
            f"## {f.name} (`{f.family_id}`)",
            "",
            f"IC title: {f.title_noun}. {f.description}",
            "",
            "- IC codes: " + "; ".join(f"{c} {occupations[c][1]}" for c in f.ic_codes),
            "- Manager codes: " + "; ".join(f"{c} {occupations[c][1]}" for c in f.manager_codes),
            "",
            f"Why: {f.rationale}",
            "",
        ]
    return "\n".join(lines)


def _source_md(
    releases: Sequence[Release],
    tables: dict[str, Table],
    inputs: Sequence[dict[str, str]],
    attribution: str,
) -> str:
    folders: dict[str, set[str]] = defaultdict(set)
    for t in tables.values():
        folders[t.release].add(t.path.parent.name)
    used = sorted(folders, key=release_key)
    command = " ".join(
        ["laddersheet onet build"]
        + [f"--source {RAW_HINT}/{r.folder.name}" for r in releases]
        + ["--out seeds/onet"]
    )
    lines = [
        "# Source of the O*NET® extract in this folder",
        "",
        "Everything here except `families.csv` and `FAMILIES.md` (our mapping) is selected",
        "from O*NET® database releases by `laddersheet onet build`. Do not edit by hand:",
        "rebuild instead. The build is reproducible byte for byte.",
        "",
        "## Releases",
        "",
        *[f"- O*NET {n} Database (`{'`, `'.join(sorted(folders[n]))}`)" for n in used],
        "",
        "## Input files",
        "",
        "| File | Release | SHA-256 |",
        "|---|---|---|",
        *[f"| `{i['file']}` | {i['release']} | `{i['sha256']}` |" for i in inputs],
        "",
        "## Rebuild",
        "",
        "From the repository root, with the raw O*NET release folders in",
        f"`{RAW_HINT}/`:",
        "",
        "```",
        command,
        "```",
        "",
        "Each input is taken from the newest release given that has it, as `Name.txt`",
        "(tab-delimited) or `Name.xlsx`. Both layouts give the same output: `data_value` is",
        'written with 2 decimals as in the text release ("4.12"), `n` as an integer, and',
        "`n/a` (text layout) or an empty cell (Excel layout) as an empty field.",
        "",
        "## Every rated occupation",
        "",
        "The catalog's families use the files above. So that a company can add a family",
        "from any O*NET-SOC code (settings `[[custom_families]]`), three compact files cover",
        "every occupation of the release: `occupations_all.csv` (code, title, Job Zone, and",
        "whether it has all the Skills, Knowledge and Work Styles ratings), `ratings_all.csv`",
        "(one row per rated occupation, one column per element and scale; blank where O*NET",
        "has no value or flags it Recommend Suppress or Not Relevant) and `tasks_all.csv`",
        f"(the first {ALL_TASKS_PER_CODE} Core tasks of each rated occupation, shown to HR as",
        "reference, never as statements).",
        "",
        "## What is not in the raw data",
        "",
        "The stored copies of the raw releases lack the large per-occupation rating files",
        "for **Work Activities** and **Abilities**, so this extract has no Work Activities",
        "or Abilities ratings, and none are invented. As a relevance proxy for work",
        "activities, `task_activities.csv` links each task to its Detailed Work Activities",
        "(`Tasks to DWAs` joined with `DWA Reference`) and so to a Generalized Work",
        "Activity element (`4.A.*`). These are task-to-activity links, not Importance or",
        "Level ratings. GWA definitions come from `Content Model Reference` and their level",
        "anchors from `Level Scale Anchors`.",
        "",
        "## Work Styles",
        "",
        "The Work Styles ratings are the O*NET 29.2 ones (elements `1.C.*`, Importance scale",
        "`IM`), the taxonomy in use in the same release as the occupations, tasks and",
        "content model here. The O*NET 30.1 Work Styles file uses a new taxonomy (21 styles,",
        "`1.D.*`, scales `WI` and `DR`) that does not match the 29.x content model, anchors",
        "and the 29.0 Skills and Knowledge ratings, so it is not used.",
        "",
        "## Licence and attribution",
        "",
        "The O*NET® database is licensed under the Creative Commons Attribution 4.0",
        "International licence (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/).",
        "laddersheet selects, rewrites and combines O*NET information, so it uses O*NET's",
        "wording for modified information (https://www.onetcenter.org/license_db.html):",
        "",
        f"> {attribution}",
        "",
        'Trademark rule: "O*NET" is used as an adjective followed by a generic noun ("O*NET',
        'data", "the O*NET database"), never on its own as a noun, and with the ® symbol.',
        "",
        "Our changes: `families.csv` and `FAMILIES.md` are laddersheet's own mapping of job",
        "families to O*NET-SOC codes; every other file is a subset of the O*NET files listed",
        "above, with the normalisation described under Rebuild.",
        "",
    ]
    return "\n".join(lines)
