"""Prediction files: reading them for ``evaluate``, as typed records for other tools, and
(:func:`read_layers`, mentions and claims in one file) for ``export labelstudio
--predictions``. This is the one reader of the prediction format.

A prediction file is JSON lines (``.jsonl``) or Parquet (``.parquet``), one record per
prediction, shaped like the release's config of the same name; from Python a
``datasets.Dataset``, a ``pyarrow.Table`` or a ``polars.DataFrame`` of the same columns also
works. Offsets are code points into the document's ``text``, half-open ``[start, end)``.

- ``mentions``: ``doc_id``, ``start``, ``end``, ``label`` (an OntoNotes label of the schema).
- ``claims``: ``doc_id``, ``content`` (``{start, end}``, required), optional ``cue`` and
  ``source`` (``{start, end}`` or null), optional ``attribution``, ``source_type``,
  ``cue_commitment``, ``polarity``, ``claim_type`` (schema values or null), optional ``id``.
- ``ner``: ``doc_id`` and ``start`` of a row of the ``ner`` config, and ``ner_tags`` (one IOB2
  tag per token of that row).
- ``clusters``: ``members`` (a list of ``{doc_id, claim}`` naming claims of the release's
  ``claims`` config), optional ``id``.

Extra fields (``text``, ``score``, ...) are ignored. A file may declare what it was made on:
a first JSON line ``{"isf_claims": {"task": ..., "release": "X.Y.Z", "sha256sums": "<sha256
of the release's SHA256SUMS>", "split": ...}}`` (any key may be left out), or the same object
as JSON under the Parquet key-value metadata key ``isf_claims``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from isf_claims.errors import refuse
from isf_claims.evaluate.gold import ATTRIBUTES, SPAN_ROLES
from isf_claims.frames import frame_of

TASKS = ("ner", "mentions", "claims", "clusters")
_SPAN = pl.Struct({"start": pl.Int64, "end": pl.Int64})
_EMPTY: dict[str, dict[str, Any]] = {
    "mentions": {"doc_id": pl.String, "start": pl.Int64, "end": pl.Int64, "label": pl.String},
    "claims": {"doc_id": pl.String, "content": _SPAN},
    "ner": {"doc_id": pl.String, "start": pl.Int64, "ner_tags": pl.List(pl.String)},
    "clusters": {"members": pl.List(pl.Struct({"doc_id": pl.String, "claim": pl.String}))},
}
HEADER_KEY = "isf_claims"


@dataclass
class Predictions:
    """A task's predictions as one flat frame, and what the file declares."""

    task: str
    frame: pl.DataFrame
    declared: dict[str, Any] = field(default_factory=dict)
    path: str = "<predictions>"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class PredictedMention:
    doc_id: str
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class PredictedClaim:
    doc_id: str
    id: str
    content: Span
    cue: Span | None
    source: Span | None
    attributes: dict[str, str | None]


def _read_jsonl(path: Path) -> tuple[pl.DataFrame, dict[str, Any]]:
    data = path.read_bytes()
    declared: dict[str, Any] = {}
    first, _, rest = data.partition(b"\n")
    try:
        head = json.loads(first) if first.strip() else None
    except ValueError as err:
        raise refuse(
            "prediction-unreadable", path=f"{path}:1", found=str(err), note="line 1 is not JSON"
        ) from None
    if isinstance(head, dict) and set(head) == {HEADER_KEY}:
        declared = dict(head[HEADER_KEY] or {})
        data = rest
    if not data.strip():
        return pl.DataFrame(), declared
    try:
        return pl.read_ndjson(io.BytesIO(data), infer_schema_length=None), declared
    except Exception as err:  # polars raises its own ComputeError for bad JSON
        raise refuse(
            "prediction-unreadable",
            path=str(path),
            found=str(err).splitlines()[0][:200],
            note="the file is not JSON lines",
        ) from None


def _read_path(path: Path) -> tuple[pl.DataFrame, dict[str, Any]]:
    if not path.is_file():
        raise refuse(
            "prediction-unreadable",
            path=str(path),
            expected="a .jsonl or .parquet file",
            found="nothing",
            note="no such prediction file",
        )
    if path.suffix == ".parquet":
        try:
            table = pq.read_table(path)
        except Exception as err:
            raise refuse(
                "prediction-unreadable",
                path=str(path),
                found=str(err)[:200],
                note="the file is not Parquet",
            ) from None
        meta = (table.schema.metadata or {}).get(HEADER_KEY.encode())
        declared = json.loads(meta) if meta else {}
        if not isinstance(declared, dict):
            declared = {}
        return frame_of(table), declared
    return _read_jsonl(path)


def _frame_of(source: Any) -> tuple[pl.DataFrame, dict[str, Any], str]:
    if isinstance(source, (str, Path)):
        frame, declared = _read_path(Path(source))
        return frame, declared, str(source)
    if isinstance(source, pl.DataFrame):
        return source, {}, "<DataFrame>"
    if isinstance(source, pa.Table):
        return frame_of(source), {}, "<Table>"
    data = getattr(source, "data", None)  # datasets.Dataset: its Arrow table
    table = getattr(data, "table", None)
    if isinstance(table, pa.Table):
        return frame_of(table), {}, "<Dataset>"
    raise refuse(
        "prediction-unreadable",
        found=type(source).__name__,
        note="predictions must be a file path, a datasets.Dataset, a pyarrow.Table or a "
        "polars frame",
    )


def _need(df: pl.DataFrame, name: str, path: str, task: str) -> None:
    if name not in df.columns:
        raise refuse(
            "prediction-field-invalid",
            path=path,
            expected=f"every record with {name!r}",
            found="fields: " + (", ".join(df.columns) or "none"),
            note=f"{task} predictions need a field {name!r}",
        )


def _cast(df: pl.DataFrame, exprs: dict[str, pl.Expr], path: str, task: str) -> pl.DataFrame:
    try:
        out = df.select(**exprs)
    except Exception as err:
        raise refuse(
            "prediction-field-invalid",
            path=path,
            expected="doc_id and labels as strings, offsets as integers, spans as {start, end}",
            found=str(err).splitlines()[0][:200],
            note=f"a field of the {task} predictions has the wrong type",
        ) from None
    return out


def _span(df: pl.DataFrame, role: str) -> dict[str, pl.Expr]:
    dtype = df.schema.get(role)
    if not isinstance(dtype, pl.Struct):
        null = pl.lit(None, pl.Int64)
        return {f"{role}_start": null, f"{role}_end": null}
    return {
        f"{role}_{k}": pl.col(role).struct.field(k).cast(pl.Int64, strict=True)
        for k in ("start", "end")
    }


def _offsets(df: pl.DataFrame, path: str, task: str) -> None:
    """Offsets are integers: a string or a fraction is refused, never coerced or truncated
    (``3.0`` is 3: JSON numbers of a column with a fraction anywhere are read as floats)."""
    cols: dict[str, pl.Expr] = {}
    for name in ("start", "end"):
        if name in df.columns:
            cols[name] = pl.col(name)
    for role in SPAN_ROLES:
        dtype = df.schema.get(role) if task == "claims" else None
        if isinstance(dtype, pl.Struct):
            for f in dtype.fields:
                if f.name in ("start", "end"):
                    cols[f"{role}.{f.name}"] = pl.col(role).struct.field(f.name)
    if not cols:
        return
    found = df.select(**cols)
    for name, dtype in found.schema.items():
        if dtype.is_integer() or dtype == pl.Null:
            continue
        value = pl.col(name)
        bad_rows = value.is_not_null()
        if dtype.is_float():
            bad_rows = bad_rows & (value.is_nan() | (value != value.floor()))
        if dtype == pl.String:  # a string anywhere makes the whole column text
            raise refuse(
                "prediction-field-invalid",
                path=path,
                expected="integer code point offsets",
                found=f"{name} read as text, such as {found[name].drop_nulls()[0]!r}",
                note=f"offset {name} is given as a string in some record",
            )
        numbered = found.with_row_index("_i").filter(bad_rows)
        if numbered.height:
            row = df["_r"][numbered["_i"][0]] if "_r" in df.columns else numbered["_i"][0]
            raise refuse(
                "prediction-field-invalid",
                path=path,
                record=f"record {row + 1}",
                expected="integer code point offsets",
                found=repr(numbered[name][0]),
                note=f"offset {name} is not an integer",
            )


def _normalise(df: pl.DataFrame, task: str, path: str, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    if df.width == 0:  # an empty file: no prediction at all
        df = pl.DataFrame(schema=_EMPTY[task])
    if task in ("mentions", "claims", "ner"):
        _offsets(df, path, task)
    if task == "mentions":
        for name in ("doc_id", "start", "end", "label"):
            _need(df, name, path, task)
        exprs = {
            "doc_id": pl.col("doc_id").cast(pl.String, strict=True),
            "start": pl.col("start").cast(pl.Int64, strict=True),
            "end": pl.col("end").cast(pl.Int64, strict=True),
            "label": pl.col("label").cast(pl.String, strict=True),
        }
        required = list(exprs)
    elif task == "claims":
        for name in ("doc_id", "content"):
            _need(df, name, path, task)
        exprs = {"doc_id": pl.col("doc_id").cast(pl.String, strict=True)}
        exprs["id"] = (
            pl.col("id").cast(pl.String, strict=True)
            if "id" in df.columns
            else pl.int_range(pl.len()).cast(pl.String)
        )
        for role in SPAN_ROLES:
            exprs.update(_span(df, role))
        for a in ATTRIBUTES:
            exprs[a] = (
                pl.col(a).cast(pl.String, strict=True)
                if a in df.columns
                else pl.lit(None, pl.String)
            )
        required = ["doc_id", "content_start", "content_end"]
    elif task == "ner":
        for name in ("doc_id", "start", "ner_tags"):
            _need(df, name, path, task)
        exprs = {
            "doc_id": pl.col("doc_id").cast(pl.String, strict=True),
            "start": pl.col("start").cast(pl.Int64, strict=True),
            "ner_tags": pl.col("ner_tags").cast(pl.List(pl.String), strict=True),
        }
        required = list(exprs)
    else:
        _need(df, "members", path, task)
        members = _cast(
            df.with_row_index("_row"),
            {
                "cluster_id": (
                    pl.col("id").cast(pl.String, strict=True)
                    if "id" in df.columns
                    else pl.int_range(pl.len()).cast(pl.String)
                ),
                "members": pl.col("members"),
            },
            path,
            task,
        ).explode("members")
        if members.height and not isinstance(members.schema["members"], pl.Struct):
            raise refuse(
                "prediction-field-invalid",
                path=path,
                found=str(members.schema["members"]),
                note="cluster members must be {doc_id, claim} objects",
            )
        if members.height == 0:
            members = members.with_columns(pl.lit(None, pl.Struct({"a": pl.String})))
        flat = members.drop_nulls("members")
        exprs = {
            "cluster_id": pl.col("cluster_id"),
            "doc_id": pl.col("members").struct.field("doc_id").cast(pl.String, strict=True),
            "claim": pl.col("members").struct.field("claim").cast(pl.String, strict=True),
        }
        if flat.height == 0:
            return pl.DataFrame(
                schema={"cluster_id": pl.String, "doc_id": pl.String, "claim": pl.String}
            )
        df, required = flat, list(exprs)
    if "_r" in df.columns:  # the record's place in the file, when the frame is a part of it
        exprs["_r"] = pl.col("_r")
    if "score" in keep:
        exprs["score"] = (
            pl.col("score").cast(pl.Float64, strict=True)
            if "score" in df.columns
            else pl.lit(None, pl.Float64)
        )
    out = _cast(df, exprs, path, task)
    nulls = out.select(pl.col(required).null_count()).row(0)
    for name, n in zip(required, nulls, strict=True):
        if n:
            numbered = out if "_r" in out.columns else out.with_row_index("_r")
            row = numbered.filter(pl.col(name).is_null())["_r"][0]
            raise refuse(
                "prediction-field-invalid",
                path=path,
                record=f"record {row + 1}",
                expected=f"{name!r} on every record",
                found="null",
                note=f"{n} {task} predictions have no {name!r}",
            )
    return out


def read_predictions(source: Any, task: str) -> Predictions:
    """The predictions of ``task`` in ``source`` (a path, ``datasets.Dataset``, Arrow table
    or polars frame) as one flat frame, with what the file declares."""
    if task not in TASKS:
        raise refuse("evaluate-unknown-task", expected=" or ".join(TASKS), found=task)
    frame, declared, path = _frame_of(source)
    return Predictions(task, _normalise(frame, task, path), declared, path)


def read_layers(source: Any) -> dict[str, Predictions]:
    """A pre-annotation file: mentions and claims predictions mixed in one file (a record with
    ``"layer": "claim"``, or without ``layer`` and with a ``content``, is a claim; any other a
    mention), each as the ``mentions``/``claims`` frame :func:`read_predictions` gives, plus
    ``_r`` (the record's place in the file, from 0) and ``score`` (null when not given)."""
    frame, declared, path = _frame_of(source)
    frame = frame.with_row_index("_r").with_columns(pl.col("_r").cast(pl.Int64))
    if "layer" in frame.columns:
        layer = pl.col("layer").cast(pl.String, strict=False)
    else:
        layer = pl.lit(None, pl.String)
    if "content" in frame.columns:
        layer = pl.coalesce(layer, pl.when(pl.col("content").is_not_null()).then(pl.lit("claim")))
    frame = frame.with_columns(_layer=pl.coalesce(layer, pl.lit("mention")))
    other = frame.filter(~pl.col("_layer").is_in(["mention", "claim"]))
    if other.height:
        raise refuse(
            "prediction-field-invalid",
            path=path,
            record=f"record {other['_r'][0] + 1}",
            expected="mention or claim",
            found=str(other["_layer"][0]),
            note="unknown layer",
        )
    out = {}
    for task, name in (("mentions", "mention"), ("claims", "claim")):
        part = frame.filter(pl.col("_layer") == name).drop("_layer")
        if part.height == 0:
            part = pl.DataFrame(schema={**_EMPTY[task], "_r": pl.Int64})
        out[task] = Predictions(task, _normalise(part, task, path, keep=("score",)), declared, path)
    return out


def read_mentions(source: Any) -> list[PredictedMention]:
    """A mentions prediction file as typed records (file order)."""
    frame = read_predictions(source, "mentions").frame
    return [
        PredictedMention(*row)
        for row in frame.select(list(PredictedMention.__annotations__)).iter_rows()
    ]


def read_claims(source: Any) -> list[PredictedClaim]:
    """A claims prediction file as typed records (file order)."""
    out = []
    for r in read_predictions(source, "claims").frame.iter_rows(named=True):
        spans = {
            role: None if r[f"{role}_start"] is None else Span(r[f"{role}_start"], r[f"{role}_end"])
            for role in SPAN_ROLES
        }
        out.append(
            PredictedClaim(
                r["doc_id"],
                r["id"],
                Span(r["content_start"], r["content_end"]),  # required: never null
                spans["cue"],
                spans["source"],
                {a: r[a] for a in ATTRIBUTES},
            )
        )
    return out
