"""Corpus statistics: counts agree with the corpus tables, every vocabulary value is listed,
the CLI prints them as text and JSON, and the plots are byte-stable image files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.corpus import Corpus, load_corpus
from isf_claims.render.plots import PLOTS, draw_plots
from isf_claims.repo import Repo
from isf_claims.stats import (
    CorpusStats,
    aggregate_wide,
    claim_vocab_fields,
    corpus_stats,
    outlets_table,
    stats_of,
)
from isf_claims.stats_report import format_stats, stats_json
from isf_claims.stats_scan import counted_files

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(repo: Repo) -> Corpus:
    return load_corpus(repo)


@pytest.fixture(scope="module")
def stats(corpus: Corpus) -> CorpusStats:
    return corpus_stats(corpus)


def test_counts_agree_with_the_corpus_tables(corpus: Corpus, stats: CorpusStats) -> None:
    totals = dict(stats.totals.iter_rows())
    for table in ("zones", "mentions", "claims", "markers"):
        assert totals[table] == corpus[table].num_rows
        assert stats.documents[table].sum() == corpus[table].num_rows
    assert totals["documents"] == len(corpus.doc_ids) == stats.documents.height
    assert totals["code_points"] == sum(len(corpus.text(d)) for d in corpus.doc_ids)
    assert totals["cluster_members"] == corpus["cluster_members"].num_rows
    per_doc = stats.mention_labels.group_by("doc_id").agg(pl.col("n").sum())
    expected = pl.from_arrow(corpus["mentions"]).group_by("doc_id").len()
    assert dict(per_doc.iter_rows()) == dict(expected.iter_rows())


def test_every_vocabulary_value_is_listed_zeros_included(
    corpus: Corpus, stats: CorpusStats
) -> None:
    schema = corpus.schema
    labels = schema.values(schema.layer("mention").field("label").vocabulary or "")
    for doc_id in corpus.doc_ids:
        rows = stats.mention_labels.filter(pl.col("doc_id") == doc_id)
        assert rows["label"].to_list() == labels
    for name, vocabulary in claim_vocab_fields(schema):
        rows = stats.claim_attributes.filter(pl.col("attribute") == name)
        assert rows["value"].unique(maintain_order=True).to_list() == schema.values(vocabulary)
        assert rows["n"].sum() == corpus["claims"].num_rows


def test_stats_command_text_and_json(repo: Repo, corpus: Corpus) -> None:
    res = runner.invoke(app, ["stats", "--root", str(repo.root)])
    assert res.exit_code == 0, res.output
    for title in ("Corpus", "Outlets", "Mentions per label", "Claims per attribute value"):
        assert f"\n{title}" in "\n" + res.output
    assert "\nDocuments" not in res.output and "D1" not in res.output  # aggregates only
    res = runner.invoke(app, ["stats", "--root", str(repo.root), "--format", "json"])
    data = json.loads(res.output)
    assert data["totals"]["claims"] == corpus["claims"].num_rows
    assert sum(data["by_label"].values()) == corpus["mentions"].num_rows
    assert sum(o["documents"] for o in data["outlets"]) == len(corpus.doc_ids)
    assert "documents" not in data and data["plots"] == []
    res = runner.invoke(app, ["stats", "--per-doc", "--root", str(repo.root), "--format", "json"])
    data = json.loads(res.output)
    assert {d["doc_id"] for d in data["documents"]} == set(corpus.doc_ids)
    res = runner.invoke(app, ["stats", "--per-doc", "--root", str(repo.root)])
    for title in ("Documents", "Mentions per label (entity_label) and document"):
        assert f"\n{title}\n" in res.output


def test_counts_read_from_the_files_equal_the_loaded_corpus(repo: Repo, corpus: Corpus) -> None:
    counted, schema = counted_files(repo)
    assert schema.version == corpus.schema.version
    a, b = stats_of(counted, schema), corpus_stats(corpus)
    for name in ("documents", "mention_labels", "claim_attributes", "totals"):
        assert_frame_equal(getattr(a, name), getattr(b, name))


def test_counts_per_outlet_give_the_same_aggregates(repo: Repo, stats: CorpusStats) -> None:
    counted, schema = counted_files(repo, per_doc=False)
    per_outlet = stats_of(counted, schema)
    assert "doc_id" not in per_outlet.mention_labels.columns
    assert stats_json(per_outlet, per_doc=False) == stats_json(stats, per_doc=False)
    assert format_stats(per_outlet) == format_stats(stats)


def test_aggregates_sum_the_documents_per_outlet(stats: CorpusStats) -> None:
    table = aggregate_wide(stats, stats.mention_labels, ["label"])
    totals = stats.mention_labels.group_by("label", maintain_order=True).agg(pl.col("n").sum())
    assert table["total"].to_list() == totals["n"].to_list()
    outlets = outlets_table(stats)
    assert outlets["documents"].sum() == stats.documents.height
    assert outlets["mentions"].sum() == stats.documents["mentions"].sum()


def test_stats_of_one_document_and_of_an_unknown_one(repo: Repo, corpus: Corpus) -> None:
    doc_id = corpus.doc_ids[-1]
    res = runner.invoke(app, ["stats", doc_id, "--root", str(repo.root), "--format", "json"])
    data = json.loads(res.output)
    assert [d["doc_id"] for d in data["documents"]] == [doc_id]
    claims = corpus["claims"]["doc_id"].to_pylist().count(doc_id)
    assert data["totals"]["claims"] == claims
    res = runner.invoke(app, ["stats", "no-such-doc", "--root", str(repo.root)])
    assert res.exit_code == 2 and "unknown-document" in res.output


def test_plots_are_written_and_byte_stable(repo: Repo, tmp_path: Path, stats: CorpusStats) -> None:
    out = tmp_path / "plots"
    res = runner.invoke(app, ["stats", "--root", str(repo.root), "--plots", str(out)])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{stem}.{ext}" for stem in PLOTS for ext in ("png", "svg"))
    again = draw_plots(stats, load_corpus(repo).schema)
    for name, data in again.items():
        assert (out / name).read_bytes() == data, name
    png = (out / "claims-per-outlet.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png and b"matplotlib" not in png
    svg = (out / "claims-per-outlet.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg and "<text" not in svg


def test_files_whose_document_records_do_not_match_are_counted_one_by_one(
    tmp_path: Path,
) -> None:
    """The fast path gives each line to the document record before it; files that do not
    start with their own document record are read file by file instead."""
    from isf_claims.stats_scan import _rows

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(b'{"layer": "document", "doc_id": "a"}\n{"layer": "mention"}\n')
    b.write_bytes(b'{"layer": "mention"}\n{"layer": "mention"}')  # no document record
    columns = {"layer": pl.String}
    data = a.read_bytes() + b.read_bytes() + b"\n"
    rows = _rows([a, b], data, columns)
    assert rows.group_by("_doc").len().sort("_doc")["len"].to_list() == [2, 2]
