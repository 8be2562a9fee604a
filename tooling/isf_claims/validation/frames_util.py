"""Small helpers the pandera engine's semantic checks share: provenance joins and turning
rows of a violation frame into findings (only failing rows ever reach Python)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from isf_claims.schema import Schema
from isf_claims.validation.contract import field_of, record_of
from isf_claims.validation.policy import Unit
from isf_claims.validation.report import Finding

Describe = Callable[[dict[str, Any]], dict[str, Any]]


def units_frame(units: Iterable[Unit], members: bool) -> pl.DataFrame:
    """Dirty records as a frame to anti-join on: (_file, _line) or (_file, _line, _member)."""
    if members:
        rows = [(f, ln, int(m[8:-1])) for f, ln, m in units if m is not None]
        return pl.DataFrame(
            rows,
            schema={"_file": pl.String, "_line": pl.Int32, "_member": pl.Int64},
            orient="row",
        )
    rows2 = [(f, ln) for f, ln, m in units if m is None]
    return pl.DataFrame(rows2, schema={"_file": pl.String, "_line": pl.Int32}, orient="row")


def clean(frame: pl.DataFrame, table: str, units: set[Unit]) -> pl.DataFrame:
    """Rows of ``frame`` with no finding among ``units``."""
    if not units or frame.is_empty():
        return frame
    members = table == "cluster_members"
    dirty = units_frame(units, members)
    keys = ["_file", "_line", "_member"] if members else ["_file", "_line"]
    if members:
        dirty = dirty.with_columns(pl.col("_member").cast(frame.schema["_member"]))
    return frame.join(dirty, on=keys, how="anti")


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


def emit(
    schema: Schema,
    table: str,
    rows: pl.DataFrame,
    code: str,
    describe: Describe,
    column: str | None = None,
) -> list[Finding]:
    """One finding per row of ``rows``; ``describe(row)`` gives its details."""
    return [
        row_finding(schema, table, row, code, column, **describe(row))
        for row in rows.iter_rows(named=True)
    ]
