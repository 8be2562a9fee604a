"""A system's predictions put into Label Studio tasks (pre-annotation).

The file is read and checked by the evaluation's reader (:func:`isf_claims.evaluate.formats.
read_layers`, :mod:`isf_claims.evaluate.checks`), so it is the prediction format of the README
(``mentions`` and ``claims`` records, JSON lines or Parquet, with the evaluation's error codes),
here with both layers allowed in one file: a record with ``"layer": "claim"``, or without
``layer`` and with a ``content``, is a claim. An optional ``"score"`` from 0 to 1 is passed on;
a span may not start or end on whitespace (an annotation never does). Predicted records get ids
``pm1``, ``pc1``, ... (per document, in position order) that are not record ids, so regions an
annotator accepts get fresh record ids on import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from isf_claims.convert.model import shape
from isf_claims.evaluate.checks import check_preannotation, check_predictions
from isf_claims.evaluate.formats import read_layers
from isf_claims.evaluate.gold import Gold, vocab_of
from isf_claims.schema import Schema

Predicted = dict[str, dict[str, list[dict[str, Any]]]]


def _ids(frame: pl.DataFrame, layer: str, order: list[str]) -> pl.DataFrame:
    """Each record's id ``p<layer initial><n>``, numbered per document in position order."""
    frame = frame.sort(["doc_id", *order, "_r"])
    n = pl.int_range(1, pl.len() + 1).over("doc_id").cast(pl.String)
    return frame.with_columns(id=pl.lit(f"p{layer[0]}") + n)


def _span(row: dict[str, Any], text: str, prefix: str) -> dict[str, Any] | None:
    start = row.get(f"{prefix}start")
    if start is None:
        return None
    end = row[f"{prefix}end"]
    return {"start": start, "end": end, "text": text[start:end]}


def read_predictions(path: Path, schema: Schema, texts: dict[str, str]) -> Predicted:
    """Predicted records by document and layer (only documents in ``texts``: doc_id -> raw
    text), in position order, with ids ``pm1``.../``pc1``... and their score as ``_score``.
    Raises the evaluation's error (code ``prediction-...``) for the first bad record."""
    docs = pl.DataFrame(
        {"doc_id": list(texts), "text": list(texts.values())},
        schema={"doc_id": pl.String, "text": pl.String},
    ).with_columns(n_codepoints=pl.col("text").str.len_chars().cast(pl.Int64))
    gold = Gold("", None, docs.select("doc_id", "n_codepoints"), vocab_of(schema))
    layers = read_layers(path)
    for preds in layers.values():
        check_predictions(preds, gold)
        check_preannotation(preds, docs.select("doc_id", "text"))
    out: Predicted = {}
    mentions = _ids(layers["mentions"].frame, "mention", ["start", "end", "label"])
    for row in mentions.iter_rows(named=True):
        rec = {"id": row["id"], "layer": "mention", "label": row["label"]}
        rec |= _span(row, texts[row["doc_id"]], "") or {}
        rec |= {"entity": None, "_score": row["score"]}
        out.setdefault(row["doc_id"], {"mention": [], "claim": []})["mention"].append(rec)
    shp = shape(schema, "claim")
    claims = _ids(layers["claims"].frame, "claim", ["content_start", "content_end"])
    for row in claims.iter_rows(named=True):
        text = texts[row["doc_id"]]
        rec = {"id": row["id"], "layer": "claim", "_score": row["score"]}
        rec |= {role: _span(row, text, f"{role}_") for role in shp.roles}
        rec |= {a: row.get(a) for a in shp.attributes}
        out.setdefault(row["doc_id"], {"mention": [], "claim": []})["claim"].append(rec)
    return out
