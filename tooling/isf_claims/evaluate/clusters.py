"""Cluster scores: pairwise F1 and B³ over claim ids.

Predicted clusters name the release's own claims (``doc_id``, ``claim``), so both sides
cluster the same items: the gold claims of the scored documents (members in other documents
are left out on both sides). A claim in no cluster is a cluster of its own.

- *Pairwise*: the unordered pairs of claims that share a cluster; precision is the share of
  predicted pairs that are gold pairs, recall the share of gold pairs predicted.
- *B³* (Bagga and Baldwin 1998): for each claim ``i``, ``G(i)`` and ``P(i)`` are the claims
  sharing a gold / predicted cluster with it, ``i`` included; precision is the mean over
  claims of ``|G(i) ∩ P(i)| / |P(i)|``, recall the mean of ``|G(i) ∩ P(i)| / |G(i)|``. (A
  claim in two clusters of one side has the union of both as its set.)

For the bootstrap each claim counts in its own document, and each pair in the document of
its first claim (documents, then claim ids, in release order).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

# Per-document counts: predicted pairs, gold pairs, common pairs, claims, sum of B³
# precision, sum of B³ recall.
DOC_COUNTS = ("pairs_predicted", "pairs_gold", "pairs_common", "claims", "b3_p", "b3_r")


def _pairs(members: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """Unordered pairs (i < j, item numbers) of claims sharing a cluster."""
    m = members.join(items, on=["doc_id", "claim"]).select("cluster_id", "_i")
    return (
        m.join(m, on="cluster_id", suffix="_j")
        .filter(pl.col("_i") < pl.col("_i_j"))
        .select("_i", pl.col("_i_j").alias("_j"))
        .unique()
    )


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def score(
    gold_members: pl.DataFrame, pred_members: pl.DataFrame, claims: pl.DataFrame, docs: list[str]
) -> tuple[dict[str, Any], np.ndarray]:
    """Figures and per-document counts (``[doc, DOC_COUNTS]``)."""
    doc_ix = pl.DataFrame({"doc_id": docs, "_d": np.arange(len(docs), dtype=np.int64)})
    items = (
        claims.select("doc_id", pl.col("id").alias("claim"))
        .join(doc_ix, on="doc_id", maintain_order="left")
        .with_row_index("_i")
        .with_columns(pl.col("_i").cast(pl.Int64))
    )
    n = items.height
    gp, pp = _pairs(gold_members, items), _pairs(pred_members, items)
    common = gp.join(pp, on=["_i", "_j"])
    doc_of = items["_d"].to_numpy()

    def per_item(pairs: pl.DataFrame) -> np.ndarray:
        ends = np.concatenate([pairs["_i"].to_numpy(), pairs["_j"].to_numpy()])
        return np.bincount(ends, minlength=n) + 1  # the claim itself

    g_size, p_size, both = per_item(gp), per_item(pp), per_item(common)
    prec, rec = both / np.maximum(p_size, 1), both / np.maximum(g_size, 1)
    counts = np.zeros((len(docs), len(DOC_COUNTS)), dtype=np.float64)
    for col, pairs in enumerate((pp, gp, common)):
        counts[:, col] = np.bincount(doc_of[pairs["_i"].to_numpy()], minlength=len(docs))
    counts[:, 3] = np.bincount(doc_of, minlength=len(docs))
    counts[:, 4] = np.bincount(doc_of, weights=prec, minlength=len(docs))
    counts[:, 5] = np.bincount(doc_of, weights=rec, minlength=len(docs))
    pw_p = common.height / pp.height if pp.height else None
    pw_r = common.height / gp.height if gp.height else None
    b3_p = float(prec.mean()) if n else None
    b3_r = float(rec.mean()) if n else None
    figures: dict[str, Any] = {
        "claims": n,
        "clusters": {
            "gold": gold_members.join(items, on=["doc_id", "claim"])["cluster_id"].n_unique(),
            "predicted": pred_members.join(items, on=["doc_id", "claim"])["cluster_id"].n_unique(),
        },
        "pairwise": {
            "precision": pw_p,
            "recall": pw_r,
            "f1": _f1(pw_p, pw_r) if (pp.height or gp.height) else None,
            "predicted": pp.height,
            "gold": gp.height,
            "common": common.height,
        },
        "b3": {"precision": b3_p, "recall": b3_r, "f1": _f1(b3_p, b3_r)},
    }
    if figures["pairwise"]["f1"] is None and (pp.height or gp.height):
        figures["pairwise"]["f1"] = 0.0
    return figures, counts


def statistic(sums: np.ndarray) -> np.ndarray:
    """Bootstrap statistic: pairwise F1 and B³ F1 from summed :data:`DOC_COUNTS` (pairwise
    F1 is undefined, NaN, in a resample with no pair on either side)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(sums[..., 0] > 0, sums[..., 2] / np.maximum(sums[..., 0], 1), 0.0)
        r = np.where(sums[..., 1] > 0, sums[..., 2] / np.maximum(sums[..., 1], 1), 0.0)
        pw = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
        pw = np.where((sums[..., 0] + sums[..., 1]) > 0, pw, np.nan)
        bp = sums[..., 4] / np.maximum(sums[..., 3], 1)
        br = sums[..., 5] / np.maximum(sums[..., 3], 1)
        b3 = np.where(bp + br > 0, 2 * bp * br / np.where(bp + br > 0, bp + br, 1), 0.0)
    return np.stack([pw, b3], axis=-1)
