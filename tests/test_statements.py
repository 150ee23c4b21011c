"""The words of the ladder: the competency library, task rewriting, stages and statements."""

from __future__ import annotations

import re

import pytest

from laddersheet.catalog import Catalog, load_catalog
from laddersheet.settings import TRACK_IC, TRACK_MANAGER, LevelSpec, default_settings
from laddersheet.statements import (
    BY_ID,
    DOMAINS,
    IC_STAGES,
    LIBRARY,
    MANAGER_STAGES,
    PEOPLE_LEADERSHIP,
    TaskCandidate,
    distinct,
    ic_statement,
    is_people_task,
    level_stages,
    manager_actions,
    manager_statement,
    parse_task,
    people_statement,
    pick_tasks,
)

VERBS = frozenset({"plan", "design", "resolve", "write", "consult", "perform", "keep", "apply"})
BANNED = re.compile(
    r"demonstrates the ability|\b(very good|excellent|good)\b|\bunderstands\b|passionate",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def task(text: str) -> str:
    phrase = parse_task(text, VERBS)
    assert phrase is not None
    return phrase.third_person()


def level(code: str, scope: str, autonomy: str, track: str = TRACK_IC) -> LevelSpec:
    return LevelSpec(code, track, "{noun}", scope, autonomy, "")


# --- the library ---------------------------------------------------------------------------


def test_library_is_consistent(catalog: Catalog) -> None:
    ids = [d.competency_id for d in LIBRARY]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    for d in LIBRARY:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", d.competency_id)
        assert d.domain in DOMAINS
        assert d.element_id in catalog.elements, d.competency_id
        assert all(s in catalog.elements for s in d.supports), d.competency_id
        assert d.keywords and d.description and d.practice
        if d.people_leadership:
            assert len(d.stages) == MANAGER_STAGES and len(d.actions) == 2
        else:
            assert len(d.stages) == IC_STAGES and len(d.actions) == 3
        assert len(set(d.stages)) == len(d.stages), d.competency_id


def test_library_text_is_plain_behaviour() -> None:
    for d in LIBRARY:
        texts = [*d.stages, *d.actions]
        if not d.people_leadership:
            texts += manager_actions(d)
        for text in texts:
            assert not BANNED.search(text), text
            assert text[0].isupper() and text.endswith("."), text
            assert len(text) <= 240, text
        for action in [*d.actions, *([] if d.people_leadership else manager_actions(d))]:
            # assignable: who does what, by when, with what evidence
            assert re.search(r"month|quarter|half-year|week", action), action
            assert re.search(r"1:1|review", action), action


def test_people_leadership_covers_the_manager_job() -> None:
    people = {d.competency_id for d in LIBRARY if d.domain == PEOPLE_LEADERSHIP}
    assert people == {"coaching", "hiring", "performance-management", "team-building"}
    text = " ".join(s for cid in people for s in BY_ID[cid].stages).casefold()
    for topic in ("feedback", "hire", "performance conversations", "structure", "next managers"):
        assert topic in text, topic


# --- task rewriting ------------------------------------------------------------------------


def test_third_person_forms() -> None:
    assert task("Plan and run customer onboarding.") == "plans and runs customer onboarding"
    assert task("Apply the rules to new cases.") == "applies the rules to new cases"
    assert task("Keep records of customer calls.") == "keeps records of customer calls"
    assert task("Consult with users about their needs.") == "consults with users about their needs"


def test_or_lists_of_verbs_become_and_lists() -> None:
    assert task("Design, implement, or evaluate staff training.") == (
        "designs, implements and evaluates staff training"
    )
    assert task("Resolve customer complaints or answer customers' questions.") == (
        "resolves customer complaints and answers customers' questions"
    )
    # nouns keep their "or"; infinitives keep their base form
    assert task("Write reports or manuals to guide and train end users.") == (
        "writes reports or manuals to guide and train end users"
    )


def test_such_as_lists_and_vague_tails_are_trimmed() -> None:
    assert task("Resolve billing complaints by performing activities such as refunds.") == (
        "resolves billing complaints"
    )
    assert task("Perform searches for candidates, using sources such as job boards.") == (
        "performs searches for candidates"
    )
    assert task("Keep logs of calls (inbound and outbound); file them weekly.") == (
        "keeps logs of calls"
    )


def test_long_tasks_are_cut_at_a_clause() -> None:
    long = (
        "Write, update, and maintain computer programs or software packages to handle specific "
        "jobs such as tracking inventory, storing or retrieving data, or controlling equipment."
    )
    assert task(long) == (
        "writes, updates and maintains computer programs or software packages to handle specific "
        "jobs"
    )
    longer = (
        "Confer with customers by telephone or in person to provide information about products or "
        "services, take or enter orders, cancel accounts, or obtain details of complaints."
    )
    assert task(longer) == "confers with customers by telephone or in person"
    text = task(
        "Keep records of customer interactions or transactions, recording details of inquiries, "
        "complaints, or comments, as well as actions taken."
    )
    assert text == "keeps records of customer interactions or transactions"


def test_unusable_tasks_are_skipped() -> None:
    assert parse_task("Stockrooms and warehouses.", VERBS) is None
    assert parse_task("Plan it.", VERBS) is None


def test_supervising_tasks_are_recognised() -> None:
    assert is_people_task("Supervise the work of office employees.")
    assert is_people_task("Train subordinates in programming.")
    assert not is_people_task("Interview job applicants to obtain information on work history.")
    assert not is_people_task("Communicate with staff or clients to understand requirements.")


def test_task_choice_prefers_linked_tasks_and_spreads_them() -> None:
    comp = BY_ID["writing"]
    candidates = [
        TaskCandidate(parse_task(text, VERBS), text.casefold(), frozenset(acts))
        for text, acts in (
            ("Write user manuals for new products.", ()),
            ("Write release notes for each version.", ()),
            ("Design the layout of the office.", ()),
            ("Plan the team offsite for the year.", ("2.C.7.a",)),
        )
    ]
    used: dict[str, int] = {}
    first = pick_tasks(comp, candidates, (), frozenset(), used)
    assert {p.base() for p in first} <= {
        "write user manuals for new products",
        "write release notes for each version",
        "plan the team offsite for the year",
    }
    assert first and all("layout" not in p.base() for p in first)
    second = pick_tasks(comp, candidates, (), frozenset(), used)
    assert {p.base() for p in first} != {p.base() for p in second}


# --- stages --------------------------------------------------------------------------------


def test_default_levels_map_onto_every_stage() -> None:
    settings = default_settings()
    assert level_stages(settings.ic_levels, TRACK_IC) == [0, 1, 2, 3, 4]
    assert level_stages(settings.manager_levels, TRACK_MANAGER) == [0, 1, 2, 3]


def test_stages_follow_the_scope_words() -> None:
    levels = [
        level("A", "Own tasks", "Works with guidance and review"),
        level("B", "A team's outcomes", "Sets direction for a team"),
        level("C", "The whole company", "Works with executives"),
    ]
    assert level_stages(levels, TRACK_IC) == [0, 3, 4]
    # no keywords at all: spread by position
    plain = [level(c, "x", "y") for c in "ABC"]
    assert level_stages(plain, TRACK_IC) == [0, 2, 4]
    # more levels than stages: never going down
    many = [level(str(i), "x", "y") for i in range(7)]
    stages = level_stages(many, TRACK_IC)
    assert stages == sorted(stages) and stages[0] == 0 and stages[-1] == IC_STAGES - 1


# --- statements ----------------------------------------------------------------------------


def test_ic_statements_step_up_and_keep_the_task() -> None:
    comp = BY_ID["customer-service"]
    phrase = parse_task("Resolve customer complaints about billing.", VERBS)
    cells = [ic_statement(comp, stage, 1, phrase, "Customer Success") for stage in range(5)]
    assert len(set(cells)) == 5
    sentences = [s for cell in cells for s in re.split(r"(?<=\.)\s+", cell)]
    assert len(sentences) == len(set(sentences))
    assert "colleague reviewing" in cells[0] and "without review" in cells[2]
    assert "the team" in cells[3] and "executives" in cells[4]
    assert all("customer complaints about billing" in cell for cell in cells)
    assert "multi-year direction for how Customer Success resolves" in cells[4]


def test_anchor_tier_names_the_kind_of_cases() -> None:
    comp = BY_ID["critical-thinking"]
    phrase = parse_task("Resolve customer complaints.", VERBS)
    # working on their own means routine cases, whatever the anchor says
    assert "for routine cases" in ic_statement(comp, 1, 2, phrase, "Support")
    # from the workstream stage on, the anchor nearest the level's target LV picks the cases
    assert "including non-routine cases" in ic_statement(comp, 2, 0, phrase, "Support")
    assert "including non-routine cases" in ic_statement(comp, 2, 1, phrase, "Support")
    assert "complex, high-stakes cases" in ic_statement(comp, 2, 2, phrase, "Support")
    assert "complex, high-stakes cases" in ic_statement(comp, 4, 0, phrase, "Support")


def test_statement_without_a_task_is_the_behaviour() -> None:
    comp = BY_ID["integrity"]
    assert ic_statement(comp, 0, 0, None, "Legal") == comp.stages[0]


def test_long_statements_drop_the_frame_tail() -> None:
    comp = BY_ID["business-planning"]
    long_task = "Plan " + "the quarterly customer onboarding programme " * 5 + "carefully."
    text = ic_statement(comp, 4, 2, parse_task(long_task, VERBS), "Customer Success")
    assert "takes the" not in text


def test_manager_and_people_statements() -> None:
    phrase = parse_task("Resolve customer complaints.", VERBS)
    cells = [manager_statement(BY_ID["listening"], s, phrase, "Support") for s in range(4)]
    assert len(set(cells)) == 4
    assert cells[0].startswith("Makes sure the team resolves customer complaints.")
    assert "several teams resolve customer complaints" in cells[2]
    people = [people_statement(BY_ID["coaching"], s, phrase, "Support") for s in range(4)]
    assert len(set(people)) == 4
    assert "In their own team, resolves" in people[0]
    assert "Support" in people[2] and "resolves" not in people[3]


def test_distinct_names_the_scope_when_two_cells_match() -> None:
    levels = [level("A", "Own tasks", "With review"), level("B", "Own projects", "Alone")]
    assert distinct(["Same.", "Same."], levels) == ["Same.", "Same. Scope: Own projects."]
    same_scope = [level("A", "x", "With review"), level("B", "x", "x"), level("C", "x", "x")]
    result = distinct(["Same.", "Same.", "Same."], same_scope)
    assert len(set(result)) == 3


def test_last_verb_of_a_comma_series_is_conjugated() -> None:
    verbs = frozenset({"complete", "prepare", "issue"})
    task = (
        "Complete contract forms, prepare change of address records, or issue service "
        "discontinuance orders, using computers."
    )
    phrase = parse_task(task, verbs)
    assert phrase is not None
    assert "prepares change of address records and issues service" in phrase.present
