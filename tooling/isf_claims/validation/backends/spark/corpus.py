"""Level 5, the corpus, on Spark: raw files without annotations (a listing, on the
driver, as for every engine), and on full runs the two warnings: a surface form labelled
differently across documents (aggregates per form) and canonical entities nothing refers
to (an anti-join); both in one Spark job."""

from __future__ import annotations

from typing import Any

from isf_claims.validation import wording
from isf_claims.validation.backends.spark.frames import Emit, Frames, clean, emit_all
from isf_claims.validation.backends.spark.structure import CORPUS, qualify
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.report import Finding


def corpus(spark: Any, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """Corpus-wide: unannotated raw files, and on full runs the two warnings."""
    from dataclasses import replace

    from pyspark.sql import Window
    from pyspark.sql import functions as F

    out = [
        replace(f, file=qualify(k, f.file))
        for k, inputs in frames.inputs.items()
        for f in inputs.unannotated()
    ]
    complete = frames.keys(lambda i: i.complete)
    if not complete:
        return out
    mentions = clean(spark, frames.tables["mentions"], "mentions", dirty_units(findings, 4))
    mentions = mentions.filter(F.col(CORPUS).isin(complete))
    counts = mentions.groupBy(CORPUS, "text", "label").agg(F.count(F.lit(1)).alias("_n"))
    major = Window.partitionBy(CORPUS, "text").orderBy(F.col("_n").desc(), F.col("label").asc())
    per_form = Window.partitionBy(CORPUS, "text")
    forms = (
        counts.withColumn("_rank", F.row_number().over(major))
        .withColumn("_nl", F.count(F.lit(1)).over(per_form))
        .withColumn("_total", F.sum("_n").over(per_form))
        .filter((F.col("_rank") == 1) & (F.col("_nl") > 1))
        .select(
            CORPUS,
            "text",
            F.col("label").alias("_major"),
            "_nl",
            F.col("_n").alias("_nmajor"),
            "_total",
        )
    )
    rows = mentions.join(forms, on=[CORPUS, "text"])  # only forms with more than one label
    spread = rows.groupBy(CORPUS, "text").agg(F.countDistinct("doc_id").alias("_nd"))
    rows = rows.join(spread, on=[CORPUS, "text"]).filter(
        (F.col("_nd") > 1) & (F.col("label") != F.col("_major"))
    )
    used = (
        frames.tables["mentions"]
        .select(CORPUS, F.col("entity").alias("id"))
        .unionByName(frames.tables["claims"].select(CORPUS, F.col("source_entity").alias("id")))
        .filter(F.col("id").isNotNull())
        .distinct()
    )
    unused = (
        frames.tables["entities"]
        .filter(F.col("id").isNotNull() & F.col(CORPUS).isin(complete))
        .join(used, [CORPUS, "id"], "left_anti")
    )
    emits = [
        Emit("mentions", rows, "label-inconsistent", wording.label_inconsistent, "label"),
        Emit("entities", unused, "entity-unused", wording.entity_unused, None),
    ]
    return out + emit_all(frames.schema, emits)
