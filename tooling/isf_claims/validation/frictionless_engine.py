"""The frictionless engine: the reference implementation.

Every table becomes a frictionless resource of one package, with the Table Schema from
:mod:`contract` (types, constraints, primary and foreign keys checked by frictionless
itself) and the semantic checks of :mod:`frictionless_checks` as custom checks. Tables are
validated one after another, targets of references first, and frictionless's errors are
read back into findings.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from typing import Any

from frictionless import Checklist, Package, Resource
from frictionless import Schema as TableSchema

from isf_claims.validation.contract import (
    CONSTRAINT_CODES,
    PRIMARY_KEY_CODES,
    REFERENCES,
    TABLES,
    field_of,
    table_schema,
)
from isf_claims.validation.frictionless_checks import (
    State,
    TableChecks,
    clean_entities,
    clean_spans,
)
from isf_claims.validation.frictionless_rows import Origin, Rows, build_rows
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding

NAME = "frictionless"
_CONSTRAINT = re.compile(r'constraint "(\w+)"')
NO_LIMIT = 10**12


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
        fk["reference"]["resource"] = _name(fk["reference"]["resource"])
    if fks:
        desc["foreignKeys"] = fks
    return desc


def _name(table: str) -> str:
    """Data Package names have no underscores."""
    return table.replace("_", "-")


def _package(inputs: Inputs, rows: dict[str, Rows]) -> Package:
    resources = [
        Resource(
            name=_name(t),
            data=[rows[t].columns, *rows[t].cells],
            schema=TableSchema.from_descriptor(_descriptor(inputs, t)),
        )
        for t in TABLES
    ]
    return Package(resources=resources)


def _at(o: Origin, code: str, field: str | None = None, **kw: Any) -> Finding:
    """A finding on the record a row came from."""
    return Finding(
        code=code, file=o.file, line=o.line, record=o.record, field=field, doc_id=o.doc_id, **kw
    )


def _finding(
    state: State, table: str, row_number: int, code: str, column: str | None, **kw: Any
) -> Finding:
    o = state.origin(table, row_number)
    name = kw.pop("field", None) or field_of(state.schema, table, column, o.member) or None
    return _at(o, code, name, **kw)


def _read_errors(state: State, table: str, report: Any) -> list[Finding]:
    """Findings from a frictionless report of one table."""
    rows = state.rows[table]
    idx = {c: i for i, c in enumerate(rows.columns)}
    out: list[Finding] = []
    for task in report.tasks:
        for err in task.errors:
            kind = err.type
            if kind == "isf-finding":
                payload = json.loads(err.note)
                code, column = payload.pop("code"), None
                out.append(_finding(state, table, err.row_number, code, column, **payload))
            elif kind == "type-error":
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        "wrong-type",
                        err.field_name,
                        message=f"{err.field_name}: {err.note}",
                        expected=err.note,
                        found=str(err.cell),
                    )
                )
            elif kind == "constraint-error":
                constraint = _CONSTRAINT.search(err.note).group(1)
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        CONSTRAINT_CODES[constraint],
                        err.field_name,
                        message=f"{err.field_name}: {err.note}",
                        found=str(err.cell),
                    )
                )
            elif kind == "primary-key":
                cells = rows.cells[err.row_number - 2]
                keys = [cells[idx[k]] for k in table_schema(state.schema, table)["primaryKey"]]
                if not all(isinstance(k, str) for k in keys):
                    continue  # a missing or mistyped key part is reported as such
                out.append(
                    _finding(
                        state,
                        table,
                        err.row_number,
                        PRIMARY_KEY_CODES.get(table, "duplicate-id"),
                        None,
                        message=f"the id is already used by an earlier record: {err.note}",
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
                        message=f"{ref.field} {cells[idx[ref.field]]!r} is not in "
                        f"{ref.target}: {err.note}",
                    )
                )
            else:
                raise RuntimeError(f"frictionless reported an unexpected error: {err.message}")
    return out


def _level5(state: State, findings: list[Finding]) -> list[Finding]:
    inputs = state.inputs
    out = inputs.unannotated()
    if not inputs.complete:
        return out
    dirty = dirty_units(findings, 4)
    mentions = state.rows["mentions"]
    idx = {c: i for i, c in enumerate(mentions.columns)}
    clean = [
        (cells, o)
        for cells, o in zip(mentions.cells, mentions.origins, strict=True)
        if (o.file, o.line, None) not in dirty
    ]
    labels: dict[str, Counter[str]] = {}
    docs: dict[str, set[str]] = {}
    for cells, o in clean:
        text = cells[idx["text"]]
        labels.setdefault(text, Counter())[cells[idx["label"]]] += 1
        docs.setdefault(text, set()).add(o.doc_id)
    for cells, o in clean:
        text, label = cells[idx["text"]], cells[idx["label"]]
        counts = labels[text]
        major = min(counts, key=lambda lab: (-counts[lab], lab))
        if len(counts) > 1 and len(docs[text]) > 1 and label != major:
            message = f"{text!r} is {label} here but {major} elsewhere"
            out.append(
                _at(o, "label-inconsistent", "label", message=message, expected=major, found=label)
            )
    claims = state.rows["claims"]
    refs = [c[mentions.columns.index("entity")] for c in mentions.cells]
    refs += [c[claims.columns.index("source_entity")] for c in claims.cells]
    used = {r for r in refs if isinstance(r, str)}
    entities = state.rows["entities"]
    for cells, o in zip(entities.cells, entities.origins, strict=True):
        eid = cells[entities.columns.index("id")]
        if isinstance(eid, str) and eid not in used:
            message = f"canonical entity {o.record!r} is not referred to"
            out.append(_at(o, "entity-unused", message=message))
    return out


def run(inputs: Inputs) -> list[Finding]:
    """Levels 2-5 over what the reader loaded, table by table."""
    rows = build_rows(inputs)
    state = State(inputs, rows)
    package = _package(inputs, rows)
    findings: list[Finding] = []
    for table in TABLES:
        resource = package.get_resource(_name(table))
        checklist = Checklist(checks=TableChecks(state, table).checks())
        report = resource.validate(checklist, limit_errors=NO_LIMIT)
        findings += _read_errors(state, table, report)
        if table == "entities":
            clean_entities(state, dirty_units(findings, 2))
        elif table in ("mentions", "claims"):
            start, end = (
                ("start", "end") if table == "mentions" else ("content_start", "content_end")
            )
            clean_spans(state, table, dirty_units(findings, 3), start, end)
    return findings + _level5(state, findings)
