"""Corpus statistics as polars tables, as text, as JSON, and as plots.

Counts come from the corpus model's Arrow tables; label sets and claim attributes come from
the schema (every value of a vocabulary is listed, zeros included). Plots are drawn with
matplotlib's object API on the Agg canvas with fixed fonts, sizes and metadata, so the same
corpus gives the same PNG and SVG bytes on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import refuse
from isf_claims.frames import frame_of
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


@dataclass(frozen=True)
class Counted:
    """The narrow per-document counts every statistic is made from (no text, no spans).

    ``documents``: doc_id, outlet, published, status, n_codepoints, zones, mentions, claims,
    markers, linked_mentions (in document order); ``labels``: doc_id, label, n (mentions);
    ``attributes``: doc_id, attribute, value, n (claims); ``members``: cluster_id, doc_id of
    every cluster member; ``entities``: canonical entities in the corpus.
    """

    documents: pl.DataFrame
    labels: pl.DataFrame
    attributes: pl.DataFrame
    members: pl.DataFrame
    entities: int


def claim_vocab_fields(schema: Schema) -> list[tuple[str, str]]:
    """(field, vocabulary) of every claim attribute that takes vocabulary values."""
    return [(f.name, f.vocabulary) for f in schema.layer("claim").fields if f.vocabulary]


def _vocab_frame(schema: Schema, vocabulary: str, column: str) -> pl.DataFrame:
    values = schema.values(vocabulary)
    return pl.DataFrame({column: values, "_order": list(range(len(values)))})


def counted_corpus(corpus: Corpus) -> Counted:
    """:class:`Counted` from a loaded corpus's Arrow tables (only the columns counted)."""
    docs = frame_of(  # only the columns used: the texts stay in Arrow
        corpus["documents"].select(["doc_id", "outlet", "published", "status", "n_codepoints"])
    )
    for column, table in COUNTED.items():
        counts = (
            frame_of(corpus[table].select(["doc_id"]))
            .group_by("doc_id")
            .agg(pl.len().alias(column))
        )
        docs = docs.join(counts, on="doc_id", how="left", maintain_order="left")
    mentions = frame_of(corpus["mentions"].select(["doc_id", "label", "entity"]))
    linked = (
        mentions.filter(pl.col("entity").is_not_null())
        .group_by("doc_id")
        .agg(pl.len().alias("linked_mentions"))
    )
    docs = docs.join(linked, on="doc_id", how="left", maintain_order="left")
    names = [name for name, _ in claim_vocab_fields(corpus.schema)]
    claims = frame_of(corpus["claims"].select(["doc_id", *names]))
    attributes = pl.concat(
        [
            claims.group_by("doc_id", pl.col(name).alias("value"))
            .agg(pl.len().alias("n"))
            .select("doc_id", attribute=pl.lit(name), value="value", n="n")
            for name in names
        ]
    )
    return Counted(
        documents=docs,
        labels=mentions.group_by("doc_id", "label").agg(pl.len().alias("n")),
        attributes=attributes,
        members=frame_of(corpus["cluster_members"].select(["cluster_id", "doc_id"])),
        entities=corpus["entities"].num_rows,
    )


def _documents(counted: Counted) -> pl.DataFrame:
    docs = counted.documents.with_row_index("_i").with_columns(
        key=pl.format("D{}", pl.col("_i") + 1),
        outlet_label=pl.col("outlet").fill_null(UNNAMED_OUTLET),
        n_codepoints=pl.col("n_codepoints").fill_null(0),
    )
    clusters = counted.members.group_by("doc_id").agg(
        pl.col("cluster_id").n_unique().alias("clusters")
    )
    docs = docs.join(clusters, on="doc_id", how="left")
    counts = [*COUNTED, "linked_mentions", "clusters"]
    return (
        docs.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .sort("_i")
        .select(*DOC_COLUMNS, *counts)
    )


def _counts(
    docs: pl.DataFrame, counts: pl.DataFrame, column: str, values: pl.DataFrame
) -> pl.DataFrame:
    """Counts ``n`` of ``column`` per document (or per outlet, when ``counts`` are per
    outlet), for every vocabulary value (zeros included)."""
    if "doc_id" in counts.columns:
        keys, on, order = ["key", "doc_id", "outlet_label"], "doc_id", "key"
        grid = docs.select(keys)
    else:
        keys, on, order = ["outlet_label"], "outlet_label", "_o"
        grid = docs.select("outlet_label").unique(maintain_order=True).with_row_index("_o")
    return (
        grid.join(values, how="cross")
        .join(counts, on=[on, column], how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
        .sort("_order", order)
        .select(*keys, column, "n")
    )


def corpus_stats(corpus: Corpus) -> CorpusStats:
    """Compute every statistic of ``corpus``."""
    return stats_of(counted_corpus(corpus), corpus.schema)


def stats_of(counted: Counted, schema: Schema) -> CorpusStats:
    """Every statistic from the narrow counts. Label and attribute counts per outlet (not
    per document) give ``mention_labels`` and ``claim_attributes`` per outlet: what the
    aggregate tables and plots need, in memory that does not grow with the documents."""
    docs = _documents(counted)
    label_vocab = schema.layer("mention").field("label").vocabulary or "entity_label"
    mentions = _counts(docs, counted.labels, "label", _vocab_frame(schema, label_vocab, "label"))
    parts = []
    for name, vocabulary in claim_vocab_fields(schema):
        values = _vocab_frame(schema, vocabulary, "value")
        own = counted.attributes.filter(pl.col("attribute") == name).drop("attribute")
        part = _counts(docs, own, "value", values)
        parts.append(part.with_columns(attribute=pl.lit(name)))
    keys = ["key", "doc_id", "outlet_label"] if "doc_id" in mentions.columns else ["outlet_label"]
    attributes = pl.concat(parts).select(*keys, "attribute", "value", "n")
    members = counted.members.filter(pl.col("doc_id").is_in(docs["doc_id"].implode()))
    totals = {
        "documents": docs.height,
        "code_points": int(docs["n_codepoints"].sum()),
        "zones": int(docs["zones"].sum()),
        "mentions": int(docs["mentions"].sum()),
        "linked_mentions": int(docs["linked_mentions"].sum()),
        "entities": counted.entities,
        "claims": int(docs["claims"].sum()),
        "markers": int(docs["markers"].sum()),
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


OTHER_OUTLETS = "other outlets"
MAX_SERIES = 8  # outlets shown apart in aggregate tables and plots; the rest are summed


def series_of(stats: CorpusStats) -> pl.DataFrame:
    """doc_id -> ``series``: its outlet, or :data:`OTHER_OUTLETS` beyond the
    :data:`MAX_SERIES` outlets with most documents (ties by name)."""
    docs = stats.documents.select("doc_id", "outlet_label")
    ranked = (
        docs.group_by("outlet_label")
        .len()
        .sort(["len", "outlet_label"], descending=[True, False])["outlet_label"]
        .to_list()
    )
    shown = ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
    series = pl.when(pl.col("outlet_label").is_in(shown)).then(pl.col("outlet_label"))
    return docs.with_columns(series=series.otherwise(pl.lit(OTHER_OUTLETS))).with_columns(
        _rank=pl.col("series").replace_strict(
            {name: i for i, name in enumerate([*shown, OTHER_OUTLETS])}, return_dtype=pl.Int64
        )
    )


def by_series(stats: CorpusStats, long: pl.DataFrame, row: list[str]) -> pl.DataFrame:
    """A long per-document count table summed per ``row`` value and outlet series (long:
    ``row``..., series, n), rows in the table's (vocabulary) order, series by size."""
    series = series_of(stats).unique("outlet_label").select("outlet_label", "series", "_rank")
    order = long.select(row).unique(maintain_order=True).with_row_index("_row")
    return (
        long.join(series, on="outlet_label", how="left")
        .group_by(*row, "series", "_rank")
        .agg(pl.col("n").sum())
        .join(order, on=row, how="left")
        .sort("_row", "_rank")
        .select(*row, "series", "n")
    )


def aggregate_wide(stats: CorpusStats, long: pl.DataFrame, row: list[str]) -> pl.DataFrame:
    """Rows x outlet series (columns) plus ``total``: the aggregate tables."""
    summed = by_series(stats, long, row)
    names = list(dict.fromkeys(summed["series"].to_list()))
    out = summed.pivot(on="series", index=row, values="n", aggregate_function="sum")
    out = out.select(*row, *names)
    return out.with_columns(total=pl.sum_horizontal(names) if names else pl.lit(0))


def outlets_table(stats: CorpusStats) -> pl.DataFrame:
    """Documents, code points and record counts per outlet series."""
    counts = ["n_codepoints", *COUNTED]
    joined = stats.documents.join(series_of(stats), on="doc_id", how="left")
    return (
        joined.group_by("series", "_rank")
        .agg(pl.len().alias("documents"), *[pl.col(c).sum() for c in counts])
        .sort("_rank")
        .drop("_rank")
        .rename({"series": "outlet", "n_codepoints": "code points"})
    )


def check_selected(repo: Repo, doc_ids: list[str] | None) -> list[str] | None:
    """``doc_ids`` without repeats (``None``: every annotated document); an id without an
    annotation file is a usage error naming the ids that exist."""
    if not doc_ids:
        return None
    missing = [d for d in doc_ids if not repo.annotation_path(d).is_file()]
    if missing:
        known = [p.stem for p in repo.annotation_files()]
        raise refuse(
            "unknown-document",
            path=repo.rel(repo.annotated_dir),
            record=", ".join(missing),
            expected="one of "
            + (", ".join(known[:20]) or "(no annotated documents)")
            + (f" and {len(known) - 20} more" if len(known) > 20 else ""),
            found=", ".join(missing),
            what="annotation file",
        )
    return list(dict.fromkeys(doc_ids))


def load_selected(repo: Repo, doc_ids: list[str] | None) -> Corpus:
    """The corpus of ``doc_ids`` (default: every annotated document); see
    :func:`check_selected`."""
    return load_corpus(repo, check_selected(repo, doc_ids))


def stats_json(stats: CorpusStats, per_doc: bool = True) -> dict[str, Any]:
    """The statistics as JSON-ready data: totals, per outlet, per label and per attribute
    value; with ``per_doc`` also every per-document table as lists of records."""
    labels = by_series(stats, stats.mention_labels, ["label"])
    attrs = by_series(stats, stats.claim_attributes, ["attribute", "value"])
    by_attribute: dict[str, dict[str, int]] = {}
    for (name, value), part in attrs.group_by("attribute", "value", maintain_order=True):
        by_attribute.setdefault(str(name), {})[str(value)] = int(part["n"].sum())
    out: dict[str, Any] = {
        "totals": dict(zip(stats.totals["measure"], stats.totals["value"], strict=True)),
        "outlets": outlets_table(stats).to_dicts(),
        "by_label": {
            str(k): int(v)
            for k, v in labels.group_by("label", maintain_order=True)
            .agg(pl.col("n").sum())
            .iter_rows()
        },
        "by_attribute": by_attribute,
        "by_label_and_outlet": labels.to_dicts(),
        "by_attribute_and_outlet": attrs.to_dicts(),
    }
    if per_doc:
        out.update(
            documents=stats.documents.to_dicts(),
            mention_labels=stats.mention_labels.to_dicts(),
            claim_attributes=stats.claim_attributes.to_dicts(),
        )
    return out
