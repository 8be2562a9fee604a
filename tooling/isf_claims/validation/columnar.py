"""The pandera engine's semantic checks (levels 2-5) as polars expressions.

Levels run in order and each one only looks at records with no finding at an earlier level
(``clean``), so one root cause is reported once. Rows reach Python only to word findings.
"""

from __future__ import annotations

import polars as pl

from isf_claims.schema import Schema
from isf_claims.validation import columnar_spans
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
                lambda r, p=f.name, q=part: {
                    "message": f"the {p} span has no {q}",
                    "expected": "start, end and text (or no span at all)",
                    "found": "null",
                },
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
            lambda r, ref=ref: {
                "message": f"{ref.field} {r[ref.field]!r} is not {_target_name(ref)}",
                "expected": f"an id in {ref.target}",
                "found": str(r[ref.field]),
            },
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
        lambda r: {
            "message": f"mention is {r['label']}, its entity {r['entity']!r} is {r['_elabel']}",
            "expected": r["_elabel"],
            "found": r["label"],
        },
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
        lambda r: {
            "message": f"source_mention {r['source_mention']} [{r['_ms']}, {r['_me']}) is not "
            "inside the source span",
            "expected": "inside "
            + (
                f"[{r['source_start']}, {r['source_end']})"
                if r["source_start"] is not None
                else "a source span"
            ),
            "found": f"[{r['_ms']}, {r['_me']})"
            + ("" if r["source_start"] is not None else " and no source span"),
        },
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
        lambda r: {
            "message": f"marker [{r['start']}, {r['end']}) is outside the content of "
            f"{r['claim']} [{r['_cs']}, {r['_ce']})",
            "expected": f"inside [{r['_cs']}, {r['_ce']})",
            "found": f"[{r['start']}, {r['end']})",
        },
        "claim",
    )
    return out


def _target_name(ref: Reference) -> str:
    if ref.target == "entities":
        return "a canonical entity in entities.jsonl"
    where = "of its document" if ref.table != "cluster_members" else "in that document"
    return f"a {ref.target[:-1]} {where}"


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
        lambda r: {
            "message": f"{r['text']!r} is {r['label']} here but {r['_major']} in "
            f"{r['_nmajor']} of its {r['_total']} mentions across {r['_nd']} documents",
            "expected": r["_major"],
            "found": r["label"],
        },
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
        lambda r: {
            "message": f"canonical entity {r['id']!r} is not referred to",
            "expected": "a mention or claim linked to it",
            "found": "none",
        },
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
