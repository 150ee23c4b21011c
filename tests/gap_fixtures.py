"""A realistic fake ``IngestResult`` over ``small_ladder()`` for the gap engine and reports.

With the default settings small_ladder expects, on every competency: L1..L5 → 1..5; M1 → 1,
M2 → 2, M3 → 3 or 4 (alternating), M4 → 5. O*NET IM by competency: comp-1 3.0, comp-2 3.5,
comp-3 4.0, comp-4 4.5, comp-5 5.0, comp-6 3.0, comp-7 3.5, comp-8 4.0, coaching 4.5.

Cast (family_1 unless said otherwise):

* Lena Lenient (M-LEN): two juniors, every score one point above their level → flagged lenient.
* Sam Senior (M-SEN): L4, L5 (top of the IC track), L4 → M1 (a move to the manager track,
  coaching scored), L3; scored at their level → high raw scores, but not flagged.
* Fay Fair (M-FAIR): L1, L2, L3, L3 scored around their level.
* Theo Two (M-TWO, family_2): M4 (top of the manager track), an L2 with blanks, a rejected
  cell and a score for a competency the IC track does not have, an L3 with nothing scored, and
  an L1 whose evidence is long or starts with formula characters.
* Two roster members never returned (E501, E502).
"""

from __future__ import annotations

import random

from laddersheet.ingest import ACCEPTED, MISSING, REJECTED, IngestResult, ScoreRecord
from laddersheet.issues import IssueLog
from laddersheet.ladder import Ladder
from laddersheet.roster import Employee
from tests.factories import small_ladder

IC_COMPS = [f"comp-{j}" for j in range(1, 9)]
M_COMPS = [*IC_COMPS, "coaching"]
REJECT = "x"  # marks a rejected cell in the score lists below

LONG_EVIDENCE = ("Led the migration of the billing platform; " * 80).strip()  # > 3,000 chars
INJECTION = "=cmd|' /C calc'!A0"

MANAGERS = {
    "M-LEN": "Lena Lenient",
    "M-SEN": "Sam Senior",
    "M-FAIR": "Fay Fair",
    "M-TWO": "Theo Two",
}

# employee_id: (name, manager_id, family, track, level, explicit target, scores by competency)
CAST: dict[str, tuple[str, str, str, str, str, str | None, list]] = {
    "E101": ("Ana Ábalos", "M-LEN", "family_1", "IC", "L1", None, [2] * 8),
    "E102": ("Ben Baker", "M-LEN", "family_1", "IC", "L2", None, [3] * 8),
    "E201": ("Cleo Cruz", "M-SEN", "family_1", "IC", "L4", None, [4, 4, 4, 3, 4, 5, 4, 4]),
    "E202": ("Dev Das", "M-SEN", "family_1", "IC", "L5", None, [5, 5, 5, 5, 4, 5, 5, 5]),
    "E203": ("Eli Evans", "M-SEN", "family_1", "IC", "L4", "M1", [4, 4, 5, 4, 4, 4, 3, 4, 2]),
    "E204": ("Flo Ford", "M-SEN", "family_1", "IC", "L3", None, [3, 4, 3, 3, 2, 3, 3, 3]),
    "E301": ("Gus Gray", "M-FAIR", "family_1", "IC", "L1", None, [1, 1, 2, 1, 1, 1, 1, 1]),
    "E302": ("Hal Hunt", "M-FAIR", "family_1", "IC", "L2", None, [2, 1, 2, 2, 3, 2, 2, 2]),
    "E303": ("Ida Ito", "M-FAIR", "family_1", "IC", "L3", None, [3, 2, 3, 3, 3, 2, 3, 4]),
    "E304": ("Jo Jones", "M-FAIR", "family_1", "IC", "L3", None, [3, 3, 3, 3, 3, 3, 2, 3]),
    "E401": ("Kai Kim", "M-TWO", "family_2", "M", "M4", None, [5, 4, 5, 5, 5, 4, 5, 5, 3]),
    "E402": (
        "-Léa Dash",
        "M-TWO",
        "family_2",
        "IC",
        "L2",
        None,
        [2, None, 3, REJECT, 1, 2, None, 2],
    ),
    "E403": ("Max Moss", "M-TWO", "family_2", "IC", "L3", None, [None] * 8),
    "E404": ("=Nia Formula", "M-TWO", "family_2", "IC", "L1", None, [1, 2, 1, 1, 2, 1, 1, 1]),
}

EVIDENCE = {
    ("E404", "comp-1"): "-2 incidents this quarter",
    ("E404", "comp-2"): INJECTION,
    ("E404", "comp-3"): "+1 from the whole team",
    ("E404", "comp-4"): LONG_EVIDENCE,  # also a development priority
    ("E404", "comp-5"): "@channel praised the runbook",
}


def employee(employee_id: str) -> Employee:
    name, manager, family, track, level, target, _ = CAST[employee_id]
    return Employee(
        employee_id=employee_id,
        name=name,
        email=f"{employee_id.lower()}@example.com",
        manager_id=manager,
        manager_name=MANAGERS[manager],
        family_id=family,
        track=track,
        level=level,
        target_level=target,
        source=f"roster.csv row {int(employee_id[1:]) - 99}",
    )


def build_result() -> tuple[Ladder, IngestResult]:
    """The cast above as ingest would hand it over (issues included)."""
    ladder = small_ladder()
    employees = [employee(e) for e in CAST]
    records: list[ScoreRecord] = []
    issues = IssueLog()
    for person in employees:
        scores = CAST[person.employee_id][6]
        file = f"{person.manager_name}.xlsx"
        for j, value in enumerate(scores):
            competency_id = M_COMPS[j]
            cell = f"D{6 + j}"
            evidence = EVIDENCE.get(
                (person.employee_id, competency_id),
                f"{person.name} on {competency_id}: example from Q{j % 4 + 1}."
                if value is not None
                else "",
            )
            if value is None:
                status, score, raw = MISSING, None, ""
            elif value == REJECT:
                status, score, raw = REJECTED, None, "7"
                issues.error(
                    "score-out-of-range",
                    "7 is not on the scale 1-5.",
                    file=file,
                    sheet=person.name,
                    cell=cell,
                )
            else:
                status, score, raw = ACCEPTED, value, str(value)
            records.append(
                ScoreRecord(
                    person.employee_id,
                    competency_id,
                    score,
                    status,
                    raw,
                    evidence,
                    file,
                    person.name,
                    cell,
                )
            )
    # An L2 scored on coaching, which the IC track does not have: kept, no expectations.
    records.append(
        ScoreRecord(
            "E402",
            "coaching",
            3,
            ACCEPTED,
            "3",
            "Mentors interns.",
            "Theo Two.xlsx",
            "-Léa Dash",
            "D20",
        )
    )
    issues.warning("evidence-missing", "Score without evidence.", file="Theo Two.xlsx")
    issues.info("read-as", "Read '3 - Proficient' as 3.", file="Fay Fair.xlsx", sheet="Gus Gray")
    not_returned = [
        Employee(
            "E502",
            "Quinn Quiet",
            "q@example.com",
            "M-GONE",
            "Gone Manager",
            "family_2",
            "IC",
            "L2",
            None,
            "roster.csv row 30",
        ),
        Employee(
            "E501",
            "Pat Pending",
            "p@example.com",
            "M-GONE",
            "Gone Manager",
            "family_1",
            "IC",
            "L3",
            None,
            "roster.csv row 29",
        ),
    ]
    files = sorted({r.file for r in records} | {"Gone Manager.xlsx"})
    return ladder, IngestResult(employees, records, issues, files, not_returned)


def synthetic_result(
    employees: int = 5_000, families: int = 6, team_size: int = 8, seed: int = 7
) -> tuple[Ladder, IngestResult]:
    """A large, plausible result for timing: scores near each person's level, a few blanks."""
    rng = random.Random(seed)
    ladder = small_ladder(families=families)
    settings = ladder.settings
    scale = settings.scale
    people: list[Employee] = []
    records: list[ScoreRecord] = []
    ic = [lv.code for lv in settings.ic_levels]
    manager_levels = [lv.code for lv in settings.manager_levels]
    expected = {
        (r.family_id, r.track, r.level, r.competency_id): r.expected for r in ladder.expectations
    }
    for n in range(employees):
        family = f"family_{n % families + 1}"
        manager = f"MGR{n // team_size:04d}"
        on_m = rng.random() < 0.12
        track = "M" if on_m else "IC"
        level = rng.choice(manager_levels if on_m else ic)
        person = Employee(
            f"E{n:05d}",
            f"Person {n:05d} Ñandú",
            f"p{n}@example.com",
            manager,
            f"Manager {manager}",
            family,
            track,
            level,
            "M1" if level == "L4" and rng.random() < 0.2 else None,
            f"roster.csv row {n + 2}",
        )
        people.append(person)
        lenient = int(manager[3:]) % 17 == 0
        for j, competency_id in enumerate(ladder.competency_ids(family, track)):
            cell = f"D{6 + j}"
            roll = rng.random()
            if roll < 0.03:
                records.append(
                    ScoreRecord(
                        person.employee_id,
                        competency_id,
                        None,
                        MISSING,
                        "",
                        "",
                        f"{manager}.xlsx",
                        person.name[:31],
                        cell,
                    )
                )
                continue
            base = expected[(family, track, level, competency_id)] + (1 if lenient else 0)
            score = scale.clamp(base + rng.choice((-1, 0, 0, 0, 1)))
            records.append(
                ScoreRecord(
                    person.employee_id,
                    competency_id,
                    score,
                    ACCEPTED,
                    str(score),
                    f"Example {j} for {person.name}. " * rng.randint(1, 6),
                    f"{manager}.xlsx",
                    person.name[:31],
                    cell,
                )
            )
    files = sorted({r.file for r in records})
    return ladder, IngestResult(people, records, IssueLog(), files, [])
