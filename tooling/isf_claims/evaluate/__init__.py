"""Scoring a system against a release's gold: ``isf-claims evaluate`` and
:func:`evaluate` from Python.

Tasks: ``ner`` (seqeval, strict IOB2, on the release's tokens), ``mentions`` (the four
SemEval-2013 schemes as nervaluate computes them), ``claims`` (content, cue and source
spans, attribution type and attributes, matched as ``agree`` matches) and ``clusters``
(pairwise F1 and B³). The prediction format is in :mod:`isf_claims.evaluate.formats`; every
figure's definition is in the module of its task. Bad predictions are refused with a stable
code (:mod:`isf_claims.evaluate.codes`) before anything is scored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from isf_claims.errors import refuse
from isf_claims.evaluate import checks, claims, clusters, mentions, ner
from isf_claims.evaluate.bootstrap import Bootstrap
from isf_claims.evaluate.formats import Predictions, read_predictions
from isf_claims.evaluate.gold import Gold, from_release
from isf_claims.evaluate.report import render_text, scorer

__all__ = ["Bootstrap", "evaluate", "load_gold", "render_text", "score"]


def load_gold(release: str | Path | None = None, version: str | None = None) -> Gold:
    """The gold of a release folder (or of ``version`` among the releases under ``release``;
    default ``$ISF_CLAIMS_DIST`` or ``dist/``), verified against its ``SHA256SUMS``."""
    from isf_claims.release.load import resolve

    return from_release(resolve(version, release))


def scored_documents(gold: Gold, split: str | None, docs: list[str] | None) -> list[str]:
    """The documents to score: ``docs``, or the documents of ``split``, or all."""
    known = gold.documents.sort("doc_id")
    if docs:
        missing = sorted(set(docs) - set(known["doc_id"].to_list()))
        if missing:
            raise refuse(
                "evaluate-unknown-document",
                expected="doc_ids of the release",
                found=", ".join(missing[:5]),
            )
        return sorted(set(docs))
    if split is not None:
        splits = sorted(set(known["split"].to_list()))
        if split not in splits:
            raise refuse(
                "evaluate-unknown-split",
                expected="one of " + ", ".join(splits),
                found=split,
                split=split,
            )
        known = known.filter(pl.col("split") == split)
    return known["doc_id"].to_list()


def _intervals(
    boot: Bootstrap, per_doc: np.ndarray, statistic: Any, names: list[str]
) -> dict[str, list[float]]:
    ci = boot.intervals(per_doc, statistic)
    if ci is None:
        return {}
    return {
        n: [float(lo), float(hi)]
        for n, (lo, hi) in zip(names, ci.reshape(-1, 2), strict=True)
        if not (np.isnan(lo) or np.isnan(hi))
    }


def score(
    preds: Predictions, gold: Gold, docs: list[str], boot: Bootstrap
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Figures and bootstrap intervals of checked predictions over ``docs``."""
    frame = preds.frame.filter(pl.col("doc_id").is_in(docs))
    if preds.task == "mentions":
        counts = mentions.count(gold.table("mentions"), frame, docs, gold.vocab["label"])
        names = [f"{s}.{m}" for s in mentions.SCHEMES for m in ("precision", "recall", "f1")]
        return mentions.figures(counts), _intervals(boot, counts.per_doc, mentions.micro_f1, names)
    if preds.task == "claims":
        figures, per_doc = claims.score(gold.table("claims"), frame, docs)
        names = ["content_exact.f1", "content_overlap.f1"]
        return figures, _intervals(boot, per_doc, claims.content_f1, names)
    if preds.task == "ner":
        figures, per_doc = ner.score(gold.table("ner"), frame, docs)
        names = ["micro.precision", "micro.recall", "micro.f1"]
        return figures, _intervals(boot, per_doc, ner.statistic, names)
    items = gold.table("claims").filter(pl.col("doc_id").is_in(docs))
    figures, per_doc = clusters.score(gold.table("cluster_members"), frame, items, docs)
    return figures, _intervals(boot, per_doc, clusters.statistic, ["pairwise.f1", "b3.f1"])


def evaluate(
    predictions: Any,
    task: str,
    release: str | Path | None = None,
    version: str | None = None,
    split: str | None = None,
    docs: list[str] | None = None,
    bootstrap: Bootstrap | None = None,
    gold: Gold | None = None,
    check: bool = True,
) -> dict[str, Any]:
    """Score ``predictions`` (a path, ``datasets.Dataset``, Arrow table or polars frame in
    the prediction format of ``task``) against a release's gold. Raises
    :class:`isf_claims.errors.IsfError` for bad predictions. ``check=False`` skips the
    checks of the predictions (only for predictions well-formed by construction, such as
    the build's baselines)."""
    preds = read_predictions(predictions, task)
    if gold is None:
        gold = load_gold(release, version)
    if split is None and not docs and preds.declared.get("split"):
        split = str(preds.declared["split"])
    checks.check_declared(preds, gold, split)
    if check:
        checks.check_predictions(preds, gold)
    scored = scored_documents(gold, split, docs)
    boot = bootstrap or Bootstrap()
    figures, intervals = score(preds, gold, scored, boot)
    with_pred = set(preds.frame["doc_id"].unique().to_list())
    outside = preds.frame.filter(~pl.col("doc_id").is_in(scored)).height
    by_split = (
        gold.documents.filter(pl.col("doc_id").is_in(scored)).group_by("split").len().sort("split")
    )
    return {
        "scorer": scorer(),
        "task": task,
        "predictions": preds.path,
        "release": {"version": gold.version, "sha256sums": gold.sha256sums, "folder": gold.folder},
        "split": split,
        "selection": "docs" if docs else ("split" if split else "all gold documents"),
        "documents": {
            "scored": len(scored),
            "without_predictions": sum(d not in with_pred for d in scored),
            "predictions_outside": outside,
            "by_split": dict(by_split.iter_rows()),
            "ids": scored,
        },
        "figures": figures,
        "bootstrap": boot.describe(),
        "intervals": intervals,
    }
