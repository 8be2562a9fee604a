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
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.json as pj

from isf_claims.repo import ANNOTATION_SUFFIX, Repo
from isf_claims.schema import Schema, known_versions, latest_version, load_schema
from isf_claims.tables import record_schema
from isf_claims.validation.fastparse import shared_fast
from isf_claims.validation.rawfiles import FILE as REGULAR
from isf_claims.validation.rawfiles import Listing, MetaCheck, check_metas, list_files, refusals
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
CORPUS = "_corpus"  # which corpus of a batch a row belongs to (an integer key)
SEP = "\x00"  # between the corpus key and the file in a qualified ``_file``
RECORD, FINDING, STATUS = "record", "finding", "file"


def output_schema(schema: Schema) -> pa.Schema:
    """What the executors return: the typed record columns, provenance, kind, payload."""
    extra = [
        pa.field(CORPUS, pa.int64()),
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
    """The function ``mapInArrow`` runs on each partition of (``_corpus``, ``_file``,
    ``_doc``, ``content``) batches. Records get a qualified ``_file``; the rows of file
    status and findings keep the file's path in its corpus."""
    out_schema = output_schema(schema)
    parse = pj.ParseOptions(
        explicit_schema=record_schema(schema), unexpected_field_behavior="error"
    )
    names = record_schema(schema).names

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        local = _portable(schema)
        for batch in batches:
            tables, meta = [], []
            for key, rel, doc_id, data in zip(
                batch.column(CORPUS).to_pylist(),
                batch.column(FILE).to_pylist(),
                batch.column(DOC).to_pylist(),
                batch.column("content").to_pylist(),
                strict=True,
            ):
                f, declared, findings, typed = check_file(rel, doc_id, data, local, kept)
                meta.append((STATUS, key, rel, json.dumps({"ok": f.ok, "declared": declared})))
                meta += [(FINDING, key, rel, json.dumps(asdict(x))) for x in findings]
                if typed:
                    records = pj.read_json(pa.BufferReader(typed), parse_options=parse)
                    n = records.num_rows
                    tables.append(
                        pa.Table.from_arrays(
                            [
                                *records.select(names).columns,
                                pa.array([key] * n, pa.int64()),
                                pa.array([qualify(key, rel)] * n, pa.string()),
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
                kinds, keys, files, payloads = zip(*meta, strict=True)
                columns = [pa.nulls(n, f.type) for f in out_schema][: len(names)]
                tables.append(
                    pa.Table.from_arrays(
                        [
                            *columns,
                            pa.array(keys, pa.int64()),
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


# ------------------------------------------------------------------------------- batches


@dataclass
class Part:
    """One corpus of a batch, on the driver: what its listing gave, and after level 1 its
    inputs (as the reader gives them to the other engines) and its typed records."""

    key: int
    repo: Repo
    scope: set[str] | None
    ids: list[str]
    annotated: set[str]
    files: list[SourceFile]
    listing: Listing
    meta_check: Future[MetaCheck]
    kept: list[str]
    version: str
    schema: Schema | None = None
    inputs: Inputs | None = None
    records: Any = None  # the persisted executor pass with its records (``_corpus`` == key)
    typed: list[Finding] = field(default_factory=list)  # typing's findings, qualified

    @property
    def full(self) -> bool:
        return self.scope is None

    @property
    def where(self) -> Path:
        return self.repo.annotated_dir.resolve()


def qualify(key: int, rel: str) -> str:
    """A file name unique in a batch: the corpus key, ``SEP``, the file's path in its
    corpus. Rows and findings carry it, so that records of different corpora never meet."""
    return f"{key}{SEP}{rel}"


def unqualify(finding: Finding) -> tuple[int, Finding]:
    key, rel = finding.file.split(SEP, 1)
    return int(key), replace(finding, file=rel)


def prepare(repo: Repo, paths: Sequence[Path | str], key: int, pool: ThreadPoolExecutor) -> Part:
    """The driver's share of level 1 before Spark reads anything: listing, scope, files,
    the metadata checks (started in ``pool``), and the schema version to try first."""
    listing = list_files(repo)
    scope, ids, annotated = document_ids(repo, list(paths), listing)
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
    full = scope is None
    meta_ids = raw_in_scope(listing, set(ids) if full else set(scope or ()), full)
    meta_check = pool.submit(check_metas, repo, meta_ids, listing, None)
    kept = known_versions(repo.schema_dir)
    version = _provisional(files, kept) if kept else latest_version(repo.schema_dir)
    return Part(key, repo, scope, ids, annotated, files, listing, meta_check, kept, version)


def schema_key(part: Part) -> tuple[str, tuple[str, ...], str]:
    """Corpora with equal keys share one executor pass (same schema, same kept versions)."""
    assert part.schema is not None
    return (part.version, tuple(part.kept), json.dumps(part.schema.raw, sort_keys=True))


def _driver_files(part: Part, schema: Schema) -> Inputs:
    """The part's inputs for ``schema``, with the listing's refusals and the shared files
    (entities, clusters) read by the reader on the driver."""
    inputs = Inputs(
        repo=part.repo,
        schema=schema,
        full=part.full,
        scope_ids=set(part.ids) if part.full else set(part.scope or ()),
        files=part.files,
        annotated_ids=part.annotated,
        listing=part.listing,
        kept=part.kept,
    )
    inputs.findings += refusals(part.repo, part.listing)
    for f in part.files:
        f.ok, f.records, f.data = not f.refused, None, None
        if f.kind != DOCUMENT and not f.refused:
            data = f.read()
            if not shared_fast(f, data, schema, inputs.findings):
                read_lines(f, data, schema, part.kept, inputs.findings)
    return inputs


def _binary_files(spark: Any, parts: list[Part]) -> Any:
    """(``_corpus``, ``_file``, ``_doc``, ``content``) of the parts' document files, read by
    Spark in one scan. The files are named one by one (the listing's regular files):
    Spark's own directory listing would skip empty files and names starting with ``_``,
    and descend into folders. A file's corpus is found from its folder."""
    from pyspark.sql import functions as F

    paths = [
        p.repo.annotation_path(f.doc_id or "").resolve().as_uri()
        for p in parts
        for f in p.files
        if f.kind == DOCUMENT and not f.refused
    ]
    frame = spark.read.format("binaryFile").load(paths)
    folder = F.regexp_replace(F.regexp_extract("path", r"^(.*)/[^/]*$", 1), "^file:/+", "/")
    keys = F.create_map(*(x for p in parts for x in (F.lit(str(p.where)), F.lit(p.key))))
    wheres = F.create_map(
        *(x for p in parts for x in (F.lit(p.key), F.lit(p.repo.rel(p.repo.annotated_dir))))
    )
    return frame.withColumn(CORPUS, keys[folder]).select(
        CORPUS,
        F.concat(wheres[F.col(CORPUS)], F.lit("/"), F.regexp_extract("path", r"([^/]*)$", 1)).alias(
            FILE
        ),
        F.regexp_extract("path", r"([^/]*)\.jsonl$", 1).alias(DOC),
        "content",
    )


def read_structure(spark: Any, parts: list[Part]) -> list[Any]:
    """Level 1 of every file in scope of every part, in one executor pass per schema: each
    part gets its inputs (findings, which files passed), its typed records (a DataFrame
    over a persisted result) and what typing them found. Returns the persisted results
    (to unpersist when the batch is done)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    persisted: list[Any] = []  # Spark DataFrames (see _pass)
    pending = list(parts)
    while pending:
        groups: dict[Any, list[Part]] = {}
        later: list[Part] = []
        for part in pending:
            part.schema = load_schema(part.repo.schema_dir, part.version)
            group = groups.setdefault(schema_key(part), [])
            if any(p.where == part.where for p in group):
                later.append(part)  # the same folder twice: the next pass
            else:
                group.append(part)
        pending = later
        for group in groups.values():
            pending += _pass(spark, group, persisted, StorageLevel.MEMORY_AND_DISK, F)
    return persisted


def _pass(spark: Any, group: list[Part], persisted: list[Any], level: Any, F: Any) -> list[Part]:
    """One executor pass over ``group``; the parts whose version vote chose another schema
    are returned, to be read again."""
    schema = group[0].schema
    assert schema is not None
    kept = group[0].kept
    by_key = {p.key: p for p in group}
    for part in group:
        part.inputs = _driver_files(part, part.schema or schema)
    read = [p for p in group if any(f.kind == DOCUMENT and not f.refused for f in p.files)]
    status: dict[tuple[int, str], dict[str, Any]] = {}
    result = None
    if read:
        result = (
            _binary_files(spark, read)
            .mapInArrow(executor_pass(schema, kept), _spark_schema(output_schema(schema)))
            .persist(level)
        )
        persisted.append(result)
        rows = result.filter(F.col(KIND) != RECORD).select(KIND, CORPUS, FILE, PAYLOAD).collect()
        for row in rows:
            part, payload = by_key[row[CORPUS]], json.loads(row[PAYLOAD])
            assert part.inputs is not None
            if row[KIND] == FINDING:
                found = Finding(**payload)
                # Level 1 is the reader's; typing's findings are the engine's (as in the
                # pandera engine, they keep their records out of later levels).
                if found.level == 1:
                    part.inputs.findings.append(found)
                else:
                    part.typed.append(replace(found, file=qualify(part.key, found.file)))
            else:
                status[(part.key, row[FILE])] = payload
    again = []
    for part in group:
        inputs = part.inputs
        assert inputs is not None and part.schema is not None
        declared: Counter[str] = Counter()
        for f in part.files:
            if f.kind != DOCUMENT or f.refused:
                continue
            got = status.get((part.key, f.rel))
            if got is None:
                # Spark leaves out empty files: checked here, they have no records.
                f.ok, empty_found = _empty_file(f, part.schema, part.kept)
                inputs.findings += empty_found
            else:
                f.ok = got["ok"]
                if got["declared"] in part.kept:
                    declared[got["declared"]] += 1
        winner = (
            max(declared, key=lambda v: (declared[v], part.kept.index(v)))
            if declared
            else part.version
        )
        if winner != part.version:
            part.version, part.typed = winner, []
            again.append(part)
        else:
            part.records = result
    return again


def records_of(parts: list[Part]) -> Any:
    """The typed records of ``parts`` (one filter per executor pass they came from), or
    None when none of them has any."""
    from pyspark.sql import functions as F

    results: dict[int, tuple[Any, list[int]]] = {}
    for p in parts:
        if p.records is not None:
            results.setdefault(id(p.records), (p.records, []))[1].append(p.key)
    out = None
    for result, keys in results.values():
        frame = result.filter((F.col(KIND) == RECORD) & F.col(CORPUS).isin(keys))
        frame = frame.drop(KIND, PAYLOAD)
        out = frame if out is None else out.unionByName(frame)
    return out
