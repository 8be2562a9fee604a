"""Level 1, structure: which files are in scope, which of them can be read at all, and
their records, typed. The one reader of ``annotated/*.jsonl``.

The fast path (:mod:`fastparse`) parses the document files in groups, in typed pyarrow
passes, while the next group is read from disk (with its raw texts and metadata) in a
background thread; only files that fail it are read line by line by the reference path
(:mod:`structure`), which words every level-1 finding. Records of files read line by line
are typed value by value (:mod:`typed`: a wrong JSON type is a ``wrong-type`` finding and a
null), straight into Arrow. Everything is handed out as plain values:

- :func:`open_inputs`: the files in scope and the shared files' level 1 (:class:`Inputs`);
- :func:`parse_documents`: the document files, group by group (:class:`Batch`), for the
  engines and every other reader of annotation files (``load_corpus``).

When most files declare another schema version than the first one (``Inputs.winner``),
the caller opens the inputs again with that version and reads the files again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from isf_claims.raw_columns import raw_bytes, raw_bytes_and_sha256, texts_of
from isf_claims.repo import ANNOTATION_SUFFIX, RAW_SUFFIX, Repo
from isf_claims.schema import Schema, known_versions, latest_version, load_schema
from isf_claims.tables import record_schema
from isf_claims.validation.fastparse import Group, parse_group, read_ahead, shared_fast
from isf_claims.validation.rawfiles import (
    FILE,
    Listing,
    check_metas,
    list_files,
    refusals,
)
from isf_claims.validation.report import Finding, finding
from isf_claims.validation.scope import raw_in_scope, resolve_scope
from isf_claims.validation.structure import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    MEMBER_KEYS,
    SourceFile,
    loads,
    read_lines,
)
from isf_claims.validation.typed import typed_table

__all__ = [
    "CLUSTERS",
    "DOCUMENT",
    "ENTITIES",
    "MEMBER_KEYS",
    "Batch",
    "Inputs",
    "RawTexts",
    "Records",
    "loads",
    "open_inputs",
    "parse_documents",
    "raw_in_scope",
    "resolve_scope",
]


@dataclass
class Inputs:
    """What the engines validate."""

    repo: Repo
    schema: Schema
    full: bool
    scope_ids: set[str]
    files: list[SourceFile]
    annotated_ids: set[str]
    findings: list[Finding] = field(default_factory=list)  # level 1 and the metadata's
    listing: Listing = field(default_factory=lambda: Listing({}, {}))
    kept: list[str] = field(default_factory=list)  # schema versions the repository keeps
    declared: Counter[str] = field(default_factory=Counter)  # versions the files declare

    def read_raw(self, doc_id: str) -> bytes | None:
        """The raw bytes of a document, or None when raw/<doc_id>.txt does not exist."""
        return raw_bytes(self.repo, [doc_id])[0]

    @cached_property
    def raw_refused(self) -> set[str]:
        """Documents whose raw text is not a regular file (reported at level 1; the engines
        check nothing against it)."""
        suffix = len(RAW_SUFFIX)
        return {
            n[:-suffix] for n, k in self.listing.raw.items() if n.endswith(RAW_SUFFIX) and k != FILE
        }

    @property
    def winner(self) -> str:
        """The corpus's schema version: the one most files declare (the newest on a tie).
        When it is not ``schema.version``, the files must be read again with it."""
        d = self.declared
        return max(d, key=lambda v: (d[v], self.kept.index(v))) if d else self.schema.version

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
        return raw_in_scope(self.listing, self.scope_ids, self.full)

    def unannotated(self) -> list[Finding]:
        """``raw-unannotated``: raw documents in scope without an annotation file. A listing
        check with no table behind it, so both engines take it from here."""
        out = []
        for doc_id in self.unannotated_candidates:
            if doc_id in self.annotated_ids:
                continue
            raw = self.repo.raw_path(doc_id)
            path = raw if self.listing.raw_kind(doc_id) else self.repo.meta_path(doc_id)
            out.append(finding("raw-unannotated", file=self.repo.rel(path), doc_id=doc_id))
        return out

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


@dataclass
class RawTexts:
    """The raw texts of a group's documents: whether each file exists, the sha256 of its
    bytes, and its text (null when missing or not UTF-8; validated by Arrow, no Python
    strings made)."""

    doc_ids: list[str]
    present: list[bool]
    sha256: list[str | None]
    text: pa.Array | pa.ChunkedArray


@dataclass
class Batch:
    """The document files of one group after level 1: the typed records of those that
    passed it (one ``record_schema`` table), where each row comes from, what typing the
    records read line by line found (``wrong-type``, level 2), and their raw texts and
    valid metadata when asked for."""

    files: list[SourceFile]
    records: pa.Table
    file_idx: np.ndarray  # index into ``files``, per row (int32)
    lines: np.ndarray  # 1-based line number, per row (int32)
    typed: list[Finding] = field(default_factory=list)
    raw: RawTexts | None = None
    metas: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Extra:
    """What the read-ahead thread reads for a group besides its annotation files."""

    raw: RawTexts
    findings: list[Finding]
    metas: dict[str, dict[str, Any]]


def open_inputs(repo: Repo, paths: Sequence[Path | str] = (), version: str | None = None) -> Inputs:
    """The files in scope, the listing's refusals, level 1 of ``entities.jsonl`` and
    ``clusters.jsonl``, and the metadata of raw documents in scope that have no document
    file to read. Document files are read by :func:`parse_documents`. The schema is
    ``version``, else the one the first document file declares (see :attr:`Inputs.winner`)."""
    scope = resolve_scope(repo, paths)
    full = scope is None
    listing = list_files(repo)
    shared = {p.name[: -len(ANNOTATION_SUFFIX)] for p in (repo.entities_path, repo.clusters_path)}
    annotated = {n[: -len(ANNOTATION_SUFFIX)] for n in listing.annotated} - shared
    ids = sorted(annotated) if scope is None else sorted(scope & annotated)
    where = repo.rel(repo.annotated_dir)
    folder = repo.annotated_dir  # one Path object, not two per file
    files = [
        SourceFile(
            folder / f"{d}{ANNOTATION_SUFFIX}", f"{where}/{d}{ANNOTATION_SUFFIX}", DOCUMENT, d
        )
        for d in ids
    ]
    for kind, path in ((ENTITIES, repo.entities_path), (CLUSTERS, repo.clusters_path)):
        if path.name in listing.annotated:
            files.append(SourceFile(path, repo.rel(path), kind, None))
    for f in files:  # symbolic links, folders, special files: reported below, never opened
        f.refused = listing.annotated.get(f.path.name) != FILE
        f.ok = not f.refused
    kept = known_versions(repo.schema_dir)
    if version is None:
        version = _provisional(files, kept) if kept else latest_version(repo.schema_dir)
    inputs = Inputs(
        repo=repo,
        schema=load_schema(repo.schema_dir, version),
        full=full,
        scope_ids=set(ids) if full else set(scope or ()),
        files=files,
        annotated_ids=annotated,
        listing=listing,
        kept=kept,
    )
    inputs.findings += refusals(repo, listing)
    for f in files:
        if f.kind == DOCUMENT or f.refused:
            continue
        data = f.read()
        if not shared_fast(f, data, inputs.schema, inputs.findings):
            read_lines(f, data, inputs.schema, kept, inputs.findings)
    grouped = {f.doc_id for f in files if f.kind == DOCUMENT and not f.refused}
    in_scope = raw_in_scope(listing, set(ids) if full else set(scope or ()), full)
    rest = [d for d in in_scope if d not in grouped]
    if rest:
        inputs.findings += check_metas(repo, rest, listing).findings
    return inputs


def parse_documents(
    inputs: Inputs, raw: bool = True, keep_records: bool = False
) -> Iterator[Batch]:
    """Level 1 of the document files in scope, group by group (about ``GROUP_BYTES`` of
    files each): each batch's typed records. Level-1 and metadata findings go to
    ``inputs.findings`` and the versions the files declare to ``inputs.declared`` as the
    batches pass. With ``raw``, each batch also has its documents' raw texts and valid
    metadata (read, hashed and checked in the background). ``keep_records`` keeps the
    records of files read line by line in ``SourceFile.records`` (as written, untyped)."""
    schema = inputs.schema
    arrow_schema = record_schema(schema)
    raw_read = _raw_reader(inputs) if raw else None

    def work(group: Group) -> tuple[Batch, list[Finding], Counter[str]]:
        """Level 1 of a group, in the read-ahead thread (findings kept apart, merged in
        order by the caller's thread)."""
        findings: list[Finding] = []
        parsed, declared = parse_group(group, schema, inputs.kept, findings)
        files = [f for f, _ in group.loaded]
        tables, file_idx, lines = [], [], []
        if parsed is not None:
            tables.append(parsed.table)
            file_idx.append(parsed.file_idx)
            lines.append(parsed.lines)
        typed: list[Finding] = []
        for i, f in enumerate(files):
            if not f.ok or f.records is None:
                continue
            table, found = typed_table(schema, None, f)
            typed += found
            tables.append(table)
            file_idx.append(np.full(table.num_rows, i, dtype=np.int32))
            lines.append(np.arange(1, table.num_rows + 1, dtype=np.int32))
            if not keep_records:
                f.records = None
        batch = Batch(
            files,
            pa.concat_tables(tables) if tables else arrow_schema.empty_table(),
            np.concatenate(file_idx) if file_idx else np.zeros(0, np.int32),
            np.concatenate(lines) if lines else np.zeros(0, np.int32),
            typed,
        )
        del group, parsed, tables
        if raw_read is not None:
            extra = raw_read(files)
            findings += extra.findings
            batch.raw, batch.metas = extra.raw, extra.metas
        return batch, findings, declared

    todo = [f for f in inputs.documents if f.ok]
    for batch, findings, declared in read_ahead(todo, work):
        inputs.findings += findings
        inputs.declared.update(declared)
        yield batch


def _raw_reader(inputs: Inputs) -> Callable[[list[SourceFile]], _Extra]:
    """What the read-ahead thread reads for a group: the raw bytes of its documents (and
    their sha256), their texts as Arrow, and the metadata checked against them."""
    repo, listing = inputs.repo, inputs.listing
    in_scope = set(raw_in_scope(listing, inputs.scope_ids, inputs.full))

    def read(files: list[SourceFile]) -> _Extra:
        ids = [f.doc_id or "" for f in files]
        blobs, shas = raw_bytes_and_sha256(repo, ids)
        known = dict(zip(ids, zip(blobs, shas, strict=True), strict=True))
        metas = check_metas(repo, [d for d in ids if d in in_scope], listing, known)
        present = [b is not None for b in blobs]
        text, _ = texts_of(blobs)
        return _Extra(RawTexts(ids, present, shas, text), metas.findings, metas.metas)

    return read


@dataclass
class Records:
    """Every typed record of the document files that passed level 1, in one table (what
    ``load_corpus`` reads through :func:`parse_documents`)."""

    inputs: Inputs  # files, level-1 findings, schema
    records: pa.Table  # ``record_schema(inputs.schema)``
    file_idx: np.ndarray  # index into ``inputs.files``, per row
    lines: np.ndarray  # 1-based line number, per row
    typed: list[Finding]  # ``wrong-type`` findings of records read line by line


def _provisional(files: list[SourceFile], kept: list[str]) -> str:
    """The version the first document file declares, if it is a kept one."""
    for f in files:
        if f.kind == DOCUMENT and not f.refused:
            try:
                with f.path.open("rb") as fh:  # a regular file, as listed
                    first = fh.readline()
                version = loads(first).get("schema_version")
            except (OSError, ValueError, AttributeError):
                break
            return version if version in kept else kept[-1]
    return kept[-1]
