"""``isf-claims render``: the static review site (documents, claim clusters, statistics)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import RootOption, handles_errors, repo_of


def register(app: typer.Typer) -> None:
    app.command("render")(render_cmd)


@handles_errors
def render_cmd(
    doc_ids: Annotated[
        list[str] | None, typer.Argument(help="Documents to render (default: all annotated).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default: site/ in the repository)."),
    ] = None,
    root: RootOption = None,
) -> None:
    """Write the review site: a page per document and per claim cluster, and an index with
    statistics. Static files only; the pages load nothing from the network."""
    from isf_claims import progress
    from isf_claims.render import render_site

    repo = repo_of(root)
    with progress.shown():
        result = render_site(repo, doc_ids or None, out or repo.root / "site")
    typer.echo(
        f"wrote {len(result.files)} files to {result.out}: {len(result.documents)} document "
        f"pages, {len(result.clusters)} cluster pages; open {result.out / 'index.html'}"
    )
