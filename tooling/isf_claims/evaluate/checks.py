"""Refusing bad predictions before anything is scored: each problem has a stable code
(:mod:`isf_claims.evaluate.codes`) and names the first offending record. All checks are
column-wise joins and filters."""

from __future__ import annotations

from typing import Any

import polars as pl

from isf_claims.errors import refuse
from isf_claims.evaluate.formats import Predictions
from isf_claims.evaluate.gold import ATTRIBUTES, Gold


def tag_names_for(labels: list[str]) -> list[str]:
    """IOB2 tags of ``labels`` (as the release's ``ner`` config names them)."""
    return ["O"] + [f"{p}-{label}" for label in labels for p in "BI"]


def _first(df: pl.DataFrame) -> str:
    row = df.row(0, named=True)
    rec = row.pop("_r")
    shown = ", ".join(f"{k}={v!r}" for k, v in row.items() if not k.startswith("_"))
    return f"record {rec + 1} ({shown})"


def _refuse(preds: Predictions, rows: pl.DataFrame, code: str, **kw: Any) -> None:
    """``code`` for the first of ``rows`` (the message counts them), if there are any."""
    if rows.height:
        raise refuse(
            code, path=preds.path, record=_first(rows), n=rows.height, task=preds.task, **kw
        )


def check_declared(preds: Predictions, gold: Gold, split: str | None) -> None:
    """The release and split the file declares (if any) are the ones scored."""
    d = preds.declared
    if "release" in d and d["release"] is not None and str(d["release"]) != gold.version:
        raise refuse(
            "prediction-release-mismatch",
            path=preds.path,
            expected=f"release {gold.version}",
            found=f"release {d['release']}",
            note="the predictions were made on another release",
        )
    digest = d.get("sha256sums")
    if digest and gold.sha256sums and digest != gold.sha256sums:
        raise refuse(
            "prediction-release-mismatch",
            path=preds.path,
            expected=f"sha256sums {gold.sha256sums}",
            found=f"sha256sums {digest}",
            note="the predictions were made on a release with other files (SHA256SUMS differs)",
        )
    if split and d.get("split") and d["split"] != split:
        raise refuse(
            "prediction-split-mismatch",
            path=preds.path,
            expected=f"split {split}",
            found=f"split {d['split']}",
            declared=d["split"],
            split=split,
        )


def _vocab_check(preds: Predictions, df: pl.DataFrame, column: str, values: list[str]) -> None:
    rows = df.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(values))
    _refuse(
        preds,
        rows.select("_r", "doc_id", column),
        "prediction-label-not-in-schema",
        expected="one of " + ", ".join(values),
        found=str(rows[column][0]) if rows.height else "",
        column=column,
    )


def _span_check(preds: Predictions, df: pl.DataFrame, docs: pl.DataFrame, role: str) -> None:
    s, e = (f"{role}_start", f"{role}_end") if role else ("start", "end")
    sized = df.filter(pl.col(s).is_not_null()).join(docs, on="doc_id", how="left")
    rows = sized.filter(
        (pl.col(s) < 0) | (pl.col(s) >= pl.col(e)) | (pl.col(e) > pl.col("n_codepoints"))
    )
    _refuse(
        preds,
        rows.select("_r", "doc_id", s, e, "n_codepoints"),
        "prediction-offsets-out-of-range",
        expected="0 <= start < end <= the document's length in code points",
        found=f"[{rows[s][0]}, {rows[e][0]}) in a text of {rows['n_codepoints'][0]}"
        if rows.height
        else "",
        role=role or "span",
    )


def _duplicates(preds: Predictions, df: pl.DataFrame, keys: list[str]) -> None:
    rows = df.sort("_r").filter(~pl.struct(keys).is_first_distinct())  # the repeats
    _refuse(
        preds,
        rows.select("_r", *keys),
        "prediction-duplicate",
        expected="each prediction once",
        found=f"{rows.height} records repeating another",
    )


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with ``_r``, each record's place in its file (kept when already there)."""
    return frame if "_r" in frame.columns else frame.with_row_index("_r")


def check_preannotation(preds: Predictions, texts: pl.DataFrame) -> None:
    """What pre-annotation needs beyond :func:`check_predictions`: ``score`` (when given)
    from 0 to 1, and no span edge on whitespace (an annotation never has one). ``texts``:
    ``doc_id``, ``text`` of the documents predicted on."""
    df = _numbered(preds.frame)
    if "score" in df.columns:
        rows = df.filter((pl.col("score") < 0) | (pl.col("score") > 1) | pl.col("score").is_nan())
        _refuse(
            preds,
            rows.select("_r", "doc_id", "score"),
            "prediction-field-invalid",
            expected="a number from 0 to 1 (or no score)",
            found=str(rows["score"][0]) if rows.height else "",
            note="score out of range",
        )
    roles = ["content", "cue", "source"] if preds.task == "claims" else [""]
    joined = df.join(texts, on="doc_id", how="left")
    for role in roles:
        s, e = (f"{role}_start", f"{role}_end") if role else ("start", "end")
        covered = pl.col("text").str.slice(pl.col(s), pl.col(e) - pl.col(s))
        rows = joined.filter(pl.col(s).is_not_null()).with_columns(_span=covered)
        rows = rows.filter(pl.col("_span").str.contains(r"^\s|\s$"))
        _refuse(
            preds,
            rows.select("_r", "doc_id", s, e),
            "prediction-span-edge-whitespace",
            expected="a span with no edge on whitespace",
            found=repr(rows["_span"][0]) if rows.height else "",
            role=role or "span",
        )


def check_predictions(preds: Predictions, gold: Gold) -> None:
    """Raise the first problem found (unknown ids, offsets, labels, duplicates)."""
    df = _numbered(preds.frame)
    docs = gold.documents.select("doc_id", "n_codepoints")
    unknown = df.join(docs, on="doc_id", how="anti")
    _refuse(
        preds,
        unknown.select("_r", "doc_id"),
        "prediction-unknown-document",
        expected="a doc_id of the release's documents config",
        found=str(unknown["doc_id"][0]) if unknown.height else "",
    )
    task = preds.task
    if task == "mentions":
        _span_check(preds, df, docs, "")
        _vocab_check(preds, df, "label", gold.vocab["label"])
        _duplicates(preds, df, ["doc_id", "start", "end", "label"])
    elif task == "claims":
        for role in ("content", "cue", "source"):
            _span_check(preds, df, docs, role)
        for a in ATTRIBUTES:
            _vocab_check(preds, df, a, gold.vocab[a])
        _duplicates(preds, df, ["doc_id", "content_start", "content_end"])
    elif task == "ner":
        _check_ner(preds, df, gold)
    else:
        claims = gold.table("claims").select("doc_id", pl.col("id").alias("claim"))
        unknown = df.join(claims, on=["doc_id", "claim"], how="anti")
        _refuse(
            preds,
            unknown.select("_r", "cluster_id", "doc_id", "claim"),
            "prediction-unknown-claim",
            expected="members naming (doc_id, claim) of the claims config",
            found=f"{unknown['doc_id'][0]} {unknown['claim'][0]}" if unknown.height else "",
        )
        _duplicates(preds, df, ["cluster_id", "doc_id", "claim"])


def _check_ner(preds: Predictions, df: pl.DataFrame, gold: Gold) -> None:
    segments = gold.table("ner").select(
        "doc_id", "start", pl.col("ner_tags").list.len().alias("_tokens")
    )
    joined = df.join(segments, on=["doc_id", "start"], how="left")
    unknown = joined.filter(pl.col("_tokens").is_null())
    _refuse(
        preds,
        unknown.select("_r", "doc_id", "start"),
        "prediction-unknown-segment",
        expected="doc_id and start of a row of the ner config",
        found=f"{unknown['doc_id'][0]} start {unknown['start'][0]}" if unknown.height else "",
    )
    wrong = joined.filter(pl.col("ner_tags").list.len() != pl.col("_tokens"))
    _refuse(
        preds,
        wrong.select("_r", "doc_id", "start", "_tokens"),
        "prediction-tag-count",
        expected=f"{wrong['_tokens'][0]} tags" if wrong.height else "",
        found=f"{wrong['ner_tags'].list.len()[0]} tags" if wrong.height else "",
    )
    tags = df.select("_r", "doc_id", "start", pl.col("ner_tags").alias("tag")).explode("tag")
    _vocab_check(preds, tags, "tag", tag_names_for(gold.vocab["label"]))
    _duplicates(preds, df, ["doc_id", "start"])
