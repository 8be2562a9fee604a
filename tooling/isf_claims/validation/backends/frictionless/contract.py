"""Level 2, the contract, on frictionless: every table becomes a resource of one Data
Package with the Table Schema of :mod:`isf_claims.validation.contract` (types, required
values, label sets, patterns, minimums, primary and foreign keys, checked by frictionless
itself), plus the row rules Table Schema cannot state (JSON types as written, span parts,
attribution) as custom checks. Frictionless's errors are read back into findings.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

from frictionless import Package, Resource
from frictionless import Schema as TableSchema

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation import wording
from isf_claims.validation.backends.frictionless.rows import Rows
from isf_claims.validation.backends.frictionless.state import (
    LEVEL2_NATIVE,
    Payload,
    State,
    at,
    has_span,
    payload,
)
from isf_claims.validation.contract import (
    CONSTRAINT_CODES,
    PRIMARY_KEY_CODES,
    REFERENCES,
    TABLES,
    field_of,
    table_schema,
)
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding, words
from isf_claims.validation.rules import (
    INT64,
    attribution_problems,
    describe_attribution,
    layer_of,
)

_CONSTRAINT = re.compile(r'constraint "(\w+)"')


# ----------------------------------------------------------------------- the package


def _descriptor(inputs: Inputs, table: str) -> dict[str, Any]:
    """The contract's Table Schema, adapted to Python's regex dialect (``$`` also matches
    before a final newline; ``\\Z`` does not) and without references that cannot be
    checked (entities.jsonl unreadable)."""
    desc = copy.deepcopy(table_schema(inputs.schema, table))
    for f in desc["fields"]:
        cons = f.get("constraints", {})
        if "pattern" in cons:
            cons["pattern"] = f"(?:{cons['pattern']})\\Z"
    fks = [
        fk
        for fk in desc.pop("foreignKeys", [])
        if inputs.entities_known or fk["reference"]["resource"] != "entities"
    ]
    for fk in fks:
        fk["reference"]["resource"] = resource_name(fk["reference"]["resource"])
    if fks:
        desc["foreignKeys"] = fks
    return desc


def resource_name(table: str) -> str:
    """Data Package names have no underscores."""
    return table.replace("_", "-")


def package(inputs: Inputs, rows: dict[str, Rows]) -> Package:
    """Every table as a resource, with its Table Schema."""
    resources = [
        Resource(
            name=resource_name(t),
            data=[rows[t].columns, *rows[t].cells],
            schema=TableSchema.from_descriptor(_descriptor(inputs, t)),
        )
        for t in TABLES
    ]
    return Package(resources=resources)


# ----------------------------------------------------------------------- reading back


def _finding(
    state: State, table: str, row_number: int, code: str, column: str | None, **kw: Any
) -> Finding:
    o = state.origin(table, row_number)
    name = kw.pop("field", None) or field_of(state.schema, table, column, o.member) or None
    return at(o, code, name, **kw)


def read_errors(state: State, table: str, report: Any) -> list[Finding]:
    """Findings from a frictionless report of one table."""
    rows = state.rows[table]
    idx = {c: i for i, c in enumerate(rows.columns)}
    descriptor = table_schema(state.schema, table)
    pk = descriptor.get("primaryKey") or []
    consts = {f["name"]: f.get("constraints", {}) for f in descriptor["fields"]}
    types = {f["name"]: f["type"] for f in descriptor["fields"]}
    out: list[Finding] = []
    for task in report.tasks:
        for err in task.errors:
            kind = err.type
            if kind == "isf-finding":
                found = json.loads(err.note)
                code, column = found.pop("code"), None
                out.append(_finding(state, table, err.row_number, code, column, **found))
            elif kind == "type-error":
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        "wrong-type",
                        err.field_name,
                        **wording.wrong_type(
                            err.field_name,
                            types[err.field_name],
                            rows.cells[err.row_number - 2][idx[err.field_name]],
                        ),
                    )
                )
            elif kind == "constraint-error":
                match = _CONSTRAINT.search(err.note)
                if match is None:
                    raise RuntimeError(f"frictionless reported an unknown constraint: {err.note}")
                code = CONSTRAINT_CODES[match.group(1)]
                name = err.field_name
                value = rows.cells[err.row_number - 2][idx[name]]
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        code,
                        name,
                        **wording.constraint(code, name, consts[name], value),
                    )
                )
            elif kind == "primary-key":
                cells = rows.cells[err.row_number - 2]
                keys = [cells[idx[k]] for k in pk]
                if not all(isinstance(k, str) for k in keys):
                    continue  # a missing or mistyped key part is reported as such
                code = PRIMARY_KEY_CODES.get(table, "duplicate-id")
                key = dict(zip(pk, keys, strict=True))
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        code,
                        None,
                        **wording.duplicate(pk, key, code),
                    )
                )
            elif kind == "foreign-key":
                ref = next(
                    r for r in REFERENCES if r.table == table and list(r.fields) == err.field_names
                )
                cells = rows.cells[err.row_number - 2]
                if cells[idx[ref.field]] is None:
                    continue  # null: no reference
                origin = state.origin(table, err.row_number)
                if table == "cluster_members" and origin.doc_id in state.inputs.opaque_ids:
                    continue  # a document not loaded: its claims are unknown here
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        ref.code,
                        ref.field,
                        **wording.dangling(ref, {ref.field: cells[idx[ref.field]]}),
                    )
                )
            else:
                raise RuntimeError(f"frictionless reported an unexpected error: {err.message}")
    return out


# ----------------------------------------------------------------------- row rules


def _strict_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and INT64[0] <= v <= INT64[1]


def _wrong(name: str, expected: str, value: Any) -> Payload:
    return payload("wrong-type", name, wording.wrong_type(name, expected, value))


def strict_types(schema: Schema, layer: str, source: dict[str, Any]) -> list[Payload]:
    """JSON types as written: frictionless casts ``"12"`` to 12; the contract does not."""
    out = []
    for f in layer_of(schema, layer).fields:
        v = source.get(f.name)
        if f.type == "integer" and v is not None and not _strict_int(v):
            out.append(_wrong(f.name, "integer", v))
        elif f.type == "string" and v is not None and not isinstance(v, str):
            out.append(_wrong(f.name, "string", v))
        elif f.type == "boolean" and v is not None and not isinstance(v, bool):
            out.append(_wrong(f.name, "boolean", v))
        elif f.type == "span" and v is not None:
            if not isinstance(v, dict):
                out.append(_wrong(f.name, "an object {start, end, text}", v))
                continue
            for part in ("start", "end"):
                if v.get(part) is not None and not _strict_int(v.get(part)):
                    out.append(_wrong(f"{f.name}.{part}", "integer", v.get(part)))
            if v.get("text") is not None and not isinstance(v.get("text"), str):
                out.append(_wrong(f"{f.name}.text", "string", v.get("text")))
        elif f.type == "members":
            out += _member_types(v)
    return out


def _member_types(v: Any) -> list[Payload]:
    if v is None:
        missing = words("missing-value", field="members", need=wording.MEMBERS_NEED)
        return [payload("missing-value", "members", missing)]
    if not isinstance(v, list):
        return [_wrong("members", wording.MEMBERS_NEED, v)]
    out = []
    for i, m in enumerate(v):
        if not isinstance(m, dict):
            out.append(_wrong(f"members[{i}]", "an object {doc_id, claim, note}", m))
            continue
        for k in ("doc_id", "claim", "note"):
            if m.get(k) is not None and not isinstance(m.get(k), str):
                out.append(_wrong(f"members[{i}].{k}", "string", m.get(k)))
    return out


def row_rules(state: State, table: str, row: Any) -> Iterator[Payload]:
    """The rules of level 2 that Table Schema cannot state, on one row (its level-2
    findings are remembered in ``state.level2``)."""
    found: list[Payload] = []
    if table != "cluster_members":
        source = state.origin(table, row.row_number).source
        found += strict_types(state.schema, TABLE_LAYERS[table], source)
    if table == "claims":
        found += _span_parts(state.schema, row)
        if not found and not any(e.type in LEVEL2_NATIVE for e in row.errors):
            found += _attribution(row)
    if found:
        state.level2.add((table, row.row_number))
    yield from found


def _span_parts(schema: Schema, row: Any) -> list[Payload]:
    out = []
    for f in layer_of(schema, "claim").fields:
        if f.type != "span" or f.required or not has_span(row, f.name):
            continue
        for part in ("start", "end", "text"):
            if row[f"{f.name}_{part}"] is None:
                out.append(
                    payload(
                        "missing-value",
                        f"{f.name}.{part}",
                        wording.span_part_missing(f.name, part),
                    )
                )
    return out


def _attribution(row: Any) -> list[Payload]:
    problems = attribution_problems(
        row["attribution"],
        row["source_type"],
        row["cue_commitment"],
        has_span(row, "cue"),
        has_span(row, "source"),
    )
    if not problems:
        return []
    described = describe_attribution(row["attribution"], problems)
    return [{"code": "attribution-inconsistent", "field": "attribution", **described}]
