"""Level 4, references, on the pandera engine (polars joins): nothing dangles, linked
records agree. Each check only relies on records with no finding at an earlier level."""

from __future__ import annotations

from functools import partial

import polars as pl

from isf_claims.validation import wording
from isf_claims.validation.backends.pandera.frames import SHARED_TABLES, Frames, clean, emit
from isf_claims.validation.contract import REFERENCES, Reference
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding


def _pairs(ref: Reference) -> list[pl.Expr]:
    return [pl.col(t).alias(s) for s, t in zip(ref.fields, ref.target_fields, strict=True)]


def _dangling(
    inputs: Inputs, source: pl.DataFrame, target: pl.DataFrame, ref: Reference
) -> list[Finding]:
    src = source.filter(pl.col(ref.field).is_not_null())
    if ref.table in SHARED_TABLES and inputs.opaque_ids:
        src = src.filter(~pl.col("doc_id").is_in(sorted(inputs.opaque_ids)))
    rows = src.join(target, on=list(ref.fields), how="anti", nulls_equal=False)
    return emit(
        inputs.schema,
        ref.table,
        rows,
        ref.code,
        partial(wording.dangling, ref),
        ref.field,
    )


def _checked(inputs: Inputs, ref: Reference) -> bool:
    return ref.target != "entities" or inputs.entities_known


def across(frames: Frames) -> dict[Reference, pl.DataFrame]:
    """For each reference from a shared table (cluster members) into the documents' tables:
    the keys of the group's records it names (what :func:`shared_references` needs of a
    group once its frames are gone)."""
    out = {}
    for ref in REFERENCES:
        if ref.table in SHARED_TABLES and ref.target not in SHARED_TABLES:
            wanted = frames.tables[ref.table].select(list(ref.fields)).unique()
            keys = frames.tables[ref.target].select(_pairs(ref))
            out[ref] = keys.join(wanted, on=list(ref.fields), how="semi").unique()
    return out


def shared_references(
    inputs: Inputs, shared: dict[str, pl.DataFrame], keys: dict[Reference, pl.DataFrame]
) -> list[Finding]:
    """References from the shared tables into the documents' (every group's keys, from
    :func:`across`): nothing dangles."""
    out: list[Finding] = []
    for ref, found in keys.items():
        if _checked(inputs, ref):
            out += _dangling(inputs, shared[ref.table], found, ref)
    return out


def references(inputs: Inputs, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """References from a group's records (into its own documents or the shared tables):
    nothing dangles; linked records agree. ``findings``: those of the group's records and
    of the shared tables at the earlier levels."""
    schema = inputs.schema
    out: list[Finding] = []
    for ref in REFERENCES:
        if ref.table in SHARED_TABLES or not _checked(inputs, ref):
            continue
        target = frames.tables[ref.target].select(_pairs(ref))
        out += _dangling(inputs, frames.tables[ref.table], target, ref)
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
