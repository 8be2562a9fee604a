"""Level 1, structure: which files are in scope, and which of them can be read at all.

Both engines start from what this module hands them, so a file that fails here is reported
once and not looked at again. The fast path parses every document file in one pyarrow pass
with the schema's types; only files that fail it are read line by line with ``json`` to say
exactly which line is broken. Files whose lines are all JSON objects of known layers but
whose values have the wrong types pass this level with their records kept as Python dicts:
types are the contract's business (level 2).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims.errors import usage_error
from isf_claims.repo import ANNOTATION_SUFFIX, META_SUFFIX, RAW_SUFFIX, Repo
from isf_claims.schema import DOCUMENT_LAYERS, Schema, known_versions, load_schema
from isf_claims.tables import record_schema
from isf_claims.validation.report import Finding
from isf_claims.validation.structure import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    MEMBER_KEYS,
    SourceFile,
    allowed,
    finding,
    loads,
    read_header,
    read_lines,
)

__all__ = ["CLUSTERS", "DOCUMENT", "ENTITIES", "MEMBER_KEYS", "Inputs", "loads", "read_inputs"]


@dataclass
class Parsed:
    """Typed records of the document files that passed the fast path."""

    table: pa.Table
    file_idx: np.ndarray  # index into Inputs.files, per row
    lines: np.ndarray  # 1-based line number, per row


@dataclass
class Inputs:
    """What the engines validate."""

    repo: Repo
    schema: Schema
    full: bool
    scope_ids: set[str]
    files: list[SourceFile]
    raw: dict[str, bytes | None]
    annotated_ids: set[str]
    raw_ids: set[str]
    findings: list[Finding] = field(default_factory=list)
    parsed: Parsed | None = None

    @property
    def documents(self) -> list[SourceFile]:
        return [f for f in self.files if f.kind == DOCUMENT]

    def shared(self, kind: str) -> SourceFile | None:
        return next((f for f in self.files if f.kind == kind), None)

    @property
    def loaded_ids(self) -> set[str]:
        """Documents whose records the engines see."""
        return {f.doc_id for f in self.documents if f.ok and f.doc_id}

    @property
    def opaque_ids(self) -> set[str]:
        """Documents that exist but whose records are not seen (out of scope or unreadable):
        references into them are not checked."""
        return self.annotated_ids - self.loaded_ids

    @property
    def complete(self) -> bool:
        """Every annotation file was read: corpus-wide warnings (unused entities, labels
        across documents) are only meaningful then."""
        return self.full and not self.opaque_ids

    @property
    def entities_known(self) -> bool:
        """Whether references to canonical entities can be checked."""
        ent = self.shared(ENTITIES)
        return ent is None or ent.ok

    @property
    def unannotated_candidates(self) -> list[str]:
        ids = self.raw_ids if self.full else self.raw_ids & self.scope_ids
        return sorted(ids)

    def reported_files(self) -> set[str] | None:
        """Files whose findings a partial run reports (None: all)."""
        if self.full:
            return None
        out = set()
        for d in self.scope_ids:
            for p in (
                self.repo.annotation_path(d),
                self.repo.raw_path(d),
                self.repo.meta_path(d),
            ):
                out.add(self.repo.rel(p))
        return out


# ----------------------------------------------------------------------------- scope


def resolve_scope(repo: Repo, paths: Sequence[Path | str]) -> set[str] | None:
    """Document ids the given paths concern, or None for the whole corpus.

    Shared files (entities, clusters) and the schema affect every document, so they mean a
    full run; a raw file means the document annotated on it.
    """
    if not paths:
        return None
    root = repo.root.resolve()
    ids: set[str] = set()
    for raw_path in paths:
        path = Path(raw_path)
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        try:
            rel = full.relative_to(root)
        except ValueError:
            raise usage_error(
                "not-a-corpus-path",
                "path is outside the corpus repository",
                path=str(raw_path),
                expected=f"a file under {root}",
                found=str(full),
                fix="pass annotation or raw files of this repository",
            ) from None
        parts = rel.parts
        if not parts or parts in (("annotated",), ("raw",)) or parts[0] == "schema":
            return None
        if parts[0] == "annotated" and len(parts) == 2 and rel.name.endswith(ANNOTATION_SUFFIX):
            if full == repo.entities_path.resolve() or full == repo.clusters_path.resolve():
                return None
            ids.add(rel.name[: -len(ANNOTATION_SUFFIX)])
        elif parts[0] == "raw" and len(parts) == 2 and rel.name.endswith(META_SUFFIX):
            ids.add(rel.name[: -len(META_SUFFIX)])
        elif parts[0] == "raw" and len(parts) == 2 and rel.name.endswith(RAW_SUFFIX):
            ids.add(rel.name[: -len(RAW_SUFFIX)])
        else:
            raise usage_error(
                "not-a-corpus-path",
                "not an annotation, raw or schema file",
                path=str(raw_path),
                expected="annotated/*.jsonl, raw/*.txt, raw/*.meta.json or schema/**",
                found=rel.as_posix(),
                fix="pass only corpus files (the pre-commit hook filters them for you)",
            )
    return ids


def raw_ids(repo: Repo) -> set[str]:
    """Every document id that has a raw text or metadata file."""
    if not repo.raw_dir.is_dir():
        return set()
    out = set()
    for p in repo.raw_dir.iterdir():
        for suffix in (META_SUFFIX, RAW_SUFFIX):
            if p.name.endswith(suffix):
                out.add(p.name[: -len(suffix)])
    return out


# ----------------------------------------------------------------------------- reading


def read_inputs(repo: Repo, paths: Sequence[Path | str] = ()) -> Inputs:
    """Read every file in scope and run the structure checks (level 1)."""
    scope = resolve_scope(repo, paths)
    full = scope is None
    annotated = {p.name[: -len(ANNOTATION_SUFFIX)] for p in repo.annotation_files()}
    ids = sorted(annotated) if full else sorted(scope & annotated)
    files = [_source(repo, repo.annotation_path(d), DOCUMENT, d) for d in ids]
    for kind, path in ((ENTITIES, repo.entities_path), (CLUSTERS, repo.clusters_path)):
        if path.is_file():
            files.append(_source(repo, path, kind, None))
    findings: list[Finding] = []
    headers = {id(f): read_header(f, findings) for f in files if f.kind == DOCUMENT}
    schema = _corpus_schema(repo, files, headers, findings)
    inputs = Inputs(
        repo=repo,
        schema=schema,
        full=full,
        scope_ids=set(ids) if full else set(scope),
        files=files,
        raw={},
        annotated_ids=annotated,
        raw_ids=raw_ids(repo),
        findings=findings,
    )
    for f in files:
        if f.kind != DOCUMENT and f.ok:
            read_lines(f, schema, findings)
    inputs.parsed = _fast_parse(inputs)
    for f in inputs.documents:
        if f.ok and f.doc_id:
            path = repo.raw_path(f.doc_id)
            inputs.raw[f.doc_id] = path.read_bytes() if path.is_file() else None
    return inputs


def _source(repo: Repo, path: Path, kind: str, doc_id: str | None) -> SourceFile:
    data = path.read_bytes() if path.is_file() else None
    return SourceFile(path, repo.rel(path), kind, doc_id, data, ok=data is not None)


def _corpus_schema(
    repo: Repo,
    files: list[SourceFile],
    headers: dict[int, dict[str, Any] | None],
    findings: list[Finding],
) -> Schema:
    """The schema version the corpus follows; files on other versions fail level 1."""
    kept = known_versions(repo.schema_dir)
    if not kept:
        load_schema(repo.schema_dir)  # raises schema-missing (exit 2)
    declared: dict[int, str] = {}
    for f in files:
        header = headers.get(id(f))
        if header is None:
            continue
        version = header.get("schema_version")
        if not isinstance(version, str) or version not in kept:
            findings.append(
                finding(
                    f,
                    "unknown-schema-version",
                    f"schema version {version!r} is not kept in this repository",
                    line=1,
                    field="schema_version",
                    expected="one of " + ", ".join(kept),
                    found=json.dumps(version, ensure_ascii=False),
                )
            )
            f.ok = False
        else:
            declared[id(f)] = version
    counts = Counter(declared.values())
    version = max(counts, key=lambda v: (counts[v], kept.index(v))) if counts else kept[-1]
    for f in files:
        other = declared.get(id(f))
        if other is not None and other != version:
            findings.append(
                finding(
                    f,
                    "mixed-schema-versions",
                    f"the file follows schema {other}, the corpus {version}",
                    line=1,
                    field="schema_version",
                    expected=version,
                    found=other,
                )
            )
            f.ok = False
    return load_schema(repo.schema_dir, version)


# ----------------------------------------------------------------------------- fast path


def _try_parse(files: list[SourceFile], schema: pa.Schema) -> tuple[pa.Table, list[int]] | None:
    """Parse ``files`` in one pyarrow pass; None unless every line became one record."""
    chunks, counts = [], []
    for f in files:
        data = f.data or b""
        if not data.endswith(b"\n"):
            data += b"\n"
        chunks.append(data)
        counts.append(data.count(b"\n"))
    buf = b"".join(chunks)
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    try:
        table = pj.read_json(io.BytesIO(buf), parse_options=options)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return (table, counts) if table.num_rows == sum(counts) else None


def _bisect(
    files: list[SourceFile], schema: pa.Schema
) -> tuple[list[tuple[list[SourceFile], pa.Table, list[int]]], list[SourceFile]]:
    """Groups of files that parse, and the single files that do not."""
    if not files:
        return [], []
    got = _try_parse(files, schema)
    if got is not None:
        return [(files, *got)], []
    if len(files) == 1:
        return [], files
    mid = len(files) // 2
    good_a, bad_a = _bisect(files[:mid], schema)
    good_b, bad_b = _bisect(files[mid:], schema)
    return good_a + good_b, bad_a + bad_b


def _fast_parse(inputs: Inputs) -> Parsed | None:
    """Typed records of every readable document file; the rest go the slow path."""
    schema = record_schema(inputs.schema)
    candidates = [f for f in inputs.documents if f.ok]
    good, bad = _bisect(candidates, schema)
    for f in bad:
        read_lines(f, inputs.schema, inputs.findings)
    index = {id(f): i for i, f in enumerate(inputs.files)}
    tables, file_idx, lines = [], [], []
    for group, table, counts in good:
        tables.append(table.select(schema.names))
        idx = np.array([index[id(f)] for f in group], dtype=np.int32)
        file_idx.append(np.repeat(idx, counts))
        starts = np.repeat(np.cumsum([0, *counts[:-1]]), counts)
        lines.append((np.arange(sum(counts)) - starts + 1).astype(np.int32))
    if not tables:
        return None
    parsed = Parsed(
        pa.concat_tables(tables).combine_chunks(),
        np.concatenate(file_idx),
        np.concatenate(lines),
    )
    return _recheck(inputs, parsed)


def _recheck(inputs: Inputs, parsed: Parsed) -> Parsed | None:
    """Level-1 problems a typed parse cannot see (unknown layer values, a second document
    record): files that have them are re-read line by line and dropped from ``parsed``."""
    layer = parsed.table["layer"]
    known = pa.array([DOCUMENT, *DOCUMENT_LAYERS])
    misplaced = pc.not_equal(pc.equal(layer, DOCUMENT), pa.array(parsed.lines == 1))
    bad_rows = pc.or_(pc.invert(pc.fill_null(pc.is_in(layer, known), False)), misplaced)
    for name in (DOCUMENT, *DOCUMENT_LAYERS):
        foreign = [c for c in parsed.table.column_names if c not in allowed(inputs.schema, name)]
        if not foreign:
            continue
        given = pc.is_valid(parsed.table[foreign[0]])
        for c in foreign[1:]:
            given = pc.or_(given, pc.is_valid(parsed.table[c]))
        bad_rows = pc.or_(bad_rows, pc.and_(pc.equal(layer, name), given))
    bad_rows = pc.fill_null(bad_rows, True).to_numpy(zero_copy_only=False)
    bad_files = np.unique(parsed.file_idx[bad_rows])
    if not len(bad_files):
        return parsed
    for i in bad_files:
        read_lines(inputs.files[i], inputs.schema, inputs.findings)
    keep = ~np.isin(parsed.file_idx, bad_files)
    if not keep.any():
        return None
    return Parsed(parsed.table.filter(pa.array(keep)), parsed.file_idx[keep], parsed.lines[keep])
