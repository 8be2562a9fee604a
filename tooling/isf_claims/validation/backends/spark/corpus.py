"""Level 5, the corpus, on Spark: raw files without annotations (a listing, on the
driver, as for every engine), and on full runs the two warnings: a surface form labelled
differently across documents (aggregates per form) and canonical entities nothing refers
to (an anti-join)."""

from __future__ import annotations

from typing import Any

from isf_claims.validation import wording
from isf_claims.validation.backends.spark.frames import Frames, clean, emit
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding


def corpus(spark: Any, inputs: Inputs, frames: Frames, findings: list[Finding]) -> list:
    """Corpus-wide: unannotated raw files, and on full runs the two warnings."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    schema = inputs.schema
    out = inputs.unannotated()
    if not inputs.complete:
        return out
    mentions = clean(spark, frames.tables["mentions"], "mentions", dirty_units(findings, 4))
    counts = mentions.groupBy("text", "label").agg(F.count(F.lit(1)).alias("_n"))
    major = Window.partitionBy("text").orderBy(F.col("_n").desc(), F.col("label").asc())
    per_form = Window.partitionBy("text")
    forms = (
        counts.withColumn("_rank", F.row_number().over(major))
        .withColumn("_nl", F.count(F.lit(1)).over(per_form))
        .withColumn("_total", F.sum("_n").over(per_form))
        .filter((F.col("_rank") == 1) & (F.col("_nl") > 1))
        .select(
            "text",
            F.col("label").alias("_major"),
            "_nl",
            F.col("_n").alias("_nmajor"),
            "_total",
        )
    )
    rows = mentions.join(forms, on="text")  # only forms with more than one label
    spread = rows.groupBy("text").agg(F.countDistinct("doc_id").alias("_nd"))
    rows = rows.join(spread, on="text").filter(
        (F.col("_nd") > 1) & (F.col("label") != F.col("_major"))
    )
    out += emit(schema, "mentions", rows, "label-inconsistent", wording.label_inconsistent, "label")
    used = (
        frames.tables["mentions"]
        .select(F.col("entity").alias("id"))
        .unionByName(frames.tables["claims"].select(F.col("source_entity").alias("id")))
        .filter(F.col("id").isNotNull())
        .distinct()
    )
    rows = frames.tables["entities"].filter(F.col("id").isNotNull()).join(used, "id", "left_anti")
    out += emit(schema, "entities", rows, "entity-unused", wording.entity_unused, None)
    return out
