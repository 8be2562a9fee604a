"""Claim agreement.

Claims of A and B in the same document are matched one to one by their content spans with
:func:`isf_claims.spanmatch.match_one_to_one` (the rule ``evaluate`` uses too): candidate
pairs are those whose contents overlap; pairs are taken greedily by overlap length (then by
position and id, so the result is deterministic). Reported:

- content F1 on exact content spans and on matched (overlapping) contents;
- among matched pairs, the share with the same source span and the same cue span (both
  absent counts as the same), and for each claim attribute of the schema the share of equal
  values and Cohen's kappa.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from isf_claims.agreement.stats import cohen_kappa, percent, prf
from isf_claims.convert.model import shape
from isf_claims.corpus import Corpus
from isf_claims.frames import frame_of
from isf_claims.spanmatch import match_one_to_one


def _frame(corpus: Corpus, docs: list[str]) -> pl.DataFrame:
    return frame_of(corpus["claims"]).filter(pl.col("doc_id").is_in(docs))


def match_claims(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """One-to-one matches by content span (:func:`isf_claims.spanmatch.match_one_to_one`):
    columns doc_id, id (A), id_b (B), overlap."""
    m = match_one_to_one(a, b, "content_start", "content_end")
    ids_a = a.select("doc_id", "id").with_row_index("_a")
    ids_b = b.select(pl.col("id").alias("id_b")).with_row_index("_b")
    return (
        m.join(ids_a.with_columns(pl.col("_a").cast(pl.Int64)), on="_a")
        .join(ids_b.with_columns(pl.col("_b").cast(pl.Int64)), on="_b")
        .select("doc_id", "id", "id_b", "overlap")
    )


def _span_key(df: pl.DataFrame, role: str, suffix: str = "") -> list[tuple[Any, Any]]:
    return list(
        zip(df[f"{role}_start{suffix}"].to_list(), df[f"{role}_end{suffix}"].to_list(), strict=True)
    )


def claim_agreement(a: Corpus, b: Corpus, docs: list[str]) -> tuple[dict[str, Any], pl.DataFrame]:
    """Scores, and the matches (for cluster agreement)."""
    fa, fb = _frame(a, docs), _frame(b, docs)
    keys = ["doc_id", "content_start", "content_end"]
    exact = fa.select(keys).unique().join(fb.select(keys).unique(), on=keys).height
    matches = match_claims(fa, fb)
    n = matches.height
    pairs = matches.join(fa, on=["doc_id", "id"]).join(
        fb, left_on=["doc_id", "id_b"], right_on=["doc_id", "id"], suffix="_b"
    )
    out: dict[str, Any] = {
        "content_exact": prf(exact, fb.height, exact, fa.height),
        "content_overlap": prf(n, fb.height, n, fa.height),
        "matched": n,
    }
    spans: dict[str, float | None] = {}
    for role in shape(a.schema, "claim").roles[1:]:
        spans[role] = percent(_span_key(pairs, role), _span_key(pairs, role, "_b"))
    out["spans"] = spans
    attrs = {}
    for name in shape(a.schema, "claim").attributes:
        va, vb = pairs[name].to_list(), pairs[f"{name}_b"].to_list()
        attrs[name] = {
            "observed": percent(va, vb),
            "cohen_kappa": cohen_kappa(np.array(va, dtype=str), np.array(vb, dtype=str)),
        }
    out["attributes"] = attrs
    return out, matches
