"""Corpus commands: ``ingest`` (add a raw article) and ``fmt`` (canonical annotation files)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import RootOption, handles_errors, repo_of

#: Findings ``fmt`` repairs itself (every other error makes it refuse).
FMT_REPAIRS = ("bom", "crlf-line-endings")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cmd)
    app.command("fmt")(fmt_cmd)


@handles_errors
def ingest_cmd(
    file: Annotated[Path, typer.Argument(help="The article file, added byte for byte.")],
    outlet: Annotated[str | None, typer.Option(help="Outlet as the article names itself.")] = None,
    byline: Annotated[str | None, typer.Option(help="Byline as printed.")] = None,
    date: Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD, if known.")] = None,
    date_basis: Annotated[
        str | None, typer.Option(help="How the date (or its absence) is known.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Source URL, if known.")] = None,
    language: Annotated[str, typer.Option(help="BCP-47 language tag.")] = "en",
    doc_id: Annotated[
        str | None, typer.Option("--id", help="Document id (default: derived).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Topic words for the derived id.")] = None,
    root: RootOption = None,
) -> None:
    """Add an article to raw/ verbatim, with its metadata. Refuses (writing nothing) bytes
    that are not UTF-8, an id that exists, or a text already stored."""
    from isf_claims.raw import ingest

    doc = ingest(
        repo_of(root),
        file,
        doc_id=doc_id,
        topic=topic,
        outlet=outlet,
        byline=byline,
        date=date,
        date_basis=date_basis,
        url=url,
        language=language,
    )
    typer.echo(
        f"added raw/{doc.doc_id}.txt ({doc.meta['n_bytes']} bytes, sha256 {doc.meta['sha256']})"
    )


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
    corpus = valid_corpus(
        repo,
        "fmt-invalid-corpus",
        "fmt only reformats records that validate (it repairs a BOM and CR LF line endings)",
        tolerate=FMT_REPAIRS,
    )
    wanted = corpus_files(corpus)
    changed = {p: b for p, b in wanted.items() if not p.is_file() or p.read_bytes() != b}
    for p in sorted(changed):
        typer.echo(("would reformat " if check else "reformatted ") + repo.rel(p))
    if check:
        raise typer.Exit(1 if changed else 0)
    atomic_write_many(changed.items())
