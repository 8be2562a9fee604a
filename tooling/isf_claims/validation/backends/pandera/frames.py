"""The pandera engine's input: polars frames of the corpus tables, made from the reader's
Arrow output directly (typed records of a group of document files, their raw texts, and the
shared files), and the helpers that turn rows of a violation frame into findings.

Document tables are made one group of files at a time (:func:`group_frames`); the shared
tables (entities, clusters, cluster members) once (:func:`shared_tables`). Columns are
those of the corpus model's tables (:func:`isf_claims.tables.table_schema`): spans
flattened to ``<name>_start``/``_end``/``_text``, provenance in ``_file``/``_line``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims.schema import DOCUMENT_LAYERS, Schema
from isf_claims.tables import (
    TABLE_LAYERS,
    cluster_members,
    read_json_lines,
    shared_schema,
    table_schema,
)
from isf_claims.validation.frames_util import row_finding
from isf_claims.validation.policy import Unit
from isf_claims.validation.reader import CLUSTERS, ENTITIES, Batch, Inputs, RawTexts
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import layer_of
from isf_claims.validation.typed import typed_table

LAYER_TABLES = {v: k for k, v in TABLE_LAYERS.items()}
DOCUMENT_TABLES = ("documents", *(LAYER_TABLES[x] for x in DOCUMENT_LAYERS))
SHARED_TABLES = ("entities", "clusters", "cluster_members")


@dataclass
class Frames:
    """Polars frames of the tables (with ``_file``/``_line``) of one group of documents
    plus the shared tables, the raw texts of those documents, and what typing found."""

    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame  # doc_id, raw_present, raw_sha, raw_text, raw_refused, raw_utf8
    findings: list[Finding] = field(default_factory=list)


def raw_frame(raw: RawTexts, refused: set[str]) -> pl.DataFrame:
    """Per document: whether its raw file exists and decodes, the sha256 of its bytes, and
    its text (a polars view of the Arrow strings)."""
    frame = pl.DataFrame(
        {"doc_id": raw.doc_ids, "raw_present": raw.present, "raw_sha": raw.sha256},
        schema={"doc_id": pl.String, "raw_present": pl.Boolean, "raw_sha": pl.String},
    )
    return frame.with_columns(
        pl.Series("raw_text", raw.text, dtype=pl.String),
        # not a regular file: reported by the listing, never read, no raw finding here
        pl.col("doc_id").is_in(sorted(refused)).alias("raw_refused"),
    ).with_columns(pl.col("raw_text").is_not_null().alias("raw_utf8"))


def _columns(schema: Schema, table: str) -> list[pl.Expr]:
    """The table's columns from a frame of records: spans flattened, ``layer`` dropped."""
    out: list[pl.Expr] = []
    for f in layer_of(schema, TABLE_LAYERS[table]).fields:
        if f.name == "layer" or f.type == "members":
            continue
        if f.type == "span":
            out += [
                pl.col(f.name).struct.field(k).alias(f"{f.name}_{k}")
                for k in ("start", "end", "text")
            ]
        else:
            out.append(pl.col(f.name))
    return out


def group_frames(inputs: Inputs, batch: Batch, shared: dict[str, pl.DataFrame]) -> Frames:
    """The document tables of a batch (every table of the corpus model but ``text`` and the
    metadata), with the shared tables and the batch's raw texts."""
    schema = inputs.schema
    records = pl.from_arrow(batch.records.drop_columns(["doc_id"]))
    assert isinstance(records, pl.DataFrame)
    # A file passed level 1 only if its document record names it: every row's doc_id is
    # its file's.
    where = pl.Series("_fi", batch.file_idx, dtype=pl.Int32)
    docs = pl.Series("doc_id", [f.doc_id for f in batch.files], dtype=pl.String)
    rels = pl.Series("_file", [f.rel for f in batch.files], dtype=pl.String)
    records = records.with_columns(
        docs.gather(where), rels.gather(where), pl.Series("_line", batch.lines, dtype=pl.Int32)
    )
    tables: dict[str, pl.DataFrame] = {}
    for table in DOCUMENT_TABLES:
        lead = [] if table == "documents" else [pl.col("doc_id")]
        columns = [*lead, *_columns(schema, table), pl.col("_file", "_line")]
        tables[table] = (
            records.lazy().filter(pl.col("layer") == TABLE_LAYERS[table]).select(columns).collect()
        )
    del records
    tables.update(shared)
    raw = raw_frame(batch.raw, inputs.raw_refused) if batch.raw is not None else None
    if raw is None:
        raw = raw_frame(RawTexts([], [], [], pa.array([], pa.string())), set())
    return Frames(tables, raw, list(batch.typed))


def shared_tables(inputs: Inputs) -> tuple[dict[str, pa.Table], list[Finding]]:
    """``entities``, ``clusters`` and ``cluster_members`` as the corpus model has them, from
    the shared files that passed level 1 (as parsed, or typed value by value when they were
    read line by line), and what typing found."""
    schema, repo = inputs.schema, inputs.repo
    out: dict[str, pa.Table] = {}
    findings: list[Finding] = []
    for kind, layer, path in (
        (ENTITIES, "entity", repo.entities_path),
        (CLUSTERS, "cluster", repo.clusters_path),
    ):
        arrow = shared_schema(layer_of(schema, layer))
        f = inputs.shared(kind)
        if f is not None and f.ok and f.data is not None:
            options = pj.ParseOptions(explicit_schema=arrow, unexpected_field_behavior="error")
            recs = read_json_lines(f.data, options).select(arrow.names)
        elif f is not None and f.ok:
            recs, found = typed_table(schema, layer, f)
            findings += found
        else:
            recs = arrow.empty_table()
        rel = repo.rel(path)
        lines = np.arange(1, recs.num_rows + 1, dtype=np.int32)
        name = LAYER_TABLES[layer]
        cols: list[Any] = []
        for fl in layer_of(schema, layer).fields:
            if fl.name == "layer" or fl.type == "members":
                continue
            col = recs[fl.name].combine_chunks()
            if fl.type == "span":
                cols += [pc.struct_field(col, k) for k in ("start", "end", "text")]
            else:
                cols.append(col)
        cols += [pa.array([rel] * recs.num_rows, pa.string()), pa.array(lines)]
        out[name] = pa.Table.from_arrays(cols, schema=table_schema(schema, name))
        if layer == "cluster":
            out["cluster_members"] = cluster_members(schema, recs, lines, rel)
    return out, findings


def polars_tables(tables: dict[str, pa.Table]) -> dict[str, pl.DataFrame]:
    """Arrow tables as polars frames (``documents`` without its text); cluster members
    numbered by their place in the cluster's list, those of a cluster without a string id
    left out."""
    out: dict[str, pl.DataFrame] = {}
    for name, table in tables.items():
        frame = pl.from_arrow(table.drop_columns(["text"]) if name == "documents" else table)
        assert isinstance(frame, pl.DataFrame)
        out[name] = frame
    if "cluster_members" in out:
        out["cluster_members"] = (
            out["cluster_members"]
            .with_columns(pl.int_range(pl.len()).over("_line").alias("_member"))
            .filter(pl.col("cluster_id").is_not_null())
        )
    return out


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
