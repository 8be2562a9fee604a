"""Baselines for ``ner`` and ``clusters``, derived from the others (no model, nothing
downloaded).

- ``ner``: the gazetteer's mentions (:mod:`isf_claims.baselines.gazetteer`, leave one
  document out) turned into IOB2 tags over the release's own segments and tokens by the
  release's own rules (:func:`isf_claims.release.ner.ner_table`).
- ``clusters``: claims of different documents whose content reads the same once lower-cased,
  with punctuation removed and whitespace collapsed, form a cluster (the gold claims, so the
  clusters name the release's claim ids).
"""

from __future__ import annotations

import polars as pl

from isf_claims.frames import frame_of
from isf_claims.release.ner import ner_table


class _Labels:
    """The one thing the IOB2 conversion asks of a schema: the entity labels."""

    def __init__(self, labels: list[str]) -> None:
        self._labels = labels

    def values(self, vocabulary: str) -> list[str]:
        assert vocabulary == "entity_label"
        return self._labels


def ner_predictions(
    documents: pl.DataFrame, mentions: pl.DataFrame, labels: list[str]
) -> pl.DataFrame:
    """``ner`` predictions (doc_id, start, ner_tags) from predicted ``mentions`` (doc_id,
    start, end, label) over ``documents`` (doc_id, text, zones)."""
    ids = mentions.select(
        "doc_id",
        (pl.lit("m") + (pl.int_range(pl.len()) + 1).cast(pl.String)).alias("id"),
        "label",
        "start",
        "end",
    )
    table, _ = ner_table(
        documents.select("doc_id", "text", "zones").to_arrow(),
        ids.to_arrow(),
        _Labels(labels),
    )
    return frame_of(table.select(["doc_id", "start", "ner_tags"]))


def cluster_predictions(claims: pl.DataFrame) -> pl.DataFrame:
    """Clusters (id, members) of gold ``claims`` (doc_id, id, content_text) that read the
    same in two or more documents."""
    key = (
        pl.col("content_text")
        .str.to_lowercase()
        .str.replace_all(r"[^\w\s]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    keyed = claims.select("doc_id", pl.col("id").alias("claim"), key.alias("_key")).filter(
        pl.col("_key") != ""
    )
    groups = (
        keyed.group_by("_key")
        .agg(
            pl.struct("doc_id", "claim").sort_by("doc_id", "claim").alias("members"),
            pl.col("doc_id").n_unique().alias("_docs"),
        )
        .filter(pl.col("_docs") > 1)
        .sort("_key")
    )
    return groups.select(
        (pl.lit("k") + (pl.int_range(pl.len()) + 1).cast(pl.String)).alias("id"), "members"
    )
