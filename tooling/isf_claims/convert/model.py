"""The interchange model every converter reads or writes: per-document records as plain
dicts (spans nested, ids kept), the shared entities and clusters, and each layer's *shape*.

A shape sorts a layer's fields by what a tool format needs to know about them: which
vocabulary field is the span's type, which span roles a record has (a claim has content, cue
and source; a zone has one span), which vocabulary fields are attributes, which fields point
at another record, and which are free text. Shapes are read from the schema, so a new schema
version's labels, attributes and text fields flow through every converter unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isf_claims import annotations as fmt
from isf_claims.corpus import LAYER_TABLES, Corpus
from isf_claims.errors import EXIT_INVALID, refuse
from isf_claims.repo import Repo
from isf_claims.schema import DOCUMENT_LAYERS, SPAN_KEYS, Schema

# A record's top-level span (zones, mentions, markers) has the empty role name.
TOP = ""
# Fields that hold the id of another record: layer -> field -> (role it hangs on, target).
# This is the schema's reference structure (its descriptions say "Id of ..."); it is the
# only structural knowledge kept in code.
REFERENCES: dict[str, dict[str, tuple[str, str]]] = {
    "mention": {"entity": (TOP, "entity")},
    "claim": {
        "source_mention": ("source", "mention"),
        "source_entity": ("source", "entity"),
        "parent": ("content", "claim"),
    },
    "marker": {"claim": (TOP, "claim")},
}
_FIXED = {"layer", "id", "start", "end", "text"}


@dataclass(frozen=True)
class Shape:
    """What a tool format needs to know about one layer's fields."""

    layer: str
    label: str | None
    roles: tuple[str, ...]
    attributes: tuple[str, ...]
    links: dict[str, tuple[str, str]]
    texts: tuple[str, ...]
    vocabularies: dict[str, str] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        """The role that carries the record's id (the first, required, span)."""
        return self.roles[0]

    def label_of(self, record: dict[str, Any]) -> str | None:
        """The record's label (None when the layer has no label field or it is unset)."""
        label: str | None = record.get(self.label) if self.label else None
        return label


def shape(schema: Schema, layer: str) -> Shape:
    """The shape of ``layer`` under ``schema``."""
    spec = schema.layer(layer)
    refs = REFERENCES.get(layer, {})
    label, roles, attrs, texts = None, [], [], []
    vocabularies: dict[str, str] = {}
    if {"start", "end", "text"} <= set(spec.field_names):
        roles.append(TOP)
    for f in spec.fields:
        if f.name in _FIXED:
            continue
        if f.vocabulary:
            vocabularies[f.name] = f.vocabulary
        if f.type == "span":
            roles.append(f.name)
        elif f.name in refs:
            continue
        elif f.vocabulary and f.name == "label":
            label = f.name
        elif f.vocabulary:
            attrs.append(f.name)
        elif f.type == "string":
            texts.append(f.name)
        else:
            raise refuse(
                "convert-unsupported-field",
                expected="span, string or vocabulary fields",
                found=f.type,
                field=f"{layer}.{f.name}",
                type=f.type,
            )
    return Shape(layer, label, tuple(roles), tuple(attrs), dict(refs), tuple(texts), vocabularies)


def shapes(schema: Schema) -> dict[str, Shape]:
    return {layer: shape(schema, layer) for layer in DOCUMENT_LAYERS}


def span_of(record: dict[str, Any], role: str) -> dict[str, Any] | None:
    """The span of ``role`` in ``record`` ({start, end, text}) or None."""
    if role == TOP:
        return {k: record.get(k) for k in SPAN_KEYS}
    return record.get(role)


def present_spans(
    doc: Document, shps: dict[str, Shape]
) -> list[tuple[dict[str, Any], str, str, dict[str, Any]]]:
    """Every span ``doc`` holds as (record, layer, role, span), layers in schema order."""
    out = []
    for layer, shp in shps.items():
        for rec in doc.records[layer]:
            for role in shp.roles:
                span = span_of(rec, role)
                if span is not None and span.get("start") is not None:
                    out.append((rec, layer, role, span))
    return out


def structure(shp: Shape, present: list[str]) -> list[tuple[str, str]]:
    """Structure links among a record's present roles: each non-anchor role points at the
    next present role toward the anchor (source -> cue -> content)."""
    order = [r for r in shp.roles if r in present]
    return [(order[i], order[i - 1]) for i in range(len(order) - 1, 0, -1)]


def records_with_structure(
    doc: Document, shps: dict[str, Shape], have: set[tuple[str, str, str]]
) -> list[tuple[str, Shape, dict[str, Any], list[tuple[str, str]]]]:
    """Records whose anchor span is present, with their structure links:
    (layer, shape, record, [(from role, to role), ...])."""
    out = []
    for layer, shp in shps.items():
        for rec in doc.records[layer]:
            if (layer, rec["id"], shp.anchor) in have:
                present = [r for r in shp.roles if (layer, rec["id"], r) in have]
                out.append((layer, shp, rec, structure(shp, present)))
    return out


@dataclass
class Document:
    """One document: its header, its raw text and its records by layer."""

    header: dict[str, Any]
    text: str
    records: dict[str, list[dict[str, Any]]]

    @property
    def doc_id(self) -> str:
        doc_id: str = self.header["doc_id"]
        return doc_id


@dataclass
class Interchange:
    """What converters exchange: documents plus the shared records (None: not carried)."""

    schema: Schema
    documents: list[Document]
    entities: list[dict[str, Any]] | None = None
    clusters: list[dict[str, Any]] | None = None


def _unflatten(schema: Schema, layer: str, row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if not k.startswith("_") and k != "doc_id"}
    for name in schema.layer(layer).span_fields:
        parts = {k: out.pop(f"{name}_{k}") for k in SPAN_KEYS}
        out[name] = None if parts["start"] is None and parts["text"] is None else parts
    return out


def from_corpus(corpus: Corpus, doc_ids: list[str] | None = None) -> Interchange:
    """The interchange form of ``corpus`` (all documents, or ``doc_ids`` in that order)."""
    schema = corpus.schema
    wanted = doc_ids if doc_ids is not None else corpus.doc_ids
    missing = sorted(set(wanted) - set(corpus.doc_ids))
    if missing:
        raise refuse(
            "unknown-document",
            record=", ".join(missing),
            expected="an annotated document id",
            found=", ".join(missing),
            exit_code=EXIT_INVALID,
            what="annotation file",
        )
    per_doc: dict[str, dict[str, list[dict[str, Any]]]] = {
        d: {layer: [] for layer in DOCUMENT_LAYERS} for d in wanted
    }
    for layer in DOCUMENT_LAYERS:
        for row in corpus[LAYER_TABLES[layer]].to_pylist():
            if row["doc_id"] in per_doc:
                per_doc[row["doc_id"]][layer].append(_unflatten(schema, layer, row))
    header_fields = [f for f in schema.layer("document").field_names if f != "layer"]
    docs = []
    by_id = {r["doc_id"]: r for r in corpus["documents"].to_pylist()}
    for d in wanted:
        row = by_id[d]
        docs.append(Document({k: row[k] for k in header_fields}, row["text"], per_doc[d]))
    members: dict[str, list[dict[str, Any]]] = {}
    for m in corpus["cluster_members"].to_pylist():
        members.setdefault(m["cluster_id"], []).append(
            {"doc_id": m["doc_id"], "claim": m["claim"], "note": m["note"]}
        )
    entities = [_unflatten(schema, "entity", r) for r in corpus["entities"].to_pylist()]
    clusters = [
        {**_unflatten(schema, "cluster", r), "members": members.get(r["id"], [])}
        for r in corpus["clusters"].to_pylist()
    ]
    return Interchange(schema, docs, entities, clusters)


def to_files(repo: Repo, inter: Interchange) -> dict[Path, bytes]:
    """Canonical annotation file bytes of ``inter`` (shared files only when carried)."""
    schema = inter.schema
    out: dict[Path, bytes] = {}
    for doc in inter.documents:
        records = [{**r, "layer": layer} for layer, recs in doc.records.items() for r in recs]
        out[repo.annotation_path(doc.doc_id)] = fmt.to_bytes(
            fmt.document_lines(schema, doc.header, records)
        )
    if inter.entities is not None:
        out[repo.entities_path] = fmt.to_bytes(fmt.shared_lines(schema, "entity", inter.entities))
    if inter.clusters is not None:
        out[repo.clusters_path] = fmt.to_bytes(fmt.shared_lines(schema, "cluster", inter.clusters))
    return out


def next_ids(used: list[str], prefix: str, count: int) -> list[str]:
    """``count`` fresh ids after the highest of ``used`` (ids are never reused)."""
    top = max((fmt.id_number(u) for u in used), default=0)
    top = max(top, 0)
    return [f"{prefix}{top + i}" for i in range(1, count + 1)]
