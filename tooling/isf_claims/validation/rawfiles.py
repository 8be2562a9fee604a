"""The files of the corpus as listed on disk, and the metadata contract of the raw layer.

Both engines take these findings from here (they are about files, with no table behind
them): every ``raw/<doc_id>.meta.json`` exists beside its text, keeps its contract, and
records the sha256, byte length and code-point length of the bytes now in ``raw/``.
Listings never follow links (see :func:`isf_claims.fsutil.scan`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from isf_claims.fsutil import NotRegularFile, read_regular, scan
from isf_claims.raw import meta_problems
from isf_claims.repo import (
    ANNOTATION_SUFFIX,
    CLUSTERS_FILE,
    ENTITIES_FILE,
    META_SUFFIX,
    RAW_SUFFIX,
    Repo,
)
from isf_claims.validation.report import Finding, finding

FILE = "file"
LINK = "a symbolic link"


@dataclass(frozen=True)
class Listing:
    """What ``raw/`` and ``annotated/`` hold: file name -> ``"file"`` or what it is instead."""

    raw: dict[str, str]
    annotated: dict[str, str]
    bad_names: list[str] = field(default_factory=list)  # paths whose names are not UTF-8

    def raw_kind(self, doc_id: str) -> str | None:
        return self.raw.get(doc_id + RAW_SUFFIX)

    def meta_kind(self, doc_id: str) -> str | None:
        return self.raw.get(doc_id + META_SUFFIX)

    def raw_ids(self) -> set[str]:
        """Every document id with a raw text or metadata entry (of any kind)."""
        out = set()
        for name in self.raw:
            suffix = META_SUFFIX if name.endswith(META_SUFFIX) else RAW_SUFFIX
            out.add(name[: -len(suffix)])
        return out


def refusals(repo: Repo, listing: Listing) -> list[Finding]:
    """``symbolic-link`` / ``not-a-regular-file`` for every entry of ``raw/`` and
    ``annotated/`` with a corpus file's name that is not a regular file, and
    ``file-name-not-utf8`` for every one whose name is not UTF-8."""
    out = [finding("file-name-not-utf8", file=rel) for rel in sorted(listing.bad_names)]
    for folder, entries in ((repo.raw_dir, listing.raw), (repo.annotated_dir, listing.annotated)):
        for name, kind in sorted((n, k) for n, k in entries.items() if k != FILE):
            path = folder / name
            found = kind
            if kind == LINK:
                with contextlib.suppress(OSError):
                    target = os.readlink(path).encode("utf-8", "backslashreplace").decode("utf-8")
                    found = f"a symbolic link to {target}"
            out.append(
                finding(
                    "symbolic-link" if kind == LINK else "not-a-regular-file",
                    file=repo.rel(path),
                    doc_id=_stem(name),
                    kind=kind,
                    shown=found,
                )
            )
    return out


def _stem(name: str) -> str | None:
    for suffix in (META_SUFFIX, RAW_SUFFIX, ANNOTATION_SUFFIX):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return None if name in (ENTITIES_FILE, CLUSTERS_FILE) else stem
    return None


def list_files(repo: Repo) -> Listing:
    """One scan of ``raw/`` and one of ``annotated/``. Entries whose names are not UTF-8
    are set apart (``bad_names``): they are reported, never read."""
    listing = Listing(
        raw=scan(repo.raw_dir, (RAW_SUFFIX, META_SUFFIX)),
        annotated=scan(repo.annotated_dir, (ANNOTATION_SUFFIX,)),
    )
    for folder, entries in ((repo.raw_dir, listing.raw), (repo.annotated_dir, listing.annotated)):
        for name in [n for n in entries if not _utf8(n)]:
            del entries[name]
            listing.bad_names.append(f"{repo.rel(folder)}/{_shown(name)}")
    return listing


def _utf8(name: str) -> bool:
    """Whether a file name (decoded by Python with surrogate escapes) is UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(name: str) -> str:
    """A file name that is not UTF-8, printable: its bad bytes as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass
class MetaCheck:
    """The metadata findings, and the metadata that keeps its contract (doc id -> dict)."""

    findings: list[Finding] = field(default_factory=list)
    metas: dict[str, dict[str, Any]] = field(default_factory=dict)


RawRead = dict[str, tuple[bytes | None, str | None]]  # doc id -> raw bytes, their sha256


def check_metas(
    repo: Repo, doc_ids: Sequence[str], listing: Listing, raw_read: RawRead | None = None
) -> MetaCheck:
    """Check the metadata of ``doc_ids`` against its contract and the raw bytes. Raw bytes
    already read (``raw_read``) are used as they are; the others are read here."""
    known = raw_read or {}
    out = MetaCheck()
    for doc_id in doc_ids:
        kind = listing.meta_kind(doc_id)
        meta_rel = repo.rel(repo.meta_path(doc_id))
        if kind is None:
            if listing.raw_kind(doc_id) == FILE:
                out.findings.append(finding("meta-missing", file=meta_rel, doc_id=doc_id))
            continue
        if kind != FILE:
            continue  # refused by the listing checks, never opened
        try:
            meta_data = read_regular(repo.meta_path(doc_id))
        except (OSError, NotRegularFile):
            continue  # gone or swapped since the listing
        meta, problems = meta_problems(doc_id, meta_data)
        for p in problems:
            out.findings.append(
                finding(
                    "meta-invalid",
                    file=meta_rel,
                    field=p.field,
                    doc_id=doc_id,
                    problem=p.message,
                    need=p.expected,
                    shown=p.found,
                )
            )
        if meta is None:
            continue
        out.metas[doc_id] = meta
        if listing.raw_kind(doc_id) != FILE:
            continue
        data: bytes | None
        digest: str | None
        if doc_id in known:
            data, digest = known[doc_id]
        else:
            try:
                data = read_regular(repo.raw_path(doc_id))
            except (OSError, NotRegularFile):
                continue
            digest = hashlib.sha256(data).hexdigest()
        if data is None:
            continue
        out.findings += _compare(doc_id, meta_rel, meta, data, digest)
    return out


def _compare(
    doc_id: str, meta_rel: str, meta: dict[str, Any], data: bytes, digest: str | None
) -> list[Finding]:
    """The metadata's sha256 and lengths against the raw bytes."""
    out = []
    if meta["sha256"] != digest:
        out.append(
            finding(
                "meta-sha256-mismatch",
                file=meta_rel,
                field="sha256",
                doc_id=doc_id,
                declared=meta["sha256"],
                actual=digest,
            )
        )
    actual = {"n_bytes": len(data), "n_codepoints": _codepoints(data)}
    for name, value in actual.items():
        if value is not None and meta[name] != value:
            unit = "bytes" if name == "n_bytes" else "code points"
            out.append(
                finding(
                    "meta-length-mismatch",
                    file=meta_rel,
                    field=name,
                    doc_id=doc_id,
                    actual=value,
                    declared=meta[name],
                    unit=unit,
                )
            )
    return out


def _codepoints(data: bytes) -> int | None:
    """Length of ``data`` in code points (None when it is not UTF-8)."""
    if data.isascii():
        return len(data)
    try:
        return len(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
