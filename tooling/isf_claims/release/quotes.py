"""Finding article text quoted in other fields, and sealing those values.

A *passage* is a run of :data:`WORDS` consecutive words (``\\w+``) of an article; a value that
contains one quotes the article (cluster notes and differences often do). The standoff release
must not carry such a value as it is, yet the rehydrated release must be byte-identical to the
full one, so the value is *sealed*: XORed with a keystream derived from the bytes of the
articles it quotes (SHAKE-256), which only someone holding those exact bytes can undo.

Everything is column-wise: the articles' passages are hashed once (polars), and the values are
matched against them with one join.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence

import polars as pl

WORDS = 6  # a passage: this many consecutive words of an article ("more than a few words")
WORD_RE = r"\w+"
SEAL_PREFIX = "isf-sealed:v1:"
_DOMAIN = b"isf-claims/seal/v1\n"


def _grams(frame: pl.DataFrame, key: str, column: str) -> pl.DataFrame:
    """``key`` and the hash of every run of :data:`WORDS` words of ``column``."""
    words = (
        frame.select(key, pl.col(column).str.extract_all(WORD_RE).alias("_w"))
        .explode("_w")
        .drop_nulls("_w")
    )
    if words.height < WORDS:
        return pl.DataFrame(schema={key: frame.schema[key], "_g": pl.UInt64})
    last = WORDS - 1
    return words.select(
        key,
        pl.concat_str([pl.col("_w").shift(-k) for k in range(WORDS)], separator=" ")
        .hash(0)
        .alias("_g"),
        (pl.col(key).shift(-last) == pl.col(key)).alias("_same"),
    ).filter(pl.col("_same"))[[key, "_g"]]


class ArticlePassages:
    """The passages of a set of articles, ready to be searched for."""

    def __init__(self, doc_ids: Sequence[str], texts: Sequence[str | None] | pl.Series) -> None:
        frame = pl.DataFrame(
            {"doc": pl.Series(list(doc_ids), dtype=pl.String), "text": pl.Series(texts)}
        )
        self.grams = _grams(frame, "doc", "text").unique()

    def quoted(self, values: Sequence[str] | pl.Series) -> dict[str, list[str]]:
        """Value -> the sorted ids of the articles it quotes, for the ``values`` that quote."""
        frame = pl.DataFrame({"value": pl.Series(values, dtype=pl.String)}).unique()
        frame = frame.filter(pl.col("value").str.count_matches(WORD_RE) >= WORDS)
        if frame.is_empty() or self.grams.is_empty():
            return {}
        hits = (
            _grams(frame, "value", "value")
            .unique()
            .join(self.grams, on="_g", how="inner")
            .group_by("value")
            .agg(pl.col("doc").unique().sort())
        )
        return dict(zip(hits["value"].to_list(), hits["doc"].to_list(), strict=True))

    def passages(self, text: str) -> list[str]:
        """The runs of :data:`WORDS` words of ``text`` that are article passages."""
        frame = pl.DataFrame({"k": [0], "t": [text]})
        grams = _grams(frame, "k", "t")
        hit = set(grams.join(self.grams, on="_g", how="semi")["_g"].to_list())
        if not hit:
            return []
        words = pl.Series([text]).str.extract_all(WORD_RE).explode().to_list()
        runs = {
            " ".join(words[i : i + WORDS]) for i, g in enumerate(grams["_g"].to_list()) if g in hit
        }
        return sorted(runs)


def _keystream(nonce: str, docs: Sequence[str], texts: Mapping[str, bytes], size: int) -> bytes:
    h = hashlib.shake_256(_DOMAIN + nonce.encode() + b"\n")
    for d in docs:
        h.update(d.encode() + b"\0" + len(texts[d]).to_bytes(8, "big") + texts[d])
    return h.digest(size)


def _xor(data: bytes, key: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(len(data), "big")


def seal(value: str, nonce: str, docs: Sequence[str], texts: Mapping[str, bytes]) -> str:
    """``value`` sealed with the bytes of ``docs`` (``nonce``: unique to this value within
    the release, without ``:``, so no two values share a keystream)."""
    data = value.encode("utf-8")
    key = _keystream(nonce, docs, texts, len(data))
    body = base64.b64encode(_xor(data, key)).decode()
    return f"{SEAL_PREFIX}{nonce}:{','.join(docs)}:{body}"


def sealed_docs(value: str) -> list[str] | None:
    """The documents a sealed value needs (None: the value is not sealed)."""
    if not value.startswith(SEAL_PREFIX):
        return None
    return value[len(SEAL_PREFIX) :].split(":", 2)[1].split(",")


def unseal(value: str, texts: Mapping[str, bytes]) -> str | None:
    """The value a sealed string holds, or None when a document it needs is not in
    ``texts`` (or, detectably, not the text it was sealed with)."""
    nonce, docs_text, body = value[len(SEAL_PREFIX) :].split(":", 2)
    docs = docs_text.split(",")
    if any(d not in texts for d in docs):
        return None
    data = base64.b64decode(body)
    key = _keystream(nonce, docs, texts, len(data))
    try:
        return _xor(data, key).decode("utf-8")
    except UnicodeDecodeError:
        return None  # not the bytes it was sealed with (rehydration proves them first)
