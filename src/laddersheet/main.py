"""The pipeline, stage by stage: each public function is one command's whole job.

settings → catalog → ladder → master workbook → scoring workbooks → ingest → gaps → reports.
The CLI parses arguments and calls exactly one of these; they never print (progress goes
through the ``on_progress`` callback the CLI passes in).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from .errors import InputError, WorkbookError
from .issues import IssueLog

if TYPE_CHECKING:  # stages are imported lazily so `--help` stays fast
    from .actions import ActionReview
    from .gaps import GapReport
    from .ingest import IngestResult
    from .ladder import Ladder
    from .master import MasterRead
    from .progress import Progress as ProgressSince
    from .roster import Employee
    from .scoring import LastCycle

Progress = Callable[[Path], None]
P = ParamSpec("P")
T = TypeVar("T")

# A batch stage builds millions of small objects that live to its end (cells read, rows, the
# report's data) and almost no reference cycles; the cyclic collector's defaults (a pass every
# 700 new objects, full passes as the heap grows) spent ~10 % of ingest's CPU walking them.
# One pass every 100,000 instead still finds every cycle. Forked workers inherit it.
BATCH_GC_THRESHOLD = (100_000, 10, 10)


def _batch_stage(stage: Callable[P, T]) -> Callable[P, T]:
    """Run ``stage`` with the collector tuned for batch work, restored afterwards."""

    @functools.wraps(stage)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        before = gc.get_threshold()
        gc.set_threshold(*BATCH_GC_THRESHOLD)
        try:
            return stage(*args, **kwargs)
        finally:
            gc.set_threshold(*before)

    return run


def generate(settings_path: Path | None, out: Path) -> Path:
    """Settings (or the defaults) → the master-template workbook at ``out``."""
    from .catalog import load_catalog
    from .ladder import build_ladder
    from .master import write_master
    from .settings import load_settings

    catalog = load_catalog()
    settings = load_settings(settings_path, known_families=list(catalog.families))
    ladder = build_ladder(settings, catalog)
    return write_master(ladder, out)


def family_overview(settings_path: Path | None = None) -> list[dict[str, object]]:
    """Every family of the ladder the settings give: content status, competencies per track."""
    from .catalog import load_catalog
    from .ladder import build_ladder
    from .settings import TRACK_IC, TRACK_MANAGER, load_settings

    catalog = load_catalog()
    ladder = build_ladder(load_settings(settings_path, list(catalog.families)), catalog)
    return [
        {
            "family_id": f.family_id,
            "name": f.name,
            "content": "curated" if f.curated else "draft",
            "ic_competencies": len(ladder.competency_ids(f.family_id, TRACK_IC)),
            "manager_competencies": len(ladder.competency_ids(f.family_id, TRACK_MANAGER)),
            "ic_codes": list(f.ic_codes),
            "manager_codes": list(f.manager_codes),
        }
        for f in ladder.families
    ]


def lint_content(folder: Path | None = None, only: Sequence[Path] = ()) -> IssueLog:
    """Content files (default: the built-in ones) → every problem the linter finds.

    A file that cannot be read is reported and left out; the others are still checked, each
    against all the others. ``only`` keeps the problems of those files.
    """
    from .catalog import load_catalog
    from .content import (
        LIBRARY_FILE,
        ContentError,
        Library,
        content_dir,
        read_drafts,
        read_family,
        read_people,
    )
    from .lint import lint_library

    folder = folder or content_dir()
    log = IssueLog()
    families = {}
    for path in sorted((folder / "families").glob("*.toml")):
        try:
            family = read_family(path)
        except ContentError as error:
            for problem in error.problems:
                log.error("content-structure", problem, file=str(path.relative_to(folder)))
            continue
        families[family.family_id] = family
    try:
        people = read_people(folder / "people_leadership.toml")
    except ContentError as error:
        for problem in error.problems:
            log.error("content-structure", problem, file="people_leadership.toml")
        people = ()
    try:
        domains, drafts = read_drafts(folder / LIBRARY_FILE)
    except ContentError as error:
        for problem in error.problems:
            log.error("content-structure", problem, file=LIBRARY_FILE)
        domains, drafts = (), ()
    library = Library(families, people, drafts, domains)
    log.extend(lint_library(library, load_catalog(), root=folder))
    if only:
        names = {Path(p).resolve() for p in only}
        log = IssueLog([i for i in log if (folder / i.file).resolve() in names])
    return log


@dataclass
class SheetsResult:
    paths: list[Path]
    employees: int
    master_issues: IssueLog


@_batch_stage
def make_sheets(
    master_path: Path,
    out_dir: Path,
    roster_path: Path | None = None,
    *,
    roster_map: Sequence[str] = (),
    force: bool = False,
    on_progress: Progress | None = None,
    self_assessment: bool = False,
    jobs: int | None = None,
    history_path: Path | None = None,
) -> SheetsResult:
    """Master (+ its Roster sheet, or a roster file) → one scoring workbook per manager.

    ``roster_map``: ``our_column=Their Header`` items (``--map``) for an HRIS export's headers.
    ``self_assessment``: one self-assessment workbook per employee instead (``sheets --self``).
    ``jobs``: processes writing workbooks at once (default: every core; the same files either way).
    ``history_path``: a history file (created if missing); the scores it holds for the cycle
    before this one are shown read-only beside each competency and the actions still open come
    back with a Status to pick (scoring workbooks only, never self-assessments); who was sent
    a workbook is recorded there for ingest.
    """
    from .layout import SCORING_FILE_PREFIX, SELF_FILE_PREFIX
    from .roster import parse_column_map, read_roster
    from .scoring import write_scoring_workbooks, write_self_assessment_workbooks

    _require_file(master_path, "master workbook")
    if roster_path is not None:
        _require_file(roster_path, "roster")
    if history_path is not None:  # a file that is no history stops the run before any sheet
        from .history import check_store

        check_store(history_path)  # a missing one is fine: the first cycle has none yet
    master = _read_master_strict(master_path)
    if history_path is not None and not history_path.exists() and not self_assessment:
        master.issues.info(
            "history-created",
            "a new history file: it keeps who was sent a sheet this cycle, and the "
            "workbooks show no earlier cycle. If an earlier cycle was recorded, give that "
            "file instead",
            file=str(history_path),
        )
    employees = read_roster(
        roster_path or master_path,
        master.ladder,
        column_map=parse_column_map(roster_map),
        issues=master.issues,  # roster warnings are shown with the master's
    )
    last_cycle = None if self_assessment else _last_cycle(history_path, master.ladder)
    _clear_earlier_workbooks(
        out_dir, force, SELF_FILE_PREFIX if self_assessment else SCORING_FILE_PREFIX
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    if self_assessment:
        paths = write_self_assessment_workbooks(
            master.ladder, employees, out_dir, on_progress=on_progress, jobs=jobs
        )
    else:
        paths = write_scoring_workbooks(
            master.ladder,
            employees,
            out_dir,
            on_progress=on_progress,
            jobs=jobs,
            last_cycle=last_cycle,
        )
        if history_path is not None:  # who was sent: ingest lists from it who did not return
            from .history import record_sent

            record_sent(
                history_path, master.ladder.settings.cycle, [e for e in employees if e.manager_id]
            )
    return SheetsResult(paths, len(employees), master.issues)


def _last_cycle(history_path: Path | None, ladder: Ladder) -> LastCycle | None:
    """What the history holds before the ladder's cycle: accepted scores, open actions, and
    what was agreed before (not prefilled again).

    None when there is no history or it holds no earlier cycle (the sheets are then as without).
    """
    if history_path is None or not history_path.exists():
        return None
    from .actions import text_key
    from .history import earlier_actions, previous_cycle, scores_for
    from .ingest import ACCEPTED
    from .scoring import LastCycle, OpenAction

    cycle = ladder.settings.cycle
    earlier = previous_cycle(history_path, cycle)
    if earlier is None:
        return None
    previous: dict[str, dict[str, int]] = {}
    for stored in scores_for(history_path, earlier):
        if stored.status == ACCEPTED and stored.score is not None:
            previous.setdefault(stored.employee_id, {})[stored.competency_id] = stored.score
    actions: dict[str, list[OpenAction]] = {}
    open_competencies: dict[str, set[str]] = {}
    texts: dict[str, set[str]] = {}
    for action in earlier_actions(history_path, cycle):
        said = texts.setdefault(action.employee_id, set())
        said.update(text_key(t) for t in (action.action, action.suggested) if t)
        if action.closed:
            continue
        if action.competency_id:
            open_competencies.setdefault(action.employee_id, set()).add(action.competency_id)
        competency = ladder.competency(action.competency_id) if action.competency_id else None
        actions.setdefault(action.employee_id, []).append(
            OpenAction(
                key=str(action.action_id),
                agreed_in=action.cycle,
                competency=competency.name if competency else (action.competency_id or ""),
                action=action.action,
                due_date=action.due_date,
            )
        )
    return LastCycle(
        earlier.name,
        previous,
        {person: tuple(found) for person, found in actions.items()},
        {person: frozenset(found) for person, found in open_competencies.items()},
        {person: frozenset(found) for person, found in texts.items()},
    )


@dataclass
class IngestRun:
    report: GapReport
    issues: IssueLog
    account_line: str
    outputs: list[Path] = field(default_factory=list)
    since: ProgressSince | None = None  # with --history holding an earlier cycle

    @property
    def clean(self) -> bool:
        return not self.issues.has_errors


@_batch_stage
def ingest(
    inputs: Sequence[Path],
    master_path: Path,
    out: Path,
    *,
    json_path: Path | None = None,
    csv_dir: Path | None = None,
    roster_path: Path | None = None,
    roster_map: Sequence[str] = (),
    allow_version_mismatch: bool = False,
    on_progress: Progress | None = None,
    as_of: str | None = None,
    fix_list_dir: Path | None = None,
    packs_dir: Path | None = None,
    history_path: Path | None = None,  # also record the cycle there (history.record_report)
    jobs: int | None = None,
) -> IngestRun:
    """Returned scoring workbooks → gaps → report workbook (+ JSON and CSV).

    ``as_of`` (ISO date) dates the report; default: today. ``jobs``: processes reading the
    returned files at once (default: every core; the same result either way); with more than
    one, the JSON and CSV are written while the report workbook is (``parallel.alongside``).
    """
    from .gaps import compute_gaps
    from .ingest import ingest_files, start_prefetch
    from .parallel import alongside
    from .report import write_csv, write_json, write_report
    from .roster import parse_column_map, read_roster

    _require_file(master_path, "master workbook")
    for path in inputs:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder.")
    _refuse_overwriting_inputs(
        [*inputs, master_path], [p for p in (out, json_path, packs_dir) if p]
    )
    if history_path:  # a history file that cannot take the cycle stops the run before any work
        from .history import check_store

        check_store(history_path)
    # The first returned files go through the safe reader while the master is read.
    with start_prefetch(list(inputs), jobs) as prefetch:
        master = _read_master_strict(master_path)
        if roster_path:
            roster = read_roster(
                roster_path,
                master.ladder,
                column_map=parse_column_map(roster_map),
                issues=master.issues,
            )
        else:
            roster = _master_roster(master_path, master.ladder, master.issues)
        if roster is None:
            roster = _sent_roster(history_path, master.ladder.settings.cycle, master.issues)
        result = ingest_files(
            list(inputs),
            master.ladder,
            roster=roster,
            allow_version_mismatch=allow_version_mismatch,
            on_progress=on_progress,
            jobs=jobs,
            prefetch=prefetch,
        )
    _refuse_wrong_master(result, master_path, allow_version_mismatch)
    result.issues.extend(master.issues)
    reviews = _match_reviews(result, history_path, master.ladder.settings.cycle)
    on = as_of or date.today().isoformat()
    _check_due_dates(result, on)
    report = compute_gaps(master.ladder, result, as_of=on)
    since = None  # progress since the cycle the history holds before this one
    if history_path and history_path.exists():
        from .progress import progress_since_last

        since = progress_since_last(history_path, report, reviews)
    for path in (out, json_path):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)

    def data_files() -> list[Path]:
        written = [write_json(report, json_path, since)] if json_path else []
        if csv_dir:
            csv_dir.mkdir(parents=True, exist_ok=True)
            written.extend(write_csv(report, csv_dir, since))
        return written

    # The JSON and CSV are written on another core while the report workbook is written here.
    jobs_beside = jobs if json_path or csv_dir else 1  # nothing to write beside: no process
    workbook, data = alongside(
        lambda: write_report(report, out, since), data_files, jobs=jobs_beside
    )
    outputs = [workbook, *data]
    if fix_list_dir:
        from .fixlist import write_fix_lists

        returned = set(result.files)  # the managers' workbooks, not the master or the roster
        outputs.extend(
            write_fix_lists([i for i in result.issues if i.file in returned], fix_list_dir)
        )
    if packs_dir:  # one review pack per employee, PDF and HTML (HTML alone without WeasyPrint)
        from .packs import write_packs

        packs = write_packs(
            report, master.ladder, packs_dir, on_progress=on_progress, progress=since
        )
        outputs.append(packs_dir)
        if packs.note:
            result.issues.warning("packs-html-only", packs.note, file=str(packs_dir))
        if packs.stale:
            shown = ", ".join(p.name for p in packs.stale[:3])
            more = f" and {len(packs.stale) - 3} more" if len(packs.stale) > 3 else ""
            result.issues.warning(
                "packs-stale",
                f"{len(packs.stale)} review pack file(s) here were not written by this run "
                f"({shown}{more}): people not in this report, renamed, or from an earlier run. "
                "They were left in place; delete them before sharing the folder",
                file=str(packs_dir),
            )
    if history_path:  # last: only a run that wrote its report is recorded
        from .history import record_report

        record_report(
            history_path,
            report,
            master_digest=master.ladder.content_digest(),
            actions=report.actions,
            reviews=reviews,
        )
        outputs.append(history_path)
    return IngestRun(report, result.issues, result.account.line(), outputs, since)


_FAR_AHEAD_DAYS = 2 * 366  # a due date further away than this is probably a typo


def _check_due_dates(result: IngestResult, on: str) -> None:
    """Agreed actions due before the report's date (overdue at once) or years ahead: warnings."""
    from datetime import timedelta

    people = {e.employee_id: e for e in result.employees}
    latest = (date.fromisoformat(on) + timedelta(days=_FAR_AHEAD_DAYS)).isoformat()
    for action in result.actions:
        if not action.due_date or on <= action.due_date <= latest:
            continue
        employee = people.get(action.employee_id)
        person = employee.label if employee else action.employee_id
        when = "before this review's date" if action.due_date < on else "over two years ahead"
        result.issues.warning(
            "plan-due-date-unlikely",
            f"{person}: the agreed action '{action.action[:60]}' is due {action.due_date}, "
            f"{when} ({on}); it is recorded as typed. Check the year",
            file=action.file,
            sheet=action.sheet,
            cell=action.cell,
        )


def _match_reviews(
    result: IngestResult, history_path: Path | None, cycle: str
) -> list[ActionReview]:
    """The sheets' word on earlier actions, matched to the history's open actions.

    A review that matches none is a warning naming its cell (its status is not recorded); with
    no history at all, one note says the statuses read are not kept.
    """
    from .actions import match_reviews

    said = [r for r in result.reviews if r.status is not None or r.note]
    if history_path is None or not history_path.exists():
        if said:
            first = said[0]
            result.issues.info(
                "action-statuses-not-recorded",
                f"{len(said)} earlier action(s) have a status or note in the returned "
                "workbooks, but no history file holds those actions: give --history (the file "
                "the earlier cycle was recorded in) to record them",
                file=first.file,
                sheet=first.sheet,
                cell=first.cell,
            )
        return []
    from .history import open_actions

    matched, unmatched = match_reviews(result.reviews, open_actions(history_path, cycle))
    for review in unmatched:
        if review.status is None and not review.note:
            continue
        result.issues.warning(
            "action-not-in-history",
            f"{review.employee_id}: the earlier action '{review.action[:60]}' is not an open "
            f"action of theirs in {history_path}: its status is not recorded. Was the workbook "
            "made with another history file?",
            file=review.file,
            sheet=review.sheet,
            cell=review.cell,
        )
    return matched


@dataclass
class PublishRun:
    out_dir: Path
    pages: list[Path]
    families: int
    drafts: list[str]  # families whose content is a draft (marked as such on the site)
    master_issues: IssueLog


def publish(
    master_path: Path,
    out_dir: Path,
    *,
    force: bool = False,
    on_progress: Progress | None = None,
) -> PublishRun:
    """The (edited) master → a static website of the ladder in ``out_dir`` (replaced whole)."""
    from .publish import publish_ladder

    _require_file(master_path, "master workbook")
    master = _read_master_strict(master_path)
    result = publish_ladder(
        master.ladder,
        out_dir,
        source_name=master_path.name,
        force=force,
        keep_out=(master_path,),
        on_progress=on_progress,
    )
    return PublishRun(result.out_dir, result.pages, result.families, result.drafts, master.issues)


def _clear_earlier_workbooks(out_dir: Path, force: bool, prefix: str | None = None) -> None:
    """Scoring workbooks from an earlier run in ``out_dir``: refuse, or remove them (--force).

    Left in place, a workbook for someone no longer on the roster would be sent out again.
    ``prefix``: the file names of the kind being written (default: managers' workbooks).
    """
    from .layout import SCORING_FILE_PREFIX

    prefix = prefix or SCORING_FILE_PREFIX
    earlier = sorted(out_dir.glob(f"{prefix}*.xlsx")) if out_dir.is_dir() else []
    if not earlier:
        return
    if not force:
        raise InputError(
            f"{out_dir} already holds {len(earlier)} scoring workbook(s) from an earlier run "
            f"(e.g. {earlier[0].name}). Choose another --out folder, or pass --force to "
            "replace them (workbooks for people no longer on the roster are removed too)."
        )
    for path in earlier:
        path.unlink()


def _refuse_wrong_master(result: IngestResult, master_path: Path, allowed: bool) -> None:
    """Every returned workbook made from another master: no report of zero scores, a stop."""
    if allowed:
        return
    mismatched = {i.file for i in result.issues if i.code == "version-mismatch"}
    scored_files = {r.file for r in result.records}
    if mismatched and scored_files <= mismatched and not result.account.accepted:
        names = ", ".join(sorted(Path(f).name for f in mismatched)[:5])
        raise WorkbookError(
            f"the scoring workbooks ({names}{', ...' if len(mismatched) > 5 else ''}) were made "
            f"from another master than {master_path}: pass the master they were made from "
            "with --master, or send the managers new workbooks made from this one "
            "(--allow-version-mismatch reads them anyway, against this master)."
        )


def _sent_roster(history_path: Path | None, cycle: str, issues: IssueLog) -> list[Employee] | None:
    """Who ``sheets --history`` sent a sheet to this cycle; None (with a warning) when no one
    is known: then only sheets missing from a returned workbook can count as not returned."""
    if history_path is not None and history_path.exists():
        from .history import sent_for

        sent = sent_for(history_path, cycle)
        if sent:
            return sent
    issues.warning(
        "no-roster",
        "no roster: no --roster, the master's Roster sheet is empty and no --history file "
        f"holds who was sent a sheet for {cycle}. People whose whole workbook did not come "
        "back cannot be listed as not returned; give --roster (the roster the workbooks were "
        "made from) or make the workbooks with sheets --history",
    )
    return None


def _master_roster(master_path: Path, ladder: Ladder, issues: IssueLog) -> list[Employee] | None:
    """The master's Roster sheet when HR filled it: it tells ingest who was not returned."""
    from .errors import EmptyRosterError
    from .roster import read_roster

    try:
        return read_roster(master_path, ladder, issues=issues)
    except EmptyRosterError:
        return None  # normal when the roster came as a file


def _read_master_strict(path: Path) -> MasterRead:
    """Read the master; refuse to go on when HR's edits left errors in it."""
    from .master import read_master

    master = read_master(path)
    if master.issues.has_errors:
        details = "\n".join(f"  - {issue}" for issue in master.issues.errors)
        raise WorkbookError(
            f"{path}: the master workbook has {len(master.issues.errors)} problem(s) to fix "
            f"before scoring sheets can be made or read:\n{details}"
        )
    return master


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file (expected the {what}).")
    if path.is_dir():
        raise InputError(f"{path} is a folder; expected the {what} file.")


def _refuse_overwriting_inputs(inputs: Sequence[Path], outputs: Sequence[Path]) -> None:
    """An output equal to an input, or inside an input folder, would destroy or be read back."""
    resolved_inputs = [p.resolve() for p in inputs]
    for output in outputs:
        target = output.resolve()
        for source in resolved_inputs:
            if target == source or (source.is_dir() and source in target.parents):
                raise InputError(
                    f"{output}: the output would be written inside the input {source}; "
                    "choose an output path outside the files and folders being read."
                )
