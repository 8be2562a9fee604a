"""Corpus statistics as polars tables, as text, as JSON, and as plots.

Counts come from the corpus model's Arrow tables; label sets and claim attributes come from
the schema (every value of a vocabulary is listed, zeros included). Plots are drawn with
matplotlib's object API on the Agg canvas with fixed fonts, sizes and metadata, so the same
corpus gives the same PNG and SVG bytes on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import usage_error
from isf_claims.fsutil import atomic_write_many
from isf_claims.repo import Repo
from isf_claims.schema import Schema

UNNAMED_OUTLET = "outlet not named"
DOC_COLUMNS = ("key", "doc_id", "outlet", "outlet_label", "published", "status", "n_codepoints")
COUNTED = {"zones": "zones", "mentions": "mentions", "claims": "claims", "markers": "markers"}


@dataclass(frozen=True)
class CorpusStats:
    """The statistics of a corpus.

    ``documents``: one row per document (key ``D1``..., outlet, counts); ``mention_labels``:
    doc x entity label counts (long); ``claim_attributes``: doc x claim attribute x value
    counts (long); ``totals``: measure -> value.
    """

    documents: pl.DataFrame
    mention_labels: pl.DataFrame
    claim_attributes: pl.DataFrame
    totals: pl.DataFrame
    label_vocabulary: str


def claim_vocab_fields(schema: Schema) -> list[tuple[str, str]]:
    """(field, vocabulary) of every claim attribute that takes vocabulary values."""
    return [(f.name, f.vocabulary) for f in schema.layer("claim").fields if f.vocabulary]


def _vocab_frame(schema: Schema, vocabulary: str, column: str) -> pl.DataFrame:
    values = schema.values(vocabulary)
    return pl.DataFrame({column: values, "_order": list(range(len(values)))})


def _documents(corpus: Corpus) -> pl.DataFrame:
    docs = pl.from_arrow(  # only the columns used: the texts stay in Arrow
        corpus["documents"].select(["doc_id", "outlet", "published", "status", "n_codepoints"])
    )
    docs = docs.with_row_index("_i").with_columns(
        key=pl.format("D{}", pl.col("_i") + 1),
        outlet_label=pl.col("outlet").fill_null(UNNAMED_OUTLET),
        n_codepoints=pl.col("n_codepoints").fill_null(0),
    )
    for column, table in COUNTED.items():
        counts = (
            pl.from_arrow(corpus[table].select(["doc_id"]))
            .group_by("doc_id")
            .agg(pl.len().alias(column))
        )
        docs = docs.join(counts, on="doc_id", how="left")
    linked = (
        pl.from_arrow(corpus["mentions"].select(["doc_id", "entity"]))
        .filter(pl.col("entity").is_not_null())
        .group_by("doc_id")
        .agg(pl.len().alias("linked_mentions"))
    )
    clusters = (
        pl.from_arrow(corpus["cluster_members"])
        .group_by("doc_id")
        .agg(pl.col("cluster_id").n_unique().alias("clusters"))
    )
    docs = docs.join(linked, on="doc_id", how="left").join(clusters, on="doc_id", how="left")
    counts = [*COUNTED, "linked_mentions", "clusters"]
    return (
        docs.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .sort("_i")
        .select(*DOC_COLUMNS, *counts)
    )


def _counts(
    docs: pl.DataFrame, table: pl.DataFrame, column: str, values: pl.DataFrame
) -> pl.DataFrame:
    """Counts of ``column`` per document, for every vocabulary value (zeros included)."""
    counts = table.group_by("doc_id", column).agg(pl.len().alias("n"))
    grid = docs.select("key", "doc_id", "outlet_label").join(values, how="cross")
    return (
        grid.join(counts, on=["doc_id", column], how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
        .sort("_order", "key")
        .drop("_order")
    )


def corpus_stats(corpus: Corpus) -> CorpusStats:
    """Compute every statistic of ``corpus``."""
    schema = corpus.schema
    docs = _documents(corpus)
    label_vocab = schema.layer("mention").field("label").vocabulary or "entity_label"
    mentions = _counts(
        docs,
        pl.from_arrow(corpus["mentions"].select(["doc_id", "label"])),
        "label",
        _vocab_frame(schema, label_vocab, "label"),
    )
    claims = pl.from_arrow(
        corpus["claims"].select(["doc_id", *(name for name, _ in claim_vocab_fields(schema))])
    )
    parts = []
    for name, vocabulary in claim_vocab_fields(schema):
        values = _vocab_frame(schema, vocabulary, "value")
        part = _counts(docs, claims.select("doc_id", pl.col(name).alias("value")), "value", values)
        parts.append(part.with_columns(attribute=pl.lit(name)))
    attributes = pl.concat(parts).select("key", "doc_id", "outlet_label", "attribute", "value", "n")
    members = pl.from_arrow(corpus["cluster_members"]).filter(
        pl.col("doc_id").is_in(docs["doc_id"].implode())
    )
    totals = {
        "documents": docs.height,
        "code_points": int(docs["n_codepoints"].sum()),
        "zones": corpus["zones"].num_rows,
        "mentions": corpus["mentions"].num_rows,
        "linked_mentions": int(docs["linked_mentions"].sum()),
        "entities": corpus["entities"].num_rows,
        "claims": corpus["claims"].num_rows,
        "markers": corpus["markers"].num_rows,
        "clusters": members["cluster_id"].n_unique(),
        "cluster_members": members.height,
    }
    total_frame = pl.DataFrame({"measure": list(totals), "value": list(totals.values())})
    return CorpusStats(docs, mentions, attributes, total_frame, label_vocab)


def wide(long: pl.DataFrame, row: list[str], docs: pl.DataFrame) -> pl.DataFrame:
    """A long count table as rows x documents (columns ``D1``...) plus ``total``."""
    keys = docs["key"].to_list()
    out = long.pivot(on="key", index=row, values="n", aggregate_function="sum", sort_columns=False)
    out = out.select(*row, *[k for k in keys if k in out.columns])
    return out.with_columns(total=pl.sum_horizontal(keys) if keys else pl.lit(0))


def stats_json(stats: CorpusStats) -> dict[str, Any]:
    """Every table as JSON-ready lists of records."""
    return {
        "totals": dict(zip(stats.totals["measure"], stats.totals["value"], strict=True)),
        "documents": stats.documents.to_dicts(),
        "mention_labels": stats.mention_labels.to_dicts(),
        "claim_attributes": stats.claim_attributes.to_dicts(),
    }


def _text_table(title: str, frame: pl.DataFrame) -> str:
    cells = [[str(c) for c in frame.columns]]
    cells += [["-" if v is None else str(v) for v in row] for row in frame.iter_rows()]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    numeric = [dt.is_numeric() for dt in frame.dtypes]
    lines = [title]
    for r, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if num and r else c.ljust(w)
                for c, w, num in zip(row, widths, numeric, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)


def format_stats(stats: CorpusStats) -> str:
    """The statistics as plain-text tables (documents are keyed D1, D2... as listed)."""
    docs = stats.documents.select(
        "key", "doc_id", "outlet", "published", "n_codepoints", *COUNTED, "clusters"
    )
    labels = wide(stats.mention_labels, ["label"], stats.documents)
    attributes = wide(stats.claim_attributes, ["attribute", "value"], stats.documents)
    return (
        "\n\n".join(
            [
                _text_table("Corpus", stats.totals),
                _text_table("Documents", docs),
                _text_table(f"Mentions per label ({stats.label_vocabulary})", labels),
                _text_table("Claims per attribute value", attributes),
            ]
        )
        + "\n"
    )


def plot_files(
    stats: CorpusStats, schema: Schema, formats: tuple[str, ...] = ("png", "svg")
) -> dict[str, bytes]:
    """The plots as file name -> bytes (each in ``formats``), byte-identical on every run."""
    from isf_claims.render.plots import plot_files as draw

    return draw(stats, schema, formats)


def load_selected(repo: Repo, doc_ids: list[str] | None) -> Corpus:
    """The corpus of ``doc_ids`` (default: every annotated document); an id without an
    annotation file is a usage error naming the ids that exist."""
    if doc_ids:
        missing = [d for d in doc_ids if not repo.annotation_path(d).is_file()]
        if missing:
            known = [p.stem for p in repo.annotation_files()]
            raise usage_error(
                "unknown-document",
                "no annotation file for the document id",
                path=repo.rel(repo.annotated_dir),
                record=", ".join(missing),
                expected="one of " + (", ".join(known) or "(no annotated documents)"),
                found=", ".join(missing),
                fix="pass ids of annotated documents (annotated/<doc_id>.jsonl)",
            )
        doc_ids = list(dict.fromkeys(doc_ids))
    return load_corpus(repo, doc_ids)


def write_stats(
    repo: Repo, doc_ids: list[str] | None, plots_dir: Path | None
) -> tuple[str, dict[str, Any], list[Path]]:
    """Statistics of the selected documents as text and JSON; writes the plots into
    ``plots_dir`` when given (all files or none) and returns their paths."""
    corpus = load_selected(repo, doc_ids)
    stats = corpus_stats(corpus)
    written: list[Path] = []
    if plots_dir is not None:
        files = {plots_dir / name: data for name, data in plot_files(stats, corpus.schema).items()}
        atomic_write_many(sorted(files.items()))
        written = sorted(files)
    return format_stats(stats), stats_json(stats), written
