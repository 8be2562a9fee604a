"""``migrate --to VERSION [PATHS...]``: move annotation files to a later schema version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import RootOption, handles_errors, repo_of


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate_cmd)


@handles_errors
def migrate_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Annotation folders or files (default: annotated/)."),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Target schema version (default: latest kept).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Rewrite annotation files to a later schema version through each kept version's
    declared mapping. Refuses a mapping that would lose information without a recorded
    decision; validates the result; writes atomically."""
    from isf_claims import progress
    from isf_claims.migrate import migrate

    repo = repo_of(root)
    with progress.working("migrate: mapping and validating"):
        result = migrate(repo, to, paths, dry_run=dry_run)
    for step in result.steps:
        typer.echo(f"migrated {step}")
    for decision in result.decisions:
        typer.echo(f"applied decision: {decision}")
    verb = "would write" if dry_run else "wrote"
    for path in result.written:
        typer.echo(f"{verb} {repo.rel(path)}")
    if not result.steps:
        typer.echo("nothing to migrate: the files are on the target version")
