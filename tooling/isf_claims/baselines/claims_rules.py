"""PARC-style rule baseline for ``claims``. No model, nothing downloaded.

The cue lexicon is data: ``schema/cue_lexicon.json`` (cue word or phrase -> the
``cue_commitment`` value predicted for it). Rules, per document:

1. **Direct quotes.** Text between “ and ” (or between two straight double quotes on one
   line) of at least :data:`MIN_WORDS` words is a claim's content (the marks left out),
   ``attribution`` ``direct_quote``. Its cue is the first lexicon cue in the
   :data:`AFTER` code points after the closing mark (up to the sentence's end), else the
   last one in the :data:`BEFORE` code points before the opening mark (from the sentence's
   start); a quote with no cue is left out.
2. **Indirect speech.** A lexicon cue followed by ``that`` and a clause: the clause, up to
   the sentence's end, is the content, ``attribution`` ``indirect`` (unless it overlaps a
   quote of rule 1).
3. **Source.** The nearest gold mention labelled PERSON, ORG, NORP or GPE that ends at or
   before the cue's start, at most :data:`SOURCE_WINDOW` code points before it; none: no
   source. (The baseline uses the gold mention layer, as a pipeline given perfect mentions
   would.)
4. **Attributes.** ``cue_commitment`` from the lexicon; ``source_type`` ``named`` with a
   source, else ``unspecified``; ``polarity`` ``positive`` and ``claim_type`` ``factual``
   (the most frequent values).

Unattributed claims (the outlet's own assertions) are never predicted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl

from isf_claims.errors import refuse

LEXICON_FILE = "cue_lexicon.json"
MIN_WORDS = 3
AFTER = 60
BEFORE = 80
SOURCE_WINDOW = 100
SOURCE_LABELS = ("PERSON", "ORG", "NORP", "GPE")
_QUOTE = re.compile(r"“([^“”]+)”|\"([^\"\n]+)\"")
_END = re.compile(r"[.!?\n]")
_THAT = re.compile(r"that\s+([^.!?\n“”\"]+)")
CUE_REACH = 40  # code points before "that" searched for the cue


def load_lexicon(schema_dir: Path) -> dict[str, str]:
    """Cue -> cue_commitment, from ``schema_dir/cue_lexicon.json``."""
    path = schema_dir / LEXICON_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data["cues"].items()}
    except (OSError, ValueError, KeyError, AttributeError) as err:
        raise refuse(
            "cue-lexicon-missing",
            path=str(path),
            expected='a JSON object {"cues": {cue: cue_commitment, ...}}',
            found=type(err).__name__,
            file=LEXICON_FILE,
        ) from None


def _cue_pattern(lexicon: dict[str, str]) -> re.Pattern[str]:
    words = sorted(lexicon, key=lambda w: (-len(w), w))
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _cue_index(lexicon: dict[str, str]) -> dict[str, list[str]]:
    """Last word of each cue (lower case) -> the cues ending with it, longest first."""
    out: dict[str, list[str]] = {}
    for cue in sorted((c.lower() for c in lexicon), key=lambda c: (-len(c), c)):
        out.setdefault(cue.split()[-1], []).append(cue)
    return out


def _cue_before(text: str, at: int, index: dict[str, list[str]]) -> tuple[int, int] | None:
    """The lexicon cue followed by an optional comma and whitespace up to ``at`` (within
    :data:`CUE_REACH` code points), as (start, end), or None."""
    lo, k = max(0, at - CUE_REACH), at
    while k > lo and text[k - 1].isspace():
        k -= 1
    if k == at:
        return None
    if k > lo and text[k - 1] == ",":
        k -= 1
    j = k
    while j > lo and _word(text[j - 1]):
        j -= 1
    for cue in index.get(text[j:k].lower(), ()):
        start = k - len(cue)
        if start >= lo and text[start:k].lower() == cue and not (start and _word(text[start - 1])):
            return start, k
    return None


def _doc_claims(
    text: str, cue_rx: re.Pattern[str], index: dict[str, list[str]]
) -> list[tuple[int, int, int, int, str, str]]:
    """(content start, end, cue start, end, attribution, cue text) of one document."""
    out: list[tuple[int, int, int, int, str, str]] = []
    for m in _QUOTE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        cs, ce = m.start(g), m.end(g)
        if len(text[cs:ce].split()) < MIN_WORDS:
            continue
        after = text[m.end() : m.end() + AFTER]
        stop = _END.search(after)
        cue = cue_rx.search(after[: stop.start() if stop else None])
        if cue:
            out.append((cs, ce, m.end() + cue.start(), m.end() + cue.end(), "direct_quote", cue[1]))
            continue
        lo = max(0, m.start() - BEFORE)
        before = text[lo : m.start()]
        ends = list(_END.finditer(before))
        base = lo + (ends[-1].end() if ends else 0)
        cues = list(cue_rx.finditer(text[base : m.start()]))
        if cues:
            c = cues[-1]
            out.append((cs, ce, base + c.start(), base + c.end(), "direct_quote", c[1]))
    quoted = [(s, e) for s, e, *_ in out]
    for m in _THAT.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            continue
        cue_at = _cue_before(text, m.start(), index)
        if cue_at is None:
            continue
        cs, ce = m.start(1), m.end(1)
        while ce > cs and text[ce - 1].isspace():
            ce -= 1
        if ce - cs < 2 or any(s < ce and cs < e for s, e in quoted):
            continue
        out.append((cs, ce, cue_at[0], cue_at[1], "indirect", text[cue_at[0] : cue_at[1]]))
    return out


def _span(start: str, end: str) -> pl.Expr:
    return (
        pl.when(pl.col(start).is_null())
        .then(None)
        .otherwise(pl.struct(pl.col(start).alias("start"), pl.col(end).alias("end")))
    )


def predict(docs: pl.DataFrame, mentions: pl.DataFrame, lexicon: dict[str, str]) -> pl.DataFrame:
    """Claims predicted for ``docs`` (doc_id, text), in the prediction format, with gold
    ``mentions`` (doc_id, label, start, end) as source candidates."""
    cue_rx = _cue_pattern(lexicon)
    index = _cue_index(lexicon)
    rows: list[tuple[Any, ...]] = []
    for doc, text in docs.select("doc_id", "text").iter_rows():
        rows.extend((doc, *c) for c in _doc_claims(text, cue_rx, index))
    claims = pl.DataFrame(
        rows,
        schema={
            "doc_id": pl.String,
            "cs": pl.Int64,
            "ce": pl.Int64,
            "qs": pl.Int64,
            "qe": pl.Int64,
            "attribution": pl.String,
            "_cue": pl.String,
        },
        orient="row",
    ).sort("doc_id", "qs")
    sources = (
        mentions.filter(pl.col("label").is_in(SOURCE_LABELS))
        .select("doc_id", pl.col("start").alias("ss"), pl.col("end").alias("se"))
        .sort("doc_id", "se", "ss")
    )
    claims = claims.join_asof(
        sources,
        left_on="qs",
        right_on="se",
        by="doc_id",
        strategy="backward",
        tolerance=SOURCE_WINDOW,
        check_sortedness=False,
    )
    commitment = pl.DataFrame(
        {"_key": [k.lower() for k in lexicon], "cue_commitment": list(lexicon.values())}
    )
    out = (
        claims.with_columns(_key=pl.col("_cue").str.to_lowercase())
        .join(commitment, on="_key", how="left", maintain_order="left")
        .sort("doc_id", "cs", "ce")
        .unique(["doc_id", "cs", "ce"], keep="first", maintain_order=True)
        .with_columns(id=pl.lit("c") + (pl.int_range(pl.len()).over("doc_id") + 1).cast(pl.String))
    )
    return out.select(
        "doc_id",
        "id",
        _span("cs", "ce").alias("content"),
        _span("qs", "qe").alias("cue"),
        _span("ss", "se").alias("source"),
        "attribution",
        pl.when(pl.col("ss").is_null())
        .then(pl.lit("unspecified"))
        .otherwise(pl.lit("named"))
        .alias("source_type"),
        "cue_commitment",
        pl.lit("positive").alias("polarity"),
        pl.lit("factual").alias("claim_type"),
    )
