"""Polars frames from Arrow tables, typed as frames.

``pl.from_arrow`` returns ``DataFrame | Series`` to a type checker (pyarrow has no types,
so its overloads cannot tell a table from an array); a table always gives a frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import pyarrow as pa


def frame_of(table: pa.Table | pa.RecordBatch) -> pl.DataFrame:
    """``pl.from_arrow`` of an Arrow table or record batch: a ``pl.DataFrame``."""
    out = pl.from_arrow(table)
    if not isinstance(out, pl.DataFrame):
        raise TypeError(f"expected an Arrow table, got {type(table).__name__}")
    return out
