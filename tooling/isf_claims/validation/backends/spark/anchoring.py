"""Level 3, anchoring, on Spark: raw files (present, unchanged, UTF-8), offsets in range,
``raw[start:end] == text`` by code point, no span edge on whitespace, zones that overlap
and mentions that cross.

Spark's ``substring`` and ``length`` count characters of its UTF-8 strings, that is code
points (an emoji outside the BMP is one), which is the corpus's offset unit. Strings are
compared as bytes (no collation, no normalisation). Edges use the schema's whitespace
(Unicode White_Space) as a Java regex.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation import wording
from isf_claims.validation.backends.spark.frames import (
    Emit,
    Frames,
    clean,
    collect,
    doc_key,
    emit_all,
    rows_findings,
)
from isf_claims.validation.backends.spark.structure import CORPUS
from isf_claims.validation.contract import DOC_TABLES
from isf_claims.validation.frames_util import span_groups
from isf_claims.validation.policy import Unit
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import (
    WHITE_SPACE_CLASS,
    describe_raw,
    describe_span,
    layer_of,
    span_what,
)

# ``rules.EDGE_WHITESPACE_RE`` for Java, whose ``$`` also matches before a final newline.
EDGE_RE = f"^{WHITE_SPACE_CLASS}|{WHITE_SPACE_CLASS}(?![\\s\\S])"
SPAN_CODES = ("span-inverted", "span-out-of-range", "quote-mismatch", "span-edge-whitespace")


def _describe_raw(code: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Describes a document row's raw-file finding ``code``."""

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        return describe_raw(code, r["doc_id"], r["raw_sha256"], r["raw_sha"])

    return describe


def _describe_span(code: str, what: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Describes a span row's anchoring finding ``code``."""

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        return describe_span(code, what, r["_raw"], r["_s"], r["_e"], r["_t"])

    return describe


def _documents(spark: Any, frames: Frames, dirty2: set[Unit]) -> tuple[Any, Any]:
    """Documents with a raw-file status (a code or null), and the anchored documents
    (_corpus, doc_id, ``_raw`` text, ``_n``)."""
    from pyspark.sql import functions as F

    docs = clean(spark, frames.tables["documents"], "documents", dirty2).join(
        frames.raw, on=[CORPUS, "doc_id"], how="left"
    )
    present = F.coalesce(F.col("raw_present"), F.lit(False))
    refused = doc_key().isin(frames.doc_keys(lambda i: i.raw_refused))
    status = (
        F.when(refused, F.lit(None).cast("string"))
        .when(~present, F.lit("raw-missing"))
        .when(F.col("raw_sha") != F.col("raw_sha256"), F.lit("raw-changed"))
        .when(~F.col("raw_utf8"), F.lit("raw-not-utf8"))
    )
    docs = docs.withColumn("_status", status)
    bad = docs.filter(F.col("_status").isNotNull()).drop("raw_text")
    anchored = docs.filter(
        F.col("_status").isNull() & F.col("raw_sha").isNotNull() & ~refused
    ).select(CORPUS, "doc_id", F.col("raw_text").alias("_raw"), F.length("raw_text").alias("_n"))
    return bad, anchored


def _raw_findings(schema: Schema, rows: list[dict[str, Any]]) -> list[Finding]:
    out: list[Finding] = []
    for code in ("raw-missing", "raw-changed", "raw-not-utf8"):
        out += rows_findings(
            schema,
            "documents",
            [r for r in rows if r["_status"] == code],
            code,
            _describe_raw(code),
            "raw_sha256" if code == "raw-changed" else None,
        )
    return out


def _span_frame(frame: Any, prefix: str | None, anchored: Any) -> Any:
    from pyspark.sql import functions as F

    s, e, t = (f"{prefix}_{k}" if prefix else k for k in ("start", "end", "text"))
    keep = [c for c in (CORPUS, "doc_id", "id", "_file", "_line") if c in frame.columns]
    return (
        frame.select(*keep, F.col(s).alias("_s"), F.col(e).alias("_e"), F.col(t).alias("_t"))
        .filter(F.col("_s").isNotNull() & F.col("_e").isNotNull() & F.col("_t").isNotNull())
        .join(anchored, on=[CORPUS, "doc_id"], how="inner")
    )


def _status(spans: Any) -> Any:
    from pyspark.sql import functions as F

    s, e, t, n = F.col("_s"), F.col("_e"), F.col("_t"), F.col("_n")
    # Bounded by the text's length, so never out of Spark's int range even where the
    # branch does not apply.
    lo, hi = F.least(s, n), F.least(e, n)
    actual = F.substring(
        F.col("_raw"), (lo + 1).cast("int"), F.greatest(hi - lo, F.lit(0)).cast("int")
    )
    status = (
        F.when(s >= e, F.lit("span-inverted"))
        .when(e > n, F.lit("span-out-of-range"))
        .when(actual != t, F.lit("quote-mismatch"))
        .when(t.rlike(EDGE_RE), F.lit("span-edge-whitespace"))
    )
    return spans.withColumn("_status", status)


def anchoring(spark: Any, frames: Frames, dirty2: set[Unit]) -> list[Finding]:
    """Raw files, then offsets, quotes, edges and overlaps of every span in anchored
    documents: every span of every table is checked in one DataFrame, and the failing
    rows come back in two Spark jobs (statuses, then overlaps and crossings)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    schema = frames.schema
    bad_docs, anchored = _documents(spark, frames, dirty2)
    groups = [(table, prefix) for table in DOC_TABLES for prefix in span_groups(schema, table)]
    parts = []
    for n, (table, prefix) in enumerate(groups):
        frame = clean(spark, frames.tables[table], table, dirty2)
        parts.append(_span_frame(frame, prefix, anchored).withColumn("_group", F.lit(n)))
    checked = parts[0]
    for part in parts[1:]:
        checked = checked.unionByName(part)
    checked = _status(checked).persist(StorageLevel.MEMORY_AND_DISK)
    docs, bad = collect([bad_docs, checked.filter(F.col("_status").isNotNull())])
    out = _raw_findings(schema, docs)
    emits: list[Emit] = []
    for n, (table, prefix) in enumerate(groups):
        what = span_what(TABLE_LAYERS[table], prefix)
        for code in SPAN_CODES:
            out += rows_findings(
                schema,
                table,
                [r for r in bad if r["_group"] == n and r["_status"] == code],
                code,
                _describe_span(code, what),
                prefix,
            )
        overlap = layer_of(schema, TABLE_LAYERS[table]).overlap
        placed = checked.filter(
            (F.col("_group") == n)
            & (F.col("_status").isNull() | (F.col("_status") == "span-edge-whitespace"))
        ).select(CORPUS, "doc_id", "id", "_file", "_line", "_s", "_e")
        if overlap == "forbid":
            emits.append(Emit(table, _overlapping(placed), "spans-overlap", wording.overlap))
        elif overlap == "nest":
            emits.append(Emit(table, _crossing(placed), "spans-cross", wording.cross))
    out += emit_all(schema, emits)
    checked.unpersist()
    return out


def _first_pairs(spans: Any, others: Any, condition: Any) -> Any:
    """Each span with the first other span of its document (``_o*`` columns; first by
    start, then line) for which ``condition`` holds."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    other = others.select(
        CORPUS,
        "doc_id",
        F.col("id").alias("_oid"),
        F.col("_s").alias("_os"),
        F.col("_e").alias("_oe"),
        F.col("_line").alias("_ol"),
    )
    first = Window.partitionBy("_file", "_line").orderBy("_os", "_ol")
    return (
        spans.join(other, on=[CORPUS, "doc_id"])
        .filter(condition)
        .withColumn("_rank", F.row_number().over(first))
        .filter(F.col("_rank") == 1)
    )


def _overlapping(placed: Any) -> Any:
    """Spans that start before an earlier span (by start, end, line) has ended."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    before = (
        Window.partitionBy(CORPUS, "doc_id")
        .orderBy("_s", "_e", "_line")
        .rowsBetween(Window.unboundedPreceding, -1)
    )
    bad = placed.withColumn("_prev_end", F.max("_e").over(before)).filter(
        F.col("_prev_end") > F.col("_s")
    )
    os_, oe, s_, e = F.col("_os"), F.col("_oe"), F.col("_s"), F.col("_e")
    earlier = (os_ < s_) | (
        (os_ == s_) & ((oe < e) | ((oe == e) & (F.col("_ol") < F.col("_line"))))
    )
    return _first_pairs(bad.drop("_prev_end"), placed, (oe > s_) & earlier)


def _crossing(placed: Any) -> Any:
    """Spans j with a span i such that start_i < start_j < end_i < end_j. Only spans that
    start inside an earlier-starting span (a running maximum of ends) can cross, so only
    those are paired with the spans of their document."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    earlier = (
        Window.partitionBy(CORPUS, "doc_id")
        .orderBy("_s")
        .rangeBetween(Window.unboundedPreceding, -1)
    )
    inside = placed.withColumn("_cover", F.max("_e").over(earlier)).filter(
        F.col("_cover") > F.col("_s")
    )
    os_, oe, s_, e = F.col("_os"), F.col("_oe"), F.col("_s"), F.col("_e")
    return _first_pairs(inside.drop("_cover"), placed, (os_ < s_) & (s_ < oe) & (oe < e))
