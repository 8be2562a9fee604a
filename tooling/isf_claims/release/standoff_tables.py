"""The tables of a standoff release: the full release's tables without the articles' text.

Every field named ``text`` (the document's text, each zone's, mention's and marker's text,
each claim span's text, each ``ner`` segment's text) becomes a column of Arrow type ``null``,
so the features say ``null`` too; the ``ner`` config loses ``tokens`` (it keeps
``token_offsets`` and ``ner_tags``). Any other string value that quotes an article (see
:mod:`isf_claims.release.quotes`) is sealed. The documents table gains ``text_access``: where
the text can be obtained.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.release.quotes import ArticlePassages, seal
from isf_claims.release.tables import ReleaseTables

WITHHELD_FIELD = "text"
DROPPED = {"ner": ("tokens",)}
ACCESS_FIELD = "text_access"


def string_leaves(arr: pa.Array, name: str) -> Iterator[pa.Array]:
    """Every string array inside ``arr`` except the ``text`` fields."""
    t = arr.type
    if name == WITHHELD_FIELD:
        return
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            yield from string_leaves(arr.field(i), t.field(i).name)
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        yield from string_leaves(arr.values, name)
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        yield arr


@dataclass(frozen=True)
class SealPlan:
    """The values to seal (original -> sealed) and the documents each needs."""

    originals: pa.Array
    sealed: pa.Array
    docs: dict[str, list[str]]

    @property
    def count(self) -> int:
        return len(self.originals)

    def apply(self, arr: pa.Array) -> pa.Array:
        if not len(self.originals) or not len(arr):
            return arr
        idx = pc.index_in(arr.cast(pa.string()), value_set=self.originals)
        if idx.null_count == len(idx):
            return arr
        return pc.if_else(pc.is_null(idx), arr, self.sealed.take(pc.fill_null(idx, 0))).cast(
            arr.type
        )


def seal_plan(
    rt: ReleaseTables, texts: Mapping[str, bytes], passages: ArticlePassages, prefix: str = ""
) -> SealPlan:
    """Find every string value of ``rt`` (text fields aside) that quotes an article and seal
    it with the bytes of the articles it quotes (``texts``: doc_id -> raw bytes; ``prefix``
    keeps the nonces of two plans of one release apart)."""
    values = []
    for table in rt.tables.values():
        for column in table.column_names:
            for leaf in string_leaves(table[column].combine_chunks(), column):
                values.append(pc.unique(leaf.cast(pa.string())).drop_null())
    found = passages.quoted(pa.chunked_array(values, pa.string()).to_pylist() if values else [])
    originals = sorted(found)
    sealed = [seal(v, f"{prefix}{n}", found[v], texts) for n, v in enumerate(originals, 1)]
    return SealPlan(pa.array(originals, pa.string()), pa.array(sealed, pa.string()), found)


def _shape(arr: pa.Array, name: str, plan: SealPlan) -> pa.Array:
    t = arr.type
    if name == WITHHELD_FIELD:
        return pa.nulls(len(arr), pa.null())
    mask = pc.is_null(arr) if arr.null_count else None
    if pa.types.is_struct(t):
        children = [_shape(arr.field(i), t.field(i).name, plan) for i in range(t.num_fields)]
        fields = [pa.field(t.field(i).name, c.type) for i, c in enumerate(children)]
        return pa.StructArray.from_arrays(children, fields=fields, mask=mask)
    if pa.types.is_list(t):
        values = _shape(arr.values, name, plan)
        return pa.ListArray.from_arrays(arr.offsets, values, mask=mask)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return plan.apply(arr)
    return arr


def standoff_table(
    config: str, table: pa.Table, plan: SealPlan, access: pa.Array | None
) -> pa.Table:
    """``table`` of ``config`` as the standoff release publishes it (``access``: the
    ``text_access`` value of every document, in the documents table's order)."""
    names, cols = [], []
    for name in table.column_names:
        if name in DROPPED.get(config, ()):
            continue
        names.append(name)
        cols.append(_shape(table[name].combine_chunks(), name, plan))
        if config == "documents" and name == "url" and access is not None:
            names.append(ACCESS_FIELD)
            lookup = pc.index_in(table["doc_id"], value_set=access.field("doc_id"))
            cols.append(access.field("access").take(lookup))
    return pa.Table.from_arrays(cols, names)


def access_column(documents: pa.Table, statement: str | None) -> pa.StructArray:
    """doc_id and where its text can be obtained: the URL when known, else ``statement``
    (``dataset.json``'s ``text_access``), else null."""
    urls = documents["url"].combine_chunks()
    fallback = pa.scalar(statement, pa.string())
    access = pc.if_else(pc.is_null(urls), fallback, urls)
    return pa.StructArray.from_arrays(
        [documents["doc_id"].combine_chunks(), access], names=["doc_id", "access"]
    )
