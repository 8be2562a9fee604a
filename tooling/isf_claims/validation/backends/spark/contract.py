"""Level 2, the contract, on Spark: pandera's pyspark backend checks every table against
the Table Schema of :mod:`isf_claims.validation.contract` (types, required values, label
sets, patterns, minimums, unique keys); then the row rules Table Schema cannot state.

pandera's pyspark backend reports which check of which column failed, not which rows (it
is built to summarise large tables). The rows of each failed check are then selected with
the same condition as a Spark filter, and worded by the pandera engine's own wording.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from isf_claims.schema import Schema
from isf_claims.validation import wording
from isf_claims.validation.backends.spark.frames import Frames, clean, emit, rows_findings
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
# pandera's name of each builtin check -> the Table Schema constraint it stands for.
_CHECK_KINDS = {"isin": "enum", "str_matches": "pattern", "greater_than_or_equal_to": "minimum"}


def java_pattern(pattern: str) -> str:
    """A Table Schema pattern (anchored, whole value) for Java's regex (Spark's ``rlike``):
    ``$`` would also match before a final newline, so the end is "no character left"."""
    return f"^(?:{pattern})(?![\\s\\S])"


def compile_schema(descriptor: dict[str, Any]) -> Any:
    """A ``pandera.pyspark`` schema for a Table Schema descriptor."""
    import pandera.pyspark as pa
    import pyspark.sql.types as T

    dtypes = {"string": T.StringType(), "integer": T.LongType(), "boolean": T.BooleanType()}
    columns = {}
    for f in descriptor["fields"]:
        cons = f.get("constraints", {})
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
    return pa.DataFrameSchema(columns, unique=descriptor.get("primaryKey") or None)


def _failed(errors: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(constraint, column) of every check pandera reports as failed."""
    out: list[tuple[str, str | None]] = []
    for by_reason in errors.values():
        for reason, items in by_reason.items():
            for item in items:
                check = str(item.get("check") or "")
                if reason == "DUPLICATES":
                    out.append(("unique", None))
                elif check == "not_nullable":
                    out.append(("required", item["column"]))
                elif check.split("(", 1)[0] in _CHECK_KINDS:
                    out.append((_CHECK_KINDS[check.split("(", 1)[0]], item["column"]))
                else:
                    raise RuntimeError(f"pandera reported an unexpected error: {item}")
    return out


def _violations(frame: Any, kind: str, column: str | None, cons: dict[str, Any], pk: list[str]):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if kind == "unique":
        order = ["_line", "_member"] if "_member" in frame.columns else ["_line"]
        rank = F.row_number().over(Window.partitionBy(*pk).orderBy(*order))
        keyed = F.lit(True)
        for k in pk:
            keyed = keyed & F.col(k).isNotNull()
        return frame.filter(keyed).withColumn("_rank", rank).filter(F.col("_rank") > 1)
    col = F.col(column)
    if kind == "required":
        return frame.filter(col.isNull())
    if kind == "enum":
        return frame.filter(col.isNotNull() & ~col.isin(cons["enum"]))
    if kind == "pattern":
        return frame.filter(col.isNotNull() & ~col.rlike(java_pattern(cons["pattern"])))
    return frame.filter(col < F.lit(cons["minimum"]))


def table_contract(schema: Schema, frames: Frames) -> list[Finding]:
    """Every Table Schema violation of every table, as findings. Tables are checked in
    parallel threads: each of pandera's checks is a small Spark job, and on a small corpus
    a run waits on job scheduling rather than computing."""
    import pandera.pyspark  # noqa: F401  (imported once, here, not by racing threads)

    from isf_claims.validation.backends.pandera import contract  # noqa: F401  (wording)

    with ThreadPoolExecutor(max_workers=len(TABLES)) as pool:
        found = pool.map(lambda table: _table(schema, frames, table), TABLES)
    return [f for part in found for f in part]


def _table(schema: Schema, frames: Frames, table: str) -> list[Finding]:
    from isf_claims.validation.backends.pandera.contract import _describe

    out: list[Finding] = []
    descriptor = table_schema(schema, table)
    frame = frames.tables[table]
    names = [f["name"] for f in descriptor["fields"]]
    checked = compile_schema(descriptor).validate(frame.select(*names))
    failed = _failed(dict(checked.pandera.errors))
    consts = {f["name"]: f.get("constraints", {}) for f in descriptor["fields"]}
    pk = descriptor.get("primaryKey") or []
    for kind, column in sorted(set(failed), key=str):
        rows = _violations(frame, kind, column, consts.get(column or "", {}), pk)
        if kind == "unique":
            out += emit(
                schema,
                table,
                rows,
                PRIMARY_KEY_CODES.get(table, "duplicate-id"),
                lambda r, pk=pk, t=table: wording.duplicate(
                    pk, r, PRIMARY_KEY_CODES.get(t, "duplicate-id")
                ),
            )
            continue
        code = CONSTRAINT_CODES[kind]

        def describe(r: dict[str, Any], code: str = code, column: Any = column) -> dict[str, Any]:
            value = None if code == "missing-value" else r[column]
            message, expected = _describe(code, column, consts[column], value)
            return {
                "message": message,
                "expected": expected,
                "found": "null" if code == "missing-value" else str(value),
            }

        out += emit(schema, table, rows, code, describe, column)
    return out


def _present(prefix: str) -> Any:
    from pyspark.sql import functions as F

    cond = F.lit(False)
    for k in SPAN_PARTS:
        cond = cond | F.col(f"{prefix}_{k}").isNotNull()
    return cond


def row_rules(spark: Any, schema: Schema, frames: Frames, findings: list[Finding]) -> list[Finding]:
    """Row rules Table Schema cannot state: optional spans given whole, and attribution."""
    from pyspark.sql import functions as F

    out: list[Finding] = []
    claims = frames.tables["claims"]
    parts = [
        (f.name, part)
        for f in layer_of(schema, "claim").fields
        if f.type == "span" and not f.required
        for part in SPAN_PARTS
    ]
    flags = {f"_no_{s}_{p}": _present(s) & F.col(f"{s}_{p}").isNull() for s, p in parts}
    any_flag = F.lit(False)
    for flag in flags.values():
        any_flag = any_flag | flag
    partial = [
        r.asDict()
        for r in claims.select("*", *(c.alias(n) for n, c in flags.items()))
        .filter(any_flag)
        .collect()
    ]  # one job for every optional span
    for s, p in parts:
        out += rows_findings(
            schema,
            "claims",
            [r for r in partial if r[f"_no_{s}_{p}"]],
            "missing-value",
            lambda r, s=s, p=p: wording.span_part_missing(s, p),
            f"{s}_{p}",
        )
    check_rule_values(schema)
    ok = clean(spark, claims, "claims", dirty_units(findings + out, 2))
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

    return out + emit(
        schema, "claims", rows.filter(violates), "attribution-inconsistent", describe, "attribution"
    )
