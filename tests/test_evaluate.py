"""``evaluate`` and the baselines: the gold against itself, hand-computed cases checked
with seqeval and nervaluate, a worked B³ example, and every bad-prediction code."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.evaluate import evaluate
from isf_claims.evaluate import mentions as M
from isf_claims.evaluate.claims import score as claim_score
from isf_claims.evaluate.clusters import score as cluster_score
from isf_claims.evaluate.codes import CODES, PREANNOTATION_ONLY
from isf_claims.evaluate.formats import read_claims, read_mentions
from isf_claims.evaluate.ner import score as ner_score
from isf_claims.evaluate.report import FOLLOWS
from isf_claims.release.build import BuildResult
from isf_claims.spanmatch import overlap_pairs

pytest_plugins = ["test_release_fixtures"]

RUN = CliRunner()
LABELS = ["PER", "ORG", "GPE"]


def config(release: BuildResult, name: str) -> pl.DataFrame:
    files = sorted((release.folder / "data" / name).glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files])


def write(path: Path, frame: pl.DataFrame, header: dict[str, Any] | None = None) -> Path:
    head = json.dumps({"isf_claims": header}) + "\n" if header is not None else ""
    path.write_text(head + frame.write_ndjson(), encoding="utf-8")
    return path


def gold_predictions(release: BuildResult, tmp_path: Path) -> dict[str, Path]:
    """The release's own gold in the prediction format of every task."""
    out = {
        "mentions": tmp_path / "mentions.parquet",
        "claims": tmp_path / "claims.jsonl",
        "ner": tmp_path / "ner.parquet",
        "clusters": tmp_path / "clusters.jsonl",
    }
    config(release, "mentions").write_parquet(out["mentions"])
    write(out["claims"], config(release, "claims"))
    config(release, "ner").select("doc_id", "start", "ner_tags").write_parquet(out["ner"])
    write(out["clusters"], config(release, "clusters"))
    return out


def figures_of(report: dict[str, Any]) -> list[float]:
    """Every precision, recall, F1, accuracy and macro figure of a report."""
    found: list[float] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("precision", "recall", "f1", "accuracy", "macro_f1") and v is not None:
                    found.append(v)
                else:
                    walk(v)

    walk(report["figures"])
    return found


def test_gold_against_itself_is_one_everywhere(release: BuildResult, tmp_path: Path) -> None:
    for task, path in gold_predictions(release, tmp_path).items():
        report = evaluate(path, task, release=release.folder)
        values = figures_of(report)
        assert values and all(v == 1.0 for v in values), (task, values)
        assert all(lo == 1.0 and hi == 1.0 for lo, hi in report["intervals"].values()), task
        if task != "clusters":  # clusters name claims of some documents only
            assert report["documents"]["without_predictions"] == 0
        assert report["release"]["version"] == release.version


def _entities(rows: list[tuple[str, int, int, str]], docs: list[str], key: Any) -> list:
    return [
        [
            {"label": lab, "start": s, "end": e - 1}
            for d, s, e, lab in sorted(rows, key=key)
            if d == doc
        ]
        for doc in docs
    ]


def _frame(rows: list[tuple[str, int, int, str]]) -> pl.DataFrame:
    schema = {"doc_id": pl.String, "start": pl.Int64, "end": pl.Int64, "label": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _nervaluate(gold: list, pred: list, docs: list[str]) -> dict[str, Any]:
    from nervaluate import Evaluator

    true = _entities(gold, docs, key=lambda x: (x[1], x[2], x[3]))
    prd = _entities(pred, docs, key=lambda x: (x[1], x[2], LABELS.index(x[3])))
    return Evaluator(true, prd, tags=LABELS, loader="dict").evaluate()


def _mine(gold: list, pred: list, docs: list[str]) -> dict[str, Any]:
    g = _frame(gold).sort("doc_id", "start", "end", "label")
    return M.figures(M.count(g, _frame(pred), docs, LABELS))


def _same(theirs: dict[str, Any], mine: dict[str, Any]) -> None:
    for scheme in M.SCHEMES:
        r = theirs["overall"][scheme]
        assert [getattr(r, k) for k in M.COUNTS] == [mine[scheme][k] for k in M.COUNTS], scheme
        assert mine[scheme]["f1"] == pytest.approx(r.f1)
        for label, per in theirs["entities"].items():
            x = per[scheme]
            got = mine[scheme]["per_label"][label]
            assert [getattr(x, k) for k in M.COUNTS] == [got[k] for k in M.COUNTS], label


def test_mentions_by_hand_and_as_nervaluate_computes_them() -> None:
    gold = [("d", 0, 5, "PER"), ("d", 10, 15, "ORG")]
    pred = [("d", 0, 5, "PER"), ("d", 10, 14, "ORG"), ("d", 20, 25, "GPE")]
    mine = _mine(gold, pred, ["d"])
    # strict: 1 correct, 1 incorrect (boundary), 1 spurious; type: 2 correct, 1 spurious;
    # partial: 1 correct, 1 partial (half), 1 spurious.
    assert (mine["strict"]["precision"], mine["strict"]["recall"]) == (1 / 3, 1 / 2)
    assert (mine["ent_type"]["precision"], mine["ent_type"]["recall"]) == (2 / 3, 1.0)
    assert (mine["partial"]["precision"], mine["partial"]["recall"]) == (0.5, 0.75)
    assert mine["exact"]["incorrect"] == 1 and mine["exact"]["spurious"] == 1
    _same(_nervaluate(gold, pred, ["d"]), mine)


def _random_doc(rng: random.Random, n: int, length: int, longest: int) -> list:
    out = set()
    for _ in range(n):
        s = rng.randrange(0, length - 1)
        out.add((s, rng.randrange(s + 1, min(length, s + longest) + 1), rng.choice(LABELS)))
    return sorted(out)


@pytest.mark.parametrize("length,longest", [(60, 12), (400, 250)])
def test_mentions_agree_with_nervaluate_on_random_cases(length: int, longest: int) -> None:
    """Nested, crossing, relabelled and shifted spans; long ones reach nervaluate's 1 %
    overlap threshold."""
    for trial in range(150):
        rng = random.Random(trial)
        docs = [f"d{i}" for i in range(rng.randint(1, 3))]
        gold = [(d, *m) for d in docs for m in _random_doc(rng, rng.randint(0, 8), length, longest)]
        pred = [(d, *m) for d in docs for m in _random_doc(rng, rng.randint(0, 8), length, longest)]
        if not gold and not pred:
            continue
        _same(_nervaluate(gold, pred, docs), _mine(gold, pred, docs))


def test_ner_is_seqeval_strict_iob2() -> None:
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    true = [["B-PER", "I-PER", "O", "B-ORG"], ["B-GPE", "O"]]
    pred = [["B-PER", "I-PER", "O", "I-ORG"], ["B-GPE", "O"]]  # I- without B-: no entity
    gold = pl.DataFrame({"doc_id": ["a", "b"], "start": [0, 0], "ner_tags": true})
    preds = pl.DataFrame({"doc_id": ["a", "b"], "start": [0, 0], "ner_tags": pred})
    figures, counts = ner_score(gold, preds, ["a", "b"])
    kw = {"mode": "strict", "scheme": IOB2}
    assert figures["micro"]["f1"] == pytest.approx(f1_score(true, pred, **kw))
    assert figures["micro"]["precision"] == pytest.approx(precision_score(true, pred, **kw))
    assert figures["micro"]["recall"] == pytest.approx(recall_score(true, pred, **kw))
    assert (figures["micro"]["precision"], figures["micro"]["recall"]) == (1.0, 2 / 3)
    assert counts.tolist() == [[1, 1, 2], [1, 1, 1]]


def test_b3_and_pairwise_worked_example() -> None:
    """Gold {a,b,c} {d,e}, predicted {a,b} {c,d,e}. B³ precision per claim: 1, 1, 1/3,
    2/3, 2/3; recall 2/3, 2/3, 1/3, 1, 1: both 11/15. Pairs: gold ab ac bc de, predicted ab
    cd ce de: 2 of 4 each way."""
    claims = pl.DataFrame({"doc_id": ["d"] * 5, "id": ["a", "b", "c", "d", "e"]})

    def members(groups: list[str]) -> pl.DataFrame:
        rows = [(str(i), "d", c) for i, g in enumerate(groups) for c in g]
        return pl.DataFrame(rows, schema=["cluster_id", "doc_id", "claim"], orient="row")

    figures, _ = cluster_score(members(["abc", "de"]), members(["ab", "cde"]), claims, ["d"])
    assert figures["b3"]["precision"] == pytest.approx(11 / 15)
    assert figures["b3"]["recall"] == pytest.approx(11 / 15)
    assert figures["pairwise"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "predicted": 4,
        "gold": 4,
        "common": 2,
    }


def test_claims_by_hand() -> None:
    def claim(i: str, content: tuple, cue: tuple | None, attribution: str) -> dict:
        return {
            "doc_id": "d",
            "id": i,
            "content_start": content[0],
            "content_end": content[1],
            "cue_start": cue[0] if cue else None,
            "cue_end": cue[1] if cue else None,
            "source_start": None,
            "source_end": None,
            "attribution": attribution,
            "source_type": "named",
            "cue_commitment": "neutral",
            "polarity": "positive",
            "claim_type": "factual",
        }

    gold = pl.DataFrame(
        [
            claim("c1", (0, 10), (12, 16), "direct_quote"),
            claim("c2", (20, 40), (41, 45), "indirect"),
        ]
    )
    pred = pl.DataFrame(
        [
            claim("p1", (0, 10), (12, 16), "direct_quote"),
            claim("p2", (22, 40), (46, 50), "direct_quote"),
        ]
    )
    figures, per_doc = claim_score(gold, pred, ["d"])
    assert figures["content_exact"]["f1"] == 0.5
    assert figures["content_overlap"]["f1"] == 1.0
    assert figures["cue"]["f1"] == 0.5
    assert figures["source"]["f1"] is None  # no source on either side
    assert figures["attributes"]["attribution"]["accuracy"] == 0.5
    # macro F1 over direct_quote (P 1/2, R 1 -> 2/3) and indirect (0)
    assert figures["attributes"]["attribution"]["macro_f1"] == pytest.approx(1 / 3)
    assert per_doc.tolist() == [[1, 2, 2, 2]]


def test_overlap_pairs_match_brute_force() -> None:
    rng = random.Random(7)
    a = [
        (rng.choice("xy"), s, s + rng.randint(1, 9)) for s in (rng.randrange(50) for _ in range(60))
    ]
    b = [
        (rng.choice("xy"), s, s + rng.randint(1, 9)) for s in (rng.randrange(50) for _ in range(60))
    ]
    fa = pl.DataFrame(a, schema=["doc_id", "start", "end"], orient="row")
    fb = pl.DataFrame(b, schema=["doc_id", "start", "end"], orient="row")
    got = {(r[0], r[1], r[3]) for r in overlap_pairs(fa, fb).iter_rows()}
    want = {
        (i, j, min(ea, eb) - max(sa, sb))
        for i, (da, sa, ea) in enumerate(a)
        for j, (db, sb, eb) in enumerate(b)
        if da == db and max(sa, sb) < min(ea, eb)
    }
    assert got == want


def test_scorer_follows_the_installed_libraries() -> None:
    from importlib.metadata import version

    assert {lib: version(lib) for lib, _ in FOLLOWS} == dict(FOLLOWS)


# ------------------------------------------------------------------ bad predictions


def _doc(release: BuildResult) -> tuple[str, int]:
    docs = pl.read_parquet(next((release.folder / "data" / "documents").glob("train.parquet")))
    return docs["doc_id"][0], docs["n_codepoints"][0]


def _bad_cases(release: BuildResult) -> dict[str, tuple[str, str, list[str]]]:
    doc, n = _doc(release)
    m = {"doc_id": doc, "start": 0, "end": 5, "label": "ORG"}
    seg = config(release, "ner").filter(pl.col("doc_id") == doc).row(0, named=True)
    tags = ["O"] * len(seg["ner_tags"])
    claim = config(release, "claims").filter(pl.col("doc_id") == doc)["id"][0]
    lines = lambda *rs: "\n".join(json.dumps(r) for r in rs) + "\n"  # noqa: E731
    return {
        "prediction-unreadable": ("mentions", "not json\n", []),
        "prediction-field-invalid": ("mentions", lines({"doc_id": doc, "start": 0, "end": 5}), []),
        "prediction-unknown-document": ("mentions", lines({**m, "doc_id": "no-such-doc"}), []),
        "prediction-unknown-segment": (
            "ner",
            lines({"doc_id": doc, "start": n + 5, "ner_tags": ["O"]}),
            [],
        ),
        "prediction-unknown-claim": (
            "clusters",
            lines({"members": [{"doc_id": doc, "claim": claim}, {"doc_id": doc, "claim": "c999"}]}),
            [],
        ),
        "prediction-offsets-out-of-range": ("mentions", lines({**m, "end": n + 1}), []),
        "prediction-tag-count": (
            "ner",
            lines({"doc_id": doc, "start": seg["start"], "ner_tags": [*tags, "O"]}),
            [],
        ),
        "prediction-label-not-in-schema": ("mentions", lines({**m, "label": "ALIEN"}), []),
        "prediction-duplicate": ("mentions", lines(m, m), []),
        "prediction-release-mismatch": (
            "mentions",
            lines({"isf_claims": {"release": "9.9.9"}}, m),
            [],
        ),
        "prediction-split-mismatch": (
            "mentions",
            lines({"isf_claims": {"split": "test"}}, m),
            ["--split", "train"],
        ),
    }


def test_every_bad_prediction_code_exits_1(release: BuildResult, tmp_path: Path) -> None:
    cases = _bad_cases(release)
    invalid = {c for c, (exit_code, _) in CODES.items() if exit_code == 1}
    assert set(cases) == invalid - set(PREANNOTATION_ONLY)  # those: test_labelstudio_predictions
    for code, (task, text, extra) in cases.items():
        path = tmp_path / f"{code}.jsonl"
        path.write_text(text, encoding="utf-8")
        args = ["evaluate", str(path), "--task", task, "--release", str(release.folder), *extra]
        result = RUN.invoke(app, args)
        assert result.exit_code == 1, (code, result.output)
        assert f"error {code}:" in result.output, (code, result.output)


def test_sha256sums_mismatch_and_usage_errors(release: BuildResult, tmp_path: Path) -> None:
    doc, _ = _doc(release)
    path = tmp_path / "p.jsonl"
    m = {"doc_id": doc, "start": 0, "end": 5, "label": "ORG"}
    path.write_text(json.dumps({"isf_claims": {"sha256sums": "0" * 64}}) + "\n" + json.dumps(m))
    base = ["evaluate", str(path), "--release", str(release.folder)]
    result = RUN.invoke(app, [*base, "--task", "mentions"])
    assert result.exit_code == 1 and "prediction-release-mismatch" in result.output
    path.write_text(json.dumps(m) + "\n")
    result = RUN.invoke(app, [*base, "--task", "topics"])
    assert result.exit_code == 2 and "evaluate-unknown-task" in result.output
    result = RUN.invoke(app, [*base, "--task", "mentions", "--split", "dev"])
    assert result.exit_code == 2 and "evaluate-unknown-split" in result.output


def test_missing_documents_count_as_empty(release: BuildResult, tmp_path: Path) -> None:
    doc, _ = _doc(release)
    gold = config(release, "mentions").filter(pl.col("doc_id") == doc)
    path = write(tmp_path / "p.jsonl", gold.select("doc_id", "start", "end", "label"))
    report = evaluate(path, "mentions", release=release.folder, split="train")
    train = pl.read_parquet(release.folder / "data" / "documents" / "train.parquet")
    assert report["documents"]["ids"] == sorted(train["doc_id"].to_list())
    assert report["documents"]["without_predictions"] == train.height - 1
    assert report["figures"]["strict"]["precision"] == 1.0
    assert (
        report["figures"]["strict"]["missed"]
        == config(release, "mentions")
        .filter(pl.col("doc_id").is_in(train["doc_id"]) & (pl.col("doc_id") != doc))
        .height
    )
    result = RUN.invoke(
        app,
        [
            "evaluate",
            str(path),
            "--task",
            "mentions",
            "--release",
            str(release.folder),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0 and json.loads(result.output)["split"] is None


# ------------------------------------------------------------------ baselines, card, API


def test_baselines_run_and_the_card_reports_them(
    release: BuildResult, release_corpus: Any, tmp_path: Path
) -> None:
    card = (release.folder / "README.md").read_text(encoding="utf-8")
    assert "## Evaluation (release" in card
    n_docs = pl.read_parquet(release.folder / "data" / "documents").height
    assert f"over all {n_docs} gold documents" in card
    for task, fmt in (("mentions", "parquet"), ("claims", "jsonl")):
        out = tmp_path / f"{task}.{fmt}"
        result = RUN.invoke(
            app,
            [
                "baseline",
                task,
                "--out",
                str(out),
                "--release",
                str(release.folder),
                "--root",
                str(release_corpus.root),
            ],
        )
        assert result.exit_code == 0, result.output
        result = RUN.invoke(
            app,
            [
                "evaluate",
                str(out),
                "--task",
                task,
                "--release",
                str(release.folder),
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        built = release.report["statistics"]["evaluation"]["baselines"][task]
        assert report["figures"] == built["figures"]
        assert report["intervals"] == built["intervals"]
        first = (
            f"| {report['figures']['strict']['f1']:.3f} |"
            if task == "mentions"
            else f"| {report['figures']['content_exact']['f1']:.3f} |"
        )
        assert first in card


def test_readers_give_typed_records_from_files_and_datasets(
    release: BuildResult, tmp_path: Path
) -> None:
    import datasets

    paths = gold_predictions(release, tmp_path)
    mentions = read_mentions(paths["mentions"])
    assert mentions[0].doc_id and isinstance(mentions[0].start, int)
    claims = read_claims(paths["claims"])
    assert all(c.content.end > c.content.start for c in claims)
    assert any(c.cue is not None for c in claims) and claims[0].attributes["attribution"]
    ds = datasets.Dataset.from_polars(
        config(release, "mentions").select("doc_id", "start", "end", "label")
    )
    report = evaluate(ds, "mentions", release=release.folder)
    assert report["figures"]["strict"]["f1"] == 1.0
    assert np.isclose(report["figures"]["partial"]["recall"], 1.0)


def test_an_empty_prediction_file_scores_zero_recall(release: BuildResult, tmp_path: Path) -> None:
    for task in ("mentions", "claims", "ner", "clusters"):
        path = tmp_path / f"{task}.jsonl"
        path.write_text("", encoding="utf-8")
        report = evaluate(path, task, release=release.folder, bootstrap=None)
        assert report["documents"]["without_predictions"] == report["documents"]["scored"]
        figures = dict(report["figures"])
        figures.pop("b3", None)  # every claim alone still agrees with itself under B³
        recalls = [v for k, v in _recalls(figures)]
        assert recalls and all(r == 0.0 for r in recalls), task


def _recalls(x: Any, key: str = "") -> list[tuple[str, float]]:
    if isinstance(x, dict):
        return [kv for k, v in x.items() for kv in _recalls(v, k)]
    return [(key, x)] if key == "recall" and x is not None else []


def test_derived_baselines_for_ner_and_clusters(
    release: BuildResult, release_corpus: Any, tmp_path: Path
) -> None:
    for task in ("ner", "clusters"):
        out = tmp_path / f"{task}.jsonl"
        args = ["--release", str(release.folder), "--root", str(release_corpus.root)]
        result = RUN.invoke(app, ["baseline", task, "--out", str(out), *args[:2]])
        assert result.exit_code == 0, result.output
        result = RUN.invoke(
            app, ["evaluate", str(out), "--task", task, *args[:2], "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert (
            report["documents"]["scored"]
            == pl.read_parquet(release.folder / "data" / "documents").height
        )
    ner = json.loads(
        RUN.invoke(
            app,
            [
                "evaluate",
                str(tmp_path / "ner.jsonl"),
                "--task",
                "ner",
                "--release",
                str(release.folder),
                "--format",
                "json",
            ],
        ).output
    )
    assert ner["figures"]["micro"]["precision"] > 0


@pytest.mark.parametrize(
    "rows, found",
    [
        ([{"start": 3, "end": 5}, {"start": 3.5, "end": 5}], "3.5"),  # never truncated to 3
        ([{"start": 3, "end": 5}, {"start": "3", "end": 5}], "as a string"),
    ],
)
def test_offsets_that_are_not_integers_are_refused(tmp_path: Path, rows, found) -> None:
    path = tmp_path / "p.jsonl"
    base = {"doc_id": "d1", "label": "GPE"}
    path.write_text("".join(json.dumps({**base, **r}) + "\n" for r in rows), "utf-8")
    with pytest.raises(Exception) as err:
        read_mentions(path)
    assert getattr(err.value, "code", None) == "prediction-field-invalid"
    assert found in str(err.value)
    claim = {"doc_id": "d1", "content": {"start": 0, "end": 4.5}}
    path.write_text(json.dumps(claim) + "\n", "utf-8")
    with pytest.raises(Exception, match=r"content\.end is not an integer"):
        read_claims(path)
