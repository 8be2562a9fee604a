"""The Spark engine at corpus scale: wall time and driver memory of
``isf-claims validate --engine spark`` on ``local[2]`` and on a two-worker standalone
cluster on 127.0.0.1 (one core each), against the default engine on the same corpus.

    .venv/bin/python benchmarks/bench_spark.py --docs 10000
    .venv/bin/python benchmarks/bench_spark.py --docs 100000 --repeat 1 \
        --corpus /work/wt-scale/benchmarks/out/scale-synth-100000   # an existing corpus

Each figure is a separate process. Memory is the peak of the summed RSS of the command's
process tree, sampled every 0.1 s from /proc: the Python driver and the driver JVM (with
``local[2]`` the executors run inside that JVM and their Python workers are its children,
so they count too; on the cluster, the workers' JVMs and Python workers are not the
driver's and are reported apart). Corpora are the benchmarks' synthetic ones (seed 1,
cached in benchmarks/out/). Results go to benchmarks/out/spark-<docs>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_validate import CLI, corpus  # noqa: E402

from spark_cluster import standalone_cluster  # noqa: E402


def _tree_rss(pid: int) -> float:
    """Summed RSS (MB) of ``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total / 2**20


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak process-tree RSS (MB) and exit code of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or os.environ
    )
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    return time.perf_counter() - start, peak, proc.returncode


def measure(name: str, cmd: list[str], repeat: int) -> dict[str, object]:
    runs = [run(cmd) for _ in range(repeat)]
    out = {
        "name": name,
        "command": " ".join(cmd),
        "wall_s": round(statistics.median(w for w, _, _ in runs), 2),
        "walls_s": [round(w, 2) for w, _, _ in runs],
        "driver_rss_mb": round(max(r for _, r, _ in runs)),
        "exit": sorted({c for _, _, c in runs}),
    }
    print(f"{name:34s} {out['wall_s']:8.2f} s {out['driver_rss_mb']:6d} MB  exit {out['exit']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--corpus", type=Path, help="an existing corpus (read only)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.corpus is not None:
        path, stats = args.corpus, {"path": str(args.corpus)}
    else:
        path, stats = corpus(args.out, args.docs)
    base = [CLI, "validate", "--root", str(path)]
    results: dict[str, object] = {"docs": args.docs, "corpus": stats}
    results["default"] = measure("default engine (pandera)", base, args.repeat)
    spark = [*base, "--engine", "spark", "--master"]
    results["local2"] = measure("spark local[2]", [*spark, "local[2]"], args.repeat)
    with standalone_cluster(args.out / "cluster", workers=2) as master:
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
        results["cluster"] = measure("spark cluster (2 x 1 core)", [*spark, master], args.repeat)
    for key in ("local2", "cluster"):
        ratio = results[key]["wall_s"] / results["default"]["wall_s"]  # type: ignore[index]
        results[key]["ratio_to_default"] = round(ratio, 1)  # type: ignore[index]
        print(f"{key}: {ratio:.1f}x the default engine's wall time")
    (args.out / f"spark-{args.docs}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
