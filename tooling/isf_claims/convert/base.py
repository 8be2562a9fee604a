"""What converters share: export results with their loss report, the shared-record sidecar
files, and id handling for records a tool created."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isf_claims import annotations as fmt
from isf_claims.convert.model import Document, Interchange, next_ids
from isf_claims.errors import EXIT_INVALID, refuse
from isf_claims.repo import Repo
from isf_claims.schema import Schema

ENTITIES = "entities.jsonl"
CLUSTERS = "clusters.jsonl"
HEADERS = "documents.jsonl"


@dataclass(frozen=True)
class Dropped:
    """One thing an export could not carry."""

    doc_id: str | None
    layer: str
    record: str | None
    what: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "layer": self.layer,
            "record": self.record,
            "what": self.what,
            "reason": self.reason,
        }


@dataclass
class ExportResult:
    """Files of an export (name relative to the output folder -> bytes) and what it
    dropped (empty when lossless)."""

    files: dict[str, bytes]
    dropped: list[Dropped] = field(default_factory=list)


def refuse_lossy(fmt_name: str, dropped: list[Dropped], allow_lossy: bool) -> None:
    """Raise unless ``allow_lossy`` when an export would drop anything."""
    if dropped and not allow_lossy:
        counts: dict[str, int] = {}
        for d in dropped:
            counts[d.what] = counts.get(d.what, 0) + 1
        first = dropped[0]
        raise refuse(
            "export-lossy",
            path=first.doc_id,
            record=first.record,
            expected="an export that keeps every record and field",
            found="; ".join(f"{n} x {what}" for what, n in sorted(counts.items())),
            fmt=fmt_name,
        )


def loss_report(dropped: list[Dropped]) -> bytes:
    """JSON lines naming each dropped thing (written beside a lossy export)."""
    return "".join(fmt.dumps(d.to_dict()) + "\n" for d in dropped).encode("utf-8")


def shared_sidecars(inter: Interchange) -> dict[str, bytes]:
    """Canonical ``entities.jsonl`` / ``clusters.jsonl`` carried beside an export."""
    out = {}
    if inter.entities is not None:
        out[ENTITIES] = fmt.to_bytes(fmt.shared_lines(inter.schema, "entity", inter.entities))
    if inter.clusters is not None:
        out[CLUSTERS] = fmt.to_bytes(fmt.shared_lines(inter.schema, "cluster", inter.clusters))
    return out


def header_sidecar(inter: Interchange) -> bytes:
    """Canonical document headers, one per line (for formats with no place for them)."""
    lines = [
        fmt.dumps(fmt.canonical_record(inter.schema, "document", {**d.header, "layer": "document"}))
        for d in inter.documents
    ]
    return fmt.to_bytes(lines)


def read_utf8(path: Path) -> str:
    """The text of a tool's file; bytes that are not UTF-8 are ``import-not-utf8`` naming the
    byte offset of the first bad byte."""
    from isf_claims.raw import decode_utf8

    return decode_utf8(
        path.read_bytes(),
        path,
        code="import-not-utf8",
    )


def check_doc_id(doc_id: object, where: str) -> str:
    """``doc_id`` when it is a valid document id; ``import-doc-id-invalid`` otherwise (so an
    id such as ``../x`` or ``/etc/x`` never becomes a path)."""
    from isf_claims.raw import DOC_ID_RE

    if not isinstance(doc_id, str) or not DOC_ID_RE.match(doc_id):
        raise refuse(
            "import-doc-id-invalid",
            path=where,
            expected="a document id: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (never a path)",
            found=repr(doc_id),
        )
    return doc_id


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file a tool carried (split on LF only)."""
    out = []
    for lineno, line in enumerate(read_utf8(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            problem = None if isinstance(rec, dict) else f"a JSON {type(rec).__name__}"
        except (ValueError, RecursionError) as exc:
            problem = f"line is not valid JSON: {exc}"
        if problem is not None:
            raise refuse(
                "import-json-invalid",
                path=f"{path}:{lineno}",
                expected="one JSON object per line",
                found=line[:120],
                note=problem if problem.startswith("line") else "line is not a JSON object",
            )
        out.append(rec)
    return out


def read_headers(path: Path) -> dict[str, dict[str, Any]]:
    """Document headers carried beside an export (``documents.jsonl``), by document id;
    each must name a valid ``doc_id``."""
    out: dict[str, dict[str, Any]] = {}
    for i, rec in enumerate(read_jsonl(path), start=1):
        out[check_doc_id(rec.get("doc_id"), f"{path} (record {i})")] = rec
    return out


def read_shared(
    folder: Path,
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """Entities and clusters carried beside an import (None: not carried, keep the repo's)."""
    ents = read_jsonl(folder / ENTITIES) if (folder / ENTITIES).is_file() else None
    clus = read_jsonl(folder / CLUSTERS) if (folder / CLUSTERS).is_file() else None
    return ents, clus


def kept_schema(repo: Repo, version: str | None, where: str) -> Schema:
    """The schema of ``version`` (default: the latest kept) when the repository keeps it; a
    version from a tool's file never names a path (``../x`` is not a version)."""
    from isf_claims.schema import known_versions, load_schema

    kept = known_versions(repo.schema_dir)
    if version is not None and version not in kept:
        raise refuse(
            "unknown-schema-version",
            path=where,
            expected="one of " + ", ".join(kept),
            found=version,
            version=version,
        )
    return load_schema(repo.schema_dir, version)


def existing_header(repo: Repo, doc_id: str) -> dict[str, Any] | None:
    """The header of the repository's annotation file for ``doc_id``, if there is one."""
    from isf_claims.validation.structure import read_header

    path = repo.annotation_path(doc_id)
    if path.is_symlink() or not path.is_file():
        return None  # a link's target is never read (validation refuses the link)
    rec = read_header(path)
    return {k: v for k, v in rec.items() if k != "layer"} if rec is not None else None


def require_header(repo: Repo, doc_id: str, given: dict[str, Any] | None) -> dict[str, Any]:
    header = given or existing_header(repo, doc_id)
    if header is None:
        raise refuse(
            "import-no-header",
            record=doc_id,
            expected="the header exported with the document, or an existing annotation file",
            found="neither",
        )
    return {**header, "doc_id": doc_id}


def raw_text(repo: Repo, doc_id: str, given: str | None, where: str) -> str:
    """The stored raw text of ``doc_id``; the tool's copy must be identical."""
    from isf_claims.raw import decode_utf8

    path = repo.raw_path(check_doc_id(doc_id, where))
    if not path.is_file():
        raise refuse(
            "unknown-document",
            path=where,
            record=doc_id,
            expected="an id of raw/<doc_id>.txt",
            found=doc_id,
            exit_code=EXIT_INVALID,
            what="raw text",
        )
    text = decode_utf8(path.read_bytes(), path)
    if given is not None and given != text:
        raise refuse(
            "import-text-differs",
            path=where,
            record=doc_id,
            expected=f"the raw text exactly ({len(text)} code points)",
            found=f"{len(given)} code points that differ",
        )
    return text


_ID_RE = re.compile(r"^([a-z]+)(\d+)$")


def assign_ids(doc: Document, schema: Schema, pending: dict[str, list[dict[str, Any]]]) -> None:
    """Give records a tool created (``pending[layer]``, in position order) fresh ids after
    the highest id of their layer in ``doc``; ids are never reused."""
    for layer, recs in pending.items():
        prefix = schema.layer(layer).id_prefix or ""
        fresh = {id(r) for r in recs}
        used = [r["id"] for r in doc.records[layer] if r.get("id") and id(r) not in fresh]
        for rec, new in zip(recs, next_ids(used, prefix, len(recs)), strict=True):
            rec["id"] = new


def own_id(region_id: str, prefix: str) -> bool:
    m = _ID_RE.match(region_id or "")
    return bool(m and m.group(1) == prefix)


def load_interchange(repo: Repo, doc_ids: list[str] | None = None) -> Interchange:
    """The corpus (or ``doc_ids``) as an interchange; refuses (``export-invalid-corpus``) a
    corpus that does not validate."""
    from isf_claims.convert.model import from_corpus
    from isf_claims.guard import valid_corpus

    corpus = valid_corpus(repo, "export-invalid-corpus")
    return from_corpus(corpus, doc_ids)
