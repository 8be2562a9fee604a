"""Level 3, anchoring, column-wise: raw files, offsets, quotes, span edges, overlaps.

Every span of every layer is checked in one frame per (table, span field): joined to its
document's decoded text (polars string views, no copy), sliced by code points, compared.
Crossing spans are found per document with a parenthesis test (exact, and linear after a
sort); only documents that fail it are searched pair by pair to name the spans.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation.contract import DOC_TABLES
from isf_claims.validation.frames_util import clean, emit
from isf_claims.validation.pandera_frames import Frames
from isf_claims.validation.policy import Unit
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import (
    EDGE_WHITESPACE_RE,
    describe_raw,
    describe_span,
    span_what,
)


def span_groups(schema: Schema, table: str) -> list[str | None]:
    """Span fields of a table: None for a record that is itself a span."""
    spans = schema.layer(TABLE_LAYERS[table]).span_fields
    return list(spans) if spans else [None]


def documents(
    schema: Schema, frames: Frames, dirty2: set[Unit]
) -> tuple[pl.DataFrame, list[Finding]]:
    """Raw-file findings, and the anchored documents (doc_id, raw text, length)."""
    docs = clean(frames.tables["documents"], "documents", dirty2).join(
        frames.raw, on="doc_id", how="left"
    )
    status = (
        pl.when(~pl.col("raw_present"))
        .then(pl.lit("raw-missing"))
        .when(pl.col("raw_sha") != pl.col("raw_sha256"))
        .then(pl.lit("raw-changed"))
        .when(~pl.col("raw_utf8"))
        .then(pl.lit("raw-not-utf8"))
    )
    docs = docs.with_columns(status.alias("_status"))
    out: list[Finding] = []
    for code in ("raw-missing", "raw-changed", "raw-not-utf8"):
        rows = docs.filter(pl.col("_status") == code)
        out += emit(
            schema,
            "documents",
            rows,
            code,
            lambda r, code=code: describe_raw(code, r["doc_id"], r["raw_sha256"], r["raw_sha"]),
            "raw_sha256" if code == "raw-changed" else None,
        )
    anchored = docs.filter(pl.col("_status").is_null() & pl.col("raw_sha").is_not_null()).select(
        "doc_id", pl.col("text").alias("_raw"), pl.col("text").str.len_chars().alias("_n")
    )
    return anchored, out


def _span_frame(frame: pl.DataFrame, prefix: str | None, anchored: pl.DataFrame) -> pl.DataFrame:
    s, e, t = (
        (f"{prefix}_{k}" for k in ("start", "end", "text")) if prefix else ("start", "end", "text")
    )
    keep = [c for c in ("doc_id", "id", "_file", "_line") if c in frame.columns]
    return (
        frame.select(*keep, pl.col(s).alias("_s"), pl.col(e).alias("_e"), pl.col(t).alias("_t"))
        .filter(
            pl.col("_s").is_not_null() & pl.col("_e").is_not_null() & pl.col("_t").is_not_null()
        )
        .join(anchored, on="doc_id", how="inner")
    )


def _status(spans: pl.DataFrame) -> pl.DataFrame:
    s, e, t = pl.col("_s"), pl.col("_e"), pl.col("_t")
    length = (e - s).clip(lower_bound=0)
    actual = pl.col("_raw").str.slice(s, length)
    status = (
        pl.when(s >= e)
        .then(pl.lit("span-inverted"))
        .when(e > pl.col("_n"))
        .then(pl.lit("span-out-of-range"))
        .when(actual != t)
        .then(pl.lit("quote-mismatch"))
        .when(t.str.contains(EDGE_WHITESPACE_RE))
        .then(pl.lit("span-edge-whitespace"))
    )
    return spans.with_columns(status.alias("_status"))


def _describe(code: str, what: str):
    def describe(r: dict[str, Any]) -> dict[str, Any]:
        return describe_span(code, what, r["_raw"], r["_s"], r["_e"], r["_t"])

    return describe


def spans(
    schema: Schema, frames: Frames, anchored: pl.DataFrame, dirty2: set[Unit]
) -> list[Finding]:
    """Offsets, quotes, edges and overlaps of every span in anchored documents."""
    out: list[Finding] = []
    for table in DOC_TABLES:
        frame = clean(frames.tables[table], table, dirty2)
        for prefix in span_groups(schema, table):
            checked = _status(_span_frame(frame, prefix, anchored))
            bad = checked.filter(pl.col("_status").is_not_null())
            for code in (
                "span-inverted",
                "span-out-of-range",
                "quote-mismatch",
                "span-edge-whitespace",
            ):
                rows = bad.filter(pl.col("_status") == code)
                if not rows.is_empty():
                    what = span_what(TABLE_LAYERS[table], prefix)
                    out += emit(schema, table, rows, code, _describe(code, what), prefix)
            overlap = schema.layer(TABLE_LAYERS[table]).overlap
            placed = checked.filter(
                pl.col("_status").is_null() | (pl.col("_status") == "span-edge-whitespace")
            )
            if overlap == "forbid":
                out += _overlapping(schema, table, placed)
            elif overlap == "nest":
                out += _crossing(schema, table, placed)
    return out


def _label(r: dict[str, Any], s: str = "_s", e: str = "_e", i: str = "id") -> str:
    return f"{r[i]} [{r[s]}, {r[e]})"


def _overlapping(schema: Schema, table: str, placed: pl.DataFrame) -> list[Finding]:
    """Spans that start before an earlier span (by start, end, line) has ended."""
    ordered = placed.sort("doc_id", "_s", "_e", "_line").with_columns(
        pl.col("_e").shift(1).cum_max().over("doc_id").alias("_prev_end")
    )
    bad = ordered.filter(pl.col("_prev_end") > pl.col("_s"))
    if bad.is_empty():
        return []
    pairs = (
        bad.select("doc_id", "id", "_file", "_line", "_s", "_e")
        .join(
            ordered.select(
                "doc_id",
                pl.col("id").alias("_oid"),
                pl.col("_s").alias("_os"),
                pl.col("_e").alias("_oe"),
                pl.col("_line").alias("_ol"),
            ),
            on="doc_id",
        )
        .filter(
            (pl.col("_oe") > pl.col("_s"))
            & (
                (pl.col("_os") < pl.col("_s"))
                | ((pl.col("_os") == pl.col("_s")) & (pl.col("_oe") < pl.col("_e")))
                | (
                    (pl.col("_os") == pl.col("_s"))
                    & (pl.col("_oe") == pl.col("_e"))
                    & (pl.col("_ol") < pl.col("_line"))
                )
            )
        )
        .sort("_line", "_os", "_ol")
        .unique(["_file", "_line"], keep="first", maintain_order=True)
    )
    return emit(
        schema,
        table,
        pairs,
        "spans-overlap",
        lambda r: {
            "message": f"{_label(r)} overlaps {_label(r, '_os', '_oe', '_oid')}",
            "expected": "no overlap with another span of the layer",
            "found": f"overlap [{r['_s']}, {min(r['_e'], r['_oe'])})",
        },
    )


def _crossing_docs(placed: pl.DataFrame) -> pl.Series:
    """Documents whose spans are not properly nested: as parentheses (opens by start, longer
    first; closes by end, innermost first), some close does not match the open at its depth."""
    c = (
        placed.select("doc_id", "_s", "_e")
        .with_row_index("_k")
        .with_columns(pl.col("_k").cast(pl.Int64))
    )
    opens = c.select(
        "doc_id",
        pl.col("_s").alias("pos"),
        pl.lit(1).alias("kind"),
        (-pl.col("_e")).alias("t1"),
        pl.col("_k").alias("t2"),
        "_k",
    )
    closes = c.select(
        "doc_id",
        pl.col("_e").alias("pos"),
        pl.lit(0).alias("kind"),
        (-pl.col("_s")).alias("t1"),
        (-pl.col("_k")).alias("t2"),
        "_k",
    )
    ev = pl.concat([opens, closes]).sort("doc_id", "pos", "kind", "t1", "t2")
    ev = ev.with_columns(
        (2 * pl.col("kind") - 1).cum_sum().over("doc_id").alias("depth"),
        pl.int_range(pl.len()).over("doc_id").alias("order"),
    ).with_columns(
        pl.when(pl.col("kind") == 1)
        .then(pl.col("depth"))
        .otherwise(pl.col("depth") + 1)
        .alias("level")
    )
    ev = ev.sort("doc_id", "level", "order").with_columns(
        pl.col("_k").shift(1).over("doc_id", "level").alias("prev_k"),
        pl.col("kind").shift(1).over("doc_id", "level").alias("prev_kind"),
    )
    bad = ev.filter(
        (pl.col("kind") == 0)
        & (
            pl.col("prev_kind").is_null()
            | (pl.col("prev_kind") != 1)
            | (pl.col("prev_k") != pl.col("_k"))
        )
    )
    return bad["doc_id"].unique()


def _crossing(schema: Schema, table: str, placed: pl.DataFrame) -> list[Finding]:
    """Spans j with a span i such that start_i < start_j < end_i < end_j."""
    docs = _crossing_docs(placed)
    if docs.is_empty():
        return []
    sub = placed.filter(pl.col("doc_id").is_in(docs.implode()))
    pairs = (
        sub.select("doc_id", "id", "_file", "_line", "_s", "_e")
        .join(
            sub.select(
                "doc_id",
                pl.col("id").alias("_oid"),
                pl.col("_s").alias("_os"),
                pl.col("_e").alias("_oe"),
                pl.col("_line").alias("_ol"),
            ),
            on="doc_id",
        )
        .filter(
            (pl.col("_os") < pl.col("_s"))
            & (pl.col("_s") < pl.col("_oe"))
            & (pl.col("_oe") < pl.col("_e"))
        )
        .sort("_line", "_os", "_ol")
        .unique(["_file", "_line"], keep="first", maintain_order=True)
    )
    return emit(
        schema,
        table,
        pairs,
        "spans-cross",
        lambda r: {
            "message": f"{_label(r)} crosses {_label(r, '_os', '_oe', '_oid')}",
            "expected": "spans nested or apart",
            "found": f"{r['_oid']} ends at {r['_oe']}, inside {r['id']}",
        },
    )
