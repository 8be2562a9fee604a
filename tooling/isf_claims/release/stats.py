"""The numbers a release states about itself, computed at build time.

Corpus-wide counts (totals, mentions per label, claims per attribute value) come from
:func:`isf_claims.stats.corpus_stats`, the project's one statistics module; this module adds
what only a release has: rows per split, zone and marker labels, and the ``ner`` conversion.
Nothing is typed by hand, and every vocabulary value is listed (zeros included).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow.compute as pc

from isf_claims.corpus import Corpus
from isf_claims.frames import frame_of
from isf_claims.release.tables import ReleaseTables
from isf_claims.stats import CorpusStats, claim_vocab_fields, corpus_stats

SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"))
UNNAMED_OUTLET = "(not named in the article)"


def size_category(n: int) -> str:
    """Hugging Face ``size_categories`` value for ``n`` examples."""
    return next((name for bound, name in SIZE_CATEGORIES if n < bound), "100K<n<1M")


def _sum(long: pl.DataFrame, key: str) -> dict[str, int]:
    """Long per-document counts summed per ``key`` value, in the frame's (vocabulary) order."""
    out = long.group_by(key, maintain_order=True).agg(pl.col("n").sum())
    return {k: int(v) for k, v in out.iter_rows()}


def _labels(nested: pl.DataFrame, column: str, values: list[str]) -> dict[str, int]:
    items = nested.select(pl.col(column).explode().struct.field("label")).drop_nulls()
    found = dict(items.group_by("label").len().iter_rows())
    return {v: int(found.get(v, 0)) for v in values}


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


def annotation_of_documents(corpus: Corpus) -> dict[str, Any]:
    """How many annotators annotated each document and whether it was adjudicated (the
    document record's ``annotator_count`` and ``adjudicated``; null: not recorded), per
    document up to :data:`PER_DOCUMENT_LIMIT` documents, and counted."""
    table = corpus["documents"]
    cols = [c for c in ("doc_id", "annotator_count", "adjudicated") if c in table.column_names]
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


def compute(
    corpus: Corpus,
    rt: ReleaseTables,
    ner_report: dict[str, Any],
    agreement: dict[str, Any] | None = None,
    cs: CorpusStats | None = None,
) -> dict[str, Any]:
    """Statistics of a release (JSON-ready; rendered by the card); ``agreement`` is the
    agreement report when a second annotation set exists; ``cs`` the corpus statistics if
    they were computed already (the build computes them in another thread)."""
    schema = corpus.schema
    cs = cs if cs is not None else corpus_stats(corpus)
    totals = dict(cs.totals.iter_rows())
    # Only the columns counted here: texts and mentions stay in Arrow.
    docs = frame_of(
        rt.tables["documents"].select(["outlet", "status", "language", "zones", "markers"])
    )
    rows = configs_rows(rt)
    outlets = docs["outlet"].fill_null(UNNAMED_OUTLET).value_counts().sort("outlet")
    attrs = cs.claim_attributes
    clusters = frame_of(rt.tables["clusters"]).select("id", "members").explode("members")
    spanning = clusters.group_by("id").agg(
        pl.col("members").struct.field("doc_id").n_unique().alias("n")
    )
    claims = frame_of(rt.tables["claims"].select(["source_entity", "parent"]))
    ner = rt.tables["ner"]
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
            "by_label": _labels(docs, "zones", schema.values("zone_label")),
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
            "with_source_entity": int(claims["source_entity"].is_not_null().sum()),
            "nested_in_another_claim": int(claims["parent"].is_not_null().sum()),
        },
        "markers": {
            "total": totals["markers"],
            "by_label": _labels(docs, "markers", schema.values("marker_label")),
        },
        "entities": {"total": totals["entities"]},
        "clusters": {
            "total": rt.tables["clusters"].num_rows,
            "members": totals["cluster_members"],
            "spanning_two_or_more_documents": int((spanning["n"] >= 2).sum()),
        },
        "ner": {
            "segments": ner.num_rows,
            "tokens": int(pc.sum(pc.list_value_length(ner["tokens"])).as_py() or 0),
            **{
                k: ner_report[k]
                for k in ("mentions", "tagged", "tagged_on_token_boundaries", "resolved")
            },
        },
        "annotation": annotation_of_documents(corpus),
        "agreement": agreement_figures(agreement),
    }


def configs_rows(rt: ReleaseTables) -> dict[str, dict[str, int]]:
    """Rows per config and split (splits without rows left out)."""
    return {name: {s: part.num_rows for s, part in rt.split_of(name)} for name in rt.tables}
