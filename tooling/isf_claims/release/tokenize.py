"""The tokeniser of the ``ner`` config: a fixed regular expression, no model, no download.

A token is a maximal run of word characters (``\\w``: letters, marks, digits, connector
punctuation), or any other single non-whitespace character. So ``U.S.-led`` is ``U . S . -
led`` and ``Gaza’s`` is ``Gaza ’ s``: punctuation never hides a mention edge. The regex runs
in polars (Rust ``regex`` crate, Unicode-aware), column-wise over all texts at once; offsets
are code points into the text, like every offset in the corpus.
"""

from __future__ import annotations

import polars as pl

NAME = "isf-claims-regex-v1"
PATTERN = r"\w+|[^\w\s]"
DESCRIPTION = (
    f"`{NAME}`: a token is a maximal run of Unicode word characters (letters, combining marks, "
    "digits, connector punctuation) or any other single non-whitespace character; whitespace "
    f"separates tokens and is never part of one (regular expression `{PATTERN}`, run by "
    "polars). Offsets are Unicode code points."
)
_PIECE = rf"\s*(?:{PATTERN})"


def tokenize(segments: pl.DataFrame) -> pl.DataFrame:
    """Tokens of every segment.

    ``segments`` has ``seg`` (a row key), ``start`` (offset of the segment in its document)
    and ``text``. Returns one row per token, in segment then text order: ``seg``, ``token``,
    ``start``, ``end`` (document offsets, half-open).
    """
    pieces = (
        segments.select("seg", "start", pl.col("text").str.extract_all(_PIECE).alias("piece"))
        .explode("piece")
        .drop_nulls("piece")
    )
    return (
        pieces.with_columns(
            pl.col("piece").str.strip_chars_start().alias("token"),
            pl.col("piece").str.len_chars().cast(pl.Int64).cum_sum().over("seg").alias("_end"),
        )
        .with_columns((pl.col("start") + pl.col("_end")).alias("end"))
        .select(
            "seg",
            "token",
            (pl.col("end") - pl.col("token").str.len_chars().cast(pl.Int64)).alias("start"),
            "end",
        )
    )
