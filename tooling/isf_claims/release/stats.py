"""The numbers a release states about itself, computed at build time.

Corpus-wide counts (totals, mentions per label, claims per attribute value) come from
:func:`isf_claims.stats.corpus_stats`, the project's one statistics module; this module adds
what only a release has: rows per split, zone and marker labels, and the ``ner`` conversion.
Nothing is typed by hand, and every vocabulary value is listed (zeros included).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.corpus import Corpus
from isf_claims.frames import frame_of
from isf_claims.schema import Schema
from isf_claims.stats import CorpusStats, Counted, claim_vocab_fields, counted_corpus, stats_of

SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"))
UNNAMED_OUTLET = "(not named in the article)"


def size_category(n: int) -> str:
    """Hugging Face ``size_categories`` value for ``n`` examples."""
    return next((name for bound, name in SIZE_CATEGORIES if n < bound), "100K<n<1M")


def _sum(long: pl.DataFrame, key: str) -> dict[str, int]:
    """Long per-document counts summed per ``key`` value, in the frame's (vocabulary) order."""
    out = long.group_by(key, maintain_order=True).agg(pl.col("n").sum())
    return {k: int(v) for k, v in out.iter_rows()}


def agreement_figures(report: dict[str, Any] | None) -> dict[str, Any]:
    """The headline agreement figures of an :func:`isf_claims.agreement.agreement_report`
    (``None``: one annotation set, no figures)."""
    if report is None:
        return {"annotation_sets": 1, "documents": 0, "figures": None}
    m, t, c = report["mentions"]["all"], report["tokens"], report["claims"]
    figures = {
        "mention F1, exact spans": m["exact"]["f1"],
        "mention F1, overlapping spans": m["overlap"]["f1"],
        "Cohen's kappa over tokens": t["cohen_kappa"],
        "Krippendorff's alpha over tokens": t["krippendorff_alpha"],
        "claim content F1, exact spans": c["content_exact"]["f1"],
        "claim content F1, overlapping spans": c["content_overlap"]["f1"],
        "cluster claim-pair F1": report["clusters"]["pairs"]["f1"],
    }
    return {"annotation_sets": 2, "documents": len(report["documents"]), "figures": figures}


#: Up to this many documents the card lists each one's annotation; beyond, it counts them.
PER_DOCUMENT_LIMIT = 100


def annotation_of_documents(table: pa.Table) -> dict[str, Any]:
    """How many annotators annotated each document and whether it was adjudicated (the
    document record's ``annotator_count`` and ``adjudicated``; null: not recorded), per
    document up to :data:`PER_DOCUMENT_LIMIT` documents, and counted (``table``: the corpus's
    documents, or just these columns of them)."""
    cols = [c for c in ANNOTATION_COLUMNS if c in table.column_names]
    docs = frame_of(table.select(cols))
    for name, dtype in (("annotator_count", pl.Int64), ("adjudicated", pl.Boolean)):
        if name not in docs.columns:
            docs = docs.with_columns(pl.lit(None, dtype).alias(name))
    docs = docs.sort("doc_id")
    counts = (
        docs.group_by("annotator_count", "adjudicated")
        .len()
        .sort("annotator_count", "adjudicated", nulls_last=True)
    )
    return {
        "by_annotators": [
            {"annotators": n, "adjudicated": adj, "documents": int(k)}
            for n, adj, k in counts.iter_rows()
        ],
        "per_document": docs.to_dicts() if docs.height <= PER_DOCUMENT_LIMIT else None,
    }


ANNOTATION_COLUMNS = ("doc_id", "annotator_count", "adjudicated")


@dataclass
class Tally:
    """What the release statistics are made of, added batch by batch of documents (narrow
    columns and counts only: no text, no span), so the build's memory does not grow with
    the corpus."""

    schema: Schema
    counted: list[Counted] = field(default_factory=list)
    docs: list[pl.DataFrame] = field(default_factory=list)  # outlet, status, language
    annotation: list[pa.Table] = field(default_factory=list)
    zones: Counter[str] = field(default_factory=Counter)
    markers: Counter[str] = field(default_factory=Counter)
    with_source_entity: int = 0
    nested: int = 0
    ner_segments: int = 0
    ner_tokens: int = 0

    def add(self, corpus: Corpus, documents: pa.Table, claims: pa.Table) -> None:
        """Count a batch: its corpus model and its release ``documents`` and ``claims``."""
        self.counted.append(counted_corpus(corpus))
        self.docs.append(frame_of(documents.select(["outlet", "status", "language"])))
        table = corpus["documents"]
        self.annotation.append(
            table.select([c for c in ANNOTATION_COLUMNS if c in table.column_names])
        )
        for name, counter in (("zones", self.zones), ("markers", self.markers)):
            labels = pc.struct_field(pc.list_flatten(documents[name]), "label")
            counter.update(labels.drop_null().to_pylist() if len(labels) else [])
        self.with_source_entity += claims.num_rows - claims["source_entity"].null_count
        self.nested += claims.num_rows - claims["parent"].null_count

    def add_ner(self, ner: pa.Table) -> None:
        """Count rows of the ``ner`` config."""
        self.ner_segments += ner.num_rows
        if ner.num_rows:
            self.ner_tokens += int(pc.sum(pc.list_value_length(ner["tokens"])).as_py() or 0)

    def corpus_stats(self) -> CorpusStats:
        """:func:`isf_claims.stats.corpus_stats` of every batch added."""
        first = self.counted[0]
        whole = Counted(
            documents=pl.concat([c.documents for c in self.counted]),
            labels=pl.concat([c.labels for c in self.counted]),
            attributes=pl.concat([c.attributes for c in self.counted]),
            members=first.members,  # the shared clusters: the same in every batch
            entities=first.entities,
        )
        return stats_of(whole, self.schema)


def compute(
    tally: Tally,
    rows: dict[str, dict[str, int]],
    clusters_table: pa.Table,
    ner_report: dict[str, Any],
    agreement: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Statistics of a release (JSON-ready; rendered by the card) from the counts of every
    batch; ``rows``: rows per config and split; ``agreement`` is the agreement report when a
    second annotation set exists."""
    schema = tally.schema
    cs = tally.corpus_stats()
    totals = dict(cs.totals.iter_rows())
    docs = pl.concat(tally.docs)
    outlets = docs["outlet"].fill_null(UNNAMED_OUTLET).value_counts().sort("outlet")
    attrs = cs.claim_attributes
    clusters = frame_of(clusters_table).select("id", "members").explode("members")
    spanning = clusters.group_by("id").agg(
        pl.col("members").struct.field("doc_id").n_unique().alias("n")
    )
    return {
        "documents": {
            "total": totals["documents"],
            "by_split": rows["documents"],
            "by_outlet": {k: int(v) for k, v in outlets.iter_rows()},
            "by_status": {
                v: int((docs["status"] == v).sum()) for v in schema.values("annotation_status")
            },
            "languages": sorted(set(docs["language"].drop_nulls().to_list())),
            "code_points": totals["code_points"],
        },
        "zones": {
            "total": totals["zones"],
            "by_label": {v: tally.zones.get(v, 0) for v in schema.values("zone_label")},
        },
        "mentions": {
            "total": totals["mentions"],
            "by_split": rows["mentions"],
            "by_label": _sum(cs.mention_labels, "label"),
            "linked_to_entity": totals["linked_mentions"],
        },
        "claims": {
            "total": totals["claims"],
            "by_split": rows["claims"],
            **{
                f"by_{name}": _sum(attrs.filter(pl.col("attribute") == name), "value")
                for name, _ in claim_vocab_fields(schema)
            },
            "with_source_entity": tally.with_source_entity,
            "nested_in_another_claim": tally.nested,
        },
        "markers": {
            "total": totals["markers"],
            "by_label": {v: tally.markers.get(v, 0) for v in schema.values("marker_label")},
        },
        "entities": {"total": totals["entities"]},
        "clusters": {
            "total": clusters_table.num_rows,
            "members": totals["cluster_members"],
            "spanning_two_or_more_documents": int((spanning["n"] >= 2).sum()),
        },
        "ner": {
            "segments": tally.ner_segments,
            "tokens": tally.ner_tokens,
            **{
                k: ner_report[k]
                for k in ("mentions", "tagged", "tagged_on_token_boundaries", "resolved")
            },
        },
        "annotation": annotation_of_documents(pa.concat_tables(tally.annotation)),
        "agreement": agreement_figures(agreement),
    }
