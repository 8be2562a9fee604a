"""Claim scores.

Predicted and gold claims of a document are matched one to one by content span with
:func:`isf_claims.spanmatch.match_one_to_one`, the rule ``agree`` uses: candidates are pairs
whose contents share at least one code point; pairs are taken greedily by the number of
shared code points, longest first (ties: gold start, predicted start, gold id, predicted
id). Reported:

- content F1, *exact* (a predicted content span equal to a gold one) and *overlap* (matched
  pairs; precision over predicted claims, recall over gold claims);
- on matched pairs, cue and source span F1 (exact spans; precision over the pairs whose
  prediction gives the span, recall over the pairs whose gold claim has it);
- on matched pairs, attribution-type accuracy and macro F1 (over the types present in the
  matched gold or predictions), and each attribute's accuracy (a value the prediction leaves
  out counts as wrong; ``given`` says how many pairs had one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from isf_claims.evaluate.gold import ATTRIBUTES
from isf_claims.spanmatch import match_one_to_one

# Per-document counts kept for the bootstrap: exact tp, overlap tp, gold, predicted.
DOC_COUNTS = ("content_exact", "content_matched", "gold", "predicted")


def _f1(tp: float, n_pred: float, n_gold: float) -> dict[str, float | int | None]:
    p = tp / n_pred if n_pred else None
    r = tp / n_gold if n_gold else None
    if p is None or r is None:
        f: float | None = None if not (n_pred or n_gold) else 0.0
    else:
        f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "tp": int(tp),
        "predicted": int(n_pred),
        "gold": int(n_gold),
    }


def _prf_arrays(tp: np.ndarray, n_pred: np.ndarray, n_gold: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_pred > 0, tp / np.where(n_pred > 0, n_pred, 1), 0.0)
        r = np.where(n_gold > 0, tp / np.where(n_gold > 0, n_gold, 1), 0.0)
        return np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)


def content_f1(sums: np.ndarray) -> np.ndarray:
    """Bootstrap statistic: exact and overlap content F1 from summed :data:`DOC_COUNTS`."""
    exact = _prf_arrays(sums[..., 0], sums[..., 3], sums[..., 2])
    overlap = _prf_arrays(sums[..., 1], sums[..., 3], sums[..., 2])
    return np.stack([exact, overlap], axis=-1)


def _macro_f1(gold: list[Any], pred: list[Any]) -> float | None:
    classes = sorted({x for x in gold if x is not None} | {x for x in pred if x is not None})
    if not classes:
        return None
    g, p = np.array(gold, dtype=object), np.array(pred, dtype=object)
    scores = []
    for c in classes:
        tp = float(np.sum((g == c) & (p == c)))
        scores.append(_f1(tp, float(np.sum(p == c)), float(np.sum(g == c)))["f1"] or 0.0)
    return float(np.mean(scores))


def score(
    gold: pl.DataFrame, pred: pl.DataFrame, docs: list[str]
) -> tuple[dict[str, Any], np.ndarray]:
    """Figures, and per-document counts (``[doc, DOC_COUNTS]``) for the bootstrap."""
    gold = gold.filter(pl.col("doc_id").is_in(docs))
    pred = pred.filter(pl.col("doc_id").is_in(docs))
    keys = ["doc_id", "content_start", "content_end"]
    exact = gold.select(keys).unique().join(pred.select(keys).unique(), on=keys)
    m = match_one_to_one(gold, pred, "content_start", "content_end")
    pairs = pl.concat(
        [
            gold[m["_a"].to_list()],
            pred[m["_b"].to_list()].rename(lambda c: f"{c}_p"),
        ],
        how="horizontal",
    )
    n = pairs.height
    out: dict[str, Any] = {
        "content_exact": _f1(exact.height, pred.height, gold.height),
        "content_overlap": _f1(n, pred.height, gold.height),
        "matched": n,
    }
    for role in ("cue", "source"):
        s, e = f"{role}_start", f"{role}_end"
        has_g = pairs[s].is_not_null() if n else pl.Series([], dtype=pl.Boolean)
        has_p = pairs[f"{s}_p"].is_not_null() if n else pl.Series([], dtype=pl.Boolean)
        same = (
            pairs.filter((pl.col(s) == pl.col(f"{s}_p")) & (pl.col(e) == pl.col(f"{e}_p"))).height
            if n
            else 0
        )
        out[role] = _f1(same, int(has_p.sum()), int(has_g.sum()))
    attrs: dict[str, Any] = {}
    for a in ATTRIBUTES:
        g, p = pairs[a].to_list() if n else [], pairs[f"{a}_p"].to_list() if n else []
        equal = sum(x == y for x, y in zip(g, p, strict=True))
        attrs[a] = {
            "accuracy": equal / n if n else None,
            "given": sum(y is not None for y in p),
        }
        if a == "attribution":
            attrs[a]["macro_f1"] = _macro_f1(g, p)
    out["attributes"] = attrs
    per_doc = _per_doc(gold, pred, exact, m, docs)
    return out, per_doc


def _per_doc(
    gold: pl.DataFrame, pred: pl.DataFrame, exact: pl.DataFrame, m: pl.DataFrame, docs: list[str]
) -> np.ndarray:
    ix = {d: i for i, d in enumerate(docs)}
    out = np.zeros((len(docs), len(DOC_COUNTS)), dtype=np.int64)

    def add(col: int, doc_ids: pl.Series) -> None:
        if doc_ids.len():
            codes = doc_ids.replace_strict(ix, return_dtype=pl.Int64).to_numpy()
            out[:, col] += np.bincount(codes, minlength=len(docs))

    add(0, exact["doc_id"])
    add(1, gold["doc_id"][m["_a"].to_list()] if m.height else pl.Series([], dtype=pl.String))
    add(2, gold["doc_id"])
    add(3, pred["doc_id"])
    return out
