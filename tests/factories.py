"""Small hand-built objects for tests that must not depend on the O*NET ladder builder."""

from __future__ import annotations

from laddersheet.ladder import Competency, DevelopmentAction, Expectation, Ladder, LadderFamily
from laddersheet.roster import Employee
from laddersheet.settings import TRACK_IC, TRACK_MANAGER, Settings, default_settings

DOMAINS = ("Craft & technical", "Problem solving", "Communication & collaboration")


def small_ladder(settings: Settings | None = None, families: int = 2) -> Ladder:
    """A ladder with ``families`` families, 8 IC and 9 manager competencies each.

    Expected values rise by level (monotonic) and statements name family, level and competency,
    so every cell is distinct and easy to trace in assertions.
    """
    settings = settings or default_settings()
    fams = [
        LadderFamily(f"family_{i}", f"Function {i}", f"Specialist {i}", f"Family {i} does things.")
        for i in range(1, families + 1)
    ]
    comps = [
        Competency(
            f"comp-{j}",
            f"Competency {j}",
            DOMAINS[j % 3],
            f"What comp {j} is.",
            f"2.A.{j}",
            "skill",
        )
        for j in range(1, 9)
    ]
    comps.append(
        Competency(
            "coaching", "Coaching", "People leadership", "Grows people.", "", "people_leadership"
        )
    )
    low, high = settings.scale.minimum, settings.scale.maximum
    rows = []
    for fam in fams:
        for track in (TRACK_IC, TRACK_MANAGER):
            levels = settings.track_levels(track)
            track_comps = comps if track == TRACK_MANAGER else comps[:8]
            for n, level in enumerate(levels):
                for j, comp in enumerate(track_comps):
                    expected = min(
                        high, max(low, low + (n * (high - low) + j % 2) // max(1, len(levels) - 1))
                    )
                    rows.append(
                        Expectation(
                            family_id=fam.family_id,
                            track=track,
                            level=level.code,
                            competency_id=comp.competency_id,
                            competency=comp.name,
                            domain=comp.domain,
                            expected=expected,
                            statement=f"{fam.name} {level.code}: {comp.name} at step {n + 1}.",
                            onet_element_id=comp.onet_element_id,
                            onet_im=3.0 + (j % 5) / 2,
                            onet_lv=2.0 + n,
                        )
                    )
    actions = [
        DevelopmentAction(
            c.competency_id, band, tuple(levels), f"Action for {c.name} towards {band}."
        )
        for c in comps
        for band, levels in (
            ("L1-L2", ("L1", "L2")),
            ("L3-L5", ("L3", "L4", "L5")),
            ("M1-M4", ("M1", "M2", "M3", "M4")),
        )
    ]
    return Ladder(
        settings=settings,
        families=tuple(fams),
        competencies=tuple(comps),
        expectations=tuple(rows),
        actions=tuple(actions),
        releases=("29.0", "29.2"),
        attribution="Test attribution.",
    )


# --- a small team on small_ladder(): a head of team and three reports ---------------------


def person(employee_id: str, name: str, manager: str, level: str, **extra) -> Employee:
    fields = {
        "email": "",
        "manager_name": "",
        "family_id": "family_1",
        "track": "M" if level.startswith("M") else "IC",
        "target_level": None,
    }
    fields.update(extra)
    return Employee(employee_id, name, manager_id=manager, level=level, **fields)


HEAD = person("H1", "Hana Head", "", "M3")
JANE = person("E1", "Jane Doe", "H1", "L3", manager_name="Hana Head")
JO = person("E2", "Jo O'Brien", "H1", "L4", family_id="family_2", target_level="M1")
PAT = person("E3", "Pat Top", "H1", "L5")
