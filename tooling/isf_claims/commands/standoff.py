"""``rehydrate``: the full release from a standoff release and the user's own texts
(``build --standoff`` is an option of ``build``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims import progress
from isf_claims.commands._common import FormatOption, check_format, emit_json, handles_errors


def register(app: typer.Typer) -> None:
    app.command("rehydrate")(rehydrate_cmd)


@handles_errors
def rehydrate_cmd(
    standoff: Annotated[Path, typer.Argument(help="The standoff release folder.")],
    texts: Annotated[
        Path,
        typer.Option(
            "--texts",
            help="Your copies of the articles: a folder (files named <doc_id>.txt, or any "
            "name, matched by sha256) or a JSON-lines file of {doc_id, text}.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the release into.")] = Path(
        "dist"
    ),
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="Leave out the documents whose texts cannot be proven (the release is "
            "labelled partial) instead of refusing.",
        ),
    ] = False,
    fmt: FormatOption = "text",
) -> None:
    """Rebuild the full release from a standoff release: every text must hash to its
    recorded sha256; the result is byte-identical to the full release."""
    from isf_claims.release.rehydrate import rehydrate

    fmt = check_format(fmt)
    with progress.working("rehydrate: proving texts and rebuilding the release", fmt):
        result = rehydrate(standoff, texts, out, allow_partial)
    if fmt == "json":
        emit_json(result.to_dict())
    else:
        typer.echo(result.render())
