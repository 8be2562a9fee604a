"""Scoring time of ``isf-claims evaluate`` (figures only here, never in unit tests).

    .venv/bin/python benchmarks/bench_evaluate.py [--docs 10000] [--repeat 3]

Makes (and caches under benchmarks/out/) the synthetic corpus of ``isf_claims.synth``, its
release, and 1,000,000 predicted mentions made from the gold with a fixed seed: about 80 %
kept as they are, 7 % with a shifted boundary, 5 % relabelled, the rest dropped, plus
spurious mentions up to exactly 1 M. Then times, ``--repeat`` rounds:

- ``isf-claims evaluate PRED.parquet --task mentions --release REL --format json`` as a
  process (wall and CPU seconds: the whole command, start-up, reading and verifying the
  release, checking the predictions, the four schemes per label, 1,000 bootstrap
  resamples); the same with the predictions as JSON lines;
- the card's Evaluation section (both baselines and their scores, in memory), which every
  build of the release now computes.

Target (issue 13): 1 M predicted mentions against the 10,000-document gold in under 10 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from isf_claims.release.build import build_release
from isf_claims.repo import Repo
from isf_claims.synth import synth_corpus

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
N_PRED = 1_000_000


def corpus(docs: int) -> Repo:
    dest = OUT / f"synth-{docs}"
    if not (dest / "annotated").is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        synth_corpus(Repo(ROOT), dest, docs)
    for name in ("dataset.json", "DATACARD.md"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copy2(ROOT / "schema" / "cue_lexicon.json", dest / "schema" / "cue_lexicon.json")
    return Repo(dest)


def release(repo: Repo) -> Path:
    found = sorted((repo.root / "dist").glob("*/SHA256SUMS"))
    if found:
        return found[0].parent
    return build_release(repo, repo.root / "dist", validate=False).folder


def predictions(rel: Path, labels: list[str]) -> tuple[Path, Path]:
    parquet, jsonl = OUT / "pred-mentions-1m.parquet", OUT / "pred-mentions-1m.jsonl"
    if parquet.is_file() and jsonl.is_file():
        return parquet, jsonl
    gold = pl.read_parquet(rel / "data" / "mentions", columns=["doc_id", "start", "end", "label"])
    docs = pl.read_parquet(rel / "data" / "documents", columns=["doc_id", "n_codepoints"])
    rng = np.random.default_rng(13)
    fate = rng.random(gold.height)
    start, end = gold["start"].to_numpy().copy(), gold["end"].to_numpy().copy()
    shift = (fate >= 0.80) & (fate < 0.87)
    end[shift] = np.maximum(start[shift] + 1, end[shift] - 1)
    label = gold["label"].to_numpy().copy()
    relabel = (fate >= 0.87) & (fate < 0.92)
    label[relabel] = rng.choice(labels, int(relabel.sum()))
    kept = pl.DataFrame(
        {"doc_id": gold["doc_id"], "start": start, "end": end, "label": label}
    ).filter(pl.Series(fate < 0.92))
    n_extra = N_PRED - kept.height + 1000  # a few land on a kept mention: dropped below
    pick = rng.integers(0, docs.height, n_extra)
    size = docs["n_codepoints"].to_numpy()[pick]
    s = (rng.random(n_extra) * (size - 10)).astype(np.int64)
    extra = pl.DataFrame(
        {
            "doc_id": docs["doc_id"].gather(pick),
            "start": s,
            "end": s + rng.integers(1, 10, n_extra),
            "label": rng.choice(labels, n_extra),
        }
    )
    pred = (
        pl.concat([kept, extra])
        .unique(["doc_id", "start", "end", "label"], maintain_order=True)
        .head(N_PRED)
        .sort("doc_id", "start", "end", "label")
    )
    pred.write_parquet(parquet)
    pred.write_ndjson(jsonl)
    return parquet, jsonl


def run(cmd: list[str]) -> tuple[float, float, dict]:
    """Wall and CPU seconds (user + system of the child) of ``cmd``, and its JSON output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    repo = corpus(args.docs)
    rel = release(repo)
    labels = json.loads((ROOT / "schema" / "1.1.0" / "schema.json").read_text())["vocabularies"][
        "entity_label"
    ]["values"]
    parquet, jsonl = predictions(rel, list(labels))
    exe = str(Path(sys.executable).with_name("isf-claims"))
    results: dict[str, list[tuple[float, float]]] = {"parquet": [], "jsonl": [], "card": []}
    report = {}
    for _ in range(args.repeat):
        for name, path in (("parquet", parquet), ("jsonl", jsonl)):
            cmd = [exe, "evaluate", str(path), "--task", "mentions", "--release", str(rel)]
            wall, cpu, report = run([*cmd, "--format", "json"])
            results[name].append((wall, cpu))
        code = (
            "import time, sys; from pathlib import Path; from isf_claims.repo import Repo;"
            "from isf_claims.corpus import load_corpus;"
            "from isf_claims.release.stream import stream_release;"
            "from isf_claims.release import evaluation;"
            f"repo = Repo(Path({str(repo.root)!r})); whole = [];"
            "stream_release([load_corpus(repo)], None, None, whole.append); rt = whole[0];"
            "w, c = time.perf_counter(), time.process_time();"
            "evaluation.compute(rt, '1.0.0', repo.schema_dir);"
            'print(f\'{{"wall": {time.perf_counter() - w}, "cpu": {time.process_time() - c}}}\')'
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        card = json.loads(proc.stdout.strip().splitlines()[-1])
        results["card"].append((card["wall"], card["cpu"]))
    n_pred = report["figures"]["strict"]["correct"] + report["figures"]["strict"]["incorrect"]
    n_pred += report["figures"]["strict"]["spurious"]
    print(
        f"{args.docs} documents, {n_pred} predicted mentions, strict F1 "
        f"{report['figures']['strict']['f1']:.4f}"
    )
    for name, runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"{name:<8} wall best {min(walls):.2f} s median {statistics.median(walls):.2f} s; "
            f"CPU best {min(cpus):.2f} s median {statistics.median(cpus):.2f} s"
        )


if __name__ == "__main__":
    main()
