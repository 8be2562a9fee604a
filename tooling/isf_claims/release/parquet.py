"""Deterministic Parquet: every writer setting that reaches the bytes is fixed here.

The bytes of a file depend on the table (types, row order: fixed by the builders), the
pyarrow version (pinned exactly in pyproject.toml; it also fixes the footer's ``created_by``)
and the settings below. No timestamps, no pandas metadata, no settings left to defaults that
a future pyarrow might change.
"""

from __future__ import annotations

from pathlib import Path

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
    return sink.getvalue().to_pybytes()


class ParquetSink:
    """One Parquet file written as its rows arrive, byte-identical to :func:`parquet_bytes`
    of all the rows at once: rows are held until a whole row group of
    :data:`ROW_GROUP_SIZE` rows is there, and each row group is written from one contiguous
    chunk per column, as ``pq.write_table`` cuts a whole table. A row group is gathered
    column by column, each held column let go once copied, so at most one row group and
    one column are in memory twice. ``path`` None: the file is kept in memory (:meth:`close`
    returns its bytes)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.rows = 0
        self.schema: pa.Schema | None = None
        self._held: list[list[pa.ChunkedArray | None]] = []  # per batch, its columns
        self._held_rows = 0
        self._sink: pa.BufferOutputStream | None = None
        self._writer: pq.ParquetWriter | None = None

    def add(self, table: pa.Table) -> None:
        """Append ``table``'s rows (a table of no row is ignored)."""
        if not table.num_rows:
            return
        if self.schema is None:
            self.schema = pa.schema([f.with_type(canonical_type(f.type)) for f in table.schema])
        self._held.append(list(table.columns))
        self._held_rows += table.num_rows
        self.rows += table.num_rows
        while self._held_rows >= ROW_GROUP_SIZE:
            self._write(ROW_GROUP_SIZE)

    def _write(self, n: int) -> None:
        """Write the first ``n`` held rows as one row group."""
        assert self.schema is not None
        lengths = [len(next(c for c in cols if c is not None)) for cols in self._held]
        columns = []
        for i, f in enumerate(self.schema):
            parts = [cols[i] for cols in self._held]
            chunked = pa.chunked_array([c for p in parts for c in p.chunks], type=parts[0].type)
            rest = chunked.slice(n)
            col = chunked.slice(0, n).combine_chunks()
            columns.append(col if col.type == f.type else col.cast(f.type))
            del chunked
            for cols in self._held:  # let the copied column go
                cols[i] = None
            if len(rest):
                self._held[-1][i] = rest
        kept = sum(lengths) - n
        self._held = [self._held[-1]] if kept else []
        self._held_rows = kept
        group = pa.Table.from_arrays(columns, schema=self.schema)
        if self._writer is None:
            if self.path is None:
                self._sink = pa.BufferOutputStream()
                self._writer = pq.ParquetWriter(self._sink, self.schema, **WRITER)
            else:
                self._writer = pq.ParquetWriter(str(self.path), self.schema, **WRITER)
        self._writer.write_table(group, row_group_size=ROW_GROUP_SIZE)

    def close(self) -> bytes | None:
        """Write what is held and close the file: its bytes when kept in memory (``b""``:
        no row was added, and no file made)."""
        if self._held_rows:
            self._write(self._held_rows)
        if self._writer is None:
            return b"" if self.path is None else None
        self._writer.close()
        self._writer = None
        if self._sink is not None:
            return self._sink.getvalue().to_pybytes()
        return None
