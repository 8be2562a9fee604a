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
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from isf_claims import annotations as fmt
from isf_claims.errors import refuse
from isf_claims.frames import frame_of
from isf_claims.raw import META_FIELDS, meta_bytes
from isf_claims.release import checksums
from isf_claims.release.build import (
    REPORT_FILE,
    SECOND_SET,
    check_valid_and_load,
    finish,
    release_artefacts,
    write_folder,
)
from isf_claims.release.metadata import json_bytes
from isf_claims.release.quotes import SEAL_PREFIX, unseal
from isf_claims.release.standoff import (
    HEADERS,
    KIT,
    MANIFEST,
    SEALED_SUFFIX,
    SECOND,
    map_strings,
)
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
        raise refuse(
            "not-a-standoff-release",
            path=str(folder),
            expected="a folder built by `isf-claims build --standoff`",
            found="a release without the manifest",
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


def _json_lines(docs: pl.DataFrame, schema: Schema) -> pl.Series:
    """Each document's annotation file (without its last newline): the document record,
    then its zones, mentions, claims and markers, one JSON object per line, span texts cut
    from ``_text`` column-wise."""
    index = pl.int_range(pl.len()).alias("_doc")
    texts = docs.select(index, "_text")
    header = [
        pl.lit("document").alias("layer")
        if f.name == "layer"
        else (pl.col("sha256") if f.name == "raw_sha256" else pl.col(f.name)).alias(f.name)
        for f in schema.layer("document").fields
    ]
    parts = [docs.select(pl.struct(header).struct.json_encode()).to_series()]
    for layer in DOCUMENT_LAYERS:
        column = SPAN_LAYERS[layer]
        recs = (
            docs.select(index, column)
            .explode(column)
            .drop_nulls(column)
            .unnest(column)
            .join(texts, on="_doc", how="left", maintain_order="left")
        )
        fields = [_field(layer, f.name, f.type) for f in schema.layer(layer).fields]
        per_doc = (
            recs.select("_doc", pl.struct(fields).struct.json_encode().alias("line"))
            .group_by("_doc", maintain_order=True)  # rows are in document order already
            .agg(pl.col("line").str.join("\n"))
        )
        lines = texts.select("_doc").join(per_doc, on="_doc", how="left", maintain_order="left")
        parts.append(lines["line"])
    return pl.select(pl.concat_str(parts, separator="\n", ignore_nulls=True)).to_series()


def _field(layer: str, name: str, kind: str) -> pl.Expr:
    """One field of a record of ``layer`` as the annotation file has it."""
    if name == "layer":
        return pl.lit(layer).alias("layer")
    if name == "text":
        cut = pl.col("_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
        return cut.alias("text")
    if kind == "span":
        s, e = pl.col(name).struct.field("start"), pl.col(name).struct.field("end")
        cut = pl.col("_text").str.slice(s, e - s).alias("text")
        span = pl.struct(s.alias("start"), e.alias("end"), cut)
        return pl.when(pl.col(name).is_not_null()).then(span).alias(name)
    return pl.col(name)


def _shared(schema: Schema, layer: str, table: pa.Table) -> bytes:
    return fmt.to_bytes(fmt.shared_lines(schema, layer, table.to_pylist()))


def _kit(standoff: Standoff, texts: dict[str, bytes], root: Path) -> None:
    """``dataset.json``, ``DATACARD.md`` and the schema into ``root``, sealed parts opened."""
    for rel in standoff.manifest["kit"]:
        if rel == HEADERS or rel.startswith(SECOND + "/"):
            continue
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


def _write_set(
    folder: Path,
    tables: dict[str, pa.Table],
    headers: pl.DataFrame,
    texts: dict[str, bytes],
    schema: Schema,
    shared_always: bool,
) -> None:
    """One annotation set's files (documents, entities, clusters) into ``folder``, for the
    documents whose texts are proven, sealed values opened."""
    docs = tables["documents"]
    docs = docs.filter(pc.is_in(docs["doc_id"], value_set=pa.array(sorted(texts), pa.string())))
    plan = _unsealer([docs, tables["entities"], tables["clusters"]], texts)
    docs = standoff_table("documents", docs, plan, None)
    ids = docs["doc_id"].to_pylist()
    text_col = pa.array([texts[d] for d in ids], pa.binary()).cast(pa.string())
    frame = frame_of(docs.drop_columns(["text"]).append_column("_text", text_col))
    assert isinstance(frame, pl.DataFrame)
    frame = frame.join(headers, on="doc_id", how="left", maintain_order="left")
    contents = _json_lines(frame, schema).to_list()
    folder.mkdir(parents=True, exist_ok=True)

    def write(i: int) -> None:
        (folder / f"{ids[i]}.jsonl").write_bytes(contents[i].encode("utf-8") + b"\n")

    with ThreadPoolExecutor(max_workers=4) as pool:  # file writes release the GIL
        list(pool.map(write, range(len(ids))))
    entities = standoff_table("entities", tables["entities"], plan, None)
    clusters = _kept_clusters(standoff_table("clusters", tables["clusters"], plan, None), set(ids))
    for name, layer, table in (("entities", "entity", entities), ("clusters", "cluster", clusters)):
        if shared_always or table.num_rows:
            (folder / f"{name}.jsonl").write_bytes(_shared(schema, layer, table))


def rebuild_repository(standoff: Standoff, texts: dict[str, bytes], root: Path) -> Repo:
    """The repository inputs of the documents in ``texts`` (all proven), under ``root``."""
    repo = Repo(root)
    _kit(standoff, texts, root)
    schema = load_schema(repo.schema_dir, standoff.manifest["schema_version"])
    main = {"documents": standoff.documents, "entities": standoff.entities}
    main["clusters"] = standoff.clusters
    headers = pl.read_parquet(standoff.folder / HEADERS)
    _write_set(repo.annotated_dir, main, headers, texts, schema, shared_always=True)
    second = standoff.folder / SECOND
    if second.is_dir():
        tables = {n: pq.read_table(second / f"{n}.parquet") for n in main}
        headers = pl.read_parquet(second / "headers.parquet")
        _write_set(root / SECOND_SET, tables, headers, texts, schema, shared_always=False)
    docs = standoff.documents
    docs = docs.filter(pc.is_in(docs["doc_id"], value_set=pa.array(sorted(texts), pa.string())))
    ids = docs["doc_id"].to_pylist()
    metas = docs.select([m for m in META_FIELDS if m in docs.column_names]).to_pylist()
    repo.raw_dir.mkdir(parents=True)

    def write(i: int) -> None:
        repo.raw_path(ids[i]).write_bytes(texts[ids[i]])
        repo.meta_path(ids[i]).write_bytes(meta_bytes(metas[i]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(len(ids))))
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
    """The release files of ``repo``, exactly as ``build_release`` makes them, in memory."""
    validation, corpus = check_valid_and_load(repo)
    return finish(release_artefacts(repo, corpus), validation)


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


def _scratch() -> str | None:
    """Where the temporary repository goes: memory-backed ``/dev/shm`` when there is one
    (the inputs are written once and read once), else the system's temporary folder."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def rehydrate(
    standoff_dir: Path, texts_src: Path, out: Path, allow_partial: bool = False
) -> Rehydrated:
    """Rehydrate ``standoff_dir`` with the copies in ``texts_src`` into ``out``."""
    standoff = read_standoff(standoff_dir)
    docs = standoff.documents.select(["doc_id", "sha256", "n_bytes"]).to_pylist()
    proofs = prove(texts_src, [(d["doc_id"], d["sha256"], d["n_bytes"]) for d in docs])
    if proofs.unproven and not allow_partial:
        raise refuse(
            "rehydrate-unproven",
            path=str(texts_src),
            expected="a copy of every article whose bytes hash to the recorded sha256",
            found="\n" + render(proofs),
            n=len(proofs.unproven),
            total=len(docs),
        )
    if not proofs.texts:
        raise refuse("rehydrate-nothing-proven", path=str(texts_src), found="\n" + render(proofs))
    with tempfile.TemporaryDirectory(prefix="isf-rehydrate-", dir=_scratch()) as tmp:
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
