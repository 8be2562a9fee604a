"""Level 4, references, on the pandera engine (polars joins): nothing dangles, linked
records agree. Each check only relies on records with no finding at an earlier level."""

from __future__ import annotations

import polars as pl

from isf_claims.validation import wording
from isf_claims.validation.backends.pandera.frames import Frames, clean, emit
from isf_claims.validation.contract import REFERENCES, Reference
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding


def _reference_rows(inputs: Inputs, frames: Frames, ref: Reference) -> pl.DataFrame:
    src = frames.tables[ref.table].filter(pl.col(ref.field).is_not_null())
    if ref.table == "cluster_members" and inputs.opaque_ids:
        src = src.filter(~pl.col("doc_id").is_in(sorted(inputs.opaque_ids)))
    target = frames.tables[ref.target].select(
        [pl.col(t).alias(s) for s, t in zip(ref.fields, ref.target_fields, strict=True)]
    )
    return src.join(target, on=list(ref.fields), how="anti", nulls_equal=False)


def references(inputs: Inputs, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """References: nothing dangles; linked records agree."""
    schema = inputs.schema
    out: list[Finding] = []
    for ref in REFERENCES:
        if ref.target == "entities" and not inputs.entities_known:
            continue
        rows = _reference_rows(inputs, frames, ref)
        out += emit(
            schema,
            ref.table,
            rows,
            ref.code,
            lambda r, ref=ref: wording.dangling(ref, r),
            ref.field,
        )
    dirty2 = dirty_units(findings, 2)
    dirty3 = dirty_units(findings, 3)
    entities = clean(frames.tables["entities"], "entities", dirty2).select(
        pl.col("id").alias("entity"), pl.col("label").alias("_elabel")
    )
    rows = (
        frames.tables["mentions"]
        .join(entities, on="entity")
        .filter(pl.col("label") != pl.col("_elabel"))
    )
    out += emit(
        schema,
        "mentions",
        rows,
        "entity-label-mismatch",
        wording.entity_label_mismatch,
        "label",
    )
    mentions = clean(frames.tables["mentions"], "mentions", dirty3).select(
        "doc_id",
        pl.col("id").alias("source_mention"),
        pl.col("start").alias("_ms"),
        pl.col("end").alias("_me"),
    )
    rows = (
        frames.tables["claims"]
        .join(mentions, on=["doc_id", "source_mention"])
        .filter(
            pl.col("source_start").is_null()
            | (pl.col("_ms") < pl.col("source_start"))
            | (pl.col("_me") > pl.col("source_end"))
        )
    )
    out += emit(
        schema,
        "claims",
        rows,
        "source-mention-outside-source",
        wording.source_mention_outside,
        "source_mention",
    )
    claims = clean(frames.tables["claims"], "claims", dirty3).select(
        "doc_id",
        pl.col("id").alias("claim"),
        pl.col("content_start").alias("_cs"),
        pl.col("content_end").alias("_ce"),
    )
    rows = (
        frames.tables["markers"]
        .join(claims, on=["doc_id", "claim"])
        .filter((pl.col("start") < pl.col("_cs")) | (pl.col("end") > pl.col("_ce")))
    )
    out += emit(
        schema,
        "markers",
        rows,
        "marker-outside-claim",
        wording.marker_outside,
        "claim",
    )
    return out
