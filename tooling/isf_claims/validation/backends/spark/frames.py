"""The engine's tables as Spark DataFrames, and the helpers every level shares: dropping
records that failed an earlier level (``clean``) and wording failing rows as findings
(only failing rows are collected to the driver, every level's in one Spark job).

Tables have the columns of the pandera engine's frames (spans flattened to
``<name>_start``/``_end``/``_text``, ``doc_id`` on per-document tables, provenance
``_file``/``_line``, ``_member`` on cluster members), so both engines word a finding from
the same row. A batch holds several corpora: every row also has ``_corpus`` (its corpus's
key), every join and window includes it, and ``_file`` is qualified by it
(:func:`structure.qualify`), so findings and the records they rule out stay apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from isf_claims.corpus import corpus_from_records
from isf_claims.frames import frame_of
from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS, record_schema
from isf_claims.validation.backends.spark.structure import (
    CORPUS,
    DOC,
    FILE,
    LINE,
    SEP,
    Part,
    qualify,
)
from isf_claims.validation.contract import DOC_TABLES
from isf_claims.validation.frames_util import row_finding
from isf_claims.validation.policy import Unit
from isf_claims.validation.reader import CLUSTERS, ENTITIES, Inputs
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import layer_of

Describe = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Frames:
    """Every table of a batch as a DataFrame, the raw files, each corpus's inputs (by key)
    and what typing the shared files found (qualified)."""

    schema: Schema
    tables: dict[str, Any]
    raw: Any  # _corpus, doc_id, raw_present, raw_sha, raw_text, raw_utf8
    inputs: dict[int, Inputs]
    findings: list[Finding] = field(default_factory=list)

    def keys(self, test: Callable[[Inputs], bool]) -> list[int]:
        """Keys of the corpora for which ``test`` holds."""
        return [k for k, i in self.inputs.items() if test(i)]

    def doc_keys(self, ids: Callable[[Inputs], Iterable[str]]) -> list[str]:
        """Qualified ``doc_key`` values of the documents ``ids`` gives for each corpus."""
        return [qualify(k, d) for k, i in self.inputs.items() for d in sorted(ids(i))]


def doc_key() -> Any:
    """A document's key across the batch: its corpus key, ``SEP``, its id."""
    from pyspark.sql import functions as F

    return F.concat(F.col(CORPUS).cast("string"), F.lit(SEP), F.col("doc_id"))


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
    return records.filter(F.col("layer") == TABLE_LAYERS[table]).select(*cols, CORPUS, FILE, LINE)


def _shared(inputs: Inputs, key: int) -> tuple[dict[str, pa.Table], list[Finding]]:
    """entities, clusters and cluster members of one corpus, made on the driver by the
    corpus model from the bytes the reader checked (typed as the pandera engine types
    them), with ``_corpus`` and a qualified ``_file``."""
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
        frame_of(corpus.tables["cluster_members"])
        .with_columns(pl.int_range(pl.len()).over("_line").alias("_member"))
        .filter(pl.col("cluster_id").is_not_null())
    )
    out = {
        "entities": frame_of(corpus.tables["entities"]),
        "clusters": frame_of(corpus.tables["clusters"]),
        "cluster_members": members,
    }
    tables = {
        name: frame.with_columns(
            pl.lit(key, pl.Int64).alias(CORPUS),
            (pl.lit(f"{key}{SEP}") + pl.col(FILE)).alias(FILE),
        ).to_arrow(compat_level=pl.CompatLevel.oldest())
        for name, frame in out.items()
    }
    return tables, [replace(f, file=qualify(key, f.file)) for f in findings]


def _raw(spark: Any, parts: list[Part]) -> Any:
    """_corpus, doc_id, raw_present, raw_sha, raw_utf8, raw_text of the raw files of the
    loaded documents that are regular files, read by Spark in one scan (named one by one,
    as the annotation files)."""
    from pyspark.sql import functions as F

    present, folders = [], []
    for p in parts:
        assert p.inputs is not None
        paths = [p.repo.raw_path(d) for d in sorted(p.inputs.loaded_ids - p.inputs.raw_refused)]
        paths = [x for x in paths if x.is_file() and not x.is_symlink()]
        present += [x.resolve().as_uri() for x in paths]
        if paths:
            folders += [F.lit(str(p.repo.raw_dir.resolve())), F.lit(p.key)]
    if not present:
        schema = "_corpus long, doc_id string, raw_present boolean, raw_sha string, "
        return spark.createDataFrame([], schema + "raw_utf8 boolean, raw_text string")
    frame = spark.read.format("binaryFile").load(present)
    folder = F.regexp_replace(F.regexp_extract("path", r"^(.*)/[^/]*$", 1), "^file:/+", "/")
    utf8 = F.expr("is_valid_utf8(content)")
    return frame.select(
        F.create_map(*folders)[folder].alias(CORPUS),
        F.regexp_extract("path", r"([^/]*)\.txt$", 1).alias("doc_id"),
        F.lit(True).alias("raw_present"),
        F.sha2("content", 256).alias("raw_sha"),
        utf8.alias("raw_utf8"),
        F.when(utf8, F.col("content").cast("string")).alias("raw_text"),
    )


def build_frames(spark: Any, schema: Schema, parts: list[Part], records: Any) -> Frames:
    """Every table of the files of ``parts`` that passed level 1, as DataFrames."""
    inputs = {p.key: p.inputs for p in parts if p.inputs is not None}
    shared: dict[str, list[pa.Table]] = {}
    findings: list[Finding] = []
    for key, i in inputs.items():
        tables, found = _shared(i, key)
        findings += found
        for name, table in tables.items():
            shared.setdefault(name, []).append(table)
    # One chunk: pyspark 4.x's createDataFrame kept only the first few chunks of a table
    # of many (16 of 313 rows, one chunk per corpus).
    out = {
        name: spark.createDataFrame(pa.concat_tables(t).combine_chunks())
        for name, t in shared.items()
    }
    if records is None:
        records = spark.createDataFrame([], _empty_records_schema(schema))
    for table in ("documents", *DOC_TABLES):
        out[table] = _doc_table(records, schema, table)
    return Frames(schema, out, _raw(spark, parts), inputs, findings)


def _empty_records_schema(schema: Schema) -> Any:
    from isf_claims.validation.backends.spark.structure import _spark_schema, output_schema

    return _spark_schema(output_schema(schema))


# ------------------------------------------------------------------------------ helpers


def clean(spark: Any, frame: Any, table: str, units: set[Unit]) -> Any:
    """Rows of ``frame`` with no finding among ``units`` (qualified files)."""
    members = table == "cluster_members"
    rows: list[tuple[str, int | None] | tuple[str, int | None, int]]
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


@dataclass
class Emit:
    """Failing rows of one check, to be worded as findings of ``code``."""

    table: str
    rows: Any  # DataFrame
    code: str
    describe: Describe
    column: str | None = None


def collect(frames: Sequence[Any]) -> list[list[dict[str, Any]]]:
    """The rows of several DataFrames, as dicts, in one Spark job (a union of their rows
    as JSON): a run on a small corpus waits on job scheduling more than it computes."""
    from pyspark.sql import functions as F

    if not frames:
        return []
    parts = [
        frame.select(
            F.lit(n).alias("_part"),
            F.to_json(F.struct(*frame.columns), {"ignoreNullFields": "false"}).alias("_row"),
        )
        for n, frame in enumerate(frames)
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    out: list[list[dict[str, Any]]] = [[] for _ in frames]
    for row in union.collect():
        out[row["_part"]].append(json.loads(row["_row"]))
    return out


def emit_all(schema: Schema, emits: Sequence[Emit]) -> list[Finding]:
    """The findings of every check of ``emits`` (one Spark job)."""
    rows = collect([e.rows for e in emits])
    return [
        f
        for e, found in zip(emits, rows, strict=True)
        for f in rows_findings(schema, e.table, found, e.code, e.describe, e.column)
    ]


def rows_findings(
    schema: Schema,
    table: str,
    rows: Iterable[dict[str, Any]],
    code: str,
    describe: Describe,
    column: str | None = None,
) -> list[Finding]:
    return [row_finding(schema, table, r, code, column, **describe(r)) for r in rows]
