"""Validation commands: ``validate`` (the corpus or some files), ``checks`` (every code)
and ``synth`` (a synthetic corpus for benchmarks and tests)."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import (
    RootOption,
    check_format,
    emit_json,
    handles_errors,
    repo_of,
)

# The defaults of isf_claims.validation (DEFAULT_ENGINE, DEFAULT_MAX_PER_CODE), repeated so
# that start-up imports no validation code; tests/test_cli_startup.py checks they agree.
DEFAULT_ENGINE = "pandera"
DEFAULT_MAX_PER_CODE = 20


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("checks")(checks_cmd)
    app.command("synth")(synth_cmd)


@handles_errors
def validate_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files to check (default: the whole corpus); corpus-wide checks "
            "they can affect run too."
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="pandera (fast, default), frictionless or spark.")
    ] = DEFAULT_ENGINE,
    master: Annotated[
        str | None,
        typer.Option(
            help="Spark master for --engine spark: local[N], spark://HOST:PORT or "
            "sc://HOST:PORT (Spark Connect); default local[*]."
        ),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    max_per_code: Annotated[
        int, typer.Option(help="Findings shown per code (0: all); the rest are counted.")
    ] = DEFAULT_MAX_PER_CODE,
    root: RootOption = None,
) -> None:
    """Check annotations against the schema and the raw texts. Exit 0 clean (warnings
    allowed), 1 invalid data, 2 usage or environment error. Never writes a file."""
    from isf_claims import progress
    from isf_claims.pandera_import import pandas_hidden
    from isf_claims.validation import validate

    fmt = check_format(output)
    what = "the corpus" if not paths else f"{len(paths)} file(s)"
    # pandas hidden only in the `isf-claims` process: start-up time, see the module. Spark's
    # pandas API (which pandera's pyspark backend imports) needs pandas.
    hidden = nullcontext() if engine == "spark" else pandas_hidden()
    with hidden, progress.working(f"validate: checking {what}", fmt):
        report = validate(repo_of(root), paths or (), engine=engine, master=master)
    if fmt == "json":
        emit_json(report.to_dict(max_per_code))
    else:
        typer.echo(report.render(max_per_code))
    raise typer.Exit(report.exit_code)


@handles_errors
def checks_cmd(
    output: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
) -> None:
    """List every code: the validation checks (level, severity) and the refusals (exit
    status, command), each with its explanation and fix."""
    from isf_claims.codebook import entries, markdown

    fmt = check_format(output, ("text", "json", "markdown"))
    if fmt == "markdown":
        typer.echo(markdown(), nl=False)
    elif fmt == "json":
        emit_json(entries())
    else:
        for c in entries():
            if c["kind"] == "finding":
                where = f"{c['level']} {c['level_name']}, {c['severity']}"
            else:
                where = f"refusal, exit {' or '.join(map(str, c['exit_codes']))}, {c['command']}"
            typer.echo(f"{c['code']}  [{where}]  {c['title']}")
            typer.echo(f"    {c['explanation']}")
            typer.echo(f"    fix: {c['fix']}\n")


@handles_errors
def synth_cmd(
    out: Annotated[Path, typer.Option(help="New folder to write the corpus to.")],
    docs: Annotated[int, typer.Option(help="Number of documents.")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bytes).")] = 0,
    workers: Annotated[
        int, typer.Option(help="Worker processes (0: one per CPU); the bytes do not change.")
    ] = 0,
    root: RootOption = None,
) -> None:
    """Write a synthetic corpus (raw/, annotated/, schema/, dataset.json) that `build` runs
    on directly, for benchmarks and tests."""
    from isf_claims import progress
    from isf_claims.synth import synth_corpus

    with progress.shown():
        stats = synth_corpus(repo_of(root), out, docs, seed, workers)
    typer.echo(
        json.dumps(
            {
                "path": str(stats.path),
                "docs": stats.docs,
                "mentions": stats.mentions,
                "claims": stats.claims,
                "entities": stats.entities,
                "clusters": stats.clusters,
            }
        )
    )
