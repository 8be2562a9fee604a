"""The Parquet files of a release, made in parallel threads.

The ``ner`` config is made from pieces of a few hundred documents (the IOB2 rules work per
document, so pieces give the same rows as the whole); each split's ``ner`` file is written
as soon as its pieces are done, while the other configs are split and written. Arrow and
polars release the GIL, so on two cores this takes about half the time of one thread. Each
file's bytes depend only on its own table: the result is byte-identical to a sequential
build.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.release import ner
from isf_claims.release.parquet import parquet_bytes
from isf_claims.release.tables import CONFIGS, ReleaseTables

PIECES_PER_WORKER = 4  # ner pieces per thread: enough to balance unequal splits

Files = dict[str, bytes]
Layout = dict[str, dict[str, str]]
# What a variant of the release (the standoff release) does to each table before it is
# written: (config, rows) -> rows. None: the tables as they are.
Shape = Callable[[str, pa.Table], pa.Table] | None


def shaped(shape: Shape, config: str, table: pa.Table) -> pa.Table:
    """``table`` as the release writes it."""
    return table if shape is None else shape(config, table)


def _ner_piece(
    rt: ReleaseTables, docs: pa.Table, mention_doc: np.ndarray
) -> tuple[pa.Table, ner.NerReport]:
    """``ner`` rows of the documents ``docs``; ``mention_doc`` is each mention's row in the
    documents table."""
    mentions = rt.tables["mentions"]
    rows = pc.index_in(docs["doc_id"], value_set=rt.tables["documents"]["doc_id"].combine_chunks())
    in_piece = np.zeros(rt.tables["documents"].num_rows + 1, dtype=bool)  # +1: no document
    in_piece[rows.to_numpy(zero_copy_only=False)] = True
    return ner.ner_table(docs, mentions.filter(pa.array(in_piece[mention_doc])), rt.schema)


def _ner_file(
    pieces: list[Future[tuple[pa.Table, ner.NerReport]]], shape: Shape = None
) -> tuple[pa.Table, bytes]:
    """One split's ``ner`` rows (its pieces, in order) and their Parquet file."""
    table = pa.concat_tables([future.result()[0] for future in pieces])
    return table, parquet_bytes(shaped(shape, "ner", table)) if table.num_rows else b""


def _config_files(rt: ReleaseTables, config: str, shape: Shape = None) -> list[tuple[str, bytes]]:
    return [
        (split, parquet_bytes(shaped(shape, config, part))) for split, part in rt.split_of(config)
    ]


def data_files(rt: ReleaseTables, shape: Shape = None) -> tuple[Files, Layout, ner.NerReport]:
    """Make the ``ner`` config (added to ``rt``) and every Parquet file: (path -> bytes),
    the layout (config -> split -> path) and the report of the IOB2 conversion (``shape``:
    what a variant of the release does to each table before it is written)."""
    workers = max(1, min(os.cpu_count() or 1, 8))
    n_docs = rt.tables["documents"].num_rows
    size = max(1, -(-n_docs // (workers * PIECES_PER_WORKER)))
    others = sorted((c for c in CONFIGS if c != "ner"), key=lambda c: -rt.tables[c].nbytes)
    documents, mentions = rt.tables["documents"], rt.tables["mentions"]
    mention_doc = pc.fill_null(
        pc.index_in(mentions["doc_id"], value_set=documents["doc_id"].combine_chunks()),
        documents.num_rows,
    ).to_numpy(zero_copy_only=False)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Each split's ner file is queued right after its pieces (the largest split first),
        # so the longest single task, encoding the train file, starts early instead of
        # running alone at the end.
        pieces: dict[str, list[Future[tuple[pa.Table, ner.NerReport]]]] = {}
        ner_files: dict[str, Future[tuple[pa.Table, bytes]]] = {}
        for split, part in sorted(rt.split_of("documents"), key=lambda sp: -sp[1].num_rows):
            pieces[split] = [
                pool.submit(_ner_piece, rt, part.slice(start, size), mention_doc)
                for start in range(0, part.num_rows, size)
            ]
            ner_files[split] = pool.submit(_ner_file, pieces[split], shape)
        written = {c: pool.submit(_config_files, rt, c, shape) for c in others}
        order = [split for split, _ in rt.split_of("documents")]  # split order
        rt.put("ner", [(split, ner_files[split].result()[0]) for split in order])
        by_config = {c: f.result() for c, f in written.items()}
        by_config["ner"] = [
            (split, ner_files[split].result()[1])
            for split in order
            if ner_files[split].result()[0].num_rows
        ]
        reports = [f.result()[1] for split in order for f in pieces[split]]
    files: Files = {}
    layout: Layout = {}
    for config in CONFIGS:
        for split, data in by_config[config]:
            path = f"data/{config}/{split}.parquet"
            files[path] = data
            layout.setdefault(config, {})[split] = path
    return files, layout, ner.NerReport.merge(reports)
