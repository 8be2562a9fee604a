"""Adjudication: two synthetic annotation sets with seeded disagreements, the decisions they
give, the gold set the curator's choices make, and every refusal writing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from convert_fixtures import make_repo
from isf_claims import annotations as fmt
from isf_claims.cli import app
from isf_claims.raw import read_meta
from isf_claims.repo import Repo
from isf_claims.schema import load_schema

TEXT = "Alpha Beta Gamma Delta said peace now"
OTHER = "Peace talks resumed in Cairo."


def sp(s: int, e: int, text: str = TEXT) -> dict[str, Any]:
    return {"start": s, "end": e, "text": text[s:e]}


def M(i: int, label: str, s: int, e: int, entity: str | None = None, text: str = TEXT) -> dict:
    return {"layer": "mention", "id": f"m{i}", "label": label, **sp(s, e, text), "entity": entity}


def C(i: int, content, cue=None, source=None, **attrs) -> dict:
    base = {
        "attribution": "unattributed",
        "source_type": "outlet",
        "cue_commitment": "none",
        "polarity": "positive",
        "claim_type": "factual",
    }
    return {
        "layer": "claim",
        "id": f"c{i}",
        "content": sp(*content),
        "cue": sp(*cue) if cue else None,
        "source": sp(*source) if source else None,
        **base,
        **attrs,
    }


def said(i: int, source_mention: str, commitment: str) -> dict:
    return C(
        i,
        (28, 37),
        (23, 27),
        (17, 22),
        source_mention=source_mention,
        attribution="indirect",
        source_type="named",
        cue_commitment=commitment,
    )


ENTITIES = [{"id": "delta", "label": "ORG", "name": "Delta", "description": None}]


def write_set(repo: Repo, folder: Path, who: str, docs: dict[str, list[dict]], clusters) -> Path:
    schema = load_schema(repo.schema_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, records in docs.items():
        hdr = {
            "doc_id": doc_id,
            "schema_version": schema.version,
            "raw_sha256": read_meta(repo, doc_id)["sha256"],
            "status": "draft",
            "annotators": who,
        }
        lines = fmt.document_lines(schema, hdr, records)
        (folder / f"{doc_id}.jsonl").write_bytes(fmt.to_bytes(lines))
    (folder / "entities.jsonl").write_bytes(
        fmt.to_bytes(fmt.shared_lines(schema, "entity", ENTITIES))
    )
    (folder / "clusters.jsonl").write_bytes(
        fmt.to_bytes(fmt.shared_lines(schema, "cluster", clusters))
    )
    return folder


def cluster(*claims: str) -> list[dict]:
    members = [{"doc_id": "d1", "claim": c} for c in claims]
    return [{"id": "k1", "proposition": "p", "members": members}]


OTHER_DOC = [M(1, "GPE", 23, 28, text=OTHER)]  # identical in both sets


@pytest.fixture
def sets(tmp_path: Path) -> tuple[Repo, Path, Path]:
    repo = make_repo(tmp_path, {"d1": TEXT, "d2": OTHER})
    a = write_set(
        repo,
        tmp_path / "ann-a",
        "annotator A",
        {
            "d1": [
                M(1, "PERSON", 0, 10),
                M(2, "GPE", 11, 16),
                M(3, "ORG", 17, 22, "delta"),
                said(1, "m3", "neutral"),
                C(2, (0, 10), claim_type="evaluation"),
            ],
            "d2": OTHER_DOC,
        },
        cluster("c1", "c2"),
    )
    b = write_set(
        repo,
        tmp_path / "ann-b",
        "annotator B",
        {
            "d1": [
                M(1, "ORG", 0, 10),
                M(4, "ORG", 17, 22),
                M(5, "PERSON", 6, 10),
                said(1, "m4", "hedged"),
                C(3, (0, 5)),
            ],
            "d2": OTHER_DOC,
        },
        cluster("c1"),
    )
    return repo, a, b


def cli(repo: Repo, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [*args, "--root", str(repo.root)])
    return res.exit_code, res.stdout, res.stderr


def decisions(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "decisions.jsonl").read_text("utf-8").splitlines()]


def decide(out: Path, choose) -> None:
    recs = decisions(out)
    for r in recs:
        r["decision"] = choose(r)
    (out / "decisions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), "utf-8")


# The curator's choices for the seeded disagreements: (kind, field, A's record id) -> choice.
CHOICES = {
    ("attribute", "label", "m1"): "b",  # "Alpha Beta": ORG (B) over PERSON (A)
    ("mention", None, None): "neither",  # B's "Beta" mention: dropped
    ("mention", None, "m2"): "a",  # A's "Gamma" mention: kept
    ("link", "entity", "m3"): "a",  # "Delta" linked to the entity, as A has it
    ("attribute", "cue_commitment", "c1"): "b",  # hedged, as B has it
    ("claim-part", "content", "c2"): "b",  # content "Alpha" (B) over "Alpha Beta" (A)
    ("attribute", "claim_type", "c2"): "a",  # evaluation (A)
    ("cluster-member", "members", "c2"): "a",  # c2 stays in k1 (A)
}


def key(r: dict) -> tuple:
    return (r["kind"], r["field"], r["record"]["a"])


def test_disagreements_are_listed_with_both_versions(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    out = tmp_path / "adj"
    code, stdout, err = cli(repo, "adjudicate", str(a), str(b), "--out", str(out))
    assert code == 0, err
    assert "8 disagreement(s): 8 to decide" in stdout
    recs = decisions(out)
    assert sorted(map(key, recs), key=str) == sorted(CHOICES, key=str)
    assert all(r["doc_id"] == "d1" and r["decision"] is None for r in recs)
    assert len({r["id"] for r in recs}) == 8
    by = {key(r): r for r in recs}
    assert (by["attribute", "label", "m1"]["a"], by["attribute", "label", "m1"]["b"]) == (
        "PERSON",
        "ORG",
    )
    assert by["claim-part", "content", "c2"]["b"] == sp(0, 5)
    assert by["claim-part", "content", "c2"]["record"] == {"a": "c2", "b": "c3"}
    assert by["mention", None, None]["b"]["text"] == "Beta"
    assert by["cluster-member", "members", "c2"]["b"] == {"member": False}
    # the merged set holds what both agree on: all of d2; every record of d1 differs
    assert (out / "merged" / "d1.jsonl").read_text("utf-8").count("\n") == 1
    assert (out / "merged" / "d2.jsonl").read_text("utf-8").count("\n") == 2


def test_decisions_apply_to_the_expected_gold(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    out = tmp_path / "adj"
    assert cli(repo, "adjudicate", str(a), str(b), "--out", str(out))[0] == 0
    decide(out, lambda r: CHOICES[key(r)])
    code, _, err = cli(repo, "adjudicate", "--apply", str(out / "decisions.jsonl"))
    assert code == 0, err
    gold = [json.loads(x) for x in (out / "gold" / "d1.jsonl").read_text("utf-8").splitlines()]
    head, *records = gold
    assert head["status"] == "gold" and head["annotators"] == "annotator A; annotator B"
    assert head["annotator_count"] == 2 and head["adjudicated"] is True  # schema 1.2.0
    mentions = [
        (r["id"], r["label"], r["text"], r["entity"]) for r in records if r["layer"] == "mention"
    ]
    assert mentions == [
        ("m1", "ORG", "Alpha Beta", None),
        ("m2", "GPE", "Gamma", None),
        ("m3", "ORG", "Delta", "delta"),
    ]
    claims = {r["id"]: r for r in records if r["layer"] == "claim"}
    assert claims["c1"]["cue_commitment"] == "hedged" and claims["c1"]["source_mention"] == "m3"
    assert claims["c2"]["content"] == sp(0, 5) and claims["c2"]["claim_type"] == "evaluation"
    clusters = [json.loads(x) for x in (out / "gold" / "clusters.jsonl").read_text().splitlines()]
    assert [m["claim"] for m in clusters[0]["members"]] == ["c1", "c2"]
    gold_d2 = (out / "gold" / "d2.jsonl").read_text("utf-8").splitlines()
    assert gold_d2[1:] == (a / "d2.jsonl").read_text("utf-8").splitlines()[1:]


def test_rerun_keeps_decisions_taken(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    out = tmp_path / "adj"
    cli(repo, "adjudicate", str(a), str(b), "--out", str(out))
    decide(out, lambda r: CHOICES[key(r)])
    before = {r["id"]: r["decision"] for r in decisions(out)}
    # annotator B adds a mention elsewhere; the earlier decisions keep their ids
    d1 = (b / "d1.jsonl").read_text("utf-8").splitlines()
    schema = load_schema(repo.schema_dir)
    recs = [json.loads(x) for x in d1[1:]] + [M(6, "DATE", 34, 37)]
    (b / "d1.jsonl").write_bytes(fmt.to_bytes(fmt.document_lines(schema, json.loads(d1[0]), recs)))
    code, stdout, err = cli(repo, "adjudicate", str(a), str(b), "--out", str(out))
    assert code == 0, err
    assert "9 disagreement(s): 1 to decide, 8 kept" in stdout
    after = {r["id"]: r["decision"] for r in decisions(out)}
    assert {i: after[i] for i in before} == before
    # applying the old decisions against the changed set is refused, as is a pending one
    code, _, err = cli(repo, "adjudicate", "--apply", str(out / "decisions.jsonl"))
    assert code == 1 and "adjudication-pending" in err
    assert not (out / "gold").exists()


def test_apply_refuses_decisions_that_make_an_invalid_corpus(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    out = tmp_path / "adj"
    cli(repo, "adjudicate", str(a), str(b), "--out", str(out))
    # dropping the content span of a claim both sets have leaves a claim without content
    decide(
        out,
        lambda r: "neither" if key(r) == ("claim-part", "content", "c2") else CHOICES[key(r)],
    )
    before = snapshot(tmp_path)
    code, _, err = cli(repo, "adjudicate", "--apply", str(out / "decisions.jsonl"))
    assert code == 1 and "adjudication-gold-invalid" in err and "c2" in err
    assert snapshot(tmp_path) == before  # nothing written
    # `both` cannot hold two values of one field
    decide(out, lambda r: "both" if r["kind"] == "attribute" else CHOICES[key(r)])
    code, _, err = cli(repo, "adjudicate", "--apply", str(out / "decisions.jsonl"))
    assert code == 1 and "adjudication-decision-invalid" in err
    decide(out, lambda r: "maybe")
    code, _, err = cli(repo, "adjudicate", "--apply", str(out / "decisions.jsonl"))
    assert code == 1 and "adjudication-decision-invalid" in err
    assert not (out / "gold").exists()


def test_apply_refuses_sets_changed_since(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    out = tmp_path / "adj"
    cli(repo, "adjudicate", str(a), str(b), "--out", str(out))
    decide(out, lambda r: CHOICES[key(r)])
    (a / "d1.jsonl").write_bytes((a / "d1.jsonl").read_bytes().replace(b"neutral", b"hedged"))
    code, _, err = cli(repo, "adjudicate", "--apply", str(out / "decisions.jsonl"))
    assert code == 1 and "adjudication-stale" in err and "set A changed" in err


def test_invalid_set_is_refused_with_its_findings(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    bad = (b / "d1.jsonl").read_bytes().replace(b'"start": 6, "end": 10', b'"start": 7, "end": 10')
    (b / "d1.jsonl").write_bytes(bad)
    out = tmp_path / "adj"
    code, _, err = cli(repo, "adjudicate", str(a), str(b), "--out", str(out))
    assert code == 1 and "annotation-set-invalid" in err and "quote-mismatch" in err
    assert "ann-b/d1.jsonl" in err
    assert not out.exists()
    code, _, err = cli(repo, "agree", str(a), str(b))
    assert code == 1 and "annotation-set-invalid" in err


def test_usage_errors(sets, tmp_path: Path) -> None:
    repo, a, b = sets
    assert cli(repo, "adjudicate", str(a))[0] == 2
    assert cli(repo, "adjudicate", str(a), str(b), "--apply", "x.jsonl")[0] == 2
    assert cli(repo, "adjudicate", "--apply", str(tmp_path / "none.jsonl"))[0] == 2
    (b / "d2.jsonl").unlink()
    code, _, err = cli(repo, "adjudicate", str(a), str(b), "--out", str(tmp_path / "o"))
    assert code == 1 and "adjudication-documents-differ" in err
