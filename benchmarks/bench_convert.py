"""Converter and agreement throughput (figures only here, never in unit tests).

    .venv/bin/python benchmarks/bench_convert.py

Times UTF-16 <-> code point conversion over many spans of a long text with astral
characters, tokenization cut at span edges, and export+import of the real corpus.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from isf_claims.agreement import agreement_report
from isf_claims.convert import EXPORTERS, IMPORTERS
from isf_claims.convert.base import load_interchange
from isf_claims.convert.model import to_files
from isf_claims.convert.offsets import OffsetMap
from isf_claims.convert.tokens import tokenize
from isf_claims.repo import Repo

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, fn, repeat: int = 3) -> None:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<52} {best * 1000:9.1f} ms")


def main() -> None:
    rng = np.random.default_rng(0)
    words = np.array(["Gaza", "said", "😀", "officials", "force", "𝔘𝔖", "peace"])
    text = " ".join(rng.choice(words, 200_000))
    starts = np.sort(rng.integers(0, len(text) - 10, 500_000))
    print(f"text: {len(text):,} code points; spans: {len(starts):,}")
    omap = OffsetMap.of(text)
    timed("OffsetMap.of (build)", lambda: OffsetMap.of(text))
    u16 = omap.to_utf16(starts)
    timed("code points -> UTF-16 (500k offsets)", lambda: omap.to_utf16(starts))
    timed("UTF-16 -> code points (500k offsets)", lambda: omap.to_codepoints(u16))
    edges = np.unique(starts[:100_000])
    timed("tokenize, cut at 100k edges", lambda: tokenize(text, edges))

    repo = Repo(ROOT)
    inter = load_interchange(repo)
    for fmt in ("labelstudio", "brat", "conll", "docbin"):
        timed(f"export {fmt} (real corpus)", lambda f=fmt: EXPORTERS[f](inter))
    for fmt in ("labelstudio", "brat"):
        result = EXPORTERS[fmt](inter)
        out = Path(tempfile.mkdtemp())
        for name, data in result.files.items():
            (out / name).write_bytes(data)
        timed(
            f"import {fmt} (real corpus)",
            lambda f=fmt, o=out: to_files(repo, IMPORTERS[f](repo, o)),
        )
    timed(
        "agree annotated/ annotated/",
        lambda: agreement_report(repo, repo.annotated_dir, repo.annotated_dir),
    )


if __name__ == "__main__":
    main()
