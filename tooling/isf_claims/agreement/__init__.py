"""Inter-annotator agreement between two annotation sets of the same documents.

:func:`compare` takes two loaded corpora; :func:`agreement_report` takes two folders of
annotation files (read with the repository's raw texts and schema) and is what the release
card builder calls whenever two annotation sets exist. The report is a JSON-ready dict;
:func:`render_text` prints it for people. Definitions are in the submodules' docstrings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isf_claims.agreement.claims import claim_agreement
from isf_claims.agreement.clusters import cluster_agreement
from isf_claims.agreement.loading import load_annotation_set
from isf_claims.agreement.mentions import mention_f1, token_agreement
from isf_claims.corpus import Corpus
from isf_claims.errors import refuse
from isf_claims.repo import Repo

__all__ = ["agreement_report", "compare", "render_text"]


def compare(a: Corpus, b: Corpus) -> dict[str, Any]:
    """Agreement of ``b`` with ``a`` over the documents both annotate."""
    if a.schema.version != b.schema.version:
        raise refuse(
            "agreement-schema-mismatch",
            expected="one schema version",
            found=f"{a.schema.version} and {b.schema.version}",
        )
    docs = sorted(set(a.doc_ids) & set(b.doc_ids))
    if not docs:
        raise refuse(
            "agreement-no-common-documents",
            expected="annotation files of the same documents",
            found=f"{len(a.doc_ids)} and {len(b.doc_ids)} documents, none in common",
        )
    claims, matches = claim_agreement(a, b, docs)
    return {
        "schema_version": a.schema.version,
        "documents": docs,
        "only_in_a": sorted(set(a.doc_ids) - set(b.doc_ids)),
        "only_in_b": sorted(set(b.doc_ids) - set(a.doc_ids)),
        "mentions": mention_f1(a, b, docs, a.schema.values("entity_label")),
        "tokens": token_agreement(a, b, docs),
        "claims": claims,
        "clusters": cluster_agreement(a, b, docs, matches),
    }


def agreement_report(repo: Repo, a: Path, b: Path, a_validated: bool = False) -> dict[str, Any]:
    """Agreement between the annotation files in folders ``a`` and ``b`` (each holding
    ``<doc_id>.jsonl`` files and optionally ``entities.jsonl``/``clusters.jsonl``), read
    against ``repo``'s raw texts and schema versions. Raises :class:`IsfError` when a set
    cannot be loaded, does not validate (``a_validated``: ``a`` was just validated by the
    caller) or the sets share no document."""
    sets = load_annotation_set(repo, a, check=not a_validated), load_annotation_set(repo, b)
    report = compare(*sets)
    return {"a": repo.rel(a), "b": repo.rel(b), **report}


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _prf_line(name: str, s: dict[str, Any]) -> str:
    return (
        f"  {name:<22} P {_num(s['precision'])}  R {_num(s['recall'])}  F1 {_num(s['f1'])}"
        f"  (A {s['a']}, B {s['b']}, matched {s['matched']})"
    )


def render_text(report: dict[str, Any]) -> str:
    """The report for people."""
    out = [f"agreement of {report.get('b', 'B')} with {report.get('a', 'A')}"]
    out.append(f"documents: {len(report['documents'])} shared")
    for side in ("only_in_a", "only_in_b"):
        if report[side]:
            out.append(f"  {side.replace('_', ' ')}: {', '.join(report[side])}")
    m = report["mentions"]
    out.append("mentions")
    out.append(_prf_line("all, exact", m["all"]["exact"]))
    out.append(_prf_line("all, overlap", m["all"]["overlap"]))
    for label, s in m["per_label"].items():
        out.append(_prf_line(f"{label}, exact", s["exact"]))
        out.append(_prf_line(f"{label}, overlap", s["overlap"]))
    t = report["tokens"]
    out.append(
        f"tokens: {t['tokens']}  observed {_num(t['observed'])}  Cohen's kappa "
        f"{_num(t['cohen_kappa'])}  Krippendorff's alpha {_num(t['krippendorff_alpha'])}"
    )
    c = report["claims"]
    out.append("claims")
    out.append(_prf_line("content, exact", c["content_exact"]))
    out.append(_prf_line("content, overlap", c["content_overlap"]))
    for role, v in c["spans"].items():
        out.append(f"  same {role} span (matched claims): {_num(v)}")
    for name, v in c["attributes"].items():
        out.append(f"  {name}: observed {_num(v['observed'])}  kappa {_num(v['cohen_kappa'])}")
    k = report["clusters"]
    out.append(f"clusters: A {k['clusters']['a']}, B {k['clusters']['b']}")
    out.append(_prf_line("claim pairs", k["pairs"]))
    return "\n".join(out) + "\n"
