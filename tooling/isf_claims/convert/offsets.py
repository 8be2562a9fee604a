"""Code point <-> UTF-16 code unit offsets, vectorised over many spans.

The corpus counts offsets in Unicode code points; Label Studio (JavaScript strings) counts
UTF-16 code units, where every astral character (U+10000 and above, e.g. emoji) takes two.
A :class:`OffsetMap` is built once per text and converts whole offset arrays with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isf_claims.errors import IsfError, refuse


@dataclass(frozen=True)
class OffsetMap:
    """Offset conversion for one text.

    ``u16[i]`` is the UTF-16 offset of code point ``i`` (``u16[len(text)]`` the text's
    UTF-16 length).
    """

    u16: np.ndarray

    @classmethod
    def of(cls, text: str) -> OffsetMap:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        widths = 1 + (cps > 0xFFFF).astype(np.int64)
        return cls(np.concatenate([[0], np.cumsum(widths)]).astype(np.int64))

    @property
    def n_codepoints(self) -> int:
        return len(self.u16) - 1

    @property
    def n_units(self) -> int:
        return int(self.u16[-1])

    def to_utf16(self, offsets: np.ndarray | list[int]) -> np.ndarray:
        """UTF-16 offsets of code point offsets (each in ``[0, len(text)]``)."""
        arr = np.asarray(offsets, dtype=np.int64)
        bad = (arr < 0) | (arr > self.n_codepoints)
        if bad.any():
            raise _out_of_range(int(arr[bad][0]), self.n_codepoints, "code point")
        return self.u16[arr]

    def to_codepoints(self, offsets: np.ndarray | list[int]) -> np.ndarray:
        """Code point offsets of UTF-16 offsets; an offset inside a surrogate pair (between
        the two halves of an astral character) is an error."""
        arr = np.asarray(offsets, dtype=np.int64)
        bad = (arr < 0) | (arr > self.n_units)
        if bad.any():
            raise _out_of_range(int(arr[bad][0]), self.n_units, "UTF-16")
        idx = np.searchsorted(self.u16, arr)
        split = self.u16[np.minimum(idx, self.n_codepoints)] != arr
        if split.any():
            at = int(arr[split][0])
            raise refuse(
                "offset-splits-character",
                expected="offsets on character boundaries",
                found=f"UTF-16 offset {at}",
            )
        return idx.astype(np.int64)


def _out_of_range(value: int, limit: int, unit: str) -> IsfError:
    return refuse("offset-out-of-range", expected=f"0..{limit}", found=str(value), unit=unit)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
