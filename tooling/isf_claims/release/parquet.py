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
    data: bytes = sink.getvalue().to_pybytes()
    return data


# Rows held for a row group are kept compressed, one buffer per column, so a row group of
# 65,536 documents costs a fraction of its size until it is written.
HOLD_CODEC = pa.Codec("zstd", 1)


def _pack(column: pa.ChunkedArray | pa.Array, name: str) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    table = pa.table({name: column})
    options = pa.ipc.IpcWriteOptions(compression=HOLD_CODEC)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _unpack(buffer: pa.Buffer) -> pa.ChunkedArray:
    return pa.ipc.open_stream(buffer).read_all().column(0)


class ParquetSink:
    """One Parquet file written as its rows arrive, byte-identical to :func:`parquet_bytes`
    of all the rows at once: rows are held until a whole row group of
    :data:`ROW_GROUP_SIZE` rows is there, and each row group is written from one contiguous
    chunk per column, as ``pq.write_table`` cuts a whole table. Held rows are kept
    compressed, column by column, and a row group is gathered a column at a time, so memory
    holds one row group and the compressed rows waiting. ``path`` None: the file is kept in
    memory (:meth:`close` returns its bytes)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.rows = 0
        self.schema: pa.Schema | None = None
        self._held: list[tuple[int, list[pa.Buffer | None]]] = []  # rows, packed columns
        self._held_rows = 0
        self._sink: pa.BufferOutputStream | None = None
        self._writer: pq.ParquetWriter | None = None

    def add(self, table: pa.Table) -> None:
        """Append ``table``'s rows (a table of no row is ignored)."""
        if not table.num_rows:
            return
        if self.schema is None:
            self.schema = pa.schema([f.with_type(canonical_type(f.type)) for f in table.schema])
        packed: list[pa.Buffer | None] = [
            _pack(c, f.name) for c, f in zip(table.columns, table.schema, strict=True)
        ]
        self._held.append((table.num_rows, packed))
        self._held_rows += table.num_rows
        self.rows += table.num_rows
        while self._held_rows >= ROW_GROUP_SIZE:
            self._write(ROW_GROUP_SIZE)

    def _write(self, n: int) -> None:
        """Write the first ``n`` held rows as one row group."""
        assert self.schema is not None
        kept = self._held_rows - n  # all from the last part held (see add)
        columns: list[pa.Array | None] = [None] * len(self.schema)
        # largest first: the copy of a column is made while few others are in memory
        sizes = [
            sum(c.size for _, cols in self._held if (c := cols[i]) is not None)
            for i in range(len(self.schema))
        ]
        for i in sorted(range(len(self.schema)), key=lambda i: -sizes[i]):
            f = self.schema.field(i)
            parts = []
            for _, cols in self._held:
                buffer = cols[i]
                assert buffer is not None
                parts.extend(_unpack(buffer).chunks)
                cols[i] = None  # let the packed column go
            chunked = pa.chunked_array(parts, type=parts[0].type)
            del parts
            if kept:
                self._held[-1][1][i] = _pack(chunked.slice(n), f.name)
            col = chunked.slice(0, n).combine_chunks()
            del chunked
            columns[i] = col if col.type == f.type else col.cast(f.type)
        self._held = [(kept, self._held[-1][1])] if kept else []
        self._held_rows = kept
        group = pa.Table.from_arrays([c for c in columns if c is not None], schema=self.schema)
        del columns
        if self._writer is None:
            if self.path is None:
                self._sink = pa.BufferOutputStream()
                self._writer = pq.ParquetWriter(self._sink, self.schema, **WRITER)
            else:
                self._writer = pq.ParquetWriter(str(self.path), self.schema, **WRITER)
        self._writer.write_table(group, row_group_size=ROW_GROUP_SIZE)
        del group
        pa.default_memory_pool().release_unused()

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
            data: bytes = self._sink.getvalue().to_pybytes()
            return data
        return None
