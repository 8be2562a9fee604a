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

from dataclasses import dataclass

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


def _in(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``np.isin`` by hashing (polars), without sorting ``values``."""
    return pl.Series(values).is_in(pl.Series(wanted).implode()).to_numpy()


def _matches(
    ner: pl.DataFrame, doc_code: np.ndarray, forms: pl.DataFrame, firsts: np.ndarray
) -> pl.DataFrame:
    """Every token window of the ``ner`` rows whose key is a surface's (``_doc``: the
    row's ``doc_code``, ``start``, ``end``, ``n``, ``key``); windows never cross a row. Only
    windows starting with the first token of some surface (``firsts``) are computed."""
    counts = ner["tokens"].list.len().to_numpy()
    seg = np.repeat(np.arange(ner.height), counts)
    offsets = ner["token_offsets"].explode()
    t_start = offsets.struct.field("start").to_numpy()
    t_end = offsets.struct.field("end").to_numpy()
    flat = _token_hashes(ner["tokens"].explode())
    cand = np.flatnonzero(_in(flat, np.unique(firsts)))
    by_n = {n: np.sort(g["key"].to_numpy()) for (n,), g in forms.group_by("n")}
    window = np.zeros(len(cand), dtype=np.uint64)
    power = np.uint64(1)
    found = []
    with np.errstate(over="ignore"):
        for n in range(1, max(by_n, default=0) + 1):
            cand_ok = cand + n - 1 < len(flat)
            cand, window = cand[cand_ok], window[cand_ok]
            last = cand + n - 1
            same = seg[last] == seg[cand]
            cand, window, last = cand[same], window[same], last[same]
            window = window + flat[last] * power
            power = power * _BASE
            if n not in by_n:
                continue
            at = _in(window, by_n[n])
            found.append(
                pl.DataFrame(
                    {
                        "_doc": doc_code[seg[cand[at]]],
                        "start": t_start[cand[at]],
                        "end": t_end[last[at]],
                        "n": np.full(int(at.sum()), n, dtype=np.int64),
                        "key": window[at],
                    }
                )
            )
    if not found:
        return pl.DataFrame(
            schema={
                "_doc": pl.Int64,
                "start": pl.Int64,
                "end": pl.Int64,
                "n": pl.Int64,
                "key": pl.UInt64,
            }
        )
    return pl.concat(found)


@dataclass
class Gazetteer:
    """The surface forms of every gold mention of a corpus and their counts per label (what
    each document's leave-one-out gazetteer is made from)."""

    texts: pl.Series  # every mention text, sorted
    surface: np.ndarray  # per text: its surface (token sequence) number
    live: np.ndarray  # per text: whether it has a token
    total: np.ndarray  # [surface, label]: mentions
    keyed: pl.DataFrame  # forms with a token: text, n, key, _sf
    labels: list[str]


def gazetteer(counts: pl.DataFrame, labels: list[str]) -> Gazetteer:
    """The gazetteer of a corpus from its mentions counted per ``text`` and ``label``
    (column ``n``), as many frames of counts as wanted (the counts are added)."""
    counts = counts.group_by("text", "label").agg(pl.col("n").sum())
    texts = counts["text"].unique().sort()
    forms = surface_keys(texts)
    # a surface is a token sequence: texts differing only in spacing share one
    surface = forms.select(pl.struct("n", "key").rank("dense")).to_series().to_numpy()
    surface = surface.astype(np.int64) - 1
    n_sf, n_lab = int(surface.max(initial=-1)) + 1, len(labels)
    live = forms["n"].to_numpy() > 0
    c_text = counts["text"].cast(pl.Enum(texts.to_list())).to_physical().to_numpy()
    c_lab = counts["label"].cast(pl.Enum(labels)).to_physical().to_numpy().astype(np.int64)
    c_n = counts["n"].to_numpy().astype(np.int64)
    on = live[c_text]
    total = np.bincount(
        surface[c_text[on]] * n_lab + c_lab[on], weights=c_n[on], minlength=n_sf * n_lab
    ).astype(np.int64)
    keyed = forms.with_columns(_sf=surface).filter(pl.col("n") > 0)
    return Gazetteer(texts, surface, live, total.reshape(n_sf, n_lab), keyed, labels)


def predict(ner: pl.DataFrame, mentions: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    """Leave-one-document-out gazetteer predictions (doc_id, start, end, label) from the
    release's ``ner`` rows (doc_id, tokens, token_offsets) and gold ``mentions`` (doc_id,
    label, text)."""
    counts = mentions.group_by("text", "label").agg(pl.len().cast(pl.Int64).alias("n"))
    return predict_documents(gazetteer(counts, labels), ner, mentions)


def predict_documents(g: Gazetteer, ner: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """:func:`predict` for some documents of a corpus whose gazetteer is ``g``: ``ner``
    and ``mentions`` are those documents' rows (each document whole); the predictions are
    those of :func:`predict` over the whole corpus."""
    labels = g.labels
    docs = sorted(
        set(ner["doc_id"].unique().to_list()) | set(mentions["doc_id"].unique().to_list())
    )
    surface, keyed = g.surface, g.keyed
    n_sf, n_lab = g.total.shape
    m_doc = mentions["doc_id"].cast(pl.Enum(docs)).to_physical().to_numpy().astype(np.int64)
    m_text = mentions["text"].cast(pl.Enum(g.texts.to_list())).to_physical().to_numpy()
    m_sf = surface[m_text]
    m_lab = mentions["label"].cast(pl.Enum(labels)).to_physical().to_numpy().astype(np.int64)
    live = g.live[m_text]
    m_doc, m_sf, m_lab = m_doc[live], m_sf[live], m_lab[live]
    total = g.total
    own_key, own_count = np.unique((m_doc * n_sf + m_sf) * n_lab + m_lab, return_counts=True)

    firsts = _token_hashes(keyed["text"].str.extract(f"({tok.PATTERN})", 1))
    doc_code = ner["doc_id"].cast(pl.Enum(docs)).to_physical().to_numpy().astype(np.int64)
    found = _matches(ner, doc_code, keyed.unique(["n", "key"]), firsts)
    sf_of = keyed.unique(["n", "key"]).select("n", "key", "_sf")
    found = found.join(sf_of, on=["n", "key"], maintain_order="left")
    d, st, en = found["_doc"].to_numpy(), found["start"].to_numpy(), found["end"].to_numpy()
    sf = found["_sf"].to_numpy().astype(np.int64)
    # keep the matches no other match contains (longest match)
    order = np.lexsort((-en, st, d))
    width = int(en.max(initial=0)) + 1
    shifted = d[order] * width + en[order]
    reach = np.maximum.accumulate(shifted)
    keep = np.zeros(len(d), dtype=bool)
    keep[order] = np.r_[True, shifted[1:] > reach[:-1]]
    d, st, en, sf = d[keep], st[keep], en[keep], sf[keep]
    # leave-one-document-out votes per (document, surface), then the best label
    pair, inverse = np.unique(d * n_sf + sf, return_inverse=True)
    votes = total[pair % n_sf].astype(np.int64)
    o_pair, o_lab = own_key // n_lab, own_key % n_lab
    at = np.searchsorted(pair, o_pair)
    hit = (at < len(pair)) & (pair[np.minimum(at, len(pair) - 1)] == o_pair)
    np.subtract.at(votes, (at[hit], o_lab[hit]), own_count[hit])
    best = votes.argmax(axis=1) if len(pair) else np.zeros(0, dtype=np.int64)
    ok = votes[np.arange(len(pair)), best] > 0 if len(pair) else np.zeros(0, dtype=bool)
    use = ok[inverse]
    out = pl.DataFrame(
        {
            "doc_id": pl.Series(docs, dtype=pl.String).gather(d[use]),
            "start": st[use].astype(np.int64),
            "end": en[use].astype(np.int64),
            "label": pl.Series(labels, dtype=pl.String).gather(best[inverse][use]),
        }
    )
    return out.sort("doc_id", "start", "end")
