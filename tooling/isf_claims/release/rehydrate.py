"""``isf-claims rehydrate STANDOFF --texts SRC --out DIR``: the full release from a standoff
release and the user's own copies of the articles.

Every copy must hash to its recorded sha256 (:mod:`isf_claims.release.texts`). The repository
inputs are then rebuilt in a temporary folder (raw texts and metadata, annotation files with
every span's text cut from its proven article, entities, clusters, schema, ``dataset.json``,
``DATACARD.md``, sealed values opened) and the release is made from them by the same build
code as ``isf-claims build``, validation included. With every text proven the result is
byte-identical to the full release, checked against the ``SHA256SUMS`` the standoff release
recorded. ``allow_partial`` leaves out the documents that could not be proven and labels the
result, in its card and build report, as a partial release.
"""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from isf_claims import annotations as fmt
from isf_claims.errors import IsfError
from isf_claims.raw import META_FIELDS, meta_bytes
from isf_claims.release import checksums
from isf_claims.release.build import (
    REPORT_FILE,
    Artefacts,
    check_valid,
    finish,
    release_artefacts,
    write_folder,
)
from isf_claims.release.metadata import json_bytes
from isf_claims.release.quotes import SEAL_PREFIX, unseal
from isf_claims.release.standoff import KIT, MANIFEST, SEALED_SUFFIX, map_strings
from isf_claims.release.standoff_tables import SealPlan, standoff_table, string_leaves
from isf_claims.release.texts import Proofs, prove, render
from isf_claims.repo import Repo
from isf_claims.schema import DOCUMENT_LAYERS, Schema, load_schema

PARTIAL_SUFFIX = "-partial"
SPAN_LAYERS = {"zone": "zones", "mention": "mentions", "claim": "claims", "marker": "markers"}


@dataclass(frozen=True)
class Standoff:
    """A verified standoff release: its manifest and tables."""

    folder: Path
    manifest: dict[str, Any]
    documents: pa.Table
    entities: pa.Table
    clusters: pa.Table


@dataclass(frozen=True)
class Rehydrated:
    """What rehydration did."""

    folder: Path
    proofs: Proofs
    partial: bool
    identical: bool  # same SHA256SUMS as the full release the standoff release records

    def render(self) -> str:
        n = len(self.proofs.texts)
        total = n + len(self.proofs.unproven)
        lines = [f"proven {n} of {total} texts (sha256 of their bytes)"]
        if self.proofs.unproven:
            lines += ["left out:", render(self.proofs)]
        if self.partial:
            lines.append(
                f"wrote {self.folder}: a PARTIAL release (labelled in its card and report)"
            )
        elif self.identical:
            lines.append(
                f"wrote {self.folder}: byte-identical to the full release (SHA256SUMS match)"
            )
        else:
            lines.append(f"wrote {self.folder}: its SHA256SUMS differ from the full release's")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "partial": self.partial,
            "identical_to_full_release": self.identical,
            **self.proofs.to_dict(),
        }


def _table(folder: Path, config: str) -> pa.Table:
    parts = [pq.read_table(p) for p in sorted((folder / "data" / config).glob("*.parquet"))]
    return pa.concat_tables(parts) if parts else pa.table({})


def read_standoff(folder: Path) -> Standoff:
    """Verify ``folder`` against its SHA256SUMS and read what rehydration needs."""
    checksums.verify(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise IsfError(
            code="not-a-standoff-release",
            message="the folder is not a standoff release (it has no standoff/manifest.json)",
            path=str(folder),
            expected="a folder built by `isf-claims build --standoff`",
            found="a release without the manifest",
            fix="pass the <name>-<version>-standoff folder",
            exit_code=2,
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return Standoff(
        folder,
        manifest,
        _table(folder, "documents"),
        _table(folder, "entities"),
        _table(folder, "clusters"),
    )


def _unsealer(tables: list[pa.Table], texts: dict[str, bytes]) -> SealPlan:
    """Sealed value -> value, for every sealed value the proven texts open."""
    sealed: set[str] = set()
    for table in tables:
        for name in table.column_names:
            for leaf in string_leaves(table[name].combine_chunks(), name):
                hits = leaf.filter(pc.starts_with(leaf, SEAL_PREFIX))
                sealed.update(v for v in pc.unique(hits).to_pylist() if v is not None)
    opened = {v: unseal(v, texts) for v in sorted(sealed)}
    opened = {k: v for k, v in opened.items() if v is not None}
    return SealPlan(pa.array(list(opened), pa.string()), pa.array(list(opened.values())), {})


def _json_lines(docs: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """One canonical-content JSON line per record: (doc, rank, line), documents in order."""
    texts = docs.select(pl.int_range(pl.len()).alias("_doc"), "doc_id", "_text")
    header = [
        pl.lit("document").alias("layer")
        if f.name == "layer"
        else (pl.col("sha256") if f.name == "raw_sha256" else pl.col(f.name)).alias(f.name)
        for f in schema.layer("document").fields
    ]
    frames = [
        docs.with_row_index("_doc").select(
            pl.col("_doc").cast(pl.Int64),
            pl.lit(0).alias("_rank"),
            pl.struct(header).struct.json_encode().alias("line"),
        )
    ]
    for rank, layer in enumerate(DOCUMENT_LAYERS, start=1):
        column = SPAN_LAYERS[layer]
        recs = (
            docs.select(pl.int_range(pl.len()).alias("_doc"), column)
            .explode(column)
            .drop_nulls(column)
            .unnest(column)
            .join(texts.select("_doc", "_text"), on="_doc", how="left", maintain_order="left")
        )
        fields = []
        for f in schema.layer(layer).fields:
            if f.name == "layer":
                fields.append(pl.lit(layer).alias("layer"))
            elif f.name == "text":
                cut = pl.col("_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
                fields.append(cut.alias("text"))
            elif f.type == "span":
                s, e = pl.col(f.name).struct.field("start"), pl.col(f.name).struct.field("end")
                span = pl.struct(
                    s.alias("start"),
                    e.alias("end"),
                    pl.col("_text").str.slice(s, e - s).alias("text"),
                )
                fields.append(pl.when(pl.col(f.name).is_not_null()).then(span).alias(f.name))
            else:
                fields.append(pl.col(f.name))
        frames.append(
            recs.select(
                pl.col("_doc").cast(pl.Int64),
                pl.lit(rank).alias("_rank"),
                pl.struct(fields).struct.json_encode().alias("line"),
            )
        )
    lines = pl.concat(frames).sort("_doc", "_rank", maintain_order=True)
    return lines.group_by("_doc", maintain_order=True).agg(pl.col("line").str.join("\n"))


def _shared(schema: Schema, layer: str, table: pa.Table) -> bytes:
    return fmt.to_bytes(fmt.shared_lines(schema, layer, table.to_pylist()))


def _kit(standoff: Standoff, texts: dict[str, bytes], root: Path) -> None:
    """``dataset.json``, ``DATACARD.md`` and the schema into ``root``, sealed parts opened."""
    for rel in standoff.manifest["kit"]:
        data = (standoff.folder / rel).read_bytes()
        target = root / rel[len(KIT) + 1 :]
        if rel.endswith(SEALED_SUFFIX):
            opened = unseal(data.decode("utf-8"), texts)
            if opened is None:
                continue  # needs a text that was not proven (a partial release)
            target, data = target.with_name(target.name[: -len(SEALED_SUFFIX)]), opened.encode()
        elif rel.endswith(".json") and SEAL_PREFIX.encode() in data:
            doc = json.loads(data)
            data = json_bytes(
                map_strings(
                    doc, lambda v: (unseal(v, texts) or v) if v.startswith(SEAL_PREFIX) else v
                )
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def rebuild_repository(standoff: Standoff, texts: dict[str, bytes], root: Path) -> Repo:
    """The repository inputs of the documents in ``texts`` (all proven), under ``root``."""
    repo = Repo(root)
    _kit(standoff, texts, root)
    schema = load_schema(repo.schema_dir, standoff.manifest["schema_version"])
    docs = standoff.documents
    keep = pc.is_in(docs["doc_id"], value_set=pa.array(sorted(texts), pa.string()))
    docs = docs.filter(keep)
    plan = _unsealer([docs, standoff.entities, standoff.clusters], texts)
    docs = standoff_table("documents", docs, plan, None)
    ids = docs["doc_id"].to_pylist()
    text_col = pa.array([texts[d] for d in ids], pa.binary()).cast(pa.string())
    frame = pl.from_arrow(docs.drop_columns(["text"]).append_column("_text", text_col))
    assert isinstance(frame, pl.DataFrame)
    lines = _json_lines(frame, schema)
    repo.raw_dir.mkdir(parents=True)
    repo.annotated_dir.mkdir(parents=True)
    metas = docs.select([m for m in META_FIELDS if m in docs.column_names]).to_pylist()
    for doc_id, meta, content in zip(ids, metas, lines["line"].to_list(), strict=True):
        repo.raw_path(doc_id).write_bytes(texts[doc_id])
        repo.meta_path(doc_id).write_bytes(meta_bytes(meta))
        repo.annotation_path(doc_id).write_bytes(content.encode("utf-8") + b"\n")
    entities = standoff_table("entities", standoff.entities, plan, None)
    clusters = _kept_clusters(standoff_table("clusters", standoff.clusters, plan, None), set(ids))
    repo.entities_path.write_bytes(_shared(schema, "entity", entities))
    repo.clusters_path.write_bytes(_shared(schema, "cluster", clusters))
    return repo


def _kept_clusters(clusters: pa.Table, kept: set[str]) -> pa.Table:
    """Clusters with only the members of ``kept`` documents; clusters left empty dropped."""
    rows = clusters.to_pylist()
    out = []
    for row in rows:
        row["members"] = [m for m in row["members"] or [] if m["doc_id"] in kept]
        if row["members"]:
            out.append(row)
    return pa.Table.from_pylist(out, schema=clusters.schema)


def _build(repo: Repo) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The release files of ``repo``, exactly as ``build_release`` makes them (validation
    and the artefacts overlapped the same way), in memory."""
    pool = ThreadPoolExecutor(max_workers=1)
    started: list[Future[Artefacts]] = []
    try:
        validation, corpus = check_valid(
            repo, lambda c: started.append(pool.submit(release_artefacts, repo, c))
        )
        artefacts = started[0].result() if started else release_artefacts(repo, corpus)
    finally:
        pool.shutdown(wait=True)
    return finish(artefacts, validation)


def _label_partial(
    files: dict[str, bytes], report: dict[str, Any], standoff: Standoff, proofs: Proofs
) -> dict[str, bytes]:
    full = standoff.manifest["full_release"]
    left_out = proofs.unproven
    note = "\n".join(
        [
            f"## Partial release: {len(left_out)} documents left out",
            "",
            f"This folder was rehydrated from `{standoff.folder.name}` with "
            f"{len(proofs.texts)} of {len(proofs.texts) + len(left_out)} article texts proven "
            "(their bytes hash to the recorded sha256). The documents whose texts could not be "
            "proven are left out, with their records, cluster memberships and clusters left "
            f"empty, so this is **not** the release `{full}`: its files and numbers differ. "
            "Left out: " + ", ".join(f"`{d}`" for d in left_out) + ".",
            "",
        ]
    )
    card = files["README.md"].decode("utf-8")
    head, sep, body = card.partition("\n---\n\n")
    files = dict(files)
    files["README.md"] = (head + sep + note + "\n" + body).encode("utf-8")
    report = {
        **report,
        "release": {
            "kind": "partial",
            "rehydrated_from": standoff.folder.name,
            "full_release": full,
            "documents_left_out": left_out,
            "texts": proofs.to_dict(),
        },
    }
    files[REPORT_FILE] = json_bytes(report)
    files.pop(checksums.SUMS_FILE, None)
    files[checksums.SUMS_FILE] = checksums.sums_bytes(files)
    return files


def rehydrate(
    standoff_dir: Path, texts_src: Path, out: Path, allow_partial: bool = False
) -> Rehydrated:
    """Rehydrate ``standoff_dir`` with the copies in ``texts_src`` into ``out``."""
    standoff = read_standoff(standoff_dir)
    docs = standoff.documents.select(["doc_id", "sha256", "n_bytes"]).to_pylist()
    proofs = prove(texts_src, [(d["doc_id"], d["sha256"], d["n_bytes"]) for d in docs])
    if proofs.unproven and not allow_partial:
        raise IsfError(
            code="rehydrate-unproven",
            message=f"{len(proofs.unproven)} of {len(docs)} texts could not be proven",
            path=str(texts_src),
            expected="a copy of every article whose bytes hash to the recorded sha256",
            found="\n" + render(proofs),
            fix="repair or replace those copies (the likely cause is given for each), or pass "
            "--allow-partial to leave those documents out of a release labelled partial",
        )
    if not proofs.texts:
        raise IsfError(
            code="rehydrate-nothing-proven",
            message="no text could be proven, so there is nothing to rehydrate",
            path=str(texts_src),
            found="\n" + render(proofs),
            fix="pass the folder or JSON-lines file holding your copies of the articles",
        )
    with tempfile.TemporaryDirectory(prefix="isf-rehydrate-") as tmp:
        repo = rebuild_repository(standoff, proofs.texts, Path(tmp) / "repo")
        files, report = _build(repo)
    partial = bool(proofs.unproven)
    name = standoff.manifest["full_release"]
    if partial:
        files = _label_partial(files, report, standoff, proofs)
        name += PARTIAL_SUFFIX
    identical = files[checksums.SUMS_FILE].decode() == standoff.manifest["full_release_sha256sums"]
    out = out if out.is_absolute() else Path.cwd() / out
    write_folder(out / name, files)
    return Rehydrated(out / name, proofs, partial, identical)
