"""Honest baselines: the floor a system must beat, each a small documented module run by
``isf-claims baseline TASK --out PRED`` with no model downloaded.

- ``mentions``: :mod:`isf_claims.baselines.gazetteer` (leave-one-document-out gazetteer);
- ``claims``: :mod:`isf_claims.baselines.claims_rules` (PARC-style rules, cue lexicon in
  ``schema/cue_lexicon.json``);
- ``ner`` and ``clusters``: :mod:`isf_claims.baselines.derived` (the gazetteer's mentions in
  IOB2; claims that read the same across documents).

Both write the prediction format of :mod:`isf_claims.evaluate.formats`, declaring the
release they were made on.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from isf_claims.errors import refuse
from isf_claims.evaluate.formats import HEADER_KEY
from isf_claims.evaluate.gold import Gold
from isf_claims.fsutil import atomic_write_bytes

BASELINES = ("mentions", "claims")  # scored in the card
DERIVED = ("ner", "clusters")  # run by `baseline` only (see derived.py)


def run(task: str, gold: Gold, schema_dir: Path) -> pl.DataFrame:
    """Predictions of the ``task`` baseline from a release's gold (read ``with_text``);
    the claims baseline reads its cue lexicon from ``schema_dir``."""
    if task == "mentions":
        from isf_claims.baselines.gazetteer import predict

        return predict(gold.table("ner"), gold.table("mentions"), gold.vocab["label"])
    if task == "claims":
        from isf_claims.baselines import claims_rules

        return claims_rules.predict(
            gold.documents, gold.table("mentions"), claims_rules.load_lexicon(schema_dir)
        )
    if task == "ner":
        from isf_claims.baselines.derived import ner_predictions
        from isf_claims.baselines.gazetteer import predict as gazetteer

        found = gazetteer(gold.table("ner"), gold.table("mentions"), gold.vocab["label"])
        return ner_predictions(gold.documents, found, gold.vocab["label"])
    if task == "clusters":
        from isf_claims.baselines.derived import cluster_predictions

        return cluster_predictions(gold.table("claims"))
    raise refuse("baseline-unknown-task", expected=" or ".join(BASELINES + DERIVED), found=task)


def header(task: str, gold: Gold, split: str | None = None) -> dict[str, Any]:
    """What a prediction file made on ``gold`` declares."""
    return {
        "task": task,
        "release": gold.version,
        "sha256sums": gold.sha256sums,
        "split": split,
        "made_by": f"isf-claims baseline {task}",
    }


def write(frame: pl.DataFrame, out: Path, declared: dict[str, Any]) -> None:
    """Write predictions to ``out`` (``.parquet``: Parquet with the declaration as key-value
    metadata; otherwise JSON lines after a declaration line), atomically."""
    if out.suffix == ".parquet":
        table = frame.to_arrow()
        meta = {**(table.schema.metadata or {}), HEADER_KEY.encode(): json.dumps(declared).encode()}
        buf = io.BytesIO()
        pq.write_table(table.replace_schema_metadata(meta), buf)
        atomic_write_bytes(out, buf.getvalue())
        return
    head = json.dumps({HEADER_KEY: declared}, ensure_ascii=False).encode() + b"\n"
    atomic_write_bytes(out, head + (frame.write_ndjson().encode() if frame.height else b""))
