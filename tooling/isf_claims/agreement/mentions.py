"""Mention agreement: F1 per label on exact spans and on overlapping spans, and Cohen's
kappa and Krippendorff's alpha over tokens.

- *exact*: a mention of B matches one of A with the same document, start, end and label.
- *overlap* (lenient): a mention of B counts toward precision when it overlaps (shares a
  code point with, :func:`isf_claims.spanmatch.overlap_pairs`) a mention of A with the same
  label; a mention of A counts toward recall when it overlaps one of B.
  F1 is 2PR/(P+R). Both are symmetric in A and B up to swapping P and R.
- *tokens*: each document is cut into tokens at every mention edge of either set; a token's
  label is the label of the outermost mention covering it, or ``O``. Kappa and alpha are
  computed over all tokens of all shared documents.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from isf_claims.agreement.stats import cohen_kappa, krippendorff_alpha, prf
from isf_claims.convert.tokens import token_owners, tokenize
from isf_claims.corpus import Corpus
from isf_claims.frames import frame_of
from isf_claims.spanmatch import overlap_pairs

OUTSIDE = "O"


def _frame(corpus: Corpus, docs: list[str]) -> pl.DataFrame:
    return (
        frame_of(corpus["mentions"])
        .select("doc_id", "id", "label", "start", "end")
        .filter(pl.col("doc_id").is_in(docs))
    )


def _scores(a: pl.DataFrame, b: pl.DataFrame) -> dict[str, Any]:
    keys = ["doc_id", "label", "start", "end"]
    exact = a.select(keys).unique().join(b.select(keys).unique(), on=keys).height
    pairs = overlap_pairs(a, b, by=("doc_id", "label"))
    ov_b = pairs["_b"].n_unique()
    ov_a = pairs["_a"].n_unique()
    return {
        "exact": prf(exact, b.height, exact, a.height),
        "overlap": prf(ov_b, b.height, ov_a, a.height),
    }


def mention_f1(a: Corpus, b: Corpus, docs: list[str], labels: list[str]) -> dict[str, Any]:
    """Scores for all mentions (micro) and per label (labels of the schema that occur)."""
    fa, fb = _frame(a, docs), _frame(b, docs)
    per_label = {}
    for label in labels:
        la, lb = fa.filter(pl.col("label") == label), fb.filter(pl.col("label") == label)
        if la.height or lb.height:
            per_label[label] = _scores(la, lb)
    return {"all": _scores(fa, fb), "per_label": per_label}


def token_labels(a: Corpus, b: Corpus, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The token label sequences of A and B over ``docs`` (tokens shared by both)."""
    fa, fb = _frame(a, docs), _frame(b, docs)
    out_a: list[np.ndarray] = []
    out_b: list[np.ndarray] = []
    for doc in docs:
        text = a.text(doc)
        ma, mb = fa.filter(pl.col("doc_id") == doc), fb.filter(pl.col("doc_id") == doc)
        edges = np.concatenate(
            [ma[c].to_numpy() for c in ("start", "end")]
            + [mb[c].to_numpy() for c in ("start", "end")]
        )
        ts, te = tokenize(text, edges)
        for frame, out in ((ma, out_a), (mb, out_b)):
            owner, _first, _keep = token_owners(
                ts, te, frame["start"].to_numpy(), frame["end"].to_numpy()
            )
            labels = np.append(frame["label"].to_numpy().astype(object), OUTSIDE)
            out.append(labels[owner])  # owner -1 picks the appended OUTSIDE
    if not out_a:
        return np.array([], dtype=object), np.array([], dtype=object)
    return np.concatenate(out_a).astype(str), np.concatenate(out_b).astype(str)


def token_agreement(a: Corpus, b: Corpus, docs: list[str]) -> dict[str, Any]:
    la, lb = token_labels(a, b, docs)
    return {
        "tokens": len(la),
        "observed": float(np.mean(la == lb)) if len(la) else None,
        "cohen_kappa": cohen_kappa(la, lb),
        "krippendorff_alpha": krippendorff_alpha(la, lb),
    }
