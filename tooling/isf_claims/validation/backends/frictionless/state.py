"""What the frictionless engine's checks share: the run's state (inputs, rows, what earlier
tables found), and frictionless's plumbing for custom checks.

A check function gets a frictionless ``Row`` and yields finding payloads; ``RowCheck``
turns them into frictionless errors so that they travel in frictionless's own report, and
:func:`isf_claims.validation.backends.frictionless.contract.read_errors` reads them back.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import attrs
from frictionless import Check, Error, errors

from isf_claims.schema import Schema
from isf_claims.validation.backends.frictionless.rows import Origin, Rows
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding

Payload = dict[str, Any]
LEVEL2_NATIVE = ("type-error", "constraint-error", "primary-key")


class SemanticError(errors.RowError):
    """A finding of an isf-claims check; the note carries it as JSON."""

    type = "isf-finding"
    title = "isf-claims check"
    description = "A semantic check of isf-claims failed."
    template = "{note}"


@attrs.define(kw_only=True, repr=False)
class RowCheck(Check):
    """A frictionless check made of a per-row and an end-of-table function."""

    type = "isf-row-check"
    Errors: ClassVar[list[builtins.type[Error]]] = [SemanticError]
    on_row: Any = None
    on_end: Any = None

    def validate_row(self, row: Any) -> Iterable[Error]:
        for payload in self.on_row(row) if self.on_row else ():
            yield SemanticError.from_row(row, note=json.dumps(payload))

    def validate_end(self) -> Iterable[Error]:
        for row_number, payload in self.on_end() if self.on_end else ():
            yield SemanticError(note=json.dumps(payload), cells=[], row_number=row_number)


def payload(code: str, field: str | None, words: dict[str, Any]) -> Payload:
    """A finding as a check yields it, worded by the code book (``words``: message, expected,
    found); the row's origin is added when it is read back."""
    return {"code": code, "field": field, **words}


@dataclass
class State:
    """What the checks of one run share: inputs, rows, and what earlier tables found."""

    inputs: Inputs
    rows: dict[str, Rows]
    anchored: dict[str, str] = field(default_factory=dict)  # doc_id -> raw text
    level2: set[tuple[str, int]] = field(default_factory=set)  # (table, row number)
    clean_entities: dict[str, str] = field(default_factory=dict)  # id -> label
    clean_spans: dict[str, dict[tuple[str, str], tuple[int, int]]] = field(default_factory=dict)

    @property
    def schema(self) -> Schema:
        return self.inputs.schema

    def origin(self, table: str, row_number: int) -> Origin:
        return self.rows[table].origins[row_number - 2]

    def dirty2(self, table: str, row: Any) -> bool:
        """Whether the row has a level-2 finding (frictionless's own or ours)."""
        native = any(e.type in LEVEL2_NATIVE for e in row.errors)
        return native or (table, row.row_number) in self.level2


def has_span(row: Any, prefix: str) -> bool:
    """Whether any part of the span ``prefix`` is given."""
    return any(row[f"{prefix}_{k}"] is not None for k in ("start", "end", "text"))


def at(o: Origin, code: str, field: str | None = None, **kw: Any) -> Finding:
    """A finding on the record a row came from."""
    return Finding(
        code=code, file=o.file, line=o.line, record=o.record, field=field, doc_id=o.doc_id, **kw
    )
