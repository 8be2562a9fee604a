"""Level 2, the contract, on the pandera engine: every table checked column-wise by
pandera's polars backend, then the row rules Table Schema cannot state.

Each Table Schema descriptor from :mod:`contract` is compiled into a pandera
``DataFrameSchema``: field types become dtypes, ``required`` becomes ``nullable=False``,
``enum``/``pattern``/``minimum`` become ``isin``/``str_matches``/``ge`` checks, the primary
key becomes ``unique``. pandera reports every failing row by index; the index leads back to
the file and line through the frames' provenance columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from isf_claims.pandera_import import pandera_polars
from isf_claims.schema import Schema
from isf_claims.validation import wording
from isf_claims.validation.backends.pandera.frames import Frames, clean, emit
from isf_claims.validation.contract import (
    CONSTRAINT_CODES,
    PRIMARY_KEY_CODES,
    TABLES,
    table_schema,
)
from isf_claims.validation.frames_util import row_finding
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import (
    NO_CUE,
    OUTLET,
    UNATTRIBUTED,
    attribution_problems,
    check_rule_values,
    describe_attribution,
    layer_of,
)

if TYPE_CHECKING:
    import pandera.polars as pandera_pl

pa = pandera_polars()  # pandera.polars; in the CLI without pandas (see pandera_import)

_DTYPES = {"string": pl.String, "integer": pl.Int64, "boolean": pl.Boolean}
_UNIQUE_CHECKS = ("multiple_fields_uniqueness", "field_uniqueness")
SPAN_PARTS = ("start", "end", "text")


def _part_missing(span: str, part: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Describes a claim row whose optional ``span`` lacks ``part`` (the row is not needed)."""

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        return wording.span_part_missing(span, part)

    return describe


def compile_schema(
    descriptor: dict[str, Any],
) -> tuple[pandera_pl.DataFrameSchema, dict[str, list[str]]]:
    """A pandera schema for a Table Schema descriptor, and per column the constraint name
    of each check (pandera reports checks by their position)."""
    columns: dict[str, pandera_pl.Column] = {}
    names: dict[str, list[str]] = {}
    for f in descriptor["fields"]:
        cons = f.get("constraints", {})
        checks, kinds = [], []
        if "enum" in cons:
            checks.append(pa.Check.isin(cons["enum"]))
            kinds.append("enum")
        if "pattern" in cons:
            # Table Schema patterns match the whole value; polars' `$` is the end of text.
            checks.append(pa.Check.str_matches(f"^(?:{cons['pattern']})$"))
            kinds.append("pattern")
        if "minimum" in cons:
            checks.append(pa.Check.ge(cons["minimum"]))
            kinds.append("minimum")
        columns[f["name"]] = pa.Column(
            _DTYPES[f["type"]], nullable=not cons.get("required", False), checks=checks
        )
        names[f["name"]] = kinds
    schema = pa.DataFrameSchema(columns, unique=descriptor.get("primaryKey") or None)
    return schema, names


def table_contract(
    schema: Schema, tables: dict[str, pl.DataFrame], names: Sequence[str] = TABLES
) -> list[Finding]:
    """Every Table Schema violation of the tables ``names``, as findings."""
    out: list[Finding] = []
    for table in (t for t in TABLES if t in names):
        descriptor = table_schema(schema, table)
        frame = tables[table]
        if frame.is_empty():
            continue
        compiled, kinds = compile_schema(descriptor)
        data = frame.select([f["name"] for f in descriptor["fields"]])
        try:
            compiled.validate(data, lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        cases = cases.filter(pl.col("index").is_not_null()).with_columns(
            pl.col("index").cast(pl.Int64)
        )
        rows = frame.with_row_index("index").with_columns(pl.col("index").cast(pl.Int64))
        pk = descriptor.get("primaryKey") or []
        dup = rows.select(
            "index",
            (
                pl.all_horizontal(pl.col(pk).is_not_null()) & ~pl.struct(pk).is_first_distinct()
            ).alias("_dup"),
        )
        cases = cases.join(rows, on="index", how="left").join(dup, on="index", how="left")
        consts = {f["name"]: f.get("constraints", {}) for f in descriptor["fields"]}
        for row in cases.iter_rows(named=True):
            check = row["check"]
            column = row["column"]
            if check in _UNIQUE_CHECKS:
                if not row["_dup"]:
                    continue
                code = PRIMARY_KEY_CODES.get(table, "duplicate-id")
                column = None
                described = wording.duplicate(pk, row, code)
            else:
                code = (
                    "missing-value"
                    if check == "not_nullable"
                    else CONSTRAINT_CODES[kinds[column][row["check_number"]]]
                )
                described = wording.constraint(code, column, consts[column], row[column])
            out.append(row_finding(schema, table, row, code, column, **described))
    return out


def _present(prefix: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(f"{prefix}_{k}").is_not_null() for k in SPAN_PARTS)


def row_rules(schema: Schema, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """Row rules Table Schema cannot state: optional spans given whole, and attribution."""
    out: list[Finding] = []
    claims = frames.tables["claims"]
    layer = layer_of(schema, "claim")
    for f in layer.fields:
        if f.type != "span" or f.required:
            continue
        for part in SPAN_PARTS:
            col = f"{f.name}_{part}"
            rows = claims.filter(_present(f.name) & pl.col(col).is_null())
            out += emit(
                schema,
                "claims",
                rows,
                "missing-value",
                _part_missing(f.name, part),
                col,
            )
    check_rule_values(schema)
    ok = clean(claims, "claims", dirty_units(findings + out, 2))
    attr = pl.col("attribution")
    violates = (
        pl.when(attr == UNATTRIBUTED)
        .then(
            _present("cue")
            | _present("source")
            | (pl.col("source_type") != OUTLET)
            | (pl.col("cue_commitment") != NO_CUE)
        )
        .otherwise(~_present("cue"))
    )
    rows = ok.with_columns(_present("cue").alias("_cue"), _present("source").alias("_src")).filter(
        violates
    )

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        problems = attribution_problems(
            r["attribution"], r["source_type"], r["cue_commitment"], r["_cue"], r["_src"]
        )
        return describe_attribution(r["attribution"], problems)

    return out + emit(schema, "claims", rows, "attribution-inconsistent", describe, "attribution")
