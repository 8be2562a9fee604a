"""The ``ner`` config: tokens with IOB2 tags, one row per text segment.

Segments are the document's zones, plus every stretch of text no zone covers (so no text is
left out); each row names its zone and zone label (null for an uncovered stretch), so users
can leave out captions or boilerplate. IOB2 cannot hold everything the mention layer holds;
these rules decide, in this order, and the build report counts every mention each rule
touched:

- **crosses-segment**: a mention whose tokens lie in two segments is left out.
- **nested**: a mention inside another (kept) mention is left out; the outermost is tagged.
- **snapped**: a mention edge that falls inside a token is widened to the whole token.
- **token-conflict**: a mention that, after widening, would share a token with an earlier
  mention is left out (the earlier one is kept).

Every step is column-wise (polars and numpy): no Python loop over tokens or mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.frames import frame_of
from isf_claims.release import tokenize as tok

RULES = {
    "crosses-segment": (
        "A mention whose tokens lie in two segments (zones), or that covers no token, is not "
        "tagged."
    ),
    "nested": "A mention inside another mention is not tagged; the outermost one is.",
    "snapped": "A mention edge inside a token is widened to the whole token.",
    "token-conflict": (
        "A mention that, once widened, would share a token with an earlier mention is not "
        "tagged; the earlier one is."
    ),
}
_SHIFT = 1 << 32


class Vocabularies(Protocol):
    """What the IOB2 conversion asks of a schema: a vocabulary's values (``entity_label``)."""

    def values(self, vocabulary: str) -> list[str]: ...


def tag_names(schema: Vocabularies) -> list[str]:
    """IOB2 tag names: ``O``, then ``B-``/``I-`` per entity label in schema order."""
    return ["O"] + [f"{p}-{label}" for label in schema.values("entity_label") for p in "BI"]


@dataclass
class NerReport:
    """What the IOB2 conversion did to the mentions (counts and the mentions concerned)."""

    mentions: int = 0
    tagged: int = 0
    exact: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    records: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def merge(cls, reports: list[NerReport]) -> NerReport:
        """One report for disjoint sets of documents (the rules work per document)."""
        return cls(
            mentions=sum(r.mentions for r in reports),
            tagged=sum(r.tagged for r in reports),
            exact=sum(r.exact for r in reports),
            counts={k: sum(r.counts.get(k, 0) for r in reports) for k in RULES},
            records={k: sorted(x for r in reports for x in r.records.get(k, [])) for k in RULES},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "tokeniser": tok.NAME,
            "mentions": self.mentions,
            "tagged": self.tagged,
            "tagged_on_token_boundaries": self.exact,
            "resolved": {k: self.counts.get(k, 0) for k in RULES},
            "rules": RULES,
            "mentions_resolved": {k: self.records.get(k, []) for k in RULES},
        }


def segments(documents: pl.DataFrame) -> pl.DataFrame:
    """Zones plus uncovered stretches of every document: doc, seg, zone, zone_label, start,
    end, text; ``doc`` is the document's row index."""
    docs = documents.select("doc_id", "text").with_row_index("doc")
    zones = (
        documents.select("doc_id", "zones")
        .with_row_index("doc")
        .explode("zones")
        .drop_nulls("zones")
        .unnest("zones")
        .select(
            "doc", pl.col("id").alias("zone"), pl.col("label").alias("zone_label"), "start", "end"
        )
        .sort("doc", "start")
    )
    bounds = zones.select(
        "doc",
        pl.col("end").shift(1, fill_value=0).over("doc").alias("start"),
        pl.col("start").alias("end"),
    )
    tail = zones.group_by("doc").agg(pl.col("end").max().alias("start"))
    lengths = docs.select("doc", pl.col("text").str.len_chars().cast(pl.Int64).alias("end"))
    tail = lengths.join(tail, on="doc", how="left").select(
        "doc", pl.col("start").fill_null(0).cast(pl.Int64), "end"
    )
    gaps = pl.concat([bounds, tail.select("doc", "start", "end")], how="vertical_relaxed")
    gaps = gaps.filter(pl.col("end") > pl.col("start")).with_columns(
        pl.lit(None, pl.String).alias("zone"), pl.lit(None, pl.String).alias("zone_label")
    )
    segs = pl.concat([zones, gaps.select(zones.columns)], how="vertical_relaxed").sort(
        "doc", "start"
    )
    return (
        segs.join(docs, on="doc", how="left", maintain_order="left")
        .with_columns(pl.col("text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")))
        .with_row_index("seg")
    )


def _ranges(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Concatenation of ``range(first[i], last[i] + 1)`` for every i."""
    if not len(first):
        return first
    lengths = last - first + 1
    starts = np.repeat(first - np.cumsum(np.concatenate([[0], lengths[:-1]])), lengths)
    return starts + np.arange(lengths.sum())


def ner_table(
    documents: pa.Table, mentions: pa.Table, schema: Vocabularies
) -> tuple[pa.Table, NerReport]:
    """The ``ner`` table and the report of how mentions were resolved into IOB2 tags."""
    docs = frame_of(documents.select(["doc_id", "text", "zones"]))
    segs = segments(docs)
    tokens = tok.tokenize(segs)  # in segment order, then text order
    tokens = tokens.with_columns(segs["doc"].gather(tokens["seg"]).alias("doc"))  # seg = row
    t_doc = tokens["doc"].to_numpy().astype(np.int64)
    t_start = tokens["start"].to_numpy()
    t_end = tokens["end"].to_numpy()
    t_seg = tokens["seg"].to_numpy()

    ments = (
        frame_of(mentions.select(["doc_id", "id", "label", "start", "end"]))
        .join(
            docs.select("doc_id").with_row_index("doc"),
            on="doc_id",
            how="left",
            maintain_order="left",
        )
        .sort("doc", "start", "end", descending=[False, False, True], maintain_order=True)
    )
    m_doc = ments["doc"].to_numpy().astype(np.int64)
    m_start, m_end = ments["start"].to_numpy(), ments["end"].to_numpy()
    # Global keys (document index shifted up) make one sorted search serve all documents.
    first = np.searchsorted(t_doc * _SHIFT + t_end, m_doc * _SHIFT + m_start, "right")
    last = np.searchsorted(t_doc * _SHIFT + t_start, m_doc * _SHIFT + m_end, "left") - 1
    f_safe = np.minimum(first, max(len(t_seg) - 1, 0))
    l_safe = np.maximum(last, 0)
    if len(t_seg):
        crosses = (first > last) | (t_seg[f_safe] != t_seg[l_safe])
    else:
        crosses = np.ones(len(first), dtype=bool)
    # Nested: inside an earlier-starting (or same-start, longer) mention that is kept.
    idx = np.flatnonzero(~crosses)
    end_key = m_doc[idx] * _SHIFT + m_end[idx]
    before = np.maximum.accumulate(np.concatenate([[-1], end_key[:-1]])) if len(idx) else idx
    nested = np.zeros(len(first), dtype=bool)
    nested[idx[before > m_doc[idx] * _SHIFT + m_start[idx]]] = True
    candidate = ~crosses & ~nested
    exact = candidate & (t_start[f_safe] == m_start) & (t_end[l_safe] == m_end)
    # A candidate whose first token is not after every earlier candidate's last token.
    cand = np.flatnonzero(candidate)
    order = cand[np.argsort(first[cand], kind="stable")]
    prev_last = np.maximum.accumulate(np.concatenate([[-1], last[order][:-1]]))
    conflict = np.zeros(len(first), dtype=bool)
    conflict[order[first[order] <= prev_last]] = True
    tagged = candidate & ~conflict

    reasons = {
        "nested": nested,
        "crosses-segment": crosses,
        "token-conflict": conflict,
        "snapped": tagged & ~exact,
    }
    keys = (ments["doc_id"] + "/" + ments["id"]).to_numpy()
    report = NerReport(
        mentions=ments.height,
        tagged=int(tagged.sum()),
        exact=int((tagged & exact).sum()),
        counts={k: int(v.sum()) for k, v in reasons.items()},
        records={k: sorted(keys[v].tolist()) for k, v in reasons.items()},
    )

    names = tag_names(schema)
    labels = pa.array(schema.values("entity_label"), pa.string())
    codes = np.zeros(len(t_seg), dtype=np.int64)
    lab = pc.index_in(ments["label"].to_arrow(), value_set=labels).to_numpy(zero_copy_only=False)
    f_t, l_t, lab_t = first[tagged], last[tagged], lab[tagged]
    codes[_ranges(f_t, l_t)] = np.repeat(2 + 2 * lab_t, l_t - f_t + 1)
    codes[f_t] = 1 + 2 * lab_t
    return _assemble(segs, tokens, pa.array(names, pa.string()).take(pa.array(codes))), report


def _assemble(segs: pl.DataFrame, tokens: pl.DataFrame, tags: pa.Array) -> pa.Table:
    """One row per segment that has tokens: lists cut from the flat token columns."""
    counts = tokens.group_by("seg", maintain_order=True).len()
    rows = segs.join(counts, on="seg", how="inner").sort("seg")
    offsets = pa.array(np.concatenate([[0], np.cumsum(rows["len"].to_numpy())]), pa.int32())
    token_offsets = pa.StructArray.from_arrays(
        [pa.array(tokens["start"].to_numpy()), pa.array(tokens["end"].to_numpy())],
        names=["start", "end"],
    )
    seg_cols = rows.select("doc_id", "zone", "zone_label", "start", "end", "text").to_arrow()
    return pa.table(
        {
            **{n: seg_cols[n].combine_chunks() for n in seg_cols.column_names},
            "tokens": pa.ListArray.from_arrays(offsets, tokens["token"].to_arrow()),
            "token_offsets": pa.ListArray.from_arrays(offsets, token_offsets),
            "ner_tags": pa.ListArray.from_arrays(offsets, tags),
        }
    )
