"""The frictionless engine's input: every record the reader gave as a plain row of its
table, with where it came from.

Cells are the JSON values as written (no typing here: frictionless types them against the
Table Schema). Spans are flattened like the corpus tables; a cluster's members become rows
of ``cluster_members``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation.contract import TABLES, column_names
from isf_claims.validation.reader import CLUSTERS, DOCUMENT, ENTITIES, MEMBER_KEYS, Inputs
from isf_claims.validation.rules import layer_of

LAYER_TABLE = {v: k for k, v in TABLE_LAYERS.items()}


@dataclass(frozen=True)
class Origin:
    """Where a row comes from (what a finding on it names)."""

    file: str
    line: int
    record: str | None
    doc_id: str | None
    member: int | None
    source: dict[str, Any]  # the record as written (for a member: the member object)


@dataclass
class Rows:
    """Rows of one table: cells in Table Schema field order, and their origins."""

    columns: list[str]
    cells: list[list[Any]] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    def add(self, values: dict[str, Any], origin: Origin) -> None:
        self.cells.append([values.get(c) for c in self.columns])
        self.origins.append(origin)


def _rid(rec: dict[str, Any], key: str = "id") -> str | None:
    value = rec.get(key)
    return value if isinstance(value, str) else None


def _flat(schema: Schema, layer: str, rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in layer_of(schema, layer).fields:
        value = rec.get(f.name)
        if f.type == "span":
            span = value if isinstance(value, dict) else {}
            for part in ("start", "end", "text"):
                out[f"{f.name}_{part}"] = span.get(part)
        elif f.type != "members":
            out[f.name] = value
    return out


def build_rows(inputs: Inputs, records: list[list[dict[str, Any]]]) -> dict[str, Rows]:
    """Rows of every table from the records of the files that passed level 1 (``records``:
    each file's, in the order of ``inputs.files``)."""
    schema = inputs.schema
    tables = {t: Rows(column_names(schema, t)) for t in TABLES}
    for f, recs in zip(inputs.files, records, strict=True):
        if not f.ok:
            continue
        for lineno, rec in enumerate(recs, start=1):
            if f.kind == DOCUMENT:
                layer = rec["layer"]
                table = LAYER_TABLE[layer]
                values = {**_flat(schema, layer, rec), "doc_id": f.doc_id}
                record = None if layer == DOCUMENT else _rid(rec)
                tables[table].add(values, Origin(f.rel, lineno, record, f.doc_id, None, rec))
            elif f.kind == ENTITIES:
                tables["entities"].add(
                    _flat(schema, "entity", rec), Origin(f.rel, lineno, _rid(rec), None, None, rec)
                )
            elif f.kind == CLUSTERS:
                cid = _rid(rec)
                tables["clusters"].add(
                    _flat(schema, "cluster", rec), Origin(f.rel, lineno, cid, None, None, rec)
                )
                members = rec.get("members")
                if cid is None or not isinstance(members, list):
                    continue  # an unidentifiable cluster has no member rows
                for i, m in enumerate(members):
                    member = m if isinstance(m, dict) else {}
                    values = {"cluster_id": cid, **{k: member.get(k) for k in MEMBER_KEYS}}
                    doc = member.get("doc_id")
                    origin = Origin(
                        f.rel, lineno, cid, doc if isinstance(doc, str) else None, i, member
                    )
                    tables["cluster_members"].add(values, origin)
    return tables
