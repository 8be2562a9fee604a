"""Rehydration time against the full build's (figures only here, never in unit tests).

    .venv/bin/python benchmarks/bench_standoff.py [--docs 10000] [--repeat 3]

On the synthetic corpus of ``bench_release.py`` (``isf_claims.synth``, cached under
benchmarks/out/), builds the standoff release once, copies the raw texts into a folder of
their own (the user's copies), then times in ``--repeat`` rounds (every step once per round,
so figures of one round are comparable on a shared machine whose speed drifts), warm page
cache: the full build (``build_release``), rehydration (``rehydrate``: prove every text,
rebuild the inputs, the same build) and the standoff build. Each rehydrated release is checked
to be byte-identical to the full one.

Target (issue 12): rehydration at most 1.5x the full build's time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from pathlib import Path

from bench_release import OUT, corpus, rounds

from isf_claims.release.build import build_release
from isf_claims.release.rehydrate import rehydrate
from isf_claims.release.standoff import build_standoff


def texts_folder(raw: Path, docs: int) -> Path:
    dest = OUT / f"texts-{docs}"
    if not dest.is_dir():
        tmp = OUT / f".texts-{docs}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for p in raw.glob("*.txt"):
            shutil.copyfile(p, tmp / p.name)
        tmp.rename(dest)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    repo = corpus(args.docs)
    texts = texts_folder(repo.raw_dir, args.docs)
    dist, so_dist, rh_dist = (OUT / f"{k}-{args.docs}" for k in ("dist", "standoff", "rehydrated"))
    full = build_release(repo, dist)  # warm-up: imports, page cache
    standoff = build_standoff(repo, so_dist)
    done = rehydrate(standoff.folder, texts, rh_dist)
    assert done.identical, "the rehydrated release differs from the full one"
    times = rounds(
        {
            "full build (build_release)": lambda: build_release(repo, dist),
            "rehydrate (prove texts, rebuild inputs, build)": lambda: rehydrate(
                standoff.folder, texts, rh_dist
            ),
            "standoff build (build_standoff)": lambda: build_standoff(repo, so_dist),
        },
        args.repeat,
    )
    assert (done.folder / "SHA256SUMS").read_bytes() == (full.folder / "SHA256SUMS").read_bytes()
    builds = times["full build (build_release)"]
    hydrations = times["rehydrate (prove texts, rebuild inputs, build)"]
    size = sum(p.stat().st_size for p in standoff.folder.rglob("*") if p.is_file())
    print(f"corpus: {args.docs} synthetic documents; standoff release: {size / 1e6:.1f} MB")
    print(f"{'step':<48} {'best':>7} {'median':>7}  (s; {args.repeat} rounds)")
    for label, secs in times.items():
        print(f"{label:<48} {min(secs):7.2f} {statistics.median(secs):7.2f}")
    ratios = [r / b for r, b in zip(hydrations, builds, strict=True)]
    print(
        f"rehydrate / full build: best {min(hydrations) / min(builds):.2f}x, per round "
        + ", ".join(f"{r:.2f}x" for r in ratios)
        + f", median {statistics.median(ratios):.2f}x (target <= 1.5x)"
    )


if __name__ == "__main__":
    main()
