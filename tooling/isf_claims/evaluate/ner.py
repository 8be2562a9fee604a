"""Token-classification scores on the release's own ``ner`` rows: ``seqeval``'s entity-level
precision, recall and F1 in strict mode with the IOB2 scheme (``classification_report(...,
mode="strict", scheme=IOB2)``), per label, micro, macro and weighted. A row with no
prediction is scored as all ``O``. ``seqeval`` comes with ``pip install
'isf-claims[eval]'``."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from isf_claims.errors import refuse

DOC_COUNTS = ("tp", "predicted", "gold")


def _seqeval() -> Any:
    try:
        import seqeval.metrics
        import seqeval.scheme
    except ImportError:
        raise refuse(
            "evaluate-needs-extra", expected="seqeval installed", found="not installed"
        ) from None
    return seqeval


def score(
    gold: pl.DataFrame, pred: pl.DataFrame, docs: list[str]
) -> tuple[dict[str, Any], np.ndarray]:
    """Figures and per-document counts (``[doc, DOC_COUNTS]``, strict entities)."""
    seqeval = _seqeval()
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2, Entities

    rows = (
        gold.filter(pl.col("doc_id").is_in(docs))
        .join(
            pred.select("doc_id", "start", pl.col("ner_tags").alias("_pred")),
            on=["doc_id", "start"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            _pred=pl.when(pl.col("_pred").is_null())
            .then(pl.col("ner_tags").list.eval(pl.lit("O")))
            .otherwise(pl.col("_pred"))
        )
    )
    y_true, y_pred = rows["ner_tags"].to_list(), rows["_pred"].to_list()
    report = (
        classification_report(
            y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
        )
        if y_true
        else {}
    )
    true_ents = Entities(y_true, IOB2).entities if y_true else []
    pred_ents = Entities(y_pred, IOB2).entities if y_true else []
    ix = {d: i for i, d in enumerate(docs)}
    counts = np.zeros((len(docs), len(DOC_COUNTS)), dtype=np.int64)
    for doc, t, p in zip(rows["doc_id"].to_list(), true_ents, pred_ents, strict=True):
        ts, ps = {e.to_tuple()[1:] for e in t}, {e.to_tuple()[1:] for e in p}
        counts[ix[doc]] += (len(ts & ps), len(ps), len(ts))
    tp, n_pred, n_gold = counts.sum(axis=0)
    figures: dict[str, Any] = {
        "segments": rows.height,
        "segments_without_prediction": int(
            rows.join(pred.select("doc_id", "start"), on=["doc_id", "start"], how="anti").height
        ),
        "seqeval": seqeval.__dict__.get("__version__") or _version(),
        "tp": int(tp),
        "predicted": int(n_pred),
        "gold": int(n_gold),
    }
    for key in ("micro avg", "macro avg", "weighted avg"):
        if key in report:
            figures[key.replace(" avg", "")] = _clean(report[key])
    figures["per_label"] = {k: _clean(v) for k, v in report.items() if not k.endswith(" avg")}
    return figures, counts


def _version() -> str:
    from importlib.metadata import version

    return version("seqeval")


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "precision": float(d["precision"]),
        "recall": float(d["recall"]),
        "f1": float(d["f1-score"]),
        "support": int(d["support"]),
    }


def statistic(sums: np.ndarray) -> np.ndarray:
    """Bootstrap statistic: micro P, R, F1 from summed :data:`DOC_COUNTS`."""
    tp, n_pred, n_gold = sums[..., 0], sums[..., 1], sums[..., 2]
    p = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), 0.0)
    r = np.where(n_gold > 0, tp / np.maximum(n_gold, 1), 0.0)
    f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return np.stack([p, r, f], axis=-1)
