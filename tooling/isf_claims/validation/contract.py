"""The contract: one Frictionless Table Schema per corpus table, generated from ``schema/``.

This is the one definition of types and constraints that both engines check: the
frictionless engine hands these descriptors to ``frictionless`` as they are; the pandera
engine compiles the same descriptors into pandera schemas. Spans are flattened to
``<name>_start``/``<name>_end``/``<name>_text`` exactly as in the corpus model's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation.rules import layer_of

# Tables validated, in the order the frictionless engine validates them (targets of
# references before the tables that refer to them).
TABLES = (
    "entities",
    "documents",
    "zones",
    "mentions",
    "claims",
    "markers",
    "clusters",
    "cluster_members",
)
DOC_TABLES = ("zones", "mentions", "claims", "markers")

# Table Schema constraint -> finding code.
CONSTRAINT_CODES = {
    "required": "missing-value",
    "enum": "not-in-vocabulary",
    "pattern": "pattern-mismatch",
    "minimum": "below-minimum",
}
PRIMARY_KEY_CODES = {"cluster_members": "duplicate-member"}  # default: duplicate-id


@dataclass(frozen=True)
class Reference:
    """A foreign key: ``table.fields`` -> ``target.target_fields``; null means no reference."""

    table: str
    fields: tuple[str, ...]
    target: str
    target_fields: tuple[str, ...]
    code: str

    @property
    def field(self) -> str:
        """The referencing field (the last one; ``doc_id`` scopes per-document keys)."""
        return self.fields[-1]


# References between tables. Per-document ids are keyed by (doc_id, id).
REFERENCES = (
    Reference("mentions", ("entity",), "entities", ("id",), "dangling-entity"),
    Reference("claims", ("source_entity",), "entities", ("id",), "dangling-entity"),
    Reference(
        "claims", ("doc_id", "source_mention"), "mentions", ("doc_id", "id"), "dangling-mention"
    ),
    Reference("claims", ("doc_id", "parent"), "claims", ("doc_id", "id"), "dangling-claim"),
    Reference("markers", ("doc_id", "claim"), "claims", ("doc_id", "id"), "dangling-claim"),
    Reference(
        "cluster_members", ("doc_id", "claim"), "claims", ("doc_id", "id"), "dangling-member"
    ),
)


def _pattern(p: str) -> str:
    """Table Schema patterns are implicitly anchored (XML Schema style)."""
    return p.removeprefix("^").removesuffix("$")


def _field(schema: Schema, name: str, spec: Any, required: bool, type_: str) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if required:
        constraints["required"] = True
    if spec is not None:
        if spec.vocabulary:
            constraints["enum"] = schema.values(spec.vocabulary)
        if spec.pattern:
            constraints["pattern"] = _pattern(spec.pattern)
        if spec.minimum is not None:
            constraints["minimum"] = spec.minimum
    out: dict[str, Any] = {"name": name, "type": type_}
    if spec is not None and spec.description:
        out["description"] = spec.description
    if constraints:
        out["constraints"] = constraints
    return out


def table_schema(schema: Schema, table: str) -> dict[str, Any]:
    """The Table Schema descriptor of ``table``."""
    layer = layer_of(schema, TABLE_LAYERS[table])
    fields: list[dict[str, Any]] = []
    if table in DOC_TABLES:
        # The document's id is checked once, on the documents table; here it only scopes ids.
        fields.append(_field(schema, "doc_id", None, True, "string"))
    for f in layer.fields:
        if f.name == "layer" or f.type == "members":
            continue
        if f.type == "span":
            for part, type_ in (("start", "integer"), ("end", "integer"), ("text", "string")):
                sub = _span_part(schema, part)
                fields.append(_field(schema, f"{f.name}_{part}", sub, f.required, type_))
        else:
            fields.append(_field(schema, f.name, f, f.required, f.type))
    primary = list(layer.primary_key)
    descriptor: dict[str, Any] = {
        "fields": fields,
        "missingValues": [],
        "primaryKey": primary,
    }
    refs = [
        {
            "fields": list(r.fields),
            "reference": {"resource": r.target, "fields": list(r.target_fields)},
        }
        for r in REFERENCES
        if r.table == table
    ]
    if refs:
        descriptor["foreignKeys"] = refs
    return descriptor


def _span_part(schema: Schema, part: str) -> Any:
    """Constraints of a span's start/end/text: those of the zone layer's fields, the
    schema's model of a standalone span."""
    return layer_of(schema, "zone").field(part)


def table_schemas(schema: Schema) -> dict[str, dict[str, Any]]:
    """Table Schema descriptors of every validated table."""
    return {t: table_schema(schema, t) for t in TABLES}


def column_names(schema: Schema, table: str) -> list[str]:
    return [f["name"] for f in table_schema(schema, table)["fields"]]


def display_field(column: str, schema: Schema, table: str) -> str:
    """``content_start`` -> ``content.start`` for span columns; other names unchanged."""
    layer = layer_of(schema, TABLE_LAYERS[table])
    for span in layer.span_fields:
        for part in ("start", "end", "text"):
            if column == f"{span}_{part}":
                return f"{span}.{part}"
    return column


def record_of(table: str, row: dict[str, Any]) -> tuple[str | None, str | None]:
    """(record id, document id) a finding on a row of ``table`` names."""
    if table == "documents":
        return None, row.get("doc_id")
    if table == "cluster_members":
        return row.get("cluster_id"), row.get("doc_id")
    if table in DOC_TABLES:
        return row.get("id"), row.get("doc_id")
    return row.get("id"), None


def field_of(schema: Schema, table: str, column: str | None, member: int | None = None) -> str:
    """How findings name a field: ``content.start``, ``members[2].claim``, ``label``."""
    name = display_field(column, schema, table) if column else None
    if table == "cluster_members":
        return f"members[{member}]" + (f".{name}" if name else "")
    return name or ""
