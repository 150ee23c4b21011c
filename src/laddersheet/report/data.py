"""The report as data: JSON (complete) and CSV (flat tables)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..actions import AgreedAction
from ..gaps import (
    EmployeeGaps,
    GapReport,
    GroupStats,
)
from ..history import CycleFigures
from ..issues import Issue, Severity
from ..progress import GroupProgress, PersonProgress, Progress
from ..workbook import (
    atomic_output,
    csv_cell,
)

JSON_DECIMALS = 4
GAPS_CSV = "gaps.csv"
EMPLOYEES_CSV = "employees.csv"
PROGRESS_CSV = "progress.csv"
ACTIONS_CSV = "actions.csv"  # agreed this cycle
EARLIER_ACTIONS_CSV = "earlier_actions.csv"  # reviewed this cycle (with a history)
PROGRESS_GROUPS_CSV = "progress_groups.csv"
TREND_CSV = "trend.csv"  # the company's figures per recorded cycle, this one last
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


# --------------------------------------------------------------------------- JSON


def json_document(report: GapReport, progress: Progress | None = None) -> dict[str, Any]:
    """The JSON report: ``{"summary", "employees", "issues"}`` and, with a history that holds
    an earlier cycle, ``"progress"`` (shape documented in README)."""
    names = competency_names(report)
    document = {
        "summary": _summary(report),
        "employees": [_employee_json(e) for e in report.assessed()],  # + self-assessment only
        "actions": [_row_dict(ACTION_COLUMNS, _action_row(a, names)) for a in report.actions],
        "issues": [_issue_json(i) for i in _ordered_issues(report.issues)],
    }
    if progress is not None:
        document["progress"] = progress_json(progress, names, report.created)
    return document


def competency_names(report: GapReport) -> dict[str, str]:
    """Competency id → name, as the report's rows give them."""
    names: dict[str, str] = {}
    for employee in report.assessed():
        for row in employee.competencies:
            names.setdefault(row.competency_id, row.competency)
    return names


ACTION_COLUMNS = (
    "employee_id",
    "position",
    "competency_id",
    "competency",
    "action",
    "due_date",
    "suggested",
    "file",
    "sheet",
    "cell",
)
EARLIER_ACTION_COLUMNS = (
    "employee_id",
    "action_id",
    "agreed_in",
    "competency_id",
    "competency",
    "action",
    "due_date",
    "status",
    "note",
    "overdue",
)
GROUP_PROGRESS_COLUMNS = (
    "kind",
    "key",
    "label",
    "people",
    "gaps_closed",
    "gaps_opened",
    "level_changes",
    "actions_reviewed",
    "done",
    "dropped",
    "overdue",
    "no_status",
    "completion",
)


TREND_COLUMNS = (
    "cycle",
    "date",
    "people",
    "meets_level",
    "readiness",
    "open_gaps",
    "actions_agreed",
    "actions_reviewed",
    "actions_done",
    "completion",
)


def _trend_row(f: CycleFigures) -> list[Any]:
    return [
        f.cycle,
        f.date,
        f.people,
        _round(f.meets_level),
        _round(f.readiness),
        f.open_gaps,
        f.actions_agreed,
        f.actions_reviewed,
        f.actions_done,
        _round(f.completion),
    ]


def _row_dict(columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(columns, row, strict=True))


def _action_row(a: AgreedAction, names: dict[str, str]) -> list[Any]:
    return [
        a.employee_id,
        a.position,
        a.competency_id,
        a.competency_name(names),
        a.action,
        a.due_date,
        a.suggested,
        a.file,
        a.sheet,
        a.cell,
    ]


def _earlier_action_row(a: AgreedAction, names: dict[str, str], on: str) -> list[Any]:
    return [
        a.employee_id,
        a.action_id,
        a.cycle,
        a.competency_id,
        a.competency_name(names),
        a.action,
        a.due_date,
        a.status,
        a.note,
        a.overdue(on),
    ]


def _group_progress_row(g: GroupProgress) -> list[Any]:
    return [
        g.kind,
        g.key,
        g.label,
        g.people,
        g.closed,
        g.opened,
        g.level_changes,
        g.actions,
        g.done,
        g.dropped,
        g.overdue,
        g.no_status,
        _round(g.completion),
    ]


def progress_json(progress: Progress, names: dict[str, str], on: str) -> dict[str, Any]:
    return {
        "previous_cycle": progress.previous.name,
        "previous_date": progress.previous.date,
        "closed": progress.closed,
        "opened": progress.opened,
        "level_changes": progress.level_changes,
        "new": list(progress.new),
        "left": list(progress.left),
        "people": [
            dict(zip(PROGRESS_COLUMNS, _progress_row(p), strict=True)) for p in progress.people
        ],
        "groups": [
            _row_dict(GROUP_PROGRESS_COLUMNS, _group_progress_row(g)) for g in progress.groups
        ],
        "earlier_actions": [
            _row_dict(EARLIER_ACTION_COLUMNS, _earlier_action_row(a, names, on))
            for p in progress.people
            for a in p.actions
        ],
        "trend": [_row_dict(TREND_COLUMNS, _trend_row(f)) for f in progress.trend],
    }


PROGRESS_COLUMNS = (
    "employee_id",
    "name",
    "manager_id",
    "family_id",
    "previous_level",
    "level",
    "level_changed",
    "compared",
    "score_change",
    "improved",
    "declined",
    "closed",
    "opened",
    "met_before",
    "meets_now",
    "readiness_before",
    "readiness_now",
    "actions_reviewed",
    "actions_done",
    "actions_dropped",
    "actions_overdue",
    "actions_no_status",
    "actions_agreed",
)


def _progress_row(p: PersonProgress) -> list[Any]:
    return [
        p.employee_id,
        p.name,
        p.manager_id,
        p.family_id,
        p.previous_level,
        p.level,
        p.level_changed,
        p.compared,
        p.score_change,
        p.improved,
        p.declined,
        p.closed,
        p.opened,
        p.met_before,
        p.meets_now,
        _round(p.readiness_before),
        _round(p.readiness_now),
        len(p.actions),
        p.done,
        p.dropped,
        p.overdue,
        p.no_status,
        p.agreed,
    ]


def write_json(report: GapReport, path: Path, progress: Progress | None = None) -> Path:
    text = json.dumps(json_document(report, progress), ensure_ascii=False, indent=2) + "\n"
    with atomic_output(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _summary(report: GapReport) -> dict[str, Any]:
    company = report.company_stats
    return {
        "company": report.company,
        "cycle": report.cycle,
        "created": report.created,
        "account": report.account_line,
        "counts": _counts(report),
        "scale": [
            {"value": v, "label": label}
            for v, label in zip(report.scale_values, report.scale_labels, strict=True)
        ],
        "figures": {
            "mean_score": _round(company.mean_score),
            "mean_gap_now": _round(company.mean_gap_now),
            "mean_gap_next": _round(company.mean_gap_next),
            "distribution": company.distribution,
        },
        "teams": [_group_json(g) for g in report.teams],
        "families": [_group_json(g) for g in report.families],
        "domains": [_group_json(g) for g in report.domains],
        "heatmap": [
            {
                "family_id": c.family_id,
                "competency_id": c.competency_id,
                "scores": c.scores,
                "mean_score": _round(c.mean_score),
                "mean_gap_now": _round(c.mean_gap_now),
                "mean_gap_next": _round(c.mean_gap_next),
            }
            for c in report.competencies
        ],
        "calibration": {
            "threshold": report.calibration_threshold,
            "min_scores": report.calibration_min_scores,
            "managers": [
                {
                    "manager_id": m.manager_id,
                    "manager_name": m.manager_name,
                    "employees": m.employees,
                    "scores": m.scores,
                    "mean_score": _round(m.mean_score),
                    "spread": _round(m.spread),
                    "share_top": _round(m.share_top),
                    "compared": m.compared,
                    "raw_offset": _round(m.raw_offset),
                    "adjusted_offset": _round(m.adjusted_offset),
                    "flagged": m.flagged,
                    "direction": m.direction,
                }
                for m in report.calibration
            ],
        },
        "not_returned": [
            {
                "employee_id": e.employee_id,
                "name": e.name,
                "manager_id": e.manager_id,
                "family_id": e.family_id,
                "level": e.level,
            }
            for e in report.not_returned
        ],
    }


def _counts(report: GapReport) -> dict[str, int]:
    account = report.account
    severities = [i.severity for i in report.issues]
    return {
        "files": account.files,
        "employees": account.employees,
        "accepted": account.accepted,
        "rejected": account.rejected,
        "missing": account.missing,
        "not_returned": len(report.not_returned),
        "meets_level": report.company_stats.meets_level,
        "ready_next": report.company_stats.ready_next,
        "incomplete": report.company_stats.incomplete,
        "managers": len(report.calibration),
        "flagged_managers": len(report.flagged_managers),
        "errors": severities.count(Severity.ERROR),
        "warnings": severities.count(Severity.WARNING),
        "infos": severities.count(Severity.INFO),
        # self-assessments, apart from the managers' figures above
        "self_assessed": sum(1 for e in report.assessed() if e.self_assessed),
        "self_accepted": account.self_accepted,
        "self_rejected": account.self_rejected,
        "self_only": len(report.self_only),
        # development plans agreed this cycle (the scoring workbooks' plan blocks)
        "actions_agreed": len(report.actions),
        "with_plan": sum(1 for e in report.employees if report.actions_of(e.employee_id)),
    }


def _group_json(group: GroupStats) -> dict[str, Any]:
    return {
        "key": group.key,
        "label": group.label,
        "employees": group.employees,
        "scores": group.scores,
        "mean_score": _round(group.mean_score),
        "mean_gap_now": _round(group.mean_gap_now),
        "mean_gap_next": _round(group.mean_gap_next),
        "distribution": group.distribution,
        "meets_level": group.meets_level,
        "ready_next": group.ready_next,
        "incomplete": group.incomplete,
    }


def _employee_json(employee: EmployeeGaps) -> dict[str, Any]:
    return {
        "employee_id": employee.employee_id,
        "name": employee.name,
        "manager_id": employee.manager_id,
        "family_id": employee.family_id,
        "track": employee.track,
        "level": employee.level,
        "target_level": employee.target_level,
        "coverage": _round(employee.coverage),
        "complete": employee.complete,
        "meets_level": employee.meets_level,
        "readiness_next": _round(employee.readiness_next),
        "readiness_next_weighted": _round(employee.readiness_next_weighted),
        "manager_returned": employee.manager_returned,
        "self_assessed": employee.self_assessed,
        "self_coverage": _round(employee.self_coverage),
        "priorities": [
            {
                "competency_id": p.competency_id,
                "competency": p.competency,
                "gap_next": p.gap_next,
                "action": p.action,
            }
            for p in employee.priorities
        ],
        "competencies": [
            {
                "competency_id": row.competency_id,
                "score": row.score,
                "self_score": row.self_score,
                "self_differs": row.self_differs,
                "expected_now": row.expected_now,
                "expected_next": row.expected_next,
                "gap_now": row.gap_now,
                "gap_next": row.gap_next,
                "evidence": row.evidence,
                "source": {"file": row.file, "sheet": row.sheet, "cell": row.cell},
            }
            for row in employee.competencies
        ],
    }


def _issue_json(issue: Issue) -> dict[str, str]:
    return {
        "severity": issue.severity.value,
        "code": issue.code,
        "file": issue.file,
        "sheet": issue.sheet,
        "cell": issue.cell,
        "message": issue.message,
    }


def _ordered_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Errors first, then warnings, then notes; stable within a severity."""
    return sorted(issues, key=lambda i: _SEVERITY_ORDER[i.severity])


def _round(value: float | None) -> float | None:
    # fixed decimals keep the JSON readable and identical across platforms
    return None if value is None else round(value, JSON_DECIMALS)


# --------------------------------------------------------------------------- CSV

GAP_COLUMNS = (
    "employee_id",
    "name",
    "manager_id",
    "manager_name",
    "family_id",
    "track",
    "level",
    "target_level",
    "competency_id",
    "competency",
    "domain",
    "scope",
    "status",
    "score",
    "expected_now",
    "expected_next",
    "gap_now",
    "gap_next",
    "surplus",
    "importance",
    "evidence",
    "file",
    "sheet",
    "cell",
    "self_score",  # the employee's own score: never in a gap
    "self_differs",  # self and manager 2+ points apart: a topic for the conversation
)
EMPLOYEE_COLUMNS = (
    "employee_id",
    "name",
    "manager_id",
    "manager_name",
    "family_id",
    "family",
    "track",
    "level",
    "title",
    "target_level",
    "target_title",
    "scored",
    "missing",
    "rejected",
    "coverage",
    "meets_level",
    "readiness_next",
    "readiness_next_weighted",
    "priority_1",
    "priority_2",
    "priority_3",
    "manager_returned",
    "self_assessed",
    "self_coverage",
)


def write_csv(report: GapReport, out_dir: Path, progress: Progress | None = None) -> list[Path]:
    """``gaps.csv`` (one row per employee × competency), ``employees.csv`` and ``actions.csv``
    (the development actions agreed this cycle); with progress since an earlier cycle,
    ``progress.csv`` (one row per person recorded in both), ``progress_groups.csv`` (company,
    teams, families), ``earlier_actions.csv`` (earlier actions with this cycle's status) and
    ``trend.csv`` (the company's figures per recorded cycle).

    UTF-8 with a byte-order mark (Excel then reads accents right); every text cell escaped
    against formula injection; booleans as true/false, nulls as empty cells.
    """
    out_dir = Path(out_dir)
    gap_rows = (
        [
            e.employee_id,
            e.name,
            e.manager_id,
            e.manager_name,
            e.family_id,
            e.track,
            e.level,
            e.target_level,
            r.competency_id,
            r.competency,
            r.domain,
            r.scope,
            r.status,
            r.score,
            r.expected_now,
            r.expected_next,
            r.gap_now,
            r.gap_next,
            r.surplus,
            r.importance,
            r.evidence,
            r.file,
            r.sheet,
            r.cell,
            r.self_score,
            r.self_differs,
        ]
        for e in report.assessed()
        for r in e.competencies
    )
    employee_rows = (
        [
            e.employee_id,
            e.name,
            e.manager_id,
            e.manager_name,
            e.family_id,
            e.family,
            e.track,
            e.level,
            e.title,
            e.target_level,
            e.target_title,
            e.scored,
            e.missing,
            e.rejected,
            _round(e.coverage),
            e.meets_level,
            _round(e.readiness_next),
            _round(e.readiness_next_weighted),
            *[p.competency for p in e.priorities],
            *[""] * (3 - len(e.priorities)),
            e.manager_returned,
            e.self_assessed,
            _round(e.self_coverage),
        ]
        for e in report.assessed()
    )
    names = competency_names(report)
    written = [
        _write_csv_file(out_dir / GAPS_CSV, GAP_COLUMNS, gap_rows),
        _write_csv_file(out_dir / EMPLOYEES_CSV, EMPLOYEE_COLUMNS, employee_rows),
        _write_csv_file(
            out_dir / ACTIONS_CSV,
            ACTION_COLUMNS,
            (_action_row(a, names) for a in report.actions),
        ),
    ]
    if progress is not None:
        rows = (_progress_row(p) for p in progress.people)
        written.append(_write_csv_file(out_dir / PROGRESS_CSV, PROGRESS_COLUMNS, rows))
        groups = (_group_progress_row(g) for g in progress.groups)
        written.append(
            _write_csv_file(out_dir / PROGRESS_GROUPS_CSV, GROUP_PROGRESS_COLUMNS, groups)
        )
        earlier = (
            _earlier_action_row(a, names, report.created)
            for p in progress.people
            for a in p.actions
        )
        written.append(
            _write_csv_file(out_dir / EARLIER_ACTIONS_CSV, EARLIER_ACTION_COLUMNS, earlier)
        )
        trend = (_trend_row(f) for f in progress.trend)
        written.append(_write_csv_file(out_dir / TREND_CSV, TREND_COLUMNS, trend))
    return written


def _write_csv_file(path: Path, header: Sequence[str], rows: Iterable[list[Any]]) -> Path:
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(value) for value in row])
    return path
