"""What the page builders read: the corpus's records grouped by document, plus look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from isf_claims.corpus import Corpus
from isf_claims.render.palette import Palette, load_palette
from isf_claims.schema import Schema
from isf_claims.stats import CorpusStats, corpus_stats

Row = dict[str, Any]
DOC_LAYER_TABLES = ("zones", "mentions", "claims", "markers")
TITLE_ZONE = "headline"  # the zone label whose text titles a document's page


@dataclass
class SiteData:
    """Records of the rendered documents and the shared entities and clusters."""

    corpus: Corpus
    stats: CorpusStats
    palette: Palette
    docs: dict[str, Row] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # doc_id -> D1...
    outlets: dict[str, str] = field(default_factory=dict)  # doc_id -> outlet as shown
    layers: dict[str, dict[str, list[Row]]] = field(default_factory=dict)
    entities: dict[str, Row] = field(default_factory=dict)
    clusters: list[Row] = field(default_factory=list)
    members: dict[str, list[Row]] = field(default_factory=dict)
    clusters_of: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def schema(self) -> Schema:
        return self.corpus.schema

    def rows(self, table: str, doc_id: str) -> list[Row]:
        return self.layers[table].get(doc_id, [])

    def find(self, table: str, doc_id: str, record_id: str | None) -> Row | None:
        if record_id is None:
            return None
        return next((r for r in self.rows(table, doc_id) if r["id"] == record_id), None)

    def vocabulary(self, layer: str, name: str) -> str:
        """Vocabulary of a field (the palette is keyed by vocabulary names)."""
        return self.schema.layer(layer).field(name).vocabulary or ""

    def definition(self, vocabulary: str, value: str | None) -> str:
        vocab = self.schema.raw["vocabularies"].get(vocabulary, {})
        return str(vocab.get("values", {}).get(value or "", ""))

    def title(self, doc_id: str) -> str:
        """A document's headline (its first headline zone) or its id."""
        for zone in self.rows("zones", doc_id):
            if zone["label"] == TITLE_ZONE:
                title: str = zone["text"]
                return title
        return doc_id


def site_data(
    corpus: Corpus, stats: CorpusStats | None = None, rendered: set[str] | None = None
) -> SiteData:
    """Group the corpus's records for the page builders. ``stats`` and ``rendered`` (the
    ids of every document of the site) are the whole site's when ``corpus`` holds one batch
    of its documents; by default they are the corpus's own."""
    data = SiteData(corpus, stats if stats is not None else corpus_stats(corpus), load_palette())
    for doc in corpus["documents"].to_pylist():
        data.docs[doc["doc_id"]] = doc
    for row in data.stats.documents.select("doc_id", "key", "outlet_label").iter_rows():
        data.keys[row[0]] = row[1]
        data.outlets[row[0]] = row[2]
    for table in DOC_LAYER_TABLES:
        grouped: dict[str, list[Row]] = {}
        for row in corpus[table].to_pylist():
            grouped.setdefault(row["doc_id"], []).append(row)
        data.layers[table] = grouped
    data.entities = {e["id"]: e for e in corpus["entities"].to_pylist()}
    for m in corpus["cluster_members"].to_pylist():
        data.members.setdefault(m["cluster_id"], []).append(m)
        data.clusters_of.setdefault((m["doc_id"], m["claim"]), []).append(m["cluster_id"])
    # A cluster is shown when one of its members is in the rendered documents.
    shown = rendered if rendered is not None else data.docs
    data.clusters = [
        c
        for c in corpus["clusters"].to_pylist()
        if any(m["doc_id"] in shown for m in data.members.get(c["id"], []))
    ]
    return data


def member_claims(data: SiteData) -> dict[str, list[Row]]:
    """The claims of ``data``'s documents that are members of a shown cluster, per document
    (what the cluster pages need of a batch)."""
    shown = {c["id"] for c in data.clusters}
    out: dict[str, list[Row]] = {}
    for doc_id, claims in data.layers["claims"].items():
        kept = [
            c
            for c in claims
            if any(k in shown for k in data.clusters_of.get((doc_id, c["id"]), []))
        ]
        if kept:
            out[doc_id] = kept
    return out


def cluster_data(base: SiteData, claims: dict[str, list[Row]], rendered: list[str]) -> SiteData:
    """What the cluster pages read, for a site made in batches: ``base`` (any batch's data)
    with the member claims of every rendered document and no texts."""
    data = SiteData(base.corpus, base.stats, base.palette)
    data.docs = {d: {"doc_id": d} for d in rendered}
    data.keys, data.outlets, data.entities = base.keys, base.outlets, base.entities
    data.layers = {table: {} for table in DOC_LAYER_TABLES}
    data.layers["claims"] = claims
    data.clusters, data.members, data.clusters_of = base.clusters, base.members, base.clusters_of
    return data
