"""Span matching shared by ``agree`` (annotator against annotator) and ``evaluate`` (system
against gold): one implementation, column-wise.

Spans are half-open code-point ranges ``[start, end)``. Two spans *overlap* when they share
at least one code point (``max(starts) < min(ends)``); their overlap is the number of code
points they share.

- :func:`overlap_pairs` finds every overlapping pair of spans of two tables (within the same
  document, or the same values of other key columns) without comparing every span of a
  document with every other: spans are swept in start order and cut into *components* (runs
  of spans whose ranges chain together); only spans of the same component are paired.
- :func:`match_one_to_one` matches the spans of two tables one to one: candidates are the
  overlapping pairs; pairs are taken greedily by overlap length (longest first), then by the
  first table's start, the second table's start, the first table's id and the second table's
  id, so the result is deterministic; a span already taken is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

PAIR_COLUMNS = ("_a", "_b", "_comp", "overlap")


def _side(df: pl.DataFrame, by: Sequence[str], start: str, end: str, side: int) -> pl.DataFrame:
    return (
        df.select(*by, pl.col(start).alias("_s"), pl.col(end).alias("_e"))
        .with_row_index("_i")
        .with_columns(pl.col("_i").cast(pl.Int64), _side=pl.lit(side, pl.Int8))
        .filter(pl.col("_s").is_not_null() & pl.col("_e").is_not_null())
    )


def overlap_pairs(
    a: pl.DataFrame,
    b: pl.DataFrame,
    by: Sequence[str] = ("doc_id",),
    start: str = "start",
    end: str = "end",
    b_start: str | None = None,
    b_end: str | None = None,
) -> pl.DataFrame:
    """Every pair of a span of ``a`` and a span of ``b`` with the same ``by`` values that
    overlap: columns ``_a`` and ``_b`` (row numbers in ``a`` and ``b``), ``_comp`` (the
    component both lie in) and ``overlap`` (shared code points). Rows with a null start or
    end take part in no pair. Ordered by ``_a`` then ``_b``."""
    by = list(by)
    sa = _side(a, by, start, end, 0)
    sb = _side(b, by, b_start or start, b_end or end, 1)
    both = pl.concat([sa, sb]).sort([*by, "_s", "_e", "_side", "_i"])
    reach = pl.col("_e").cum_max().shift(1).over(by)
    both = both.with_columns(
        _comp=(reach.is_null() | (pl.col("_s") >= reach)).cast(pl.Int64).cum_sum()
    )
    left = both.filter(pl.col("_side") == 0).select("_comp", "_i", "_s", "_e")
    right = both.filter(pl.col("_side") == 1).select(
        "_comp", pl.col("_i").alias("_b"), pl.col("_s").alias("_sb"), pl.col("_e").alias("_eb")
    )
    return (
        left.join(right, on="_comp")
        .with_columns(
            overlap=pl.min_horizontal("_e", "_eb") - pl.max_horizontal("_s", "_sb"),
        )
        .filter(pl.col("overlap") > 0)
        .select(pl.col("_i").alias("_a"), "_b", "_comp", "overlap")
        .sort("_a", "_b")
    )


def match_one_to_one(
    a: pl.DataFrame,
    b: pl.DataFrame,
    start: str,
    end: str,
    by: Sequence[str] = ("doc_id",),
    id_column: str = "id",
) -> pl.DataFrame:
    """One-to-one matches of ``a``'s and ``b``'s spans (see the module docstring for the
    rule): columns ``_a``, ``_b`` (row numbers) and ``overlap``, in the order taken."""
    pairs = overlap_pairs(a, b, by, start, end)
    keys = a.select(pl.col(start).alias("_sa"), pl.col(id_column).alias("_ida")).with_row_index(
        "_a"
    )
    keys_b = b.select(pl.col(start).alias("_sb"), pl.col(id_column).alias("_idb")).with_row_index(
        "_b"
    )
    cand = (
        pairs.join(keys.with_columns(pl.col("_a").cast(pl.Int64)), on="_a")
        .join(keys_b.with_columns(pl.col("_b").cast(pl.Int64)), on="_b")
        .sort(
            ["overlap", "_sa", "_sb", "_ida", "_idb", "_a", "_b"],
            descending=[True, False, False, False, False, False, False],
        )
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    rows = []
    for ia, ib, ov in cand.select("_a", "_b", "overlap").iter_rows():
        if ia in used_a or ib in used_b:
            continue
        used_a.add(ia)
        used_b.add(ib)
        rows.append((ia, ib, ov))
    return pl.DataFrame(
        rows, schema={"_a": pl.Int64, "_b": pl.Int64, "overlap": pl.Int64}, orient="row"
    )
