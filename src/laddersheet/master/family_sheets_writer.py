"""The family ladder sheets: one per family, where people read the ladder (every level of
a track side by side, a competency per row, print-ready)."""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .. import layout
from ..ladder import LadderFamily
from ..settings import TRACK_IC, TRACK_MANAGER, TRACKS, LevelSpec
from ..workbook import PALETTE, page_breaks, write_text
from .common import (
    FAMILY_TAB_COLOR,
    MANAGER_BAND_COLOR,
    MANAGER_HEADER_COLOR,
    SHADE_DARK,
    SHADE_LIGHT,
    TRACK_NAMES,
    TRACK_SHORT_NAMES,
)
from .writer_base import SheetWriter

# Ladder sheet columns: the competency, then one per level; 10 pt text prints at 8.5 pt or more
# with every level of a track on one landscape page (A4 or Letter).
LADDER_NAME_WIDTH = 21
LADDER_LEVEL_WIDTH = 19


class FamilySheetsWriter(SheetWriter):
    """A family's ladder sheet: its tracks, levels and expectation cells."""

    def family_ladder(self, sheet: Worksheet, family: LadderFamily) -> None:
        """Competencies down, levels across; the IC block, then the manager block on a new page.

        Both tracks' level headers sit in the frozen, repeated rows, so every printed page has
        the right column titles; each cell also starts with its level code and expected score.
        """
        styles, s = self.styles, self.settings
        sheet.set_tab_color(FAMILY_TAB_COLOR)
        width = max(len(s.ic_levels), len(s.manager_levels))
        self.widths(sheet, [LADDER_NAME_WIDTH] + [LADDER_LEVEL_WIDTH] * width)
        self.title(sheet, f"{family.name}: career ladder")
        self.subtitle(sheet, 1, family.description)
        legend = (
            f"Each cell: level · expected score ({self.scale_summary()}), what it looks like, "
            f"evidence. Edit here or on {layout.EXPECTATIONS_SHEET}; titles on "
            f"{layout.FAMILY_LEVELS_SHEET}."
        )
        if not family.curated:
            legend = (
                "DRAFT chosen from O*NET data: no curated content exists for this family yet; "
                "rewrite it before use. " + legend
            )
        self.subtitle(sheet, 2, legend)
        for row, track in ((3, TRACK_IC), (4, TRACK_MANAGER)):
            levels = s.track_levels(track)
            texts = [TRACK_SHORT_NAMES[track]] + [
                f"{lv.code} · {self.level_title(family.family_id, lv.code)}" for lv in levels
            ]
            texts += [""] * (width + 1 - len(texts))
            for col, text in enumerate(texts):
                write_text(sheet, row, col, text, self.track_header(track))
            self.fit(sheet, row, texts, bold=True)
        row = 5
        units: list[tuple[int, float]] = []
        manager_start = row
        for track in TRACKS:
            if track == TRACK_MANAGER:
                manager_start = row
            row, track_units = self.ladder_block(sheet, row, family, track, width)
            units += track_units
        if family.reference_tasks:  # a draft: what the occupations do, to rewrite it from
            row += 1
            style = styles.custom("band", italic=True, bg_color="#FFF4D6")
            heading = "O*NET tasks of this family's occupations (reference for rewriting the draft)"
            for col in range(width + 1):
                write_text(sheet, row, col, heading if col == 0 else "", style)
            units.append((row, self.height(sheet, row)))
            row += 1
            for task in family.reference_tasks:
                write_text(sheet, row, 0, "", styles["cell"])
                sheet.merge_range(row, 1, row, width, "", styles["wrap"])
                write_text(sheet, row, 1, task, styles["wrap"])
                units.append((row, self.height(sheet, row)))
                row += 1
        # Planned breaks: the manager block starts a page, and no heading ends one.
        repeated = sum(self.height(sheet, r) for r in range(5))
        breaks = page_breaks(
            units, self.column_widths[sheet.name], repeated, new_page_rows={manager_start}
        )
        sheet.set_h_pagebreaks(breaks)
        sheet.freeze_panes(5, 1)
        self.print_setup(sheet, (0, 4))

    def track_header(self, track: str) -> Format:
        if track == TRACK_IC:
            return self.styles["header"]
        return self.styles.custom("header", bg_color=MANAGER_HEADER_COLOR)

    def track_band(self, track: str) -> Format:
        if track == TRACK_IC:
            return self.styles.custom("band", font_size=11)
        return self.styles.custom("band", font_size=11, bg_color=MANAGER_BAND_COLOR)

    def ladder_block(
        self, sheet: Worksheet, row: int, family: LadderFamily, track: str, width: int
    ) -> tuple[int, list[tuple[int, float]]]:
        """One track's rows; returns the next row and the units to keep on one page each.

        A unit is a competency row, with the band, scope or domain rows heading it.
        """
        units: list[tuple[int, float]] = []
        heading_start: int | None = row
        styles = self.styles
        levels = self.settings.track_levels(track)
        band = self.track_band(track)
        for col in range(width + 1):
            write_text(sheet, row, col, f"{TRACK_NAMES[track]} track" if col == 0 else "", band)
        row += 1
        scope_style = styles.custom("cell", italic=True, font_color=PALETTE["muted"])
        texts = ["Scope and autonomy" if not family.scopes else "What the level is, and its scope"]
        texts += [self.scope_text(family, lv) for lv in levels]
        texts += [""] * (width + 1 - len(texts))
        for col, text in enumerate(texts):
            write_text(sheet, row, col, text, scope_style)
        self.fit(sheet, row, texts)
        row += 1
        domain_style = styles.custom("band", italic=True, bg_color="#F3F6F9")
        for domain, competency_ids in self.domains(family.family_id, track):
            for col in range(width + 1):
                write_text(sheet, row, col, domain if col == 0 else "", domain_style)
            if heading_start is None:
                heading_start = row
            row += 1
            for competency_id in competency_ids:
                texts = [self.competency_cell(sheet, row, family.family_id, track, competency_id)]
                for col in range(1, width + 1):
                    code = levels[col - 1].code if col <= len(levels) else None
                    texts.append(
                        self.expectation_cell(
                            sheet, row, col, family.family_id, track, code, competency_id
                        )
                    )
                self.fit(sheet, row, texts)
                start = row if heading_start is None else heading_start
                height = sum(self.height(sheet, r) for r in range(start, row + 1))
                units.append((start, height))
                heading_start = None
                row += 1
        if heading_start is not None:  # a track without competencies: its heading alone
            height = sum(self.height(sheet, r) for r in range(heading_start, row))
            units.append((heading_start, height))
        return row, units

    def scope_text(self, family: LadderFamily, level: LevelSpec) -> str:
        if family.scopes.get(level.code):
            summary = family.summaries.get(level.code, "")
            return "\n".join(
                t for t in (_sentence(summary), _sentence(family.scopes[level.code])) if t
            )
        return f"{_sentence(level.scope)}\n{_sentence(level.autonomy)}"

    def competency_cell(
        self, sheet: Worksheet, row: int, family_id: str, track: str, competency_id: str
    ) -> str:
        """Name (bold) over description (muted); returns the text written, for the row height."""
        styles = self.styles
        first = self.first_rows[(family_id, track, competency_id)]
        competency = self.ladder.competency(competency_id)
        name = first.competency or (competency.name if competency else "") or competency_id
        description = competency.description if competency else ""
        if not description:
            write_text(sheet, row, 0, name, styles.custom("cell", bold=True))
            return name
        sheet.write_rich_string(
            row,
            0,
            styles.custom("text", bold=True),
            name,
            styles.custom("text", italic=True, font_color=PALETTE["muted"]),
            "\n" + description,
            styles["cell"],
        )
        return f"{name}\n{description}"

    def expectation_cell(
        self,
        sheet: Worksheet,
        row: int,
        col: int,
        family_id: str,
        track: str,
        level: str | None,
        competency_id: str,
    ) -> str:
        """Level · score (bold) over the statement; returns the text written."""
        styles = self.styles
        if level is None:  # the shorter track has fewer levels than there are columns
            write_text(sheet, row, col, "", styles["cell"])
            return ""
        expectation = self.ladder.expectation(family_id, track, level, competency_id)
        if expectation is None:  # HR removed this level's row: say so rather than leave a hole
            style = styles.custom("cell", align="center", font_color=PALETTE["muted"])
            write_text(sheet, row, col, "—", style)
            return "—"
        score = f"{level} · {expectation.expected} {self.label(expectation.expected)}"
        shade = self.shade(expectation.expected)
        if not expectation.statement and not expectation.evidence:
            write_text(sheet, row, col, score, styles.custom("cell", bold=True, bg_color=shade))
            return score
        # fragments without a format fall back to the 11pt default font: every one gets one
        parts: list[object] = [styles.custom("text", bold=True), score]
        text = score
        if expectation.statement:
            parts += [styles["text"], "\n" + expectation.statement]
            text += "\n" + expectation.statement
        if expectation.evidence:
            evidence = layout.evidence_line(expectation.evidence)
            parts += [
                styles.custom("text", italic=True, font_color=PALETTE["muted"]),
                "\n" + evidence,
            ]
            text += "\n" + evidence
        sheet.write_rich_string(row, col, *parts, styles.custom("cell", bg_color=shade))
        return text

    def domains(self, family_id: str, track: str) -> list[tuple[str, list[str]]]:
        """Competency ids grouped by domain, both in first-appearance (sheet) order."""
        groups: dict[str, list[str]] = {}
        for competency_id in self.ladder.competency_ids(family_id, track):
            first = self.first_rows[(family_id, track, competency_id)]
            groups.setdefault(first.domain or "Other", []).append(competency_id)
        return list(groups.items())

    def label(self, value: int) -> str:
        scale = self.settings.scale
        return scale.label(value) if scale.minimum <= value <= scale.maximum else ""

    def shade(self, value: int) -> str:
        scale = self.settings.scale
        span = max(1, scale.maximum - scale.minimum)
        t = min(1.0, max(0.0, (value - scale.minimum) / span))
        rgb = (round(a + (b - a) * t) for a, b in zip(SHADE_LIGHT, SHADE_DARK, strict=True))
        return "#" + "".join(f"{c:02X}" for c in rgb)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."
