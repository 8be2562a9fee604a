"""The engine's tables as Spark DataFrames, and the helpers every level shares: dropping
records that failed an earlier level (``clean``) and wording failing rows as findings
(only failing rows are collected to the driver).

Tables have the columns of the pandera engine's frames (spans flattened to
``<name>_start``/``_end``/``_text``, ``doc_id`` on per-document tables, provenance
``_file``/``_line``, ``_member`` on cluster members), so both engines word a finding from
the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from isf_claims.corpus import corpus_from_records
from isf_claims.repo import Repo
from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS, record_schema
from isf_claims.validation.backends.spark.structure import DOC, FILE, LINE
from isf_claims.validation.contract import DOC_TABLES
from isf_claims.validation.frames_util import row_finding
from isf_claims.validation.policy import Unit
from isf_claims.validation.reader import CLUSTERS, ENTITIES, Inputs
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import layer_of

Describe = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Frames:
    """Every table as a DataFrame, the raw files, and what typing the shared files found."""

    tables: dict[str, Any]
    raw: Any  # doc_id, raw_present, raw_sha, raw_text, raw_utf8
    findings: list[Finding] = field(default_factory=list)
    # Documents whose raw text is not a regular file: reported by the listing (level 1),
    # never read or checked against.
    raw_refused: list[str] = field(default_factory=list)


def _doc_table(records: Any, schema: Schema, table: str) -> Any:
    from pyspark.sql import functions as F

    layer = layer_of(schema, TABLE_LAYERS[table])
    cols = [] if table == "documents" else [F.col(DOC).alias("doc_id")]
    for f in layer.fields:
        if f.name == "layer" or f.type == "members":
            continue
        if f.type == "span":
            cols += [
                F.col(f"{f.name}.{k}").alias(f"{f.name}_{k}") for k in ("start", "end", "text")
            ]
        else:
            cols.append(F.col(f.name))
    return records.filter(F.col("layer") == TABLE_LAYERS[table]).select(*cols, FILE, LINE)


def _shared_tables(spark: Any, inputs: Inputs) -> tuple[dict[str, Any], list[Finding]]:
    """entities, clusters and cluster members, made on the driver by the corpus model from
    the bytes the reader checked (typed as the pandera engine types them)."""
    from isf_claims.validation.typed import typed_lines

    shared: dict[str, bytes] = {}
    findings: list[Finding] = []
    for kind, layer in ((ENTITIES, "entity"), (CLUSTERS, "cluster")):
        f = inputs.shared(kind)
        if f is not None and f.ok and f.data is not None:
            shared[layer] = f.data
        elif f is not None and f.ok:
            shared[layer], found = typed_lines(inputs.schema, layer, f)
            findings += found
    none = np.zeros(0, np.int32)
    empty = pa.table({"doc_id": pa.array([], pa.string()), "text": pa.array([], pa.string())})
    corpus = corpus_from_records(
        inputs.repo,
        inputs.schema,
        record_schema(inputs.schema).empty_table(),
        none,
        none,
        [],
        texts=empty,
        metadata=False,
        shared=shared,
    )
    members = (
        pl.from_arrow(corpus.tables["cluster_members"])
        .with_columns(pl.int_range(pl.len()).over("_line").alias("_member"))
        .filter(pl.col("cluster_id").is_not_null())
    )
    out = {
        "entities": corpus.tables["entities"],
        "clusters": corpus.tables["clusters"],
        "cluster_members": members.to_arrow(compat_level=pl.CompatLevel.oldest()),
    }
    return {name: spark.createDataFrame(table) for name, table in out.items()}, findings


def _raw(spark: Any, repo: Repo, ids: list[str]) -> Any:
    """doc_id, raw_present, raw_sha, raw_utf8, raw_text of the raw files of ``ids`` that are
    regular files, read by Spark (named one by one, as the annotation files)."""
    from pyspark.sql import functions as F

    paths = [repo.raw_path(d) for d in ids]
    present = [p.resolve().as_uri() for p in paths if p.is_file() and not p.is_symlink()]
    if not present:
        schema = "doc_id string, raw_present boolean, raw_sha string, raw_utf8 boolean, "
        return spark.createDataFrame([], schema + "raw_text string")
    frame = spark.read.format("binaryFile").load(present)
    utf8 = F.expr("is_valid_utf8(content)")
    return frame.select(
        F.regexp_extract("path", r"([^/]*)\.txt$", 1).alias("doc_id"),
        F.lit(True).alias("raw_present"),
        F.sha2("content", 256).alias("raw_sha"),
        utf8.alias("raw_utf8"),
        F.when(utf8, F.col("content").cast("string")).alias("raw_text"),
    )


def build_frames(spark: Any, inputs: Inputs, records: Any) -> Frames:
    """Every table of the files that passed level 1, as DataFrames."""
    tables, findings = _shared_tables(spark, inputs)
    if records is None:
        records = spark.createDataFrame([], _empty_records_schema(inputs.schema))
    for table in ("documents", *DOC_TABLES):
        tables[table] = _doc_table(records, inputs.schema, table)
    ids = sorted(inputs.loaded_ids)
    raw = _raw(spark, inputs.repo, [d for d in ids if d not in inputs.raw_refused])
    return Frames(tables, raw, findings, sorted(inputs.raw_refused))


def _empty_records_schema(schema: Schema) -> Any:
    from isf_claims.validation.backends.spark.structure import _spark_schema, output_schema

    return _spark_schema(output_schema(schema))


# ------------------------------------------------------------------------------ helpers


def clean(spark: Any, frame: Any, table: str, units: set[Unit]) -> Any:
    """Rows of ``frame`` with no finding among ``units``."""
    members = table == "cluster_members"
    if members:
        rows = [(f, ln, int(m[8:-1])) for f, ln, m in units if m is not None]
        schema = "_file string, _line int, _member long"
        keys = ["_file", "_line", "_member"]
    else:
        rows = [(f, ln) for f, ln, m in units if m is None]
        schema = "_file string, _line int"
        keys = ["_file", "_line"]
    if not rows:
        return frame
    return frame.join(spark.createDataFrame(rows, schema), on=keys, how="left_anti")


def emit(
    schema: Schema,
    table: str,
    rows: Any,
    code: str,
    describe: Describe,
    column: str | None = None,
) -> list[Finding]:
    """One finding per row of the DataFrame ``rows`` (collected: failing rows only)."""
    return rows_findings(
        schema, table, (r.asDict() for r in rows.collect()), code, describe, column
    )


def rows_findings(
    schema: Schema,
    table: str,
    rows: Iterable[dict[str, Any]],
    code: str,
    describe: Describe,
    column: str | None = None,
) -> list[Finding]:
    return [row_finding(schema, table, r, code, column, **describe(r)) for r in rows]
