"""The pandera engine's input: polars frames of every table, built through the corpus model.

Document files that passed the reader's typed parse are used as parsed. Files read line by
line (their values may have the wrong JSON type) are typed here, value by value: a value of
the wrong type becomes null and a ``wrong-type`` finding, the record is re-serialised and
parsed by the same typed reader, so every table comes out of ``corpus_from_records``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.json as pj

from isf_claims.annotations import dumps
from isf_claims.corpus import Corpus, corpus_from_records
from isf_claims.raw_columns import raw_bytes_and_sha256, texts_of
from isf_claims.schema import Schema
from isf_claims.tables import read_json_lines, record_schema
from isf_claims.validation.fastparse import release_memory
from isf_claims.validation.reader import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    MEMBER_KEYS,
    Inputs,
)
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import INT64, layer_of

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


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind == "integer":
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (INT64[0] <= value <= INT64[1])
        )
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


class _Typer:
    """Types one file's records against the schema, collecting ``wrong-type`` findings."""

    def __init__(self, schema: Schema, rel: str, doc_id: str | None) -> None:
        self.schema, self.rel, self.doc_id = schema, rel, doc_id
        self.findings: list[Finding] = []

    def _bad(self, line: int, rec: dict[str, Any], name: str, expected: str, value: Any) -> None:
        rid = rec.get("id")
        self.findings.append(
            Finding(
                code="wrong-type",
                file=self.rel,
                line=line,
                record=rid if isinstance(rid, str) else None,
                field=name,
                doc_id=self.doc_id,
                message=f"{name} must be {expected}, not {_json_type(value)}",
                expected=expected,
                found=json.dumps(value, ensure_ascii=False)[:80],
            )
        )

    def record(self, layer: str, line: int, rec: dict[str, Any]) -> dict[str, Any]:
        out = dict(rec)
        for f in layer_of(self.schema, layer).fields:
            value = rec.get(f.name)
            if f.type == "span":
                out[f.name] = self._span(line, rec, f.name, value)
            elif f.type == "members":
                out[f.name] = self._members(line, rec, value)
            elif not _fits(f.type, value):
                self._bad(line, rec, f.name, f.type, value)
                out[f.name] = None
        return out

    def _span(self, line: int, rec: dict[str, Any], name: str, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            self._bad(line, rec, name, "an object {start, end, text}", value)
            return None
        span = dict(value)
        for part, kind in (("start", "integer"), ("end", "integer"), ("text", "string")):
            if not _fits(kind, value.get(part)):
                self._bad(line, rec, f"{name}.{part}", kind, value.get(part))
                span[part] = None
        return span

    def _members(self, line: int, rec: dict[str, Any], value: Any) -> Any:
        if value is None:
            self.findings.append(
                Finding(
                    code="missing-value",
                    file=self.rel,
                    line=line,
                    record=rec.get("id") if isinstance(rec.get("id"), str) else None,
                    field="members",
                    message="members is required",
                    expected="a list of {doc_id, claim, note}",
                    found="null",
                )
            )
            return []
        if not isinstance(value, list):
            self._bad(line, rec, "members", "a list of {doc_id, claim, note}", value)
            return []
        out = []
        for i, m in enumerate(value):
            if not isinstance(m, dict):
                self._bad(line, rec, f"members[{i}]", "an object {doc_id, claim, note}", m)
                out.append(dict.fromkeys(MEMBER_KEYS))
                continue
            member = {k: m.get(k) for k in MEMBER_KEYS}
            for k in MEMBER_KEYS:
                if not _fits("string", m.get(k)):
                    self._bad(line, rec, f"members[{i}].{k}", "string", m.get(k))
                    member[k] = None
            out.append(member)
        return out


def _typed_lines(inputs: Inputs, kind_layer: str | None, f: Any) -> tuple[bytes, list[Finding]]:
    typer = _Typer(inputs.schema, f.rel, f.doc_id)
    lines = []
    for lineno, rec in enumerate(f.records or [], start=1):
        layer = kind_layer or rec["layer"]
        lines.append(dumps(typer.record(layer, lineno, rec)))
    return "".join(line + "\n" for line in lines).encode("utf-8"), typer.findings


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
        data, found = _typed_lines(inputs, None, f)
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
            shared[layer], found = _typed_lines(inputs, layer, f)
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
