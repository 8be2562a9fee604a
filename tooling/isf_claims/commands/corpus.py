"""Corpus commands: ``ingest`` (add a raw article) and ``fmt`` (canonical annotation files)."""

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
from isf_claims.errors import IsfError

#: Findings ``fmt`` repairs itself (every other error makes it refuse).
FMT_REPAIRS = ("bom", "crlf-line-endings")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cmd)
    app.command("fmt")(fmt_cmd)


@handles_errors
def ingest_cmd(
    source: Annotated[
        Path,
        typer.Argument(
            help="An article file (added byte for byte); a folder of .txt files with a "
            "metadata table (metadata.csv or metadata.jsonl: file, outlet, byline, date, url); "
            "or a .jsonl file of {text, outlet, byline, date, url} records."
        ),
    ],
    meta: Annotated[
        Path | None,
        typer.Option("--meta", help="The folder's metadata table (CSV or JSONL), if elsewhere."),
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet as the article names itself.")] = None,
    byline: Annotated[str | None, typer.Option(help="Byline as printed.")] = None,
    date: Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD, if known.")] = None,
    date_basis: Annotated[
        str | None, typer.Option(help="How the date (or its absence) is known.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Source URL, if known.")] = None,
    language: Annotated[
        str | None, typer.Option(help="BCP-47 language tag (default en; a batch's default).")
    ] = None,
    doc_id: Annotated[
        str | None, typer.Option("--id", help="Document id (default: derived).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Topic words for the derived id.")] = None,
    annotators: Annotated[
        str, typer.Option(help="The new annotation files' `annotators`.")
    ] = "unassigned",
    output: FormatOption = "text",
    root: RootOption = None,
) -> None:
    """Add articles to raw/ verbatim with their metadata, and start each one's annotation
    file (the document record, status draft). One article, or a batch: all or nothing, every
    article checked first (UTF-8, text, date, id, already stored, repeated in the batch)."""
    from isf_claims import progress
    from isf_claims.ingest import ingest_source

    fmt = check_format(output)
    per_article = {
        "--outlet": outlet,
        "--byline": byline,
        "--date": date,
        "--date-basis": date_basis,
        "--url": url,
        "--id": doc_id,
        "--topic": topic,
    }
    try:
        with progress.shown(fmt):
            docs = ingest_source(
                repo_of(root),
                source,
                table=meta,
                options=per_article,
                language=language,
                annotators=annotators,
            )
    except IsfError as err:
        if fmt != "json":
            raise
        emit_json({"ok": False, "added": [], "error": err.to_dict()})
        raise typer.Exit(err.exit_code) from None
    if fmt == "json":
        emit_json({"ok": True, "added": [d.doc_id for d in docs]})
        return
    for doc in docs:
        typer.echo(
            f"added {doc.doc_id} (raw/{doc.doc_id}.txt, {doc.meta['n_bytes']} bytes, "
            f"sha256 {doc.meta['sha256']}; annotated/{doc.doc_id}.jsonl, status draft)"
        )
    if len(docs) > 1:
        typer.echo(f"added {len(docs)} articles")


@handles_errors
def fmt_cmd(
    check: Annotated[
        bool, typer.Option("--check", help="Only report files not canonical.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Rewrite annotation files in the canonical format (field order, record order)."""
    from isf_claims.corpus import corpus_files
    from isf_claims.fsutil import atomic_write_many
    from isf_claims.guard import valid_corpus

    repo = repo_of(root)
    corpus = valid_corpus(repo, "fmt-invalid-corpus", tolerate=FMT_REPAIRS)
    wanted = corpus_files(corpus)
    changed = {p: b for p, b in wanted.items() if not p.is_file() or p.read_bytes() != b}
    for p in sorted(changed):
        typer.echo(("would reformat " if check else "reformatted ") + repo.rel(p))
    if check:
        raise typer.Exit(1 if changed else 0)
    atomic_write_many(changed.items())
