"""The content library: its files, their structure checks and the linter's rules."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from laddersheet.catalog import load_catalog
from laddersheet.content import (
    CONTENT_BANDS,
    CONTENT_LEVELS,
    ContentError,
    content_dir,
    load_library,
    read_family,
)
from laddersheet.issues import Severity
from laddersheet.ladder import Ladder, build_ladder
from laddersheet.lint import ladder_texts, lint_expectations, lint_texts
from laddersheet.main import lint_content
from laddersheet.settings import default_settings

# Words a synthetic family's sentences are drawn from: every cell distinct and unremarkable.
NOUNS = [
    "ledger",
    "invoice",
    "forecast",
    "roadmap",
    "queue",
    "runbook",
    "contract",
    "survey",
    "playbook",
    "backlog",
]
VERBS = [
    "drafts",
    "checks",
    "files",
    "reviews",
    "tracks",
    "sorts",
    "plans",
    "audits",
    "logs",
    "maps",
]
SCOPES = ["a task", "a workstream", "a team's area", "several teams", "the whole company"]
PEOPLE = ["a mentor", "their lead", "peer teams", "department heads", "the executive team"]


def statement(c: int, level: int) -> str:
    verb, noun = VERBS[(c + level) % 10], NOUNS[c % 10]
    return (
        f"{verb.capitalize()} the {noun} number {c} for {SCOPES[level % 5]} with "
        f"{PEOPLE[level % 5]}, variant {c * 10 + level}."
    )


def family_toml(family_id: str, prefix: str, onet: str = '"2.A.1.b", "2.C.1.e"') -> str:
    lines = [
        f'family_id = "{family_id}"',
        f'name = "Family {prefix}"',
        f'purpose = "What family {prefix} is for."',
        'domains = ["Alpha", "Beta", "Gamma"]',
    ]
    for n, code in enumerate(CONTENT_LEVELS["IC"] + CONTENT_LEVELS["M"]):
        lines += [
            f"[levels.{code}]",
            f'title = "{prefix.upper()} title {code}"',
            f'summary = "Summary of {prefix} at {code}."',
            f'scope = "Scope of {prefix} at {code}, step {n}."',
        ]
    specs = [(c, "IC") for c in range(7)] + [(c, "M") for c in range(7, 9)]
    for c, track in specs:
        lines += [
            "[[competency]]",
            f'id = "{prefix}-c{c}"',
            f'name = "{prefix} competency {c}"',
            f'domain = "{("Alpha", "Beta", "Gamma")[c % 3]}"',
            f'track = "{track}"',
            f'description = "What {prefix} competency {c} covers."',
            f"onet = [{onet}]",
        ]
        for level, code in enumerate(CONTENT_LEVELS[track]):
            text = statement(c + (100 if prefix == "zz" else 0), level)
            lines += [
                f"[competency.{code}]",
                f'statement = "{text}"',
                f'evidence = ["Proof {prefix} {c} {code}"]',
            ]
        lines.append("[competency.actions]")
        for band in CONTENT_BANDS[track]:
            lines.append(f'"{band}" = "Action {prefix} {c} {band}: by the quarter, bring it."')
    return "\n".join(lines) + "\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A content folder with two valid synthetic families, the real people core and library."""
    (tmp_path / "families").mkdir()
    for name in ("people_leadership.toml", "library.toml"):
        shutil.copy(content_dir() / name, tmp_path / name)
    (tmp_path / "families" / "sales.toml").write_text(family_toml("sales", "yy"))
    (tmp_path / "families" / "marketing.toml").write_text(family_toml("marketing", "zz"))
    return tmp_path


def codes(folder: Path) -> list[str]:
    return sorted({i.code for i in lint_content(folder)})


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = folder / "families" / f"{name}.toml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def test_every_shipped_content_file_passes_the_linter() -> None:
    problems = [str(i) for i in lint_content() if i.severity is not Severity.INFO]
    assert problems == []
    assert len(load_library().families) >= 8


@pytest.fixture(scope="module")
def ladder() -> Ladder:
    return build_ladder(default_settings(), load_catalog())


def test_the_generated_master_passes_the_linter(ladder: Ladder) -> None:
    curated = {f.family_id for f in ladder.families if f.curated}
    texts = [t for t in ladder_texts(ladder) if t.family_id in curated]
    assert [str(i) for i in lint_texts(texts, lint_expectations(ladder))] == []


def test_a_clean_synthetic_folder_has_no_problems(folder: Path) -> None:
    assert codes(folder) == []


def test_structure_problems_are_listed_together_with_their_keys(folder: Path) -> None:
    edit(folder, "sales", 'domain = "Alpha"', 'domain = "Omega"')
    edit(folder, "sales", 'track = "IC"', 'track = "X"')
    edit(folder, "sales", "[levels.L4]", "[levels.L9]")
    with pytest.raises(ContentError) as caught:
        read_family(folder / "families" / "sales.toml")
    problems = "\n".join(caught.value.problems)
    assert "competency yy-c0.domain: 'Omega' is not one of Alpha, Beta, Gamma" in problems
    assert 'competency yy-c0: track: write "IC" or "M"' in problems
    assert "levels.L9: unknown key" in problems and "levels.L4: missing" in problems
    # the other file is still checked, and the broken one reported by name
    issues = lint_content(folder)
    assert {i.file for i in issues if i.code == "content-structure"} == {"families/sales.toml"}


def test_a_shared_sentence_between_families_is_reported_in_both(folder: Path) -> None:
    shared = "Reconciles the billing ledger every Friday with the finance team lead."
    edit(folder, "sales", statement(3, 2), shared)
    edit(folder, "marketing", statement(105, 1), shared)
    found = [i for i in lint_content(folder) if i.code == "shared-sentence"]
    assert sorted(i.file for i in found) == ["families/marketing.toml", "families/sales.toml"]
    assert any(i.sheet == "competency yy-c3.L3" for i in found)


def test_repeated_openings_within_a_family(folder: Path) -> None:
    for c in range(7):
        for level in range(2):
            old = statement(c, level)
            edit(folder, "sales", old, "Runs the weekly pipeline review " + old)
    assert "repeated-opening" in codes(folder)


def test_adjacent_levels_must_differ_visibly(folder: Path) -> None:
    edit(folder, "sales", statement(2, 1), statement(2, 0).replace("variant 20.", "variant 21."))
    assert "levels-too-similar" in codes(folder)


def test_adjective_ladders_are_caught(folder: Path) -> None:
    edit(folder, "sales", statement(2, 1), statement(2, 0).replace(" the ", " the solid ", 1))
    assert "adjective-ladder" in codes(folder)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Demonstrates the ability to run the books for the team.", "banned-phrase"),
        ("Writes excellent release notes for the whole product team.", "banned-phrase"),
        ("Understands the billing system and its edge cases well.", "unobservable"),
        (" ".join(["word"] * 41) + ".", "statement-too-long"),
    ],
)
def test_wording_rules(folder: Path, text: str, code: str) -> None:
    edit(folder, "sales", statement(4, 2), text)
    assert code in codes(folder)


def test_anchors_must_exist_for_the_familys_occupations(folder: Path) -> None:
    edit(folder, "sales", 'onet = ["2.A.1.b", "2.C.1.e"]', 'onet = ["9.Z.9"]')
    found = {i.code: i for i in lint_content(folder)}
    assert "no-rated-anchor" in found
    assert "'9.Z.9' is not in seeds/onet/elements.csv" in found["unknown-anchor"].message
    assert "laddersheet content anchors sales" in found["unknown-anchor"].message


def test_competency_ids_are_unique_across_families(folder: Path) -> None:
    edit(folder, "marketing", 'id = "zz-c1"', 'id = "yy-c1"')
    assert "duplicate-id" in codes(folder)


def test_expectation_rules_catch_a_broken_shape(ladder: Ladder) -> None:
    fid = next(f.family_id for f in ladder.families if f.curated)
    broken = []
    for row in ladder.expectations:
        if row.family_id == fid and row.competency_id == "coaching" and row.level == "M1":
            row = dataclasses.replace(row, expected=1)  # a new team lead "Learning" to coach
        if row.family_id == fid and row.track == "IC" and row.level == "L4":
            row = dataclasses.replace(row, expected=5)  # tops out early; above L5 for some
        broken.append(row)
    issues = lint_expectations(dataclasses.replace(ladder, expectations=tuple(broken)))
    assert {"people-core-low", "not-monotonic", "top-too-early"} <= {i.code for i in issues}
