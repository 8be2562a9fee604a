"""The data files of a release, made batch by batch of documents.

Documents are taken in ``doc_id`` order, a batch of :data:`BATCH_DOCS` at a time (loaded
with :func:`isf_claims.corpus.load_corpus`); each batch's release tables are cut by split
and appended to one :class:`~isf_claims.release.parquet.ParquetSink` per config and split,
so a file is the rows of every batch in order, exactly the table the whole corpus makes
(documents by id, records by document then position; a document's split depends on its id
alone; the ``ner`` rules work per document). The row groups are cut as for the whole table,
so the bytes are those of a build that holds everything. What the card and the build report
state is counted on the way (:class:`~isf_claims.release.stats.Tally`), from narrow columns.
Memory holds a batch, the rows waiting for a row group, and the counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.release import ner
from isf_claims.release import splits as split_rule
from isf_claims.release.datafiles import Layout, Shape, shaped
from isf_claims.release.parquet import ParquetSink
from isf_claims.release.stats import Tally
from isf_claims.release.tables import CONFIGS, PER_DOCUMENT, SHARED_SPLIT, release_tables
from isf_claims.repo import Repo
from isf_claims.schema import Schema

BATCH_DOCS = 1000  # documents per batch (two in memory: one used, the next one read)
PIECES = 4  # ner pieces per split of a batch (threads)


@dataclass
class Streamed:
    """Everything the rest of the release is made from, once the data files are written."""

    schema: Schema
    files: dict[str, bytes | Path]  # data file -> bytes (in memory) or where it is written
    layout: Layout  # config -> split -> path in the release
    rows: dict[str, dict[str, int]]  # config -> split -> rows (splits with rows)
    schemas: dict[str, pa.Schema]  # config -> the schema as written
    ner_report: ner.NerReport
    tally: Tally
    entities: pa.Table
    clusters: pa.Table
    splits: dict[str, str] = field(default_factory=dict)  # doc_id -> split, by doc_id
    sources: list[dict[str, Any]] = field(default_factory=list)  # outlet, byline, url


def document_ids(repo: Repo) -> list[str]:
    """Ids of the annotated documents, sorted (a validated corpus names each file by its
    document's id)."""
    return sorted(p.name[: -len(".jsonl")] for p in repo.annotation_files())


def batches(repo: Repo, size: int = BATCH_DOCS) -> Iterator[Corpus]:
    """The corpus model of ``size`` documents at a time, in ``doc_id`` order; the next batch
    is read while the current one is used."""
    ids = document_ids(repo)
    groups = [ids[i : i + size] for i in range(0, len(ids), size)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead: Future[Corpus] | None = pool.submit(load_corpus, repo, groups[0]) if groups else None
        for k in range(len(groups)):
            assert ahead is not None
            corpus = ahead.result()
            ahead = pool.submit(load_corpus, repo, groups[k + 1]) if k + 1 < len(groups) else None
            yield corpus
            del corpus


def _ner_piece(
    docs: pa.Table, mentions: pa.Table, schema: Schema
) -> tuple[pa.Table, ner.NerReport]:
    ids = docs["doc_id"].combine_chunks()
    mine = mentions.filter(pc.is_in(mentions["doc_id"], value_set=ids))
    return ner.ner_table(docs, mine, schema)


def stream_release(
    corpora: Iterable[Corpus],
    folder: Path | None = None,
    shaper: Callable[[Any], Shape] | None = None,
    on_tables: Callable[[Any], None] | None = None,
) -> Streamed:
    """Write the data files of the documents of ``corpora`` (batches in ``doc_id`` order)
    under ``folder/data/`` (None: in memory). ``shaper`` (one batch only: the whole corpus)
    makes, from the release tables, what a variant of the release does to each table;
    ``on_tables`` gets those tables once complete (one batch only)."""
    sinks: dict[tuple[str, str], ParquetSink] = {}
    reports: list[ner.NerReport] = []
    state: dict[str, Any] = {}
    schemas: dict[str, pa.Schema] = {}  # config -> the schema of its rows as written
    shape: Shape = None
    workers = max(1, min(os.cpu_count() or 1, 8))

    def sink(config: str, split: str) -> ParquetSink:
        key = (config, split)
        if key not in sinks:
            path = None
            if folder is not None:
                path = folder / "data" / config / f"{split}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
            sinks[key] = ParquetSink(path)
        return sinks[key]

    def write(config: str, parts: list[tuple[str, pa.Table]]) -> None:
        for split, part in parts:
            table = shaped(shape, config, part)
            schemas.setdefault(config, table.schema)
            sink(config, split).add(table)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for n, corpus in enumerate(corpora):
            if n and shaper is not None:
                raise ValueError("a shaped release is made from one batch (the whole corpus)")
            rt = release_tables(corpus)
            if n == 0:
                shape = shaper(rt) if shaper is not None else None
                state.update(
                    schema=corpus.schema,
                    entities=rt.tables["entities"],
                    clusters=rt.tables["clusters"],
                    tally=Tally(corpus.schema),
                    splits={},
                    sources={},
                )
            docs, mentions = rt.tables["documents"], rt.tables["mentions"]
            doc_parts = rt.split_of("documents")
            pieces: dict[str, list[Future[tuple[pa.Table, ner.NerReport]]]] = {}
            for split, part in doc_parts:
                size = max(1, -(-part.num_rows // PIECES))
                pieces[split] = [
                    pool.submit(_ner_piece, part.slice(start, size), mentions, corpus.schema)
                    for start in range(0, part.num_rows, size)
                ]
            tally: Tally = state["tally"]
            tally.add(corpus, docs, rt.tables["claims"])
            ids = rt.splits["doc_id"].to_pylist()
            state["splits"].update(zip(ids, rt.splits["split"].to_pylist(), strict=True))
            for d in docs.select(["outlet", "byline", "url"]).to_pylist():
                state["sources"].setdefault((d["outlet"], d["byline"], d["url"]), d)
            ner_parts = []
            for split, futures in pieces.items():
                table = pa.concat_tables([f.result()[0] for f in futures])
                reports += [f.result()[1] for f in futures]
                tally.add_ner(table)
                ner_parts.append((split, table))
            ner_parts.sort(key=lambda sp: split_rule.SPLITS.index(sp[0]))
            if on_tables is not None:
                rt.put("ner", ner_parts)
                rt.tables = {name: rt.tables[name] for name in CONFIGS}
            # written once the ner pieces are done: a row group of documents (the largest
            # thing in memory) is never gathered while the pieces are being made
            written = [pool.submit(write, c, rt.split_of(c)) for c in ("mentions", "claims")]
            written.append(pool.submit(write, "ner", ner_parts))
            for f in written:
                f.result()
            # the documents alone: its row group is never gathered next to another's
            write("documents", rt.split_of("documents"))
            if on_tables is not None:
                on_tables(rt)
            del rt, docs, mentions, doc_parts, pieces, ner_parts, written, corpus
            pa.default_memory_pool().release_unused()  # the batch's memory back to the system
    if not state:
        raise ValueError("no document")
    write("entities", [(SHARED_SPLIT, state["entities"])])
    write("clusters", [(SHARED_SPLIT, state["clusters"])])
    return _finish(state, sinks, schemas, reports, folder)


def _finish(
    state: dict[str, Any],
    sinks: dict[tuple[str, str], ParquetSink],
    schemas: dict[str, pa.Schema],
    reports: list[ner.NerReport],
    folder: Path | None,
) -> Streamed:
    files: dict[str, bytes | Path] = {}
    layout: Layout = {}
    rows: dict[str, dict[str, int]] = {}
    for config in CONFIGS:
        rows[config] = {}
        names = split_rule.SPLITS if PER_DOCUMENT[config] else (SHARED_SPLIT,)
        for split in names:
            s = sinks.get((config, split))
            if s is None:
                continue
            data = s.close()
            if not s.rows:  # a split without rows has no file
                continue
            path = f"data/{config}/{split}.parquet"
            files[path] = data if data is not None else (folder / path if folder else b"")
            layout.setdefault(config, {})[split] = path
            rows[config][split] = s.rows
    sources = sorted(state["sources"].values(), key=_source_key)
    return Streamed(
        schema=state["schema"],
        files=files,
        layout=layout,
        rows=rows,
        schemas={c: schemas[c] for c in layout},
        ner_report=ner.NerReport.merge(reports),
        tally=state["tally"],
        entities=state["entities"],
        clusters=state["clusters"],
        splits=dict(sorted(state["splits"].items())),
        sources=sources,
    )


def _source_key(d: dict[str, Any]) -> tuple[str, str, str]:
    return (d["outlet"] or "", d["byline"] or "", d["url"] or "")
