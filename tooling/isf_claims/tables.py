"""Arrow schemas of the corpus tables, derived from the annotation schema.

Each layer becomes one flat table: span fields are flattened to ``<name>_start``,
``<name>_end`` and ``<name>_text``; document-level tables carry ``doc_id``; every table
carries its provenance (``_file``, ``_line``) so a finding can name the file and line.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims.raw import META_FIELDS
from isf_claims.schema import DOCUMENT_LAYERS, Layer, Schema

PROVENANCE = [pa.field("_file", pa.string(), nullable=False), pa.field("_line", pa.int32())]
SPAN_TYPE = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
MEMBER_TYPE = pa.struct([("doc_id", pa.string()), ("claim", pa.string()), ("note", pa.string())])
_SCALAR = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_()}

_MAX_BLOCK = 2**31 - 1


def read_json_lines(data: bytes, options: pj.ParseOptions, block_size: int = 0) -> pa.Table:
    """JSON lines parsed by pyarrow (``block_size`` 0: Arrow's default). A line longer than
    a block (Arrow's "straddling object" error) is valid JSON all the same: the bytes are
    parsed again as one block."""
    read = pj.ReadOptions(block_size=block_size) if block_size else pj.ReadOptions()
    try:
        return pj.read_json(
            pa.BufferReader(pa.py_buffer(data)), read_options=read, parse_options=options
        )
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc) or len(data) >= _MAX_BLOCK:
            raise
    whole = pj.ReadOptions(block_size=len(data) + 1)
    return pj.read_json(
        pa.BufferReader(pa.py_buffer(data)), read_options=whole, parse_options=options
    )


# Table name -> schema layer, in the order tables are listed everywhere.
TABLE_LAYERS = {
    "documents": "document",
    "zones": "zone",
    "mentions": "mention",
    "claims": "claim",
    "markers": "marker",
    "entities": "entity",
    "clusters": "cluster",
    "cluster_members": "cluster_member",
}
META_TYPES = {"n_bytes": pa.int64(), "n_codepoints": pa.int64()}


def file_type(field_type: str) -> pa.DataType:
    """Arrow type of a field as it appears in an annotation file."""
    if field_type == "span":
        return SPAN_TYPE
    if field_type == "members":
        return pa.list_(MEMBER_TYPE)
    return _SCALAR[field_type]


def record_schema(schema: Schema) -> pa.Schema:
    """Union of every per-document layer's fields: the parse schema of an annotation file."""
    seen: dict[str, pa.Field] = {}
    for layer in ("document", *DOCUMENT_LAYERS):
        for f in schema.layer(layer).fields:
            seen.setdefault(f.name, pa.field(f.name, file_type(f.type)))
    return pa.schema(list(seen.values()))


def shared_schema(layer: Layer) -> pa.Schema:
    """Parse schema of ``entities.jsonl`` / ``clusters.jsonl``."""
    return pa.schema([pa.field(f.name, file_type(f.type)) for f in layer.fields])


def flat_fields(layer: Layer) -> list[pa.Field]:
    """Table columns of a layer: spans flattened, ``layer`` dropped."""
    out: list[pa.Field] = []
    for f in layer.fields:
        if f.name == "layer":
            continue
        if f.type == "span":
            out += [
                pa.field(f"{f.name}_start", pa.int64()),
                pa.field(f"{f.name}_end", pa.int64()),
                pa.field(f"{f.name}_text", pa.string()),
            ]
        elif f.type == "members":
            continue
        else:
            out.append(pa.field(f.name, _SCALAR[f.type]))
    return out


def table_schema(schema: Schema, table: str) -> pa.Schema:
    """Arrow schema of a corpus table."""
    layer = schema.layer(TABLE_LAYERS[table])
    fields = flat_fields(layer)
    if table == "documents":
        names = {f.name for f in fields}
        fields += [
            pa.field(m, META_TYPES.get(m, pa.string())) for m in META_FIELDS if m not in names
        ]
        fields.append(pa.field("text", pa.string()))
    elif table in ("zones", "mentions", "claims", "markers"):
        fields.insert(0, pa.field("doc_id", pa.string()))
    return pa.schema(fields + PROVENANCE)


def cluster_members(schema: Schema, recs: pa.Table, lines: np.ndarray, rel: str) -> pa.Table:
    """The ``cluster_members`` table from typed cluster records (``lines``: each record's
    1-based line in ``rel``), one row per member, columnar."""
    members = recs["members"].combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(members), 0).to_numpy()
    parent = pc.list_parent_indices(members)
    flat = pc.list_flatten(members)
    cols = [
        recs["id"].combine_chunks().take(parent),
        pc.struct_field(flat, "doc_id"),
        pc.struct_field(flat, "claim"),
        pc.struct_field(flat, "note"),
        pa.array([rel] * len(flat), pa.string()),
        pa.array(np.repeat(lines, lengths).astype(np.int32)),
    ]
    return pa.Table.from_arrays(cols, schema=table_schema(schema, "cluster_members"))
