"""The evaluation report: JSON-ready dict, and its text form for people."""

from __future__ import annotations

from typing import Any

SCORER = "isf-claims-evaluate"
SCORER_VERSION = "1.0.0"  # bump when a figure's definition changes
# mentions: nervaluate's four schemes (reproduced column-wise); ner: seqeval itself.
FOLLOWS = (("nervaluate", "1.2.1"), ("seqeval", "1.2.2"))


def scorer() -> dict[str, Any]:
    """Name and version of the scorer, and the library versions whose definitions it
    follows (the tests compare its figures with those libraries at these versions). Fixed
    strings, so a release's card never depends on what happens to be installed."""
    return {"name": SCORER, "version": SCORER_VERSION, "follows": dict(FOLLOWS)}


def _n(x: Any) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _ci(report: dict[str, Any], key: str) -> str:
    ci = report.get("intervals", {}).get(key)
    return f"  [{_n(ci[0])}, {_n(ci[1])}]" if ci else ""


def render_text(report: dict[str, Any]) -> str:
    """The report for people."""
    d = report["documents"]
    rel = report["release"]
    out = [
        f"{report['task']} scored against release {rel['version']}"
        + (
            f" (split {report['split']})"
            if report["split"]
            else " (documents given with --docs)"
            if report.get("selection") == "docs"
            else " (all gold documents)"
        ),
        f"documents scored: {d['scored']} ({d['without_predictions']} without any prediction, "
        f"scored as empty); predictions outside them, not scored: {d['predictions_outside']}",
    ]
    out.append("  by split: " + ", ".join(f"{k} {v}" for k, v in d.get("by_split", {}).items()))
    if d["scored"] <= 10:
        out.append("  " + ", ".join(d["ids"]))
    f = report["figures"]
    task = report["task"]
    if task == "mentions":
        for scheme, s in f.items():
            out.append(
                f"  {scheme:<9} P {_n(s['precision'])}  R {_n(s['recall'])}  F1 {_n(s['f1'])}"
                f"{_ci(report, scheme + '.f1')}  macro F1 {_n(s['macro_f1'])}"
            )
    elif task == "ner":
        for k in ("micro", "macro"):
            if k in f:
                s = f[k]
                out.append(
                    f"  {k:<9} P {_n(s['precision'])}  R {_n(s['recall'])}  F1 {_n(s['f1'])}"
                    + (_ci(report, "micro.f1") if k == "micro" else "")
                )
    elif task == "claims":
        for k in ("content_exact", "content_overlap", "cue", "source"):
            s = f[k]
            out.append(
                f"  {k:<16} P {_n(s['precision'])}  R {_n(s['recall'])}  F1 {_n(s['f1'])}"
                f"{_ci(report, k + '.f1')}"
            )
        for a, s in f["attributes"].items():
            extra = f"  macro F1 {_n(s['macro_f1'])}" if "macro_f1" in s else ""
            out.append(f"  {a:<16} accuracy {_n(s['accuracy'])}{extra}")
    else:
        for k in ("pairwise", "b3"):
            s = f[k]
            out.append(
                f"  {k:<9} P {_n(s['precision'])}  R {_n(s['recall'])}  F1 {_n(s['f1'])}"
                f"{_ci(report, k + '.f1')}"
            )
    b = report["bootstrap"]
    out.append(
        f"intervals: {int(b['level'] * 100)} % bootstrap over documents, {b['resamples']} "
        f"resamples, seed {b['seed']}"
    )
    return "\n".join(out) + "\n"
