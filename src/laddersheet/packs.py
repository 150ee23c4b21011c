"""A review pack per employee: one document for the review conversation, as HTML and PDF.

``build_pack`` turns one ``EmployeeGaps`` of a ``GapReport`` and the ``Ladder`` into a
``Pack``: plain values, nothing computed that the gap engine did not already compute (the pack
says what the report and the JSON say). ``render_html`` fills ``data/packs/pack.html.j2``
(Jinja2 with autoescaping: every name, statement and piece of evidence is text, never markup;
the stylesheet is inline, no external request). ``render_pdf`` prints that same HTML with
WeasyPrint (its print stylesheet: A4, body text 9-9.5 pt). ``write_packs`` writes both files for
every employee; where WeasyPrint or the Pango libraries it needs are missing, it writes the HTML
packs alone and says why (``PacksResult.note``).

What a pack holds: current and target level with their titles; per competency the score, the
expectation now and at the target level, both gaps and the manager's evidence, with the target
level's statement under every competency that has a gap; the priorities with their development
actions; the actions agreed in the scoring workbook's plan block (with due dates) and blank
rows to add more; with a history, the actions agreed earlier and the status this cycle gave
them. Below 75 % coverage it says the person is incomplete and states no verdict (no
meets-level, no readiness), like the report.

File names (``pack_stems``): ``Review pack - <name>``, with the name made safe for every file
system (accents and right-to-left letters kept; slashes, colons and the like replaced; control,
bidi-override and unassigned characters dropped; cut to a length every file system takes) and
unique (people sharing a name, ignoring case, get their employee id appended), in the report's
employee order.
"""

from __future__ import annotations

import logging
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from . import __version__
from .actions import AgreedAction
from .errors import InputError
from .gaps import COVERAGE_MIN, SCOPE_UNLISTED, EmployeeGaps, GapReport, GapRow
from .ingest import MISSING, REJECTED
from .ladder import Ladder
from .parallel import start_progress
from .progress import Progress
from .workbook import atomic_output

PACK_PREFIX = "Review pack - "
AGREED_ACTION_ROWS = 4  # rows for what the conversation agrees (at least one blank)
MAX_NAME_CHARS = 100  # of the name part of a file name
MAX_NAME_BYTES = 150  # UTF-8 bytes of the name part (file systems allow 255 for the whole name)
MAX_ID_BYTES = 40
PDF_MISSING_HINT = (
    "for PDFs, install WeasyPrint and the Pango library it needs (README, Review packs; "
    "Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; macOS: brew install "
    "pango) and run ingest again, or open the HTML packs in a browser and print them to PDF"
)

OnProgress = Callable[[Path], None]

_FORBIDDEN = set('\\/:*?"<>|')  # in a file name on Windows, macOS or Linux
_KEPT_FORMAT = {"\u200c", "\u200d"}  # zero-width (non-)joiners: part of Persian names, emoji
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PackRow:
    """One competency on the pack: the gap row, with the statement to grow into."""

    competency_id: str
    competency: str
    domain: str
    status: str  # accepted | rejected | missing
    score: int | None
    raw: str  # what the manager typed, for a rejected score
    expected_now: int | None
    expected_next: int | None
    gap_now: int | None
    gap_next: int | None
    evidence: str
    statement_level: str  # the level whose statement is shown ("" when none)
    statement: str  # what that level asks, where the score is below it; else ""
    on_track: bool  # False: scored, but the ladder does not expect it at this level
    self_score: int | None = None  # the person's own score (self-assessment), if any
    previous_score: int | None = None  # last cycle's accepted score (with a history), if any


@dataclass(frozen=True, slots=True)
class PackSince:
    """The change since the last recorded cycle (``ingest --history``)."""

    cycle: str
    date: str
    previous_level: str
    level_changed: bool
    compared: int
    improved: int
    declined: int
    closed: int
    opened: int


@dataclass(frozen=True)
class PackPriority:
    competency: str
    gap_next: int
    action: str | None
    action_band: str
    done_in: str = ""  # the cycle in which this very action was agreed and is now done


@dataclass(frozen=True)
class PackAction:
    """An agreed action as the pack shows it."""

    competency: str  # "" when the action names none
    action: str
    due_date: str  # ISO, "" when none
    status: str = ""  # earlier actions: this cycle's status ("" none given)
    agreed_in: str = ""
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Pack:
    employee_id: str
    name: str
    manager: str
    family: str
    level: str
    title: str
    track: str  # "IC" | "M"
    target_level: str | None  # None at the top of a track
    target_title: str
    rows: tuple[PackRow, ...]
    scored: int
    expected: int  # competencies with an expectation (the coverage denominator)
    coverage: float | None
    complete: bool
    meets_level: bool | None
    readiness_next: float | None
    at_next: int  # scored competencies at or above the target level's expectation
    with_next: int  # scored competencies that have one
    ready_next: bool
    priorities: tuple[PackPriority, ...]
    self_assessed: bool
    company: str
    cycle: str
    created: str
    scale: tuple[tuple[int, str], ...]
    since: PackSince | None = None
    agreed: tuple[PackAction, ...] = ()  # this cycle's plan
    earlier: tuple[PackAction, ...] = ()  # actions agreed earlier, with this cycle's status


@dataclass(frozen=True)
class PacksResult:
    out_dir: Path
    paths: list[Path]  # every file written, HTML and PDF, in the report's employee order
    employees: int
    pdf: bool  # False: the HTML packs alone (see note)
    note: str  # why there are no PDFs, "" when there are
    # Pack files in the folder this run did not write: people no longer in the report, renamed,
    # or the PDFs of a run that could write them when this one wrote HTML alone. Left in place
    # (they may be kept on purpose); ingest warns about them before the folder is shared.
    stale: list[Path] = field(default_factory=list)


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def template_dir() -> Path:
    return Path(str(resources.files("laddersheet") / "data" / "packs"))


def build_pack(
    report: GapReport,
    ladder: Ladder,
    employee: EmployeeGaps,
    progress: Progress | None = None,
) -> Pack:
    """The pack of one employee of ``report``: the report's values and the ladder's words;
    with ``progress`` (a history holding an earlier cycle), the change since then."""
    target, target_track = employee.target_level, employee.target_track
    person = progress.person(employee.employee_id) if progress else None
    previous = dict(person.previous_scores) if person else {}
    rows = tuple(
        replace(
            _pack_row(ladder, employee, row, target, target_track),
            previous_score=previous.get(row.competency_id),
        )
        for row in employee.competencies
    )
    since = None
    if progress and person:
        since = PackSince(
            progress.previous.name,
            progress.previous.date,
            person.previous_level,
            person.level_changed,
            person.compared,
            person.improved,
            person.declined,
            person.closed,
            person.opened,
        )
    expected = [
        r
        for r in employee.competencies
        if r.expected_now is not None or r.expected_next is not None
    ]
    with_next = [r for r in employee.competencies if r.gap_next is not None]
    names = {r.competency_id: r.competency for r in employee.competencies}

    agreed_now = report.actions_of(employee.employee_id)
    earlier = person.actions if person else ()
    still_open = person.still_open if person else ()
    covered = {a.competency_id for a in (*agreed_now, *still_open)}

    def shown(action: AgreedAction) -> PackAction:
        return PackAction(
            action.competency_name(names),
            action.action,
            action.due_date or "",
            action.status or "",
            action.cycle,
            action.overdue(report.created),
        )

    return Pack(
        employee_id=employee.employee_id,
        name=employee.name,
        manager=employee.manager_name or employee.manager_id,
        family=employee.family,
        level=employee.level,
        title=employee.title,
        track=employee.track,
        target_level=target,
        target_title=employee.target_title,
        rows=rows,
        scored=sum(1 for r in expected if r.score is not None),
        expected=len(expected),
        coverage=employee.coverage,
        complete=employee.complete,
        meets_level=employee.meets_level,
        readiness_next=employee.readiness_next,
        at_next=sum(1 for r in with_next if r.gap_next == 0),
        with_next=len(with_next),
        ready_next=employee.ready_next,
        priorities=tuple(  # the gaps no action covers: agreed now, or earlier and still open
            PackPriority(  # a suggestion agreed earlier and done is not offered as new
                p.competency,
                p.gap_next,
                p.action,
                p.action_band,
                person.done_in(p.action) if person else "",
            )
            for p in employee.priorities
            if p.competency_id not in covered
        ),
        self_assessed=employee.self_assessed,
        agreed=tuple(shown(a) for a in agreed_now),
        earlier=tuple(shown(a) for a in earlier),
        company=report.company,
        cycle=report.cycle,
        created=report.created,
        scale=tuple(zip(report.scale_values, report.scale_labels, strict=True)),
        since=since,
    )


def _pack_row(
    ladder: Ladder,
    employee: EmployeeGaps,
    row: GapRow,
    target: str | None,
    target_track: str | None,
) -> PackRow:
    level, statement = "", ""
    if row.gap_next and target and target_track:
        found = ladder.expectation(employee.family_id, target_track, target, row.competency_id)
        level, statement = target, found.statement if found else ""
    elif row.gap_now:  # at the top of a track: what the current level asks
        found = ladder.expectation(
            employee.family_id, employee.track, employee.level, row.competency_id
        )
        level, statement = employee.level, found.statement if found else ""
    return PackRow(
        competency_id=row.competency_id,
        competency=row.competency,
        domain=row.domain,
        status=row.status,
        score=row.score,
        raw=row.raw if row.status == REJECTED else "",
        expected_now=row.expected_now,
        expected_next=row.expected_next,
        gap_now=row.gap_now,
        gap_next=row.gap_next,
        evidence=row.evidence,
        statement_level=level if statement else "",
        statement=statement,
        on_track=row.scope != SCOPE_UNLISTED,
        self_score=row.self_score,
    )


# --- HTML and PDF -----------------------------------------------------------------------------


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(template_dir()),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(pack: Pack, *, environment=None) -> str:
    """The pack as one self-contained HTML page (inline styles, print stylesheet, no script)."""
    env = environment or _environment()
    css = (template_dir() / "pack.css").read_text(encoding="utf-8")
    return env.get_template("pack.html.j2").render(
        pack=pack,
        css=css,
        generator=f"laddersheet {__version__}",
        coverage_min=round(COVERAGE_MIN * 100),
        agreed_rows=AGREED_ACTION_ROWS,
        missing=MISSING,
        rejected=REJECTED,
    )


def pdf_unavailable() -> str:
    """Why PDFs cannot be made here ("" when they can): WeasyPrint or its libraries missing."""
    try:
        with _quiet_weasyprint():
            import weasyprint  # noqa: F401
    except ImportError:
        return "WeasyPrint is not installed"
    except OSError as error:  # WeasyPrint imports, but Pango (a system library) does not load
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"WeasyPrint cannot load its system libraries ({first})"
    return ""


def render_pdf(html: str) -> bytes:
    """The HTML of a pack printed to PDF by WeasyPrint (A4, its print stylesheet)."""
    with _quiet_weasyprint():
        from weasyprint import HTML

        return HTML(string=html).write_pdf()


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    """WeasyPrint and fontTools log layout notes as warnings; they are not the user's concern."""
    loggers = [logging.getLogger(name) for name in ("weasyprint", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# --- file names -------------------------------------------------------------------------------


def safe_file_part(text: str, encoding: str | None = None, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``text`` as part of a file name: readable, never a path, valid on every file system.

    Letters of every script and their accents are kept (NFC) where the file system's encoding
    (``encoding``, default: Python's) can hold them, else spelt without accents; ``\\ / : * ?
    " < > |`` become ``_``; control, bidi-override and other invisible characters are dropped;
    runs of white space become one space; leading and trailing spaces and dots are removed (a
    trailing dot is lost on Windows); the result is cut to ``MAX_NAME_CHARS`` characters and
    ``max_bytes`` UTF-8 bytes without splitting a character from its accent. May be "".
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char in _FORBIDDEN:
            out.append("_")
        elif char.isspace() or category in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or (
            category == "Cf" and char not in _KEPT_FORMAT
        ):
            continue  # control, surrogate, private, unassigned, bidi controls (U+202E ...)
        else:
            out.append(char)
    name = _SPACES.sub(" ", "".join(out))
    encoding = encoding or sys.getfilesystemencoding()
    if not _encodable(name, encoding):
        plain = unicodedata.normalize("NFKD", name)
        plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
        name = "".join(c if _encodable(c, encoding) else "_" for c in plain)
    name = name.strip(" .")
    cut = name[:MAX_NAME_CHARS]
    while len(cut.encode("utf-8")) > max_bytes:
        cut = cut[:-1]
    while cut and unicodedata.combining(cut[-1]):  # never end on an accent cut from its letter
        cut = cut[:-1]
    if len(cut) < len(name):
        cut = cut.rstrip(" .")
    return cut


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def pack_stems(employees: Iterable[EmployeeGaps], encoding: str | None = None) -> dict[str, str]:
    """Employee id → a safe, unique file name without extension, in the given order.

    People whose names are the same (ignoring case, as Windows and macOS do) get their employee id
    appended, all of them, so no one's pack depends on who comes first; a name with nothing
    left to show is replaced by the id.
    """
    people = list(employees)
    names = {}
    for employee in people:
        ident = safe_file_part(employee.employee_id, encoding, MAX_ID_BYTES) or "employee"
        names[employee.employee_id] = (safe_file_part(employee.name, encoding), ident)
    counts: dict[str, int] = {}
    for name, _ in names.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    wanted: dict[str, str] = {}
    for employee in people:
        name, ident = names[employee.employee_id]
        if not name:
            wanted[employee.employee_id] = ident
        elif counts[name.casefold()] > 1:
            wanted[employee.employee_id] = f"{name} ({ident})"
        else:
            wanted[employee.employee_id] = name
    # unique names first, so a name that only looks disambiguated ("Ana (E7)") keeps its file
    # whatever the order, and the disambiguated ones give way: deterministic, order-free
    taken = {
        (PACK_PREFIX + stem).casefold()
        for employee_id, stem in wanted.items()
        if stem == names[employee_id][0]
    }
    stems: dict[str, str] = {}
    for employee in people:
        stem = wanted[employee.employee_id]
        candidate = PACK_PREFIX + stem
        if stem != names[employee.employee_id][0]:
            n = 2
            while candidate.casefold() in taken:
                candidate, n = f"{PACK_PREFIX}{stem} ({n})", n + 1
            taken.add(candidate.casefold())
        stems[employee.employee_id] = candidate
    return stems


# --- writing ----------------------------------------------------------------------------------


def write_packs(
    report: GapReport,
    ladder: Ladder,
    out_dir: Path,
    *,
    pdf: bool | None = None,
    on_progress: OnProgress | None = None,
    progress: Progress | None = None,
) -> PacksResult:
    """One HTML and (where WeasyPrint works) one PDF pack per employee of ``report``.

    ``pdf``: None makes PDFs when WeasyPrint can; False writes the HTML alone. Files of the
    same name are replaced (each atomically); other files in ``out_dir`` are left alone, and
    the pack files among them are listed as ``stale``.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file; give a folder for the review packs (--packs).")
    note = ""
    if pdf is None or pdf:
        note = pdf_unavailable()
        if note:
            note = f"{note}: wrote the review packs as HTML only; {PDF_MISSING_HINT}."
    else:
        note = "PDFs not asked for: wrote the review packs as HTML only."
    make_pdf = not note
    out_dir.mkdir(parents=True, exist_ok=True)
    stems = pack_stems(report.employees)
    env = _environment()
    paths: list[Path] = []
    start_progress(on_progress, len(report.employees), "Writing review packs")
    for employee in report.employees:
        html = render_html(build_pack(report, ladder, employee, progress), environment=env)
        stem = stems[employee.employee_id]
        path = out_dir / f"{stem}.html"
        with atomic_output(path) as tmp:
            tmp.write_text(html, encoding="utf-8")
        paths.append(path)
        if make_pdf:
            path = out_dir / f"{stem}.pdf"
            data = render_pdf(html)
            with atomic_output(path) as tmp:
                tmp.write_bytes(data)
            paths.append(path)
        if on_progress:
            on_progress(path)
    # names compared as a file system may give them back (macOS: decomposed accents, any case)
    written = {_name_key(p.name) for p in paths}
    stale = sorted(
        p
        for p in out_dir.iterdir()
        if p.name.startswith(PACK_PREFIX)
        and p.suffix.lower() in (".html", ".pdf")
        and _name_key(p.name) not in written
        and p.is_file()
    )
    return PacksResult(out_dir, paths, len(report.employees), make_pdf, note, stale)
