"""Validation at corpus scale, in one run: the floor (read and parse everything), full
validation with the pandera engine, the frictionless engine, linearity in the number of
documents (up to the large size, with its own floor), and the pre-commit path. Every
figure is the wall time and peak RSS of a separate process (median wall time of
``--repeat`` runs, largest RSS; ``--repeat-large`` runs at the large size).

    .venv/bin/python benchmarks/bench_validate.py            # 10,000 documents
    .venv/bin/python benchmarks/bench_validate.py --frictionless-docs 10000 \
        --large 100000 --corpus 100000=/path/to/scale-synth-100000

Synthetic corpora (``isf-claims synth``, seed 1) are written to benchmarks/out/ once and
reused; ``--corpus N=PATH`` uses an existing corpus of N documents instead (only read).
Results go to benchmarks/out/results.json (with the load average before and after).
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
ROOT = HERE.parent
BIN = Path(sys.executable).parent
CLI = str(BIN / "isf-claims")


CPU: dict[str, list[float]] = {}  # command -> CPU seconds (user + system) of each run


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one process (its CPU seconds go to
    ``CPU``: on a loaded machine they vary less than wall time)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    CPU.setdefault(" ".join(cmd), []).append(round(usage.ru_utime + usage.ru_stime, 2))
    return wall, usage.ru_maxrss / 1024, proc.returncode


def summary(name: str, cmd: list[str], runs: list[tuple[float, float, int]]) -> dict[str, object]:
    """Median wall time, every wall time, largest peak RSS and the exit codes of ``runs``."""
    codes = sorted({code for _, _, code in runs})
    result = {
        "name": name,
        "command": " ".join(cmd),
        "wall_s": round(statistics.median(w for w, _, _ in runs), 2),
        "walls_s": [round(w, 2) for w, _, _ in runs],
        "rss_mb": round(max(r for _, r, _ in runs)),
        "cpu_s": CPU.get(" ".join(cmd), [])[-len(runs) :],
        "exit": codes,
    }
    print(
        f"{name:38s} {result['wall_s']:7.2f} s {result['rss_mb']:6d} MB  exit {codes}",
        flush=True,
    )
    return result


def measure(name: str, cmd: list[str], repeat: int) -> dict[str, object]:
    return summary(name, cmd, [run(cmd) for _ in range(repeat)])


def measure_rounds(named: list[tuple[str, list[str]]], repeat: int) -> list[dict[str, object]]:
    """Like :func:`measure` for several commands, run in rounds (each command once per
    round): the shared machine's speed drifts over minutes, and commands whose figures are
    compared should see the same machine."""
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _ in named}
    for _ in range(repeat):
        for name, cmd in named:
            runs[name].append(run(cmd))
    return [summary(name, cmd, runs[name]) for name, cmd in named]


def fit(points: list[tuple[int, float]]) -> dict[str, float]:
    """Least-squares line through (documents, seconds): start-up, seconds per 1,000
    documents, R², and the largest deviation of a point from the line."""
    n = len(points)
    if n < 2:
        return {}
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    start = my - slope * mx
    ss = sum((y - my) ** 2 for _, y in points) or 1e-12
    res = [y - (start + slope * x) for x, y in points]
    return {
        "startup_s": round(start, 2),
        "s_per_1000_docs": round(slope * 1000, 3),
        "r2": round(1 - sum(r * r for r in res) / ss, 4),
        "max_deviation_s": round(max(abs(r) for r in res), 2),
    }


GIVEN: dict[int, Path] = {}  # --corpus N=PATH


def corpus(out: Path, docs: int) -> tuple[Path, dict[str, int]]:
    if docs in GIVEN:
        stats = GIVEN[docs].with_name(GIVEN[docs].name + ".json")  # as synth's output
        return GIVEN[docs], json.loads(stats.read_text()) if stats.is_file() else {"docs": docs}
    path = out / f"validate-synth-{docs}"
    stats_file = out / f"validate-synth-{docs}.json"
    if not stats_file.is_file():
        done = subprocess.run(
            [
                CLI,
                "synth",
                "--docs",
                str(docs),
                "--seed",
                "1",
                "--out",
                str(path),
                "--root",
                str(ROOT),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        stats_file.write_text(done.stdout)
    return path, json.loads(stats_file.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--sizes", default="1000,2500,5000,10000", help="linearity sizes")
    parser.add_argument(
        "--frictionless-docs",
        default="1000,10000",
        help="sizes the (slow) frictionless engine runs on",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large", type=int, default=0, help="large size (its own floor)")
    parser.add_argument("--repeat-large", type=int, default=1)
    parser.add_argument("--corpus", action="append", default=[], help="N=PATH (read only)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for item in args.corpus:
        n, _, path = item.partition("=")
        GIVEN[int(n)] = Path(path).resolve()
    python = sys.executable
    results: dict[str, object] = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }

    big, stats = corpus(args.out, args.docs)
    results["corpus"] = stats
    print(f"corpus: {stats}", flush=True)
    rows = measure_rounds(
        [
            ("floor (pyarrow read_json)", [python, str(HERE / "floor.py"), str(big)]),
            (
                "floor (polars read_ndjson)",
                [python, str(HERE / "floor.py"), str(big), "--reader", "polars"],
            ),
            (f"validate pandera, {args.docs} docs", [CLI, "validate", "--root", str(big)]),
        ],
        args.repeat,
    )
    per_round = [
        round(v / min(a, b), 2)
        for a, b, v in zip(rows[0]["walls_s"], rows[1]["walls_s"], rows[2]["walls_s"], strict=True)
    ]
    print(f"validation / floor per round: {per_round}", flush=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    linear = []
    for n in sizes:
        path, st = corpus(args.out, n)
        if n == args.docs:
            linear.append({"docs": n, "mentions": st.get("mentions"), **rows[2]})
            continue
        row = measure(
            f"validate pandera, {n} docs", [CLI, "validate", "--root", str(path)], args.repeat
        )
        linear.append({"docs": n, "mentions": st.get("mentions"), **row})
    large = {}
    if args.large:
        path, st = corpus(args.out, args.large)
        big_rows = measure_rounds(
            [
                (
                    f"floor (pyarrow read_json), {args.large} docs",
                    [python, str(HERE / "floor.py"), str(path)],
                ),
                (f"validate pandera, {args.large} docs", [CLI, "validate", "--root", str(path)]),
            ],
            args.repeat_large,
        )
        rows += big_rows
        linear.append({"docs": args.large, "mentions": st.get("mentions"), **big_rows[1]})
        large = {
            "docs": args.large,
            "validation_over_floor": round(big_rows[1]["wall_s"] / big_rows[0]["wall_s"], 2),
            "peak_rss_mb": big_rows[1]["rss_mb"],
            "floor_rss_mb": big_rows[0]["rss_mb"],
        }
    versus = []
    for n in [int(x) for x in args.frictionless_docs.split(",") if x]:
        path, st = corpus(args.out, n)
        cmd = [CLI, "validate", "--engine", "frictionless", "--root", str(path)]
        slow = measure(f"validate frictionless, {n} docs", cmd, 1)
        rows.append(slow)
        fast = next((r for r in linear if r["docs"] == n), None) or measure(
            f"validate pandera, {n} docs", [CLI, "validate", "--root", str(path)], args.repeat
        )
        versus.append(
            {
                "docs": n,
                "mentions": st["mentions"],
                "frictionless_s": slow["wall_s"],
                "frictionless_rss_mb": slow["rss_mb"],
                "pandera_s": fast["wall_s"],
                "speedup": round(slow["wall_s"] / fast["wall_s"], 1),
            }
        )
    doc = sorted(p.stem for p in (big / "annotated").glob("synth-*.jsonl"))[args.docs // 2]
    hook = measure(
        "pre-commit path, 1 file (process)",
        [CLI, "validate", "--root", str(big), str(big / "annotated" / f"{doc}.jsonl")],
        args.repeat,
    )
    rows.append(hook)
    inproc = subprocess.run(
        [python, str(HERE / "precommit_inprocess.py"), str(big), doc],
        check=True,
        capture_output=True,
        text=True,
    )
    results["precommit_in_process"] = json.loads(inproc.stdout)
    print(f"pre-commit path in process (after imports): {results['precommit_in_process']}")

    floor = min(rows[0]["wall_s"], rows[1]["wall_s"])
    full = rows[2]
    results.update(
        measurements=rows,
        linearity=linear,
        frictionless_vs_pandera=versus,
        targets={
            "validation_over_floor": round(full["wall_s"] / floor, 2),
            "validation_over_floor_per_round": per_round,
            "peak_rss_mb": full["rss_mb"],
            "linear_fit": fit([(r["docs"], r["wall_s"]) for r in linear]),
            "precommit_process_s": hook["wall_s"],
            "large": large,
        },
        load_after=[round(x, 2) for x in os.getloadavg()],
    )
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["targets"], indent=2))
    print(json.dumps(results["frictionless_vs_pandera"], indent=2))


if __name__ == "__main__":
    main()
