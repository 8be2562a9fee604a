"""``isf-claims diff OLD NEW``: what changed between two releases, record by record.

Each side is a release folder (verified against its SHA256SUMS) or a git ref (its corpus
exported and turned into release tables in memory), or ``WORKTREE`` (the working tree).
Records are compared per document and layer by their ids: ``added``, ``removed`` and
``changed`` (any field differs). Canonical entities, clusters and cluster members are
compared the same way, and so are documents' own fields (metadata, text) and splits. The
bump the change needs follows Croissant's meaning: MAJOR when a record is edited or removed
or a document changes split, MINOR for additions only, PATCH for the same data.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from isf_claims.corpus import load_corpus
from isf_claims.release import checksums, gitref
from isf_claims.release.build import REPORT_FILE
from isf_claims.release.metadata import DATASET_FILE, read_meta_file
from isf_claims.release.tables import NESTED_LAYERS, release_tables
from isf_claims.repo import Repo

WORKTREE = "WORKTREE"
CHANGES = ("added", "removed", "changed")
BUMPS = ("patch", "minor", "major")


@dataclass
class Snapshot:
    """The records of one release: documents (nested layers, with ``split``), entities and
    clusters."""

    label: str
    version: str | None
    documents: pl.DataFrame
    entities: pl.DataFrame
    clusters: pl.DataFrame


def _from_folder(folder: Path) -> Snapshot:
    checksums.verify(folder)
    docs = [
        pl.from_arrow(pq.read_table(p)).with_columns(pl.lit(p.stem).alias("split"))
        for p in sorted((folder / "data" / "documents").glob("*.parquet"))
    ]
    report = json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))
    return Snapshot(
        label=str(folder),
        version=report.get("version"),
        documents=pl.concat(docs, how="diagonal_relaxed"),
        entities=_read_shared(folder, "entities"),
        clusters=_read_shared(folder, "clusters"),
    )


def _read_shared(folder: Path, table: str) -> pl.DataFrame:
    files = sorted((folder / "data" / table).glob("*.parquet"))
    if not files:
        return pl.DataFrame({"id": []}, schema={"id": pl.String})
    return pl.concat([pl.from_arrow(pq.read_table(p)) for p in files], how="diagonal_relaxed")


def _from_corpus(root: Path, label: str) -> Snapshot:
    repo = Repo(root)
    meta_path = root / DATASET_FILE
    version = read_meta_file(meta_path).version if meta_path.is_file() else None
    if label == WORKTREE:  # a committed corpus validated when it was committed
        from isf_claims.guard import valid_corpus

        corpus = valid_corpus(repo, "diff-invalid-corpus", "a diff compares valid corpora")
    else:
        corpus = load_corpus(repo)
    rt = release_tables(corpus)
    docs = pl.from_arrow(rt.tables["documents"]).join(
        pl.from_arrow(rt.splits), on="doc_id", how="left"
    )
    return Snapshot(
        label=label,
        version=version,
        documents=docs,
        entities=pl.from_arrow(rt.tables["entities"]),
        clusters=pl.from_arrow(rt.tables["clusters"]),
    )


def snapshot(repo: Repo, source: str) -> Snapshot:
    """The records of ``source``: a release folder, a git ref, or ``WORKTREE``."""
    if source == WORKTREE:
        return _from_corpus(repo.root, WORKTREE)
    path = Path(source)
    if path.is_dir() and (path / checksums.SUMS_FILE).is_file():
        return _from_folder(path)
    with tempfile.TemporaryDirectory(prefix="isf-claims-ref-") as tmp:
        gitref.export_ref(repo.root, source, Path(tmp))
        return _from_corpus(Path(tmp), source)


def _encoded(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """``keys`` plus one canonical JSON string of all other fields, per row."""
    rest = sorted(c for c in frame.columns if c not in keys)
    if not rest:
        return frame.select(*keys, pl.lit("").alias("_record"))
    return frame.select(*keys, pl.struct(rest).struct.json_encode().alias("_record"))


def _compare(old: pl.DataFrame, new: pl.DataFrame, keys: list[str]) -> dict[str, pl.DataFrame]:
    """Rows (``keys``) added, removed and changed from ``old`` to ``new``."""
    o, n = _encoded(old, keys), _encoded(new, keys)
    joined = o.join(n, on=keys, how="full", coalesce=True, suffix="_new")
    return {
        "added": joined.filter(pl.col("_record").is_null()).select(keys),
        "removed": joined.filter(pl.col("_record_new").is_null()).select(keys),
        "changed": joined.filter(
            pl.col("_record").is_not_null()
            & pl.col("_record_new").is_not_null()
            & (pl.col("_record") != pl.col("_record_new"))
        ).select(keys),
    }


def _layer(docs: pl.DataFrame, layer: str) -> pl.DataFrame:
    if layer not in docs.columns:
        return pl.DataFrame(schema={"doc_id": pl.String, "id": pl.String})
    return docs.select("doc_id", layer).explode(layer).drop_nulls(layer).unnest(layer)


def _members(clusters: pl.DataFrame) -> pl.DataFrame:
    if "members" not in clusters.columns:
        return pl.DataFrame(
            schema={"cluster_id": pl.String, "doc_id": pl.String, "claim": pl.String}
        )
    flat = clusters.select(pl.col("id").alias("cluster_id"), "members").explode("members")
    return flat.drop_nulls("members").unnest("members")


@dataclass
class DiffResult:
    """What changed between two snapshots, and the bump that needs."""

    old: dict[str, Any]
    new: dict[str, Any]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    bump: str = "patch"
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "bump": self.bump,
            "reasons": self.reasons,
            "summary": self.summary,
            "documents": self.documents,
            "shared": self.shared,
        }

    def render(self) -> str:
        """Plain text: the bump, the summary, then every document and shared record."""
        lines = [
            f"old: {self.old['label']} (version {self.old['version']})",
            f"new: {self.new['label']} (version {self.new['version']})",
            f"bump needed: {self.bump.upper()}"
            + (f" ({'; '.join(self.reasons)})" if self.reasons else " (same data)"),
            "",
        ]
        for layer, counts in self.summary.items():
            if any(counts.values()):
                lines.append(f"{layer}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
        for doc_id, info in self.documents.items():
            lines.append(f"document {doc_id}: {info['status']}")
            if info.get("split"):
                lines.append(f"  split: {info['split']['old']} -> {info['split']['new']}")
            for layer, changes in info.get("layers", {}).items():
                for kind, ids in changes.items():
                    if ids:
                        lines.append(f"  {layer} {kind}: {', '.join(ids)}")
        for table, changes in self.shared.items():
            for kind, ids in changes.items():
                if ids:
                    lines.append(f"{table} {kind}: {', '.join(ids)}")
        return "\n".join(lines) + "\n"


def diff(old: Snapshot, new: Snapshot) -> DiffResult:
    """Compare two snapshots."""
    result = DiffResult(
        old={"label": old.label, "version": old.version},
        new={"label": new.label, "version": new.version},
    )
    fields = [c for c in new.documents.columns if c not in (*NESTED_LAYERS, "split")]
    doc_fields = [c for c in old.documents.columns if c not in (*NESTED_LAYERS, "split")]
    docs = _compare(old.documents.select(doc_fields), new.documents.select(fields), ["doc_id"])
    splits = (
        old.documents.select("doc_id", "split")
        .join(new.documents.select("doc_id", "split"), on="doc_id", how="inner", suffix="_new")
        .filter(pl.col("split") != pl.col("split_new"))
    )
    per_doc: dict[str, dict[str, Any]] = {}

    def entry(doc_id: str) -> dict[str, Any]:
        return per_doc.setdefault(doc_id, {"status": "records changed", "layers": {}})

    status = {"added": "added", "removed": "removed", "changed": "document fields changed"}
    for kind, text in status.items():
        for doc_id in docs[kind]["doc_id"].to_list():
            entry(doc_id)["status"] = text
    for doc_id, was, now in splits.iter_rows():
        entry(doc_id)["split"] = {"old": was, "new": now}
    counts: dict[str, dict[str, int]] = {
        "documents": {k: docs[k].height for k in CHANGES} | {"resplit": splits.height}
    }
    for layer in NESTED_LAYERS:
        changes = _compare(
            _layer(old.documents, layer), _layer(new.documents, layer), ["doc_id", "id"]
        )
        counts[layer] = {k: v.height for k, v in changes.items()}
        for kind, frame in changes.items():
            for doc_id, ids in frame.group_by("doc_id", maintain_order=True).agg("id").iter_rows():
                entry(doc_id)["layers"].setdefault(layer, {k: [] for k in CHANGES})[kind] = ids
    shared = {
        "entities": (old.entities, new.entities, ["id"]),
        "clusters": (
            old.clusters.drop("members", strict=False),
            new.clusters.drop("members", strict=False),
            ["id"],
        ),
        "cluster_members": (
            _members(old.clusters),
            _members(new.clusters),
            ["cluster_id", "doc_id", "claim"],
        ),
    }
    for table, (o, n, keys) in shared.items():
        changes = _compare(o, n, keys)
        counts[table] = {k: v.height for k, v in changes.items()}
        result.shared[table] = {
            k: ["/".join(str(x) for x in row) for row in v.iter_rows()] for k, v in changes.items()
        }
    result.documents = dict(sorted(per_doc.items()))
    result.summary = counts
    result.bump, result.reasons = required_bump(counts)
    return result


def required_bump(counts: dict[str, dict[str, int]]) -> tuple[str, list[str]]:
    """The bump a change needs (Croissant's meaning) and why."""
    major = [
        f"{n} {t} {k}"
        for t, c in counts.items()
        for k, n in c.items()
        if n and k in ("removed", "changed", "resplit")
    ]
    if major:
        return "major", major
    minor = [f"{c['added']} {t} added" for t, c in counts.items() if c.get("added")]
    return ("minor", minor) if minor else ("patch", [])


def diff_sources(repo: Repo, old: str, new: str = WORKTREE) -> DiffResult:
    """Diff two sources given as on the command line."""
    return diff(snapshot(repo, old), snapshot(repo, new))
