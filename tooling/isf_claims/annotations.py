"""The annotation file format: canonical JSON lines.

``annotated/<doc_id>.jsonl`` holds one record per line: first the ``document`` record, then
zones, mentions, claims and markers, each sorted by position, every field of its layer
present in schema order. ``entities.jsonl`` and ``clusters.jsonl`` hold the shared records
sorted by id. Writing is canonical, so reading and writing back reproduces a file byte for
byte and a diff shows exactly what changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from isf_claims.schema import DOCUMENT_LAYERS, SPAN_KEYS, Schema

SEPARATORS = (", ", ": ")
_ID_NUM = re.compile(r"(\d+)$")


def dumps(record: Mapping[str, Any]) -> str:
    """One canonical JSON line (without the newline)."""
    return json.dumps(record, ensure_ascii=False, separators=SEPARATORS)


def id_number(record_id: str | None) -> int:
    """The integer after an id's prefix (``m12`` -> 12); ids without one sort first."""
    m = _ID_NUM.search(record_id or "")
    return int(m.group(1)) if m else -1


def canonical_record(schema: Schema, layer: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with exactly the layer's fields in schema order (absent optional -> null)."""
    out: dict[str, Any] = {}
    for f in schema.layer(layer).fields:
        value = record.get(f.name)
        if f.type == "span" and value is not None:
            value = {k: value.get(k) for k in SPAN_KEYS}
        elif f.type == "members" and value is not None:
            value = [
                {"doc_id": m.get("doc_id"), "claim": m.get("claim"), "note": m.get("note")}
                for m in sorted(
                    value, key=lambda m: (m.get("doc_id") or "", id_number(m.get("claim")))
                )
            ]
        out[f.name] = value
    return out


def _position(layer: str, rec: Mapping[str, Any]) -> tuple[int, int, int]:
    span = rec.get("content") if layer == "claim" else rec
    span = span or {}
    return (span.get("start") or 0, span.get("end") or 0, id_number(rec.get("id")))


def document_lines(
    schema: Schema, header: Mapping[str, Any], records: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Canonical lines of one document's annotation file."""
    by_layer: dict[str, list[Mapping[str, Any]]] = {layer: [] for layer in DOCUMENT_LAYERS}
    for rec in records:
        by_layer[rec["layer"]].append(rec)
    lines = [dumps(canonical_record(schema, "document", {**header, "layer": "document"}))]
    for layer in DOCUMENT_LAYERS:
        for rec in sorted(by_layer[layer], key=partial(_position, layer)):
            lines.append(dumps(canonical_record(schema, layer, {**rec, "layer": layer})))
    return lines


def shared_lines(schema: Schema, layer: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Canonical lines of ``entities.jsonl`` or ``clusters.jsonl``: sorted by id."""
    rows = sorted(records, key=lambda r: r.get("id") or "")
    return [dumps(canonical_record(schema, layer, r)) for r in rows]


def to_bytes(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")
