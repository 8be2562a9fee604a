"""The card's "Evaluation" section: the baselines scored at build time, with the scorer's
version, over all gold documents of the release.

The build hands over its release tables; the baselines (:mod:`isf_claims.baselines`) and the
scorer (:mod:`isf_claims.evaluate`) run on them in memory, exactly as ``isf-claims baseline``
and ``isf-claims evaluate`` would on the written release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isf_claims.evaluate import Bootstrap, evaluate
from isf_claims.evaluate.gold import from_tables, vocab_of
from isf_claims.release import splits as split_rule
from isf_claims.release.tables import ReleaseTables

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
