"""Raw texts and metadata of many documents as Arrow columns, for the corpus model and the
validator: one read per file, UTF-8 checked by Arrow for all texts at once, no path objects
or Python strings per document on the way."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.fsutil import NotRegularFile, read_regular
from isf_claims.raw import decode_utf8, parse_meta
from isf_claims.repo import META_SUFFIX, RAW_SUFFIX, Repo


def _read(path: str) -> bytes | None:
    """The bytes of a regular file; None when there is none (a symbolic link, folder or
    special file counts as none and is never opened: validation reports it)."""
    try:
        return read_regular(path)
    except (FileNotFoundError, NotADirectoryError, NotRegularFile):
        return None


def raw_bytes(repo: Repo, doc_ids: Sequence[str | None]) -> list[bytes | None]:
    """The bytes of ``raw/<doc_id>.txt`` per id (None when there is no such file)."""
    folder = str(repo.raw_dir)
    return [None if d is None else _read(os.path.join(folder, d + RAW_SUFFIX)) for d in doc_ids]


def raw_bytes_and_sha256(
    repo: Repo, doc_ids: Sequence[str | None]
) -> tuple[list[bytes | None], list[str | None]]:
    """:func:`raw_bytes` and the sha256 of each (hashlib releases the GIL, so this runs
    well in a background thread while the annotation files are parsed)."""
    blobs = raw_bytes(repo, doc_ids)
    return blobs, [None if b is None else hashlib.sha256(b).hexdigest() for b in blobs]


def texts_of(blobs: Sequence[bytes | None]) -> tuple[pa.Array, list[int]]:
    """``blobs`` as one Arrow string array (null for None and for bytes that are not UTF-8,
    validated by Arrow in one pass), and the positions that are not UTF-8."""
    binary = pa.array(blobs, pa.binary())
    try:
        return binary.cast(pa.string()), []
    except pa.ArrowInvalid:
        bad = [i for i, b in enumerate(blobs) if b is not None and not is_utf8(b)]
        flags = [False] * len(blobs)
        for i in bad:
            flags[i] = True
        cleaned = pc.if_else(pa.array(flags), pa.scalar(None, pa.binary()), binary)
        return cleaned.cast(pa.string()), bad


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_texts(repo: Repo, doc_ids: Sequence[str | None]) -> pa.Array:
    """Decoded raw texts of ``doc_ids`` (null where the raw file does not exist); raises
    ``raw-not-utf8`` naming the file and byte offset when one is not UTF-8."""
    blobs = raw_bytes(repo, doc_ids)
    texts, bad = texts_of(blobs)
    if bad:
        doc_id = doc_ids[bad[0]]
        decode_utf8(blobs[bad[0]] or b"", repo.raw_path(str(doc_id)))  # raises, with detail
    return texts


def read_metas(repo: Repo, doc_ids: Sequence[str | None]) -> list[dict[str, Any]]:
    """The metadata of each document (``raw/<doc_id>.meta.json``; {} where there is none)."""
    folder = str(repo.raw_dir)
    out = []
    for d in doc_ids:
        data = None if d is None else _read(os.path.join(folder, d + META_SUFFIX))
        out.append({} if data is None else parse_meta(repo, str(d), data))
    return out
