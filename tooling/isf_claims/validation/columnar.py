"""The pandera engine's semantic checks (levels 2-5) as polars expressions.

Levels run in order and each one only looks at records with no finding at an earlier level
(``clean``), so one root cause is reported once. Rows reach Python only to word findings.
"""

from __future__ import annotations

import polars as pl

from isf_claims.schema import Schema
from isf_claims.validation import columnar_spans, wording
from isf_claims.validation.contract import REFERENCES, Reference
from isf_claims.validation.frames_util import clean, emit
from isf_claims.validation.pandera_frames import Frames
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import (
    NO_CUE,
    OUTLET,
    UNATTRIBUTED,
    attribution_problems,
    check_rule_values,
    describe_attribution,
    layer_of,
)

SPAN_PARTS = ("start", "end", "text")


def _present(prefix: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(f"{prefix}_{k}").is_not_null() for k in SPAN_PARTS)


def level2(schema: Schema, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """Row rules Table Schema cannot state: optional spans given whole, and attribution."""
    out: list[Finding] = []
    claims = frames.tables["claims"]
    layer = layer_of(schema, "claim")
    for f in layer.fields:
        if f.type != "span" or f.required:
            continue
        for part in SPAN_PARTS:
            col = f"{f.name}_{part}"
            rows = claims.filter(_present(f.name) & pl.col(col).is_null())
            out += emit(
                schema,
                "claims",
                rows,
                "missing-value",
                lambda r, p=f.name, q=part: wording.span_part_missing(p, q),
                col,
            )
    check_rule_values(schema)
    ok = clean(claims, "claims", dirty_units(findings + out, 2))
    attr = pl.col("attribution")
    violates = (
        pl.when(attr == UNATTRIBUTED)
        .then(
            _present("cue")
            | _present("source")
            | (pl.col("source_type") != OUTLET)
            | (pl.col("cue_commitment") != NO_CUE)
        )
        .otherwise(~_present("cue"))
    )
    rows = ok.with_columns(_present("cue").alias("_cue"), _present("source").alias("_src")).filter(
        violates
    )

    def describe(r: dict) -> dict:
        problems = attribution_problems(
            r["attribution"], r["source_type"], r["cue_commitment"], r["_cue"], r["_src"]
        )
        return describe_attribution(r["attribution"], problems)

    return out + emit(schema, "claims", rows, "attribution-inconsistent", describe, "attribution")


def _reference_rows(inputs: Inputs, frames: Frames, ref: Reference) -> pl.DataFrame:
    src = frames.tables[ref.table].filter(pl.col(ref.field).is_not_null())
    if ref.table == "cluster_members" and inputs.opaque_ids:
        src = src.filter(~pl.col("doc_id").is_in(sorted(inputs.opaque_ids)))
    target = frames.tables[ref.target].select(
        [pl.col(t).alias(s) for s, t in zip(ref.fields, ref.target_fields, strict=True)]
    )
    return src.join(target, on=list(ref.fields), how="anti", nulls_equal=False)


def level4(inputs: Inputs, frames: Frames, findings: list[Finding]) -> list[Finding]:
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


def level5(inputs: Inputs, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """Corpus-wide: unannotated raw files, and on full runs the two warnings."""
    schema = inputs.schema
    out = inputs.unannotated()
    if not inputs.complete:
        return out
    mentions = clean(frames.tables["mentions"], "mentions", dirty_units(findings, 4))
    counts = mentions.group_by("text", "label").agg(pl.len().alias("_n"))
    forms = (
        counts.sort("text", "_n", "label", descending=[False, True, False])
        .group_by("text", maintain_order=True)
        .agg(
            pl.col("label").first().alias("_major"),
            pl.len().alias("_nl"),
            pl.col("_n").first().alias("_nmajor"),
            pl.col("_n").sum().alias("_total"),
        )
        .filter(pl.col("_nl") > 1)
    )
    rows = mentions.join(forms, on="text")  # only forms with more than one label
    spread = rows.group_by("text").agg(pl.col("doc_id").n_unique().alias("_nd"))
    rows = rows.join(spread, on="text").filter(
        (pl.col("_nd") > 1) & (pl.col("label") != pl.col("_major"))
    )
    out += emit(
        schema,
        "mentions",
        rows,
        "label-inconsistent",
        wording.label_inconsistent,
        "label",
    )
    used = pl.concat(
        [
            frames.tables["mentions"]["entity"].drop_nulls().unique(),
            frames.tables["claims"]["source_entity"].drop_nulls().unique(),
        ]
    )
    rows = frames.tables["entities"].filter(
        pl.col("id").is_not_null() & ~pl.col("id").is_in(used.implode())
    )
    out += emit(
        schema,
        "entities",
        rows,
        "entity-unused",
        wording.entity_unused,
        None,
    )
    return out


def semantic_findings(inputs: Inputs, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """Levels 2 (row rules) to 5, each on what passed the levels before it."""
    schema = inputs.schema
    out = list(findings)
    out += level2(schema, frames, out)
    dirty2 = dirty_units(out, 2)
    anchored, found = columnar_spans.documents(schema, frames, dirty2)
    out += found
    out += columnar_spans.spans(schema, frames, anchored, dirty2)
    out += level4(inputs, frames, out)
    out += level5(inputs, frames, out)
    return out
