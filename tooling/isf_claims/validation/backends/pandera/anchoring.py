"""Level 3, anchoring, on the pandera engine (polars, numpy): raw files, offsets, quotes,
span edges, overlaps.

Every span of every layer is checked in one frame per (table, span field): joined to its
document's decoded text (polars string views, no copy), sliced by code points, compared.
Crossing spans are found per document with a parenthesis test (exact, and linear after a
sort); only documents that fail it are searched pair by pair to name the spans.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation import wording
from isf_claims.validation.backends.pandera.frames import Frames, clean, emit
from isf_claims.validation.contract import DOC_TABLES
from isf_claims.validation.frames_util import span_groups
from isf_claims.validation.policy import Unit
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import (
    EDGE_WHITESPACE_RE,
    describe_raw,
    describe_span,
    layer_of,
    span_what,
)


def _describe_raw(code: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Describes a document row's raw-file finding ``code``."""

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        return describe_raw(code, r["doc_id"], r["raw_sha256"], r["raw_sha"])

    return describe


def documents(
    schema: Schema, frames: Frames, dirty2: set[Unit]
) -> tuple[pl.DataFrame, list[Finding]]:
    """Raw-file findings, and the anchored documents (doc_id, raw text, length)."""
    docs = clean(frames.tables["documents"], "documents", dirty2).join(
        frames.raw, on="doc_id", how="left"
    )
    status = (
        pl.when(pl.col("raw_refused"))
        .then(pl.lit(None, pl.String))
        .when(~pl.col("raw_present"))
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
            _describe_raw(code),
            "raw_sha256" if code == "raw-changed" else None,
        )
    anchored = docs.filter(pl.col("_status").is_null() & pl.col("raw_sha").is_not_null()).select(
        "doc_id", pl.col("raw_text").alias("_raw"), pl.col("raw_text").str.len_chars().alias("_n")
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


def _describe(code: str, what: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
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
            overlap = layer_of(schema, TABLE_LAYERS[table]).overlap
            placed = checked.filter(
                pl.col("_status").is_null() | (pl.col("_status") == "span-edge-whitespace")
            )
            if overlap == "forbid":
                out += _overlapping(schema, table, placed)
            elif overlap == "nest":
                out += _crossing(schema, table, placed)
    return out


def _pairs(spans: pl.DataFrame, others: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """Each span with the first other span of its document (``_o*`` columns) for which
    ``condition`` holds; used only on the few documents already known to have a problem, to
    name the spans involved."""
    other = others.select(
        "doc_id",
        pl.col("id").alias("_oid"),
        pl.col("_s").alias("_os"),
        pl.col("_e").alias("_oe"),
        pl.col("_line").alias("_ol"),
    )
    return (
        spans.select("doc_id", "id", "_file", "_line", "_s", "_e")
        .join(other, on="doc_id")
        .filter(condition)
        .sort("_line", "_os", "_ol")
        .unique(["_file", "_line"], keep="first", maintain_order=True)
    )


def _overlapping(schema: Schema, table: str, placed: pl.DataFrame) -> list[Finding]:
    """Spans that start before an earlier span (by start, end, line) has ended."""
    ordered = placed.sort("doc_id", "_s", "_e", "_line").with_columns(
        pl.col("_e").shift(1).cum_max().over("doc_id").alias("_prev_end")
    )
    bad = ordered.filter(pl.col("_prev_end") > pl.col("_s"))
    if bad.is_empty():
        return []
    os_, oe, s_, e = pl.col("_os"), pl.col("_oe"), pl.col("_s"), pl.col("_e")
    earlier = (os_ < s_) | (
        (os_ == s_) & ((oe < e) | ((oe == e) & (pl.col("_ol") < pl.col("_line"))))
    )
    pairs = _pairs(bad, ordered, (oe > s_) & earlier)
    return emit(
        schema,
        table,
        pairs,
        "spans-overlap",
        wording.overlap,
    )


def _sort_order(keys: list[np.ndarray]) -> np.ndarray:
    """Order of rows by ``keys`` (most significant first; the keys together are unique):
    one packed int64 key when the values fit in 63 bits, else a lexicographic sort."""
    widths = [max(int(k.max()).bit_length(), 1) if len(k) else 1 for k in keys]
    if sum(widths) <= 63:
        packed = np.zeros(len(keys[0]), dtype=np.int64)
        for k, w in zip(keys, widths, strict=True):
            packed = (packed << w) | k.astype(np.int64)
        return np.argsort(packed)
    return np.lexsort(keys[::-1])


def _overlapping_rows(doc: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Rows of spans that overlap another span of their document (only those can cross):
    sorted by start, a span overlaps an earlier one when it starts before the largest end so
    far; each run of overlapping spans is a block, and blocks of one span are dropped."""
    order = _sort_order([doc, s, int(e.max()) + 1 - e, np.arange(len(s))])
    d, ss, ee = doc[order], s[order], e[order]
    width = max(int(ee.max()).bit_length(), 1)
    if max(int(d.max()).bit_length(), 1) + width <= 62:
        packed = np.maximum.accumulate((d << width) | ee)  # max end so far, per document
        running = packed & ((1 << width) - 1)
    else:
        frame = pl.DataFrame({"d": d, "e": ee})
        running = frame.select(pl.col("e").cum_max().over("d")).to_series().to_numpy()
    new = np.ones(len(d), dtype=bool)
    new[1:] = (d[1:] != d[:-1]) | (running[:-1] <= ss[1:])
    block = np.cumsum(new)
    sizes = np.bincount(block)
    return np.sort(order[sizes[block] > 1])


def _crossing_docs(placed: pl.DataFrame) -> pl.Series:
    """Documents whose spans are not properly nested. Read as parentheses (opens by start,
    longer first; closes by end, innermost first), a laminar family is well nested: every
    close event follows, at its depth, the open event of the same span."""
    if placed.is_empty():
        return pl.Series("doc_id", [], pl.String)
    doc = placed["doc_id"].rank("dense").to_numpy().astype(np.int64) - 1
    s = placed["_s"].to_numpy().astype(np.int64)
    e = placed["_e"].to_numpy().astype(np.int64)
    rows = _overlapping_rows(doc, s, e)
    if not len(rows):
        return pl.Series("doc_id", [], pl.String)
    doc, s, e = doc[rows], s[rows], e[rows]
    n = len(s)
    top = int(e.max()) + 1
    k = rows
    k_rank = np.arange(n)
    # Ties (identical spans) keep them nested: opens by row, closes by row reversed.
    ev_doc = np.concatenate([doc, doc])
    ev_pos = np.concatenate([s, e])
    ev_kind = np.concatenate([np.ones(n, np.int64), np.zeros(n, np.int64)])
    ev_tie = np.concatenate([top - e, top - s])
    ev_k = np.concatenate([k, k])
    ev_rank = np.concatenate([k_rank, n - 1 - k_rank])
    order = _sort_order([ev_doc, ev_pos, ev_kind, ev_tie, ev_rank])
    kind = ev_kind[order]
    depth = np.cumsum(np.where(kind == 1, 1, -1))
    level = np.where(kind == 1, depth, depth + 1)
    regroup = _sort_order([ev_doc[order], level, np.arange(2 * n)])
    g_doc, g_level = ev_doc[order][regroup], level[regroup]
    g_kind, g_k = kind[regroup], ev_k[order][regroup]
    same = np.zeros(2 * n, dtype=bool)
    same[1:] = (g_doc[1:] == g_doc[:-1]) & (g_level[1:] == g_level[:-1])
    matched = np.zeros(2 * n, dtype=bool)
    matched[1:] = same[1:] & (g_kind[:-1] == 1) & (g_k[:-1] == g_k[1:])
    bad = np.flatnonzero((g_kind == 0) & ~matched)
    return placed["doc_id"].gather(g_k[bad]).unique()


def _crossing(schema: Schema, table: str, placed: pl.DataFrame) -> list[Finding]:
    """Spans j with a span i such that start_i < start_j < end_i < end_j."""
    docs = _crossing_docs(placed)
    if docs.is_empty():
        return []
    sub = placed.filter(pl.col("doc_id").is_in(docs.implode()))
    os_, oe, s_, e = pl.col("_os"), pl.col("_oe"), pl.col("_s"), pl.col("_e")
    pairs = _pairs(sub, sub, (os_ < s_) & (s_ < oe) & (oe < e))
    return emit(
        schema,
        table,
        pairs,
        "spans-cross",
        wording.cross,
    )
