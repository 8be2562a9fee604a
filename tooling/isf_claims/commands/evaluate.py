"""``evaluate PREDICTIONS --task T``: score a system against a release's gold;
``baseline TASK --out PRED``: write a baseline's predictions."""

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

ReleaseOption = Annotated[
    Path | None,
    typer.Option(
        "--release",
        help="Release folder, or a folder of releases (default: $ISF_CLAIMS_DIST or dist/).",
    ),
]
VersionOption = Annotated[
    str | None, typer.Option("--version", help="Release version (default: the latest).")
]
SplitOption = Annotated[
    str | None, typer.Option("--split", help="Score only this split (default: all documents).")
]


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_cmd)
    app.command("baseline")(baseline_cmd)


@handles_errors
def evaluate_cmd(
    predictions: Annotated[Path, typer.Argument(help="Prediction file (.jsonl or .parquet).")],
    task: Annotated[str, typer.Option("--task", help="ner, mentions, claims or clusters.")],
    release: ReleaseOption = None,
    version: VersionOption = None,
    split: SplitOption = None,
    docs: Annotated[
        list[str] | None, typer.Option("--docs", help="Score only these documents (repeat).")
    ] = None,
    resamples: Annotated[
        int, typer.Option("--resamples", help="Bootstrap resamples over documents.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    output: FormatOption = "text",
) -> None:
    """Score predictions against a release's gold: seqeval (ner), the SemEval-2013 schemes
    (mentions), claim spans and attributes (claims), pairwise F1 and B³ (clusters), with
    bootstrap intervals over documents. Bad predictions exit 1 with a stable code."""
    from isf_claims.evaluate import Bootstrap, evaluate, render_text

    fmt = check_format(output)
    with progress.working(f"evaluate {task}: checking and scoring", fmt):
        report = evaluate(
            predictions,
            task,
            release=release,
            version=version,
            split=split,
            docs=docs,
            bootstrap=Bootstrap(resamples=resamples, seed=seed),
        )
    if fmt == "json":
        emit_json(report)
    else:
        typer.echo(render_text(report), nl=False)


@handles_errors
def baseline_cmd(
    task: Annotated[str, typer.Argument(help="mentions (gazetteer) or claims (rules).")],
    out: Annotated[
        Path, typer.Option("--out", help="Prediction file to write (.jsonl or .parquet).")
    ],
    release: ReleaseOption = None,
    version: VersionOption = None,
    root: RootOption = None,
) -> None:
    """Write a baseline's predictions for every document of a release (no model download):
    a leave-one-document-out gazetteer for mentions, PARC-style rules for claims."""
    from isf_claims import baselines
    from isf_claims.evaluate.gold import from_release
    from isf_claims.release.load import resolve

    with progress.working(f"baseline {task}: predicting"):
        gold = from_release(resolve(version, release), with_text=True)
        frame = baselines.run(task, gold, repo_of(root).schema_dir)
        baselines.write(frame, out, baselines.header(task, gold))
    typer.echo(f"wrote {out} ({frame.height} {task} predictions, release {gold.version})")
