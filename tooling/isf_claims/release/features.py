"""Hugging Face ``datasets`` features of each release table, from the Arrow schema and the
annotation schema's vocabularies.

Every field that takes its values from a vocabulary (labels, attribution type, claim
attributes, annotation status, zone labels, IOB2 tags) becomes a ``ClassLabel`` whose names
are the vocabulary's values in schema order; the Parquet files keep the readable strings, and
``datasets`` casts them to class-label ids when it loads the folder. Spans are structs,
record lists are lists of structs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import datasets
import pyarrow as pa

from isf_claims.release.ner import tag_names
from isf_claims.release.parquet import canonical_type
from isf_claims.schema import Schema

if TYPE_CHECKING:
    from datasets.features.features import FeatureType

# Which schema layer describes the rows of each release table, and of each nested list.
TABLE_LAYER = {
    "documents": "document",
    "mentions": "mention",
    "claims": "claim",
    "entities": "entity",
    "clusters": "cluster",
}
NESTED_LAYER = {
    ("document", "zones"): "zone",
    ("document", "mentions"): "mention",
    ("document", "claims"): "claim",
    ("document", "markers"): "marker",
    ("cluster", "members"): "cluster_member",
}


def vocabulary_names(schema: Schema, table: str) -> dict[tuple[str, ...], list[str]]:
    """Field path (within the table) -> class-label names, for every vocabulary field."""
    out: dict[tuple[str, ...], list[str]] = {}
    if table == "ner":
        out[("zone_label",)] = schema.values("zone_label")
        out[("ner_tags",)] = tag_names(schema)
        return out
    layer = TABLE_LAYER[table]
    for f in schema.layer(layer).fields:
        if f.vocabulary:
            out[(f.name,)] = schema.values(f.vocabulary)
    for (parent, name), child in NESTED_LAYER.items():
        if parent == layer:
            for f in schema.layer(child).fields:
                if f.vocabulary:
                    out[(name, f.name)] = schema.values(f.vocabulary)
    return out


def _feature(
    t: pa.DataType, path: tuple[str, ...], vocab: dict[tuple[str, ...], list[str]]
) -> FeatureType:
    if path in vocab:
        names = vocab[path]
        label = datasets.ClassLabel(names=names)
        return datasets.List(label) if pa.types.is_list(t) else label
    if pa.types.is_list(t):
        return datasets.List(_feature(t.value_type, path, vocab))
    if pa.types.is_struct(t):
        return {f.name: _feature(f.type, (*path, f.name), vocab) for f in t}
    return datasets.Value(str(t))


def table_features(schema: Schema, table: str, arrow: pa.Schema) -> datasets.Features:
    """The features ``datasets`` loads ``table`` with."""
    vocab = vocabulary_names(schema, table)
    return datasets.Features(
        {f.name: _feature(canonical_type(f.type), (f.name,), vocab) for f in arrow}
    )
