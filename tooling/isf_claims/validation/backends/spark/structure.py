"""Level 1 (structure) and the typing of level 2 on Spark's executors, file by file.

Spark reads ``annotated/*.jsonl`` as binary files; each executor runs the reference reader
of :mod:`isf_claims.validation.structure` (bytes, then line-by-line JSON, layers, fields)
and types the records of the files that pass (``wrong-type`` findings, as the pandera
engine does), so every level-1 finding is worded by the same code as the other engines.
The result is one DataFrame: typed records with their provenance, plus one row per
finding and per file; only the findings and one short row per file reach the driver.

On the driver: the listing of files in scope, the schema, the corpus's schema version (a
majority vote over the files' declared versions), and entities.jsonl / clusters.jsonl
(small files shared by the corpus), read by the same reader as the other engines.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.json as pj

from isf_claims.repo import ANNOTATION_SUFFIX, Repo
from isf_claims.schema import Schema, known_versions, latest_version, load_schema
from isf_claims.tables import record_schema
from isf_claims.validation.fastparse import shared_fast
from isf_claims.validation.rawfiles import FILE as REGULAR
from isf_claims.validation.rawfiles import Listing, check_metas, list_files, refusals
from isf_claims.validation.reader import Inputs, _provisional, raw_in_scope, resolve_scope
from isf_claims.validation.report import Finding
from isf_claims.validation.structure import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    SourceFile,
    bytes_ok,
    read_lines,
)

KIND, PAYLOAD, FILE, LINE, DOC = "_kind", "_payload", "_file", "_line", "_doc"
RECORD, FINDING, STATUS = "record", "finding", "file"


def output_schema(schema: Schema) -> pa.Schema:
    """What the executors return: the typed record columns, provenance, kind, payload."""
    extra = [
        pa.field(FILE, pa.string()),
        pa.field(LINE, pa.int32()),
        pa.field(DOC, pa.string()),
        pa.field(KIND, pa.string()),
        pa.field(PAYLOAD, pa.string()),
    ]
    return pa.schema([*record_schema(schema), *extra])


def _portable(schema: Schema) -> Schema:
    """The schema on an executor: its definition written next to the worker when the
    driver's path is not there (a worker on another machine)."""
    if schema.path.is_file():
        return schema
    folder = Path(tempfile.gettempdir()) / "isf-claims-schema" / schema.version
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / schema.path.name
    if not path.is_file():
        path.write_text(json.dumps(schema.raw), encoding="utf-8")
    return Schema(version=schema.version, path=path, raw=schema.raw)


def check_file(
    rel: str, doc_id: str, data: bytes, schema: Schema, kept: list[str]
) -> tuple[SourceFile, str | None, list[Finding], bytes]:
    """Level 1 of one document file, then its records typed: (file with ``ok`` set, the
    version it declares, findings, typed records as JSON lines)."""
    from isf_claims.validation.typed import typed_lines

    f = SourceFile(Path(rel), rel, DOCUMENT, doc_id)
    findings: list[Finding] = []
    declared = None
    if bytes_ok(f, data, findings):
        declared = read_lines(f, data, schema, kept, findings)
    else:
        f.ok = False
    typed = b""
    if f.ok:
        typed, found = typed_lines(schema, None, f)
        findings += found
        f.records = None
    return f, declared, findings, typed


def executor_pass(schema: Schema, kept: list[str]) -> Any:
    """The function ``mapInArrow`` runs on each partition of (``_file``, ``_doc``,
    ``content``) batches."""
    out_schema = output_schema(schema)
    parse = pj.ParseOptions(
        explicit_schema=record_schema(schema), unexpected_field_behavior="error"
    )
    names = record_schema(schema).names

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        local = _portable(schema)
        for batch in batches:
            tables, meta = [], []
            for rel, doc_id, data in zip(
                batch.column(FILE).to_pylist(),
                batch.column(DOC).to_pylist(),
                batch.column("content").to_pylist(),
                strict=True,
            ):
                f, declared, findings, typed = check_file(rel, doc_id, data, local, kept)
                meta.append((STATUS, rel, json.dumps({"ok": f.ok, "declared": declared})))
                meta += [(FINDING, rel, json.dumps(asdict(x))) for x in findings]
                if typed:
                    records = pj.read_json(pa.BufferReader(typed), parse_options=parse)
                    n = records.num_rows
                    tables.append(
                        pa.Table.from_arrays(
                            [
                                *records.select(names).columns,
                                pa.array([rel] * n, pa.string()),
                                pa.array(range(1, n + 1), pa.int32()),
                                pa.array([doc_id] * n, pa.string()),
                                pa.array([RECORD] * n, pa.string()),
                                pa.nulls(n, pa.string()),
                            ],
                            schema=out_schema,
                        )
                    )
            if meta:
                n = len(meta)
                kinds, files, payloads = zip(*meta, strict=True)
                columns = [pa.nulls(n, f.type) for f in out_schema][: len(names)]
                tables.append(
                    pa.Table.from_arrays(
                        [
                            *columns,
                            pa.array(files, pa.string()),
                            pa.nulls(n, pa.int32()),
                            pa.nulls(n, pa.string()),
                            pa.array(kinds, pa.string()),
                            pa.array(payloads, pa.string()),
                        ],
                        schema=out_schema,
                    )
                )
            if tables:
                yield from pa.concat_tables(tables).to_batches()

    return run


def _empty_file(f: SourceFile, schema: Schema, kept: list[str]) -> tuple[bool, list[Finding]]:
    """Level 1 of a file Spark leaves out (an empty file), on the driver."""
    checked, _, findings, typed = check_file(f.rel, f.doc_id or "", f.read(), schema, kept)
    if typed:
        raise RuntimeError(f"Spark did not read {f.rel}, which has records")
    return checked.ok, findings


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def document_ids(
    repo: Repo, paths: list[Path | str], listing: Listing
) -> tuple[set[str] | None, list[str], set[str]]:
    """(scope, ids of document files in scope, ids of every annotation file)."""
    scope = resolve_scope(repo, paths)
    shared = {p.name[: -len(ANNOTATION_SUFFIX)] for p in (repo.entities_path, repo.clusters_path)}
    annotated = {n[: -len(ANNOTATION_SUFFIX)] for n in listing.annotated} - shared
    ids = sorted(annotated) if scope is None else sorted(scope & annotated)
    return scope, ids, annotated


def _binary_files(spark: Any, repo: Repo, ids: list[str]) -> Any:
    """(``_file``, ``_doc``, ``content``) of the document files, read by Spark. The files
    are named one by one (the listing's regular files): Spark's own directory listing
    would skip empty files and names starting with ``_``, and descend into folders."""
    from pyspark.sql import functions as F

    paths = [repo.annotation_path(d).resolve().as_uri() for d in ids]
    frame = spark.read.format("binaryFile").load(paths)
    name = F.regexp_extract("path", r"([^/]*)$", 1)
    doc_id = F.regexp_extract("path", r"([^/]*)\.jsonl$", 1)
    where = repo.rel(repo.annotated_dir)
    return frame.select(
        F.concat(F.lit(where + "/"), name).alias(FILE), doc_id.alias(DOC), "content"
    )


def read_structure(
    spark: Any, repo: Repo, paths: list[Path | str]
) -> tuple[Inputs, Any, list[Finding]]:
    """Level 1 of every file in scope: the inputs (findings, which files passed) as the
    other engines get them from the reader, the typed records of the document files that
    passed, as a persisted DataFrame, and what typing them found."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    listing = list_files(repo)
    scope, ids, annotated = document_ids(repo, paths, listing)
    full = scope is None
    where = repo.rel(repo.annotated_dir)
    files = [
        SourceFile(repo.annotation_path(d), f"{where}/{d}{ANNOTATION_SUFFIX}", DOCUMENT, d)
        for d in ids
    ]
    for kind, path in ((ENTITIES, repo.entities_path), (CLUSTERS, repo.clusters_path)):
        if path.name in listing.annotated:
            files.append(SourceFile(path, repo.rel(path), kind, None))
    for f in files:  # symbolic links, folders, special files: reported, never opened
        f.refused = listing.annotated.get(f.path.name) != REGULAR
    # The metadata checks (raw/*.meta.json against the raw bytes) run on the driver, in a
    # thread, with the other engines' code, while Spark works.
    pool = ThreadPoolExecutor(max_workers=1)
    meta_ids = raw_in_scope(listing, set(ids) if full else set(scope or ()), full)
    meta_check = pool.submit(check_metas, repo, meta_ids, listing, None)
    pool.shutdown(wait=False)
    kept = known_versions(repo.schema_dir)
    version = _provisional(files, kept) if kept else latest_version(repo.schema_dir)
    read = [f.doc_id or "" for f in files if f.kind == DOCUMENT and not f.refused]
    source = _binary_files(spark, repo, read) if read else None
    while True:
        schema = load_schema(repo.schema_dir, version)
        inputs = Inputs(
            repo=repo,
            schema=schema,
            full=full,
            scope_ids=set(ids) if full else set(scope or ()),
            files=files,
            annotated_ids=annotated,
            listing=listing,
        )
        inputs.findings += refusals(repo, listing)
        for f in files:
            f.ok, f.records, f.data = not f.refused, None, None
            if f.kind != DOCUMENT and not f.refused:
                data = f.read()
                if not shared_fast(f, data, schema, inputs.findings):
                    read_lines(f, data, schema, kept, inputs.findings)
        records, declared = None, Counter()
        typed: list[Finding] = []
        if source is not None:
            result = source.mapInArrow(
                executor_pass(schema, kept), _spark_schema(output_schema(schema))
            ).persist(StorageLevel.MEMORY_AND_DISK)
            status = {}
            for row in result.filter(F.col(KIND) != RECORD).select(KIND, FILE, PAYLOAD).collect():
                payload = json.loads(row[PAYLOAD])
                if row[KIND] == FINDING:
                    found = Finding(**payload)
                    # Level 1 is the reader's; typing's findings are the engine's (as in
                    # the pandera engine, they keep their records out of later levels).
                    (inputs.findings if found.level == 1 else typed).append(found)
                else:
                    status[row[FILE]] = payload
            for f in files:
                if f.kind != DOCUMENT or f.refused:
                    continue
                if f.rel not in status:
                    # Spark leaves out empty files: checked here, they have no records.
                    f.ok, found = _empty_file(f, schema, kept)
                    inputs.findings += found
                else:
                    f.ok = status[f.rel]["ok"]
                    if status[f.rel]["declared"] in kept:
                        declared[status[f.rel]["declared"]] += 1
            records = result.filter(F.col(KIND) == RECORD).drop(KIND, PAYLOAD)
        winner = max(declared, key=lambda v: (declared[v], kept.index(v))) if declared else version
        if winner == version:
            inputs.findings += meta_check.result().findings
            return inputs, records, typed
        if records is not None:
            result.unpersist()
        version = winner
