"""The gold side of an evaluation: a release's tables, read from a release folder (verified
against its ``SHA256SUMS`` first) or handed over in memory by the build.

Vocabularies (entity labels, claim attribute values) come from the release's own
``datapackage.json`` (the ``enum`` of each field), so a downloaded release is scored without
the repository; the build passes the schema's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from isf_claims.frames import frame_of
from isf_claims.release import checksums

if TYPE_CHECKING:
    from isf_claims.schema import Schema

ATTRIBUTES = ("attribution", "source_type", "cue_commitment", "polarity", "claim_type")
SPAN_ROLES = ("content", "cue", "source")
DOC_COLUMNS = ["doc_id", "n_codepoints"]


@dataclass
class Gold:
    """A release's gold tables (polars), each document's split, and the vocabularies."""

    version: str
    sha256sums: str | None  # sha256 of the release's SHA256SUMS file (None while building)
    documents: pl.DataFrame  # doc_id, n_codepoints, split (, text when asked for)
    vocab: dict[str, list[str]]  # "label" and each claim attribute -> allowed values
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    folder: str | None = None

    def table(self, name: str) -> pl.DataFrame:
        """A gold table; a config the release does not have (no row in any split) is
        empty."""
        if name in self.tables:
            return self.tables[name]
        span = {f"{r}_{k}": pl.Int64 for r in SPAN_ROLES for k in ("start", "end")}
        empty: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
            "mentions": {
                "doc_id": pl.String,
                "id": pl.String,
                "label": pl.String,
                "start": pl.Int64,
                "end": pl.Int64,
                "text": pl.String,
            },
            "claims": {
                "doc_id": pl.String,
                "id": pl.String,
                **span,
                **dict.fromkeys(ATTRIBUTES, pl.String),
            },
            "ner": {
                "doc_id": pl.String,
                "start": pl.Int64,
                "end": pl.Int64,
                "ner_tags": pl.List(pl.String),
            },
            "cluster_members": {"cluster_id": pl.String, "doc_id": pl.String, "claim": pl.String},
        }
        return pl.DataFrame(schema=empty[name])


def vocab_of(schema: Schema) -> dict[str, list[str]]:
    """The vocabularies predictions are checked against, from a :class:`Schema`: ``label``
    (entity labels) and each claim attribute."""
    out = {"label": schema.values("entity_label")}
    claim = {f.name: f.vocabulary for f in schema.layer("claim").fields if f.vocabulary}
    out.update({a: schema.values(claim[a]) for a in ATTRIBUTES if a in claim})
    return out


def _flat_claims(claims: pl.DataFrame) -> pl.DataFrame:
    """Claim spans as ``<role>_start``/``<role>_end`` columns."""
    cols = [pl.col("doc_id"), pl.col("id")]
    for role in SPAN_ROLES:
        cols += [
            pl.col(role).struct.field("start").alias(f"{role}_start"),
            pl.col(role).struct.field("end").alias(f"{role}_end"),
        ]
    cols += [pl.col(a) for a in ATTRIBUTES if a in claims.columns]
    return claims.select(cols)


def _members(clusters: pl.DataFrame) -> pl.DataFrame:
    """Cluster members: cluster_id, doc_id, claim."""
    if clusters.height == 0:
        return pl.DataFrame(
            schema={"cluster_id": pl.String, "doc_id": pl.String, "claim": pl.String}
        )
    return (
        clusters.select(pl.col("id").alias("cluster_id"), "members")
        .explode("members")
        .drop_nulls("members")
        .select("cluster_id", pl.col("members").struct.field("doc_id", "claim"))
    )


def from_tables(
    tables: dict[str, pa.Table],
    splits: pa.Table,
    vocab: dict[str, list[str]],
    version: str,
    sha256sums: str | None = None,
    with_text: bool = False,
) -> Gold:
    """Gold from in-memory release tables (``documents``, ``mentions``, ``claims``, ``ner``,
    ``clusters``; any may be missing) and the ``doc_id``/``split`` table."""
    cols = DOC_COLUMNS + (["text", "zones"] if with_text else [])
    docs = frame_of(tables["documents"].select(cols)).join(
        frame_of(splits), on="doc_id", how="left"
    )
    out: dict[str, pl.DataFrame] = {}
    if "mentions" in tables:
        out["mentions"] = frame_of(
            tables["mentions"].select(["doc_id", "id", "label", "start", "end", "text"])
        )
    if "claims" in tables:
        claims = frame_of(tables["claims"])
        out["claims"] = _flat_claims(claims)
        if with_text:
            out["claims"] = out["claims"].with_columns(
                content_text=claims["content"].struct.field("text")
            )
    if "ner" in tables:
        extra = ["tokens", "token_offsets"] if with_text else []
        out["ner"] = frame_of(tables["ner"].select(["doc_id", "start", "end", "ner_tags", *extra]))
    if "clusters" in tables:
        out["cluster_members"] = _members(frame_of(tables["clusters"]))
    return Gold(version, sha256sums, docs, vocab, out)


def _vocab(folder: Path) -> dict[str, list[str]]:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for res in package["resources"]:
        table = res["name"].split("-")[0]
        for f in res["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum")
            if not enum:
                continue
            if table == "mentions" and f["name"] == "label":
                out["label"] = enum
            elif table == "claims" and f["name"] in ATTRIBUTES:
                out[f["name"]] = enum
    return out


def _read(folder: Path, config: str, columns: list[str] | None = None) -> pa.Table | None:
    parts = []
    for path in sorted((folder / "data" / config).glob("*.parquet")):
        t = pq.read_table(path, columns=columns)
        parts.append(t.append_column("split", pa.array([path.stem] * t.num_rows, pa.string())))
    return pa.concat_tables(parts) if parts else None


def from_release(folder: Path, with_text: bool = False, verify: bool = True) -> Gold:
    """Gold from a release folder, after checking every file against ``SHA256SUMS``."""
    if verify:
        checksums.verify(folder)
    report = json.loads((folder / "build-report.json").read_text(encoding="utf-8"))
    docs = _read(folder, "documents", DOC_COLUMNS + (["text", "zones"] if with_text else []))
    assert docs is not None
    splits = docs.select(["doc_id", "split"])
    tables = {"documents": docs.drop_columns(["split"])}
    for config in ("mentions", "claims", "ner", "clusters"):
        t = _read(folder, config)
        if t is not None:
            tables[config] = t.drop_columns(["split"])
    digest = checksums.sha256_hex((folder / checksums.SUMS_FILE).read_bytes())
    gold = from_tables(tables, splits, _vocab(folder), str(report["version"]), digest, with_text)
    gold.folder = str(folder)
    return gold
