"""Release tables built from the corpus model: what a release publishes, before Parquet.

``documents`` has one row per article (metadata, text, and its zones, mentions, claims and
markers as lists of structs); ``mentions`` and ``claims`` are flat per-record tables;
``entities`` and ``clusters`` (members as a list of structs) are corpus-wide. Field names and
order follow the schema; claim spans (content, cue, source) are ``{start, end, text}``
structs, while zones, mentions and markers, which *are* spans, keep ``start``, ``end`` and
``text`` as their own fields, exactly as in the annotation files. Provenance columns
(``_file``, ``_line``) are never published. Row order is fixed: documents by id, records by
document then position then id number, shared records by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.corpus import Corpus
from isf_claims.raw import META_FIELDS
from isf_claims.release import splits as split_rule
from isf_claims.schema import Layer, Schema
from isf_claims.tables import SPAN_TYPE, TABLE_LAYERS

# Release table -> whether its rows belong to one document (and so to that document's split).
PER_DOCUMENT = {
    "documents": True,
    "mentions": True,
    "claims": True,
    "ner": True,
    "entities": False,
    "clusters": False,
}
CONFIGS = tuple(PER_DOCUMENT)
DEFAULT_CONFIG = "documents"
SHARED_SPLIT = "full"
NESTED_LAYERS = ("zones", "mentions", "claims", "markers")
# Document header fields not published: raw_sha256 equals the published sha256 once the
# corpus validates.
DROPPED_DOC_FIELDS = ("layer", "raw_sha256")


@dataclass
class ReleaseTables:
    """Tables of one release (all rows, before splitting) and each document's split."""

    schema: Schema
    tables: dict[str, pa.Table]
    splits: pa.Table  # doc_id, split
    _parts: dict[str, list[tuple[str, pa.Table]]] = field(default_factory=dict, repr=False)

    def split_of(self, table: str) -> list[tuple[str, pa.Table]]:
        """``(split, rows)`` pairs of ``table``, in split order, leaving out empty ones
        (computed once per table)."""
        if table not in self._parts:
            self._parts[table] = self._split(self.tables[table], PER_DOCUMENT[table])
        return self._parts[table]

    def put(self, table: str, parts: list[tuple[str, pa.Table]]) -> None:
        """Add ``table`` made split by split (``(split, rows)`` in split order)."""
        parts = [(name, part) for name, part in parts if part.num_rows]
        self._parts[table] = parts
        self.tables[table] = pa.concat_tables([part for _, part in parts])

    def _split(self, data: pa.Table, per_document: bool) -> list[tuple[str, pa.Table]]:
        if not per_document:
            return [(SHARED_SPLIT, data)] if data.num_rows else []
        lookup = pc.index_in(data["doc_id"], self.splits["doc_id"])
        row_split = pc.take(self.splits["split"], lookup)
        out = []
        for name in split_rule.SPLITS:
            part = data.filter(pc.equal(row_split, name))
            if part.num_rows:
                out.append((name, part))
        return out


def id_number(ids: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The number after an id's one-letter prefix (``m12`` -> 12), for ordering."""
    return pc.cast(pc.utf8_slice_codeunits(ids, 1), pa.int64())


def record_columns(table: pa.Table, layer: Layer) -> tuple[list[str], list[pa.Array]]:
    """A layer's release columns from its flat corpus table: span fields become structs."""
    names: list[str] = []
    cols: list[pa.Array] = []
    for f in layer.fields:
        if f.name == "layer" or f.type == "members":
            continue
        if f.type == "span":
            parts = [table[f"{f.name}_{k}"].combine_chunks() for k in ("start", "end", "text")]
            cols.append(
                pa.StructArray.from_arrays(parts, fields=list(SPAN_TYPE), mask=pc.is_null(parts[0]))
            )
        else:
            cols.append(table[f.name].combine_chunks())
        names.append(f.name)
    return names, cols


def _position_sort(table: pa.Table, doc_order: pa.Array, start: str, end: str) -> pa.Table:
    keyed = table.append_column("_doc", pc.index_in(table["doc_id"], doc_order))
    keyed = keyed.append_column("_num", id_number(table["id"]))
    order = pc.sort_indices(keyed, [(k, "ascending") for k in ("_doc", start, end, "_num")])
    return table.take(order)


def _layer_table(corpus: Corpus, name: str, doc_order: pa.Array) -> pa.Table:
    layer = corpus.schema.layer(TABLE_LAYERS[name])
    src = corpus[name]
    start, end = ("content_start", "content_end") if name == "claims" else ("start", "end")
    src = _position_sort(src, doc_order, start, end)
    names, cols = record_columns(src, layer)
    return pa.Table.from_arrays([src["doc_id"].combine_chunks(), *cols], ["doc_id", *names])


def _nest(flat: pa.Table, key: str, order: pa.Array) -> pa.ListArray:
    """One list of record structs per value of ``order``; ``flat`` is sorted by ``key`` in
    that order, and ``key`` itself is left out of the structs."""
    idx = pc.index_in(flat[key], order).to_numpy(zero_copy_only=False)
    counts = np.bincount(idx, minlength=len(order)) if len(idx) else np.zeros(len(order))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    body = flat.drop_columns([key])
    structs = pa.StructArray.from_arrays(
        [c.combine_chunks() for c in body.columns], fields=list(body.schema)
    )
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), structs)


def _documents(corpus: Corpus, flat: dict[str, pa.Table]) -> pa.Table:
    docs = corpus["documents"]
    docs = docs.take(pc.sort_indices(docs, [("doc_id", "ascending")]))
    header = [f.name for f in corpus.schema.layer("document").fields]
    keep = [n for n in header if n not in DROPPED_DOC_FIELDS]
    keep += [n for n in META_FIELDS if n not in keep and n != "sha256"] + ["sha256", "text"]
    keep = [n for n in dict.fromkeys(keep) if n in docs.column_names]
    out = docs.select(keep)
    order = out["doc_id"].combine_chunks()
    for name in NESTED_LAYERS:
        out = out.append_column(name, _nest(flat[name], "doc_id", order))
    return out


def _entities(corpus: Corpus) -> pa.Table:
    src = corpus["entities"]
    src = src.take(pc.sort_indices(src, [("id", "ascending")]))
    names, cols = record_columns(src, corpus.schema.layer("entity"))
    return pa.Table.from_arrays(cols, names)


def _clusters(corpus: Corpus) -> pa.Table:
    src = corpus["clusters"]
    src = src.take(pc.sort_indices(src, [("id", "ascending")]))
    layer = corpus.schema.layer("cluster")
    members = corpus["cluster_members"]
    members = members.append_column("_num", id_number(members["claim"]))
    members = members.append_column("_c", pc.index_in(members["cluster_id"], src["id"]))
    members = members.take(
        pc.sort_indices(
            members, [("_c", "ascending"), ("doc_id", "ascending"), ("_num", "ascending")]
        )
    )
    fields = [f.name for f in corpus.schema.layer("cluster_member").fields]
    member_list = _nest(members.select(fields), "cluster_id", src["id"].combine_chunks())
    cols: list[pa.Array] = []
    names: list[str] = []
    for f in layer.fields:
        if f.type == "members":
            cols.append(member_list)
        else:
            cols.append(src[f.name].combine_chunks())
        names.append(f.name)
    return pa.Table.from_arrays(cols, names)


def release_tables(corpus: Corpus) -> ReleaseTables:
    """Every release table except ``ner`` (see :mod:`isf_claims.release.ner`)."""
    docs = corpus["documents"]
    ids = docs["doc_id"].combine_chunks()
    doc_order = ids.take(pc.sort_indices(ids))
    flat = {name: _layer_table(corpus, name, doc_order) for name in NESTED_LAYERS}
    tables = {
        "documents": _documents(corpus, flat),
        "mentions": flat["mentions"],
        "claims": flat["claims"],
        "entities": _entities(corpus),
        "clusters": _clusters(corpus),
    }
    splits = pa.table({"doc_id": doc_order, "split": split_rule.assign(doc_order)})
    return ReleaseTables(corpus.schema, tables, splits)
