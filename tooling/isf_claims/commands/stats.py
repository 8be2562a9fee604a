"""``isf-claims stats``: corpus statistics as a table or JSON, and the plots as image files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import (
    FormatOption,
    RootOption,
    check_format,
    emit_json,
    handles_errors,
    repo_of,
)


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_cmd)


@handles_errors
def stats_cmd(
    doc_ids: Annotated[
        list[str] | None, typer.Argument(help="Documents to count (default: all annotated).")
    ] = None,
    plots: Annotated[
        Path | None,
        typer.Option("--plots", help="Write the plots (PNG and SVG) into this folder."),
    ] = None,
    per_doc: Annotated[
        bool,
        typer.Option("--per-doc", help="Also the tables per document (as when ids are given)."),
    ] = False,
    fmt: FormatOption = "text",
    root: RootOption = None,
) -> None:
    """Print corpus statistics aggregated over documents (per outlet and in total):
    documents, mentions per label, claims per attribute value."""
    from isf_claims import progress
    from isf_claims.stats_report import write_stats

    fmt = check_format(fmt)
    with progress.shown(fmt):
        text, data, written = write_stats(repo_of(root), doc_ids or None, plots, per_doc)
    if fmt == "json":
        emit_json({**data, "plots": [str(p) for p in written]})
    else:
        typer.echo(text, nl=False)
        for path in written:
            typer.echo(f"wrote {path}")
