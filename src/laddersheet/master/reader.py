"""Reading an (HR-edited) master back into a ``Ladder``, every problem an ``Issue``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import python_calamine

from .. import layout
from ..errors import WorkbookError
from ..ladder import Competency, DevelopmentAction, Expectation, Ladder, LadderFamily
from ..settings import (
    TRACK_IC,
    TRACK_MANAGER,
    TRACKS,
    LevelSpec,
    Scale,
    ScalePoint,
    Settings,
    default_settings,
)
from ..workbook import cell_ref
from .common import TRACK_NAMES, MasterRead
from .family_sheets_reader import FamilySheetsReader
from .reader_base import _find_table, _ident, _number, _split, _Table, _text, _whole

# ====================================================================================== reading

_NOT_A_MASTER = "Pass the master template written by `laddersheet generate` (.xlsx, or .ods)."
_EXPECTATION_INPUTS = (*layout.EXPECTATION_REQUIRED, "competency", "domain")


def read_master(path: Path) -> MasterRead:
    """Read a master workbook back into a ``Ladder``, with every problem found as an Issue.

    Raises ``WorkbookError`` only when the file is not a master template at all.
    """
    path = Path(path)
    book = _open_workbook(path)
    try:
        return _MasterReader(path, book).read()
    finally:
        book.close()


def _open_workbook(path: Path) -> python_calamine.CalamineWorkbook:
    if not path.exists():
        raise WorkbookError(f"{path}: file not found. {_NOT_A_MASTER}")
    if path.is_dir():
        raise WorkbookError(f"{path}: is a folder, not a workbook. {_NOT_A_MASTER}")
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise WorkbookError(
            f"{path}: cannot be read as a spreadsheet ({exc}). {_NOT_A_MASTER}"
        ) from None


class _MasterReader(FamilySheetsReader):
    # ------------------------------------------------------------------------------- read

    def read(self) -> MasterRead:
        meta, meta_cells = self.read_meta()
        expectations_table = self.expectations_table()
        settings = self.read_settings(meta)
        families = self.read_families()
        if families is not None:
            families = self.read_family_levels(families, settings)
        competencies = self.read_competencies()
        expectations, families, competencies = self.read_expectations(
            expectations_table, settings, families, competencies
        )
        expectations = self.reconcile(expectations, families, settings)
        self.check_tracks(expectations, settings, expectations_table.sheet)
        actions = self.read_actions(settings, competencies)
        releases = tuple(r for r in _split(meta.get("releases", "")) if r)
        ladder = Ladder(
            settings=settings,
            families=tuple(families.values()),
            competencies=tuple(competencies.values()),
            expectations=tuple(expectations),
            actions=tuple(actions),
            releases=releases,
            attribution=meta.get("attribution", ""),
            meta=meta,
        )
        recorded = meta.get("content_digest")
        if recorded and recorded != ladder.content_digest():
            self.info(
                "content-edited",
                "The expectations differ from the generated ones (edited since "
                f"{meta.get('created') or 'generation'}); that is expected after HR edits.",
                sheet=layout.META_SHEET,
                cell=meta_cells.get("content_digest", ""),
            )
        return MasterRead(ladder, self.issues)

    def read_meta(self) -> tuple[dict[str, str], dict[str, str]]:
        """_meta as text, and the A1 cell of each value; refuses scoring workbooks outright."""
        grid = self.grid(layout.META_SHEET)
        meta: dict[str, str] = {}
        cells: dict[str, str] = {}
        for row, values in enumerate(grid or []):
            key = _ident(values[0]) if values else ""
            if key and key != layout.META_HEADERS[0] and key not in meta:
                meta[key] = _text(values[1]) if len(values) > 1 else ""
                cells[key] = cell_ref(row, 1)
        kind = meta.get(layout.META_KIND, "")
        if kind == layout.KIND_SCORING:
            raise WorkbookError(
                f"{self.path}: this looks like a scoring workbook (one manager's scores), not the "
                "master template. Pass the master template from `laddersheet generate` instead "
                "(for `laddersheet ingest`, with --master); scoring workbooks are what ingest "
                "reads."
            )
        if layout.EXPECTATIONS_SHEET.casefold() not in self.sheet_names:
            raise WorkbookError(
                f"{self.path}: has no {layout.EXPECTATIONS_SHEET} sheet, so it is not a "
                f"laddersheet master template. {_NOT_A_MASTER}"
            )
        if grid is None:
            self.error(
                "meta-missing",
                f"The hidden {layout.META_SHEET} sheet is missing, so this file cannot be tied to "
                "the settings it was made from; the rest was read. If you copied sheets into a new "
                "file, copy them back into the generated master instead.",
                sheet=layout.META_SHEET,
            )
            return meta, cells
        missing = [key for key in layout.META_MASTER_KEYS if key not in meta]
        if missing:
            self.error(
                "meta-broken",
                f"The hidden {layout.META_SHEET} sheet lacks {', '.join(missing)}; the rest was "
                "read. Restore _meta from the generated master (do not edit it).",
                sheet=layout.META_SHEET,
            )
        if kind and kind != layout.KIND_MASTER:
            self.error(
                "meta-broken",
                f"{layout.META_SHEET} says this is a '{kind}' workbook, not a "
                f"'{layout.KIND_MASTER}'; it was read as a master anyway.",
                sheet=layout.META_SHEET,
                cell=cells[layout.META_KIND],
            )
        version = meta.get("schema_version")
        if version is not None:
            number = _whole(version)
            if number is None:
                self.error(
                    "meta-broken",
                    f"{layout.META_SHEET} schema_version is '{version}', not a whole number; "
                    "restore _meta from the generated master.",
                    sheet=layout.META_SHEET,
                    cell=cells["schema_version"],
                )
            elif number != layout.SCHEMA_VERSION:
                self.error(
                    "schema-version",
                    f"This master has layout version {number}; this laddersheet reads version "
                    f"{layout.SCHEMA_VERSION}. Use the laddersheet version that generated it "
                    f"({meta.get('generator') or 'see _meta'}), or generate a new master.",
                    sheet=layout.META_SHEET,
                    cell=cells["schema_version"],
                )
        return meta, cells

    def expectations_table(self) -> _Table:
        grid = self.grid(layout.EXPECTATIONS_SHEET) or []
        table = _find_table(
            layout.EXPECTATIONS_SHEET, grid, layout.EXPECTATION_REQUIRED, until_blank=False
        )
        if table is None:
            raise WorkbookError(
                f"{self.path}: the {layout.EXPECTATIONS_SHEET} sheet has no header row with "
                f"{', '.join(layout.EXPECTATION_REQUIRED)}. Restore the headers from the generated "
                "master (or generate a new one)."
            )
        return table

    # ---------------------------------------------------------------------------- settings

    def read_settings(self, meta: dict[str, str]) -> Settings:
        defaults = default_settings()
        sheet = layout.SETTINGS_SHEET
        values: dict[str, tuple[object, str]] = {}
        table = self.table(sheet, layout.SETTINGS_HEADERS[:2], until_blank=True)
        for row, cells in table.rows if table else ():
            values[table.ident(cells, "setting")] = (
                table.raw(cells, "value"),
                table.ref(row, "value"),
            )

        def text(key: str, fallback: str) -> str:
            raw, cell = values.get(key, ("", ""))
            if _text(raw):
                return _text(raw)
            if table is not None:
                self.error(
                    "settings-invalid",
                    f"Setting '{key}' is missing or empty; read as '{fallback}'. Restore it from "
                    "the generated master.",
                    sheet=sheet,
                    cell=cell,
                )
            return fallback

        def whole(key: str, fallback: int) -> int:
            raw, cell = values.get(key, ("", ""))
            number = _whole(raw)
            if number is None:
                if table is not None:
                    self.error(
                        "settings-invalid",
                        f"Setting '{key}' should be a whole number, got '{_text(raw)}'; read as "
                        f"{fallback}.",
                        sheet=sheet,
                        cell=cell,
                    )
                return fallback
            return number

        company = text(layout.SETTING_COMPANY, meta.get("company") or defaults.company)
        cycle = text(layout.SETTING_CYCLE, meta.get("cycle") or defaults.cycle)
        created = text(layout.SETTING_CREATED, meta.get("created") or defaults.created)
        try:
            created = dt.date.fromisoformat(created).isoformat()
        except ValueError:
            self.error(
                "settings-invalid",
                f"Setting 'created' should be a date like 2026-01-01, got '{created}'; read as "
                f"{defaults.created}.",
                sheet=sheet,
                cell=values.get(layout.SETTING_CREATED, ("", ""))[1],
            )
            created = defaults.created
        families_text = text(layout.SETTING_FAMILIES, "all")
        families = None if families_text.casefold() == "all" else tuple(_split(families_text))
        ic_levels, manager_levels = self.read_levels(defaults)
        ic_codes = [lv.code for lv in ic_levels]
        branch = text(layout.SETTING_BRANCH_LEVEL, defaults.branch_level)
        if branch not in ic_codes:
            self.error(
                "settings-invalid",
                f"branch_level '{branch}' is not an IC level ({', '.join(ic_codes)}); read as "
                f"{ic_codes[0]}.",
                sheet=sheet,
                cell=values.get(layout.SETTING_BRANCH_LEVEL, ("", ""))[1],
            )
            branch = ic_codes[0]
        return Settings(
            company=company,
            cycle=cycle,
            created=created,
            scale=self.read_scale(defaults.scale),
            ic_levels=ic_levels,
            manager_levels=manager_levels,
            branch_level=branch,
            families=families,
            competencies_min=whole(layout.SETTING_COMPETENCIES_MIN, defaults.competencies_min),
            competencies_max=whole(layout.SETTING_COMPETENCIES_MAX, defaults.competencies_max),
            title_nouns=self.read_title_nouns(),
            source=text(layout.SETTING_SOURCE, defaults.source),
            digest=meta.get("settings_digest", ""),
        )

    def read_scale(self, fallback: Scale) -> Scale:
        sheet = layout.SETTINGS_SHEET
        table = self.table(sheet, layout.SCALE_HEADERS[:2], until_blank=True)
        if table is None:
            return fallback
        points: list[ScalePoint] = []
        for row, cells in table.rows:
            value = _whole(table.raw(cells, "value"))
            label = table.text(cells, "label")
            if value is None or not label:
                self.error(
                    "settings-invalid",
                    "A scale point needs a whole-number value and a label; the default scale "
                    "was used. Restore the scale from the generated master.",
                    sheet=sheet,
                    cell=table.ref(row, "value"),
                )
                return fallback
            points.append(ScalePoint(value, label, table.text(cells, "meaning")))
        values = [p.value for p in points]
        if len(points) < 2 or values != list(range(values[0], values[0] + len(values))):
            self.error(
                "settings-invalid",
                f"The scale values must count up by 1 with at least 2 points, got {values}; "
                "the default scale was used.",
                sheet=sheet,
                cell=cell_ref(table.header_row, 0),
            )
            return fallback
        return Scale(tuple(points))

    def read_title_nouns(self) -> dict[str, str]:
        grid = self.grid(layout.SETTINGS_SHEET) or []
        table = _find_table(
            layout.SETTINGS_SHEET, grid, layout.TITLE_NOUN_HEADERS, until_blank=True
        )
        if table is None:
            return {}
        nouns: dict[str, str] = {}
        for _, cells in table.rows:
            family_id = table.ident(cells, layout.TITLE_NOUN_HEADERS[0])
            noun = table.text(cells, layout.TITLE_NOUN_HEADERS[1])
            if family_id and noun:
                nouns[family_id] = noun
        return nouns

    def read_levels(
        self, defaults: Settings
    ) -> tuple[tuple[LevelSpec, ...], tuple[LevelSpec, ...]]:
        sheet = layout.LEVELS_SHEET
        table = self.table(sheet, layout.LEVEL_HEADERS[:3], until_blank=True)
        tracks: dict[str, list[LevelSpec]] = {TRACK_IC: [], TRACK_MANAGER: []}
        seen: set[str] = set()
        for row, cells in table.rows if table else ():
            track = table.ident(cells, "track")
            code = table.ident(cells, "code")
            problem = ""
            if track not in tracks:
                problem = f"track '{track}' is not IC or M"
            elif not code:
                problem = "the code is empty"
            elif code in seen:
                problem = f"level code '{code}' is used twice"
            if problem:
                self.error(
                    "settings-invalid",
                    f"Level row skipped: {problem}. Restore the Levels sheet from the generated "
                    "master.",
                    sheet=sheet,
                    cell=table.ref(row, "code"),
                )
                continue
            seen.add(code)
            equivalent = table.ident(cells, "ic_equivalent")
            tracks[track].append(
                LevelSpec(
                    code=code,
                    track=track,
                    title=table.text(cells, "title"),
                    scope=table.text(cells, "scope"),
                    autonomy=table.text(cells, "autonomy"),
                    years=table.text(cells, "years"),
                    ic_equivalent=equivalent or None,
                )
            )
        result = []
        for track in TRACKS:
            levels = tuple(tracks[track])
            if not levels:
                if table is not None:
                    self.error(
                        "settings-invalid",
                        f"No {TRACK_NAMES[track]} levels found on the Levels sheet; the default "
                        "levels were used.",
                        sheet=sheet,
                    )
                levels = defaults.track_levels(track)
            result.append(levels)
        return result[0], result[1]

    # --------------------------------------------------------------------- families, etc.

    def read_families(self) -> dict[str, LadderFamily] | None:
        table = self.table(layout.FAMILIES_SHEET, layout.FAMILY_REQUIRED, until_blank=False)
        if table is None:
            return None
        families: dict[str, LadderFamily] = {}
        for row, cells in table.rows:
            family_id = table.ident(cells, "family_id")
            if not family_id:
                continue
            if family_id in families:
                self.error(
                    "duplicate-family",
                    f"Family '{family_id}' is listed twice; the first row was used.",
                    sheet=table.sheet,
                    cell=table.ref(row, "family_id"),
                )
                continue
            name = table.text(cells, "name") or family_id
            families[family_id] = LadderFamily(
                family_id=family_id,
                name=name,
                title_noun=table.text(cells, "title_noun") or name,
                description=table.text(cells, "description"),
                ic_codes=tuple(_split(table.text(cells, "ic_codes"))),
                manager_codes=tuple(_split(table.text(cells, "manager_codes"))),
                curated=table.ident(cells, "content") == layout.CONTENT_CURATED,
                reference_tasks=tuple(
                    t.strip() for t in table.text(cells, "onet_tasks").splitlines() if t.strip()
                ),
            )
            self.ladder_sheets[family_id] = table.text(cells, "ladder_sheet")
        return families

    def read_family_levels(
        self, families: dict[str, LadderFamily], settings: Settings
    ) -> dict[str, LadderFamily]:
        """Each family's own titles, summaries and scopes (an older master has none: patterns)."""
        if layout.FAMILY_LEVELS_SHEET.casefold() not in self.sheet_names:
            return families
        table = self.table(
            layout.FAMILY_LEVELS_SHEET, layout.FAMILY_LEVEL_REQUIRED, until_blank=False
        )
        texts: dict[str, dict[str, dict[str, str]]] = {}
        for row, cells in table.rows if table else ():
            family_id = table.ident(cells, "family_id")
            level = table.ident(cells, "level")
            where = {"sheet": table.sheet, "cell": table.ref(row, "family_id")}
            if family_id not in families:
                self.warning(
                    "unknown-family",
                    f"family_id '{family_id}' is not on the Families sheet; this row was ignored.",
                    **where,
                )
                continue
            if settings.level(level) is None:
                self.warning(
                    "unknown-level",
                    f"level '{level}' is not a level of this ladder; this row was ignored.",
                    sheet=table.sheet,
                    cell=table.ref(row, "level"),
                )
                continue
            entry = texts.setdefault(family_id, {"titles": {}, "summaries": {}, "scopes": {}})
            family, spec = families[family_id], settings.level(level)
            for column, key in (("title", "titles"), ("summary", "summaries"), ("scope", "scopes")):
                value = table.text(cells, column)
                # a title the level's pattern gives anyway is not the family's own
                if value and not (
                    key == "titles" and value == spec.title_for(family.title_noun, family.name)
                ):
                    entry[key][level] = value
        return {
            family_id: dataclasses.replace(family, **texts[family_id])
            if family_id in texts
            else family
            for family_id, family in families.items()
        }

    def read_competencies(self) -> dict[str, Competency]:
        table = self.table(layout.COMPETENCIES_SHEET, layout.COMPETENCY_REQUIRED, until_blank=False)
        competencies: dict[str, Competency] = {}
        for row, cells in table.rows if table else ():
            competency_id = table.ident(cells, "competency_id")
            if not competency_id:
                continue
            if competency_id in competencies:
                self.error(
                    "duplicate-competency",
                    f"Competency '{competency_id}' is listed twice; the first row was used.",
                    sheet=table.sheet,
                    cell=table.ref(row, "competency_id"),
                )
                continue
            competencies[competency_id] = Competency(
                competency_id=competency_id,
                name=table.text(cells, "competency") or competency_id,
                domain=table.text(cells, "domain"),
                description=table.text(cells, "description"),
                onet_element_id=table.text(cells, "onet_element_id"),
                category=table.ident(cells, "category") or "custom",
                family_id=table.ident(cells, "family_id"),
            )
        return competencies

    def read_expectations(
        self,
        table: _Table,
        settings: Settings,
        families: dict[str, LadderFamily] | None,
        competencies: dict[str, Competency],
    ) -> tuple[list[Expectation], dict[str, LadderFamily], dict[str, Competency]]:
        sheet = table.sheet
        if families is None:  # no Families sheet: the families are whatever the rows name
            families = {}
            for _, cells in table.rows:
                family_id = table.ident(cells, "family_id")
                if family_id and family_id not in families:
                    families[family_id] = LadderFamily(family_id, family_id, family_id, "")
        competencies = dict(competencies)
        expectations: list[Expectation] = []
        first_row = self.expectation_rows
        self.expected_col = table.columns.get("expected", 0)
        known_families = ", ".join(families) or "none"
        level_codes = ", ".join(lv.code for lv in settings.levels)
        inputs = [
            col for name in _EXPECTATION_INPUTS if (col := table.columns.get(name)) is not None
        ]
        for row, cells in table.rows:
            if not any(_text(cells[col]) for col in inputs if col < len(cells)):
                continue  # cleared by HR; derived columns (level_title, O*NET) may linger
            family_id = table.ident(cells, "family_id")
            level = table.ident(cells, "level")
            competency_id = table.ident(cells, "competency_id")
            if not competency_id:
                self.error(
                    "competency-id-missing",
                    "This row has no competency_id, so it was skipped. Copy the id from the "
                    "Competencies sheet, or make up a new one for a custom competency.",
                    sheet=sheet,
                    cell=table.ref(row, "competency_id"),
                )
                continue
            if family_id not in families:
                self.error(
                    "unknown-family",
                    f"family_id '{family_id}' is not on the Families sheet ({known_families}); "
                    "the row was skipped.",
                    sheet=sheet,
                    cell=table.ref(row, "family_id"),
                )
                continue
            spec = settings.level(level)
            if spec is None:
                self.error(
                    "unknown-level",
                    f"level '{level}' is not a level of this ladder ({level_codes}); the row was "
                    "skipped.",
                    sheet=sheet,
                    cell=table.ref(row, "level"),
                )
                continue
            track = table.ident(cells, "track")
            if track != spec.track:
                self.error(
                    "track-mismatch",
                    f"track '{track}' does not match level {level}, a {TRACK_NAMES[spec.track]} "
                    f"level; read as {spec.track}.",
                    sheet=sheet,
                    cell=table.ref(row, "track"),
                )
                track = spec.track
            key = (family_id, track, level, competency_id)
            if key in first_row:
                self.error(
                    "duplicate-row",
                    f"{family_id} {level} already has {competency_id} (row {first_row[key] + 1}); "
                    "this row was skipped. Delete one of the two.",
                    sheet=sheet,
                    cell=table.ref(row, "competency_id"),
                )
                continue
            expected = self.expected(table, row, cells, settings.scale)
            if expected is None:
                continue
            first_row[key] = row
            known = competencies.get(competency_id)
            name = table.text(cells, "competency") or (known.name if known else competency_id)
            domain = table.text(cells, "domain") or (known.domain if known else "") or "Other"
            onet_element_id = table.text(cells, "onet_element_id")
            if known is None:
                competencies[competency_id] = Competency(
                    competency_id, name, domain, "", onet_element_id, "custom"
                )
                self.info(
                    "competency-added",
                    f"'{competency_id}' is not on the Competencies sheet: added as a custom "
                    f"competency named '{name}'.",
                    sheet=sheet,
                    cell=table.ref(row, "competency_id"),
                )
            statement = table.text(cells, "statement")
            if not statement:
                self.warning(
                    "statement-empty",
                    f"No statement for {competency_id} at {family_id} {level}: managers will see "
                    "only the expected score. Describe what this level looks like.",
                    sheet=sheet,
                    cell=table.ref(row, "statement"),
                )
            expectations.append(
                Expectation(
                    family_id=family_id,
                    track=track,
                    level=level,
                    competency_id=competency_id,
                    competency=name,
                    domain=domain,
                    expected=expected,
                    statement=statement,
                    onet_element_id=onet_element_id,
                    onet_im=_number(table.raw(cells, "onet_im")),
                    onet_lv=_number(table.raw(cells, "onet_lv")),
                    evidence="\n".join(
                        line.strip() for line in table.text(cells, "evidence").splitlines()
                    ).strip(),
                )
            )
            self.generated[key] = table.text(cells, "generated")
        return expectations, families, competencies

    def expected(self, table: _Table, row: int, cells: list[object], scale: Scale) -> int | None:
        """The expected score of a row, or None (row skipped) when it is not a number at all."""
        raw = table.raw(cells, "expected")
        number = _number(raw)
        if number is not None and scale.minimum <= number <= scale.maximum and number.is_integer():
            return int(number)  # the usual case: nothing to report
        where = {"sheet": table.sheet, "cell": table.ref(row, "expected")}
        allowed = f"a whole number from {scale.minimum} to {scale.maximum}"
        if number is None:
            if _text(raw) == "":
                self.error(
                    "expected-missing",
                    f"expected is empty: enter {allowed}. The row was skipped.",
                    **where,
                )
            else:
                self.error(
                    "expected-not-number",
                    f"expected is '{_text(raw)}', not a number: enter {allowed}. The row was "
                    "skipped.",
                    **where,
                )
            return None
        shown = _text(number)
        read_as = scale.clamp(number)
        if not scale.minimum <= number <= scale.maximum:
            self.error(
                "expected-out-of-range",
                f"expected is {shown}, outside the scale: enter {allowed} (read as {read_as} "
                "for now).",
                **where,
            )
        else:
            self.error(
                "expected-not-whole",
                f"expected is {shown}, not a whole number: enter {allowed} (read as {read_as} "
                "for now).",
                **where,
            )
        return read_as

    def check_tracks(
        self,
        expectations: list[Expectation],
        settings: Settings,
        sheet: str,
    ) -> None:
        """Warn where expectations go down a track, or a competency skips some of its levels."""
        by_competency: dict[tuple[str, str, str], dict[str, Expectation]] = {}
        for e in expectations:
            by_competency.setdefault((e.family_id, e.track, e.competency_id), {})[e.level] = e
        for (family_id, track, competency_id), rows in by_competency.items():
            codes = [lv.code for lv in settings.track_levels(track)]
            previous: Expectation | None = None
            for code in codes:
                current = rows.get(code)
                if current is None:
                    continue
                if previous is not None and current.expected < previous.expected:
                    self.warning(
                        "not-monotonic",
                        f"{current.competency} in {family_id} expects {current.expected} at "
                        f"{code} but {previous.expected} at {previous.level} below it: "
                        "expectations should not go down as levels go up. Check both cells.",
                        sheet=sheet,
                        cell=self.expected_cell((family_id, track, code, competency_id)),
                    )
                previous = current
            present = [code for code in codes if code in rows]
            missing = [code for code in codes if code not in rows]
            if missing:
                first = present[0]
                self.warning(
                    "competency-incomplete",
                    f"{competency_id} is in {family_id} at {', '.join(present)} but not at "
                    f"{', '.join(missing)}: add rows for the missing levels, or "
                    "remove it from all of them.",
                    sheet=sheet,
                    cell=self.expected_cell((family_id, track, first, competency_id)),
                )

    def read_actions(
        self, settings: Settings, competencies: dict[str, Competency]
    ) -> list[DevelopmentAction]:
        table = self.table(layout.ACTIONS_SHEET, layout.ACTION_REQUIRED, until_blank=False)
        actions: list[DevelopmentAction] = []
        codes = {lv.code for lv in settings.levels}
        for row, cells in table.rows if table else ():
            competency_id = table.ident(cells, "competency_id")
            text = table.text(cells, "action")
            levels = tuple(_split(table.text(cells, "levels")))
            if not text:
                self.warning(
                    "action-empty",
                    f"The development action for {competency_id or '?'} is empty; it was skipped.",
                    sheet=table.sheet,
                    cell=table.ref(row, "action"),
                )
                continue
            if competency_id not in competencies:
                self.warning(
                    "action-unknown-competency",
                    f"competency_id '{competency_id}' is not a competency of this ladder, so "
                    "this action will never be suggested.",
                    sheet=table.sheet,
                    cell=table.ref(row, "competency_id"),
                )
            unknown = [code for code in levels if code not in codes]
            if unknown or not levels:
                self.warning(
                    "action-unknown-level",
                    f"levels '{table.text(cells, 'levels')}' should be level codes separated by "
                    f"commas ({', '.join(lv.code for lv in settings.levels)}); unknown: "
                    f"{', '.join(unknown) or 'none given'}.",
                    sheet=table.sheet,
                    cell=table.ref(row, "levels"),
                )
            band = table.text(cells, "band") or "-".join(levels[:1] + levels[-1:])
            family_id = table.ident(cells, "family_id")
            actions.append(DevelopmentAction(competency_id, band, levels, text, family_id))
        return actions
