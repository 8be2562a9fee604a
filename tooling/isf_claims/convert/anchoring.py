"""The checks an import must pass before it writes: every span anchored in its raw text,
annotation files made on the stored raw bytes, ids unique, labels and attribute values from
the schema's vocabularies, references resolving.

This is the converters' floor; when the project's validation (``isf_claims.validation``)
is installed, :mod:`isf_claims.convert.staging` runs it as well.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from isf_claims.convert.model import REFERENCES, TOP, shapes
from isf_claims.corpus import LAYER_TABLES, Corpus
from isf_claims.errors import IsfError, refuse
from isf_claims.frames import frame_of


def span_frame(corpus: Corpus) -> pl.DataFrame:
    """Every span of every document layer as rows: doc_id, layer, id, role, start, end,
    text, _file, _line (nulls for absent optional spans are dropped)."""
    frames = []
    for layer, shp in shapes(corpus.schema).items():
        table = frame_of(corpus[LAYER_TABLES[layer]])
        for role in shp.roles:
            pre = "" if role == TOP else f"{role}_"
            frames.append(
                table.select(
                    "doc_id",
                    pl.lit(layer).alias("layer"),
                    "id",
                    pl.lit(role).alias("role"),
                    pl.col(f"{pre}start").alias("start"),
                    pl.col(f"{pre}end").alias("end"),
                    pl.col(f"{pre}text").alias("text"),
                    "_file",
                    "_line",
                ).filter(pl.col("start").is_not_null() | pl.col("text").is_not_null())
            )
    return pl.concat(frames, how="vertical_relaxed")


def _fail(code: str, bad: pl.DataFrame, expected: str, **params: Any) -> IsfError:
    """``code`` for the first of the ``bad`` rows (the message counts them when several)."""
    row = bad.row(0, named=True)
    err = refuse(
        code,
        path=f"{row.get('_file')}:{row.get('_line')}",
        record=str(row.get("id")),
        expected=expected,
        found=str(row.get("found")),
        **params,
    )
    if bad.height > 1:
        err.message += f" ({bad.height} records)"
    return err


def check_corpus(corpus: Corpus) -> None:
    """Raise :class:`IsfError` for the first kind of problem found (with its count)."""
    docs = frame_of(corpus["documents"]).select(
        "doc_id", "raw_sha256", "sha256", "text", "_file", "_line"
    )
    bad = docs.filter(pl.col("text").is_null()).with_columns(found=pl.lit("no raw text"))
    if bad.height:
        raise _fail("raw-missing", bad, "raw/<doc_id>.txt", what="the document")
    bad = docs.filter(pl.col("raw_sha256") != pl.col("sha256")).with_columns(
        found=pl.col("raw_sha256")
    )
    if bad.height:
        raise _fail("raw-sha256-mismatch", bad, "raw_sha256 equal to the raw file's sha256")
    spans = span_frame(corpus).join(docs.select("doc_id", "text"), on="doc_id", suffix="_raw")
    covered = pl.col("text_raw").str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
    bad = spans.filter(
        pl.col("start").is_null()
        | pl.col("end").is_null()
        | (pl.col("start") < 0)
        | (pl.col("end") <= pl.col("start"))
        | (pl.col("end") > pl.col("text_raw").str.len_chars())
        | (covered != pl.col("text")).fill_null(True)
    ).with_columns(found=pl.format("[{}, {}) {}", "start", "end", "text"))
    if bad.height:
        raise _fail(
            "span-not-anchored",
            bad,
            "text equal to raw[start:end] with 0 <= start < end <= len(raw)",
        )
    _check_ids_and_values(corpus)


def _check_ids_and_values(corpus: Corpus) -> None:
    schema = corpus.schema
    ids: dict[str, pl.DataFrame] = {}
    for layer, shp in shapes(schema).items():
        table = frame_of(corpus[LAYER_TABLES[layer]])
        ids[layer] = table.select("doc_id", "id")
        dup = table.filter(pl.struct("doc_id", "id").is_duplicated()).with_columns(found="id")
        if dup.height:
            raise _fail("duplicate-id", dup, "unique ids", layer=layer)
        for name, vocab in shp.vocabularies.items():
            values = schema.values(vocab)
            bad = table.filter(
                pl.col(name).is_not_null() & ~pl.col(name).is_in(values)
            ).with_columns(found=pl.col(name))
            if bad.height:
                raise _fail(
                    "unknown-value", bad, "one of " + ", ".join(values), field=f"{layer}.{name}"
                )
    entities = frame_of(corpus["entities"]).select("id")
    for layer, refs in REFERENCES.items():
        table = frame_of(corpus[LAYER_TABLES[layer]])
        for name, (_role, target) in refs.items():
            if name not in table.columns:
                continue
            used = table.filter(pl.col(name).is_not_null())
            if target == "entity":
                bad = used.join(entities, left_on=name, right_on="id", how="anti")
            else:
                bad = used.join(
                    ids[target], left_on=["doc_id", name], right_on=["doc_id", "id"], how="anti"
                )
            if bad.height:
                raise _fail(
                    "dangling-reference",
                    bad.with_columns(found=pl.col(name)),
                    f"the id of an existing {target}",
                    field=f"{layer}.{name}",
                    target=target,
                )
