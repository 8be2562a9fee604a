"""What the data files of a release are: the layout (config -> split -> path) and the
shape a variant of the release gives each table before it is written. The files themselves
are made by :mod:`isf_claims.release.stream`.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

Files = dict[str, bytes]
Layout = dict[str, dict[str, str]]
# What a variant of the release (the standoff release) does to each table before it is
# written: (config, rows) -> rows. None: the tables as they are.
Shape = Callable[[str, pa.Table], pa.Table] | None


def shaped(shape: Shape, config: str, table: pa.Table) -> pa.Table:
    """``table`` as the release writes it."""
    return table if shape is None else shape(config, table)
