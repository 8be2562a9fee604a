"""The corpus model: raw + annotations + schema loaded into typed Arrow tables.

Everything else in the project (validation, releases, converters, the review view) builds
on :func:`load_corpus`. Annotation files are read by validation's reader (the only parser of
``annotated/*.jsonl``: typed pyarrow passes over batches of files, line by line only for a
file that fails them), so loading is columnar end to end; :func:`corpus_files` writes the
same records back in the canonical format, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims import annotations as fmt
from isf_claims.codebook import ERROR
from isf_claims.errors import refuse
from isf_claims.fsutil import scan
from isf_claims.raw import META_FIELDS
from isf_claims.raw_columns import read_metas, read_texts
from isf_claims.repo import ANNOTATION_SUFFIX, Repo
from isf_claims.schema import DOCUMENT_LAYERS, Schema, known_versions, latest_version, load_schema
from isf_claims.tables import (
    TABLE_LAYERS,
    cluster_members,
    read_json_lines,
    record_schema,
    shared_schema,
    table_schema,
)
from isf_claims.validation.fastparse import shared_fast
from isf_claims.validation.rawfiles import Listing, refusals
from isf_claims.validation.reader import Inputs, Records, parse_documents
from isf_claims.validation.structure import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    SourceFile,
    read_header,
    read_lines,
    refusal,
)
from isf_claims.validation.typed import typed_table

LAYER_TABLES = {v: k for k, v in TABLE_LAYERS.items()}


@dataclass
class Corpus:
    """Typed tables of a corpus, keyed by table name (see ``tables.TABLE_LAYERS``)."""

    repo: Repo
    schema: Schema
    tables: dict[str, pa.Table] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    @property
    def doc_ids(self) -> list[str]:
        ids: list[str] = self.tables["documents"]["doc_id"].to_pylist()
        return ids

    def text(self, doc_id: str) -> str:
        docs = self.tables["documents"]
        idx = pc.index(docs["doc_id"], doc_id).as_py()
        if idx < 0:
            raise KeyError(doc_id)
        text: str = docs["text"][idx].as_py()
        return text


def _flatten(records: pa.Table, schema: Schema, table: str) -> list[pa.Array]:
    """Columns of ``table`` (without doc_id/provenance) taken from parsed records."""
    layer = schema.layer(TABLE_LAYERS[table])
    cols: list[pa.Array] = []
    for f in layer.fields:
        if f.name == "layer" or f.type == "members":
            continue
        col = records[f.name].combine_chunks()
        if f.type == "span":
            cols += [pc.struct_field(col, k) for k in ("start", "end", "text")]
        else:
            cols.append(col)
    return cols


def load_corpus(
    repo: Repo, doc_ids: Iterable[str] | None = None, *, repair: bool = False
) -> Corpus:
    """Load raw texts, metadata and annotations of ``doc_ids`` (default: all annotated
    documents) plus the shared entities and clusters, as typed Arrow tables.

    The files are read by validation's reader; anything it reports at level 1 (the file
    cannot be read as annotation records at all) is raised as an :class:`IsfError` with
    validation's code and wording, as is a value of the wrong type. Semantic problems are
    left to validation. With ``repair``, files are read with a byte-order mark and CR line
    endings repaired (what ``fmt`` rewrites).
    """
    files = _files(repo, doc_ids)
    for f in files:
        f.repair = repair
    read = _read(repo, files)
    inputs = read.inputs
    errors = [f for f in inputs.findings if f.severity == ERROR]
    if errors:
        order = {f.rel: i for i, f in enumerate(files)}
        raise refusal(min(errors, key=lambda e: (order.get(e.file, -1), e.line or 0)))
    shared: dict[str, pa.Table] = {}
    typed = list(read.typed)
    for f in files:
        if f.kind != DOCUMENT:
            layer = "entity" if f.kind == ENTITIES else "cluster"
            shared[layer], found = (
                (f.table, []) if f.table is not None else typed_table(inputs.schema, layer, f)
            )
            typed += found
    if typed:  # values of another type (typed as null): the model would be wrong
        order = {f.rel: i for i, f in enumerate(files)}
        raise refusal(min(typed, key=lambda e: (order.get(e.file, -1), e.line or 0)))
    return corpus_from_records(
        repo,
        inputs.schema,
        read.records,
        read.file_idx,
        read.lines,
        [f.rel for f in files],
        shared=shared,
    )


def _files(repo: Repo, doc_ids: Iterable[str] | None) -> list[SourceFile]:
    """The annotation files of ``doc_ids`` (default: every document file) and the shared
    files there are, from one scan of the folder; a name that is not UTF-8, a link or
    anything but a regular file is refused as validation reports it."""
    entries = scan(repo.annotated_dir, (ANNOTATION_SUFFIX,))
    shared = (repo.entities_path.name, repo.clusters_path.name)
    names = (
        [f"{d}{ANNOTATION_SUFFIX}" for d in doc_ids]
        if doc_ids is not None
        else sorted(n for n in entries if n not in shared)
    )
    missing = [n for n in names if n not in entries]
    if missing:
        raise refuse(
            "unknown-document",
            path=repo.rel(repo.annotated_dir / missing[0]),
            expected="ids of annotated documents: "
            + ", ".join(p.stem for p in repo.annotation_files()[:10]),
            found=", ".join(n[: -len(ANNOTATION_SUFFIX)] for n in missing),
            what="annotation file",
        )
    names += [n for n in shared if n in entries]
    where = repo.rel(repo.annotated_dir)
    listing = Listing({}, {})
    for n in names:
        try:
            n.encode("utf-8")
        except UnicodeEncodeError:
            listing.bad_names.append(f"{where}/{_printable_name(n)}")
        else:
            listing.annotated[n] = entries[n]
    refused = refusals(repo, listing)
    if refused:
        raise refusal(refused[0])
    kinds = {repo.entities_path.name: ENTITIES, repo.clusters_path.name: CLUSTERS}
    folder = repo.annotated_dir
    return [
        SourceFile(
            folder / n,
            f"{where}/{n}",
            kinds.get(n, DOCUMENT),
            None if n in kinds else n[: -len(ANNOTATION_SUFFIX)],
        )
        for n in names
    ]


def _read(repo: Repo, files: list[SourceFile]) -> Records:
    """Level 1 of ``files`` by validation's reader, and the typed records of the document
    files that pass it (read again with the schema version most files declare when that is
    not the first file's)."""
    kept = known_versions(repo.schema_dir)
    version = latest_version(repo.schema_dir)
    head = next((f for f in files if f.kind == DOCUMENT), None)
    if head is not None and kept:
        declared = (read_header(head.path) or {}).get("schema_version")
        version = declared if declared in kept else kept[-1]
    index = {id(f): i for i, f in enumerate(files)}
    while True:
        for f in files:
            f.ok, f.records, f.data, f.table = True, None, None, None
        schema = load_schema(repo.schema_dir, version)
        ids = {f.doc_id for f in files if f.doc_id}
        inputs = Inputs(repo, schema, False, ids, files, ids, kept=kept)
        for f in files:
            if f.kind != DOCUMENT:
                data = f.read()
                if not shared_fast(f, data, schema, inputs.findings):
                    read_lines(f, data, schema, kept, inputs.findings)
        tables, file_idx, lines, typed = [], [], [], []
        for batch in parse_documents(inputs, raw=False):
            where = np.array([index[id(f)] for f in batch.files], dtype=np.int32)
            tables.append(batch.records)
            file_idx.append(where[batch.file_idx] if len(where) else batch.file_idx)
            lines.append(batch.lines)
            typed += batch.typed
        if inputs.winner == version:
            break
        version = inputs.winner
    none = np.zeros(0, np.int32)
    return Records(
        inputs,
        pa.concat_tables(tables) if tables else record_schema(schema).empty_table(),
        np.concatenate(file_idx) if file_idx else none,
        np.concatenate(lines) if lines else none,
        typed,
    )


def _printable_name(name: str) -> str:
    """A file name as text: bytes of a name that are not UTF-8 (surrogate escapes) shown as
    ``\\xNN`` (validation reports such a name; loading must not fail on it)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def corpus_from_records(
    repo: Repo,
    schema: Schema,
    records: pa.Table,
    file_idx: np.ndarray,
    lines: np.ndarray,
    rel_paths_list: list[str],
    *,
    texts: pa.Table | None = None,
    metadata: bool | Mapping[str, dict[str, Any]] = True,
    shared: Mapping[str, pa.Table | bytes] | None = None,
) -> Corpus:
    """Typed tables from records already parsed by validation's reader.

    ``records`` are the typed records (:func:`isf_claims.tables.record_schema`) of the
    document files, ``file_idx`` and ``lines`` the index into ``rel_paths_list`` and the
    1-based line of each. ``texts`` (columns ``doc_id``, ``text``: raw texts the caller has
    read already, null where a raw file is missing or not UTF-8) replaces reading raw/;
    ``metadata=False``
    leaves the metadata columns null instead of reading raw/*.meta.json, and a mapping
    (doc_id -> metadata already read) replaces reading them. ``shared`` holds the records of
    entities.jsonl and clusters.jsonl (``"entity"`` / ``"cluster"`` -> the reader's typed
    records, or bytes that passed its level 1; a missing one: no such file).
    """
    rel_paths = pa.array(rel_paths_list, pa.string())
    layer_col = records["layer"]
    corpus = Corpus(repo, schema)

    headers_mask = pc.equal(layer_col, "document")
    header_idx = np.flatnonzero(headers_mask.to_numpy(zero_copy_only=False))
    # Every row's doc_id is its file's header doc_id.
    header_rows = records.select(schema.layer("document").field_names).take(pa.array(header_idx))
    file_doc: list[str | None] = [None] * len(rel_paths_list)
    for row_file, doc_id in zip(
        file_idx[header_idx].tolist(), header_rows["doc_id"].to_pylist(), strict=True
    ):
        if file_doc[row_file] is None:
            file_doc[row_file] = doc_id
    file_docs = pa.array(file_doc, pa.string())

    for layer in DOCUMENT_LAYERS:
        name = LAYER_TABLES[layer]
        mask = pc.equal(layer_col, layer)
        rows = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        fields = [f.name for f in schema.layer(layer).fields if f.name != "layer"]
        part = records.select(fields).filter(mask)  # chunk by chunk: no concatenation
        files = pa.array(file_idx[rows])
        cols = [file_docs.take(files), *_flatten(part, schema, name)]
        cols += [rel_paths.take(files), pa.array(lines[rows])]
        corpus.tables[name] = pa.Table.from_arrays(cols, schema=table_schema(schema, name))

    provenance = (rel_paths.take(pa.array(file_idx[header_idx])), lines[header_idx])
    corpus.tables["documents"] = _documents(repo, schema, header_rows, provenance, texts, metadata)
    for layer in ("entity", "cluster"):
        path = repo.entities_path if layer == "entity" else repo.clusters_path
        given = (shared or {}).get(layer, b"")
        recs = given if isinstance(given, pa.Table) else _shared_records(given, schema, layer)
        rec_lines = np.arange(1, recs.num_rows + 1, dtype=np.int32)
        name = LAYER_TABLES[layer]
        cols = [
            *_flatten(recs, schema, name),
            pa.array([repo.rel(path)] * recs.num_rows),
            pa.array(rec_lines),
        ]
        corpus.tables[name] = pa.Table.from_arrays(cols, schema=table_schema(schema, name))
        if layer == "cluster":
            rel = repo.rel(path)
            corpus.tables["cluster_members"] = cluster_members(schema, recs, rec_lines, rel)
    return corpus


def _shared_records(data: bytes, schema: Schema, layer: str) -> pa.Table:
    """The typed records of a shared file the reader has checked (level 1 passed: one
    record per line)."""
    options = pj.ParseOptions(
        explicit_schema=shared_schema(schema.layer(layer)), unexpected_field_behavior="error"
    )
    return read_json_lines(data, options) if data else options.explicit_schema.empty_table()


def _documents(
    repo: Repo,
    schema: Schema,
    headers: pa.Table,
    provenance: tuple[pa.Array, np.ndarray],
    texts: pa.Table | None,
    metadata: bool | Mapping[str, dict[str, Any]],
) -> pa.Table:
    """The documents table, column-wise: header fields, metadata, text, provenance."""
    target = table_schema(schema, "documents")
    doc_ids = headers["doc_id"].to_pylist()
    if texts is None:
        text = read_texts(repo, doc_ids)
    else:
        same_order = headers["doc_id"].num_chunks and headers["doc_id"].equals(texts["doc_id"])
        text = (
            texts["text"]
            if same_order
            else texts["text"].take(pc.index_in(headers["doc_id"], texts["doc_id"]))
        )
    if isinstance(metadata, Mapping):
        missing = [d for d in doc_ids if d not in metadata]
        known = {**dict(zip(missing, read_metas(repo, missing), strict=True)), **metadata}
        metas = [known[d] for d in doc_ids]
    else:
        metas = read_metas(repo, doc_ids) if metadata else [{} for _ in doc_ids]
    columns = {
        "text": text,
        "_file": provenance[0],
        "_line": pa.array(provenance[1], pa.int32()),
    }
    out = []
    for f in target:
        if f.name in columns:
            out.append(columns[f.name])
        elif f.name in headers.column_names:
            out.append(headers[f.name].combine_chunks().cast(f.type))
        elif f.name in META_FIELDS:
            out.append(pa.array([m.get(f.name) for m in metas], f.type))
        else:
            out.append(pa.nulls(headers.num_rows, f.type))
    return pa.Table.from_arrays(out, schema=target)


# ---------------------------------------------------------------------------- writing back


def _span(row: dict[str, Any], name: str) -> dict[str, Any] | None:
    if row.get(f"{name}_start") is None and row.get(f"{name}_text") is None:
        return None
    return {k: row.get(f"{name}_{k}") for k in ("start", "end", "text")}


def _unflatten(schema: Schema, layer: str, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in schema.layer(layer).span_fields:
        out[name] = _span(row, name)
    return out


def corpus_files(corpus: Corpus) -> dict[Path, bytes]:
    """Canonical bytes of every annotation file the corpus's records make."""
    schema, repo = corpus.schema, corpus.repo
    per_doc: dict[str, list[dict[str, Any]]] = {d: [] for d in corpus.doc_ids}
    for layer in DOCUMENT_LAYERS:
        for row in corpus[LAYER_TABLES[layer]].to_pylist():
            per_doc[row["doc_id"]].append({**_unflatten(schema, layer, row), "layer": layer})
    out: dict[Path, bytes] = {}
    for header in corpus["documents"].to_pylist():
        doc_id = header["doc_id"]
        out[repo.annotation_path(doc_id)] = fmt.to_bytes(
            fmt.document_lines(schema, header, per_doc[doc_id])
        )
    out[repo.entities_path] = fmt.to_bytes(
        fmt.shared_lines(schema, "entity", corpus["entities"].to_pylist())
    )
    members: dict[str, list[dict[str, Any]]] = {}
    for m in corpus["cluster_members"].to_pylist():
        members.setdefault(m["cluster_id"], []).append(m)
    clusters = [{**c, "members": members.get(c["id"], [])} for c in corpus["clusters"].to_pylist()]
    out[repo.clusters_path] = fmt.to_bytes(fmt.shared_lines(schema, "cluster", clusters))
    return out
