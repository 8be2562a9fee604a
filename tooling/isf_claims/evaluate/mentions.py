"""Mention scores: the four SemEval-2013 schemes exactly as ``nervaluate`` computes them,
over code-point spans, column-wise.

``nervaluate`` (``Evaluator(true, pred, tags)``, inclusive ends, default minimum overlap 1 %)
walks each document's predictions in order and, for each, the gold mentions not yet taken,
in order:

- ``strict`` (exact boundaries and type): *correct* at the first gold mention with the same
  boundaries and label; otherwise *incorrect*, taking the first gold mention it overlaps;
  otherwise *spurious*.
- ``exact`` (exact boundaries, any type): the same with boundaries alone.
- ``partial`` (partial boundaries, any type): *correct* on the same boundaries, otherwise
  *partial* with the first overlapped gold mention; partial counts half.
- ``ent_type`` (SemEval "type": some overlap, same type): *correct* at the overlapped gold
  mention of the same label with the closest boundaries, otherwise *incorrect* with the first
  overlapped gold mention of another label.

Gold mentions never taken are *missed*. "Overlap" is nervaluate's: at least 1 % of the gold
mention's code points shared. Per label, the schemes run again on that label's mentions
alone. Precision is correct / (correct + incorrect + partial + spurious), recall correct /
(correct + incorrect + partial + missed) (``partial``, ``ent_type``: correct + half of
partial). Macro F1 is the mean F1 over the labels present in the gold or the predictions.

Here predictions are ordered by start, end, label within a document (so a file's order never
changes a score) and gold mentions keep the release order. The walk is reproduced without a
loop over mentions: the candidate pairs come from :func:`isf_claims.spanmatch.overlap_pairs`,
and since predictions interact only through gold mentions they both overlap, the k-th
prediction of every overlap component is decided at once, component-wise, k = 1, 2, ...
The tests compare the figures with ``nervaluate`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from isf_claims.spanmatch import overlap_pairs

SCHEMES = ("strict", "exact", "partial", "ent_type")
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious")
CORRECT, INCORRECT, PARTIAL, SPURIOUS = 0, 1, 2, 4
_SECOND = {"strict": INCORRECT, "exact": INCORRECT, "partial": PARTIAL, "ent_type": INCORRECT}


@dataclass
class MentionCounts:
    """Counts per document (``[doc, scheme, count]``) and per label (``[label, scheme,
    count]``)."""

    per_doc: np.ndarray
    per_label: np.ndarray
    labels: list[str]


def _first_per(p: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each prediction in ``p`` (sorted) with a pair in ``mask``: the first such pair."""
    idx = np.flatnonzero(mask)
    preds, first = np.unique(p[idx], return_index=True)
    return preds, idx[first]


def _closest_per(
    p: np.ndarray, mask: np.ndarray, dist: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(mask)
    order = np.lexsort((idx, dist[idx], p[idx]))
    idx = idx[order]
    preds, first = np.unique(p[idx], return_index=True)
    return preds, idx[first]


def _walk(
    pairs: dict[str, np.ndarray], scheme: str, n_pred: int, n_gold: int
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome per prediction and taken flag per gold mention for one scheme."""
    outcome = np.full(n_pred, SPURIOUS, dtype=np.int8)
    taken = np.zeros(n_gold, dtype=bool)
    p, g, rank = pairs["p"], pairs["g"], pairs["rank"]
    bounds, label, enough, dist = pairs["bounds"], pairs["label"], pairs["enough"], pairs["dist"]
    cuts = np.flatnonzero(np.diff(rank)) + 1  # rounds; a rank with no pair is skipped
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(p)], strict=True):
        pp, gg = p[lo:hi], g[lo:hi]
        free = ~taken[gg]
        if scheme == "ent_type":
            won, at = _closest_per(pp, free & enough[lo:hi] & label[lo:hi], dist[lo:hi])
            other = free & enough[lo:hi] & ~label[lo:hi]
        else:
            exact = bounds[lo:hi] & (label[lo:hi] if scheme == "strict" else True)
            won, at = _first_per(pp, free & exact)
            other = free & enough[lo:hi]
        outcome[won] = CORRECT
        taken[gg[at]] = True
        lost, at2 = _first_per(pp, other & ~np.isin(pp, won))
        outcome[lost] = _SECOND[scheme]
        taken[gg[at2]] = True
    return outcome, taken


def _pairs(pred: pl.DataFrame, gold: pl.DataFrame, by: list[str]) -> dict[str, np.ndarray]:
    found = overlap_pairs(pred, gold, by=by)
    ps, pe = pred["start"].to_numpy(), pred["end"].to_numpy()
    gs, ge = gold["start"].to_numpy(), gold["end"].to_numpy()
    # rank of each prediction within its component; pairs come sorted by _a then _b, so
    # stable sorts keep that order inside each component and each rank
    comp, a = found["_comp"].to_numpy(), found["_a"].to_numpy()
    order = np.argsort(comp, kind="stable")
    c_sorted, a_sorted = comp[order], a[order]
    new_comp = np.r_[True, c_sorted[1:] != c_sorted[:-1]]
    new_pred = new_comp | np.r_[True, a_sorted[1:] != a_sorted[:-1]]
    counter = np.cumsum(new_pred)
    rank = np.empty(len(a), dtype=np.int64)
    rank[order] = counter - np.maximum.accumulate(np.where(new_comp, counter, 0)) + 1
    found = found.with_columns(rank=rank)[np.argsort(rank, kind="stable")]
    p, g = found["_a"].to_numpy(), found["_b"].to_numpy()
    ov = found["overlap"].to_numpy()
    return {
        "p": p,
        "g": g,
        "rank": found["rank"].to_numpy(),
        "bounds": (ps[p] == gs[g]) & (pe[p] == ge[g]),
        "label": pred["_label"].to_numpy()[p] == gold["_label"].to_numpy()[g],
        "enough": (ov / (ge[g] - gs[g])) * 100.0 >= 1.0,
        "dist": np.abs(ps[p] - gs[g]) + np.abs(pe[p] - ge[g]),
    }


def count(
    gold: pl.DataFrame, pred: pl.DataFrame, docs: list[str], labels: list[str]
) -> MentionCounts:
    """Counts of ``pred`` against ``gold`` (both: doc_id, label, start, end) over ``docs``."""

    def prep(df: pl.DataFrame) -> pl.DataFrame:
        return df.filter(pl.col("doc_id").is_in(docs)).select(
            "start",
            "end",
            _doc=pl.col("doc_id").cast(pl.Enum(docs)).to_physical().cast(pl.Int64),
            _label=pl.col("label").cast(pl.Enum(labels)).to_physical().cast(pl.Int64),
        )

    gold = prep(gold)
    pred = prep(pred).sort("_doc", "start", "end", "_label")
    n_doc, n_lab = len(docs), len(labels)
    per_doc = np.zeros((n_doc, len(SCHEMES), len(COUNTS)), dtype=np.int64)
    per_label = np.zeros((n_lab, len(SCHEMES), len(COUNTS)), dtype=np.int64)
    pdoc, gdoc = pred["_doc"].to_numpy(), gold["_doc"].to_numpy()
    plab, glab = pred["_label"].to_numpy(), gold["_label"].to_numpy()
    overall = _pairs(pred, gold, ["_doc"])
    # Per label, the pairs are the same-label ones; the components of all labels together
    # are unions of each label's, so their order of predictions serves the per-label walk.
    by_label = {k: v[overall["label"]] for k, v in overall.items()}
    for s, scheme in enumerate(SCHEMES):
        for pairs, groups, out in (
            (overall, (pdoc, gdoc, n_doc), per_doc),
            (by_label, (plab, glab, n_lab), per_label),
        ):
            outcome, taken = _walk(pairs, scheme, pred.height, gold.height)
            gp, gg, n = groups
            for code, col in ((CORRECT, 0), (INCORRECT, 1), (PARTIAL, 2), (SPURIOUS, 4)):
                out[:, s, col] = np.bincount(gp[outcome == code], minlength=n)
            out[:, s, 3] = np.bincount(gg[~taken], minlength=n)
    return MentionCounts(per_doc, per_label, labels)


def prf(c: np.ndarray, scheme: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 from counts ``c[..., COUNTS]`` (nervaluate's formulas; 0 when
    a denominator is 0)."""
    c = c.astype(float)
    correct, incorrect, partial, missed, spurious = (c[..., i] for i in range(5))
    hit = correct + 0.5 * partial if scheme in ("partial", "ent_type") else correct
    actual = correct + incorrect + partial + spurious
    possible = correct + incorrect + partial + missed
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(actual > 0, hit / np.where(actual > 0, actual, 1), 0.0)
        r = np.where(possible > 0, hit / np.where(possible > 0, possible, 1), 0.0)
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return p, r, f


def figures(counts: MentionCounts) -> dict[str, Any]:
    """Micro figures per scheme, per label, and macro F1."""
    total = counts.per_doc.sum(axis=0)
    out: dict[str, Any] = {}
    for s, scheme in enumerate(SCHEMES):
        p, r, f = prf(total[s], scheme)
        used = [i for i in range(len(counts.labels)) if counts.per_label[i, s].sum()]
        lp, lr, lf = prf(counts.per_label[:, s], scheme)
        out[scheme] = {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            **{k: int(v) for k, v in zip(COUNTS, total[s], strict=True)},
            "macro_f1": float(np.mean(lf[used])) if used else 0.0,
            "per_label": {
                counts.labels[i]: {
                    "precision": float(lp[i]),
                    "recall": float(lr[i]),
                    "f1": float(lf[i]),
                    **{k: int(v) for k, v in zip(COUNTS, counts.per_label[i, s], strict=True)},
                }
                for i in used
            },
        }
    return out


def micro_f1(sums: np.ndarray) -> np.ndarray:
    """Micro P/R/F1 per scheme from summed per-document counts ``[..., scheme, count]``
    (bootstrap statistic): ``[..., scheme * 3]``."""
    cols: list[np.ndarray] = []
    for s, scheme in enumerate(SCHEMES):
        cols.extend(prf(sums[..., s, :], scheme))
    return np.stack(cols, axis=-1)
