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
        return self.schema.vocabularies.get(vocabulary, {}).get(value or "", "")

    def title(self, doc_id: str) -> str:
        """A document's headline (its first headline zone) or its id."""
        for zone in self.rows("zones", doc_id):
            if zone["label"] == TITLE_ZONE:
                return zone["text"]
        return doc_id


def site_data(corpus: Corpus) -> SiteData:
    """Group the corpus's records for the page builders."""
    data = SiteData(corpus, corpus_stats(corpus), load_palette())
    for doc in corpus["documents"].to_pylist():
        data.docs[doc["doc_id"]] = doc
    for row in data.stats.documents.iter_rows(named=True):
        data.keys[row["doc_id"]] = row["key"]
        data.outlets[row["doc_id"]] = row["outlet_label"]
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
    data.clusters = [
        c
        for c in corpus["clusters"].to_pylist()
        if any(m["doc_id"] in data.docs for m in data.members.get(c["id"], []))
    ]
    return data
