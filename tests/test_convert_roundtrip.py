"""Export then import gives back the annotation files byte for byte (Label Studio, brat),
on the real corpus and on generated documents with astral characters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from convert_fixtures import documents, make_repo, write_doc, write_shared
from isf_claims.convert import export_corpus, import_annotations
from isf_claims.convert.base import load_interchange
from isf_claims.convert.model import to_files
from isf_claims.corpus import corpus_files, load_corpus
from isf_claims.repo import Repo

FORMATS = ["labelstudio", "brat"]


def _annotation_bytes(repo: Repo) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(repo.annotated_dir.glob("*.jsonl"))}


def _roundtrip_into_empty(repo: Repo, fmt: str, tmp: Path) -> dict[str, bytes]:
    """Export ``repo``, import into a copy whose annotated/ is empty; the copy's files."""
    out = tmp / f"{fmt}-export"
    export_corpus(repo, fmt, out, force=True)
    dest = tmp / f"{fmt}-dest"
    shutil.rmtree(dest, ignore_errors=True)
    for name in ("raw", "schema"):
        shutil.copytree(repo.root / name, dest / name)
    (dest / "annotated").mkdir()
    import_annotations(Repo(dest), fmt, out)
    return _annotation_bytes(Repo(dest))


@pytest.mark.parametrize("fmt", FORMATS)
def test_real_corpus_roundtrip_is_byte_identical(repo: Repo, fmt: str, tmp_path: Path) -> None:
    before = _annotation_bytes(repo)
    assert before, "the real corpus has annotation files"
    assert _roundtrip_into_empty(repo, fmt, tmp_path) == before
    # and the canonical writer agrees with what is checked in
    assert {p.name: b for p, b in corpus_files(load_corpus(repo)).items()} == before


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents())
def test_generated_documents_roundtrip(tmp_path_factory, fmt: str, doc) -> None:
    text, records, entities = doc
    tmp = tmp_path_factory.mktemp("gen")
    repo = make_repo(tmp, {"doc-a": text})
    write_doc(repo, "doc-a", records)
    write_shared(repo, entities, [])
    inter = load_interchange(repo)
    from isf_claims.convert import EXPORTERS, IMPORTERS

    result = EXPORTERS[fmt](inter)
    out = tmp / "out"
    out.mkdir()
    for name, data in result.files.items():
        (out / name).write_bytes(data)
    back = to_files(repo, IMPORTERS[fmt](repo, out))
    assert {p.name: b for p, b in back.items()} == _annotation_bytes(repo)


def test_labelstudio_offsets_are_utf16(tmp_path: Path) -> None:
    text = "😀 Gaza 𝔘𝔖 said 🇺🇸 peace"
    repo = make_repo(tmp_path, {"d": text})
    start = text.index("said")
    write_doc(
        repo,
        "d",
        [
            {"layer": "mention", "id": "m1", "label": "GPE", "start": 2, "end": 6, "text": "Gaza"},
            {
                "layer": "zone",
                "id": "z1",
                "label": "body",
                "start": 0,
                "end": len(text),
                "text": text,
            },
            {
                "layer": "claim",
                "id": "c1",
                "content": {"start": len(text) - 5, "end": len(text), "text": "peace"},
                "cue": {"start": start, "end": start + 4, "text": "said"},
                "source": {"start": 2, "end": 6, "text": "Gaza"},
                "source_mention": "m1",
                "attribution": "indirect",
                "source_type": "named",
                "cue_commitment": "neutral",
                "polarity": "positive",
                "claim_type": "factual",
            },
        ],
    )
    write_shared(repo, [], [])
    export_corpus(repo, "labelstudio", tmp_path / "ls")
    task = json.loads((tmp_path / "ls" / "tasks.json").read_text())[0]
    utf16 = text.encode("utf-16-le")
    regions = [r for r in task["annotations"][0]["result"] if r["type"] == "labels"]
    assert {r["id"] for r in regions} == {"z1", "m1", "c1", "c1-cue", "c1-source"}
    for r in regions:  # what a JavaScript string slice would show
        v = r["value"]
        assert utf16[2 * v["start"] : 2 * v["end"]].decode("utf-16-le") == v["text"]
    cue = next(r for r in regions if r["id"] == "c1-cue")["value"]
    assert (cue["start"], cue["end"]) == (start + 3, start + 7)  # 3 astral characters before it
    rels = {
        (r["from_id"], r["to_id"], tuple(r["labels"]))
        for r in task["annotations"][0]["result"]
        if r["type"] == "relation"
    }
    assert rels == {
        ("c1-source", "c1-cue", ("claim_source",)),
        ("c1-cue", "c1", ("claim_cue",)),
        ("c1-source", "m1", ("claim_source_mention",)),
    }


def test_labelstudio_regions_made_in_the_tool_get_fresh_ids(tmp_path: Path) -> None:
    text = "Officials said Gaza peace holds"
    repo = make_repo(tmp_path, {"d": text})
    write_doc(
        repo,
        "d",
        [{"layer": "mention", "id": "m4", "label": "GPE", "start": 15, "end": 19, "text": "Gaza"}],
    )
    write_shared(repo, [], [])
    export_corpus(repo, "labelstudio", tmp_path / "ls")
    tasks_path = tmp_path / "ls" / "tasks.json"
    tasks = json.loads(tasks_path.read_text())
    res = tasks[0]["annotations"][0]["result"]

    def region(rid: str, name: str, s: int, e: int, label: str) -> dict:
        return {
            "id": rid,
            "from_name": name,
            "to_name": "text",
            "type": "labels",
            "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]},
        }

    res += [
        region("Xa9", "mention", 0, 9, "ORG"),
        region("Kq1", "claim", 20, 31, "content"),
        region("Zz2", "claim", 10, 14, "cue"),
        region("Pp3", "claim", 0, 9, "source"),
    ]
    res += [
        {
            "from_id": "Pp3",
            "to_id": "Zz2",
            "type": "relation",
            "direction": "right",
            "labels": ["claim_source"],
        },
        {
            "from_id": "Zz2",
            "to_id": "Kq1",
            "type": "relation",
            "direction": "right",
            "labels": ["claim_cue"],
        },
        {
            "from_id": "Pp3",
            "to_id": "Xa9",
            "type": "relation",
            "direction": "right",
            "labels": ["claim_source_mention"],
        },
    ]
    for name, value in [
        ("claim_attribution", "indirect"),
        ("claim_source_type", "named"),
        ("claim_cue_commitment", "neutral"),
        ("claim_polarity", "positive"),
        ("claim_claim_type", "factual"),
    ]:
        res.append(
            {
                "id": "Kq1",
                "from_name": name,
                "to_name": "text",
                "type": "choices",
                "value": {"start": 20, "end": 31, "choices": [value]},
            }
        )
    tasks_path.write_text(json.dumps(tasks))
    import_annotations(repo, "labelstudio", tmp_path / "ls", force=True)
    corpus = load_corpus(repo)
    mentions = corpus["mentions"].to_pylist()
    assert [(m["id"], m["text"]) for m in mentions] == [("m5", "Officials"), ("m4", "Gaza")]
    (claim,) = corpus["claims"].to_pylist()
    assert (claim["id"], claim["cue_text"], claim["source_text"], claim["source_mention"]) == (
        "c1",
        "said",
        "Officials",
        "m5",
    )


def test_brat_files_follow_the_standoff_format(repo: Repo, tmp_path: Path) -> None:
    export_corpus(repo, "brat", tmp_path / "b")
    conf = (tmp_path / "b" / "annotation.conf").read_text()
    schema = load_corpus(repo).schema
    for label in schema.values("entity_label") + schema.values("claim_type"):
        assert label in conf
    for doc_id in load_corpus(repo).doc_ids:
        assert (tmp_path / "b" / f"{doc_id}.txt").read_bytes() == repo.raw_path(doc_id).read_bytes()
        lines = (tmp_path / "b" / f"{doc_id}.ann").read_text().splitlines()
        kinds = {line[0] for line in lines}
        assert kinds == {"T", "R", "A", "N", "#"}
        for line in lines:
            if line.startswith("T"):
                _tid, kind_offsets, shown = line.split("\t")
                frags = kind_offsets.split(" ", 1)[1]
                raw = repo.raw_path(doc_id).read_text(encoding="utf-8")
                pieces = [raw[int(a) : int(b)] for a, b in (f.split() for f in frags.split(";"))]
                assert " ".join(pieces) == shown
