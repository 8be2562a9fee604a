"""Commands at corpus scale: ``synth``, ``stats``, ``stats --plots``, ``render`` and ``build``,
each the wall time, CPU time and peak RSS of a separate process (median wall time of
``--repeat`` runs, largest RSS).

    .venv/bin/python benchmarks/bench_scale.py                               # 10k and 100k
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000 --render 10000
    .venv/bin/python benchmarks/bench_scale.py --sizes "" --render "" --build 10000,100000

``build`` is timed twice per size: ``isf-claims build`` (validation, then the release) and
the release alone (``build_release(..., validate=False)``), whose memory is the build's own
whatever validation takes. The release is written under ``--out`` and removed after.

Synthetic corpora (``isf-claims synth``, seed 0) are written to
benchmarks/out/scale-synth-N once (the first run times ``synth`` too) and reused. Results go
to benchmarks/out/scale-results.json and are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = str(Path(sys.executable).parent / "isf-claims")


def run(cmd: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and exit code of one
    process (stdout and stderr discarded: not a terminal, so no progress bars)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return (
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        (os.waitstatus_to_exitcode(status)),
    )


def measure(name: str, docs: int, cmd: list[str], repeat: int, clean: Path | None = None) -> dict:
    runs = []
    for _ in range(repeat):
        if clean is not None:
            shutil.rmtree(clean, ignore_errors=True)
        runs.append(run(cmd))
    result = {
        "name": name,
        "docs": docs,
        "command": " ".join(cmd).replace(str(ROOT) + "/", ""),
        "wall_s": round(statistics.median(r[0] for r in runs), 1),
        "walls_s": [round(r[0], 1) for r in runs],
        "cpu_s": round(statistics.median(r[1] for r in runs), 1),
        "rss_mb": round(max(r[2] for r in runs)),
        "exit": sorted({r[3] for r in runs}),
    }
    print(
        f"{name:14s} {docs:>7,d} docs {result['wall_s']:7.1f} s wall {result['cpu_s']:7.1f} s cpu "
        f"{result['rss_mb']:6d} MB  exit {result['exit']}",
        flush=True,
    )
    return result


def build(corpus: Path, docs: int, dist: Path, repeat: int) -> list[dict]:
    """``isf-claims build`` and the release alone (no validation) on ``corpus``."""
    code = (
        "from pathlib import Path; from isf_claims.repo import Repo; "
        "from isf_claims.release.build import build_release; "
        f"build_release(Repo(Path({str(corpus)!r})), Path({str(dist)!r}), validate=False)"
    )
    out = [
        measure("build", docs, [CLI, "build", "--root", str(corpus), "--out", str(dist)], repeat),
        measure("build, release alone", docs, [sys.executable, "-c", code], repeat, clean=dist),
    ]
    shutil.rmtree(dist, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes for stats")
    parser.add_argument("--render", default="10000", help="corpus sizes for render")
    parser.add_argument("--build", default="", help="corpus sizes for build")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    render_sizes = [int(s) for s in args.render.split(",") if s]
    build_sizes = [int(s) for s in args.build.split(",") if s]
    results = []
    for docs in sorted({*sizes, *render_sizes, *build_sizes}):
        corpus = args.out / f"scale-synth-{docs}"
        if not corpus.is_dir():
            cmd = [CLI, "synth", "--docs", str(docs), "--out", str(corpus), "--root", str(ROOT)]
            results.append(measure("synth", docs, cmd, 1))
        root = ["--root", str(corpus)]
        if docs in sizes:
            results.append(measure("stats", docs, [CLI, "stats", *root], args.repeat))
            plots = args.out / f"scale-plots-{docs}"
            cmd = [CLI, "stats", *root, "--plots", str(plots)]
            results.append(measure("stats --plots", docs, cmd, args.repeat, clean=plots))
        if docs in render_sizes:
            site = args.out / f"scale-site-{docs}"
            cmd = [CLI, "render", *root, "--out", str(site)]
            results.append(measure("render", docs, cmd, args.repeat, clean=site))
        if docs in build_sizes:
            results += build(corpus, docs, args.out / f"scale-dist-{docs}", args.repeat)
    (args.out / "scale-results.json").write_text(json.dumps(results, indent=1) + "\n")
    print("\n| command | documents | wall s | CPU s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| `{r['name']}` | {r['docs']:,} | {r['wall_s']} | {r['cpu_s']} | {r['rss_mb']} |")


if __name__ == "__main__":
    main()
