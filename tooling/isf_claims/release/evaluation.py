"""The card's "Evaluation" section: the baselines scored at build time, with the scorer's
version, over all gold documents of the release.

The build hands over its release tables; the baselines (:mod:`isf_claims.baselines`) and the
scorer (:mod:`isf_claims.evaluate`) run on them in memory, exactly as ``isf-claims baseline``
and ``isf-claims evaluate`` would on the written release.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from isf_claims.evaluate import Bootstrap, _intervals, evaluate, mentions
from isf_claims.evaluate.formats import read_predictions
from isf_claims.evaluate.gold import ATTRIBUTES as ATTRS
from isf_claims.evaluate.gold import from_tables, vocab_of
from isf_claims.evaluate.report import scorer
from isf_claims.frames import frame_of
from isf_claims.release import splits as split_rule
from isf_claims.release.tables import ReleaseTables
from isf_claims.schema import Schema

TITLE = "Evaluation"


def _vocab(rt: ReleaseTables) -> dict[str, list[str]]:
    return vocab_of(rt.schema)


def _compact(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in ("documents", "predictions")} | {
        "documents": {k: v for k, v in report["documents"].items() if k != "ids"}
    }


def compute(rt: ReleaseTables, version: str, schema_dir: Path) -> dict[str, Any]:
    """``{"release": version, "baselines": task -> evaluation report}`` (reports without
    the document list)."""
    from isf_claims import baselines

    gold = from_tables(rt.tables, rt.splits, _vocab(rt), version, with_text=True)
    boot = Bootstrap()
    out: dict[str, Any] = {}
    for task in baselines.BASELINES:
        if task == "claims" and not (schema_dir / "cue_lexicon.json").is_file():
            continue  # a corpus without the lexicon (an old git ref): no claims baseline
        preds = baselines.run(task, gold, schema_dir)
        # the baselines' output is well-formed by construction (the tests check it)
        out[task] = _compact(evaluate(preds, task, gold=gold, bootstrap=boot, check=False))
    return {"release": version, "baselines": out}


def _frames(src: bytes | Path, columns: list[str]) -> Iterator[pl.DataFrame]:
    """The rows of a Parquet file of the release, a row group at a time."""
    f = pq.ParquetFile(io.BytesIO(src) if isinstance(src, bytes) else src)
    for i in range(f.num_row_groups):
        yield frame_of(f.read_row_group(i, columns=columns))


class _Cursor:
    """The rows of one split's file of a config, document by document (files are sorted by
    document)."""

    def __init__(self, src: bytes | Path | None, columns: list[str]) -> None:
        self._groups = _frames(src, columns) if src is not None else iter(())
        self._held: list[pl.DataFrame] = []
        self._columns = columns

    def until(self, last: str) -> pl.DataFrame | None:
        """Every row not taken yet of the documents up to ``last`` (by id)."""
        while not self._held or self._held[-1]["doc_id"][-1] <= last:
            group = next(self._groups, None)
            if group is None:
                break
            self._held.append(group)
        if not self._held:
            return None
        rows = pl.concat(self._held)
        n = int((rows["doc_id"] <= last).sum())  # sorted: a prefix
        rest = rows.slice(n)
        self._held = [rest] if rest.height else []
        return rows.slice(0, n)


class _MentionScores:
    """The ``mentions`` baseline scored a batch of documents at a time: counts per document
    and per label add up over documents (see :mod:`isf_claims.evaluate.mentions`)."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        self.docs: list[str] = []
        self.per_doc: list[np.ndarray] = []
        self.per_label: np.ndarray | None = None
        self.without = 0

    def add(self, docs: list[str], gold: pl.DataFrame, found: pl.DataFrame) -> None:
        frame = read_predictions(found, "mentions").frame
        counts = mentions.count(gold, frame, docs, self.labels)
        self.docs += docs
        self.per_doc.append(counts.per_doc)
        self.per_label = (
            counts.per_label if self.per_label is None else self.per_label + counts.per_label
        )
        self.without += len(set(docs) - set(frame["doc_id"].unique().to_list()))

    def report(self, gold_docs: pl.DataFrame, version: str, boot: Bootstrap) -> dict[str, Any]:
        """What :func:`isf_claims.evaluate.evaluate` reports over every document."""
        order = sorted(range(len(self.docs)), key=self.docs.__getitem__)
        assert self.per_label is not None
        counts = mentions.MentionCounts(
            np.concatenate(self.per_doc)[order], self.per_label, self.labels
        )
        names = [f"{s}.{m}" for s in mentions.SCHEMES for m in ("precision", "recall", "f1")]
        scored = [self.docs[i] for i in order]
        by_split = gold_docs.group_by("split").len().sort("split")
        return {
            "scorer": scorer(),
            "task": "mentions",
            "predictions": None,
            "release": {"version": version, "sha256sums": None, "folder": None},
            "split": None,
            "selection": "all gold documents",
            "documents": {
                "scored": len(scored),
                "without_predictions": self.without,
                "predictions_outside": 0,
                "by_split": dict(by_split.iter_rows()),
                "ids": scored,
            },
            "figures": mentions.figures(counts),
            "bootstrap": boot.describe(),
            "intervals": _intervals(boot, counts.per_doc, mentions.micro_f1, names),
        }


def compute_files(
    files: Mapping[str, bytes | Path],
    layout: Mapping[str, Mapping[str, str]],
    splits: Mapping[str, str],
    schema: Schema,
    version: str,
    schema_dir: Path,
    batch_docs: int = 2000,
) -> dict[str, Any]:
    """:func:`compute` from the release's data files (bytes, or files written), reading
    ``batch_docs`` documents at a time: the gazetteer counts every mention first; then, per
    batch of documents, the baselines predict and the mentions are scored; the claims are
    scored at the end from the gathered predictions and the gold's narrow columns."""
    from isf_claims import baselines
    from isf_claims.baselines.claims_rules import load_lexicon
    from isf_claims.baselines.claims_rules import predict as claim_rules
    from isf_claims.baselines.gazetteer import gazetteer, predict_documents
    from isf_claims.evaluate.gold import Gold, _flat_claims

    vocab = vocab_of(schema)
    tasks = [
        t
        for t in baselines.BASELINES
        if not (t == "claims" and not (schema_dir / "cue_lexicon.json").is_file())
    ]
    lexicon = load_lexicon(schema_dir) if "claims" in tasks else {}
    paths = {c: dict(layout.get(c, {})) for c in ("documents", "mentions", "claims", "ner")}
    counts = [
        frame.group_by("text", "label").agg(pl.len().cast(pl.Int64).alias("n"))
        for p in paths["mentions"].values()
        for frame in _frames(files[p], ["text", "label"])
    ]
    empty = pl.DataFrame(schema={"text": pl.String, "label": pl.String, "n": pl.Int64})
    gz = gazetteer(pl.concat([empty, *counts]), vocab["label"])
    del counts
    columns = {
        "documents": ["doc_id", "n_codepoints", "text"],
        "mentions": ["doc_id", "id", "label", "start", "end", "text"],
        "ner": ["doc_id", "start", "end", "ner_tags", "tokens", "token_offsets"],
    }
    scores = _MentionScores(vocab["label"])
    claims_found: list[pl.DataFrame] = []
    docs: list[pl.DataFrame] = []
    for split in split_rule.SPLITS:
        ids = [d for d, s in splits.items() if s == split]
        if not ids:
            continue
        cursors = {
            c: _Cursor(files[paths[c][split]] if split in paths[c] else None, cols)
            for c, cols in columns.items()
        }
        for k in range(0, len(ids), batch_docs):
            last = ids[min(k + batch_docs, len(ids)) - 1]
            part = {c: cur.until(last) for c, cur in cursors.items()}
            d, m, t = part["documents"], part["mentions"], part["ner"]
            assert d is not None
            m = m if m is not None else Gold("", None, d, vocab).table("mentions")
            docs.append(d.select("doc_id", "n_codepoints", split=pl.lit(split)))
            if "mentions" in tasks:
                found = (
                    predict_documents(gz, t, m)
                    if t is not None
                    else pl.DataFrame(
                        schema={
                            "doc_id": pl.String,
                            "start": pl.Int64,
                            "end": pl.Int64,
                            "label": pl.String,
                        }
                    )
                )
                scores.add(d["doc_id"].to_list(), m, found)
            if "claims" in tasks:
                claims_found.append(claim_rules(d, m, lexicon))
    gold_docs = pl.concat(docs)
    boot = Bootstrap()
    out: dict[str, Any] = {}
    if "mentions" in tasks:
        out["mentions"] = _compact(scores.report(gold_docs, version, boot))
    if "claims" in tasks:
        claims = [
            _flat_claims(frame)
            for p in paths["claims"].values()
            for frame in _frames(files[p], ["doc_id", "id", "content", "cue", "source", *ATTRS])
        ]
        # the gold in release order (by document, then as in the files)
        tables = {"claims": pl.concat(claims).sort("doc_id", maintain_order=True)} if claims else {}
        gold = Gold(version, None, gold_docs, vocab, tables)
        preds = pl.concat(claims_found).sort("doc_id", maintain_order=True)
        out["claims"] = _compact(evaluate(preds, "claims", gold=gold, bootstrap=boot, check=False))
    return {"release": version, "baselines": out}


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _row(name: str, task: str, measure: str, value: float | None, ci: list[float] | None) -> str:
    interval = f"{_f(ci[0])}-{_f(ci[1])}" if ci else ""
    return f"| {name} | `{task}` | {measure} | {_f(value)} | {interval} |"


def section(numbers: dict[str, Any]) -> str:
    """The card section from the build's statistics (with ``evaluation`` added)."""
    e = numbers["evaluation"]
    return markdown(e["baselines"], e["release"], numbers["documents"]["by_split"])


def markdown(figures: dict[str, Any], version: str, by_split: dict[str, int]) -> str:
    """The card section."""
    any_report = next(iter(figures.values()), None)
    n_docs = sum(by_split.values())
    held_out = any(by_split.get(s) for s in split_rule.SPLITS if s != "train")
    lines = [f"## {TITLE} (release {version})", ""]
    if any_report is None:
        return "\n".join([*lines, "No baseline was scored for this release.", ""])
    s = any_report["scorer"]
    b = any_report["bootstrap"]
    lines += [
        "Baselines scored with `isf-claims evaluate` when the release was built (scorer "
        f"`{s['name']}` {s['version']}, following nervaluate {s['follows']['nervaluate']} for the "
        "mention schemes). "
        f"The figures are over all {n_docs} gold documents"
        + (
            "; the release has no held-out split yet, so none of them is a test score."
            if not held_out
            else " of every split (the baselines learn nothing from a split's gold, the "
            "gazetteer leaving each document out), not over a held-out split alone."
        ),
        f"Intervals: {int(b['level'] * 100)} % percentile bootstrap over documents "
        f"({b['resamples']} resamples, seed {b['seed']}). Reproduce with `isf-claims baseline "
        "TASK --out PRED` and `isf-claims evaluate PRED --task TASK`; the prediction format "
        "and every definition are in the package's README.",
        "",
        "| baseline | task | measure | value | 95 % interval |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    if "mentions" in figures:
        r = figures["mentions"]
        name = "gazetteer, leave-one-document-out"
        for scheme in ("strict", "exact", "partial", "ent_type"):
            v = r["figures"][scheme]
            lines.append(
                _row(name, "mentions", f"{scheme} F1", v["f1"], r["intervals"].get(f"{scheme}.f1"))
            )
        lines.append(
            _row(name, "mentions", "strict macro F1", r["figures"]["strict"]["macro_f1"], None)
        )
    if "claims" in figures:
        r = figures["claims"]
        name = "PARC-style rules (quotes, cue lexicon)"
        f = r["figures"]
        lines += [
            _row(
                name,
                "claims",
                "content F1, exact",
                f["content_exact"]["f1"],
                r["intervals"].get("content_exact.f1"),
            ),
            _row(
                name,
                "claims",
                "content F1, overlap",
                f["content_overlap"]["f1"],
                r["intervals"].get("content_overlap.f1"),
            ),
            _row(name, "claims", "cue F1 (matched claims)", f["cue"]["f1"], None),
            _row(name, "claims", "source F1 (matched claims)", f["source"]["f1"], None),
            _row(
                name,
                "claims",
                "attribution accuracy (matched)",
                f["attributes"]["attribution"]["accuracy"],
                None,
            ),
        ]
    lines.append("")
    return "\n".join(lines)
