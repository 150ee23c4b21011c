"""The command line: parse arguments, call one library function, report.

Every user-facing failure is a ``LaddersheetError``; ``_Group.invoke`` is the single place that
turns it into a message and an exit code (tracebacks only with ``--debug``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import LaddersheetError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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
def families(as_json: bool) -> None:
    """List the job families in the O*NET-seeded catalog.

    \b
    Example:
      laddersheet families --json
    """
    from .catalog import load_catalog

    catalog = load_catalog()
    rows = [
        {
            "family_id": f.family_id,
            "name": f.name,
            "ic_codes": list(f.ic_codes),
            "manager_codes": list(f.manager_codes),
            "candidate_competencies": len(catalog.candidate_elements(f.family_id)),
        }
        for f in catalog.families.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["family_id"]) for r in rows)
    click.echo(f"{'family_id':<{width}}  {'IC codes':<24} {'manager codes':<24} cand.  name")
    for r in rows:
        click.echo(
            f"{r['family_id']:<{width}}  {';'.join(r['ic_codes']):<24} "
            f"{';'.join(r['manager_codes']):<24} {r['candidate_competencies']:>5}  {r['name']}"
        )
    click.echo(f"{len(rows)} families")


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
