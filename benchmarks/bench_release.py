"""Release build time and release verification time (figures only here, never in unit tests).

    .venv/bin/python benchmarks/bench_release.py [--docs 10000] [--repeat 3]

Makes a synthetic corpus with ``isf_claims.synth`` (cached under benchmarks/out/), then times,
in ``--repeat`` rounds (every step once per round, so figures of one round are comparable on
a shared machine whose speed drifts), warm page cache; best and median per step:

- the floor: reading every input file, parsing the annotation JSON with pyarrow and the
  metadata JSON files with ``json`` (the least any build must do; the same without parsing
  the metadata, as in earlier figures), and ``load_corpus`` (the same plus the typed tables);
- the build: validation (pandera engine), every artefact from a loaded corpus in memory
  (``release_files``), and the whole ``build_release`` (validation, then the documents read
  in batches and each data file written as its rows come, the other artefacts, the folder);
- verification (``checksums.verify``: sha256 of every release file) against reading every
  Parquet file of the release with pyarrow.

Targets (issue 4): build within 3x the floor; verification within 1.5x the pyarrow read.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.json as pj
import pyarrow.parquet as pq

from isf_claims.corpus import load_corpus
from isf_claims.release.build import build_release, check_valid, release_files
from isf_claims.release.checksums import verify
from isf_claims.repo import Repo
from isf_claims.synth import synth_corpus

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def rounds(steps: dict[str, Callable[[], object]], n: int) -> dict[str, list[float]]:
    """Every step once per round, ``n`` rounds: the machine's speed drifts over minutes
    (shared host), so each round's figures are comparable with each other."""
    out: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(n):
        for name, fn in steps.items():
            out[name].append(timed(fn))
    return out


def corpus(docs: int) -> Repo:
    dest = OUT / f"synth-{docs}"
    if not (dest / "annotated").is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        synth_corpus(Repo(ROOT), dest, docs)
    for name in ("dataset.json", "DATACARD.md"):
        shutil.copy2(ROOT / name, dest / name)
    return Repo(dest)


def read_and_parse(repo: Repo, metadata: bool = True) -> None:
    """The floor: every input file's bytes, the annotation JSON parsed by pyarrow and (with
    ``metadata``) every ``raw/*.meta.json`` parsed by ``json``: the build needs all three."""
    for p in repo.raw_dir.iterdir():
        data = p.read_bytes()
        if metadata and p.name.endswith(".meta.json"):
            json.loads(data)
    data = b"".join(p.read_bytes() for p in sorted(repo.annotated_dir.glob("*.jsonl")))
    pj.read_json(io.BytesIO(data))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    repo = corpus(args.docs)
    dist = OUT / f"dist-{args.docs}"
    validated = load_corpus(repo)
    build_release(repo, dist)  # warm-up: imports, page cache
    times = rounds(
        {
            "floor: read inputs, parse annotations and metadata": lambda: read_and_parse(repo),
            "floor without parsing the metadata (earlier figures)": lambda: read_and_parse(
                repo, metadata=False
            ),
            "load_corpus (typed tables)": lambda: load_corpus(repo),
            "validation (check_valid)": lambda: check_valid(repo),
            "release artefacts in memory from a loaded corpus": lambda: release_files(
                repo, {}, validated
            ),
            "build_release (validation + artefacts + write)": lambda: build_release(repo, dist),
        },
        args.repeat,
    )
    floors, builds = (
        times["floor: read inputs, parse annotations and metadata"],
        times["build_release (validation + artefacts + write)"],
    )
    folder = next(dist.iterdir())
    parquet = sorted(folder.rglob("*.parquet"))
    reads = rounds(
        {
            "pyarrow read of every release Parquet file": lambda: [
                pq.read_table(p) for p in parquet
            ],
            "verify release against SHA256SUMS": lambda: verify(folder),
        },
        args.repeat,
    )
    times.update(reads)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"corpus: {args.docs} synthetic documents; release: {size / 1e6:.1f} MB")
    print(f"{'step':<52} {'best':>7} {'median':>7}  (s; {args.repeat} rounds)")
    for label, secs in times.items():
        print(f"{label:<52} {min(secs):7.2f} {statistics.median(secs):7.2f}")
    ratios = [b / f for b, f in zip(builds, floors, strict=True)]
    print(
        f"build / floor: best {min(builds) / min(floors):.2f}x, per round "
        + ", ".join(f"{r:.2f}x" for r in ratios)
        + f", median {statistics.median(ratios):.2f}x (target <= 3x)"
    )
    check = reads["verify release against SHA256SUMS"]
    read = reads["pyarrow read of every release Parquet file"]
    print(f"verify / pyarrow read: {min(check) / min(read):.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
