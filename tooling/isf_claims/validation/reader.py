"""Level 1, structure: which files are in scope, and which of them can be read at all.

Both engines start from what this module hands them, so a file that fails here is reported
once and not looked at again. The fast path parses every document file in one pyarrow pass
with the schema's types; only files that fail it are read line by line with ``json`` to say
exactly which line is broken. Files whose lines are all JSON objects of known layers but
whose values have the wrong types pass this level with their records kept as Python dicts:
types are the contract's business (level 2).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims.errors import usage_error
from isf_claims.repo import ANNOTATION_SUFFIX, META_SUFFIX, RAW_SUFFIX, Repo
from isf_claims.schema import (
    DOCUMENT_LAYERS,
    Schema,
    known_versions,
    latest_version,
    load_schema,
)
from isf_claims.tables import record_schema
from isf_claims.validation.report import Finding
from isf_claims.validation.structure import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    MEMBER_KEYS,
    SourceFile,
    allowed,
    bytes_ok,
    header_problem,
    loads,
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
    annotated_ids: set[str]
    findings: list[Finding] = field(default_factory=list)
    parsed: Parsed | None = None

    def read_raw(self, doc_id: str) -> bytes | None:
        """The raw bytes of a document, or None when raw/<doc_id>.txt does not exist."""
        try:
            with open(os.path.join(self.raw_dir, doc_id + RAW_SUFFIX), "rb") as fh:
                return fh.read()
        except (FileNotFoundError, IsADirectoryError):
            return None

    @property
    def raw_dir(self) -> str:
        return str(self.repo.raw_dir)

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
        """Raw documents in scope (all on a full run)."""
        if self.full:
            return sorted(raw_ids(self.repo))
        return sorted(
            d
            for d in self.scope_ids
            if self.repo.raw_path(d).is_file() or self.repo.meta_path(d).is_file()
        )

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
    return _listing(repo.raw_dir, META_SUFFIX) | _listing(repo.raw_dir, RAW_SUFFIX)


# ----------------------------------------------------------------------------- reading


def release_memory() -> None:
    """Hand memory Arrow freed back to the system (its allocator keeps it otherwise, and
    peaks add up across the stages of a run)."""
    pa.default_memory_pool().release_unused()


def _listing(folder: Path, suffix: str) -> set[str]:
    """Stems of the files in ``folder`` ending with ``suffix`` (one directory scan)."""
    if not folder.is_dir():
        return set()
    with os.scandir(folder) as entries:
        return {e.name[: -len(suffix)] for e in entries if e.name.endswith(suffix)}


def _first_line(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.readline().rstrip(b"\n")


def read_inputs(repo: Repo, paths: Sequence[Path | str] = ()) -> Inputs:
    """Find the files in scope and run the structure checks (level 1) on them.

    The corpus's schema version is the one most files declare (the newest on a tie). The
    files are parsed with the version the first file declares; in the rare case that most
    files declare another one, they are parsed again with it.
    """
    scope = resolve_scope(repo, paths)
    full = scope is None
    shared = {p.name[: -len(ANNOTATION_SUFFIX)] for p in (repo.entities_path, repo.clusters_path)}
    annotated = _listing(repo.annotated_dir, ANNOTATION_SUFFIX) - shared
    ids = sorted(annotated) if full else sorted(scope & annotated)
    where = repo.rel(repo.annotated_dir)
    files = [
        SourceFile(repo.annotation_path(d), f"{where}/{d}{ANNOTATION_SUFFIX}", DOCUMENT, d)
        for d in ids
    ]
    for kind, path in ((ENTITIES, repo.entities_path), (CLUSTERS, repo.clusters_path)):
        if path.is_file():
            files.append(SourceFile(path, repo.rel(path), kind, None))
    kept = known_versions(repo.schema_dir)
    version = _provisional(files, kept) if kept else latest_version(repo.schema_dir)
    while True:
        for f in files:
            f.ok, f.records = True, None
        inputs = Inputs(
            repo=repo,
            schema=load_schema(repo.schema_dir, version),
            full=full,
            scope_ids=set(ids) if full else set(scope),
            files=files,
            annotated_ids=annotated,
        )
        for f in files:
            if f.kind != DOCUMENT:
                read_lines(f, f.read(), inputs.schema, kept, inputs.findings)
        inputs.parsed, declared = _fast_parse(inputs, kept)
        winner = max(declared, key=lambda v: (declared[v], kept.index(v))) if declared else version
        if winner == version:
            return inputs
        version = winner


def _provisional(files: list[SourceFile], kept: list[str]) -> str:
    """The version the first document file declares, if it is a kept one."""
    for f in files:
        if f.kind == DOCUMENT:
            with f.path.open("rb") as fh:
                first = fh.readline()
            try:
                version = json.loads(first).get("schema_version")
            except (ValueError, AttributeError):
                break
            return version if version in kept else kept[-1]
    return kept[-1]


LAYERS = (DOCUMENT, *DOCUMENT_LAYERS)
GROUP_BYTES = 32 << 20  # files are read and parsed in groups of about this size
Loaded = tuple[SourceFile, bytes]


def _joined(group: list[Loaded]) -> tuple[bytes, list[int], np.ndarray]:
    """The group's bytes as one buffer (each file ending with a newline), its line counts
    and the byte offset of each file."""
    chunks = [d if d.endswith(b"\n") else d + b"\n" for _, d in group]
    sizes = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    buffer = b"".join(chunks)
    newlines = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 10)
    counts = np.diff(np.searchsorted(newlines, offsets)).tolist()
    return buffer, counts, offsets


def _utf8_flags(group: list[Loaded], buffer: bytes, offsets: np.ndarray) -> list[bool]:
    """Whether each file is valid UTF-8: one Arrow validation of the whole group, file by
    file only when it fails."""
    array = pa.StringArray.from_buffers(
        len(group), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(buffer)
    )
    try:
        array.validate(full=True)
        return [True] * len(group)
    except pa.ArrowInvalid:
        return [_decodes(d) for _, d in group]


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _try_parse(
    group: list[Loaded],
    schema: pa.Schema,
    joined: tuple[bytes, list[int], np.ndarray] | None = None,
) -> tuple[pa.Table, list[int]] | None:
    """Parse ``group`` in one pyarrow pass; None unless every line became one record."""
    buffer, counts, _ = joined or _joined(group)
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    try:
        table = pj.read_json(
            pa.BufferReader(pa.py_buffer(buffer)),
            read_options=pj.ReadOptions(block_size=4 << 20),
            parse_options=options,
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return (table, counts) if table.num_rows == sum(counts) else None


def _bisect(
    group: list[Loaded],
    schema: pa.Schema,
    joined: tuple[bytes, list[int], np.ndarray] | None = None,
) -> tuple[list[tuple[list[Loaded], pa.Table, list[int]]], list[Loaded]]:
    """Sub-groups of files that parse, and the single files that do not."""
    if not group:
        return [], []
    got = _try_parse(group, schema, joined)
    if got is not None:
        return [(group, *got)], []
    if len(group) == 1:
        return [], group
    mid = len(group) // 2
    good_a, bad_a = _bisect(group[:mid], schema)
    good_b, bad_b = _bisect(group[mid:], schema)
    return good_a + good_b, bad_a + bad_b


def _groups(files: list[SourceFile]) -> Iterator[list[Loaded]]:
    group: list[Loaded] = []
    size = 0
    for f in files:
        data = f.read()
        group.append((f, data))
        size += len(data)
        if size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def _fast_parse(inputs: Inputs, kept: list[str]) -> tuple[Parsed | None, Counter[str]]:
    """Typed records of every readable document file, group by group; files that fail the
    byte checks or the typed parse go the slow path. Also counts the schema versions the
    files declare."""
    declared: Counter[str] = Counter()
    schema = record_schema(inputs.schema)
    index = {id(f): i for i, f in enumerate(inputs.files)}
    tables, file_idx, lines = [], [], []
    for group in _groups([f for f in inputs.documents if f.ok]):
        joined = _joined(group)
        flags = _utf8_flags(group, joined[0], joined[2])
        readable = []
        for (f, data), utf8 in zip(group, flags, strict=True):
            if bytes_ok(f, data, inputs.findings, utf8=utf8):
                readable.append((f, data))
            else:
                f.ok = False
        good, bad = _bisect(readable, schema, joined if len(readable) == len(group) else None)
        del joined
        release_memory()
        for f, data in bad:
            version = read_lines(f, data, inputs.schema, kept, inputs.findings)
            if version in kept:
                declared[version] += 1
        for sub, table, counts in good:
            tables.append(table.select(schema.names))
            idx = np.array([index[id(f)] for f, _ in sub], dtype=np.int32)
            file_idx.append(np.repeat(idx, counts))
            starts = np.repeat(np.cumsum([0, *counts[:-1]]), counts)
            lines.append((np.arange(sum(counts)) - starts + 1).astype(np.int32))
    if not tables:
        return None, declared
    parsed = Parsed(pa.concat_tables(tables), np.concatenate(file_idx), np.concatenate(lines))
    return _recheck(inputs, parsed, kept, declared), declared


def _recheck(
    inputs: Inputs, parsed: Parsed, kept: list[str], declared: Counter[str]
) -> Parsed | None:
    """Level-1 problems a typed parse cannot see: a document record that is not first, or
    names another document or schema version; unknown layer values; fields of another
    layer. Files that have them are dropped from ``parsed`` (and re-read line by line for
    all but the document record's problems)."""
    table = parsed.table
    layer = table["layer"]
    first = pa.array(parsed.lines == 1)
    is_doc = pc.equal(layer, DOCUMENT)
    misplaced = pc.not_equal(is_doc, first)
    bad_rows = pc.or_(pc.invert(pc.fill_null(pc.is_in(layer, pa.array(LAYERS)), False)), misplaced)
    for name in LAYERS:
        foreign = [c for c in table.column_names if c not in allowed(inputs.schema, name)]
        if not foreign:
            continue
        given = pc.is_valid(table[foreign[0]])
        for c in foreign[1:]:
            given = pc.or_(given, pc.is_valid(table[c]))
        bad_rows = pc.or_(bad_rows, pc.and_(pc.equal(layer, name), given))
    bad_rows = pc.fill_null(bad_rows, True).to_numpy(zero_copy_only=False)
    relined = set(np.unique(parsed.file_idx[bad_rows]).tolist())
    # Document records (first lines) that name another file or schema version.
    heads = np.flatnonzero(pc.and_(is_doc, first).to_numpy(zero_copy_only=False))
    versions = table["schema_version"].take(pa.array(heads))
    for i, v in zip(parsed.file_idx[heads].tolist(), versions.to_pylist(), strict=True):
        if v in kept and i not in relined:
            declared[v] += 1
    names = pa.array([inputs.files[i].doc_id for i in parsed.file_idx[heads]], pa.string())
    odd = pc.or_(
        pc.invert(pc.fill_null(pc.equal(versions, inputs.schema.version), False)),
        pc.invert(pc.fill_null(pc.equal(table["doc_id"].take(pa.array(heads)), names), False)),
    )
    dropped = set()
    for row in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
        i = int(parsed.file_idx[heads[row]])
        f = inputs.files[i]
        problem = header_problem(
            f,
            table["doc_id"][int(heads[row])].as_py(),
            versions[int(row)].as_py(),
            inputs.schema,
            kept,
        )
        if problem is not None:
            inputs.findings.append(problem)
            f.ok = False
            dropped.add(i)
    for i in sorted(relined - dropped):
        f = inputs.files[i]
        version = read_lines(f, f.read(), inputs.schema, kept, inputs.findings)
        if version in kept:
            declared[version] += 1
    gone = np.array(sorted(relined | dropped), dtype=np.int64)
    if not len(gone):
        return parsed
    keep = ~np.isin(parsed.file_idx, gone)
    if not keep.any():
        return None
    return Parsed(table.filter(pa.array(keep)), parsed.file_idx[keep], parsed.lines[keep])
