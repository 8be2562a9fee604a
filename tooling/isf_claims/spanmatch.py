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

import numpy as np
import polars as pl

PAIR_COLUMNS = ("_a", "_b", "_comp", "overlap")


def _int_max(column: pl.Series) -> int:
    """Largest value of an integer column, 0 when it is empty or all null."""
    top = column.max()
    return int(top) if isinstance(top, int) and top else 0


def _group_codes(a: pl.DataFrame, b: pl.DataFrame, by: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One integer per distinct ``by`` value, for the rows of ``a`` and of ``b``."""
    if not by:
        return np.zeros(a.height, dtype=np.int64), np.zeros(b.height, dtype=np.int64)
    if all(a.schema[c].is_integer() and b.schema[c].is_integer() for c in by):
        out = []
        for df in (a, b):
            code = np.zeros(df.height, dtype=np.int64)
            for c in by:
                values = df[c].to_numpy().astype(np.int64)
                top = max(_int_max(a[c]), _int_max(b[c])) + 1
                code = code * top + values
            out.append(code)
        return out[0], out[1]
    keys = pl.concat([a.select(by), b.select(by)], how="vertical_relaxed")
    expr = pl.col(by[0]) if len(by) == 1 else pl.struct(by)
    codes = keys.select(expr.rank("dense")).to_series().to_numpy().astype(np.int64)
    return codes[: a.height], codes[a.height :]


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
    ga, gb = _group_codes(a, b, by)
    sides = []
    for codes, df, s_col, e_col in ((ga, a, start, end), (gb, b, b_start or start, b_end or end)):
        s = df[s_col].to_numpy()
        e = df[e_col].to_numpy()
        keep = ~(df[s_col].is_null().to_numpy() | df[e_col].is_null().to_numpy())
        rows = np.flatnonzero(keep)
        sides.append((codes[rows], s[rows].astype(np.int64), e[rows].astype(np.int64), rows))
    n_a = len(sides[0][3])
    group = np.concatenate([sides[0][0], sides[1][0]])
    s = np.concatenate([sides[0][1], sides[1][1]])
    e = np.concatenate([sides[0][2], sides[1][2]])
    row = np.concatenate([sides[0][3], sides[1][3]])
    empty = pl.DataFrame(schema=dict.fromkeys(PAIR_COLUMNS, pl.Int64))
    if n_a == 0 or len(row) == n_a:
        return empty
    # Spans of later groups start after every end of earlier ones: shift each group by
    # a width larger than any offset, so one sort and one running maximum serve all groups.
    # (Spans with equal starts always share a component, so their order does not matter.)
    width = int(max(e.max(), s.max())) + 1
    order = np.argsort(group * width + s)
    shifted_s = group[order] * width + s[order]
    reach = np.maximum.accumulate(group[order] * width + e[order])
    new = np.r_[True, shifted_s[1:] >= reach[:-1]]
    comp = np.empty(len(row), dtype=np.int64)
    comp[order] = np.cumsum(new)
    ca, cb = comp[:n_a], comp[n_a:]
    b_order = np.argsort(cb, kind="stable")
    cb_sorted = cb[b_order]
    lo = np.searchsorted(cb_sorted, ca, side="left")
    hi = np.searchsorted(cb_sorted, ca, side="right")
    counts = hi - lo
    ia = np.repeat(np.arange(n_a), counts)
    offsets = np.arange(len(ia)) - np.repeat(np.cumsum(counts) - counts, counts)
    ib = b_order[np.repeat(lo, counts) + offsets]
    sa, ea = s[:n_a][ia], e[:n_a][ia]
    sb, eb = s[n_a:][ib], e[n_a:][ib]
    overlap = np.minimum(ea, eb) - np.maximum(sa, sb)
    keep = overlap > 0
    ra, rb = row[:n_a][ia[keep]], row[n_a:][ib[keep]]
    final = np.argsort(ra.astype(np.int64) * (int(rb.max(initial=0)) + 1) + rb)
    return pl.DataFrame(
        {
            "_a": ra[final].astype(np.int64),
            "_b": rb[final].astype(np.int64),
            "_comp": ca[ia[keep]][final],
            "overlap": overlap[keep][final],
        }
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
