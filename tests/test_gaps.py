"""The gap engine against plain, independent computations (loops over the raw inputs only)."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from laddersheet.gaps import (
    COVERAGE_MIN,
    LENIENT,
    SCOPE_TARGET,
    SCOPE_TRACK,
    SCOPE_UNLISTED,
    EmployeeGaps,
    GapReport,
    compute_gaps,
    natural_key,
)
from laddersheet.ingest import ACCEPTED, MISSING, REJECTED, IngestResult, ScoreRecord
from laddersheet.issues import IssueLog, Severity
from laddersheet.ladder import Ladder
from tests.gap_fixtures import build_result, employee


@pytest.fixture(scope="module")
def built() -> tuple[Ladder, IngestResult, GapReport]:
    ladder, result = build_result()
    return ladder, result, compute_gaps(ladder, result)


def by_id(report: GapReport, employee_id: str) -> EmployeeGaps:
    return next(e for e in report.employees if e.employee_id == employee_id)


# ---- the independent model: dictionaries built with loops, no engine code


def expected_table(ladder: Ladder) -> dict[tuple[str, str, str, str], tuple[int, float | None]]:
    table = {}
    for row in ladder.expectations:
        table[(row.family_id, row.track, row.level, row.competency_id)] = (
            row.expected,
            row.onet_im,
        )
    return table


def track_competencies(ladder: Ladder, family: str, track: str) -> list[str]:
    out: list[str] = []
    for row in ladder.expectations:
        if row.family_id == family and row.track == track and row.competency_id not in out:
            out.append(row.competency_id)
    return out


def next_level(ladder: Ladder, level: str) -> tuple[str | None, str | None]:
    for track, levels in (("IC", ladder.settings.ic_levels), ("M", ladder.settings.manager_levels)):
        codes = [lv.code for lv in levels]
        if level in codes:
            index = codes.index(level)
            return (codes[index + 1], track) if index + 1 < len(codes) else (None, None)
    return None, None


def level_track(ladder: Ladder, level: str) -> str:
    return "M" if level in [lv.code for lv in ladder.settings.manager_levels] else "IC"


def plain_scores(result: IngestResult) -> dict[tuple[str, str], tuple[str, int | None]]:
    scores = {}
    for record in result.records:
        scores[(record.employee_id, record.competency_id)] = (record.status, record.score)
    return scores


def plain_rows(ladder: Ladder, result: IngestResult, person) -> list[dict]:
    """What every row of one employee must be, computed by hand."""
    table = expected_table(ladder)
    scores = plain_scores(result)
    if person.target_level:
        target, target_track = person.target_level, level_track(ladder, person.target_level)
    else:
        target, target_track = next_level(ladder, person.level)
    ids = track_competencies(ladder, person.family_id, person.track)
    if target_track and target_track != person.track:
        for competency_id in track_competencies(ladder, person.family_id, target_track):
            if competency_id not in ids:
                ids.append(competency_id)
    for employee_id, competency_id in scores:
        if employee_id == person.employee_id and competency_id not in ids:
            ids.append(competency_id)
    rows = []
    for competency_id in ids:
        status, score = scores.get((person.employee_id, competency_id), (MISSING, None))
        now = table.get((person.family_id, person.track, person.level, competency_id))
        nxt = table.get((person.family_id, target_track, target, competency_id))
        expected_now = now[0] if now else None
        expected_next = nxt[0] if nxt else None
        weight = 1.0
        if nxt and nxt[1] is not None:
            weight = nxt[1]
        elif now and now[1] is not None:
            weight = now[1]
        row = {
            "competency_id": competency_id,
            "status": status,
            "score": score,
            "expected_now": expected_now,
            "expected_next": expected_next,
            "gap_now": None,
            "gap_next": None,
            "surplus": None,
            "weight": weight,
        }
        if score is not None and expected_now is not None:
            row["gap_now"] = expected_now - score if expected_now > score else 0
            row["surplus"] = score - expected_now if score > expected_now else 0
        if score is not None and expected_next is not None:
            row["gap_next"] = expected_next - score if expected_next > score else 0
        rows.append(row)
    return rows


# ---- rows, readiness, meets level


def test_every_row_and_employee_figure_matches_a_plain_computation(built):
    ladder, result, report = built
    assert [e.employee_id for e in report.employees] == sorted(
        e.employee_id for e in result.employees
    )
    for person in result.employees:
        got = by_id(report, person.employee_id)
        want = plain_rows(ladder, result, person)
        assert [r.competency_id for r in got.competencies] == [w["competency_id"] for w in want]
        for row, w in zip(got.competencies, want, strict=True):
            for key in ("status", "score", "expected_now", "expected_next"):
                assert getattr(row, key) == w[key], (person.employee_id, row.competency_id, key)
            for key in ("gap_now", "gap_next", "surplus"):
                assert getattr(row, key) == w[key], (person.employee_id, row.competency_id, key)
        scored = [w for w in want if w["score"] is not None]
        assert got.scored == len(scored)
        assert got.missing == len([w for w in want if w["status"] == MISSING])
        assert got.rejected == len([w for w in want if w["status"] == REJECTED])
        expected = [
            w for w in want if w["expected_now"] is not None or w["expected_next"] is not None
        ]
        covered = [w for w in expected if w["score"] is not None]
        complete = bool(expected) and len(covered) / len(expected) >= COVERAGE_MIN
        assert got.complete is complete
        with_now = [w for w in scored if w["expected_now"] is not None]
        if not with_now or not complete:
            assert got.meets_level is None
        else:
            below = [w for w in with_now if w["score"] < w["expected_now"]]
            assert got.meets_level is (len(below) == 0)
        with_next = [w for w in scored if w["expected_next"] is not None]
        if not with_next or not complete:
            assert got.readiness_next is None
            assert got.readiness_next_weighted is None
        else:
            met = [w for w in with_next if w["score"] >= w["expected_next"]]
            assert got.readiness_next == pytest.approx(len(met) / len(with_next))
            weight_met = 0.0
            weight_all = 0.0
            for w in with_next:
                weight_all += w["weight"]
                if w["score"] >= w["expected_next"]:
                    weight_met += w["weight"]
            assert got.readiness_next_weighted == pytest.approx(weight_met / weight_all)


def test_hand_checked_figures_for_an_l2_with_blanks_and_a_rejected_cell(built):
    _, _, report = built
    lea = by_id(report, "E402")
    # L2 → L3 expects 3 everywhere; scored 2, -, 3, rejected, 1, 2, -, 2 (+ coaching 3, unlisted)
    assert [r.score for r in lea.competencies] == [2, None, 3, None, 1, 2, None, 2, 3]
    assert [r.gap_next for r in lea.competencies] == [1, None, 0, None, 2, 1, None, 1, None]
    assert [r.gap_now for r in lea.competencies] == [0, None, 0, None, 1, 0, None, 0, None]
    assert [r.surplus for r in lea.competencies] == [0, None, 1, None, 0, 0, None, 0, None]
    assert (lea.scored, lea.missing, lea.rejected) == (6, 2, 1)
    assert lea.competencies[-1].scope == SCOPE_UNLISTED
    # 5 of her 8 competencies scored: below the 75 % coverage rule, so no verdict is claimed
    assert lea.coverage == pytest.approx(5 / 8) and not lea.complete
    assert lea.meets_level is None and lea.readiness_next is None
    assert lea.readiness_next_weighted is None and not lea.ready_next
    assert lea.priorities  # the gaps that did come back still give priorities


def test_nothing_scored_gives_nulls_not_zeros(built):
    _, _, report = built
    max_moss = by_id(report, "E403")
    assert (max_moss.scored, max_moss.missing) == (0, 8)
    assert max_moss.meets_level is None
    assert max_moss.readiness_next is None
    assert max_moss.readiness_next_weighted is None
    assert max_moss.priorities == ()


def test_top_of_a_track_has_no_target_and_null_readiness(built):
    _, _, report = built
    for employee_id, level in (("E202", "L5"), ("E401", "M4")):
        top = by_id(report, employee_id)
        assert top.level == level
        assert top.target_level is None
        assert top.readiness_next is None
        assert top.readiness_next_weighted is None
        assert top.priorities == ()
        assert all(r.expected_next is None and r.gap_next is None for r in top.competencies)
        assert any(r.gap_now for r in top.competencies)  # current-level gaps still count
        assert not top.ready_next


def test_target_on_the_other_track_uses_the_target_tracks_competencies(built):
    ladder, _, report = built
    eli = by_id(report, "E203")  # L4 → M1
    assert (eli.target_level, eli.target_track) == ("M1", "M")
    assert eli.target_title == "Team Lead, Function 1"
    assert [r.competency_id for r in eli.competencies][-1] == "coaching"
    coaching = eli.competencies[-1]
    assert coaching.scope == SCOPE_TARGET
    assert coaching.expected_now is None and coaching.gap_now is None
    m1 = ladder.expectation("family_1", "M", "M1", "coaching")
    assert m1 is not None and coaching.expected_next == m1.expected
    assert all(r.scope == SCOPE_TRACK for r in eli.competencies[:-1])
    # the IC competencies are measured against M1, not against L5 (which expects 5)
    for row in eli.competencies[:-1]:
        m1_row = ladder.expectation("family_1", "M", "M1", row.competency_id)
        assert m1_row is not None and row.expected_next == m1_row.expected
    # every scored competency meets M1, but one is below L4 now: ready needs both
    assert eli.readiness_next == 1.0 and eli.meets_level is False and not eli.ready_next


def test_weighted_readiness_uses_onet_importance_and_weight_one_without_it(built):
    ladder, result, _ = built
    # same data, but comp-3 has no O*NET importance (a competency HR added by hand)
    rows = tuple(
        replace(r, onet_im=None) if r.competency_id == "comp-3" else r for r in ladder.expectations
    )
    report = compute_gaps(replace(ladder, expectations=rows), result)
    ivy = by_id(report, "E301")  # L1 -> L2, all 8 scored, only comp-3 meets L2
    assert ivy.readiness_next == pytest.approx(1 / 8)  # unweighted share unchanged
    # IM 3.0, 3.5, (none: 1.0), 4.5, 5.0, 3.0, 3.5, 4.0
    assert ivy.readiness_next_weighted == pytest.approx(1.0 / 27.5)


def test_priorities_largest_gap_then_importance_then_name(built):
    _, _, report = built
    lea = by_id(report, "E402")
    # gaps: comp-5 2 (IM 5.0); comp-1, comp-6, comp-8 1 (IM 3.0, 3.0, 4.0)
    assert [(p.competency_id, p.gap_next) for p in lea.priorities] == [
        ("comp-5", 2),
        ("comp-8", 1),  # importance 4.0 beats 3.0
        ("comp-1", 1),  # "Competency 1" before "Competency 6" (same gap, same importance)
    ]
    assert lea.priorities[0].action == "Action for Competency 5 towards L3-L5."
    assert lea.priorities[0].action_band == "L3-L5"
    assert lea.priorities[0].evidence == "-Léa Dash on comp-5: example from Q1."
    cleo = by_id(report, "E201")  # L4 → L5
    assert [p.competency_id for p in cleo.priorities] == ["comp-4", "comp-5", "comp-3"]
    assert by_id(report, "E404").priorities[0].evidence.startswith("Led the migration")


def test_priorities_take_the_action_of_the_target_level(built):
    _, _, report = built
    flo = by_id(report, "E204")  # L3 → L4
    assert all(p.action and p.action.endswith("towards L3-L5.") for p in flo.priorities)
    gus = by_id(report, "E301")  # L1 → L2
    assert all(p.action and p.action.endswith("towards L1-L2.") for p in gus.priorities)


# ---- groups, heatmap


def test_group_figures_match_plain_means_distributions_and_counts(built):
    ladder, result, report = built
    rows = []  # (employee, row) for every row, from the plain model
    for person in result.employees:
        for w in plain_rows(ladder, result, person):
            rows.append((person, w))
    domains = {c.competency_id: c.domain for c in ladder.competencies}

    def verdict(person) -> tuple[bool, bool]:
        """A person's own meets / ready, by the coverage rule, from their plain rows."""
        own = [w for p, w in rows if p is person]
        expected = [
            w for w in own if w["expected_now"] is not None or w["expected_next"] is not None
        ]
        covered = [w for w in expected if w["score"] is not None]
        if not expected or len(covered) / len(expected) < COVERAGE_MIN:
            return False, False
        now = [w["gap_now"] for w in own if w["gap_now"] is not None]
        nxt = [w["gap_next"] for w in own if w["gap_next"] is not None]
        meets = bool(now) and not any(now)
        return meets, meets and bool(nxt) and not any(nxt)

    def figures(selected, per_person=True):
        scores = [w["score"] for _, w in selected if w["score"] is not None]
        now = [w["gap_now"] for _, w in selected if w["gap_now"] is not None]
        nxt = [w["gap_next"] for _, w in selected if w["gap_next"] is not None]
        ready: dict[str, bool] = {}
        meets: dict[str, bool] = {}
        for person, w in selected:
            if per_person:
                meets[person.employee_id], ready[person.employee_id] = verdict(person)
                continue
            if w["gap_next"] is not None:
                ready[person.employee_id] = (
                    ready.get(person.employee_id, True) and not w["gap_next"]
                )
            if w["gap_now"] is not None:
                meets[person.employee_id] = meets.get(person.employee_id, True) and not w["gap_now"]
        distribution = {str(v): 0 for v in (1, 2, 3, 4, 5)}
        for score in scores:
            distribution[str(score)] += 1
        return (
            sum(scores) / len(scores) if scores else None,
            sum(now) / len(now) if now else None,
            sum(nxt) / len(nxt) if nxt else None,
            distribution,
            sum(1 for v in ready.values() if v),
            sum(1 for v in meets.values() if v),
        )

    def check(group, selected, per_person=True):
        mean_score, mean_now, mean_next, distribution, ready, meets = figures(selected, per_person)
        assert group.mean_score == pytest.approx(mean_score)
        assert group.mean_gap_now == pytest.approx(mean_now)
        assert group.mean_gap_next == pytest.approx(mean_next)
        assert group.distribution == distribution
        assert group.ready_next == ready
        assert group.meets_level == meets
        assert group.scores == sum(distribution.values())

    check(report.company_stats, rows)
    assert report.company_stats.employees == len(result.employees)
    assert [t.key for t in report.teams] == ["M-FAIR", "M-LEN", "M-SEN", "M-TWO"]
    for team in report.teams:
        check(team, [(p, w) for p, w in rows if p.manager_id == team.key])
    assert [f.key for f in report.families] == ["family_1", "family_2"]
    for family in report.families:
        check(family, [(p, w) for p, w in rows if p.family_id == family.key])
    assert {d.key for d in report.domains} == set(domains.values())
    for domain in report.domains:
        selected = [(p, w) for p, w in rows if domains[w["competency_id"]] == domain.key]
        check(domain, selected, per_person=False)
    # ready for the next level = meets the current level and readiness_next == 1.0
    assert report.company_stats.ready_next == sum(
        1 for e in report.employees if e.meets_level and e.readiness_next == 1.0
    )
    assert report.company_stats.incomplete == sum(1 for e in report.employees if not e.complete)
    for cell in report.competencies:
        selected = [
            w["gap_next"]
            for p, w in rows
            if p.family_id == cell.family_id
            and w["competency_id"] == cell.competency_id
            and w["gap_next"] is not None
        ]
        want = sum(selected) / len(selected) if selected else None
        assert cell.mean_gap_next == pytest.approx(want)


# ---- calibration


def plain_offsets(report: GapReport) -> dict[str, tuple[float, float, int]]:
    """(raw, adjusted, compared) per manager: every row against the others' mean on its pair."""
    rows = []
    for e in report.employees:
        for r in e.competencies:
            if r.scope == SCOPE_TRACK and r.score is not None and r.expected_now is not None:
                rows.append((e.manager_id, e.family_id, r.competency_id, r.score, r.expected_now))
    out = {}
    for manager in {row[0] for row in rows}:
        raw_diffs, adjusted_diffs = [], []
        for m, family, competency, score, expected in rows:
            if m != manager:
                continue
            others = [
                (s, x)
                for m2, f2, c2, s, x in rows
                if m2 != manager and f2 == family and c2 == competency
            ]
            if not others:
                continue
            raw_diffs.append(score - sum(s for s, _ in others) / len(others))
            adjusted_diffs.append((score - expected) - sum(s - x for s, x in others) / len(others))
        n = len(raw_diffs)
        out[manager] = (
            sum(raw_diffs) / n if n else math.nan,
            sum(adjusted_diffs) / n if n else math.nan,
            n,
        )
    return out


def test_calibration_matches_a_plain_leave_one_out_comparison(built):
    _, _, report = built
    plain = plain_offsets(report)
    for manager in report.calibration:
        raw, adjusted, n = plain[manager.manager_id]
        assert manager.compared == n
        if n:
            assert manager.raw_offset == pytest.approx(raw)
            assert manager.adjusted_offset == pytest.approx(adjusted)
        else:
            assert manager.raw_offset is None and manager.adjusted_offset is None


def test_calibration_flags_the_lenient_manager_not_the_team_of_seniors(built):
    _, _, report = built
    managers = {m.manager_id: m for m in report.calibration}
    lena, sam, fay, theo = (managers[k] for k in ("M-LEN", "M-SEN", "M-FAIR", "M-TWO"))
    assert lena.flagged and lena.direction == LENIENT
    assert lena.adjusted_offset is not None and lena.adjusted_offset > 0.5
    # Sam's raw scores are far above everyone else's on the same competencies ...
    assert sam.raw_offset is not None and sam.raw_offset > 1.0
    # ... but at his people's levels, so the gap-adjusted rating does not flag him
    assert not sam.flagged and sam.direction == ""
    assert not fay.flagged
    assert not theo.flagged and theo.compared == 0  # nobody else scores family_2
    assert [m.manager_id for m in report.flagged_managers] == ["M-LEN"]


def test_calibration_basics_and_thresholds(built):
    ladder, result, report = built
    lena = next(m for m in report.calibration if m.manager_id == "M-LEN")
    assert (lena.employees, lena.scores) == (2, 16)
    assert lena.mean_score == pytest.approx(2.5)  # eight 2s and eight 3s
    assert lena.spread == pytest.approx(0.5)  # population standard deviation
    assert lena.share_top == 0.0
    sam = next(m for m in report.calibration if m.manager_id == "M-SEN")
    sam_scores = []
    for e in report.employees:
        if e.manager_id == "M-SEN":
            sam_scores += [r.score for r in e.competencies if r.scope == SCOPE_TRACK and r.score]
    assert sam.share_top == pytest.approx(sam_scores.count(5) / len(sam_scores))
    too_few = compute_gaps(ladder, result, calibration_min_scores=17)
    assert not too_few.flagged_managers  # Lena has 16 compared scores
    wide = compute_gaps(ladder, result, calibration_threshold=1.5)
    assert not wide.flagged_managers and wide.calibration_threshold == 1.5


# ---- issues, odd inputs, JSON-friendliness


def test_issues_keep_ingests_and_add_the_engines_errors_first(built):
    _, result, report = built
    codes = [i.code for i in report.issues]
    assert codes[0] == "score-out-of-range"
    assert "gap-score-not-in-ladder" in codes
    assert {i.code for i in result.issues} <= set(codes)
    severities = [i.severity for i in report.issues]
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    assert severities == sorted(severities, key=rank.__getitem__)
    assert len(result.issues) == 3  # the input log is left alone


def test_odd_inputs_are_reported_not_dropped_or_fatal():
    ladder, _ = build_result()
    nowhere = replace(employee("E101"), employee_id="E900", family_id="no_such_family")
    bad_target = replace(employee("E102"), target_level="L9")
    twice = employee("E301")
    records = [
        ScoreRecord("E301", "comp-1", 2, ACCEPTED, "2", "first", "a.xlsx", "s", "D6"),
        ScoreRecord("E301", "comp-1", 4, ACCEPTED, "4", "second", "b.xlsx", "s", "D6"),
        ScoreRecord("E301", "comp-2", None, REJECTED, "x", "", "a.xlsx", "s", "D7"),
        ScoreRecord("E301", "comp-2", 3, ACCEPTED, "3", "", "b.xlsx", "s", "D7"),
        ScoreRecord("E777", "comp-1", 3, ACCEPTED, "3", "", "c.xlsx", "s", "D6"),
        ScoreRecord("E900", "comp-1", 3, ACCEPTED, "3", "", "c.xlsx", "s", "D6"),
    ]
    result = IngestResult([nowhere, bad_target, twice, twice], records, IssueLog(), ["a.xlsx"])
    report = compute_gaps(ladder, result)
    codes = sorted({i.code for i in report.issues})
    assert codes == [
        "gap-duplicate-employee",
        "gap-duplicate-score",
        "gap-no-expectations",
        "gap-score-not-in-ladder",
        "gap-score-unknown-employee",
        "gap-unknown-target-level",
    ]
    gus = by_id(report, "E301")
    assert gus.competencies[0].score == 2  # the first accepted score wins
    assert gus.competencies[1].score == 3  # an accepted score beats a rejected one
    lost = by_id(report, "E900")
    assert [r.scope for r in lost.competencies] == [SCOPE_UNLISTED]
    assert lost.meets_level is None and lost.readiness_next is None
    assert by_id(report, "E102").target_level is None


def test_empty_result_gives_an_empty_report():
    ladder, _ = build_result()
    report = compute_gaps(ladder, IngestResult([], []))
    assert report.employees == ()
    assert report.company_stats.employees == 0 and report.company_stats.mean_score is None
    assert report.calibration == () and report.teams == ()


def test_report_is_json_friendly(built):
    _, _, report = built
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["account_line"] == report.account.line()
    assert data["employees"][0]["competencies"][0]["competency_id"] == "comp-1"
    assert data["issues"][0]["severity"] == "error"


def test_natural_employee_order():
    assert sorted(["E10", "E2", "e1", "A"], key=natural_key) == ["A", "e1", "E2", "E10"]
