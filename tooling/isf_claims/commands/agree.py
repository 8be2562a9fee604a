"""``agree A B``: inter-annotator agreement between two annotation folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims import progress
from isf_claims.commands._common import (
    FormatOption,
    RootOption,
    check_format,
    emit_json,
    handles_errors,
    repo_of,
)


def register(app: typer.Typer) -> None:
    app.command("agree")(agree_cmd)


@handles_errors
def agree_cmd(
    a: Annotated[Path, typer.Argument(help="First annotation folder (the reference).")],
    b: Annotated[Path, typer.Argument(help="Second annotation folder, same documents.")],
    output: FormatOption = "text",
    root: RootOption = None,
) -> None:
    """Agreement of B with A: mention F1 per label (exact, overlapping), Cohen's kappa and
    Krippendorff's alpha over tokens, claim and cluster agreement."""
    from isf_claims.agreement import agreement_report, render_text

    fmt = check_format(output)
    with progress.working("agree: validating and comparing", fmt):
        report = agreement_report(repo_of(root), a, b)
    if fmt == "json":
        emit_json(report)
    else:
        typer.echo(render_text(report), nl=False)
