"""Pre-annotation: predicted mentions exported into Label Studio tasks as predictions; draft
documents without annotations export as tasks with no annotation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from convert_fixtures import make_repo
from isf_claims import annotations as fmt
from isf_claims.cli import app
from isf_claims.convert import export_corpus, import_annotations
from isf_claims.raw import read_meta
from isf_claims.repo import Repo
from isf_claims.schema import load_schema

# Astral characters (a flag, an emoji, mathematical letters) before the predicted spans, so
# code point and UTF-16 offsets differ.
TEXT = "🇺🇸 officials said the 😀 force would enter Gaza City on Monday, 𝔘𝔖 envoys added."


def at(sub: str) -> tuple[int, int]:
    i = TEXT.index(sub)
    return i, i + len(sub)


def u16(i: int) -> int:
    return len(TEXT[:i].encode("utf-16-le")) // 2


def draft_repo(tmp: Path) -> Repo:
    """A repository with one article just ingested: its annotation file is the header only."""
    repo = make_repo(tmp, {"d1": TEXT})
    schema = load_schema(repo.schema_dir)
    header = {
        "doc_id": "d1",
        "schema_version": schema.version,
        "raw_sha256": read_meta(repo, "d1")["sha256"],
        "status": "draft",
        "annotators": "annotator A",
    }
    repo.annotation_path("d1").write_bytes(fmt.to_bytes(fmt.document_lines(schema, header, [])))
    return repo


def write_predictions(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


PREDICTED = [
    {"doc_id": "d1", "start": at("Gaza")[0], "end": at("Gaza")[1], "label": "GPE"},
    {"doc_id": "d1", "start": at("Monday")[0], "end": at("Monday")[1], "label": "DATE"},
]


def test_predictions_go_into_the_tasks_with_utf16_offsets(tmp_path: Path) -> None:
    repo = draft_repo(tmp_path)
    preds = write_predictions(tmp_path / "baseline.jsonl", PREDICTED)
    runner = CliRunner()
    args = ["export", "labelstudio", "--out", str(tmp_path / "ls"), "--root", str(repo.root)]
    res = runner.invoke(app, [*args, "--predictions", str(preds), "--model-version", "rules-v1"])
    assert res.exit_code == 0, res.stderr
    (task,) = json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8"))
    assert task["annotations"] == []  # a draft with no annotation is a task still to do
    (pred,) = task["predictions"]
    assert pred["model_version"] == "rules-v1"
    gaza, monday = pred["result"]
    s, e = at("Gaza")
    assert gaza["value"] == {"start": u16(s), "end": u16(e), "text": "Gaza", "labels": ["GPE"]}
    assert u16(s) == s + 3  # the flag's two code points and the emoji: 2 units each
    assert monday["value"]["labels"] == ["DATE"] and gaza["from_name"] == "mention"
    # without --model-version the file's name is the model version
    export_corpus(repo, "labelstudio", tmp_path / "ls2", predictions=preds)
    (task,) = json.loads((tmp_path / "ls2" / "tasks.json").read_text("utf-8"))
    assert task["predictions"][0]["model_version"] == "baseline"
    # importing the untouched export changes nothing: the task has no annotation
    changed = import_annotations(repo, "labelstudio", tmp_path / "ls")
    assert repo.annotation_path("d1") not in changed


@pytest.mark.parametrize(
    "row, code",
    [
        ({"doc_id": "nope", "start": 0, "end": 2, "label": "GPE"}, "prediction-unknown-document"),
        (
            {"doc_id": "d1", "start": 0, "end": 999, "label": "GPE"},
            "prediction-offsets-out-of-range",
        ),
        (
            {"doc_id": "d1", "start": at("Gaza")[0], "end": at("Gaza")[1], "label": "CITY"},
            "prediction-label-not-in-schema",
        ),
        (
            {"doc_id": "d1", "start": at("Gaza")[0] - 1, "end": at("Gaza")[1], "label": "GPE"},
            "prediction-span-edge-whitespace",
        ),
        (
            {"doc_id": "d1", "start": at("Gaza")[0], "end": at("Gaza")[1], "label": "GPE"},
            "prediction-duplicate",
        ),
        ({"doc_id": "d1", "start": 3.5, "end": 5, "label": "GPE"}, "prediction-field-invalid"),
        ({"doc_id": "d1", "start": "3", "end": 5, "label": "GPE"}, "prediction-field-invalid"),
        ({"doc_id": "d1", "start": 3}, "prediction-field-invalid"),
        ({**PREDICTED[1], "score": 1.5}, "prediction-field-invalid"),
    ],
)
def test_bad_predictions_are_refused_and_nothing_written(tmp_path: Path, row, code) -> None:
    """The evaluation's reader and checks, with their codes, naming the record."""
    repo = draft_repo(tmp_path)
    preds = write_predictions(tmp_path / "p.jsonl", [PREDICTED[0], row])
    before = snapshot(tmp_path)
    res = CliRunner().invoke(
        app,
        [
            "export",
            "labelstudio",
            "--out",
            str(tmp_path / "ls"),
            "--predictions",
            str(preds),
            "--root",
            str(repo.root),
        ],
    )
    assert res.exit_code == 1 and f"error {code}:" in res.stderr, res.stderr
    assert "p.jsonl" in res.stderr
    assert "record 2" in res.stderr or "as a string" in res.stderr  # a string: the whole column
    assert snapshot(tmp_path) == before


def test_predictions_only_for_labelstudio(tmp_path: Path) -> None:
    repo = draft_repo(tmp_path)
    preds = write_predictions(tmp_path / "p.jsonl", PREDICTED)
    res = CliRunner().invoke(
        app,
        [
            "export",
            "brat",
            "--out",
            str(tmp_path / "b"),
            "--predictions",
            str(preds),
            "--root",
            str(repo.root),
        ],
    )
    assert res.exit_code == 2 and "predictions-unsupported" in res.stderr


CLAIM = {
    "doc_id": "d1",
    "layer": "claim",
    "content": dict(
        zip(("start", "end"), at("the 😀 force would enter Gaza City on Monday"), strict=True)
    ),
    "cue": dict(zip(("start", "end"), at("said"), strict=True)),
    "source": dict(zip(("start", "end"), at("officials"), strict=True)),
    "attribution": "indirect",
    "source_type": "anonymous",
    "cue_commitment": "neutral",
    "polarity": "positive",
    "claim_type": "intention",
    "score": 0.5,
}


def test_predicted_claims_become_regions_an_annotator_can_accept(tmp_path: Path) -> None:
    repo = draft_repo(tmp_path)
    preds = write_predictions(tmp_path / "claims.jsonl", [*PREDICTED, CLAIM])
    export_corpus(repo, "labelstudio", tmp_path / "ls", predictions=preds)
    tasks_path = tmp_path / "ls" / "tasks.json"
    (task,) = json.loads(tasks_path.read_text("utf-8"))
    (pred,) = task["predictions"]
    regions = {r["id"]: r for r in pred["result"] if r["type"] == "labels"}
    s, e = at("said")
    assert regions["pc1-cue"]["value"] == {
        "start": u16(s),
        "end": u16(e),
        "text": "said",
        "labels": ["cue"],
    }
    assert regions["pc1"]["score"] == 0.5 and pred["score"] == 0.5
    choices = {
        r["from_name"]: r["value"]["choices"] for r in pred["result"] if r["type"] == "choices"
    }
    assert choices["claim_attribution"] == ["indirect"] and choices["claim_claim_type"] == [
        "intention"
    ]
    relations = {tuple(r["labels"]) for r in pred["result"] if r["type"] == "relation"}
    assert relations == {("claim_cue",), ("claim_source",)}
    # an annotator accepts the prediction as it is: the import gives fresh record ids
    task["annotations"] = [{"result": pred["result"]}]
    tasks_path.write_text(json.dumps([task], ensure_ascii=False), "utf-8")
    import_annotations(repo, "labelstudio", tmp_path / "ls")
    records = [json.loads(x) for x in repo.annotation_path("d1").read_text("utf-8").splitlines()]
    (claim,) = [r for r in records if r["layer"] == "claim"]
    assert claim["id"] == "c1" and claim["cue"]["text"] == "said"
    assert claim["source"]["text"] == "officials" and claim["claim_type"] == "intention"
    assert [r["id"] for r in records if r["layer"] == "mention"] == ["m1", "m2"]


@pytest.mark.parametrize(
    "edit, code, message",
    [
        (lambda c: c.pop("content"), "prediction-field-invalid", "content"),
        (
            lambda c: c.update(cue={"start": 0, "end": 999}),
            "prediction-offsets-out-of-range",
            "cue offsets",
        ),
        (lambda c: c.update(polarity="maybe"), "prediction-label-not-in-schema", "polarity"),
        (lambda c: c.update(layer="zone"), "prediction-field-invalid", "unknown layer"),
        (
            lambda c: c.update(source=dict(zip(("start", "end"), at(" officials"), strict=True))),
            "prediction-span-edge-whitespace",
            "source",
        ),
    ],
)
def test_bad_predicted_claims_are_refused(tmp_path: Path, edit, code, message) -> None:
    repo = draft_repo(tmp_path)
    claim = json.loads(json.dumps(CLAIM))
    edit(claim)
    preds = write_predictions(tmp_path / "p.jsonl", [claim])
    with pytest.raises(Exception) as err:
        export_corpus(repo, "labelstudio", tmp_path / "ls", predictions=preds)
    assert getattr(err.value, "code", None) == code and message in str(err.value)
    assert not (tmp_path / "ls").exists()


def test_evaluation_prediction_files_are_accepted(tmp_path: Path) -> None:
    """The evaluation's files: a header line, claims without ``layer``, an ``id``, fields the
    format ignores (``note``, a span's ``text``)."""
    repo = draft_repo(tmp_path)
    claim = {k: v for k, v in CLAIM.items() if k != "layer"}
    claim["cue"] = {**claim["cue"], "text": "said"}
    rows = [{"isf_claims": {"task": "claims"}}, {**claim, "id": "x1", "note": "x"}]
    preds = write_predictions(tmp_path / "claims.jsonl", rows)
    export_corpus(repo, "labelstudio", tmp_path / "ls", predictions=preds)
    (task,) = json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8"))
    labels = {r["id"] for r in task["predictions"][0]["result"] if r["type"] == "labels"}
    assert labels == {"pc1", "pc1-cue", "pc1-source"}
