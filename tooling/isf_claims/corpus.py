"""The corpus model: raw + annotations + schema loaded into typed Arrow tables.

Everything else in the project (validation, releases, converters, the review view) builds
on :func:`load_corpus`. Annotation files are parsed in one pass by pyarrow's JSON reader over
the concatenated bytes of all files, so loading is columnar end to end; :func:`write_corpus`
writes the same records back in the canonical format, byte for byte.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims import annotations as fmt
from isf_claims.errors import IsfError, refuse
from isf_claims.raw import META_FIELDS, read_corpus_file
from isf_claims.raw_columns import read_metas, read_texts
from isf_claims.repo import Repo
from isf_claims.schema import DOCUMENT_LAYERS, Schema, load_schema
from isf_claims.tables import (
    TABLE_LAYERS,
    read_json_lines,
    record_schema,
    shared_schema,
    table_schema,
)

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
        return self.tables["documents"]["doc_id"].to_pylist()

    def text(self, doc_id: str) -> str:
        docs = self.tables["documents"]
        idx = pc.index(docs["doc_id"], doc_id).as_py()
        if idx < 0:
            raise KeyError(doc_id)
        return docs["text"][idx].as_py()


def _json_error(path: Path, data: bytes, schema: pa.Schema, repo: Repo) -> IsfError:
    """Locate the first line of ``data`` that does not parse (the slow path, errors only)."""
    names = set(schema.names)
    for lineno, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            if lineno == data.count(b"\n") + 1:
                continue
            return refuse(
                "blank-line",
                path=f"{repo.rel(path)}:{lineno}",
                expected="one JSON record per line",
                found="an empty line",
            )
        try:
            rec = json.loads(raw_line)
        except (ValueError, RecursionError) as exc:
            return refuse(
                "json-invalid",
                path=f"{repo.rel(path)}:{lineno}",
                expected="one JSON object per line",
                found=raw_line[:120].decode("utf-8", "replace"),
                error=exc,
            )
        extra = sorted(set(rec) - names) if isinstance(rec, dict) else []
        if not isinstance(rec, dict) or extra:
            return refuse(
                "record-shape",
                path=f"{repo.rel(path)}:{lineno}",
                record=str(rec.get("id")) if isinstance(rec, dict) else None,
                expected="fields of the declared schema version",
                found=", ".join(extra) if extra else type(rec).__name__,
                note="record has unknown fields" if extra else "record is not a JSON object",
            )
    return refuse(
        "record-type",
        path=repo.rel(path),
        expected="types of the declared schema version",
        found="a value that does not fit its field",
    )


def _check_utf8(path: Path, data: bytes, repo: Repo) -> None:
    """``not-utf8`` naming the line and byte offset of the first byte that does not decode."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        raise refuse(
            "not-utf8",
            path=f"{repo.rel(path)}:{lineno}",
            expected="UTF-8 text",
            found=f"byte 0x{data[exc.start]:02x} ({exc.reason})",
            offset=exc.start,
        ) from exc


def parse_jsonl(
    files: list[tuple[Path, bytes]], schema: pa.Schema, repo: Repo
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Parse JSON-lines files in one pyarrow pass.

    Returns the records, and per row the index of its file and its 1-based line number.
    """
    chunks: list[bytes] = []
    counts: list[int] = []
    for _path, data in files:
        if data and not data.endswith(b"\n"):
            data += b"\n"
        chunks.append(data)
        counts.append(data.count(b"\n"))
    buf = b"".join(chunks)
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    try:
        table = read_json_lines(buf, options) if buf else schema.empty_table()
    except pa.ArrowInvalid:
        table = None
    if table is None or table.num_rows != sum(counts):
        for (path, data), _ in zip(files, counts, strict=True):
            try:
                single = read_json_lines(data or b"", options)
                if single.num_rows == data.count(b"\n") + (0 if data.endswith(b"\n") else 1):
                    continue
            except pa.ArrowInvalid:
                pass
            raise _json_error(path, data, schema, repo)
        raise AssertionError("unreachable: the whole failed but every file parsed")
    try:
        table.validate(full=True)  # pyarrow's JSON reader passes bytes that are not UTF-8
    except pa.ArrowInvalid:
        for path, data in files:
            _check_utf8(path, data, repo)
        raise
    file_idx = np.repeat(np.arange(len(files), dtype=np.int32), counts)
    starts = np.repeat(np.cumsum([0, *counts])[:-1].astype(np.int64), counts)
    lines = (np.arange(table.num_rows, dtype=np.int64) - starts + 1).astype(np.int32)
    return table.select(schema.names), file_idx, lines


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


def _header_of(data: bytes) -> dict[str, Any]:
    first = data.split(b"\n", 1)[0]
    try:
        rec = json.loads(first)
    except ValueError:
        return {}
    return rec if isinstance(rec, dict) else {}


def load_corpus(repo: Repo, doc_ids: Iterable[str] | None = None) -> Corpus:
    """Load raw texts, metadata and annotations of ``doc_ids`` (default: all annotated
    documents) plus the shared entities and clusters, as typed Arrow tables.

    Raises :class:`IsfError` on input that cannot be parsed at all; semantic problems are
    left to validation.
    """
    paths = (
        [repo.annotation_path(d) for d in doc_ids]
        if doc_ids is not None
        else repo.annotation_files()
    )
    # lexists: a folder, special file or link under a corpus name is refused by
    # read_corpus_file with its own code (not-a-regular-file / symbolic-link), not as unknown
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise refuse(
            "unknown-document",
            path=repo.rel(missing[0]),
            expected="ids of annotated documents: "
            + ", ".join(p.stem for p in repo.annotation_files()[:10]),
            found=", ".join(p.stem for p in missing),
            what="annotation file",
        )
    files = [(p, read_corpus_file(repo, p)) for p in paths]
    versions = {_header_of(data).get("schema_version") for _, data in files}
    versions.discard(None)
    if len(versions) > 1:
        raise refuse(
            "mixed-schema-versions",
            path=repo.rel(repo.annotated_dir),
            expected="one schema version across the corpus",
            found=", ".join(sorted(versions)),
        )
    schema = load_schema(repo.schema_dir, next(iter(versions)) if versions else None)
    return build_corpus(repo, schema, files)


def build_corpus(repo: Repo, schema: Schema, files: list[tuple[Path, bytes]]) -> Corpus:
    """Typed tables from annotation file bytes (see :func:`load_corpus`)."""
    records, file_idx, lines = parse_jsonl(files, record_schema(schema), repo)
    shown = [_printable_name(repo.rel(p)) for p, _ in files]
    return corpus_from_records(repo, schema, records, file_idx, lines, shown)


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
    shared: Mapping[str, bytes] | None = None,
) -> Corpus:
    """Typed tables from records already parsed by :func:`parse_jsonl`.

    ``texts`` (columns ``doc_id``, ``text``: raw texts the caller has read already, null
    where a raw file is missing or not UTF-8) replaces reading raw/; ``metadata=False``
    leaves the metadata columns null instead of reading raw/*.meta.json, and a mapping
    (doc_id -> metadata already read) replaces reading them; ``shared``
    (``"entity"`` / ``"cluster"`` -> bytes) replaces reading entities.jsonl and clusters.jsonl.
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
        if shared is not None:
            data = shared.get(layer, b"")
        else:
            data = read_corpus_file(repo, path) if os.path.lexists(path) else b""
        recs, _, rec_lines = parse_jsonl([(path, data)], shared_schema(schema.layer(layer)), repo)
        name = LAYER_TABLES[layer]
        cols = [
            *_flatten(recs, schema, name),
            pa.array([repo.rel(path)] * recs.num_rows),
            pa.array(rec_lines),
        ]
        corpus.tables[name] = pa.Table.from_arrays(cols, schema=table_schema(schema, name))
        if layer == "cluster":
            corpus.tables["cluster_members"] = _members(recs, rec_lines, repo.rel(path), schema)
    return corpus


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


def _members(recs: pa.Table, lines: np.ndarray, rel: str, schema: Schema) -> pa.Table:
    members = recs["members"].combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(members), 0).to_numpy()
    parent = pc.list_parent_indices(members)
    flat = pc.list_flatten(members)
    cols = [
        recs["id"].combine_chunks().take(parent),
        pc.struct_field(flat, "doc_id"),
        pc.struct_field(flat, "claim"),
        pc.struct_field(flat, "note"),
        pa.array([rel] * len(flat), pa.string()),
        pa.array(np.repeat(lines, lengths).astype(np.int32)),
    ]
    return pa.Table.from_arrays(cols, schema=table_schema(schema, "cluster_members"))


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
