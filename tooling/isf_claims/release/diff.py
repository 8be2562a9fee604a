"""``isf-claims diff OLD NEW``: what changed between two releases, record by record.

Each side is a release folder (verified against its SHA256SUMS) or a git ref (its corpus
exported and turned into release tables in memory), or ``WORKTREE`` (the working tree).
Records are compared per document and layer by their ids: ``added``, ``removed`` and
``changed`` (any field differs; each changed record lists the fields that differ with their
old and new values). Canonical entities, clusters and cluster members are
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
from isf_claims.frames import frame_of
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
        frame_of(pq.read_table(p)).with_columns(pl.lit(p.stem).alias("split"))
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
    return pl.concat([frame_of(pq.read_table(p)) for p in files], how="diagonal_relaxed")


def _from_corpus(root: Path, label: str) -> Snapshot:
    repo = Repo(root)
    meta_path = root / DATASET_FILE
    version = read_meta_file(meta_path).version if meta_path.is_file() else None
    if label == WORKTREE:  # a committed corpus validated when it was committed
        from isf_claims.guard import valid_corpus

        corpus = valid_corpus(repo, "diff-invalid-corpus")
    else:
        corpus = load_corpus(repo)
    rt = release_tables(corpus)
    docs = frame_of(rt.tables["documents"]).join(frame_of(rt.splits), on="doc_id", how="left")
    return Snapshot(
        label=label,
        version=version,
        documents=docs,
        entities=frame_of(rt.tables["entities"]),
        clusters=frame_of(rt.tables["clusters"]),
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


FieldChanges = dict[str, dict[str, Any]]  # field -> {"old": value, "new": value}


def _field_changes(
    old: pl.DataFrame, new: pl.DataFrame, keys: list[str], changed: pl.DataFrame
) -> dict[tuple[Any, ...], FieldChanges]:
    """For each ``changed`` row (``keys``): the fields whose values differ, old and new.
    Each field is compared as canonical JSON, column by column over the changed rows."""
    if changed.is_empty():
        return {}
    fields = sorted((set(old.columns) | set(new.columns)) - set(keys))

    def encoded(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        rows = changed.join(frame, on=keys, how="left")
        return rows.select(
            *keys,
            *(
                pl.struct(pl.col(f)).struct.json_encode().alias(f + suffix)
                if f in frame.columns
                else pl.lit(None, pl.String).alias(f + suffix)
                for f in fields
            ),
        )

    both = encoded(old, "\x00old").join(encoded(new, "\x00new"), on=keys, how="left")
    out: dict[tuple[Any, ...], FieldChanges] = {}
    for f in fields:
        was, now = f + "\x00old", f + "\x00new"
        differ = both.filter(pl.col(was).ne_missing(pl.col(now))).select(*keys, was, now)
        for row in differ.iter_rows():
            key, a, b = row[: len(keys)], row[-2], row[-1]
            out.setdefault(tuple(key), {})[f] = {
                "old": json.loads(a)[f] if a is not None else None,
                "new": json.loads(b)[f] if b is not None else None,
            }
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _show(value: Any, width: int = 60) -> str:
    """A value for the text report: JSON, long values shortened in the middle."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width // 2 - 2] + " … " + text[-width // 2 + 2 :]


def _field_lines(indent: str, fields: FieldChanges) -> list[str]:
    return [f"{indent}{name}: {_show(v['old'])} -> {_show(v['new'])}" for name, v in fields.items()]


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
    shared_fields: dict[str, dict[str, FieldChanges]] = field(default_factory=dict)
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
            "shared_changed_fields": self.shared_fields,
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
            lines += _field_lines("  ", info.get("fields", {}))
            for layer, changes in info.get("layers", {}).items():
                for kind, ids in changes.items():
                    if ids:
                        lines.append(f"  {layer} {kind}: {', '.join(ids)}")
                for record, fields in info.get("changed_fields", {}).get(layer, {}).items():
                    lines.append(f"    {record}:")
                    lines += _field_lines("      ", fields)
        for table, changes in self.shared.items():
            for kind, ids in changes.items():
                if ids:
                    lines.append(f"{table} {kind}: {', '.join(ids)}")
            for record, fields in self.shared_fields.get(table, {}).items():
                lines.append(f"  {record}:")
                lines += _field_lines("    ", fields)
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
    doc_changes = _field_changes(
        old.documents.select(doc_fields), new.documents.select(fields), ["doc_id"], docs["changed"]
    )
    for (doc_id,), changed_fields in doc_changes.items():
        entry(doc_id)["fields"] = changed_fields
    for doc_id, was, now in splits.iter_rows():
        entry(doc_id)["split"] = {"old": was, "new": now}
    counts: dict[str, dict[str, int]] = {
        "documents": {k: docs[k].height for k in CHANGES} | {"resplit": splits.height}
    }
    for layer in NESTED_LAYERS:
        was, now = _layer(old.documents, layer), _layer(new.documents, layer)
        changes = _compare(was, now, ["doc_id", "id"])
        counts[layer] = {k: v.height for k, v in changes.items()}
        for kind, frame in changes.items():
            for doc_id, ids in frame.group_by("doc_id", maintain_order=True).agg("id").iter_rows():
                entry(doc_id)["layers"].setdefault(layer, {k: [] for k in CHANGES})[kind] = ids
        for (doc_id, rid), changed_fields in _field_changes(
            was, now, ["doc_id", "id"], changes["changed"]
        ).items():
            entry(doc_id).setdefault("changed_fields", {}).setdefault(layer, {})[rid] = (
                changed_fields
            )
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
        result.shared_fields[table] = {
            "/".join(str(x) for x in key): changed_fields
            for key, changed_fields in _field_changes(o, n, keys, changes["changed"]).items()
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
