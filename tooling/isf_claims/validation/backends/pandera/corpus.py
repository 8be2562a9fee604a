"""Level 5, the corpus, on the pandera engine: raw files without annotations, and on full
runs the two warnings (a surface form labelled differently across documents, canonical
entities nothing refers to)."""

from __future__ import annotations

import polars as pl

from isf_claims.validation import wording
from isf_claims.validation.backends.pandera.frames import Frames, clean, emit
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding


def corpus(inputs: Inputs, frames: Frames, findings: list[Finding]) -> list[Finding]:
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
