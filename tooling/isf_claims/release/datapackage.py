"""``datapackage.json``: a Frictionless Data Package (v2) describing every release file.

Each table's Parquet file of each split is a resource ``<table>-<split>`` with its Table
Schema, primary key, foreign keys, sha256 ``hash`` and byte size. Field descriptors reuse
the validation contract (:mod:`isf_claims.validation.contract`, the one definition of types
and constraints); the release's shapes are added on top: claim spans as ``object`` fields,
nested record lists as ``any`` fields (frictionless reads Parquet lists as arrays it does not
accept as ``array``), and the ``ner`` table's fields.

The byte size is written as ``isf:bytes``, not ``bytes``: frictionless reads Parquet
through pyarrow without counting bytes, so it reports any declared ``bytes`` as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from isf_claims.release.metadata import DatasetMeta
from isf_claims.release.parquet import canonical_type
from isf_claims.release.tables import PER_DOCUMENT, SHARED_SPLIT
from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation import contract

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
MEDIATYPE = "application/vnd.apache.parquet"
# Release tables described by a contract table of the same name.
CONTRACT_TABLES = ("documents", "mentions", "claims", "entities", "clusters")
# Fields the release adds, described here (they are not in the annotation schema).
RELEASE_FIELDS = {
    "text": "The article's full text, exactly as stored in raw/ (offsets index into it).",
    "zones": "The document's zones: list of {id, label, start, end, text}.",
    "mentions": "The document's entity mentions: list of {id, label, start, end, text, entity}.",
    "claims": "The document's claims: list of {id, content, cue, source, ... } (spans as "
    "{start, end, text}).",
    "markers": "The document's framing markers: list of {id, label, start, end, text, claim}.",
    "members": "Member claims: list of {doc_id, claim, note}.",
    "zone": "Id of the zone this segment is, or null for text no zone covers.",
    "zone_label": "Label of the zone, or null.",
    "tokens": "The segment's tokens.",
    "token_offsets": "Code-point offsets {start, end} of each token in the document.",
    "ner_tags": "IOB2 tag of each token.",
}
NER_KEY = ["doc_id", "start"]


def _type(t: pa.DataType) -> str:
    t = canonical_type(t)
    if pa.types.is_list(t):
        return "any"
    if pa.types.is_struct(t):
        return "object"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_boolean(t):
        return "boolean"
    return "string"


def _readable(field: dict[str, Any]) -> dict[str, Any]:
    """A contract field as frictionless can read it from Parquet. Frictionless reads Parquet
    through pandas, which turns an integer column holding nulls into floats (NaN); an optional
    integer field (``annotator_count``) is therefore declared ``any``, like the list columns.
    Its Parquet type stays int64 and the validation contract keeps checking it."""
    field = dict(field)
    if field["type"] == "integer" and not field.get("constraints", {}).get("required"):
        field.pop("constraints", None)
        field["type"] = "any"
    return field


def table_fields(schema: Schema, table: str, arrow: pa.Schema) -> list[dict[str, Any]]:
    """Table Schema fields of a release table."""
    known: dict[str, dict[str, Any]] = {}
    if table in CONTRACT_TABLES:
        known = {f["name"]: f for f in contract.table_schema(schema, table)["fields"]}
    layer = schema.layer(TABLE_LAYERS[table]) if table in CONTRACT_TABLES else None
    out: list[dict[str, Any]] = []
    for f in arrow:
        if f.name in known:
            out.append(_readable(known[f.name]))
            continue
        desc: dict[str, Any] = {"name": f.name, "type": _type(f.type)}
        spec = None
        if layer is not None and f.name in layer.field_names:
            spec = layer.field(f.name)
        text = spec.description if spec is not None else RELEASE_FIELDS.get(f.name)
        if text:
            desc["description"] = text
        if spec is not None and spec.required:
            desc["constraints"] = {"required": True}
        out.append(desc)
    return out


def primary_key(schema: Schema, table: str) -> list[str]:
    """The table's primary key (the schema's, or (doc_id, start) for ``ner`` segments)."""
    if table == "ner":
        return list(NER_KEY)
    return list(schema.layer(TABLE_LAYERS[table]).primary_key)


def references(tables: list[str]) -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """Foreign keys among the release ``tables``: every per-document table's ``doc_id``
    refers to ``documents``, plus the contract's references whose both ends are released."""
    out: list[tuple[str, tuple[str, ...], str, tuple[str, ...]]] = [
        (t, ("doc_id",), "documents", ("doc_id",)) for t in tables if PER_DOCUMENT[t]
    ]
    out = [r for r in out if r[0] != "documents"]
    out += [
        (r.table, r.fields, r.target, r.target_fields)
        for r in contract.REFERENCES
        if r.table in tables and r.target in tables and len(r.fields) == 1
    ]
    return out


def single_references(tables: list[str]) -> dict[str, dict[str, str]]:
    """table -> field -> ``target/field`` for the one-field foreign keys (for Croissant)."""
    out: dict[str, dict[str, str]] = {}
    for table, fields, target, target_fields in references(tables):
        if len(fields) == 1:
            out.setdefault(table, {})[fields[0]] = f"{target}/{target_fields[0]}"
    return out


def _resource(table: str, split: str) -> str:
    return f"{table}-{split}"


def datapackage(
    meta: DatasetMeta,
    schema: Schema,
    schemas: Mapping[str, pa.Schema],
    files: Mapping[str, Mapping[str, str]],
    digests: Mapping[str, tuple[str, int]],
    sources: list[dict[str, str]],
) -> dict[str, Any]:
    """The Data Package descriptor (``files``: table -> split -> path; ``digests``: path ->
    (sha256, bytes))."""
    refs = references(list(files))
    resources = []
    for table, split_files in files.items():
        for split, path in split_files.items():
            digest, size = digests[path]
            keys = []
            for src, fields, target, target_fields in refs:
                target_split = split if PER_DOCUMENT[target] else SHARED_SPLIT
                if src != table or target_split not in files.get(target, {}):
                    continue
                keys.append(
                    {
                        "fields": list(fields),
                        "reference": {
                            "resource": _resource(target, target_split),
                            "fields": list(target_fields),
                        },
                    }
                )
            table_schema: dict[str, Any] = {
                "fields": table_fields(schema, table, schemas[table]),
                "primaryKey": primary_key(schema, table),
            }
            if keys:
                table_schema["foreignKeys"] = keys
            resources.append(
                {
                    "name": _resource(table, split),
                    "type": "table",
                    "path": path,
                    "format": "parquet",
                    "mediatype": MEDIATYPE,
                    "hash": f"sha256:{digest}",
                    "isf:bytes": size,
                    "schema": table_schema,
                }
            )
    return {
        "$schema": PROFILE,
        "name": meta.name,
        "title": meta.get("pretty_name", meta.name),
        "description": meta.get("description", ""),
        "version": meta.version,
        "licenses": meta.get("licenses", []),
        "sources": sources,
        "contributors": [{"title": meta.get("creator", meta.name), "roles": ["creator"]}],
        "keywords": meta.get("huggingface", {}).get("tags", []),
        "resources": resources,
    }
