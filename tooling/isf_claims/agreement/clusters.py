"""Cluster agreement: pairwise F1 over claims grouped together.

A's clusters give the set of claim pairs (same cluster, unordered). B's clusters give
another, after mapping each B claim to the A claim it was matched with (an unmatched B claim
can pair with nothing of A's). Precision is the share of B's pairs also in A's, recall the
share of A's in B's.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import polars as pl

from isf_claims.agreement.stats import prf
from isf_claims.corpus import Corpus
from isf_claims.frames import frame_of


def _pairs(members: pl.DataFrame) -> set[frozenset[tuple[str, str]]]:
    out: set[frozenset[tuple[str, str]]] = set()
    for _cid, group in members.group_by("cluster_id", maintain_order=True):
        keys = sorted(set(zip(group["doc_id"].to_list(), group["claim"].to_list(), strict=True)))
        out |= {frozenset(p) for p in combinations(keys, 2)}
    return out


def cluster_agreement(
    a: Corpus, b: Corpus, docs: list[str], matches: pl.DataFrame
) -> dict[str, Any]:
    ma = frame_of(a["cluster_members"]).filter(pl.col("doc_id").is_in(docs))
    mb = frame_of(b["cluster_members"]).filter(pl.col("doc_id").is_in(docs))
    mapping = matches.select("doc_id", pl.col("id_b").alias("claim"), pl.col("id").alias("mapped"))
    mb = mb.join(mapping, on=["doc_id", "claim"], how="left").with_columns(
        claim=pl.coalesce("mapped", pl.lit("B:") + pl.col("claim"))
    )
    pa_, pb_ = _pairs(ma), _pairs(mb)
    common = len(pa_ & pb_)
    return {
        "clusters": {
            "a": frame_of(a["clusters"]).height,
            "b": frame_of(b["clusters"]).height,
        },
        "pairs": prf(common, len(pb_), common, len(pa_)),
    }
