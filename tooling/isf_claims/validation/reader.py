"""Level 1, structure: which files are in scope, and which of them can be read at all.

Both engines start from what this module hands them, so a file that fails here is reported
once and not looked at again. The fast path (:mod:`fastparse`) parses the document files in
typed pyarrow passes; only files that fail it are read line by line with ``json`` to say
exactly which line is broken. Files whose lines are all JSON objects of known layers but
whose values have the wrong types pass this level with their records kept as Python dicts:
types are the contract's business (level 2).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse
from isf_claims.raw_columns import raw_bytes, raw_bytes_and_sha256
from isf_claims.repo import (
    ANNOTATION_SUFFIX,
    CLUSTERS_FILE,
    ENTITIES_FILE,
    META_SUFFIX,
    RAW_SUFFIX,
    Repo,
)
from isf_claims.schema import (
    Schema,
    known_versions,
    latest_version,
    load_schema,
)
from isf_claims.validation.fastparse import Parsed, fast_parse, shared_fast
from isf_claims.validation.rawfiles import (
    FILE,
    Listing,
    MetaCheck,
    check_metas,
    list_files,
    refusals,
)
from isf_claims.validation.report import Finding
from isf_claims.validation.structure import (
    CLUSTERS,
    DOCUMENT,
    ENTITIES,
    MEMBER_KEYS,
    SourceFile,
    loads,
    read_lines,
)

__all__ = ["CLUSTERS", "DOCUMENT", "ENTITIES", "MEMBER_KEYS", "Inputs", "loads", "read_inputs"]


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
    keep_corpus: bool = False  # the engine leaves the corpus model it made in ``corpus``
    # Raw bytes and sha256 of every document in scope, read in a background thread while the
    # annotation files are parsed: (doc ids, future of raw_bytes_and_sha256).
    raw_prefetch: tuple[list[str], Future] | None = None
    # The metadata checks of the raw documents in scope, run in the same background thread.
    meta_check: Future[MetaCheck] | None = None
    listing: Listing = field(default_factory=lambda: Listing({}, {}))
    corpus: Any = None  # isf_claims.corpus.Corpus (imported lazily: pyarrow)
    on_corpus: Callable[[Any], None] | None = None  # gets ``corpus`` as soon as it is made

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

    def meta_result(self) -> MetaCheck:
        """The metadata findings and the valid metadata (waits for the background check)."""
        return MetaCheck() if self.meta_check is None else self.meta_check.result()

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
            out.append(
                Finding(
                    code="raw-unannotated",
                    file=self.repo.rel(path),
                    doc_id=doc_id,
                    message=f"raw document {doc_id} has no annotation file",
                    expected=self.repo.rel(self.repo.annotation_path(doc_id)),
                    found="no such file",
                )
            )
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
        if not os.path.lexists(path):
            raise refuse(
                "path-not-found",
                path=str(raw_path),
                expected="an existing corpus file",
                found="nothing at that path",
            )
        try:
            str(raw_path).encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(raw_path).decode("utf-8", "backslashreplace")
            raise refuse(
                "not-a-corpus-path",
                path=shown,
                expected="a corpus file (named by its document id)",
                found=shown,
                note="the path is not UTF-8, so it names no corpus file",
            ) from None
        # The folders resolved, the name kept: a symbolic link is checked as the entry it
        # is (and refused), never followed out of the repository.
        absolute = Path(os.path.abspath(path))
        full = absolute.parent.resolve() / absolute.name if absolute.name else absolute
        try:
            rel = full.relative_to(root)
        except ValueError:
            raise refuse(
                "not-a-corpus-path",
                path=str(raw_path),
                expected=f"a file under {root}",
                found=str(full),
                note="path is outside the corpus repository",
            ) from None
        parts = rel.parts
        if not parts or parts in (("annotated",), ("raw",)) or parts[0] == "schema":
            return None
        if parts[0] == "annotated" and len(parts) == 2 and rel.name.endswith(ANNOTATION_SUFFIX):
            if rel.name in (ENTITIES_FILE, CLUSTERS_FILE):
                return None
            ids.add(rel.name[: -len(ANNOTATION_SUFFIX)])
        elif parts[0] == "raw" and len(parts) == 2 and rel.name.endswith(META_SUFFIX):
            ids.add(rel.name[: -len(META_SUFFIX)])
        elif parts[0] == "raw" and len(parts) == 2 and rel.name.endswith(RAW_SUFFIX):
            ids.add(rel.name[: -len(RAW_SUFFIX)])
        else:
            raise refuse(
                "not-a-corpus-path",
                path=str(raw_path),
                expected="annotated/*.jsonl, raw/*.txt, raw/*.meta.json or schema/**",
                found=rel.as_posix(),
                note="not an annotation, raw or schema file",
            )
    return ids


def raw_in_scope(listing: Listing, scope_ids: set[str], full: bool) -> list[str]:
    """Raw documents in scope (every one on a full run), sorted."""
    ids = listing.raw_ids()
    return sorted(ids if full else ids & scope_ids)


# ----------------------------------------------------------------------------- reading


def read_inputs(
    repo: Repo,
    paths: Sequence[Path | str] = (),
    prefetch_raw: bool = False,
) -> Inputs:
    """Find the files in scope and run the structure checks (level 1) on them; with
    ``prefetch_raw``, read the raw files of those documents in a background thread
    meanwhile (see ``Inputs.raw_prefetch``). The metadata of the raw documents in scope
    is checked in the same thread (``Inputs.meta_check``).

    The corpus's schema version is the one most files declare (the newest on a tie). The
    files are parsed with the version the first file declares; in the rare case that most
    files declare another one, they are parsed again with it.
    """
    scope = resolve_scope(repo, paths)
    full = scope is None
    listing = list_files(repo)
    shared = {p.name[: -len(ANNOTATION_SUFFIX)] for p in (repo.entities_path, repo.clusters_path)}
    annotated = {n[: -len(ANNOTATION_SUFFIX)] for n in listing.annotated} - shared
    ids = sorted(annotated) if full else sorted(scope & annotated)
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
    prefetch = meta_check = None
    meta_ids = raw_in_scope(listing, set(ids) if full else scope, full)
    if ids or meta_ids:
        pool = ThreadPoolExecutor(max_workers=1)
        if prefetch_raw and ids:
            prefetch = (ids, pool.submit(raw_bytes_and_sha256, repo, ids))
        meta_check = pool.submit(check_metas, repo, meta_ids, listing, prefetch)
        pool.shutdown(wait=False)  # the tasks run on; nothing else is submitted
    kept = known_versions(repo.schema_dir)
    version = _provisional(files, kept) if kept else latest_version(repo.schema_dir)
    while True:
        for f in files:
            f.ok, f.records, f.data = not f.refused, None, None
        inputs = Inputs(
            repo=repo,
            schema=load_schema(repo.schema_dir, version),
            full=full,
            scope_ids=set(ids) if full else set(scope),
            files=files,
            annotated_ids=annotated,
            raw_prefetch=prefetch,
            meta_check=meta_check,
            listing=listing,
        )
        inputs.findings += refusals(repo, listing)
        for f in files:
            if f.kind == DOCUMENT or f.refused:
                continue
            data = f.read()
            if not shared_fast(f, data, inputs.schema, inputs.findings):
                read_lines(f, data, inputs.schema, kept, inputs.findings)
        inputs.parsed, declared = fast_parse(inputs, kept)
        winner = max(declared, key=lambda v: (declared[v], kept.index(v))) if declared else version
        if winner == version:
            return inputs
        version = winner


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
