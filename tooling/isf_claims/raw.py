"""The raw layer: each article stored verbatim with its metadata, and ``ingest`` to add one.

``raw/<doc_id>.txt`` holds the article's bytes exactly as received; ``raw/<doc_id>.meta.json``
holds its metadata. Raw files are never edited: new articles are added, never changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse
from isf_claims.fsutil import NotRegularFile, read_regular
from isf_claims.repo import ANNOTATION_SUFFIX, CLUSTERS_FILE, ENTITIES_FILE, Repo

META_FIELDS = (
    "doc_id",
    "source_file",
    "outlet",
    "byline",
    "published",
    "published_basis",
    "language",
    "url",
    "added",
    "rights",
    "sha256",
    "n_bytes",
    "n_codepoints",
)
DEFAULT_RIGHTS = (
    "Copyright in the article text remains with its publisher. The text is stored verbatim "
    "for research annotation and is not relicensed by this project."
)
DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RawDocument:
    """A raw article: its decoded text and metadata."""

    doc_id: str
    text: str
    meta: dict[str, Any]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_utf8(
    data: bytes,
    path: Path | str,
    code: str = "raw-not-utf8",
) -> str:
    """Decode strictly; a bad byte is ``code`` naming its offset. No BOM stripping, no
    newline translation: the text is exactly the bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(
            code,
            path=str(path),
            expected="UTF-8 text",
            found=f"byte 0x{data[exc.start]:02x} at offset {exc.start} ({exc.reason})",
            note=f"a bad byte at byte offset {exc.start}",
        ) from exc


# The metadata contract: every field of META_FIELDS, each of these types (None: null allowed).
META_NULLABLE = frozenset(
    {"source_file", "outlet", "byline", "published", "published_basis", "url", "added"}
)
META_INTEGERS = ("n_bytes", "n_codepoints")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class MetaProblem:
    """One way a metadata file breaks the contract."""

    field: str | None
    message: str
    expected: str
    found: str


def meta_problems(doc_id: str, data: bytes) -> tuple[dict[str, Any] | None, list[MetaProblem]]:
    """A metadata file's bytes as a dict, and what breaks the contract: JSON (UTF-8, no lone
    surrogate escape), an object with exactly the fields of ``META_FIELDS``, each of its
    type, ``doc_id`` equal to the file name and ``sha256`` a hex digest. The dict is None
    when there is a problem."""
    try:
        meta = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSON errors, bad UTF-8, deep nesting
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        excerpt = _excerpt(data)
        return None, [MetaProblem(None, f"not valid JSON: {why}", "a JSON object", excerpt)]
    if not isinstance(meta, dict):
        found = f"{type(meta).__name__}: {_excerpt(data)}"
        return None, [MetaProblem(None, "not a JSON object", "a JSON object", found)]
    out = [
        MetaProblem(k, f"unknown field {k!r}", "fields: " + ", ".join(META_FIELDS), k)
        for k in meta
        if k not in META_FIELDS
    ]
    for k in META_FIELDS:
        out += _field_problems(k, meta.get(k, ...), doc_id)
    return (None, out) if out else (meta, [])


def _excerpt(data: bytes) -> str:
    """The start of ``data`` on one line (newlines escaped)."""
    return json.dumps(data[:60].decode("utf-8", "replace"), ensure_ascii=False)


def _field_problems(name: str, value: Any, doc_id: str) -> list[MetaProblem]:
    if value is ...:
        return [
            MetaProblem(
                name, f"field {name!r} is missing", "the field (null if unknown)", "no field"
            )
        ]
    shown = json.dumps(value, ensure_ascii=True)[:80]
    if value is None and name in META_NULLABLE:
        return []
    if name in META_INTEGERS:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return []
        return [MetaProblem(name, f"{name} is not a count", "an integer >= 0", shown)]
    if not isinstance(value, str):
        nullable = " or null" if name in META_NULLABLE else ""
        return [MetaProblem(name, f"{name} is not a string", f"a string{nullable}", shown)]
    if has_lone_surrogate(value):
        return [MetaProblem(name, f"{name} has a lone surrogate escape", "Unicode text", shown)]
    if name == "doc_id" and value != doc_id:
        return [MetaProblem(name, "doc_id differs from the file name", json.dumps(doc_id), shown)]
    if name == "sha256" and not SHA256_RE.match(value):
        return [
            MetaProblem(name, "sha256 is not a hex digest", "64 hex digits (lower case)", shown)
        ]
    return []


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a code point U+D800-U+DFFF (JSON's ``\\ud800`` escapes parse
    to one; it cannot be encoded as UTF-8)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_corpus_file(repo: Repo, path: Path) -> bytes:
    """The bytes of a file of ``raw/`` (or ``annotated/``); a symbolic link, folder or
    special file is refused (``symbolic-link`` / ``not-a-regular-file``), never opened."""
    try:
        return read_regular(path)
    except NotRegularFile as exc:
        link = exc.kind == "a symbolic link"
        raise refuse(
            "symbolic-link" if link else "not-a-regular-file",
            path=repo.rel(path),
            expected="a regular file",
            found=exc.kind,
            kind=exc.kind,
        ) from None


def read_meta(repo: Repo, doc_id: str) -> dict[str, Any]:
    """The metadata of ``doc_id`` (``raw/<doc_id>.meta.json``)."""
    return parse_meta(repo, doc_id, read_corpus_file(repo, repo.meta_path(doc_id)))


def parse_meta(repo: Repo, doc_id: str, data: bytes) -> dict[str, Any]:
    """A metadata file's bytes as a dict; ``meta-invalid`` naming the file and the first
    problem when they break the contract (see :func:`meta_problems`)."""
    meta, problems = meta_problems(doc_id, data)
    if meta is not None:
        return meta
    p = problems[0]
    where = f" (field {p.field})" if p.field else ""
    raise refuse(
        "meta-invalid",
        path=repo.rel(repo.meta_path(doc_id)),
        expected=p.expected,
        found=p.found,
        note=f"metadata file breaks the contract: {p.message}{where}",
    )


def read_raw(repo: Repo, doc_id: str) -> RawDocument:
    """The raw text (decoded, untouched) and metadata of ``doc_id``."""
    data = read_corpus_file(repo, repo.raw_path(doc_id))
    return RawDocument(doc_id, decode_utf8(data, repo.raw_path(doc_id)), read_meta(repo, doc_id))


def slug(text: str, max_words: int = 8) -> str:
    """Lower-case ASCII kebab-case of the first ``max_words`` words of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words])


def make_doc_id(outlet: str | None, date: str | None, topic: str) -> str:
    """``<outlet>_<date>_<topic>``, leaving out what is unknown (never guessed)."""
    parts = [p for p in (slug(outlet or "", 3), date or "", slug(topic)) if p]
    return "_".join(parts)


def meta_bytes(meta: dict[str, Any]) -> bytes:
    ordered = {k: meta.get(k) for k in META_FIELDS}
    return (json.dumps(ordered, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def valid_date(date: str) -> bool:
    """``date`` is ``YYYY-MM-DD`` and a real calendar date (no 2025-13-45, no 2025-02-30)."""
    if not DATE_RE.match(date):
        return False
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return False
    return True


def check_date(date: str | None, where: str) -> None:
    """``bad-date`` (a usage error) unless ``date`` is None or a real ``YYYY-MM-DD`` date."""
    if date is not None and not valid_date(date):
        raise refuse("bad-date", path=where, expected="YYYY-MM-DD (a date that exists)", found=date)


def reserved_doc_ids() -> frozenset[str]:
    """Ids a document can never take: their annotation file would be a shared file of
    ``annotated/`` (``entities.jsonl``, ``clusters.jsonl``)."""
    return frozenset(
        name.removesuffix(ANNOTATION_SUFFIX) for name in (ENTITIES_FILE, CLUSTERS_FILE)
    )


def check_new_doc_id(doc_id: str, where: str) -> None:
    """``bad-doc-id`` (a usage error) unless ``doc_id`` matches the schema's document id
    pattern and names no shared file."""
    if not DOC_ID_RE.match(doc_id):
        raise refuse(
            "bad-doc-id",
            path=where,
            expected="lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
            found=doc_id,
            note="document id has characters outside [a-z0-9._-]",
        )
    if doc_id in reserved_doc_ids():
        raise refuse(
            "bad-doc-id",
            path=where,
            expected="an id other than " + ", ".join(sorted(reserved_doc_ids())),
            found=doc_id,
            note=f"document id {doc_id!r} is reserved",
        )
