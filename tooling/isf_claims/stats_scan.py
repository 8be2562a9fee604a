"""The narrow per-document counts of :mod:`isf_claims.stats`, read from the files.

``stats`` and ``render`` need counts, not texts or spans: this module reads only the fields
counted (layer, label, entity, the claim attributes and the document status) from the
annotation files, a batch of files at a time with polars' NDJSON reader, and keeps per
document counts only. Memory is bounded by the batch, not the corpus; the result equals
:func:`isf_claims.stats.counted_corpus` of the loaded corpus (a test checks it).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from isf_claims import progress
from isf_claims.corpus import load_corpus
from isf_claims.errors import IsfError, refuse
from isf_claims.raw import read_corpus_file
from isf_claims.raw_columns import read_metas
from isf_claims.repo import Repo
from isf_claims.schema import Schema, load_schema
from isf_claims.stats import COUNTED, UNNAMED_OUTLET, Counted, claim_vocab_fields

BATCH = 2000  # annotation files read per polars scan
LAYER_COLUMNS = {"zone": "zones", "mention": "mentions", "claim": "claims", "marker": "markers"}


def _unreadable(repo: Repo, paths: list[Path], exc: Exception) -> IsfError:
    """The corpus loader's own error for the batch (file, line, what was found), or a
    general one."""
    try:
        load_corpus(repo, [p.stem for p in paths])
    except IsfError as err:
        return err
    return refuse("json-invalid", path=repo.rel(paths[0].parent), error=exc)


def _rows(paths: list[Path], data: bytes, columns: dict[str, Any]) -> pl.DataFrame:
    """The ``columns`` of every line of ``paths``, with ``_doc``: the index of its file.

    Fast path: the files' bytes parsed as one buffer, each line given to the file of the
    document record before it (every valid file starts with its own). When the document
    records do not match the files one to one, the files are read one by one instead."""
    rows = pl.read_ndjson(io.BytesIO(data), schema={**columns, "doc_id": pl.String})
    heads = rows.select(pl.col("layer") == "document", "doc_id")
    stems = [p.stem for p in paths]
    doc_ids = heads.filter(pl.col("layer"))["doc_id"].to_list()
    if doc_ids == stems and bool(heads["layer"][0]):
        return rows.select(
            *columns, _doc=pl.col("layer").eq("document").cum_sum().cast(pl.Int64) - 1
        )
    index = pl.DataFrame({"_path": [str(p) for p in paths], "_doc": range(len(paths))})
    rows = pl.read_ndjson([str(p) for p in paths], schema=columns, include_file_paths="_path")
    return rows.join(index, on="_path", how="left").drop("_path")


def _with_newline(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def _read(repo: Repo, paths: list[Path]) -> tuple[bytes, list[dict[str, Any]]]:
    """The bytes of a batch of annotation files (joined) and the documents' metadata."""
    data = b"".join(_with_newline(read_corpus_file(repo, p)) for p in paths)
    return data, read_metas(repo, [p.stem for p in paths])


def _batch(
    repo: Repo, paths: list[Path], data: bytes, names: list[str]
) -> tuple[pl.DataFrame, ...]:
    """(documents, labels, attributes) counts of one batch of annotation files."""
    columns = {"layer": pl.String, "status": pl.String, "schema_version": pl.String}
    columns.update(label=pl.String, entity=pl.String)
    columns.update((name, pl.String) for name in names)
    try:
        rows = _rows(paths, data, columns)
    except (pl.exceptions.PolarsError, OSError, UnicodeError) as exc:  # a name not UTF-8 too
        raise _unreadable(repo, paths, exc) from None
    order = pl.DataFrame(
        {"_doc": range(len(paths)), "doc_id": [p.stem for p in paths]},
        schema={"_doc": pl.Int64, "doc_id": pl.String},
    )
    # One pass over the rows: counts per document and combination of the counted fields
    # (a few dozen per document); everything else is computed from that small frame.
    linked = (pl.col("layer") == "mention") & pl.col("entity").is_not_null()
    groups = (
        rows.group_by("_doc", "layer", "status", "schema_version", "label", *names, linked=linked)
        .agg(pl.len().alias("n"))
        .join(order, on="_doc", how="left")
    )
    per_layer = groups.group_by("doc_id").agg(
        status=pl.col("status").filter(pl.col("layer") == "document").first(),
        schema_version=pl.col("schema_version").filter(pl.col("layer") == "document").first(),
        **{
            column: pl.col("n").filter(pl.col("layer") == layer).sum()
            for layer, column in LAYER_COLUMNS.items()
        },
        linked_mentions=pl.col("n").filter(pl.col("linked")).sum(),
    )
    docs = order.drop("_doc").join(per_layer, on="doc_id", how="left", maintain_order="left")
    mentions = groups.filter(pl.col("layer") == "mention")
    labels = mentions.group_by("doc_id", "label").agg(pl.col("n").sum())
    claims = groups.filter(pl.col("layer") == "claim")
    attributes = [
        claims.group_by("doc_id", pl.col(name).alias("value"))
        .agg(pl.col("n").sum())
        .select("doc_id", attribute=pl.lit(name), value="value", n="n")
        for name in names
    ]
    return docs, labels, pl.concat(attributes)


def _empty_documents() -> pl.DataFrame:
    counts = {c: pl.UInt32 for c in (*COUNTED, "linked_mentions")}
    text = {c: pl.String for c in ("doc_id", "outlet", "published", "status", "schema_version")}
    return pl.DataFrame(schema={**text, "n_codepoints": pl.Int64, **counts})


EMPTY_LABELS = {"doc_id": pl.String, "label": pl.String, "n": pl.UInt32}
EMPTY_ATTRIBUTES = {"doc_id": pl.String, "attribute": pl.String, "value": pl.String, "n": pl.UInt32}


def _shared(repo: Repo) -> tuple[pl.DataFrame, int]:
    """Cluster members (cluster_id, doc_id) and the number of canonical entities."""
    members = pl.DataFrame(schema={"cluster_id": pl.String, "doc_id": pl.String})
    data = _shared_bytes(repo, repo.clusters_path)
    if data.strip():
        member = pl.Struct({"doc_id": pl.String})
        try:
            clusters = pl.read_ndjson(
                io.BytesIO(data), schema={"id": pl.String, "members": pl.List(member)}
            )
        except pl.exceptions.PolarsError as exc:
            raise refuse(
                "wrong-type", path=repo.rel(repo.clusters_path), what="clusters", error=exc
            ) from None
        members = (
            clusters.explode("members")
            .filter(pl.col("members").is_not_null())
            .select(cluster_id="id", doc_id=pl.col("members").struct.field("doc_id"))
        )
    entities = sum(
        1 for line in _shared_bytes(repo, repo.entities_path).split(b"\n") if line.strip()
    )
    return members, entities


def _shared_bytes(repo: Repo, path: Path) -> bytes:
    """A shared file's bytes (empty when there is none); a link is refused, never read."""
    if not path.is_symlink() and not path.exists():
        return b""
    return read_corpus_file(repo, path)


def _schema(repo: Repo, paths: list[Path]) -> Schema:
    """The schema the first file declares (the latest kept when it declares none)."""
    from isf_claims.validation.structure import read_header

    version = (read_header(paths[0]) or {}).get("schema_version") if paths else None
    return load_schema(repo.schema_dir, version if isinstance(version, str) else None)


def _one_version(repo: Repo, documents: pl.DataFrame, schema: Schema) -> None:
    versions = set(documents["schema_version"].drop_nulls().unique().to_list())
    if versions - {schema.version}:
        raise refuse(
            "mixed-schema-versions",
            path=repo.rel(repo.annotated_dir),
            expected="one schema version across the corpus",
            found=", ".join(sorted(versions | {schema.version})),
        )


def _summed(parts: list[pl.DataFrame], keys: list[str]) -> pl.DataFrame:
    return pl.concat(parts).group_by(keys, maintain_order=True).agg(pl.col("n").sum())


def _per_outlet(counts: pl.DataFrame, docs: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per-document counts summed per outlet (as :mod:`isf_claims.stats` labels them)."""
    outlets = docs.select("doc_id", outlet_label=pl.col("outlet").fill_null(UNNAMED_OUTLET))
    return (
        counts.join(outlets, on="doc_id", how="left")
        .group_by("outlet_label", *keys)
        .agg(pl.col("n").sum())
    )


def counted_files(
    repo: Repo, doc_ids: Sequence[str] | None = None, per_doc: bool = True
) -> tuple[Counted, Schema]:
    """:class:`Counted` of ``doc_ids`` (default: every annotated document), read from the
    annotation and metadata files without loading texts or spans, and the schema they
    declare. Without ``per_doc`` label and attribute counts are summed per outlet batch by
    batch, so memory holds one batch and one row per document."""
    if doc_ids is None:
        paths = repo.annotation_files()
    else:
        paths = [repo.annotation_path(d) for d in doc_ids]
    schema = _schema(repo, paths)
    names = [name for name, _ in claim_vocab_fields(schema)]
    docs, labels, attributes = [], [], []
    batches = [paths[i : i + BATCH] for i in range(0, len(paths), BATCH)]
    with (
        progress.task("statistics: reading annotation files", len(paths)) as advance,
        ThreadPoolExecutor(max_workers=1) as pool,  # reads the next batch during the parse
    ):
        ahead = pool.submit(_read, repo, batches[0]) if batches else None
        for k, part in enumerate(batches):
            assert ahead is not None
            data, metas = ahead.result()
            ahead = pool.submit(_read, repo, batches[k + 1]) if k + 1 < len(batches) else None
            d, lab, att = _batch(repo, part, data, names)
            del data
            meta = pl.DataFrame(
                {
                    "outlet": [m.get("outlet") for m in metas],
                    "published": [m.get("published") for m in metas],
                    "n_codepoints": [m.get("n_codepoints") for m in metas],
                },
                schema={"outlet": pl.String, "published": pl.String, "n_codepoints": pl.Int64},
            )
            d = pl.concat([d, meta], how="horizontal")
            if not per_doc:
                lab = _per_outlet(lab, d, ["label"])
                att = _per_outlet(att, d, ["attribute", "value"])
            docs.append(d)
            labels.append(lab)
            attributes.append(att)
            advance(len(part))
    members, entities = _shared(repo)
    columns = ["doc_id", "outlet", "published", "status", "n_codepoints", *COUNTED]
    documents = pl.concat(docs) if docs else _empty_documents()
    if not per_doc and labels:
        labels = [_summed(labels, ["outlet_label", "label"])]
        attributes = [_summed(attributes, ["outlet_label", "attribute", "value"])]
    _one_version(repo, documents, schema)
    counted = Counted(
        documents=documents.select(*columns, "linked_mentions"),
        labels=pl.concat(labels) if labels else pl.DataFrame(schema=EMPTY_LABELS),
        attributes=pl.concat(attributes) if attributes else pl.DataFrame(schema=EMPTY_ATTRIBUTES),
        members=members,
        entities=entities,
    )
    return counted, schema
