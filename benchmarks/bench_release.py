"""Release build time and release verification time (figures only here, never in unit tests).

    .venv/bin/python benchmarks/bench_release.py [--docs 10000] [--repeat 3]

Makes a synthetic corpus with ``isf_claims.synth`` (cached under benchmarks/out/), then times,
best of ``--repeat`` runs with a warm page cache:

- the floor: reading every input file and parsing the annotation JSON with pyarrow (the least
  any build must do), and ``load_corpus`` (the same plus the typed tables);
- the build: validation (pandera engine, which hands the corpus model it parsed to the
  build), every artefact in memory from that corpus, and the whole ``build_release``
  (validation + artefacts + writing the folder);
- verification (``checksums.verify``: sha256 of every release file) against reading every
  Parquet file of the release with pyarrow.

Targets (issue 4): build within 3x the floor; verification within 1.5x the pyarrow read.
"""

from __future__ import annotations

import argparse
import io
import shutil
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


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def corpus(docs: int) -> Repo:
    dest = OUT / f"synth-{docs}"
    if not (dest / "annotated").is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        synth_corpus(Repo(ROOT), dest, docs)
    for name in ("dataset.json", "DATACARD.md"):
        shutil.copy2(ROOT / name, dest / name)
    return Repo(dest)


def read_and_parse(repo: Repo) -> None:
    """The floor: every input file's bytes, and the annotation JSON parsed by pyarrow."""
    for p in repo.raw_dir.iterdir():
        p.read_bytes()
    data = b"".join(p.read_bytes() for p in sorted(repo.annotated_dir.glob("*.jsonl")))
    pj.read_json(io.BytesIO(data))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    repo = corpus(args.docs)
    n = args.repeat
    rows: list[tuple[str, float]] = []
    floor = best(lambda: read_and_parse(repo), n)
    rows.append(("floor: read inputs + pyarrow JSON parse", floor))
    load = best(lambda: load_corpus(repo), n)
    rows.append(("load_corpus (typed tables)", load))
    rows.append(("validation keeping its corpus (check_valid)", best(lambda: check_valid(repo), n)))
    validated = check_valid(repo)[1]
    artefacts = best(lambda: release_files(repo, {}, validated), n)
    rows.append(("release artefacts in memory from that corpus", artefacts))
    dist = OUT / f"dist-{args.docs}"
    build = best(lambda: build_release(repo, dist), n)
    rows.append(("build_release (validation + artefacts + write)", build))
    folder = next(dist.iterdir())
    parquet = sorted(folder.rglob("*.parquet"))
    read = best(lambda: [pq.read_table(p) for p in parquet], n)
    rows.append(("pyarrow read of every release Parquet file", read))
    check = best(lambda: verify(folder), n)
    rows.append(("verify release against SHA256SUMS", check))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"corpus: {args.docs} synthetic documents; release: {size / 1e6:.1f} MB")
    for label, secs in rows:
        print(f"{label:<52} {secs:8.2f} s")
    print(f"build / floor: {build / floor:.2f}x (target <= 3x)")
    print(f"build / load_corpus: {build / load:.2f}x")
    print(f"artefacts / floor: {artefacts / floor:.2f}x")
    print(f"verify / pyarrow read: {check / read:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
