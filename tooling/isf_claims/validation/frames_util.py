"""Helpers every engine shares: a finding on one row of a table (named by its provenance
columns), and the span fields a table's checks look at."""

from __future__ import annotations

from typing import Any

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation.contract import field_of, record_of
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import layer_of


def span_groups(schema: Schema, table: str) -> list[str | None]:
    """Span fields of a table: None for a record that is itself a span."""
    spans = layer_of(schema, TABLE_LAYERS[table]).span_fields
    return list(spans) if spans else [None]


def row_finding(
    schema: Schema, table: str, row: dict[str, Any], code: str, column: str | None, **info: Any
) -> Finding:
    """A finding on one row of a frame (provenance columns ``_file``/``_line``/``_member``);
    ``info`` holds message, expected, found, hint and optionally a display ``field``."""
    record, doc_id = record_of(table, row)
    name = info.pop("field", None)
    if name is None:
        name = field_of(schema, table, column, row.get("_member")) or None
    return Finding(
        code=code,
        file=row["_file"],
        line=row["_line"],
        record=record,
        field=name,
        doc_id=doc_id,
        **info,
    )
