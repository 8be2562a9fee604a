"""Gazetteer baseline for ``mentions``, scored leave-one-document-out.

For each document, the gazetteer is built from the gold mentions of *every other* document:
each surface form (the mention's text, as a sequence of tokens of the release's tokeniser)
with its most frequent label there (ties: the schema's label order). The document's token
stream (the release's ``ner`` rows, so a match never crosses a segment) is searched for every
surface form; where matches overlap, only those no other match contains are kept (longest
match); each kept match is predicted with the surface's label. A surface seen only in the
document itself is not in its gazetteer, so no document is predicted from its own gold.

Column-wise: token sequences are compared by a polynomial hash of their tokens' hashes
(64-bit, computed with numpy over the whole token stream, one pass per surface length).
No model, nothing downloaded.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from isf_claims.release import tokenize as tok

_BASE = np.uint64(1_000_003)
_SEED = 20251016


def _token_hashes(tokens: pl.Series) -> np.ndarray:
    return tokens.hash(seed=_SEED).to_numpy().astype(np.uint64)


def surface_keys(texts: pl.Series) -> pl.DataFrame:
    """Token count and key of each text (``text``, ``n``, ``key``): the key of tokens
    ``t0 .. t(n-1)`` is ``sum(hash(tk) * BASE**k)`` mod 2**64."""
    toks = texts.str.extract_all(tok.PATTERN)
    lens = toks.list.len().fill_null(0).to_numpy().astype(np.int64)
    flat = _token_hashes(toks.explode().drop_nulls())
    firsts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    keys = np.zeros(len(texts), dtype=np.uint64)
    power = np.uint64(1)
    with np.errstate(over="ignore"):
        for k in range(int(lens.max()) if len(lens) else 0):
            live = lens > k
            keys[live] += flat[firsts[live] + k] * power
            power = power * _BASE
    return pl.DataFrame({"text": texts, "n": lens, "key": keys})


def _matches(ner: pl.DataFrame, forms: pl.DataFrame) -> pl.DataFrame:
    """Every token window of the ``ner`` rows whose key is a surface's (``doc_id``,
    ``start``, ``end``, ``n``, ``key``); windows never cross a row."""
    counts = ner["tokens"].list.len().to_numpy()
    seg = np.repeat(np.arange(ner.height), counts)
    offsets = ner["token_offsets"].explode()
    t_start = offsets.struct.field("start").to_numpy()
    t_end = offsets.struct.field("end").to_numpy()
    flat = _token_hashes(ner["tokens"].explode())
    docs = ner["doc_id"].to_numpy()
    lengths = sorted(set(forms["n"].to_list()))
    window = np.zeros(len(flat), dtype=np.uint64)
    power = np.uint64(1)
    found = []
    with np.errstate(over="ignore"):
        for n in range(1, (lengths[-1] if lengths else 0) + 1):
            if n > len(flat):
                break
            size = len(flat) - n + 1
            window = window[:size] + flat[n - 1 :] * power
            power = power * _BASE
            if n not in lengths:
                continue
            wanted = forms.filter(pl.col("n") == n)["key"].to_numpy()
            at = np.flatnonzero((seg[:size] == seg[n - 1 :]) & np.isin(window, wanted))
            found.append(
                pl.DataFrame(
                    {
                        "doc_id": pl.Series(docs[seg[at]], dtype=pl.String),
                        "start": t_start[at],
                        "end": t_end[at + n - 1],
                        "n": np.full(len(at), n, dtype=np.int64),
                        "key": window[at],
                    }
                )
            )
    if not found:
        return pl.DataFrame(
            schema={
                "doc_id": pl.String,
                "start": pl.Int64,
                "end": pl.Int64,
                "n": pl.Int64,
                "key": pl.UInt64,
            }
        )
    return pl.concat(found)


def predict(ner: pl.DataFrame, mentions: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    """Leave-one-document-out gazetteer predictions (doc_id, start, end, label) from the
    release's ``ner`` rows (doc_id, tokens, token_offsets) and gold ``mentions`` (doc_id,
    label, text)."""
    forms = surface_keys(mentions["text"].unique().sort()).filter(pl.col("n") > 0)
    keyed = mentions.select("doc_id", "label", "text").join(forms, on="text")
    total = keyed.group_by("n", "key", "label").len("total")
    own = keyed.group_by("doc_id", "n", "key", "label").len("own")
    rank = pl.DataFrame({"label": labels, "_rank": np.arange(len(labels))})
    matches = _matches(ner, forms).sort("doc_id", "start", "end", descending=[False, False, True])
    reach = pl.col("end").cum_max().shift(1).over("doc_id")
    matches = matches.filter(reach.is_null() | (pl.col("end") > reach))
    return (
        matches.join(total, on=["n", "key"])
        .join(own, on=["doc_id", "n", "key", "label"], how="left")
        .with_columns(votes=pl.col("total") - pl.col("own").fill_null(0))
        .filter(pl.col("votes") > 0)
        .join(rank, on="label")
        .sort(
            "doc_id",
            "start",
            "end",
            "votes",
            "_rank",
            descending=[False, False, False, True, False],
        )
        .unique(["doc_id", "start", "end"], keep="first", maintain_order=True)
        .select("doc_id", "start", "end", "label")
    )
