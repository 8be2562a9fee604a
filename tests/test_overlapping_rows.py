"""The pandera engine's overlap pre-filter on offsets too wide to pack with the document
index into one int64 (the path mypy showed was calling a method polars Series lacks)."""

from __future__ import annotations

import numpy as np

from isf_claims.validation.backends.pandera.anchoring import _overlapping_rows


def test_overlapping_rows_is_the_same_on_the_packed_and_the_wide_path() -> None:
    doc = np.array([0, 0, 1, 1, 2, 3, 3], dtype=np.int64)
    s = np.array([0, 5, 0, 10, 0, 2, 0], dtype=np.int64)
    e = np.array([10, 20, 5, 20, 7, 4, 9], dtype=np.int64)
    packed = _overlapping_rows(doc, s, e)  # small offsets: one packed key
    wide = _overlapping_rows(doc, s * 2**58, e * 2**58)  # 59-bit offsets: the polars path
    assert packed.tolist() == [0, 1, 5, 6]
    assert wide.tolist() == packed.tolist()
