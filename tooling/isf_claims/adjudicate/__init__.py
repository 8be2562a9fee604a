"""Adjudication: two annotation sets of the same documents into one gold set.

``adjudicate(repo, a, b, out)`` validates both sets (refusing either with its findings),
aligns them (:mod:`.align`) and writes into ``out``:

- ``merged/``: annotation files holding only the records both sets have identically;
- ``decisions.jsonl``: one line per disagreement (:mod:`.decisions`) with both versions, a
  stable id and ``"decision": null`` for the curator to set to ``a``, ``b``, ``both`` or
  ``neither``; a choice already taken in an earlier ``decisions.jsonl`` there is kept when
  its disagreement is still the same;
- ``adjudication.json``: where the two sets are and a digest of their files.

``apply_decisions(repo, decisions)`` reads the sets again (refusing if they changed since),
builds the gold set (:mod:`.gold`) and writes it (default ``<out>/gold/``) only when every
disagreement is decided and the gold set validates; otherwise nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isf_claims import annotations as fmt
from isf_claims.adjudicate.align import Alignment, align
from isf_claims.adjudicate.decisions import CHOICES, Decision, disagreements
from isf_claims.adjudicate.gold import build
from isf_claims.adjudicate.staged import require_valid_files
from isf_claims.agreement.loading import FolderRepo, load_annotation_set
from isf_claims.convert.base import read_jsonl
from isf_claims.convert.model import Interchange, from_corpus, to_files
from isf_claims.errors import IsfError, refuse
from isf_claims.fsutil import atomic_write_many
from isf_claims.repo import ANNOTATION_SUFFIX, CLUSTERS_FILE, ENTITIES_FILE, Repo

META = "adjudication.json"
DECISIONS = "decisions.jsonl"
MERGED = "merged"
GOLD = "gold"


@dataclass
class Summary:
    """What a run did."""

    documents: int
    decisions: int
    pending: int
    kept: int = 0
    reopened: int = 0
    obsolete: int = 0
    written: list[Path] = field(default_factory=list)


@dataclass
class LoadedSet:
    folder: Path
    inter: Interchange
    digest: str
    has_entities: bool
    has_clusters: bool


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(f"{name}\0{hashlib.sha256(files[name]).hexdigest()}\n".encode())
    return h.hexdigest()


def _set_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob(f"*{ANNOTATION_SUFFIX}"))}


def load_set(repo: Repo, folder: Path) -> LoadedSet:
    """A validated annotation set (refused with its findings when it does not validate)."""
    corpus = load_annotation_set(repo, folder)  # checks it first: annotation-set-invalid
    files = _set_files(folder)
    if not any(n not in (ENTITIES_FILE, CLUSTERS_FILE) for n in files):
        raise refuse(
            "annotation-set-empty",
            path=repo.rel(folder),
            expected="<doc_id>.jsonl annotation files",
            found="none",
        )
    return LoadedSet(
        folder, from_corpus(corpus), _digest(files), ENTITIES_FILE in files, CLUSTERS_FILE in files
    )


def _pair(repo: Repo, a: LoadedSet, b: LoadedSet) -> tuple[Alignment, bool, bool]:
    ia, ib = a.inter, b.inter
    if ia.schema.version != ib.schema.version:
        raise refuse(
            "adjudication-schema-mismatch",
            expected="one schema version",
            found=f"{ia.schema.version} and {ib.schema.version}",
        )
    da, db = {d.doc_id for d in ia.documents}, {d.doc_id for d in ib.documents}
    if da != db:
        raise refuse(
            "adjudication-documents-differ",
            path=repo.rel(b.folder),
            expected=f"the documents of {repo.rel(a.folder)}",
            found="only in A: "
            + (", ".join(sorted(da - db)) or "none")
            + "; only in B: "
            + (", ".join(sorted(db - da)) or "none"),
        )
    # a set without entities.jsonl or clusters.jsonl has none (it validated, so nothing in
    # it points at one); the gold set carries each file when either set does
    return align(ia, ib), a.has_entities or b.has_entities, a.has_clusters or b.has_clusters


def _shown(repo: Repo, path: Path) -> str:
    return repo.rel(path.resolve())


def read_decisions(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line, record) of every decision in ``path``; refuses lines that are not decisions."""
    out = []
    for lineno, rec in enumerate(read_jsonl(path), start=1):
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
            raise refuse(
                "adjudication-decisions-invalid",
                path=f"{path}:{lineno}",
                expected='an object with "id" and "decision" as written by `adjudicate`',
                found=json.dumps(rec, ensure_ascii=False)[:120],
            )
        choice = rec.get("decision")
        if choice is not None and choice not in CHOICES:
            raise refuse(
                "adjudication-decision-invalid",
                path=f"{path}:{lineno}",
                record=rec["id"],
                expected="a, b, both, neither (or null while undecided)",
                found=repr(choice),
                note="unknown decision",
            )
        out.append((lineno, rec))
    return out


def _carry_over(decs: list[Decision], previous: list[dict[str, Any]], summary: Summary) -> None:
    old = {r["id"]: r for r in previous}
    for d in decs:
        prev = old.pop(d.id, None)
        if prev is None or prev.get("decision") is None:
            continue
        if prev.get("a") == d.a and prev.get("b") == d.b:
            d.decision, d.note = prev["decision"], prev.get("note")
            summary.kept += 1
        else:
            summary.reopened += 1
    summary.obsolete = sum(1 for r in old.values() if r.get("decision") is not None)


def _decisions_bytes(decs: list[Decision]) -> bytes:
    return fmt.to_bytes([fmt.dumps(d.to_dict()) for d in decs])


def adjudicate(repo: Repo, a: Path, b: Path, out: Path) -> Summary:
    """Write the agreed set, the decisions file and the run's metadata into ``out``."""
    sa, sb = load_set(repo, a), load_set(repo, b)
    al, entities, clusters = _pair(repo, sa, sb)
    decs = disagreements(al)
    summary = Summary(len(al.doc_ids), len(decs), 0)
    dec_path = out / DECISIONS
    if dec_path.is_file():
        _carry_over(decs, [r for _, r in read_decisions(dec_path)], summary)
    summary.pending = sum(1 for d in decs if d.decision is None)
    merged = build(al, decs, agreed_only=True, entities=entities, clusters=clusters)
    files = to_files(FolderRepo(repo.root, (out / MERGED).resolve()), merged)
    files[dec_path] = _decisions_bytes(decs)
    meta = {
        "a": _shown(repo, a),
        "b": _shown(repo, b),
        "a_sha256": sa.digest,
        "b_sha256": sb.digest,
        "schema_version": al.schema.version,
        "documents": al.doc_ids,
    }
    files[out / META] = (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    atomic_write_many(sorted(files.items()))
    summary.written = sorted(files)
    return summary


def _set_path(repo: Repo, shown: str) -> Path:
    p = Path(shown)
    return p if p.is_absolute() else repo.root / p


def _stale(path: Path, found: str) -> IsfError:
    return refuse(
        "adjudication-stale",
        path=str(path),
        expected="the sets as they were when `isf-claims adjudicate` wrote the decisions",
        found=found,
    )


def apply_decisions(repo: Repo, decisions: Path, out: Path | None = None) -> Summary:
    """Write the gold set the decisions in ``decisions`` make; refuses (writing nothing)
    undecided or invalid decisions, changed sets, and a gold set that does not validate."""
    if not decisions.is_file():
        raise refuse("file-not-found", path=str(decisions), what="decisions file")
    meta_path = decisions.parent / META
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise refuse(
            "adjudication-meta-missing",
            path=str(meta_path),
            expected=f"the {META} `isf-claims adjudicate` wrote",
            found="missing or not JSON",
            meta=META,
            error=exc,
        ) from exc
    given = read_decisions(decisions)
    sa = load_set(repo, _set_path(repo, meta["a"]))
    sb = load_set(repo, _set_path(repo, meta["b"]))
    if (sa.digest, sb.digest) != (meta.get("a_sha256"), meta.get("b_sha256")):
        changed = [
            n for n, s in (("A", sa), ("B", sb)) if s.digest != meta.get(f"{n.lower()}_sha256")
        ]
        raise _stale(decisions, f"set {' and '.join(changed)} changed since")
    al, entities, clusters = _pair(repo, sa, sb)
    decs = disagreements(al)
    by_id = {d.id: d for d in decs}
    for lineno, rec in given:
        d = by_id.get(rec["id"])
        if d is None:
            raise _stale(decisions, f"line {lineno}: decision {rec['id']} is not a disagreement")
        d.decision = rec.get("decision")
    missing = [d.id for d in decs if d.id not in {r["id"] for _, r in given}]
    if missing:
        raise _stale(
            decisions, f"{len(missing)} disagreements have no line: {', '.join(missing[:5])}"
        )
    pending = [d for d in decs if d.decision is None]
    if pending:
        raise refuse(
            "adjudication-pending",
            path=str(decisions),
            record=pending[0].id,
            expected="every decision set to a, b, both or neither",
            found=", ".join(d.id for d in pending[:10]),
            n=len(pending),
            total=len(decs),
        )
    gold_dir = (out or decisions.parent / GOLD).resolve()
    gold = build(al, decs, agreed_only=False, entities=entities, clusters=clusters)
    files = to_files(FolderRepo(repo.root, gold_dir), gold)
    named = {p.name: b for p, b in files.items()}
    require_valid_files(repo, gold_dir, named, "adjudication-gold-invalid")
    atomic_write_many(sorted(files.items()))
    return Summary(len(al.doc_ids), len(decs), 0, written=sorted(files))


__all__ = ["DECISIONS", "GOLD", "MERGED", "META", "Summary", "adjudicate", "apply_decisions"]
