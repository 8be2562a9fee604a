"""``export FORMAT`` and ``import FORMAT``: interchange with annotation tools."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import RootOption, handles_errors, repo_of
from isf_claims.convert import EXPORTERS, IMPORTERS  # lazy: lists names, imports no converter


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
    app.command("import")(import_cmd)


@handles_errors
def export_cmd(
    fmt: Annotated[str, typer.Argument(help="Format: " + ", ".join(EXPORTERS) + ".")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document (repeatable).")
    ] = None,
    allow_lossy: Annotated[
        bool, typer.Option("--allow-lossy", help="Export even if the format drops data.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="labelstudio: JSON lines of predicted mentions {doc_id, start, end, label} "
            "(code points) to pre-annotate the tasks with.",
        ),
    ] = None,
    model_version: Annotated[
        str | None,
        typer.Option(
            "--model-version",
            help="Model version of the predictions (default: the predictions file's name).",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Export the corpus for an annotation tool or a trainer. Refuses when the format cannot
    hold everything, unless --allow-lossy (then dropped.jsonl lists what was dropped)."""
    from isf_claims import progress
    from isf_claims.convert import export_corpus

    with progress.working(f"export {fmt}"):
        report = export_corpus(
            repo_of(root),
            fmt,
            out,
            doc_ids=doc,
            allow_lossy=allow_lossy,
            force=force,
            predictions=predictions,
            model_version=model_version,
        )
    typer.echo(f"wrote {len(report.written)} file(s) to {out}")
    if report.dropped:
        for what, n in sorted(Counter(d.what for d in report.dropped).items()):
            typer.echo(f"dropped {n} x {what}", err=True)
        typer.echo(f"details: {out / 'dropped.jsonl'}", err=True)


@handles_errors
def import_cmd(
    fmt: Annotated[str, typer.Argument(help="Format: " + ", ".join(IMPORTERS) + ".")],
    source: Annotated[Path, typer.Argument(help="The tool's export (file or folder).")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace existing annotation files.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Import annotations from a tool. Validates first; never replaces an existing file
    without --force; on any error writes nothing."""
    from isf_claims import progress
    from isf_claims.convert import import_annotations

    repo = repo_of(root)
    with progress.working(f"import {fmt}: converting and validating"):
        changed = import_annotations(repo, fmt, source, force=force)
    for path in changed:
        typer.echo(f"wrote {repo.rel(path)}")
    if not changed:
        typer.echo("no changes: the annotation files already hold these annotations")
