"""Deterministic Parquet: every writer setting that reaches the bytes is fixed here.

The bytes of a file depend on the table (types, row order: fixed by the builders), the
pyarrow version (pinned exactly in pyproject.toml; it also fixes the footer's ``created_by``)
and the settings below. No timestamps, no pandas metadata, no settings left to defaults that
a future pyarrow might change.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

WRITER = {
    "version": "2.6",
    "data_page_version": "1.0",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_size": 1 << 20,
    "dictionary_pagesize_limit": 1 << 20,
    "write_batch_size": 1024,
    "use_compliant_nested_type": True,
    "store_schema": True,
    "write_page_index": False,
    "write_page_checksum": False,
    "use_byte_stream_split": False,
    "coerce_timestamps": None,
    "allow_truncated_timestamps": False,
}
ROW_GROUP_SIZE = 65536


def canonical_type(t: pa.DataType) -> pa.DataType:
    """``t`` with large strings and lists as their 32-bit forms (what every reader expects)."""
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_list(t):
        return pa.list_(pa.field("item", canonical_type(t.value_type)))
    if pa.types.is_struct(t):
        return pa.struct([f.with_type(canonical_type(f.type)) for f in t])
    return t


def canonical(table: pa.Table) -> pa.Table:
    """``table`` with canonical types and no schema metadata, in one contiguous chunk."""
    schema = pa.schema([f.with_type(canonical_type(f.type)) for f in table.schema])
    # Only the columns whose type differs are cast (pyarrow's cast of a list of structs with
    # a null-typed child, as the standoff release has, loses the child's length).
    columns = [
        c if c.type == f.type else c.cast(f.type)
        for c, f in zip(table.columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(columns, schema=schema).combine_chunks()


def parquet_bytes(table: pa.Table) -> bytes:
    """The Parquet file of ``table``, byte-identical for identical tables."""
    sink = pa.BufferOutputStream()
    pq.write_table(canonical(table), sink, row_group_size=ROW_GROUP_SIZE, **WRITER)
    data: bytes = sink.getvalue().to_pybytes()
    return data
