"""The pandera engine's input: polars frames of every table, built through the corpus model,
and the helpers that turn rows of a violation frame into findings.

Document files that passed the reader's typed parse are used as parsed. Files read line by
line (their values may have the wrong JSON type) are typed by :mod:`..typed` (a value of
the wrong type becomes null and a ``wrong-type`` finding), re-serialised and parsed by the
same typed reader, so every table comes out of ``corpus_from_records``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.json as pj

from isf_claims.corpus import Corpus, corpus_from_records
from isf_claims.raw_columns import raw_bytes_and_sha256, texts_of
from isf_claims.schema import Schema
from isf_claims.tables import read_json_lines, record_schema
from isf_claims.validation.fastparse import release_memory
from isf_claims.validation.frames_util import row_finding
from isf_claims.validation.policy import Unit
from isf_claims.validation.reader import CLUSTERS, DOCUMENT, ENTITIES, Inputs
from isf_claims.validation.report import Finding
from isf_claims.validation.typed import typed_lines

TABLES = (
    "documents",
    "zones",
    "mentions",
    "claims",
    "markers",
    "entities",
    "clusters",
    "cluster_members",
)


@dataclass
class Frames:
    """Polars frames of every table (with ``_file``/``_line``), and what typing them found."""

    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame  # doc_id, raw_present, raw_sha (of the bytes), raw_text, raw_utf8
    findings: list[Finding] = field(default_factory=list)
    corpus: Corpus | None = None  # the corpus model, when asked to keep it


def _raw_frame(inputs: Inputs) -> tuple[pl.DataFrame, pa.Table]:
    """Per loaded document: whether its raw file exists and decodes, the sha256 of its
    bytes, and its text (Arrow validates the UTF-8; no Python strings are made). Also the
    texts as an Arrow table (doc_id, text) for the corpus model."""
    ids = [f.doc_id for f in inputs.documents if f.ok and f.doc_id is not None]
    if inputs.raw_prefetch is None:
        blobs, shas = raw_bytes_and_sha256(inputs.repo, ids)
    else:  # read in the background during the parse, for every document in scope
        read_ids, future = inputs.raw_prefetch
        inputs.raw_prefetch = None
        read = dict(zip(read_ids, zip(*future.result(), strict=True), strict=True))
        blobs, shas = [read[d][0] for d in ids], [read[d][1] for d in ids]
    present = [data is not None for data in blobs]
    chunks = [texts_of(blobs[i : i + 1024])[0] for i in range(0, len(blobs), 1024)]
    del blobs
    text = pa.chunked_array(chunks or [pa.array([], pa.string())], pa.string())
    frame = pl.DataFrame(
        {"doc_id": ids, "raw_present": present, "raw_sha": shas},
        schema={"doc_id": pl.String, "raw_present": pl.Boolean, "raw_sha": pl.String},
    )
    frame = frame.with_columns(
        pl.Series("raw_text", text, dtype=pl.String),
        # not a regular file: reported by the listing, never read, no raw finding here
        pl.col("doc_id").is_in(sorted(inputs.raw_refused)).alias("raw_refused"),
    ).with_columns(pl.col("raw_text").is_not_null().alias("raw_utf8"))
    return frame, pa.table({"doc_id": pa.array(ids, pa.string()), "text": text})


def _metadata(inputs: Inputs, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The metadata the background check found valid, per document ({} for the others:
    their findings stop the build)."""
    metas = inputs.meta_result().metas
    return {d: metas.get(d, {}) for d in ids}


def build_frames(inputs: Inputs, keep_corpus: bool = False) -> Frames:
    """Every table of the loaded files as a polars frame; with ``keep_corpus``, also the
    corpus model (texts and metadata included) made from the same parse."""
    findings: list[Finding] = []
    rel_paths = [f.rel for f in inputs.files]
    schema = record_schema(inputs.schema)
    tables, file_idx, lines = [], [], []
    parsed, inputs.parsed = inputs.parsed, None  # consumed: the tables below replace it
    if parsed is not None:
        tables.append(parsed.table)
        file_idx.append(parsed.file_idx)
        lines.append(parsed.lines)
        del parsed
    for i, f in enumerate(inputs.files):
        if f.kind != DOCUMENT or not f.ok or f.records is None:
            continue
        data, found = typed_lines(inputs.schema, None, f)
        findings += found
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
        table = read_json_lines(data, options).select(schema.names)
        tables.append(table)
        file_idx.append(np.full(table.num_rows, i, dtype=np.int32))
        lines.append(np.arange(1, table.num_rows + 1, dtype=np.int32))
    records = pa.concat_tables(tables) if tables else schema.empty_table()
    del tables
    release_memory()
    shared: dict[str, bytes] = {}
    for kind, layer in ((ENTITIES, "entity"), (CLUSTERS, "cluster")):
        f = inputs.shared(kind)
        if f is not None and f.ok and f.data is not None:
            shared[layer] = f.data  # passed the typed parse: as it is
        elif f is not None and f.ok:
            shared[layer], found = typed_lines(inputs.schema, layer, f)
            findings += found
    raw, texts = _raw_frame(inputs)
    corpus = corpus_from_records(
        inputs.repo,
        inputs.schema,
        records,
        np.concatenate(file_idx) if file_idx else np.zeros(0, np.int32),
        np.concatenate(lines) if lines else np.zeros(0, np.int32),
        rel_paths,
        texts=texts,
        metadata=_metadata(inputs, raw["doc_id"].to_list()) if keep_corpus else False,
        shared=shared,
    )
    del records, texts
    release_memory()
    if keep_corpus and inputs.on_corpus is not None:
        inputs.on_corpus(corpus)  # the caller may start on it now, in another thread
    frames: dict[str, pl.DataFrame] = {}
    for name in TABLES:  # one table at a time, so Arrow and polars copies never all coexist
        table = corpus.tables[name] if keep_corpus else corpus.tables.pop(name)
        frames[name] = pl.from_arrow(table.drop_columns(["text"]) if name == "documents" else table)
        release_memory()
    # Members keep their position in the cluster's list; an unidentifiable cluster (id not
    # a string) has no member rows.
    frames["cluster_members"] = (
        frames["cluster_members"]
        .with_columns(pl.int_range(pl.len()).over("_line").alias("_member"))
        .filter(pl.col("cluster_id").is_not_null())
    )
    return Frames(frames, raw, findings, corpus if keep_corpus else None)


# ----------------------------------------------------------------- rows to findings

Describe = Callable[[dict[str, Any]], dict[str, Any]]


def units_frame(units: Iterable[Unit], members: bool) -> pl.DataFrame:
    """Dirty records as a frame to anti-join on: (_file, _line) or (_file, _line, _member)."""
    if members:
        rows = [(f, ln, int(m[8:-1])) for f, ln, m in units if m is not None]
        return pl.DataFrame(
            rows,
            schema={"_file": pl.String, "_line": pl.Int32, "_member": pl.Int64},
            orient="row",
        )
    rows2 = [(f, ln) for f, ln, m in units if m is None]
    return pl.DataFrame(rows2, schema={"_file": pl.String, "_line": pl.Int32}, orient="row")


def clean(frame: pl.DataFrame, table: str, units: set[Unit]) -> pl.DataFrame:
    """Rows of ``frame`` with no finding among ``units``."""
    if not units or frame.is_empty():
        return frame
    members = table == "cluster_members"
    dirty = units_frame(units, members)
    keys = ["_file", "_line", "_member"] if members else ["_file", "_line"]
    if members:
        dirty = dirty.with_columns(pl.col("_member").cast(frame.schema["_member"]))
    return frame.join(dirty, on=keys, how="anti")


def emit(
    schema: Schema,
    table: str,
    rows: pl.DataFrame,
    code: str,
    describe: Describe,
    column: str | None = None,
) -> list[Finding]:
    """One finding per row of ``rows``; ``describe(row)`` gives its details."""
    return [
        row_finding(schema, table, row, code, column, **describe(row))
        for row in rows.iter_rows(named=True)
    ]
