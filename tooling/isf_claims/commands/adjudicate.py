"""``adjudicate A B --out DIR`` and ``adjudicate --apply DECISIONS``: two annotation sets
into one gold set through a curator's decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims import progress
from isf_claims.commands._common import RootOption, handles_errors, repo_of
from isf_claims.errors import refuse


def register(app: typer.Typer) -> None:
    app.command("adjudicate")(adjudicate_cmd)


@handles_errors
def adjudicate_cmd(
    a: Annotated[Path | None, typer.Argument(help="First annotation set (folder).")] = None,
    b: Annotated[Path | None, typer.Argument(help="Second annotation set, same documents.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Adjudication folder; with --apply, the gold set's folder."
        ),
    ] = None,
    apply: Annotated[
        Path | None, typer.Option("--apply", help="Write the gold set from this decisions file.")
    ] = None,
    root: RootOption = None,
) -> None:
    """Compare two validated annotation sets: write what both agree on (DIR/merged/) and
    every disagreement (DIR/decisions.jsonl) for a curator to decide a, b, both or neither;
    with --apply, write the gold set (default DIR/gold/) once it is decided and valid."""
    from isf_claims.adjudicate import adjudicate, apply_decisions

    repo = repo_of(root)
    if apply is not None:
        if a is not None or b is not None:
            raise refuse(
                "bad-arguments",
                expected="isf-claims adjudicate --apply DIR/decisions.jsonl [--out GOLD]",
                found="annotation set folders as well",
                note="--apply takes the decisions file alone",
            )
        with progress.working("adjudicate: applying decisions and validating the gold set"):
            summary = apply_decisions(repo, apply, out)
        typer.echo(
            f"gold set: {summary.documents} document(s), {summary.decisions} decision(s) applied"
        )
        for path in summary.written:
            typer.echo(f"wrote {repo.rel(path)}")
        return
    if a is None or b is None or out is None:
        raise refuse(
            "bad-arguments",
            expected="isf-claims adjudicate A B --out DIR",
            found="A, B or --out missing",
            note="adjudicate needs two annotation sets and --out",
        )
    with progress.working("adjudicate: validating both sets and comparing"):
        s = adjudicate(repo, a, b, out)
    typer.echo(
        f"{s.documents} document(s), {s.decisions} disagreement(s): {s.pending} to decide, "
        f"{s.kept} kept from the earlier decisions file"
        + (f", {s.reopened} reopened (their versions changed)" if s.reopened else "")
        + (f", {s.obsolete} no longer disagreements" if s.obsolete else "")
    )
    typer.echo(f"decisions: {repo.rel(out / 'decisions.jsonl')}")
