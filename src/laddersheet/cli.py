"""The command line: parse arguments, call one library function, report.

Every user-facing failure is a ``LaddersheetError``; ``_Group.invoke`` is the single place that
turns it into a message and an exit code (tracebacks only with ``--debug``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from . import __version__
from .errors import EXIT_DATA_ISSUES, LaddersheetError
from .issues import IssueLog, Severity

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _output_options(command):
    command = click.option("-q", "--quiet", is_flag=True, help="No progress bar, no warnings.")(
        command
    )
    return click.option("-v", "--verbose", is_flag=True, help="Show each file as it is done.")(
        command
    )


_map_option = click.option(
    "--map",
    "roster_map",
    multiple=True,
    metavar="COLUMN=HEADER",
    help='Read a roster header as one of our columns, e.g. --map level="Job Level" '
    "(repeatable; see the README's roster section).",
)


_jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Work on N files at once, one process each (default: every core once there is "
    "enough work, i.e. 8 workbooks to write or 512 KiB of returns to read; 16 and 6 MiB "
    "where workers cannot be forked; 1: this process only). The output is the same "
    "whatever N.",
)


@contextmanager
def _progress(label: str, quiet: bool, verbose: bool) -> Iterator[Callable[[Path], None] | None]:
    """A progress callback: a bar on a terminal, a line per file with --verbose, else nothing."""
    if verbose:
        yield lambda path: click.echo(f"  {path}", err=True)
        return
    stream = sys.stderr
    if quiet or not stream.isatty():
        yield None
        return
    bar = _Bar(label, stream)
    try:
        yield bar
    finally:
        bar.close()


class _Bar:
    """The terminal's progress: once the library says how many files are coming
    (``start(total)``), a bar with the count, the total and the time left; else a running count.
    """

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.bar: ProgressBar[int] | None = None
        self.extra = 0  # files done with no bar open (no total given, or past it)

    def start(self, total: int, label: str = "") -> None:
        self.close()
        self.label = label or self.label
        if total < 1:
            return
        self.bar = click.progressbar(
            length=total,
            label=self.label,
            show_pos=True,
            show_eta=True,
            item_show_func=lambda name: name,
            file=self.stream,
            width=24,
        )
        self.bar.__enter__()

    def __call__(self, path: Path) -> None:
        bar = self.bar
        if bar is not None and bar.pos < (bar.length or 0):
            bar.update(1, Path(path).name[:32])
            return
        if bar is not None:  # past the total (another stage ticking): a running count instead
            bar.__exit__(None, None, None)
            self.bar = None
        self.extra += 1
        line = f"\r{self.label}: {self.extra} done ({Path(path).name[:40]})".ljust(79)
        click.echo(line, nl=False, file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        if self.extra:
            click.echo(file=self.stream)
            self.extra = 0


def _echo_issues(issues: IssueLog, quiet: bool, verbose: bool) -> None:
    shown = [i for i in issues.sorted() if i.severity is Severity.ERROR or not quiet]
    if not verbose:
        shown = [i for i in shown if i.severity is not Severity.INFO]
    for issue in shown[:50]:
        colour = "red" if issue.severity is Severity.ERROR else "yellow"
        click.secho(str(issue), fg=colour, err=True)
    if len(shown) > 50:
        click.echo(f"... and {len(shown) - 50} more: see the report's Issues sheet.", err=True)


def _iso_date(text: str | None) -> str | None:
    """A YYYY-MM-DD option as ISO text; a wrong date is a usage error."""
    if text is None:
        return None
    from datetime import date

    from .errors import InputError

    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(f"--as-of: '{text}' is not a date like 2026-11-30.") from None


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except LaddersheetError as error:
            if (ctx.obj or {}).get("debug"):
                raise
            click.secho(f"Error: {error}", fg="red", err=True)
            sys.exit(error.exit_code)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="laddersheet")
@click.option("--debug", is_flag=True, help="Show full tracebacks (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Career ladders in spreadsheets: generate from O*NET® data, score offline, ingest gaps.

    \b
    Example (a complete worked cycle in ./laddersheet-demo):
      laddersheet demo
    """
    ctx.obj = {"debug": debug}


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Company settings file, to include its custom families (default: built-in defaults).",
)
def families(as_json: bool, settings_path: Path | None) -> None:
    """List the job families: their content (curated or draft), competencies per track and codes.

    \b
    Example:
      laddersheet families --json
    """
    from .main import family_overview

    rows = family_overview(settings_path)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = [("family_id", "name", "content", "IC", "manager", "IC codes", "manager codes")]
    table += [
        (
            r["family_id"],
            r["name"],
            r["content"],
            str(r["ic_competencies"]),
            str(r["manager_competencies"]),
            ";".join(r["ic_codes"]),
            ";".join(r["manager_codes"]),
        )
        for r in rows
    ]
    _echo_table(table)
    click.echo(f"{len(rows)} families")


def _echo_table(table: list[tuple[str, ...]]) -> None:
    """Columns padded to their widest cell; the first row is the header."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="laddersheet.toml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented default settings file (default: laddersheet.toml).

    \b
    Example:
      laddersheet init acme.toml
    """
    from .settings import write_default_settings

    write_default_settings(path, force=force)
    click.echo(f"Wrote {path}. Edit it, then run: laddersheet generate --settings {path}")


@cli.group(cls=_Group)
def onet() -> None:
    """Build the curated O*NET® extract in seeds/onet/ from an O*NET release.

    \b
    Example:
      laddersheet onet build --source ../shared/onet-raw/db_29_2_text \\
          --source ../shared/onet-raw/db_29_0_excel --out seeds/onet
    """


@onet.command("build")
@click.option(
    "--source",
    "sources",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An O*NET release folder (text or Excel layout); repeat for several releases.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="seeds/onet")
@click.option(
    "--families",
    "family_map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A family → O*NET-SOC mapping TOML (default: the built-in one).",
)
def onet_build(sources: tuple[Path, ...], out: Path, family_map: Path | None) -> None:
    """Build seeds/onet/ from O*NET release folders.

    \b
    Example:
      laddersheet onet build --source db_29_2_text --source db_29_0_excel --out seeds/onet
    """
    from .onet import build_seeds

    summary = build_seeds(list(sources), out, family_map)
    click.echo(str(summary))


@cli.group(cls=_Group)
def content() -> None:
    """Check the ladder's words: one content file per job family (docs/content-format.md).

    \b
    Example:
      laddersheet content lint
    """


@content.command("lint")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A content folder (families/*.toml, people_leadership.toml). Default: the built-in one.",
)
def content_lint(files: tuple[Path, ...], folder: Path | None) -> None:
    """Check the content files (all, or FILES against all the others); exit 1 on any problem.

    \b
    Example:
      laddersheet content lint src/laddersheet/data/content/families/sales.toml
    """
    from .main import lint_content

    issues = lint_content(folder, only=files)
    for issue in issues.sorted():
        colour = "red" if issue.severity is Severity.ERROR else "yellow"
        click.secho(str(issue), fg=colour)
    problems = [i for i in issues if i.severity is not Severity.INFO]
    click.echo(f"{len(problems)} problems")
    if problems:
        sys.exit(EXIT_DATA_ISSUES)


@content.command("anchors")
@click.argument("family_id")
def content_anchors(family_id: str) -> None:
    """Show the O*NET elements a family's content may anchor on, with importance and level.

    \b
    Example:
      laddersheet content anchors customer_success
    """
    from .catalog import load_catalog
    from .lint import anchor_report

    click.echo(anchor_report(load_catalog(), family_id))


@cli.command()
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Company settings file (default: built-in defaults; see `laddersheet init`).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default="master_template.xlsx",
    show_default=True,
    help="Where to write the master-template workbook.",
)
def generate(settings_path: Path | None, out: Path) -> None:
    """Write the master-template workbook: every family's ladder, ready for HR to edit.

    \b
    Example:
      laddersheet generate --settings laddersheet.toml --out master_template.xlsx
    """
    from .main import generate as run

    path = run(settings_path, out)
    click.echo(f"Wrote {path}. Edit it in Excel or LibreOffice, then run `laddersheet sheets`.")


@cli.command()
@click.argument("master", type=click.Path(path_type=Path))
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(path_type=Path),
    help="Roster file (.csv or .xlsx). Default: the master's Roster sheet.",
)
@_map_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="scoring",
    show_default=True,
    help="Folder for the scoring workbooks (one per manager).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace scoring workbooks an earlier run left in the --out folder.",
)
@click.option(
    "--self",
    "self_assessment",
    is_flag=True,
    help="Write one self-assessment workbook per employee instead: their own sheet only.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Show last cycle's scores from this history file beside the Score column (read-only), "
    "and the actions agreed earlier and still open, each with a Status to pick. Not in --self "
    "workbooks. A file not there yet (the first cycle) is a warning.",
)
@_jobs_option
@_output_options
def sheets(
    master: Path,
    roster_path: Path | None,
    roster_map: tuple[str, ...],
    out_dir: Path,
    force: bool,
    self_assessment: bool,
    history_path: Path | None,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Write one scoring workbook per manager from the (edited) master and a roster.

    With --self, one self-assessment workbook per employee instead; ingest reads both kinds.

    \b
    Example:
      laddersheet sheets master_template.xlsx --roster roster.csv --out scoring/
      laddersheet sheets master_template.xlsx --roster roster.csv --self --out self/
    """
    from .main import make_sheets

    kind = "self-assessment" if self_assessment else "scoring"
    with _progress(f"Writing {kind} workbooks", quiet, verbose) as progress:
        result = make_sheets(
            master,
            out_dir,
            roster_path,
            roster_map=roster_map,
            force=force,
            on_progress=progress,
            self_assessment=self_assessment,
            jobs=jobs,
            history_path=history_path,
        )
    _echo_issues(result.master_issues, quiet, verbose)
    count = len(result.paths)
    click.echo(f"Wrote {count} {kind} workbooks for {result.employees} employees to {out_dir}/")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--master",
    "master",
    required=True,
    type=click.Path(path_type=Path),
    help="The master workbook the scoring workbooks were made from.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default="report.xlsx",
    show_default=True,
    help="The report workbook.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every gap, score and issue as JSON (format in the README).",
)
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write gaps.csv, employees.csv and actions.csv into this folder (with --history "
    "holding an earlier cycle, also progress, progress_groups, earlier_actions and trend).",
)
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(path_type=Path),
    help="Roster (.csv/.xlsx) to list who has not been scored. Default: none.",
)
@_map_option
@click.option(
    "--fix-list",
    "fix_list_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write one text file per returned workbook: what its manager must fix.",
)
@click.option(
    "--packs",
    "packs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write a review pack per employee (PDF and HTML) into this folder.",
)
@click.option(
    "--as-of",
    metavar="YYYY-MM-DD",
    help="Date the report (default: today).",
)
@click.option(
    "--allow-version-mismatch",
    is_flag=True,
    help="Accept scoring workbooks made from another version of the master (with a warning).",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also record this cycle in a history file (SQLite, created if missing; the same cycle "
    "again replaces its records). Default: not recorded.",
)
@_jobs_option
@_output_options
def ingest(
    paths: tuple[Path, ...],
    master: Path,
    out: Path,
    json_path: Path | None,
    csv_dir: Path | None,
    roster_path: Path | None,
    roster_map: tuple[str, ...],
    fix_list_dir: Path | None,
    packs_dir: Path | None,
    as_of: str | None,
    allow_version_mismatch: bool,
    history_path: Path | None,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Read returned scoring workbooks (files or folders) and write the gap report.

    Exit code 0: clean; 1: issues of severity error were found (the report is still written,
    see its Issues sheet); 2: the run could not start (bad path, not a master, ...).

    \b
    Example:
      laddersheet ingest returned/ --master master_template.xlsx --out report.xlsx --json gaps.json
    """
    from .main import ingest as run

    with _progress("Reading returned workbooks", quiet, verbose) as progress:
        result = run(
            list(paths),
            master,
            out,
            json_path=json_path,
            csv_dir=csv_dir,
            roster_path=roster_path,
            roster_map=roster_map,
            allow_version_mismatch=allow_version_mismatch,
            on_progress=progress,
            as_of=_iso_date(as_of),
            fix_list_dir=fix_list_dir,
            packs_dir=packs_dir,
            history_path=history_path,
            jobs=jobs,
        )
    _echo_issues(result.issues, quiet, verbose)
    click.echo(result.account_line)
    click.echo(result.report.plan_line)
    if result.since is not None:
        click.echo(result.since.line())
    click.echo("Wrote " + ", ".join(str(p) for p in result.outputs))
    if not result.clean:
        sys.exit(EXIT_DATA_ISSUES)


@cli.command()
@click.argument(
    "folder", type=click.Path(file_okay=False, path_type=Path), default="laddersheet-demo"
)
@click.option("--force", is_flag=True, help="Replace the folder's contents if it is not empty.")
@_output_options
def demo(folder: Path, force: bool, quiet: bool, verbose: bool) -> None:
    """Run two review cycles of a fictional company into FOLDER, then print a short tour.

    Each cycle writes the settings, the master ladder, a roster, the scoring workbooks, filled
    copies as managers return them, and the gap report; both are recorded in a history file,
    so the latest report (in FOLDER; the earlier cycle is in FOLDER/earlier) shows progress.

    \b
    Example:
      laddersheet demo ./laddersheet-demo
    """
    from .demo import run_demo

    with _progress("Working", quiet, verbose) as progress:
        result = run_demo(folder, force=force, on_progress=progress)
    click.echo(result.tour())


@cli.command()
@click.argument("master", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="site",
    show_default=True,
    help="Folder for the website; an earlier one there is replaced as a whole.",
)
@click.option("--force", is_flag=True, help="Replace the folder even if it holds other files.")
@_output_options
def publish(master: Path, out_dir: Path, force: bool, quiet: bool, verbose: bool) -> None:
    """Write the ladder as a static website for employees: open index.html, no server needed.

    An index of families, a page per family (both tracks, every competency's statement,
    evidence and expected score) and a "what changes from one level to the next" view.

    \b
    Example:
      laddersheet publish master_template.xlsx --out site/
    """
    from .main import publish as run

    with _progress("Writing pages", quiet, verbose) as progress:
        result = run(master, out_dir, force=force, on_progress=progress)
    _echo_issues(result.master_issues, quiet, verbose)
    if result.drafts and not quiet:
        click.secho(
            f"{len(result.drafts)} draft families, marked as drafts on the site: "
            + ", ".join(result.drafts),
            fg="yellow",
            err=True,
        )
    click.echo(
        f"Wrote {len(result.pages)} pages for {result.families} families to {out_dir}/: "
        f"open {out_dir / 'index.html'}"
    )


@cli.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--employee", "employee_id", metavar="ID", help="Show one person's trajectory.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
def history(db: Path, employee_id: str | None, as_json: bool, as_csv: bool) -> None:
    """List the cycles a history file holds, or one person's trajectory across them.

    With --employee: one line per cycle (level, manager, coverage, readiness, change in score
    since the cycle before, promotion), then every competency's score per cycle. --csv gives the
    scores in long form (one row per cycle and competency); --json gives both.

    \b
    Examples:
      laddersheet history laddersheet.db
      laddersheet history laddersheet.db --employee E1042 --csv > E1042.csv
    """
    from . import history as store

    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    if employee_id is None:
        rows = store.cycle_rows(db)
        if as_json or as_csv:
            _echo_rows(rows, as_json)
            return
        table = [("cycle", "date", "company", "employees", "accepted", "rejected", "missing")]
        table += [tuple(str(row[key]) for key in table[0]) for row in rows]
        _echo_table(table)
        click.echo(f"{len(rows)} cycle{'s' if len(rows) != 1 else ''} in {db}")
        return
    entries = store.trajectory(db, employee_id)
    cycles, scores = store.trajectory_rows(entries), store.score_rows(entries)
    if as_json:
        click.echo(
            json.dumps({"employee_id": employee_id, "cycles": cycles, "scores": scores}, indent=2)
        )
        return
    if as_csv:
        _echo_rows(scores, False)
        return
    click.echo(f"{entries[-1].name} ({employee_id})")
    table = [("cycle", "date", "level", "manager", "coverage", "meets", "ready next", "change")]
    for row in cycles:
        change = row["score_change"]
        table.append(
            (
                str(row["cycle"]),
                str(row["date"]),
                f"{row['level']}"
                + (f" (from {row['previous_level']})" if row["level_changed"] else ""),
                str(row["manager"]),
                _percent(row["coverage"]),
                {True: "yes", False: "no", None: "-"}[row["meets_level"]],
                _percent(row["readiness_next"]),
                "-" if change is None else f"{change:+d}",
            )
        )
    _echo_table(table)
    names = [str(row["cycle"]) for row in cycles]
    by_competency: dict[str, dict[str, str]] = {}
    for score in scores:
        cell = "-" if score["score"] is None else str(score["score"])
        by_competency.setdefault(str(score["competency"]), {})[str(score["cycle"])] = cell
    click.echo()
    matrix = [("competency", *names)]
    matrix += [
        (name, *(cells.get(cycle, "") for cycle in names)) for name, cells in by_competency.items()
    ]
    _echo_table(matrix)


def _percent(value: object) -> str:
    return "-" if value is None else f"{float(value):.0%}"  # type: ignore[arg-type]


def _echo_rows(rows: list[dict[str, object]], as_json: bool) -> None:
    """Rows as JSON (a list) or CSV (header from the first row) on standard output."""
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    import csv
    import io

    from .workbook import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if rows:
        writer.writerow(list(rows[0]))
    writer.writerows([csv_cell(value) for value in row.values()] for row in rows)
    click.echo(buffer.getvalue(), nl=False)
