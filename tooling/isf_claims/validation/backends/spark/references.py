"""Level 4, references, on Spark: nothing dangles (anti-joins against the target tables),
and linked records agree (joins): a mention's label and its entity's, a claim's source
mention inside its source span, a marker inside its claim's content. Every check's failing
rows come back in one Spark job."""

from __future__ import annotations

from functools import partial
from typing import Any

from isf_claims.validation import wording
from isf_claims.validation.backends.spark.frames import Emit, Frames, clean, doc_key, emit_all
from isf_claims.validation.backends.spark.structure import CORPUS
from isf_claims.validation.contract import REFERENCES, Reference
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.report import Finding


def _dangling(frames: Frames, ref: Reference) -> Any:
    from pyspark.sql import functions as F

    src = frames.tables[ref.table].filter(F.col(ref.field).isNotNull())
    if ref.table == "cluster_members":
        opaque = frames.doc_keys(lambda i: i.opaque_ids)
        if opaque:
            src = src.filter(~doc_key().isin(opaque))
    if ref.target == "entities":
        src = src.filter(F.col(CORPUS).isin(frames.keys(lambda i: i.entities_known)))
    target = frames.tables[ref.target].select(
        CORPUS, *(F.col(t).alias(s) for s, t in zip(ref.fields, ref.target_fields, strict=True))
    )
    return src.join(target, on=[CORPUS, *ref.fields], how="left_anti")


def references(spark: Any, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """References: nothing dangles; linked records agree."""
    from pyspark.sql import functions as F

    emits = [
        Emit(
            ref.table,
            _dangling(frames, ref),
            ref.code,
            partial(wording.dangling, ref),
            ref.field,
        )
        for ref in REFERENCES
    ]
    dirty2 = dirty_units(findings, 2)
    dirty3 = dirty_units(findings, 3)
    entities = clean(spark, frames.tables["entities"], "entities", dirty2).select(
        CORPUS, F.col("id").alias("entity"), F.col("label").alias("_elabel")
    )
    rows = (
        frames.tables["mentions"]
        .join(entities, on=[CORPUS, "entity"])
        .filter(F.col("label") != F.col("_elabel"))
    )
    emits.append(
        Emit("mentions", rows, "entity-label-mismatch", wording.entity_label_mismatch, "label")
    )
    mentions = clean(spark, frames.tables["mentions"], "mentions", dirty3).select(
        CORPUS,
        "doc_id",
        F.col("id").alias("source_mention"),
        F.col("start").alias("_ms"),
        F.col("end").alias("_me"),
    )
    rows = (
        frames.tables["claims"]
        .join(mentions, on=[CORPUS, "doc_id", "source_mention"])
        .filter(
            F.col("source_start").isNull()
            | (F.col("_ms") < F.col("source_start"))
            | (F.col("_me") > F.col("source_end"))
        )
    )
    emits.append(
        Emit(
            "claims",
            rows,
            "source-mention-outside-source",
            wording.source_mention_outside,
            "source_mention",
        )
    )
    claims = clean(spark, frames.tables["claims"], "claims", dirty3).select(
        CORPUS,
        "doc_id",
        F.col("id").alias("claim"),
        F.col("content_start").alias("_cs"),
        F.col("content_end").alias("_ce"),
    )
    rows = (
        frames.tables["markers"]
        .join(claims, on=[CORPUS, "doc_id", "claim"])
        .filter((F.col("start") < F.col("_cs")) | (F.col("end") > F.col("_ce")))
    )
    emits.append(Emit("markers", rows, "marker-outside-claim", wording.marker_outside, "claim"))
    return emit_all(frames.schema, emits)
