"""Tokens and sentences for token-level formats (CoNLL IOB2, spaCy) and token agreement.

Tokens are those of the release's ``ner`` config (``isf-claims-regex-v1``, see
:mod:`isf_claims.release.tokenize`), so an export and the published data count the same
tokens; they are then cut at every *boundary* given (span edges), so every span starts and
ends on a token edge.
Sentences come from pySBD (rule-based sentence boundary disambiguation: "U.S.", "Dr.",
initials and quotations do not end a sentence) and also end at line breaks — never inside a
protected span. Tokens get their sentence by array operations, no loop over tokens or spans.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import polars as pl

from isf_claims.release.tokenize import tokenize as release_tokenize


def tokenize(text: str, boundaries: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Start and end code point offsets of the tokens of ``text``, cut at ``boundaries``.

    Tokens are those of the release's ``ner`` config (:mod:`isf_claims.release.tokenize`), so
    exports and agreement count the same tokens the published data has."""
    frame = pl.DataFrame({"seg": [0], "start": [0], "text": [text]})
    tokens = release_tokenize(frame)
    starts = tokens["start"].to_numpy().astype(np.int64)
    ends = tokens["end"].to_numpy().astype(np.int64)
    if boundaries is None or len(boundaries) == 0 or len(starts) == 0:
        return starts, ends
    cuts = np.unique(np.asarray(boundaries, dtype=np.int64))
    idx = np.searchsorted(ends, cuts, side="right")
    ok = idx < len(starts)
    inside = np.zeros(len(cuts), dtype=bool)
    inside[ok] = starts[idx[ok]] < cuts[ok]
    extra = cuts[inside]
    return np.sort(np.concatenate([starts, extra])), np.sort(np.concatenate([ends, extra]))


def covering(starts: np.ndarray, ends: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each point q, how many spans [start, end) have start < q < end."""
    s, e = np.sort(starts), np.sort(ends)
    return np.searchsorted(s, points, side="left") - np.searchsorted(e, points, side="right")


SENTENCE_LANGUAGE = "en"  # pySBD's rules; the corpus is English (see the card)


@cache
def _segmenter(language: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=language, clean=False, char_span=False)


def sentence_starts(text: str, language: str = SENTENCE_LANGUAGE) -> np.ndarray:
    """Code point offsets where pySBD starts a sentence of ``text`` (0 first)."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    parts = _segmenter(language).segment(text)
    if "".join(parts) == text:  # clean=False: the sentences are the text cut in pieces
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        return np.concatenate([[0], np.cumsum(lengths)[:-1]])
    out, pos = [], 0  # otherwise find each sentence after the previous one
    for part in parts:
        at = text.find(part.strip(), pos)
        if at >= 0:
            out.append(at)
            pos = at + len(part.strip())
    return np.asarray(sorted({0, *out}), dtype=np.int64)


def sentence_ids(
    text: str,
    starts: np.ndarray,
    ends: np.ndarray,
    protect: tuple[np.ndarray, np.ndarray] | None = None,
    language: str = SENTENCE_LANGUAGE,
) -> np.ndarray:
    """Sentence number of each token (0-based): pySBD's sentences, also cut at line breaks,
    never inside a ``protect`` span."""
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    is_nl = np.isin(chars, [0x0A, 0x0D, 0x2028, 0x2029]).astype(np.int64)
    nl_before = np.concatenate([[0], np.cumsum(is_nl)])
    gap_nl = nl_before[starts[1:]] - nl_before[ends[:-1]] > 0
    sentence = np.searchsorted(sentence_starts(text, language), starts, side="right")
    brk = gap_nl | (sentence[1:] != sentence[:-1])
    if protect is not None and len(protect[0]):
        brk &= covering(protect[0], protect[1], starts[1:]) == 0
    return np.concatenate([[0], np.cumsum(brk)])


def outermost(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Mask of spans not inside (or crossing) an earlier, longer span."""
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((-ends, starts))
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    keep_sorted = np.concatenate([[True], s[1:] >= reach[:-1]])
    keep = np.empty(n, dtype=bool)
    keep[order] = keep_sorted
    return keep


def token_owners(
    tok_starts: np.ndarray, tok_ends: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which outermost span covers each token.

    Returns (owner index into the spans or -1, whether the token begins its owner, and the
    mask of outermost spans). Span edges must fall on token edges (see :func:`tokenize`).
    """
    keep = outermost(starts, ends)
    kept = np.flatnonzero(keep)
    kept = kept[np.argsort(starts[kept], kind="stable")]
    first = np.searchsorted(tok_starts, starts[kept])
    last = np.searchsorted(tok_ends, ends[kept])
    t = np.arange(len(tok_starts))
    k = np.searchsorted(first, t, side="right") - 1
    inside = (k >= 0) & (t <= last[np.maximum(k, 0)]) if len(first) else np.zeros(len(t), bool)
    owner = np.where(inside, kept[np.maximum(k, 0)] if len(kept) else -1, -1)
    begins = inside & (t == first[np.maximum(k, 0)]) if len(first) else inside
    return owner, begins, keep
