"""Level 5, the corpus, on the pandera engine: raw files without annotations, and on full
runs the two warnings (a surface form labelled differently across documents, canonical
entities nothing refers to).

Documents are checked a group at a time, so these checks see only narrow columns kept from
each group (:class:`Narrow`): per clean mention its form, label, id and provenance (strings
the corpus repeats, as categoricals), how often each form has each label, and the ids of
the entities referred to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from isf_claims.validation import wording
from isf_claims.validation.backends.pandera.frames import Frames, clean, emit
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding

# Columns of the kept mentions (the document id comes back from the file at the end).
_KEPT = ("_file", "text", "label", "id")


@dataclass
class Narrow:
    """What the corpus-wide checks keep of each group of documents."""

    mentions: list[pl.DataFrame] = field(default_factory=list)  # categoricals, _line
    counts: list[pl.DataFrame] = field(default_factory=list)  # text, label, _n (mentions)
    used: list[pl.Series] = field(default_factory=list)
    doc_of: dict[str, str] = field(default_factory=dict)  # file -> document id

    def add(self, frames: Frames, findings: list[Finding]) -> None:
        """Keep the group's clean mentions (no finding up to level 4 in ``findings``), how
        often each form has each label, and the entities its mentions and claims refer
        to."""
        mentions = clean(frames.tables["mentions"], "mentions", dirty_units(findings, 4))
        kept = mentions.select(*(pl.col(c).cast(pl.Categorical) for c in _KEPT), "_line")
        self.mentions.append(kept.rechunk())
        self.counts.append(mentions.group_by("text", "label").agg(pl.len().alias("_n")))
        if len(self.counts) >= 16:
            self.counts = [_sum(self.counts)]
        docs = frames.tables["documents"]
        self.doc_of.update(zip(docs["_file"].to_list(), docs["doc_id"].to_list(), strict=True))
        self.used.append(
            pl.concat(
                [
                    frames.tables["mentions"]["entity"].drop_nulls().unique(),
                    frames.tables["claims"]["source_entity"].drop_nulls().unique(),
                ]
            ).unique()
        )


def _sum(counts: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(counts).group_by("text", "label").agg(pl.col("_n").sum())


def _inconsistent(narrow: Narrow) -> pl.DataFrame:
    """Mentions whose form has another label more often, in more than one document (with
    the columns :func:`wording.label_inconsistent` words)."""
    counts = _sum(narrow.counts)
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
    if forms.is_empty():
        return pl.DataFrame()
    texts = forms["text"].implode()
    rows = pl.concat(
        [m.filter(pl.col("text").cast(pl.String).is_in(texts)) for m in narrow.mentions]
    ).with_columns(pl.col(c).cast(pl.String) for c in _KEPT)
    rows = rows.with_columns(
        pl.col("_file").replace_strict(narrow.doc_of, return_dtype=pl.String).alias("doc_id")
    )
    rows = rows.join(forms, on="text")  # only forms with more than one label
    spread = rows.group_by("text").agg(pl.col("doc_id").n_unique().alias("_nd"))
    return rows.join(spread, on="text").filter(
        (pl.col("_nd") > 1) & (pl.col("label") != pl.col("_major"))
    )


def corpus(inputs: Inputs, entities: pl.DataFrame, narrow: Narrow) -> list[Finding]:
    """Corpus-wide: unannotated raw files, and on full runs the two warnings."""
    schema = inputs.schema
    out = inputs.unannotated()
    if not inputs.complete:
        return out
    if narrow.counts:
        rows = _inconsistent(narrow)
        if not rows.is_empty():
            out += emit(
                schema,
                "mentions",
                rows,
                "label-inconsistent",
                wording.label_inconsistent,
                "label",
            )
    used = pl.concat(narrow.used) if narrow.used else pl.Series([], dtype=pl.String)
    rows = entities.filter(pl.col("id").is_not_null() & ~pl.col("id").is_in(used.implode()))
    out += emit(
        schema,
        "entities",
        rows,
        "entity-unused",
        wording.entity_unused,
        None,
    )
    return out
