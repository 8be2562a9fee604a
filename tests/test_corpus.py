"""The corpus model: typed tables, the offset contract, and byte-identical write-back."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from isf_claims.corpus import Corpus, corpus_files, load_corpus
from isf_claims.repo import Repo

SPAN_COLUMNS = {
    "zones": [""],
    "mentions": [""],
    "markers": [""],
    "claims": ["content_", "cue_", "source_"],
}


@pytest.fixture(scope="module")
def corpus(repo: Repo) -> Corpus:
    return load_corpus(repo)


def test_every_document_is_annotated_and_loaded(corpus: Corpus, repo: Repo) -> None:
    assert sorted(corpus.doc_ids) == repo.raw_doc_ids()
    docs = corpus["documents"]
    assert pc.all(pc.equal(docs["raw_sha256"], docs["sha256"])).as_py()
    for name in ("zones", "mentions", "claims", "markers", "entities", "clusters"):
        assert corpus[name].num_rows > 0, name


def test_every_span_text_equals_the_raw_slice(corpus: Corpus) -> None:
    texts = dict(zip(corpus.doc_ids, corpus["documents"]["text"].to_pylist(), strict=True))
    checked = 0
    for table, prefixes in SPAN_COLUMNS.items():
        for row in corpus[table].to_pylist():
            for p in prefixes:
                if row[f"{p}start"] is None:
                    continue
                text = texts[row["doc_id"]]
                assert text[row[f"{p}start"] : row[f"{p}end"]] == row[f"{p}text"], row
                assert row[f"{p}text"] == row[f"{p}text"].strip(), row
                checked += 1
    assert checked > 100


def test_read_then_write_is_byte_identical(corpus: Corpus) -> None:
    files = corpus_files(corpus)
    assert len(files) == len(corpus.doc_ids) + 2
    for path, data in files.items():
        assert path.read_bytes() == data, path


def test_tables_are_typed(corpus: Corpus) -> None:
    assert corpus["mentions"].schema.field("start").type == pa.int64()
    assert corpus["claims"].schema.field("content_text").type == pa.string()
    assert corpus["documents"].schema.field("n_codepoints").type == pa.int64()


def test_write_back_canonicalises_order(repo_copy: Repo) -> None:
    path = repo_copy.annotation_files()[0]
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"".join(reversed(lines[1:])))
    files = corpus_files(load_corpus(repo_copy))
    assert files[path] == b"".join(lines)
