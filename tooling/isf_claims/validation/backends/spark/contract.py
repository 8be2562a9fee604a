"""Level 2, the contract, on Spark: every table against the Table Schema of
:mod:`isf_claims.validation.contract` (types, required values, label sets, patterns,
minimums, unique keys); then the row rules Table Schema cannot state.

pandera's pyspark backend checks each table's columns and types against the schema
compiled from the Table Schema (:func:`compile_schema`, at schema depth: no Spark job).
Its data checks would cost one Spark job each (``filter(~check).limit(1).count()``, about
80 per run) and report which check failed, not which rows; so the value constraints are
the same conditions as columns of one select per table, and the failing rows of every
table come back in one Spark job, worded by the pandera engine's own wording.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from isf_claims.schema import Schema
from isf_claims.validation import wording
from isf_claims.validation.backends.spark.frames import (
    Emit,
    Frames,
    clean,
    collect,
    emit_all,
    rows_findings,
)
from isf_claims.validation.backends.spark.structure import CORPUS
from isf_claims.validation.contract import (
    CONSTRAINT_CODES,
    PRIMARY_KEY_CODES,
    TABLES,
    table_schema,
)
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

SPAN_PARTS = ("start", "end", "text")


def _part_missing(span: str, part: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Describes a claim row whose optional ``span`` lacks ``part`` (the row is not needed)."""

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        return wording.span_part_missing(span, part)

    return describe


def java_pattern(pattern: str) -> str:
    """A Table Schema pattern (anchored, whole value) for Java's regex (Spark's ``rlike``):
    ``$`` would also match before a final newline, so the end is "no character left"."""
    return f"^(?:{pattern})(?![\\s\\S])"


def compile_schema(descriptor: dict[str, Any], data: bool = True) -> Any:
    """A ``pandera.pyspark`` schema for a Table Schema descriptor; without ``data``, only
    its columns and their types (pandera checks nullability and unique keys with a Spark
    job each, even at schema depth)."""
    import pandera.pyspark as pa
    import pyspark.sql.types as T

    dtypes: dict[str, T.StringType | T.LongType | T.BooleanType] = {
        "string": T.StringType(),
        "integer": T.LongType(),
        "boolean": T.BooleanType(),
    }
    columns = {}
    for f in descriptor["fields"]:
        cons = f.get("constraints", {}) if data else {}
        checks = []
        if "enum" in cons:
            checks.append(pa.Check.isin(cons["enum"]))
        if "pattern" in cons:
            checks.append(pa.Check.str_matches(java_pattern(cons["pattern"])))
        if "minimum" in cons:
            checks.append(pa.Check.ge(cons["minimum"]))
        columns[f["name"]] = pa.Column(
            dtypes[f["type"]], nullable=not cons.get("required", False), checks=checks
        )
    return pa.DataFrameSchema(columns, unique=(data and descriptor.get("primaryKey")) or None)


def _schema_level(descriptor: dict[str, Any], frame: Any) -> None:
    """pandera's check of the table's columns and their types (a mismatch is a fault of
    the engine, not of the data: the typing step made the table)."""
    from pandera.config import ValidationDepth, config_context

    names = [f["name"] for f in descriptor["fields"]]
    with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
        checked = compile_schema(descriptor, data=False).validate(frame.select(*names))
    errors = dict(checked.pandera.errors)
    if errors:
        raise RuntimeError(f"a Spark table does not have the contract's columns: {errors}")


def _constraints(descriptor: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    """(constraint, column, condition of a violating row) of every constraint."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    out: list[tuple[str, str | None, Any]] = []
    for f in descriptor["fields"]:
        col, cons = F.col(f["name"]), f.get("constraints", {})
        if cons.get("required"):
            out.append(("required", f["name"], col.isNull()))
        if "enum" in cons:
            out.append(("enum", f["name"], col.isNotNull() & ~col.isin(cons["enum"])))
        if "pattern" in cons:
            bad = col.isNotNull() & ~col.rlike(java_pattern(cons["pattern"]))
            out.append(("pattern", f["name"], bad))
        if "minimum" in cons:
            out.append(("minimum", f["name"], col < F.lit(cons["minimum"])))
    pk = descriptor.get("primaryKey") or []
    if pk:
        order = ["_line", "_member"] if "_member" in _names(descriptor) else ["_line"]
        rank = F.row_number().over(Window.partitionBy(CORPUS, *pk).orderBy(*order))
        keyed = F.lit(True)
        for k in pk:
            keyed = keyed & F.col(k).isNotNull()
        out.append(("unique", None, F.when(keyed, rank > 1).otherwise(F.lit(False))))
    return out


def _names(descriptor: dict[str, Any]) -> set[str]:
    return {f["name"] for f in descriptor["fields"]}


def _flagged(frame: Any, checks: list[tuple[str, str | None, Any]], extra: dict[str, Any]) -> Any:
    """Rows of ``frame`` violating any check, with one boolean column per check."""
    from pyspark.sql import functions as F

    flags = {f"_v{n}": cond for n, (_, _, cond) in enumerate(checks)} | extra
    if not flags:
        return frame.limit(0)
    flagged = frame.select("*", *(F.coalesce(c, F.lit(False)).alias(n) for n, c in flags.items()))
    return flagged.filter(" OR ".join(f"`{n}`" for n in flags))


def contract(spark: Any, frames: Frames, prior: list[Finding]) -> list[Finding]:
    """Every Table Schema violation of every table, and the row rules (optional spans
    given whole, attribution), in two Spark jobs. ``prior``: typing's findings."""
    schema = frames.schema
    plans, partial = [], _partial_flags(schema)
    for table in TABLES:
        descriptor = table_schema(schema, table)
        _schema_level(descriptor, frames.tables[table])
        checks = _constraints(descriptor)
        extra = partial if table == "claims" else {}
        plans.append((table, descriptor, checks, _flagged(frames.tables[table], checks, extra)))
    rows = collect([p[3] for p in plans])
    out: list[Finding] = []
    for (table, descriptor, checks, _), found in zip(plans, rows, strict=True):
        consts = {f["name"]: f.get("constraints", {}) for f in descriptor["fields"]}
        pk = descriptor.get("primaryKey") or []
        for n, (kind, column, _) in enumerate(checks):
            hit = [r for r in found if r[f"_v{n}"]]
            if kind == "unique":
                code = PRIMARY_KEY_CODES.get(table, "duplicate-id")
                out += rows_findings(
                    schema,
                    table,
                    hit,
                    code,
                    functools.partial(wording.duplicate, pk, code=code),
                )
                continue
            code = CONSTRAINT_CODES[kind]

            def describe(
                r: dict[str, Any], code: str = code, column: Any = column, cons: Any = consts
            ) -> dict[str, Any]:
                return wording.constraint(code, column, cons[column], r[column])

            out += rows_findings(schema, table, hit, code, describe, column)
        if table == "claims":
            out += _partial_findings(schema, found)
    return out + _attribution(spark, frames, prior + out)


def _present(prefix: str) -> Any:
    from pyspark.sql import functions as F

    cond = F.lit(False)
    for k in SPAN_PARTS:
        cond = cond | F.col(f"{prefix}_{k}").isNotNull()
    return cond


def _partial_parts(schema: Schema) -> list[tuple[str, str]]:
    return [
        (f.name, part)
        for f in layer_of(schema, "claim").fields
        if f.type == "span" and not f.required
        for part in SPAN_PARTS
    ]


def _partial_flags(schema: Schema) -> dict[str, Any]:
    """An optional span given in part: one flag per missing part."""
    from pyspark.sql import functions as F

    return {
        f"_no_{s}_{p}": _present(s) & F.col(f"{s}_{p}").isNull() for s, p in _partial_parts(schema)
    }


def _partial_findings(schema: Schema, rows: list[dict[str, Any]]) -> list[Finding]:
    out: list[Finding] = []
    for s, p in _partial_parts(schema):
        out += rows_findings(
            schema,
            "claims",
            [r for r in rows if r[f"_no_{s}_{p}"]],
            "missing-value",
            _part_missing(s, p),
            f"{s}_{p}",
        )
    return out


def _attribution(spark: Any, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """``attribution-inconsistent`` on claims with no other level-2 finding."""
    from pyspark.sql import functions as F

    schema = frames.schema
    check_rule_values(schema)
    ok = clean(spark, frames.tables["claims"], "claims", dirty_units(findings, 2))
    attr = F.col("attribution")
    violates = F.when(
        attr == UNATTRIBUTED,
        _present("cue")
        | _present("source")
        | (F.col("source_type") != OUTLET)
        | (F.col("cue_commitment") != NO_CUE),
    ).otherwise(~_present("cue"))
    rows = ok.withColumn("_cue", _present("cue")).withColumn("_src", _present("source"))

    def describe(r: dict[str, Any]) -> dict[str, Any]:
        problems = attribution_problems(
            r["attribution"], r["source_type"], r["cue_commitment"], r["_cue"], r["_src"]
        )
        return describe_attribution(r["attribution"], problems)

    bad = rows.filter(violates)
    return emit_all(
        schema, [Emit("claims", bad, "attribution-inconsistent", describe, "attribution")]
    )
