"""The ``ner`` config's tokeniser and IOB2 conversion, and the split rule's stability."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from isf_claims.corpus import load_corpus
from isf_claims.release import tokenize
from isf_claims.release.ner import ner_table
from isf_claims.release.splits import split_of
from isf_claims.release.tables import release_tables
from isf_claims.repo import Repo
from isf_claims.schema import load_schema
from test_release_fixtures import add_synthetic_doc, make_corpus

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = load_schema(ROOT / "schema")


def doc_tables(text: str, zones: list[tuple[int, int]], mentions: list[tuple[int, int, str]]):
    """A one-document ``documents`` table and its ``mentions`` table."""
    zone_rows = [
        {"id": f"z{i}", "label": "body", "start": s, "end": e, "text": text[s:e]}
        for i, (s, e) in enumerate(zones, start=1)
    ]
    docs = pa.table({"doc_id": ["d"], "text": [text], "zones": [zone_rows]})
    ments = pa.table(
        {
            "doc_id": ["d"] * len(mentions),
            "id": [f"m{i}" for i in range(1, len(mentions) + 1)],
            "label": [m[2] for m in mentions],
            "start": pa.array([m[0] for m in mentions], pa.int64()),
            "end": pa.array([m[1] for m in mentions], pa.int64()),
        }
    )
    return docs, ments


def test_tokens_are_exact_slices_covering_every_non_space_character():
    corpus = load_corpus(Repo(ROOT))
    docs = pl.from_arrow(corpus["documents"].select(["doc_id", "text"]))
    segs = docs.select(
        pl.int_range(pl.len()).alias("seg"), pl.lit(0, pl.Int64).alias("start"), "text"
    )
    tokens = tokenize.tokenize(segs)
    for i, text in enumerate(docs["text"]):
        t = tokens.filter(pl.col("seg") == i)
        assert [text[s:e] for s, e in zip(t["start"], t["end"], strict=True)] == t[
            "token"
        ].to_list()
        covered = np.zeros(len(text), dtype=bool)
        for s, e in zip(t["start"], t["end"], strict=True):
            covered[s:e] = True
        assert all(covered[j] == (not ch.isspace()) for j, ch in enumerate(text))


def test_tokeniser_splits_punctuation_and_keeps_astral_characters_whole():
    segs = pl.DataFrame({"seg": [0], "start": [10], "text": ["U.S.-led 🙂 Gaza’s"]})
    t = tokenize.tokenize(segs)
    assert t["token"].to_list() == ["U", ".", "S", ".", "-", "led", "🙂", "Gaza", "’", "s"]
    assert t["start"].to_list()[-4:] == [19, 21, 25, 26]


def test_iob2_rules_nested_snapped_crossing_and_conflicting_mentions():
    text = "The United States Army met Israeli staff. Ab Cd\nEf Gh"
    zones = [(0, 41), (42, 47), (48, 53)]
    mentions = [
        (4, 22, "ORG"),  # United States Army
        (4, 17, "GPE"),  # United States: nested in the ORG
        (27, 33, "GPE"),  # "Israel" ends inside the token "Israeli": snapped
        (45, 50, "PERSON"),  # "Cd\nEf": crosses from one zone into the next
        (48, 49, "PERSON"),  # "E" inside "Ef": snapped
        (49, 50, "ORG"),  # "f" inside "Ef": would share the token: conflict
    ]
    docs, ments = doc_tables(text, zones, mentions)
    table, report = ner_table(docs, ments, SCHEMA)
    rows = table.to_pylist()
    first = rows[0]
    tagged = dict(zip(first["tokens"], first["ner_tags"], strict=True))
    assert first["ner_tags"][:4] == ["O", "B-ORG", "I-ORG", "I-ORG"]
    assert tagged["Israeli"] == "B-GPE"
    assert rows[2]["tokens"] == ["Ef", "Gh"] and rows[2]["ner_tags"] == ["B-PERSON", "O"]
    assert report.counts == {"nested": 1, "crosses-segment": 1, "token-conflict": 1, "snapped": 2}
    assert report.records["nested"] == ["d/m2"] and report.records["token-conflict"] == ["d/m6"]
    assert report.tagged + 3 == report.mentions == 6
    assert first["token_offsets"][1] == {"start": 4, "end": 10}


def test_text_outside_zones_is_a_segment_of_its_own():
    text = "Zone one.\nLoose text Gaza"
    docs, ments = doc_tables(text, [(0, 9)], [(21, 25, "GPE")])
    table, report = ner_table(docs, ments, SCHEMA)
    rows = table.to_pylist()
    assert [(r["zone"], r["zone_label"]) for r in rows] == [("z1", "body"), (None, None)]
    assert rows[1]["tokens"] == ["Loose", "text", "Gaza"] and rows[1]["ner_tags"][-1] == "B-GPE"
    assert report.tagged == 1


def splits_of(repo: Repo) -> dict[str, str]:
    t = release_tables(load_corpus(repo)).splits
    return dict(zip(t["doc_id"].to_pylist(), t["split"].to_pylist(), strict=True))


def test_splits_never_move_when_documents_are_added(tmp_path: Path):
    small = make_corpus(tmp_path / "small", doc_ids=["synthetic-000", "synthetic-011"])
    big = make_corpus(tmp_path / "big", doc_ids=["synthetic-000", "synthetic-011"])
    for n in range(20, 32):
        add_synthetic_doc(big, f"added-{n}", n)
    before = splits_of(small)
    after = splits_of(big)
    assert {d: after[d] for d in before} == before
    assert set(after.values()) == {"train", "validation", "test"}
    assert all(split_of(d) == s for d, s in after.items())
